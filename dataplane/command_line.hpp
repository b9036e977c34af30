// Command-line splitting shared by rf-emulator and routefabricd: the program's own arguments and the
// DPDK EAL arguments. Free of DPDK, so routefabricd can split its command line without loading DPDK (its
// forwarding side is a module loaded only when a FIB is wanted).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rf::dataplane {

// Splits a command line into the program's own arguments and EAL arguments. EAL arguments are
// everything after a bare "--", or the whitespace-separated words of `--eal "<args>"` (single and double
// quotes group words). Returns nullopt with `error` set on a malformed line (`--eal` without a value,
// unbalanced quote).
struct SplitCommandLine {
    std::vector<std::string> app;  // without argv[0]
    std::vector<std::string> eal;
};
[[nodiscard]] std::optional<SplitCommandLine> split_command_line(int argc, const char* const* argv,
                                                                 std::string* error);
[[nodiscard]] std::optional<std::vector<std::string>> split_words(std::string_view text, std::string* error);

}  // namespace rf::dataplane
