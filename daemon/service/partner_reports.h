// PartnerReports: writes the reports that are not a file's first report
// into partners' drop folders (drop-folders.md "Reports back to the
// partner"), through the same DropFolder seam as the polls:
// - a file's report again, after an operator approved or set aside a file
//   that was on hold (`passerelle approve`, `passerelle set-aside`). When the
//   partner's folder cannot be reached then, the run is marked `report_due`
//   and the partner's next poll writes it (writeDueRunReports);
// - reports/etat-des-offres.csv, the state of the partner's offers at the
//   national services: after a push, for the partners whose offers changed
//   state at a destination since their report, and daily for every partner
//   (OfferStateReportJob).
// A folder that cannot be reached is logged, never thrown: the next time
// writes it.
//
// Thread safety: a PartnerReports holds no state of its own beyond its
// configuration; each call uses the caller's store connection and opens the
// folders it writes to. Calls may run on several threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "connectors/drop/drop_folder.h"
#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/config/config.h"
#include "daemon/service/service.h"

namespace passerelle::daemon {

class PartnerReports {
 public:
  using FolderOpener = std::function<std::unique_ptr<connectors::DropFolder>(
      const connectors::DropFolderSettings&, const connectors::Clock&)>;

  PartnerReports(Config config, const connectors::Host& host, const connectors::Clock& clock,
                 FolderOpener open_folder = connectors::openDropFolder);

  // Writes the report of `run_id` (its file's report, as the run stands now)
  // into its partner's folder. When that fails, marks it due for the next
  // poll and returns false.
  bool rewriteRunReport(pqxx::connection& store, std::int64_t run_id) const;

  // The reports due for `partner` (marked by rewriteRunReport), into its
  // open folder; each cleared once written.
  void writeDueRunReports(pqxx::connection& store, const std::string& partner,
                          connectors::DropFolder& folder) const;

  // etat-des-offres.csv of every partner whose offers changed state at a
  // destination since it was written, or that is a day old; with
  // `daily_slot`, of every configured partner not written since that
  // instant (offerStateReportsDue). Returns how many were written.
  int writeOfferStates(pqxx::connection& store,
                       std::optional<connectors::Clock::WallTime> daily_slot = std::nullopt) const;

  // One partner's etat-des-offres.csv into an open folder.
  void writeOfferState(pqxx::connection& store, const std::string& partner,
                       connectors::DropFolder& folder) const;

 private:
  const PartnerConfig* partner(const std::string& id) const;
  std::unique_ptr<connectors::DropFolder> open(const PartnerConfig& partner) const;

  Config config_;
  const connectors::Host& host_;
  const connectors::Clock& clock_;
  FolderOpener open_folder_;
};

// Every partner's etat-des-offres.csv once a day, at 06:00 Europe/Paris.
std::shared_ptr<Job> buildOfferStateReportJob(const Config& config, const std::string& store_url,
                                              const connectors::Host& host,
                                              connectors::Clock& clock);

}  // namespace passerelle::daemon
