#include "dataplane/fib_route_source.hpp"

#include <algorithm>
#include <cstddef>

namespace rf::dataplane {

namespace {
NextHopKind kind_of(fib::NextHopType t) {
    switch (t) {
        case fib::NextHopType::VirtualAppliance:
        case fib::NextHopType::VirtualNetworkGateway:
            return NextHopKind::Ip;
        case fib::NextHopType::VnetLocal:
        case fib::NextHopType::VNetPeering:
            return NextHopKind::VnetLocal;
        case fib::NextHopType::Internet:
            return NextHopKind::Internet;
        case fib::NextHopType::None:
            return NextHopKind::None;
    }
    return NextHopKind::None;
}
}  // namespace

FibRouteSource::FibRouteSource(const fib::Fib& fib) : fib_(fib) {
    readers_.resize(fib.max_readers());
}
FibRouteSource::~FibRouteSource() = default;

void FibRouteSource::reader_online(unsigned reader) {
    readers_[reader] = std::make_unique<fib::FibReader>(fib_, reader);
}

void FibRouteSource::reader_offline(unsigned reader) {
    readers_[reader].reset();
}

void FibRouteSource::fill(std::uint64_t id, GroupView& v) const {
    const fib::NextHopGroup* g =
        id == fib::kNoGroup ? nullptr : fib_.groups().get(static_cast<fib::GroupId>(id));
    if (g == nullptr) {
        v = GroupView{};
        return;
    }
    v.kind = kind_of(g->type());
    const auto members = g->members();
    v.count = v.kind == NextHopKind::Ip ? static_cast<std::uint32_t>(members.size()) : 0;
    v.members = members.empty() ? nullptr : members.data()->bytes.data();
    v.stride = sizeof(net::IpAddress);
    v.v6 = !members.empty() && !members.front().is_v4();  // a group's members share one family
    v.id = g->id();
    v.seeds = members.empty() ? nullptr : g->seeds().data();
}

template <class Address, class Lookup>
void FibRouteSource::lookup_in_chunks(const Address* dst, GroupView* out, unsigned n, Lookup lookup) const {
    constexpr unsigned kChunk = 64;
    std::uint64_t ids[kChunk];
    for (unsigned base = 0; base < n; base += kChunk) {
        const unsigned m = n - base < kChunk ? n - base : kChunk;
        lookup(dst + base, ids, m);
        for (unsigned i = 0; i < m; ++i)
            fill(ids[i], out[base + i]);
    }
}

void FibRouteSource::lookup_bulk(TableId table, const std::uint32_t* dst, GroupView* out, unsigned n) {
    lookup_in_chunks(dst, out, n, [&](const std::uint32_t* d, std::uint64_t* ids, unsigned m) {
        fib_.lookup_bulk(table, d, ids, m);
    });
}

void FibRouteSource::lookup_bulk6(TableId table, const std::uint8_t (*dst)[16], GroupView* out, unsigned n) {
    lookup_in_chunks(dst, out, n, [&](const std::uint8_t(*d)[16], std::uint64_t* ids, unsigned m) {
        fib_.lookup_bulk6(table, d, ids, m);
    });
}

}  // namespace rf::dataplane
