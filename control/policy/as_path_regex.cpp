// AS-path regular expressions in the network engineers' dialect, translated once to ECMAScript.
#include <string>

#include "control/policy/sets.hpp"

namespace rf::policy {
namespace {

// `_`: a delimiter of the path text or one of its ends. ECMAScript has no look-behind; a consumed
// delimiter is fine for a search over one path.
constexpr std::string_view kDelimiter = "(?:^|$|[ {},])";

bool allowed(char c) {
    return (c >= '0' && c <= '9') || std::string_view(" _^$.*+?()[]|-{},").find(c) != std::string_view::npos;
}

}  // namespace

std::variant<AsPathRegex, std::string> AsPathRegex::compile(std::string_view text) {
    std::string translated;
    bool in_class = false;
    for (char c : text) {
        if (!allowed(c)) {
            return "'" + std::string(text) + "': '" + std::string(1, c) +
                   "' is not part of the AS-path regex dialect (digits, _ ^ $ . * + ? | ( ) [ ] - { })";
        }
        if (c == '[') {
            in_class = true;
        } else if (c == ']') {
            in_class = false;
        }
        if (c == '_' && !in_class) {
            translated += kDelimiter;
        } else {
            translated += c;
        }
    }
    AsPathRegex r;
    r.text_ = std::string(text);
    try {
        r.regex_ = std::regex(translated, std::regex::ECMAScript | std::regex::optimize | std::regex::nosubs);
    } catch (const std::regex_error&) {
        return "'" + std::string(text) +
               "' is not a valid regular expression (unbalanced brackets or parentheses, or a quantifier "
               "with nothing before it)";
    }
    return r;
}

bool AsPathRegex::matches(std::string_view path_text) const {
    return std::regex_search(path_text.begin(), path_text.end(), regex_);
}

}  // namespace rf::policy
