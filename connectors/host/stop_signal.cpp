#include "connectors/host/stop_signal.h"

namespace passerelle::connectors {

void StopSignal::request() {
  {
    // Set under the mutex: a waiter between its check and its wait cannot
    // miss the notification.
    std::lock_guard lock(mutex_);
    requested_ = true;
  }
  changed_.notify_all();
}

bool StopSignal::waitFor(std::chrono::nanoseconds d) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, d, [this] { return requested_.load(); });
}

}  // namespace passerelle::connectors
