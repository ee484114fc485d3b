// Text normalisation of shared/specs/offer.md ("Text normalisation").
//
// All functions take and return UTF-8 (already decoded from the file's
// encoding; input is assumed well-formed). They allocate only the output.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace passerelle::formats {

// White space per offer.md: U+0009-U+000D, U+0020, U+00A0, U+2000-U+200A,
// U+202F, U+205F, U+3000.
bool isFoldWhiteSpace(char32_t cp);
// Characters removed by normalisation: U+0000-U+001F and U+007F-U+009F that
// are not white space, plus U+200B and U+FEFF.
bool isRemovedCharacter(char32_t cp);

// Single-line fields: removed characters dropped, each run of white space
// (line breaks included) becomes one space, then trimmed.
std::string foldSingleLine(std::string_view text);
void foldSingleLine(std::string_view text, std::string& out);  // out is overwritten

// `description`: CRLF and lone CR become LF; other white space becomes a space;
// trailing spaces removed on each line (leading kept); more than two
// consecutive line breaks fold into two; the whole text trimmed.
std::string foldDescription(std::string_view text);
void foldDescription(std::string_view text, std::string& out);

// `source_ref`: only trimmed of white space (never folded).
std::string_view trimWhiteSpace(std::string_view text);

// True if the text holds a control character (U+0000-U+001F, U+007F-U+009F).
bool hasControlCharacter(std::string_view text);

// Key used to match code values and header names: single-line folded,
// lower-cased, accents removed (Latin letters: é->e, Œ->oe, ß->ss...),
// ’ (U+2019) and ‘ read as '.
std::string codeKey(std::string_view text);

// Unicode code points in a UTF-8 string.
std::size_t codePointCount(std::string_view text);
// Cut to at most max_code_points code points, on a character boundary.
// Returns true if the text was cut.
bool truncateCodePoints(std::string& text, std::size_t max_code_points);

}  // namespace passerelle::formats
