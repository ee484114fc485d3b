// StoredRecordKeys: the keys of the records a partner's active offers were
// last read from, as formats::KnownRecords (formats/known_records.h), so that
// a daily snapshot does not read again the records it repeats byte for byte
// (issue 14, the daily path). Loaded with the StoredOfferIndex, in the same
// query and transaction (offer_record_keys, schema 014): a key counts only
// while its offer is active with the content hash it had when the key was
// written, so an offer changed by any other path is read again.
//
// A key is the SHA-256 of the record's identity and of the reader's version
// (the package version and kRecordKeyVersion): a new version reads every
// record once, then keys them anew. Keys are only written for offers read
// without warnings (a skipped record reports nothing), by RecordKeyWriter.
//
// Thread safety: once loaded, keyOf() and unchangedOffer() may be called
// from any number of threads; add() is for loading only.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <pqxx/pqxx>

#include "formats/known_records.h"
#include "formats/offer.h"

namespace passerelle::daemon {

class StoredRecordKeys final : public formats::KnownRecords {
 public:
  std::string keyOf(std::string_view identity) const override;
  const std::string* unchangedOffer(const std::string& key) const override;

  void add(std::string key, std::string source_ref);
  std::size_t size() const { return refs_.size(); }

 private:
  std::unordered_map<std::string, std::string> refs_;  // key -> reference
};

// The keys to remember after an import: each offer read (not skipped)
// without warnings, with the content hash it was read with. Written in the
// import's transaction, after the merge.
class RecordKeyWriter {
 public:
  // Remembers `offer`'s key if it has one worth keeping.
  void note(const formats::Offer& offer);
  // Upserts the noted keys of `partner` (one COPY and one statement).
  void write(pqxx::transaction_base& tx, const std::string& partner);
  std::size_t size() const { return keys_.size(); }

 private:
  struct Noted {
    std::string source_ref, record_key, content_hash;
  };
  std::vector<Noted> keys_;
};

}  // namespace passerelle::daemon
