#include "daemon/config/yaml_reader.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

#include "daemon/config/field_path.hpp"

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

}  // namespace

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
            error(join(path, key), "unknown key" + line_of(kv.first) + suggestion(key, keys),
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
        error(path, "'" + s + "' is not true or false" + line_of(n), ErrorKind::Syntax);
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
        error(path, "'" + n.Scalar() + "' is not an IP address" + line_of(n), ErrorKind::Syntax);
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
        error(path, "'" + n.Scalar() + "' is not a prefix (address/length, host bits zero)" + line_of(n),
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
