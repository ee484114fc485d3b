#include "daemon/store/stored_offer_index.h"

#include <algorithm>
#include <string_view>

namespace passerelle::daemon {

namespace {

// A hash of another length never equals a computed one: all zero bytes.
template <typename Text>
std::array<char, 64> toHash(const Text& hex) {
  std::array<char, 64> out{};
  if (hex.size() == out.size()) std::copy(hex.begin(), hex.end(), out.begin());
  return out;
}

}  // namespace

StoredOfferIndex StoredOfferIndex::load(pqxx::transaction_base& tx, const std::string& partner) {
  // One round trip; the result (about 10 MB for 100,000 offers) is read once
  // and dropped.
  pqxx::result rows = tx.exec_params(
      "SELECT source_ref, content_hash, status FROM offers WHERE partner = $1", partner);
  StoredOfferIndex index;
  index.entries_.reserve(rows.size());
  for (const pqxx::row& row : rows) {
    Entry entry;
    entry.hash = toHash(std::string_view(row[1].c_str(), row[1].size()));
    const std::string_view status(row[2].c_str(), row[2].size());
    entry.status = status == "active"    ? Status::kActive
                   : status == "expired" ? Status::kExpired
                                         : Status::kWithdrawn;
    index.entries_.emplace(row[0].as<std::string>(), entry);
  }
  index.loadRecordKeys(tx, partner);
  return index;
}

// Joined here rather than in SQL: two scans of the partner's rows take a
// tenth of the server's hash join (which spilled to disk on 100,000 offers).
void StoredOfferIndex::loadRecordKeys(pqxx::transaction_base& tx, const std::string& partner) {
  const pqxx::result keys = tx.exec_params(
      "SELECT source_ref, record_key, content_hash FROM offer_record_keys WHERE partner = $1",
      partner);
  for (const pqxx::row& row : keys) {
    std::string ref = row[0].as<std::string>();
    auto it = entries_.find(ref);
    // A key counts while its offer is active with the content it was read with.
    if (it == entries_.end() || it->second.status != Status::kActive ||
        it->second.hash != toHash(std::string_view(row[2].c_str(), row[2].size())))
      continue;
    record_keys_.add(row[1].as<std::string>(), std::move(ref));
  }
}

bool StoredOfferIndex::presentUnchanged(const std::string& ref, const std::string& content_hash) {
  auto it = entries_.find(ref);
  if (it == entries_.end()) return false;
  it->second.present = true;
  return it->second.status == Status::kActive && it->second.hash == toHash(content_hash);
}

void StoredOfferIndex::markPresent(const std::string& ref) {
  auto it = entries_.find(ref);
  if (it != entries_.end()) it->second.present = true;
}

WithdrawForecast StoredOfferIndex::forecast() const {
  WithdrawForecast f;
  for (const auto& [ref, entry] : entries_) {
    if (entry.status != Status::kActive) continue;
    ++f.active;
    if (!entry.present) ++f.to_withdraw;
  }
  return f;
}

std::vector<std::string> StoredOfferIndex::absent() const {
  std::vector<std::string> refs;
  for (const auto& [ref, entry] : entries_) {
    if (entry.status != Status::kWithdrawn && !entry.present) refs.push_back(ref);
  }
  std::sort(refs.begin(), refs.end());  // history rows in a stable order
  return refs;
}

}  // namespace passerelle::daemon
