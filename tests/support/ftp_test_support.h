// FTP test support for the store tests: the test vsftpd servers started by
// tests/support/start-vsftpd (sourced by tests/run-all), seen from a test.
//
//  - ftpEnv(NAME): a PASSERELLE_TEST_FTP_* / _VSFTPD_* variable, or a failed
//    check (these tests must FAIL, never pass by skipping, when the servers
//    are missing);
//  - makeFtpFolder(NAME): a fresh subfolder of the FTP account's home, owned
//    by the account, so that the server may write done/ and reports/ in it;
//  - PrivateFtpServer: a vsftpd of our own (the explicit server's
//    configuration plus `-o` overrides such as local_max_rate), on a free
//    loopback port, killed with its session processes by stop() or at scope
//    exit.
//
// Thread safety: the functions are reentrant; a PrivateFtpServer belongs to
// the test that made it (stop() from that thread only).
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

extern char** environ;

namespace passerelle::ftp_test {

inline std::string ftpEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    FAIL_CHECK(std::string(name) << " is not set: run under tests/run-all, or `source "
                                    "tests/support/start-vsftpd` first");
    throw std::runtime_error(std::string("missing ") + name);
  }
  return v;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A fresh, empty subfolder `name` of the account's home; its local path.
inline std::string makeFtpFolder(const std::string& name) {
  std::string root = ftpEnv("PASSERELLE_TEST_FTP_ROOT");
  std::string path = root + "/" + name;
  std::filesystem::remove_all(path);
  std::filesystem::create_directory(path);
  struct stat st {};
  REQUIRE(::stat(root.c_str(), &st) == 0);
  REQUIRE(::chown(path.c_str(), st.st_uid, st.st_gid) == 0);
  return path;
}

// Writes a file into an FTP folder, owned by the account (so that the server
// may move or delete it).
inline void writeFtpFile(const std::string& path, const std::string& bytes) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  struct stat st {};
  REQUIRE(::stat(std::filesystem::path(path).parent_path().c_str(), &st) == 0);
  REQUIRE(::chown(path.c_str(), st.st_uid, st.st_gid) == 0);
}

inline int freeLoopbackPort() {
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

inline bool acceptsConnections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// `root` and every descendant (vsftpd's session processes leave its process
// group, so a group kill would miss them).
inline std::vector<pid_t> processTree(pid_t root) {
  std::vector<pid_t> out = {root};
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      std::string name = entry.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::string stat = slurp(entry.path() / "stat");
      auto close = stat.rfind(')');
      if (close == std::string::npos) continue;
      int ppid = 0;
      char state = 0;
      if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) == 2 && ppid == out[i])
        out.push_back(std::stoi(name));
    }
  }
  return out;
}

class PrivateFtpServer {
 public:
  explicit PrivateFtpServer(std::vector<std::string> overrides = {})
      : overrides_(std::move(overrides)) {
    start();
  }
  ~PrivateFtpServer() { stop(); }
  PrivateFtpServer(const PrivateFtpServer&) = delete;
  PrivateFtpServer& operator=(const PrivateFtpServer&) = delete;

  // Starts (again) on the same port, with new overrides when given.
  void start(std::optional<std::vector<std::string>> overrides = std::nullopt) {
    if (overrides) overrides_ = std::move(*overrides);
    if (port_ == 0) port_ = freeLoopbackPort();
    std::vector<std::string> args = {ftpEnv("PASSERELLE_TEST_VSFTPD_BIN"),
                                     ftpEnv("PASSERELLE_TEST_VSFTPD_CONF"),
                                     "-olisten_port=" + std::to_string(port_)};
    for (const auto& o : overrides_) args.push_back("-o" + o);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    REQUIRE(posix_spawn(&pid_, argv[0], nullptr, &attr, argv.data(), environ) == 0);
    posix_spawnattr_destroy(&attr);
    for (int i = 0; i < 50 && !acceptsConnections(port_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    REQUIRE(acceptsConnections(port_));
  }
  // Kills the server and its sessions (a server crash, as seen by clients).
  void stop() {
    if (pid_ > 0) {
      for (pid_t p : processTree(pid_)) ::kill(p, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  int port() const { return port_; }
  std::string url() const { return "ftp://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  std::vector<std::string> overrides_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace passerelle::ftp_test
