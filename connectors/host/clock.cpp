#include "connectors/host/clock.h"

#include <thread>

namespace passerelle::connectors {

void SystemClock::sleepFor(std::chrono::nanoseconds d) {
  std::this_thread::sleep_for(d);
}

bool SystemClock::sleepUnlessStopped(std::chrono::nanoseconds d, const StopSignal& stop) {
  return !stop.waitFor(d);
}

}  // namespace passerelle::connectors
