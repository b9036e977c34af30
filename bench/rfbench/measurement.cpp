#include "bench/rfbench/measurement.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace rf::bench {

std::string json_escape(const std::string& s) {
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += ch;
                }
        }
    }
    return out + "\"";
}

void Measurement::num(const std::string& name, double v) {
    if (!std::isfinite(v)) {
        fields.emplace_back(name, "null");
        return;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    fields.emplace_back(name, buf);
}

void Measurement::integer(const std::string& name, std::int64_t v) {
    fields.emplace_back(name, std::to_string(v));
}

void Measurement::flag(const std::string& name, bool v) {
    fields.emplace_back(name, v ? "true" : "false");
}

void Measurement::text(const std::string& name, const std::string& v) {
    fields.emplace_back(name, json_escape(v));
}

std::string Measurement::size_label() const {
    return std::to_string(peers) + "x" + std::to_string(prefixes_per_peer);
}

std::string Measurement::scenario_label() const {
    return variant.empty() ? scenario : scenario + "/" + variant;
}

const std::string* Measurement::field(const std::string& name) const {
    for (const auto& [k, v] : fields)
        if (k == name)
            return &v;
    return nullptr;
}

double Measurement::number(const std::string& name, double fallback) const {
    const auto* f = field(name);
    if (f == nullptr || *f == "null" || f->empty() || (*f)[0] == '"')
        return fallback;
    return std::strtod(f->c_str(), nullptr);
}

std::string Measurement::json_line() const {
    std::ostringstream os;
    os << "{\"scenario\":" << json_escape(scenario);
    if (!variant.empty())
        os << ",\"variant\":" << json_escape(variant);
    os << ",\"target\":" << json_escape(target) << ",\"target_version\":" << json_escape(target_version)
       << ",\"peers\":" << peers << ",\"prefixes_per_peer\":" << prefixes_per_peer
       << ",\"ok\":" << (ok ? "true" : "false");
    if (skipped)
        os << ",\"skipped\":true";
    if (!error.empty())
        os << ",\"error\":" << json_escape(error);
    for (const auto& [k, v] : fields)
        os << "," << json_escape(k) << ":" << v;
    os << "}";
    return os.str();
}

}  // namespace rf::bench
