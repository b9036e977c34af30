#include "bench/rfbench/provenance.hpp"

#include <sys/utsname.h>

#include <ctime>
#include <fstream>
#include <thread>

#include "bench/rfbench/measurement.hpp"

namespace rf::bench {

namespace {

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            return colon == std::string::npos ? std::string()
                                              : line.substr(line.find_first_not_of(' ', colon + 1));
        }
    }
    return "unknown CPU";
}

std::string memory() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    unsigned long long kib = 0;
    while (in >> key >> kib) {
        if (key == "MemTotal:") {
            return std::to_string((kib + (1U << 19)) >> 20) + " GiB";
        }
        in.ignore(256, '\n');
    }
    return "? GiB";
}

}  // namespace

std::string provenance_fields(int argc, const char* const* argv) {
    char date[32] = {};
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &utc);
    utsname u{};
    const std::string kernel = uname(&u) == 0 ? std::string("Linux ") + u.release : std::string("Linux");
    const std::string machine = cpu_model() + ", " + std::to_string(std::thread::hardware_concurrency()) +
                                " CPUs, " + memory() + ", " + kernel;
    std::string command = "rfbench";
    for (int i = 1; i < argc; ++i) {
        command += ' ';
        command += argv[i];
    }
    return "\"date\":\"" + std::string(date) + "\",\"machine\":" + json_escape(machine) +
           ",\"command\":" + json_escape(command);
}

std::string with_fields(const std::string& line, const std::string& fields) {
    if (line.size() < 2 || line.front() != '{') {
        return line;
    }
    return "{" + fields + (line[1] == '}' ? "" : ",") + line.substr(1);
}

}  // namespace rf::bench
