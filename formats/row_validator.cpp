#include "formats/row_validator.h"

#include <algorithm>

#include "formats/excerpt.h"
#include "formats/field_rules.h"
#include "formats/text_fold.h"

namespace passerelle::formats {

namespace {

constexpr std::size_t kMaxRefLength = 64;
constexpr std::size_t kMaxTitleLength = 255;
constexpr std::size_t kMaxDescriptionLength = 10000;

// A value quoted in a message: an excerpt, never a whole description.
std::string quoted(std::string_view value) {
  return "« " + excerpt(value) + " »";
}

std::optional<std::string> excerptOf(std::optional<std::string> value) {
  if (value) value = excerpt(*value);
  return value;
}

std::string withoutSpaces(const std::string& key) {
  std::string out;
  for (char c : key)
    if (c != ' ') out.push_back(c);
  return out;
}

// A code value looked up in one of the dialect's tables: folded, case and
// accents ignored, and spaces too (offer.md, Precisions: "Bac + 2" is
// "bac+2", "Contrat d' apprentissage" its code). The exact key first: the
// table is small, the fallback rare.
template <typename Table>
typename Table::const_iterator findCode(const Table& table, std::string_view text) {
  const std::string key = codeKey(text);
  auto it = table.find(key);
  if (it != table.end()) return it;
  const std::string compact = withoutSpaces(key);
  return std::find_if(table.begin(), table.end(),
                      [&](const auto& e) { return withoutSpaces(e.first) == compact; });
}

}  // namespace

RowValidator::RowValidator(const Dialect& dialect, std::string partner)
    : dialect_(dialect), spec_(dialect.spec()), partner_(std::move(partner)) {}

void RowValidator::beginRow(long line, long record) {
  line_ = line;
  record_ = record;
  for (auto& s : slots_) {
    s.text.clear();
    s.filled = false;
  }
  errors_.clear();
  warnings_.clear();
}

void RowValidator::addColumn(FieldId field, std::string_view decoded) {
  const std::string_view input = dialect_.transformField(field, decoded, transform_scratch_);
  Slot& s = slot(field);
  if (field == FieldId::kSourceRef) {
    // Only trimmed, never folded: the raw value is kept for REF_INVALID.
    s.text.assign(input);
    s.filled = true;
    return;
  }
  if (field == FieldId::kDescription) {
    foldDescription(input, scratch_);
  } else {
    foldSingleLine(input, scratch_);
  }
  if (!s.filled || s.text.empty()) {
    s.text.swap(scratch_);
  } else if (!scratch_.empty()) {
    auto join = spec_.column_join.find(field);
    s.text += join != spec_.column_join.end() ? join->second : std::string(" ");
    s.text += scratch_;
  }
  s.filled = true;
}

std::optional<std::string> RowValidator::valueOf(FieldId id) const {
  const std::string& t = text(id);
  if (t.empty()) return std::nullopt;
  return t;
}

std::optional<std::string> RowValidator::textValue(FieldId id) {
  const std::string& t = text(id);
  if (t.empty()) return std::nullopt;
  std::string& buffer = spare_[static_cast<std::size_t>(id)];
  buffer.assign(t);  // No allocation when an earlier offer's buffer is large enough.
  return std::optional<std::string>(std::move(buffer));
}

void RowValidator::recycle(Offer& old) {
  const auto keep = [this](std::optional<std::string>& value, FieldId id) {
    std::string& buffer = spare_[static_cast<std::size_t>(id)];
    if (value && value->capacity() > buffer.capacity()) buffer.swap(*value);
  };
  keep(old.employer.name, FieldId::kEmployerName);
  keep(old.title, FieldId::kTitle);
  keep(old.description, FieldId::kDescription);
  keep(old.diploma.title, FieldId::kDiplomaTitle);
  keep(old.workplace.address, FieldId::kAddress);
  keep(old.workplace.city, FieldId::kCity);
  keep(old.contact.name, FieldId::kContactName);
}

std::optional<std::string> RowValidator::optionalText(FieldId id) const {
  return valueOf(id);
}

void RowValidator::errorWithValue(FieldId id, std::string code, std::string message,
                                  std::optional<std::string> value) {
  errors_.push_back(FieldError{std::string(fieldPath(id)), std::move(code), std::move(message),
                               excerptOf(std::move(value))});
}

void RowValidator::error(FieldId id, std::string code, std::string message) {
  errorWithValue(id, std::move(code), std::move(message), valueOf(id));
}

void RowValidator::warning(FieldId id, std::string code, std::string message) {
  warnings_.push_back(FieldError{std::string(fieldPath(id)), std::move(code), std::move(message),
                                 excerptOf(valueOf(id))});
}

std::optional<std::string> RowValidator::validSourceRef(std::string_view decoded) const {
  std::string transformed;
  std::string_view ref =
      trimWhiteSpace(dialect_.transformField(FieldId::kSourceRef, decoded, transformed));
  if (ref.empty() || codePointCount(ref) > kMaxRefLength || hasControlCharacter(ref))
    return std::nullopt;
  return std::string(ref);
}

void RowValidator::checkSourceRef() {
  const std::string& raw = text(FieldId::kSourceRef);
  std::string_view ref = trimWhiteSpace(raw);
  offer_.source_ref.reset();
  if (ref.empty()) {
    errorWithValue(FieldId::kSourceRef, "REF_MISSING", "La référence de l'offre est absente",
                   std::nullopt);
    return;
  }
  if (codePointCount(ref) > kMaxRefLength) {
    errorWithValue(FieldId::kSourceRef, "REF_INVALID",
                   "La référence de l'offre dépasse 64 caractères", std::string(ref));
    return;
  }
  if (hasControlCharacter(ref)) {
    errorWithValue(FieldId::kSourceRef, "REF_INVALID",
                   "La référence de l'offre contient un caractère de contrôle", std::string(ref));
    return;
  }
  offer_.source_ref = std::string(ref);
}

void RowValidator::checkEmployer() {
  const std::string& siret = text(FieldId::kSiret);
  rules::SiretResult r = rules::checkSiret(siret);
  if (r.status == rules::SiretStatus::kOk) {
    offer_.employer.siret = r.digits;
  } else if (r.status == rules::SiretStatus::kChecksum) {
    error(FieldId::kSiret, "SIRET_CHECKSUM",
          "Le SIRET " + r.digits + " ne respecte pas la clé de Luhn");
  } else if (siret.empty()) {
    error(FieldId::kSiret, "SIRET_FORMAT", "Le SIRET de l'employeur est absent");
  } else {
    error(FieldId::kSiret, "SIRET_FORMAT",
          "Le SIRET " + quoted(siret) + " doit compter 14 chiffres (hors zéros)");
  }

  offer_.employer.name = textValue(FieldId::kEmployerName);
  if (!offer_.employer.name)
    error(FieldId::kEmployerName, "EMPLOYER_NAME_MISSING", "La raison sociale est absente");

  const std::string& naf = text(FieldId::kNaf);
  if (!naf.empty()) {
    offer_.employer.naf = rules::normaliseNaf(naf);
    if (!offer_.employer.naf)
      warning(
          FieldId::kNaf, "NAF_INVALID",
          "Le code NAF " + quoted(naf) + " n'est pas au format NAF rév. 2 (ex. 5610A) : ignoré");
  }
}

void RowValidator::checkJob() {
  offer_.title = textValue(FieldId::kTitle);
  if (!offer_.title) {
    error(FieldId::kTitle, "TITLE_MISSING", "L'intitulé du poste est absent");
  } else if (truncateCodePoints(*offer_.title, kMaxTitleLength)) {
    warning(FieldId::kTitle, "TITLE_TRUNCATED",
            "L'intitulé du poste dépasse 255 caractères : il a été coupé");
  }

  offer_.description = textValue(FieldId::kDescription);
  if (offer_.description && truncateCodePoints(*offer_.description, kMaxDescriptionLength)) {
    warning(FieldId::kDescription, "DESCRIPTION_TRUNCATED",
            "Le descriptif dépasse 10 000 caractères : il a été coupé");
  }

  const std::string& rome = text(FieldId::kRomeCodes);
  rules::RomeResult r = rules::parseRomeCodes(rome, spec_.rome_separators);
  offer_.rome_codes = std::move(r.codes);
  if (offer_.rome_codes.empty() && r.invalid.empty()) {
    error(FieldId::kRomeCodes, "ROME_MISSING", "Aucun code ROME n'est indiqué");
  } else if (offer_.rome_codes.empty()) {
    error(FieldId::kRomeCodes, "ROME_INVALID",
          "Aucun code ROME valide (lettre A à N suivie de 4 chiffres) dans " + quoted(rome));
  } else if (!r.invalid.empty()) {
    std::string list;
    for (const auto& code : r.invalid) list += (list.empty() ? "" : ", ") + code;
    warning(FieldId::kRomeCodes, "ROME_INVALID", "Codes ROME invalides ignorés : " + excerpt(list));
  }
}

void RowValidator::checkContract() {
  const std::string& type = text(FieldId::kContractType);
  auto t = findCode(spec_.contract_types, type);
  if (t != spec_.contract_types.end()) {
    offer_.contract.type = t->second;
  } else {
    error(FieldId::kContractType, "CONTRACT_TYPE",
          type.empty() ? std::string("Le type de contrat est absent")
                       : "Type de contrat " + quoted(type) + " inconnu");
  }

  const std::string& start = text(FieldId::kContractStart);
  offer_.contract.start = parseDate(start);
  if (!offer_.contract.start)
    error(FieldId::kContractStart, "START_DATE",
          start.empty() ? std::string("La date de début du contrat est absente")
                        : "Date de début " + quoted(start) + " invalide");

  const std::string& duration = text(FieldId::kDuration);
  if (!duration.empty()) {
    offer_.contract.duration_months = rules::parseIntInRange(duration, 1, 48);
    if (!offer_.contract.duration_months)
      error(
          FieldId::kDuration, "DURATION",
          "Durée " + quoted(duration) + " invalide : un nombre de mois entre 1 et 48 est attendu");
  }

  const std::string& positions = text(FieldId::kPositions);
  offer_.positions =
      positions.empty() ? std::optional<int>(1) : rules::parseIntInRange(positions, 1, 999);
  if (!offer_.positions)
    error(FieldId::kPositions, "POSITIONS",
          "Nombre de postes " + quoted(positions) + " invalide : entre 1 et 999");
}

void RowValidator::checkDiploma() {
  const std::string& level = text(FieldId::kDiplomaLevel);
  if (!level.empty()) {
    // "Bac+2" and "Bac + 2", "Bac Pro" and "BacPro" mean the same.
    auto l = findCode(spec_.diploma_levels, level);
    if (l != spec_.diploma_levels.end()) {
      offer_.diploma.level = l->second;
    } else {
      warning(FieldId::kDiplomaLevel, "DIPLOMA_LEVEL",
              "Niveau de diplôme " + quoted(level) + " inconnu : ignoré");
    }
  }
  offer_.diploma.title = textValue(FieldId::kDiplomaTitle);
  const std::string& rncp = text(FieldId::kRncp);
  if (!rncp.empty()) {
    offer_.diploma.rncp = rules::normaliseRncp(rncp);
    if (!offer_.diploma.rncp)
      warning(FieldId::kRncp, "RNCP_INVALID",
              "Code RNCP " + quoted(rncp) + " invalide (ex. RNCP34948) : ignoré");
  }
}

void RowValidator::checkWorkplace() {
  offer_.workplace.address = textValue(FieldId::kAddress);
  const std::string& postal = text(FieldId::kPostalCode);
  offer_.workplace.postal_code = rules::normalisePostalCode(postal);
  if (!offer_.workplace.postal_code)
    error(FieldId::kPostalCode, "POSTAL_CODE",
          postal.empty() ? std::string("Le code postal est absent")
                         : "Code postal " + quoted(postal) + " invalide : 5 chiffres attendus");
  offer_.workplace.city = textValue(FieldId::kCity);
  if (!offer_.workplace.city) error(FieldId::kCity, "CITY_MISSING", "La ville est absente");
  const std::string& insee = text(FieldId::kInsee);
  if (!insee.empty()) {
    offer_.workplace.insee = rules::normaliseInsee(insee);
    if (!offer_.workplace.insee)
      warning(FieldId::kInsee, "INSEE_INVALID",
              "Code INSEE " + quoted(insee) + " invalide : ignoré");
  }
  offer_.workplace.department =
      rules::departmentOf(offer_.workplace.insee, offer_.workplace.postal_code);
}

void RowValidator::checkContact() {
  offer_.contact.name = textValue(FieldId::kContactName);
  const std::string& email = text(FieldId::kContactEmail);
  if (!email.empty()) {
    if (rules::isPlausibleEmail(email)) {
      offer_.contact.email = email;
    } else {
      warning(FieldId::kContactEmail, "EMAIL_INVALID",
              "Adresse électronique " + quoted(email) + " invalide : ignorée");
    }
  }
  const std::string& phone = text(FieldId::kContactPhone);
  if (!phone.empty()) {
    offer_.contact.phone = rules::phoneToE164(phone);
    if (!offer_.contact.phone)
      warning(FieldId::kContactPhone, "PHONE_INVALID",
              "Numéro de téléphone " + quoted(phone) + " invalide : ignoré");
  }
}

void RowValidator::checkPublication() {
  const std::string& expires = text(FieldId::kExpires);
  if (!expires.empty()) {
    offer_.publication.expires = parseDate(expires);
    if (!offer_.publication.expires)
      warning(FieldId::kExpires, "EXPIRES_DATE",
              "Date de fin de publication " + quoted(expires) + " invalide : ignorée");
  }
  const std::string& share = text(FieldId::kShare);
  offer_.share_with_france_travail = false;  // consent is never assumed
  if (!share.empty()) {
    auto s = findCode(spec_.yes_no, share);
    if (s != spec_.yes_no.end()) {
      offer_.share_with_france_travail = s->second;
    } else {
      warning(FieldId::kShare, "CONSENT_VALUE",
              "Valeur de diffusion France Travail " + quoted(share) +
                  " inconnue : l'offre ne sera pas diffusée");
    }
  }
}

std::optional<std::string> RowValidator::parseDate(std::string_view t) const {
  auto d =
      spec_.date_style == DateStyle::kIso ? rules::parseDateIso(t) : rules::parseDateDayFirst(t);
  if (!d) return std::nullopt;
  return formatDate(*d);
}

std::optional<std::string> RowValidator::parseDateTime(std::string_view t) const {
  std::optional<CivilDateTime> dt;
  switch (spec_.datetime_style) {
    case DateTimeStyle::kDayFirstMinutesOrSeconds:
      dt = rules::parseDateTimeDayFirst(t, true);
      break;
    case DateTimeStyle::kDayFirstMinutes:
      dt = rules::parseDateTimeDayFirst(t, false);
      break;
    case DateTimeStyle::kIsoWithOffset:
      dt = rules::parseDateTimeIso(t);
      break;
  }
  if (!dt) return std::nullopt;
  return formatDateTime(*dt);
}

void RowValidator::buildDelete() {
  // A delete carries its identity and time only; everything else is null.
  std::optional<std::string> ref = offer_.source_ref;
  char movement = *offer_.movement;
  std::optional<std::string> updated = offer_.source_updated_at;
  offer_ = Offer{};
  offer_.line = line_;
  offer_.record = record_;
  offer_.partner = partner_;
  offer_.format = spec_.name;
  offer_.source_ref = std::move(ref);
  offer_.action = OfferAction::kDelete;
  offer_.movement = movement;
  offer_.source_updated_at = std::move(updated);
}

bool RowValidator::finish() {
  recycle(offer_);
  offer_ = Offer{};
  offer_.line = line_;
  offer_.record = record_;
  offer_.partner = partner_;
  offer_.format = spec_.name;

  bool is_delete = false;
  if (spec_.semantics == Semantics::kDelta) {
    const std::string& action = text(FieldId::kMovement);
    auto m = findCode(spec_.movements, action);
    if (m == spec_.movements.end()) {
      error(FieldId::kMovement, "ACTION_INVALID",
            action.empty() ? std::string("Le code mouvement (C, M ou S) est absent")
                           : "Code mouvement " + quoted(action) + " inconnu (C, M ou S attendu)");
    } else {
      offer_.movement = static_cast<char>(m->second);
      is_delete = m->second == Movement::kSuppress;
    }
  }
  checkSourceRef();

  const std::string& updated = text(FieldId::kUpdatedAt);
  auto check_updated = [&] {
    if (updated.empty()) return;
    offer_.source_updated_at = parseDateTime(updated);
    if (!offer_.source_updated_at)
      warning(FieldId::kUpdatedAt, "UPDATED_AT",
              "Date de modification " + quoted(updated) + " invalide : ignorée");
  };

  if (is_delete) {
    check_updated();
    if (errors_.empty()) buildDelete();
  } else {
    checkEmployer();
    checkJob();
    checkContract();
    checkDiploma();
    checkWorkplace();
    checkContact();
    checkPublication();
    check_updated();
  }

  if (!errors_.empty()) {
    reject_.line = line_;
    reject_.record = record_;
    reject_.source_ref = offer_.source_ref;
    reject_.errors = std::move(errors_);
    reject_.warnings = std::move(warnings_);
    errors_.clear();
    warnings_.clear();
    return false;
  }
  offer_.warnings = std::move(warnings_);
  warnings_.clear();
  return true;
}

const Reject& RowValidator::rejectWhole(long line, long record, FieldError error,
                                        std::optional<std::string> source_ref) {
  reject_ = Reject{};
  reject_.line = line;
  reject_.record = record;
  reject_.source_ref = std::move(source_ref);
  reject_.errors.push_back(std::move(error));
  return reject_;
}

}  // namespace passerelle::formats
