// Remote names: the rules every name of a partner's drop folder goes through
// (drop-folders.md "Which files are taken"), whatever its bytes.
//
// A name in a listing is data from outside: any length, any bytes (not
// UTF-8, control characters, a newline that a FTP listing cannot tell from a
// line break). So:
//   - a name is touched only when nameProblem() finds nothing: at most
//     kMaxNameBytes bytes (NAME_MAX of a path component), no '/', '\\', "..",
//     control character, nor leading '.';
//   - it is stored (ledger, runs) and logged through displayName(), which is
//     valid UTF-8 whatever the bytes and reversible (nameFromDisplay());
//     logName() is the same, bounded for one log line;
//   - a local file is never named after it: the spool uses spoolName(), a
//     fixed-length digest; names derived from it on the partner's side
//     (reports, done/ collisions) go through boundedName(), never longer
//     than kMaxNameBytes;
//   - no regular expression ever sees it (matching is fnmatch(), ordering is
//     a linear scan).
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace passerelle::connectors {

// NAME_MAX: the longest path component Linux (and vsftpd on it) accepts.
inline constexpr std::size_t kMaxNameBytes = 255;

enum class NameProblem {
  kNone,
  kTooLong,  // more than kMaxNameBytes bytes
  kUnsafe,   // empty, '/', '\\', "..", control character (below 0x20, or 0x7F), leading '.'
};

NameProblem nameProblem(std::string_view name);

// A name the connector agrees to touch: nameProblem() is kNone.
bool isSafeRemoteName(std::string_view name);

// The name as valid UTF-8 text: well-formed UTF-8 characters are kept, a
// backslash becomes "\\", and every control character (C0, DEL, C1) and
// every byte that is not part of well-formed UTF-8 becomes "\xNN" (lower-case
// hex). Distinct names have distinct display forms.
std::string displayName(std::string_view name);

// The bytes a display form stands for (the inverse of displayName()); unset
// for text that is no display form ("\q", a lone trailing backslash).
std::optional<std::string> nameFromDisplay(std::string_view display);

// displayName() cut to about kLogNameBytes, for one log line or message:
// a longer name ends with "...(N bytes)".
inline constexpr std::size_t kLogNameBytes = 160;
std::string logName(std::string_view name);

// The spool's local name for a download of `name`: "take-" and 32 hex digits
// of its SHA-256; the same for the same name, never longer than 37 bytes.
std::string spoolName(std::string_view name);

// `name` + `suffix` when that fits in `max_bytes`; otherwise the longest
// prefix of `name` (not cutting a UTF-8 character) that fits with "~", 16 hex
// digits of the SHA-256 of `name`, and `suffix` (distinct long names get
// distinct bounded names). Longer than `max_bytes` only when `suffix` alone
// leaves no room for the 17 bytes of the mark.
std::string boundedName(std::string_view name, std::string_view suffix,
                        std::size_t max_bytes = kMaxNameBytes);

// The n-th name tried when `name` is taken in done/ or failed/:
// ("YMAG_X.csv", 2) -> "YMAG_X.2.csv"; a name without extension (or with an
// extension longer than 16 bytes) gets ".2"; never longer than kMaxNameBytes.
std::string collisionName(std::string_view name, int n);

}  // namespace passerelle::connectors
