// Dialect: how one family of partner software writes its offer exports.
//
// A dialect is mostly a description (DialectSpec: columns, code tables,
// encoding, delimiter, semantics, date styles) read by the one generic import
// pipeline (offer_file_reader.h), plus a few virtual hooks for quirks that a
// table cannot say (Sigma's envelope and trailer records and its `\n`
// escapes). The pipeline calls every hook for every file, record and field,
// so a dialect never depends on a shortcut of the pipeline.
//
// The description also says how the exports arrive in a drop folder: the
// default file pattern, when a file is complete (stable size and time, or a
// `.ok` marker) and how its name orders it (file_naming.h). The drop-folder
// selection and the configuration read them from here, never by the
// dialect's name.
//
// A new dialect is a new Dialect subclass registered by name in
// DialectRegistry (dialect_registry.h); the pipeline does not change.
//
// Thread safety: a Dialect is immutable after construction and may be shared
// between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "formats/encoding.h"
#include "formats/field_error.h"
#include "formats/file_naming.h"
#include "formats/offer.h"

namespace passerelle::formats {

class KnownRecords;  // formats/known_records.h

// The normalised fields a column can feed.
enum class FieldId : std::uint8_t {
  kMovement,  // delta dialects: the row's action code
  kSourceRef,
  kSiret,
  kEmployerName,
  kNaf,
  kTitle,
  kDescription,
  kRomeCodes,
  kContractType,
  kContractStart,
  kDuration,
  kPositions,
  kDiplomaLevel,
  kDiplomaTitle,
  kRncp,
  kAddress,
  kPostalCode,
  kCity,
  kInsee,
  kContactName,
  kContactEmail,
  kContactPhone,
  kExpires,
  kShare,
  kUpdatedAt,
  kCount
};
constexpr std::size_t kFieldCount = static_cast<std::size_t>(FieldId::kCount);

// The normalised field's path as printed in errors ("employer.siret").
std::string_view fieldPath(FieldId id);
// The field of a path printed in errors; none for an unknown path.
std::optional<FieldId> fieldOfPath(std::string_view path);

enum class Semantics { kSnapshot, kDelta };
// When a file in a drop folder is complete (drop-folders.md): its size and
// modification time stable over a window, or its marker `<name>.ok` present.
enum class Completion { kStable, kMarker };
enum class DateStyle { kDayFirst, kIso };  // JJ/MM/AAAA | AAAA-MM-JJ
enum class DateTimeStyle {
  kDayFirstMinutesOrSeconds,  // JJ/MM/AAAA HH:MM[:SS]
  kDayFirstMinutes,           // JJ/MM/AAAA HH:MM
  kIsoWithOffset,             // AAAA-MM-JJTHH:MM:SS[.fff][Z|±HH:MM]
};

struct ColumnSpec {
  std::string header;  // as exported; matched with codeKey()
  FieldId field;
  bool required;
};

enum class Movement : char { kCreate = 'C', kModify = 'M', kSuppress = 'S' };

struct DialectSpec {
  std::string name;  // "ymag"
  Encoding encoding = Encoding::kUtf8;
  char delimiter = ';';
  Semantics semantics = Semantics::kSnapshot;
  // Drop folders: the partner's `completion` and `pattern` when not
  // configured, and the ordering key of a file's name.
  Completion completion = Completion::kStable;
  std::string default_pattern = "*.csv";
  FileNaming naming;
  std::vector<ColumnSpec> columns;
  // Several columns feeding one field are joined with this separator, empty
  // ones skipped (Sigma: ADR1/ADR2 with ", ", ROME1..3).
  std::unordered_map<FieldId, std::string> column_join;
  std::string rome_separators = ",";
  DateStyle date_style = DateStyle::kDayFirst;
  DateTimeStyle datetime_style = DateTimeStyle::kDayFirstMinutesOrSeconds;
  // Code tables, keyed by codeKey() of the value as written.
  std::unordered_map<std::string, std::string>
      contract_types;                                   // -> apprentissage|professionnalisation
  std::unordered_map<std::string, int> diploma_levels;  // -> 3..7
  std::unordered_map<std::string, bool> yes_no;
  std::unordered_map<std::string, Movement> movements;  // delta dialects only
};

// What a record of a file is, as far as the dialect is concerned.
// The dialect's columns feeding `field`, in the dialect's order, joined with
// ", " ("ROME1, ROME2, ROME3"); empty when none does. A file's header may
// write them differently (case, accents): ReadSummary::columns_as_written
// has its own spelling.
std::string columnsFeeding(const DialectSpec& spec, FieldId field);

enum class RecordRole { kEnvelope, kHeader, kData, kTrailer };

struct RecordContext {
  bool envelope_seen = false;
  bool header_seen = false;
  bool is_last = false;  // no non-blank record follows
};

// What the caller knows of the file beyond its bytes.
struct ReadOptions {
  std::string partner = "-";
  // The partner's own code in the vendor's software, when configured
  // (Sigma's `sigma_code`): a file naming another code is refused.
  std::optional<std::string> expected_partner_code;
  // Threads that decode and validate data rows, the reader's own included
  // (RowWorkers); 1: the reader's thread alone. The result is the same.
  std::size_t row_threads = 1;
  // Work a sink needs done for every offer (the store's JSON and content
  // hash), run on the thread that read the row, before the offer is
  // delivered in file order, so that it is spread over the row threads too.
  // It fills Offer::prepared only. Called concurrently: must be thread-safe.
  std::function<void(Offer&)> prepare_offer = nullptr;
  // Records the caller read before (formats/known_records.h): those it
  // holds unchanged are not read again. Only for snapshots; may be null;
  // must outlive the read.
  const KnownRecords* known_records = nullptr;
};

class Dialect {
 public:
  explicit Dialect(DialectSpec spec) : spec_(std::move(spec)) {}
  virtual ~Dialect() = default;
  Dialect(const Dialect&) = delete;
  Dialect& operator=(const Dialect&) = delete;

  const DialectSpec& spec() const { return spec_; }

  // Role of a non-blank record. `first_field` is its first field, decoded
  // and single-line folded.
  // Default: the first record is the header, the rest data.
  virtual RecordRole classify(std::string_view first_field, const RecordContext& ctx) const;

  // Checks an envelope record (decoded, single-line folded fields).
  virtual std::optional<FileIssue> checkEnvelope(const std::vector<std::string>& fields, long line,
                                                 const ReadOptions& options) const;

  // Called once at the end of a file whose records were all read. `trailer`
  // holds the trailer's fields if one was classified, `data_records` counts
  // the data records (rejected ones included). Default: nothing to check.
  virtual std::optional<FileIssue> checkEnd(const std::vector<std::string>* trailer,
                                            long trailer_line, long data_records) const;

  // Turns every decoded raw field into what the field rules read, before
  // folding (Sigma: `\n` escapes in descriptions). Returns `value` itself
  // when unchanged (no copy: it is called for every field of every row), or
  // a view of `scratch` holding the new value. Default: unchanged.
  virtual std::string_view transformField(FieldId field, std::string_view value,
                                          std::string& scratch) const;

 private:
  DialectSpec spec_;
};

}  // namespace passerelle::formats
