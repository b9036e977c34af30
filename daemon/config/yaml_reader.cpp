#include "daemon/config/yaml_reader.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "daemon/config/field_path.hpp"
#include "daemon/config/yaml_text.hpp"

namespace rf::config {

namespace {

// The keys allowed in each map, by schema path ("peers[]" → {"name", "address", ...}).
const std::map<std::string, std::set<std::string>, std::less<>>& allowed_keys() {
    static const auto table = [] {
        std::map<std::string, std::set<std::string>, std::less<>> t;
        t[""];  // the document root
        for (const KeyInfo& k : schema()) {
            const std::string path(k.path);
            const auto dot = path.rfind('.');
            const std::string parent = dot == std::string::npos ? "" : path.substr(0, dot);
            t[parent].insert(dot == std::string::npos ? path : path.substr(dot + 1));
        }
        return t;
    }();
    return table;
}

// Levenshtein distance: a key one edit away from an allowed one is named in the error.
std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        prev[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0U : 1U)});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string where(const YAML::Mark& m) {
    return "line " + std::to_string(m.line + 1) + ", column " + std::to_string(m.column + 1);
}

// Ends the event pass at an error after which the text cannot be read.
struct Unreadable {
    std::string message;
};

// The first character that YAML text may not hold, reported by its line and column.
void check_text(std::string_view text) {
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t start = i;
        const auto cp = next_code_point(text, i);
        if (!cp || !is_yaml_printable(*cp)) {
            // A byte that is not UTF-8 or an ASCII control as 0xNN, a control beyond ASCII (C1) as U+NNNN.
            char hex[16];
            if (cp && *cp >= 0x80) {
                std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(*cp));
            } else {
                std::snprintf(hex, sizeof hex, "0x%02x",
                              static_cast<unsigned>(static_cast<std::uint8_t>(text[start])));
            }
            const std::string at_place =
                " at line " + std::to_string(line) + ", column " + std::to_string(column);
            throw Unreadable{cp ? "not YAML text: control character " + std::string(hex) + at_place +
                                      " (YAML allows tab, line breaks and printable characters)"
                                : "not YAML text: byte " + std::string(hex) + at_place + " is not UTF-8"};
        }
        if (*cp == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
}

// "tag:yaml.org,2002:str" -> "!!str"; a local tag as written.
std::string shown_tag(const std::string& tag) {
    static constexpr std::string_view kCore = "tag:yaml.org,2002:";
    return tag.rfind(kCore, 0) == 0 ? "!!" + tag.substr(kCore.size()) : tag;
}

// Follows the parser's events with a stack of the open maps and lists, so that each key, tag and
// document boundary is seen with its place in the file and the path of the field it belongs to.
class StrictYamlChecker final : public YAML::EventHandler {
public:
    explicit StrictYamlChecker(Errors& errors) : errors_(errors) {}

    void OnDocumentStart(const YAML::Mark& mark) override {
        if (documents_++ > 0) {
            throw Unreadable{"a second YAML document starts at " + where(mark) +
                             "; a configuration file holds one document"};
        }
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override { node_done(std::nullopt); }
    void OnAlias(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override { node_done(std::nullopt); }
    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t /*anchor*/,
                  const std::string& value) override {
        check_tag(mark, tag);
        if (reading_key()) {
            check_key(mark, value);
        }
        node_done(value);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t /*anchor*/,
                         YAML::EmitterStyle::value /*style*/) override {
        open(mark, tag, false);
    }
    void OnSequenceEnd() override { close(); }
    void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t /*anchor*/,
                    YAML::EmitterStyle::value /*style*/) override {
        open(mark, tag, true);
    }
    void OnMapEnd() override { close(); }

private:
    struct Frame {
        bool is_map = false;
        std::size_t index = 0;      // a list: the position of the node being read
        bool expecting_key = true;  // a map: the next node is a key
        std::string key;            // a map: the key of the value being read ("?" when not a scalar)
        std::unordered_map<std::string, YAML::Mark> keys;  // a map: each key read, where it first stood
    };

    [[nodiscard]] bool reading_key() const {
        return !frames_.empty() && frames_.back().is_map && frames_.back().expecting_key;
    }

    // The path of the open container frames_[depth - 1] ("" for the document's root).
    [[nodiscard]] std::string path_of(std::size_t depth) const {
        std::string path;
        for (std::size_t i = 0; i + 1 < depth; ++i) {
            path = step(path, frames_[i]);
        }
        return path;
    }
    [[nodiscard]] static std::string step(const std::string& path, const Frame& f) {
        return f.is_map ? join(path, printable(f.key)) : at(path, f.index);
    }
    // The path of the node being read: its container's for a key, the field's for anything else.
    [[nodiscard]] std::string node_path() const {
        const std::string container = path_of(frames_.size());
        return frames_.empty() || reading_key() ? container : step(container, frames_.back());
    }

    void check_tag(const YAML::Mark& mark, const std::string& tag) {
        // "?" is a plain node, "!" a quoted scalar: neither was tagged in the text.
        if (!tag.empty() && tag != "?" && tag != "!") {
            errors_.push_back(ConfigError{node_path(),
                                          "explicit tag " + quoted(shown_tag(tag)) + " at " + where(mark) +
                                              " is not accepted; write the value without it",
                                          ErrorKind::Syntax});
        }
    }

    void check_key(const YAML::Mark& mark, const std::string& key) {
        Frame& map = frames_.back();
        const auto [first, inserted] = map.keys.try_emplace(key, mark);
        if (!inserted) {
            errors_.push_back(ConfigError{path_of(frames_.size()),
                                          "duplicate key " + quoted(key) + " (" + where(mark) +
                                              "; first at line " + std::to_string(first->second.line + 1) +
                                              ")",
                                          ErrorKind::Syntax});
        }
    }

    void open(const YAML::Mark& mark, const std::string& tag, bool is_map) {
        check_tag(mark, tag);
        if (frames_.size() >= kMaxNesting) {
            throw Unreadable{"nesting deeper than " + std::to_string(kMaxNesting) + " levels at " +
                             where(mark)};
        }
        if (reading_key()) {
            frames_.back().key = "?";
        }
        frames_.push_back(Frame{is_map, 0, true, {}, {}});
    }
    void close() {
        frames_.pop_back();
        node_done(std::nullopt);
    }

    // A whole node was read: the container it belongs to moves on to its next key, value or element.
    void node_done(const std::optional<std::string>& scalar) {
        if (frames_.empty()) {
            return;
        }
        Frame& f = frames_.back();
        if (!f.is_map) {
            ++f.index;
        } else if (f.expecting_key) {
            f.key = scalar.value_or("?");
            f.expecting_key = false;
        } else {
            f.expecting_key = true;
        }
    }

    Errors& errors_;
    std::vector<Frame> frames_;
    int documents_ = 0;
};

}  // namespace

bool check_strict_yaml(std::string_view text, Errors& errors) {
    try {
        check_text(text);
        std::istringstream in{std::string(text)};
        YAML::Parser parser(in);
        StrictYamlChecker checker(errors);
        while (parser.HandleNextDocument(checker)) {
        }
    } catch (const Unreadable& u) {
        errors.push_back(ConfigError{"", u.message, ErrorKind::Syntax});
        return false;
    } catch (const YAML::DeepRecursion& e) {
        errors.push_back(ConfigError{"", "nesting too deep at " + where(e.mark), ErrorKind::Syntax});
        return false;
    } catch (const YAML::Exception& e) {
        // e.mark is 0-based; msg is yaml-cpp's reason ("end of map not found", ...).
        errors.push_back(
            ConfigError{"", "not valid YAML: " + e.msg + " (" + where(e.mark) + ")", ErrorKind::Syntax});
        return false;
    }
    return true;
}

std::string line_of(const YAML::Node& n) {
    const YAML::Mark m = n.Mark();
    return m.line >= 0 ? " (line " + std::to_string(m.line + 1) + ")" : std::string();
}

bool YamlReader::map(const YAML::Node& n, const std::string& path, std::string_view schema_path) {
    if (!n.IsMap()) {
        error(path, "expected a map" + line_of(n), ErrorKind::Syntax);
        return false;
    }
    const auto& keys = allowed_keys().find(schema_path)->second;
    for (const auto& kv : n) {
        const std::string key = kv.first.Scalar();
        if (keys.count(key) == 0) {
            error(join(path, printable(key)), "unknown key" + line_of(kv.first) + suggestion(key, keys),
                  ErrorKind::UnknownKey);
        }
    }
    return true;
}

bool YamlReader::list(const YAML::Node& n, const std::string& path) {
    if (n.IsNull()) {
        return false;  // "peers:" with nothing after it: an empty list
    }
    if (!n.IsSequence()) {
        error(path, "expected a list" + line_of(n), ErrorKind::Syntax);
        return false;
    }
    return true;
}

bool YamlReader::scalar(const YAML::Node& n, const std::string& path, std::string_view what) {
    if (!n.IsScalar()) {
        error(path, "expected " + std::string(what) + line_of(n), ErrorKind::Syntax);
        return false;
    }
    return true;
}

void YamlReader::boolean(const YAML::Node& n, const std::string& path, bool& out) {
    if (!scalar(n, path, "true or false")) {
        return;
    }
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "yes" || s == "on") {
        out = true;
    } else if (s == "false" || s == "False" || s == "no" || s == "off") {
        out = false;
    } else {
        error(path, quoted(s) + " is not true or false" + line_of(n), ErrorKind::Syntax);
    }
}

void YamlReader::string(const YAML::Node& n, const std::string& path, std::string& out) {
    if (n.IsNull()) {
        out.clear();
        return;
    }
    if (scalar(n, path, "a string")) {
        out = n.Scalar();
    }
}

void YamlReader::address(const YAML::Node& n, const std::string& path, net::IpAddress& out) {
    if (!scalar(n, path, "an IP address")) {
        return;
    }
    if (auto a = net::IpAddress::parse(n.Scalar())) {
        out = *a;
    } else {
        error(path, quoted(n.Scalar()) + " is not an IP address" + line_of(n), ErrorKind::Syntax);
    }
}

void YamlReader::address(const YAML::Node& n, const std::string& path, std::optional<net::IpAddress>& out) {
    net::IpAddress a;
    const std::size_t before = errors_.size();
    address(n, path, a);
    if (errors_.size() == before) {
        out = a;
    }
}

void YamlReader::prefix(const YAML::Node& n, const std::string& path, net::Prefix& out) {
    if (!scalar(n, path, "a prefix")) {
        return;
    }
    if (auto p = net::Prefix::parse(n.Scalar())) {
        out = *p;
    } else {
        error(path, quoted(n.Scalar()) + " is not a prefix (address/length, host bits zero)" + line_of(n),
              ErrorKind::Syntax);
    }
}

void YamlReader::required(const YAML::Node& map, std::string_view key, const std::string& path) {
    if (!map[std::string(key)]) {
        error(join(path, key), "is required", ErrorKind::Missing);
    }
}

std::string YamlReader::suggestion(const std::string& key, const std::set<std::string>& keys) {
    // A near miss (one edit or a case/dash difference) is most likely a typo: name the real key.
    auto norm = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(), [](char c) {
            return c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        });
        return s;
    };
    for (const std::string& k : keys) {
        if (norm(k) == norm(key) || edit_distance(k, key) <= 1) {
            return "; did you mean '" + k + "'?";
        }
    }
    std::string all;
    for (const std::string& k : keys) {
        all += all.empty() ? k : ", " + k;
    }
    return "; allowed: " + all;
}

}  // namespace rf::config
