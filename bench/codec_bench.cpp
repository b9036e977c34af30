// Codec micro-benchmarks: decode and encode of
//   (a) packed UPDATEs: 1,000 IPv4 /24s per message (they fit a standard 4,096-octet UPDATE: 4,000
//       octets of NLRI + 62 of header and attributes), and 1,000 IPv6 /48s in MP_REACH_NLRI (extended
//       message, 7,000 octets of NLRI);
//   (b) one-prefix UPDATEs with a realistic attribute set: ORIGIN, AS_PATH of 3-5 4-octet ASNs,
//       NEXT_HOP, MED, 2 communities; 1,024 distinct messages decoded back to back.
// Inputs are built once outside the timed loop; only the codec call is timed. Reported: prefixes/s,
// messages/s (counters) and bytes/s; for the one-prefix decodes also allocs/msg, the heap allocations
// per message counted in one untimed pass over the same messages (alloc_counter.hpp).
//   build-codec/bench/codec_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <random>

#include "bench/alloc_counter.hpp"
#include "control/codec/codec.hpp"

namespace {

using namespace rf::bgp;  // NOLINT(google-build-using-namespace)

PathAttributes realistic_attributes(std::mt19937& gen) {
    const auto rng = [&gen] { return static_cast<std::uint32_t>(gen()); };
    PathAttributes a;
    a.origin = Origin::Igp;
    AsSegment seg;
    const std::size_t len = 3 + rng() % 3;
    for (std::size_t i = 0; i < len; ++i) {
        seg.asns.push_back(64512 + rng() % 1000);
    }
    a.as_path = AsPath{{seg}};
    a.next_hop = rf::net::Ipv4Address{0x64400000U + rng() % 256};
    a.med = rng() % 100;
    a.communities = {(65001U << 16) | (rng() % 1000), (65002U << 16) | (rng() % 1000)};
    return a;
}

void report(benchmark::State& state, std::size_t prefixes, std::size_t messages, std::size_t bytes) {
    const auto iters = static_cast<double>(state.iterations());
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(prefixes));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
    state.counters["prefixes/s"] =
        benchmark::Counter(iters * static_cast<double>(prefixes), benchmark::Counter::kIsRate);
    state.counters["messages/s"] =
        benchmark::Counter(iters * static_cast<double>(messages), benchmark::Counter::kIsRate);
}

// 1,000 consecutive /24s (IPv4, NLRI field) or /48s (IPv6, MP_REACH_NLRI).
std::vector<Nlri> packed_nlri(bool v6) {
    std::vector<Nlri> nlri;
    for (std::uint32_t i = 0; i < 1000; ++i) {
        if (v6) {
            rf::net::Ipv6Address a{};
            a.bytes = {
                0x20, 0x01, 0x0d, 0xb8, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
            nlri.push_back(Nlri{Prefix::v6(a, 48), 0});
        } else {
            nlri.push_back(Nlri{Prefix::v4(rf::net::Ipv4Address{0x0A000000U + (i << 8)}, 24), 0});
        }
    }
    return nlri;
}

CodecOptions packed_options(bool v6) {
    CodecOptions o;
    o.extended_message = v6;
    return o;
}

std::vector<IpAddress> v6_next_hop() {
    return {*IpAddress::parse("2001:db8::1")};
}

void BM_DecodePacked(benchmark::State& state) {
    const bool v6 = state.range(0) == 6;
    std::mt19937 rng(1U);
    const auto nlri = packed_nlri(v6);
    const CodecOptions o = packed_options(v6);
    std::vector<std::uint8_t> msg;
    const auto nh = v6_next_hop();
    if (encode_announcements(realistic_attributes(rng), AfiSafi{v6 ? Afi::Ipv6 : Afi::Ipv4, Safi::Unicast},
                             v6 ? std::span<const IpAddress>(nh) : std::span<const IpAddress>(), nlri, o,
                             msg) != 1) {
        state.SkipWithError("1,000 prefixes did not fit one UPDATE");
        return;
    }
    for (auto _ : state) {
        auto r = decode_update(Bytes(msg.data(), msg.size()), o);
        benchmark::DoNotOptimize(r);
    }
    report(state, nlri.size(), 1, msg.size());
    state.SetLabel(std::to_string(msg.size()) + " B/msg");
}
BENCHMARK(BM_DecodePacked)->Arg(4)->Arg(6)->ArgName("ipv");

void BM_EncodePacked(benchmark::State& state) {
    const bool v6 = state.range(0) == 6;
    std::mt19937 rng(1U);
    const auto nlri = packed_nlri(v6);
    const CodecOptions o = packed_options(v6);
    const PathAttributes attrs = realistic_attributes(rng);
    const auto nh = v6_next_hop();
    const AfiSafi family{v6 ? Afi::Ipv6 : Afi::Ipv4, Safi::Unicast};
    std::vector<std::uint8_t> out;
    out.reserve(1 << 16);
    for (auto _ : state) {
        out.clear();
        encode_announcements(
            attrs, family, v6 ? std::span<const IpAddress>(nh) : std::span<const IpAddress>(), nlri, o, out);
        benchmark::DoNotOptimize(out.data());
    }
    report(state, nlri.size(), 1, out.size());
}
BENCHMARK(BM_EncodePacked)->Arg(4)->Arg(6)->ArgName("ipv");

// 1,024 distinct one-prefix UPDATEs, concatenated as they would arrive on a session.
struct SingleSet {
    std::vector<Update> updates;
    std::vector<std::uint8_t> stream;
    std::vector<std::pair<std::size_t, std::size_t>> frames;  // offset, length
};

SingleSet single_prefix_updates() {
    SingleSet s;
    std::mt19937 rng(7);
    for (std::uint32_t i = 0; i < 1024; ++i) {
        Update u;
        u.attributes = realistic_attributes(rng);
        u.nlri.push_back(Nlri{Prefix::v4(rf::net::Ipv4Address{0x0A000000U + (i << 8)}, 24), 0});
        const std::size_t at = s.stream.size();
        if (!encode_update(u, CodecOptions{}, s.stream)) {
            continue;
        }
        s.frames.emplace_back(at, s.stream.size() - at);
        s.updates.push_back(std::move(u));
    }
    return s;
}

// Heap allocations per message of one call of `decode` over every frame of `s`, outside the timing.
template <typename Decode>
double allocations_per_message(const SingleSet& s, Decode decode) {
    const std::uint64_t before = rf::bench::allocations();
    decode();
    return static_cast<double>(rf::bench::allocations() - before) / static_cast<double>(s.frames.size());
}

void BM_DecodeOnePrefixUpdates(benchmark::State& state) {
    const SingleSet s = single_prefix_updates();
    const CodecOptions o;
    const auto decode_all = [&] {
        for (const auto& [off, len] : s.frames) {
            auto r = decode_update(Bytes(s.stream.data() + off, len), o);
            benchmark::DoNotOptimize(r);
        }
    };
    const double allocs = allocations_per_message(s, decode_all);
    for (auto _ : state) {
        for (const auto& [off, len] : s.frames) {
            auto r = decode_update(Bytes(s.stream.data() + off, len), o);
            benchmark::DoNotOptimize(r);
        }
    }
    report(state, s.frames.size(), s.frames.size(), s.stream.size());
    state.counters["allocs/msg"] = allocs;
    state.SetLabel(std::to_string(s.stream.size() / s.frames.size()) + " B/msg");
}
BENCHMARK(BM_DecodeOnePrefixUpdates);

// The same through the session's path: frame with decode_header, then decode_message.
void BM_FrameAndDecodeOnePrefixUpdates(benchmark::State& state) {
    const SingleSet s = single_prefix_updates();
    const CodecOptions o;
    const auto frame_and_decode_all = [&] {
        std::size_t pos = 0;
        while (pos < s.stream.size()) {
            const Bytes rest(s.stream.data() + pos, s.stream.size() - pos);
            auto h = decode_header(rest, o);
            auto m = decode_message(rest.first(h->length), o);
            benchmark::DoNotOptimize(m);
            pos += h->length;
        }
    };
    const double allocs = allocations_per_message(s, frame_and_decode_all);
    for (auto _ : state) {
        frame_and_decode_all();
    }
    report(state, s.frames.size(), s.frames.size(), s.stream.size());
    state.counters["allocs/msg"] = allocs;
}
BENCHMARK(BM_FrameAndDecodeOnePrefixUpdates);

void BM_EncodeOnePrefixUpdates(benchmark::State& state) {
    const SingleSet s = single_prefix_updates();
    const CodecOptions o;
    std::vector<std::uint8_t> out;
    out.reserve(s.stream.size());
    for (auto _ : state) {
        out.clear();
        for (const auto& u : s.updates) {
            benchmark::DoNotOptimize(encode_update(u, o, out));
        }
    }
    report(state, s.updates.size(), s.updates.size(), s.stream.size());
}
BENCHMARK(BM_EncodeOnePrefixUpdates);

}  // namespace

BENCHMARK_MAIN();
