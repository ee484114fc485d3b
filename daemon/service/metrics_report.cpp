#include "daemon/service/metrics_report.h"

#include <chrono>

#include "daemon/store/daemon_registry.h"

namespace passerelle::daemon {

namespace {

std::string labelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

class MetricsText {
 public:
  void family(const std::string& name, const std::string& type, const std::string& help) {
    text_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void sample(const std::string& name,
              std::initializer_list<std::pair<const char*, std::string>> labels, double value) {
    text_ += name;
    if (labels.size() > 0) {
      text_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        if (!first) text_ += ',';
        first = false;
        text_ += std::string(k) + "=\"" + labelValue(v) + '"';
      }
      text_ += '}';
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, " %.17g\n", value);
    text_ += buf;
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

double unixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

void storeMetrics(pqxx::connection& store, MetricsText& m) {
  pqxx::read_transaction tx(store);
  m.family("passerelle_files_total", "counter", "Files taken, by partner and run outcome.");
  for (const auto& r :
       tx.exec("SELECT partner, outcome, count(*) FROM import_runs GROUP BY 1, 2 ORDER BY 1, 2"))
    m.sample("passerelle_files_total",
             {{"partner", r[0].as<std::string>()}, {"outcome", r[1].as<std::string>()}},
             r[2].as<double>());
  const pqxx::result rows = tx.exec(
      "SELECT partner, sum(records), sum(rejects) FROM import_runs "
      "WHERE outcome IN ('imported', 'approved') GROUP BY 1 ORDER BY 1");
  // One family's samples follow its header (the text format requires it).
  m.family("passerelle_rows_total", "counter", "Rows read from imported files, by partner.");
  for (const auto& r : rows)
    m.sample("passerelle_rows_total", {{"partner", r[0].as<std::string>()}}, r[1].as<double>());
  m.family("passerelle_rejects_total", "counter", "Rows rejected, by partner.");
  for (const auto& r : rows)
    m.sample("passerelle_rejects_total", {{"partner", r[0].as<std::string>()}}, r[2].as<double>());
  m.family("passerelle_offers", "gauge", "Offers in the store, by partner and status.");
  for (const auto& r :
       tx.exec("SELECT partner, status, count(*) FROM offers GROUP BY 1, 2 ORDER BY 1, 2"))
    m.sample("passerelle_offers",
             {{"partner", r[0].as<std::string>()}, {"status", r[1].as<std::string>()}},
             r[2].as<double>());
  m.family("passerelle_outbox_movements", "gauge", "Outbox movements, by destination and state.");
  for (const auto& r : tx.exec(
           "SELECT destination, state, count(*) FROM outbox_movements GROUP BY 1, 2 ORDER BY 1, 2"))
    m.sample("passerelle_outbox_movements",
             {{"destination", r[0].as<std::string>()}, {"state", r[1].as<std::string>()}},
             r[2].as<double>());
  // The destinations' own state exists once their migration ran.
  if (tx.exec1("SELECT to_regclass('destination_status') IS NOT NULL")[0].as<bool>()) {
    const pqxx::result status = tx.exec(
        "SELECT destination, extract(epoch FROM last_success_at), paused_reason IS NOT NULL "
        "FROM destination_status ORDER BY 1");
    m.family("passerelle_destination_last_success_timestamp_seconds", "gauge",
             "Last accepted write or batch, by destination (Unix time).");
    for (const auto& r : status)
      if (!r[1].is_null())
        m.sample("passerelle_destination_last_success_timestamp_seconds",
                 {{"destination", r[0].as<std::string>()}}, r[1].as<double>());
    m.family("passerelle_destination_paused", "gauge", "1 when the destination is paused.");
    for (const auto& r : status)
      m.sample("passerelle_destination_paused", {{"destination", r[0].as<std::string>()}},
               r[2].as<bool>() ? 1 : 0);
  }
  m.family("passerelle_destination_errors", "gauge",
           "Movements that failed (given up), by destination.");
  for (const auto& r :
       tx.exec("SELECT d.name, count(o.id) FROM destinations d LEFT JOIN outbox_movements o "
               "ON o.destination = d.name AND o.state = 'failed' GROUP BY 1 ORDER BY 1"))
    m.sample("passerelle_destination_errors", {{"destination", r[0].as<std::string>()}},
             r[1].as<double>());
}

// The daemons sharing the store (operations.md "Several daemons on one
// store"): which one answers, each one's heartbeat, liveness and leases.
void daemonMetrics(pqxx::connection& store, const std::string& self, MetricsText& m) {
  pqxx::read_transaction tx(store);
  if (!tx.exec1("SELECT to_regclass('daemons') IS NOT NULL")[0].as<bool>()) return;
  const auto daemons = listDaemons(tx, std::chrono::system_clock::now());
  m.family("passerelle_daemon_info", "gauge",
           "This daemon's identity, as labels (always 1): its id, host and version.");
  for (const DaemonView& d : daemons)
    if (d.id == self)
      m.sample("passerelle_daemon_info",
               {{"daemon", d.id}, {"host", d.host}, {"version", d.version}}, 1);
  m.family("passerelle_daemon_alive", "gauge",
           "1 for each daemon on the store heard from within two poll intervals, 0 when gone.");
  for (const DaemonView& d : daemons)
    m.sample("passerelle_daemon_alive", {{"daemon", d.id}}, d.alive ? 1 : 0);
  m.family("passerelle_daemon_heartbeat_timestamp_seconds", "gauge",
           "Each daemon's last heartbeat (Unix time).");
  for (const DaemonView& d : daemons)
    m.sample("passerelle_daemon_heartbeat_timestamp_seconds", {{"daemon", d.id}},
             unixSeconds(d.heartbeat_at));
  m.family("passerelle_partner_leases", "gauge", "Partners each daemon holds (polls).");
  for (const DaemonView& d : daemons)
    m.sample("passerelle_partner_leases", {{"daemon", d.id}},
             static_cast<double>(d.partners.size()));
}

// The loop's counters of one kind of job: polls (by partner) or pushes (by
// destination).
void jobMetrics(const ServiceHealth& health, const std::string& subject, const std::string& run,
                MetricsText& m) {
  const std::string failures = "passerelle_" + run + "_failures_total";
  const std::string last = "passerelle_" + run + "_last_success_timestamp_seconds";
  m.family(failures, "counter", "Failed runs (" + run + ") since start, by " + subject + ".");
  for (const JobStats& j : health.jobs)
    if (j.subject == subject)
      m.sample(failures, {{subject.c_str(), j.name}}, static_cast<double>(j.failures));
  m.family(last, "gauge",
           "Last successful " + run + " since start, by " + subject + " (Unix time).");
  for (const JobStats& j : health.jobs)
    if (j.subject == subject && j.last_success)
      m.sample(last, {{subject.c_str(), j.name}}, unixSeconds(*j.last_success));
}

}  // namespace

std::string renderMetrics(pqxx::connection& store, const ServiceHealth& health,
                          const std::string& daemon_id) {
  MetricsText m;
  m.family("passerelle_up", "gauge", "1 when the daemon's loop is alive.");
  m.sample("passerelle_up", {}, health.loop_alive ? 1 : 0);
  m.family("passerelle_build_info", "gauge", "The running version, as a label (always 1).");
  m.sample("passerelle_build_info", {{"version", PASSERELLE_VERSION}}, 1);
  // Labels are `partner` and `destination`: Prometheus owns `job` and `instance`.
  jobMetrics(health, "partner", "poll", m);
  jobMetrics(health, "destination", "push", m);
  storeMetrics(store, m);
  daemonMetrics(store, daemon_id, m);
  return m.take();
}

HealthVerdict judgeHealth(const ServiceHealth& health, std::chrono::seconds stuck_after) {
  if (health.stopping) return {false, "stopping\n"};
  if (!health.loop_alive) return {false, "the main loop is not running\n"};
  auto now = std::chrono::steady_clock::now();
  for (const JobStats& j : health.jobs)
    if (j.running_since && now - *j.running_since > stuck_after)
      return {false, "job " + j.name + " has been running for too long\n"};
  return {true, "ok\n"};
}

}  // namespace passerelle::daemon
