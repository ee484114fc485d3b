// DropFolder: a partner's drop folder (drop-folders.md), the place where its
// back office leaves its exports and reads the reports back.
//
// This is the seam between the daemon and the outside world: the daemon only
// sees this interface, the tests replace it. Two implementations behave the
// same way: LocalDropFolder (file://) and FtpsDropFolder (ftps://, ftp://
// with explicit TLS, or plain ftp:// with tls = none). openDropFolder() picks
// one from the URL's scheme.
//
// Only the folder itself is seen: list() returns regular files, never
// subfolders nor symbolic links, whatever their names (remote_name.h: the
// selection ignores a hostile or over-long name with a warning). Every
// operation that takes a name refuses a hostile one (isSafeRemoteName()) with
// DropFolderError: such names are never followed. done/, failed/ and reports/ are
// created on first need; nothing is ever overwritten in done/ or failed/ (a
// name already there gets a suffix, see moveTo()).
//
// One object is meant to live for one poll: FtpsDropFolder keeps one control
// connection (and its TLS session) for all the operations made through it,
// so that several transfers share one session (vsftpd's require_ssl_reuse).
// Destroying it closes the connection.
//
// Errors are DropFolderError exceptions; their messages name the folder (its
// URL without any credential) and the cause, never the password.
//
// Thread safety: a DropFolder is NOT thread-safe; one thread uses it at a
// time (the daemon's poll of that partner). Distinct objects are independent
// and may be used concurrently from different threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/drop/remote_name.h"
#include "connectors/host/clock.h"

namespace passerelle::connectors {

enum class DropTls {
  kImplicit,  // ftps://: TLS from the first byte
  kExplicit,  // ftp:// + AUTH TLS, TLS required on control and data
  kNone,      // plain ftp:// (warned about by the daemon), or file://
};

// What the connector needs of a partner's configuration. The daemon maps its
// PartnerConfig to this (and reads the password from its secret file).
struct DropFolderSettings {
  std::string url;  // ftps://host[:990]/path/, ftp://host[:21]/path/ or file:///path/
  DropTls tls = DropTls::kExplicit;
  std::string user;
  std::string password;            // the secret itself, already read; never logged
  std::string ca_file;             // empty: the system's CAs
  std::string pinned_pubkey;       // curl syntax "sha256//BASE64"; empty: none
  bool tls_verify = true;          // false for tests only
  bool fresh_tls_session = false;  // no TLS session reuse on data connections
  // FTP: TLS 1.2 is the ceiling unless this is set, because libcurl (7.88 to
  // 8.x) fails to resume the control connection's TLS 1.3 session on data
  // connections after a few transfers, which a server requiring session reuse
  // (vsftpd require_ssl_reuse=YES) refuses with 522.
  bool allow_tls13 = false;
  // libcurl's protocol trace on standard error, for debugging against a
  // server (the daemon sets it from $PASSERELLE_CURL_VERBOSE).
  bool protocol_trace = false;
  // Raised at SIGTERM (another thread may raise it; it must outlive the
  // folder): every operation in flight — login, listing, download, move —
  // ends at once with Kind::kCancelled instead of waiting for a slow or
  // silent server's timeouts.
  const std::atomic<bool>* stop = nullptr;
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(30);
  // Longest wait for any one reply of the server.
  std::chrono::milliseconds response_timeout = std::chrono::seconds(60);
  // A transfer slower than stall_floor_bytes_per_second for stall_period is
  // aborted.
  long stall_floor_bytes_per_second = 1024;
  std::chrono::seconds stall_period = std::chrono::seconds(60);
};

// One regular file of the folder, as listed.
struct RemoteEntry {
  std::string name;
  std::uint64_t size = 0;
  // Modification time. A plain FTP LIST only gives it to the minute (and the
  // year is inferred); MLSD and file:// give seconds or better. Unset when the
  // server gave nothing usable.
  std::optional<Clock::WallTime> mtime;

  bool operator==(const RemoteEntry&) const = default;
};

struct DownloadResult {
  std::string path;  // the spool file, complete
  std::uint64_t size = 0;
  std::string sha256;  // 64 lowercase hex digits
};

class DropFolderError : public std::runtime_error {
 public:
  enum class Kind {
    kConnect,    // cannot reach the server, TLS handshake or verification failed
    kLogin,      // the server refused the credentials
    kTransfer,   // a transfer was cut, timed out, or stalled
    kTooLarge,   // download(): more than max_bytes
    kNotFound,   // no such remote file
    kRefused,    // a hostile name, or an operation the server refused
    kLocal,      // the spool (local disk) failed
    kCancelled,  // download(): abandoned because the cancel flag was raised
  };
  DropFolderError(Kind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

class DropFolder {
 public:
  virtual ~DropFolder() = default;

  // The regular files directly in the folder (no subfolder, no link), in no
  // particular order. One round trip on FTP.
  virtual std::vector<RemoteEntry> list() = 0;

  // Downloads `name` to `spool_path` (a file path; its directory must exist):
  // the bytes go to a temporary name beside it (spool_path + ".part"), the
  // SHA-256 is computed while they stream, and the file is renamed to
  // spool_path only once complete. If the transfer fails for any reason
  // (cut, stall, more than max_bytes, disk), the temporary file is removed,
  // spool_path is not created, the remote file is untouched, and
  // DropFolderError is thrown.
  //
  // `cancel` (optional, e.g. the daemon's stop flag raised by SIGTERM) is
  // read while the bytes stream (at least once per buffer, and about once a
  // second while an FTP transfer waits for data): once it is true the
  // transfer is abandoned the same clean way, with Kind::kCancelled. It may
  // be set from another thread; it must outlive the call.
  virtual DownloadResult download(const std::string& name, const std::string& spool_path,
                                  std::uint64_t max_bytes,
                                  const std::atomic<bool>* cancel = nullptr) = 0;

  // Moves `name` into the subfolder `subfolder` ("done" or "failed"),
  // creating it when missing. When the subfolder already holds that name, the
  // file gets the first free name among "<stem>.1<ext>", "<stem>.2<ext>"...
  // (YMAG_X.csv -> YMAG_X.1.csv). Returns the name it got in the subfolder.
  virtual std::string moveTo(const std::string& name, const std::string& subfolder) = 0;

  // Whether `listed.name` is still the file `listed` describes (list()'s entry
  // before the download): a fresh look finds exactly one file of that name,
  // with the same size and modification time and, on file:// (where reading
  // it again is cheap), the SHA-256 `sha256` (empty: not compared). Asked
  // before a file is moved or deleted, so that a partner's new export written
  // under the same name after the download stays for a later poll. False when
  // the file is gone. FTP: one LIST (times to the minute when the server has
  // no MLSD). Throws DropFolderError when it cannot look.
  virtual bool isUnchanged(const RemoteEntry& listed, const std::string& sha256) = 0;

  // Deletes `name` (after = "delete").
  virtual void remove(const std::string& name) = 0;

  // Writes reports/<file_name> (reports/ created when missing), replacing an
  // older report of the same name; the partner never sees a half-written
  // report (written under a temporary name, then renamed).
  virtual void writeReport(const std::string& file_name, std::string_view bytes) = 0;

  // The folder's URL without credentials, for messages and logs.
  virtual std::string describe() const = 0;
};

// ftps:// and ftp:// -> FtpsDropFolder, file:// -> LocalDropFolder.
// `clock` is used to infer the year of a plain FTP listing's dates; it must
// outlive the folder. Throws DropFolderError for an unknown scheme or an
// inconsistent TLS mode (ftps:// with anything but implicit; file:// is
// always kNone whatever tls says). Does not connect: the first operation does.
std::unique_ptr<DropFolder> openDropFolder(const DropFolderSettings& settings, const Clock& clock);

}  // namespace passerelle::connectors
