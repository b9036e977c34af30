// Definitions (what the operator wrote) → a Library of compiled sets and policies, or every error with
// the field path of the value at fault ("policy.prefix_sets[0].prefixes[2].ge"). A Library is immutable
// once built: a changed policy is a new Library, and the chains taken from the old one stay valid.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "control/policy/definitions.hpp"
#include "control/policy/policy.hpp"

namespace rf::policy {

struct CompileError {
    std::string path;
    std::string message;
    bool operator==(const CompileError&) const = default;
};

// The most ASNs one statement may prepend (a longer prepend only hurts the receiver).
inline constexpr std::uint8_t kMaxPrepend = 32;

class Library {
public:
    // The policy of that name, or nullptr.
    [[nodiscard]] std::shared_ptr<const Policy> find(std::string_view name) const;
    // The chain of the named policies, in order; names that do not exist are skipped (validation has
    // refused them before a chain is taken).
    [[nodiscard]] Chain chain(const std::vector<std::string>& names) const;
    [[nodiscard]] std::size_t size() const { return policies_.size(); }

private:
    friend struct LibraryBuilder;
    std::map<std::string, std::shared_ptr<const Policy>, std::less<>> policies_;
};

// Compiles every set and policy; `base` prefixes the error paths ("policy").
[[nodiscard]] std::variant<std::shared_ptr<const Library>, std::vector<CompileError>> compile(
    const Definitions& defs, std::string_view base = "policy");

}  // namespace rf::policy
