#include "dataplane/port_io.hpp"

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <cstring>

#include "dataplane/counters.hpp"

namespace rf::dataplane {

rte_mempool* create_mbuf_pool(const std::string& name, unsigned size, unsigned cache, std::string* error) {
    rte_mempool* pool =
        rte_pktmbuf_pool_create(name.c_str(), size, cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
    if (pool == nullptr && error != nullptr)
        *error = "rte_pktmbuf_pool_create(" + name + "): " + rte_strerror(rte_errno);
    return pool;
}

std::size_t mbuf_pool_bytes(const rte_mempool* pool) {
    if (pool == nullptr)
        return 0;
    return std::size_t{rte_mempool_calc_obj_size(pool->elt_size, pool->flags, nullptr)} * pool->size;
}

PortSet::~PortSet() {
    close();
}

bool PortSet::open(const std::vector<std::uint16_t>& roles, unsigned workers, const std::string& name,
                   std::string* error) {
    // The main lcore's pool: receive queues, ARP and NDP. Workers have their own.
    pool_ = create_mbuf_pool(name + "-main", 2047, 64, error);
    if (pool_ == nullptr)
        return false;
    for (std::uint16_t p : roles)
        if (std::find(ports_.begin(), ports_.end(), p) == ports_.end())
            ports_.push_back(p);
    mac_.assign(RTE_MAX_ETHPORTS, MacAddress{});
    rx_queues_.assign(RTE_MAX_ETHPORTS, 0);
    main_queue_ = static_cast<std::uint16_t>(workers);
    const std::uint16_t queues = static_cast<std::uint16_t>(workers + 1);
    for (std::uint16_t p : ports_) {
        if (!rte_eth_dev_is_valid_port(p)) {
            if (error)
                *error = "no DPDK port " + std::to_string(p) + " (missing --vdev?)";
            return false;
        }
        rte_eth_dev_info info{};
        rte_eth_dev_info_get(p, &info);
        if (info.max_tx_queues < queues || info.max_rx_queues < 1) {
            if (error)
                *error = "port " + std::to_string(p) + " (" + info.driver_name + ") has " +
                         std::to_string(info.max_tx_queues) + " tx queues, need " + std::to_string(queues);
            return false;
        }
        const std::uint16_t rxq = std::min<std::uint16_t>(queues, info.max_rx_queues);
        rte_eth_conf conf{};
        rte_eth_dev_stop(p);
        int rc = rte_eth_dev_configure(p, rxq, queues, &conf);
        for (std::uint16_t q = 0; rc == 0 && q < rxq; ++q)
            rc = rte_eth_rx_queue_setup(p, q, 512, SOCKET_ID_ANY, nullptr, pool_);
        for (std::uint16_t q = 0; rc == 0 && q < queues; ++q)
            rc = rte_eth_tx_queue_setup(p, q, 512, SOCKET_ID_ANY, nullptr);
        if (rc == 0)
            rc = rte_eth_dev_start(p);
        rx_queues_[p] = rxq;
        if (rc != 0) {
            if (error)
                *error = "port " + std::to_string(p) + " set-up failed: " + rte_strerror(-rc);
            return false;
        }
        rte_ether_addr mac{};
        rte_eth_macaddr_get(p, &mac);
        std::memcpy(mac_[p].data(), mac.addr_bytes, 6);
    }
    return true;
}

void PortSet::close() {
    for (std::uint16_t p : ports_)
        rte_eth_dev_stop(p);
    ports_.clear();
    rte_mempool_free(pool_);
    pool_ = nullptr;
}

void PortSet::send_frame(std::uint16_t port, const std::uint8_t* frame, std::size_t len) const {
    rte_mbuf* m = rte_pktmbuf_alloc(pool_);
    if (m == nullptr)
        return;
    std::memcpy(rte_pktmbuf_mtod(m, std::uint8_t*), frame, len);
    m->data_len = m->pkt_len = static_cast<std::uint16_t>(len);
    if (rte_eth_tx_burst(port, main_queue_, &m, 1) != 1)
        rte_pktmbuf_free(m);
}

std::uint16_t PortSet::receive(std::uint16_t port, std::uint16_t queue, rte_mbuf** pkts,
                               std::uint16_t n) const {
    return rte_eth_rx_burst(port, queue, pkts, n);
}

TxBuffers::TxBuffers(const PortSet& ports, std::uint16_t queue, std::atomic<std::uint64_t>& failures)
    : ports_(ports), queue_(queue), failures_(failures), buffers_(RTE_MAX_ETHPORTS) {}

void TxBuffers::flush(std::uint16_t port) {
    Buffer& b = buffers_[port];
    if (b.n == 0)
        return;
    const std::uint16_t sent = rte_eth_tx_burst(port, queue_, b.pkts, b.n);
    if (sent < b.n) {
        bump(failures_, b.n - sent);
        rte_pktmbuf_free_bulk(b.pkts + sent, b.n - sent);
    }
    b.n = 0;
}

void TxBuffers::flush_all() {
    for (std::uint16_t p : ports_.ports())
        flush(p);
}

std::size_t TxBuffers::memory_bytes() {
    return RTE_MAX_ETHPORTS * (kDepth * 8 + 8);
}

}  // namespace rf::dataplane
