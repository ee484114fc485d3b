#include "daemon/dashboard/session_store.h"

#include "daemon/dashboard/random_token.h"

namespace passerelle::daemon {

Session SessionStore::open(const std::string& login, const std::string& partner,
                           bool operator_role) {
  Session session{randomToken(), randomToken(), login, partner, operator_role};
  const auto now = clock_.steady();
  std::lock_guard lock(mutex_);
  sweep(now);
  sessions_[session.token] = Entry{session, now};
  return session;
}

std::optional<Session> SessionStore::find(const std::string& token) {
  if (token.empty()) return std::nullopt;
  const auto now = clock_.steady();
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  if (now - it->second.last_seen >= idle_) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second.session;
}

void SessionStore::close(const std::string& token) {
  std::lock_guard lock(mutex_);
  sessions_.erase(token);
}

std::size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void SessionStore::sweep(connectors::Clock::SteadyTime now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = now - it->second.last_seen >= idle_ ? sessions_.erase(it) : std::next(it);
  }
}

}  // namespace passerelle::daemon
