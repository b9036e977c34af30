// Effective routes: what the VMs of a subnet forward with, composed from system routes (the VNet's own
// and peered address spaces, Azure's defaults), BGP routes from the route server's Loc-RIB and the
// user-defined routes of the subnet's route table.
//
// Selection (design §2): longest prefix match; for the same prefix a user-defined route beats a BGP
// route, which beats a system route. A BGP route never overrides the VNet's own or a peered VNet's
// address space, not even with a more specific prefix: it is shown Invalid, with the reason, and not
// programmed.
//
// Subnets that would get the same table (same VNet, same route table) share one TableSpec, and the FIB
// keeps one lookup structure per TableSpec.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fib/vnet/next_hop.hpp"
#include "fib/vnet/vnet_model.hpp"
#include "net/ip.hpp"

namespace rf::fib {

// Azure's "source" column. Default = system route.
enum class RouteSource : std::uint8_t { Default, VirtualNetworkGateway, User };
enum class RouteState : std::uint8_t { Active, Invalid };
[[nodiscard]] std::string_view to_string(RouteSource s);
[[nodiscard]] std::string_view to_string(RouteState s);

struct StaticRoute {
    RouteSource source = RouteSource::Default;  // Default or User
    net::Prefix prefix;
    NextHop next_hop;
    std::string name;  // user-defined route name; empty for system routes
};

using TableId = std::uint32_t;

// One distinct effective route table.
struct TableSpec {
    std::string name;         // "<vnet>" or "<vnet>/<route table>"
    std::size_t vnet = 0;     // index into VnetModel::vnets
    std::string route_table;  // empty for none
    bool bgp = false;         // receives the route server's BGP routes
    // Own and peered address spaces: BGP routes inside one of them are Invalid.
    std::vector<std::pair<net::Prefix, std::string>> protected_spaces;  // (space, VNet name)
    std::vector<StaticRoute> statics;            // every system and user route, shadowed ones included
    std::vector<std::string> subnets;            // "vnet/subnet" using this table
    std::map<net::Prefix, std::size_t> winners;  // prefix → index in statics of its winner (index())

    // Recomputes `winners` after `statics` changed.
    void index();

    // The static route that wins for exactly `prefix` (user over system), if any.
    [[nodiscard]] const StaticRoute* static_winner(const net::Prefix& prefix) const;
    // The (space, VNet) a BGP route for `prefix` would override, if any.
    [[nodiscard]] const std::pair<net::Prefix, std::string>* protecting_space(
        const net::Prefix& prefix) const;
};

struct TablePlan {
    std::vector<TableSpec> tables;
    // (vnet, subnet) → table; every subnet of every VNet has one.
    std::map<std::pair<std::string, std::string>, TableId> by_subnet;

    [[nodiscard]] std::optional<TableId> table_for_subnet(std::string_view vnet,
                                                          std::string_view subnet) const;
    [[nodiscard]] std::optional<TableId> table_for_vm(const VnetModel& model, std::string_view vm) const;
};

// Builds the distinct tables of a valid model (see validate()).
[[nodiscard]] TablePlan plan_tables(const VnetModel& model);

// Azure's defaults besides the address spaces: 0.0.0.0/0 → Internet and the private and shared ranges
// 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10 → None (a VNet address space equal to one of
// them replaces it with VnetLocal).
[[nodiscard]] std::vector<StaticRoute> azure_default_routes();

// What the lookup structure holds for `prefix` in `table`, given the Loc-RIB's ECMP set for it (empty
// when none): the winning next hop, or nothing (no route for exactly this prefix).
[[nodiscard]] std::optional<NextHop> programmed_next_hop(const TableSpec& table, const net::Prefix& prefix,
                                                         std::span<const net::IpAddress> bgp_next_hops);

// One row of `az network nic show-effective-route-table`.
struct EffectiveRoute {
    RouteSource source = RouteSource::Default;
    RouteState state = RouteState::Active;
    net::Prefix prefix;
    NextHopType next_hop_type = NextHopType::None;
    std::vector<net::IpAddress> next_hops;
    std::string reason;  // why an Invalid route is not programmed
};

// Every route of `table`, Active and Invalid, ordered like Azure: system routes, then BGP, then user
// routes, each by prefix. `bgp` is the Loc-RIB view (prefix → ECMP set).
[[nodiscard]] std::vector<EffectiveRoute> effective_routes(
    const TableSpec& table, const std::map<net::Prefix, std::vector<net::IpAddress>>& bgp);

// A text rendering in the az CLI's table layout.
[[nodiscard]] std::string format_effective_routes(std::span<const EffectiveRoute> routes);

}  // namespace rf::fib
