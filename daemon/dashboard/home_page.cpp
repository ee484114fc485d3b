#include "daemon/dashboard/home_page.h"

#include <algorithm>
#include <map>

#include "connectors/drop/report_messages.h"
#include "daemon/dashboard/files_pages.h"
#include "daemon/dashboard/html_page.h"

namespace passerelle::daemon {
namespace {

constexpr int kChartDays = 90;

// A PostgreSQL array literal of partner ids ([a-z0-9_-], quoted anyway):
// libpqxx 6 passes no arrays as parameters.
std::string arrayLiteral(const std::vector<std::string>& ids) {
  std::string out = "{";
  for (const auto& id : ids) {
    out += (out.size() > 1 ? ",\"" : "\"");
    for (char ch : id) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

struct PartnerIndicators {
  long online = 0;
  long lba_published = 0, lba_waiting = 0, lba_refused = 0;
  long france_travail = 0;
  std::map<std::string, long> files_by_outcome;
  long rows_refused = 0;
};

// The partners shown: the session's, or every configured one.
std::vector<std::string> partnersInScope(const PageContext& c) {
  if (auto p = c.scope()) return {*p};
  std::vector<std::string> ids;
  for (const PartnerConfig& p : c.config.partners) ids.push_back(p.id);
  return ids;
}

std::map<std::string, PartnerIndicators> indicators(const PageContext& c,
                                                    const std::vector<std::string>& partners) {
  std::map<std::string, PartnerIndicators> out;
  for (const auto& p : partners) out[p];
  for (const auto& row : c.tx.exec_params("SELECT partner, count(*) FROM offers WHERE partner = "
                                          "ANY($1::text[]) AND status = 'active'"
                                          " GROUP BY partner",
                                          arrayLiteral(partners))) {
    out[row[0].c_str()].online = row[1].as<long>();
  }
  for (const auto& row : c.tx.exec_params(
           "SELECT partner, destination,"
           " count(*) FILTER (WHERE publishing_status = 'PUBLISHED'),"
           " count(*) FILTER (WHERE publishing_status = 'WILL_NOT_BE_PUBLISHED'"
           "   OR cardinality(not_eligible_reasons) > 0),"
           " count(*) FILTER (WHERE accepted_at IS NOT NULL)"
           " FROM destination_offers WHERE partner = ANY($1::text[]) AND closed_at IS NULL"
           " GROUP BY partner, destination",
           arrayLiteral(partners))) {
    PartnerIndicators& i = out[row[0].c_str()];
    if (std::string(row[1].c_str()) == "lba") {
      i.lba_published = row[2].as<long>();
      i.lba_refused = row[3].as<long>();
    } else if (std::string(row[1].c_str()) == "france-travail") {
      i.france_travail = row[4].as<long>();
    }
  }
  for (auto& [partner, i] : out)
    i.lba_waiting = std::max(0L, i.online - i.lba_published - i.lba_refused);
  for (const auto& row :
       c.tx.exec_params("SELECT partner, outcome, count(*), sum(rejects) FROM import_runs"
                        " WHERE partner = ANY($1::text[]) AND started_at >= to_timestamp($2) - "
                        "interval '30 days'"
                        " GROUP BY partner, outcome",
                        arrayLiteral(partners), c.nowEpoch())) {
    PartnerIndicators& i = out[row[0].c_str()];
    i.files_by_outcome[runOutcomeLabel(row[1].c_str(), false)] += row[2].as<long>();
    i.rows_refused += row[3].as<long>(0);
  }
  return out;
}

std::string topReasons(const PageContext& c, const std::vector<std::string>& partners) {
  std::string out;
  for (const auto& row : c.tx.exec_params(
           "SELECT e->>'code', count(*) FROM import_runs r JOIN run_rejects j ON j.run_id = r.id,"
           " json_array_elements(j.errors) e"
           " WHERE r.partner = ANY($1::text[]) AND r.started_at >= to_timestamp($2) - interval '30 "
           "days'"
           " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3",
           arrayLiteral(partners), c.nowEpoch())) {
    // The code alone tells a partner nothing: its report's advice says what to fix.
    const auto advice = connectors::adviceFor(row[0].c_str());
    out += "<li><code>" + escapeHtml(row[0].c_str()) + "</code> : " + row[1].c_str() +
           " ligne(s)." + (advice ? " " + escapeHtml(*advice) : std::string()) + "</li>";
  }
  return out.empty() ? "<p>Aucune ligne refusée sur 30 jours.</p>"
                     : "<ol id=\"motifs\">" + out + "</ol>";
}

std::string indicatorsTable(const std::map<std::string, PartnerIndicators>& all) {
  std::string out =
      "<table id=\"indicateurs\"><caption>Indicateurs par partenaire</caption><thead><tr>"
      "<th scope=\"col\">Partenaire</th><th scope=\"col\">Offres en ligne</th>"
      "<th scope=\"col\">Publiées sur La bonne alternance</th><th scope=\"col\">En attente</th>"
      "<th scope=\"col\">Refusées</th><th scope=\"col\">Envoyées à France Travail</th>"
      "<th scope=\"col\">Fichiers reçus (30 jours)</th>"
      "<th scope=\"col\">Lignes refusées (30 jours)</th></tr></thead><tbody>";
  for (const auto& [partner, i] : all) {
    std::string files;
    for (const auto& [label, n] : i.files_by_outcome)
      files += (files.empty() ? "" : ", ") + std::to_string(n) + " " + label;
    out += "<tr><th scope=\"row\">" + escapeHtml(partner) + "</th><td>" + std::to_string(i.online) +
           "</td><td>" + std::to_string(i.lba_published) + "</td><td>" +
           std::to_string(i.lba_waiting) + "</td><td>" + std::to_string(i.lba_refused) +
           "</td><td>" + std::to_string(i.france_travail) + "</td><td>" +
           (files.empty() ? "aucun" : escapeHtml(files)) + "</td><td>" +
           std::to_string(i.rows_refused) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

// Offers online at the end of each of the last 90 days, oldest first.
std::vector<long> onlinePerDay(const PageContext& c, const std::vector<std::string>& partners,
                               long online_now) {
  std::vector<long> net(kChartDays, 0);
  for (const auto& row : c.tx.exec_params(
           "SELECT (to_timestamp($2)::date - at::date),"
           " sum(CASE WHEN new_status = 'active' AND old_status IS DISTINCT FROM 'active' THEN 1"
           "          WHEN old_status = 'active' AND new_status <> 'active' THEN -1 ELSE 0 END)"
           " FROM offer_history WHERE partner = ANY($1::text[])"
           " AND at > to_timestamp($2) - interval '90 days' AND at <= to_timestamp($2)"
           " GROUP BY 1",
           arrayLiteral(partners), c.nowEpoch())) {
    const int days_ago = row[0].as<int>();
    if (days_ago >= 0 && days_ago < kChartDays) net[days_ago] = row[1].as<long>();
  }
  // Walk back from today: yesterday's count is today's less today's changes.
  std::vector<long> online(kChartDays);
  long count = online_now;
  for (int ago = 0; ago < kChartDays; ++ago) {
    online[kChartDays - 1 - ago] = std::max(0L, count);
    count -= net[ago];
  }
  return online;
}

}  // namespace

std::string onlineChartSvg(const std::vector<long>& online, const std::string& first_day,
                           const std::string& last_day) {
  const long top = std::max(1L, *std::max_element(online.begin(), online.end()));
  const int width = 720, height = 200, bar = width / static_cast<int>(online.size());
  const std::string title = "Offres en ligne par jour, du " + first_day + " au " + last_day;
  std::string out =
      "<svg id=\"graphique\" role=\"img\" aria-labelledby=\"graphique-titre "
      "graphique-desc\" width=\"" +
      std::to_string(width) + "\" height=\"" + std::to_string(height + 20) + "\" viewBox=\"0 0 " +
      std::to_string(width) + " " + std::to_string(height + 20) +
      "\" xmlns=\"http://www.w3.org/2000/svg\">";
  out += "<title id=\"graphique-titre\">" + escapeHtml(title) + "</title>";
  out += "<desc id=\"graphique-desc\">Aujourd'hui " + std::to_string(online.back()) +
         " offres en ligne ; au plus " + std::to_string(top) + " sur la période.</desc>";
  for (std::size_t d = 0; d < online.size(); ++d) {
    const long h = online[d] * height / top;
    out += "<rect class=\"bar\" x=\"" + std::to_string(static_cast<int>(d) * bar) + "\" y=\"" +
           std::to_string(height - h) + "\" width=\"" + std::to_string(std::max(1, bar - 1)) +
           "\" height=\"" + std::to_string(h) + "\"><title>" + std::to_string(online[d]) +
           "</title></rect>";
  }
  out += "<text x=\"0\" y=\"" + std::to_string(height + 15) + "\" font-size=\"12\">" +
         escapeHtml(first_day) + "</text><text x=\"" + std::to_string(width) + "\" y=\"" +
         std::to_string(height + 15) + "\" font-size=\"12\" text-anchor=\"end\">" +
         escapeHtml(last_day) + "</text></svg>";
  return out;
}

std::string homePage(const PageContext& c) {
  const std::vector<std::string> partners = partnersInScope(c);
  const auto all = indicators(c, partners);
  long online_now = 0;
  for (const auto& [p, i] : all) online_now += i.online;
  const auto days = c.tx.exec_params1(
      "SELECT to_char(to_timestamp($1) - interval '89 days', 'DD/MM/YYYY'),"
      " to_char(to_timestamp($1), 'DD/MM/YYYY')",
      c.nowEpoch());
  std::string body =
      "<section aria-labelledby=\"h-indicateurs\"><h2 id=\"h-indicateurs\">"
      "Indicateurs</h2>" +
      indicatorsTable(all) + "</section>";
  body +=
      "<section aria-labelledby=\"h-motifs\"><h2 id=\"h-motifs\">Motifs de refus les plus "
      "fréquents (30 jours)</h2>" +
      topReasons(c, partners) + "</section>";
  body +=
      "<section aria-labelledby=\"h-graphique\"><h2 id=\"h-graphique\">Offres en ligne, 90 "
      "derniers jours</h2>" +
      onlineChartSvg(onlinePerDay(c, partners, online_now), days[0].c_str(), days[1].c_str()) +
      "</section>";
  return body;
}

}  // namespace passerelle::daemon
