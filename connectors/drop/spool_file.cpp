#include "connectors/drop/spool_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace passerelle::connectors {

namespace {
std::string errnoText(int err) {
  return std::strerror(err);
}
}  // namespace

SpoolFile::SpoolFile(std::string final_path, std::uint64_t max_bytes)
    : final_path_(std::move(final_path)), temp_path_(final_path_ + ".part"), max_bytes_(max_bytes) {
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd_ < 0) {
    throw DropFolderError(DropFolderError::Kind::kLocal,
                          "cannot create spool file " + temp_path_ + ": " + errnoText(errno));
  }
  try {
    sha_ = std::make_unique<Sha256>();
  } catch (const std::runtime_error&) {
    abort();
    throw DropFolderError(DropFolderError::Kind::kLocal, "SHA-256 unavailable");
  }
}

SpoolFile::~SpoolFile() {
  abort();
}

bool SpoolFile::append(std::string_view bytes) {
  if (fd_ < 0) return false;
  if (bytes.size() > max_bytes_ || size_ > max_bytes_ - bytes.size()) {
    too_large_ = true;
    error_ = "file larger than " + std::to_string(max_bytes_) + " bytes";
    return false;
  }
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = "cannot write spool file " + temp_path_ + ": " + errnoText(errno);
      return false;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  sha_->update(bytes);
  size_ += bytes.size();
  return true;
}

DownloadResult SpoolFile::commit() {
  if (fd_ < 0) throw DropFolderError(DropFolderError::Kind::kLocal, "spool file already closed");
  if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
    int err = errno;
    fd_ = -1;
    ::unlink(temp_path_.c_str());
    throw DropFolderError(DropFolderError::Kind::kLocal,
                          "cannot complete spool file " + temp_path_ + ": " + errnoText(err));
  }
  fd_ = -1;
  if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    int err = errno;
    ::unlink(temp_path_.c_str());
    throw DropFolderError(DropFolderError::Kind::kLocal,
                          "cannot rename spool file to " + final_path_ + ": " + errnoText(err));
  }
  return DownloadResult{final_path_, size_, sha_->finishHex()};
}

void SpoolFile::abort() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
    ::unlink(temp_path_.c_str());
  }
}

}  // namespace passerelle::connectors
