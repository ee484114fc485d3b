// What a partner's report points with (drop-folders.md "Reports back to the
// partner"): each row's record number among the data records, which differs
// from its physical line when a description spans lines, and the header's
// columns feeding each field, as the partner wrote them.
#include <doctest/doctest.h>

#include "formats/dialect.h"
#include "reader_test_support.h"

using namespace passerelle::formats;
using namespace passerelle::formats::testing;

namespace {

const std::string& column(const Collected& c, FieldId field) {
  return c.summary.columns_as_written[static_cast<std::size_t>(field)];
}

// `header` with one column renamed as a partner's software might write it.
std::string renamed(std::string header, const std::string& from, const std::string& to) {
  const auto at = header.find(from);
  REQUIRE(at != std::string::npos);
  return header.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("ymag: record numbers past a three-line description; columns as written") {
  const DialectFixture y = ymag();
  const std::string bytes =
      renamed(y.headerLine(), "Code postal", "CODE POSTAL") +
      y.row({{"N° offre", "Y-1"}, {"Descriptif du poste", "Ligne 1\r\nLigne 2\r\nLigne 3"}}) +
      y.row({{"N° offre", "Y-2"}, {"Code postal", "3540"}}) +  // 4 digits: corrected, taken
      y.row({{"N° offre", "Y-3"}, {"Code postal", "ABC"}});
  const Collected c = readBytes("ymag", bytes);
  REQUIRE(c.offers.size() == 2);
  REQUIRE(c.rejects.size() == 1);
  CHECK(c.offers[0].line == 2);
  CHECK(c.offers[0].record == 1);
  CHECK(c.offers[1].line == 5);
  CHECK(c.offers[1].record == 2);
  CHECK(c.rejects[0].line == 6);
  CHECK(c.rejects[0].record == 3);
  CHECK(column(c, FieldId::kPostalCode) == "CODE POSTAL");
  CHECK(column(c, FieldId::kSiret) == "SIRET");
  // The record number is not part of the canonical JSON.
  CHECK(c.lines[0].find("record") == std::string::npos);
}

TEST_CASE("gil: record numbers count data records only, rejected ones included") {
  const DialectFixture g = gil();
  const std::string bytes =
      g.headerLine() + g.row({{"ID_OFFRE", "G-1"}, {"DESCRIPTION", "a\nb\nc\nd"}}) +
      g.row({{"ID_OFFRE", "G-2"}, {"ACTION", "X"}}) + "\n" +  // a blank line is no record
      g.row({{"ID_OFFRE", "G-3"}});
  const Collected c = readBytes("gil", bytes);
  REQUIRE(c.offers.size() == 2);
  REQUIRE(c.rejects.size() == 1);
  CHECK(c.rejects[0].line == 6);
  CHECK(c.rejects[0].record == 2);
  CHECK(c.rejects[0].errors[0].field == "movement");
  CHECK(c.offers[1].line == 9);  // G-2 spans two lines (its description), then the blank one
  CHECK(c.offers[1].record == 3);
  CHECK(column(c, FieldId::kMovement) == "ACTION");
}

TEST_CASE("sigma: the envelope is no record; ROME1..3 feed one field") {
  const DialectFixture s = sigma();
  std::string file =
      sigmaFile({s.row({{"REF", "S-1"}, {"DESCRIPTIF", "un\r\ndeux"}}),
                 s.row({{"REF", "S-2"}, {"ROME1", "XX"}, {"ROME2", ""}, {"ROME3", ""}})});
  file = renamed(file, "ROME2", "Rome2");
  const Collected c = readBytes("sigma", file);
  REQUIRE(c.offers.size() == 1);
  REQUIRE(c.rejects.size() == 1);
  CHECK(c.offers[0].line == 3);
  CHECK(c.offers[0].record == 1);
  CHECK(c.rejects[0].line == 5);
  CHECK(c.rejects[0].record == 2);
  CHECK(c.rejects[0].errors[0].field == "rome_codes");
  CHECK(column(c, FieldId::kRomeCodes) == "ROME1, Rome2, ROME3");
  CHECK(column(c, FieldId::kAddress) == "ADR1, ADR2");
}

TEST_CASE("rows rejected whole keep their record number") {
  const DialectFixture y = ymag();
  const std::string bytes = y.headerLine() + y.row({{"N° offre", "Y-1"}}) + "Y-2;trop;court\r\n";
  const Collected c = readBytes("ymag", bytes);
  REQUIRE(c.rejects.size() == 1);
  CHECK(c.rejects[0].errors[0].code == "FIELD_COUNT");
  CHECK(c.rejects[0].record == 2);
}

TEST_CASE("the dialects name the columns feeding each field") {
  auto sigma_dialect = DialectRegistry::instance().create("sigma");
  CHECK(columnsFeeding(sigma_dialect->spec(), FieldId::kRomeCodes) == "ROME1, ROME2, ROME3");
  auto ymag_dialect = DialectRegistry::instance().create("ymag");
  CHECK(columnsFeeding(ymag_dialect->spec(), FieldId::kSiret) == "SIRET");
  CHECK(columnsFeeding(ymag_dialect->spec(), FieldId::kMovement).empty());
  CHECK(fieldOfPath("employer.siret") == FieldId::kSiret);
  CHECK(fieldOfPath("rome_codes") == FieldId::kRomeCodes);
  CHECK_FALSE(fieldOfPath("nothing").has_value());
}
