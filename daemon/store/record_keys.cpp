#include "daemon/store/record_keys.h"

#include <tuple>
#include <vector>

#include "connectors/digest/sha256.h"

namespace passerelle::daemon {

namespace {

// Bump when the reading of a record changes without a new package version
// (a development store): every key made before stops counting.
constexpr std::string_view kRecordKeyVersion = "1";

}  // namespace

std::string StoredRecordKeys::keyOf(std::string_view identity) const {
  connectors::Sha256 digest;
  digest.update("passerelle " PASSERELLE_VERSION " record key ");
  digest.update(kRecordKeyVersion);
  digest.update("\n");
  digest.update(identity);
  return digest.finishHex();
}

const std::string* StoredRecordKeys::unchangedOffer(const std::string& key) const {
  auto it = refs_.find(key);
  return it == refs_.end() ? nullptr : &it->second;
}

void StoredRecordKeys::add(std::string key, std::string source_ref) {
  refs_.emplace(std::move(key), std::move(source_ref));
}

void RecordKeyWriter::note(const formats::Offer& offer) {
  if (offer.action != formats::OfferAction::kUpsert || !offer.source_ref ||
      !offer.warnings.empty() || offer.prepared.record_key.empty() || offer.prepared.digest.empty())
    return;
  keys_.push_back({*offer.source_ref, offer.prepared.record_key, offer.prepared.digest});
}

void RecordKeyWriter::write(pqxx::transaction_base& tx, const std::string& partner) {
  if (keys_.empty()) return;
  tx.exec(
      "CREATE TEMP TABLE IF NOT EXISTS passerelle_record_keys"
      " (source_ref text, record_key text, content_hash text) ON COMMIT DROP");
  {
    pqxx::stream_to stream(tx, "passerelle_record_keys",
                           std::vector<std::string>{"source_ref", "record_key", "content_hash"});
    for (const Noted& k : keys_)
      stream << std::make_tuple(k.source_ref, k.record_key, k.content_hash);
    stream.complete();
  }
  // A file holds a reference once (DUPLICATE_REF), so no row is upserted twice.
  tx.exec_params(
      "INSERT INTO offer_record_keys (partner, source_ref, record_key, content_hash)"
      " SELECT $1, source_ref, record_key, content_hash FROM passerelle_record_keys"
      " ON CONFLICT (partner, source_ref) DO UPDATE"
      " SET record_key = excluded.record_key, content_hash = excluded.content_hash"
      // An expired offer's row is read every day (only active offers are
      // skipped): its key, unchanged, is not written again.
      " WHERE (offer_record_keys.record_key, offer_record_keys.content_hash)"
      "  IS DISTINCT FROM (excluded.record_key, excluded.content_hash)",
      partner);
  tx.exec("DROP TABLE passerelle_record_keys");
  keys_.clear();
}

}  // namespace passerelle::daemon
