// StoredOfferIndex: one partner's stored offers as reference → (content hash,
// status), fetched once at the start of a snapshot import, so that the file's
// rows are compared in the client (operations.md "Several daemons on one
// store", issue 14): only new and changed rows are sent to the server, and
// the snapshot's withdrawals are the set difference between the stored
// offers and the references the file holds.
//
// A daily snapshot that changed by 1% thus sends 1% of its rows instead of
// COPYing the whole file before the merge finds little to do. The index is
// about 10 MB for 100,000 offers (references and hex hashes).
//
// Equivalence with the set-based merge it shortcuts: a row is skipped only
// when the stored offer is active with the same content hash, i.e. when the
// merge would find it unchanged — or, if its publication ended since,
// expired, which expireDueOffers() does after the merge all the same.
// Stored offers that are expired or withdrawn are always sent: the merge
// decides whether they come back.
//
// The record keys (record_keys.h) come with it: the rows the reader does not
// read again count as present and unchanged (markPresent()).
//
// Thread safety: none; one import (one thread) owns an index, except that
// recordKeys() may be read by the row threads while it is used. It must be
// loaded inside the import's transaction, after the partner's import lock,
// so that it is the state the merge will change.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include <pqxx/pqxx>

#include "daemon/store/offer_merge.h"
#include "daemon/store/record_keys.h"

namespace passerelle::daemon {

class StoredOfferIndex {
 public:
  static StoredOfferIndex load(pqxx::transaction_base& tx, const std::string& partner);

  // Marks `ref` as present in the file. True when the row with this content
  // hash changes nothing and need not be sent.
  bool presentUnchanged(const std::string& ref, const std::string& content_hash);
  // Marks `ref` as present (a row that is sent, or a rejected row: present
  // but rejected, so not withdrawn).
  void markPresent(const std::string& ref);

  // Snapshot safety: the partner's active offers and how many of them the
  // file lacks.
  WithdrawForecast forecast() const;
  // The stored offers, not yet withdrawn, that the file lacks: what the
  // snapshot withdraws.
  std::vector<std::string> absent() const;

  std::size_t size() const { return entries_.size(); }
  // The keys of the records the active offers were read from, for the
  // reader (ReadOptions::known_records).
  const StoredRecordKeys& recordKeys() const { return record_keys_; }

 private:
  void loadRecordKeys(pqxx::transaction_base& tx, const std::string& partner);

  enum class Status : unsigned char { kActive, kExpired, kWithdrawn };
  using Hash = std::array<char, 64>;  // SHA-256, hex
  struct Entry {
    Hash hash{};
    Status status = Status::kActive;
    bool present = false;
  };

  std::unordered_map<std::string, Entry> entries_;
  StoredRecordKeys record_keys_;
};

}  // namespace passerelle::daemon
