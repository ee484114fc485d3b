// FtpsDropFolder against the real vsftpd servers of tests/support/start-vsftpd
// (sourced by tests/run-all; source it by hand before running this binary).
// These tests FAIL when the servers are missing: they must never pass by
// skipping.
#include "connectors/ftps_drop_folder.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>

#include "connectors/drop_selection.h"
#include "test_folder.h"

extern char** environ;

using namespace passerelle::connectors;
using namespace passerelle_test;
using namespace std::chrono_literals;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    FAIL_CHECK(name << " is not set: run under tests/run-all, or `source "
                       "tests/support/start-vsftpd` first");
    throw std::runtime_error(std::string("missing ") + name);
  }
  return v;
}

std::string password() {
  std::string p = readFile(env("PASSERELLE_TEST_FTP_PASSWORD_FILE"));
  while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
  return p;
}

// A fresh subfolder of the account's folder, owned by the account; returns
// its local path.
std::string makeRemoteFolder(const std::string& name) {
  std::string root = env("PASSERELLE_TEST_FTP_ROOT");
  std::string path = root + "/" + name;
  std::filesystem::remove_all(path);
  std::filesystem::create_directory(path);
  struct stat st {};
  REQUIRE(::stat(root.c_str(), &st) == 0);
  REQUIRE(::chown(path.c_str(), st.st_uid, st.st_gid) == 0);
  return path;
}

DropFolderSettings settingsFor(const std::string& base_url, const std::string& sub,
                               DropTls tls = DropTls::kExplicit) {
  DropFolderSettings s;
  s.url = base_url + sub + "/";
  s.tls = tls;
  s.user = env("PASSERELLE_TEST_FTP_USER");
  s.password = password();
  s.ca_file = env("PASSERELLE_TEST_FTP_CA_FILE");
  s.connect_timeout = 5s;
  s.response_timeout = 5s;
  s.stall_period = 5s;
  return s;
}

int freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// The pids of every descendant of `root` (vsftpd's session processes make
// themselves session leaders, so a process group kill misses them).
std::vector<pid_t> descendants(pid_t root) {
  std::vector<pid_t> out = {root};
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      std::string name = entry.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::string stat = readFile(entry.path().string() + "/stat");
      auto close = stat.rfind(')');
      if (close == std::string::npos) continue;
      int ppid = 0;
      char state = 0;
      if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) == 2 && ppid == out[i]) {
        out.push_back(std::stoi(name));
      }
    }
  }
  return out;
}

// A private vsftpd (the explicit server's configuration with overrides), in
// its own process group so that stop() kills its session processes too.
struct PrivateServer {
  pid_t pid = -1;
  int port = 0;
  explicit PrivateServer(const std::vector<std::string>& overrides) {
    port = freePort();
    std::vector<std::string> args = {env("PASSERELLE_TEST_VSFTPD_BIN"),
                                     env("PASSERELLE_TEST_VSFTPD_CONF"),
                                     "-olisten_port=" + std::to_string(port)};
    for (const auto& o : overrides) args.push_back("-o" + o);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    REQUIRE(posix_spawn(&pid, argv[0], nullptr, &attr, argv.data(), environ) == 0);
    posix_spawnattr_destroy(&attr);
    for (int i = 0; i < 50 && !accepts(port); ++i) std::this_thread::sleep_for(100ms);
    REQUIRE(accepts(port));
  }
  void stop() {
    if (pid > 0) {
      for (pid_t p : descendants(pid)) ::kill(p, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      pid = -1;
    }
  }
  ~PrivateServer() { stop(); }
  std::string url() const { return "ftp://127.0.0.1:" + std::to_string(port) + "/"; }
};

}  // namespace

TEST_CASE("ftps explicit (require_ssl_reuse=YES): several files in one session") {
  std::string local = makeRemoteFolder("explicit");
  for (int i = 1; i <= 5; ++i) {
    writeFile(local + "/SIGMA_A_2026010" + std::to_string(i) + ".csv",
              std::string(1000 * i, 'a' + static_cast<char>(i)));
  }
  ::mkdir((local + "/sub").c_str(), 0755);
  TempDir spool;
  ManualClock clock;
  FtpsDropFolder folder(settingsFor(env("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "explicit"), clock);
  auto entries = folder.list();
  REQUIRE(entries.size() == 5);    // the subfolder is not listed
  CHECK_FALSE(folder.usedMlsd());  // vsftpd: LIST
  for (const auto& e : entries) {
    auto r = folder.download(e.name, spool.path + "/" + e.name, 1 << 20);
    CHECK(r.size == e.size);
    CHECK(r.sha256.size() == 64);
    CHECK(readFile(r.path) == readFile(local + "/" + e.name));
  }
  CHECK(folder.moveTo("SIGMA_A_20260101.csv", "done") == "SIGMA_A_20260101.csv");
  CHECK(folder.moveTo("SIGMA_A_20260102.csv", "failed") == "SIGMA_A_20260102.csv");
  // Collision: a file of that name is already in done/.
  writeFile(local + "/done/SIGMA_A_20260103.csv", "older");
  FtpsDropFolder second(settingsFor(env("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "explicit"), clock);
  CHECK(second.moveTo("SIGMA_A_20260103.csv", "done") == "SIGMA_A_20260103.1.csv");
  CHECK(readFile(local + "/done/SIGMA_A_20260103.csv") == "older");
  folder.remove("SIGMA_A_20260104.csv");
  folder.writeReport("SIGMA_A_20260101.csv.report.csv", "\xEF\xBB\xBFligne;x\r\n");
  folder.writeReport("SIGMA_A_20260101.csv.report.csv", "replaced\r\n");
  CHECK(folder.connectionsOpened() == 1);  // one control connection for it all

  CHECK(exists(local + "/done/SIGMA_A_20260101.csv"));
  CHECK(exists(local + "/failed/SIGMA_A_20260102.csv"));
  CHECK(exists(local + "/done/SIGMA_A_20260103.1.csv"));
  CHECK_FALSE(exists(local + "/SIGMA_A_20260104.csv"));
  CHECK(exists(local + "/SIGMA_A_20260105.csv"));
  CHECK(readFile(local + "/reports/SIGMA_A_20260101.csv.report.csv") == "replaced\r\n");
  CHECK(countEntries(local + "/reports") == 1);  // no temporary left
  auto after = folder.list();
  CHECK(after.size() == 1);

  try {
    folder.download("missing.csv", spool.path + "/missing.csv", 100);
    FAIL("no error");
  } catch (const DropFolderError& e) {
    CHECK(e.kind() == DropFolderError::Kind::kNotFound);
  }
  CHECK_FALSE(exists(spool.path + "/missing.csv.part"));
  CHECK_FALSE(exists(spool.path + "/missing.csv"));
}

TEST_CASE("ftps explicit: fresh_tls_session is refused by a require_ssl_reuse server") {
  makeRemoteFolder("fresh");
  writeFile(env("PASSERELLE_TEST_FTP_ROOT") + "/fresh/a.csv", "x");
  ManualClock clock;
  auto s = settingsFor(env("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "fresh");
  s.fresh_tls_session = true;
  FtpsDropFolder folder(s, clock);
  // The setting really changes the data connections: this server demands reuse.
  CHECK_THROWS_AS(folder.list(), DropFolderError);
}

TEST_CASE("ftps implicit: list, download, move, report") {
  std::string local = makeRemoteFolder("implicit");
  writeFile(local + "/YMAG_X_20260101120000.csv", "hello\n");
  TempDir spool;
  SystemClock clock;
  auto folder = openDropFolder(
      settingsFor(env("PASSERELLE_TEST_FTP_IMPLICIT_URL"), "implicit", DropTls::kImplicit), clock);
  auto entries = folder->list();
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].size == 6);
  REQUIRE(entries[0].mtime.has_value());
  auto age = std::chrono::system_clock::now() - *entries[0].mtime;
  CHECK(age < std::chrono::minutes(3));  // minute resolution, UTC, year inferred
  auto r = folder->download(entries[0].name, spool.path + "/y.csv", 100);
  CHECK(r.sha256 == "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
  CHECK(folder->moveTo(entries[0].name, "done") == entries[0].name);
  folder->writeReport("YMAG_X_20260101120000.csv.report.csv", "r");
  CHECK(readFile(local + "/reports/YMAG_X_20260101120000.csv.report.csv") == "r");
}

TEST_CASE("ftps: the self-signed certificate is refused without ca_file, accepted with it") {
  makeRemoteFolder("cert");
  ManualClock clock;
  auto s = settingsFor(env("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "cert");
  s.ca_file.clear();
  {
    FtpsDropFolder folder(s, clock);
    try {
      folder.list();
      FAIL("listed without verifying the certificate");
    } catch (const DropFolderError& e) {
      CHECK(e.kind() == DropFolderError::Kind::kConnect);
      MESSAGE(std::string(e.what()));
    }
  }
  s.ca_file = env("PASSERELLE_TEST_FTP_CA_FILE");
  CHECK_NOTHROW(FtpsDropFolder(s, clock).list());
  SUBCASE("pinned public key") {
    s.pinned_pubkey = env("PASSERELLE_TEST_FTP_PINNED_PUBKEY");
    CHECK_NOTHROW(FtpsDropFolder(s, clock).list());
    s.pinned_pubkey = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    CHECK_THROWS_AS(FtpsDropFolder(s, clock).list(), DropFolderError);
  }
  SUBCASE("tls_verify = false (tests only)") {
    s.ca_file.clear();
    s.tls_verify = false;
    CHECK_NOTHROW(FtpsDropFolder(s, clock).list());
  }
  SUBCASE("plain FTP is refused by the server (tls none)") {
    s.tls = DropTls::kNone;
    CHECK_THROWS_AS(FtpsDropFolder(s, clock).list(), DropFolderError);
  }
}

TEST_CASE("ftps: a refused login names the cause, never the password") {
  makeRemoteFolder("login");
  ManualClock clock;
  auto s = settingsFor(env("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "login");
  s.password = "Wrong-Secret-42";
  try {
    FtpsDropFolder(s, clock).list();
    FAIL("login accepted");
  } catch (const DropFolderError& e) {
    CHECK(e.kind() == DropFolderError::Kind::kLogin);
    CHECK(std::string(e.what()).find("Wrong-Secret-42") == std::string::npos);
    MESSAGE(std::string(e.what()));
  }
}

TEST_CASE("ftps: a folder of 1,000 known files is polled in under 2 s, downloading none") {
  std::string local = makeRemoteFolder("thousand");
  for (int i = 0; i < 1000; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "YMAG_A_20260101%06d.csv", i);
    writeFile(local + "/" + name, "x;y\r\n");
  }
  SystemClock clock;
  SelectionSettings selection;
  DropSelector selector(selection, clock);
  auto start = std::chrono::steady_clock::now();
  auto folder =
      openDropFolder(settingsFor(env("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "thousand"), clock);
  auto entries = folder->list();
  // The ledger knows them all (after = keep): nothing is downloaded.
  auto picked = selector.observe(entries, [](const RemoteEntry&) { return true; });
  auto elapsed = std::chrono::steady_clock::now() - start;
  double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  MESSAGE("poll of 1000 files over loopback FTPS (connect + TLS + login + LIST + selection): "
          << ms << " ms");
  std::printf("[perf] ftps poll of 1000 known files: %.1f ms\n", ms);
  CHECK(entries.size() == 1000);
  CHECK(picked.ready.empty());
  CHECK(ms < 2000.0);
}

TEST_CASE("ftps: the server stopped in the middle of a download leaves nothing in the spool") {
  std::string local = makeRemoteFolder("cut");
  std::string big(4 * 1024 * 1024, 'z');
  writeFile(local + "/big.csv", big);
  PrivateServer server({"local_max_rate=200000"});  // ~20 s for 4 MiB
  TempDir spool;
  ManualClock clock;
  auto s = settingsFor(server.url(), "cut");
  FtpsDropFolder folder(s, clock);
  auto result = std::async(std::launch::async, [&] {
    try {
      folder.download("big.csv", spool.path + "/big.csv", 100ull << 20);
      return std::string("completed");
    } catch (const DropFolderError& e) {
      return std::string(e.what());
    }
  });
  // Wait until bytes arrive, then kill the server and its session.
  std::string part = spool.path + "/big.csv.part";
  for (int i = 0; i < 100; ++i) {
    if (exists(part) && std::filesystem::file_size(part) > 0) break;
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE(exists(part));
  server.stop();
  std::string message = result.get();
  MESSAGE("cut transfer: " << message);
  CHECK(message != "completed");
  CHECK(countEntries(spool.path) == 0);        // no partial, no final file
  CHECK(readFile(local + "/big.csv") == big);  // remote untouched
  CHECK_FALSE(exists(local + "/done"));
  // Taken again at the next poll (the shared server is still up).
  FtpsDropFolder again(settingsFor(env("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "cut"), clock);
  auto r = again.download("big.csv", spool.path + "/big.csv", 100ull << 20);
  CHECK(r.size == big.size());
}

TEST_CASE("ftps: a cancel flag raised mid-transfer abandons it; nothing left, remote untouched") {
  std::string local = makeRemoteFolder("cancel");
  std::string big(4 * 1024 * 1024, 'k');
  writeFile(local + "/big.csv", big);
  PrivateServer server({"local_max_rate=200000"});  // ~20 s for 4 MiB
  TempDir spool;
  ManualClock clock;
  FtpsDropFolder folder(settingsFor(server.url(), "cancel"), clock);
  std::atomic<bool> cancel{false};
  auto result = std::async(std::launch::async, [&] {
    try {
      folder.download("big.csv", spool.path + "/big.csv", 100ull << 20, &cancel);
      return std::string("completed");
    } catch (const DropFolderError& e) {
      return std::string(e.kind() == DropFolderError::Kind::kCancelled ? "cancelled: "
                                                                       : "other: ") +
             e.what();
    }
  });
  std::string part = spool.path + "/big.csv.part";
  for (int i = 0; i < 100; ++i) {
    if (exists(part) && std::filesystem::file_size(part) > 0) break;
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE(exists(part));
  auto raised = std::chrono::steady_clock::now();
  cancel = true;
  REQUIRE(result.wait_for(10s) == std::future_status::ready);
  auto took = std::chrono::steady_clock::now() - raised;
  std::string message = result.get();
  MESSAGE("cancelled transfer: " << message << " after "
                                 << std::chrono::duration<double, std::milli>(took).count()
                                 << " ms");
  CHECK(message.rfind("cancelled: ", 0) == 0);
  CHECK(took < 2s);
  CHECK(countEntries(spool.path) == 0);
  CHECK(readFile(local + "/big.csv") == big);
  CHECK_FALSE(exists(local + "/done"));
  // The same object is still usable for the rest of a poll (reconnects if
  // the abort closed the connection).
  CHECK(folder.list().size() == 1);
}

TEST_CASE("ftps: a download larger than max_bytes is stopped and leaves nothing") {
  std::string local = makeRemoteFolder("limit");
  writeFile(local + "/a.csv", std::string(10000, 'q'));
  TempDir spool;
  ManualClock clock;
  FtpsDropFolder folder(settingsFor(env("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "limit"), clock);
  try {
    folder.download("a.csv", spool.path + "/a.csv", 5000);
    FAIL("no error");
  } catch (const DropFolderError& e) {
    CHECK(e.kind() == DropFolderError::Kind::kTooLarge);
  }
  CHECK(countEntries(spool.path) == 0);
  // The session is still usable.
  CHECK(folder.list().size() == 1);
}
