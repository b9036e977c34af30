#include "control/rpki/roa_table.hpp"

#include <algorithm>
#include <bit>

namespace rf::rpki {
namespace {

std::uint32_t v4_word(const net::Prefix& p) {
    return (std::uint32_t{p.bytes[0]} << 24U) | (std::uint32_t{p.bytes[1]} << 16U) |
           (std::uint32_t{p.bytes[2]} << 8U) | std::uint32_t{p.bytes[3]};
}

}  // namespace

template <typename F>
bool RoaTable::any_covering(const net::Prefix& route, F&& f) const {
    const std::size_t fi = index(route.afi);
    const LengthBits& bits = lengths_[fi];
    const std::uint32_t v4 = route.is_v4() ? v4_word(route) : 0;
    for (std::size_t w = 0; w < bits.size(); ++w) {
        const std::size_t base = w * 64;
        if (base > route.length) {
            break;
        }
        std::uint64_t word = bits[w];
        const std::size_t last = route.length - base;  // lengths base..route.length of this word
        if (last < 63) {
            word &= (std::uint64_t{1} << (last + 1)) - 1;
        }
        while (word != 0) {
            const auto length =
                static_cast<std::uint8_t>(base + static_cast<std::size_t>(std::countr_zero(word)));
            word &= word - 1;
            const Entries* e =
                route.is_v4() ? prefixes_.find(net::PackedV4Prefix::of(v4, length))
                              : prefixes_.find(net::Prefix::make(route.afi, length, route.bytes.data(), 16));
            if (e != nullptr && f(*e)) {
                return true;
            }
        }
    }
    return false;
}

bool RoaTable::add(const Roa& roa) {
    auto [entries, inserted] = prefixes_.try_emplace(roa.prefix);
    const std::size_t fi = index(roa.prefix.afi);
    if (inserted) {
        const std::uint8_t l = roa.prefix.length;
        if (prefixes_per_length_[fi][l]++ == 0) {
            lengths_[fi][l / 64] |= std::uint64_t{1} << (l % 64);
        }
    }
    for (Entry& e : *entries) {
        if (e.asn == roa.asn && e.max_length == roa.max_length) {
            ++e.refs;
            return false;
        }
    }
    entries->push_back(Entry{roa.asn, 1, roa.max_length});
    ++roas_[fi];
    return true;
}

bool RoaTable::remove(const Roa& roa) {
    Entries* entries = prefixes_.find(roa.prefix);
    if (entries == nullptr) {
        return false;
    }
    auto it = std::find_if(entries->begin(), entries->end(), [&](const Entry& e) {
        return e.asn == roa.asn && e.max_length == roa.max_length;
    });
    if (it == entries->end()) {
        return false;
    }
    if (--it->refs > 0) {
        return false;
    }
    entries->erase(it);
    const std::size_t fi = index(roa.prefix.afi);
    --roas_[fi];
    if (entries->empty()) {
        prefixes_.erase(roa.prefix);
        const std::uint8_t l = roa.prefix.length;
        if (--prefixes_per_length_[fi][l] == 0) {
            lengths_[fi][l / 64] &= ~(std::uint64_t{1} << (l % 64));
        }
    }
    return true;
}

void RoaTable::clear() {
    prefixes_.clear();
    prefixes_per_length_ = {};
    lengths_ = {};
    roas_ = {};
}

std::uint32_t RoaTable::occurrences(const Roa& roa) const {
    const Entries* entries = prefixes_.find(roa.prefix);
    if (entries == nullptr) {
        return 0;
    }
    for (const Entry& e : *entries) {
        if (e.asn == roa.asn && e.max_length == roa.max_length) {
            return e.refs;
        }
    }
    return 0;
}

Validity RoaTable::validate(const net::Prefix& route, std::optional<std::uint32_t> origin) const {
    bool covered = false;
    const bool valid = any_covering(route, [&](const Entries& entries) {
        covered = true;
        if (!origin || *origin == 0) {
            return false;  // NONE matches nothing; AS 0 is never a route's origin (RFC 7607)
        }
        return std::any_of(entries.begin(), entries.end(), [&](const Entry& e) {
            return e.asn == *origin && route.length <= e.max_length;  // AS0 ROAs never match: asn != 0
        });
    });
    if (valid) {
        return Validity::Valid;
    }
    return covered ? Validity::Invalid : Validity::NotFound;
}

bool RoaTable::covers(const net::Prefix& route) const {
    return any_covering(route, [](const Entries&) { return true; });
}

}  // namespace rf::rpki
