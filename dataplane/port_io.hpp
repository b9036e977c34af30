// Packet I/O on the emulator's DPDK ports. PortSet configures and starts every port the emulator uses,
// with one transmit queue per worker plus one for the main lcore (ARP, NDP), and owns the main lcore's
// mbuf pool (receive queues, frames the neighbour service sends). TxBuffers is a worker's transmit side:
// packets are queued per port and sent in bursts. Workers never receive.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dataplane/neighbor.hpp"

struct rte_mbuf;
struct rte_mempool;

namespace rf::dataplane {

// An mbuf pool of `size` default-sized buffers on any socket; nullptr with `error` set on failure.
rte_mempool* create_mbuf_pool(const std::string& name, unsigned size, unsigned cache, std::string* error);
// What a pool holds in memory (objects with their headers); 0 for nullptr.
std::size_t mbuf_pool_bytes(const rte_mempool* pool);

class PortSet {
public:
    PortSet() = default;
    ~PortSet();
    PortSet(const PortSet&) = delete;
    PortSet& operator=(const PortSet&) = delete;

    // Configures and starts the distinct ports of `roles` for `workers` workers: transmit queue w for
    // worker w and queue `workers` for the main lcore, receive queues as many as the port offers up to
    // workers + 1. `name` prefixes the main pool's DPDK name. False with `error` set on failure.
    bool open(const std::vector<std::uint16_t>& roles, unsigned workers, const std::string& name,
              std::string* error);
    void close();  // stops the ports (also done by the destructor)

    [[nodiscard]] const std::vector<std::uint16_t>& ports() const { return ports_; }
    [[nodiscard]] const MacAddress& mac(std::uint16_t port) const { return mac_[port]; }
    [[nodiscard]] std::uint16_t rx_queues(std::uint16_t port) const { return rx_queues_[port]; }
    [[nodiscard]] std::uint16_t main_queue() const { return main_queue_; }
    [[nodiscard]] const rte_mempool* main_pool() const { return pool_; }

    // Sends one frame from the main lcore's queue (copied into an mbuf of the main pool); a frame the
    // pool or the port cannot take is dropped.
    void send_frame(std::uint16_t port, const std::uint8_t* frame, std::size_t len) const;
    // Receives up to `n` frames from queue `queue` of `port` into `pkts`; the caller frees them.
    std::uint16_t receive(std::uint16_t port, std::uint16_t queue, rte_mbuf** pkts, std::uint16_t n) const;

private:
    rte_mempool* pool_ = nullptr;
    std::vector<std::uint16_t> ports_;      // distinct ports in use
    std::vector<MacAddress> mac_;           // by port id
    std::vector<std::uint16_t> rx_queues_;  // by port id
    std::uint16_t main_queue_ = 0;
};

class TxBuffers {
public:
    static constexpr std::uint16_t kDepth = 64;  // packets per port buffer

    // Transmits on queue `queue` of the ports in `ports`; packets a port refuses are freed and counted
    // in `failures`.
    TxBuffers(const PortSet& ports, std::uint16_t queue, std::atomic<std::uint64_t>& failures);

    void enqueue(std::uint16_t port, rte_mbuf* m) {
        Buffer& b = buffers_[port];
        b.pkts[b.n++] = m;
        if (b.n == kDepth)
            flush(port);
    }
    void flush(std::uint16_t port);
    void flush_all();

    // Memory of the buffers of one worker (for memory accounting).
    static std::size_t memory_bytes();

private:
    struct Buffer {
        std::uint16_t n = 0;
        rte_mbuf* pkts[kDepth];
    };
    const PortSet& ports_;
    std::uint16_t queue_;
    std::atomic<std::uint64_t>& failures_;
    std::vector<Buffer> buffers_;  // by port id
};

}  // namespace rf::dataplane
