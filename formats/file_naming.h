// FileNaming: how a dialect names its export files, and the ordering key a
// file's name gives it among the partner's other files (drop-folders.md
// "Which files are taken": by the date and time in the name, then by
// modification time, then by name; GIL by date then sequence number, never
// by modification time).
//
// Each dialect describes its convention in its DialectSpec (`naming`):
// `YMAG_<code>_<AAAAMMJJhhmmss>.<ext>`, `SIGMA_<code>_<AAAAMMJJ>.<ext>`,
// `GIL_<code>_<AAAAMMJJ>_<NNN>.<ext>`. A name that does not follow it (or
// whose digits are not a date) falls back to the generic rule: its last run
// of exactly 14 digits that is a date and time, else its last run of exactly
// 8 digits that is a date.
//
// Names come from a remote listing: they are data of any length and any
// bytes (not necessarily UTF-8). They are read by plain scans, linear in the
// name's length and without recursion, never by a regular expression (a
// 30,000-character name made std::regex overflow its stack, issue 11).
//
// Thread safety: plain values and pure functions.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace passerelle::formats {

// What a dialect's file name carries after `<prefix><partner code>_`.
enum class NameStamp {
  kNone,      // no convention: only the generic rule
  kDateTime,  // AAAAMMJJhhmmss
  kDate,      // AAAAMMJJ
};

struct FileNaming {
  std::string prefix;  // "YMAG_"; compared ignoring ASCII case
  NameStamp stamp = NameStamp::kNone;
  bool sequence = false;  // `_<NNN>` after the date, compared as an integer
  // Files whose names order them equally are ordered by modification time
  // (then by name); false: by name only (GIL, whose tools rewrite times).
  bool order_by_mtime = true;
};

// The ordering key of one name.
struct NameOrder {
  std::string datetime;                 // "AAAAMMJJhhmmss"; empty when the name has none
  std::optional<std::string> sequence;  // digits, leading zeros removed
};

NameOrder nameOrderOf(const FileNaming& naming, std::string_view name);

// Dated names first, by date and time, then names without a sequence number,
// then by sequence number as an integer. Equivalent keys are left to the
// caller (modification time when the naming allows it, then the name).
std::weak_ordering compareNameOrder(const NameOrder& a, const NameOrder& b);

}  // namespace passerelle::formats
