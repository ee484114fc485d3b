#include "formats/offer_json_parse.h"

#include <nlohmann/json.hpp>

namespace passerelle::formats {
namespace {

using Json = nlohmann::json;

struct ShapeError {};

const Json& member(const Json& object, const char* key) {
  static const Json kNull;
  if (!object.is_object()) throw ShapeError{};
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::optional<std::string> optString(const Json& object, const char* key) {
  const Json& v = member(object, key);
  if (v.is_null()) return std::nullopt;
  if (!v.is_string()) throw ShapeError{};
  return v.get<std::string>();
}

std::optional<int> optInt(const Json& object, const char* key) {
  const Json& v = member(object, key);
  if (v.is_null()) return std::nullopt;
  if (!v.is_number_integer()) throw ShapeError{};
  return v.get<int>();
}

std::vector<FieldError> errors(const Json& list) {
  std::vector<FieldError> out;
  if (list.is_null()) return out;
  if (!list.is_array()) throw ShapeError{};
  for (const Json& e : list) {
    FieldError f;
    f.field = optString(e, "field");
    f.code = optString(e, "code").value_or("");
    f.message = optString(e, "message").value_or("");
    f.value = optString(e, "value");
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

std::optional<Offer> parseOfferJson(std::string_view text) {
  const Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || member(j, "kind") != "offer") return std::nullopt;
  try {
    Offer o;
    const Json& line = member(j, "line");
    if (!line.is_number_integer()) return std::nullopt;
    o.line = line.get<long>();
    o.partner = optString(j, "partner").value_or("-");
    o.format = optString(j, "format").value_or("");
    o.source_ref = optString(j, "source_ref");
    const auto action = optString(j, "action");
    if (action && *action == "delete") {
      o.action = OfferAction::kDelete;
    } else if (!action || *action != "upsert") {
      return std::nullopt;
    }
    if (auto movement = optString(j, "movement")) {
      if (movement->size() != 1) return std::nullopt;
      o.movement = (*movement)[0];
    }
    const Json& employer = member(j, "employer");
    o.employer = {optString(employer, "siret"), optString(employer, "name"),
                  optString(employer, "naf")};
    o.title = optString(j, "title");
    o.description = optString(j, "description");
    const Json& rome = member(j, "rome_codes");
    if (!rome.is_null()) {
      if (!rome.is_array()) return std::nullopt;
      for (const Json& code : rome) {
        if (!code.is_string()) return std::nullopt;
        o.rome_codes.push_back(code.get<std::string>());
      }
    }
    const Json& contract = member(j, "contract");
    o.contract = {optString(contract, "type"), optString(contract, "start"),
                  optInt(contract, "duration_months")};
    o.positions = optInt(j, "positions");
    const Json& diploma = member(j, "diploma");
    o.diploma = {optInt(diploma, "level"), optString(diploma, "title"), optString(diploma, "rncp")};
    const Json& workplace = member(j, "workplace");
    o.workplace = {optString(workplace, "address"), optString(workplace, "postal_code"),
                   optString(workplace, "city"), optString(workplace, "insee"),
                   optString(workplace, "department")};
    const Json& contact = member(j, "contact");
    o.contact = {optString(contact, "name"), optString(contact, "email"),
                 optString(contact, "phone")};
    o.publication = {optString(member(j, "publication"), "expires")};
    const Json& share = member(j, "share_with_france_travail");
    if (share.is_boolean()) {
      o.share_with_france_travail = share.get<bool>();
    } else if (!share.is_null()) {
      return std::nullopt;
    }
    o.source_updated_at = optString(j, "source_updated_at");
    o.warnings = errors(member(j, "warnings"));
    return o;
  } catch (const ShapeError&) {
    return std::nullopt;
  } catch (const Json::exception&) {
    return std::nullopt;
  }
}

}  // namespace passerelle::formats
