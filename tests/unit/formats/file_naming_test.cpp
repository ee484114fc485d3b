// Each dialect's file naming (ymag.md, sigma.md, gil.md "File name"), the
// generic rule for other names, the order of keys, and names as hostile data.
#include "formats/file_naming.h"

#include <doctest/doctest.h>

#include <string>

#include "formats/dialect_registry.h"

namespace pf = passerelle::formats;

namespace {

pf::FileNaming namingOf(const char* format) {
  return pf::DialectRegistry::instance().create(format)->spec().naming;
}

pf::NameOrder order(const char* format, const std::string& name) {
  return pf::nameOrderOf(namingOf(format), name);
}

bool before(const pf::NameOrder& a, const pf::NameOrder& b) {
  return pf::compareNameOrder(a, b) < 0;
}

}  // namespace

TEST_SUITE("file_naming") {
  TEST_CASE("ymag: YMAG_<code>_<AAAAMMJJhhmmss>.<ext>") {
    CHECK(order("ymag", "YMAG_CFA35_20260315143000.csv").datetime == "20260315143000");
    CHECK(order("ymag", "ymag_cfa35_20260315143000.CSV").datetime == "20260315143000");
    CHECK(order("ymag", "YMAG_A_B_1_20260315143000.csv").datetime == "20260315143000");
    CHECK_FALSE(order("ymag", "YMAG_CFA35_20260315143000.csv").sequence.has_value());
    // 14 digits that are no date: the generic rule finds nothing else.
    CHECK(order("ymag", "YMAG_CFA35_20261315143000.csv").datetime.empty());
    CHECK(order("ymag", "YMAG_CFA35_20260315243000.csv").datetime.empty());
  }

  TEST_CASE("sigma: SIGMA_<code>_<AAAAMMJJ>.<ext>, the convention before the generic rule") {
    CHECK(order("sigma", "SIGMA_0350001A_20260315.csv").datetime == "20260315000000");
    CHECK(order("sigma", "Sigma_X_20260315.txt").datetime == "20260315000000");
    // The generic rule would prefer the 14 digits; Sigma's name says the date is last.
    CHECK(order("sigma", "SIGMA_20260101120000_20260102.csv").datetime == "20260102000000");
    CHECK(order("ymag", "SIGMA_20260101120000_20260102.csv").datetime == "20260101120000");
  }

  TEST_CASE("gil: GIL_<code>_<AAAAMMJJ>_<NNN>.<ext>, NNN an integer") {
    auto gil = order("gil", "GIL_12345678_20260315_007.csv");
    CHECK(gil.datetime == "20260315000000");
    CHECK(gil.sequence == std::optional<std::string>("7"));
    CHECK(order("gil", "gil_a_20260315_000.csv").sequence == std::optional<std::string>("0"));
    CHECK(order("gil", "GIL_A_1_20260315_12.csv").sequence == std::optional<std::string>("12"));
    // Without its sequence number: a dated name like any other, no sequence.
    auto plain = order("gil", "GIL_A_20260315.csv");
    CHECK(plain.datetime == "20260315000000");
    CHECK_FALSE(plain.sequence.has_value());
    // A GIL name is read as GIL only by the gil dialect.
    CHECK_FALSE(order("ymag", "GIL_A_20260315_007.csv").sequence.has_value());
    CHECK(order("ymag", "GIL_A_20260315_007.csv").datetime == "20260315000000");
  }

  TEST_CASE("the generic rule: last 14-digit date and time, else last 8-digit date") {
    const pf::FileNaming none;
    CHECK(pf::nameOrderOf(none, "export.csv").datetime.empty());
    CHECK(pf::nameOrderOf(none, "export_20261399.csv").datetime.empty());  // not a date
    CHECK(pf::nameOrderOf(none, "x_20260101_20260202.csv").datetime == "20260202000000");
    CHECK(pf::nameOrderOf(none, "a20260101120000b20260202.csv").datetime == "20260101120000");
    CHECK(pf::nameOrderOf(none, "a202601011200001.csv").datetime.empty());  // 15 digits
    CHECK(pf::nameOrderOf(none, "20260101").datetime == "20260101000000");
    CHECK(pf::nameOrderOf(none, "").datetime.empty());
  }

  TEST_CASE("names near the conventions are not taken for them") {
    CHECK(order("ymag", "YMAG__20260315143000.csv").datetime == "20260315143000");  // no code
    CHECK(order("ymag", "YMAG_X_20260315143000").datetime == "20260315143000");     // no extension
    CHECK(order("ymag", "YMAG_X_20260315143000.").datetime == "20260315143000");
    CHECK(order("ymag", "YMAG_X_20260315143000.c-v").datetime == "20260315143000");
    CHECK_FALSE(order("gil", "GIL_A_20260315_.csv").sequence.has_value());
    CHECK_FALSE(order("gil", "GIL_A_20260315007.csv").sequence.has_value());
    CHECK_FALSE(order("gil", "GIL_20260315_007.csv").sequence.has_value());  // no code
    CHECK_FALSE(order("gil", "GIL_A_2026031_007.csv").sequence.has_value());
  }

  TEST_CASE("hostile names: 30,000 characters, non-UTF-8 bytes, digits only") {
    const std::string long_code(30000, 'a');
    CHECK(order("ymag", "YMAG_" + long_code + "_20260315143000.csv").datetime == "20260315143000");
    const auto long_gil = order("gil", "GIL_A_20260315_" + std::string(30000, '9') + ".csv");
    CHECK(long_gil.datetime == "20260315000000");
    CHECK(long_gil.sequence->size() == 30000);
    CHECK(order("gil", "GIL_A_20260315_" + std::string(30000, '0') + ".csv").sequence ==
          std::optional<std::string>("0"));
    for (const char* format : {"ymag", "sigma", "gil"}) {
      CAPTURE(format);
      CHECK(order(format, std::string(30000, '1')).datetime.empty());
      CHECK(order(format, std::string(30000, '_')).datetime.empty());
      CHECK(order(format, std::string(30000, '.')).datetime.empty());
      std::string alternating;
      for (int i = 0; i < 15000; ++i) alternating += "2_";
      CHECK(order(format, "YMAG_SIGMA_GIL_" + alternating + ".csv").datetime.empty());
      std::string dates;
      for (int i = 0; i < 3000; ++i) dates += "20260101_";
      CHECK(order(format, dates + ".csv").datetime == "20260101000000");
    }
    const std::string latin1 = "YMAG_\xe9t\xe9\xff\xfe\x80_20260315143000.csv";
    CHECK(order("ymag", latin1).datetime == "20260315143000");
    CHECK(order("gil", "GIL_\xc3(\xa0\x80_20260315_3.csv").sequence ==
          std::optional<std::string>("3"));
    CHECK(order("sigma", std::string("SIGMA_\0\x01_20260315.csv", 21)).datetime ==
          "20260315000000");
    // Linear: a quadratic or backtracking reading of these names would not
    // end within the test's timeout (speed itself is for the benchmarks).
  }

  TEST_CASE("compareNameOrder: dated first, by date, then without sequence, then NNN") {
    const pf::NameOrder undated, day1{"20260101000000", std::nullopt},
        day1_late{"20260101120000", std::nullopt}, day2{"20260102000000", std::nullopt},
        day2_seq9{"20260102000000", "9"}, day2_seq10{"20260102000000", "10"},
        day2_seq10_again{"20260102000000", "10"};
    CHECK(before(day1, undated));
    CHECK_FALSE(before(undated, day1));
    CHECK(before(day1, day1_late));
    CHECK(before(day1_late, day2));
    CHECK(before(day2, day2_seq9));
    CHECK(before(day2_seq9, day2_seq10));  // 9 < 10 as integers
    CHECK_FALSE(before(day2_seq10, day2_seq9));
    CHECK(pf::compareNameOrder(day2_seq10, day2_seq10_again) == 0);
    CHECK(pf::compareNameOrder(undated, pf::NameOrder{}) == 0);  // left to the caller
  }

  TEST_CASE("each dialect's files: default pattern, completion, ordering by mtime") {
    const auto& registry = pf::DialectRegistry::instance();
    for (const auto& name : registry.names()) {
      CAPTURE(name);
      const auto dialect = registry.create(name);
      CHECK(dialect->spec().default_pattern == "*.csv");
      CHECK_FALSE(dialect->spec().naming.prefix.empty());
      CHECK(dialect->spec().naming.stamp != pf::NameStamp::kNone);
    }
    const auto gil = registry.create("gil")->spec();
    CHECK((gil.completion == pf::Completion::kMarker));
    CHECK_FALSE(gil.naming.order_by_mtime);
    CHECK(gil.naming.sequence);
    for (const char* snapshot : {"ymag", "sigma"}) {
      CAPTURE(snapshot);
      const auto spec = registry.create(snapshot)->spec();
      CHECK((spec.completion == pf::Completion::kStable));
      CHECK(spec.naming.order_by_mtime);
      CHECK_FALSE(spec.naming.sequence);
    }
  }
}
