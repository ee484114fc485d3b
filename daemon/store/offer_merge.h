// OfferMerge: set-based SQL that turns a file's staged rows into the offers'
// new state, their history and the destinations' outbox, in the caller's
// transaction.
//
// The staging table (staging_row.h: created by createStagingTable(), filled with COPY)
// holds the data rows of the file in file order: upserts, deletes and the
// source_refs of rejected rows. A snapshot's rows that change nothing are
// left out by the import (stored_offer_index.h), which also computes the
// snapshot's withdrawals. A partner's first snapshot is already in `offers`
// (first_load.h): its rows are staged as `loaded`, keys only, and the merge
// writes their history and movements as creations. Rows with `applies` take part in the merge: all
// of a snapshot's, only each offer's last surviving movement for a delta file (planDelta()).
//
// Only offers whose content hash or status changes are written: an unchanged
// re-import writes no offer row. Every change adds one offer_history row and
// one pending outbox movement per destination (a newer change replaces a
// still-pending one).
//
// Thread safety: stateless functions over the caller's transaction; a
// transaction belongs to one thread. The caller holds the partner's import
// lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "connectors/host/clock.h"
#include "daemon/store/staging_row.h"

namespace passerelle::daemon {

struct MergeCounts {
  long created = 0;
  long updated = 0;
  long unchanged = 0;
  long withdrawn = 0;
  long reactivated = 0;
  long expired = 0;
  bool operator==(const MergeCounts&) const = default;
};

// Who the merge works for, and when. `now` stamps what the merge writes
// (offers' first_seen and last_changed, history) and gives
// `today` when that is not set; the import sets it from its Clock. Unset, the
// server's now() is used. `today` is a YYYY-MM-DD date in Europe/Paris.
struct MergeContext {
  std::string partner;
  std::int64_t run_id = 0;
  std::optional<std::string> today;
  std::optional<connectors::Clock::WallTime> now;
};

// A warning found by the store, not the reader (gil.md: ALREADY_EXISTS,
// UNKNOWN_OFFER, STALE_MOVEMENT).
struct StoreWarning {
  long line = 0;
  std::string source_ref;
  std::string code;
  std::string message;
  std::optional<std::string> value;
};

// Snapshot safety (operations.md): how many active offers the file would
// withdraw (StoredOfferIndex::forecast()).
struct WithdrawForecast {
  long active = 0;
  long to_withdraw = 0;
};

// Delta files: folds the movements in file order against the stored state,
// marks each offer's last applied movement as `applies`, and returns the
// store warnings.
std::vector<StoreWarning> planDelta(pqxx::transaction_base& tx, const MergeContext& ctx);

// Applies the rows marked `applies`. A snapshot passes `withdrawals`, the
// partner's offers the file lacks (StoredOfferIndex::absent()), and they are
// withdrawn; a delta file passes nullopt and withdraws what its deletes say.
// Then expires the partner's active offers whose publication ended before
// today.
MergeCounts applyMerge(pqxx::transaction_base& tx, const MergeContext& ctx,
                       const std::optional<std::vector<std::string>>& withdrawals);

// `passerelle withdraw`: withdraws the partner's offers not withdrawn yet
// (all of them, or only those of `refs`) like a snapshot missing them would:
// status, history (run NULL) and a closing movement per destination for the
// active ones. Returns how many were withdrawn.
long withdrawOffers(pqxx::transaction_base& tx, const MergeContext& ctx,
                    const std::vector<std::string>& refs);

// Expires every active offer (of one partner, or all when `partner` is
// empty) whose publication ended before today; for reconciliation.
long expireDueOffers(pqxx::transaction_base& tx, const MergeContext& ctx);

}  // namespace passerelle::daemon
