// Tests of formats/encoding.h against shared/specs/formats/README.md
// ("Encoding"). Expected code points are written out independently of the
// decoder's tables, and the decoder's UTF-8 output is decoded back here.
#include "formats/encoding.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace passerelle::formats {
namespace {

// Decodes a UTF-8 string to code points (test-side, trusting nothing of the
// code under test). Returns an empty vector on any malformation.
std::vector<char32_t> codePoints(const std::string& s) {
  std::vector<char32_t> cps;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    if (i + len > s.size()) return {};
    char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (std::size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return {};
      cp = (cp << 6) | (c & 0x3F);
    }
    cps.push_back(cp);
    i += len;
  }
  return cps;
}

// Windows-1252 0x80-0x9F per the WHATWG/Microsoft table; 0 = undefined.
constexpr char32_t kCp1252Expected[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

char32_t expectedCp1252(int b) {
  return b >= 0x80 && b <= 0x9F ? kCp1252Expected[b - 0x80] : b;
}

// ISO-8859-15: Latin-1 except eight positions; 0x80-0x9F undefined (0).
char32_t expectedLatin9(int b) {
  if (b >= 0x80 && b <= 0x9F) return 0;
  switch (b) {
    case 0xA4:
      return 0x20AC;
    case 0xA6:
      return 0x0160;
    case 0xA8:
      return 0x0161;
    case 0xB4:
      return 0x017D;
    case 0xB8:
      return 0x017E;
    case 0xBC:
      return 0x0152;
    case 0xBD:
      return 0x0153;
    case 0xBE:
      return 0x0178;
    default:
      return static_cast<char32_t>(b);
  }
}

std::string byteString(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

// Checks every byte of a single-byte encoding, alone and between ASCII (so
// both the fast path and the table path see it).
void checkSingleByteTable(Encoding enc, char32_t (*expected)(int)) {
  for (int b = 0; b < 256; ++b) {
    CAPTURE(b);
    const char32_t cp = expected(b);
    const std::string input = byteString({'x', b, 'y'});
    std::string out = "prefix";
    const auto err = decodeAppend(enc, input, out);
    if (b == 0x00 || cp != 0) {
      REQUIRE_FALSE(err.has_value());
      REQUIRE(out.substr(0, 6) == "prefix");
      const auto cps = codePoints(out.substr(6));
      REQUIRE(cps.size() == 3);
      CHECK(cps[0] == U'x');
      CHECK(cps[1] == cp);
      CHECK(cps[2] == U'y');
    } else {
      REQUIRE(err.has_value());
      CHECK(err->offset == 1);
      CHECK(err->byte == b);
      CHECK(out == "prefixx");  // What came before the error stays appended.
    }
  }
}

}  // namespace

TEST_CASE("encodingName") {
  CHECK(encodingName(Encoding::kWindows1252) == "windows-1252");
  CHECK(encodingName(Encoding::kIso8859_15) == "iso-8859-15");
  CHECK(encodingName(Encoding::kUtf8) == "utf-8");
}

TEST_CASE("windows-1252: every byte maps to its code point or is undefined") {
  checkSingleByteTable(Encoding::kWindows1252, expectedCp1252);
  CHECK(expectedCp1252(0x80) == 0x20AC);
  CHECK(expectedCp1252(0x92) == 0x2019);
  CHECK(expectedCp1252(0x9F) == 0x0178);
}

TEST_CASE("windows-1252: the five undefined bytes are errors") {
  for (int b : {0x81, 0x8D, 0x8F, 0x90, 0x9D}) {
    CAPTURE(b);
    std::string out;
    const auto err = decodeAppend(Encoding::kWindows1252, byteString({'a', 'b', b}), out);
    REQUIRE(err.has_value());
    CHECK(err->offset == 2);
    CHECK(err->byte == b);
    CHECK(out == "ab");
  }
}

TEST_CASE("windows-1252: French text") {
  std::string out;
  const std::string in =
      "Cr\xE8me br\xFBl\xE9"
      "e \x80 l\x92\x9C"
      "uvre";
  REQUIRE_FALSE(decodeAppend(Encoding::kWindows1252, in, out).has_value());
  CHECK(out == "Crème brûlée € l’œuvre");
}

TEST_CASE("iso-8859-15: every byte maps to its code point or is undefined") {
  checkSingleByteTable(Encoding::kIso8859_15, expectedLatin9);
  CHECK(expectedLatin9(0xA4) == 0x20AC);
  CHECK(expectedLatin9(0xBD) == 0x0153);
}

TEST_CASE("iso-8859-15: 0x80-0x9F are undefined, the Latin-9 letters decode") {
  for (int b = 0x80; b <= 0x9F; ++b) {
    CAPTURE(b);
    std::string out;
    const auto err = decodeAppend(Encoding::kIso8859_15, byteString({b}), out);
    REQUIRE(err.has_value());
    CHECK(err->offset == 0);
    CHECK(err->byte == b);
    CHECK(out.empty());
  }
  std::string out;
  REQUIRE_FALSE(decodeAppend(Encoding::kIso8859_15, "\xA4\xA6\xA8\xB4\xB8\xBC\xBD\xBE", out));
  CHECK(out == "€ŠšŽžŒœŸ");
}

TEST_CASE("single-byte: error after a long ASCII run reports the right offset") {
  std::string in(1000, 'a');
  in += "\xE9\xE9";
  in += std::string(37, 'b');
  in += '\x81';
  in += "tail";
  std::string out;
  const auto err = decodeAppend(Encoding::kWindows1252, in, out);
  REQUIRE(err.has_value());
  CHECK(err->offset == 1039);
  CHECK(err->byte == 0x81);
  CHECK(out == std::string(1000, 'a') + "éé" + std::string(37, 'b'));
}

TEST_CASE("NUL bytes decode as U+0000 in every encoding") {
  const std::string in("a\0b", 3);
  for (Encoding enc : {Encoding::kWindows1252, Encoding::kIso8859_15, Encoding::kUtf8}) {
    std::string out;
    CHECK_FALSE(decodeAppend(enc, in, out).has_value());
    CHECK(out == in);
  }
}

TEST_CASE("empty input decodes to nothing") {
  for (Encoding enc : {Encoding::kWindows1252, Encoding::kIso8859_15, Encoding::kUtf8}) {
    std::string out = "keep";
    CHECK_FALSE(decodeAppend(enc, "", out).has_value());
    CHECK(out == "keep");
  }
}

TEST_CASE("utf-8: well-formed text is copied as it is") {
  const std::string in =
      "Apprenti(e) boulanger — 12 € / mois, l’équipe 日本 \xF0\x9F\x98\x80 "
      "\xF4\x8F\xBF\xBF \xEF\xBF\xBF \xED\x9F\xBF \xEE\x80\x80 \xC2\x80 \xDF\xBF";
  std::string out = ">";
  CHECK_FALSE(decodeAppend(Encoding::kUtf8, in, out).has_value());
  CHECK(out == ">" + in);
}

TEST_CASE("utf-8: ill-formed sequences are errors at their first byte") {
  struct Case {
    std::string bytes;
    std::size_t offset;
    unsigned char byte;
  };
  const Case cases[] = {
      {"ab\xC0\x80", 2, 0xC0},          // Overlong NUL.
      {"ab\xC1\xBF", 2, 0xC1},          // Overlong 2-byte.
      {"ab\xE0\x80\x80", 2, 0xE0},      // Overlong 3-byte.
      {"ab\xE0\x9F\xBF", 2, 0xE0},      // Overlong 3-byte (U+07FF).
      {"ab\xF0\x80\x80\x80", 2, 0xF0},  // Overlong 4-byte.
      {"ab\xF0\x8F\xBF\xBF", 2, 0xF0},  // Overlong 4-byte (U+FFFF).
      {"ab\xED\xA0\x80", 2, 0xED},      // Surrogate U+D800.
      {"ab\xED\xBF\xBF", 2, 0xED},      // Surrogate U+DFFF.
      {"ab\xF4\x90\x80\x80", 2, 0xF4},  // U+110000.
      {"ab\xF5\x80\x80\x80", 2, 0xF5},  // Lead byte above F4.
      {"ab\xFF", 2, 0xFF},              // Never valid.
      {"ab\x80", 2, 0x80},              // Lone continuation byte.
      {"ab\xC3", 2, 0xC3},              // Truncated at end (2-byte).
      {"ab\xE2\x82", 2, 0xE2},          // Truncated at end (3-byte).
      {"ab\xF0\x9F\x98", 2, 0xF0},      // Truncated at end (4-byte).
      {"ab\xC3"
       "a",
       2, 0xC3},  // Continuation missing.
      {"ab\xE2\x82"
       "a",
       2, 0xE2},                                   // Continuation missing.
      {"\xC3\xA9\xC3\xA9\xE9t\xC3\xA9", 4, 0xE9},  // Latin-1 é inside UTF-8 text.
      {"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9 abcdefghijkl\xC3\xC3", 23, 0xC3},
  };
  for (const Case& c : cases) {
    CAPTURE(c.bytes);
    std::string out = "#";
    const auto err = decodeAppend(Encoding::kUtf8, c.bytes, out);
    REQUIRE(err.has_value());
    CHECK(err->offset == c.offset);
    CHECK(err->byte == c.byte);
    CHECK(out == "#" + c.bytes.substr(0, c.offset));
  }
}

TEST_CASE("utf-8: every lead byte alone at the end of input") {
  for (int b = 0x80; b <= 0xFF; ++b) {
    CAPTURE(b);
    std::string out;
    const auto err = decodeAppend(
        Encoding::kUtf8, byteString({'1', '2', '3', '4', '5', '6', '7', '8', 'x', b}), out);
    REQUIRE(err.has_value());
    CHECK(err->offset == 9);
    CHECK(out == "12345678x");
  }
}

TEST_CASE("startsWellFormedUtf8") {
  CHECK(startsWellFormedUtf8("\xC3\xA9"));
  CHECK(startsWellFormedUtf8("\xC3\xA9tudiant"));
  CHECK(startsWellFormedUtf8("\xE2\x82\xAC"));
  CHECK(startsWellFormedUtf8("\xF0\x9F\x98\x80 ok"));
  CHECK(startsWellFormedUtf8("\xF4\x8F\xBF\xBF"));
  CHECK_FALSE(startsWellFormedUtf8(""));
  CHECK_FALSE(startsWellFormedUtf8("a"));
  CHECK_FALSE(startsWellFormedUtf8("\xC3"));          // Truncated.
  CHECK_FALSE(startsWellFormedUtf8("\xE2\x82"));      // Truncated.
  CHECK_FALSE(startsWellFormedUtf8("\xE9t\xE9"));     // Latin-1 é followed by ASCII.
  CHECK_FALSE(startsWellFormedUtf8("\xC0\x80"));      // Overlong.
  CHECK_FALSE(startsWellFormedUtf8("\xE0\x80\x80"));  // Overlong.
  CHECK_FALSE(startsWellFormedUtf8("\xED\xA0\x80"));  // Surrogate.
  CHECK_FALSE(startsWellFormedUtf8("\xF4\x90\x80\x80"));
  CHECK_FALSE(startsWellFormedUtf8("\x92"));                           // cp1252 apostrophe.
  CHECK_FALSE(startsWellFormedUtf8(std::string_view("\xC3\xA9", 1)));  // Bounds respected.
}

TEST_CASE("wellFormedUtf8Length: one character, ASCII included") {
  CHECK(wellFormedUtf8Length("a\xC3\xA9") == 1);
  CHECK(wellFormedUtf8Length("\xC3\xA9t") == 2);
  CHECK(wellFormedUtf8Length("\xE2\x82\xAC") == 3);
  CHECK(wellFormedUtf8Length("\xF0\x9F\x98\x80") == 4);
  CHECK(wellFormedUtf8Length("") == 0);
  CHECK(wellFormedUtf8Length("\xC3") == 0);              // Truncated.
  CHECK(wellFormedUtf8Length("\xED\xA0\x80") == 0);      // Surrogate.
  CHECK(wellFormedUtf8Length("\xC1\xBF") == 0);          // Overlong.
  CHECK(wellFormedUtf8Length("\xF4\x90\x80\x80") == 0);  // Above U+10FFFF.
}

TEST_CASE("utf8BomLength") {
  CHECK(utf8BomLength("\xEF\xBB\xBFsource_ref;") == 3);
  CHECK(utf8BomLength("\xEF\xBB\xBF") == 3);
  CHECK(utf8BomLength("\xEF\xBB") == 0);
  CHECK(utf8BomLength("") == 0);
  CHECK(utf8BomLength("abc") == 0);
  CHECK(utf8BomLength("a\xEF\xBB\xBF") == 0);
}

TEST_CASE("decodeAppend appends to existing content, long mixed input") {
  std::string cp1252;
  std::string expected;
  for (int i = 0; i < 500; ++i) {
    cp1252 +=
        "Poste d\x92"
        "apprenti \xE9lectricien \x96 ";
    expected += "Poste d’apprenti électricien – ";
  }
  std::string out = "start:";
  REQUIRE_FALSE(decodeAppend(Encoding::kWindows1252, cp1252, out).has_value());
  CHECK(out == "start:" + expected);
  std::string again = "start:";
  REQUIRE_FALSE(decodeAppend(Encoding::kUtf8, expected, again).has_value());
  CHECK(again == out);
}

}  // namespace passerelle::formats
