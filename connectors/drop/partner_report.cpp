#include "connectors/drop/partner_report.h"

#include <algorithm>
#include <memory>

#include "connectors/drop/remote_name.h"
#include "connectors/drop/report_csv.h"
#include "connectors/drop/report_messages.h"
#include "formats/dialect_registry.h"

namespace passerelle::connectors {

namespace {

// "1 offre prise", "3 offres prises": French agrees 0 and 1 in the singular.
std::string counted(long n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n <= 1 ? one : many);
}

std::string counts(const PartnerReportInput& in) {
  std::string text = counted(in.records, "enregistrement lu", "enregistrements lus") + ", " +
                     counted(in.accepted, "offre prise", "offres prises") + ", " +
                     counted(in.rejected, "ligne refusée", "lignes refusées") + ", " +
                     counted(in.withdrawn, "offre retirée", "offres retirées");
  if (in.snapshot) {
    text += in.withdrawn <= 1 ? " car absente du fichier" : " car absentes du fichier";
  } else {
    text += " par une ligne de suppression";
  }
  return text;
}

std::string onHoldWhy(const PartnerReportInput& in, const char* verb) {
  if (in.records == 0)
    return std::string("il ne contient aucune offre et ") + verb + " " +
           (in.active_before <= 1 ? "votre offre en ligne"
                                  : "vos " + std::to_string(in.active_before) + " offres en ligne");
  return std::string("il ") + verb + " " + std::to_string(in.withdraw_forecast) + " de vos " +
         counted(in.active_before, "offre en ligne", "offres en ligne");
}

std::string on(const std::optional<std::string>& date) {
  return date ? " le " + *date : "";
}

const char* summaryCode(ReportOutcome outcome) {
  switch (outcome) {
    case ReportOutcome::kTaken:
      return "FICHIER_PRIS";
    case ReportOutcome::kRefused:
      return "FICHIER_REFUSE";
    case ReportOutcome::kOnHold:
      return "FICHIER_EN_ATTENTE";
    case ReportOutcome::kApplied:
      return "FICHIER_APPLIQUE";
    case ReportOutcome::kSetAside:
      return "FICHIER_ECARTE";
    case ReportOutcome::kAlreadyReceived:
      return "FICHIER_DEJA_RECU";
  }
  return "FICHIER_PRIS";
}

// Names fields the partner's way: the header as written, else the dialect's.
class ColumnNames {
 public:
  explicit ColumnNames(const PartnerReportInput& in)
      : columns_(in.columns), dialect_(formats::DialectRegistry::instance().create(in.format)) {}

  std::string of(const std::optional<std::string>& field) const {
    if (!field) return "";
    if (auto it = columns_.find(*field); it != columns_.end()) return it->second;
    const auto id = formats::fieldOfPath(*field);
    if (!dialect_ || !id) return "";
    return formats::columnsFeeding(dialect_->spec(), *id);
  }

 private:
  const std::map<std::string, std::string>& columns_;
  std::unique_ptr<formats::Dialect> dialect_;
};

bool namesColumns(const std::string& code) {
  return code.rfind("HEADER_", 0) == 0;
}

ReportRow fileRow(const formats::FileIssue& issue, const char* severity) {
  std::string detail = issue.message;
  if (issue.line) detail += " (ligne " + std::to_string(*issue.line) + ")";
  return ReportRow{"",
                   "",
                   "",
                   severity,
                   namesColumns(issue.code) ? issue.value.value_or("") : "",
                   issue.code,
                   reportMessage(issue.code, detail),
                   issue.value.value_or("")};
}

}  // namespace

ReportRecord reportRecordOf(const formats::Reject& reject) {
  return ReportRecord{reject.line, reject.record, reject.source_ref, reject.errors,
                      reject.warnings};
}

ReportRecord reportRecordOf(const formats::Offer& offer) {
  return ReportRecord{offer.line, offer.record, offer.source_ref, {}, offer.warnings};
}

std::string reportFileName(const std::string& file_name) {
  // Room for the "." and ".tmp" of the temporary name the report is written under.
  return boundedName(file_name, ".report.csv", kMaxNameBytes - 5);
}

std::string reportSummary(const PartnerReportInput& in) {
  switch (in.outcome) {
    case ReportOutcome::kTaken:
      return "Fichier pris en compte : " + counts(in) + ".";
    case ReportOutcome::kRefused:
      return "Fichier refusé : aucune offre n'a été prise ni retirée. Corrigez le problème "
             "décrit ci-dessous, puis déposez à nouveau le fichier.";
    case ReportOutcome::kOnHold:
      return "Fichier mis en attente : " + onHoldWhy(in, "retirerait") +
             ". L'équipe du portail va le vérifier avant de l'appliquer ; d'ici là rien n'a "
             "changé et vos offres restent en ligne (" +
             counted(in.records, "enregistrement lu", "enregistrements lus") + ", " +
             counted(in.rejected, "ligne refusée", "lignes refusées") + ").";
    case ReportOutcome::kApplied:
      return "Fichier mis en attente puis vérifié et appliqué par l'équipe du portail" +
             on(in.decided_on) + " : " + counts(in) + ".";
    case ReportOutcome::kSetAside:
      return "Fichier écarté par l'équipe du portail" + on(in.decided_on) + " : " +
             onHoldWhy(in, "aurait retiré") +
             ". Il n'a pas été appliqué et vos offres en ligne n'ont pas changé. S'il était "
             "correct, contactez l'équipe du portail ; sinon, déposez un nouvel export "
             "complet.";
    case ReportOutcome::kAlreadyReceived:
      return "Fichier déjà reçu" + on(in.decided_on) +
             " avec un contenu identique : rien n'a changé.";
  }
  return "";
}

std::vector<ReportRow> partnerReportRows(const PartnerReportInput& in) {
  std::vector<ReportRow> rows;
  rows.push_back({"", "", "", "synthese", "", summaryCode(in.outcome), reportSummary(in),
                  "enregistrements=" + std::to_string(in.records) + " prises=" +
                      std::to_string(in.accepted) + " refusees=" + std::to_string(in.rejected) +
                      " retirees=" + std::to_string(in.withdrawn)});
  if (in.file_error) rows.push_back(fileRow(*in.file_error, "erreur"));
  for (const auto& w : in.file_warnings) rows.push_back(fileRow(w, "avertissement"));

  const ColumnNames columns(in);
  std::vector<const ReportRecord*> records;
  for (const auto& r : in.records_with_problems) records.push_back(&r);
  std::stable_sort(records.begin(), records.end(),
                   [](const ReportRecord* a, const ReportRecord* b) { return a->line < b->line; });
  for (const ReportRecord* r : records) {
    auto fieldRow = [&](const formats::FieldError& e, const char* severity) {
      rows.push_back({std::to_string(r->line), r->record > 0 ? std::to_string(r->record) : "",
                      r->reference.value_or(""), severity, columns.of(e.field), e.code,
                      reportMessage(e.code, e.message), e.value.value_or("")});
    };
    for (const auto& e : r->errors) fieldRow(e, "erreur");
    for (const auto& w : r->warnings) fieldRow(w, "avertissement");
  }
  return rows;
}

std::string renderPartnerReport(const PartnerReportInput& in) {
  std::string out = kUtf8Bom;
  appendReportRow(out, {"ligne", "enregistrement", "reference", "gravite", "colonne", "code",
                        "message", "valeur"});
  for (const ReportRow& r : partnerReportRows(in)) {
    appendReportRow(
        out, {r.line, r.record, r.reference, r.severity, r.column, r.code, r.message, r.value});
  }
  return out;
}

}  // namespace passerelle::connectors
