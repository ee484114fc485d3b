// Decoding of partners' exports to UTF-8 (shared/specs/formats/README.md,
// "Encoding").
//
// Single-byte encodings go through a constexpr 256-entry table whose entries
// hold the byte's UTF-8 form already encoded (1 to 3 bytes), so the hot loop
// never encodes a code point. ASCII runs, which dominate French text, are
// found 8 bytes at a time and copied with memcpy.
#include "formats/encoding.h"

#include <array>
#include <cstdint>
#include <cstring>

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

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// Length of the ASCII run starting at p (at most n bytes), 8 bytes at a time.
std::size_t asciiRunLength(const unsigned char* p, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);  // memcpy: no alignment or aliasing issue.
    if (w & kHighBits) break;
  }
  while (i < n && p[i] < 0x80) ++i;
  return i;
}

// Number of bytes >= 0x80 in [p, p+n): sizes the output of a single-byte
// decode exactly enough for one allocation.
std::size_t countNonAscii(const unsigned char* p, std::size_t n) {
  std::size_t count = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    // Move each high bit to its byte's bit 0, then sum the eight bytes with a
    // multiply (each is 0 or 1, so the sum fits the top byte); portable and
    // branch-free, unlike a popcount without -mpopcnt.
    count += static_cast<std::size_t>((((w & kHighBits) >> 7) * 0x0101010101010101ULL) >> 56);
  }
  for (; i < n; ++i) count += p[i] >> 7;
  return count;
}

std::optional<DecodeError> decodeSingleByte(const DecodeTable& table, std::string_view bytes,
                                            std::string& out) {
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  // Each non-ASCII byte yields at most 3 bytes: size once, write through a
  // pointer, shrink at the end (no per-byte push_back).
  const std::size_t base = out.size();
  out.resize(base + n + 2 * countNonAscii(in, n));
  char* w = out.data() + base;
  std::optional<DecodeError> error;
  std::size_t i = 0;
  while (i < n) {
    const std::size_t run = asciiRunLength(in + i, n - i);
    std::memcpy(w, in + i, run);
    w += run;
    i += run;
    // Decode the non-ASCII bytes that follow, until the next ASCII byte.
    while (i < n && in[i] >= 0x80) {
      const Utf8Entry& e = table[in[i]];
      if (e.len == 0) {
        error = DecodeError{i, in[i]};
        break;
      }
      std::memcpy(w, e.bytes, 3);  // Fixed-size copy; only e.len bytes count.
      w += e.len;
      ++i;
    }
    if (error) break;
  }
  out.resize(static_cast<std::size_t>(w - out.data()));
  return error;
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
// then append it with a single copy.
std::optional<DecodeError> decodeUtf8(std::string_view bytes, std::string& out) {
  std::optional<DecodeError> error;
  out.append(bytes.data(), wellFormedUtf8Prefix(bytes, error));
  return error;
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

std::optional<DecodeError> decodeAppend(Encoding enc, std::string_view bytes, std::string& out) {
  switch (enc) {
    case Encoding::kWindows1252:
      return decodeSingleByte(kCp1252Table, bytes, out);
    case Encoding::kIso8859_15:
      return decodeSingleByte(kLatin9Table, bytes, out);
    case Encoding::kUtf8:
      return decodeUtf8(bytes, out);
  }
  return DecodeError{
      0, bytes.empty() ? static_cast<unsigned char>(0) : static_cast<unsigned char>(bytes[0])};
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
