// DropFolderPoller against a real store and file:// drop folders: files taken
// once complete, imported, reported, then moved; a crash between the commit
// and the move completes the move without a second import.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/service/drop_folder_poller.h"
#include "tests/integration/daemon/store_test_support.h"
#include "tests/support/ftp_test_support.h"

using namespace passerelle;
using passerelle::store_test::TestStore;
namespace fs = std::filesystem;

namespace {

struct PollFixture {
  TestStore store;
  connectors::ManualClock clock;
  connectors::FakeHost host;  // no password file, no environment
  daemon::Config config;
  fs::path drop;

  explicit PollFixture(const std::string& format = "ymag") {
    drop = store.dir() / "drop";
    fs::create_directories(drop);
    config.daemon.state_dir = (store.dir() / "state").string();
    config.daemon.spool_dir = (store.dir() / "state" / "spool").string();
    daemon::PartnerConfig p;
    p.id = "cfa-test";
    p.format = format;
    p.url = "file://" + drop.string() + "/";
    p.tls = connectors::DropTls::kNone;  // completion: the format's (gil: the marker)
    config.partners.push_back(p);
  }
  daemon::DropFolderPoller poller() {
    return daemon::DropFolderPoller(config, config.partners[0], store.url(), host, clock);
  }
  void drop_file(const std::string& name, const std::string& content) {
    std::ofstream(drop / name, std::ios::binary) << content;
  }
  std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

const passerelle::connectors::StopSignal kRunning;

}  // namespace

TEST_CASE("once: a complete file is imported, reported, then moved to done/") {
  PollFixture f;
  f.drop_file("YMAG_cfa-test_20260302060000.csv", store_test::ymagFile(store_test::ymagRows(1, 3)));
  auto poller = f.poller();
  auto outcome = poller.run(kRunning, /*once=*/true);
  CHECK(outcome.ok);
  CHECK(f.store.count("SELECT count(*) FROM offers WHERE status = 'active'") == 3);
  CHECK(fs::exists(f.drop / "done" / "YMAG_cfa-test_20260302060000.csv"));
  CHECK_FALSE(fs::exists(f.drop / "YMAG_cfa-test_20260302060000.csv"));
  std::string report = f.read(f.drop / "reports" / "YMAG_cfa-test_20260302060000.csv.report.csv");
  CHECK(report.rfind("\xEF\xBB\xBFligne;reference;gravite;champ;code;message;valeur\r\n", 0) == 0);
  CHECK(fs::is_empty(fs::path(f.config.daemon.spool_dir) / "cfa-test"));
}

TEST_CASE("a file still growing is not taken until two listings agree") {
  PollFixture f;
  const std::string name = "YMAG_cfa-test_20260302060000.csv";
  std::string content = store_test::ymagFile(store_test::ymagRows(1, 2));
  f.drop_file(name, content.substr(0, content.size() / 2));
  auto poller = f.poller();
  poller.run(kRunning, false);  // first sight
  f.clock.advance(std::chrono::seconds(31));
  f.drop_file(name, content);  // still being written
  poller.run(kRunning, false);
  CHECK(f.store.count("SELECT count(*) FROM import_runs") == 0);
  f.clock.advance(std::chrono::seconds(31));
  poller.run(kRunning, false);
  CHECK(f.store.count("SELECT count(*) FROM import_runs") == 1);
  CHECK(f.store.count("SELECT count(*) FROM offers") == 2);
}

TEST_CASE("killed between the commit and the move: the next poll only completes the move") {
  PollFixture f;
  const std::string name = "YMAG_cfa-test_20260302060000.csv";
  f.drop_file(name, store_test::ymagFile(store_test::ymagRows(1, 4)));
  // The import committed, then the daemon died before moving the file.
  auto first = f.store.import("cfa-test", "ymag", (f.drop / name).string());
  REQUIRE((first.outcome == daemon::RunOutcome::kImported));
  const std::string before = f.store.storeFingerprint();
  auto poller = f.poller();
  poller.run(kRunning, true);
  CHECK(fs::exists(f.drop / "done" / name));
  CHECK(f.store.scalar("SELECT outcome FROM import_runs ORDER BY id DESC LIMIT 1") == "duplicate");
  CHECK(f.store.count("SELECT count(*) FROM offer_history") == 4);
  CHECK(f.store.count("SELECT count(*) FROM offers") == 4);
  (void)before;
}

TEST_CASE("GIL data waits for its marker; both are archived together") {
  PollFixture f("gil");
  const std::string name = "GIL_cfa-test_20260302_001.csv";
  f.drop_file(
      name, store_test::gilFile({{"C", "G-1", "Technicien", ""}, {"C", "G-2", "Technicien", ""}}));
  auto poller = f.poller();
  poller.run(kRunning, true);
  CHECK(f.store.count("SELECT count(*) FROM import_runs") == 0);
  f.drop_file(name + ".ok", "");
  poller.run(kRunning, true);
  CHECK(f.store.count("SELECT count(*) FROM offers") == 2);
  CHECK(fs::exists(f.drop / "done" / name));
  CHECK(fs::exists(f.drop / "done" / (name + ".ok")));
}

TEST_CASE("a refused file goes to failed/ with its report; the store is untouched") {
  PollFixture f;
  const std::string name = "YMAG_cfa-test_20260302060000.csv";
  f.drop_file(name, "N° offre;SIRET\r\nY-1;51024567800014\r\n");
  auto poller = f.poller();
  poller.run(kRunning, true);
  CHECK(fs::exists(f.drop / "failed" / name));
  CHECK(f.store.count("SELECT count(*) FROM offers") == 0);
  std::string report = f.read(f.drop / "reports" / (name + ".report.csv"));
  CHECK(report.find("HEADER_MISSING_COLUMNS") != std::string::npos);
}

TEST_CASE("after = keep: files already taken are not downloaded again") {
  PollFixture f;
  f.config.partners[0].after = daemon::AfterImport::kKeep;
  const std::string name = "YMAG_cfa-test_20260302060000.csv";
  f.drop_file(name, store_test::ymagFile(store_test::ymagRows(1, 2)));
  auto poller = f.poller();
  poller.run(kRunning, true);
  CHECK(f.store.count("SELECT count(*) FROM import_runs") == 1);
  f.clock.advance(std::chrono::seconds(60));
  poller.run(kRunning, true);
  poller.run(kRunning, true);
  CHECK(f.store.count("SELECT count(*) FROM import_runs") == 1);  // not even a duplicate run
  CHECK(fs::exists(f.drop / name));
}

TEST_CASE("SIGTERM in the middle of an FTPS download: abandoned, nothing imported, retaken later") {
  PollFixture f;
  const std::string name = "YMAG_cfa-test_20260302060000.csv";
  const std::string local = ftp_test::makeFtpFolder("poll-cancel");
  const std::string content = store_test::ymagFile(store_test::ymagRows(1, 2000));  // ~660 KB
  ftp_test::writeFtpFile(local + "/" + name, content);
  ftp_test::PrivateFtpServer server({"local_max_rate=50000"});  // ~13 s for the file
  auto& p = f.config.partners[0];
  p.url = server.url() + "poll-cancel/";
  p.tls = connectors::DropTls::kExplicit;
  p.user = ftp_test::ftpEnv("PASSERELLE_TEST_FTP_USER");
  p.password_file = ftp_test::ftpEnv("PASSERELLE_TEST_FTP_PASSWORD_FILE");
  // The poller reads its secrets through the Host: give it the test server's.
  f.host.addFile(p.password_file, ftp_test::slurp(p.password_file));
  p.ca_file = ftp_test::ftpEnv("PASSERELLE_TEST_FTP_CA_FILE");

  auto poller = f.poller();
  passerelle::connectors::StopSignal stop;
  auto running = std::async(std::launch::async, [&] { return poller.run(stop, true); });
  const fs::path spool = fs::path(f.config.daemon.spool_dir) / "cfa-test";
  const fs::path part = spool / (name + ".part");
  for (int i = 0; i < 200; ++i) {  // at most 10 s
    std::error_code ec;
    if (fs::file_size(part, ec) > 0 && !ec) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(fs::exists(part));
  const auto raised = std::chrono::steady_clock::now();
  stop.request();  // what the Service does on SIGTERM
  REQUIRE(running.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - raised).count();
  auto outcome = running.get();
  MESSAGE("poll ended " << ms << " ms after the stop flag: " << outcome.summary);
  CHECK(ms < 2000.0);
  CHECK(outcome.ok);
  CHECK(outcome.summary.find("stopped during a download") != std::string::npos);
  CHECK(fs::is_empty(spool));  // no partial file, no complete one
  CHECK(f.store.count("SELECT count(*) FROM import_runs") == 0);
  CHECK(f.store.count("SELECT count(*) FROM file_ledger") == 0);
  CHECK(ftp_test::slurp(local + "/" + name) == content);  // remote untouched
  CHECK_FALSE(fs::exists(local + "/done"));
  CHECK_FALSE(fs::exists(local + "/reports"));

  // The next run (the shared, unthrottled server on the same folder) takes it.
  p.url = ftp_test::ftpEnv("PASSERELLE_TEST_FTP_EXPLICIT_URL") + "poll-cancel/";
  auto next = f.poller();
  CHECK(next.run(kRunning, true).ok);
  CHECK(f.store.count("SELECT count(*) FROM offers WHERE status = 'active'") == 2000);
  CHECK(fs::exists(local + "/done/" + name));
  CHECK(fs::exists(local + "/reports/" + name + ".report.csv"));
}
