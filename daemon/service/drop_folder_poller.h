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
#include <memory>
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
  DropFolderPoller(const Config& config, PartnerConfig partner, std::string store_url,
                   const connectors::Host& host, connectors::Clock& clock);

  const std::string& name() const override { return partner_.id; }
  PollTiming timing() const override;
  JobOutcome run(const connectors::StopSignal& stop, bool once) override;

 private:
  struct FileOutcome;
  FileOutcome takeFile(pqxx::connection& store, connectors::DropFolder& folder,
                       const connectors::ReadyFile& file, const connectors::StopSignal& stop);

  Config config_;
  PartnerConfig partner_;
  std::string store_url_;
  const connectors::Host& host_;  // the password's secret file, the curl trace switch
  connectors::Clock& clock_;
  connectors::DropSelector selector_;  // remembers sizes across polls (stability)
};

// One poller per configured partner.
Jobs buildPollers(const Config& config, const std::string& store_url, const connectors::Host& host,
                  connectors::Clock& clock);

}  // namespace passerelle::daemon
