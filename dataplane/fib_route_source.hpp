// Adapter from the FIB (fib/) to the emulator: FibRouteSource implements RouteSource with one
// rf::fib::FibReader per reader id.
//
// Adapter notes (what the FIB reader API does not give directly):
//  - GroupView points into NextHopGroup::members() in place (net::IpAddress array: IPv4 bytes at
//    offset `bytes`, stride sizeof(net::IpAddress)), so no per-lookup copy.
//  - GroupView::seeds points at NextHopGroup::seeds(), so the emulator's GroupView::pick() runs the
//    FIB's rendezvous selection (fib/ecmp.hpp, as NextHopGroup::pick()) on precomputed seeds.
//  - NextHopType maps to NextHopKind: VirtualAppliance/VirtualNetworkGateway → Ip, VnetLocal/VNetPeering
//    → VnetLocal, Internet → Internet, None → None.
#pragma once

#include <memory>
#include <vector>

#include "dataplane/route_source.hpp"
#include "fib/fib.hpp"
#include "fib/reader.hpp"

namespace rf::dataplane {

class FibRouteSource final : public RouteSource {
public:
    explicit FibRouteSource(const fib::Fib& fib);
    ~FibRouteSource() override;
    [[nodiscard]] unsigned max_readers() const override { return fib_.max_readers(); }
    void reader_online(unsigned reader) override;
    void reader_offline(unsigned reader) override;
    void quiescent(unsigned reader) override { readers_[reader]->quiescent(); }
    void lookup_bulk(TableId table, const std::uint32_t* dst, GroupView* out, unsigned n) override;
    void lookup_bulk6(TableId table, const std::uint8_t (*dst)[16], GroupView* out, unsigned n) override;

private:
    void fill(std::uint64_t group_id, GroupView& view) const;
    // Looks `n` destinations up with `lookup(dst, ids, m)` in chunks of at most 64 and fills `out`.
    template <class Address, class Lookup>
    void lookup_in_chunks(const Address* dst, GroupView* out, unsigned n, Lookup lookup) const;
    const fib::Fib& fib_;
    std::vector<std::unique_ptr<fib::FibReader>> readers_;
};

}  // namespace rf::dataplane
