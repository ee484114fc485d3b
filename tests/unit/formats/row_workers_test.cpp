// The reader on several threads (RowWorkers) gives exactly what it gives on
// one: the same offers, rejects, file warnings, file error and summary, in
// the same order, for every file: the golden fixtures and generated files
// (multi-line records, encoding errors, duplicates, bad trailers, quote and
// field-count errors, tiny and empty files, files of exactly one batch of
// rows and of one batch plus one).
#include <doctest/doctest.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "reader_test_support.h"

namespace passerelle::formats {
namespace {

using testing::Collected;
using testing::DialectFixture;
using testing::RowValues;

// Everything a read produced, as the bytes `check --json` would print.
std::string transcript(const Collected& c) {
  std::string out;
  for (const auto& line : c.lines) out += line + "\n";
  if (c.summary.file_error) appendFileErrorJson(*c.summary.file_error, out);
  appendSummaryJson(c.summary, out);
  out += "\nencoding " + std::string(encodingName(c.summary.encoding)) + "\n";
  for (const auto& columns : c.summary.columns_as_written) out += columns + "|";
  // Offer::record is not in the JSON: compare it too.
  for (const auto& o : c.offers) out += " " + std::to_string(o.record);
  for (const auto& r : c.rejects) out += " " + std::to_string(r.record);
  return out;
}

std::string readWith(const std::string& format, const std::string& bytes, std::size_t threads) {
  ReadOptions options;
  options.partner = "p";
  options.row_threads = threads;
  return transcript(testing::readBytes(format, bytes, options));
}

// Sequential, then 2 to 5 threads (1 to 4 helpers): the same bytes.
void checkSameInEveryMode(const std::string& format, const std::string& bytes,
                          const std::string& name) {
  const std::string sequential = readWith(format, bytes, 1);
  for (std::size_t threads = 2; threads <= 5; ++threads) {
    INFO(name << " (" << format << ", " << bytes.size() << " bytes), threads " << threads);
    CHECK(readWith(format, bytes, threads) == sequential);
  }
}

// A row of `f` for the `i`th record of a generated file, sometimes with a
// trap: `kind` picks it.
std::string generatedRow(const DialectFixture& f, const std::string& ref_column,
                         const std::string& description_column, const std::string& prefix,
                         std::size_t i, unsigned kind) {
  const std::string ref = prefix + std::to_string(i);
  switch (kind) {
    case 0:  // a duplicate of an earlier reference
      return f.row({{ref_column, prefix + std::to_string(i / 2)}});
    case 1:  // a multi-line description
      return f.row({{ref_column, ref}, {description_column, "Ligne un\r\nligne deux;\"cité\""}});
    case 2:  // a byte that Windows-1252 and ISO-8859-15 do not define, or bad UTF-8
      return f.row({{ref_column, ref}, {description_column, "d\x81\x90 fin"}});
    case 3: {  // a field missing
      const std::string row = f.row({{ref_column, ref}});
      return row.substr(row.find(f.delimiter) + 1);
    }
    case 4:  // a closing quote followed by text
      return "\"" + ref + "\"x" + f.row({{ref_column, ref}});
    case 5:  // field errors (a reject listing several) and a duplicate of it
      return f.row({{ref_column, prefix + std::to_string(i % 7)}, {f.header[2], "123"}});
    case 6:  // a reference too long, or blank
      return f.row({{ref_column, i % 2 ? std::string(70, 'R') : std::string(" ")}});
    default:
      return f.row({{ref_column, ref}});
  }
}

std::string generatedFile(const std::string& format, std::size_t rows, unsigned seed, bool latin1) {
  std::mt19937 random(seed);
  const DialectFixture f = format == "ymag"  ? testing::ymag()
                           : format == "gil" ? testing::gil()
                                             : testing::sigma();
  const std::string ref_column = f.header[format == "gil" ? 1 : 0];
  const std::string description_column = f.header[format == "gil" ? 6 : 5];
  std::vector<std::string> body;
  for (std::size_t i = 0; i < rows; ++i) {
    const unsigned kind = random() % 16;  // most rows are valid
    body.push_back(generatedRow(f, ref_column, description_column, "R-", i, kind));
  }
  if (latin1 && !body.empty())
    body[0] = f.row({{ref_column, "first"}, {description_column, "caf\xE9"}});
  if (format == "sigma") {
    // A good trailer, a wrong count or none, by seed.
    std::string s = testing::sigmaFile(
        body, "CMA29", seed % 3 == 1 ? std::optional<long>(rows + 1) : std::nullopt);
    if (seed % 3 == 2) s.resize(s.rfind("#FIN"));
    return s;
  }
  std::string s = f.headerLine();
  for (const auto& r : body) s += r;
  return s;
}

TEST_CASE("row threads: the golden fixtures read the same in every mode") {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(PASSERELLE_GOLDEN_DIR)) {
    const std::filesystem::path path = entry.path();
    if (path.extension() != ".csv") continue;
    const std::string format = path.stem().extension().string().substr(1);
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    checkSameInEveryMode(format, bytes, path.filename().string());
    ++files;
  }
  CHECK(files >= 10);
}

TEST_CASE("row threads: the generated files hold every trap") {
  for (const std::string format : {"ymag", "gil", "sigma"}) {
    for (bool latin1 : {false, true}) {
      ReadOptions options;
      options.row_threads = 3;
      // Seed 3: a sigma file with its trailer (a bad count or none refuses it).
      const Collected c =
          testing::readBytes(format, generatedFile(format, 1000, 3, latin1), options);
      INFO("format: " << format << ", latin1: " << latin1);
      REQUIRE_FALSE(c.summary.file_error);
      CHECK(c.offers.size() > 300);
      std::set<std::string> codes;
      for (const auto& r : c.rejects)
        for (const auto& e : r.errors) codes.insert(e.code);
      for (const char* code : {"ENCODING", "FIELD_COUNT", "CSV_QUOTE", "REF_INVALID"}) {
        INFO("code: " << std::string(code));
        CHECK(codes.count(code) == 1);
      }
      if (format != "gil") CHECK(codes.count("DUPLICATE_REF") == 1);  // gil is a delta
      // The fixtures' ymag header is UTF-8 ("N° offre"): it decides first.
      CHECK(c.summary.encoding ==
            (latin1 && format == "sigma" ? Encoding::kIso8859_15 : Encoding::kUtf8));
    }
  }
}

TEST_CASE("row threads: generated files read the same in every mode") {
  // Around the batch sizes: RowWorkers' (64 rows) and RecordPipe's (256).
  const std::vector<std::size_t> sizes = {0, 1, 2, 63, 64, 65, 128, 129, 255, 256, 257, 1000};
  unsigned seed = 1;
  for (const std::string format : {"ymag", "gil", "sigma"}) {
    for (std::size_t rows : sizes) {
      for (bool latin1 : {false, true}) {
        checkSameInEveryMode(
            format, generatedFile(format, rows, seed, latin1),
            "generated " + std::to_string(rows) + " rows, seed " + std::to_string(seed));
        ++seed;
      }
    }
  }
}

TEST_CASE("row threads: duplicates across batches keep the first row, in file order") {
  const DialectFixture f = testing::ymag();
  std::string s = f.headerLine();
  for (int i = 0; i < 300; ++i) s += f.row({{"N° offre", "Y-" + std::to_string(i % 100)}});
  ReadOptions options;
  options.row_threads = 3;
  const Collected c = testing::readBytes("ymag", s, options);
  REQUIRE(c.offers.size() == 100);
  REQUIRE(c.rejects.size() == 200);
  CHECK(c.rejects[0].errors[0].code == "DUPLICATE_REF");
  CHECK(c.rejects[0].record == 101);
  CHECK(c.rejects[199].record == 300);
  for (std::size_t i = 0; i < c.offers.size(); ++i)
    CHECK(c.offers[i].record == static_cast<long>(i + 1));
}

TEST_CASE("row threads: prepare_offer runs on every offer, before it is delivered") {
  const DialectFixture f = testing::ymag();
  std::string s = f.headerLine();
  for (int i = 0; i < 300; ++i) s += f.row({{"N° offre", "Y-" + std::to_string(i % 250)}});
  for (std::size_t threads : {1u, 3u}) {
    ReadOptions options;
    options.row_threads = threads;
    options.prepare_offer = [](Offer& o) {
      o.prepared.json = offerJson(o);
      o.prepared.digest = "line " + std::to_string(o.line);
    };
    const Collected c = testing::readBytes("ymag", s, options);
    REQUIRE(c.offers.size() == 250);
    CHECK(c.rejects.size() == 50);  // DUPLICATE_REF: prepared, then turned into rejects
    for (const Offer& o : c.offers) {
      Offer plain = o;
      plain.prepared = {};
      CHECK(o.prepared.json == offerJson(plain));
      CHECK(o.prepared.digest == "line " + std::to_string(o.line));
    }
  }
}

// The store's sink may fail in the middle of a file: the exception reaches
// the caller and the helper threads are stopped, whatever they were doing.
class FailingSink final : public OfferSink {
 public:
  void onOffer(const Offer&) override {
    if (++offers_ == 100) throw std::runtime_error("the store went away");
  }

 private:
  int offers_ = 0;
};

TEST_CASE("row threads: a sink's exception stops the reading") {
  const DialectFixture f = testing::ymag();
  std::string s = f.headerLine();
  for (int i = 0; i < 2000; ++i) s += f.row({{"N° offre", "Y-" + std::to_string(i)}});
  auto dialect = DialectRegistry::instance().create("ymag");
  for (std::size_t threads = 1; threads <= 4; ++threads) {
    ReadOptions options;
    options.row_threads = threads;
    StringByteSource source(s);
    FailingSink sink;
    CHECK_THROWS_WITH(OfferFileReader(*dialect, options).readOnePass(source, sink),
                      "the store went away");
  }
}

TEST_CASE("row threads: tiny and empty inputs") {
  for (const std::string format : {"ymag", "gil", "sigma"}) {
    for (const std::string& bytes : {std::string(), std::string("\r\n"), std::string("a"),
                                     std::string("\xEF\xBB\xBF"), std::string("\"abc")}) {
      checkSameInEveryMode(format, bytes, "tiny");
    }
  }
}

}  // namespace
}  // namespace passerelle::formats
