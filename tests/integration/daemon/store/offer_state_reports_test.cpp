// Which partners' etat-des-offres.csv is due (daemon/store/offer_states.h):
// the daily rewrite is done once between the daemons sharing a store (issue
// 14, operations.md "Several daemons on one store").
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "daemon/store/offer_states.h"
#include "tests/integration/daemon/store_test_support.h"

using namespace passerelle;
using store_test::TestStore;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> due(TestStore& store, connectors::Clock::WallTime now,
                             std::optional<connectors::Clock::WallTime> slot = std::nullopt) {
  pqxx::read_transaction tx(store.db());
  return daemon::offerStateReportsDue(tx, {"a", "b", "c"}, now, slot);
}

void written(TestStore& store, const std::string& partner, connectors::Clock::WallTime at) {
  pqxx::work tx(store.db());
  daemon::recordOfferStateReport(tx, partner, daemon::OfferStates{}, at);
  tx.commit();
}

}  // namespace

TEST_CASE("offer states: the daily rewrite is due once for all the daemons") {
  TestStore store;
  const auto slot = std::chrono::sys_days{std::chrono::year{2026} / 12 / 3} + 5h;  // 06:00 Paris
  const auto night = slot - 3h;
  // Never written: due, slot or not.
  CHECK(due(store, night) == std::vector<std::string>{"a", "b", "c"});
  written(store, "a", night);
  written(store, "b", night);
  written(store, "c", night);
  CHECK(due(store, night + 1h).empty());  // written three hours ago, nothing changed

  // The first daemon to run the 06:00 slot finds every report due and
  // writes them; the second, a moment later, finds nothing left.
  CHECK(due(store, slot + 1s, slot) == std::vector<std::string>{"a", "b", "c"});
  written(store, "a", slot + 2s);
  written(store, "b", slot + 2s);
  CHECK(due(store, slot + 3s, slot) == std::vector<std::string>{"c"});  // the first is still at c
  written(store, "c", slot + 3s);
  CHECK(due(store, slot + 4s, slot).empty());
  // A day after, without a slot: a day old again.
  CHECK(due(store, slot + 24h + 5s) == std::vector<std::string>{"a", "b", "c"});
}
