// The text the dashboard searches an offer by (dashboard.md "Offres": by
// reference, title, employer, SIRET): those four, folded, kept in
// offers.search_text under a trigram index (schema 011).
//
// The fold is the one of SQL's offer_search_fold() (schema 011), byte for
// byte, so that the words searched, folded by the server, meet the texts
// folded here: ASCII capitals lower-cased, and the accented letters of
// French (à â ä á ã å ç é è ê ë í ì î ï ñ ó ò ô ö õ ú ù û ü ý ÿ and their
// capitals) mapped to their base letter. Other characters are kept as they
// are, whatever the server's locale.
//
// It is written by the import, in the client, rather than computed by an
// index expression: parsing each offer's JSON on the server doubled a first
// import's time (bench/README.md "Store import").
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "formats/offer.h"

namespace passerelle::daemon {

std::string foldForSearch(std::string_view text);

// The folded reference, title, employer's name and SIRET, space-separated.
std::string offerSearchText(const formats::Offer& offer);

}  // namespace passerelle::daemon
