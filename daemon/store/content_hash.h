// The content hash of an offer: what the store compares to tell a changed
// offer from an unchanged one (offers.content_hash, the snapshot's
// StoredOfferIndex, the destinations' accepted hashes).
//
// It is the SHA-256 of the offer's canonical JSON (formats/offer_json.h) with
// "line":0 and "movement":null: where the row stood in the file and which
// movement carried it do not make an offer different, so the same offer moved
// to another line, or sent as M instead of C, is unchanged.
//
// contentHashOfOfferJson() takes it from the JSON already written for the
// row, without copying the offer or writing its JSON a second time (the daily
// import hashes every row of a 100,000-offer snapshot). The result is
// byte-for-byte the digest of the neutral JSON; stored hashes stay valid.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "formats/offer.h"

namespace passerelle::daemon {

std::string contentHash(const formats::Offer& offer);

// `json` must be formats::offerJson() of an offer (kind "offer").
std::string contentHashOfOfferJson(std::string_view json);

}  // namespace passerelle::daemon
