// RecordPipe: reads a ByteSource and tokenizes it on a second thread, handing
// the records to the caller in file order, in batches.
//
// Reading and tokenizing are a quarter of the cost of reading an export; the
// other three quarters (decoding, field rules) stay on the caller's thread
// and in file order, so that nothing about a file's semantics depends on
// threads. Memory is bounded: at most kBatches batches of kBatchRecords
// records, or of kBatchBytes bytes, are in flight, each record is bounded
// (CsvLimits), and their buffers are reused (the consumer gives back those
// grown by an exceptional record: CsvRecord::releaseLargeBuffers).
//
// Thread safety: one consumer (the thread that created the pipe). The
// producer thread only touches the ByteSource and the tokenizer. If the
// consumer stops early (an exception), the destructor cancels and joins the
// producer. An exception thrown by the source is rethrown by next().
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "formats/csv_tokenizer.h"
#include "formats/offer_file_reader.h"

namespace passerelle::formats {

class RecordPipe {
 public:
  struct Batch {
    std::vector<CsvRecord> records;  // the first `count` are this batch's
    std::size_t count = 0;
    bool last = false;  // the end of the input: the fields below are set
    bool bom = false;   // the input started with a UTF-8 BOM (set on every batch)
    bool terminated = true;
    long unterminated_line = 0;
    bool unterminated_nul = false;
    std::exception_ptr error;
  };

  RecordPipe(ByteSource& source, char delimiter);
  ~RecordPipe();
  RecordPipe(const RecordPipe&) = delete;
  RecordPipe& operator=(const RecordPipe&) = delete;

  // The next batch, or nullptr after the last one. The caller may swap
  // records out of it (their buffers come back through recycle()).
  Batch* next();
  // Gives a consumed batch back for reuse.
  void recycle(Batch* batch);

 private:
  static constexpr std::size_t kBatches = 4;
  static constexpr std::size_t kBatchRecords = 256;
  static constexpr std::size_t kBatchBytes = 2 * 1024 * 1024;
  static constexpr std::size_t kChunkSize = 1 << 20;

  void produce();
  Batch* takeFree();  // producer side; nullptr when cancelled
  void publish(Batch* batch);

  ByteSource& source_;
  CsvTokenizer tokenizer_;
  std::vector<std::unique_ptr<Batch>> storage_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch*> free_;
  std::deque<Batch*> full_;
  bool cancelled_ = false;
  bool finished_ = false;  // the consumer has seen the last batch
  std::thread producer_;
};

}  // namespace passerelle::formats
