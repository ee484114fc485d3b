// The real program: `passerelle daemon [--once] --config FILE` run as a child
// process against the test PostgreSQL and the test vsftpd servers (or file://
// folders), with the store, the remote folders and the reports inspected
// afterwards. Covers --once (explicit TLS with require_ssl_reuse and several
// files in one poll, implicit TLS, file:// with GIL and Sigma), the
// long-running service (a file dropped while it runs, SIGHUP with a broken
// then a fixed configuration, SIGTERM, systemd notifications), the server
// stopped in the middle of a download, and a 1,000-file folder polled
// without downloading.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <unistd.h>
#include <utime.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "connectors/drop/remote_name.h"
#include "daemon/store/store_migrations.h"
#include "tests/integration/daemon/store_test_support.h"
#include "tests/support/ftp_test_support.h"
#include "tests/support/test_server_process.h"

extern char** environ;

using namespace passerelle;
using namespace std::chrono_literals;
using passerelle::ftp_test::ftpEnv;
using passerelle::ftp_test::slurp;
using passerelle::store_test::TestStore;
namespace fs = std::filesystem;

namespace {

const std::string kBom = "\xEF\xBB\xBF";
const std::string kReportHeader =
    kBom + "ligne;enregistrement;reference;gravite;colonne;code;message;valeur\r\n";

void writeText(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string toml(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A configuration file under construction.
struct ConfigText {
  std::string text;
  ConfigText(const TestStore& store, const fs::path& state_dir,
             const std::string& extra_daemon = "") {
    text = "[store]\nurl = " + toml(store.url()) +
           "\n\n[daemon]\nstate_dir = " + toml(state_dir.string()) + "\n" + extra_daemon + "\n";
  }
  ConfigText& partner(const std::string& body) {
    text += "[[partner]]\n" + body + "\n";
    return *this;
  }
};

std::string ftpPartner(const std::string& id, const std::string& format, const std::string& url,
                       const std::string& tls, const std::string& extra = "") {
  return "id = " + toml(id) + "\nformat = " + toml(format) + "\nurl = " + toml(url) +
         "\ntls = " + toml(tls) + "\nuser = " + toml(ftpEnv("PASSERELLE_TEST_FTP_USER")) +
         "\npassword_file = " + toml(ftpEnv("PASSERELLE_TEST_FTP_PASSWORD_FILE")) +
         "\nca_file = " + toml(ftpEnv("PASSERELLE_TEST_FTP_CA_FILE")) + "\nstable_for = \"1s\"\n" +
         extra;
}

std::string filePartner(const std::string& id, const std::string& format, const fs::path& dir,
                        const std::string& extra = "") {
  return "id = " + toml(id) + "\nformat = " + toml(format) +
         "\nurl = " + toml("file://" + dir.string() + "/") + "\nstable_for = \"1s\"\n" + extra;
}

// The daemon as a child process; its standard error goes to a file.
class Daemon {
 public:
  Daemon(const fs::path& config, bool once, const fs::path& log,
         const std::vector<std::string>& extra_env = {})
      : log_(log) {
    std::vector<std::string> args = {PASSERELLE_BINARY, "daemon", "--config", config.string()};
    if (once) args.push_back("--once");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // The parent's environment without what would change the daemon's
    // outputs (the journal, a systemd notification socket).
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string v = *e;
      if (v.rfind("JOURNAL_STREAM=", 0) == 0 || v.rfind("NOTIFY_SOCKET=", 0) == 0 ||
          v.rfind("WATCHDOG_", 0) == 0 || v.rfind("PASSERELLE_CONFIG=", 0) == 0)
        continue;
      env.push_back(v);
    }
    for (const auto& e : extra_env) env.push_back(e);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    REQUIRE(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()) == 0);
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Daemon() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  void signal(int sig) const { REQUIRE(::kill(pid_, sig) == 0); }
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      status_ = status;
      return false;
    }
    return true;
  }
  // The exit status, or -1 when it did not end within `timeout` (then it is
  // killed).
  int wait(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
        return -1;
      }
      std::this_thread::sleep_for(20ms);
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  }
  std::string log() const { return slurp(log_); }

 private:
  fs::path log_;
  pid_t pid_ = -1;
  int status_ = 0;
};

// Polls `condition` every 100 ms for at most `timeout`.
bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
}

int runOnce(const fs::path& config, const fs::path& log, double* seconds = nullptr) {
  auto start = std::chrono::steady_clock::now();
  Daemon d(config, true, log);
  int status = d.wait(60s);
  if (seconds != nullptr)
    *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (status != 0) MESSAGE("daemon --once exited " << status << "; its log:\n" << d.log());
  return status;
}

// A unix datagram socket standing for systemd's NOTIFY_SOCKET.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(path.string().size() < sizeof addr.sun_path);
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    ::chmod(path.c_str(), 0666);
    timeval tv{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  // Receives what arrived (for at most 100 ms).
  void drain() {
    char buffer[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return;
      std::string datagram(buffer, static_cast<std::size_t>(n));
      std::size_t start = 0;
      while (start < datagram.size()) {
        auto end = datagram.find('\n', start);
        if (end == std::string::npos) end = datagram.size();
        messages.push_back(datagram.substr(start, end - start));
        if (on_message) on_message(messages.back());
        start = end + 1;
      }
    }
  }
  bool has(const std::string& prefix) const {
    for (const auto& m : messages)
      if (m.rfind(prefix, 0) == 0) return true;
    return false;
  }
  std::vector<std::string> messages;
  std::function<void(const std::string&)> on_message;

 private:
  fs::path path_;
  int fd_ = -1;
};

std::vector<std::string> listNames(const fs::path& dir) {
  std::vector<std::string> names;
  if (!fs::exists(dir)) return names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

void setMtime(const fs::path& p, std::time_t t) {
  utimbuf times{t, t};
  REQUIRE(::utime(p.c_str(), &times) == 0);
}

}  // namespace

TEST_CASE(
    "daemon --once, explicit TLS (require_ssl_reuse): three snapshots in one poll, in order") {
  TestStore store;
  const std::string local = ftp_test::makeFtpFolder("bin-explicit");
  // Three Ymag snapshots; the names' time stamps give the order, whatever the
  // modification times say (the oldest name has the newest mtime).
  const std::vector<std::string> names = {"YMAG_cfa-ftps_20260302060000.csv",
                                          "YMAG_cfa-ftps_20260303060000.csv",
                                          "YMAG_cfa-ftps_20260304060000.csv"};
  ftp_test::writeFtpFile(local + "/" + names[0], store_test::ymagFile(store_test::ymagRows(1, 3)));
  ftp_test::writeFtpFile(local + "/" + names[1], store_test::ymagFile(store_test::ymagRows(1, 4)));
  ftp_test::writeFtpFile(local + "/" + names[2], store_test::ymagFile(store_test::ymagRows(2, 4)));
  const std::time_t now = std::time(nullptr);
  setMtime(local + "/" + names[0], now - 600);
  setMtime(local + "/" + names[1], now - 1800);
  setMtime(local + "/" + names[2], now - 3600);

  const fs::path config = store.dir() / "passerelle.toml";
  ConfigText c(store, store.dir() / "state");
  c.partner(ftpPartner("cfa-ftps", "ymag",
                       ftpEnv("PASSERELLE_TEST_FTP_EXPLICIT_URL") + "bin-explicit/", "explicit"));
  writeText(config, c.text);
  REQUIRE(runOnce(config, store.dir() / "daemon.log") == 0);

  // Imported in the names' order: the last snapshot wins, Y-1 withdrawn.
  CHECK(store.count("SELECT count(*) FROM import_runs WHERE outcome = 'imported'") == 3);
  CHECK(store.scalar("SELECT string_agg(file_name, ',' ORDER BY id) FROM import_runs") ==
        names[0] + "," + names[1] + "," + names[2]);
  CHECK(store.count("SELECT count(*) FROM offers WHERE status = 'active'") == 4);
  CHECK(store.scalar("SELECT status FROM offers WHERE source_ref = 'Y-1'") == "withdrawn");
  CHECK(store.count("SELECT count(*) FROM file_ledger WHERE partner = 'cfa-ftps'") == 3);
  // The remote folder: everything in done/, one report per file.
  CHECK(listNames(local) == std::vector<std::string>{"done", "reports"});
  CHECK(listNames(local + "/done") == names);
  CHECK(slurp(local + "/reports/" + names[0] + ".report.csv") ==
        kReportHeader +
            ";;;synthese;;FICHIER_PRIS;Fichier pris en compte : 3 enregistrements lus, 3 offres "
            "prises, 0 ligne refusée, 0 offre retirée car absente du fichier.;"
            "enregistrements=3 prises=3 refusees=0 retirees=0\r\n");
  CHECK(slurp(local + "/reports/" + names[2] + ".report.csv") ==
        kReportHeader +
            ";;;synthese;;FICHIER_PRIS;Fichier pris en compte : 4 enregistrements lus, 4 offres "
            "prises, 0 ligne refusée, 1 offre retirée car absente du fichier.;"
            "enregistrements=4 prises=4 refusees=0 retirees=1\r\n");
  CHECK(fs::is_empty(store.dir() / "state" / "spool" / "cfa-ftps"));
  std::string secret = slurp(ftpEnv("PASSERELLE_TEST_FTP_PASSWORD_FILE"));
  while (!secret.empty() && secret.back() == '\n') secret.pop_back();
  REQUIRE(secret.size() >= 8);
  CHECK(slurp(store.dir() / "daemon.log").find(secret) == std::string::npos);

  // A second run finds nothing new.
  REQUIRE(runOnce(config, store.dir() / "daemon2.log") == 0);
  CHECK(store.count("SELECT count(*) FROM import_runs") == 3);
}

TEST_CASE("daemon --once, implicit TLS: a file imported, moved, reported") {
  TestStore store;
  const std::string local = ftp_test::makeFtpFolder("bin-implicit");
  const std::string name = "YMAG_cfa-implicit_20260302060000.csv";
  ftp_test::writeFtpFile(local + "/" + name, store_test::ymagFile(store_test::ymagRows(1, 2)));
  const fs::path config = store.dir() / "passerelle.toml";
  ConfigText c(store, store.dir() / "state");
  c.partner(ftpPartner("cfa-implicit", "ymag",
                       ftpEnv("PASSERELLE_TEST_FTP_IMPLICIT_URL") + "bin-implicit/", "implicit"));
  writeText(config, c.text);
  REQUIRE(runOnce(config, store.dir() / "daemon.log") == 0);
  CHECK(store.count("SELECT count(*) FROM offers WHERE partner = 'cfa-implicit'") == 2);
  CHECK(fs::exists(local + "/done/" + name));
  CHECK(slurp(local + "/reports/" + name + ".report.csv").rfind(kReportHeader, 0) == 0);
}

TEST_CASE("daemon --once, file://: GIL waits for its marker, Sigma reports a rejected row") {
  TestStore store;
  const fs::path gil = store.dir() / "gil";
  const fs::path sigma = store.dir() / "sigma";
  fs::create_directories(gil);
  fs::create_directories(sigma);
  const std::string gil_name = "GIL_cfa-gil_20260302_001.csv";
  writeText(gil / gil_name,
            store_test::gilFile({{"C", "G-1", "Technicien", ""}, {"C", "G-2", "Technicien", ""}}));
  const std::string sigma_name = "SIGMA_CMA29_20260302.csv";
  fs::copy_file(
      fs::path(PASSERELLE_STORE_FIXTURES_DIR) / ".." / ".." / "golden" / "sigma_ok.sigma.csv",
      sigma / sigma_name);
  const fs::path config = store.dir() / "passerelle.toml";
  ConfigText c(store, store.dir() / "state", "log_format = \"json\"\n");
  c.partner(filePartner("cfa-gil", "gil", gil));
  c.partner(filePartner("cma29", "sigma", sigma, "sigma_code = \"CMA29\"\n"));
  writeText(config, c.text);

  REQUIRE(runOnce(config, store.dir() / "daemon.log") == 0);
  // No marker yet: GIL untouched; Sigma imported with its rejected row.
  CHECK(store.count("SELECT count(*) FROM offers WHERE partner = 'cfa-gil'") == 0);
  CHECK(fs::exists(gil / gil_name));
  CHECK(store.count("SELECT count(*) FROM offers WHERE partner = 'cma29'") == 3);
  CHECK(fs::exists(sigma / "done" / sigma_name));
  const std::string report = slurp(sigma / "reports" / (sigma_name + ".report.csv"));
  CHECK(report.rfind(kReportHeader, 0) == 0);
  CHECK(report.find(";;;synthese;;FICHIER_PRIS;Fichier pris en compte : 4 enregistrements lus, "
                    "3 offres prises, 1 ligne refusée, 0 offre retirée car absente du "
                    "fichier.;") != std::string::npos);
  CHECK(report.find(";erreur;") != std::string::npos);
  for (std::size_t at = report.find('\n'); at != std::string::npos; at = report.find('\n', at + 1))
    CHECK(report[at - 1] == '\r');  // CRLF only
  // log_format = "json": every line of the log is a JSON object.
  {
    std::istringstream lines(slurp(store.dir() / "daemon.log"));
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      ++n;
      auto parsed = nlohmann::json::parse(line, nullptr, false);
      CHECK_MESSAGE(parsed.is_object(), line);
    }
    CHECK(n > 0);
  }

  writeText(gil / (gil_name + ".ok"), "");
  REQUIRE(runOnce(config, store.dir() / "daemon2.log") == 0);
  CHECK(store.count("SELECT count(*) FROM offers WHERE partner = 'cfa-gil'") == 2);
  CHECK(listNames(gil / "done") == std::vector<std::string>{gil_name, gil_name + ".ok"});
  CHECK(store.count("SELECT count(*) FROM import_runs WHERE partner = 'cma29'") == 1);
}

TEST_CASE("daemon: long-running, notifications, a file dropped while it runs, SIGHUP, SIGTERM") {
  TestStore store;
  // An empty database: READY=1 must wait for the daemon's own migration.
  {
    pqxx::work tx(store.db());
    tx.exec("DROP SCHEMA public CASCADE");
    tx.exec("CREATE SCHEMA public");
    tx.commit();
  }
  const fs::path drop = store.dir() / "drop";
  const fs::path drop2 = store.dir() / "drop2";
  fs::create_directories(drop);
  fs::create_directories(drop2);
  const fs::path config = store.dir() / "passerelle.toml";
  ConfigText c(store, store.dir() / "state", "poll_interval = \"1s\"\n");
  c.partner(filePartner("cfa-live", "ymag", drop));
  writeText(config, c.text);

  NotifySocket notify(store.dir() / "notify.sock");
  int migrated_at_ready = -1;
  notify.on_message = [&](const std::string& m) {
    if (m == "READY=1" && migrated_at_ready < 0) {
      auto db = store.connect();
      pqxx::read_transaction tx(*db);
      migrated_at_ready =
          tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<int>();
    }
  };
  const fs::path log = store.dir() / "daemon.log";
  Daemon d(config, false, log, {"NOTIFY_SOCKET=" + (store.dir() / "notify.sock").string()});
  REQUIRE(waitFor(
      [&] {
        notify.drain();
        return notify.has("READY=1") || !d.running();
      },
      20s));
  REQUIRE(d.running());
  CHECK(migrated_at_ready == daemon::programSchemaVersion());

  // A file dropped while it runs is imported (two listings 1 s apart).
  const std::string name = "YMAG_cfa-live_20260302060000.csv";
  writeText(drop / name, store_test::ymagFile(store_test::ymagRows(1, 3)));
  auto started = std::chrono::steady_clock::now();
  CHECK(waitFor([&] { return store.count("SELECT count(*) FROM offers") == 3; }, 20s));
  CHECK(waitFor([&] { return fs::exists(drop / "done" / name); }, 5s));
  MESSAGE("dropped file imported after "
          << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
          << " s");
  notify.drain();
  CHECK(notify.has("STATUS=polling 1 partners"));
  CHECK(notify.has("STATUS=polling 1 partners; cfa-live: 1 file(s) imported"));

  // SIGHUP with a broken file: refused, the old configuration keeps running.
  writeText(config, c.text + "[[partner]]\nid = \"broken\"\nformat = \"ymag\"\nbogus_key = 1\n");
  d.signal(SIGHUP);
  CHECK(waitFor(
      [&] { return d.log().find("configuration refused on reload") != std::string::npos; }, 10s));
  CHECK(d.log().find("bogus_key") != std::string::npos);
  std::this_thread::sleep_for(500ms);
  REQUIRE(d.running());
  const std::string name2 = "YMAG_cfa-live_20260303060000.csv";
  writeText(drop / name2, store_test::ymagFile(store_test::ymagRows(1, 4)));
  CHECK(waitFor([&] { return store.count("SELECT count(*) FROM offers") == 4; }, 20s));

  // SIGHUP with a fixed file adding a partner: reloaded, the new one polled.
  c.partner(filePartner("cfa-new", "ymag", drop2));
  writeText(config, c.text);
  d.signal(SIGHUP);
  CHECK(waitFor([&] { return d.log().find("configuration reloaded") != std::string::npos; }, 10s));
  const std::string name3 = "YMAG_cfa-new_20260302060000.csv";
  writeText(drop2 / name3, store_test::ymagFile(store_test::ymagRows(1, 2)));
  const bool new_partner_polled = waitFor(
      [&] { return store.count("SELECT count(*) FROM offers WHERE partner = 'cfa-new'") == 2; },
      20s);
  if (!new_partner_polled) MESSAGE("daemon log:\n" << d.log());
  CHECK(new_partner_polled);
  notify.drain();
  CHECK(notify.has("RELOADING=1"));

  // SIGTERM: STOPPING=1, exit 0 within a few seconds.
  auto sent = std::chrono::steady_clock::now();
  d.signal(SIGTERM);
  const int status = d.wait(10s);
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  MESSAGE("SIGTERM to exit: " << took << " s");
  CHECK(status == 0);
  CHECK(took < 5.0);
  notify.drain();
  CHECK(notify.has("STOPPING=1"));
  CHECK(notify.messages.back() != "READY=1");
  const std::string text = d.log();
  CHECK(text.find("stopping") != std::string::npos);
  if (status != 0 || took >= 5.0) MESSAGE("log:\n" << text);
}

TEST_CASE("daemon: an unreachable store is never READY; the daemon exits 2") {
  TestStore store;
  const fs::path config = store.dir() / "passerelle.toml";
  const int port = ftp_test::freeLoopbackPort();  // nothing listens there
  writeText(config, "[store]\nurl = \"postgresql://nobody@127.0.0.1:" + std::to_string(port) +
                        "/none?connect_timeout=2\"\n\n[daemon]\nstate_dir = " +
                        toml((store.dir() / "state").string()) + "\n");
  NotifySocket notify(store.dir() / "notify.sock");
  Daemon d(config, false, store.dir() / "daemon.log",
           {"NOTIFY_SOCKET=" + (store.dir() / "notify.sock").string()});
  CHECK(d.wait(20s) == 2);
  notify.drain();
  CHECK_FALSE(notify.has("READY=1"));
}

TEST_CASE("daemon --once: the server stopped in the middle of a download, then restarted") {
  TestStore store;
  const std::string local = ftp_test::makeFtpFolder("bin-cut");
  const std::string name = "YMAG_cfa-cut_20260302060000.csv";
  const std::string content = store_test::ymagFile(store_test::ymagRows(1, 1000));  // ~330 KB
  ftp_test::writeFtpFile(local + "/" + name, content);
  ftp_test::PrivateFtpServer server({"local_max_rate=40000"});  // ~8 s for the file

  const fs::path config = store.dir() / "passerelle.toml";
  ConfigText c(store, store.dir() / "state");
  c.partner(ftpPartner("cfa-cut", "ymag", server.url() + "bin-cut/", "explicit",
                       "max_files_per_poll = 5\n"));
  writeText(config, c.text);
  const fs::path spool = store.dir() / "state" / "spool" / "cfa-cut";
  {
    Daemon d(config, true, store.dir() / "daemon.log");
    REQUIRE(waitFor(
        [&] {
          std::error_code ec;
          return fs::file_size(spool / (connectors::spoolName(name) + ".part"), ec) > 0 && !ec;
        },
        20s));
    server.stop();
    const int status = d.wait(30s);
    MESSAGE("log of the cut run:\n" << d.log());
    CHECK(status == 2);  // --once: a poll failed
    CHECK(d.log().find("poll failed") != std::string::npos);
  }
  CHECK(store.count("SELECT count(*) FROM import_runs") == 0);
  CHECK(store.count("SELECT count(*) FROM file_ledger") == 0);
  CHECK(fs::is_empty(spool));
  CHECK(slurp(local + "/" + name) == content);
  CHECK_FALSE(fs::exists(local + "/done"));

  server.start(std::vector<std::string>{});  // back, at full speed
  REQUIRE(runOnce(config, store.dir() / "daemon2.log") == 0);
  CHECK(store.count("SELECT count(*) FROM offers WHERE status = 'active'") == 1000);
  CHECK(fs::exists(local + "/done/" + name));
  CHECK(fs::is_empty(spool));
}

TEST_CASE(
    "daemon --once: 1,000 files already taken, after = keep, polled over FTPS, none "
    "downloaded") {
  TestStore store;
  const std::string local = ftp_test::makeFtpFolder("bin-thousand");
  // A whole minute, recent: a LIST gives it exactly (minute resolution).
  const std::time_t mtime = (std::time(nullptr) - 3600) / 60 * 60;
  {
    pqxx::work tx(store.db());
    tx.exec("INSERT INTO partners (id, format) VALUES ('cfa-keep', 'ymag')");
    for (int i = 0; i < 1000; ++i) {
      char name[64];
      std::snprintf(name, sizeof name, "YMAG_cfa-keep_20260101%06d.csv", i);
      const std::string content = "already taken " + std::to_string(i) + "\r\n";
      ftp_test::writeFtpFile(local + "/" + name, content);
      setMtime(local + "/" + name, mtime);
      char sha[65];
      std::snprintf(sha, sizeof sha, "%064d", i);
      tx.exec_params(
          "INSERT INTO file_ledger (partner, remote_name, size, mtime, sha256, outcome) "
          "VALUES ('cfa-keep', $1, $2, to_timestamp($3), $4, 'imported')",
          std::string(name), static_cast<long>(content.size()), static_cast<long>(mtime),
          std::string(sha));
    }
    tx.commit();
  }
  const fs::path xferlog =
      fs::path(ftpEnv("PASSERELLE_TEST_VSFTPD_CONF")).parent_path() / "explicit.log";
  auto downloads = [&] {
    std::istringstream lines(slurp(xferlog));
    std::string line;
    int n = 0;
    while (std::getline(lines, line))
      if (line.find("DOWNLOAD") != std::string::npos &&
          line.find("bin-thousand") != std::string::npos)
        ++n;
    return n;
  };
  const int downloads_before = downloads();

  const fs::path config = store.dir() / "passerelle.toml";
  ConfigText c(store, store.dir() / "state");
  c.partner(ftpPartner("cfa-keep", "ymag",
                       ftpEnv("PASSERELLE_TEST_FTP_EXPLICIT_URL") + "bin-thousand/", "explicit",
                       "after = \"keep\"\n"));
  writeText(config, c.text);
  double seconds = 0;
  REQUIRE(runOnce(config, store.dir() / "daemon.log", &seconds) == 0);
  std::printf(
      "[perf] passerelle daemon --once, 1000 known files over FTPS (process start, "
      "store check, TLS login, LIST, ledger, selection): %.3f s\n",
      seconds);
  // The figure is printed for the record (bench/README.md "Daemon polls"), not
  // asserted: wall-clock bounds fail on a loaded machine.
  MESSAGE("daemon --once over 1000 known files: " << seconds << " s");
  CHECK(store.count("SELECT count(*) FROM import_runs") == 0);
  CHECK(downloads() == downloads_before);
  CHECK(listNames(local).size() == 1000);  // kept, no done/, no reports/
  const fs::path spool = store.dir() / "state" / "spool" / "cfa-keep";
  CHECK((!fs::exists(spool) || fs::is_empty(spool)));
}

// A file:// partner whose folder holds `offers` Ymag offers, lba enabled
// against `lba` with its key in a secret file, and `extra` configuration.
fs::path lbaPartnerConfig(const TestStore& store, const passerelle::testing::TestServer& lba,
                          int offers, const std::string& extra = "") {
  const fs::path drop = store.dir() / "drop";
  fs::create_directories(drop);
  writeText(drop / "YMAG_cfa-test_20260302060000.csv",
            store_test::ymagFile(store_test::ymagRows(1, offers)));
  const fs::path key = store.dir() / "lba.key";
  writeText(key, "test-key\n");
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
  ConfigText c(store, store.dir() / "state");
  c.partner(filePartner("cfa-test", "ymag", drop));
  c.text += "[destination.lba]\nenabled = true\nurl = " + toml(lba.url()) +
            "\napi_key_file = " + toml(key.string()) + "\n" + extra;
  const fs::path config = store.dir() / "passerelle.toml";
  writeText(config, c.text);
  return config;
}

TEST_CASE("daemon --once: imports first, then pushes to lba and to a France Travail spool") {
  TestStore store;
  passerelle::testing::TestServer lba("lba_server.py");
  const fs::path ft_spool = store.dir() / "ft-spool";
  const fs::path config = lbaPartnerConfig(
      store, lba, 3,
      "\n[destination.france_travail]\nenabled = true\nmode = \"spool\"\nspool_dir = " +
          toml(ft_spool.string()) +
          "\npartner_key = \"BRETAGNEALTERNANCE\"\npartner_name = \"Bretagne Alternance\"\n");

  REQUIRE(runOnce(config, store.dir() / "daemon.log") == 0);
  CHECK(store.count("SELECT count(*) FROM offers WHERE status = 'active'") == 3);
  // lba: every offer written once, its service id kept.
  CHECK(store.count("SELECT count(*) FROM destination_offers WHERE destination = 'lba' "
                    "AND service_id IS NOT NULL") == 3);
  CHECK(store.count(
            "SELECT count(*) FROM outbox_movements WHERE state IN ('pending', 'in_flight')") == 0);
  // France Travail: one file in the spool with the three creations.
  std::vector<std::string> files = listNames(ft_spool);
  REQUIRE(files.size() == 1);
  const std::string feed = slurp(ft_spool / files[0]);
  CHECK(feed.rfind("Par_ref_offre|", 0) == 0);
  CHECK(std::count(feed.begin(), feed.end(), '\n') == 4);  // header + 3 rows

  // A second run has nothing new: nothing is sent again.
  REQUIRE(runOnce(config, store.dir() / "daemon2.log") == 0);
  CHECK(listNames(ft_spool).size() == 1);
  auto offers = nlohmann::json::parse(lba.get("/__test__/offers"), nullptr, false);
  CHECK(offers.size() == 3);
}

TEST_CASE("daemon --once and push exit 2 when movements wait for a retry, 0 once delivered") {
  TestStore store;
  passerelle::testing::TestServer lba("lba_server.py");
  const fs::path config = lbaPartnerConfig(store, lba, 2);
  // Every write fails with 500: the imports work, the movements wait.
  lba.post("/__test__/faults", R"({"mode":"500","count":1000,"methods":["POST"]})");
  CHECK(runOnce(config, store.dir() / "daemon.log") == 2);
  CHECK(store.count("SELECT count(*) FROM offers WHERE status = 'active'") == 2);
  CHECK(store.count("SELECT count(*) FROM outbox_movements WHERE destination = 'lba'"
                    " AND state = 'pending'") == 2);
  // The service is back: `push` delivers (backoff skipped here) and exits 0.
  lba.post("/__test__/faults", R"({"clear":true})");
  store.scalar("UPDATE outbox_movements SET next_attempt_at = NULL RETURNING 1");
  const std::string push = std::string(PASSERELLE_BINARY) + " push --config " + config.string() +
                           " >" + (store.dir() / "push.log").string() + " 2>&1";
  const int status = std::system(push.c_str());
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(store.count("SELECT count(*) FROM outbox_movements WHERE destination = 'lba'"
                    " AND state = 'sent'") == 2);
}

TEST_CASE("daemon: watchdog pings come from the live loop while it runs") {
  TestStore store;
  const fs::path drop = store.dir() / "drop";
  fs::create_directories(drop);
  ConfigText c(store, store.dir() / "state", "http = \"\"\n");
  c.partner(filePartner("cfa-dog", "ymag", drop));
  const fs::path config = store.dir() / "passerelle.toml";
  writeText(config, c.text);
  NotifySocket notify(store.dir() / "notify.sock");
  // systemd's WatchdogSec=0.4s: a ping at least every 0.2 s.
  Daemon d(config, false, store.dir() / "daemon.log",
           {"NOTIFY_SOCKET=" + (store.dir() / "notify.sock").string(), "WATCHDOG_USEC=400000"});
  REQUIRE(waitFor(
      [&] {
        notify.drain();
        return notify.has("READY=1") || !d.running();
      },
      20s));
  REQUIRE(d.running());
  std::this_thread::sleep_for(2s);
  notify.drain();
  const auto pings = std::count(notify.messages.begin(), notify.messages.end(), "WATCHDOG=1");
  CHECK(pings >= 5);
  d.signal(SIGTERM);
  CHECK(d.wait(10s) == 0);
}

// Issue 11 item 3: SIGTERM is heard by every wait, and nothing is sent after it.

// Adds `keys` to the [daemon] table of a configuration written by lbaPartnerConfig.
void addDaemonKeys(const fs::path& config, const std::string& keys) {
  std::string text = slurp(config);
  const std::string table = "[daemon]\n";
  const auto at = text.find(table);
  REQUIRE(at != std::string::npos);
  text.insert(at + table.size(), keys);
  writeText(config, text);
}

nlohmann::json lbaStats(const passerelle::testing::TestServer& lba) {
  return nlohmann::json::parse(lba.get("/__test__/stats"), nullptr, false);
}

long lbaMovements(TestStore& store, const std::string& where) {
  return store.count("SELECT count(*) FROM outbox_movements WHERE destination = 'lba' AND " +
                     where);
}

TEST_CASE("daemon: SIGTERM during a Retry-After pause of 300 s exits at once, work left pending") {
  TestStore store;
  passerelle::testing::TestServer lba("lba_server.py");
  // The service takes one write a minute and asks to wait 300 s after that.
  lba.post("/__test__/config", R"({"write_quota":1,"retry_after":300})");
  const fs::path config = lbaPartnerConfig(store, lba, 3);
  addDaemonKeys(config, "poll_interval = \"2s\"\nhttp = \"\"\n");
  Daemon d(config, false, store.dir() / "daemon.log");
  // One write accepted, the next refused with Retry-After: 300; the third
  // movement then waits for the pause.
  REQUIRE(
      waitFor([&] { return lbaStats(lba).value("rate_limited", 0) >= 1 || !d.running(); }, 60s));
  REQUIRE(d.running());
  std::this_thread::sleep_for(500ms);
  const auto requests = lbaStats(lba).value("requests", -1);
  d.signal(SIGTERM);
  CHECK(d.wait(10s) == 0);  // a 300 s pause would end in SIGKILL under systemd
  INFO(d.log());
  CHECK(lbaStats(lba).value("requests", -2) == requests);  // nothing sent after the stop
  CHECK(lbaMovements(store, "state = 'sent'") == 1);
  CHECK(lbaMovements(store, "state = 'failed'") == 0);
  // Pending, and no attempt counted for the 429 nor for the stop.
  CHECK(lbaMovements(store, "state = 'pending' AND attempts = 0") == 2);
  CHECK(d.log().find("stopped") != std::string::npos);
}

TEST_CASE("daemon: SIGTERM while lba is slow to answer abandons the request at once") {
  TestStore store;
  passerelle::testing::TestServer lba("lba_server.py");
  // Every write is answered after 60 s (the client's timeout is 15 s).
  lba.post("/__test__/faults", R"({"mode":"slow","delay":60,"count":1000,"methods":["POST"]})");
  const fs::path config = lbaPartnerConfig(store, lba, 2);
  addDaemonKeys(config, "poll_interval = \"2s\"\nhttp = \"\"\n");
  Daemon d(config, false, store.dir() / "daemon.log");
  REQUIRE(waitFor([&] { return lbaStats(lba).value("faults", 0) >= 1 || !d.running(); }, 60s));
  REQUIRE(d.running());
  std::this_thread::sleep_for(500ms);
  d.signal(SIGTERM);
  CHECK(d.wait(10s) == 0);  // well before the 15 s timeout, let alone the answer
  INFO(d.log());
  CHECK(lbaStats(lba).value("faults", -1) == 1);  // the second write was never sent
  CHECK(lbaMovements(store, "state = 'failed'") == 0);
  CHECK(lbaMovements(store, "state = 'pending' AND attempts = 0") == 2);
  // The abandoned write may have been applied: its offer is possibly present.
  CHECK(store.count("SELECT count(*) FROM destination_offers WHERE destination = 'lba'"
                    " AND possibly_present") == 1);
}

TEST_CASE("daemon: SIGTERM while an FTPS server stays silent ends the poll at once") {
  TestStore store;
  // Accepts the connection and never greets: the login would wait for the
  // server's timeouts (30 s and more).
  passerelle::testing::TestServer silent("silent_server.py");
  const fs::path config = store.dir() / "passerelle.toml";
  ConfigText c(store, store.dir() / "state", "poll_interval = \"2s\"\nhttp = \"\"\n");
  c.partner(ftpPartner("cfa-silent", "ymag",
                       "ftp://127.0.0.1:" + std::to_string(silent.port()) + "/in/", "explicit"));
  writeText(config, c.text);
  Daemon d(config, false, store.dir() / "daemon.log");
  REQUIRE(waitFor([&] { return d.log().find("store ready") != std::string::npos || !d.running(); },
                  60s));
  REQUIRE(d.running());
  std::this_thread::sleep_for(4s);  // the first poll has started: it waits for the greeting
  d.signal(SIGTERM);
  CHECK(d.wait(10s) == 0);
  INFO(d.log());
  // The poll, and possibly the partner's état des offres written at start
  // (to the same silent server), were in flight.
  CHECK(d.log().find("polls_in_flight=") != std::string::npos);
  CHECK(d.log().find("polls_in_flight=0") == std::string::npos);
  CHECK(d.log().find("poll abandoned, stopping") != std::string::npos);
  // Not recorded as the partner's failure.
  CHECK(store.count("SELECT count(*) FROM partner_polls WHERE outcome = 'failed'") == 0);
}

// Issue 11 item 8: an lba outage logs a bounded number of lines per push,
// whatever the number of offers (it used to be two lines an offer).
TEST_CASE("daemon --once: lba down logs a few lines per push, not lines per offer") {
  TestStore store;
  passerelle::testing::TestServer lba("lba_server.py");
  lba.post("/__test__/faults", R"({"mode":"500","count":100000})");
  const fs::path config = lbaPartnerConfig(store, lba, 40);
  CHECK(runOnce(config, store.dir() / "daemon.log") == 2);  // movements wait for a retry
  CHECK(lbaMovements(store, "state = 'pending'") == 40);
  const std::string log = slurp(store.dir() / "daemon.log");
  INFO(log);
  std::istringstream lines(log);
  std::string line;
  int lba_lines = 0;
  bool summary = false;
  while (std::getline(lines, line)) {
    if (line.find("lba") == std::string::npos) continue;
    ++lba_lines;
    // --once sends one batch (30): its movements wait, the rest were not claimed.
    summary |= line.find("movements_to_retry=30") != std::string::npos;
  }
  CHECK(summary);  // one warning with the counts
  CHECK(lba_lines <= 4);
}

// Issue 11 item 4: the protocol trace of every curl client, with no secret.
TEST_CASE("daemon --once with protocol_trace: FTPS, lba and France Travail traced, no secret") {
  TestStore store;
  const std::string lba_key = "Key-Of-Lba-5150";
  const std::string ft_password = "Pw-Of-Ft-8086";
  passerelle::testing::TestServer lba("lba_server.py", {"--keys", lba_key});
  passerelle::testing::TestServer ft("france_travail_server.py", {"--password", ft_password});
  const std::string local = ftp_test::makeFtpFolder("bin-trace");
  ftp_test::writeFtpFile(local + "/YMAG_cfa-trace_20260302060000.csv",
                         store_test::ymagFile(store_test::ymagRows(1, 2)));
  const fs::path lba_key_file = store.dir() / "lba.key";
  const fs::path ft_password_file = store.dir() / "ft.password";
  writeText(lba_key_file, lba_key + "\n");
  writeText(ft_password_file, ft_password + "\n");
  for (const auto& f : {lba_key_file, ft_password_file})
    fs::permissions(f, fs::perms::owner_read | fs::perms::owner_write);
  const fs::path state = store.dir() / "state";
  ConfigText c(store, state, "protocol_trace = true\nhttp = \"\"\n");
  c.partner(ftpPartner("cfa-trace", "ymag",
                       ftpEnv("PASSERELLE_TEST_FTP_EXPLICIT_URL") + "bin-trace/", "explicit"));
  c.text += "[destination.lba]\nenabled = true\nurl = " + toml(lba.url()) +
            "\napi_key_file = " + toml(lba_key_file.string()) +
            "\n\n[destination.france_travail]\nenabled = true\nmode = \"upload\"\nurl = " +
            toml(ft.url() + "/partenaire/depotcurl") +
            "\nlogin = \"partenaire\"\npassword_file = " + toml(ft_password_file.string()) +
            "\nfeed = \"FLUXTEST\"\npartner_key = \"BRETAGNEALTERNANCE\""
            "\npartner_name = \"Bretagne Alternance\"\n";
  const fs::path config = store.dir() / "passerelle.toml";
  writeText(config, c.text);
  const fs::path log_file = store.dir() / "daemon.log";  // stdout and stderr
  CHECK(runOnce(config, log_file) == 0);
  const std::string log = slurp(log_file);
  // Every exchange was traced...
  CHECK(log.find("curl ftps: > PASS ***") != std::string::npos);
  CHECK(log.find("curl lba: > Authorization: ***") != std::string::npos);
  CHECK(log.find("curl france-travail: > POST /partenaire/depotcurl") != std::string::npos);
  CHECK(store.count("SELECT count(*) FROM outbox_movements WHERE state = 'sent'") == 4);
  // ...and no secret is anywhere: the output, the state directory (archives,
  // spool), the remote reports.
  std::string ftp_password = slurp(ftpEnv("PASSERELLE_TEST_FTP_PASSWORD_FILE"));
  while (!ftp_password.empty() && ftp_password.back() == '\n') ftp_password.pop_back();
  REQUIRE(ftp_password.size() >= 8);
  std::vector<fs::path> outputs = {log_file};
  for (const auto& dir : {state, fs::path(local)})
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file() && e.path().string().find("postgresql") == std::string::npos)
        outputs.push_back(e.path());
  for (const fs::path& p : outputs) {
    const std::string text = slurp(p);
    INFO(p.string());
    CHECK(text.find(ftp_password) == std::string::npos);
    CHECK(text.find(lba_key) == std::string::npos);
    CHECK(text.find(ft_password) == std::string::npos);
  }
}
