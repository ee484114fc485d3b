#include "connectors/host/host.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

extern char** environ;

namespace passerelle::connectors {
namespace {

// Closes a descriptor on every way out, errors included.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// getpwuid_r/getpwnam_r rather than getpwuid/getpwnam: those share one
// static buffer, and a Host may be asked from several threads.
template <typename Lookup>
std::optional<Host::Account> lookupAccount(Lookup lookup) {
  long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::string buffer(size > 0 ? static_cast<std::size_t>(size) : 16384, '\0');
  for (;;) {
    passwd pw{};
    passwd* found = nullptr;
    int err = lookup(&pw, buffer.data(), buffer.size(), &found);
    if (err == ERANGE && buffer.size() < (1u << 20)) {
      buffer.resize(buffer.size() * 2);
      continue;
    }
    if (err != 0 || found == nullptr) return std::nullopt;
    return Host::Account{pw.pw_uid, pw.pw_gid, pw.pw_name ? pw.pw_name : "",
                         pw.pw_dir ? pw.pw_dir : ""};
  }
}

}  // namespace

std::optional<std::string> SystemHost::variable(const std::string& name) const {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::vector<std::string> SystemHost::environment() const {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) out.emplace_back(*e);
  return out;
}

unsigned SystemHost::effectiveUserId() const {
  return ::geteuid();
}

unsigned SystemHost::realUserId() const {
  return ::getuid();
}

std::optional<Host::Account> SystemHost::account(unsigned uid) const {
  return lookupAccount([uid](passwd* pw, char* buf, std::size_t size, passwd** found) {
    return ::getpwuid_r(uid, pw, buf, size, found);
  });
}

std::optional<Host::Account> SystemHost::account(const std::string& name) const {
  return lookupAccount([&name](passwd* pw, char* buf, std::size_t size, passwd** found) {
    return ::getpwnam_r(name.c_str(), pw, buf, size, found);
  });
}

std::optional<unsigned> SystemHost::ownerOf(const std::string& path) const {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<unsigned>(st.st_uid);
}

bool SystemHost::isRegularFile(const std::string& path) const {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

Host::FileRead SystemHost::readRegularFile(const std::string& path, std::size_t max_bytes) const {
  // O_NONBLOCK: a FIFO named as a secret must not hang the open.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) throw std::runtime_error(std::string("cannot open: ") + std::strerror(errno));
  // fstat on the open file, so that the file checked is the one read.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    throw std::runtime_error(std::string("cannot stat: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) throw std::runtime_error("not a regular file");
  FileRead file;
  file.mode = static_cast<unsigned>(st.st_mode & 07777);
  file.uid = static_cast<unsigned>(st.st_uid);
  file.gid = static_cast<unsigned>(st.st_gid);
  char buf[4096];
  while (file.content.size() <= max_bytes) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("cannot read: ") + std::strerror(errno));
    }
    if (n == 0) break;
    file.content.append(buf, static_cast<std::size_t>(n));
  }
  if (file.content.size() > max_bytes + 1) file.content.resize(max_bytes + 1);
  return file;
}

}  // namespace passerelle::connectors
