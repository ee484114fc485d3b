// DropFolderPoller: one partner's poll (drop-folders.md), as the Service
// runs it: list the drop folder, take the complete new files in order,
// download each to the spool (SHA-256), import it (OfferImport: one
// transaction, the ledger, snapshot safety), write the report back, and
// only then move the remote file (done/, failed/, delete or keep).
//
// Exactly once: the remote file is moved only after the import committed. If
// the daemon dies in between, the next poll downloads it again, the ledger
// recognises its SHA-256 (a `duplicate` run that changes nothing) and the
// move is completed. With `after = "keep"` the ledger's (name, size, mtime)
// lets files already taken be skipped without downloading them.
//
// Only what was imported is moved: before a file is moved or deleted, the
// folder is asked whether it is still the file that was downloaded
// (DropFolder::isUnchanged: size and time from a fresh listing, and the
// SHA-256 on file://). A partner's new export written under the same name in
// between stays in place and is taken by a later poll, as a new file for the
// ledger (whose SHA-256 it does not know). A download whose size is not the
// listed one is not imported either (the file changed under the transfer).
//
// Names are data (connectors/drop/remote_name.h): the spool file is named by
// a digest of the remote name, the store gets the name's display form
// (valid UTF-8 whatever its bytes), the log a bounded display form.
//
// One file's trouble is that file's: a file the server refuses or no longer
// has, or one that grew past max_file_size, is left in the folder with a
// warning (logged once per name and cause, not at every poll) and the other
// files are taken; a transfer cut in the middle does not stop the other files
// either, but the poll is then reported failed (retried with growing delays).
// Only a server that cannot be reached or refuses the login, or a failing
// spool or store, ends the poll at once.
//
// SIGTERM (the `stop` flag): no new file is started, and a download in
// flight is abandoned (its partial spool file removed, the remote file
// untouched, nothing imported); the poll then ends normally. An import that
// has started is never interrupted: its transaction commits, the report is
// written and the file moved.
//
// Thread safety: the Service never runs two polls of one poller at once;
// each poll opens its own store connection and drop-folder session.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "connectors/drop/drop_folder.h"
#include "connectors/drop/drop_selection.h"
#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/config/config.h"
#include "daemon/service/service.h"

namespace passerelle::daemon {

class DropFolderPoller final : public Job {
 public:
  // How a poll opens the partner's folder: connectors::openDropFolder, or a
  // test's wrapper around it.
  using FolderOpener = std::function<std::unique_ptr<connectors::DropFolder>(
      const connectors::DropFolderSettings&, const connectors::Clock&)>;

  // `config` is shared by every partner's poller: one copy of the whole
  // configuration, not one per partner (1,000 partners each holding the
  // 1,000 partners' configuration cost 450 MB).
  DropFolderPoller(std::shared_ptr<const Config> config, PartnerConfig partner,
                   std::string store_url, const connectors::Host& host, connectors::Clock& clock,
                   FolderOpener open_folder = connectors::openDropFolder);

  const std::string& name() const override { return partner_.id; }
  PollTiming timing() const override;
  JobOutcome run(const connectors::StopSignal& stop, bool once) override;

 private:
  std::optional<std::string> pausedBy(pqxx::connection& store) const;
  struct FileOutcome;
  struct PollTally;
  FileOutcome takeFile(pqxx::connection& store, connectors::DropFolder& folder,
                       const connectors::ReadyFile& file, const connectors::StopSignal& stop);
  // A file larger than max_file_size: reported and moved to failed/ unread.
  void refuseOversize(connectors::DropFolder& folder, const connectors::ReadyFile& file);
  // Sorts out a DropFolderError met on one file: that file's problem (warned
  // about, the poll goes on), or the poll's (rethrown).
  void onFileError(const connectors::DropFolderError& error, const std::string& name,
                   PollTally& tally);
  void logSelectionWarnings(const connectors::DropSelection& pick) const;
  // Logs `cause` for the file `name` unless it is what was last logged for it.
  void warnAboutFile(const std::string& name, const std::string& what, const std::string& cause);
  void forgetFilesNotIn(const std::vector<connectors::RemoteEntry>& listing);

  std::shared_ptr<const Config> config_;
  PartnerConfig partner_;
  std::string store_url_;
  const connectors::Host& host_;  // the password's secret file, the curl trace switch
  connectors::Clock& clock_;
  FolderOpener open_folder_;
  connectors::DropSelector selector_;  // remembers sizes across polls (stability)
  // Per file name, the cause last warned about: one warning per name and cause.
  std::map<std::string, std::string> warned_files_;
};

// One poller per configured partner.
Jobs buildPollers(const Config& config, const std::string& store_url, const connectors::Host& host,
                  connectors::Clock& clock);

}  // namespace passerelle::daemon
