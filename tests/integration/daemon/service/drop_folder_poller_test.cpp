// DropFolderPoller against a real store and file:// drop folders: files taken
// once complete, imported, reported, then moved; a crash between the commit
// and the move completes the move without a second import.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <set>
#include <thread>

#include "connectors/drop/local_drop_folder.h"
#include "connectors/drop/partner_report.h"
#include "connectors/drop/remote_name.h"
#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/service/drop_folder_poller.h"
#include "daemon/store/partner_pause.h"
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
    return daemon::DropFolderPoller(std::make_shared<const daemon::Config>(config),
                                    config.partners[0], store.url(), host, clock);
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

// A file:// folder with a script: a hook after each download (the partner
// writing its next export), and names whose download the server refuses.
class ScriptedFolder final : public connectors::DropFolder {
 public:
  explicit ScriptedFolder(std::unique_ptr<connectors::DropFolder> inner)
      : inner_(std::move(inner)) {}
  std::function<void(const std::string&)> after_download;
  std::set<std::string> refused;

  std::vector<connectors::RemoteEntry> list() override { return inner_->list(); }
  connectors::DownloadResult download(const std::string& name, const std::string& spool_path,
                                      std::uint64_t max_bytes,
                                      const std::atomic<bool>* cancel) override {
    if (refused.count(name) != 0)
      throw connectors::DropFolderError(connectors::DropFolderError::Kind::kRefused,
                                        "cannot open " + name + ": Permission denied");
    auto result = inner_->download(name, spool_path, max_bytes, cancel);
    if (after_download) after_download(name);
    return result;
  }
  std::string moveTo(const std::string& name, const std::string& subfolder) override {
    return inner_->moveTo(name, subfolder);
  }
  bool isUnchanged(const connectors::RemoteEntry& listed, const std::string& sha256) override {
    return inner_->isUnchanged(listed, sha256);
  }
  void remove(const std::string& name) override { inner_->remove(name); }
  void writeReport(const std::string& file_name, std::string_view bytes) override {
    inner_->writeReport(file_name, bytes);
  }
  std::string describe() const override { return inner_->describe(); }

 private:
  std::unique_ptr<connectors::DropFolder> inner_;
};

// What the poller logs on standard error while it lives.
class StderrCapture {
 public:
  explicit StderrCapture(fs::path path) : path_(std::move(path)) {
    std::fflush(stderr);
    saved_ = ::dup(2);
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~StderrCapture() { restore(); }
  std::string text() {
    std::fflush(stderr);
    std::ifstream in(path_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
  }

 private:
  fs::path path_;
  int saved_ = -1;
};

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

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
  CHECK(report.rfind(
            "\xEF\xBB\xBFligne;enregistrement;reference;gravite;colonne;code;message;valeur\r\n",
            0) == 0);
  CHECK(fs::is_empty(fs::path(f.config.daemon.spool_dir) / "cfa-test"));
}

TEST_CASE("a partner paused by an operator is not polled until resumed") {
  PollFixture f;
  f.drop_file("YMAG_cfa-test_20260302060000.csv", store_test::ymagFile(store_test::ymagRows(1, 3)));
  {
    pqxx::work tx(f.store.db());
    CHECK(daemon::pausePartner(tx, "cfa-test", "ops", f.clock.now()));
    CHECK_FALSE(daemon::pausePartner(tx, "cfa-test", "other", f.clock.now()));  // the first stays
    tx.commit();
  }
  auto poller = f.poller();
  auto outcome = poller.run(kRunning, /*once=*/true);
  CHECK(outcome.ok);
  CHECK(outcome.summary == "paused by ops");
  CHECK(f.store.count("SELECT count(*) FROM import_runs") == 0);
  CHECK(fs::exists(f.drop / "YMAG_cfa-test_20260302060000.csv"));  // not even taken
  CHECK_FALSE(fs::exists(f.drop / "reports"));
  {
    pqxx::work tx(f.store.db());
    CHECK(daemon::resumePartner(tx, "cfa-test"));
    CHECK_FALSE(daemon::resumePartner(tx, "cfa-test"));
    tx.commit();
  }
  CHECK(poller.run(kRunning, /*once=*/true).ok);
  CHECK(f.store.count("SELECT count(*) FROM offers WHERE status = 'active'") == 3);
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
  const fs::path part = spool / (connectors::spoolName(name) + ".part");
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

TEST_CASE("a file rewritten after its download stays; the next poll imports the new export") {
  PollFixture f;
  const std::string name = "YMAG_cfa-test_20260302060000.csv";
  f.drop_file(name, store_test::ymagFile(store_test::ymagRows(1, 3)));
  const std::string next_export = store_test::ymagFile(store_test::ymagRows(1, 5));
  bool rewritten = false;
  auto rewriting = [&](const connectors::DropFolderSettings& s, const connectors::Clock& c) {
    auto folder = std::make_unique<ScriptedFolder>(connectors::openDropFolder(s, c));
    folder->after_download = [&](const std::string& downloaded) {
      if (downloaded != name || rewritten) return;
      f.drop_file(name, next_export);  // the partner's next export, same name
      rewritten = true;
    };
    return folder;
  };
  daemon::DropFolderPoller poller(std::make_shared<const daemon::Config>(f.config),
                                  f.config.partners[0], f.store.url(), f.host, f.clock, rewriting);
  auto outcome = poller.run(kRunning, true);
  CHECK(outcome.ok);
  CHECK(outcome.summary.find("1 changed meanwhile") != std::string::npos);
  CHECK(f.store.count("SELECT count(*) FROM offers WHERE status = 'active'") == 3);
  CHECK_FALSE(fs::exists(f.drop / "done" / name));
  CHECK(f.read(f.drop / name) == next_export);  // not moved: never imported yet

  auto again = poller.run(kRunning, true);
  CHECK(again.ok);
  CHECK(f.store.count("SELECT count(*) FROM offers WHERE status = 'active'") == 5);
  CHECK(f.store.count("SELECT count(*) FROM file_ledger WHERE outcome = 'imported'") == 2);
  CHECK(f.read(f.drop / "done" / name) == next_export);
  CHECK_FALSE(fs::exists(f.drop / name));
}

TEST_CASE("names are data: non-UTF-8 and 255-byte names imported; hostile ones warned once") {
  PollFixture f;
  const std::string latin1 = "YMAG_cfa-test_\xe9t\xe9_20260302060000.csv";
  const std::string longest =
      "YMAG_cfa-test_20260303060000_" + std::string(222, 'x') + ".csv";  // 255 bytes
  REQUIRE(longest.size() == 255);
  f.drop_file(latin1, store_test::ymagFile(store_test::ymagRows(1, 2)));
  f.drop_file(longest, store_test::ymagFile(store_test::ymagRows(1, 3)));
  f.drop_file("YMAG\nforged.csv", "x");
  f.drop_file(".hidden.csv", "x");
  StderrCapture log(f.store.dir() / "poll.log");
  auto poller = f.poller();
  auto outcome = poller.run(kRunning, true);  // --once: a second listing within the run
  CHECK(outcome.ok);
  CHECK(outcome.summary.rfind("2 file(s) imported", 0) == 0);
  CHECK(f.store.scalar("SELECT remote_name FROM file_ledger ORDER BY id LIMIT 1") ==
        "YMAG_cfa-test_\\xe9t\\xe9_20260302060000.csv");
  CHECK(f.store.scalar("SELECT file_name FROM import_runs ORDER BY id LIMIT 1") ==
        connectors::displayName(latin1));
  CHECK(fs::exists(f.drop / "done" / latin1));
  CHECK(fs::exists(f.drop / "done" / longest));
  CHECK(fs::exists(f.drop / "reports" / connectors::reportFileName(longest)));
  CHECK(fs::is_empty(fs::path(f.config.daemon.spool_dir) / "cfa-test"));
  // Warned in --once although the run listed twice; not again at the next polls.
  poller.run(kRunning, true);
  poller.run(kRunning, false);
  const std::string text = log.text();
  log.restore();
  CAPTURE(text);
  CHECK(occurrences(text, "file=YMAG\\x0aforged.csv") == 1);
  CHECK(occurrences(text, "file=.hidden.csv") == 1);
}

TEST_CASE("one file the server refuses does not stop the others; warned once per cause") {
  PollFixture f;
  const std::string bad = "YMAG_cfa-test_20260301060000.csv";  // first in order
  const std::string good = "YMAG_cfa-test_20260302060000.csv";
  f.drop_file(bad, store_test::ymagFile(store_test::ymagRows(1, 2)));
  f.drop_file(good, store_test::ymagFile(store_test::ymagRows(10, 3)));
  auto refusing = [&](const connectors::DropFolderSettings& s, const connectors::Clock& c) {
    auto folder = std::make_unique<ScriptedFolder>(connectors::openDropFolder(s, c));
    folder->refused.insert(bad);
    return folder;
  };
  daemon::DropFolderPoller poller(std::make_shared<const daemon::Config>(f.config),
                                  f.config.partners[0], f.store.url(), f.host, f.clock, refusing);
  StderrCapture log(f.store.dir() / "poll.log");
  auto outcome = poller.run(kRunning, true);
  CHECK(outcome.ok);
  CHECK(outcome.summary.find("1 could not be taken") != std::string::npos);
  CHECK(f.store.count("SELECT count(*) FROM offers WHERE status = 'active'") == 3);
  CHECK(fs::exists(f.drop / "done" / good));
  CHECK(fs::exists(f.drop / bad));
  poller.run(kRunning, false);
  poller.run(kRunning, false);
  const std::string text = log.text();
  log.restore();
  CAPTURE(text);
  CHECK(occurrences(text, "Permission denied") == 1);
}
