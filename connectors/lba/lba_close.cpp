#include "connectors/lba/lba_close.h"

#include <nlohmann/json.hpp>

#include "connectors/destination/destination_common.h"
#include "connectors/lba/lba_offer.h"

namespace passerelle::connectors {

std::optional<std::string> lbaCloseBody(const std::string& accepted_body,
                                        formats::CivilDate today) {
  nlohmann::ordered_json body =
      nlohmann::ordered_json::parse(accepted_body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("offer") || !body["offer"].is_object()) {
    return std::nullopt;
  }
  nlohmann::ordered_json& offer = body["offer"];
  offer["status"] = "Cancelled";
  const formats::CivilDate tomorrow = addDays(today, 1);
  // "2026-12-31T23:59:59+01:00": the date is the first ten characters.
  formats::CivilDate expiration{};
  const nlohmann::ordered_json* current = nullptr;
  if (offer.contains("publication") && offer["publication"].is_object() &&
      offer["publication"].contains("expiration"))
    current = &offer["publication"]["expiration"];
  const bool readable = current != nullptr && current->is_string() &&
                        parseIsoDate(current->get<std::string>().substr(0, 10), expiration);
  if (!readable || formats::daysFromCivil(expiration) < formats::daysFromCivil(tomorrow)) {
    offer["publication"]["expiration"] = parisTimestamp(tomorrow, 23, 59, 59);
  }
  return body.dump();
}

}  // namespace passerelle::connectors
