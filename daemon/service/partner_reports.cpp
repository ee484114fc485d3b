#include "daemon/service/partner_reports.h"

#include "connectors/drop/offer_state_report.h"
#include "connectors/drop/partner_report.h"
#include "connectors/drop/remote_name.h"
#include "daemon/config/drop_folder_settings.h"
#include "daemon/log/event_log.h"
#include "daemon/service/daily_schedule.h"
#include "daemon/store/offer_states.h"
#include "daemon/store/run_report.h"
#include "daemon/store/store_connection.h"

namespace passerelle::daemon {

namespace pc = passerelle::connectors;

PartnerReports::PartnerReports(Config config, const pc::Host& host, const pc::Clock& clock,
                               FolderOpener open_folder)
    : config_(std::move(config)),
      host_(host),
      clock_(clock),
      open_folder_(std::move(open_folder)) {}

const PartnerConfig* PartnerReports::partner(const std::string& id) const {
  for (const PartnerConfig& p : config_.partners)
    if (p.id == id) return &p;
  return nullptr;
}

std::unique_ptr<pc::DropFolder> PartnerReports::open(const PartnerConfig& p) const {
  return open_folder_(dropFolderSettings(p, host_), clock_);
}

bool PartnerReports::rewriteRunReport(pqxx::connection& store, std::int64_t run_id) const {
  std::optional<RunReport> report;
  {
    pqxx::read_transaction tx(store);
    report = loadRunReport(tx, run_id);
  }
  if (!report) return false;
  const PartnerConfig* p = partner(report->partner);
  try {
    if (!p) throw std::runtime_error("partner " + report->partner + " is not configured");
    open(*p)->writeReport(pc::reportFileName(report->file_name),
                          pc::renderPartnerReport(report->input));
    pqxx::work tx(store);
    markReportDue(tx, run_id, false);
    tx.commit();
    return true;
  } catch (const std::exception& e) {
    // The partner's next poll writes it (writeDueRunReports).
    pqxx::work tx(store);
    markReportDue(tx, run_id, true);
    tx.commit();
    logWarning("report not written, the next poll writes it",
               {{"partner", report->partner},
                {"run", static_cast<long long>(run_id)},
                {"cause", e.what()}});
    return false;
  }
}

void PartnerReports::writeDueRunReports(pqxx::connection& store, const std::string& partner,
                                        pc::DropFolder& folder) const {
  std::vector<std::int64_t> due;
  {
    pqxx::read_transaction tx(store);
    due = reportsDue(tx, partner);
  }
  for (std::int64_t run : due) {
    std::optional<RunReport> report;
    {
      pqxx::read_transaction tx(store);
      report = loadRunReport(tx, run);
    }
    if (report)
      folder.writeReport(pc::reportFileName(report->file_name),
                         pc::renderPartnerReport(report->input));
    pqxx::work tx(store);
    markReportDue(tx, run, false);
    tx.commit();
  }
}

void PartnerReports::writeOfferState(pqxx::connection& store, const std::string& partner,
                                     pc::DropFolder& folder) const {
  const auto now = clock_.now();
  OfferStates states;
  {
    pqxx::read_transaction tx(store);
    states = loadOfferStates(tx, partner, now);
  }
  folder.writeReport(pc::kOfferStateReportName, pc::renderOfferStateReport(states.offers));
  pqxx::work tx(store);
  recordOfferStateReport(tx, partner, states, now);
  tx.commit();
}

int PartnerReports::writeOfferStates(pqxx::connection& store,
                                     std::optional<pc::Clock::WallTime> daily_slot) const {
  std::vector<std::string> ids;
  for (const PartnerConfig& p : config_.partners) ids.push_back(p.id);
  int written = 0;
  // A report that cannot be written never fails the push that asked for it:
  // it stays due (its row is not updated) and the next time writes it.
  try {
    std::vector<std::string> due;
    {
      pqxx::read_transaction tx(store);
      due = offerStateReportsDue(tx, ids, clock_.now(), daily_slot);
    }
    for (const std::string& id : due) {
      try {
        writeOfferState(store, id, *open(*partner(id)));
        ++written;
      } catch (const std::exception& e) {
        logWarning("state of the offers not written to the partner's folder",
                   {{"partner", id}, {"cause", e.what()}});
      }
    }
  } catch (const std::exception& e) {
    logWarning("states of the offers not written", {{"cause", e.what()}});
  }
  return written;
}

namespace {

// Every partner's etat-des-offres.csv at 06:00 Europe/Paris.
class OfferStateReportJob final : public Job {
 public:
  OfferStateReportJob(PartnerReports reports, std::string store_url, pc::Clock& clock)
      : reports_(std::move(reports)), store_url_(std::move(store_url)), clock_(clock) {}

  const std::string& name() const override { return name_; }
  const char* subject() const override { return "report"; }
  const char* activity() const override { return "write"; }
  PollTiming timing() const override {
    PollTiming t;
    t.interval = std::chrono::hours(24);
    return t;
  }
  std::optional<std::chrono::milliseconds> scheduledDelay() const override {
    const auto now = std::chrono::system_clock::to_time_t(clock_.now());
    return std::chrono::seconds(nextDailyRun({{6, 0}}, now) - now);
  }
  JobOutcome run(const pc::StopSignal&, bool) override {
    auto store = openStore(store_url_);
    // The slot this run stands for (a few seconds of slack: a timer that
    // fires early still names it). The daemons sharing the store write each
    // report once for it: the first records it, the others find it done.
    const auto now = std::chrono::system_clock::to_time_t(clock_.now());
    const auto slot = std::chrono::system_clock::from_time_t(lastDailyRun({{6, 0}}, now + 5));
    const int written = reports_.writeOfferStates(*store, slot);
    return JobOutcome{true, std::to_string(written) + " state report(s) written"};
  }

 private:
  std::string name_ = "etat-des-offres";
  PartnerReports reports_;
  std::string store_url_;
  pc::Clock& clock_;
};

}  // namespace

std::shared_ptr<Job> buildOfferStateReportJob(const Config& config, const std::string& store_url,
                                              const pc::Host& host, pc::Clock& clock) {
  return std::make_shared<OfferStateReportJob>(PartnerReports(config, host, clock), store_url,
                                               clock);
}

}  // namespace passerelle::daemon
