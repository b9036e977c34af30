// SIGHUP: one change on the daemon's serialised change path (daemon/api/config_changes.hpp) whose desired
// configuration is the file's content: the route server's running peers are reconciled with the file's
// (deleted, created, or deleted and created again when changed; drift is mended), and a changed
// virtual_network section is applied (new FIB model, new advertised address spaces, every NVA asked for
// its routes again); other changes are logged as needing a restart. A reload waits for a REST API change
// in progress and the next waits for it. An invalid file, or one that cannot be applied, is logged and
// changes nothing.
#pragma once

#include <string>
#include <vector>

#include "daemon/api/management_service.hpp"
#include "daemon/forwarding/forwarding.hpp"
#include "fib/vnet/vnet_model.hpp"
#include "net/ip.hpp"

namespace rf::daemon {

// Reloads the file (api::ManagementService::reload) and logs what changed ("reload: peerings unchanged"
// when the running peers already were the file's), why nothing changed, and what waits for a restart.
// Runs on the io thread.
void reload_and_log(api::ManagementService& management, const std::string& path);

// The address spaces of the route server's VNet in `model`: what the default lab VNet originates to the
// NVAs when the emulator runs without a virtual_network section.
[[nodiscard]] std::vector<net::Prefix> lab_vnet_prefixes(const fib::VnetModel& model);

// What a changed virtual_network section does: the FIB (when there is one) takes the new model, and the
// advertised address spaces follow it (the management service then asks every NVA for its routes again).
// `forwarding` may be null (route server only); `emulator`: the default lab VNet is originated.
[[nodiscard]] api::VnetApplier make_vnet_applier(Forwarding* forwarding, bool emulator);

}  // namespace rf::daemon
