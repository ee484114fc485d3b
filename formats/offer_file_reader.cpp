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
#include "formats/row_validator.h"
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

// Stands for the part of a field past CsvLimits::field_bytes when it holds
// content: no rule reads that far, but the value must still count as longer
// (TITLE_TRUNCATED, REF_INVALID) and never as a valid code.
constexpr std::string_view kElided = "\xE2\x80\xA6";  // U+2026

// Buffers a record keeps after its turn (a batch slot, the lookahead); a
// larger one came from an exceptional record and is given back.
constexpr std::size_t kKeptRecordCapacity = 32 * 1024;

// True if folding cannot change `bytes` (printable ASCII, no space).
bool foldsToItself(std::string_view bytes) {
  for (char c : bytes)
    if (c <= ' ' || c >= 0x7F) return false;
  return true;
}

std::string hexByte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b);
  return buf;
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

// One read of a file, from the first byte to the last.
class FilePass {
 public:
  FilePass(const Dialect& dialect, const ReadOptions& options, OfferSink& sink, bool apply_rules)
      : dialect_(dialect),
        spec_(dialect.spec()),
        options_(options),
        sink_(sink),
        apply_rules_(apply_rules),
        validator_(dialect, options.partner),
        encoding_(spec_.encoding) {
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

  void process(const CsvRecord& r, bool is_last) {
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
        if (apply_rules_) readRow(r);
        return;
    }
  }

  void readHeader(const CsvRecord& r) {
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

  void readRow(const CsvRecord& r) {
    if (r.quote_error) {
      deliverReject(validator_.rejectWhole(
          r.line, data_records_,
          FieldError{
              std::nullopt, "CSV_QUOTE",
              "Guillemet fermant suivi d'autres caractères (ex. \"abc\"def) : ligne illisible",
              std::nullopt},
          std::nullopt));
      return;
    }
    if (r.fieldCount() != header_fields_) {
      deliverReject(validator_.rejectWhole(
          r.line, data_records_,
          FieldError{std::nullopt, "FIELD_COUNT",
                     "La ligne compte " + std::to_string(r.fieldCount()) + " champs, l'en-tête " +
                         std::to_string(header_fields_),
                     std::to_string(r.fieldCount())},
          std::nullopt));
      return;
    }
    if (!decodeRow(r)) return;
    validator_.beginRow(r.line, data_records_);
    for (std::size_t s = 0; s < spec_.columns.size(); ++s) {
      int c = column_of_spec_[s];
      if (c >= 0) validator_.addColumn(spec_.columns[s].field, decodedField(c));
    }
    if (validator_.finish()) {
      const Offer& o = validator_.offer();
      summary_.warnings += static_cast<long>(o.warnings.size());
      if (o.action == OfferAction::kDelete) {
        ++summary_.deletes;
      } else {
        ++summary_.offers;
      }
      ++summary_.records;
      sink_.onOffer(o);
    } else {
      deliverReject(validator_.reject());
    }
  }

  // Appends kept field `i` decoded (with kElided for a tail with content);
  // returns the first byte the encoding refuses in the whole field, if any.
  std::optional<unsigned char> decodeKept(const CsvRecord& r, std::size_t i,
                                          std::string& out) const {
    if (auto err = decodeAppend(encoding_, r.field(i), out)) return err->byte;
    if (const FieldTail* t = r.tail(i)) {
      if (auto byte = t->firstUndefinedByte(encoding_)) return byte;
      if (t->hasContent()) out += kElided;
    }
    return std::nullopt;
  }

  // Decodes every field of a row (an undefined byte anywhere rejects the row).
  bool decodeRow(const CsvRecord& r) {
    decoded_.clear();
    decoded_ends_.clear();
    std::optional<unsigned char> bad_byte;
    std::size_t bad_field = 0;
    for (std::size_t i = 0; i < r.keptFieldCount(); ++i) {
      if (!bad_byte) {
        bad_byte = decodeKept(r, i, decoded_);
        if (bad_byte) bad_field = i;
      }
      decoded_ends_.push_back(decoded_.size());
    }
    if (!bad_byte && r.dropped_fields > 0) {
      bad_byte = r.dropped.firstUndefinedByte(encoding_);
      bad_field = r.keptFieldCount();
    }
    if (!bad_byte) return true;
    // The row keeps its reference when the reference column itself decodes
    // cleanly, wherever it stands (offer.md, Precisions).
    std::optional<std::string> ref;
    for (std::size_t s = 0; s < spec_.columns.size(); ++s) {
      int c = column_of_spec_[s];
      if (spec_.columns[s].field != FieldId::kSourceRef || c < 0) continue;
      const auto column = static_cast<std::size_t>(c);
      std::string text;
      if (column != bad_field && column < r.keptFieldCount() && !decodeKept(r, column, text))
        ref = validator_.validSourceRef(text);
    }
    deliverReject(validator_.rejectWhole(
        r.line, data_records_,
        FieldError{std::nullopt, "ENCODING",
                   "Octet " + hexByte(*bad_byte) + " non défini dans l'encodage " +
                       std::string(encodingName(encoding_)) + " (champ " +
                       std::to_string(bad_field + 1) + ")",
                   hexByte(*bad_byte)},
        std::move(ref)));
    return false;
  }

  // A decoded field; empty for a field past CsvLimits::fields.
  std::string_view decodedField(std::size_t i) const {
    if (i >= decoded_ends_.size()) return {};
    std::size_t begin = i == 0 ? 0 : decoded_ends_[i - 1];
    return std::string_view(decoded_).substr(begin, decoded_ends_[i] - begin);
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
  RowValidator validator_;
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
  std::string decoded_;
  std::vector<std::size_t> decoded_ends_;
  std::string classify_key_;
  ReadSummary summary_;
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
