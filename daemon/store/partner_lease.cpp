#include "daemon/store/partner_lease.h"

#include <algorithm>

#include "daemon/store/outbox.h"

namespace passerelle::daemon {

namespace {

// A text[] literal: partner ids are [a-z0-9_-]+ (config.h), nothing to quote.
std::string textArray(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& item : items) out += (out.size() > 1 ? "," : "") + item;
  return out + "}";
}

std::vector<std::string> column(const pqxx::result& r) {
  std::vector<std::string> out;
  for (const pqxx::row& row : r) out.push_back(row[0].as<std::string>());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

LeaseBalance PartnerLeases::balance(pqxx::transaction_base& tx,
                                    const std::vector<std::string>& partners,
                                    const std::set<std::string>& busy) const {
  const DaemonIdentity& me = registry_.identity();
  const auto now_time = registry_.clock().now();
  const std::string now = sqlTimestamp(now_time);
  LeaseBalance b;
  b.expires_at = now_time + registry_.ttl();
  const std::string expires = sqlTimestamp(b.expires_at);
  const std::string configured = textArray(partners);

  registry_.heartbeat(tx);
  tx.exec_params("SELECT pg_advisory_xact_lock($1, 0)", kLeaseLockClass);
  b.live_daemons = std::max(1L, registry_.liveCount(tx));
  const long n = static_cast<long>(partners.size());
  b.share = (n + b.live_daemons - 1) / b.live_daemons;

  tx.exec_params("DELETE FROM partner_leases WHERE owner = $1 AND NOT (partner = ANY($2::text[]))",
                 me.id, configured);
  b.held = column(tx.exec_params(
      "UPDATE partner_leases SET expires_at = $2::timestamptz WHERE owner = $1 RETURNING partner",
      me.id, expires));

  // Above the share: the last ones by name go back (a stable choice, so
  // that the same partners stay put from one round to the next).
  for (auto it = b.held.rbegin();
       it != b.held.rend() && static_cast<long>(b.held.size() - b.released.size()) > b.share; ++it)
    if (!busy.count(*it)) b.released.push_back(*it);
  if (!b.released.empty()) {
    tx.exec_params("DELETE FROM partner_leases WHERE owner = $1 AND partner = ANY($2::text[])",
                   me.id, textArray(b.released));
    std::erase_if(b.held, [&](const std::string& p) {
      return std::find(b.released.begin(), b.released.end(), p) != b.released.end();
    });
  }

  const long wanted = b.share - static_cast<long>(b.held.size());
  if (wanted > 0) {
    b.taken = column(tx.exec_params(
        "INSERT INTO partner_leases (partner, owner, taken_at, expires_at)"
        " SELECT p, $1, $3::timestamptz, $4::timestamptz FROM unnest($2::text[]) AS p"
        " WHERE NOT EXISTS (SELECT 1 FROM partner_leases l WHERE l.partner = p"
        "   AND l.expires_at > $3::timestamptz)"
        " ORDER BY p LIMIT $5"
        " ON CONFLICT (partner) DO UPDATE SET owner = excluded.owner,"
        " taken_at = excluded.taken_at, expires_at = excluded.expires_at"
        " WHERE partner_leases.expires_at <= $3::timestamptz"
        " RETURNING partner",
        me.id, configured, now, expires, wanted));
    b.held.insert(b.held.end(), b.taken.begin(), b.taken.end());
    std::sort(b.held.begin(), b.held.end());
  }
  return b;
}

std::vector<std::string> leasesHeld(pqxx::transaction_base& tx, const std::string& owner,
                                    connectors::Clock::WallTime now) {
  return column(tx.exec_params(
      "SELECT partner FROM partner_leases WHERE owner = $1 AND expires_at > $2::timestamptz", owner,
      sqlTimestamp(now)));
}

}  // namespace passerelle::daemon
