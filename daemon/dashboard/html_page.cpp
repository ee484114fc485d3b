#include "daemon/dashboard/html_page.h"

namespace passerelle::daemon {

std::string escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string csrfField(const Session& session) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + escapeHtml(session.csrf) + "\">";
}

namespace {

std::string navigation(const std::string& base, const Session& session, std::string_view current) {
  struct Entry {
    const char* id;
    const char* path;
    const char* label;
  };
  static const Entry kEntries[] = {{"accueil", "/", "Accueil"},
                                   {"fichiers", "/fichiers", "Fichiers"},
                                   {"offres", "/offres", "Offres"},
                                   {"operations", "/operations", "Opérations"}};
  std::string out = "<nav aria-label=\"Navigation principale\"><ul>";
  for (const Entry& e : kEntries) {
    if (std::string_view(e.id) == "operations" && !session.operator_role) continue;
    out += "<li><a id=\"nav-" + std::string(e.id) + "\" href=\"" + escapeHtml(base) + e.path + "\"";
    if (current == e.id) out += " aria-current=\"page\"";
    out += ">" + std::string(e.label) + "</a></li>";
  }
  out +=
      "</ul><form method=\"post\" action=\"" + escapeHtml(base) +
      "/deconnexion\" class=\"logout\">" + csrfField(session) + "<span>" +
      escapeHtml(session.login) +
      (session.operator_role ? " (équipe du portail)" : " (" + escapeHtml(session.partner) + ")") +
      "</span> <button type=\"submit\" id=\"logout\">Se déconnecter</button></form></nav>";
  return out;
}

}  // namespace

std::string htmlPage(const std::string& base, const Session* session, std::string_view current,
                     std::string_view title, std::string_view body) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>";
  out += escapeHtml(title);
  out += " — passerelle</title><link rel=\"stylesheet\" href=\"" + escapeHtml(base) +
         "/style.css\"></head><body><header><p class=\"brand\">Passerelle des offres "
         "d'alternance</p>";
  if (session) out += navigation(base, *session, current);
  out += "</header><main id=\"contenu\"><h1>";
  out += escapeHtml(title);
  out += "</h1>";
  out += body;
  out += "</main></body></html>\n";
  return out;
}

std::string_view dashboardStylesheet() {
  return R"css(body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff;line-height:1.4}
header{background:#000091;color:#fff;padding:.5rem 1rem}
header a,header span{color:#fff}
.brand{font-weight:bold;margin:.2rem 0}
nav ul{list-style:none;display:inline-flex;gap:1rem;padding:0;margin:.3rem 0}
nav a[aria-current]{text-decoration:underline;font-weight:bold}
.logout{display:inline;float:right}
main{padding:1rem;max-width:70rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #767676;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}
a{color:#000091}
a:focus,button:focus,input:focus,select:focus{outline:3px solid #ff9940}
.error{color:#b30000;font-weight:bold}
.notice{background:#e8f0ff;padding:.5rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.bar{fill:#000091}
label{display:inline-block;margin-right:.3rem}
form.filters{margin:.5rem 0}
dl.indicators{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}
dt{font-weight:bold}
)css";
}

}  // namespace passerelle::daemon
