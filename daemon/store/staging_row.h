// StagingRow: one row of the import's staging table (passerelle_staging),
// defined once: the columns' names, SQL types and COPY order live in
// staging_row.cpp's table, the import fills rows by column name
// (offer_import.cpp) and the merge reads the table (offer_merge.cpp).
//
// Thread safety: constants and plain values; createStagingTable() works in
// the caller's transaction, which belongs to one thread.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace passerelle::daemon {

inline constexpr const char* kStagingTable = "passerelle_staging";

// The columns, in COPY order.
enum class StagingColumn : std::size_t {
  kSeq,
  kLine,
  kRecord,  // the row's number among the data records (reports' `enregistrement`)
  kKind,    // upsert | delete | reject | unchanged (a snapshot row not sent, kept for its
            // warnings) | loaded (already in `offers`: first_load.h)
  kMovement,
  kSourceRef,
  kJson,
  kWarnings,
  kContentHash,
  kDepartment,
  kSiret,
  kRomeCodes,
  kContractType,
  kExpires,
  kSourceUpdatedAt,
  kSearchText,  // offers.search_text (offer_search_text.h)
  kApplies,
  kCount
};

// One row as text (NULL: nullopt), streamed by pqxx::stream_to as a tuple.
struct StagingRow {
  std::array<std::optional<std::string>, static_cast<std::size_t>(StagingColumn::kCount)> values;
  std::optional<std::string>& operator[](StagingColumn c) {
    return values[static_cast<std::size_t>(c)];
  }
};

// The columns' names, in COPY order (for pqxx::stream_to).
const std::vector<std::string>& stagingColumns();
// CREATE TEMP TABLE passerelle_staging (...) ON COMMIT DROP.
void createStagingTable(pqxx::transaction_base& tx);

}  // namespace passerelle::daemon
