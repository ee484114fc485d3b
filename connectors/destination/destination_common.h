// Small pieces shared by the two outgoing destinations (lba, France Travail):
// the offer's status as the store sees it, a few date helpers and a once-only
// libcurl initialisation.
//
// Thread safety: pure functions, except ensureCurlInitialised() which is
// safe to call from any thread (std::call_once).
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

// curl_global_init exactly once per process, before the first easy handle.
void ensureCurlInitialised();

}  // namespace passerelle::connectors
