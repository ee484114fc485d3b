// Sample normalised offers shared by the destination tests.
#pragma once

#include "formats/offer.h"

namespace passerelle::testing {

// The offer behind lba.md's example body.
inline formats::Offer sampleOffer() {
  formats::Offer o;
  o.partner = "cfa-cci-rennes";
  o.format = "ymag";
  o.source_ref = "Y-1001";
  o.employer = {"51024567800014", "BOULANGERIE DU SILLON", "1071C"};
  o.title = "Apprenti(e) boulanger(ère)";
  o.description = "Fabrication du pain ; viennoiseries.\nHoraires : 4h-11h.";
  o.rome_codes = {"D1102"};
  o.contract = {"apprentissage", "2026-09-01", 24};
  o.positions = 1;
  o.diploma = {3, "CAP Boulanger", "RNCP35316"};
  o.workplace = {"2 rue du Sillon", "35400", "Saint-Malo", std::nullopt, "35"};
  o.contact = {"Jean Dupont", "contact@boulangerie-sillon.fr", "+33299400000"};
  o.publication.expires = "2026-12-31";
  o.share_with_france_travail = true;
  o.source_updated_at = "2026-03-02T14:05:00";
  return o;
}

}  // namespace passerelle::testing
