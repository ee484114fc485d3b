// Service: once mode polls every partner once; a failing partner does not
// stop the others; requestStop() lets polls in flight finish.
#include "daemon/service/service.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

using namespace passerelle::daemon;

namespace {

class FakePoller final : public Job {
 public:
  FakePoller(std::string id, bool fail, std::chrono::milliseconds work = {},
             bool keeps_claims = false)
      : id_(std::move(id)), fail_(fail), work_(work), keeps_claims_(keeps_claims) {}
  const std::string& name() const override { return id_; }
  bool keepsClaimsAlive() const override { return keeps_claims_; }
  PollTiming timing() const override {
    return {std::chrono::milliseconds(3'600'000), 0.1, std::chrono::milliseconds(3'600'000),
            std::chrono::milliseconds(3'600'000)};
  }
  JobOutcome run(const passerelle::connectors::StopSignal& stop, bool once) override {
    ++polls;
    once_seen = once;
    auto deadline = std::chrono::steady_clock::now() + work_;
    while (std::chrono::steady_clock::now() < deadline) {
      if (stop) {
        saw_stop = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (fail_) throw std::runtime_error("connection refused");
    return {true, "nothing new"};
  }
  std::atomic<int> polls{0};
  std::atomic<bool> once_seen{false};
  std::atomic<bool> saw_stop{false};

 private:
  std::string id_;
  bool fail_;
  std::chrono::milliseconds work_;
  bool keeps_claims_;
};

}  // namespace

TEST_CASE("once mode: every partner polled once, failures counted, then run() returns") {
  auto a = std::make_shared<FakePoller>("a", false);
  auto b = std::make_shared<FakePoller>("b", true);
  auto c = std::make_shared<FakePoller>("c", false);
  Service service({a, b, c}, ServiceOptions{true, 2, {}});
  CHECK(service.run() == 1);
  CHECK(a->polls == 1);
  CHECK(b->polls == 1);
  CHECK(c->polls == 1);
  CHECK(a->once_seen);
}

TEST_CASE("requestStop: no new poll starts and polls in flight are told to stop") {
  auto slow = std::make_shared<FakePoller>("slow", false, std::chrono::milliseconds(10'000));
  Service service({slow}, ServiceOptions{true, 1, {}});
  std::thread stopper([&] {
    while (slow->polls == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    service.requestStop();
  });
  auto t0 = std::chrono::steady_clock::now();
  service.run();
  stopper.join();
  CHECK(slow->saw_stop);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
}

TEST_CASE("a job that keeps the claims alive runs while every worker is busy") {
  // One worker, taken by a long poll queued first: the lease renewal must not
  // wait for it.
  auto busy = std::make_shared<FakePoller>("busy", false, std::chrono::milliseconds(10'000));
  auto renewal = std::make_shared<FakePoller>("leases", false, std::chrono::milliseconds(0),
                                              /*keeps_claims=*/true);
  Service service({busy, renewal}, ServiceOptions{true, 1, {}});
  std::thread stopper([&] {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while ((busy->polls == 0 || renewal->polls == 0) && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(busy->polls == 1);
    CHECK(renewal->polls == 1);  // ran while `busy` held the only worker
    CHECK_FALSE(busy->saw_stop);
    service.requestStop();
  });
  service.run();
  stopper.join();
}
