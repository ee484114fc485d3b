// EmbeddedPostgres: the store's private PostgreSQL (embedded_postgres.h).
#include "daemon/store/embedded_postgres.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "connectors/url/percent_encode.h"
#include "daemon/config/config.h"
#include "daemon/config/secrets.h"
#include "daemon/store/store_connection.h"

namespace passerelle::daemon {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDatabase = "passerelle";
constexpr const char* kRole = "passerelle";
// Only a socket file name: there is no TCP listener, so the port cannot
// collide with another server; it is fixed so that PGPORT cannot move it.
constexpr const char* kPort = "5432";

std::string errnoText(int err) {
  return std::strerror(err);
}

// Closes a file descriptor when leaving the scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

struct RunAs {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
  std::string home;
};

struct Outcome {
  int exit_code = -1;  // -1: killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// The child's environment: the caller's, minus the PG* variables (PGPORT,
// PGHOST, PGDATA... would redirect the programs elsewhere: the embedded
// server's settings are all explicit) and NOTIFY_SOCKET (the postmaster
// speaks sd_notify when it finds one, and systemd accepts only the daemon's
// own messages: it logs a refusal at every start and stop), and with the
// identity of the account switched to, if any.
std::vector<std::string> childEnvironment(const connectors::Host& host, const RunAs& as) {
  std::vector<std::string> env;
  for (std::string& entry : host.environment()) {
    if (entry.rfind("PG", 0) == 0 || entry.rfind("NOTIFY_SOCKET=", 0) == 0) continue;
    if (as.switch_user && (entry.rfind("HOME=", 0) == 0 || entry.rfind("USER=", 0) == 0 ||
                           entry.rfind("LOGNAME=", 0) == 0)) {
      continue;
    }
    env.push_back(std::move(entry));
  }
  if (as.switch_user) {
    env.push_back("HOME=" + as.home);
    env.push_back("USER=" + as.name);
    env.push_back("LOGNAME=" + as.name);
  }
  return env;
}

// NULL-terminated pointers into `strings`, for execve().
std::vector<char*> pointerArray(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const auto& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// The child's end when a step before exec fails: the reason on its stderr
// (the captured output), exit 127 as a shell's.
[[noreturn]] void failChild(const char* what) {
  const char* msg = std::strerror(errno);
  (void)!::write(2, what, std::strlen(what));
  (void)!::write(2, ": ", 2);
  (void)!::write(2, msg, std::strlen(msg));
  (void)!::write(2, "\n", 1);
  ::_exit(127);
}

// What the child does between fork() and exec: only async-signal-safe calls
// (the parent may have other threads), everything prepared beforehand.
[[noreturn]] void execChild(char* const argv[], char* const envp[], const char* cwd,
                            const RunAs& as, int stdin_fd, int output_fd) {
  if (::dup2(stdin_fd, 0) < 0 || ::dup2(output_fd, 1) < 0 || ::dup2(output_fd, 2) < 0) {
    failChild("dup2");
  }
  // No descriptor of ours (store connections, the HTTP listener...) may
  // leak into a server that outlives this process.
  ::close_range(3, ~0U, 0);
  // Own session: a Ctrl-C on the terminal of a `passerelle` command must not
  // reach the server, which is shared with later commands.
  ::setsid();
  // The daemon may block or ignore signals (SIGPIPE, or signals handled by a
  // dedicated thread); the server must get the default ones, or pg_ctl stop
  // could not stop it.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig : {SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2}) {
    ::sigaction(sig, &dfl, nullptr);
  }
  if (as.switch_user) {
    if (::setgroups(1, &as.gid) != 0) failChild("setgroups");
    if (::setgid(as.gid) != 0) failChild("setgid");
    if (::setuid(as.uid) != 0) failChild("setuid");
  }
  if (::chdir(cwd) != 0) failChild("chdir");
  ::execve(argv[0], argv, envp);
  failChild(argv[0]);
}

// Reads the child's output until it closes it, then waits for its end.
Outcome collectChild(pid_t pid, int output_fd) {
  Outcome outcome;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(output_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    // Bounded: a runaway program must not exhaust memory; the end matters.
    outcome.output.append(buf, static_cast<std::size_t>(n));
    if (outcome.output.size() > 256 * 1024) outcome.output.erase(0, 128 * 1024);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw EmbeddedPostgresError("waitpid: " + errnoText(errno));
  }
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

// Runs a program and waits for it, its stdout and stderr captured together.
// fork/exec rather than posix_spawn because the child may have to drop root
// privileges first.
Outcome run(const connectors::Host& host, const std::vector<std::string>& args, const RunAs& as,
            const fs::path& cwd) {
  const std::vector<char*> argv = pointerArray(args);
  const std::vector<std::string> env = childEnvironment(host, as);
  const std::vector<char*> envp = pointerArray(env);
  const std::string cwd_string = cwd.string();

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    throw EmbeddedPostgresError("pipe: " + errnoText(errno));
  }
  Fd read_end(pipe_fds[0]);
  Fd write_end(pipe_fds[1]);
  Fd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (dev_null.get() < 0) throw EmbeddedPostgresError("/dev/null: " + errnoText(errno));

  pid_t pid = ::fork();
  if (pid < 0) throw EmbeddedPostgresError("fork: " + errnoText(errno));
  if (pid == 0) {
    execChild(argv.data(), envp.data(), cwd_string.c_str(), as, dev_null.get(), write_end.get());
  }
  // Release the write end now, so that EOF comes when the child is done.
  write_end.reset();
  return collectChild(pid, read_end.get());
}

std::string lastLines(const std::string& text, int count) {
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' ')) trimmed.pop_back();
  std::size_t pos = trimmed.size();
  for (int i = 0; i < count && pos != std::string::npos && pos > 0; ++i) {
    pos = trimmed.rfind('\n', pos - 1);
  }
  return pos == std::string::npos || pos == 0 ? trimmed : trimmed.substr(pos + 1);
}

std::string tailOfFile(const fs::path& file, int count) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff from = std::max<std::streamoff>(0, size - 8192);
  in.seekg(from);
  std::ostringstream out;
  out << in.rdbuf();
  return lastLines(out.str(), count);
}

// PostgreSQL's configuration syntax: a single-quoted string.
std::string confQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

RunAs toRunAs(const connectors::Host& host, bool switch_user, unsigned uid, unsigned gid,
              const std::string& name) {
  RunAs as;
  as.switch_user = switch_user;
  as.uid = uid;
  as.gid = gid;
  as.name = name;
  as.home = "/";
  if (switch_user) {
    if (auto account = host.account(uid); account && !account->home.empty())
      as.home = account->home;
  }
  return as;
}

void chownIfNeeded(const fs::path& path, bool switch_user, unsigned uid, unsigned gid) {
  if (!switch_user) return;
  if (::chown(path.c_str(), uid, gid) != 0) {
    throw EmbeddedPostgresError("chown " + path.string() + ": " + errnoText(errno));
  }
}

void makePrivateDir(const fs::path& path, bool switch_user, unsigned uid, unsigned gid) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) throw EmbeddedPostgresError("cannot create " + path.string() + ": " + ec.message());
  chownIfNeeded(path, switch_user, uid, gid);
  if (::chmod(path.c_str(), 0700) != 0) {
    throw EmbeddedPostgresError("chmod " + path.string() + ": " + errnoText(errno));
  }
}

}  // namespace

EmbeddedPostgres::EmbeddedPostgres(const connectors::Host& host, fs::path state_dir,
                                   fs::path bin_dir)
    : host_(host),
      state_dir_(fs::absolute(state_dir)),
      bin_dir_(bin_dir.empty() ? fs::path() : std::move(bin_dir)),
      dir_(state_dir_ / "postgresql") {}

fs::path EmbeddedPostgres::findBinDir() {
  const fs::path preferred = "/usr/lib/postgresql/15/bin";
  std::error_code ec;
  if (fs::exists(preferred / "initdb", ec)) return preferred;
  // Debian installs each major version side by side: take the newest.
  int best_version = -1;
  fs::path best;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789.") != std::string::npos) continue;
    int version = std::atoi(name.c_str());
    if (version > best_version && fs::exists(entry.path() / "bin" / "initdb", ec)) {
      best_version = version;
      best = entry.path() / "bin";
    }
  }
  if (best.empty()) {
    throw EmbeddedPostgresError(
        "embedded store: no PostgreSQL server programs in /usr/lib/postgresql/*/bin "
        "(install postgresql, or set store.url to an existing server)");
  }
  return best;
}

std::string EmbeddedPostgres::connectionUri() const {
  return std::string("postgresql:///") + kDatabase +
         "?host=" + connectors::percentEncode(socketDir().string()) + "&port=" + kPort +
         "&user=" + kRole;
}

void EmbeddedPostgres::chooseAccount() {
  account_ = Account{};
  if (host_.effectiveUserId() != 0) return;
  // PostgreSQL refuses to run as root. Keep the owner of an existing cluster,
  // so that a change of the system's users does not strand the data.
  struct stat st {};
  if (::stat((dir_ / "data").c_str(), &st) == 0 && st.st_uid != 0) {
    account_.switch_user = true;
    account_.uid = st.st_uid;
    account_.gid = st.st_gid;
    const auto owner = host_.account(static_cast<unsigned>(st.st_uid));
    account_.name = owner ? owner->name : std::to_string(st.st_uid);
    return;
  }
  for (const char* name : {"postgres", "nobody"}) {
    if (const auto account = host_.account(std::string(name))) {
      account_.switch_user = true;
      account_.uid = account->uid;
      account_.gid = account->gid;
      account_.name = name;
      return;
    }
  }
  throw EmbeddedPostgresError(
      "embedded store: running as root and neither a 'postgres' nor a 'nobody' account "
      "exists to run PostgreSQL");
}

void EmbeddedPostgres::prepareDirectories() {
  std::error_code ec;
  fs::create_directories(state_dir_, ec);
  if (ec) throw EmbeddedPostgresError("cannot create " + state_dir_.string() + ": " + ec.message());
  makePrivateDir(dir_, account_.switch_user, account_.uid, account_.gid);
  makePrivateDir(dir_ / "run", account_.switch_user, account_.uid, account_.gid);
  makePrivateDir(dir_ / "log", account_.switch_user, account_.uid, account_.gid);
  if (!account_.switch_user) return;
  // The server's account must be able to traverse down to its directory.
  // state_dir is ours: allow traversal there (search only, no listing);
  // above it, changing modes is not ours to do, so say what is wrong.
  struct stat st {};
  if (::stat(state_dir_.c_str(), &st) == 0 && (st.st_mode & S_IXOTH) == 0 &&
      st.st_uid != account_.uid) {
    ::chmod(state_dir_.c_str(), (st.st_mode & 07777) | S_IXOTH);
  }
  for (fs::path p = state_dir_.parent_path(); !p.empty(); p = p.parent_path()) {
    if (::stat(p.c_str(), &st) == 0 && (st.st_mode & S_IXOTH) == 0 && st.st_uid != account_.uid &&
        !(st.st_gid == account_.gid && (st.st_mode & S_IXGRP))) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      throw EmbeddedPostgresError("embedded store: the '" + account_.name +
                                  "' account that runs PostgreSQL cannot reach " + p.string() +
                                  " (mode " + mode +
                                  "); allow traversal (chmod o+x) or move "
                                  "daemon.state_dir");
    }
    if (p == p.parent_path()) break;
  }
}

int EmbeddedPostgres::pgCtl(const std::vector<std::string>& args, std::string* output) {
  std::vector<std::string> argv = {(bin_dir_ / "pg_ctl").string(), "-D", (dir_ / "data").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  Outcome outcome =
      run(host_, argv,
          toRunAs(host_, account_.switch_user, account_.uid, account_.gid, account_.name), dir_);
  if (output) *output = outcome.output;
  return outcome.exit_code;
}

void EmbeddedPostgres::initCluster() {
  const fs::path data = dir_ / "data";
  std::error_code ec;
  if (fs::exists(data / "PG_VERSION", ec)) return;
  if (fs::exists(data, ec) && !fs::is_empty(data, ec)) {
    throw EmbeddedPostgresError("embedded store: " + data.string() +
                                " exists but holds no cluster (an interrupted initdb?); move it "
                                "away and start again");
  }
  // --no-locale: C collation, the same on every machine, and no dependency
  // on the locales installed.
  Outcome outcome =
      run(host_,
          {(bin_dir_ / "initdb").string(), "-D", data.string(), "-U", kRole, "--auth=trust", "-E",
           "UTF8", "--no-locale", "--no-instructions"},
          toRunAs(host_, account_.switch_user, account_.uid, account_.gid, account_.name), dir_);
  if (outcome.exit_code != 0) {
    throw EmbeddedPostgresError("embedded store: initdb " + data.string() + " failed (exit " +
                                std::to_string(outcome.exit_code) +
                                "): " + lastLines(outcome.output, 5));
  }
  // Our settings live in their own file, rewritten at every start; the
  // cluster's own postgresql.conf only includes it.
  std::ofstream conf(data / "postgresql.conf", std::ios::app);
  conf << "\n# passerelle: the embedded store's settings.\ninclude_if_exists = 'passerelle.conf'\n";
  if (!conf) throw EmbeddedPostgresError("cannot write " + (data / "postgresql.conf").string());
}

void EmbeddedPostgres::writeSettings() {
  const fs::path file = dir_ / "data" / "passerelle.conf";
  const fs::path tmp = dir_ / "data" / "passerelle.conf.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "# Written by passerelle at every start of the embedded store; edits are lost.\n"
        << "listen_addresses = ''\n"
        << "port = " << kPort << "\n"
        << "unix_socket_directories = " << confQuote(socketDir().string()) << "\n"
        << "unix_socket_permissions = 0700\n"
        // The service runs with MemoryDenyWriteExecute, which LLVM's JIT
        // needs to break; our queries gain nothing from it anyway.
        << "jit = off\n";
    if (!out) throw EmbeddedPostgresError("cannot write " + tmp.string());
  }
  chownIfNeeded(tmp, account_.switch_user, account_.uid, account_.gid);
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) throw EmbeddedPostgresError("cannot write " + file.string() + ": " + ec.message());
}

bool EmbeddedPostgres::running() {
  if (bin_dir_.empty()) bin_dir_ = findBinDir();
  std::error_code ec;
  if (!fs::exists(dir_ / "data" / "PG_VERSION", ec)) return false;
  if (account_.name.empty() && host_.effectiveUserId() == 0) chooseAccount();
  std::string output;
  int code = pgCtl({"status"}, &output);
  if (code == 0) return true;
  if (code == 3 || code == 4) return false;  // not running; no cluster
  throw EmbeddedPostgresError("embedded store: pg_ctl status failed (exit " + std::to_string(code) +
                              "): " + lastLines(output, 3));
}

void EmbeddedPostgres::ensureDatabase() {
  const RunAs as = toRunAs(host_, account_.switch_user, account_.uid, account_.gid, account_.name);
  const std::string host = socketDir().string();
  Outcome query =
      run(host_,
          {(bin_dir_ / "psql").string(), "-X", "-A", "-t", "-q", "-h", host, "-p", kPort, "-U",
           kRole, "-d", "postgres", "-c",
           std::string("SELECT 1 FROM pg_database WHERE datname = '") + kDatabase + "'"},
          as, dir_);
  if (query.exit_code != 0) {
    throw EmbeddedPostgresError("embedded store: cannot query the server (see " +
                                logFile().string() + "): " + lastLines(query.output, 3));
  }
  if (query.output.find('1') != std::string::npos) return;
  Outcome create = run(host_,
                       {(bin_dir_ / "createdb").string(), "-h", host, "-p", kPort, "-U", kRole,
                        "-E", "UTF8", kDatabase},
                       as, dir_);
  if (create.exit_code != 0) {
    throw EmbeddedPostgresError("embedded store: createdb " + std::string(kDatabase) +
                                " failed (see " + logFile().string() +
                                "): " + lastLines(create.output, 3));
  }
}

std::string EmbeddedPostgres::start() {
  if (bin_dir_.empty()) bin_dir_ = findBinDir();
  chooseAccount();
  prepareDirectories();

  // One starter at a time: the daemon and a timer-run command may both find
  // the server stopped.
  const fs::path lock_path = dir_ / "start.lock";
  Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (lock.get() < 0) {
    throw EmbeddedPostgresError("cannot open " + lock_path.string() + ": " + errnoText(errno));
  }
  while (::flock(lock.get(), LOCK_EX) != 0) {
    if (errno != EINTR) {
      throw EmbeddedPostgresError("cannot lock " + lock_path.string() + ": " + errnoText(errno));
    }
  }

  initCluster();
  if (!running()) {
    // The socket's path must fit in sockaddr_un.
    const std::string socket_file = socketDir().string() + "/.s.PGSQL." + kPort;
    if (socket_file.size() >= sizeof(sockaddr_un{}.sun_path)) {
      throw EmbeddedPostgresError("embedded store: socket path " + socket_file +
                                  " is longer than " +
                                  std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                                  " bytes; choose a shorter daemon.state_dir");
    }
    writeSettings();
    std::string output;
    int code = pgCtl({"-l", logFile().string(), "-w", "-t", "120", "-s", "start"}, &output);
    if (code != 0) {
      std::string detail = tailOfFile(logFile(), 5);
      if (detail.empty()) detail = lastLines(output, 5);
      throw EmbeddedPostgresError("embedded store: PostgreSQL did not start (exit " +
                                  std::to_string(code) + "; see " + logFile().string() +
                                  "): " + detail);
    }
  }
  ensureDatabase();
  return connectionUri();
}

void EmbeddedPostgres::stop() {
  if (bin_dir_.empty()) bin_dir_ = findBinDir();
  chooseAccount();
  if (!running()) return;
  std::string output;
  int code = pgCtl({"-m", "fast", "-w", "-t", "120", "-s", "stop"}, &output);
  if (code != 0 && running()) {
    throw EmbeddedPostgresError("embedded store: pg_ctl stop failed (exit " + std::to_string(code) +
                                "; see " + logFile().string() + "): " + lastLines(output, 3));
  }
}

std::string resolveStoreUrl(const Config& config, const connectors::Host& host) {
  if (config.store.url != "embedded") {
    if (config.store.password_file.empty()) return config.store.url;
    // Read like every other secret (credentials directory first); a refused
    // login then names the file (store_connection.h).
    return withStorePassword(config.store.url, readSecret(host, config.store.password_file),
                             config.store.password_file);
  }
  if (config.daemon.state_dir.empty()) {
    throw EmbeddedPostgresError("embedded store: daemon.state_dir is not set");
  }
  EmbeddedPostgres server(host, config.daemon.state_dir);
  return server.start();
}

}  // namespace passerelle::daemon
