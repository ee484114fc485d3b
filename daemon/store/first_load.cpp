#include "daemon/store/first_load.h"

#include <utility>

namespace passerelle::daemon {

namespace {

// offerColumns(), each with the staging column its value comes from; the
// others are the load's own (partner, status, stamps, run).
enum class OfferSource { kPartner, kActive, kNow, kRun, kStaging };
struct OfferColumn {
  const char* name;
  OfferSource source;
  StagingColumn staging;
};
constexpr std::array<OfferColumn, 15> kOfferColumns = {{
    {"partner", OfferSource::kPartner, StagingColumn::kCount},
    {"source_ref", OfferSource::kStaging, StagingColumn::kSourceRef},
    {"status", OfferSource::kActive, StagingColumn::kCount},
    {"json", OfferSource::kStaging, StagingColumn::kJson},
    {"content_hash", OfferSource::kStaging, StagingColumn::kContentHash},
    {"department", OfferSource::kStaging, StagingColumn::kDepartment},
    {"siret", OfferSource::kStaging, StagingColumn::kSiret},
    {"rome_codes", OfferSource::kStaging, StagingColumn::kRomeCodes},
    {"contract_type", OfferSource::kStaging, StagingColumn::kContractType},
    {"expires", OfferSource::kStaging, StagingColumn::kExpires},
    {"source_updated_at", OfferSource::kStaging, StagingColumn::kSourceUpdatedAt},
    {"search_text", OfferSource::kStaging, StagingColumn::kSearchText},
    {"first_seen", OfferSource::kNow, StagingColumn::kCount},
    {"last_changed", OfferSource::kNow, StagingColumn::kCount},
    {"last_run", OfferSource::kRun, StagingColumn::kCount},
}};

}  // namespace

FirstLoad::FirstLoad(std::string partner, std::int64_t run_id, std::string now)
    : partner_(std::move(partner)), run_(std::to_string(run_id)), now_(std::move(now)) {}

const std::vector<std::string>& FirstLoad::offerColumns() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const OfferColumn& c : kOfferColumns) out.emplace_back(c.name);
    return out;
  }();
  return names;
}

void FirstLoad::load(pqxx::stream_to& offers, StagingRow& row) {
  std::array<std::optional<std::string>, kOfferColumns.size()> values;
  for (std::size_t i = 0; i < kOfferColumns.size(); ++i) {
    const OfferColumn& c = kOfferColumns[i];
    switch (c.source) {
      case OfferSource::kPartner:
        values[i] = partner_;
        break;
      case OfferSource::kActive:
        values[i] = "active";
        break;
      case OfferSource::kNow:
        values[i] = now_;
        break;
      case OfferSource::kRun:
        values[i] = run_;
        break;
      case OfferSource::kStaging:
        values[i] = row[c.staging];
        break;
    }
  }
  offers << values;
  keys_.push_back(
      {std::move(*row[StagingColumn::kSeq]), std::move(*row[StagingColumn::kLine]),
       std::move(*row[StagingColumn::kRecord]), std::move(row[StagingColumn::kSourceRef]),
       std::move(row[StagingColumn::kContentHash]), std::move(row[StagingColumn::kWarnings]),
       std::move(row[StagingColumn::kExpires])});
}

void FirstLoad::flush(pqxx::stream_to& staging) {
  for (const StagingRow& row : deferred_) staging << row.values;
  StagingRow row;
  for (LoadedKey& key : keys_) {
    row = StagingRow();
    row[StagingColumn::kSeq] = std::move(key.seq);
    row[StagingColumn::kLine] = std::move(key.line);
    row[StagingColumn::kRecord] = std::move(key.record);
    row[StagingColumn::kKind] = "loaded";
    row[StagingColumn::kSourceRef] = std::move(key.source_ref);
    row[StagingColumn::kContentHash] = std::move(key.content_hash);
    row[StagingColumn::kWarnings] = std::move(key.warnings);
    row[StagingColumn::kExpires] = std::move(key.expires);
    row[StagingColumn::kApplies] = "t";
    staging << row.values;
  }
  keys_.clear();
  deferred_.clear();
}

}  // namespace passerelle::daemon
