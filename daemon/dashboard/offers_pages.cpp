#include "daemon/dashboard/offers_pages.h"

#include <map>
#include <nlohmann/json.hpp>

#include "daemon/dashboard/form_fields.h"
#include "daemon/dashboard/html_page.h"

namespace passerelle::daemon {
namespace {

constexpr int kPageRows = 100;

struct Choice {
  const char* value;
  const char* label;
};
const Choice kStatuses[] = {
    {"", "Tous"}, {"active", "En ligne"}, {"withdrawn", "Retirée"}, {"expired", "Expirée"}};
const Choice kDestinationStates[] = {{"", "Tous"},
                                     {"publiee", "Publiée sur La bonne alternance"},
                                     {"refusee", "Refusée par La bonne alternance"},
                                     {"attente", "En attente de La bonne alternance"},
                                     {"france-travail", "Envoyée à France Travail"}};

template <std::size_t N>
std::string selectField(const char* id, const char* label, const Choice (&choices)[N],
                        const std::string& current) {
  std::string out = "<label for=\"" + std::string(id) + "\">" + label + "</label><select id=\"" +
                    id + "\" name=\"" + id + "\">";
  for (const Choice& c : choices) {
    out += "<option value=\"" + std::string(c.value) + "\"" +
           (current == c.value ? " selected" : "") + ">" + c.label + "</option>";
  }
  return out + "</select> ";
}

std::string statusLabel(const std::string& status) {
  if (status.empty()) return status;
  for (const Choice& c : kStatuses)
    if (status == c.value) return c.label;
  return status;
}

// The store's words (outbox states, lba's publishing statuses) in the
// partner's: the pages are in French.
std::string movementStateLabel(const std::string& state) {
  static const std::map<std::string, std::string> kLabels = {
      {"pending", "en attente"},
      {"in_flight", "en cours d'envoi"},
      {"sent", "envoyé"},
      {"failed", "en échec"},
      {"not_eligible", "non éligible"},
      {"superseded", "remplacé par un envoi plus récent"}};
  const auto it = kLabels.find(state);
  return it == kLabels.end() ? state : it->second;
}

std::string publishingLabel(const std::string& status) {
  static const std::map<std::string, std::string> kLabels = {
      {"PUBLISHED", "publiée"},
      {"WILL_BE_PUBLISHED", "en cours de publication"},
      {"WILL_NOT_BE_PUBLISHED", "ne sera pas publiée"}};
  const auto it = kLabels.find(status);
  return it == kLabels.end() ? status : it->second;
}

// The SQL condition of a destination state filter (constant text only).
std::string destinationCondition(const std::string& state) {
  const std::string exists =
      " AND EXISTS (SELECT 1 FROM destination_offers d WHERE d.partner = o.partner"
      " AND d.source_ref = o.source_ref AND d.destination = ";
  if (state == "publiee") return exists + "'lba' AND d.publishing_status = 'PUBLISHED')";
  if (state == "refusee")
    return exists +
           "'lba' AND (d.publishing_status = 'WILL_NOT_BE_PUBLISHED'"
           " OR cardinality(d.not_eligible_reasons) > 0))";
  if (state == "attente")
    return exists +
           "'lba' AND d.publishing_status IS DISTINCT FROM 'PUBLISHED'"
           " AND d.publishing_status IS DISTINCT FROM 'WILL_NOT_BE_PUBLISHED'"
           " AND cardinality(d.not_eligible_reasons) = 0)";
  if (state == "france-travail")
    return exists + "'france-travail' AND d.accepted_at IS NOT NULL AND d.closed_at IS NULL)";
  return "";
}

std::string jsonText(const nlohmann::json& j, const char* key, const char* sub = nullptr) {
  if (!j.is_object() || !j.contains(key)) return "";
  const nlohmann::json& v =
      sub ? (j[key].is_object() && j[key].contains(sub) ? j[key][sub] : nlohmann::json()) : j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

// `q` for LIKE: its own % and _ stand for themselves.
std::string likeEscaped(const std::string& q) {
  std::string out;
  for (char ch : q) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

std::string filtersForm(const PageContext& c) {
  return "<form method=\"get\" action=\"" + escapeHtml(c.base) +
         "/offres\" class=\"filters\" role=\"search\"><label for=\"q\">Référence, intitulé, "
         "employeur ou SIRET</label> <input id=\"q\" name=\"q\" type=\"search\" value=\"" +
         escapeHtml(c.field("q")) + "\"> " +
         selectField("statut", "Statut", kStatuses, c.field("statut")) +
         selectField("destination", "Destinations", kDestinationStates, c.field("destination")) +
         "<button type=\"submit\" id=\"chercher\">Chercher</button></form>";
}

std::string nextPageLink(const PageContext& c, const std::string& partner, const std::string& ref) {
  return "<p><a id=\"page-suivante\" href=\"" + escapeHtml(c.base) +
         "/offres?q=" + percentEncode(c.field("q")) +
         "&amp;statut=" + percentEncode(c.field("statut")) +
         "&amp;destination=" + percentEncode(c.field("destination")) +
         "&amp;apres_partenaire=" + percentEncode(partner) + "&amp;apres=" + percentEncode(ref) +
         "\">Offres suivantes</a></p>";
}

}  // namespace

std::string offersPage(const PageContext& c) {
  const std::string q = c.field("q");
  std::optional<std::string> status;
  for (const Choice& ch : kStatuses)
    if (!c.field("statut").empty() && c.field("statut") == ch.value) status = ch.value;
  std::optional<std::string> after_partner, after_ref;
  if (!c.field("apres").empty()) {
    after_partner = c.field("apres_partenaire");
    after_ref = c.field("apres");
  }
  // One search over the reference, the title, the employer's name and the
  // SIRET: the offer's folded search_text (schema 011) contains the folded
  // words, through its trigram index; a SIRET typed with spaces is also
  // looked for as written in offers.siret (offers_siret).
  const std::string like = "%" + likeEscaped(q) + "%";
  const pqxx::result rows = c.tx.exec_params(
      "SELECT o.partner, o.source_ref, o.status, o.json, o.siret,"
      " to_char(o.last_changed, 'DD/MM/YYYY HH24:MI') FROM offers o"
      " WHERE ($1::text IS NULL OR o.partner = $1)"
      " AND ($2::text IS NULL OR o.status = $2)"
      " AND ($3::text = '' OR o.search_text LIKE offer_search_fold($4)"
      " OR o.siret = replace($3, ' ', ''))"
      " AND ($5::text IS NULL OR (o.partner, o.source_ref) > ($5, $6))" +
          destinationCondition(c.field("destination")) +
          " ORDER BY o.partner, o.source_ref LIMIT $7",
      c.scope(), status, q, like, after_partner, after_ref, kPageRows + 1);
  std::string body = filtersForm(c);
  body +=
      "<table id=\"offres\"><caption>Offres</caption><thead><tr>" +
      std::string(c.scope() ? "" : "<th scope=\"col\">Partenaire</th>") +
      "<th scope=\"col\">Référence</th><th scope=\"col\">Intitulé</th>"
      "<th scope=\"col\">Employeur</th><th scope=\"col\">SIRET</th><th scope=\"col\">Statut</th>"
      "<th scope=\"col\">Modifiée le</th></tr></thead><tbody>";
  const int shown = std::min<int>(kPageRows, static_cast<int>(rows.size()));
  for (int i = 0; i < shown; ++i) {
    const auto& r = rows[i];
    const auto json = nlohmann::json::parse(r[3].c_str(), nullptr, false);
    body += "<tr>" + (c.scope() ? std::string() : "<td>" + escapeHtml(r[0].c_str()) + "</td>") +
            "<td><a href=\"" + escapeHtml(c.base) + "/offres/" + percentEncode(r[0].c_str()) + "/" +
            percentEncode(r[1].c_str()) + "\">" + escapeHtml(r[1].c_str()) + "</a></td><td>" +
            escapeHtml(jsonText(json, "title")) + "</td><td>" +
            escapeHtml(jsonText(json, "employer", "name")) + "</td><td>" +
            escapeHtml(r[4].is_null() ? "" : r[4].c_str()) + "</td><td>" +
            escapeHtml(statusLabel(r[2].c_str())) + "</td><td>" + escapeHtml(r[5].c_str()) +
            "</td></tr>";
  }
  body += "</tbody></table>";
  if (rows.empty()) body += "<p>Aucune offre ne correspond.</p>";
  if (static_cast<int>(rows.size()) > kPageRows)
    body += nextPageLink(c, rows[kPageRows - 1][0].c_str(), rows[kPageRows - 1][1].c_str());
  return body;
}

std::optional<std::string> offerPage(const PageContext& c, const std::string& partner,
                                     const std::string& reference) {
  const pqxx::result offer = c.tx.exec_params(
      "SELECT status, json, to_char(first_seen, 'DD/MM/YYYY HH24:MI'),"
      " to_char(last_changed, 'DD/MM/YYYY HH24:MI') FROM offers"
      " WHERE partner = $1 AND source_ref = $2 AND ($3::text IS NULL OR partner = $3)",
      partner, reference, c.scope());
  if (offer.empty()) return std::nullopt;
  const auto json = nlohmann::json::parse(offer[0][1].c_str(), nullptr, false);
  std::string body =
      "<section aria-labelledby=\"h-contenu\"><h2 id=\"h-contenu\">Contenu actuel"
      "</h2><dl class=\"indicators\" id=\"offre\">";
  auto item = [&](const char* label, const std::string& value) {
    body += "<dt>" + std::string(label) + "</dt><dd>" + escapeHtml(value) + "</dd>";
  };
  item("Partenaire", partner);
  item("Référence", reference);
  item("Statut", statusLabel(offer[0][0].c_str()));
  item("Intitulé", jsonText(json, "title"));
  item("Employeur", jsonText(json, "employer", "name"));
  item("SIRET", jsonText(json, "employer", "siret"));
  item("Lieu", jsonText(json, "workplace", "city"));
  item("Contrat", jsonText(json, "contract", "type"));
  item("Début", jsonText(json, "contract", "start"));
  item("Reçue la première fois le", offer[0][2].c_str());
  item("Dernière modification le", offer[0][3].c_str());
  body += "</dl></section>";

  body +=
      "<section aria-labelledby=\"h-historique\"><h2 id=\"h-historique\">Historique</h2>"
      "<table id=\"historique\"><thead><tr><th scope=\"col\">Date</th><th scope=\"col\">"
      "Changement</th><th scope=\"col\">Statut</th><th scope=\"col\">Fichier</th>"
      "<th scope=\"col\">Ligne</th></tr></thead><tbody>";
  for (const auto& h :
       c.tx.exec_params("SELECT to_char(h.at, 'DD/MM/YYYY HH24:MI'), h.change,"
                        " coalesce(h.old_status, ''), r.file_name, h.line, r.id, h.new_status"
                        " FROM offer_history h LEFT JOIN import_runs r ON r.id = h.run_id"
                        " WHERE h.partner = $1 AND h.source_ref = $2 ORDER BY h.id DESC LIMIT 100",
                        partner, reference)) {
    static const std::map<std::string, std::string> kChanges = {{"created", "créée"},
                                                                {"updated", "modifiée"},
                                                                {"withdrawn", "retirée"},
                                                                {"reactivated", "remise en ligne"},
                                                                {"expired", "expirée"}};
    const auto change = kChanges.find(h[1].c_str());
    const std::string file = h[3].is_null()
                                 ? "rapprochement"
                                 : "<a href=\"" + escapeHtml(c.base) + "/fichiers/" + h[5].c_str() +
                                       "\">" + escapeHtml(h[3].c_str()) + "</a>";
    body += "<tr><td>" + escapeHtml(h[0].c_str()) + "</td><td>" +
            escapeHtml(change == kChanges.end() ? h[1].c_str() : change->second) + "</td><td>" +
            escapeHtml(statusLabel(h[2].c_str()) + " → " + statusLabel(h[6].c_str())) +
            "</td><td>" + file + "</td><td>" + escapeHtml(h[4].is_null() ? "" : h[4].c_str()) +
            "</td></tr>";
  }
  body += "</tbody></table></section>";

  body +=
      "<section aria-labelledby=\"h-destinations\"><h2 id=\"h-destinations\">Destinations"
      "</h2><table id=\"destinations\"><thead><tr><th scope=\"col\">Destination</th>"
      "<th scope=\"col\">Acceptée le</th><th scope=\"col\">Publication</th>"
      "<th scope=\"col\">Motif</th><th scope=\"col\">Dernière erreur</th></tr></thead><tbody>";
  for (const auto& d : c.tx.exec_params(
           "SELECT destination, to_char(accepted_at, 'DD/MM/YYYY HH24:MI'),"
           " coalesce(publishing_status, ''), concat_ws(' ', publishing_error_label,"
           " nullif(array_to_string(not_eligible_reasons, ', '), '')), coalesce(last_error, '')"
           " FROM destination_offers WHERE partner = $1 AND source_ref = $2 ORDER BY 1",
           partner, reference)) {
    body += "<tr><th scope=\"row\">" + escapeHtml(d[0].c_str()) + "</th><td>" +
            escapeHtml(d[1].is_null() ? "" : d[1].c_str()) + "</td><td>" +
            escapeHtml(publishingLabel(d[2].c_str())) + "</td><td>" + escapeHtml(d[3].c_str()) +
            "</td><td>" + escapeHtml(d[4].c_str()) + "</td></tr>";
  }
  body +=
      "</tbody></table><h3>Envois</h3><table id=\"envois\"><thead><tr><th scope=\"col\">"
      "Destination</th><th scope=\"col\">Préparé le</th><th scope=\"col\">Envoi</th>"
      "<th scope=\"col\">État</th><th scope=\"col\">Réponse</th></tr></thead><tbody>";
  for (const auto& m : c.tx.exec_params(
           "SELECT destination, to_char(created_at, 'DD/MM/YYYY HH24:MI'), kind, state,"
           " concat_ws(' ', 'HTTP ' || last_http_status, last_error),"
           " to_char(coalesce(settled_at, updated_at), 'DD/MM/YYYY HH24:MI')"
           " FROM outbox_movements WHERE partner = $1 AND source_ref = $2"
           " ORDER BY id DESC LIMIT 50",
           partner, reference)) {
    body += "<tr><td>" + escapeHtml(m[0].c_str()) + "</td><td>" + escapeHtml(m[1].c_str()) +
            "</td><td>" +
            escapeHtml(std::string(m[2].c_str()) == "close" ? "fermeture" : "mise à jour") +
            "</td><td>" + escapeHtml(movementStateLabel(m[3].c_str())) + " (" +
            escapeHtml(m[5].c_str()) + ")</td><td>" + escapeHtml(m[4].c_str()) + "</td></tr>";
  }
  body += "</tbody></table></section>";
  return body;
}

}  // namespace passerelle::daemon
