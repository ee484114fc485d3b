// OfferStateReport: reports/etat-des-offres.csv, the state of a partner's
// offers at the national services (drop-folders.md "The state of the
// partner's offers"), from facts the store gathered (OfferStateFacts).
//
// Same bytes as every report (report_csv.h): UTF-8 BOM, `;`, CRLF, formula
// guard. Header `reference;intitule;statut;la_bonne_alternance;
// france_travail;mise_a_jour`, one row per offer given, in the order given,
// in the spec's words:
// - statut: `en ligne`, `retirée`, `expirée`;
// - la_bonne_alternance: `publiée`, `en attente de publication`,
//   `refusée : <the service's reason, in French>`, `non envoyée : <our
//   eligibility reasons, in French>`, `fermée`;
// - france_travail: `transmise le JJ/MM/AAAA`, `en attente du prochain
//   envoi`, `non diffusée (pas d'accord du partenaire)`, `retirée le
//   JJ/MM/AAAA`; where the spec has no word (an offer France Travail does
//   not take for another reason, or withdrawn before it was ever sent):
//   `non diffusée (<the reason, in French>)`;
// - mise_a_jour: the last change, Europe/Paris, `JJ/MM/AAAA HH:MM`.
//
// Thread safety: pure functions on plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/destination/destination_common.h"

namespace passerelle::connectors {

// What the store knows of one offer and each service.
struct OfferStateFacts {
  std::string reference;
  std::optional<std::string> title;
  OfferStatus status = OfferStatus::kActive;
  bool shared_with_france_travail = false;
  std::int64_t last_change_unix = 0;  // the offer's or a service's last change

  struct Lba {
    std::optional<std::string> publishing_status;  // PUBLISHED, WILL_BE_PUBLISHED, ...
    std::optional<std::string> error_code;         // with WILL_NOT_BE_PUBLISHED
    std::optional<std::string> error_label;
    std::vector<std::string> not_eligible;  // our reasons (TRAINING_EMPLOYER, ...)
    bool closed = false;                    // closed there since its last write
    bool pending = false;                   // a change waits to be sent
    bool refused_data = false;              // its last change was refused (400)
  } lba;

  struct FranceTravail {
    bool transmitted = false;                      // its row is held there
    std::optional<std::int64_t> accepted_at_unix;  // the last file holding it was accepted
    std::vector<std::string> not_eligible;         // NOT_SHARED, NO_APPLY_CHANNEL
    bool pending = false;
  } france_travail;
};

std::string renderOfferStateReport(const std::vector<OfferStateFacts>& offers);

// The cells, exposed for the tests.
std::string_view statusWords(OfferStatus status);
std::string lbaWords(const OfferStateFacts& offer);
std::string franceTravailWords(const OfferStateFacts& offer);
// Our eligibility reasons and the service's refusal codes, in French.
std::string eligibilityReasonWords(std::string_view code);
std::string lbaRefusalWords(std::string_view code, const std::optional<std::string>& label);
// JJ/MM/AAAA and JJ/MM/AAAA HH:MM, Europe/Paris.
std::string parisDay(std::int64_t unix_seconds);
std::string parisMinute(std::int64_t unix_seconds);

inline constexpr const char* kOfferStateReportName = "etat-des-offres.csv";

}  // namespace passerelle::connectors
