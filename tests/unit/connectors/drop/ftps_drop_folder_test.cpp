// FtpsDropFolder against the real vsftpd servers of tests/support/start-vsftpd
// (sourced by tests/run-all; source it by hand before running this binary).
// These tests FAIL when the servers are missing: they must never pass by
// skipping.
#include "connectors/drop/ftps_drop_folder.h"

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
#include <set>
#include <thread>

#include "connectors/drop/drop_selection.h"
#include "tests/support/ftp_test_support.h"
#include "tests/unit/connectors/drop/test_folder.h"

extern char** environ;

using namespace passerelle::connectors;
using namespace passerelle_test;
using passerelle::ftp_test::ftpEnv;
using passerelle::ftp_test::PrivateFtpServer;
using namespace std::chrono_literals;

namespace {

std::string password() {
  std::string p = readFile(ftpEnv("PASSERELLE_TEST_FTP_PASSWORD_FILE"));
  while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
  return p;
}

DropFolderSettings settingsFor(const std::string& base_url, const std::string& sub,
                               DropTls tls = DropTls::kExplicit) {
  DropFolderSettings s;
  s.url = base_url + sub + "/";
  s.tls = tls;
  s.user = ftpEnv("PASSERELLE_TEST_FTP_USER");
  s.password = password();
  s.ca_file = ftpEnv("PASSERELLE_TEST_FTP_CA_FILE");
  s.connect_timeout = 5s;
  s.response_timeout = 5s;
  s.stall_period = 5s;
  return s;
}

}  // namespace

TEST_CASE("ftps explicit (require_ssl_reuse=YES): several files in one session") {
  std::string local = passerelle::ftp_test::makeFtpFolder("explicit");
  for (int i = 1; i <= 5; ++i) {
    writeFile(local + "/SIGMA_A_2026010" + std::to_string(i) + ".csv",
              std::string(1000 * i, 'a' + static_cast<char>(i)));
  }
  ::mkdir((local + "/sub").c_str(), 0755);
  TempDir spool;
  ManualClock clock;
  FtpsDropFolder folder(settingsFor(ftpEnv("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "explicit"), clock);
  auto entries = folder.list();
  REQUIRE(entries.size() == 5);    // the subfolder is not listed
  CHECK_FALSE(folder.usedMlsd());  // vsftpd: LIST
  for (const auto& e : entries) {
    auto r = folder.download(e.name, spool / e.name, 1 << 20);
    CHECK(r.size == e.size);
    CHECK(r.sha256.size() == 64);
    CHECK(readFile(r.path) == readFile(local + "/" + e.name));
  }
  CHECK(folder.moveTo("SIGMA_A_20260101.csv", "done") == "SIGMA_A_20260101.csv");
  CHECK(folder.moveTo("SIGMA_A_20260102.csv", "failed") == "SIGMA_A_20260102.csv");
  // Collision: a file of that name is already in done/.
  writeFile(local + "/done/SIGMA_A_20260103.csv", "older");
  FtpsDropFolder second(settingsFor(ftpEnv("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "explicit"), clock);
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
    folder.download("missing.csv", spool / "missing.csv", 100);
    FAIL("no error");
  } catch (const DropFolderError& e) {
    CHECK(e.kind() == DropFolderError::Kind::kNotFound);
  }
  CHECK_FALSE(exists(spool / "missing.csv.part"));
  CHECK_FALSE(exists(spool / "missing.csv"));
}

TEST_CASE("ftps explicit: fresh_tls_session is refused by a require_ssl_reuse server") {
  passerelle::ftp_test::makeFtpFolder("fresh");
  writeFile(ftpEnv("PASSERELLE_TEST_FTP_ROOT") + "/fresh/a.csv", "x");
  ManualClock clock;
  auto s = settingsFor(ftpEnv("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "fresh");
  s.fresh_tls_session = true;
  FtpsDropFolder folder(s, clock);
  // The setting really changes the data connections: this server demands reuse.
  CHECK_THROWS_AS(folder.list(), DropFolderError);
}

TEST_CASE("ftps implicit: list, download, move, report") {
  std::string local = passerelle::ftp_test::makeFtpFolder("implicit");
  writeFile(local + "/YMAG_X_20260101120000.csv", "hello\n");
  TempDir spool;
  SystemClock clock;
  auto folder = openDropFolder(
      settingsFor(ftpEnv("PASSERELLE_TEST_FTP_IMPLICIT_URL"), "implicit", DropTls::kImplicit),
      clock);
  auto entries = folder->list();
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].size == 6);
  REQUIRE(entries[0].mtime.has_value());
  auto age = std::chrono::system_clock::now() - *entries[0].mtime;
  CHECK(age < std::chrono::minutes(3));  // minute resolution, UTC, year inferred
  auto r = folder->download(entries[0].name, spool / "y.csv", 100);
  CHECK(r.sha256 == "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
  CHECK(folder->moveTo(entries[0].name, "done") == entries[0].name);
  folder->writeReport("YMAG_X_20260101120000.csv.report.csv", "r");
  CHECK(readFile(local + "/reports/YMAG_X_20260101120000.csv.report.csv") == "r");
}

TEST_CASE("ftps: the self-signed certificate is refused without ca_file, accepted with it") {
  passerelle::ftp_test::makeFtpFolder("cert");
  ManualClock clock;
  auto s = settingsFor(ftpEnv("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "cert");
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
  s.ca_file = ftpEnv("PASSERELLE_TEST_FTP_CA_FILE");
  CHECK_NOTHROW(FtpsDropFolder(s, clock).list());
  SUBCASE("pinned public key") {
    s.pinned_pubkey = ftpEnv("PASSERELLE_TEST_FTP_PINNED_PUBKEY");
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
  passerelle::ftp_test::makeFtpFolder("login");
  ManualClock clock;
  auto s = settingsFor(ftpEnv("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "login");
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
  std::string local = passerelle::ftp_test::makeFtpFolder("thousand");
  for (int i = 0; i < 1000; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "YMAG_A_20260101%06d.csv", i);
    writeFile(local + "/" + name, "x;y\r\n");
  }
  SystemClock clock;
  SelectionSettings selection;
  selection.format = "ymag";
  DropSelector selector(selection, clock);
  auto start = std::chrono::steady_clock::now();
  auto folder =
      openDropFolder(settingsFor(ftpEnv("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "thousand"), clock);
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
  std::string local = passerelle::ftp_test::makeFtpFolder("cut");
  std::string big(4 * 1024 * 1024, 'z');
  writeFile(local + "/big.csv", big);
  PrivateFtpServer server({"local_max_rate=200000"});  // ~20 s for 4 MiB
  TempDir spool;
  ManualClock clock;
  auto s = settingsFor(server.url(), "cut");
  FtpsDropFolder folder(s, clock);
  auto result = std::async(std::launch::async, [&] {
    try {
      folder.download("big.csv", spool / "big.csv", 100ull << 20);
      return std::string("completed");
    } catch (const DropFolderError& e) {
      return std::string(e.what());
    }
  });
  // Wait until bytes arrive, then kill the server and its session.
  std::string part = spool / "big.csv.part";
  for (int i = 0; i < 100; ++i) {
    if (exists(part) && std::filesystem::file_size(part) > 0) break;
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE(exists(part));
  server.stop();
  std::string message = result.get();
  MESSAGE("cut transfer: " << message);
  CHECK(message != "completed");
  CHECK(countEntries(spool.str()) == 0);       // no partial, no final file
  CHECK(readFile(local + "/big.csv") == big);  // remote untouched
  CHECK_FALSE(exists(local + "/done"));
  // Taken again at the next poll (the shared server is still up).
  FtpsDropFolder again(settingsFor(ftpEnv("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "cut"), clock);
  auto r = again.download("big.csv", spool / "big.csv", 100ull << 20);
  CHECK(r.size == big.size());
}

TEST_CASE("ftps: a cancel flag raised mid-transfer abandons it; nothing left, remote untouched") {
  std::string local = passerelle::ftp_test::makeFtpFolder("cancel");
  std::string big(4 * 1024 * 1024, 'k');
  writeFile(local + "/big.csv", big);
  PrivateFtpServer server({"local_max_rate=200000"});  // ~20 s for 4 MiB
  TempDir spool;
  ManualClock clock;
  FtpsDropFolder folder(settingsFor(server.url(), "cancel"), clock);
  std::atomic<bool> cancel{false};
  auto result = std::async(std::launch::async, [&] {
    try {
      folder.download("big.csv", spool / "big.csv", 100ull << 20, &cancel);
      return std::string("completed");
    } catch (const DropFolderError& e) {
      return std::string(e.kind() == DropFolderError::Kind::kCancelled ? "cancelled: "
                                                                       : "other: ") +
             e.what();
    }
  });
  std::string part = spool / "big.csv.part";
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
  CHECK(countEntries(spool.str()) == 0);
  CHECK(readFile(local + "/big.csv") == big);
  CHECK_FALSE(exists(local + "/done"));
  // The same object is still usable for the rest of a poll (reconnects if
  // the abort closed the connection).
  CHECK(folder.list().size() == 1);
}

TEST_CASE("ftps: a download larger than max_bytes is stopped and leaves nothing") {
  std::string local = passerelle::ftp_test::makeFtpFolder("limit");
  writeFile(local + "/a.csv", std::string(10000, 'q'));
  TempDir spool;
  ManualClock clock;
  FtpsDropFolder folder(settingsFor(ftpEnv("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "limit"), clock);
  try {
    folder.download("a.csv", spool / "a.csv", 5000);
    FAIL("no error");
  } catch (const DropFolderError& e) {
    CHECK(e.kind() == DropFolderError::Kind::kTooLarge);
  }
  CHECK(countEntries(spool.str()) == 0);
  // The session is still usable.
  CHECK(folder.list().size() == 1);
}

TEST_CASE("ftps: isUnchanged sees a file rewritten after its download (fresh LIST)") {
  std::string local = passerelle::ftp_test::makeFtpFolder("unchanged");
  writeFile(local + "/YMAG_X_20260101120000.csv", "hello\n");
  TempDir spool;
  SystemClock clock;
  FtpsDropFolder folder(settingsFor(ftpEnv("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "unchanged"),
                        clock);
  auto listed = folder.list().at(0);
  auto dl = folder.download(listed.name, spool / "x", 100);
  CHECK(folder.isUnchanged(listed, dl.sha256));
  writeFile(local + "/YMAG_X_20260101120000.csv", "the next export\n");  // another size
  CHECK_FALSE(folder.isUnchanged(listed, dl.sha256));
  ::unlink((local + "/YMAG_X_20260101120000.csv").c_str());
  CHECK_FALSE(folder.isUnchanged(listed, dl.sha256));
}

TEST_CASE("ftps: a line break in a name forges no listing entry; long and odd names listed") {
  std::string local = passerelle::ftp_test::makeFtpFolder("names");
  const std::string forged =
      "evil\n-rw-r--r--    1 1000     1000          999 Nov 26 12:34 phantom.csv";
  writeFile(local + "/" + forged, "x");
  const std::string latin1 = "YMAG_\xe9t\xe9_20260101120000.csv";
  writeFile(local + "/" + latin1, "abc");
  const std::string longest = std::string(251, 'n') + ".csv";  // 255 bytes, NAME_MAX
  writeFile(local + "/" + longest, "abcd");
  SystemClock clock;
  FtpsDropFolder folder(settingsFor(ftpEnv("PASSERELLE_TEST_FTP_EXPLICIT_URL"), "names"), clock);
  auto entries = folder.list();
  std::set<std::string> names;
  for (const auto& e : entries) names.insert(e.name);
  CAPTURE(entries.size());
  // vsftpd ends the listing line at the LF inside the name: the forged entry
  // is listed, but names no file; its download fails alone (the poller warns
  // and goes on), and the real name is never taken.
  if (names.count("phantom.csv") != 0) {
    TempDir phantom_spool;
    CHECK_THROWS_AS(folder.download("phantom.csv", phantom_spool / "p", 100), DropFolderError);
  }
  CHECK(names.count(latin1) == 1);
  CHECK(names.count(longest) == 1);
  TempDir spool;
  CHECK(folder.download(latin1, spool / spoolName(latin1), 100).size == 3);
  CHECK(folder.download(longest, spool / spoolName(longest), 100).size == 4);
  CHECK(folder.moveTo(longest, "done") == longest);
  CHECK(exists(local + "/done/" + longest));
}
