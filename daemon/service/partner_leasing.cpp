#include "daemon/service/partner_leasing.h"

#include "daemon/log/event_log.h"
#include "daemon/store/store_connection.h"

namespace passerelle::daemon {

namespace pc = passerelle::connectors;

void LeaseBook::update(const LeaseBalance& balance) {
  std::lock_guard lock(mutex_);
  held_ = std::set<std::string>(balance.held.begin(), balance.held.end());
  // A quarter of the lease before its end, the book lets go: the store's
  // lease still runs while a poll started just before finishes its listing.
  const auto ttl = balance.expires_at - clock_.now();
  until_ = balance.expires_at - ttl / 4;
}

bool LeaseBook::begin(const std::string& partner) {
  std::lock_guard lock(mutex_);
  if (!held_.count(partner) || clock_.now() >= until_) return false;
  busy_.insert(partner);
  return true;
}

void LeaseBook::done(const std::string& partner) {
  std::lock_guard lock(mutex_);
  busy_.erase(partner);
}

std::set<std::string> LeaseBook::busy() const {
  std::lock_guard lock(mutex_);
  return busy_;
}

std::vector<std::string> LeaseBook::held() const {
  std::lock_guard lock(mutex_);
  if (clock_.now() >= until_) return {};
  return {held_.begin(), held_.end()};
}

namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

class LeasingJob final : public Job {
 public:
  LeasingJob(const DaemonRegistry& registry, std::string store_url,
             std::vector<std::string> partners, LeaseBook& book)
      : registry_(registry),
        leases_(registry),
        store_url_(std::move(store_url)),
        partners_(std::move(partners)),
        book_(book) {}

  const std::string& name() const override { return name_; }
  const char* subject() const override { return "daemon"; }
  const char* activity() const override { return "lease renewal"; }
  bool keepsClaimsAlive() const override { return true; }

  PollTiming timing() const override {
    PollTiming t;
    t.interval = period();
    t.jitter_fraction = 0.05;
    t.first_retry = period();
    t.retry_ceiling = period();
    return t;
  }
  // At once at start, then every half interval.
  std::optional<std::chrono::milliseconds> scheduledDelay() const override {
    return started_ ? period() : std::chrono::milliseconds(0);
  }

  JobOutcome run(const pc::StopSignal& stop, bool) override {
    started_ = true;
    if (stop) return {true, "stopping", false, true};
    auto store = openStore(store_url_);
    pqxx::work tx(*store);
    const LeaseBalance b = leases_.balance(tx, partners_, book_.busy());
    registry_.forgetGone(tx, std::chrono::hours(24));
    tx.commit();
    book_.update(b);
    if (!b.taken.empty() || !b.released.empty())
      logInfo("partner leases changed", {{"daemon", registry_.identity().id},
                                         {"taken", joined(b.taken)},
                                         {"released", joined(b.released)},
                                         {"held", static_cast<long>(b.held.size())},
                                         {"live_daemons", b.live_daemons}});
    return {true, std::to_string(b.held.size()) + " partners held"};
  }

 private:
  // Half the leases' ttl (which is two poll intervals): half an interval.
  std::chrono::milliseconds period() const { return registry_.ttl() / 4; }

  const DaemonRegistry& registry_;
  PartnerLeases leases_;
  std::string store_url_;
  std::vector<std::string> partners_;
  LeaseBook& book_;
  std::string name_ = "leases";
  std::atomic<bool> started_{false};
};

class LeasedPoller final : public Job {
 public:
  LeasedPoller(std::shared_ptr<Job> poller, LeaseBook& book)
      : poller_(std::move(poller)), book_(book) {}

  const std::string& name() const override { return poller_->name(); }
  const char* subject() const override { return poller_->subject(); }
  const char* activity() const override { return poller_->activity(); }
  PollTiming timing() const override { return poller_->timing(); }

  JobOutcome run(const pc::StopSignal& stop, bool once) override {
    if (!book_.begin(name())) return {true, "held by another daemon", false, true};
    struct Done {
      LeaseBook& book;
      const std::string& partner;
      ~Done() { book.done(partner); }
    } done{book_, name()};
    return poller_->run(stop, once);
  }

 private:
  std::shared_ptr<Job> poller_;
  LeaseBook& book_;
};

}  // namespace

std::shared_ptr<Job> makeLeasingJob(const DaemonRegistry& registry, std::string store_url,
                                    std::vector<std::string> partners, LeaseBook& book) {
  return std::make_shared<LeasingJob>(registry, std::move(store_url), std::move(partners), book);
}

Jobs leasedPollers(Jobs pollers, LeaseBook& book) {
  Jobs out;
  for (auto& p : pollers) out.push_back(std::make_shared<LeasedPoller>(std::move(p), book));
  return out;
}

}  // namespace passerelle::daemon
