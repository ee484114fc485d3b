#include "daemon/service/drop_folder_poller.h"

#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <system_error>

#include "connectors/drop/partner_report.h"
#include "daemon/config/drop_folder_settings.h"
#include "daemon/log/event_log.h"
#include "daemon/service/partner_reports.h"
#include "daemon/store/offer_import.h"
#include "daemon/store/partner_pause.h"
#include "daemon/store/poll_record.h"
#include "daemon/store/run_report.h"
#include "daemon/store/store_connection.h"

namespace passerelle::daemon {

namespace fs = std::filesystem;
using connectors::DropFolder;
using connectors::ReadyFile;
using connectors::RemoteEntry;

namespace {

connectors::SelectionSettings selectionSettings(const PartnerConfig& p) {
  connectors::SelectionSettings s;
  s.format = p.format;
  s.pattern = p.pattern;
  s.completion = p.completion;
  s.stable_for = std::chrono::duration_cast<std::chrono::milliseconds>(p.stable_for);
  s.max_file_size = p.max_file_size;
  s.max_files_per_poll = p.max_files_per_poll;
  return s;
}

std::optional<std::int64_t> unixSeconds(const std::optional<connectors::Clock::WallTime>& t) {
  if (!t) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
}

std::string ledgerKey(const std::string& name, std::int64_t size,
                      std::optional<std::int64_t> mtime) {
  return name + '\n' + std::to_string(size) + '\n' + (mtime ? std::to_string(*mtime) : "-");
}

// Files the ledger already holds for this partner, by (name, size, mtime):
// with `after = "keep"` they stay in the folder and must not be downloaded
// again at every poll.
std::set<std::string> takenFiles(pqxx::connection& store, const std::string& partner) {
  pqxx::read_transaction tx(store);
  std::set<std::string> keys;
  for (const auto& row : tx.exec_params(
           "SELECT remote_name, size, extract(epoch FROM mtime)::bigint FROM file_ledger "
           "WHERE partner = $1",
           partner)) {
    std::optional<std::int64_t> mtime;
    if (!row[2].is_null()) mtime = row[2].as<std::int64_t>();
    keys.insert(ledgerKey(row[0].as<std::string>(), row[1].as<std::int64_t>(), mtime));
  }
  return keys;
}

// Removes the spool copy whatever happens.
struct SpoolGuard {
  std::string path;
  ~SpoolGuard() {
    std::error_code ec;
    if (!path.empty()) fs::remove(path, ec);
  }
};

// A refused or quarantined file needs a person: warning level, with its
// reason; each outcome has its journal MESSAGE_ID (log_event_id.h).
void logFileTaken(const std::string& partner, const std::string& name, const ImportResult& r,
                  const std::string& sha256) {
  const bool refused = r.outcome == RunOutcome::kRejectedFile;
  const bool quarantined = r.outcome == RunOutcome::kQuarantined;
  const LogEventId id = refused       ? LogEventId::kFileRefused
                        : quarantined ? LogEventId::kFileQuarantined
                        : r.outcome == RunOutcome::kImported || r.outcome == RunOutcome::kApproved
                            ? LogEventId::kFileImported
                            : LogEventId::kNone;
  std::vector<LogField> fields = {{"partner", partner},
                                  {"file", name},
                                  {"run", static_cast<long long>(r.run_id)},
                                  {"outcome", toString(r.outcome)},
                                  {"records", r.summary.records},
                                  {"rejects", r.summary.rejects},
                                  {"withdrawn", r.counts.withdrawn},
                                  {"sha256", sha256}};
  if ((refused || quarantined) && !r.message.empty()) fields.emplace_back("reason", r.message);
  EventLog::write(refused || quarantined ? LogLevel::kWarning : LogLevel::kInfo, id,
                  refused       ? "file refused"
                  : quarantined ? "file quarantined"
                                : "file taken",
                  fields);
}

}  // namespace

struct DropFolderPoller::FileOutcome {
  std::optional<RunOutcome> outcome;  // unset: not imported
  bool left_in_place = false;         // the file changed: a later poll takes it
};

struct DropFolderPoller::PollTally {
  int imported = 0;
  int left = 0;                               // files that changed under the poll, taken later
  int refused = 0;                            // files this poll could not take (warned about)
  std::optional<std::string> transfer_error;  // the first transfer cut
};

namespace {

// Which errors are one file's, which end the poll.
enum class ErrorScope { kFile, kTransfer, kPoll, kStop };

ErrorScope scopeOf(connectors::DropFolderError::Kind kind) {
  using Kind = connectors::DropFolderError::Kind;
  switch (kind) {
    case Kind::kNotFound:  // gone, or the server will not read it to us
    case Kind::kRefused:   // unreadable, or an operation the server refused
    case Kind::kTooLarge:  // grew past max_file_size after the listing
      return ErrorScope::kFile;
    case Kind::kTransfer:
      return ErrorScope::kTransfer;
    case Kind::kCancelled:
      return ErrorScope::kStop;
    case Kind::kConnect:
    case Kind::kLogin:
    case Kind::kLocal:
      break;
  }
  return ErrorScope::kPoll;
}

}  // namespace

DropFolderPoller::DropFolderPoller(std::shared_ptr<const Config> config, PartnerConfig partner,
                                   std::string store_url, const connectors::Host& host,
                                   connectors::Clock& clock, FolderOpener open_folder)
    : config_(std::move(config)),
      partner_(std::move(partner)),
      store_url_(std::move(store_url)),
      host_(host),
      clock_(clock),
      open_folder_(std::move(open_folder)),
      selector_(selectionSettings(partner_), clock) {}

PollTiming DropFolderPoller::timing() const {
  PollTiming t;
  t.interval = std::chrono::duration_cast<std::chrono::milliseconds>(
      partner_.poll_interval.value_or(config_->daemon.poll_interval));
  t.first_retry = std::min(t.interval, std::chrono::milliseconds(30'000));
  return t;
}

// An operator's pause (partner_pause.h): the folder is not even listed.
std::optional<std::string> DropFolderPoller::pausedBy(pqxx::connection& store) const {
  pqxx::read_transaction tx(store);
  return partnerPausedBy(tx, partner_.id);
}

JobOutcome DropFolderPoller::run(const connectors::StopSignal& stop, bool once) {
  // Every poll's outcome is recorded for `passerelle status` (poll_record.h);
  // a failure is recorded (best effort, on a connection of its own) and rethrown.
  try {
    if (partner_.tls == connectors::DropTls::kNone && partner_.url.rfind("ftp://", 0) == 0)
      logWarning("plain FTP: credentials and offers travel unencrypted",
                 {{"partner", partner_.id}});
    if (!partner_.tls_verify)
      logWarning("TLS certificate verification is off (tests only)", {{"partner", partner_.id}});
    auto store = openStore(store_url_);
    if (auto by = pausedBy(*store)) return JobOutcome{true, "paused by " + *by, false, false};
    connectors::DropFolderSettings settings = dropFolderSettings(partner_, host_);
    settings.protocol_trace = protocolTrace(config_->daemon, host_);
    settings.stop = &stop.flag();  // a silent server never holds a stopping daemon
    auto folder = open_folder_(settings, clock_);
    std::set<std::string> taken;
    if (partner_.after == AfterImport::kKeep) taken = takenFiles(*store, partner_.id);
    auto skip = [&](const RemoteEntry& e) {
      return !taken.empty() &&
             taken.count(ledgerKey(connectors::displayName(e.name),
                                   static_cast<std::int64_t>(e.size), unixSeconds(e.mtime)));
    };

    auto listing = folder->list();
    connectors::DropSelection pick = selector_.observe(listing, skip);
    logSelectionWarnings(pick);
    // --once: a second listing within the run, waiting only when a candidate
    // needs time to prove it is complete.
    if (once && pick.next_check && !stop) {
      const auto wait = std::max<std::chrono::nanoseconds>(*pick.next_check - clock_.steady(), {});
      if (clock_.sleepUnlessStopped(wait, stop)) {
        listing = folder->list();
        pick = selector_.observe(listing, skip);
        logSelectionWarnings(pick);
      }
    }
    forgetFilesNotIn(listing);

    PollTally tally;
    for (const ReadyFile& f : pick.oversize) {
      try {
        refuseOversize(*folder, f);
      } catch (const connectors::DropFolderError& e) {
        onFileError(e, f.entry.name, tally);
      }
    }

    bool abandoned = false;
    for (const ReadyFile& f : pick.ready) {
      if (stop) break;  // SIGTERM: no new file is started
      try {
        const FileOutcome o = takeFile(*store, *folder, f, stop);
        if (o.outcome == RunOutcome::kImported || o.outcome == RunOutcome::kApproved)
          ++tally.imported;
        if (o.left_in_place) ++tally.left;
        warned_files_.erase(f.entry.name);
      } catch (const connectors::DropFolderError& e) {
        if (scopeOf(e.kind()) == ErrorScope::kStop) {
          logInfo("download abandoned, the file is left for the next run",
                  {{"partner", partner_.id}, {"file", connectors::logName(f.entry.name)}});
          abandoned = true;
          break;
        }
        onFileError(e, f.entry.name, tally);
      }
    }
    // Reports an operator's decision could not write then (partner_reports.h).
    if (!stop) {
      try {
        PartnerReports(*config_, host_, clock_).writeDueRunReports(*store, partner_.id, *folder);
      } catch (const connectors::DropFolderError& e) {
        logWarning("report not written, the next poll tries again",
                   {{"partner", partner_.id}, {"cause", e.what()}});
      } catch (const std::filesystem::filesystem_error& e) {
        logWarning("report not written, the next poll tries again",
                   {{"partner", partner_.id}, {"cause", e.what()}});
      }
    }
    // A transfer cut: the other files were taken, the poll is retried.
    if (tally.transfer_error) throw std::runtime_error(*tally.transfer_error);
    std::string summary = std::to_string(tally.imported) + " file(s) imported";
    if (abandoned) summary += ", stopped during a download";
    if (pick.deferred > 0) summary += ", " + std::to_string(pick.deferred) + " left for next poll";
    if (tally.left > 0)
      summary += ", " + std::to_string(tally.left) + " changed meanwhile, left for a later poll";
    if (tally.refused > 0) summary += ", " + std::to_string(tally.refused) + " could not be taken";
    recordPoll(*store, clock_, partner_.id, true, summary);
    return JobOutcome{true, summary};
  } catch (const connectors::DropFolderError& e) {
    if (e.kind() != connectors::DropFolderError::Kind::kCancelled || !stop) throw;
    // SIGTERM ended a login or a listing: not the partner's failure.
    logInfo("poll abandoned, stopping", {{"partner", partner_.id}});
    return JobOutcome{true, "stopped during the poll"};
  } catch (const std::exception& e) {
    // A store that went away reads "Could not obtain client encoding" in
    // pqxx's words: say which store cannot be reached instead.
    const std::string cause = explainStoreFailure(store_url_, e);
    try {
      auto record_store = openStore(store_url_);
      recordPoll(*record_store, clock_, partner_.id, false, cause);
    } catch (const std::exception&) {
      // The store itself may be what failed: the exception below says it.
    }
    if (cause != e.what()) throw StoreError(cause);
    throw;
  }
}

void DropFolderPoller::logSelectionWarnings(const connectors::DropSelection& pick) const {
  for (const auto& w : pick.warnings)
    logWarning(w.message, {{"partner", partner_.id}, {"file", connectors::logName(w.name)}});
}

void DropFolderPoller::warnAboutFile(const std::string& name, const std::string& what,
                                     const std::string& cause) {
  auto [it, inserted] = warned_files_.try_emplace(name, cause);
  if (!inserted && it->second == cause) return;
  it->second = cause;
  logWarning(what,
             {{"partner", partner_.id}, {"file", connectors::logName(name)}, {"cause", cause}});
}

void DropFolderPoller::forgetFilesNotIn(const std::vector<RemoteEntry>& listing) {
  std::set<std::string> present;
  for (const auto& e : listing) present.insert(e.name);
  std::erase_if(warned_files_, [&](const auto& kv) { return present.count(kv.first) == 0; });
}

void DropFolderPoller::onFileError(const connectors::DropFolderError& error,
                                   const std::string& name, PollTally& tally) {
  switch (scopeOf(error.kind())) {
    case ErrorScope::kFile:
      ++tally.refused;
      warnAboutFile(name, "file left in the folder, the others are taken", error.what());
      return;
    case ErrorScope::kTransfer:
      ++tally.refused;
      if (!tally.transfer_error) tally.transfer_error = error.what();
      warnAboutFile(name, "transfer failed, the file is taken again at the next poll",
                    error.what());
      return;
    case ErrorScope::kPoll:
    case ErrorScope::kStop:
      break;
  }
  throw error;
}

void DropFolderPoller::refuseOversize(DropFolder& folder, const ReadyFile& f) {
  connectors::PartnerReportInput in;
  in.outcome = connectors::ReportOutcome::kRefused;
  in.format = partner_.format;
  in.file_error = formats::FileIssue{"FILE_TOO_LARGE",
                                     "Le fichier dépasse la taille maximale acceptée (" +
                                         std::to_string(partner_.max_file_size) +
                                         " octets) : il n'a pas été lu",
                                     std::to_string(f.entry.size), std::nullopt};
  if (!folder.isUnchanged(f.entry, "")) return;  // rewritten since the listing: seen anew
  folder.writeReport(connectors::reportFileName(f.entry.name), connectors::renderPartnerReport(in));
  folder.moveTo(f.entry.name, "failed");
  logWarning("file too large, moved to failed/", {{"partner", partner_.id},
                                                  {"file", connectors::logName(f.entry.name)},
                                                  {"size", static_cast<long long>(f.entry.size)}});
}

DropFolderPoller::FileOutcome DropFolderPoller::takeFile(pqxx::connection& store,
                                                         DropFolder& folder, const ReadyFile& f,
                                                         const connectors::StopSignal& stop) {
  const std::string& name = f.entry.name;
  fs::path spool_dir = fs::path(config_->daemon.spool_dir) / partner_.id;
  fs::create_directories(spool_dir);
  // Never the remote name: a name's bytes and length are the partner's.
  SpoolGuard guard{(spool_dir / connectors::spoolName(name)).string()};
  connectors::DownloadResult dl =
      folder.download(name, guard.path, partner_.max_file_size, &stop.flag());
  if (dl.size != f.entry.size) {
    // Rewritten between the listing and the download: maybe half written.
    logInfo("file changed while it was downloaded, left for a later poll",
            {{"partner", partner_.id},
             {"file", connectors::logName(name)},
             {"listed_size", static_cast<long long>(f.entry.size)},
             {"downloaded_size", static_cast<long long>(dl.size)}});
    return FileOutcome{std::nullopt, true};
  }

  ImportRequest request;
  request.partner = partner_.id;
  request.format = partner_.format;
  request.path = dl.path;
  request.remote_name = connectors::displayName(name);  // valid UTF-8 for the store
  request.remote_mtime = unixSeconds(f.entry.mtime);
  request.expected_partner_code = partner_.sigma_code;
  request.limits = {config_->maxWithdrawRatio(partner_), config_->maxWithdrawCount(partner_)};
  request.quarantine_dir =
      (fs::path(config_->daemon.state_dir) / "quarantine" / partner_.id).string();
  ImportResult result = OfferImport(store, clock_).importFile(request);

  // The transaction has committed: now, and only now, the partner's folder.
  std::optional<RunReport> report;
  {
    pqxx::read_transaction tx(store);
    report = loadRunReport(tx, result.run_id);
  }
  if (report)
    folder.writeReport(connectors::reportFileName(name),
                       connectors::renderPartnerReport(report->input));
  const bool refused = result.outcome == RunOutcome::kRejectedFile;
  const bool tidy_up = refused || partner_.after != AfterImport::kKeep;
  // Only what was imported is moved: the partner may have written a new
  // export under the same name since the download.
  if (tidy_up && !folder.isUnchanged(f.entry, dl.sha256)) {
    logWarning("file changed after its download: left in place, taken later as a new file",
               {{"partner", partner_.id},
                {"file", connectors::logName(name)},
                {"run", static_cast<long long>(result.run_id)},
                {"sha256", dl.sha256}});
    return FileOutcome{result.outcome, true};
  }
  auto tidy = [&](const std::string& file) {
    if (refused || partner_.after == AfterImport::kMove) {
      folder.moveTo(file, refused ? "failed" : "done");
    } else if (partner_.after == AfterImport::kDelete) {
      folder.remove(file);
    }
  };
  tidy(name);
  if (f.marker) tidy(*f.marker);
  logFileTaken(partner_.id, connectors::logName(name), result, dl.sha256);
  return FileOutcome{result.outcome, false};
}

Jobs buildPollers(const Config& config, const std::string& store_url, const connectors::Host& host,
                  connectors::Clock& clock) {
  Jobs pollers;
  auto shared = std::make_shared<const Config>(config);
  for (const auto& p : config.partners)
    pollers.push_back(std::make_shared<DropFolderPoller>(shared, p, store_url, host, clock));
  return pollers;
}

}  // namespace passerelle::daemon
