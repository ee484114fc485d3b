// The destination registry: every destination created by name, enabled by
// its configuration section, saying when it runs and what reconcile asks of
// it, without a store or a network.
#include <doctest/doctest.h>

#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/config/config.h"
#include "daemon/destinations/registry.h"

namespace pd = passerelle::daemon;

TEST_CASE("registry: the destinations are known by name, in status order") {
  CHECK(pd::destinationNames() == std::vector<std::string>{"lba", "france-travail"});
  REQUIRE(pd::findDestination("lba") != nullptr);
  REQUIRE(pd::findDestination("france-travail") != nullptr);
  CHECK(pd::findDestination("france_travail") == nullptr);
  CHECK(pd::findDestination("") == nullptr);
}

TEST_CASE("registry: only the destinations the configuration enables are created") {
  passerelle::connectors::ManualClock clock;
  const passerelle::connectors::FakeHost host;  // created, not pushed: no secret read
  pd::Config config;
  CHECK(pd::enabledDestinations(config, host, clock).empty());

  config.lba.enabled = true;
  auto only_lba = pd::enabledDestinations(config, host, clock);
  REQUIRE(only_lba.size() == 1);
  CHECK(only_lba[0]->name() == "lba");

  config.france_travail.enabled = true;
  auto both = pd::enabledDestinations(config, host, clock);
  REQUIRE(both.size() == 2);
  CHECK(both[1]->name() == "france-travail");
}

TEST_CASE("registry: each destination says when it runs and whether it takes a full stock") {
  passerelle::connectors::ManualClock clock;
  const passerelle::connectors::FakeHost host;  // created, not pushed: no secret read
  pd::Config config;
  config.daemon.poll_interval = std::chrono::seconds(90);
  config.france_travail.schedule = {{5, 30}, {17, 0}};

  auto lba = pd::findDestination("lba")->create(config, host, clock);
  CHECK(lba->schedule().interval == std::chrono::seconds(90));
  CHECK(lba->schedule().times_of_day.empty());
  CHECK_FALSE(lba->takesFullStock());

  auto ft = pd::findDestination("france-travail")->create(config, host, clock);
  const pd::DestinationSchedule s = ft->schedule();
  REQUIRE(s.times_of_day.size() == 2);
  CHECK(s.times_of_day[1] == pd::TimeOfDay{17, 0});
  CHECK(s.first_retry == std::chrono::minutes(5));
  CHECK(ft->takesFullStock());
}
