// OfferStates: the facts behind a partner's reports/etat-des-offres.csv
// (connectors/drop/offer_state_report.h): each offer that is active, or was
// withdrawn or expired in the last 30 days, with what each national service
// holds of it (destination_offers) and whether a change waits to be sent
// (outbox_movements).
//
// One set-based query per partner, streamed (a partner may have 100,000
// offers), never a query per offer. Which partners' reports are due is one
// query too: a destination changed one of their offers since the report was
// written (destination_offers.updated_at, the server's clock on both sides,
// schema 008), or the report is a day old.
//
// Thread safety: functions over the caller's transaction, which belongs to
// one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "connectors/drop/offer_state_report.h"
#include "connectors/host/clock.h"

namespace passerelle::daemon {

// Offers withdrawn or expired longer ago than this are left out.
inline constexpr std::chrono::hours kOfferStateWindow{24 * 30};
// A report older than this is written again even if nothing changed.
inline constexpr std::chrono::hours kOfferStateMaxAge{24};

struct OfferStates {
  std::vector<connectors::OfferStateFacts> offers;  // ordered by reference
  // The latest change at a destination before they were read (server time,
  // as text; none when no destination holds anything of the partner).
  std::optional<std::string> as_of;
};
// The partner's offers. `now` bounds the 30-day window.
OfferStates loadOfferStates(pqxx::transaction_base& tx, const std::string& partner,
                            connectors::Clock::WallTime now);

// Which of `partners` need their report written: changed at a destination
// since, a day old, or never written; with `daily_slot` (the 06:00 rewrite),
// also every one not written since that instant. Several daemons sharing the
// store thus rewrite each partner's report once a day between them: the
// first to run the slot records it written, the others find nothing due.
std::vector<std::string> offerStateReportsDue(
    pqxx::transaction_base& tx, const std::vector<std::string>& partners,
    connectors::Clock::WallTime now,
    std::optional<connectors::Clock::WallTime> daily_slot = std::nullopt);

// The report of `partner` was written at `now`, showing `states`.
void recordOfferStateReport(pqxx::transaction_base& tx, const std::string& partner,
                            const OfferStates& states, connectors::Clock::WallTime now);

}  // namespace passerelle::daemon
