// bench_destinations [OFFERS]: builds the lba bodies (eligibility, JSON,
// SHA-256) and the France Travail file (decision, rows, zip) for OFFERS
// synthetic offers (default 100,000) and prints the time of each step.
// Target (issue 5): under 5 s in total for 100,000 offers.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "connectors/france_travail/france_travail_client.h"
#include "connectors/france_travail/france_travail_file.h"
#include "connectors/france_travail/zip_writer.h"
#include "connectors/lba/lba_offer.h"

namespace pc = passerelle::connectors;
namespace pf = passerelle::formats;

namespace {

template <class F>
double timeIt(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// ~1,100 characters with accents, a paragraph break and a line break, like
// the descriptions of bench/gen_offers.py.
std::string description(int i) {
  std::string d = "Au sein de notre entreprise n°" + std::to_string(i) +
                  ", vous apprendrez le métier auprès d'un maître d'apprentissage expérimenté.\n";
  while (d.size() < 700)
    d += "Vous participerez à la préparation, à l'accueil des clients « exigeants » et à l'hygiène "
         "; ";
  d += "\n\nProfil : motivé(e), ponctuel(le), goût du travail en équipe & sens du service.";
  while (d.size() < 1100) d += " Rémunération selon la grille légale, 13e mois, mutuelle.";
  return d;
}

pf::Offer offer(int i) {
  pf::Offer o;
  o.partner = "cfa-cci-rennes";
  o.source_ref = "OFF-2026-" + std::to_string(100000 + i);
  o.employer = {"51024567800014", "BOULANGERIE N°" + std::to_string(i), i % 50 ? "1071C" : "8559A"};
  o.title = "Apprenti(e) vendeur(se) en boulangerie-pâtisserie";
  o.description = description(i);
  o.rome_codes = {"D1106", "D1102"};
  o.contract = {i % 3 ? "apprentissage" : "professionnalisation", "2026-09-01", 24};
  o.positions = 1 + i % 3;
  o.diploma = {3 + i % 5, "CAP Equipier polyvalent du commerce", "RNCP34948"};
  o.workplace = {"12 rue de la Paix", "35000", "Rennes", "35238", "35"};
  o.contact = {"Jean Dupont", "recrutement" + std::to_string(i) + "@example.fr", "+33299000000"};
  if (i % 2) o.publication.expires = "2026-12-31";
  o.share_with_france_travail = i % 4 != 0;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 100000;
  std::vector<pf::Offer> offers;
  offers.reserve(static_cast<std::size_t>(count));
  const double generate = timeIt([&] {
    for (int i = 0; i < count; ++i) offers.push_back(offer(i));
  });

  const pf::CivilDate today{2026, 3, 10};
  const pc::ApplyDefaults defaults{"alternance@cfa.fr", std::nullopt, std::nullopt};
  std::size_t bodies = 0, body_bytes = 0, not_eligible = 0;
  const double lba = timeIt([&] {
    pc::LbaBodyOptions options;
    options.apply_defaults = defaults;
    options.rolling_expiration = pc::rollingExpiration(std::nullopt, today);
    for (const auto& o : offers) {
      const auto plan = pc::planLba(o, pc::OfferStatus::kActive, today, defaults, false);
      if (plan.action != pc::LbaAction::kUpsert) {
        ++not_eligible;
        continue;
      }
      const std::string body = pc::lbaBody(o, options);
      const std::string hash = pc::lbaBodyHash(body);
      body_bytes += body.size();
      if (hash.size() != 64) return;
      ++bodies;
    }
  });

  const pc::FtFeedSettings feed{"BRETAGNEALTERNANCE", "Bretagne Alternance",
                                "https://portail.example/offres/{ref}", ""};
  pc::FtFileBuilder file(feed);
  std::size_t skipped = 0;
  const double ft = timeIt([&] {
    for (const auto& o : offers) {
      pc::FtRowInput in{&o, 'C', {2026, 3, 2}, {2026, 3, 5}, std::nullopt};
      auto d = pc::decideFt(in, pc::OfferStatus::kActive, std::nullopt, feed);
      if (d.movement != pc::FtMovement::kCreate) {
        ++skipped;
        continue;
      }
      file.add(std::move(d.fields), 'C');
    }
  });
  std::optional<std::string> zip;
  const double zipping = timeIt([&] {
    zip = pc::zipSingleFile("FLUX.csv", file.bytes(), {{2026, 3, 10}, 5, 30, 0});
  });

  const double total = lba + ft + zipping;
  std::printf("offers: %d (generated in %.2f s, not timed below)\n", count, generate);
  std::printf(
      "lba: %zu bodies (%.1f MB, %zu not eligible), eligibility+body+sha256 in %.2f s (%.0f/s)\n",
      bodies, body_bytes / 1e6, not_eligible, lba, count / lba);
  std::printf(
      "france-travail: %zu rows (%.1f MB, %zu not eligible), decision+hash+row in %.2f s "
      "(%.0f/s)\n",
      file.rows(), file.bytes().size() / 1e6, skipped, ft, count / ft);
  std::printf("zip: %.1f MB -> %.1f MB in %.2f s\n", file.bytes().size() / 1e6,
              zip ? zip->size() / 1e6 : 0.0, zipping);
  std::printf("total: %.2f s (target < 5 s) %s\n", total, total < 5.0 ? "OK" : "OVER");
  return total < 5.0 ? 0 : 1;
}
