// Ymag (Ypareo): shared/specs/formats/ymag.md. A plain snapshot: the generic
// pipeline reads it from this description alone.
#include "formats/dialect_registry.h"

namespace passerelle::formats {

namespace {

DialectSpec ymagSpec() {
  DialectSpec s;
  s.name = "ymag";
  s.encoding = Encoding::kWindows1252;
  s.delimiter = ';';
  s.semantics = Semantics::kSnapshot;
  s.completion = Completion::kStable;
  s.default_pattern = "*.csv";
  // YMAG_<code>_<AAAAMMJJhhmmss>.csv
  s.naming = {.prefix = "YMAG_", .stamp = NameStamp::kDateTime};
  s.columns = {
      {"N° offre", FieldId::kSourceRef, true},
      {"Raison sociale", FieldId::kEmployerName, true},
      {"SIRET", FieldId::kSiret, true},
      {"Code NAF", FieldId::kNaf, false},
      {"Intitulé du poste", FieldId::kTitle, true},
      {"Descriptif du poste", FieldId::kDescription, false},
      {"Codes ROME", FieldId::kRomeCodes, true},
      {"Type de contrat", FieldId::kContractType, true},
      {"Date de début", FieldId::kContractStart, true},
      {"Durée (mois)", FieldId::kDuration, false},
      {"Nombre de postes", FieldId::kPositions, false},
      {"Niveau", FieldId::kDiplomaLevel, false},
      {"Diplôme préparé", FieldId::kDiplomaTitle, false},
      {"Code RNCP", FieldId::kRncp, false},
      {"Adresse", FieldId::kAddress, false},
      {"Code postal", FieldId::kPostalCode, true},
      {"Ville", FieldId::kCity, true},
      {"Nom du contact", FieldId::kContactName, false},
      {"Email du contact", FieldId::kContactEmail, false},
      {"Téléphone du contact", FieldId::kContactPhone, false},
      {"Fin de publication", FieldId::kExpires, false},
      {"Diffusion Pôle emploi", FieldId::kShare, false},
      {"Date de modification", FieldId::kUpdatedAt, false},
  };
  s.rome_separators = ",/ |";  // offer.md, Precisions: `,`, spaces or `|` in any dialect
  s.date_style = DateStyle::kDayFirst;
  s.datetime_style = DateTimeStyle::kDayFirstMinutesOrSeconds;
  s.contract_types = {
      {"apprentissage", "apprentissage"},
      {"contrat d'apprentissage", "apprentissage"},
      {"professionnalisation", "professionnalisation"},
      {"contrat de professionnalisation", "professionnalisation"},
  };
  s.diploma_levels = {
      {"3", 3},        {"4", 4},        {"5", 5},        {"6", 6},        {"7", 7},
      {"niveau 3", 3}, {"niveau 4", 4}, {"niveau 5", 5}, {"niveau 6", 6}, {"niveau 7", 7},
      {"cap", 3},      {"bep", 3},      {"bac", 4},      {"bac pro", 4},  {"bp", 4},
      {"bts", 5},      {"dut", 5},      {"bac+2", 5},    {"licence", 6},  {"licence pro", 6},
      {"but", 6},      {"bac+3", 6},    {"bac+4", 6},    {"master", 7},   {"ingenieur", 7},
      {"bac+5", 7},
  };
  s.yes_no = {{"oui", true}, {"non", false}, {"o", true}, {"n", false}, {"1", true}, {"0", false}};
  return s;
}

}  // namespace

void registerYmagDialect(DialectRegistry& registry) {
  registry.add("ymag", [] { return std::make_unique<Dialect>(ymagSpec()); });
}

}  // namespace passerelle::formats
