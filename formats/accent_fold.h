// accentFoldKey: what a character beyond Latin-1 and Latin Extended-A
// becomes in a code key (codeKey(), text_fold.h): offer.md, Precisions, code
// values are matched ignoring "accents (any letter with a combining mark or
// a precomposed diacritic)" — `ẠPP` is `app`, `A` + U+1DC0 + `PP` too.
//
// The table (accent_fold.cpp) is generated from the Unicode character
// database by accent_fold_table.py; see there for the rule. The key of a
// character is never longer than the character in UTF-8.
//
// Thread safety: a pure function over constant tables.
#pragma once

#include <optional>
#include <string_view>

namespace passerelle::formats {

// "" for a mark (removed), the base letters lower-cased for a precomposed
// letter, nullopt for a character kept as it is.
std::optional<std::string_view> accentFoldKey(char32_t cp);

}  // namespace passerelle::formats
