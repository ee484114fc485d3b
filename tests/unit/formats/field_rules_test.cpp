// One test case per rule of offer.md's "Field rules" table: valid values,
// edges, and values that must be refused. SIRET checksums were computed
// independently (a Python Luhn) before being written here.
#include "formats/field_rules.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

namespace pf = passerelle::formats;
namespace rules = passerelle::formats::rules;
using pf::CivilDate;
using pf::CivilDateTime;
using rules::SiretStatus;
using Strings = std::vector<std::string>;

namespace {
CivilDateTime dt(int y, int mo, int d, int h, int mi, int s) {
  return {{y, mo, d}, h, mi, s};
}
std::optional<std::string> opt(const char* s) {
  return std::string(s);
}
// An absent field, as an argument. Results are compared with std::nullopt,
// not with kNone: comparing two optional<string>s, GCC 12 at -O3 inlines the
// string comparison of the engaged case and warns of a null memcmp argument
// on that path (-Wnonnull), although it never runs against a disengaged kNone.
constexpr std::optional<std::string> kNone = std::nullopt;
}  // namespace

TEST_SUITE("field_rules") {
  TEST_CASE("checkSiret: valid numbers and separators") {
    for (const char* s : {"73282932000074", "51024567800014", "32601234500020", "732 829 320 00074",
                          "732.829.320.00074", "732-829-320-00074",
                          "732\xC2\xA0"
                          "829\xC2\xA0"
                          "320\xC2\xA0"
                          "00074",  // U+00A0
                          "732\xE2\x80\xAF"
                          "829\xE2\x80\xAF"
                          "320 00074",  // U+202F
                          " 73282932000074 "}) {
      CAPTURE(s);
      const auto r = rules::checkSiret(s);
      CHECK(r.status == SiretStatus::kOk);
      CHECK(r.digits.size() == 14);
    }
    CHECK(rules::checkSiret("510 245 678 00014").digits == "51024567800014");
  }

  TEST_CASE("checkSiret: Luhn and the La Poste exception") {
    // Fails Luhn.
    auto r = rules::checkSiret("51024567800015");
    CHECK(r.status == SiretStatus::kChecksum);
    CHECK(r.digits == "51024567800015");
    CHECK(rules::checkSiret("73282932000075").status == SiretStatus::kChecksum);
    // Fails Luhn with a digit sum multiple of 5, but not La Poste: still wrong.
    CHECK(rules::checkSiret("51024567800016").status == SiretStatus::kChecksum);
    // La Poste's head office passes Luhn anyway.
    CHECK(rules::checkSiret("35600000000048").status == SiretStatus::kOk);
    // La Poste establishment: fails Luhn, digit sum 35.
    r = rules::checkSiret("35600000049837");
    CHECK(r.status == SiretStatus::kOk);
    CHECK(r.digits == "35600000049837");
    // La Poste prefix, fails Luhn, digit sum not a multiple of 5.
    CHECK(rules::checkSiret("35600000049836").status == SiretStatus::kChecksum);
    // Almost the prefix (356000010...): no exception.
    CHECK(rules::checkSiret("35600001049837").status == SiretStatus::kChecksum);
  }

  TEST_CASE("checkSiret: format errors") {
    for (const char* s :
         {"", " ", "00000000000000", "000 000 000 00000", "7328293200007", "732829320000745",
          "7328293200007A", "SIRET73282932000074", "73282932000074/", "7328293200007\xC3\xA9",
          "73282932000074\t", "12345678901234567890123456789012345678901234567890"}) {
      CAPTURE(s);
      const auto r = rules::checkSiret(s);
      CHECK(r.status == SiretStatus::kFormat);
      CHECK(r.digits.empty());
    }
  }

  TEST_CASE("normaliseNaf") {
    CHECK(rules::normaliseNaf("5610A") == opt("5610A"));
    CHECK(rules::normaliseNaf("56.10A") == opt("5610A"));
    CHECK(rules::normaliseNaf("56 10 a") == opt("5610A"));
    CHECK(rules::normaliseNaf("1071c") == opt("1071C"));
    CHECK(rules::normaliseNaf("") == std::nullopt);
    CHECK(rules::normaliseNaf("5610") == std::nullopt);
    CHECK(rules::normaliseNaf("56100") == std::nullopt);
    CHECK(rules::normaliseNaf("5610AB") == std::nullopt);
    CHECK(rules::normaliseNaf("A5610") == std::nullopt);
    CHECK(rules::normaliseNaf("561A0") == std::nullopt);
    CHECK(rules::normaliseNaf("56-10A") == std::nullopt);
    CHECK(rules::normaliseNaf("5610\xC3\xA9") == std::nullopt);
  }

  TEST_CASE("parseRomeCodes") {
    auto r = rules::parseRomeCodes("H2913|H2909", "|");
    CHECK(r.codes == Strings{"H2913", "H2909"});
    CHECK(r.invalid.empty());

    // Ymag: ",", "/" or spaces; lower case, duplicates, empty tokens.
    r = rules::parseRomeCodes("D1106, d1105/D1106 D1105,,", ", /");
    CHECK(r.codes == Strings{"D1106", "D1105"});
    CHECK(r.invalid.empty());

    // Tokens are trimmed of spaces even when space is no separator.
    r = rules::parseRomeCodes(" H2913 | h2909 ", "|");
    CHECK(r.codes == Strings{"H2913", "H2909"});

    // Invalid tokens listed (as written, once), valid ones kept in order.
    r = rules::parseRomeCodes("O1234|D1106|X|D11061|1106D|o1234|D110", "|");
    CHECK(r.codes == Strings{"D1106"});
    CHECK(r.invalid == Strings{"O1234", "X", "D11061", "1106D", "o1234", "D110"});

    // Range of the letter: A..N.
    r = rules::parseRomeCodes("A1000|N9999|O1000|Z1000", "|");
    CHECK(r.codes == Strings{"A1000", "N9999"});
    CHECK(r.invalid == Strings{"O1000", "Z1000"});

    // Separators only where given: a space inside a token makes it invalid.
    r = rules::parseRomeCodes("D1106 D1105", "|");
    CHECK(r.codes.empty());
    CHECK(r.invalid == Strings{"D1106 D1105"});

    r = rules::parseRomeCodes("", "|");
    CHECK(r.codes.empty());
    CHECK(r.invalid.empty());
    r = rules::parseRomeCodes(" | |", "|");
    CHECK(r.codes.empty());
    CHECK(r.invalid.empty());
  }

  TEST_CASE("parseDateDayFirst") {
    CHECK(rules::parseDateDayFirst("01/09/2026") == CivilDate{2026, 9, 1});
    CHECK(rules::parseDateDayFirst("1/9/2026") == CivilDate{2026, 9, 1});
    CHECK(rules::parseDateDayFirst("31/12/2099") == CivilDate{2099, 12, 31});
    CHECK(rules::parseDateDayFirst("1/1/1900") == CivilDate{1900, 1, 1});
    CHECK(rules::parseDateDayFirst("29/02/2024") == CivilDate{2024, 2, 29});
    CHECK(rules::parseDateDayFirst("29/02/2000") == CivilDate{2000, 2, 29});
    for (const char* s :
         {"",           "29/02/2026",  "29/02/1900",       "31/12/1899",  "1/1/2100",
          "1/9/26",     "01/09/02026", "001/09/2026",      "01/009/2026", "32/01/2026",
          "31/04/2026", "0/1/2026",    "1/0/2026",         "01/13/2026",  "2026-09-01",
          "01-09-2026", "01/09/2026 ", "01/09/2026 10:00", "/09/2026",    "01//2026",
          "01/09/",     "+1/09/2026",  "1 /9/2026",        "01/09/2026/"}) {
      CAPTURE(s);
      CHECK(rules::parseDateDayFirst(s) == std::nullopt);
    }
  }

  TEST_CASE("parseDateIso") {
    CHECK(rules::parseDateIso("2026-09-01") == CivilDate{2026, 9, 1});
    CHECK(rules::parseDateIso("2024-02-29") == CivilDate{2024, 2, 29});
    CHECK(rules::parseDateIso("1900-01-01") == CivilDate{1900, 1, 1});
    CHECK(rules::parseDateIso("2099-12-31") == CivilDate{2099, 12, 31});
    for (const char* s :
         {"", "2026-02-29", "1900-02-29", "1899-12-31", "2100-01-01", "2026-9-1", "2026-09-1",
          "26-09-01", "2026/09/01", "2026-13-01", "2026-00-10", "2026-04-31", "2026-09-01T10:00:00",
          "01/09/2026", "2026-09-0a", "+026-09-01"}) {
      CAPTURE(s);
      CHECK(rules::parseDateIso(s) == std::nullopt);
    }
  }

  TEST_CASE("parseDateTimeDayFirst") {
    CHECK(rules::parseDateTimeDayFirst("02/03/2026 14:05:00", true) == dt(2026, 3, 2, 14, 5, 0));
    CHECK(rules::parseDateTimeDayFirst("02/03/2026 14:05", true) == dt(2026, 3, 2, 14, 5, 0));
    CHECK(rules::parseDateTimeDayFirst("02/03/2026 14:05", false) == dt(2026, 3, 2, 14, 5, 0));
    CHECK(rules::parseDateTimeDayFirst("2/3/2026 9:05", false) == dt(2026, 3, 2, 9, 5, 0));
    CHECK(rules::parseDateTimeDayFirst("31/12/2099 23:59:59", true) ==
          dt(2099, 12, 31, 23, 59, 59));
    CHECK(rules::parseDateTimeDayFirst("1/1/1900 0:00", true) == dt(1900, 1, 1, 0, 0, 0));
    // Local times are kept as written, even in the 2026 switch hours.
    CHECK(rules::parseDateTimeDayFirst("25/10/2026 02:30", false) == dt(2026, 10, 25, 2, 30, 0));
    CHECK(rules::parseDateTimeDayFirst("29/03/2026 02:30", false) == dt(2026, 3, 29, 2, 30, 0));

    CHECK(rules::parseDateTimeDayFirst("02/03/2026 14:05:00", false) == std::nullopt);
    for (const char* s :
         {"", "02/03/2026", "02/03/2026 ", "02/03/2026  14:05", "02/03/2026T14:05",
          "02/03/2026 24:00", "02/03/2026 23:60", "02/03/2026 23:59:60", "02/03/2026 14:5",
          "02/03/2026 014:05", "02/03/2026 14:05:0", "02/03/2026 14:05:00:00", "02/03/2026 14h05",
          "02/03/2026 14:05 ", "29/02/2026 10:00", "02/03/26 14:05", "2026-03-02 14:05",
          "02/03/2026 :05", "02/03/2026 14:05:00Z"}) {
      CAPTURE(s);
      CHECK(rules::parseDateTimeDayFirst(s, true) == std::nullopt);
    }
  }

  TEST_CASE("parseDateTimeIso: local without suffix") {
    CHECK(rules::parseDateTimeIso("2026-03-02T09:00:00") == dt(2026, 3, 2, 9, 0, 0));
    CHECK(rules::parseDateTimeIso("2026-03-02T09:00:00.5") == dt(2026, 3, 2, 9, 0, 0));
    CHECK(rules::parseDateTimeIso("2026-03-02T23:59:59.999999") == dt(2026, 3, 2, 23, 59, 59));
    CHECK(rules::parseDateTimeIso("2024-02-29T00:00:00") == dt(2024, 2, 29, 0, 0, 0));
  }

  TEST_CASE("parseDateTimeIso: Z and offsets become Europe/Paris local time") {
    CHECK(rules::parseDateTimeIso("2026-03-02T09:00:00Z") == dt(2026, 3, 2, 10, 0, 0));
    CHECK(rules::parseDateTimeIso("2026-07-01T12:00:00.123+02:00") == dt(2026, 7, 1, 12, 0, 0));
    CHECK(rules::parseDateTimeIso("2026-07-01T10:00:00Z") == dt(2026, 7, 1, 12, 0, 0));
    CHECK(rules::parseDateTimeIso("2026-07-01T12:00:00+00:00") == dt(2026, 7, 1, 14, 0, 0));
    CHECK(rules::parseDateTimeIso("2026-07-01T06:00:00-04:00") == dt(2026, 7, 1, 12, 0, 0));
    CHECK(rules::parseDateTimeIso("2026-01-15T12:00:00+05:30") == dt(2026, 1, 15, 7, 30, 0));
    // Across the day and the year.
    CHECK(rules::parseDateTimeIso("2026-12-31T23:30:00Z") == dt(2027, 1, 1, 0, 30, 0));
    CHECK(rules::parseDateTimeIso("2026-03-01T00:30:00+03:00") == dt(2026, 2, 28, 22, 30, 0));
    // The 2026 switches: 01:00 UTC on 29 March and on 25 October.
    CHECK(rules::parseDateTimeIso("2026-03-29T00:59:59Z") == dt(2026, 3, 29, 1, 59, 59));
    CHECK(rules::parseDateTimeIso("2026-03-29T01:00:00Z") == dt(2026, 3, 29, 3, 0, 0));
    CHECK(rules::parseDateTimeIso("2026-10-25T00:30:00Z") == dt(2026, 10, 25, 2, 30, 0));
    CHECK(rules::parseDateTimeIso("2026-10-25T01:30:00Z") == dt(2026, 10, 25, 2, 30, 0));
    CHECK(rules::parseDateTimeIso("2026-10-25T02:00:00Z") == dt(2026, 10, 25, 3, 0, 0));
    // Extreme real offsets.
    CHECK(rules::parseDateTimeIso("2026-01-15T12:00:00+14:00") == dt(2026, 1, 14, 23, 0, 0));
    CHECK(rules::parseDateTimeIso("2026-01-15T12:00:00-12:00") == dt(2026, 1, 16, 1, 0, 0));
  }

  TEST_CASE("parseDateTimeIso: refused") {
    for (const char* s :
         {"", "2026-03-02", "2026-03-02T09:00", "2026-03-02 09:00:00", "2026-03-02t09:00:00",
          "2026-03-02T9:00:00", "2026-03-02T09:00:00.", "2026-03-02T09:00:00,5",
          "2026-03-02T09:00:00z", "2026-03-02T09:00:00+0200", "2026-03-02T09:00:00+02",
          "2026-03-02T09:00:00+02:0", "2026-03-02T09:00:00+15:00", "2026-03-02T09:00:00+02:60",
          "2026-03-02T09:00:00 Z", "2026-03-02T09:00:00ZZ", "2026-03-02T09:00:00Z+01:00",
          "2026-03-02T24:00:00", "2026-03-02T09:60:00", "2026-03-02T09:00:60",
          "2026-02-29T09:00:00", "1899-12-31T23:00:00", "2100-01-01T00:00:00",
          "2026-03-02T09-00-00", "02/03/2026 09:00:00",
          // Valid input whose Paris time leaves 1900..2099.
          "2099-12-31T23:30:00Z"}) {
      CAPTURE(s);
      CHECK(rules::parseDateTimeIso(s) == std::nullopt);
    }
    CHECK(rules::parseDateTimeIso("2099-12-31T22:30:00Z") == dt(2099, 12, 31, 23, 30, 0));
  }

  TEST_CASE("parseIntInRange") {
    CHECK(rules::parseIntInRange("1", 1, 48) == 1);
    CHECK(rules::parseIntInRange("48", 1, 48) == 48);
    CHECK(rules::parseIntInRange("024", 1, 48) == 24);
    CHECK(rules::parseIntInRange("000000000000000000000000007", 1, 999) == 7);
    CHECK(rules::parseIntInRange("999", 1, 999) == 999);
    CHECK(rules::parseIntInRange("2147483647", 0, 2147483647) == 2147483647);
    for (const char* s : {"", "0", "49", "-1", "+1", " 1", "1 ", "1.0", "1,5", "12a", "un",
                          "99999999999999999999999999", "2147483648", "\xD9\xA1"}) {
      CAPTURE(s);
      CHECK(rules::parseIntInRange(s, 1, 48) == std::nullopt);
    }
    CHECK(rules::parseIntInRange("2147483648", 0, 2147483647) == std::nullopt);
  }

  TEST_CASE("normaliseRncp") {
    CHECK(rules::normaliseRncp("RNCP34948") == opt("RNCP34948"));
    CHECK(rules::normaliseRncp("RNCP 12345") == opt("RNCP12345"));
    CHECK(rules::normaliseRncp("rncp12345") == opt("RNCP12345"));
    CHECK(rules::normaliseRncp("Rncp 123") == opt("RNCP123"));
    CHECK(rules::normaliseRncp("12345") == opt("RNCP12345"));
    CHECK(rules::normaliseRncp("123") == opt("RNCP123"));
    CHECK(rules::normaliseRncp("123456") == opt("RNCP123456"));
    for (const char* s :
         {"", "RNCP", "RNCP ", "RNCP12", "12", "1234567", "RNCP1234567", "RNCP-12345", "RNCP12345A",
          "RS12345", "RNC12345", "RNCP 123 45", "12345 "}) {
      CAPTURE(s);
      CHECK(rules::normaliseRncp(s) == std::nullopt);
    }
  }

  TEST_CASE("normalisePostalCode") {
    CHECK(rules::normalisePostalCode("35000") == opt("35000"));
    CHECK(rules::normalisePostalCode("97411") == opt("97411"));
    CHECK(rules::normalisePostalCode("1000") == opt("01000"));
    CHECK(rules::normalisePostalCode("01000") == opt("01000"));
    for (const char* s : {"", "123", "350000", "35 000", "3500A", "2A004", "-3500"}) {
      CAPTURE(s);
      CHECK(rules::normalisePostalCode(s) == std::nullopt);
    }
  }

  TEST_CASE("normaliseInsee") {
    for (const char* s : {"01001", "09999", "10000", "19999", "21001", "29999", "2A004", "2B033",
                          "30000", "89999", "90000", "95999", "97411", "97101", "98818"}) {
      CAPTURE(s);
      CHECK(rules::normaliseInsee(s) == opt(s));
    }
    CHECK(rules::normaliseInsee("2a004") == opt("2A004"));
    CHECK(rules::normaliseInsee("2b033") == opt("2B033"));
    for (const char* s : {"", "00001", "20004", "2C004", "96001", "99138", "9A001", "3500",
                          "350000", "2A00A", "A1001", "35 00"}) {
      CAPTURE(s);
      CHECK(rules::normaliseInsee(s) == std::nullopt);
    }
  }

  TEST_CASE("departmentOf") {
    // From the INSEE code first.
    CHECK(rules::departmentOf(opt("2A004"), opt("20000")) == opt("2A"));
    CHECK(rules::departmentOf(opt("2B033"), kNone) == opt("2B"));
    CHECK(rules::departmentOf(opt("97411"), opt("97400")) == opt("974"));
    CHECK(rules::departmentOf(opt("56036"), opt("56850")) == opt("56"));
    CHECK(rules::departmentOf(opt("35238"), opt("75001")) == opt("35"));  // INSEE wins
    CHECK(rules::departmentOf(opt("98818"), kNone) == opt("98"));  // literal rule: three for 97x
    // An invalid INSEE code falls back to the postal code.
    CHECK(rules::departmentOf(opt("20004"), opt("20000")) == opt("2A"));
    CHECK(rules::departmentOf(opt(""), opt("35000")) == opt("35"));

    // From the postal code.
    CHECK(rules::departmentOf(kNone, opt("35000")) == opt("35"));
    CHECK(rules::departmentOf(kNone, opt("01000")) == opt("01"));
    CHECK(rules::departmentOf(kNone, opt("1000")) == opt("01"));
    CHECK(rules::departmentOf(kNone, opt("20000")) == opt("2A"));
    CHECK(rules::departmentOf(kNone, opt("20190")) == opt("2A"));
    CHECK(rules::departmentOf(kNone, opt("20199")) == opt("2A"));
    CHECK(rules::departmentOf(kNone, opt("20200")) == opt("2B"));
    CHECK(rules::departmentOf(kNone, opt("20620")) == opt("2B"));
    CHECK(rules::departmentOf(kNone, opt("97411")) == opt("974"));
    CHECK(rules::departmentOf(kNone, opt("97100")) == opt("971"));
    CHECK(rules::departmentOf(kNone, opt("98800")) == opt("988"));

    CHECK(rules::departmentOf(kNone, kNone) == std::nullopt);
    CHECK(rules::departmentOf(kNone, opt("ABCDE")) == std::nullopt);
    CHECK(rules::departmentOf(opt("XXXXX"), opt("123")) == std::nullopt);
  }

  TEST_CASE("isPlausibleEmail") {
    for (const char* s :
         {"recrutement@example.fr", "rh@socah.example", "a@b.c",
          "jean.dupont+offres@sub.example.co.uk", "J\xC3\xA9r\xC3\xB4me@exemple.fr"}) {
      CAPTURE(s);
      CHECK(rules::isPlausibleEmail(s));
    }
    for (const char* s :
         {"", "@example.fr", "jean", "jean@", "jean@example", "jean@.fr", "jean@example.",
          "jean@@example.fr", "jean@ex@ample.fr", "jean dupont@example.fr", "jean@exa mple.fr",
          "jean@example.fr ", "jean\t@example.fr", "jean\xC2\xA0@example.fr",
          "jean@example\xE2\x80\xAF.fr", "jean@example\xE3\x80\x80.fr", "jean@."}) {
      CAPTURE(s);
      CHECK_FALSE(rules::isPlausibleEmail(s));
    }
  }

  TEST_CASE("phoneToE164: French numbers") {
    for (const char* s :
         {"02 99 00 00 00", "02.99.00.00.00", "0299000000", "02-99-00-00-00", "02/99/00/00/00",
          "0033 2 99 00 00 00", "+33 (0)2 99 00 00 00", "+33 2 99 00 00 00", "+33299000000",
          "0033 (0)2 99 00 00 00", "(+33) 2 99 00 00 00",
          "02\xC2\xA0"
          "99 00 00 00",
          "02\xE2\x80\xAF"
          "99\xE2\x80\xAF"
          "00 00 00"}) {
      CAPTURE(s);
      CHECK(rules::phoneToE164(s) == opt("+33299000000"));
    }
    CHECK(rules::phoneToE164("06 12 34 56 78") == opt("+33612345678"));
    CHECK(rules::phoneToE164("09 70 00 00 00") == opt("+33970000000"));
    CHECK(rules::phoneToE164("0800 00 00 00") == opt("+33800000000"));
  }

  TEST_CASE("phoneToE164: overseas departments") {
    // offer.md's example: the 9 digits after the 0 follow the country code.
    CHECK(rules::phoneToE164("0692 12 34 56") == opt("+262692123456"));
    CHECK(rules::phoneToE164("0692 123 456") == opt("+262692123456"));
    CHECK(rules::phoneToE164("06 92 12 34 56") == opt("+262692123456"));
    CHECK(rules::phoneToE164("0692 12 34 5") == std::nullopt);
    CHECK(rules::phoneToE164("0692 12 34 56 7") == std::nullopt);
    CHECK(rules::phoneToE164("0262 12 34 56") == opt("+262262123456"));
    CHECK(rules::phoneToE164("02 62 12 34 56") == opt("+262262123456"));
    CHECK(rules::phoneToE164("02 63 12 34 56") == opt("+262263123456"));
    CHECK(rules::phoneToE164("02 69 61 00 00") == opt("+262269610000"));
    CHECK(rules::phoneToE164("06 39 12 34 56") == opt("+262639123456"));
    CHECK(rules::phoneToE164("06 93 12 34 56") == opt("+262693123456"));
    CHECK(rules::phoneToE164("05 90 12 34 56") == opt("+590590123456"));
    CHECK(rules::phoneToE164("06 90 12 34 56") == opt("+590690123456"));
    CHECK(rules::phoneToE164("06 91 12 34 56") == opt("+590691123456"));
    CHECK(rules::phoneToE164("05 94 12 34 56") == opt("+594594123456"));
    CHECK(rules::phoneToE164("06 94 12 34 56") == opt("+594694123456"));
    CHECK(rules::phoneToE164("05 96 12 34 56") == opt("+596596123456"));
    CHECK(rules::phoneToE164("06 96 12 34 56") == opt("+596696123456"));
    CHECK(rules::phoneToE164("06 97 12 34 56") == opt("+596697123456"));
    // Neighbouring prefixes stay French.
    CHECK(rules::phoneToE164("06 95 12 34 56") == opt("+33695123456"));
    CHECK(rules::phoneToE164("05 91 12 34 56") == opt("+33591123456"));
    // Already international: kept as written.
    CHECK(rules::phoneToE164("+262 692 12 34 56") == opt("+262692123456"));
    CHECK(rules::phoneToE164("00262 692 12 34 56") == opt("+262692123456"));
  }

  TEST_CASE("phoneToE164: other countries") {
    CHECK(rules::phoneToE164("+44 20 7946 0958") == opt("+442079460958"));
    CHECK(rules::phoneToE164("0044 20 7946 0958") == opt("+442079460958"));
    CHECK(rules::phoneToE164("+32 2 123 45 67") == opt("+3221234567"));
    CHECK(rules::phoneToE164("+12345678") == opt("+12345678"));                // 8 digits
    CHECK(rules::phoneToE164("+123456789012345") == opt("+123456789012345"));  // 15 digits
    CHECK(rules::phoneToE164("+1234567") == std::nullopt);                     // 7
    CHECK(rules::phoneToE164("+1234567890123456") == std::nullopt);            // 16
  }

  TEST_CASE("phoneToE164: refused") {
    for (const char* s :
         {"", " ", "+", "00", "0", "02 99 00 00", "02 99 00 00 000", "299000000", "2 99 00 00 00",
          "+33 2 99 00 00", "+33 2 99 00 00 000", "+33 0 99 00 00 00", "+33 (0)0 99 00 00 00",
          "0033 99 00 00 00", "00 0 2 99 00 00 00", "+0 299 000 000", "02 99 00 00 0A",
          "tel: 02 99 00 00 00", "02 99 00 00 00 poste 12", "02 99 00 00 00 / 06 12 34 56 78",
          "++33 2 99 00 00 00", "+33 2 99 +00 00 00", "02 99 00 00 00#", "02 (0)2 99 00 00 00",
          // offer.md: 9 digits after +33, the first 1 to 9;
          // brackets only as "(0)" after a country code or
          // around one (Precisions).
          "+33 0 2 99 00 00 00", "0033 0299000000", "0 (0)2 99 00 00 00", "+44 20 (0)7946 0958",
          "(+33 2 99 00 00 00", "02)99(00 00 00", "02 (99) 00 00 00", "+1 (212) 555-0100",
          "\xD9\xA0\xD9\xA2 99 00 00 00"}) {
      CAPTURE(s);
      CHECK(rules::phoneToE164(s) == std::nullopt);
    }
  }
}
