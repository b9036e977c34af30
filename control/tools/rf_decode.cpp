// rf-decode: prints every message of a file of concatenated raw BGP messages (as one side of a session
// sent them, e.g. the captures in tests/data/), decoded and human-readable, with the RFC 7606 outcome
// of each UPDATE. The codec options follow the first OPEN in the file, negotiated against the OPEN of
// the capture listener (tests/data/capture.py): 4-octet AS, extended message and ADD-PATH receive for
// IPv4/IPv6 unicast unless told otherwise.
//
//   rf-decode [--two-octet-as] [--no-add-path] [--hex] FILE...
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "control/codec/codec.hpp"
#include "control/codec/text.hpp"

namespace {

using namespace rf::bgp;

struct Flags {
    bool two_octet = false;
    bool no_add_path = false;
    bool hex = false;
};

Open listener_open(const Flags& f) {
    Open o;
    o.my_as = 65000;
    o.bgp_identifier = rf::net::Ipv4Address{0x0A000064};
    if (!f.two_octet) {
        o.capabilities.four_octet_as = 65000;
    }
    o.capabilities.extended_message = true;
    if (!f.no_add_path) {
        o.capabilities.add_path = {{AfiSafi{Afi::Ipv4, Safi::Unicast}, AddPathMode::Receive},
                                   {AfiSafi{Afi::Ipv6, Safi::Unicast}, AddPathMode::Receive}};
    }
    return o;
}

void print_hex(const std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        std::printf("%s%02x", i % 32 == 0 ? "\n    " : (i % 4 == 0 ? " " : ""), p[i]);
    }
    std::printf("\n");
}

int decode_file(const char* path, const Flags& flags) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "rf-decode: cannot open %s\n", path);
        return 1;
    }
    const std::vector<std::uint8_t> data{std::istreambuf_iterator<char>(in),
                                         std::istreambuf_iterator<char>()};
    CodecOptions options = negotiate(listener_open(flags), listener_open(flags));
    options.four_octet_as = !flags.two_octet;
    std::printf("# %s: %zu bytes\n", path, data.size());
    std::size_t pos = 0;
    std::size_t index = 0;
    int status = 0;
    while (pos < data.size()) {
        ++index;
        const Bytes rest(data.data() + pos, data.size() - pos);
        auto h = decode_header(rest, options);
        if (!h) {
            std::printf("\n#%zu at offset %zu: %s\n", index, pos, h.error().to_string().c_str());
            return 1;
        }
        if (h->length > rest.size()) {
            std::printf("\n#%zu at offset %zu: truncated (%u bytes announced, %zu left)\n", index, pos,
                        h->length, rest.size());
            return 1;
        }
        const Bytes msg = rest.first(h->length);
        std::printf("\n#%zu at offset %zu, %u bytes: ", index, pos, h->length);
        if (h->type == MessageType::Update) {
            auto r = decode_update(msg, options);
            if (!r) {
                std::printf("UPDATE error, session reset: %s\n", r.error().to_string().c_str());
                status = 1;
            } else {
                std::fputs(describe(Message{r->update}).c_str(), stdout);
                if (r->action != Rfc7606Action::None) {
                    std::printf("  RFC 7606: %s\n", std::string(rfc7606_action_name(r->action)).c_str());
                    for (const auto& p : r->problems) {
                        std::printf("    %s\n", p.to_string().c_str());
                    }
                }
            }
        } else {
            auto m = decode_message(msg, options);
            if (!m) {
                std::printf("error: %s\n", m.error().to_string().c_str());
                status = 1;
            } else {
                std::fputs(describe(*m).c_str(), stdout);
                if (const auto* o = std::get_if<Open>(&*m)) {
                    options = negotiate(listener_open(flags), *o);
                    std::printf("  negotiated: %s AS numbers, max message %zu bytes",
                                options.four_octet_as ? "4-octet" : "2-octet", options.max_message_size());
                    for (const auto& f : options.add_path_receive) {
                        std::printf(", add-path receive %s", f.afi == Afi::Ipv4 ? "ipv4" : "ipv6");
                    }
                    std::printf("\n");
                }
            }
        }
        if (flags.hex) {
            print_hex(msg.data(), msg.size());
        }
        pos += h->length;
    }
    std::printf("\n# %zu messages\n", index);
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    Flags flags;
    std::vector<const char*> files;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--two-octet-as") {
            flags.two_octet = true;
        } else if (a == "--no-add-path") {
            flags.no_add_path = true;
        } else if (a == "--hex") {
            flags.hex = true;
        } else if (a == "-h" || a == "--help") {
            std::printf("usage: rf-decode [--two-octet-as] [--no-add-path] [--hex] FILE...\n");
            return 0;
        } else {
            files.push_back(argv[i]);
        }
    }
    if (files.empty()) {
        std::fprintf(stderr, "usage: rf-decode [--two-octet-as] [--no-add-path] [--hex] FILE...\n");
        return 2;
    }
    int status = 0;
    for (const char* f : files) {
        status |= decode_file(f, flags);
    }
    return status;
}
