// PageContext: what a dashboard page is drawn for: who asks (the session,
// hence which partner's data it may see), the request's fields, where the
// dashboard is mounted, the store session and the time.
//
// Partner isolation is here: scope() is the only partner filter the pages'
// queries take. It is the session's partner for a partner account (whatever
// the URL says) and nullopt (every partner) for an operator.
//
// Thread safety: a plain value used by the one worker thread serving the
// request.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"
#include "daemon/config/config.h"
#include "daemon/dashboard/session_store.h"

namespace passerelle::daemon {

struct PageContext {
  const Session& session;
  std::string base;                          // base_path: "" or "/tableau"
  std::map<std::string, std::string> query;  // the query string's fields
  pqxx::transaction_base& tx;
  const Config& config;
  const connectors::Clock& clock;

  std::optional<std::string> scope() const {
    if (session.operator_role) return std::nullopt;
    return session.partner;
  }
  std::string field(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
  // Seconds since the epoch of the injected clock, for the queries' "now".
  long long nowEpoch() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  }
};

}  // namespace passerelle::daemon
