// The field rules of shared/specs/offer.md ("Field rules"), one function per
// rule, independent of any dialect.
//
// Inputs are UTF-8 values already folded (text_fold.h: single-line folding)
// unless said otherwise. Each function returns the normalised value, or
// std::nullopt / an error code when the rule is violated; it never throws and
// never builds messages (the row validator turns codes into FieldErrors).
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/paris_time.h"

namespace passerelle::formats::rules {

// SIRET: spaces, dots, dashes and no-break spaces (U+00A0, U+202F) removed;
// 14 digits, not all zeros (else kFormat); Luhn on the 14 digits, with the
// La Poste exception (starts 356000000, fails Luhn, digit sum % 5 == 0 is valid).
enum class SiretStatus { kOk, kFormat, kChecksum };
struct SiretResult {
  SiretStatus status = SiretStatus::kFormat;
  std::string digits;  // the 14 digits when status is kOk or kChecksum
};
SiretResult checkSiret(std::string_view folded);

// NAF rév. 2: "5610A" from "5610A", "56.10A", "56 10 a"; nullopt if invalid.
std::optional<std::string> normaliseNaf(std::string_view folded);

// ROME codes: split on any of `separators`, each token trimmed and
// upper-cased; valid ones match ^[A-N][0-9]{4}$ (duplicates removed, order
// kept); invalid non-empty tokens are listed in `invalid`.
struct RomeResult {
  std::vector<std::string> codes;
  std::vector<std::string> invalid;
};
RomeResult parseRomeCodes(std::string_view folded, std::string_view separators);

// Dates. Day-first: "JJ/MM/AAAA" with one- or two-digit day and month and a
// four-digit year 1900..2099. ISO: "AAAA-MM-JJ" exactly. nullopt if not a
// real calendar date in range.
std::optional<CivilDate> parseDateDayFirst(std::string_view folded);
std::optional<CivilDate> parseDateIso(std::string_view folded);

// Date-times, returned as Europe/Paris local time.
// Day-first: "JJ/MM/AAAA HH:MM:SS" or "JJ/MM/AAAA HH:MM" (allow_seconds) /
// "JJ/MM/AAAA HH:MM" only (!allow_seconds).
std::optional<CivilDateTime> parseDateTimeDayFirst(std::string_view folded, bool allow_seconds);
// ISO: "AAAA-MM-JJTHH:MM:SS", optional fractional seconds (dropped), optional
// "Z" or "±HH:MM" (then converted to Europe/Paris local time).
std::optional<CivilDateTime> parseDateTimeIso(std::string_view folded);

// An integer made of ASCII digits only, within [lo, hi]; nullopt otherwise.
std::optional<int> parseIntInRange(std::string_view folded, int lo, int hi);

// RNCP: "RNCP" + 3..6 digits; accepts "RNCP 12345", "rncp12345", "12345".
std::optional<std::string> normaliseRncp(std::string_view folded);

// Postal code: 5 digits; 4 digits get their lost leading zero back.
std::optional<std::string> normalisePostalCode(std::string_view folded);

// INSEE commune code, upper-cased, validated; nullopt if invalid.
std::optional<std::string> normaliseInsee(std::string_view folded);

// Department from a valid INSEE code when given (first two characters, three
// for 97x), else from a valid 5-digit postal code (two digits; three for
// 97x/98x; 20 gives 2A below 20200 and 2B from 20200).
std::optional<std::string> departmentOf(const std::optional<std::string>& insee,
                                        const std::optional<std::string>& postal_code);

// Exactly one @, a non-empty local part, a domain of at least two non-empty
// dot-separated labels, no white space (offer.md, Precisions).
bool isPlausibleEmail(std::string_view folded);

// French numbers in any usual writing to E.164 (+33 and 9 digits, first 1..9),
// overseas prefixes to their own country code, "00" + country to "+", other
// "+" numbers kept with 8..15 digits; "(0)" after any country code dropped, a
// bracketed country code read without its brackets. nullopt if not usable.
std::optional<std::string> phoneToE164(std::string_view folded);

}  // namespace passerelle::formats::rules
