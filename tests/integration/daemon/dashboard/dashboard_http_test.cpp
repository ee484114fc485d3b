// The dashboard over HTTP (dashboard.md): a store with two partners'
// imported files, the dashboard on 127.0.0.1:0, driven by a small Beast
// client: login, every page as a partner and as an operator, partner
// isolation on every route (another partner's ids answer the same 404 as
// missing ones), CSRF refusals, logout, login throttling (a ManualClock:
// nothing sleeps), and an operator approving a quarantined file.
#include <doctest/doctest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/config/config.h"
#include "daemon/dashboard/dashboard.h"
#include "daemon/dashboard/password_hash.h"
#include "daemon/service/http_server.h"
#include "tests/integration/daemon/store_test_support.h"

namespace passerelle::daemon {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;
using namespace std::chrono_literals;

struct Reply {
  int status = 0;
  std::multimap<std::string, std::string> headers;
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

Reply exchange(unsigned short port, http::verb method, const std::string& target,
               const std::string& cookie = "", const std::string& body = "") {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> request(method, target, 11);
  request.set(http::field::host, "127.0.0.1");
  if (!cookie.empty()) request.set(http::field::cookie, cookie);
  if (method == http::verb::post) {
    request.set(http::field::content_type, "application/x-www-form-urlencoded");
    request.body() = body;
  }
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  Reply reply;
  reply.status = static_cast<int>(response.result_int());
  for (const auto& f : response)
    reply.headers.emplace(std::string(f.name_string().data(), f.name_string().size()),
                          std::string(f.value().data(), f.value().size()));
  reply.body = response.body();
  return reply;
}

// "name=value; Path=/..." -> "name=value".
std::string cookiePair(const std::string& set_cookie) {
  return set_cookie.substr(0, set_cookie.find(';'));
}

std::string hiddenCsrf(const std::string& html) {
  const std::string marker = "name=\"csrf\" value=\"";
  const auto at = html.find(marker);
  REQUIRE(at != std::string::npos);
  return html.substr(at + marker.size(), 64);
}

// A browser's session: its cookies and the CSRF token of its last page.
struct Browser {
  unsigned short port;
  std::string base;
  std::string cookie;
  std::string csrf;

  Reply get(const std::string& path) {
    Reply r = exchange(port, http::verb::get, base + path, cookie);
    if (r.body.find("name=\"csrf\"") != std::string::npos) csrf = hiddenCsrf(r.body);
    return r;
  }
  Reply post(const std::string& path, const std::string& body) {
    return exchange(port, http::verb::post, base + path, cookie, body);
  }
  Reply login(const std::string& login, const std::string& password) {
    Reply form = exchange(port, http::verb::get, base + "/connexion");
    const std::string login_cookie = cookiePair(form.header("Set-Cookie"));
    Reply r =
        exchange(port, http::verb::post, base + "/connexion", login_cookie,
                 "csrf=" + hiddenCsrf(form.body) + "&login=" + login + "&password=" + password);
    for (auto [it, end] = r.headers.equal_range("Set-Cookie"); it != end; ++it)
      if (it->second.rfind(Dashboard::kSessionCookie, 0) == 0) cookie = cookiePair(it->second);
    if (r.status == 303) get("/");  // picks the session's CSRF token
    return r;
  }
};

struct DashboardFixture {
  store_test::TestStore store;
  connectors::FakeHost host;
  connectors::ManualClock clock{std::chrono::system_clock::now()};
  Config config;
  std::unique_ptr<Dashboard> dashboard;
  std::unique_ptr<HttpServer> server;
  std::int64_t run_a = 0, run_b = 0, run_quarantined = 0;

  DashboardFixture() {
    std::vector<store_test::YmagRow> a_rows = store_test::ymagRows(1, 20, "Boulanger");
    a_rows[3].siret = "123";  // refused: a row to fix
    run_a =
        store.import("cfa-a", "ymag", store.writeFile("YMAG_A.csv", store_test::ymagFile(a_rows)))
            .run_id;
    run_b = store
                .import("cfa-b", "ymag",
                        store.writeFile("YMAG_B_full.csv",
                                        store_test::ymagFile(store_test::ymagRows(1, 20, "Maçon"))))
                .run_id;
    run_quarantined = store
                          .import("cfa-b", "ymag",
                                  store.writeFile("YMAG_B_partial.csv",
                                                  store_test::ymagFile(store_test::ymagRows(1, 5))))
                          .run_id;
    for (const char* id : {"cfa-a", "cfa-b"}) {
      PartnerConfig p;
      p.id = id;
      p.format = "ymag";
      std::filesystem::create_directories(store.dir() / id);
      p.url = "file://" + (store.dir() / id).string() + "/";
      config.partners.push_back(p);
    }
    config.dashboard.listen = "127.0.0.1:0";
    config.dashboard.base_path = "/tableau";
    addAccount("alice", "cfa-a", "mdp-alice");
    addAccount("bruno", "cfa-b", "mdp-bruno");
    addAccount("ops", "", "mdp-ops");
    dashboard = std::make_unique<Dashboard>(config, store.url(), host, clock);
    server = std::make_unique<HttpServer>(
        config.dashboard.listen, [this](const HttpRequest& r) { return dashboard->handle(r); },
        HttpLimits{16 * 1024, 64 * 1024, 10s, 4});
  }

  void addAccount(const std::string& login, const std::string& partner,
                  const std::string& password) {
    DashboardAccount account;
    account.login = login;
    account.partner = partner;
    account.role = partner.empty() ? DashboardRole::kOperator : DashboardRole::kPartner;
    account.password_hash_file = (store.dir() / (login + ".hash")).string();
    host.addFile(account.password_hash_file, hashPassword(password, ScryptCost{10, 8, 1}) + "\n");
    config.dashboard.accounts.push_back(account);
  }

  Browser browser() { return Browser{server->port(), "/tableau", "", ""}; }
};

TEST_CASE("dashboard: anonymous requests go to the login form; the stylesheet is public") {
  DashboardFixture f;
  Browser b = f.browser();
  for (const char* path : {"/", "/fichiers", "/fichiers/1", "/offres", "/offres/cfa-a/Y-1",
                           "/operations", "/fichiers/1/rapport.csv"}) {
    const Reply r = b.get(path);
    CHECK_MESSAGE(r.status == 303, path);
    CHECK(r.header("Location") == "/tableau/connexion");
  }
  CHECK(b.post("/deconnexion", "").status == 303);
  const Reply css = b.get("/style.css");
  CHECK(css.status == 200);
  CHECK(css.header("Content-Type").rfind("text/css", 0) == 0);
  const Reply form = b.get("/connexion");
  CHECK(form.status == 200);
  CHECK(form.body.find("<html lang=\"fr\">") != std::string::npos);
  CHECK(form.body.find("<label for=\"password\">") != std::string::npos);
  CHECK(form.header("Content-Security-Policy").find("default-src 'none'") != std::string::npos);
  CHECK(exchange(f.server->port(), http::verb::get, "/ailleurs").status == 404);
}

TEST_CASE("dashboard: login sets a strict session cookie; wrong passwords are refused") {
  DashboardFixture f;
  Browser b = f.browser();
  CHECK(b.login("alice", "faux").status == 401);
  CHECK(b.login("personne", "mdp-alice").status == 401);
  const Reply ok = b.login("alice", "mdp-alice");
  REQUIRE(ok.status == 303);
  CHECK(ok.header("Location") == "/tableau/");
  std::string session_cookie;
  for (auto [it, end] = ok.headers.equal_range("Set-Cookie"); it != end; ++it)
    if (it->second.rfind("passerelle_session=", 0) == 0) session_cookie = it->second;
  CHECK(session_cookie.find("HttpOnly") != std::string::npos);
  CHECK(session_cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(session_cookie.find("Path=/tableau") != std::string::npos);
  CHECK(session_cookie.find("Secure") == std::string::npos);  // loopback, no proxy
  CHECK(cookiePair(session_cookie).size() == std::string("passerelle_session=").size() + 64);

  // A login form posted without its own token is refused.
  CHECK(exchange(f.server->port(), http::verb::post, "/tableau/connexion", "",
                 "login=alice&password=mdp-alice")
            .status == 403);
}

TEST_CASE("dashboard: a partner sees its pages, and another partner's ids answer 404") {
  DashboardFixture f;
  Browser a = f.browser();
  REQUIRE(a.login("alice", "mdp-alice").status == 303);

  const Reply home = a.get("/");
  REQUIRE(home.status == 200);
  CHECK(home.body.find("<svg id=\"graphique\" role=\"img\"") != std::string::npos);
  CHECK(home.body.find("<th scope=\"row\">cfa-a</th><td>19</td>") != std::string::npos);
  CHECK(home.body.find("cfa-b") == std::string::npos);
  // The most frequent reasons with what to fix, in the partner's words.
  CHECK(home.body.find("<code>SIRET_FORMAT</code> : 1 ligne(s). Indiquez le SIRET") !=
        std::string::npos);

  const Reply files = a.get("/fichiers");
  REQUIRE(files.status == 200);
  CHECK(files.body.find("YMAG_A.csv") != std::string::npos);
  CHECK(files.body.find("YMAG_B") == std::string::npos);

  const std::string mine = "/fichiers/" + std::to_string(f.run_a);
  const Reply file = a.get(mine);
  REQUIRE(file.status == 200);
  CHECK(file.body.find("id=\"problemes\"") != std::string::npos);
  CHECK(file.body.find("SIRET") != std::string::npos);  // the partner's column name
  const Reply report = a.get(mine + "/rapport.csv");
  CHECK(report.status == 200);
  CHECK(report.header("Content-Type").rfind("text/csv", 0) == 0);
  CHECK(report.header("Content-Disposition").find("YMAG_A.csv.report.csv") != std::string::npos);

  const Reply offers = a.get("/offres?q=Y-1");
  REQUIRE(offers.status == 200);
  CHECK(offers.body.find("/tableau/offres/cfa-a/Y-1\"") != std::string::npos);
  // One search box: reference, title, employer, SIRET; case and accents folded.
  CHECK(a.get("/offres?q=Boulanger+7").body.find(">Y-7<") != std::string::npos);
  CHECK(a.get("/offres?q=BOULANGER+7").body.find(">Y-7<") != std::string::npos);
  CHECK(a.get("/offres?q=51024567800014").body.find(">Y-1<") != std::string::npos);  // SIRET
  CHECK(a.get("/offres?q=510+245+678+00014").body.find(">Y-1<") != std::string::npos);
  CHECK(a.get("/offres?q=Boulanger+77").body.find("Aucune offre") != std::string::npos);
  CHECK(a.get("/offres?q=%25").body.find("Aucune offre") != std::string::npos);  // % is a %
  CHECK(a.get("/offres?statut=withdrawn").body.find("Aucune offre") != std::string::npos);
  const Reply offer = a.get("/offres/cfa-a/Y-1");
  REQUIRE(offer.status == 200);
  CHECK(offer.body.find("id=\"historique\"") != std::string::npos);
  // The store's words are translated: statuses, movement states.
  CHECK(offer.body.find(" → En ligne<") != std::string::npos);
  CHECK(offer.body.find("→ active") == std::string::npos);
  CHECK(offer.body.find(">en attente (") != std::string::npos);
  CHECK(offer.body.find(">pending (") == std::string::npos);
  CHECK(offer.body.find("YMAG_A.csv") != std::string::npos);

  // Another partner's run, report, offer, and the operators' pages: the
  // same 404 as ids that do not exist.
  const Reply missing = a.get("/fichiers/999999");
  CHECK(missing.status == 404);
  for (const std::string& path : std::vector<std::string>{
           "/fichiers/" + std::to_string(f.run_b),
           "/fichiers/" + std::to_string(f.run_b) + "/rapport.csv",
           "/fichiers/" + std::to_string(f.run_quarantined), "/offres/cfa-b/Y-1",
           "/offres/cfa-a/Y-999", std::string("/operations"),
           "/operations/fichiers/" + std::to_string(f.run_quarantined),
           std::string("/nulle-part")}) {
    const Reply r = a.get(path);
    CHECK_MESSAGE(r.status == 404, path);
    CHECK_MESSAGE(r.body == missing.body, path);
  }
  // Posting a decision, even with a valid token, is not a partner's.
  CHECK(a.post("/operations/fichiers/" + std::to_string(f.run_quarantined) + "/appliquer",
               "csrf=" + a.csrf)
            .status == 404);
  CHECK(f.store.scalar("SELECT approved_by_run FROM import_runs WHERE id = " +
                       std::to_string(f.run_quarantined)) == "");
  // The partner filter of the lists is the session's, whatever the URL adds.
  CHECK(a.get("/offres?partner=cfa-b&q=Ma%C3%A7on").body.find("Aucune offre") != std::string::npos);
  CHECK(a.get("/offres?partner=cfa-b&q=macon").body.find("Aucune offre") != std::string::npos);
}

TEST_CASE("dashboard: POSTs need the session's CSRF token; logout ends the session") {
  DashboardFixture f;
  Browser a = f.browser();
  REQUIRE(a.login("alice", "mdp-alice").status == 303);
  CHECK(a.post("/deconnexion", "").status == 403);
  CHECK(a.post("/deconnexion", "csrf=" + std::string(64, '0')).status == 403);
  CHECK(a.get("/").status == 200);
  const Reply out = a.post("/deconnexion", "csrf=" + a.csrf);
  CHECK(out.status == 303);
  CHECK(out.header("Set-Cookie").find("Max-Age=0") != std::string::npos);
  CHECK(a.get("/").status == 303);  // the old cookie is dead
}

TEST_CASE("dashboard: sessions expire after 8 hours idle") {
  DashboardFixture f;
  Browser a = f.browser();
  REQUIRE(a.login("alice", "mdp-alice").status == 303);
  f.clock.advance(7h);
  CHECK(a.get("/fichiers").status == 200);
  f.clock.advance(8h);
  CHECK(a.get("/fichiers").status == 303);
}

TEST_CASE("dashboard: failed logins are slowed down, computed from the clock") {
  DashboardFixture f;
  Browser a = f.browser();
  for (int i = 0; i < 5; ++i) CHECK(a.login("alice", "faux").status == 401);
  const Reply slowed = a.login("alice", "mdp-alice");
  CHECK(slowed.status == 429);
  CHECK(slowed.header("Retry-After") == "1");
  CHECK(slowed.body.find("réessayez dans 1 secondes") != std::string::npos);
  f.clock.advance(1s);
  CHECK(a.login("alice", "faux").status == 401);
  CHECK(a.login("alice", "mdp-alice").header("Retry-After") == "2");
  f.clock.advance(2s);
  CHECK(a.login("alice", "mdp-alice").status == 303);
}

TEST_CASE("dashboard: an operator sees every partner and approves a quarantined file") {
  DashboardFixture f;
  Browser o = f.browser();
  REQUIRE(o.login("ops", "mdp-ops").status == 303);
  const Reply home = o.get("/");
  CHECK(home.body.find("<th scope=\"row\">cfa-a</th>") != std::string::npos);
  CHECK(home.body.find("<th scope=\"row\">cfa-b</th>") != std::string::npos);
  CHECK(o.get("/fichiers").body.find("YMAG_B_partial.csv") != std::string::npos);
  CHECK(o.get("/fichiers/" + std::to_string(f.run_a)).status == 200);
  CHECK(o.get("/offres/cfa-b/Y-1").status == 200);
  // Accents and case folded: "macon" and "MAÇON" find cfa-b's "Maçon".
  for (const char* q : {"macon", "MA%C3%87ON", "Ma%C3%A7on+3"})
    CHECK_MESSAGE(
        o.get(std::string("/offres?q=") + q).body.find("/offres/cfa-b/Y-3\"") != std::string::npos,
        q);
  const Reply ops = o.get("/operations");
  REQUIRE(ops.status == 200);
  CHECK(ops.body.find("YMAG_B_partial.csv") != std::string::npos);
  CHECK(ops.body.find("Aucun rapprochement pour l'instant.") != std::string::npos);
  // The motif in French, from the run's numbers (the store keeps English).
  CHECK(ops.body.find("Retirerait 15 des 20 offres en ligne") != std::string::npos);
  CHECK(ops.body.find("would withdraw") == std::string::npos);

  const std::string decision = "/operations/fichiers/" + std::to_string(f.run_quarantined);
  const Reply preview = o.get(decision);
  REQUIRE(preview.status == 200);
  CHECK(preview.body.find("retirerait 15 offres") != std::string::npos);
  CHECK(o.post(decision + "/appliquer", "").status == 403);
  CHECK(f.store.scalar("SELECT approved_by_run FROM import_runs WHERE id = " +
                       std::to_string(f.run_quarantined)) == "");
  const Reply applied = o.post(decision + "/appliquer", "csrf=" + o.csrf);
  CHECK(applied.status == 303);
  CHECK(applied.header("Location").rfind("/tableau/operations?decision=", 0) == 0);
  CHECK(f.store.scalar("SELECT approved_by_run FROM import_runs WHERE id = " +
                       std::to_string(f.run_quarantined)) != "");
  CHECK(f.store.count(
            "SELECT count(*) FROM offers WHERE partner = 'cfa-b' AND status = 'active'") == 5);
  CHECK(o.get("/operations").body.find("Aucun fichier en attente") != std::string::npos);
  CHECK(o.get(decision).body.find("Décision impossible") != std::string::npos);
}

TEST_CASE("dashboard: an operator pauses and resumes a partner's polling; a partner cannot") {
  DashboardFixture f;
  Browser o = f.browser();
  REQUIRE(o.login("ops", "mdp-ops").status == 303);
  const Reply ops = o.get("/operations");
  REQUIRE(ops.status == 200);
  CHECK(ops.body.find("id=\"suspendre-cfa-a\"") != std::string::npos);

  CHECK(o.post("/operations/partenaires/cfa-a/suspendre", "").status == 403);  // no token
  CHECK(f.store.count("SELECT count(*) FROM partner_pauses") == 0);
  const Reply paused = o.post("/operations/partenaires/cfa-a/suspendre", "csrf=" + o.csrf);
  CHECK(paused.status == 303);
  CHECK(f.store.scalar("SELECT paused_by FROM partner_pauses WHERE partner = 'cfa-a'") == "ops");
  const Reply after = o.get("/operations");
  CHECK(after.body.find("id=\"reprendre-cfa-a\"") != std::string::npos);
  CHECK(after.body.find("suspendue le ") != std::string::npos);
  CHECK(after.body.find("id=\"suspendre-cfa-b\"") != std::string::npos);
  // Unknown partners and actions: 404, nothing written.
  CHECK(o.post("/operations/partenaires/cfa-z/suspendre", "csrf=" + o.csrf).status == 404);
  CHECK(o.post("/operations/partenaires/cfa-b/effacer", "csrf=" + o.csrf).status == 404);
  CHECK(f.store.count("SELECT count(*) FROM partner_pauses") == 1);

  // A partner account: the same 404 as any unknown page, and no effect.
  Browser a = f.browser();
  REQUIRE(a.login("alice", "mdp-alice").status == 303);
  a.get("/");
  CHECK(a.post("/operations/partenaires/cfa-a/reprendre", "csrf=" + a.csrf).status == 404);
  CHECK(f.store.count("SELECT count(*) FROM partner_pauses") == 1);

  CHECK(o.post("/operations/partenaires/cfa-a/reprendre", "csrf=" + o.csrf).status == 303);
  CHECK(f.store.count("SELECT count(*) FROM partner_pauses") == 0);
}

}  // namespace
}  // namespace passerelle::daemon
