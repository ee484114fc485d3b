#include "daemon/store/lease_keeper.h"

#include <algorithm>

#include "daemon/log/event_log.h"
#include "daemon/store/store_connection.h"

namespace passerelle::daemon {

LeaseKeeper::LeaseKeeper(std::string store_url, connectors::Clock& clock,
                         std::chrono::milliseconds lease, Renew renew,
                         const connectors::StopSignal* outer)
    : store_url_(std::move(store_url)),
      clock_(clock),
      lease_(lease),
      renew_(std::move(renew)),
      outer_(outer),
      // The lease was taken (or renewed) just before: it lasts at least this.
      held_until_(clock.now() + lease) {
  if (outer_ != nullptr && *outer_) stop_.request();
  thread_ = std::thread([this] { loop(); });
}

LeaseKeeper::~LeaseKeeper() {
  done_.request();
  thread_.join();
}

void LeaseKeeper::loop() {
  using namespace std::chrono;
  std::unique_ptr<pqxx::connection> connection;
  const auto period = lease_ / 3;
  const auto margin = lease_ / 6;
  auto next = steady_clock::now() + period;
  // Short waits, so that SIGTERM and the deadline are heard at once.
  const auto slice = std::clamp<milliseconds>(lease_ / 30, milliseconds(20), milliseconds(200));
  while (!done_.waitFor(slice)) {
    if (outer_ != nullptr && *outer_) stop_.request();
    if (steady_clock::now() >= next && !lost_) {
      next = steady_clock::now() + period;
      try {
        if (!connection) connection = openStore(store_url_);
        const auto now = clock_.now();
        pqxx::work tx(*connection);
        const bool held = renew_(tx);
        tx.commit();
        if (held) {
          held_until_ = now + lease_;
          ++renewals_;
        } else {
          lost_ = true;
        }
      } catch (const std::exception& e) {
        connection.reset();  // opened again at the next renewal
        logWarning("lease renewal failed", {{"cause", e.what()}});
      }
    }
    if (!lost_ && clock_.now() + margin >= held_until_) lost_ = true;
    if (lost_) stop_.request();
  }
}

std::unique_ptr<LeaseKeeper> keepClaims(const pqxx::connection& store, Outbox& outbox,
                                        const connectors::StopSignal* outer) {
  // Claims settled meanwhile simply drop out of the renewal: only lateness
  // (the deadline) can lose them, never an empty renewal.
  return std::make_unique<LeaseKeeper>(
      store.options(), outbox.clock(), outbox.settings().lease,
      [&outbox](pqxx::transaction_base& tx) {
        outbox.renewClaims(tx);
        return true;
      },
      outer);
}

}  // namespace passerelle::daemon
