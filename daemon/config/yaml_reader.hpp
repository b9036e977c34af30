// Reads typed values out of YAML nodes for the parser (parse.cpp): every value that cannot be read is
// reported as a ConfigError with its field path and line, and the target keeps its default. Maps are
// checked against the schema's keys (schema.cpp), with a suggestion for a near miss.
//
// Before the text becomes nodes, check_strict_yaml() reads it as the parser's events: yaml-cpp's node
// model keeps only the first of two equal keys for lookups, drops every document but the first, and
// applies tags silently, so the events are the one place where those can be seen with their line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "daemon/config/config.hpp"
#include "daemon/config/yaml_text.hpp"

namespace rf::config {

// The deepest nesting of maps and lists a configuration file may have (the schema itself needs six).
inline constexpr std::size_t kMaxNesting = 64;

// Strict YAML: the text is YAML text (UTF-8 without control characters but tab and line breaks), holds
// one document, no map repeats a key, no node has an explicit tag (`!!str 5`, `!foo x`) and nesting
// stays within kMaxNesting. Appends an error with its path, line and column for each breach; returns
// false when the text cannot be read at all (not text, not YAML, too deep), true when the document can
// still be read for the rest of its errors.
[[nodiscard]] bool check_strict_yaml(std::string_view text, Errors& errors);

// " (line N)" for a node that knows its place in the text, else "".
[[nodiscard]] std::string line_of(const YAML::Node& n);

class YamlReader {
public:
    explicit YamlReader(Errors& errors) : errors_(errors) {}

    void error(std::string path, std::string message, ErrorKind kind) {
        errors_.push_back(ConfigError{std::move(path), std::move(message), kind});
    }

    // True when `n` is a map; reports keys the schema does not know under `schema_path`.
    bool map(const YAML::Node& n, const std::string& path, std::string_view schema_path);
    // True when `n` is a list to read; false for a null node ("peers:" with nothing after it: an empty
    // list, no error) and for anything else (reported).
    bool list(const YAML::Node& n, const std::string& path);
    bool scalar(const YAML::Node& n, const std::string& path, std::string_view what);

    template <typename T>
    void number(const YAML::Node& n, const std::string& path, T& out) {
        if (!scalar(n, path, "a number")) {
            return;
        }
        const std::string& s = n.Scalar();
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
            error(path, quoted(s) + " is not a non-negative whole number" + line_of(n), ErrorKind::Syntax);
            return;
        }
        if (v > std::numeric_limits<T>::max()) {
            error(path,
                  s + " is out of range (at most " + std::to_string(std::numeric_limits<T>::max()) + ")" +
                      line_of(n),
                  ErrorKind::Invalid);
            return;
        }
        out = static_cast<T>(v);
    }
    template <typename T>
    void number(const YAML::Node& n, const std::string& path, std::optional<T>& out) {
        T v{};
        const std::size_t before = errors_.size();
        number(n, path, v);
        if (errors_.size() == before) {
            out = v;
        }
    }

    void boolean(const YAML::Node& n, const std::string& path, bool& out);
    void string(const YAML::Node& n, const std::string& path, std::string& out);
    void address(const YAML::Node& n, const std::string& path, net::IpAddress& out);
    void address(const YAML::Node& n, const std::string& path, std::optional<net::IpAddress>& out);
    void prefix(const YAML::Node& n, const std::string& path, net::Prefix& out);
    // Reports `path`.`key` as missing when the map has no such key.
    void required(const YAML::Node& map, std::string_view key, const std::string& path);

private:
    static std::string suggestion(const std::string& key, const std::set<std::string>& keys);

    Errors& errors_;
};

}  // namespace rf::config
