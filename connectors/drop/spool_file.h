// SpoolFile: a download being written into the daemon's spool.
//
// The bytes go to "<final path>.part" while the SHA-256 is computed on the
// fly; commit() flushes the file to disk and renames it to its final path.
// A SpoolFile destroyed (or abort()ed) before commit() removes the partial
// file, so that a failed transfer never leaves anything in the spool.
//
// Thread safety: not thread-safe; one transfer, one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "connectors/digest/sha256.h"
#include "connectors/drop/drop_folder.h"

namespace passerelle::connectors {

class SpoolFile {
 public:
  // Creates (truncates) the temporary file. Throws DropFolderError(kLocal).
  SpoolFile(std::string final_path, std::uint64_t max_bytes);
  ~SpoolFile();
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;

  // Appends bytes. Returns false (and writes nothing) when max_bytes would be
  // exceeded or the disk refused them; error() then says why.
  bool append(std::string_view bytes);
  bool tooLarge() const { return too_large_; }
  const std::string& error() const { return error_; }
  std::uint64_t size() const { return size_; }

  // Completes the file. Throws DropFolderError(kLocal) if it cannot.
  DownloadResult commit();
  void abort();

 private:
  std::string final_path_;
  std::string temp_path_;
  std::uint64_t max_bytes_;
  std::uint64_t size_ = 0;
  int fd_ = -1;
  bool too_large_ = false;
  std::string error_;
  std::unique_ptr<Sha256> sha_;
};

}  // namespace passerelle::connectors
