// Bytes of a TCP stream given to tshark: the stream is written into a pcap file as the segments of one
// IPv4 TCP connection (LINKTYPE_RAW, sequence numbers continuous, no handshake needed by tshark's
// reassembly), and tshark decodes it with the dissector a port is mapped to (`-d tcp.port==N,bmp`). The
// BMP tests use it to check what the route server sent a collector with Wireshark's own BMP dissector.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "tests/control/session/support/test_support.hpp"

namespace rf::testing {

// Writes `stream` as the server-to-client direction of 127.0.0.1:`port` → 127.0.0.2:40000. False when the
// file cannot be written.
inline bool write_tcp_stream_pcap(const std::string& path, std::span<const std::uint8_t> stream,
                                  std::uint16_t port) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
        return false;
    }
    const auto le32 = [&](std::uint32_t v) { std::fwrite(&v, 4, 1, f); };  // the host is little-endian
    const auto le16 = [&](std::uint16_t v) { std::fwrite(&v, 2, 1, f); };
    le32(0xa1b2c3d4U);
    le16(2);
    le16(4);
    le32(0);
    le32(0);
    le32(65535);
    le32(101);  // LINKTYPE_RAW: packets start with the IP header
    constexpr std::size_t kSegment = 32000;
    std::uint32_t seq = 1000;
    std::uint32_t ts = 1;
    for (std::size_t at = 0; at < stream.size(); at += kSegment) {
        const std::size_t n = std::min(kSegment, stream.size() - at);
        std::vector<std::uint8_t> p(40, 0);
        const std::size_t total = 40 + n;
        p[0] = 0x45;
        p[2] = static_cast<std::uint8_t>(total >> 8);
        p[3] = static_cast<std::uint8_t>(total);
        p[8] = 64;
        p[9] = 6;  // TCP
        p[12] = 127;
        p[15] = 1;
        p[16] = 127;
        p[19] = 2;
        p[20] = static_cast<std::uint8_t>(port >> 8);
        p[21] = static_cast<std::uint8_t>(port);
        p[22] = 40000 >> 8;
        p[23] = 40000 & 0xFF;
        p[24] = static_cast<std::uint8_t>(seq >> 24);
        p[25] = static_cast<std::uint8_t>(seq >> 16);
        p[26] = static_cast<std::uint8_t>(seq >> 8);
        p[27] = static_cast<std::uint8_t>(seq);
        p[32] = 0x50;  // data offset 5 words
        p[33] = 0x18;  // PSH ACK
        p[34] = 0xFF;
        p[35] = 0xFF;
        p.insert(p.end(), stream.begin() + static_cast<std::ptrdiff_t>(at),
                 stream.begin() + static_cast<std::ptrdiff_t>(at + n));
        le32(ts++);
        le32(0);
        le32(static_cast<std::uint32_t>(p.size()));
        le32(static_cast<std::uint32_t>(p.size()));
        std::fwrite(p.data(), 1, p.size(), f);
        seq += static_cast<std::uint32_t>(n);
    }
    return std::fclose(f) == 0;
}

// tshark's -T fields output for the BMP messages of `pcap` (port `port` decoded as BMP), one line per
// packet (fields of several messages in one packet joined by ','); `fields` as -e arguments.
inline std::string tshark_bmp_fields(const std::string& pcap, std::uint16_t port,
                                     const std::vector<std::string>& fields,
                                     const std::string& filter = "bmp") {
    std::vector<std::string> cmd{"/usr/bin/tshark",
                                 "-n",
                                 "-r",
                                 pcap,
                                 "-d",
                                 "tcp.port==" + std::to_string(port) + ",bmp",
                                 "-Y",
                                 filter,
                                 "-T",
                                 "fields",
                                 "-E",
                                 "occurrence=a",
                                 "-E",
                                 "aggregator=,"};
    for (const auto& f : fields) {
        cmd.push_back("-e");
        cmd.push_back(f);
    }
    // tshark's own notes on standard error (running as root …) are not fields: drop them.
    std::istringstream lines(run_capture(cmd, std::chrono::milliseconds(60000)));
    std::string out;
    std::string line;
    while (std::getline(lines, line)) {
        if (line.find("Running as user") == std::string::npos && line.find("tshark:") == std::string::npos) {
            out += line + "\n";
        }
    }
    return out;
}

// Every value of each field over the whole capture, in order: one tshark run for all of them.
inline std::map<std::string, std::vector<std::string>> tshark_columns(const std::string& pcap,
                                                                      std::uint16_t port,
                                                                      const std::vector<std::string>& fields,
                                                                      const std::string& filter = "bmp") {
    std::map<std::string, std::vector<std::string>> out;
    std::istringstream lines(tshark_bmp_fields(pcap, port, fields, filter));
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream columns(line);
        std::string column;
        for (std::size_t i = 0; i < fields.size() && std::getline(columns, column, '\t'); ++i) {
            std::istringstream parts(column);
            std::string v;
            while (std::getline(parts, v, ',')) {
                if (!v.empty()) {
                    out[fields[i]].push_back(v);
                }
            }
        }
    }
    return out;
}

}  // namespace rf::testing
