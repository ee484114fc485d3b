#include "formats/offer_file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <unordered_map>
#include <unordered_set>

#include "formats/csv_tokenizer.h"
#include "formats/excerpt.h"
#include "formats/record_pipe.h"
#include "formats/reference_claims.h"
#include "formats/row_reader.h"
#include "formats/row_workers.h"
#include "formats/text_fold.h"

namespace passerelle::formats {

// ---------------------------------------------------------------- sources

std::size_t StringByteSource::read(char* buffer, std::size_t capacity) {
  std::size_t n = std::min(capacity, bytes_.size());
  std::memcpy(buffer, bytes_.data(), n);
  bytes_.remove_prefix(n);
  return n;
}

FileByteSource::FileByteSource(const std::string& path) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
  // writer, for ever; a regular file ignores the flag.
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path);
  struct stat st {};
  if (::fstat(fd_, &st) == 0) regular_ = S_ISREG(st.st_mode);
  if (!regular_) {
    ::close(fd_);
    fd_ = -1;
    throw std::system_error(EINVAL, std::generic_category(), path + " is not a regular file");
  }
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

FileByteSource::~FileByteSource() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t FileByteSource::read(char* buffer, std::size_t capacity) {
  for (;;) {
    ssize_t n = ::read(fd_, buffer, capacity);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "read failed");
  }
}

// ---------------------------------------------------------------- the pass

namespace {

// File errors in the order offer.md reports them when a file has several.
constexpr std::array<std::string_view, 10> kFileErrorPriority = {
    "BINARY_CONTENT",         "EMPTY_FILE",
    "ENVELOPE_MISSING",       "VERSION_UNSUPPORTED",
    "PARTNER_MISMATCH",       "HEADER_DUPLICATE_COLUMN",
    "HEADER_MISSING_COLUMNS", "CSV_UNTERMINATED_QUOTE",
    "TRAILER_MISSING",        "TRAILER_COUNT_MISMATCH",
};

std::size_t priorityOf(std::string_view code) {
  for (std::size_t i = 0; i < kFileErrorPriority.size(); ++i)
    if (kFileErrorPriority[i] == code) return i;
  return kFileErrorPriority.size();
}

class NullSink final : public OfferSink {};

// Buffers a record keeps after its turn (a batch slot, the lookahead); a
// larger one came from an exceptional record and is given back.
constexpr std::size_t kKeptRecordCapacity = 32 * 1024;

// True if folding cannot change `bytes` (printable ASCII, no space).
bool foldsToItself(std::string_view bytes) {
  for (char c : bytes)
    if (c <= ' ' || c >= 0x7F) return false;
  return true;
}

// Decodes a field that is not data (header names, envelope), replacing what
// the encoding does not define instead of refusing it.
std::string decodeLenient(Encoding enc, std::string_view bytes) {
  std::string out;
  while (auto err = decodeAppend(enc, bytes, out)) {
    out += "\xEF\xBF\xBD";  // U+FFFD
    bytes.remove_prefix(err->offset + 1);
  }
  return out;
}

// One read of a file, from the first byte to the last. The records are
// routed in file order on the caller's thread (encoding choice, roles,
// header); data rows are read by RowWorkers, on options.row_threads threads,
// and come back here in file order (DUPLICATE_REF, counts, the sink).
class FilePass {
 public:
  FilePass(const Dialect& dialect, const ReadOptions& options, OfferSink& sink, bool apply_rules)
      : dialect_(dialect),
        spec_(dialect.spec()),
        options_(options),
        sink_(sink),
        apply_rules_(apply_rules),
        claims_(spec_.semantics),
        encoding_(spec_.encoding),
        rows_(
            dialect, options.partner, apply_rules ? options.row_threads : 1,
            [this](RowWorkers::Row& row) { deliver(row); }, options.prepare_offer,
            apply_rules && claims_.snapshot() ? options.known_records : nullptr) {
    for (std::size_t i = 0; i < spec_.columns.size(); ++i)
      spec_index_.emplace(codeKey(spec_.columns[i].header), i);
    summary_.format = spec_.name;
  }

  ReadSummary run(ByteSource& source) {
    RecordPipe pipe(source, spec_.delimiter);
    while (RecordPipe::Batch* batch = pipe.next()) {
      if (batch->bom && !encoding_decided_) {
        encoding_ = Encoding::kUtf8;
        encoding_decided_ = true;
        layout_.reset();
      }
      for (std::size_t i = 0; i < batch->count; ++i) onRecord(batch->records[i]);
      if (batch->last && !batch->terminated) {
        if (batch->unterminated_nul)
          fault("BINARY_CONTENT", binaryMessage(), batch->unterminated_line);
        fault("CSV_UNTERMINATED_QUOTE",
              "Un guillemet ouvert n'est jamais refermé : le fichier a été tronqué",
              batch->unterminated_line);
      }
      pipe.recycle(batch);
    }
    if (has_pending_) process(pending_, /*is_last=*/true);
    rows_.flush();
    finishFile();
    return summary_;
  }

 private:
  static std::string binaryMessage() {
    return "Le fichier contient un octet nul : ce n'est pas un fichier texte CSV";
  }

  void fault(std::string code, std::string message, std::optional<long> line,
             std::optional<std::string> value = std::nullopt) {
    fault(FileIssue{std::move(code), std::move(message), std::move(value), line});
  }
  void fault(FileIssue issue) {
    if (fault_ && priorityOf(fault_->code) <= priorityOf(issue.code)) return;
    if (issue.value) issue.value = excerpt(*issue.value);
    fault_ = std::move(issue);
  }

  // One record of lookahead, so that a dialect knows which record is last.
  // The record is swapped into `pending_`, not copied.
  void onRecord(CsvRecord& r) {
    if (r.has_nul) fault("BINARY_CONTENT", binaryMessage(), r.line);
    if (has_pending_) process(pending_, /*is_last=*/false);
    std::swap(pending_, r);
    r.releaseLargeBuffers(kKeptRecordCapacity);
    has_pending_ = true;
  }

  // The formats README: the first non-ASCII byte of the file decides between
  // UTF-8 (if it begins a well-formed sequence) and the declared encoding.
  // Fields are looked at in file order: a kept field, then its tail.
  void decideEncoding(const CsvRecord& r) {
    auto decide = [this](std::string_view from_first_non_ascii) {
      encoding_ = startsWellFormedUtf8(from_first_non_ascii) ? Encoding::kUtf8 : spec_.encoding;
      encoding_decided_ = true;
      layout_.reset();
    };
    for (std::size_t i = 0; i < r.keptFieldCount(); ++i) {
      std::string_view f = r.field(i);
      for (std::size_t j = 0; j < f.size(); ++j) {
        if (static_cast<unsigned char>(f[j]) < 0x80) continue;
        return decide(f.substr(j));
      }
      if (const FieldTail* t = r.tail(i); t && !t->firstNonAscii().empty())
        return decide(t->firstNonAscii());
    }
    if (!r.dropped.firstNonAscii().empty()) decide(r.dropped.firstNonAscii());
  }

  // A kept field decoded leniently, with kElided for a tail with content.
  std::string decodeKeptLenient(const CsvRecord& r, std::size_t i) const {
    std::string out = decodeLenient(encoding_, r.field(i));
    if (const FieldTail* t = r.tail(i); t && t->hasContent()) out += kElided;
    return out;
  }

  std::vector<std::string> decodeAll(const CsvRecord& r) const {
    std::vector<std::string> fields;
    for (std::size_t i = 0; i < r.keptFieldCount(); ++i)
      fields.push_back(foldSingleLine(decodeKeptLenient(r, i)));
    return fields;
  }

  // What a dialect classifies a record by: its first field, decoded and
  // folded (offer.md, Precisions: a no-break space before Sigma's #FIN is
  // white space in every encoding).
  std::string_view classifyKey(const CsvRecord& r) {
    std::string_view raw = r.field(0);
    if (foldsToItself(raw) && r.tail(0) == nullptr) return raw;
    foldSingleLine(decodeKeptLenient(r, 0), classify_key_);
    return classify_key_;
  }

  // `r` may be taken (swapped out) by a data row.
  void process(CsvRecord& r, bool is_last) {
    if (!encoding_decided_) decideEncoding(r);
    if (stopped_) return;  // the file is refused; only NUL bytes still matter
    RecordContext ctx{envelope_seen_, header_seen_, is_last};
    switch (dialect_.classify(classifyKey(r), ctx)) {
      case RecordRole::kEnvelope:
        envelope_seen_ = true;
        if (auto issue = dialect_.checkEnvelope(decodeAll(r), r.line, options_)) {
          fault(std::move(*issue));
          stopped_ = true;
        }
        return;
      case RecordRole::kHeader:
        readHeader(r);
        return;
      case RecordRole::kTrailer:
        trailer_ = decodeAll(r);
        trailer_line_ = r.line;
        return;
      case RecordRole::kData:
        ++data_records_;
        if (apply_rules_) queueRow(r);
        return;
    }
  }

  void readHeader(const CsvRecord& r) {
    rows_.flush();  // the rows before it, if any, go to the sink before its warning
    layout_.reset();
    header_seen_ = true;
    header_fields_ = r.fieldCount();
    column_of_spec_.assign(spec_.columns.size(), -1);
    std::string unknown;
    std::unordered_set<std::string> unknown_keys;  // each unknown name once (Precisions)
    std::string duplicates;
    for (std::size_t i = 0; i < r.keptFieldCount(); ++i) {
      std::string name = foldSingleLine(decodeKeptLenient(r, i));
      if (name.empty()) continue;  // columns with an empty name are ignored
      std::string key = codeKey(name);
      auto it = spec_index_.find(key);
      if (it == spec_index_.end()) {
        if (unknown_keys.insert(std::move(key)).second)
          unknown += (unknown.empty() ? "" : ", ") + name;
      } else if (column_of_spec_[it->second] >= 0) {
        duplicates += (duplicates.empty() ? "" : ", ") + name;
      } else {
        column_of_spec_[it->second] = static_cast<int>(i);
        std::string& as_written =
            summary_.columns_as_written[static_cast<std::size_t>(spec_.columns[it->second].field)];
        as_written += (as_written.empty() ? "" : ", ") + name;
      }
    }
    std::string missing;
    for (std::size_t s = 0; s < spec_.columns.size(); ++s)
      if (spec_.columns[s].required && column_of_spec_[s] < 0)
        missing += (missing.empty() ? "" : ", ") + spec_.columns[s].header;
    if (!duplicates.empty()) {
      fault("HEADER_DUPLICATE_COLUMN", "Colonne en double dans l'en-tête : " + excerpt(duplicates),
            r.line, duplicates);
      stopped_ = true;
    }
    if (!missing.empty()) {
      fault("HEADER_MISSING_COLUMNS", "Colonnes obligatoires absentes de l'en-tête : " + missing,
            r.line, missing);
      stopped_ = true;
    }
    if (!unknown.empty() && !stopped_) {
      FileIssue w{"HEADER_UNKNOWN_COLUMNS", "Colonnes inconnues ignorées : " + excerpt(unknown),
                  excerpt(unknown), r.line};
      ++summary_.warnings;
      sink_.onFileWarning(w);
    }
  }

  // What the records so far decided for the rows after them; a new one when
  // the encoding is chosen or a header read (rows already queued keep theirs).
  std::shared_ptr<const RowLayout> layout() {
    if (!layout_)
      layout_ =
          std::make_shared<const RowLayout>(RowLayout{encoding_, header_fields_, column_of_spec_});
    return layout_;
  }

  void queueRow(CsvRecord& r) {
    RowWorkers::Row& row = rows_.add();
    std::swap(row.record, r);
    row.number = data_records_;
    row.layout = layout();
  }

  // A row read by RowWorkers, in file order.
  void deliver(RowWorkers::Row& in) {
    if (in.unchanged_ref) {
      // Its reference taken by an earlier row: read it, to refuse it as such.
      if (!claims_.claim(*in.unchanged_ref)) {
        rows_.readNow(in);
      } else {
        ++summary_.offers;
        ++summary_.records;
        sink_.onUnchangedOffer(*in.unchanged_ref);
        return;
      }
    }
    RowOutcome& row = in.outcome;
    claims_.apply(row);
    if (!row.is_offer) {
      deliverReject(row.reject);
      return;
    }
    const Offer& o = row.offer;
    summary_.warnings += static_cast<long>(o.warnings.size());
    if (o.action == OfferAction::kDelete) {
      ++summary_.deletes;
    } else {
      ++summary_.offers;
    }
    ++summary_.records;
    sink_.onOffer(o);
  }

  void deliverReject(const Reject& reject) {
    ++summary_.rejects;
    ++summary_.records;
    summary_.warnings += static_cast<long>(reject.warnings.size());
    sink_.onReject(reject);
  }

  void finishFile() {
    if (!stopped_ && !header_seen_)
      fault("EMPTY_FILE", "Le fichier est vide (pas d'en-tête)", std::nullopt);
    if (!stopped_ && header_seen_) {
      if (auto issue =
              dialect_.checkEnd(trailer_ ? &*trailer_ : nullptr, trailer_line_, data_records_))
        fault(std::move(*issue));
    }
    summary_.encoding = encoding_;
    if (fault_) {
      ReadSummary refused;
      refused.format = spec_.name;
      refused.encoding = encoding_;
      refused.file_error = fault_;
      refused.columns_as_written = std::move(summary_.columns_as_written);
      summary_ = std::move(refused);
    }
  }

  const Dialect& dialect_;
  const DialectSpec& spec_;
  const ReadOptions& options_;
  OfferSink& sink_;
  const bool apply_rules_;
  ReferenceClaims claims_;
  Encoding encoding_;
  bool encoding_decided_ = false;
  std::unordered_map<std::string, std::size_t> spec_index_;  // codeKey(header) -> spec column

  CsvRecord pending_;
  bool has_pending_ = false;
  bool envelope_seen_ = false;
  bool header_seen_ = false;
  bool stopped_ = false;
  std::size_t header_fields_ = 0;
  std::vector<int> column_of_spec_;  // file column of each spec column, or -1
  std::optional<std::vector<std::string>> trailer_;
  long trailer_line_ = 0;
  long data_records_ = 0;
  std::optional<FileIssue> fault_;
  std::string classify_key_;
  ReadSummary summary_;
  std::shared_ptr<const RowLayout> layout_;  // null: to be made again
  // Last: destroyed first, so that no helper outlives what it reads.
  RowWorkers rows_;
};

}  // namespace

OfferFileReader::OfferFileReader(const Dialect& dialect, ReadOptions options)
    : dialect_(dialect), options_(std::move(options)) {}

ReadSummary OfferFileReader::readOnePass(ByteSource& source, OfferSink& sink) {
  FilePass pass(dialect_, options_, sink, /*apply_rules=*/true);
  return pass.run(source);
}

ReadSummary OfferFileReader::readFile(const std::string& path, OfferSink& sink) {
  {
    FileByteSource source(path);
    if (!source.isRegularFile())
      throw std::system_error(EINVAL, std::generic_category(), path + " is not a regular file");
    NullSink none;
    FilePass quick(dialect_, options_, none, /*apply_rules=*/false);
    ReadSummary first = quick.run(source);
    if (first.file_error) return first;
  }
  FileByteSource source(path);
  FilePass full(dialect_, options_, sink, /*apply_rules=*/true);
  return full.run(source);
}

}  // namespace passerelle::formats
