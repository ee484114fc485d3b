// FtpsDropFolder: a drop folder on an FTP server, over libcurl (see
// drop_folder.h for the behaviour shared with file://).
//
// TLS: ftps:// is implicit TLS; ftp:// with DropTls::kExplicit sends AUTH TLS
// and requires TLS on the control AND the data connections (PROT P); plain
// FTP only with DropTls::kNone. The server certificate is verified unless
// tls_verify is false (system CAs, or ca_file; optional pinned public key).
// Passive mode only (EPSV, then PASV).
//
// One curl easy handle serves every operation made through one object, so
// the control connection and its TLS session are kept for the whole poll and
// data connections resume that session, as vsftpd's require_ssl_reuse=YES
// demands. fresh_tls_session disables that resumption (for the rare server
// that breaks with it). The password is given to curl apart from the URL and
// never appears in a message (messages are scrubbed).
//
// Listing: MLSD when the server knows it (exact sizes and times, one round
// trip), else one LIST parsed as unix "ls -l" lines (or DOS lines); a LIST
// gives times to the minute only, with the year inferred from the Clock
// (times are taken as UTC, vsftpd's default); ftp_listing.h reads both. No
// per-file command is sent while listing: 1,000 files cost one LIST.
// isUnchanged() lists again and compares size and time (to the minute with
// LIST: a rewrite of the same size within the same minute is not seen).
// Moves: RNFR/RNTO after the subfolder's listing (so that an existing name
// gets a suffix instead of being overwritten) and MKD on first need. Reports:
// STOR to reports/.<name>.tmp, then RNFR/RNTO.
//
// Thread safety: NOT thread-safe (one curl handle); one thread at a time.
#pragma once

#include <map>
#include <set>
#include <string>

#include "connectors/drop/drop_folder.h"
#include "connectors/drop/ftp_listing.h"
#include "connectors/host/clock.h"

namespace passerelle::connectors {

class FtpsDropFolder final : public DropFolder {
 public:
  // Does not connect. `clock` must outlive the object.
  FtpsDropFolder(DropFolderSettings settings, const Clock& clock);
  ~FtpsDropFolder() override;
  FtpsDropFolder(const FtpsDropFolder&) = delete;
  FtpsDropFolder& operator=(const FtpsDropFolder&) = delete;

  std::vector<RemoteEntry> list() override;
  DownloadResult download(const std::string& name, const std::string& spool_path,
                          std::uint64_t max_bytes,
                          const std::atomic<bool>* cancel = nullptr) override;
  std::string moveTo(const std::string& name, const std::string& subfolder) override;
  bool isUnchanged(const RemoteEntry& listed, const std::string& sha256) override;
  void remove(const std::string& name) override;
  void writeReport(const std::string& file_name, std::string_view bytes) override;
  std::string describe() const override { return display_url_; }

  // Control connections opened so far (1 for a whole poll when the session
  // was kept; more after a reconnection). For tests and metrics.
  long connectionsOpened() const { return connections_; }
  // Whether the last listing used MLSD (false: LIST).
  bool usedMlsd() const { return mlsd_ == Mlsd::kYes; }

 private:
  enum class Mlsd { kUnknown, kYes, kNo };
  struct Op;

  void perform(Op& op);
  std::vector<RemoteEntry> listDirectory(const std::string& dir_url, bool* missing);
  std::string urlOf(const std::string& relative) const;
  std::string scrub(std::string text) const;

  DropFolderSettings settings_;
  const Clock& clock_;
  std::string base_url_;     // scheme://host[:port]/path/ (no credentials)
  std::string display_url_;  // the same, for messages
  void* curl_ = nullptr;     // CURL*
  long connections_ = 0;
  Mlsd mlsd_ = Mlsd::kUnknown;
  // Names known to be in done/ and failed/ during this object's life.
  std::map<std::string, std::set<std::string>> subfolder_names_;
};

}  // namespace passerelle::connectors
