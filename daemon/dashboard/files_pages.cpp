#include "daemon/dashboard/files_pages.h"

#include <charconv>

#include "connectors/drop/partner_report.h"
#include "daemon/dashboard/form_fields.h"
#include "daemon/dashboard/html_page.h"
#include "daemon/store/run_report.h"

namespace passerelle::daemon {
namespace {

constexpr int kPageRows = 100;
// A file's page shows this many report rows; the CSV has them all.
constexpr std::size_t kShownReportRows = 1000;

std::string td(const pqxx::field& f) {
  return "<td>" + escapeHtml(f.is_null() ? "" : f.c_str()) + "</td>";
}

}  // namespace

std::optional<std::int64_t> parseId(const std::string& text) {
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

std::string runOutcomeLabel(const std::string& outcome, bool set_aside) {
  if (outcome == "imported") return "pris en compte";
  if (outcome == "rejected_file") return "refusé";
  if (outcome == "duplicate") return "déjà reçu";
  if (outcome == "quarantined") return set_aside ? "écarté" : "en attente";
  if (outcome == "approved") return "appliqué après vérification";
  if (outcome == "failed") return "incident technique";
  return outcome;
}

std::string filesPage(const PageContext& c) {
  const auto before = parseId(c.field("avant"));
  const pqxx::result rows = c.tx.exec_params(
      "SELECT id, partner, file_name, to_char(started_at, 'DD/MM/YYYY HH24:MI'), outcome,"
      " set_aside_at IS NOT NULL, records, offers, rejects, warnings, withdrawn"
      " FROM import_runs WHERE ($1::text IS NULL OR partner = $1)"
      " AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
      c.scope(), before, kPageRows + 1);
  std::string body =
      "<table id=\"fichiers\"><caption>Fichiers reçus, du plus récent au plus ancien</caption>"
      "<thead><tr><th scope=\"col\">Fichier</th>" +
      std::string(c.scope() ? "" : "<th scope=\"col\">Partenaire</th>") +
      "<th scope=\"col\">Reçu le</th><th scope=\"col\">Résultat</th>"
      "<th scope=\"col\">Enregistrements</th><th scope=\"col\">Offres prises</th>"
      "<th scope=\"col\">Lignes refusées</th><th scope=\"col\">Avertissements</th>"
      "<th scope=\"col\">Offres retirées</th><th scope=\"col\">Rapport</th></tr></thead><tbody>";
  const int shown = std::min<int>(kPageRows, static_cast<int>(rows.size()));
  for (int i = 0; i < shown; ++i) {
    const auto& r = rows[i];
    const std::string link = c.base + "/fichiers/" + r[0].c_str();
    body += "<tr><td><a href=\"" + escapeHtml(link) + "\">" + escapeHtml(r[2].c_str()) +
            "</a></td>" + (c.scope() ? "" : td(r[1])) + td(r[3]) + "<td>" +
            escapeHtml(runOutcomeLabel(r[4].c_str(), r[5].as<bool>())) + "</td>" + td(r[6]) +
            td(r[7]) + td(r[8]) + td(r[9]) + td(r[10]) + "<td><a href=\"" + escapeHtml(link) +
            "/rapport.csv\">télécharger</a></td></tr>";
  }
  body += "</tbody></table>";
  if (rows.empty()) body += "<p>Aucun fichier reçu pour l'instant.</p>";
  if (static_cast<int>(rows.size()) > kPageRows) {
    body += "<p><a id=\"page-suivante\" href=\"" + escapeHtml(c.base) +
            "/fichiers?avant=" + rows[kPageRows - 1][0].c_str() +
            "\">Fichiers plus anciens</a></p>";
  }
  return body;
}

std::optional<std::string> filePage(const PageContext& c, std::int64_t run) {
  const pqxx::result r = c.tx.exec_params(
      "SELECT partner, file_name, to_char(started_at, 'DD/MM/YYYY HH24:MI'), outcome,"
      " set_aside_at IS NOT NULL FROM import_runs"
      " WHERE id = $1 AND ($2::text IS NULL OR partner = $2)",
      run, c.scope());
  if (r.empty()) return std::nullopt;
  const auto report = loadRunReport(c.tx, run);
  if (!report) return std::nullopt;
  std::string body = "<p>Fichier <strong id=\"nom-fichier\">" + escapeHtml(r[0][1].c_str()) +
                     "</strong> de " + escapeHtml(r[0][0].c_str()) + ", reçu le " +
                     escapeHtml(r[0][2].c_str()) + " : <span id=\"resultat\">" +
                     escapeHtml(runOutcomeLabel(r[0][3].c_str(), r[0][4].as<bool>())) +
                     "</span>.</p>";
  body += "<p><a id=\"rapport\" href=\"" + escapeHtml(c.base) + "/fichiers/" + std::to_string(run) +
          "/rapport.csv\">Télécharger le rapport (CSV)</a></p>";
  const std::vector<connectors::ReportRow> rows = connectors::partnerReportRows(report->input);
  body += "<p class=\"notice\" id=\"synthese\">" + escapeHtml(rows.front().message) + "</p>";
  if (rows.size() > 1) {
    body +=
        "<table id=\"problemes\"><caption>Lignes refusées et avertissements, avec ce qu'il faut "
        "corriger</caption><thead><tr><th scope=\"col\">Ligne</th><th scope=\"col\">"
        "Enregistrement</th><th scope=\"col\">Référence</th><th scope=\"col\">Gravité</th>"
        "<th scope=\"col\">Colonne</th><th scope=\"col\">Code</th><th scope=\"col\">Message</th>"
        "<th scope=\"col\">Valeur</th></tr></thead><tbody>";
    for (std::size_t i = 1; i < rows.size() && i <= kShownReportRows; ++i) {
      const auto& row = rows[i];
      body += "<tr><td>" + escapeHtml(row.line) + "</td><td>" + escapeHtml(row.record) +
              "</td><td>" + escapeHtml(row.reference) + "</td><td>" + escapeHtml(row.severity) +
              "</td><td>" + escapeHtml(row.column) + "</td><td><code>" + escapeHtml(row.code) +
              "</code></td><td>" + escapeHtml(row.message) + "</td><td>" + escapeHtml(row.value) +
              "</td></tr>";
    }
    body += "</tbody></table>";
    if (rows.size() - 1 > kShownReportRows) {
      body += "<p>Les " + std::to_string(kShownReportRows) +
              " premières lignes sont affichées ; le rapport les contient toutes.</p>";
    }
  } else {
    body += "<p>Aucune ligne refusée, aucun avertissement.</p>";
  }
  return body;
}

std::optional<ReportDownload> fileReport(const PageContext& c, std::int64_t run) {
  const pqxx::result r = c.tx.exec_params(
      "SELECT 1 FROM import_runs WHERE id = $1 AND ($2::text IS NULL OR partner = $2)", run,
      c.scope());
  if (r.empty()) return std::nullopt;
  const auto report = loadRunReport(c.tx, run);
  if (!report) return std::nullopt;
  return ReportDownload{connectors::reportFileName(report->file_name),
                        connectors::renderPartnerReport(report->input)};
}

}  // namespace passerelle::daemon
