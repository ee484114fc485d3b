// Helpers for the reader tests: build small export files in each dialect
// (valid by default, one field changed at a time) and read them back.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "formats/dialect_registry.h"
#include "formats/offer_file_reader.h"
#include "formats/offer_json.h"

namespace passerelle::formats::testing {

struct Collected {
  ReadSummary summary;
  std::vector<Offer> offers;
  std::vector<Reject> rejects;
  std::vector<FileIssue> file_warnings;
  std::vector<std::string> lines;  // JSON lines, in file order

  const FieldError* firstError() const {
    return rejects.empty() || rejects[0].errors.empty() ? nullptr : &rejects[0].errors[0];
  }
};

class CollectingSink final : public OfferSink {
 public:
  explicit CollectingSink(Collected& c) : c_(c) {}
  void onFileWarning(const FileIssue& w) override {
    c_.file_warnings.push_back(w);
    std::string s;
    appendFileWarningJson(w, s);
    c_.lines.push_back(s);
  }
  void onOffer(const Offer& o) override {
    c_.offers.push_back(o);
    c_.lines.push_back(offerJson(o));
  }
  void onReject(const Reject& r) override {
    c_.rejects.push_back(r);
    std::string s;
    appendRejectJson(r, s);
    c_.lines.push_back(s);
  }

 private:
  Collected& c_;
};

inline Collected readBytes(const std::string& format, const std::string& bytes,
                           ReadOptions options = {}) {
  auto dialect = DialectRegistry::instance().create(format);
  Collected c;
  CollectingSink sink(c);
  StringByteSource source(bytes);
  c.summary = OfferFileReader(*dialect, options).readOnePass(source, sink);
  return c;
}

// A row as a column -> value map, in a dialect's column order.
using RowValues = std::map<std::string, std::string>;

struct DialectFixture {
  std::vector<std::string> header;
  RowValues valid;
  char delimiter;
  const char* line_end;
  bool quote_all;

  std::string quote(const std::string& v) const {
    bool needs = quote_all || v.find(delimiter) != std::string::npos ||
                 v.find('"') != std::string::npos || v.find('\n') != std::string::npos ||
                 v.find('\r') != std::string::npos;
    if (!needs) return v;
    std::string out = "\"";
    for (char c : v) {
      if (c == '"') out += '"';
      out += c;
    }
    return out + "\"";
  }
  std::string headerLine() const {
    std::string s;
    for (std::size_t i = 0; i < header.size(); ++i)
      s += (i ? std::string(1, delimiter) : "") + quote(header[i]);
    return s + line_end;
  }
  std::string row(const RowValues& changes = {}) const {
    std::string s;
    for (std::size_t i = 0; i < header.size(); ++i) {
      auto it = changes.find(header[i]);
      const std::string& v = it != changes.end() ? it->second : valid.at(header[i]);
      s += (i ? std::string(1, delimiter) : "") + quote(v);
    }
    return s + line_end;
  }
};

// Ymag, written in UTF-8 here (the reader detects it); tests of the real
// Windows-1252 bytes build their own files.
inline DialectFixture ymag() {
  return DialectFixture{{"N° offre",
                         "Raison sociale",
                         "SIRET",
                         "Code NAF",
                         "Intitulé du poste",
                         "Descriptif du poste",
                         "Codes ROME",
                         "Type de contrat",
                         "Date de début",
                         "Durée (mois)",
                         "Nombre de postes",
                         "Niveau",
                         "Diplôme préparé",
                         "Code RNCP",
                         "Adresse",
                         "Code postal",
                         "Ville",
                         "Nom du contact",
                         "Email du contact",
                         "Téléphone du contact",
                         "Fin de publication",
                         "Diffusion Pôle emploi",
                         "Date de modification"},
                        {{"N° offre", "Y-1"},
                         {"Raison sociale", "BOULANGERIE DU SILLON"},
                         {"SIRET", "732 829 320 00074"},
                         {"Code NAF", "10.71C"},
                         {"Intitulé du poste", "Apprenti boulanger"},
                         {"Descriptif du poste", "Fabrication du pain."},
                         {"Codes ROME", "D1102"},
                         {"Type de contrat", "Contrat d'apprentissage"},
                         {"Date de début", "01/09/2026"},
                         {"Durée (mois)", "24"},
                         {"Nombre de postes", "1"},
                         {"Niveau", "CAP"},
                         {"Diplôme préparé", "CAP Boulanger"},
                         {"Code RNCP", "RNCP37861"},
                         {"Adresse", "2 rue du Sillon"},
                         {"Code postal", "35400"},
                         {"Ville", "Saint-Malo"},
                         {"Nom du contact", "Anne Le Gall"},
                         {"Email du contact", "contact@example.fr"},
                         {"Téléphone du contact", "02 99 40 00 00"},
                         {"Fin de publication", "31/12/2026"},
                         {"Diffusion Pôle emploi", "Oui"},
                         {"Date de modification", "02/03/2026 14:05:00"}},
                        ';',
                        "\r\n",
                        false};
}

inline DialectFixture gil() {
  return DialectFixture{{"ACTION",
                         "ID_OFFRE",
                         "SIRET",
                         "RAISON_SOCIALE",
                         "CODE_NAF",
                         "LIBELLE_POSTE",
                         "DESCRIPTION",
                         "CODES_ROME",
                         "NATURE_CONTRAT",
                         "DATE_DEBUT",
                         "DUREE_MOIS",
                         "NB_POSTES",
                         "NIVEAU_EU",
                         "LIBELLE_DIPLOME",
                         "RNCP",
                         "ADRESSE",
                         "CODE_POSTAL",
                         "COMMUNE",
                         "CODE_INSEE",
                         "CONTACT_NOM",
                         "CONTACT_MAIL",
                         "CONTACT_TEL",
                         "DATE_FIN_DIFFUSION",
                         "DIFFUSION_FT",
                         "MAJ"},
                        {{"ACTION", "C"},
                         {"ID_OFFRE", "G-1"},
                         {"SIRET", "73282932000074"},
                         {"RAISON_SOCIALE", "SOCAH"},
                         {"CODE_NAF", "2812Z"},
                         {"LIBELLE_POSTE", "Technicien de maintenance"},
                         {"DESCRIPTION", "Maintenance préventive\net curative."},
                         {"CODES_ROME", "I1304|I1310"},
                         {"NATURE_CONTRAT", "PRO"},
                         {"DATE_DEBUT", "2026-10-01"},
                         {"DUREE_MOIS", "12"},
                         {"NB_POSTES", "2"},
                         {"NIVEAU_EU", "5"},
                         {"LIBELLE_DIPLOME", "BTS Maintenance"},
                         {"RNCP", "RNCP35323"},
                         {"ADRESSE", "ZI de Kerpont"},
                         {"CODE_POSTAL", "56850"},
                         {"COMMUNE", "Caudan"},
                         {"CODE_INSEE", "56036"},
                         {"CONTACT_NOM", ""},
                         {"CONTACT_MAIL", "rh@socah.example"},
                         {"CONTACT_TEL", "0297000000"},
                         {"DATE_FIN_DIFFUSION", "2027-01-15"},
                         {"DIFFUSION_FT", "1"},
                         {"MAJ", "2026-03-02T09:00:00"}},
                        ',',
                        "\n",
                        true};
}

inline DialectFixture sigma() {
  return DialectFixture{
      {"REF",     "ENTREPRISE", "SIRET",   "APE",       "POSTE", "DESCRIPTIF", "ROME1",
       "ROME2",   "ROME3",      "CONTRAT", "DEBUT",     "DUREE", "POSTES",     "NIVEAU",
       "DIPLOME", "RNCP",       "ADR1",    "ADR2",      "CP",    "VILLE",      "INSEE",
       "CONTACT", "MAIL",       "TEL",     "FIN_PUBLI", "PE",    "MAJ"},
      {{"REF", "S-1"},
       {"ENTREPRISE", "COIFFURE FABRICE"},
       {"SIRET", "73282932000074"},
       {"APE", "9602A"},
       {"POSTE", "Apprenti coiffeur"},
       {"DESCRIPTIF", "Salon mixte.\\nPrime."},
       {"ROME1", "D1202"},
       {"ROME2", ""},
       {"ROME3", ""},
       {"CONTRAT", "1"},
       {"DEBUT", "01/09/2026"},
       {"DUREE", "24"},
       {"POSTES", "1"},
       {"NIVEAU", "V"},
       {"DIPLOME", "CAP Coiffure"},
       {"RNCP", "RNCP37455"},
       {"ADR1", "3 place Saint-Corentin"},
       {"ADR2", ""},
       {"CP", "29000"},
       {"VILLE", "Quimper"},
       {"INSEE", "29232"},
       {"CONTACT", "Fabrice"},
       {"MAIL", ""},
       {"TEL", "02 98 00 00 00"},
       {"FIN_PUBLI", ""},
       {"PE", "O"},
       {"MAJ", "01/03/2026 18:30"}},
      ';',
      "\r\n",
      false};
}

inline std::string sigmaFile(const std::vector<std::string>& rows,
                             const std::string& code = "CMA29",
                             std::optional<long> trailer_count = std::nullopt) {
  std::string s = "#SIGMA;2;" + code + ";02/03/2026 06:00\r\n" + sigma().headerLine();
  for (const auto& r : rows) s += r;
  s += "#FIN;" + std::to_string(trailer_count.value_or(static_cast<long>(rows.size()))) + "\r\n";
  return s;
}

}  // namespace passerelle::formats::testing
