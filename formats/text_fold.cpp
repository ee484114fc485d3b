// Text normalisation of shared/specs/offer.md ("Text normalisation").
//
// Every function scans UTF-8 bytes without decoding ordinary characters: in
// well-formed UTF-8 only a few lead bytes can start a white-space or removed
// character (C2 for U+0080-U+00A0, E2/E3 for U+2000-U+3000, EF for U+FEFF),
// so all other bytes are copied in runs, 16 at a time (byte_block.h). The
// folds never lengthen the text, so the output is sized to the input once and
// written through a pointer.
#include "formats/text_fold.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "formats/accent_fold.h"
#include "formats/byte_block.h"

namespace passerelle::formats {
namespace {

// What a byte means at the start of a character.
enum class ByteClass : std::uint8_t {
  kPlain,    // Copied as it is (ASCII graphic, or any byte of a character we keep).
  kSpace,    // ASCII white space other than CR and LF: U+0009, U+000B, U+000C, U+0020.
  kLf,       // U+000A.
  kCr,       // U+000D.
  kControl,  // Other ASCII control (U+0000-U+001F, U+007F): removed.
  kSpecial,  // C2, E2, E3, EF: may start a non-ASCII white-space/removed character.
};

constexpr std::array<ByteClass, 256> makeByteClasses() {
  std::array<ByteClass, 256> t{};
  for (int b = 0; b < 256; ++b) {
    ByteClass c = ByteClass::kPlain;
    if (b < 0x20 || b == 0x7F) c = ByteClass::kControl;
    if (b == 0x09 || b == 0x0B || b == 0x0C || b == 0x20) c = ByteClass::kSpace;
    if (b == 0x0A) c = ByteClass::kLf;
    if (b == 0x0D) c = ByteClass::kCr;
    if (b == 0xC2 || b == 0xE2 || b == 0xE3 || b == 0xEF) c = ByteClass::kSpecial;
    t[b] = c;
  }
  return t;
}

constexpr std::array<ByteClass, 256> kByteClass = makeByteClasses();

// Kind of the character at the start of a kSpecial byte.
enum class SpecialKind { kKeep, kSpace, kRemoved };

struct SpecialChar {
  SpecialKind kind;
  std::size_t len;  // Bytes of the character (kKeep: 1, the rest is copied as plain bytes).
};

// Classifies the character starting at s[i] (a C2/E2/E3/EF byte).
SpecialChar classifySpecial(const unsigned char* s, std::size_t i, std::size_t n) {
  const unsigned char b0 = s[i];
  const unsigned char b1 = i + 1 < n ? s[i + 1] : 0;
  const unsigned char b2 = i + 2 < n ? s[i + 2] : 0;
  if (b0 == 0xC2) {
    if (b1 >= 0x80 && b1 <= 0x9F) return {SpecialKind::kRemoved, 2};  // C1 controls.
    if (b1 == 0xA0) return {SpecialKind::kSpace, 2};                  // U+00A0.
  } else if (b0 == 0xE2) {
    if (b1 == 0x80 && b2 >= 0x80 && b2 <= 0x8A) return {SpecialKind::kSpace, 3};  // U+2000-200A.
    if (b1 == 0x80 && b2 == 0x8B) return {SpecialKind::kRemoved, 3};              // U+200B.
    if (b1 == 0x80 && b2 == 0xAF) return {SpecialKind::kSpace, 3};                // U+202F.
    if (b1 == 0x81 && b2 == 0x9F) return {SpecialKind::kSpace, 3};                // U+205F.
  } else if (b0 == 0xE3) {
    if (b1 == 0x80 && b2 == 0x80) return {SpecialKind::kSpace, 3};  // U+3000.
  } else if (b0 == 0xEF) {
    if (b1 == 0xBB && b2 == 0xBF) return {SpecialKind::kRemoved, 3};  // U+FEFF.
  }
  return {SpecialKind::kKeep, 1};
}

// Where copyPlainRun() stopped: the input index and the output pointer.
struct RunCopied {
  std::size_t end;
  char* w;
};

// Copies to w the run of bytes starting at i (just after a kept character)
// that both folds copy unchanged: plain bytes, and single spaces between
// plain bytes (neither leading, trailing nor part of a longer run). Taking in
// those spaces keeps ordinary prose in one run.
//
// While 17 bytes remain (a block and the byte after it, which tells whether
// the block's last space is followed by a plain byte), the block is stored
// whole at w and the run advances to its first real stop. The store stays
// in the output, sized like the input, because the writer is never ahead of
// the reader; it would corrupt input not yet read if the two overlapped, so
// the folds never run in place (foldInto()).
RunCopied copyPlainRun(const unsigned char* s, std::size_t i, std::size_t n, char* w) {
  while (i + ByteBlock::kSize < n) {
    const ByteBlock block(s + i);
    block.storeTo(w);
    const std::uint32_t stops = block.foldStops();
    const std::uint32_t after_stop =
        (stops >> 1) |
        (static_cast<std::uint32_t>(kByteClass[s[i + ByteBlock::kSize]] != ByteClass::kPlain)
         << (ByteBlock::kSize - 1));
    const std::uint32_t real_stops = stops & ~(block.spaces() & ~after_stop);
    if (real_stops != 0) {
      const unsigned k = firstSetBit(real_stops);
      return {i + k, w + k};
    }
    i += ByteBlock::kSize;
    w += ByteBlock::kSize;
  }
  while (i < n) {
    if (kByteClass[s[i]] == ByteClass::kPlain) {
      *w++ = static_cast<char>(s[i++]);
    } else if (s[i] == ' ' && i + 1 < n && kByteClass[s[i + 1]] == ByteClass::kPlain) {
      *w++ = ' ';
      *w++ = static_cast<char>(s[i + 1]);
      i += 2;
    } else {
      break;
    }
  }
  return {i, w};
}

// Copies the kept character of `len` bytes at s[i], then the plain run after it.
RunCopied copyKept(const unsigned char* s, std::size_t i, std::size_t len, std::size_t n, char* w) {
  for (std::size_t k = 0; k < len; ++k) *w++ = static_cast<char>(s[i + k]);
  return copyPlainRun(s, i + len, n, w);
}

// Encoded length of the character whose lead byte is b (1 for ASCII and, to
// stay in bounds on ill-formed input, for stray continuation bytes).
std::size_t sequenceLength(unsigned char b) {
  if (b < 0xC0) return 1;
  if (b < 0xE0) return 2;
  if (b < 0xF0) return 3;
  return 4;
}

// Single-line fold, written into `out` (already sized to text.size()).
// Returns the number of bytes written.
std::size_t foldSingleLineInto(std::string_view text, char* out) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  char* w = out;
  bool pending_space = false;  // A white-space run was seen since the last character.
  std::size_t i = 0;
  while (i < n) {
    ByteClass c = kByteClass[s[i]];
    std::size_t len = 1;
    if (c == ByteClass::kSpecial) {
      const SpecialChar sc = classifySpecial(s, i, n);
      len = sc.len;
      c = sc.kind == SpecialKind::kSpace     ? ByteClass::kSpace
          : sc.kind == SpecialKind::kRemoved ? ByteClass::kControl
                                             : ByteClass::kPlain;
    }
    if (c == ByteClass::kPlain) {
      // A space is written only between two kept characters: that trims both ends.
      if (pending_space && w != out) *w++ = ' ';
      pending_space = false;
      const RunCopied run = copyKept(s, i, len, n, w);
      w = run.w;
      i = run.end;
      continue;
    }
    if (c != ByteClass::kControl) pending_space = true;  // kSpace, kLf, kCr.
    i += len;
  }
  return static_cast<std::size_t>(w - out);
}

// State of the description fold: white space is held back until the next
// kept character shows whether it is trailing (dropped) or not.
struct DescriptionState {
  char* out;
  char* w;
  std::size_t pending_spaces = 0;  // Spaces since the last character or line break.
  std::size_t pending_breaks = 0;  // Line breaks since the last character.
  bool after_cr = false;           // Last non-removed character was CR (for CRLF).

  void lineBreak() {
    ++pending_breaks;
    pending_spaces = 0;  // Spaces before a line break are trailing: dropped.
  }

  // Flushes held-back white space before a kept character. Nothing is flushed
  // before the first one: that trims the start of the text.
  void beforeCharacter() {
    if (w != out) {
      const std::size_t breaks = pending_breaks < 2 ? pending_breaks : 2;
      std::memset(w, '\n', breaks);
      w += breaks;
      std::memset(w, ' ', pending_spaces);
      w += pending_spaces;
    }
    pending_breaks = 0;
    pending_spaces = 0;
    after_cr = false;
  }
};

std::size_t foldDescriptionInto(std::string_view text, char* out) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  DescriptionState st{out, out};
  std::size_t i = 0;
  while (i < n) {
    ByteClass c = kByteClass[s[i]];
    std::size_t len = 1;
    if (c == ByteClass::kSpecial) {
      const SpecialChar sc = classifySpecial(s, i, n);
      len = sc.len;
      c = sc.kind == SpecialKind::kSpace     ? ByteClass::kSpace
          : sc.kind == SpecialKind::kRemoved ? ByteClass::kControl
                                             : ByteClass::kPlain;
    }
    switch (c) {
      case ByteClass::kPlain: {
        st.beforeCharacter();
        const RunCopied run = copyKept(s, i, len, n, st.w);
        st.w = run.w;
        i = run.end;
        continue;
      }
      case ByteClass::kSpace:
        ++st.pending_spaces;  // Each white-space character becomes one space.
        st.after_cr = false;
        break;
      case ByteClass::kCr:
        st.lineBreak();
        st.after_cr = true;
        break;
      case ByteClass::kLf:
        // Removed characters are dropped first, so CR <U+200B> LF is still CRLF.
        if (!st.after_cr) st.lineBreak();
        st.after_cr = false;
        break;
      case ByteClass::kControl:
      case ByteClass::kSpecial:
        break;  // Removed; keeps after_cr as it is.
    }
    i += len;
  }
  // Whatever is still held back is trailing white space: dropped.
  return static_cast<std::size_t>(st.w - out);
}

// Length of the white-space character at the start of s, or 0.
std::size_t leadingWhiteSpaceLength(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const ByteClass c = kByteClass[p[0]];
  if (c == ByteClass::kSpace || c == ByteClass::kLf || c == ByteClass::kCr) return 1;
  if (c != ByteClass::kSpecial) return 0;
  const SpecialChar sc = classifySpecial(p, 0, s.size());
  return sc.kind == SpecialKind::kSpace ? sc.len : 0;
}

// Length of the white-space character at the end of s, or 0. In well-formed
// UTF-8, matching the last 2 or 3 bytes against a white-space encoding is
// unambiguous (a lead byte is never a continuation byte).
std::size_t trailingWhiteSpaceLength(std::string_view s) {
  const auto last = static_cast<unsigned char>(s.back());
  if (last < 0x80) return isFoldWhiteSpace(last) ? 1 : 0;
  if (s.size() >= 2 && s.substr(s.size() - 2) == "\xC2\xA0") return 2;
  if (s.size() >= 3) {
    const std::string_view tail = s.substr(s.size() - 3);
    const auto lead = static_cast<unsigned char>(tail[0]);
    if ((lead == 0xE2 || lead == 0xE3) &&
        classifySpecial(reinterpret_cast<const unsigned char*>(tail.data()), 0, 3).kind ==
            SpecialKind::kSpace) {
      return 3;
    }
  }
  return 0;
}

// Lower-case, accent-free ASCII for U+00C0-U+017F; an empty entry keeps the
// character (× and ÷, which are not letters).
constexpr std::string_view kLatinFold[192] = {
    // U+00C0-U+00DF: À-ß
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  //
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",  //
    // U+00E0-U+00FF: à-ÿ
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  //
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",   //
    // U+0100-U+017F: Latin Extended-A
    "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",    //
    "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",    //
    "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",    //
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",  //
    "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",    //
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",  //
    "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",    //
    "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",    //
};

// Writes the code-key form of the character at s[i] (lead byte >= 0x80) at w
// and returns {bytes read, bytes written}. The key form is never longer than
// the character (é 2 -> 1, œ 2 -> 2, ’ 3 -> 1), so codeKey rewrites in place.
// The code point of the well-formed UTF-8 sequence of `len` bytes at s.
char32_t codePointAt(const unsigned char* s, std::size_t len) {
  static constexpr unsigned char kLeadMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  char32_t cp = s[0] & kLeadMask[len];
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (s[k] & 0x3F);
  return cp;
}

struct KeyStep {
  std::size_t read;
  std::size_t written;
};

KeyStep codeKeyNonAscii(const unsigned char* s, std::size_t i, std::size_t n, char* w) {
  const std::size_t len = std::min(sequenceLength(s[i]), n - i);
  if (len == 2 && s[i] >= 0xC3 && s[i] <= 0xC5) {
    const char32_t cp = (static_cast<char32_t>(s[i] & 0x1F) << 6) | (s[i + 1] & 0x3F);
    const std::string_view folded = kLatinFold[cp - 0xC0];
    if (!folded.empty()) {
      std::memcpy(w, folded.data(), folded.size());
      return {2, folded.size()};
    }
  } else if (len == 3 && s[i] == 0xE2 && s[i + 1] == 0x80 &&
             (s[i + 2] == 0x98 || s[i + 2] == 0x99)) {
    *w = '\'';  // ‘ and ’ read as '.
    return {3, 1};
  } else if (len >= 2) {
    // Any other mark or precomposed letter (accent_fold.h): Ạ, Ṡ, U+1DC0...
    if (const auto folded = accentFoldKey(codePointAt(s + i, len))) {
      // Never longer than the character; a mark's key is empty (data() may be null).
      if (!folded->empty()) std::memcpy(w, folded->data(), folded->size());
      return {len, folded->size()};
    }
  }
  std::memmove(w, s + i, len);  // w may be s + i exactly (nothing shrunk yet).
  return {len, len};
}

}  // namespace

bool isFoldWhiteSpace(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

bool isRemovedCharacter(char32_t cp) {
  const bool control = cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F);
  return (control && !isFoldWhiteSpace(cp)) || cp == 0x200B || cp == 0xFEFF;
}

std::string foldSingleLine(std::string_view text) {
  std::string out;
  foldSingleLine(text, out);
  return out;
}

namespace {

// Folds `text` into `out` with `fold` (out sized to the text once: the folds
// never lengthen it). A text that views out's own buffer is copied first:
// the folds store whole blocks ahead of what they have read.
template <typename Fold>
void foldInto(std::string_view text, std::string& out, Fold fold) {
  const char* buffer = out.data();
  if (text.data() >= buffer && text.data() < buffer + out.capacity() && !text.empty()) {
    const std::string copy(text);
    foldInto(copy, out, fold);
    return;
  }
  out.resize(text.size());  // Reuses out's capacity.
  out.resize(fold(text, out.data()));
}

}  // namespace

void foldSingleLine(std::string_view text, std::string& out) {
  foldInto(text, out, foldSingleLineInto);
}

std::string foldDescription(std::string_view text) {
  std::string out;
  foldDescription(text, out);
  return out;
}

void foldDescription(std::string_view text, std::string& out) {
  foldInto(text, out, foldDescriptionInto);
}

std::string_view trimWhiteSpace(std::string_view text) {
  while (!text.empty()) {
    const std::size_t len = leadingWhiteSpaceLength(text);
    if (len == 0) break;
    text.remove_prefix(len);
  }
  while (!text.empty()) {
    const std::size_t len = trailingWhiteSpaceLength(text);
    if (len == 0) break;
    text.remove_suffix(len);
  }
  return text;
}

bool hasControlCharacter(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char b = s[i];
    if (b < 0x20 || b == 0x7F) return true;
    // U+0080-U+009F are C2 80-C2 9F; C2 is never a continuation byte.
    if (b == 0xC2 && i + 1 < n && s[i + 1] <= 0x9F) return true;
  }
  return false;
}

std::string codeKey(std::string_view text) {
  std::string key;
  foldSingleLine(text, key);
  // Lower-case and strip accents in place: one allocation per key.
  auto* s = reinterpret_cast<unsigned char*>(key.data());
  const std::size_t n = key.size();
  char* w = key.data();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char b = s[i];
    if (b < 0x80) {
      *w++ = b >= 'A' && b <= 'Z' ? static_cast<char>(b + ('a' - 'A')) : static_cast<char>(b);
      ++i;
    } else {
      const KeyStep step = codeKeyNonAscii(s, i, n, w);
      i += step.read;
      w += step.written;
    }
  }
  key.resize(static_cast<std::size_t>(w - key.data()));
  return key;
}

std::size_t codePointCount(std::string_view text) {
  std::size_t count = 0;
  for (const char ch : text) {
    // Every byte but a continuation byte (10xxxxxx) starts a code point.
    count += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  }
  return count;
}

bool truncateCodePoints(std::string& text, std::size_t max_code_points) {
  // A text of at most N bytes has at most N code points: nothing to count.
  if (text.size() <= max_code_points) return false;
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (seen == max_code_points) {
      text.resize(i);  // i starts a code point: the cut is on a boundary.
      return true;
    }
    ++seen;
  }
  return false;
}

}  // namespace passerelle::formats
