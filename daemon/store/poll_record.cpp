#include "daemon/store/poll_record.h"

#include "daemon/store/outbox.h"

namespace passerelle::daemon {

void recordPoll(pqxx::connection& store, const connectors::Clock& clock, const std::string& partner,
                bool ok, const std::string& message) {
  pqxx::work tx(store);
  tx.exec_params(
      "INSERT INTO partner_polls AS p (partner, last_poll_at, outcome, message,"
      " consecutive_failures, last_success_at)"
      " VALUES ($1, $4::timestamptz, CASE WHEN $2 THEN 'ok' ELSE 'failed' END, $3,"
      "   CASE WHEN $2 THEN 0 ELSE 1 END, CASE WHEN $2 THEN $4::timestamptz END)"
      " ON CONFLICT (partner) DO UPDATE SET last_poll_at = excluded.last_poll_at,"
      " outcome = excluded.outcome, message = excluded.message,"
      " consecutive_failures = CASE WHEN $2 THEN 0 ELSE p.consecutive_failures + 1 END,"
      " last_success_at = coalesce(excluded.last_success_at, p.last_success_at)",
      partner, ok, message, sqlTimestamp(clock.now()));
  tx.commit();
}

}  // namespace passerelle::daemon
