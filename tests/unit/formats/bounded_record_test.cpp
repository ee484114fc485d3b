// Memory bounded per record (issue 11 item 5): a field far longer than any
// rule reads gets the same verdict as a field just long enough to break the
// rule, the offer keeps what the rules keep, and rejects and warnings quote
// only an excerpt of the value.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "formats/excerpt.h"
#include "formats/text_fold.h"
#include "reader_test_support.h"

using namespace passerelle::formats;
using namespace passerelle::formats::testing;

namespace {

constexpr std::size_t kHuge = 5 * 1024 * 1024;  // far past CsvLimits::field_bytes

std::string ymagFile(const std::vector<RowValues>& rows) {
  auto f = ymag();
  std::string s = f.headerLine();
  for (const auto& r : rows) s += f.row(r);
  return s;
}

// `start` repeated to `size` bytes.
std::string repeated(const std::string& start, std::size_t size) {
  std::string s;
  s.reserve(size + start.size());
  while (s.size() < size) s += start;
  return s;
}

std::vector<std::string> codes(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.code);
  return out;
}

struct Verdict {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  std::optional<std::string> title;
  std::optional<std::string> description;
};

Verdict verdictOf(const Collected& c) {
  Verdict v;
  if (!c.rejects.empty()) {
    v.errors = codes(c.rejects[0].errors);
    v.warnings = codes(c.rejects[0].warnings);
  } else if (!c.offers.empty()) {
    v.warnings = codes(c.offers[0].warnings);
    v.title = c.offers[0].title;
    v.description = c.offers[0].description;
  }
  return v;
}

// Every value quoted back is at most an excerpt.
void checkBounded(const Collected& c) {
  auto check = [](const std::vector<FieldError>& errors) {
    for (const auto& e : errors) {
      CAPTURE(e.code);
      if (e.value) CHECK(codePointCount(*e.value) <= kExcerptCodePoints + 1);
      CHECK(codePointCount(e.message) <= kExcerptCodePoints + 200);
    }
  };
  for (const auto& r : c.rejects) {
    check(r.errors);
    check(r.warnings);
  }
  for (const auto& o : c.offers) check(o.warnings);
  for (const auto& line : c.lines)
    if (line.find("\"kind\":\"reject\"") != std::string::npos) CHECK(line.size() < 8 * 1024);
}

}  // namespace

TEST_CASE("a huge field gets the verdict of a field just past the rule's limit") {
  struct Case {
    const char* column;
    std::string start;  // repeated to the field's length
  };
  const std::vector<Case> cases = {
      {"Descriptif du poste", "Un mot, puis l'autre. "},
      {"Descriptif du poste", "é€ "},
      {"Intitulé du poste", "Apprenti boulanger "},
      {"N° offre", "REF"},
      {"SIRET", "7328293200007"},
      {"Raison sociale", "BOULANGERIE "},
      {"Code postal", "35400"},
      {"Email du contact", "a@b.fr"},
      {"Téléphone du contact", "02 99 "},
      {"Type de contrat", "apprentissage "},
  };
  for (const Case& k : cases) {
    CAPTURE(k.column);
    CAPTURE(k.start);
    // 20,000 bytes: within every limit of the reader, read as it always was.
    Collected small = readBytes("ymag", ymagFile({{{k.column, repeated(k.start, 20000)}}}));
    Collected huge = readBytes("ymag", ymagFile({{{k.column, repeated(k.start, kHuge)}}}));
    Verdict a = verdictOf(small);
    Verdict b = verdictOf(huge);
    CHECK(a.errors == b.errors);
    CHECK(a.warnings == b.warnings);
    CHECK(a.title == b.title);
    CHECK(a.description == b.description);
    checkBounded(huge);
  }
}

TEST_CASE("a huge description is cut at 10,000 characters, its warning quotes an excerpt") {
  std::string text = repeated("Pétrissage, façonnage et cuisson. ", kHuge);
  Collected c = readBytes("ymag", ymagFile({{{"Descriptif du poste", text}}}));
  REQUIRE(c.offers.size() == 1);
  const Offer& o = c.offers[0];
  REQUIRE(o.description);
  CHECK(codePointCount(*o.description) == 10000);
  CHECK(text.compare(0, o.description->size(), *o.description) == 0);
  REQUIRE(o.warnings.size() == 1);
  CHECK(o.warnings[0].code == "DESCRIPTION_TRUNCATED");
  REQUIRE(o.warnings[0].value);
  CHECK(*o.warnings[0].value == excerpt(text));
  CHECK(codePointCount(*o.warnings[0].value) == kExcerptCodePoints + 1);  // and "…"
}

TEST_CASE("a huge field of white space after a short text is not too long") {
  std::string text = "Court." + repeated(" \r\n\t", kHuge);
  Collected c = readBytes(
      "ymag",
      ymagFile({{{"Descriptif du poste", text}, {"Intitulé du poste", "Boulanger" + text}}}));
  REQUIRE(c.offers.size() == 1);
  CHECK(c.offers[0].description == "Court.");
  CHECK(c.offers[0].title == "BoulangerCourt.");
  CHECK(c.offers[0].warnings.empty());
}

TEST_CASE("an undefined byte far past the limit still rejects the row, which keeps its ref") {
  std::string text = repeated("Texte ", kHuge) + "\xFF" + "fin";
  Collected c = readBytes("ymag", ymagFile({{{"Descriptif du poste", text}}, {}}));
  REQUIRE(c.rejects.size() == 2);
  REQUIRE(c.firstError() != nullptr);
  CHECK(c.firstError()->code == "ENCODING");
  CHECK(c.firstError()->value == "0xFF");
  CHECK(c.rejects[0].source_ref == "Y-1");
  // The next row with the same reference: the reject claimed it.
  CHECK(codes(c.rejects[1].errors) == std::vector<std::string>{"DUPLICATE_REF"});
}

TEST_CASE("a 60 MB line of many fields is one FIELD_COUNT reject, bounded") {
  std::string line = "Y-9";
  std::string field = ";" + std::string(20, 'z');
  while (line.size() < 60u * 1024 * 1024) line += field;
  std::size_t fields = 1 + (line.size() - 3) / field.size();
  Collected c = readBytes("ymag", ymagFile({}) + line + "\r\n" + ymag().row());
  REQUIRE(c.rejects.size() == 1);
  CHECK(c.firstError()->code == "FIELD_COUNT");
  CHECK(c.firstError()->value == std::to_string(fields));
  CHECK(c.offers.size() == 1);
  checkBounded(c);
}

TEST_CASE("an excerpt keeps whole characters and marks the cut") {
  CHECK(excerpt("abc", 3) == "abc");
  CHECK(excerpt("abcd", 3) == "abc…");
  CHECK(excerpt("éèêë", 2) == "éè…");
  CHECK(excerpt("", 2).empty());
}
