#include "formats/row_workers.h"

#include <utility>

namespace passerelle::formats {

RowWorkers::RowWorkers(const Dialect& dialect, const std::string& partner, std::size_t threads,
                       Deliver deliver, Prepare prepare, const KnownRecords* known)
    : dialect_(dialect),
      partner_(partner),
      deliver_(std::move(deliver)),
      prepare_(std::move(prepare)),
      known_(known),
      own_reader_(dialect, partner) {
  if (threads == 0) threads = 1;
  for (std::size_t i = 0; i < kBatchesPerThread * threads; ++i) {
    storage_.push_back(std::make_unique<Batch>());
    free_.push_back(storage_.back().get());
  }
  for (std::size_t i = 1; i < threads; ++i) helpers_.emplace_back([this] { helperLoop(); });
}

RowWorkers::~RowWorkers() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_all();
  for (std::thread& t : helpers_) t.join();
}

RowWorkers::Row& RowWorkers::add() {
  if (filling_ != nullptr && filling_->count == kBatchRows) submit();
  if (filling_ == nullptr) {
    while (free_.empty()) deliverOldest();
    filling_ = free_.back();
    free_.pop_back();
  }
  return filling_->rows[filling_->count++];
}

void RowWorkers::flush() {
  if (filling_ != nullptr) submit();
  while (!in_order_.empty()) deliverOldest();
}

void RowWorkers::submit() {
  Batch* batch = filling_;
  filling_ = nullptr;
  in_order_.push_back(batch);
  if (helpers_.empty()) {
    readBatch(*batch, own_reader_);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    todo_.push_back(batch);
  }
  work_.notify_one();
}

void RowWorkers::deliverOldest() {
  Batch* batch = in_order_.front();
  waitUntilDone(batch);
  in_order_.pop_front();
  free_.push_back(batch);
  if (batch->error) std::rethrow_exception(std::exchange(batch->error, nullptr));
  const std::size_t count = std::exchange(batch->count, 0);
  for (std::size_t i = 0; i < count; ++i) {
    Row& row = batch->rows[i];
    deliver_(row);
    row.record.releaseLargeBuffers(32 * 1024);
    row.layout.reset();
  }
}

// While the oldest batch is not done, the caller reads the batches no helper
// has taken yet instead of waiting idle.
void RowWorkers::waitUntilDone(Batch* batch) {
  if (helpers_.empty()) return;
  std::unique_lock lock(mutex_);
  while (!batch->done) {
    if (todo_.empty()) {
      done_.wait(lock);
      continue;
    }
    Batch* mine = todo_.front();
    todo_.pop_front();
    lock.unlock();
    readBatch(*mine, own_reader_);
    lock.lock();
    mine->done = true;
  }
  batch->done = false;
}

void RowWorkers::helperLoop() {
  RowReader reader(dialect_, partner_);
  std::unique_lock lock(mutex_);
  for (;;) {
    work_.wait(lock, [this] { return stopping_ || !todo_.empty(); });
    if (stopping_) return;
    Batch* batch = todo_.front();
    todo_.pop_front();
    lock.unlock();
    readBatch(*batch, reader);
    lock.lock();
    batch->done = true;
    done_.notify_all();
  }
}

void RowWorkers::readBatch(Batch& batch, RowReader& reader) const {
  try {
    std::string identity;  // reused: one allocation per batch, not per row
    for (std::size_t i = 0; i < batch.count; ++i) readRow(batch.rows[i], reader, identity);
  } catch (...) {
    batch.error = std::current_exception();
  }
}

void RowWorkers::readRow(Row& row, RowReader& reader, std::string& identity) const {
  row.unchanged_ref = nullptr;
  std::string key;
  if (known_ && recordIdentity(row.record, *row.layout, dialect_.spec().name, partner_, identity)) {
    key = known_->keyOf(identity);
    row.unchanged_ref = known_->unchangedOffer(key);
    if (row.unchanged_ref) return;
  }
  readRecord(row, reader, std::move(key));
}

void RowWorkers::readRecord(Row& row, RowReader& reader, std::string record_key) const {
  reader.read(row.record, row.number, *row.layout, row.outcome);
  if (!row.outcome.is_offer) return;
  row.outcome.offer.prepared.record_key = std::move(record_key);
  if (prepare_) prepare_(row.outcome.offer);
}

void RowWorkers::readNow(Row& row) {
  row.unchanged_ref = nullptr;
  readRecord(row, own_reader_, std::string());
}

}  // namespace passerelle::formats
