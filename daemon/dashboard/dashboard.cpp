#include "daemon/dashboard/dashboard.h"

#include <algorithm>

#include "daemon/config/secrets.h"
#include "daemon/dashboard/files_pages.h"
#include "daemon/dashboard/form_fields.h"
#include "daemon/dashboard/home_page.h"
#include "daemon/dashboard/html_page.h"
#include "daemon/dashboard/offers_pages.h"
#include "daemon/dashboard/operations_page.h"
#include "daemon/dashboard/password_hash.h"
#include "daemon/dashboard/random_token.h"
#include "daemon/log/event_log.h"
#include "daemon/service/quarantine_decision.h"
#include "daemon/store/partner_pause.h"
#include "daemon/store/store_connection.h"

namespace passerelle::daemon {
namespace {

constexpr const char* kHtml = "text/html; charset=utf-8";

HttpResponse withSecurityHeaders(HttpResponse response) {
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Referrer-Policy", "same-origin");
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'none'; style-src 'self'; img-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  return response;
}

std::string fieldOf(const std::map<std::string, std::string>& fields, const std::string& name) {
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

}  // namespace

Dashboard::Dashboard(Config config, std::string store_url, const connectors::Host& host,
                     const connectors::Clock& clock)
    : config_(std::move(config)),
      store_url_(std::move(store_url)),
      host_(host),
      clock_(clock),
      sessions_(clock),
      throttle_(clock) {
  for (const DashboardAccount& account : config_.dashboard.accounts) {
    try {
      std::string hash = readSecret(host_, account.password_hash_file);
      if (!wellFormedPasswordHash(hash)) {
        logWarning("dashboard account has a malformed password hash: it cannot log in",
                   {{"login", account.login}, {"file", account.password_hash_file}});
        continue;
      }
      hashes_[account.login] = std::move(hash);
    } catch (const std::exception& e) {
      logWarning("dashboard account's password hash cannot be read: it cannot log in",
                 {{"login", account.login}, {"error", e.what()}});
    }
  }
  // The decoy costs what the accounts' hashes cost (the first one's cost).
  decoy_hash_ =
      hashes_.empty() ? hashPassword(randomToken(), ScryptCost{10, 8, 1}) : hashes_.begin()->second;
}

HttpResponse Dashboard::handle(const HttpRequest& request) {
  const std::string& base = config_.dashboard.base_path;
  if (request.path.compare(0, base.size(), base) != 0)
    return withSecurityHeaders(notFound(nullptr));
  std::string rest = request.path.substr(base.size());
  if (rest.empty()) rest = "/";
  if (rest.front() != '/') return withSecurityHeaders(notFound(nullptr));
  return withSecurityHeaders(route(request, rest));
}

HttpResponse Dashboard::route(const HttpRequest& request, const std::string& rest) {
  const std::vector<std::string> segments = pathSegments(rest);
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool post = request.method == "POST";
  if (!get && !post)
    return HttpResponse{
        405, "text/plain; charset=utf-8", {{"Allow", "GET, POST"}}, "méthode non permise\n"};
  if (segments.size() == 1 && segments[0] == "style.css" && get)
    return HttpResponse{200, "text/css; charset=utf-8", {}, std::string(dashboardStylesheet())};
  if (segments.size() == 1 && segments[0] == "connexion")
    return post ? login(request) : loginForm(request, 200, "");

  const std::optional<Session> session = sessions_.find(cookieValue(request, kSessionCookie));
  if (!session) return redirect(config_.dashboard.base_path + "/connexion");
  if (post) {
    const auto fields = parseFormFields(request.body);
    if (!sameToken(fieldOf(fields, "csrf"), session->csrf)) {
      logWarning("dashboard request refused: missing or wrong CSRF token",
                 {{"login", session->login}, {"path", request.path}});
      return HttpResponse{403, "text/plain; charset=utf-8", {}, "jeton CSRF absent ou invalide\n"};
    }
    if (segments.size() == 1 && segments[0] == "deconnexion") return logout(request, *session);
    if (segments.size() == 4 && segments[0] == "operations" && segments[1] == "fichiers" &&
        session->operator_role) {
      if (const auto run = parseId(segments[2]))
        return decide(request, *session, *run, segments[3]);
    }
    if (segments.size() == 4 && segments[0] == "operations" && segments[1] == "partenaires" &&
        session->operator_role)
      return pauseOrResume(*session, segments[2], segments[3]);
    return notFound(&*session);
  }
  return page(request, *session, segments);
}

HttpResponse Dashboard::loginForm(const HttpRequest& request, int status,
                                  const std::string& message) {
  const std::string token = randomToken();
  const std::string& base = config_.dashboard.base_path;
  std::string body;
  if (!message.empty())
    body += "<p class=\"error\" id=\"erreur\" role=\"alert\">" + escapeHtml(message) + "</p>";
  body += "<form method=\"post\" action=\"" + escapeHtml(base) +
          "/connexion\"><input type=\"hidden\" name=\"csrf\" value=\"" + token +
          "\"><p><label for=\"login\">Identifiant</label><br><input id=\"login\" name=\"login\" "
          "autocomplete=\"username\" required></p><p><label for=\"password\">Mot de passe</label>"
          "<br><input id=\"password\" name=\"password\" type=\"password\" "
          "autocomplete=\"current-password\" required></p><p><button type=\"submit\" "
          "id=\"se-connecter\">Se connecter</button></p></form>";
  HttpResponse response{status, kHtml, {}, htmlPage(base, nullptr, "", "Connexion", body)};
  response.headers.emplace_back("Set-Cookie", cookie(request, kLoginCookie, token, false));
  return response;
}

HttpResponse Dashboard::login(const HttpRequest& request) {
  const auto fields = parseFormFields(request.body);
  if (!sameToken(fieldOf(fields, "csrf"), cookieValue(request, kLoginCookie)))
    return loginForm(request, 403, "Le formulaire a expiré : veuillez vous connecter à nouveau.");
  const std::string login = fieldOf(fields, "login").substr(0, 200);
  const std::string address = clientAddress(request);
  if (const auto wait = throttle_.retryAfter(login, address)) {
    logWarning(
        "dashboard login refused: too many failures",
        {{"login", login}, {"address", address}, {"retry_after_s", std::to_string(wait->count())}});
    HttpResponse r = loginForm(request, 429,
                               "Trop d'essais infructueux : réessayez dans " +
                                   std::to_string(wait->count()) + " secondes.");
    r.headers.emplace_back("Retry-After", std::to_string(wait->count()));
    return r;
  }
  const auto hash = hashes_.find(login);
  const bool known = hash != hashes_.end();
  const bool good =
      verifyPassword(fieldOf(fields, "password"), known ? hash->second : decoy_hash_) && known;
  if (!good) {
    throttle_.failed(login, address);
    logWarning("dashboard login failed", {{"login", login}, {"address", address}});
    return loginForm(request, 401, "Identifiant ou mot de passe incorrect.");
  }
  throttle_.succeeded(login, address);
  const DashboardAccount* account = config_.dashboard.findAccount(login);
  const Session session =
      sessions_.open(login, account->partner, account->role == DashboardRole::kOperator);
  logInfo("dashboard login", {{"login", login}, {"address", address}});
  HttpResponse response = redirect(config_.dashboard.base_path + "/");
  response.headers.emplace_back("Set-Cookie",
                                cookie(request, kSessionCookie, session.token, false));
  response.headers.emplace_back("Set-Cookie", cookie(request, kLoginCookie, "", true));
  return response;
}

HttpResponse Dashboard::logout(const HttpRequest& request, const Session& session) {
  sessions_.close(session.token);
  logInfo("dashboard logout", {{"login", session.login}});
  HttpResponse response = redirect(config_.dashboard.base_path + "/connexion");
  response.headers.emplace_back("Set-Cookie", cookie(request, kSessionCookie, "", true));
  return response;
}

HttpResponse Dashboard::page(const HttpRequest& request, const Session& session,
                             const std::vector<std::string>& s) {
  auto connection = openStore(store_url_);
  pqxx::read_transaction tx(*connection);
  const PageContext c{
      session, config_.dashboard.base_path, parseFormFields(request.query), tx, config_, clock_};
  auto html = [&](const char* current, const std::string& title, const std::string& body) {
    return HttpResponse{200, kHtml, {}, htmlPage(c.base, &session, current, title, body)};
  };
  if (s.empty()) return html("accueil", "Accueil", homePage(c));
  if (s[0] == "fichiers") {
    if (s.size() == 1) return html("fichiers", "Fichiers", filesPage(c));
    const auto run = parseId(s[1]);
    if (run && s.size() == 2) {
      if (auto body = filePage(c, *run)) return html("fichiers", "Fichier", *body);
    } else if (run && s.size() == 3 && s[2] == "rapport.csv") {
      if (auto report = fileReport(c, *run)) {
        std::string name;
        for (char ch : report->file_name) name += (ch == '"' || ch == '\\' || ch < 32) ? '_' : ch;
        return HttpResponse{200,
                            "text/csv; charset=utf-8",
                            {{"Content-Disposition", "attachment; filename=\"" + name + "\""}},
                            std::move(report->csv)};
      }
    }
  } else if (s[0] == "offres") {
    if (s.size() == 1) return html("offres", "Offres", offersPage(c));
    if (s.size() == 3) {
      if (auto body = offerPage(c, s[1], s[2])) return html("offres", "Offre " + s[2], *body);
    }
  } else if (s[0] == "operations" && session.operator_role) {
    if (s.size() == 1) {
      std::string notice;
      if (!c.field("decision").empty())
        notice = "<p class=\"notice\" id=\"decision\" role=\"status\">" +
                 escapeHtml(c.field("decision")) + "</p>";
      return html("operations", "Opérations", notice + operationsPage(c));
    }
    const auto run = s.size() == 3 && s[1] == "fichiers" ? parseId(s[2]) : std::nullopt;
    if (run) {
      tx.commit();
      const auto found = findRun(*connection, *run);
      if (found) {
        try {
          const ApprovalOutcome preview =
              approveQuarantined(*connection, config_, host_, clock_, *run, false);
          return html(
              "operations", "Fichier en attente",
              quarantinePage(c, *run, found->file_name, found->partner, &preview.result, ""));
        } catch (const ApproveRefused& e) {
          return html("operations", "Fichier en attente",
                      quarantinePage(c, *run, found->file_name, found->partner, nullptr, e.what()));
        }
      }
    }
  }
  return notFound(&session);
}

HttpResponse Dashboard::decide(const HttpRequest& request, const Session& session, std::int64_t run,
                               const std::string& decision) {
  (void)request;
  if (decision != "appliquer" && decision != "ecarter") return notFound(&session);
  auto connection = openStore(store_url_);
  if (!findRun(*connection, run)) return notFound(&session);
  std::string done;
  try {
    if (decision == "appliquer") {
      const ApprovalOutcome outcome =
          approveQuarantined(*connection, config_, host_, clock_, run, true);
      done = "Fichier appliqué (" + std::to_string(outcome.result.counts.withdrawn) +
             " offres retirées).";
    } else {
      setAsideQuarantined(*connection, config_, host_, clock_, run, true);
      done = "Fichier écarté.";
    }
    logInfo("dashboard decision",
            {{"login", session.login}, {"run", std::to_string(run)}, {"decision", decision}});
  } catch (const ApproveRefused& e) {
    done = "Décision impossible : " + std::string(e.what());
  }
  return redirect(config_.dashboard.base_path + "/operations?decision=" + percentEncode(done));
}

HttpResponse Dashboard::pauseOrResume(const Session& session, const std::string& partner,
                                      const std::string& action) {
  const bool known = std::any_of(config_.partners.begin(), config_.partners.end(),
                                 [&](const PartnerConfig& p) { return p.id == partner; });
  if (!known || (action != "suspendre" && action != "reprendre")) return notFound(&session);
  auto connection = openStore(store_url_);
  pqxx::work tx(*connection);
  std::string done;
  if (action == "suspendre") {
    done = pausePartner(tx, partner, session.login, clock_.now())
               ? "Relève de " + partner + " suspendue."
               : "La relève de " + partner + " était déjà suspendue.";
  } else {
    done = resumePartner(tx, partner) ? "Relève de " + partner + " reprise."
                                      : "La relève de " + partner + " n'était pas suspendue.";
  }
  tx.commit();
  logInfo(action == "suspendre" ? "partner polling paused" : "partner polling resumed",
          {{"login", session.login}, {"partner", partner}});
  return redirect(config_.dashboard.base_path + "/operations?decision=" + percentEncode(done));
}

std::string Dashboard::clientAddress(const HttpRequest& request) const {
  const std::string forwarded = request.header("x-forwarded-for");
  if (!request.loopback || forwarded.empty()) return request.peer;
  std::string last =
      forwarded.substr(forwarded.rfind(',') == std::string::npos ? 0 : forwarded.rfind(',') + 1);
  while (!last.empty() && last.front() == ' ') last.erase(0, 1);
  return last.empty() ? request.peer : last;
}

std::string Dashboard::cookie(const HttpRequest& request, const std::string& name,
                              const std::string& value, bool expire) const {
  const std::string& base = config_.dashboard.base_path;
  const bool secure = !request.loopback || request.header("x-forwarded-proto") == "https";
  return name + "=" + value + "; Path=" + (base.empty() ? "/" : base) +
         "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "") + (expire ? "; Max-Age=0" : "");
}

HttpResponse Dashboard::redirect(const std::string& to) const {
  return HttpResponse{303, "text/plain; charset=utf-8", {{"Location", to}}, ""};
}

HttpResponse Dashboard::notFound(const Session* session) const {
  return HttpResponse{404,
                      kHtml,
                      {},
                      htmlPage(config_.dashboard.base_path, session, "", "Page introuvable",
                               "<p>Cette page n'existe pas ou n'est pas accessible avec ce "
                               "compte.</p>")};
}

}  // namespace passerelle::daemon
