// The content hash taken from the row's JSON is the digest of the neutral JSON
// ("line":0, "movement":null), as stored hashes were computed before.
#include "daemon/store/content_hash.h"

#include <doctest/doctest.h>

#include "connectors/digest/sha256.h"
#include "formats/offer_json.h"

namespace fmt = passerelle::formats;
using passerelle::daemon::contentHash;
using passerelle::daemon::contentHashOfOfferJson;

namespace {

std::string neutralHash(fmt::Offer offer) {
  offer.line = 0;
  offer.movement.reset();
  return passerelle::connectors::sha256Hex(fmt::offerJson(offer));
}

fmt::Offer sampleOffer() {
  fmt::Offer o;
  o.line = 1234;
  o.partner = "cfa-rennes";
  o.format = "sigma";
  // A reference that holds the key the hash looks for, escaped in JSON.
  o.source_ref = "R-1,\"movement\":\"C\"";
  o.title = "Vendeur, \"conseil\"";
  o.employer.siret = "51024567800014";
  return o;
}

}  // namespace

TEST_CASE("content hash: from the row's JSON, equal to the neutral JSON's digest") {
  fmt::Offer o = sampleOffer();
  for (std::optional<char> movement : {std::optional<char>(), std::optional<char>('C'),
                                       std::optional<char>('M'), std::optional<char>('S')}) {
    o.movement = movement;
    CHECK(contentHashOfOfferJson(fmt::offerJson(o)) == neutralHash(o));
    CHECK(contentHash(o) == neutralHash(o));
  }
}

TEST_CASE("content hash: the line and the movement do not count, the content does") {
  fmt::Offer a = sampleOffer();
  fmt::Offer b = a;
  b.line = 2;
  b.movement = 'M';
  CHECK(contentHash(a) == contentHash(b));
  b.title = "Vendeuse";
  CHECK(contentHash(a) != contentHash(b));
}

TEST_CASE("content hash: a JSON that is not an offer's is refused") {
  CHECK_THROWS_AS(contentHashOfOfferJson("{\"kind\":\"reject\",\"line\":3}"),
                  std::invalid_argument);
  CHECK_THROWS_AS(contentHashOfOfferJson(""), std::invalid_argument);
}
