#include "daemon/cli/daemons_status.h"

#include <cstdio>

#include "daemon/cli/text_table.h"
#include "daemon/cli/timestamp.h"

namespace passerelle::daemon {

namespace {

std::string when(connectors::Clock::WallTime t) {
  return formatTimestamp(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out.empty() ? "-" : out;
}

}  // namespace

std::vector<DaemonView> collectDaemons(pqxx::transaction_base& tx,
                                       connectors::Clock::WallTime now) {
  // A store migrated by an older program has no daemons yet.
  if (!tx.exec1("SELECT to_regclass('daemons') IS NOT NULL")[0].as<bool>()) return {};
  return listDaemons(tx, now);
}

void printDaemons(const std::vector<DaemonView>& daemons) {
  if (daemons.empty()) return;
  std::vector<std::vector<std::string>> rows;
  for (const DaemonView& d : daemons)
    rows.push_back({d.id, d.host, std::to_string(d.pid), d.version, when(d.started_at),
                    when(d.heartbeat_at), d.alive ? "alive" : "gone", joined(d.partners)});
  std::printf("\n");
  printTable({"DAEMON", "HOST", "PID", "VERSION", "STARTED", "HEARTBEAT", "STATE", "PARTNERS"},
             rows);
}

nlohmann::ordered_json daemonsJson(const std::vector<DaemonView>& daemons) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const DaemonView& d : daemons)
    out.push_back({{"id", d.id},
                   {"host", d.host},
                   {"pid", d.pid},
                   {"version", d.version},
                   {"started_at", when(d.started_at)},
                   {"heartbeat_at", when(d.heartbeat_at)},
                   {"alive", d.alive},
                   {"partners", d.partners}});
  return out;
}

}  // namespace passerelle::daemon
