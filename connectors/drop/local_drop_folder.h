// LocalDropFolder: a drop folder on a local file system (file:///path/), for
// an FTP server running on the same host, or a demonstration. It behaves
// exactly as FtpsDropFolder does (see drop_folder.h): regular files only
// (symbolic links are never followed), subfolders created on need, no
// overwrite in done/ and failed/ (moves use renameat2(RENAME_NOREPLACE), so a
// concurrent writer cannot be overwritten either), reports written under a
// temporary name and renamed.
//
// Thread safety: as every DropFolder, one thread at a time. It holds no
// state besides its path, so distinct objects on the same folder may be used
// concurrently (the file system arbitrates).
#pragma once

#include <string>

#include "connectors/drop/drop_folder.h"

namespace passerelle::connectors {

class LocalDropFolder final : public DropFolder {
 public:
  // `url` is file:///absolute/path/ (percent-escapes decoded) or a plain
  // absolute path. Throws DropFolderError(kRefused) for anything else.
  explicit LocalDropFolder(const std::string& url);

  std::vector<RemoteEntry> list() override;
  DownloadResult download(const std::string& name, const std::string& spool_path,
                          std::uint64_t max_bytes,
                          const std::atomic<bool>* cancel = nullptr) override;
  std::string moveTo(const std::string& name, const std::string& subfolder) override;
  // Compares size and modification time, then reads the file again for its
  // SHA-256 (when `sha256` is given).
  bool isUnchanged(const RemoteEntry& listed, const std::string& sha256) override;
  void remove(const std::string& name) override;
  void writeReport(const std::string& file_name, std::string_view bytes) override;
  std::string describe() const override { return "file://" + dir_; }

  const std::string& path() const { return dir_; }

 private:
  std::string dir_;  // absolute, without trailing '/'
};

}  // namespace passerelle::connectors
