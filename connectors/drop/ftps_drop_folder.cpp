#include "connectors/drop/ftps_drop_folder.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "connectors/drop/spool_file.h"
#include "connectors/http/curl_global.h"
#include "connectors/http/curl_handles.h"
#include "connectors/http/curl_trace.h"
#include "connectors/url/scrub_url.h"

namespace passerelle::connectors {

namespace {

using Kind = DropFolderError::Kind;
using namespace std::chrono;

}  // namespace

namespace {
// Where readUpload is in the bytes of an upload.
struct UploadState {
  std::string_view bytes;
  std::size_t pos = 0;
};
}  // namespace

// One curl operation.
struct FtpsDropFolder::Op {
  std::string url;
  bool nobody = false;
  const char* custom_request = nullptr;
  std::vector<std::string> postquote;
  // Download / listing sink.
  std::string* text = nullptr;
  SpoolFile* spool = nullptr;
  std::uint64_t max_bytes = 0;
  // Raised from another thread: the transfer is abandoned (SIGTERM).
  const std::atomic<bool>* cancel = nullptr;
  // Upload source.
  std::string_view upload;
  bool create_dirs = false;
  // Results.
  CURLcode code = CURLE_OK;
  long response = 0;
  std::string error;

  // What this operation adds to the session's options: the command, where
  // the bytes go or come from, the cancel flag. `state` must outlive the
  // transfer. Returns the POSTQUOTE list, which the caller frees after
  // curl_easy_perform.
  curl_slist* setOptions(CURL* curl, UploadState& state) const;
  // curl's message, its error buffer and the server's last reply, as one text.
  std::string failureText(const char* errbuf) const;
};

namespace {

size_t writeText(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}
size_t writeSpool(char* data, size_t size, size_t n, void* user) {
  auto* spool = static_cast<SpoolFile*>(user);
  return spool->append(std::string_view(data, size * n)) ? size * n : 0;
}
size_t readUpload(char* buffer, size_t size, size_t n, void* user) {
  auto* st = static_cast<UploadState*>(user);
  std::size_t len = std::min(size * n, st->bytes.size() - st->pos);
  std::memcpy(buffer, st->bytes.data() + st->pos, len);
  st->pos += len;
  return len;
}

// libcurl calls it while a transfer runs (at least once a second, even when
// no byte arrives); non-zero aborts with CURLE_ABORTED_BY_CALLBACK.
int checkCancel(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

size_t countGreeting(char* data, size_t size, size_t n, void* user) {
  if (size * n >= 4 && std::memcmp(data, "220 ", 4) == 0) ++*static_cast<long*>(user);
  return size * n;
}

Kind kindOf(CURLcode code) {
  switch (code) {
    case CURLE_LOGIN_DENIED:
      return Kind::kLogin;
    case CURLE_REMOTE_FILE_NOT_FOUND:
    case CURLE_FTP_COULDNT_RETR_FILE:
      return Kind::kNotFound;
    case CURLE_FILESIZE_EXCEEDED:
      return Kind::kTooLarge;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_FTP_ACCEPT_TIMEOUT:
    case CURLE_FTP_CANT_GET_HOST:
    case CURLE_FTP_WEIRD_PASV_REPLY:
    case CURLE_FTP_WEIRD_227_FORMAT:
      return Kind::kTransfer;
    case CURLE_ABORTED_BY_CALLBACK:  // the stop flag (checkCancel)
      return Kind::kCancelled;
    case CURLE_QUOTE_ERROR:
    case CURLE_REMOTE_ACCESS_DENIED:
    case CURLE_UPLOAD_FAILED:
      return Kind::kRefused;
    default:
      return Kind::kConnect;
  }
}

// The options every operation of the folder shares: protocol, login,
// timeouts, passive mode.
void setSessionOptions(CURL* curl, const DropFolderSettings& settings) {
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "ftp,ftps");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (!settings.user.empty()) curl_easy_setopt(curl, CURLOPT_USERNAME, settings.user.c_str());
  if (!settings.password.empty()) {
    curl_easy_setopt(curl, CURLOPT_PASSWORD, settings.password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(settings.connect_timeout.count()));
  curl_easy_setopt(
      curl, CURLOPT_SERVER_RESPONSE_TIMEOUT,
      std::max(1L, static_cast<long>(duration_cast<seconds>(settings.response_timeout).count())));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, settings.stall_floor_bytes_per_second);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(settings.stall_period.count()));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_FTP_USE_EPSV, 1L);
  curl_easy_setopt(curl, CURLOPT_FTP_SKIP_PASV_IP, 1L);
}

// TLS as the settings ask: none, or control and data both encrypted.
void setTlsOptions(CURL* curl, const DropFolderSettings& settings) {
  if (settings.tls == DropTls::kNone) {
    curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_NONE));
    return;
  }
  // Control and data (PROT P) encrypted, or the operation fails.
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, settings.tls_verify ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, settings.tls_verify ? 2L : 0L);
  if (!settings.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, settings.ca_file.c_str());
  if (!settings.pinned_pubkey.empty()) {
    curl_easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, settings.pinned_pubkey.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_SSL_SESSIONID_CACHE, settings.fresh_tls_session ? 0L : 1L);
  // TLS 1.2 at least. TLS 1.3 only when allowed: with it, libcurl up to
  // 8.x loses the control connection's session after a few data
  // connections and vsftpd (require_ssl_reuse=YES) answers 522
  // (curl issues #4654, #22225).
  curl_easy_setopt(curl, CURLOPT_SSLVERSION,
                   settings.allow_tls13 ? static_cast<long>(CURL_SSLVERSION_TLSv1_2)
                                        : static_cast<long>(CURL_SSLVERSION_TLSv1_2) |
                                              static_cast<long>(CURL_SSLVERSION_MAX_TLSv1_2));
}

// A command sent after the transfer (RNFR/RNTO, DELE) that the server
// answered 550 names a file that is not there.
Kind kindOfCommandFailure(CURLcode code, long response) {
  if (code == CURLE_QUOTE_ERROR && response == 550) return Kind::kNotFound;
  return kindOf(code);
}

}  // namespace

curl_slist* FtpsDropFolder::Op::setOptions(CURL* curl, UploadState& state) const {
  if (nobody) curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (custom_request != nullptr) curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, custom_request);
  curl_slist* post = nullptr;
  for (const auto& command : postquote) post = curl_slist_append(post, command.c_str());
  if (post != nullptr) curl_easy_setopt(curl, CURLOPT_POSTQUOTE, post);
  if (text != nullptr) {
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, writeText);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, text);
  }
  if (spool != nullptr) {
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, writeSpool);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, spool);
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes));
  }
  if (cancel != nullptr) {
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, checkCancel);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(cancel));
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  }
  state = UploadState{upload, 0};
  if (create_dirs || !upload.empty()) {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, readUpload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &state);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(upload.size()));
    curl_easy_setopt(curl, CURLOPT_FTP_CREATE_MISSING_DIRS,
                     static_cast<long>(CURLFTP_CREATE_DIR_RETRY));
  }
  return post;
}

std::string FtpsDropFolder::Op::failureText(const char* errbuf) const {
  std::string out = curl_easy_strerror(code);
  if (errbuf[0] != '\0' && out != errbuf) out += std::string(" (") + errbuf + ")";
  if (response != 0) out += ", server reply " + std::to_string(response);
  return out;
}

FtpsDropFolder::FtpsDropFolder(DropFolderSettings settings, const Clock& clock)
    : settings_(std::move(settings)), clock_(clock) {
  ensureCurlInitialised();
  std::string url = scrubUrl(settings_.url);
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    throw DropFolderError(Kind::kRefused, "not an FTP URL: " + url);
  }
  // Normalise: the folder URL always ends with '/'.
  auto path_start = url.find('/', scheme_end + 3);
  if (path_start == std::string::npos) url += '/';
  if (url.back() != '/') url += '/';
  if (url.find_first_of("?#") != std::string::npos) {
    throw DropFolderError(Kind::kRefused, "an FTP folder URL has no query or fragment: " + url);
  }
  base_url_ = url;
  display_url_ = url;
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw DropFolderError(Kind::kLocal, "curl_easy_init failed");
}

FtpsDropFolder::~FtpsDropFolder() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

std::string FtpsDropFolder::urlOf(const std::string& relative) const {
  // Each segment percent-escaped; '/' kept between segments.
  std::string out = base_url_;
  std::size_t start = 0;
  auto* curl = static_cast<CURL*>(curl_);
  while (start <= relative.size()) {
    auto slash = relative.find('/', start);
    std::string segment =
        relative.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!segment.empty()) {
      char* escaped = curl_easy_escape(curl, segment.data(), static_cast<int>(segment.size()));
      out += escaped;
      curl_free(escaped);
    }
    if (slash == std::string::npos) break;
    out += '/';
    start = slash + 1;
  }
  return out;
}

std::string FtpsDropFolder::scrub(std::string text) const {
  if (!settings_.password.empty()) {
    for (auto at = text.find(settings_.password); at != std::string::npos;
         at = text.find(settings_.password, at)) {
      text.replace(at, settings_.password.size(), "***");
      at += 3;
    }
  }
  return text;
}

void FtpsDropFolder::perform(Op& op) {
  auto* curl = static_cast<CURL*>(curl_);
  // Resets the options only: the live connection and the TLS session cache
  // stay in the handle.
  curl_easy_reset(curl);
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_URL, op.url.c_str());
  setSessionOptions(curl, settings_);
  setTlsOptions(curl, settings_);
  if (op.cancel == nullptr) op.cancel = settings_.stop;  // SIGTERM ends any operation
  UploadState upload;
  const CurlList post(op.setOptions(curl, upload));
  // Counts the servers' greetings (220): one per control connection.
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, countGreeting);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &connections_);
  // Protocol trace on stderr, secrets hidden; uninstalled when it goes.
  const CurlTrace trace(curl, settings_.protocol_trace, "ftps", {settings_.password});
  op.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &op.response);
  if (op.code != CURLE_OK) op.error = scrub(op.failureText(errbuf));
  // The handle outlives this call: nothing of it may point into this frame.
  curl_easy_setopt(curl, CURLOPT_POSTQUOTE, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
}

std::vector<RemoteEntry> FtpsDropFolder::listDirectory(const std::string& dir_url, bool* missing) {
  if (missing != nullptr) *missing = false;
  std::string text;
  if (mlsd_ != Mlsd::kNo) {
    Op op;
    op.url = dir_url;
    op.custom_request = "MLSD";
    op.text = &text;
    perform(op);
    if (op.code == CURLE_OK) {
      mlsd_ = Mlsd::kYes;
      return parseListing(text, ListingStyle::kMlsd, clock_.now());
    }
    // 500/501/502/504: the server does not know MLSD; anything else is a real
    // failure, and LIST will tell the same.
    if (op.response >= 500 && op.response <= 504 && op.response != 503) {
      mlsd_ = Mlsd::kNo;
    } else if (op.code == CURLE_REMOTE_ACCESS_DENIED && missing != nullptr) {
      *missing = true;
      return {};
    } else if (op.code != CURLE_FTP_COULDNT_RETR_FILE) {
      throw DropFolderError(kindOf(op.code), describe() + ": listing failed: " + op.error);
    } else {
      mlsd_ = Mlsd::kNo;
    }
    text.clear();
  }
  Op op;
  op.url = dir_url;
  op.text = &text;
  perform(op);
  if (op.code != CURLE_OK) {
    if (op.code == CURLE_REMOTE_ACCESS_DENIED && missing != nullptr) {
      *missing = true;
      return {};
    }
    throw DropFolderError(kindOf(op.code), describe() + ": listing failed: " + op.error);
  }
  return parseListing(text, ListingStyle::kList, clock_.now());
}

std::vector<RemoteEntry> FtpsDropFolder::list() {
  return listDirectory(base_url_, nullptr);
}

DownloadResult FtpsDropFolder::download(const std::string& name, const std::string& spool_path,
                                        std::uint64_t max_bytes, const std::atomic<bool>* cancel) {
  if (!isSafeRemoteName(name)) {
    throw DropFolderError(Kind::kRefused, describe() + ": refusing an unsafe file name");
  }
  SpoolFile spool(spool_path, max_bytes);
  Op op;
  op.url = urlOf(name);
  op.spool = &spool;
  op.max_bytes = max_bytes;
  op.cancel = cancel;
  perform(op);
  if (op.code != CURLE_OK) {
    spool.abort();
    if (op.code == CURLE_ABORTED_BY_CALLBACK && cancel != nullptr && cancel->load()) {
      throw DropFolderError(Kind::kCancelled, describe() + ": download of " + logName(name) +
                                                  " abandoned (stopping)");
    }
    if (spool.tooLarge() || op.code == CURLE_FILESIZE_EXCEEDED) {
      throw DropFolderError(Kind::kTooLarge, describe() + ": download of " + logName(name) +
                                                 " stopped: larger than " +
                                                 std::to_string(max_bytes) + " bytes");
    }
    if (op.code == CURLE_WRITE_ERROR && !spool.error().empty()) {
      throw DropFolderError(Kind::kLocal,
                            describe() + ": download of " + logName(name) + ": " + spool.error());
    }
    throw DropFolderError(kindOf(op.code),
                          describe() + ": download of " + logName(name) + " failed: " + op.error);
  }
  return spool.commit();
}

std::string FtpsDropFolder::moveTo(const std::string& name, const std::string& subfolder) {
  if (!isSafeRemoteName(name) || !isSafeRemoteName(subfolder)) {
    throw DropFolderError(Kind::kRefused, describe() + ": refusing an unsafe file name");
  }
  auto known = subfolder_names_.find(subfolder);
  std::vector<std::string> mkd;
  if (known == subfolder_names_.end()) {
    bool missing = false;
    std::set<std::string> names;
    for (auto& e : listDirectory(urlOf(subfolder) + "/", &missing)) names.insert(e.name);
    if (missing) mkd.push_back("MKD " + subfolder);
    known = subfolder_names_.emplace(subfolder, std::move(names)).first;
  }
  std::string target = name;
  for (int n = 1; known->second.count(target) != 0; ++n) target = collisionName(name, n);
  Op op;
  op.url = base_url_;
  op.nobody = true;
  op.postquote = mkd;
  op.postquote.push_back("RNFR " + name);
  op.postquote.push_back("RNTO " + subfolder + "/" + target);
  perform(op);
  if (op.code != CURLE_OK) {
    // Forget what we believed of the subfolder: the next attempt lists again.
    subfolder_names_.erase(subfolder);
    throw DropFolderError(
        kindOfCommandFailure(op.code, op.response),
        describe() + ": cannot move " + logName(name) + " to " + subfolder + "/: " + op.error);
  }
  known->second.insert(target);
  return target;
}

bool FtpsDropFolder::isUnchanged(const RemoteEntry& listed, const std::string& /*sha256*/) {
  // Reading the file again would cost a second download: the listing says.
  int same = 0, seen = 0;
  for (const auto& e : list()) {
    if (e.name != listed.name) continue;
    ++seen;
    if (e.size == listed.size && e.mtime == listed.mtime) ++same;
  }
  return seen == 1 && same == 1;
}

void FtpsDropFolder::remove(const std::string& name) {
  if (!isSafeRemoteName(name)) {
    throw DropFolderError(Kind::kRefused, describe() + ": refusing an unsafe file name");
  }
  Op op;
  op.url = base_url_;
  op.nobody = true;
  op.postquote.push_back("DELE " + name);
  perform(op);
  if (op.code != CURLE_OK) {
    throw DropFolderError(kindOfCommandFailure(op.code, op.response),
                          describe() + ": cannot delete " + logName(name) + ": " + op.error);
  }
}

void FtpsDropFolder::writeReport(const std::string& file_name, std::string_view bytes) {
  if (!isSafeRemoteName(file_name)) {
    throw DropFolderError(Kind::kRefused, describe() + ": refusing an unsafe file name");
  }
  const std::string temp = boundedName("." + file_name, ".tmp");
  Op op;
  op.url = urlOf("reports/" + temp);
  op.upload = bytes;
  op.create_dirs = true;
  // Run in reports/, once the upload is complete.
  op.postquote.push_back("RNFR " + temp);
  op.postquote.push_back("RNTO " + file_name);
  perform(op);
  if (op.code != CURLE_OK) {
    throw DropFolderError(kindOf(op.code), describe() + ": cannot write reports/" +
                                               logName(file_name) + ": " + op.error);
  }
}

}  // namespace passerelle::connectors
