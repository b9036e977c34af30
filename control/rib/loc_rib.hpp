// The Loc-RIB: every prefix's paths, the eligible ones in best-path order (best_path.hpp). The paths
// of every session's Adj-RIB-In are stored here, once (each path names its session); a session only
// indexes the prefixes it has paths for (adj_rib_in.hpp).
//
// A RIB call (an UPDATE, a peer-down sweep, a VNet change) changes prefixes through touch(), which
// records a prefix's eligible paths before its first change in the call. At the end of the call the
// owner compares before and after for every touched prefix (for_each_touched) and calls end_call(),
// which erases the prefixes left without paths.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <set>
#include <utility>
#include <vector>

#include "control/rib/attr_store.hpp"
#include "net/ip.hpp"
#include "net/prefix_map.hpp"

namespace rf::rib {

// A session's index in the PeerTable (peers.hpp), stored in each of its paths. 16 bits keep a path at
// 16 bytes.
using SessionIndex = std::uint16_t;

// One path of a prefix: 16 bytes.
struct StoredPath {
    AttrRef attrs;
    std::uint32_t rx_id = 0;   // the path identifier the peer gave (ADD-PATH receive), else 0
    SessionIndex session = 0;  // the session that sent it
    std::uint16_t out_id =
        0;  // the path identifier we send to ADD-PATH peers: 1.., kept while the path lives
};

// A prefix's paths: the eligible ones in comparator order, then the ineligible ones (AS-path loop). One
// path lives inline (the usual case: 24 bytes per prefix, no heap block); more go to a heap array.
class PrefixPaths {
public:
    PrefixPaths() noexcept {}  // NOLINT(modernize-use-equals-default): the union member stays unconstructed
    ~PrefixPaths() { reset(); }
    PrefixPaths(PrefixPaths&& o) noexcept { take(o); }
    PrefixPaths& operator=(PrefixPaths&& o) noexcept {
        if (this != &o) {
            reset();
            take(o);
        }
        return *this;
    }
    PrefixPaths(const PrefixPaths&) = delete;
    PrefixPaths& operator=(const PrefixPaths&) = delete;

    static constexpr std::size_t kMaxPaths = 0xFFFF;

    StoredPath* data() {
        if (cap_ == 1) {
            return &one_;
        }
        if (heap_ == nullptr) {
            __builtin_unreachable();  // a heap array exists whenever cap_ != 1
        }
        return heap_;
    }
    [[nodiscard]] const StoredPath* data() const { return const_cast<PrefixPaths*>(this)->data(); }  // NOLINT
    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] bool empty() const { return size_ == 0; }
    StoredPath& operator[](std::size_t i) { return data()[i]; }
    const StoredPath& operator[](std::size_t i) const { return data()[i]; }

    // Number of eligible paths (they come first).
    [[nodiscard]] std::size_t eligible() const {
        const StoredPath* d = data();
        std::size_t n = 0;
        while (n < size_ && !d[n].attrs->loops) {
            ++n;
        }
        return n;
    }

    // The position of the session's path with received identifier `rx`; size() if there is none.
    [[nodiscard]] std::size_t find(SessionIndex session, std::uint32_t rx) const {
        const StoredPath* d = data();
        for (std::size_t i = 0; i < size_; ++i) {
            if (d[i].session == session && d[i].rx_id == rx) {
                return i;
            }
        }
        return size_;
    }

    [[nodiscard]] std::size_t count_of(SessionIndex session) const {
        const StoredPath* d = data();
        std::size_t n = 0;
        for (std::size_t i = 0; i < size_; ++i) {
            n += d[i].session == session ? 1 : 0;
        }
        return n;
    }

    [[nodiscard]] bool has_session(SessionIndex session) const {
        const StoredPath* d = data();
        for (std::size_t i = 0; i < size_; ++i) {
            if (d[i].session == session) {
                return true;
            }
        }
        return false;
    }

    // The smallest path identifier (1..) no path of the prefix uses; 0 if none is left.
    [[nodiscard]] std::uint16_t free_out_id() const {
        if (empty()) {
            return 1;
        }
        std::vector<std::uint16_t> used;
        used.reserve(size_);
        for (std::size_t i = 0; i < size_; ++i) {
            used.push_back((*this)[i].out_id);
        }
        std::sort(used.begin(), used.end());
        std::uint32_t id = 1;
        for (auto u : used) {
            if (u == id) {
                ++id;
            } else if (u > id) {
                break;
            }
        }
        return id > 0xFFFF ? 0 : static_cast<std::uint16_t>(id);
    }

    bool insert(std::size_t pos, StoredPath p) {
        if (size_ == cap_) {
            if (cap_ >= kMaxPaths) {
                return false;
            }
            grow(std::min<std::size_t>(cap_ == 1 ? 4 : std::size_t{cap_} * 2, kMaxPaths));
        }
        StoredPath* d = data();
        if (pos == size_) {
            new (d + size_) StoredPath(std::move(p));
        } else {
            new (d + size_) StoredPath(std::move(d[size_ - 1]));
            for (std::size_t i = size_ - 1; i > pos; --i) {
                d[i] = std::move(d[i - 1]);
            }
            d[pos] = std::move(p);
        }
        ++size_;
        return true;
    }

    void erase(std::size_t pos) {
        StoredPath* d = data();
        for (std::size_t i = pos; i + 1 < size_; ++i) {
            d[i] = std::move(d[i + 1]);
        }
        d[size_ - 1].~StoredPath();
        --size_;
        if (cap_ != 1 && size_ <= 1) {  // back inline: a prefix that had several paths frees its array
            StoredPath* heap = heap_;
            if (size_ == 1) {
                new (&one_) StoredPath(std::move(heap[0]));
                heap[0].~StoredPath();
            }
            ::operator delete(heap);
            cap_ = 1;
        }
    }

    // An originated VNet prefix: advertised as ours, whatever paths were learned for it.
    [[nodiscard]] bool vnet() const { return (flags_ & kVnet) != 0; }
    void set_vnet(bool v) { flags_ = v ? (flags_ | kVnet) : (flags_ & ~kVnet); }
    // Recorded by LocRib::touch() in the RIB call in progress.
    [[nodiscard]] bool touched() const { return (flags_ & kTouched) != 0; }
    void set_touched(bool v) { flags_ = v ? (flags_ | kTouched) : (flags_ & ~kTouched); }

private:
    static constexpr std::uint8_t kVnet = 1;
    static constexpr std::uint8_t kTouched = 2;

    void grow(std::size_t cap) {
        auto* fresh = static_cast<StoredPath*>(::operator new(cap * sizeof(StoredPath)));
        StoredPath* old = data();
        for (std::size_t i = 0; i < size_; ++i) {
            new (fresh + i) StoredPath(std::move(old[i]));
            old[i].~StoredPath();
        }
        if (cap_ != 1) {
            ::operator delete(heap_);
        }
        heap_ = fresh;
        cap_ = static_cast<std::uint16_t>(cap);
    }
    void reset() {
        StoredPath* d = data();
        for (std::size_t i = 0; i < size_; ++i) {
            d[i].~StoredPath();
        }
        if (cap_ != 1) {
            ::operator delete(heap_);
        }
        size_ = 0;
        cap_ = 1;
        flags_ = 0;
    }
    void take(PrefixPaths& o) {
        if (o.cap_ == 1) {
            if (o.size_ == 1) {
                new (&one_) StoredPath(std::move(o.one_));
                o.one_.~StoredPath();
            }
        } else {
            heap_ = o.heap_;
        }
        size_ = o.size_;
        cap_ = o.cap_;
        flags_ = o.flags_;
        o.size_ = 0;
        o.cap_ = 1;
        o.flags_ = 0;
    }

    union {
        StoredPath one_;
        StoredPath* heap_;
    };
    std::uint16_t size_ = 0;
    std::uint16_t cap_ = 1;  // 1: inline
    std::uint8_t flags_ = 0;
};

// A prefix's eligible paths as the outside sees them: before a RIB call (the recorded copy) or now.
struct PathsView {
    const StoredPath* paths = nullptr;
    std::size_t eligible = 0;
    bool vnet = false;
};

inline PathsView view_of(const PrefixPaths& p) {
    return PathsView{p.data(), p.eligible(), p.vnet()};
}

// Same paths (attributes, session, sent identifier) in the same order: nothing to tell anybody.
inline bool same_paths(const PathsView& a, const PathsView& b) {
    if (a.vnet != b.vnet || a.eligible != b.eligible) {
        return false;
    }
    for (std::size_t i = 0; i < a.eligible; ++i) {
        const StoredPath& x = a.paths[i];
        const StoredPath& y = b.paths[i];
        if (x.attrs != y.attrs || x.session != y.session || x.out_id != y.out_id) {
            return false;
        }
    }
    return true;
}

// One prefix changed by a RIB call.
struct PrefixChange {
    net::Prefix prefix;
    PathsView before;
    PathsView after;
};

class LocRib {
public:
    explicit LocRib(const std::vector<net::Prefix>& vnet_prefixes)
        : vnet_(vnet_prefixes.begin(), vnet_prefixes.end()) {}
    ~LocRib() {
        entries_.clear();  // paths hold attribute references: release them while the store still exists
        recorded_.clear();
    }
    LocRib(const LocRib&) = delete;
    LocRib& operator=(const LocRib&) = delete;

    // The prefix's paths, to be changed: records them before their first change in this call and
    // creates the entry if needed. The reference is valid until the next touch() (entries move when the
    // map grows: hold prefixes, not pointers).
    PrefixPaths& touch(const net::Prefix& p) {
        auto [entry, inserted] = entries_.try_emplace(p);
        PrefixPaths& paths = *entry;
        if (inserted && !vnet_.empty()) {
            paths.set_vnet(vnet_.count(p) != 0);
        }
        if (!paths.touched()) {
            paths.set_touched(true);
            const std::size_t n = paths.eligible();
            touched_.push_back(TouchedPrefix{p, static_cast<std::uint32_t>(recorded_.size()),
                                             static_cast<std::uint32_t>(n), paths.vnet()});
            for (std::size_t i = 0; i < n; ++i) {
                recorded_.push_back(paths[i]);
            }
        }
        return paths;
    }

    PrefixPaths* find(const net::Prefix& p) { return entries_.find(p); }
    [[nodiscard]] const PrefixPaths* find(const net::Prefix& p) const { return entries_.find(p); }

    // What the prefix looks like now; a VNet prefix without learned paths has no entry.
    [[nodiscard]] PathsView view(const net::Prefix& p) const {
        const PrefixPaths* paths = entries_.find(p);
        return paths != nullptr ? view_of(*paths) : PathsView{nullptr, 0, vnet_.count(p) != 0};
    }

    template <typename F>  // f(const net::Prefix&, const PrefixPaths&)
    void for_each(F&& f) const {
        entries_.for_each(f);
    }

    // Prefixes with at least one eligible path.
    [[nodiscard]] std::size_t eligible_prefixes() const { return eligible_prefixes_; }
    void count_eligible(const PathsView& before, const PathsView& after) {
        eligible_prefixes_ += (after.eligible != 0 ? 1 : 0);
        eligible_prefixes_ -= (before.eligible != 0 ? 1 : 0);
    }

    [[nodiscard]] const std::set<net::Prefix>& vnet_prefixes() const { return vnet_; }
    // Replaces the originated VNet prefixes and touches every prefix that joins or leaves the set; returns
    // those prefixes.
    std::vector<net::Prefix> replace_vnet_prefixes(std::set<net::Prefix> next);

    // Prefixes touched in the call in progress.
    [[nodiscard]] std::size_t touched_count() const { return touched_.size(); }

    // f(prefix, before, after) for every prefix touched in this call, in the order of first touch.
    template <typename F>
    void for_each_touched(F&& f) const {
        for (const auto& t : touched_) {
            const PathsView before{recorded_.data() + t.offset, t.count, t.vnet};
            const PrefixPaths* now =
                entries_.find(t.prefix);  // never null: touched prefixes keep their entry
            f(t.prefix, before, now != nullptr ? view_of(*now) : PathsView{});
        }
    }

    // Ends the call: forgets the recorded paths and erases the prefixes left without any.
    void end_call();

private:
    struct TouchedPrefix {
        net::Prefix prefix;
        std::uint32_t offset = 0;  // its eligible paths before the call: recorded_[offset, offset + count)
        std::uint32_t count = 0;
        bool vnet = false;
    };

    net::PrefixMap<PrefixPaths> entries_;
    std::set<net::Prefix> vnet_;
    std::size_t eligible_prefixes_ = 0;
    // The RIB call in progress: every prefix it touched, in order, and copies of their eligible paths
    // (the copies hold references, so attribute sets outlive the call). Entries are not erased during
    // a call, even when they lose their last path; end_call() erases them.
    std::vector<TouchedPrefix> touched_;
    std::vector<StoredPath> recorded_;
};

}  // namespace rf::rib
