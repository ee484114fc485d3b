// FranceTravailClient: hands a feed file to France Travail
// (shared/specs/destinations/france-travail.md, "Transport"), by a
// multipart/form-data POST (libcurl's mime API) or, in spool mode, by writing
// it into a folder; and keeps an archive of every file sent with its answer.
//
// Success is decided exactly as the spec says: HTTP 200 and a body that,
// trimmed, is "Votre fichier a bien ete envoye". Everything else is a failure
// whose answer is kept for operators; the caller keeps the movements pending
// and retries the batch (this class never retries by itself).
//
// The password only goes into its form field; no result, error or archive
// holds it, nor the protocol trace (`protocol_trace`, curl_trace.h).
//
// Stopping (SIGTERM): given a StopSignal, no upload starts once stop is
// requested and one in flight is abandoned at once; the result says
// `stopped` and the caller leaves the batch's movements pending.
//
// Thread safety: send() and cleanupArchive() may be called from several
// threads (each send uses its own curl handle; archive names are unique),
// but a batch should be sent by one worker at a time (the outbox's lease).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "connectors/host/clock.h"
#include "connectors/host/stop_signal.h"

namespace passerelle::connectors {

struct FtClientSettings {
  std::string url = "https://portail-partenaire.francetravail.fr/partenaire/depotcurl";
  std::string login;
  std::string password;   // read from the secret file by the daemon; never logged
  std::string feed_name;  // nomFlux
  std::chrono::milliseconds timeout = std::chrono::minutes(5);
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(15);
  std::string ca_file;      // empty = system store
  std::string spool_dir;    // non-empty: spool mode, no upload
  std::string archive_dir;  // empty: no archive
  int archive_retention_days = 30;
  bool protocol_trace = false;  // curl's trace on stderr, secrets hidden
};

inline constexpr const char* kFtSuccessAnswer = "Votre fichier a bien ete envoye";

struct FtPayload {
  std::string file_name;  // "<feed>_<YYYYMMDD>_<HHMMSS>.csv" or ".zip"
  std::string bytes;
};
// The file as sent: the CSV as is, or a zip holding it (entry "<…>.csv").
// Names use the Europe/Paris time of the clock. Returns an empty file_name if
// zipping failed.
FtPayload ftPayload(const std::string& csv, const std::string& feed_name, bool zip,
                    const Clock& clock);

// What `config check --connect` learns without sending a file.
struct FtProbeResult {
  bool reached = false;  // an HTTP answer came back over TLS (any status), or the spool is writable
  long http_status = 0;
  std::string error;  // transport or local error, empty if reached
};

struct FtUploadResult {
  bool accepted = false;
  long http_status = 0;       // 0 when nothing was received (or spool mode)
  std::string answer;         // the service's answer body (or "spool: <path>")
  std::string error;          // transport or local error, empty if none
  std::string archived_path;  // where the file was archived, if it was
  bool stopped = false;       // stop requested: not sent, or abandoned in flight (not archived)
};

class FranceTravailClient {
 public:
  // `stop` (optional) must outlive the client.
  FranceTravailClient(FtClientSettings settings, Clock& clock, const StopSignal* stop = nullptr);

  // Uploads (or spools) one file, then archives it with its answer.
  FtUploadResult send(const FtPayload& payload);
  // Reaches the service without sending anything: a GET of the URL with no
  // credentials and no file (DNS, TCP, TLS and its certificate, an HTTP
  // answer). France Travail checks the login only together with a file, so
  // the login itself cannot be tried without sending one. In spool mode:
  // the folder exists and is writable. Creates nothing.
  FtProbeResult probe();
  // Removes archived files older than archive_retention_days (by the date in
  // their names). Returns how many files were removed.
  std::size_t cleanupArchive();

 private:
  FtUploadResult upload(const FtPayload& payload);
  FtUploadResult spool(const FtPayload& payload);
  std::string archive(const FtPayload& payload, const FtUploadResult& result);

  FtClientSettings settings_;
  Clock& clock_;
  const StopSignal* stop_;
};

// True iff (status, body) is France Travail's success answer.
bool ftIsSuccessAnswer(long http_status, const std::string& body);

}  // namespace passerelle::connectors
