// The data plane's view of the FIB: one FibReader per reader thread (DPDK lcore or any thread).
//
//   rf::fib::FibReader r(fib, reader_id);      // registers reader_id (< fib.max_readers()) with QSBR
//   for each burst:
//       r.lookup_bulk(table, dst, gid, n);     // IPv4 destinations (host order) → group ids
//       r.lookup_bulk6(table, dst6, gid, n);   // IPv6 destinations (uint8_t[n][16], network order)
//       for each packet: const NextHopGroup* g = r.group(gid[i]);
//                        g->type(), g->pick(flow_hash) → member address
//       r.quiescent();                         // once per burst: drops every pointer obtained above
//   r.offline() / r.online() around idle periods (an online reader that never reports blocks the
//   FIB writer, which waits for it before it reuses memory).
//
// Between two quiescent() calls every group and table reached stays valid and unchanged. No call
// takes a lock or allocates.
#pragma once

#include <cstdint>

#include "fib/dpdk.hpp"
#include "fib/fib.hpp"

namespace rf::fib {

class FibReader {
public:
    FibReader(const Fib& fib, unsigned reader_id) : fib_(fib), id_(reader_id) {
        rte_rcu_qsbr_thread_register(fib_.qsbr(), id_);
        rte_rcu_qsbr_thread_online(fib_.qsbr(), id_);
    }
    // Goes offline but stays registered: an offline reader never holds up the writer, and the writer
    // then always reads this reader's counter (an instrumented release/acquire pair) instead of a
    // registration bitmap that librte_rcu clears outside ThreadSanitizer's view — unregistering here
    // made TSan report the writer's frees as races with this reader's last burst. Registering the same
    // id again (a new FibReader) is idempotent.
    ~FibReader() { rte_rcu_qsbr_thread_offline(fib_.qsbr(), id_); }
    FibReader(const FibReader&) = delete;
    FibReader& operator=(const FibReader&) = delete;

    // Group ids for `n` destinations (IPv4, host byte order) in table `t`; kNoGroup = no route (also
    // for a table without a lookup structure: see Fib::materialize).
    void lookup_bulk(TableId t, const std::uint32_t* dst, std::uint64_t* group_ids, unsigned n) const {
        fib_.lookup_bulk(t, dst, group_ids, n);
    }
    // The same for IPv6: `dst` holds n addresses of 16 bytes in network byte order (as in the IPv6
    // header).
    void lookup_bulk6(TableId t, const std::uint8_t (*dst)[16], std::uint64_t* group_ids, unsigned n) const {
        fib_.lookup_bulk6(t, dst, group_ids, n);
    }
    [[nodiscard]] const NextHopGroup* group(std::uint64_t id) const {
        return fib_.groups().get(static_cast<GroupId>(id));
    }
    // The member address a flow uses, or nullptr (no route, or a group without members).
    [[nodiscard]] const net::IpAddress* pick(std::uint64_t id, std::uint64_t flow_hash) const {
        const NextHopGroup* g = group(id);
        return g == nullptr ? nullptr : g->pick(flow_hash);
    }
    void quiescent() const { rte_rcu_qsbr_quiescent(fib_.qsbr(), id_); }
    void offline() const { rte_rcu_qsbr_thread_offline(fib_.qsbr(), id_); }
    void online() const { rte_rcu_qsbr_thread_online(fib_.qsbr(), id_); }
    [[nodiscard]] std::uint64_t visible_sequence() const { return fib_.visible_sequence(); }
    [[nodiscard]] unsigned id() const { return id_; }

private:
    const Fib& fib_;
    unsigned id_;
};

}  // namespace rf::fib
