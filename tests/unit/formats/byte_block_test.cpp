// The loops that go 16 bytes at a time (formats/byte_block.h): decoding,
// folding and tokenizing must give, at every position of a block and across
// block boundaries, what a plain byte-by-byte reading of the rules gives.
// The references here are written from the specs, one character at a time,
// and the inputs are random mixtures of the pieces that stop a block.
#include "formats/byte_block.h"

#include <doctest/doctest.h>

#include <array>
#include <random>
#include <string>
#include <vector>

#include "formats/csv_tokenizer.h"
#include "formats/encoding.h"
#include "formats/text_fold.h"

using passerelle::formats::ByteBlock;
using passerelle::formats::CsvRecord;
using passerelle::formats::CsvTokenizer;
using passerelle::formats::decodeAppend;
using passerelle::formats::decodeInto;
using passerelle::formats::Encoding;
using passerelle::formats::foldDescription;
using passerelle::formats::foldSingleLine;
using passerelle::formats::isFoldWhiteSpace;
using passerelle::formats::isRemovedCharacter;
using passerelle::formats::maxDecodedSize;

namespace {

template <typename Pred>
std::uint32_t referenceMask(const unsigned char* p, Pred pred) {
  std::uint32_t m = 0;
  for (std::size_t k = 0; k < ByteBlock::kSize; ++k)
    if (pred(p[k])) m |= 1u << k;
  return m;
}

std::string randomText(std::mt19937& rng, const std::vector<std::string>& pieces,
                       std::size_t max_pieces) {
  std::uniform_int_distribution<std::size_t> count(0, max_pieces);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::string text;
  for (std::size_t n = count(rng); n > 0; --n) text += pieces[pick(rng)];
  return text;
}

// UTF-8 code points of well-formed text.
std::vector<char32_t> codePoints(std::string_view s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    char32_t cp = len == 1 ? b : len == 2 ? b & 0x1F : len == 3 ? b & 0x0F : b & 0x07;
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// offer.md, "Text normalisation", single-line fields.
std::string referenceSingleLine(std::string_view text) {
  std::string out;
  bool space = false;
  for (const char32_t cp : codePoints(text)) {
    if (isRemovedCharacter(cp)) continue;
    if (isFoldWhiteSpace(cp)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    appendUtf8(out, cp);
  }
  return out;
}

// offer.md, "Text normalisation", the description.
std::string referenceDescription(std::string_view text) {
  std::vector<char32_t> kept;
  for (const char32_t cp : codePoints(text))
    if (!isRemovedCharacter(cp)) kept.push_back(cp);
  std::vector<std::string> lines(1);
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const char32_t cp = kept[i];
    if (cp == U'\r' || cp == U'\n') {
      if (cp == U'\r' && i + 1 < kept.size() && kept[i + 1] == U'\n') ++i;
      lines.emplace_back();
    } else if (isFoldWhiteSpace(cp)) {
      lines.back() += ' ';
    } else {
      appendUtf8(lines.back(), cp);
    }
  }
  std::string joined;
  for (std::size_t l = 0; l < lines.size(); ++l) {
    std::string line = lines[l];
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (l > 0) joined += '\n';
    joined += line;
  }
  std::string out;  // More than two line breaks in a row become two.
  std::size_t breaks = 0;
  for (const char c : joined) {
    breaks = c == '\n' ? breaks + 1 : 0;
    if (breaks <= 2) out += c;
  }
  const std::size_t first = out.find_first_not_of(" \n");
  if (first == std::string::npos) return "";
  return out.substr(first, out.find_last_not_of(" \n") - first + 1);
}

const std::vector<std::string> kFoldPieces = {
    "a",
    "Au sein de notre établissement",
    "é",
    "œ",
    " ",
    "  ",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\xC2\xA0",
    "\xC2\x85",
    "\xC2\xA9",
    "\xE2\x80\x8B",
    "’",
    "\xE2\x80\x83",
    "\xE3\x80\x80",
    "\xEF\xBB\xBF",
    "\xEF\xBC\xA1",
    "\x01",
    "\x7F",
    "€",
    "x y",
    std::string(1, '\0'),
};

}  // namespace

TEST_CASE("ByteBlock masks say the same as a byte-by-byte test, at every position") {
  std::array<unsigned char, ByteBlock::kSize> bytes{};
  for (int value = 0; value < 256; ++value) {
    for (std::size_t at = 0; at < ByteBlock::kSize; ++at) {
      bytes.fill('x');
      bytes[at] = static_cast<unsigned char>(value);
      const ByteBlock block(bytes.data());
      CHECK(block.nonAscii() ==
            referenceMask(bytes.data(), [](unsigned char b) { return b >= 0x80; }));
      CHECK(block.foldStops() == referenceMask(bytes.data(), [](unsigned char b) {
              return b <= 0x20 || b == 0x7F || b == 0xC2 || b == 0xE2 || b == 0xE3 || b == 0xEF;
            }));
      CHECK(block.spaces() ==
            referenceMask(bytes.data(), [](unsigned char b) { return b == ' '; }));
      CHECK(block.equalTo(';') ==
            referenceMask(bytes.data(), [](unsigned char b) { return b == ';'; }));
      char copy[ByteBlock::kSize];
      block.storeTo(copy);
      CHECK(std::string_view(copy, sizeof copy) ==
            std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    }
  }
}

TEST_CASE("decoding 16 bytes at a time: every length, every place of the accents") {
  std::mt19937 rng(1234);
  const std::vector<std::string> pieces = {
      "a", "abcdefghijklmnopq", "\xE9", "\x80", "\x9C", "\xA4", "\xFF", " ", "\n"};
  for (int round = 0; round < 20000; ++round) {
    const std::string input = randomText(rng, pieces, 24);
    for (const Encoding enc : {Encoding::kWindows1252, Encoding::kIso8859_15}) {
      // Reference: one byte at a time through the public API.
      std::string expected;
      std::optional<std::size_t> expected_error;
      for (std::size_t i = 0; i < input.size(); ++i) {
        if (decodeAppend(enc, input.substr(i, 1), expected)) {
          expected_error = i;
          break;
        }
      }
      std::string room(maxDecodedSize(enc, input.size()), '#');
      const auto result = decodeInto(enc, input, room.data());
      REQUIRE(result.error.has_value() == expected_error.has_value());
      if (expected_error) CHECK(result.error->offset == *expected_error);
      CHECK(room.substr(0, result.written) == expected);
    }
  }
}

TEST_CASE("decoding writes only inside its room") {
  // The room is exactly maxDecodedSize; a guard after it must stay intact.
  for (std::size_t n = 0; n < 80; ++n) {
    for (const char fill : {'a', '\xE9', '\x80'}) {
      const std::string input(n, fill);
      std::string buffer(maxDecodedSize(Encoding::kWindows1252, n) + 64, '#');
      decodeInto(Encoding::kWindows1252, input, buffer.data());
      CHECK(buffer.substr(buffer.size() - 64) == std::string(64, '#'));
    }
  }
}

TEST_CASE("folding 16 bytes at a time matches the rules read one character at a time") {
  std::mt19937 rng(42);
  for (int round = 0; round < 20000; ++round) {
    const std::string text = randomText(rng, kFoldPieces, 40);
    CAPTURE(text);
    CHECK(foldSingleLine(text) == referenceSingleLine(text));
    CHECK(foldDescription(text) == referenceDescription(text));
  }
}

TEST_CASE("tokenizer: line ends and NUL bytes counted at every place of a block") {
  for (std::size_t length = 0; length < 40; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      for (const char mark : {'\n', '\0', '"'}) {
        std::string field(length, 'x');
        field[at] = mark;
        std::string quoted = mark == '"' ? std::string(field).insert(at, 1, '"') : field;
        const std::string input = "\"" + quoted + "\";" + field.substr(0, at) + "\nnext;x\n";
        std::vector<std::pair<long, bool>> records;
        CsvTokenizer tok(';');
        const auto on = [&](const CsvRecord& r) { records.emplace_back(r.line, r.has_nul); };
        tok.feed(input, on);
        REQUIRE(tok.finish(on));
        REQUIRE(records.size() == 2);
        CAPTURE(length);
        CAPTURE(at);
        CHECK(records[0] == std::make_pair(1L, mark == '\0'));
        CHECK(records[1].first == (mark == '\n' ? 3 : 2));
      }
    }
  }
}

TEST_CASE("tokenizer: unquoted fields end at every place of a block") {
  for (std::size_t length = 1; length < 40; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      for (const char stop : {';', '\n', '\r', '\0'}) {
        std::string line(length, 'x');
        line[at] = stop;
        std::vector<std::vector<std::string>> records;
        CsvTokenizer tok(';');
        const auto on = [&](const CsvRecord& r) {
          std::vector<std::string> fields;
          for (std::size_t i = 0; i < r.fieldCount(); ++i) fields.emplace_back(r.field(i));
          records.push_back(fields);
        };
        tok.feed(line + "\n", on);
        REQUIRE(tok.finish(on));
        CAPTURE(length);
        CAPTURE(at);
        const std::string before(at, 'x');
        const std::string after(length - at - 1, 'x');
        if (stop == ';') {
          CHECK(records == std::vector<std::vector<std::string>>{{before, after}});
        } else if (stop == '\n') {
          // A record of one empty field is what a blank line gives.
          REQUIRE(records.size() == 2);
          CHECK(records[0] == std::vector<std::string>{before});
          CHECK(records[1] == std::vector<std::string>{after});
        } else if (stop == '\r' && at + 1 == length) {  // CRLF ends the record.
          CHECK(records == std::vector<std::vector<std::string>>{{before}});
        } else {  // A lone CR and a NUL are data.
          CHECK(records == std::vector<std::vector<std::string>>{{line}});
        }
      }
    }
  }
}

TEST_CASE("setBitCount counts the bits of every 16-bit mask") {
  for (std::uint32_t m = 0; m <= 0xFFFF; ++m) {
    unsigned expected = 0;
    for (std::uint32_t b = m; b != 0; b >>= 1) expected += b & 1;
    REQUIRE(passerelle::formats::setBitCount(m) == expected);
  }
}
