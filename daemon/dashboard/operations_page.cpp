#include "daemon/dashboard/operations_page.h"

#include <map>

#include "daemon/dashboard/form_fields.h"
#include "daemon/store/partner_pause.h"

#include "daemon/dashboard/html_page.h"

namespace passerelle::daemon {
namespace {

std::string cell(const pqxx::field& f) {
  return "<td>" + escapeHtml(f.is_null() ? "" : f.c_str()) + "</td>";
}

std::string destinationsTable(const PageContext& c) {
  std::string out =
      "<table id=\"destinations\"><caption>Destinations</caption><thead><tr>"
      "<th scope=\"col\">Destination</th><th scope=\"col\">Mouvements en attente</th>"
      "<th scope=\"col\">En échec</th><th scope=\"col\">Pause</th>"
      "<th scope=\"col\">Dernier succès</th><th scope=\"col\">Dernière erreur</th>"
      "</tr></thead><tbody>";
  for (const auto& r :
       c.tx.exec("SELECT s.destination,"
                 " (SELECT count(*) FROM (SELECT 1 FROM outbox_movements m"
                 "   WHERE m.destination = s.destination AND m.state IN ('pending', 'in_flight')"
                 "   LIMIT 10001) w),"
                 " (SELECT count(*) FROM outbox_movements m WHERE m.destination = s.destination"
                 "   AND m.state = 'failed'),"
                 " coalesce(s.paused_reason, ''),"
                 " to_char(s.last_success_at, 'DD/MM/YYYY HH24:MI'),"
                 " concat_ws(' ', to_char(s.last_error_at, 'DD/MM/YYYY HH24:MI'), s.last_error)"
                 " FROM destination_status s ORDER BY 1")) {
    // Counted up to 10,000: a full count of a large backlog takes a second.
    const std::string waiting =
        r[1].as<long>() > 10000 ? "plus de 10000" : std::string(r[1].c_str());
    out += "<tr><th scope=\"row\">" + escapeHtml(r[0].c_str()) + "</th><td>" + waiting + "</td>" +
           cell(r[2]) + cell(r[3]) + cell(r[4]) + cell(r[5]) + "</tr>";
  }
  return out + "</tbody></table>";
}

// Why a file waits, in French: the store keeps the reason in the
// operators' English (`runs`, the log), but its numbers say it all.
std::string quarantineMotif(const pqxx::row& r) {
  if (r[4].is_null() || r[5].is_null()) return r[6].c_str();
  if (r[7].as<long>() == 0)
    return "Fichier vide alors que " + std::string(r[5].c_str()) + " offres sont en ligne.";
  return "Retirerait " + std::string(r[4].c_str()) + " des " + r[5].c_str() +
         " offres en ligne : plus que les seuils de retrait (max_withdraw_ratio et "
         "max_withdraw_count).";
}

std::string quarantinedTable(const PageContext& c) {
  const pqxx::result rows = c.tx.exec(
      "SELECT id, partner, file_name, to_char(started_at, 'DD/MM/YYYY HH24:MI'),"
      " quarantine_withdraw, quarantine_active, coalesce(quarantine_reason, ''), records"
      " FROM import_runs WHERE outcome = 'quarantined' AND set_aside_at IS NULL"
      " AND approved_by_run IS NULL ORDER BY id DESC LIMIT 100");
  if (rows.empty()) return "<p id=\"aucun-fichier-en-attente\">Aucun fichier en attente.</p>";
  std::string out =
      "<table id=\"en-attente\"><caption>Fichiers en attente d'une décision</caption><thead><tr>"
      "<th scope=\"col\">Fichier</th><th scope=\"col\">Partenaire</th><th scope=\"col\">Reçu le"
      "</th><th scope=\"col\">Retirerait</th><th scope=\"col\">Motif</th></tr></thead><tbody>";
  for (const auto& r : rows) {
    out += "<tr><td><a href=\"" + escapeHtml(c.base) + "/operations/fichiers/" + r[0].c_str() +
           "\">" + escapeHtml(r[2].c_str()) + "</a></td>" + cell(r[1]) + cell(r[3]) + "<td>" +
           escapeHtml(r[4].is_null() ? "" : r[4].c_str()) + " sur " +
           escapeHtml(r[5].is_null() ? "" : r[5].c_str()) + "</td><td>" +
           escapeHtml(quarantineMotif(r)) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string reconciliationsTable(const PageContext& c) {
  const pqxx::result rows = c.tx.exec(
      "SELECT to_char(started_at, 'DD/MM/YYYY HH24:MI'),"
      " to_char(finished_at, 'DD/MM/YYYY HH24:MI'), outcome,"
      " CASE WHEN drift_found THEN 'oui' ELSE 'non' END, coalesce(message, '')"
      " FROM reconcile_runs WHERE NOT dry_run ORDER BY id DESC LIMIT 10");
  if (rows.empty()) return "<p id=\"aucun-rapprochement\">Aucun rapprochement pour l'instant.</p>";
  std::string out =
      "<table id=\"rapprochements\"><caption>Derniers rapprochements</caption><thead><tr>"
      "<th scope=\"col\">Début</th><th scope=\"col\">Fin</th><th scope=\"col\">Résultat</th>"
      "<th scope=\"col\">Écarts trouvés</th><th scope=\"col\">Message</th></tr></thead><tbody>";
  for (const auto& r : rows) {
    out += "<tr>" + cell(r[0]) + cell(r[1]) + cell(r[2]) + cell(r[3]) + cell(r[4]) + "</tr>";
  }
  return out + "</tbody></table>";
}

}  // namespace

// Every configured partner, its polling running or paused, and the button
// that changes it (a POST under the session's CSRF token).
std::string partnersTable(const PageContext& c) {
  std::map<std::string, PartnerPause> paused;
  for (PartnerPause& p : partnerPauses(c.tx)) paused.emplace(p.partner, std::move(p));
  std::string out =
      "<table id=\"partenaires\"><caption>Relève des dépôts</caption><thead><tr>"
      "<th scope=\"col\">Partenaire</th><th scope=\"col\">Relève</th>"
      "<th scope=\"col\">Action</th></tr></thead><tbody>";
  for (const PartnerConfig& partner : c.config.partners) {
    const auto it = paused.find(partner.id);
    const bool is_paused = it != paused.end();
    const std::string action = escapeHtml(c.base) + "/operations/partenaires/" +
                               percentEncode(partner.id) +
                               (is_paused ? "/reprendre" : "/suspendre");
    out += "<tr><th scope=\"row\">" + escapeHtml(partner.id) + "</th><td>" +
           (is_paused ? "suspendue le " + escapeHtml(it->second.paused_at) + " par " +
                            escapeHtml(it->second.paused_by)
                      : std::string("active")) +
           "</td><td><form method=\"post\" action=\"" + action + "\">" + csrfField(c.session) +
           "<button type=\"submit\" id=\"" + (is_paused ? "reprendre-" : "suspendre-") +
           escapeHtml(partner.id) + "\">" + (is_paused ? "Reprendre" : "Suspendre") +
           " la relève<span class=\"visually-hidden\"> de " + escapeHtml(partner.id) +
           "</span></button></form></td></tr>";
  }
  return out + "</tbody></table>";
}

std::string operationsPage(const PageContext& c) {
  return "<section aria-labelledby=\"h-destinations\"><h2 id=\"h-destinations\">Destinations</h2>" +
         destinationsTable(c) +
         "</section><section aria-labelledby=\"h-partenaires\"><h2 id=\"h-partenaires\">"
         "Partenaires</h2>" +
         partnersTable(c) +
         "</section><section aria-labelledby=\"h-attente\"><h2 id=\"h-attente\">Fichiers en "
         "attente</h2>" +
         quarantinedTable(c) +
         "</section><section aria-labelledby=\"h-rapprochements\"><h2 id=\"h-rapprochements\">"
         "Rapprochements</h2>" +
         reconciliationsTable(c) + "</section>";
}

std::string quarantinePage(const PageContext& c, std::int64_t run, const std::string& file_name,
                           const std::string& partner, const ImportResult* preview,
                           const std::string& refusal) {
  std::string body = "<p>Fichier <strong>" + escapeHtml(file_name) + "</strong> de " +
                     escapeHtml(partner) + ".</p>";
  if (!preview) {
    return body + "<p class=\"error\" id=\"refus\">Décision impossible : " + escapeHtml(refusal) +
           "</p>";
  }
  const MergeCounts& n = preview->counts;
  body += "<p id=\"apercu\">L'appliquer créerait " + std::to_string(n.created) + ", modifierait " +
          std::to_string(n.updated) + ", laisserait inchangées " + std::to_string(n.unchanged) +
          " et retirerait " + std::to_string(n.withdrawn) + " offres (" +
          std::to_string(preview->summary.rejects) + " lignes refusées).</p>";
  if (!preview->withdrawn_refs.empty()) {
    body += "<p>Retirées, entre autres : ";
    for (std::size_t i = 0; i < preview->withdrawn_refs.size(); ++i)
      body += (i ? ", " : "") + escapeHtml(preview->withdrawn_refs[i]);
    body += "</p>";
  }
  const std::string action = escapeHtml(c.base) + "/operations/fichiers/" + std::to_string(run);
  body += "<form method=\"post\" action=\"" + action + "/appliquer\">" + csrfField(c.session) +
          "<button type=\"submit\" id=\"appliquer\">Appliquer le fichier</button></form>";
  body += "<form method=\"post\" action=\"" + action + "/ecarter\">" + csrfField(c.session) +
          "<button type=\"submit\" id=\"ecarter\">Écarter le fichier</button></form>";
  return body;
}

}  // namespace passerelle::daemon
