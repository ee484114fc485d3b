// DaemonsStatus: the `status` section about the daemons sharing the store
// (operations.md "Several daemons on one store": which daemon holds which
// partner, and each daemon's last heartbeat). A daemon not heard from for
// two poll intervals (or that said goodbye) is shown as gone.
//
// Kept apart from the partners' and destinations' queries of
// status_command.cpp: one query over `daemons` and `partner_leases`.
//
// Thread safety: pure functions over the caller's transaction.
#pragma once

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "connectors/host/clock.h"
#include "daemon/store/daemon_registry.h"

namespace passerelle::daemon {

// Every daemon the store knows (none before a daemon ever ran).
std::vector<DaemonView> collectDaemons(pqxx::transaction_base& tx, connectors::Clock::WallTime now);
// The text table: DAEMON, HOST, PID, VERSION, STARTED, HEARTBEAT, STATE, PARTNERS.
void printDaemons(const std::vector<DaemonView>& daemons);
// `status --json`'s "daemons": [{id, host, pid, version, started_at,
// heartbeat_at, alive, partners: [...]}].
nlohmann::ordered_json daemonsJson(const std::vector<DaemonView>& daemons);

}  // namespace passerelle::daemon
