#include "dataplane/command_line.hpp"

namespace rf::dataplane {

std::optional<std::vector<std::string>> split_words(std::string_view text, std::string* error) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (char c : text) {
        if (quote != 0) {
            if (c == quote) {
                quote = 0;
            } else {
                word += c;
            }
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word)
                words.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (quote != 0) {
        if (error)
            *error = "unbalanced quote in EAL arguments";
        return std::nullopt;
    }
    if (in_word)
        words.push_back(std::move(word));
    return words;
}

std::optional<SplitCommandLine> split_command_line(int argc, const char* const* argv, std::string* error) {
    SplitCommandLine out;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--") {
            for (int j = i + 1; j < argc; ++j)
                out.eal.emplace_back(argv[j]);
            break;
        }
        std::string_view value;
        if (arg == "--eal") {
            if (i + 1 >= argc) {
                if (error)
                    *error = "--eal needs a value";
                return std::nullopt;
            }
            value = argv[++i];
        } else if (arg.starts_with("--eal=")) {
            value = arg.substr(6);
        } else {
            out.app.emplace_back(arg);
            continue;
        }
        auto words = split_words(value, error);
        if (!words)
            return std::nullopt;
        out.eal.insert(out.eal.end(), words->begin(), words->end());
    }
    return out;
}

}  // namespace rf::dataplane
