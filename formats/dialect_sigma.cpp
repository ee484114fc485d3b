// Sigma: shared/specs/formats/sigma.md. A snapshot wrapped in an envelope
// record (#SIGMA;version;partner code;date) and a trailer (#FIN;count), with
// line breaks of descriptions written as the two characters `\n`.
#include <string>

#include "formats/dialect_registry.h"
#include "formats/excerpt.h"
#include "formats/text_fold.h"

namespace passerelle::formats {

namespace {

constexpr std::string_view kEnvelopeTag = "#SIGMA";
constexpr std::string_view kTrailerTag = "#FIN";
constexpr std::string_view kSupportedVersion = "2";

DialectSpec sigmaSpec() {
  DialectSpec s;
  s.name = "sigma";
  s.encoding = Encoding::kIso8859_15;
  s.delimiter = ';';
  s.semantics = Semantics::kSnapshot;
  s.completion = Completion::kStable;
  s.default_pattern = "*.csv";
  // SIGMA_<code>_<AAAAMMJJ>.csv
  s.naming = {.prefix = "SIGMA_", .stamp = NameStamp::kDate};
  s.columns = {
      {"REF", FieldId::kSourceRef, true},         {"ENTREPRISE", FieldId::kEmployerName, true},
      {"SIRET", FieldId::kSiret, true},           {"APE", FieldId::kNaf, false},
      {"POSTE", FieldId::kTitle, true},           {"DESCRIPTIF", FieldId::kDescription, false},
      {"ROME1", FieldId::kRomeCodes, true},       {"ROME2", FieldId::kRomeCodes, false},
      {"ROME3", FieldId::kRomeCodes, false},      {"CONTRAT", FieldId::kContractType, true},
      {"DEBUT", FieldId::kContractStart, true},   {"DUREE", FieldId::kDuration, false},
      {"POSTES", FieldId::kPositions, false},     {"NIVEAU", FieldId::kDiplomaLevel, false},
      {"DIPLOME", FieldId::kDiplomaTitle, false}, {"RNCP", FieldId::kRncp, false},
      {"ADR1", FieldId::kAddress, false},         {"ADR2", FieldId::kAddress, false},
      {"CP", FieldId::kPostalCode, true},         {"VILLE", FieldId::kCity, true},
      {"INSEE", FieldId::kInsee, false},          {"CONTACT", FieldId::kContactName, false},
      {"MAIL", FieldId::kContactEmail, false},    {"TEL", FieldId::kContactPhone, false},
      {"FIN_PUBLI", FieldId::kExpires, false},    {"PE", FieldId::kShare, false},
      {"MAJ", FieldId::kUpdatedAt, false},
  };
  s.column_join = {{FieldId::kAddress, ", "}, {FieldId::kRomeCodes, ","}};
  s.rome_separators = ", |";  // offer.md, Precisions: `,`, spaces or `|` in any dialect
  s.date_style = DateStyle::kDayFirst;
  s.datetime_style = DateTimeStyle::kDayFirstMinutes;
  s.contract_types = {{"1", "apprentissage"}, {"2", "professionnalisation"}};
  s.diploma_levels = {{"v", 3}, {"iv", 4}, {"iii", 5}, {"ii", 6}, {"i", 7}};
  s.yes_no = {{"o", true}, {"n", false}};
  return s;
}

bool isDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

class SigmaDialect final : public Dialect {
 public:
  SigmaDialect() : Dialect(sigmaSpec()) {}

  RecordRole classify(std::string_view first_field, const RecordContext& ctx) const override {
    if (!ctx.envelope_seen) return RecordRole::kEnvelope;
    if (!ctx.header_seen) return RecordRole::kHeader;
    // Only the last record can be the trailer; a #FIN record followed by more
    // data is a (malformed) data row and the file lacks its trailer.
    // `first_field` is decoded and folded: a no-break space before #FIN is
    // white space whatever the encoding (offer.md, Precisions).
    if (ctx.is_last && first_field == kTrailerTag) return RecordRole::kTrailer;
    return RecordRole::kData;
  }

  std::optional<FileIssue> checkEnvelope(const std::vector<std::string>& fields, long line,
                                         const ReadOptions& options) const override {
    if (fields.empty() || fields[0] != kEnvelopeTag) {
      return FileIssue{
          "ENVELOPE_MISSING",
          "Le fichier ne commence pas par l'enveloppe Sigma (#SIGMA;version;code;date)",
          fields.empty() ? std::nullopt : std::optional(fields[0]), line};
    }
    std::string version = fields.size() > 1 ? fields[1] : std::string();
    if (version != kSupportedVersion) {
      return FileIssue{
          "VERSION_UNSUPPORTED",
          "Version Sigma « " + excerpt(version) + " » non prise en charge (version attendue : 2)",
          version, line};
    }
    std::string code = fields.size() > 2 ? fields[2] : std::string();
    if (options.expected_partner_code && codeKey(code) != codeKey(*options.expected_partner_code)) {
      return FileIssue{"PARTNER_MISMATCH",
                       "Le fichier est celui du partenaire Sigma « " + excerpt(code) +
                           " », pas de « " + *options.expected_partner_code +
                           " » : déposé dans le mauvais dossier ?",
                       code, line};
    }
    return std::nullopt;
  }

  std::optional<FileIssue> checkEnd(const std::vector<std::string>* trailer, long trailer_line,
                                    long data_records) const override {
    if (trailer == nullptr) {
      return FileIssue{"TRAILER_MISSING",
                       "Enregistrement de fin #FIN absent : le fichier a été tronqué", std::nullopt,
                       std::nullopt};
    }
    std::string count = trailer->size() > 1 ? (*trailer)[1] : std::string();
    if (!isDigits(count)) {
      return FileIssue{"TRAILER_MISSING",
                       "Enregistrement de fin #FIN sans nombre d'enregistrements valide", count,
                       trailer_line};
    }
    // A decimal number of any length, leading zeros allowed (offer.md,
    // Precisions): compared as digits, so that no length overflows.
    std::string_view announced = count;
    while (announced.size() > 1 && announced.front() == '0') announced.remove_prefix(1);
    if (announced != std::to_string(data_records)) {
      return FileIssue{"TRAILER_COUNT_MISMATCH",
                       "L'enregistrement de fin annonce " + excerpt(announced) +
                           " enregistrements, le fichier en contient " +
                           std::to_string(data_records) + " : le fichier a été tronqué",
                       count, trailer_line};
    }
    return std::nullopt;
  }

  // `\n` is a line break and `\\` one backslash, read left to right; any
  // other backslash stays as written.
  // A value without a backslash is returned as it is: no copy for the other
  // fields and for most descriptions.
  std::string_view transformField(FieldId field, std::string_view value,
                                  std::string& scratch) const override {
    if (field != FieldId::kDescription || value.find('\\') == std::string_view::npos) return value;
    scratch.clear();
    scratch.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (value[i] == '\\' && i + 1 < value.size() &&
          (value[i + 1] == 'n' || value[i + 1] == '\\')) {
        scratch.push_back(value[i + 1] == 'n' ? '\n' : '\\');
        ++i;
      } else {
        scratch.push_back(value[i]);
      }
    }
    return scratch;
  }
};

}  // namespace

void registerSigmaDialect(DialectRegistry& registry) {
  registry.add("sigma", [] { return std::make_unique<SigmaDialect>(); });
}

}  // namespace passerelle::formats
