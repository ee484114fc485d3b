// GIL: shared/specs/formats/gil.md. A delta dialect: each row is a movement
// (C/M/S) read through the `movements` table; the generic pipeline handles
// delete rows. ALREADY_EXISTS, UNKNOWN_OFFER, STALE_MOVEMENT and last-wins
// need the store and are applied there.
#include "formats/dialect_registry.h"

namespace passerelle::formats {

namespace {

DialectSpec gilSpec() {
  DialectSpec s;
  s.name = "gil";
  s.encoding = Encoding::kUtf8;
  s.delimiter = ',';
  s.semantics = Semantics::kDelta;
  // gil.md: a data file is complete once its marker `<name>.ok` is there;
  // files are applied by the date, then the sequence number in their names,
  // never by modification time.
  s.completion = Completion::kMarker;
  s.default_pattern = "*.csv";
  // GIL_<code>_<AAAAMMJJ>_<NNN>.csv
  s.naming = {
      .prefix = "GIL_", .stamp = NameStamp::kDate, .sequence = true, .order_by_mtime = false};
  s.columns = {
      {"ACTION", FieldId::kMovement, true},
      {"ID_OFFRE", FieldId::kSourceRef, true},
      {"SIRET", FieldId::kSiret, true},
      {"RAISON_SOCIALE", FieldId::kEmployerName, true},
      {"CODE_NAF", FieldId::kNaf, false},
      {"LIBELLE_POSTE", FieldId::kTitle, true},
      {"DESCRIPTION", FieldId::kDescription, false},
      {"CODES_ROME", FieldId::kRomeCodes, true},
      {"NATURE_CONTRAT", FieldId::kContractType, true},
      {"DATE_DEBUT", FieldId::kContractStart, true},
      {"DUREE_MOIS", FieldId::kDuration, false},
      {"NB_POSTES", FieldId::kPositions, false},
      {"NIVEAU_EU", FieldId::kDiplomaLevel, false},
      {"LIBELLE_DIPLOME", FieldId::kDiplomaTitle, false},
      {"RNCP", FieldId::kRncp, false},
      {"ADRESSE", FieldId::kAddress, false},
      {"CODE_POSTAL", FieldId::kPostalCode, true},
      {"COMMUNE", FieldId::kCity, true},
      {"CODE_INSEE", FieldId::kInsee, false},
      {"CONTACT_NOM", FieldId::kContactName, false},
      {"CONTACT_MAIL", FieldId::kContactEmail, false},
      {"CONTACT_TEL", FieldId::kContactPhone, false},
      {"DATE_FIN_DIFFUSION", FieldId::kExpires, false},
      {"DIFFUSION_FT", FieldId::kShare, false},
      {"MAJ", FieldId::kUpdatedAt, false},
  };
  s.rome_separators = "|, ";  // offer.md, Precisions: `,`, spaces or `|` in any dialect
  s.date_style = DateStyle::kIso;
  s.datetime_style = DateTimeStyle::kIsoWithOffset;
  s.contract_types = {{"app", "apprentissage"}, {"pro", "professionnalisation"}};
  s.diploma_levels = {{"3", 3}, {"4", 4}, {"5", 5}, {"6", 6}, {"7", 7}};
  s.yes_no = {{"1", true}, {"0", false}};
  s.movements = {{"c", Movement::kCreate}, {"m", Movement::kModify}, {"s", Movement::kSuppress}};
  return s;
}

}  // namespace

void registerGilDialect(DialectRegistry& registry) {
  registry.add("gil", [] { return std::make_unique<Dialect>(gilSpec()); });
}

}  // namespace passerelle::formats
