// Dashboard: the partners' dashboard (dashboard.md), the handler an
// HttpServer runs on `[dashboard] listen`: routes, login and logout,
// sessions, CSRF checks, login throttling, partner isolation, the pages.
//
// Access: every page but the login form and the stylesheet needs a session
// (anonymous requests are redirected to « /connexion »); every POST must
// carry its session's CSRF token (the login form: a token echoed from its
// own cookie), else 403. Partner accounts reach their partner's data only:
// the pages filter by the session's partner (PageContext::scope()), never by
// an identifier of the URL, and another partner's file or offer answers the
// same 404 as a missing one; « Opérations » answers 404 to them too.
// Failed logins are logged (login and address, never the password) and
// slowed down (LoginThrottle: 429 with Retry-After). Behind a reverse proxy
// on the loopback, the client's address is the last of X-Forwarded-For.
//
// Every response forbids caching and framing and allows no script nor asset
// from elsewhere (Content-Security-Policy).
//
// Thread safety: handle() is called by the HttpServer's workers at once: the
// sessions and the throttle are thread-safe, each request opens its own
// store connection, the rest is read-only after construction.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/config/config.h"
#include "daemon/dashboard/login_throttle.h"
#include "daemon/dashboard/session_store.h"
#include "daemon/service/http_server.h"

namespace passerelle::daemon {

class Dashboard {
 public:
  // Reads each account's password hash (a secret file); an account whose
  // hash cannot be read or is malformed is logged and cannot log in.
  // `store_url` is the resolved libpq URL.
  Dashboard(Config config, std::string store_url, const connectors::Host& host,
            const connectors::Clock& clock);

  HttpResponse handle(const HttpRequest& request);

  static constexpr const char* kSessionCookie = "passerelle_session";
  static constexpr const char* kLoginCookie = "passerelle_connexion";

 private:
  HttpResponse route(const HttpRequest& request, const std::string& rest);
  HttpResponse loginForm(const HttpRequest& request, int status, const std::string& message);
  HttpResponse login(const HttpRequest& request);
  HttpResponse logout(const HttpRequest& request, const Session& session);
  HttpResponse page(const HttpRequest& request, const Session& session,
                    const std::vector<std::string>& segments);
  HttpResponse decide(const HttpRequest& request, const Session& session, std::int64_t run,
                      const std::string& decision);
  // An operator pauses or resumes a configured partner's polling
  // (partner_pause.h); any other partner or action answers 404.
  HttpResponse pauseOrResume(const Session& session, const std::string& partner,
                             const std::string& action);
  std::string clientAddress(const HttpRequest& request) const;
  std::string cookie(const HttpRequest& request, const std::string& name, const std::string& value,
                     bool expire) const;
  HttpResponse redirect(const std::string& to) const;
  HttpResponse notFound(const Session* session) const;

  Config config_;
  std::string store_url_;
  const connectors::Host& host_;
  const connectors::Clock& clock_;
  std::map<std::string, std::string> hashes_;  // login -> its password hash line
  std::string decoy_hash_;  // verified for unknown logins: the same time as a known one
  SessionStore sessions_;
  LoginThrottle throttle_;
};

}  // namespace passerelle::daemon
