// PollRecord: the outcome of each partner's last drop-folder poll, kept in
// the store (partner_polls, schema 003) so that `passerelle status` answers
// without reading logs.
//
// recordPoll() upserts the partner's row in a transaction of its own:
// time of the poll (from the Clock), ok or failed, a message, and the
// number of failures in a row (reset by a success).
//
// Thread safety: stateless; the connection belongs to the calling thread.
#pragma once

#include <string>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"

namespace passerelle::daemon {

void recordPoll(pqxx::connection& store, const connectors::Clock& clock, const std::string& partner,
                bool ok, const std::string& message);

}  // namespace passerelle::daemon
