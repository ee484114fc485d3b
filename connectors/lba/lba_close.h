// lbaCloseBody: the body that closes an offer on lba (shared/specs/
// destinations/lba.md "POST also closes").
//
// A close is a POST of the last body the service accepted, with
// `offer.status` = "Cancelled" and `offer.publication.expiration` moved to at
// least tomorrow (23:59:59 Europe/Paris) when it has passed or runs out
// today: the service validates a close like any write. It is never built
// from the current offer, which may be the very reason the offer cannot be
// sent any more (description shortened, contact removed, past expiry).
//
// Thread safety: a pure function.
#pragma once

#include <optional>
#include <string>

#include "formats/paris_time.h"

namespace passerelle::connectors {

// nullopt when `accepted_body` is not a JSON object with an `offer` object.
std::optional<std::string> lbaCloseBody(const std::string& accepted_body, formats::CivilDate today);

}  // namespace passerelle::connectors
