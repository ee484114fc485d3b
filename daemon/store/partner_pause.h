// PartnerPauses: the partners whose polling an operator paused (schema 012,
// dashboard.md "Operators ... pause or resume a partner's polling").
//
// A pause lives in the store, so that every daemon sharing it honours it:
// the poller asks pausedBy() before it lists the partner's drop folder and
// does nothing while a pause stands. Nothing else stops: the partner's
// offers stay as they are and the destinations' queues keep draining.
//
// Thread safety: free functions on the caller's transaction, which belongs
// to one thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"

namespace passerelle::daemon {

struct PartnerPause {
  std::string partner;
  std::string paused_at;  // YYYY-MM-DD HH:MM, Europe/Paris
  std::string paused_by;  // the operator's login
};

// Who paused `partner`, when it is paused.
std::optional<std::string> partnerPausedBy(pqxx::transaction_base& tx, const std::string& partner);
// False when it was already paused (the first pause stays).
bool pausePartner(pqxx::transaction_base& tx, const std::string& partner, const std::string& by,
                  connectors::Clock::WallTime at);
// False when it was not paused.
bool resumePartner(pqxx::transaction_base& tx, const std::string& partner);
std::vector<PartnerPause> partnerPauses(pqxx::transaction_base& tx);

}  // namespace passerelle::daemon
