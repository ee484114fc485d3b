#include "formats/record_pipe.h"

#include <string>
#include <utility>

#include "formats/encoding.h"

namespace passerelle::formats {

RecordPipe::RecordPipe(ByteSource& source, char delimiter)
    : source_(source), tokenizer_(delimiter) {
  for (std::size_t i = 0; i < kBatches; ++i) {
    storage_.push_back(std::make_unique<Batch>());
    storage_.back()->records.resize(kBatchRecords);
    free_.push_back(storage_.back().get());
  }
  producer_ = std::thread([this] { produce(); });
}

RecordPipe::~RecordPipe() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  changed_.notify_all();
  producer_.join();
}

RecordPipe::Batch* RecordPipe::takeFree() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return cancelled_ || !free_.empty(); });
  if (cancelled_) return nullptr;
  Batch* b = free_.front();
  free_.pop_front();
  b->count = 0;
  b->last = false;
  b->error = nullptr;
  return b;
}

void RecordPipe::publish(Batch* batch) {
  {
    std::lock_guard lock(mutex_);
    full_.push_back(batch);
  }
  changed_.notify_all();
}

void RecordPipe::produce() {
  Batch* batch = takeFree();
  if (batch == nullptr) return;
  bool bom = false;
  bool first = true;
  bool cancelled = false;
  std::size_t batch_bytes = 0;
  auto on_record = [&](CsvRecord& r) {
    if (cancelled || r.allEmpty()) return;  // blank lines carry nothing (a NUL is not blank)
    batch_bytes += r.bytes.size();
    std::swap(batch->records[batch->count++], r);
    if (batch->count == batch->records.size() || batch_bytes >= kBatchBytes) {
      batch->bom = bom;
      publish(batch);
      batch_bytes = 0;
      batch = takeFree();
      if (batch == nullptr) cancelled = true;
    }
  };
  try {
    // Not zero-filled: every byte used is first written by read().
    std::unique_ptr<char[]> buffer(new char[kChunkSize]);
    while (!cancelled) {
      std::size_t n = source_.read(buffer.get(), kChunkSize);
      if (n == 0) break;
      std::string_view chunk(buffer.get(), n);
      if (first) {
        first = false;
        // A BOM says UTF-8 whatever the dialect declares.
        if (std::size_t len = utf8BomLength(chunk)) {
          bom = true;
          chunk.remove_prefix(len);
        }
      }
      tokenizer_.feed(chunk, on_record);
    }
    if (cancelled) return;
    batch->terminated = tokenizer_.finish(on_record);
    if (cancelled) return;
    batch->unterminated_line = tokenizer_.unterminatedLine();
    batch->unterminated_nul = tokenizer_.unterminatedHasNul();
  } catch (...) {
    if (cancelled) return;
    batch->error = std::current_exception();
  }
  batch->bom = bom;
  batch->last = true;
  publish(batch);
}

RecordPipe::Batch* RecordPipe::next() {
  if (finished_) return nullptr;
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !full_.empty(); });
  Batch* b = full_.front();
  full_.pop_front();
  if (b->last) finished_ = true;
  if (b->error) std::rethrow_exception(b->error);
  return b;
}

void RecordPipe::recycle(Batch* batch) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(batch);
  }
  changed_.notify_all();
}

}  // namespace passerelle::formats
