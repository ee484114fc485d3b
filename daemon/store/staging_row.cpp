#include "daemon/store/staging_row.h"

namespace passerelle::daemon {

namespace {

struct ColumnDefinition {
  StagingColumn column;
  const char* name;
  const char* type;
};

// The one definition of the staging table, in StagingColumn order.
constexpr std::array<ColumnDefinition, static_cast<std::size_t>(StagingColumn::kCount)> kColumns = {
    {
        {StagingColumn::kSeq, "seq", "integer NOT NULL"},
        {StagingColumn::kLine, "line", "bigint NOT NULL"},
        {StagingColumn::kRecord, "record", "bigint NOT NULL"},
        {StagingColumn::kKind, "kind",
         "text NOT NULL CHECK (kind IN ('upsert', 'delete', 'reject', 'unchanged', 'loaded'))"},
        {StagingColumn::kMovement, "movement", "text"},
        {StagingColumn::kSourceRef, "source_ref", "text"},
        {StagingColumn::kJson, "json", "text"},
        {StagingColumn::kWarnings, "warnings", "text"},
        {StagingColumn::kContentHash, "content_hash", "text"},
        {StagingColumn::kDepartment, "department", "text"},
        {StagingColumn::kSiret, "siret", "text"},
        {StagingColumn::kRomeCodes, "rome_codes", "text[]"},
        {StagingColumn::kContractType, "contract_type", "text"},
        {StagingColumn::kExpires, "expires", "date"},
        {StagingColumn::kSourceUpdatedAt, "source_updated_at", "timestamp"},
        {StagingColumn::kSearchText, "search_text", "text"},
        {StagingColumn::kApplies, "applies", "boolean NOT NULL"},
    }};

constexpr bool inOrder() {
  for (std::size_t i = 0; i < kColumns.size(); ++i)
    if (static_cast<std::size_t>(kColumns[i].column) != i) return false;
  return true;
}
static_assert(inOrder(), "kColumns must follow StagingColumn's order");

}  // namespace

const std::vector<std::string>& stagingColumns() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const ColumnDefinition& c : kColumns) out.emplace_back(c.name);
    return out;
  }();
  return names;
}

void createStagingTable(pqxx::transaction_base& tx) {
  std::string sql = std::string("CREATE TEMP TABLE ") + kStagingTable + " (";
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += std::string(kColumns[i].name) + " " + kColumns[i].type;
  }
  tx.exec(sql + ") ON COMMIT DROP");
}

}  // namespace passerelle::daemon
