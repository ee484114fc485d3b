// Decoding of partners' exports to UTF-8 (shared/specs/formats/README.md,
// "Encoding").
//
// Single-byte encodings go through a constexpr 256-entry table whose entries
// hold the byte's UTF-8 form already encoded (1 to 3 bytes), so the hot loop
// never encodes a code point. ASCII runs, which dominate French text, are
// found and copied 16 bytes at a time (byte_block.h).
#include "formats/encoding.h"

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>

#include "formats/byte_block.h"

namespace passerelle::formats {
namespace {

// One table entry: the UTF-8 bytes of the byte's code point. len == 0 marks a
// byte the encoding leaves undefined (U+0000 is len 1, so it stays distinct).
struct Utf8Entry {
  std::uint8_t len = 0;
  char bytes[3] = {0, 0, 0};
};

using DecodeTable = std::array<Utf8Entry, 256>;

constexpr Utf8Entry encodeUtf8(char32_t cp) {
  Utf8Entry e;
  if (cp < 0x80) {
    e.len = 1;
    e.bytes[0] = static_cast<char>(cp);
  } else if (cp < 0x800) {
    e.len = 2;
    e.bytes[0] = static_cast<char>(0xC0 | (cp >> 6));
    e.bytes[1] = static_cast<char>(0x80 | (cp & 0x3F));
  } else {  // Both encodings stay inside the BMP.
    e.len = 3;
    e.bytes[0] = static_cast<char>(0xE0 | (cp >> 12));
    e.bytes[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    e.bytes[2] = static_cast<char>(0x80 | (cp & 0x3F));
  }
  return e;
}

// Windows-1252 0x80-0x9F; 0 = undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D).
// Everything else is Latin-1, i.e. code point == byte.
constexpr char32_t kCp1252High[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,  // 80-87
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,       // 88-8F
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,  // 90-97
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,  // 98-9F
};

constexpr DecodeTable makeCp1252Table() {
  DecodeTable t{};
  for (int b = 0; b < 256; ++b) {
    char32_t cp = static_cast<char32_t>(b);
    if (b >= 0x80 && b <= 0x9F) cp = kCp1252High[b - 0x80];
    if (cp != 0 || b == 0) t[b] = encodeUtf8(cp);
  }
  return t;
}

// ISO-8859-15 is Latin-1 except eight positions. 0x80-0x9F are C1 control
// codes there; the spec treats them as undefined (no export writes them, a
// stray 0x92 is a mislabelled Windows-1252 apostrophe).
constexpr char32_t latin9CodePoint(int b) {
  switch (b) {
    case 0xA4:
      return 0x20AC;  // €
    case 0xA6:
      return 0x0160;  // Š
    case 0xA8:
      return 0x0161;  // š
    case 0xB4:
      return 0x017D;  // Ž
    case 0xB8:
      return 0x017E;  // ž
    case 0xBC:
      return 0x0152;  // Œ
    case 0xBD:
      return 0x0153;  // œ
    case 0xBE:
      return 0x0178;  // Ÿ
    default:
      return static_cast<char32_t>(b);
  }
}

constexpr DecodeTable makeLatin9Table() {
  DecodeTable t{};
  for (int b = 0; b < 256; ++b) {
    if (b >= 0x80 && b <= 0x9F) continue;
    t[b] = encodeUtf8(latin9CodePoint(b));
  }
  return t;
}

constexpr DecodeTable kCp1252Table = makeCp1252Table();
constexpr DecodeTable kLatin9Table = makeLatin9Table();

// Length of the ASCII run starting at p (at most n bytes), a block at a time.
std::size_t asciiRunLength(const unsigned char* p, std::size_t n) {
  std::size_t i = 0;
  for (; i + ByteBlock::kSize <= n; i += ByteBlock::kSize) {
    if (const std::uint32_t high = ByteBlock(p + i).nonAscii()) return i + firstSetBit(high);
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

// Writes the table entry of in[i] at w; nullptr for an undefined byte. The
// entry is copied whole (3 bytes, e.len of which count): a fixed-size copy.
char* decodeByte(const DecodeTable& table, const unsigned char* in, std::size_t i, char* w) {
  const Utf8Entry& e = table[in[i]];
  if (e.len == 0) return nullptr;
  std::memcpy(w, e.bytes, 3);
  return w + e.len;
}

// Single-byte decoding into `out`, which has room for 3 bytes per input
// byte. French prose puts an accent every twenty bytes or so, too often and
// too irregularly for a loop that branches on the text, so:
//
// - While 32 input bytes remain, the text goes 16 bytes at a time. The block
//   is stored whole at w (its ASCII prefix is then in place); then, for each
//   of its non-ASCII bytes (the bits of one mask), the byte is decoded
//   through the table and the 16 input bytes after it are stored right
//   after, which places the ASCII that follows. The loads depend on the mask
//   only, never on the output written before: the iterations overlap.
// - While 17 remain, one step stores a block, skips its ASCII prefix and
//   decodes the byte after it (the 17th when the block was all ASCII: the
//   table maps ASCII to itself).
// - While 8 remain, the same step in a 64-bit word.
// - The last bytes go through the table one by one.
//
// Every store stays in the room: w is at most 3i bytes ahead of out, and a
// store of 16 bytes at w starts at an input position p with p + 16 <= n.
DecodeResult decodeSingleByte(const DecodeTable& table, std::string_view bytes, char* out) {
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  char* w = out;
  std::size_t i = 0;
  for (; i + 2 * ByteBlock::kSize <= n; i += ByteBlock::kSize) {
    const ByteBlock block(in + i);
    block.storeTo(w);
    std::uint32_t high = block.nonAscii();
    std::size_t placed = 0;  // bytes of the block already at their place from w
    while (high != 0) {
      const unsigned k = firstSetBit(high);
      high &= high - 1;
      w += k - placed;
      char* next = decodeByte(table, in, i + k, w);
      if (next == nullptr)
        return {static_cast<std::size_t>(w - out), DecodeError{i + k, in[i + k]}};
      w = next;
      ByteBlock(in + i + k + 1).storeTo(w);
      placed = k + 1;
    }
    w += ByteBlock::kSize - placed;
  }
  while (i + ByteBlock::kSize < n) {
    const ByteBlock block(in + i);
    block.storeTo(w);
    const unsigned ascii = firstSetBit(block.nonAscii() | (1u << ByteBlock::kSize));
    i += ascii;
    w += ascii;
    char* next = decodeByte(table, in, i, w);
    if (next == nullptr) return {static_cast<std::size_t>(w - out), DecodeError{i, in[i]}};
    w = next;
    ++i;
  }
  if constexpr (std::endian::native == std::endian::little) {
    // The same step 8 bytes at a time, in a 64-bit word: most fields other
    // than the description are shorter than a block.
    while (i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, in + i, 8);
      std::memcpy(w, in + i, 8);
      const std::uint64_t high = word & 0x8080808080808080ULL;
      const unsigned ascii = high == 0 ? 8u : static_cast<unsigned>(std::countr_zero(high)) / 8;
      i += ascii;
      w += ascii;
      if (ascii == 8) continue;
      char* next = decodeByte(table, in, i, w);
      if (next == nullptr) return {static_cast<std::size_t>(w - out), DecodeError{i, in[i]}};
      w = next;
      ++i;
    }
  }
  for (; i < n; ++i) {
    char* next = decodeByte(table, in, i, w);
    if (next == nullptr) return {static_cast<std::size_t>(w - out), DecodeError{i, in[i]}};
    w = next;
  }
  return {static_cast<std::size_t>(w - out), std::nullopt};
}

// Length of the well-formed UTF-8 sequence starting at p[0] (non-ASCII), or 0
// if ill-formed or truncated. Follows Unicode Table 3-7: the second byte's
// range depends on the lead byte, which excludes overlong forms, surrogates
// (ED A0-BF) and code points above U+10FFFF (F4 90+).
std::size_t wellFormedLength(const unsigned char* p, std::size_t n) {
  const unsigned char b0 = p[0];
  std::size_t len;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
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
    return 0;  // Continuation byte, C0/C1 (always overlong) or F5-FF.
  }
  if (n < len) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (std::size_t k = 2; k < len; ++k) {
    if ((p[k] & 0xC0) != 0x80) return 0;
  }
  return len;
}

// Length of the well-formed UTF-8 prefix of `bytes`; `error` set when it
// stops before the end.
std::size_t wellFormedUtf8Prefix(std::string_view bytes, std::optional<DecodeError>& error) {
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  while (i < n) {
    i += asciiRunLength(in + i, n - i);
    if (i == n) break;
    const std::size_t len = wellFormedLength(in + i, n - i);
    if (len == 0) {
      error = DecodeError{i, in[i]};
      break;
    }
    i += len;
  }
  return i;
}

// UTF-8 input is copied as it is: find the end of the well-formed prefix,
// then copy it at once.
DecodeResult decodeUtf8(std::string_view bytes, char* out) {
  DecodeResult result;
  result.written = wellFormedUtf8Prefix(bytes, result.error);
  if (result.written > 0) std::memcpy(out, bytes.data(), result.written);
  return result;
}

std::optional<DecodeError> firstUndefinedSingleByte(const DecodeTable& table,
                                                    std::string_view bytes) {
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (in[i] >= 0x80 && table[in[i]].len == 0) return DecodeError{i, in[i]};
  }
  return std::nullopt;
}

}  // namespace

std::string_view encodingName(Encoding e) {
  switch (e) {
    case Encoding::kWindows1252:
      return "windows-1252";
    case Encoding::kIso8859_15:
      return "iso-8859-15";
    case Encoding::kUtf8:
      return "utf-8";
  }
  return "unknown";
}

std::size_t maxDecodedSize(Encoding enc, std::size_t n) {
  // Both single-byte encodings stay inside the BMP: at most 3 UTF-8 bytes.
  return enc == Encoding::kUtf8 ? n : 3 * n;
}

DecodeResult decodeInto(Encoding enc, std::string_view bytes, char* out) {
  switch (enc) {
    case Encoding::kWindows1252:
      return decodeSingleByte(kCp1252Table, bytes, out);
    case Encoding::kIso8859_15:
      return decodeSingleByte(kLatin9Table, bytes, out);
    case Encoding::kUtf8:
      return decodeUtf8(bytes, out);
  }
  return {0, DecodeError{0, bytes.empty() ? static_cast<unsigned char>(0)
                                          : static_cast<unsigned char>(bytes[0])}};
}

std::optional<DecodeError> decodeAppend(Encoding enc, std::string_view bytes, std::string& out) {
  // decodeInto() may write anywhere in its room, not only what it keeps.
  const std::size_t base = out.size();
  out.resize(base + maxDecodedSize(enc, bytes.size()));
  const DecodeResult result = decodeInto(enc, bytes, out.data() + base);
  out.resize(base + result.written);
  return result.error;
}

std::optional<DecodeError> firstDecodeError(Encoding enc, std::string_view bytes) {
  switch (enc) {
    case Encoding::kWindows1252:
      return firstUndefinedSingleByte(kCp1252Table, bytes);
    case Encoding::kIso8859_15:
      return firstUndefinedSingleByte(kLatin9Table, bytes);
    case Encoding::kUtf8: {
      std::optional<DecodeError> error;
      wellFormedUtf8Prefix(bytes, error);
      return error;
    }
  }
  return std::nullopt;
}

std::size_t incompleteUtf8Suffix(std::string_view bytes) {
  const std::size_t n = bytes.size();
  for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
    const auto b = static_cast<unsigned char>(bytes[n - back]);
    if (b < 0x80) return 0;
    if (b < 0xC0) continue;  // a continuation byte: look further back
    const std::size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    return back < len ? back : 0;
  }
  return 0;
}

bool startsWellFormedUtf8(std::string_view bytes) {
  if (bytes.empty()) return false;
  return wellFormedLength(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()) != 0;
}

std::size_t wellFormedUtf8Length(std::string_view bytes) {
  if (bytes.empty()) return 0;
  if (static_cast<unsigned char>(bytes[0]) < 0x80) return 1;
  return wellFormedLength(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::size_t utf8BomLength(std::string_view bytes) {
  return bytes.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
}

}  // namespace passerelle::formats
