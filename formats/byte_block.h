// ByteBlock: sixteen bytes of text examined at once, for the loops that
// touch every byte of a file (decoding, folding).
//
// A French description is ASCII for a few words, then an accent, and a line
// is mostly short fields between delimiters: a loop that tests one byte at a
// time spends most of its time on bytes it copies as they are. A block answers, in a few
// instructions, "which of these 16 bytes need a closer look?" as a bit mask (bit k for byte k), and
// copies itself with one unaligned store instead of a call to memcpy per run.
//
// On x86-64 it uses SSE2, which every x86-64 processor has (no run-time
// dispatch, no -march). Elsewhere a byte loop gives the same masks.
// byte_block_test.cpp checks the masks, and the loops built on them, against
// byte-by-byte readings of the rules at every position of a block.
//
// Thread safety: values; pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace passerelle::formats {

class ByteBlock {
 public:
  static constexpr std::size_t kSize = 16;

  // Reads exactly kSize bytes from p (no alignment needed).
  explicit ByteBlock(const unsigned char* p) {
#if defined(__SSE2__)
    v_ = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
#else
    std::memcpy(b_, p, kSize);
#endif
  }

  // Writes the kSize bytes to w (no alignment needed; must not overlap the
  // block's source in a way the caller still has to read).
  void storeTo(char* w) const {
#if defined(__SSE2__)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(w), v_);
#else
    std::memcpy(w, b_, kSize);
#endif
  }

  // Bytes >= 0x80: not ASCII.
  std::uint32_t nonAscii() const {
#if defined(__SSE2__)
    return static_cast<std::uint32_t>(_mm_movemask_epi8(v_));
#else
    return maskOf([](unsigned char b) { return b >= 0x80; });
#endif
  }

  // Bytes the text folds (text_fold.cpp) cannot copy blindly: ASCII controls
  // and DEL, the space, and the lead bytes C2, E2, E3 and EF, which may start
  // a non-ASCII white-space or removed character.
  std::uint32_t foldStops() const {
#if defined(__SSE2__)
    // Fewest operations: b <= 0x20 (controls and the space) as min(b, 0x20)
    // == b, and E2 or E3 as (b & 0xFE) == 0xE2.
    const __m128i up_to_space = _mm_cmpeq_epi8(_mm_min_epu8(v_, _mm_set1_epi8(0x20)), v_);
    const __m128i e2_e3 = _mm_cmpeq_epi8(_mm_and_si128(v_, _mm_set1_epi8(static_cast<char>(0xFE))),
                                         _mm_set1_epi8(static_cast<char>(0xE2)));
    const __m128i stops = _mm_or_si128(_mm_or_si128(up_to_space, eq(0x7F)),
                                       _mm_or_si128(_mm_or_si128(eq(0xC2), eq(0xEF)), e2_e3));
    return static_cast<std::uint32_t>(_mm_movemask_epi8(stops));
#else
    return maskOf([](unsigned char b) {
      return b <= 0x20 || b == 0x7F || b == 0xC2 || b == 0xE2 || b == 0xE3 || b == 0xEF;
    });
#endif
  }

  // Bytes equal to `byte`.
  std::uint32_t equalTo(unsigned char byte) const {
#if defined(__SSE2__)
    return static_cast<std::uint32_t>(_mm_movemask_epi8(eq(byte)));
#else
    return maskOf([byte](unsigned char b) { return b == byte; });
#endif
  }

  // Spaces (U+0020) only.
  std::uint32_t spaces() const {
    return equalTo(0x20);
  }

 private:
#if defined(__SSE2__)
  __m128i eq(int byte) const {
    return _mm_cmpeq_epi8(v_, _mm_set1_epi8(static_cast<char>(byte)));
  }
  __m128i v_;
#else
  template <typename Pred>
  std::uint32_t maskOf(Pred pred) const {
    std::uint32_t m = 0;
    for (std::size_t k = 0; k < kSize; ++k) m |= static_cast<std::uint32_t>(pred(b_[k])) << k;
    return m;
  }
  unsigned char b_[kSize];
#endif
};

// Index of the lowest set bit of a non-zero mask.
inline unsigned firstSetBit(std::uint32_t mask) {
  return static_cast<unsigned>(__builtin_ctz(mask));
}

// Set bits of a 16-bit mask. Not __builtin_popcount: without -mpopcnt it is a
// call into libgcc.
inline unsigned setBitCount(std::uint32_t mask) {
  mask = mask - ((mask >> 1) & 0x5555u);
  mask = (mask & 0x3333u) + ((mask >> 2) & 0x3333u);
  mask = (mask + (mask >> 4)) & 0x0F0Fu;
  return (mask + (mask >> 8)) & 0x1Fu;
}

}  // namespace passerelle::formats
