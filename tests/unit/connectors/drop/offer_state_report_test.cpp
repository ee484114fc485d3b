// reports/etat-des-offres.csv (drop-folders.md "The state of the partner's
// offers"): bytes and every word.
#include "connectors/drop/offer_state_report.h"

#include <doctest/doctest.h>

using namespace passerelle::connectors;

namespace {

// 2026-12-02T05:36:00Z = 06:36 in Paris (winter).
constexpr std::int64_t kDec2 = 1796189760;
// 2026-07-14T10:00:00Z = 12:00 in Paris (summer).
constexpr std::int64_t kJul14 = 1784023200;

OfferStateFacts activeOffer(const std::string& ref) {
  OfferStateFacts o;
  o.reference = ref;
  o.title = "Apprenti boulanger";
  o.shared_with_france_travail = true;
  o.last_change_unix = kDec2;
  return o;
}

}  // namespace

TEST_CASE("etat des offres: BOM, header, CRLF, formula guard, Paris minutes") {
  OfferStateFacts published = activeOffer("Y-1");
  published.lba.publishing_status = "PUBLISHED";
  published.france_travail.transmitted = true;
  published.france_travail.accepted_at_unix = kJul14;
  OfferStateFacts formula = activeOffer("=Y-2");
  formula.title = "-Vendeur; \"H/F\"";
  formula.last_change_unix = kJul14;
  const std::string expected =
      "\xEF\xBB\xBF"
      "reference;intitule;statut;la_bonne_alternance;france_travail;mise_a_jour\r\n"
      "Y-1;Apprenti boulanger;en ligne;publiée;transmise le 14/07/2026;02/12/2026 06:36\r\n"
      "'=Y-2;\"'-Vendeur; \"\"H/F\"\"\";en ligne;en attente de publication;"
      "en attente du prochain envoi;14/07/2026 12:00\r\n";
  CHECK(renderOfferStateReport({published, formula}) == expected);
  CHECK(renderOfferStateReport({}) ==
        "\xEF\xBB\xBFreference;intitule;statut;la_bonne_alternance;france_travail;"
        "mise_a_jour\r\n");
}

TEST_CASE("etat des offres: statut") {
  CHECK(statusWords(OfferStatus::kActive) == "en ligne");
  CHECK(statusWords(OfferStatus::kWithdrawn) == "retirée");
  CHECK(statusWords(OfferStatus::kExpired) == "expirée");
}

TEST_CASE("etat des offres: la bonne alternance, in the spec's words") {
  OfferStateFacts o = activeOffer("Y-1");
  CHECK(lbaWords(o) == "en attente de publication");  // not sent yet
  o.lba.publishing_status = "WILL_BE_PUBLISHED";
  CHECK(lbaWords(o) == "en attente de publication");
  o.lba.publishing_status = "PUBLISHED";
  CHECK(lbaWords(o) == "publiée");
  o.lba.pending = true;  // a change on its way: still online
  CHECK(lbaWords(o) == "publiée");
  o.lba.pending = false;
  o.lba.publishing_status = "WILL_NOT_BE_PUBLISHED";
  o.lba.error_code = "CFA";
  CHECK(lbaWords(o) == "refusée : l'employeur est un organisme de formation");
  o.lba.error_code = "DUPLICATE";
  CHECK(lbaWords(o) == "refusée : offre en double d'une offre déjà publiée");
  o.lba.error_code = "CLOSED_COMPANY";
  CHECK(lbaWords(o) == "refusée : l'entreprise est fermée (SIRET fermé)");
  o.lba.error_code = "SOMETHING_NEW";
  o.lba.error_label = "Motif inédit";
  CHECK(lbaWords(o) == "refusée : Motif inédit (SOMETHING_NEW)");

  OfferStateFacts refused = activeOffer("Y-2");
  refused.lba.refused_data = true;
  CHECK(lbaWords(refused).rfind("refusée : données de l'offre refusées par le service", 0) == 0);

  OfferStateFacts not_sent = activeOffer("Y-3");
  not_sent.lba.not_eligible = {"TRAINING_EMPLOYER", "NO_APPLY_CHANNEL"};
  CHECK(lbaWords(not_sent) ==
        "non envoyée : l'employeur est un organisme de formation (code NAF 85) ; aucun moyen "
        "de candidater (ajoutez un e-mail ou un téléphone de contact)");

  OfferStateFacts withdrawn = activeOffer("Y-4");
  withdrawn.status = OfferStatus::kWithdrawn;
  withdrawn.lba.publishing_status = "PUBLISHED";
  CHECK(lbaWords(withdrawn) == "fermée");
  withdrawn.status = OfferStatus::kExpired;
  CHECK(lbaWords(withdrawn) == "fermée");

  for (const char* code :
       {"CFA", "CFA_BLACKLISTED", "CLOSED_COMPANY", "DUPLICATE", "EXPIRED", "ROME_BLACKLISTED",
        "GEOLOCATION_NOT_FOUND", "NON_DIFFUSIBLE", "WRONG_DATA"}) {
    CAPTURE(code);
    CHECK(lbaRefusalWords(code, std::nullopt).find(code) == std::string::npos);  // French words
  }
  for (const char* code : {"TRAINING_EMPLOYER", "TITLE_TOO_SHORT", "DESCRIPTION_TOO_SHORT",
                           "NO_APPLY_CHANNEL", "ROME_BLOCKED", "EXPIRED", "NOT_SHARED"}) {
    CAPTURE(code);
    CHECK(eligibilityReasonWords(code).find(code) == std::string::npos);
  }
}

TEST_CASE("etat des offres: france travail, in the spec's words") {
  OfferStateFacts o = activeOffer("Y-1");
  CHECK(franceTravailWords(o) == "en attente du prochain envoi");
  o.france_travail.transmitted = true;
  o.france_travail.accepted_at_unix = kDec2;
  CHECK(franceTravailWords(o) == "transmise le 02/12/2026");
  o.france_travail.pending = true;
  CHECK(franceTravailWords(o) == "en attente du prochain envoi");

  OfferStateFacts not_shared = activeOffer("Y-2");
  not_shared.shared_with_france_travail = false;
  not_shared.france_travail.not_eligible = {"NOT_SHARED"};
  CHECK(franceTravailWords(not_shared) == "non diffusée (pas d'accord du partenaire)");

  OfferStateFacts withdrawn = activeOffer("Y-3");
  withdrawn.status = OfferStatus::kWithdrawn;
  withdrawn.france_travail.transmitted = true;  // its removal is not sent yet
  withdrawn.france_travail.accepted_at_unix = kJul14;
  CHECK(franceTravailWords(withdrawn) == "en attente du prochain envoi");
  withdrawn.france_travail.transmitted = false;  // removal accepted
  withdrawn.france_travail.accepted_at_unix = kDec2;
  CHECK(franceTravailWords(withdrawn) == "retirée le 02/12/2026");
  withdrawn.france_travail.accepted_at_unix.reset();
  CHECK(franceTravailWords(withdrawn) == "non diffusée (offre retirée avant l'envoi)");

  OfferStateFacts no_channel = activeOffer("Y-4");
  no_channel.france_travail.not_eligible = {"NO_APPLY_CHANNEL"};
  CHECK(franceTravailWords(no_channel) ==
        "non diffusée (aucun moyen de candidater (ajoutez un e-mail ou un téléphone de "
        "contact))");
}

TEST_CASE("etat des offres: Paris dates") {
  CHECK(parisDay(kDec2) == "02/12/2026");
  CHECK(parisMinute(kDec2) == "02/12/2026 06:36");
  CHECK(parisMinute(kJul14) == "14/07/2026 12:00");
}
