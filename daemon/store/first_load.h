// FirstLoad: a partner's first snapshot written straight into `offers`.
//
// When the partner has no stored offer at all (StoredOfferIndex is empty),
// every row the snapshot upserts is a creation: there is nothing to compare,
// to replace or to withdraw. Staging the whole file (its JSON) in a temporary
// table and then copying it into `offers` writes it twice; a first load COPYs
// the offers' rows into `offers` directly, and stages only what the merge and
// the run's reports still need, without the JSON: each loaded row's keys
// (kind `loaded`: sequence, line, record, reference, content hash, expiry,
// warnings) and the rejected rows whole. One connection holds one COPY at a
// time, so those staging rows wait here, compact, until the offers' COPY is
// complete, and are then streamed with flush().
//
// The merge (offer_merge.h) treats `loaded` rows as creations whose offer row
// already exists: it writes their history and outbox movements, and sets the
// status of those already expired, as it would for staged `upsert` rows.
// A loaded offer's row is the one the merge would have written, with status
// `active` until then. References are unique among a snapshot's upserts
// (DUPLICATE_REF), so the COPY cannot collide; if it did, the import fails
// as the merge would.
//
// Thread safety: none; one import (one thread) owns a FirstLoad.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "daemon/store/staging_row.h"

namespace passerelle::daemon {

class FirstLoad {
 public:
  // `now` stamps first_seen and last_changed (sqlTimestamp()); `run_id` is
  // the run that loads.
  FirstLoad(std::string partner, std::int64_t run_id, std::string now);

  // The `offers` columns an offer's row is COPYed into, in order.
  static const std::vector<std::string>& offerColumns();

  // Streams the offer of `row`, a staged `upsert` row as the import builds
  // it, into `offers` (a stream opened on offerColumns()), and keeps its keys
  // for the staging table.
  void load(pqxx::stream_to& offers, StagingRow& row);
  // Keeps a staging row of another kind (a reject) for flush().
  void defer(StagingRow row) { deferred_.push_back(std::move(row)); }

  // Streams the kept rows into the staging table (a stream opened on
  // stagingColumns()), in no particular order: each carries its sequence.
  void flush(pqxx::stream_to& staging);

 private:
  // What the staging table keeps of a loaded row (about 200 bytes, not the
  // 600 of a StagingRow): 20 MB for 100,000 offers.
  struct LoadedKey {
    std::string seq;
    std::string line;
    std::string record;
    std::optional<std::string> source_ref;
    std::optional<std::string> content_hash;
    std::optional<std::string> warnings;
    std::optional<std::string> expires;
  };

  std::string partner_;
  std::string run_;
  std::string now_;
  std::vector<LoadedKey> keys_;
  std::vector<StagingRow> deferred_;
};

}  // namespace passerelle::daemon
