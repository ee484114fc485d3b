#include "connectors/france_travail/france_travail_client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "connectors/france_travail/zip_writer.h"
#include "connectors/http/curl_abort.h"
#include "connectors/http/curl_global.h"
#include "connectors/http/curl_handles.h"
#include "connectors/http/curl_trace.h"
#include "formats/paris_time.h"

namespace passerelle::connectors {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
constexpr std::size_t kArchiveStampLength = 16;  // YYYYMMDDTHHMMSSZ

std::int64_t unixSeconds(Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string compactStamp(const formats::CivilDateTime& t, const char* format) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, format, t.date.year, t.date.month, t.date.day, t.hour,
                t.minute, t.second);
  return buffer;
}

std::size_t collectAnswer(char* data, std::size_t size, std::size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  const std::size_t n = size * count;
  out->append(data, std::min(n, kMaxAnswerBytes - std::min(kMaxAnswerBytes, out->size())));
  return n;  // keep reading (a long error page is still an answer), but keep only the start
}

std::string_view trimmed(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Writes `bytes` to `dir/.name.part`, flushes it, then renames it to
// `dir/name`: a reader of the folder never sees a partial file.
bool writeAtomically(const fs::path& dir, const std::string& name, std::string_view bytes,
                     std::string& error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path temp = dir / ("." + name + ".part");
  const fs::path final_path = dir / name;
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    error = "impossible de créer " + temp.string();
    return false;
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const bool ok = done == bytes.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), final_path.c_str()) != 0) {
    ::unlink(temp.c_str());
    error = "écriture impossible dans " + dir.string();
    return false;
  }
  return true;
}

void addTextPart(curl_mime* mime, const char* name, const std::string& value) {
  curl_mimepart* part = curl_mime_addpart(mime);
  curl_mime_name(part, name);
  curl_mime_data(part, value.data(), value.size());
}

}  // namespace

bool ftIsSuccessAnswer(long http_status, const std::string& body) {
  return http_status == 200 && trimmed(body) == kFtSuccessAnswer;
}

FtPayload ftPayload(const std::string& csv, const std::string& feed_name, bool zip,
                    const Clock& clock) {
  const auto local = formats::parisLocalFromUnix(unixSeconds(clock.now()));
  const std::string base = feed_name + "_" + compactStamp(local, "%04d%02d%02d_%02d%02d%02d");
  if (!zip) return {base + ".csv", csv};
  auto archive = zipSingleFile(base + ".csv", csv, local);
  if (!archive) return {};
  return {base + ".zip", std::move(*archive)};
}

FranceTravailClient::FranceTravailClient(FtClientSettings settings, Clock& clock,
                                         const StopSignal* stop)
    : settings_(std::move(settings)), clock_(clock), stop_(stop) {
  ensureCurlInitialised();
}

FtUploadResult FranceTravailClient::send(const FtPayload& payload) {
  FtUploadResult result = settings_.spool_dir.empty() ? upload(payload) : spool(payload);
  if (!settings_.archive_dir.empty() && !result.stopped)
    result.archived_path = archive(payload, result);
  return result;
}

FtUploadResult FranceTravailClient::upload(const FtPayload& payload) {
  FtUploadResult result;
  CurlEasy curl(curl_easy_init());
  if (!curl || payload.file_name.empty()) {
    result.error = "préparation de l'envoi impossible";
    return result;
  }
  CURL* c = curl.get();
  CurlMime mime(curl_mime_init(c));
  addTextPart(mime.get(), "login", settings_.login);
  addTextPart(mime.get(), "password", settings_.password);
  addTextPart(mime.get(), "nomFlux", settings_.feed_name);
  curl_mimepart* file = curl_mime_addpart(mime.get());
  curl_mime_name(file, "fichierAenvoyer");
  curl_mime_data(file, payload.bytes.data(), payload.bytes.size());
  curl_mime_filename(file, payload.file_name.c_str());
  curl_mime_type(file, payload.file_name.ends_with(".zip") ? "application/zip" : "text/csv");
  addTextPart(mime.get(), "periodeRef", "");

  // No "Expect: 100-continue" pause before the body.
  CurlList headers(curl_slist_append(nullptr, "Expect:"));
  curl_easy_setopt(c, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_MIMEPOST, mime.get());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(settings_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // the password is not sent elsewhere
  if (!settings_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, settings_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collectAnswer);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &result.answer);
  abortTransferOnStop(c, stop_ ? &stop_->flag() : nullptr);
  const CurlTrace trace(c, settings_.protocol_trace, "france-travail", {settings_.password});

  if (stop_ && *stop_) {  // no upload is started once stopping
    result.stopped = true;
    result.error = "stopping: not sent";
    return result;
  }
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    if (stop_ && transferAbortedByStop(rc)) {
      result.stopped = true;
      result.error = "stopping: upload abandoned in flight";
      return result;
    }
    result.error = curl_easy_strerror(rc);
    return result;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.http_status);
  result.accepted = ftIsSuccessAnswer(result.http_status, result.answer);
  if (!result.accepted) result.error = "réponse inattendue de France Travail";
  return result;
}

FtProbeResult FranceTravailClient::probe() {
  FtProbeResult result;
  if (!settings_.spool_dir.empty()) {
    std::error_code ec;
    result.reached = std::filesystem::is_directory(settings_.spool_dir, ec) &&
                     ::access(settings_.spool_dir.c_str(), W_OK) == 0;
    if (!result.reached) result.error = "spool folder " + settings_.spool_dir + " not writable";
    return result;
  }
  CurlEasy curl(curl_easy_init());
  if (!curl) {
    result.error = "curl_easy_init failed";
    return result;
  }
  CURL* c = curl.get();
  std::string ignored;
  curl_easy_setopt(c, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(2 * settings_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(settings_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  if (!settings_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, settings_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collectAnswer);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &ignored);
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    result.error = curl_easy_strerror(rc);
    return result;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.http_status);
  result.reached = true;
  return result;
}

FtUploadResult FranceTravailClient::spool(const FtPayload& payload) {
  FtUploadResult result;
  if (payload.file_name.empty()) {
    result.error = "préparation du fichier impossible";
    return result;
  }
  if (writeAtomically(settings_.spool_dir, payload.file_name, payload.bytes, result.error)) {
    result.accepted = true;
    result.answer = "spool: " + (fs::path(settings_.spool_dir) / payload.file_name).string();
  }
  return result;
}

// "<YYYYMMDDTHHMMSSZ>-<n>-<file>" and "<…>.answer.txt" side by side; the
// UTC stamp in the name is what cleanupArchive() reads (modification times
// would not follow an injected clock).
std::string FranceTravailClient::archive(const FtPayload& payload, const FtUploadResult& result) {
  static std::atomic<unsigned> sequence{0};
  const auto utc = formats::utcFromUnix(unixSeconds(clock_.now()));
  const std::string name = compactStamp(utc, "%04d%02d%02dT%02d%02d%02dZ") + "-" +
                           std::to_string(sequence.fetch_add(1)) + "-" +
                           (payload.file_name.empty() ? "unnamed" : payload.file_name);
  const std::string answer = "accepted: " + std::string(result.accepted ? "yes" : "no") +
                             "\nhttp_status: " + std::to_string(result.http_status) +
                             "\nerror: " + result.error + "\n\n" + result.answer;
  std::string error;
  if (!writeAtomically(settings_.archive_dir, name, payload.bytes, error)) return "";
  writeAtomically(settings_.archive_dir, name + ".answer.txt", answer, error);
  return (fs::path(settings_.archive_dir) / name).string();
}

std::size_t FranceTravailClient::cleanupArchive() {
  if (settings_.archive_dir.empty()) return 0;
  const std::int64_t limit =
      unixSeconds(clock_.now()) - std::int64_t{settings_.archive_retention_days} * 86400;
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(settings_.archive_dir, ec)) {
    const std::string name = entry.path().filename().string();
    formats::CivilDateTime t;
    if (name.size() < kArchiveStampLength ||
        std::sscanf(name.c_str(), "%4d%2d%2dT%2d%2d%2dZ", &t.date.year, &t.date.month, &t.date.day,
                    &t.hour, &t.minute, &t.second) != 6) {
      continue;  // not ours
    }
    if (formats::unixFromUtc(t) < limit && fs::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

}  // namespace passerelle::connectors
