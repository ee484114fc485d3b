#include "connectors/drop/local_drop_folder.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "connectors/digest/sha256.h"
#include "connectors/drop/spool_file.h"

namespace passerelle::connectors {

namespace {

using Kind = DropFolderError::Kind;

std::string errnoText(int err) {
  return std::strerror(err);
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Clock::WallTime mtimeOf(const struct stat& st) {
  return Clock::WallTime(std::chrono::duration_cast<Clock::WallTime::duration>(
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
}

// The SHA-256 of the regular file `fd` reads; unset when it cannot be read.
std::optional<std::string> contentSha256(int fd) {
  Sha256 digest;
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    digest.update(std::string_view(buffer, static_cast<std::size_t>(n)));
  }
  return digest.finishHex();
}

void checkName(const std::string& where, const std::string& name) {
  if (!isSafeRemoteName(name)) {
    throw DropFolderError(Kind::kRefused, where + ": refusing an unsafe file name");
  }
}

}  // namespace

LocalDropFolder::LocalDropFolder(const std::string& url) {
  std::string path;
  if (url.rfind("file://", 0) == 0) {
    std::string rest = url.substr(7);
    // file://localhost/path is file:///path.
    if (rest.rfind("localhost/", 0) == 0) rest = rest.substr(9);
    for (std::size_t i = 0; i < rest.size(); ++i) {
      if (rest[i] == '%' && i + 2 < rest.size() && hexValue(rest[i + 1]) >= 0 &&
          hexValue(rest[i + 2]) >= 0) {
        path.push_back(static_cast<char>(hexValue(rest[i + 1]) * 16 + hexValue(rest[i + 2])));
        i += 2;
      } else {
        path.push_back(rest[i]);
      }
    }
  } else {
    path = url;
  }
  if (path.empty() || path.front() != '/' || path.find('\0') != std::string::npos) {
    throw DropFolderError(Kind::kRefused, "not a file:///absolute/path/ URL: " + url);
  }
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  dir_ = path;
}

std::vector<RemoteEntry> LocalDropFolder::list() {
  std::vector<RemoteEntry> out;
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) {
    throw DropFolderError(errno == ENOENT ? Kind::kNotFound : Kind::kConnect,
                          describe() + ": cannot list: " + errnoText(errno));
  }
  int dfd = ::dirfd(d);
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // vanished
    if (!S_ISREG(st.st_mode)) continue;
    RemoteEntry entry;
    entry.name = std::move(name);
    entry.size = static_cast<std::uint64_t>(st.st_size);
    entry.mtime = mtimeOf(st);
    out.push_back(std::move(entry));
  }
  ::closedir(d);
  return out;
}

DownloadResult LocalDropFolder::download(const std::string& name, const std::string& spool_path,
                                         std::uint64_t max_bytes, const std::atomic<bool>* cancel) {
  checkName(describe(), name);
  std::string source = dir_ + "/" + name;
  int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    // Unreadable (permissions, a link, too long...): this file's problem only.
    throw DropFolderError(err == ENOENT ? Kind::kNotFound : Kind::kRefused,
                          describe() + ": cannot open " + logName(name) + ": " + errnoText(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw DropFolderError(Kind::kRefused, describe() + ": not a regular file: " + logName(name));
  }
  SpoolFile spool(spool_path, max_bytes);
  char buffer[1 << 16];
  for (;;) {
    if (cancel != nullptr && cancel->load()) {
      ::close(fd);
      spool.abort();
      throw DropFolderError(Kind::kCancelled,
                            describe() + ": copy of " + logName(name) + " abandoned (stopping)");
    }
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      throw DropFolderError(Kind::kTransfer, describe() + ": reading " + logName(name) +
                                                 " failed: " + errnoText(err));
    }
    if (n == 0) break;
    if (!spool.append(std::string_view(buffer, static_cast<std::size_t>(n)))) {
      ::close(fd);
      throw DropFolderError(spool.tooLarge() ? Kind::kTooLarge : Kind::kLocal,
                            describe() + ": " + logName(name) + ": " + spool.error());
    }
  }
  ::close(fd);
  return spool.commit();
}

std::string LocalDropFolder::moveTo(const std::string& name, const std::string& subfolder) {
  checkName(describe(), name);
  checkName(describe(), subfolder);
  std::string target_dir = dir_ + "/" + subfolder;
  if (::mkdir(target_dir.c_str(), 0775) != 0 && errno != EEXIST) {
    throw DropFolderError(Kind::kRefused,
                          describe() + ": cannot create " + subfolder + "/: " + errnoText(errno));
  }
  std::string source = dir_ + "/" + name;
  for (int n = 0; n < 10000; ++n) {
    std::string target_name = n == 0 ? name : collisionName(name, n);
    std::string target = target_dir + "/" + target_name;
    if (::renameat2(AT_FDCWD, source.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) {
      return target_name;
    }
    if (errno == EEXIST) continue;
    int err = errno;
    throw DropFolderError(err == ENOENT ? Kind::kNotFound : Kind::kRefused,
                          describe() + ": cannot move " + logName(name) + " to " + subfolder +
                              "/: " + errnoText(err));
  }
  throw DropFolderError(Kind::kRefused, describe() + ": no free name for " + logName(name) +
                                            " in " + subfolder + "/");
}

bool LocalDropFolder::isUnchanged(const RemoteEntry& listed, const std::string& sha256) {
  checkName(describe(), listed.name);
  const std::string path = dir_ + "/" + listed.name;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT || errno == ELOOP) return false;
    throw DropFolderError(Kind::kRefused, describe() + ": cannot open " + logName(listed.name) +
                                              ": " + errnoText(errno));
  }
  struct stat st {};
  bool same = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              static_cast<std::uint64_t>(st.st_size) == listed.size && mtimeOf(st) == listed.mtime;
  if (same && !sha256.empty()) same = contentSha256(fd) == sha256;
  ::close(fd);
  return same;
}

void LocalDropFolder::remove(const std::string& name) {
  checkName(describe(), name);
  std::string path = dir_ + "/" + name;
  if (::unlink(path.c_str()) != 0) {
    int err = errno;
    throw DropFolderError(err == ENOENT ? Kind::kNotFound : Kind::kRefused,
                          describe() + ": cannot delete " + logName(name) + ": " + errnoText(err));
  }
}

void LocalDropFolder::writeReport(const std::string& file_name, std::string_view bytes) {
  checkName(describe(), file_name);
  std::string reports = dir_ + "/reports";
  if (::mkdir(reports.c_str(), 0775) != 0 && errno != EEXIST) {
    throw DropFolderError(Kind::kRefused,
                          describe() + ": cannot create reports/: " + errnoText(errno));
  }
  std::string temp = reports + "/" + boundedName("." + file_name, ".tmp");
  std::string target = reports + "/" + file_name;
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0664);
  if (fd < 0) {
    throw DropFolderError(Kind::kRefused, describe() + ": cannot write reports/" +
                                              logName(file_name) + ": " + errnoText(errno));
  }
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      throw DropFolderError(Kind::kRefused, describe() + ": cannot write reports/" +
                                                logName(file_name) + ": " + errnoText(err));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 || std::rename(temp.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    throw DropFolderError(Kind::kRefused, describe() + ": cannot write reports/" +
                                              logName(file_name) + ": " + errnoText(err));
  }
}

}  // namespace passerelle::connectors
