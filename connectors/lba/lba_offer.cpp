#include "connectors/lba/lba_offer.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "formats/field_rules.h"
#include "formats/text_fold.h"

namespace passerelle::connectors {
namespace {

using formats::CivilDate;
using formats::Offer;
using Json = nlohmann::ordered_json;

constexpr std::array<std::string_view, 5> kBlockedRome = {"K2202", "G1605", "I1201", "L1102",
                                                          "N4104"};
constexpr std::size_t kMinTitle = 3;
constexpr std::size_t kMinDescription = 30;

bool isAsciiAlnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool isAsciiAlpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// One domain label before a dot: [A-Z0-9][A-Z0-9\-]* (a trailing '-' is
// allowed by the service's expression, so it is here too).
bool isDomainLabel(std::string_view label) {
  if (label.empty() || !isAsciiAlnum(label.front())) return false;
  return std::all_of(label.begin(), label.end(),
                     [](char c) { return isAsciiAlnum(c) || c == '-'; });
}

bool hasUnblockedRome(const Offer& offer) {
  return std::any_of(offer.rome_codes.begin(), offer.rome_codes.end(),
                     [](const std::string& code) { return !isLbaBlockedRome(code); });
}

bool expiredBefore(const Offer& offer, CivilDate today) {
  CivilDate expires;
  return offer.publication.expires && parseIsoDate(*offer.publication.expires, expires) &&
         expires < today;
}

Json optionalString(const std::optional<std::string>& value) {
  return present(value) ? Json(*value) : Json(nullptr);
}

// lbaIneligibility with the apply channels already resolved (planLba needs
// them too, and resolving them once keeps the plan and the reasons in step).
std::vector<std::string> ineligibility(const Offer& offer, CivilDate today, const LbaApply& apply) {
  std::vector<std::string> reasons;
  if (offer.employer.naf && offer.employer.naf->starts_with("85")) {
    reasons.emplace_back("TRAINING_EMPLOYER");
  }
  if (!offer.title || formats::codePointCount(*offer.title) < kMinTitle) {
    reasons.emplace_back("TITLE_TOO_SHORT");
  }
  if (!offer.description || formats::codePointCount(*offer.description) < kMinDescription) {
    reasons.emplace_back("DESCRIPTION_TOO_SHORT");
  }
  if (apply.empty()) reasons.emplace_back("NO_APPLY_CHANNEL");
  if (!hasUnblockedRome(offer)) reasons.emplace_back("ROME_BLOCKED");
  if (expiredBefore(offer, today)) reasons.emplace_back("EXPIRED");
  return reasons;
}

Json optionalInt(const std::optional<int>& value) {
  return value ? Json(*value) : Json(nullptr);
}

// "2 rue du Sillon, 35400 Saint-Malo": the service geolocates this text.
std::string locationAddress(const formats::Workplace& w) {
  std::string city_line;
  if (present(w.postal_code)) city_line = *w.postal_code;
  if (present(w.city)) city_line += (city_line.empty() ? "" : " ") + *w.city;
  if (!present(w.address)) return city_line;
  return city_line.empty() ? *w.address : *w.address + ", " + city_line;
}

Json applyObject(const Offer& offer, const ApplyDefaults& defaults) {
  const LbaApply channels = lbaApply(offer, defaults);
  Json apply = Json::object();
  apply["email"] = optionalString(channels.email);
  apply["phone"] = optionalString(channels.phone);
  apply["url"] = optionalString(channels.url);
  return apply;
}

Json contractObject(const formats::Contract& contract) {
  Json c = Json::object();
  CivilDate start;
  c["start"] = contract.start && parseIsoDate(*contract.start, start)
                   ? Json(parisTimestamp(start, 0, 0, 0))
                   : Json(nullptr);
  c["duration"] = optionalInt(contract.duration_months);
  c["type"] = Json::array({contract.type == std::optional<std::string>("professionnalisation")
                               ? "Professionnalisation"
                               : "Apprentissage"});
  c["remote"] = nullptr;
  return c;
}

// Blocked codes are left out: sending them only earns ROME_BLACKLISTED.
Json romeCodes(const Offer& offer) {
  Json codes = Json::array();
  for (const auto& code : offer.rome_codes) {
    if (!isLbaBlockedRome(code)) codes.push_back(code);
  }
  return codes;
}

Json expirationValue(const Offer& offer, const LbaBodyOptions& options) {
  CivilDate expires;
  if (offer.publication.expires && parseIsoDate(*offer.publication.expires, expires)) {
    return parisTimestamp(expires, 23, 59, 59);
  }
  if (options.rolling_expiration) return parisTimestamp(*options.rolling_expiration, 23, 59, 59);
  return nullptr;  // the service then expires it two months after creation
}

Json offerObject(const Offer& offer, const LbaBodyOptions& options) {
  Json o = Json::object();
  o["title"] = optionalString(offer.title);
  o["description"] =
      present(offer.description) ? Json(descriptionToHtml(*offer.description)) : Json(nullptr);
  o["rome_codes"] = romeCodes(offer);
  o["target_diploma"] = {{"european", offer.diploma.level
                                          ? Json(std::to_string(*offer.diploma.level))
                                          : Json(nullptr)}};
  Json publication = Json::object();
  publication["creation"] = nullptr;
  publication["expiration"] = expirationValue(offer, options);
  o["publication"] = std::move(publication);
  o["opening_count"] = offer.positions.value_or(1);
  o["multicast"] = true;
  o["status"] = options.cancelled ? "Cancelled" : "Active";
  return o;
}

void appendEscaped(std::string_view text, std::string& out) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out.push_back(c);
    }
  }
}

}  // namespace

bool isLbaBlockedRome(std::string_view code) {
  return std::find(kBlockedRome.begin(), kBlockedRome.end(), code) != kBlockedRome.end();
}

bool isLbaAcceptedEmail(std::string_view email) {
  // Read as: local part, '@', labels ending in '.', a top-level domain. No
  // class of the expression holds '@', so there is exactly one.
  const std::size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0) return false;
  // (?!\.) and (?!.*\.\.): no leading dot, no doubled dot anywhere.
  if (email.front() == '.' || email.find("..") != std::string_view::npos) return false;
  // ([A-Z0-9_'+\-\.]*)[A-Z0-9_+-]: a dot or an apostrophe may not end it.
  const std::string_view local = email.substr(0, at);
  auto inLocal = [](char c) {
    return isAsciiAlnum(c) || c == '_' || c == '\'' || c == '+' || c == '-' || c == '.';
  };
  if (!std::all_of(local.begin(), local.end(), inLocal)) return false;
  const char last = local.back();
  if (!(isAsciiAlnum(last) || last == '_' || last == '+' || last == '-')) return false;
  // ([A-Z0-9][A-Z0-9\-]*\.)+[A-Z]{2,}: neither part holds a dot, so the last
  // dot splits the labels from the top-level domain, without backtracking.
  const std::string_view domain = email.substr(at + 1);
  const std::size_t last_dot = domain.rfind('.');
  if (last_dot == std::string_view::npos || last_dot == 0) return false;
  const std::string_view tld = domain.substr(last_dot + 1);
  if (tld.size() < 2 || !std::all_of(tld.begin(), tld.end(), isAsciiAlpha)) return false;
  std::string_view labels = domain.substr(0, last_dot);
  while (true) {
    const std::size_t dot = labels.find('.');
    if (!isDomainLabel(labels.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    labels.remove_prefix(dot + 1);
  }
}

LbaPhoneType lbaPhoneType(std::string_view phone) {
  // The reader's normalisation also reads what a configuration may hold
  // ("08 92 …", "+33 (0)8 …", "0033 8…"); overseas numbers come out with
  // their own country code and are not classified.
  const std::optional<std::string> e164 = formats::rules::phoneToE164(phone);
  if (!e164 || e164->size() != 12 || !e164->starts_with("+33")) return LbaPhoneType::kOrdinary;
  const std::string_view national = std::string_view(*e164).substr(3);  // 9 digits, no trunk 0
  if (national[0] != '8') return LbaPhoneType::kOrdinary;
  switch (national[1]) {
    case '9':
      return LbaPhoneType::kPremiumRate;
    case '1':
    case '2':
      return LbaPhoneType::kSharedCost;
    default:
      return LbaPhoneType::kOrdinary;  // 080x free or normal-rate, 084-088 other services
  }
}

LbaApply lbaApply(const Offer& offer, const ApplyDefaults& defaults) {
  LbaApply apply;
  auto drop = [&apply](const char* reason) {
    if (std::find(apply.dropped.begin(), apply.dropped.end(), reason) == apply.dropped.end()) {
      apply.dropped.emplace_back(reason);
    }
  };
  auto take = [&](const std::optional<std::string>& email,
                  const std::optional<std::string>& phone) {
    if (present(email)) {
      if (isLbaAcceptedEmail(*email)) {
        apply.email = *email;
      } else {
        drop("EMAIL_REFUSED");
      }
    }
    if (present(phone)) {
      if (isLbaAcceptedPhone(*phone)) {
        apply.phone = *phone;
      } else {
        drop("PHONE_REFUSED");
      }
    }
  };
  // The offer's own channels first; the partner's defaults only when none of
  // them is left. The two are not mixed: an offer's e-mail next to the
  // partner's phone would send candidates to two different recruiters.
  take(offer.contact.email, offer.contact.phone);
  if (apply.email || apply.phone) return apply;
  take(defaults.email, defaults.phone);
  if (present(defaults.url)) apply.url = *defaults.url;
  return apply;
}

std::vector<std::string> lbaIneligibility(const Offer& offer, CivilDate today,
                                          const ApplyDefaults& defaults) {
  return ineligibility(offer, today, lbaApply(offer, defaults));
}

LbaPlan planLba(const Offer& offer, OfferStatus status, CivilDate today,
                const ApplyDefaults& defaults, bool published) {
  if (status != OfferStatus::kActive || offer.action == formats::OfferAction::kDelete) {
    return {published ? LbaAction::kClose : LbaAction::kNothing, {}, {}};
  }
  LbaApply apply = lbaApply(offer, defaults);
  auto reasons = ineligibility(offer, today, apply);
  if (reasons.empty()) return {LbaAction::kUpsert, {}, std::move(apply.dropped)};
  return {published ? LbaAction::kClose : LbaAction::kNotEligible, std::move(reasons),
          std::move(apply.dropped)};
}

CivilDate rollingExpiration(std::optional<CivilDate> previous, CivilDate today, int days,
                            int refresh_before_days) {
  if (previous &&
      formats::daysFromCivil(*previous) - formats::daysFromCivil(today) > refresh_before_days) {
    return *previous;
  }
  return addDays(today, days);
}

std::string descriptionToHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8 + 16);
  std::size_t pos = 0;
  while (pos <= text.size()) {
    // A paragraph ends at a blank line: "\n" followed by optional spaces and "\n".
    std::size_t end = pos;
    std::size_t next = std::string_view::npos;
    while (end < text.size()) {
      if (text[end] == '\n') {
        std::size_t k = end + 1;
        while (k < text.size() && text[k] == ' ') ++k;
        if (k < text.size() && text[k] == '\n') {
          next = k + 1;
          break;
        }
      }
      ++end;
    }
    std::string_view paragraph = text.substr(pos, end - pos);
    while (!paragraph.empty() && (paragraph.back() == '\n' || paragraph.back() == ' ')) {
      paragraph.remove_suffix(1);
    }
    while (!paragraph.empty() && paragraph.front() == '\n') paragraph.remove_prefix(1);
    if (!paragraph.empty()) {
      out += "<p>";
      std::size_t line_start = 0;
      for (std::size_t i = 0; i <= paragraph.size(); ++i) {
        if (i == paragraph.size() || paragraph[i] == '\n') {
          if (line_start > 0) out += "<br>";
          appendEscaped(paragraph.substr(line_start, i - line_start), out);
          line_start = i + 1;
        }
      }
      out += "</p>";
    }
    if (next == std::string_view::npos) break;
    pos = next;
  }
  return out;
}

std::string parisTimestamp(CivilDate date, int hour, int minute, int second) {
  const formats::CivilDateTime local{date, hour, minute, second};
  return formats::formatDateTime(local) + formats::formatParisOffset(local);
}

std::string lbaPartnerJobId(const Offer& offer) {
  return offer.partner + ":" + offer.source_ref.value_or("");
}

std::string lbaBody(const Offer& offer, const LbaBodyOptions& options) {
  Json body = Json::object();
  body["identifier"] = {{"partner_job_id", lbaPartnerJobId(offer)}};
  Json workplace = Json::object();
  workplace["siret"] = optionalString(offer.employer.siret);
  workplace["name"] = optionalString(offer.employer.name);
  workplace["location"] = {{"address", locationAddress(offer.workplace)}};
  body["workplace"] = std::move(workplace);
  body["apply"] = applyObject(offer, options.apply_defaults);
  body["contract"] = contractObject(offer.contract);
  body["offer"] = offerObject(offer, options);
  // Replace rather than throw on invalid UTF-8: the reader already checked
  // the encoding, and a body must always be produced.
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace passerelle::connectors
