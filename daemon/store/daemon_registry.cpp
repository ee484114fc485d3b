#include "daemon/store/daemon_registry.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <random>

#include "connectors/url/percent_encode.h"
#include "daemon/store/outbox.h"

namespace passerelle::daemon {

namespace {

// Host names go into the id and a startup option: only [A-Za-z0-9.-].
std::string safeHostName() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::string out;
  for (const char* p = host; *p != '\0'; ++p)
    out += std::isalnum(static_cast<unsigned char>(*p)) || *p == '.' || *p == '-' ? *p : '-';
  return out.empty() ? std::string("localhost") : out;
}

connectors::Clock::WallTime fromEpoch(double seconds) {
  return connectors::Clock::WallTime(
      std::chrono::duration_cast<connectors::Clock::WallTime::duration>(
          std::chrono::duration<double>(seconds)));
}

}  // namespace

DaemonIdentity makeDaemonIdentity(const std::string& version) {
  DaemonIdentity d;
  d.host = safeHostName();
  d.pid = static_cast<int>(::getpid());
  d.version = version;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x",
                static_cast<unsigned>(std::random_device{}() & 0xffffffffu));
  d.id = d.host + ":" + std::to_string(d.pid) + ":" + suffix;
  return d;
}

std::string withSessionSetting(const std::string& url, const std::string& name,
                               const std::string& value) {
  const char separator = url.find('?') == std::string::npos ? '?' : '&';
  return url + separator + "options=" + connectors::percentEncode("-c " + name + "=" + value);
}

DaemonRegistry::DaemonRegistry(connectors::Clock& clock, DaemonIdentity identity,
                               std::chrono::milliseconds ttl)
    : clock_(clock), identity_(std::move(identity)), ttl_(ttl) {}

void DaemonRegistry::heartbeat(pqxx::transaction_base& tx) const {
  const auto now = clock_.now();
  tx.exec_params(
      "INSERT INTO daemons (id, host, pid, version, started_at, heartbeat_at, expires_at)"
      " VALUES ($1, $2, $3, $4, $5::timestamptz, $5::timestamptz, $6::timestamptz)"
      " ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at,"
      " expires_at = excluded.expires_at, stopped_at = NULL",
      identity_.id, identity_.host, identity_.pid, identity_.version, sqlTimestamp(now),
      sqlTimestamp(now + ttl_));
}

void DaemonRegistry::goodbye(pqxx::transaction_base& tx) const {
  const std::string now = sqlTimestamp(clock_.now());
  tx.exec_params(
      "UPDATE daemons SET stopped_at = $2::timestamptz, expires_at = $2::timestamptz"
      " WHERE id = $1",
      identity_.id, now);
  tx.exec_params("DELETE FROM partner_leases WHERE owner = $1", identity_.id);
  tx.exec_params(
      "UPDATE job_leases SET expires_at = $2::timestamptz WHERE owner = $1 AND done_at IS NULL",
      identity_.id, now);
}

long DaemonRegistry::liveCount(pqxx::transaction_base& tx) const {
  return tx
      .exec_params1(
          "SELECT count(*) FROM daemons WHERE expires_at > $1::timestamptz AND stopped_at IS NULL",
          sqlTimestamp(clock_.now()))[0]
      .as<long>();
}

long DaemonRegistry::forgetGone(pqxx::transaction_base& tx, std::chrono::hours after) const {
  return static_cast<long>(tx.exec_params("DELETE FROM daemons WHERE expires_at < $1::timestamptz",
                                          sqlTimestamp(clock_.now() - after))
                               .affected_rows());
}

std::vector<DaemonView> listDaemons(pqxx::transaction_base& tx, connectors::Clock::WallTime now) {
  const std::string at = sqlTimestamp(now);
  const pqxx::result r = tx.exec_params(
      "SELECT d.id, d.host, d.pid, d.version, extract(epoch FROM d.started_at)::float8,"
      " extract(epoch FROM d.heartbeat_at)::float8,"
      " d.expires_at > $1::timestamptz AND d.stopped_at IS NULL AS alive,"
      " coalesce((SELECT string_agg(l.partner, ',' ORDER BY l.partner) FROM partner_leases l"
      "   WHERE l.owner = d.id AND l.expires_at > $1::timestamptz), '')"
      " FROM daemons d ORDER BY alive DESC, d.id",
      at);
  std::vector<DaemonView> out;
  for (const pqxx::row& row : r) {
    DaemonView d;
    d.id = row[0].as<std::string>();
    d.host = row[1].as<std::string>();
    d.pid = row[2].as<int>();
    d.version = row[3].as<std::string>();
    d.started_at = fromEpoch(row[4].as<double>());
    d.heartbeat_at = fromEpoch(row[5].as<double>());
    d.alive = row[6].as<bool>();
    // Partner ids are [a-z0-9_-]+ (config.h): a comma separates them safely.
    const std::string partners = row[7].as<std::string>();
    for (std::size_t start = 0; start < partners.size();) {
      std::size_t end = partners.find(',', start);
      if (end == std::string::npos) end = partners.size();
      d.partners.push_back(partners.substr(start, end - start));
      start = end + 1;
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace passerelle::daemon
