// fuzz_reader: libFuzzer target for the whole import pipeline
// (OfferFileReader::readOnePass, offer_file_reader.h).
//
// Input layout: the first byte picks the dialect among
// DialectRegistry::instance().names() (byte % count) and, with its next bit,
// whether a Sigma partner code is expected (ReadOptions); the remaining bytes
// are the file. Every offer, reject, file warning, file error and the summary
// is serialised to JSON (offer_json.h), so the JSON writers are fuzzed too.
//
// Besides the sanitizers' findings (crashes, overflows, leaks, UB, uncaught
// exceptions), the target aborts when a documented contract is broken:
//   - summary: records = offers + deletes + rejects; every count zero when
//     there is a file error; otherwise the counts match what the sink got,
//     and warnings = file warnings + every row's warnings (offer.md);
//   - rows come in file order with physical line numbers >= 1;
//   - every JSON byte string is well-formed UTF-8 (offer.md: "Bytes: UTF-8");
//   - the same input read twice gives the same bytes (offer.md), the second
//     time with its rows read on three threads (ReadOptions::row_threads).
//
// Build: CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DPASSERELLE_FUZZ=ON
//        cmake --build build-fuzz --target fuzz_reader
// Run:   build-fuzz/tests/fuzz/fuzz_reader CORPUS_DIR -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "formats/dialect.h"
#include "formats/dialect_registry.h"
#include "formats/offer.h"
#include "formats/offer_file_reader.h"
#include "formats/offer_json.h"

namespace {

namespace pf = passerelle::formats;

[[noreturn]] void contractBroken(const char* what) {
  std::fprintf(stderr, "fuzz_reader: contract broken: %s\n", what);
  std::abort();
}

void require(bool condition, const char* what) {
  if (!condition) contractBroken(what);
}

// Well-formed UTF-8 per Unicode (no overlong forms, surrogates or > U+10FFFF).
bool isWellFormedUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b1 < lo || b1 > hi) return false;
    for (std::size_t k = 2; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (b < 0x80 || b > 0xBF) return false;
    }
    i += len;
  }
  return true;
}

// Serialises everything it receives, one JSON object per line, and checks
// the row-level contracts as rows arrive.
class JsonSink final : public pf::OfferSink {
 public:
  void onFileWarning(const pf::FileIssue& issue) override {
    pf::appendFileWarningJson(issue, out_);
    out_ += '\n';
    ++file_warnings_;
  }
  void onOffer(const pf::Offer& offer) override {
    checkLine(offer.line);
    pf::appendOfferJson(offer, out_);
    out_ += '\n';
    if (offer.action == pf::OfferAction::kDelete) {
      ++deletes_;
    } else {
      ++upserts_;
    }
    row_warnings_ += static_cast<long>(offer.warnings.size());
  }
  void onReject(const pf::Reject& reject) override {
    checkLine(reject.line);
    require(!reject.errors.empty(), "a reject carries at least one error");
    pf::appendRejectJson(reject, out_);
    out_ += '\n';
    ++rejects_;
    row_warnings_ += static_cast<long>(reject.warnings.size());
  }

  const std::string& out() const { return out_; }
  long upserts() const { return upserts_; }
  long deletes() const { return deletes_; }
  long rejects() const { return rejects_; }
  long warnings() const { return file_warnings_ + row_warnings_; }

 private:
  void checkLine(long line) {
    require(line >= 1, "row line numbers are 1-based");
    require(line > last_line_, "rows are delivered in file order");
    last_line_ = line;
  }

  std::string out_;
  long upserts_ = 0, deletes_ = 0, rejects_ = 0;
  long file_warnings_ = 0, row_warnings_ = 0;
  long last_line_ = 0;
};

// The dialects, created once (a Dialect is immutable and may be shared).
struct Dialects {
  std::vector<std::string> names;
  std::vector<std::unique_ptr<pf::Dialect>> dialects;
};

const Dialects& dialects() {
  static const Dialects all = [] {
    Dialects d;
    const auto& registry = pf::DialectRegistry::instance();
    d.names = registry.names();
    for (const auto& name : d.names) {
      d.dialects.push_back(registry.create(name));
      require(d.dialects.back() != nullptr, "every registered name creates a dialect");
    }
    require(!d.dialects.empty(), "the registry has dialects");
    return d;
  }();
  return all;
}

// Reads `file` once and returns everything printed.
std::string readAndSerialise(const pf::Dialect& dialect, const pf::ReadOptions& options,
                             std::string_view file) {
  pf::OfferFileReader reader(dialect, options);
  pf::StringByteSource source(file);
  JsonSink sink;
  const pf::ReadSummary summary = reader.readOnePass(source, sink);

  require(summary.format == dialect.spec().name, "summary.format is the dialect's name");
  require(summary.records == summary.offers + summary.deletes + summary.rejects,
          "records = offers + deletes + rejects");
  std::string out = sink.out();
  if (summary.file_error) {
    require(summary.records == 0 && summary.offers == 0 && summary.deletes == 0 &&
                summary.rejects == 0 && summary.warnings == 0,
            "every count is zero when there is a file error");
    pf::appendFileErrorJson(*summary.file_error, out);
    out += '\n';
  } else {
    require(summary.offers == sink.upserts(), "summary.offers = upserts delivered");
    require(summary.deletes == sink.deletes(), "summary.deletes = deletes delivered");
    require(summary.rejects == sink.rejects(), "summary.rejects = rejects delivered");
    require(summary.warnings == sink.warnings(),
            "summary.warnings = file warnings + row warnings delivered");
  }
  pf::appendSummaryJson(summary, out);
  out += '\n';
  require(isWellFormedUtf8(out), "JSON output is well-formed UTF-8");
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Dialects& all = dialects();
  const std::size_t count = all.dialects.size();
  const std::size_t selector = data[0];
  const pf::Dialect& dialect = *all.dialects[selector % count];

  pf::ReadOptions options;
  options.partner = "fuzz";
  if ((selector / count) & 1U) options.expected_partner_code = "CMA29";

  const std::string_view file(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string first = readAndSerialise(dialect, options, file);
  options.row_threads = 3;
  const std::string second = readAndSerialise(dialect, options, file);
  require(first == second, "the same file gives the same bytes, on one thread or three");
  return 0;
}
