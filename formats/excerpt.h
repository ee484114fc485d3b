// Excerpt: a partner's value as quoted back in a reject or warning (its
// `value` and its message), hence in the partner's report and the store's
// warnings: cut to kExcerptCodePoints characters, with "…" when cut.
//
// Enough to recognise the value (a 255-character title, a list of unknown
// columns), never a 50 MB description copied into every report line.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace passerelle::formats {

constexpr std::size_t kExcerptCodePoints = 300;

// `text` (UTF-8) if it has at most `max_code_points` code points, else its
// first `max_code_points` followed by "…" (U+2026).
std::string excerpt(std::string_view text, std::size_t max_code_points = kExcerptCodePoints);

}  // namespace passerelle::formats
