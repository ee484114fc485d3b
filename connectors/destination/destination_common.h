// What the two outgoing destinations (lba, France Travail) share about an
// offer: its status as the store sees it and the civil dates their rules
// reason in (today in Paris, expiry dates read from the offer, day offsets).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "connectors/host/clock.h"
#include "formats/paris_time.h"

namespace passerelle::connectors {

// Status of an offer in the store (shared/specs/offer.md). The daemon maps
// its own representation to this one.
enum class OfferStatus { kActive, kWithdrawn, kExpired };

// Today's date in Europe/Paris at the clock's wall time.
formats::CivilDate parisToday(const Clock& clock);
// Parses YYYY-MM-DD (already validated by the reader); false if malformed.
bool parseIsoDate(std::string_view text, formats::CivilDate& out);
formats::CivilDate addDays(const formats::CivilDate& d, int days);

}  // namespace passerelle::connectors
