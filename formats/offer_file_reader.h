// OfferFileReader: the one import pipeline that turns a partner's export, in
// any dialect, into normalised offers, deletes, rejects and file issues.
//
// Pipeline: bytes -> CsvTokenizer -> records -> encoding choice and decoding
// -> dialect roles (envelope, header, data, trailer) -> column mapping ->
// field rules (RowValidator) -> OfferSink. Memory does not grow with the
// file, apart from the set of source_refs seen (DUPLICATE_REF).
//
// A file error (offer.md: BINARY_CONTENT ... TRAILER_COUNT_MISMATCH) may only
// be found at the end of the file. readOnePass() delivers rows as they come
// and tells about a file error at the end (the caller must then discard what
// it received: the store rolls its transaction back). readFile() reads a
// regular file twice when needed so that its sink never sees a row of a
// refused file.
//
// Threads: reading and tokenizing run on a second thread (RecordPipe), data
// rows are decoded and validated on ReadOptions::row_threads threads
// (RowWorkers), all stopped before a read returns or throws; the sink is
// called on the caller's thread only, in file order, and what it receives
// does not depend on the number of threads.
//
// Thread safety: one reader per thread; a Dialect may be shared.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/dialect.h"
#include "formats/encoding.h"
#include "formats/field_error.h"
#include "formats/offer.h"

namespace passerelle::formats {

// Receives a file's rows in file order.
class OfferSink {
 public:
  virtual ~OfferSink() = default;
  virtual void onFileWarning(const FileIssue&) {}
  virtual void onOffer(const Offer&) {}  // upserts and deletes
  // An offer not read, known unchanged (ReadOptions::known_records): its
  // reference. Counted with the offers.
  virtual void onUnchangedOffer(const std::string& /*source_ref*/) {}
  virtual void onReject(const Reject&) {}
};

struct ReadSummary {
  std::string format;
  long records = 0;  // offers + deletes + rejects
  long offers = 0;
  long deletes = 0;
  long rejects = 0;
  long warnings = 0;                    // every warning object, file warnings included
  std::optional<FileIssue> file_error;  // when set, every count is zero
  Encoding encoding = Encoding::kUtf8;  // the encoding the file was read in
  // Per field (indexed by FieldId), the header's columns feeding it as
  // written in the file, in header order, joined with ", " ("ROME1, ROME2");
  // empty when the header has none. What reports name a field by.
  std::vector<std::string> columns_as_written = std::vector<std::string>(kFieldCount);
};

// A source of bytes, read in chunks (a file, a download, a test string).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Fills `buffer` with up to `capacity` bytes; returns 0 at the end.
  // Throws std::system_error on an I/O failure.
  virtual std::size_t read(char* buffer, std::size_t capacity) = 0;
};

class StringByteSource final : public ByteSource {
 public:
  explicit StringByteSource(std::string_view bytes) : bytes_(bytes) {}
  std::size_t read(char* buffer, std::size_t capacity) override;

 private:
  std::string_view bytes_;
};

class FileByteSource final : public ByteSource {
 public:
  explicit FileByteSource(const std::string& path);  // throws std::system_error
  ~FileByteSource() override;
  FileByteSource(const FileByteSource&) = delete;
  FileByteSource& operator=(const FileByteSource&) = delete;
  std::size_t read(char* buffer, std::size_t capacity) override;
  bool isRegularFile() const { return regular_; }

 private:
  int fd_ = -1;
  bool regular_ = false;
};

class OfferFileReader {
 public:
  OfferFileReader(const Dialect& dialect, ReadOptions options);

  // One pass, rows delivered as read; see the header comment.
  ReadSummary readOnePass(ByteSource& source, OfferSink& sink);

  // Reads a regular file so that `sink` receives nothing if the file is
  // refused: a quick first pass (no field rules) looks for file errors, the
  // second delivers the rows. Throws std::system_error if the file cannot be
  // read or is not a regular file.
  ReadSummary readFile(const std::string& path, OfferSink& sink);

 private:
  const Dialect& dialect_;
  ReadOptions options_;
};

}  // namespace passerelle::formats
