// What the two outgoing destinations (lba, France Travail) share about an
// offer: its status as the store sees it, whether a text of it is given, the
// civil dates their rules reason in (today in Paris, expiry dates read from
// the offer, day offsets), and the text of the reasons an offer is not sent.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/host/clock.h"
#include "formats/paris_time.h"

namespace passerelle::connectors {

// Status of an offer in the store (shared/specs/offer.md). The daemon maps
// its own representation to this one.
enum class OfferStatus { kActive, kWithdrawn, kExpired };

// Whether an optional text of the offer is given: set and not empty. Both
// services treat an empty text as no text at all.
bool present(const std::optional<std::string>& text);

// Today's date in Europe/Paris at the clock's wall time.
formats::CivilDate parisToday(const Clock& clock);
// Parses YYYY-MM-DD as the reader does (formats::rules::parseDateIso: a real
// date, years 1900..2099); false, `out` untouched, otherwise. The offer's
// dates were validated by the reader, the store's are its own. Written back
// with formats::formatDate.
bool parseIsoDate(std::string_view text, formats::CivilDate& out);
formats::CivilDate addDays(const formats::CivilDate& d, int days);

// An offer's ineligibility reasons (lbaIneligibility(), decideFt()) as one
// text, "A,B", for the outbox's message and the log.
std::string reasonsText(const std::vector<std::string>& reasons);

}  // namespace passerelle::connectors
