// RowWorkers: reads a file's data records (RowReader: decoding, field rules)
// on several threads and hands their outcomes back in file order.
//
// The file's reader adds each data record with add(), in file order. Records
// are gathered in batches of kBatchRows; a batch, once full, is read by one of
// the helper threads, or by the caller itself while it waits for the oldest
// batch. Batches are delivered to `deliver` on the caller's thread, one row
// at a time, strictly in the order they were added, so that what depends on
// earlier rows (DUPLICATE_REF, counts, output) stays sequential there.
// Memory is bounded: at most kBatchesPerThread batches per thread exist, and
// add() delivers the oldest (waiting for it) when all are in use; their
// records' buffers are reused.
//
// `threads` counts the threads that read rows, the caller included: 1 runs
// no helper (each batch is read by the caller when full), as before.
//
// Thread safety: add(), flush() and the destructor are for the caller's
// thread only. The helpers share nothing with it but the batches, handed over
// under the mutex; each has its own RowReader. An exception thrown while a
// batch is read is rethrown, on the caller's thread, when that batch is due.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "formats/csv_tokenizer.h"
#include "formats/known_records.h"
#include "formats/row_reader.h"

namespace passerelle::formats {

class RowWorkers {
 public:
  struct Row {
    CsvRecord record;                         // the caller swaps its record in
    long number = 0;                          // the record's number among data records
    std::shared_ptr<const RowLayout> layout;  // what the records before it decided
    RowOutcome outcome;                       // set by the reading
    // Set instead of `outcome` when the record is known and unchanged
    // (ReadOptions::known_records): the offer's reference; it was not read.
    const std::string* unchanged_ref = nullptr;
  };
  using Deliver = std::function<void(Row&)>;
  using Prepare = std::function<void(Offer&)>;  // ReadOptions::prepare_offer

  // `prepare`, when set, runs on the reading thread for each row read as an
  // offer, before it is delivered. `known`, when set, spares the reading of
  // the records it holds unchanged (formats/known_records.h).
  RowWorkers(const Dialect& dialect, const std::string& partner, std::size_t threads,
             Deliver deliver, Prepare prepare = nullptr, const KnownRecords* known = nullptr);
  ~RowWorkers();
  RowWorkers(const RowWorkers&) = delete;
  RowWorkers& operator=(const RowWorkers&) = delete;

  // The slot of the next data record, in file order, for the caller to fill.
  // May first deliver earlier rows.
  Row& add();
  // Reads and delivers every row added so far.
  void flush();
  // Reads a row delivered unchanged after all (on the caller's thread, from
  // `deliver`): its reference was claimed before, so it must be read to be
  // refused as a duplicate.
  void readNow(Row& row);

 private:
  static constexpr std::size_t kBatchRows = 64;
  static constexpr std::size_t kBatchesPerThread = 3;

  struct Batch {
    std::vector<Row> rows = std::vector<Row>(kBatchRows);
    std::size_t count = 0;
    bool done = false;  // guarded by mutex_ once submitted
    std::exception_ptr error;
  };

  void submit();
  void deliverOldest();
  void waitUntilDone(Batch* batch);
  void helperLoop();
  void readBatch(Batch& batch, RowReader& reader) const;
  void readRow(Row& row, RowReader& reader, std::string& identity) const;
  void readRecord(Row& row, RowReader& reader, std::string record_key) const;

  const Dialect& dialect_;
  const std::string partner_;
  Deliver deliver_;
  const Prepare prepare_;
  const KnownRecords* const known_;
  RowReader own_reader_;  // the caller's
  std::vector<std::unique_ptr<Batch>> storage_;
  // The caller's alone:
  std::vector<Batch*> free_;
  Batch* filling_ = nullptr;
  std::deque<Batch*> in_order_;  // submitted, not yet delivered, oldest first
  // Shared with the helpers:
  std::mutex mutex_;
  std::condition_variable work_;  // todo_ grew, or stopping_
  std::condition_variable done_;  // a batch is done
  std::deque<Batch*> todo_;       // submitted, not yet taken by any thread
  bool stopping_ = false;
  std::vector<std::thread> helpers_;
};

}  // namespace passerelle::formats
