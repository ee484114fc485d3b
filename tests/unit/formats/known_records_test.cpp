// ReadOptions::known_records (formats/known_records.h): records the caller
// holds unchanged are not read, everything else reads as without it.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "formats/known_records.h"
#include "reader_test_support.h"

using namespace passerelle::formats;
using namespace passerelle::formats::testing;

namespace {

// Keys are the identities themselves (no collision possible); every key
// seen is kept, and the ones in `unchanged` answer with their reference.
class FakeKnownRecords final : public KnownRecords {
 public:
  std::string keyOf(std::string_view identity) const override { return std::string(identity); }
  const std::string* unchangedOffer(const std::string& key) const override {
    auto it = unchanged.find(key);
    return it == unchanged.end() ? nullptr : &it->second;
  }
  std::map<std::string, std::string> unchanged;  // key -> reference
};

// Records what the reader delivered, the skipped records included.
class KnownSink final : public OfferSink {
 public:
  void onOffer(const Offer& o) override {
    order.push_back("offer " + o.source_ref.value_or("?"));
    keys[o.source_ref.value_or("?")] = o.prepared.record_key;
  }
  void onUnchangedOffer(const std::string& ref) override { order.push_back("unchanged " + ref); }
  void onReject(const Reject& r) override {
    order.push_back("reject " + r.source_ref.value_or("?") + " " +
                    (r.errors.empty() ? "" : r.errors[0].code));
  }
  std::vector<std::string> order;
  std::map<std::string, std::string> keys;  // reference -> record key
};

struct Read {
  ReadSummary summary;
  KnownSink sink;
};

Read readKnown(const std::string& bytes, const KnownRecords* known, std::size_t threads) {
  auto dialect = DialectRegistry::instance().create("ymag");
  ReadOptions options;
  options.partner = "p";
  options.row_threads = threads;
  options.known_records = known;
  Read r;
  StringByteSource source(bytes);
  r.summary = OfferFileReader(*dialect, options).readOnePass(source, r.sink);
  return r;
}

std::string file(const std::vector<std::string>& refs) {
  DialectFixture f = ymag();
  std::string s = f.headerLine();
  for (const std::string& ref : refs) s += f.row({{"N° offre", ref}});
  return s;
}

}  // namespace

TEST_CASE("known records: a record held unchanged is not read; the others carry their key") {
  for (std::size_t threads : {1, 3}) {
    CAPTURE(threads);
    FakeKnownRecords known;
    const std::string day1 = file({"Y-1", "Y-2", "Y-3"});
    Read first = readKnown(day1, &known, threads);
    REQUIRE(first.sink.order == std::vector<std::string>{"offer Y-1", "offer Y-2", "offer Y-3"});
    for (const auto& [ref, key] : first.sink.keys) CHECK(!key.empty());
    CHECK(first.sink.keys["Y-1"] != first.sink.keys["Y-2"]);

    known.unchanged[first.sink.keys["Y-1"]] = "Y-1";
    known.unchanged[first.sink.keys["Y-3"]] = "Y-3";
    Read second = readKnown(day1, &known, threads);
    CHECK(second.sink.order ==
          std::vector<std::string>{"unchanged Y-1", "offer Y-2", "unchanged Y-3"});
    // Counted as the offers they are.
    CHECK(second.summary.offers == first.summary.offers);
    CHECK(second.summary.records == first.summary.records);
  }
}

TEST_CASE("known records: the key depends on the layout, not on where the record stands") {
  FakeKnownRecords known;
  DialectFixture f = ymag();
  const std::string row = f.row({{"N° offre", "Y-1"}});
  Read a = readKnown(f.headerLine() + row, &known, 1);
  Read moved = readKnown(f.headerLine() + f.row({{"N° offre", "Y-0"}}) + row, &known, 1);
  CHECK(moved.sink.keys["Y-1"] == a.sink.keys["Y-1"]);

  // The same bytes under another header read otherwise: another key.
  DialectFixture swapped = f;
  std::swap(swapped.header[1], swapped.header[4]);  // Raison sociale <-> Intitulé du poste
  Read other = readKnown(swapped.headerLine() + row, &known, 1);
  REQUIRE(other.sink.keys.count("Y-1") == 1);
  CHECK(other.sink.keys["Y-1"] != a.sink.keys["Y-1"]);
}

TEST_CASE("known records: a known record whose reference is taken is read and refused") {
  for (std::size_t threads : {1, 3}) {
    CAPTURE(threads);
    FakeKnownRecords known;
    Read first = readKnown(file({"Y-1"}), &known, threads);
    known.unchanged[first.sink.keys["Y-1"]] = "Y-1";
    // The same record twice: the first is skipped, the second is a duplicate.
    Read twice = readKnown(file({"Y-1", "Y-1"}), &known, threads);
    CHECK(twice.sink.order ==
          std::vector<std::string>{"unchanged Y-1", "reject Y-1 DUPLICATE_REF"});
    Read plain = readKnown(file({"Y-1", "Y-1"}), nullptr, threads);
    CHECK(plain.sink.order == std::vector<std::string>{"offer Y-1", "reject Y-1 DUPLICATE_REF"});
    CHECK(twice.summary.rejects == plain.summary.rejects);
    CHECK(twice.summary.offers == plain.summary.offers);

    // Another record with the reference first: the known one is refused.
    DialectFixture f = ymag();
    const std::string other_first = f.headerLine() +
                                    f.row({{"N° offre", "Y-1"}, {"Intitulé du poste", "Autre"}}) +
                                    f.row({{"N° offre", "Y-1"}});
    Read refused = readKnown(other_first, &known, threads);
    CHECK(refused.sink.order == std::vector<std::string>{"offer Y-1", "reject Y-1 DUPLICATE_REF"});
  }
}

TEST_CASE("known records: records with a quote error or a cut field have no identity") {
  CsvRecord r;
  r.bytes = "ab";
  r.ends = {1, 2};
  RowLayout layout;
  std::string out;
  CHECK(recordIdentity(r, layout, "ymag", "p", out));
  std::string again;
  CHECK(recordIdentity(r, layout, "ymag", "q", again));
  CHECK(again != out);  // another partner
  r.quote_error = true;
  CHECK_FALSE(recordIdentity(r, layout, "ymag", "p", out));
  r.quote_error = false;
  r.dropped_fields = 1;
  CHECK_FALSE(recordIdentity(r, layout, "ymag", "p", out));
  // Field boundaries count: "a|b" is not "ab|".
  CsvRecord s;
  s.bytes = "ab";
  s.ends = {2, 2};
  std::string t, u;
  CsvRecord r2;
  r2.bytes = "ab";
  r2.ends = {1, 2};
  recordIdentity(s, layout, "ymag", "p", t);
  recordIdentity(r2, layout, "ymag", "p", u);
  CHECK(t != u);
}

TEST_CASE("known records: a delta file never skips") {
  FakeKnownRecords known;
  DialectFixture f = gil();
  auto dialect = DialectRegistry::instance().create("gil");
  std::string bytes = f.headerLine() + f.row();
  ReadOptions options;
  options.known_records = &known;
  KnownSink sink;
  StringByteSource source(bytes);
  OfferFileReader(*dialect, options).readOnePass(source, sink);
  REQUIRE(sink.keys.size() == 1);
  CHECK(sink.keys.begin()->second.empty());  // not even keyed
}
