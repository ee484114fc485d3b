// LoginThrottle: failed dashboard logins slowed down per login and per
// address (dashboard.md "Accounts and access").
//
// Each login and each client address counts its recent failures. The first
// kFreeTries failures cost nothing; after that, a new try is refused until
// a delay has passed since the last failure, doubling with each failure
// (1 s, 2 s, 4 s... up to 15 minutes). An address gets more free tries than
// a login (several people may share one address behind a proxy). Nothing
// sleeps: a refused try gets its "retry after" at once, computed from the
// injected Clock, and is answered 429. A success clears the login's count
// and the address's; a count with no failure for a day is forgotten. At most
// kMaxEntries keys are kept (the oldest forgotten first), so that a flood of
// invented logins cannot grow the daemon's memory.
//
// Thread safety: thread-safe (one mutex).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "connectors/host/clock.h"

namespace passerelle::daemon {

class LoginThrottle {
 public:
  static constexpr int kFreeTries = 5;
  static constexpr int kFreeTriesPerAddress = 20;
  static constexpr std::chrono::seconds kMaxDelay{15 * 60};
  static constexpr std::size_t kMaxEntries = 10000;

  explicit LoginThrottle(const connectors::Clock& clock) : clock_(clock) {}

  // How long before `login` may be tried again from `address`; nullopt: now.
  std::optional<std::chrono::seconds> retryAfter(const std::string& login,
                                                 const std::string& address);
  void failed(const std::string& login, const std::string& address);
  void succeeded(const std::string& login, const std::string& address);

 private:
  struct Failures {
    int count = 0;
    connectors::Clock::SteadyTime last;
  };
  std::optional<std::chrono::seconds> waitFor(const std::string& key, int free_tries,
                                              connectors::Clock::SteadyTime now);
  void count(const std::string& key, connectors::Clock::SteadyTime now);
  void forgetOld(connectors::Clock::SteadyTime now);

  const connectors::Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, Failures> failures_;  // "login:NAME" or "address:IP"
};

}  // namespace passerelle::daemon
