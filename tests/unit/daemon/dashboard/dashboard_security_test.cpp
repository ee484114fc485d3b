// Tests of the dashboard's security pieces: password hashes, sessions and
// their expiry, the login throttle, and the [dashboard] configuration. Time
// is a ManualClock: nothing sleeps.
#include <doctest/doctest.h>

#include <string>

#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/config/config.h"
#include "daemon/dashboard/login_throttle.h"
#include "daemon/dashboard/password_hash.h"
#include "daemon/dashboard/random_token.h"
#include "daemon/dashboard/session_store.h"
#include "tests/unit/daemon/test_support.h"

namespace passerelle::daemon {
namespace {

using namespace std::chrono_literals;

// Cheap cost for tests: the format and the comparison are what is tested.
const ScryptCost kCheap{10, 8, 1};

TEST_CASE("a password hash is self-describing, salted, and verifies only its password") {
  const std::string hash = hashPassword("correct horse", kCheap);
  CHECK(hash.rfind("scrypt$ln=10,r=8,p=1$", 0) == 0);
  CHECK(hash.find("correct") == std::string::npos);
  CHECK(verifyPassword("correct horse", hash));
  CHECK(verifyPassword("correct horse", hash + "\n"));  // as read from a file
  CHECK_FALSE(verifyPassword("correct horsf", hash));
  CHECK_FALSE(verifyPassword("", hash));
  CHECK(hashPassword("correct horse", kCheap) != hash);  // a fresh salt each time
  CHECK(wellFormedPasswordHash(hash));
}

TEST_CASE("the default cost is scrypt's N=2^15, r=8") {
  const std::string hash = hashPassword("pw");
  CHECK(hash.rfind("scrypt$ln=15,r=8,p=1$", 0) == 0);
  CHECK(verifyPassword("pw", hash));
}

TEST_CASE("malformed or too costly hashes match nothing") {
  const std::string good = hashPassword("pw", kCheap);
  CHECK_FALSE(verifyPassword("pw", ""));
  CHECK_FALSE(verifyPassword("pw", "pw"));
  CHECK_FALSE(verifyPassword("pw", "bcrypt$" + good.substr(7)));
  std::string costly = good;
  costly.replace(costly.find("ln=10"), 5, "ln=30");
  CHECK_FALSE(wellFormedPasswordHash(costly));
  CHECK_FALSE(verifyPassword("pw", costly));
  CHECK_FALSE(verifyPassword("pw", good.substr(0, good.size() - 2)));  // a truncated key
  std::string altered = good;
  altered.back() = altered.back() == '0' ? '1' : '0';
  CHECK_FALSE(verifyPassword("pw", altered));
}

TEST_CASE("random tokens are 256 bits, distinct, and compared whole") {
  const std::string a = randomToken(), b = randomToken();
  CHECK(a.size() == 64);
  CHECK(a != b);
  CHECK(sameToken(a, a));
  CHECK_FALSE(sameToken(a, b));
  CHECK_FALSE(sameToken(a, a.substr(0, 63)));
  CHECK_FALSE(sameToken("", ""));
}

TEST_CASE("a session lives while used and expires after 8 hours idle") {
  connectors::ManualClock clock;
  SessionStore sessions(clock);
  const Session s = sessions.open("alice", "cfa-a", false);
  CHECK(s.token != s.csrf);
  REQUIRE(sessions.find(s.token));
  CHECK(sessions.find(s.token)->partner == "cfa-a");
  clock.advance(7h);
  REQUIRE(sessions.find(s.token));  // renewed
  clock.advance(7h);
  REQUIRE(sessions.find(s.token));
  clock.advance(8h);
  CHECK_FALSE(sessions.find(s.token));
  CHECK_FALSE(sessions.find(""));
  CHECK_FALSE(sessions.find("forged"));
}

TEST_CASE("logging out ends the session; abandoned ones are swept") {
  connectors::ManualClock clock;
  SessionStore sessions(clock);
  const Session a = sessions.open("alice", "cfa-a", false);
  sessions.close(a.token);
  CHECK_FALSE(sessions.find(a.token));
  sessions.open("bob", "", true);
  clock.advance(9h);
  sessions.open("carol", "cfa-b", false);
  CHECK(sessions.size() == 1);
}

TEST_CASE("five failed logins are free, then each try waits longer") {
  connectors::ManualClock clock;
  LoginThrottle throttle(clock);
  for (int i = 0; i < LoginThrottle::kFreeTries; ++i) {
    CHECK_FALSE(throttle.retryAfter("alice", "10.0.0.1"));
    throttle.failed("alice", "10.0.0.1");
  }
  REQUIRE(throttle.retryAfter("alice", "10.0.0.1"));
  CHECK(*throttle.retryAfter("alice", "10.0.0.1") == 1s);
  CHECK(throttle.retryAfter("alice", "10.0.0.2"));  // per login, whatever the address
  CHECK_FALSE(throttle.retryAfter("bob", "10.0.0.1"));
  clock.advance(1s);
  CHECK_FALSE(throttle.retryAfter("alice", "10.0.0.1"));
  throttle.failed("alice", "10.0.0.1");
  CHECK(*throttle.retryAfter("alice", "10.0.0.1") == 2s);
  clock.advance(2s);
  throttle.failed("alice", "10.0.0.1");
  CHECK(*throttle.retryAfter("alice", "10.0.0.1") == 4s);
  for (int i = 0; i < 30; ++i) throttle.failed("alice", "10.0.0.1");
  CHECK(*throttle.retryAfter("alice", "10.0.0.1") == LoginThrottle::kMaxDelay);
  throttle.succeeded("alice", "10.0.0.1");
  CHECK_FALSE(throttle.retryAfter("alice", "10.0.0.1"));
}

TEST_CASE("one address trying many logins is slowed too") {
  connectors::ManualClock clock;
  LoginThrottle throttle(clock);
  for (int i = 0; i < LoginThrottle::kFreeTriesPerAddress; ++i)
    throttle.failed("user" + std::to_string(i), "10.0.0.9");
  CHECK(throttle.retryAfter("someone-else", "10.0.0.9"));
  CHECK_FALSE(throttle.retryAfter("someone-else", "10.0.0.8"));
  clock.advance(25h);
  throttle.failed("x", "10.0.0.7");  // forgets what is a day old
  CHECK_FALSE(throttle.retryAfter("someone-else", "10.0.0.9"));
}

const std::vector<std::string> kFormats = {"ymag", "gil", "sigma"};

std::string loadError(const testing::TempDir& dir, const std::string& text) {
  const std::string path = dir / "passerelle.toml";
  testing::writeFile(path, text, 0644);
  try {
    loadConfig(path, kFormats, connectors::FakeHost());
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

const char* kPartner =
    "[[partner]]\nid = \"cfa-a\"\nformat = \"ymag\"\nurl = \"ftps://ftp.example/a/\"\n";

TEST_CASE("[dashboard] accounts are read: partners' and operators'") {
  testing::TempDir dir;
  const std::string path = dir / "passerelle.toml";
  testing::writeFile(path,
                     std::string(kPartner) +
                         "[dashboard]\nlisten = \"127.0.0.1:8080\"\nbase_path = \"/tableau\"\n"
                         "[[dashboard.account]]\nlogin = \"alice\"\npartner = \"cfa-a\"\n"
                         "password_hash_file = \"alice.hash\"\n"
                         "[[dashboard.account]]\nlogin = \"ops\"\nrole = \"operator\"\n"
                         "password_hash_file = \"/etc/passerelle/secrets/ops.hash\"\n",
                     0644);
  const Config c = loadConfig(path, kFormats, connectors::FakeHost());
  CHECK(c.dashboard.listen == "127.0.0.1:8080");
  CHECK(c.dashboard.base_path == "/tableau");
  REQUIRE(c.dashboard.accounts.size() == 2);
  CHECK(c.dashboard.accounts[0].partner == "cfa-a");
  CHECK(c.dashboard.accounts[0].password_hash_file == dir / "alice.hash");
  CHECK((c.dashboard.accounts[1].role == DashboardRole::kOperator));
  CHECK(c.dashboard.findAccount("ops"));
  CHECK_FALSE(c.dashboard.findAccount("nobody"));
  bool listed = false;
  for (const auto& [key, file] : secretFiles(c))
    listed |= key == "dashboard.account[1] (ops).password_hash_file";
  CHECK(listed);
}

TEST_CASE("[dashboard] mistakes are refused with their key") {
  testing::TempDir dir;
  CHECK(loadError(dir, "[dashboard]\nlisten = \"nowhere\"\n").find("dashboard.listen") !=
        std::string::npos);
  CHECK(loadError(dir, "[dashboard]\nbase_path = \"/x/\"\n").find("dashboard.base_path") !=
        std::string::npos);
  CHECK(loadError(dir, "[dashboard]\nport = 1\n").find("dashboard.port: unknown key") !=
        std::string::npos);
  const std::string unknown =
      loadError(dir, std::string(kPartner) +
                         "[[dashboard.account]]\nlogin = \"a\"\npartner = \"cfa-z\"\n"
                         "password_hash_file = \"h\"\n");
  CHECK(unknown.find("dashboard.account[0].partner: unknown partner") != std::string::npos);
  const std::string both = loadError(
      dir, std::string(kPartner) +
               "[[dashboard.account]]\nlogin = \"a\"\nrole = \"operator\"\npartner = \"cfa-a\"\n"
               "password_hash_file = \"h\"\n");
  CHECK(both.find("dashboard.account[0].partner") != std::string::npos);
  const std::string twice =
      loadError(dir, std::string(kPartner) +
                         "[[dashboard.account]]\nlogin = \"a\"\npartner = \"cfa-a\"\n"
                         "password_hash_file = \"h\"\n"
                         "[[dashboard.account]]\nlogin = \"a\"\nrole = \"operator\"\n"
                         "password_hash_file = \"h\"\n");
  CHECK(twice.find("duplicate login") != std::string::npos);
  CHECK(loadError(dir, std::string(kPartner) +
                           "[[dashboard.account]]\nlogin = \"a\"\npartner = \"cfa-a\"\n")
            .find("password_hash_file: missing required value") != std::string::npos);
}

}  // namespace
}  // namespace passerelle::daemon
