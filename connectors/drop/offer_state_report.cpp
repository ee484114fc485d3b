#include "connectors/drop/offer_state_report.h"

#include <cstdio>

#include "connectors/drop/report_csv.h"
#include "formats/paris_time.h"

namespace passerelle::connectors {

namespace {

std::string joinedReasons(const std::vector<std::string>& codes) {
  std::string out;
  for (const std::string& code : codes)
    out += (out.empty() ? "" : " ; ") + eligibilityReasonWords(code);
  return out;
}

bool has(const std::vector<std::string>& codes, std::string_view code) {
  for (const auto& c : codes)
    if (c == code) return true;
  return false;
}

}  // namespace

std::string parisDay(std::int64_t unix_seconds) {
  const formats::CivilDateTime t = formats::parisLocalFromUnix(unix_seconds);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", t.date.day, t.date.month, t.date.year);
  return buf;
}

std::string parisMinute(std::int64_t unix_seconds) {
  const formats::CivilDateTime t = formats::parisLocalFromUnix(unix_seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d %02d:%02d", t.date.day, t.date.month, t.date.year,
                t.hour, t.minute);
  return buf;
}

std::string_view statusWords(OfferStatus status) {
  switch (status) {
    case OfferStatus::kActive:
      return "en ligne";
    case OfferStatus::kWithdrawn:
      return "retirée";
    case OfferStatus::kExpired:
      return "expirée";
  }
  return "en ligne";
}

std::string eligibilityReasonWords(std::string_view code) {
  if (code == "TRAINING_EMPLOYER") return "l'employeur est un organisme de formation (code NAF 85)";
  if (code == "TITLE_TOO_SHORT") return "intitulé trop court (3 caractères au moins)";
  if (code == "DESCRIPTION_TOO_SHORT") return "descriptif trop court (30 caractères au moins)";
  if (code == "NO_APPLY_CHANNEL")
    return "aucun moyen de candidater (ajoutez un e-mail ou un téléphone de contact)";
  if (code == "ROME_BLOCKED") return "métier (code ROME) que le service n'accepte pas";
  if (code == "EXPIRED") return "date de fin de publication dépassée";
  if (code == "NOT_SHARED") return "pas d'accord du partenaire";
  return "motif " + std::string(code);
}

std::string lbaRefusalWords(std::string_view code, const std::optional<std::string>& label) {
  if (code == "CFA") return "l'employeur est un organisme de formation";
  if (code == "CFA_BLACKLISTED")
    return "l'employeur est un organisme de formation exclu du service";
  if (code == "CLOSED_COMPANY") return "l'entreprise est fermée (SIRET fermé)";
  if (code == "DUPLICATE") return "offre en double d'une offre déjà publiée";
  if (code == "EXPIRED") return "offre expirée";
  if (code == "ROME_BLACKLISTED") return "métier (code ROME) que le service n'accepte pas";
  if (code == "GEOLOCATION_NOT_FOUND") return "adresse du lieu de travail introuvable";
  if (code == "NON_DIFFUSIBLE")
    return "l'entreprise a refusé la diffusion de ses informations (SIRET non diffusible)";
  if (code == "WRONG_DATA") return "données de l'offre incorrectes";
  if (label && !label->empty()) return *label + " (" + std::string(code) + ")";
  return "motif " + std::string(code.empty() ? "non précisé" : code) + " donné par le service";
}

std::string lbaWords(const OfferStateFacts& o) {
  const auto& lba = o.lba;
  if (o.status != OfferStatus::kActive) return "fermée";
  if (!lba.not_eligible.empty() && !lba.pending)
    return "non envoyée : " + joinedReasons(lba.not_eligible);
  if (lba.publishing_status == "WILL_NOT_BE_PUBLISHED")
    return "refusée : " + lbaRefusalWords(lba.error_code.value_or(""), lba.error_label);
  if (lba.refused_data && !lba.pending)
    return "refusée : données de l'offre refusées par le service (vérifiez l'offre dans votre "
           "logiciel)";
  if (lba.publishing_status == "PUBLISHED" && !lba.closed) return "publiée";
  return "en attente de publication";
}

std::string franceTravailWords(const OfferStateFacts& o) {
  const auto& ft = o.france_travail;
  const bool online_here = o.status == OfferStatus::kActive && o.shared_with_france_travail;
  if (!online_here) {
    if (ft.transmitted) return "en attente du prochain envoi";  // its withdrawal is to be sent
    if (ft.accepted_at_unix) return "retirée le " + parisDay(*ft.accepted_at_unix);
    if (!o.shared_with_france_travail) return "non diffusée (pas d'accord du partenaire)";
    return "non diffusée (offre retirée avant l'envoi)";
  }
  if (ft.pending) return "en attente du prochain envoi";
  if (!ft.not_eligible.empty() && !has(ft.not_eligible, "NOT_SHARED"))
    return "non diffusée (" + joinedReasons(ft.not_eligible) + ")";
  if (ft.transmitted && ft.accepted_at_unix)
    return "transmise le " + parisDay(*ft.accepted_at_unix);
  return "en attente du prochain envoi";
}

std::string renderOfferStateReport(const std::vector<OfferStateFacts>& offers) {
  std::string out = kUtf8Bom;
  appendReportRow(out, {"reference", "intitule", "statut", "la_bonne_alternance", "france_travail",
                        "mise_a_jour"});
  for (const OfferStateFacts& o : offers) {
    appendReportRow(out, {o.reference, o.title.value_or(""), std::string(statusWords(o.status)),
                          lbaWords(o), franceTravailWords(o), parisMinute(o.last_change_unix)});
  }
  return out;
}

}  // namespace passerelle::connectors
