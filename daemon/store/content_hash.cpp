#include "daemon/store/content_hash.h"

#include <stdexcept>

#include "connectors/digest/sha256.h"
#include "formats/offer_json.h"

namespace passerelle::daemon {

std::string contentHash(const formats::Offer& offer) {
  return contentHashOfOfferJson(formats::offerJson(offer));
}

// offerJson() writes `{"kind":"offer","line":N,` first and the movement a few
// keys later, before any of the offer's content; `,"movement":` cannot occur
// earlier, inside a JSON string, whose quotes are escaped. The movement is
// null or a one-letter string.
std::string contentHashOfOfferJson(std::string_view json) {
  constexpr std::string_view kLineKey = "{\"kind\":\"offer\",\"line\":";
  constexpr std::string_view kMovementKey = ",\"movement\":";
  const std::size_t line_end = json.find(',', kLineKey.size());
  const std::size_t movement = json.find(kMovementKey, line_end);
  if (!json.starts_with(kLineKey) || movement == std::string_view::npos) {
    throw std::invalid_argument("contentHashOfOfferJson: not an offer's JSON");
  }
  const std::size_t value = movement + kMovementKey.size();
  const std::size_t value_end = json.substr(value).starts_with("null")
                                    ? value + 4
                                    : json.find('"', value + 1) + 1;  // "C", "M" or "S"
  connectors::Sha256 digest;
  digest.update(kLineKey);
  digest.update("0");
  digest.update(json.substr(line_end, value - line_end));
  digest.update("null");
  digest.update(json.substr(value_end));
  return digest.finishHex();
}

}  // namespace passerelle::daemon
