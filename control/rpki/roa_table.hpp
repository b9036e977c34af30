// The ROA table and route origin validation (RFC 6811 §2). One implementation of validation for the
// whole daemon: the route server asks it for every route, the RTR client only feeds it.
//
// Layout: per family a net::PrefixMap from the ROA prefix to the (max length, AS) pairs of the ROAs with
// that prefix, and a bit per prefix length that some ROA has. Finding the covering ROAs of a route is one
// hash lookup per length present in the table and not longer than the route's (about 17 for today's
// IPv4 ROAs, which run from /8 to /24), each masking the route's address to that length.
//
// Several caches can deliver the same ROA (RFC 8210 §10: a router may use several caches); the table
// counts the occurrences, and a ROA leaves the table when the last cache withdraws it.
//
// Threading: none of its own; the route server's io thread owns the table it validates with.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "control/rpki/roa.hpp"
#include "control/rpki/validity.hpp"
#include "net/prefix_map.hpp"
#include "net/small_vector.hpp"

namespace rf::rpki {

class RoaTable {
public:
    // One more occurrence of `roa`; true when the ROA is new to the table. A ROA whose prefix has host
    // bits set is taken masked (its prefix is a net::Prefix, always masked).
    bool add(const Roa& roa);
    // One occurrence less; true when it was the last (the ROA left the table), false also when the table
    // did not hold it.
    bool remove(const Roa& roa);
    void clear();

    // RFC 6811 §2: Valid when a covering ROA (its prefix covers the route's) has the route's origin AS and
    // a max length not below the route's length; Invalid when covering ROAs exist and none matches;
    // NotFound when none covers the route. An origin of NONE (nullopt) matches no ROA, and neither does an
    // AS0 ROA. Never Unknown: whether the table may be used at all is the caller's business.
    [[nodiscard]] Validity validate(const net::Prefix& route, std::optional<std::uint32_t> origin) const;
    // Some ROA covers `route` (the routes a change of that ROA can re-validate are the ones it covers).
    [[nodiscard]] bool covers(const net::Prefix& route) const;

    [[nodiscard]] std::size_t size() const { return roas_[0] + roas_[1]; }  // distinct ROAs
    [[nodiscard]] std::size_t size(net::Afi family) const { return roas_[index(family)]; }
    // Bytes of the prefix map's slot arrays (a prefix with several ROAs adds a heap block of its own).
    [[nodiscard]] std::size_t slot_bytes() const { return prefixes_.slot_bytes(); }
    [[nodiscard]] bool contains(const Roa& roa) const { return occurrences(roa) > 0; }
    // How many caches deliver `roa` now.
    [[nodiscard]] std::uint32_t occurrences(const Roa& roa) const;

    template <typename F>  // f(const Roa&): every distinct ROA, in no particular order
    void for_each(F&& f) const {
        prefixes_.for_each([&](const net::Prefix& p, const Entries& e) {
            for (const Entry& x : e) {
                f(Roa{p, x.max_length, x.asn});
            }
        });
    }

private:
    struct Entry {
        std::uint32_t asn = 0;
        std::uint32_t refs = 0;  // caches that deliver this ROA
        std::uint8_t max_length = 0;
    };
    using Entries = net::SmallVector<Entry, 1>;
    // Bit L set: some ROA prefix of the family has length L (0..128).
    using LengthBits = std::array<std::uint64_t, 3>;

    static std::size_t index(net::Afi family) { return family == net::Afi::Ipv4 ? 0 : 1; }
    // f(const Entries&) for every ROA prefix covering `route`, shortest first; stops when f returns true.
    template <typename F>
    bool any_covering(const net::Prefix& route, F&& f) const;

    net::PrefixMap<Entries> prefixes_;
    std::array<std::array<std::uint32_t, 129>, 2> prefixes_per_length_{};  // ROA prefixes per length
    std::array<LengthBits, 2> lengths_{};
    std::array<std::size_t, 2> roas_{};
};

}  // namespace rf::rpki
