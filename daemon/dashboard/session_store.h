// SessionStore: the dashboard's logged-in sessions, in memory (a restart of
// the daemon logs everyone out, which is acceptable for a dashboard).
//
// A session is found by its cookie's token (256 random bits) and carries
// who is logged in and its CSRF token, which every POST must echo. It
// expires after `idle` without a request (8 hours, dashboard.md), measured
// on the injected Clock's steady time; each request found renews it.
// Expired sessions are swept when a session is created, so the map does not
// grow with abandoned ones.
//
// Thread safety: thread-safe (one mutex); the HTTP server's workers share
// one SessionStore.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "connectors/host/clock.h"

namespace passerelle::daemon {

struct Session {
  std::string token;  // the cookie's value
  std::string csrf;   // echoed by every POST of this session
  std::string login;
  std::string partner;  // empty for an operator
  bool operator_role = false;
};

class SessionStore {
 public:
  static constexpr std::chrono::hours kIdle{8};

  explicit SessionStore(const connectors::Clock& clock, std::chrono::seconds idle = kIdle)
      : clock_(clock), idle_(idle) {}

  // A new session for this account, with fresh tokens.
  Session open(const std::string& login, const std::string& partner, bool operator_role);
  // The live session of `token` (renewed), or nullopt (unknown or expired).
  std::optional<Session> find(const std::string& token);
  void close(const std::string& token);
  std::size_t size() const;

 private:
  struct Entry {
    Session session;
    connectors::Clock::SteadyTime last_seen;
  };
  void sweep(connectors::Clock::SteadyTime now);

  const connectors::Clock& clock_;
  std::chrono::seconds idle_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> sessions_;
};

}  // namespace passerelle::daemon
