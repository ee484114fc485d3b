#include "daemon/dashboard/login_throttle.h"

#include <algorithm>

namespace passerelle::daemon {
namespace {

constexpr std::chrono::hours kForgetAfter{24};

std::string loginKey(const std::string& login) {
  return "login:" + login;
}
std::string addressKey(const std::string& address) {
  return "address:" + address;
}

}  // namespace

std::optional<std::chrono::seconds> LoginThrottle::retryAfter(const std::string& login,
                                                              const std::string& address) {
  const auto now = clock_.steady();
  std::lock_guard lock(mutex_);
  auto by_login = waitFor(loginKey(login), kFreeTries, now);
  auto by_address = waitFor(addressKey(address), kFreeTriesPerAddress, now);
  if (!by_login) return by_address;
  if (!by_address) return by_login;
  return std::max(*by_login, *by_address);
}

void LoginThrottle::failed(const std::string& login, const std::string& address) {
  const auto now = clock_.steady();
  std::lock_guard lock(mutex_);
  forgetOld(now);
  count(loginKey(login), now);
  count(addressKey(address), now);
}

void LoginThrottle::succeeded(const std::string& login, const std::string& address) {
  std::lock_guard lock(mutex_);
  failures_.erase(loginKey(login));
  failures_.erase(addressKey(address));
}

std::optional<std::chrono::seconds> LoginThrottle::waitFor(const std::string& key, int free_tries,
                                                           connectors::Clock::SteadyTime now) {
  auto it = failures_.find(key);
  if (it == failures_.end() || it->second.count < free_tries) return std::nullopt;
  const int doublings = std::min(it->second.count - free_tries, 20);
  const auto delay = std::min(std::chrono::seconds(1ll << doublings), kMaxDelay);
  const auto ready = it->second.last + delay;
  if (now >= ready) return std::nullopt;
  // Rounded up: "retry after 0 s" would invite an immediate refusal.
  return std::chrono::ceil<std::chrono::seconds>(ready - now);
}

void LoginThrottle::count(const std::string& key, connectors::Clock::SteadyTime now) {
  Failures& f = failures_[key];
  ++f.count;
  f.last = now;
}

void LoginThrottle::forgetOld(connectors::Clock::SteadyTime now) {
  for (auto it = failures_.begin(); it != failures_.end();)
    it = now - it->second.last >= kForgetAfter ? failures_.erase(it) : std::next(it);
  while (failures_.size() >= kMaxEntries) {
    auto oldest = std::min_element(failures_.begin(), failures_.end(),
                                   [](auto& a, auto& b) { return a.second.last < b.second.last; });
    failures_.erase(oldest);
  }
}

}  // namespace passerelle::daemon
