// parseOfferJson: the inverse of offer_json.h's offerJson() for one offer
// line ({"kind":"offer",...}), so that the store's canonical JSON can be
// turned back into an Offer by the destinations.
//
// Strict on shape: a line that is not an offer object, or whose known keys
// have the wrong JSON type, gives std::nullopt (never a half-filled Offer).
// offerJson(*parseOfferJson(x)) == x for every line offerJson() wrote.
//
// Thread safety: pure function.
#pragma once

#include <optional>
#include <string_view>

#include "formats/offer.h"

namespace passerelle::formats {

std::optional<Offer> parseOfferJson(std::string_view json);

}  // namespace passerelle::formats
