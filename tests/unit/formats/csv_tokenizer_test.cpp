// CsvTokenizer: the CSV rules of shared/specs/formats/README.md.
#include "formats/csv_tokenizer.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using passerelle::formats::CsvLimits;
using passerelle::formats::CsvRecord;
using passerelle::formats::CsvTokenizer;
using passerelle::formats::Encoding;
using passerelle::formats::FieldTail;

namespace {

struct Row {
  long line;
  std::vector<std::string> fields;
  bool quote_error;
  bool has_nul;
};

struct Result {
  std::vector<Row> rows;
  bool terminated = true;
  long unterminated_line = 0;
};

// Feeds `input` in chunks of `chunk` bytes (0: all at once), so that every
// rule is also checked across chunk boundaries.
Result tokenize(std::string_view input, char delimiter = ';', std::size_t chunk = 0) {
  Result result;
  CsvTokenizer tok(delimiter);
  auto on = [&](const CsvRecord& r) {
    Row row{r.line, {}, r.quote_error, r.has_nul};
    for (std::size_t i = 0; i < r.fieldCount(); ++i) row.fields.emplace_back(r.field(i));
    result.rows.push_back(row);
  };
  if (chunk == 0) chunk = input.size() + 1;
  for (std::size_t i = 0; i < input.size(); i += chunk) tok.feed(input.substr(i, chunk), on);
  result.terminated = tok.finish(on);
  if (!result.terminated) result.unterminated_line = tok.unterminatedLine();
  return result;
}

using Fields = std::vector<std::string>;

void checkAllChunkings(std::string_view input, const std::vector<Fields>& expected,
                       char delimiter = ';') {
  for (std::size_t chunk : {0, 1, 2, 3, 7}) {
    CAPTURE(chunk);
    Result r = tokenize(input, delimiter, chunk);
    REQUIRE(r.rows.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) CHECK(r.rows[i].fields == expected[i]);
  }
}

}  // namespace

TEST_CASE("plain fields, LF and CRLF line ends, missing final line end") {
  checkAllChunkings("a;b;c\r\nd;e;f\ng;h;i", {{"a", "b", "c"}, {"d", "e", "f"}, {"g", "h", "i"}});
}

TEST_CASE("quoted fields hold the delimiter, doubled quotes and line breaks") {
  checkAllChunkings("\"a;b\";\"say \"\"hi\"\"\";\"line1\r\nline2\nline3\"\nx;y;z\n",
                    {{"a;b", "say \"hi\"", "line1\r\nline2\nline3"}, {"x", "y", "z"}});
}

TEST_CASE("a quote inside an unquoted field is data") {
  checkAllChunkings("écran 15\" HD;b\n", {{"écran 15\" HD", "b"}});
}

TEST_CASE("spaces and tabs around unquoted fields are not data; a quote after spaces opens") {
  checkAllChunkings("  a b \t;\t \"q;x\"  ;  \n", {{"a b", "q;x", ""}});
}

TEST_CASE("a lone CR inside a record is data") {
  checkAllChunkings("a\rb;c\r\n", {{"a\rb", "c"}});
  checkAllChunkings("\"a\rb\";c\n", {{"a\rb", "c"}});
}

TEST_CASE("blank lines and empty-field records come out as all-empty records") {
  Result r = tokenize("a;b\n\n;;\r\nc;d\n");
  REQUIRE(r.rows.size() == 4);
  CHECK(r.rows[1].fields == Fields{""});
  CHECK(r.rows[2].fields == Fields{"", "", ""});
  CHECK(r.rows[3].fields == Fields{"c", "d"});
}

TEST_CASE("physical line where each record starts") {
  for (std::size_t chunk : {0, 1, 5}) {
    Result r = tokenize("h1;h2\r\n\"multi\r\nline\r\n\";x\r\n\r\nlast;y\r\n", ';', chunk);
    REQUIRE(r.rows.size() == 4);
    CHECK(r.rows[0].line == 1);
    CHECK(r.rows[1].line == 2);
    CHECK(r.rows[2].line == 5);  // the blank line
    CHECK(r.rows[3].line == 6);
  }
}

TEST_CASE("\"abc\"def marks the record and reading goes on with the next one") {
  for (std::size_t chunk : {0, 1, 4}) {
    Result r = tokenize("\"abc\"def;\"x\ny\";z\nnext;ok\n", ';', chunk);
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].quote_error);
    CHECK(r.rows[0].fields.size() == 3);
    CHECK_FALSE(r.rows[1].quote_error);
    CHECK(r.rows[1].fields == Fields{"next", "ok"});
    CHECK(r.rows[1].line == 3);
  }
}

TEST_CASE("spaces after a closing quote are allowed before the delimiter or line end") {
  Result r = tokenize("\"a\"  ;\"b\"\t\r\n");
  REQUIRE(r.rows.size() == 1);
  CHECK_FALSE(r.rows[0].quote_error);
  CHECK(r.rows[0].fields == Fields{"a", "b"});
}

TEST_CASE("a CR after a closing quote that is not a line end is a quote error") {
  Result r = tokenize("\"a\"\rb;c\n");
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0].quote_error);
}

TEST_CASE("a quote left open at the end is reported with its record's line") {
  Result r = tokenize("a;b\nc;\"open\nstill open\n");
  CHECK_FALSE(r.terminated);
  CHECK(r.unterminated_line == 2);
  REQUIRE(r.rows.size() == 1);
}

TEST_CASE("a closing quote as the very last byte is not an open quote") {
  Result r = tokenize("a;\"b\"");
  CHECK(r.terminated);
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0].fields == Fields{"a", "b"});
}

TEST_CASE("NUL bytes are flagged, quoted or not") {
  using namespace std::string_literals;
  Result r = tokenize("a\0b;c\n\"x\0\";y\nok;ok\n"s);
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[0].has_nul);
  CHECK(r.rows[1].has_nul);
  CHECK_FALSE(r.rows[2].has_nul);
}

TEST_CASE("the delimiter is the dialect's") {
  checkAllChunkings("\"A\",\"B,C\",\"D\"\n", {{"A", "B,C", "D"}}, ',');
}

TEST_CASE("memory is bounded by the largest record, not by the input") {
  CsvTokenizer tok(';');
  std::size_t max_capacity = 0;
  long records = 0;
  auto on = [&](const CsvRecord& r) {
    ++records;
    max_capacity = std::max(max_capacity, r.bytes.capacity());
  };
  std::string row = "ref;" + std::string(500, 'x') + ";\"multi\nline\"\n";
  for (int i = 0; i < 20000; ++i) tok.feed(row, on);
  tok.finish(on);
  CHECK(records == 20000);
  CHECK(max_capacity < 4096);
  CHECK(tok.linesSeen() == 40001);
}

TEST_CASE("a field past its limit keeps its first bytes; its tail is counted and checked") {
  CsvLimits limits;
  limits.field_bytes = 8;
  CsvTokenizer tok(';', limits);
  std::vector<CsvRecord> rows;
  auto on = [&](const CsvRecord& r) { rows.push_back(r); };
  // "é" (C3 A9) straddles the limit: it goes with the tail, whole.
  tok.feed("abcdefg\xC3\xA9xyz;short;\"01234567 \r\n \t \"\n", on);
  tok.finish(on);
  REQUIRE(rows.size() == 1);
  const CsvRecord& r = rows[0];
  REQUIRE(r.fieldCount() == 3);
  CHECK(r.field(0) == "abcdefg");
  REQUIRE(r.tail(0) != nullptr);
  CHECK(r.tail(0)->bytes() == 5);
  CHECK(r.tail(0)->hasContent());
  CHECK(r.tail(0)->firstNonAscii() == "\xC3\xA9xy");
  CHECK_FALSE(r.tail(0)->firstUndefinedByte(Encoding::kUtf8));
  CHECK(r.field(1) == "short");
  CHECK(r.tail(1) == nullptr);
  // Only blanks past the limit: no content (a padded field is not longer).
  CHECK(r.field(2) == "01234567");
  REQUIRE(r.tail(2) != nullptr);
  CHECK_FALSE(r.tail(2)->hasContent());
}

TEST_CASE("a tail's undefined bytes are found for each encoding, across chunks") {
  CsvLimits limits;
  limits.field_bytes = 4;
  std::string input = "abcd" + std::string(100, 'x') + "\xE2\x82" + "\xAC\x81" + "zz\n";
  for (std::size_t chunk : {1u, 3u, 1000u}) {
    CAPTURE(chunk);
    CsvTokenizer tok(';', limits);
    std::vector<CsvRecord> rows;
    auto on = [&](const CsvRecord& r) { rows.push_back(r); };
    for (std::size_t i = 0; i < input.size(); i += chunk)
      tok.feed(std::string_view(input).substr(i, chunk), on);
    tok.finish(on);
    REQUIRE(rows.size() == 1);
    const FieldTail* t = rows[0].tail(0);
    REQUIRE(t != nullptr);
    CHECK(t->firstUndefinedByte(Encoding::kUtf8) == 0x81);         // after a whole "€"
    CHECK(t->firstUndefinedByte(Encoding::kWindows1252) == 0x81);  // undefined there too
    CHECK(t->firstUndefinedByte(Encoding::kIso8859_15) == 0x82);   // C1: undefined
  }
}

TEST_CASE("a UTF-8 sequence left open at the end of a tail is ill-formed") {
  CsvLimits limits;
  limits.field_bytes = 2;
  CsvTokenizer tok(';', limits);
  std::vector<CsvRecord> rows;
  auto on = [&](const CsvRecord& r) { rows.push_back(r); };
  tok.feed("abcd\xE2\x82;x\n", on);
  tok.finish(on);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].tail(0)->firstUndefinedByte(Encoding::kUtf8) == 0xE2);
  CHECK(rows[0].field(1) == "x");
}

TEST_CASE("a record keeps at most its budget and its first fields; the rest is counted") {
  CsvLimits limits;
  limits.field_bytes = 10;
  limits.record_bytes = 25;
  limits.fields = 4;
  CsvTokenizer tok(';', limits);
  std::vector<CsvRecord> rows;
  auto on = [&](const CsvRecord& r) { rows.push_back(r); };
  tok.feed("aaaaaaaaaaaa;bbbbbbbbbbbb;cccccccccccc;d;e;f\xE9;g\nnext\n", on);
  tok.finish(on);
  REQUIRE(rows.size() == 2);
  const CsvRecord& r = rows[0];
  CHECK(r.fieldCount() == 7);
  CHECK(r.keptFieldCount() == 4);
  CHECK(r.field(0) == "aaaaaaaaaa");
  CHECK(r.field(1) == "bbbbbbbbbb");
  CHECK(r.field(2) == "ccccc");  // the record's budget ran out
  CHECK(r.field(3).empty());
  CHECK(r.field(5).empty());
  CHECK(r.dropped_fields == 3);
  CHECK(r.dropped.firstNonAscii() == "\xE9");
  CHECK(rows[1].fieldCount() == 1);
  CHECK(rows[1].field(0) == "next");
}

TEST_CASE("a 100 MB line costs what its limits allow, not its length") {
  CsvTokenizer tok(';');
  std::size_t max_capacity = 0;
  std::size_t fields = 0;
  auto on = [&](const CsvRecord& r) {
    max_capacity = std::max(max_capacity, r.bytes.capacity());
    fields = r.fieldCount();
  };
  // One huge field, then many small ones, fed in 1 MiB chunks.
  std::string chunk(1 << 20, 'x');
  for (int i = 0; i < 50; ++i) tok.feed(chunk, on);
  std::string many;
  for (int i = 0; i < 100000; ++i) many += ";abcdefghij";
  for (int i = 0; i < 45; ++i) tok.feed(many, on);
  tok.feed("\n", on);
  tok.finish(on);
  CHECK(fields == 1 + 45 * 100000);
  CHECK(max_capacity <= 4 * 1024 * 1024);
}
