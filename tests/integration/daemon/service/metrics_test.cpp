// MetricsReport: the store's figures and the loop's, in Prometheus text.
#include <doctest/doctest.h>

#include <set>
#include <sstream>

#include "daemon/service/metrics_report.h"
#include "daemon/store/daemon_registry.h"
#include "daemon/store/partner_lease.h"
#include "tests/integration/daemon/store_test_support.h"

using namespace passerelle;
using passerelle::store_test::TestStore;

TEST_CASE("metrics: files, rows, rejects, offers by status, queues, job failures") {
  TestStore store;
  store.import("cfa-test", "ymag",
               store.writeFile("a.csv", store_test::ymagFile(store_test::ymagRows(1, 3))));
  daemon::ServiceHealth health;
  health.loop_alive = true;
  daemon::JobStats job;
  job.name = "cfa-test";
  job.failures = 2;
  health.jobs.push_back(job);
  std::string text = daemon::renderMetrics(store.db(), health);
  CHECK(text.find("passerelle_up 1\n") != std::string::npos);
  CHECK(text.find("# TYPE passerelle_offers gauge\n") != std::string::npos);
  CHECK(text.find("passerelle_offers{partner=\"cfa-test\",status=\"active\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("passerelle_files_total{partner=\"cfa-test\",outcome=\"imported\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("passerelle_rows_total{partner=\"cfa-test\"} 3\n") != std::string::npos);
  CHECK(text.find("passerelle_poll_failures_total{partner=\"cfa-test\"} 2\n") != std::string::npos);
  CHECK(text.find("passerelle_outbox_movements{destination=\"lba\",state=\"pending\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("passerelle_build_info{version=\"") != std::string::npos);
}

TEST_CASE("metrics: no job or instance label, each family's samples together") {
  TestStore store;
  store.import("cfa-test", "ymag",
               store.writeFile("a.csv", store_test::ymagFile(store_test::ymagRows(1, 3))));
  daemon::ServiceHealth health;
  health.loop_alive = true;
  daemon::JobStats poll;
  poll.name = "cfa-test";
  poll.last_success = std::chrono::system_clock::now();
  daemon::JobStats push;
  push.name = "lba";
  push.subject = "destination";
  push.failures = 1;
  health.jobs = {poll, push};
  const std::string text = daemon::renderMetrics(store.db(), health);
  CHECK(text.find("job=") == std::string::npos);
  CHECK(text.find("instance=") == std::string::npos);
  CHECK(text.find("passerelle_push_failures_total{destination=\"lba\"} 1\n") != std::string::npos);
  CHECK(text.find("passerelle_poll_last_success_timestamp_seconds{partner=\"cfa-test\"}") !=
        std::string::npos);
  // Every sample belongs to the family of the last TYPE line, and no family
  // appears twice.
  std::set<std::string> families;
  std::string current;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      current = line.substr(7, line.find(' ', 7) - 7);
      CHECK_MESSAGE(families.insert(current).second, current);
    } else if (line.rfind("#", 0) != 0) {
      CHECK_MESSAGE(line.rfind(current, 0) == 0, line);
    }
  }
}

TEST_CASE("health: a dead loop, a stuck job or a stop give 503") {
  daemon::ServiceHealth h;
  h.loop_alive = true;
  CHECK(daemon::judgeHealth(h, std::chrono::seconds(60)).healthy);
  daemon::JobStats stuck;
  stuck.name = "cfa-test";
  stuck.running_since = std::chrono::steady_clock::now() - std::chrono::minutes(5);
  h.jobs.push_back(stuck);
  CHECK_FALSE(daemon::judgeHealth(h, std::chrono::seconds(60)).healthy);
  h.jobs.clear();
  h.stopping = true;
  CHECK_FALSE(daemon::judgeHealth(h, std::chrono::seconds(60)).healthy);
  h.stopping = false;
  h.loop_alive = false;
  CHECK_FALSE(daemon::judgeHealth(h, std::chrono::seconds(60)).healthy);
}

TEST_CASE("metrics: the daemons on the store, their heartbeat, liveness and leases") {
  TestStore store;
  connectors::SystemClock clock;
  daemon::DaemonRegistry a(clock, {"host-a:1:00000001", "host-a", 1, "9.9"},
                           std::chrono::minutes(2));
  daemon::DaemonRegistry b(clock, {"host-b:2:00000002", "host-b", 2, "9.9"},
                           std::chrono::minutes(2));
  {
    pqxx::work tx(store.db());
    daemon::PartnerLeases(a).balance(tx, {"p1", "p2", "p3"}, {});
    b.heartbeat(tx);
    b.goodbye(tx);
    tx.commit();
  }
  const std::string text =
      daemon::renderMetrics(store.db(), daemon::ServiceHealth{}, "host-a:1:00000001");
  CHECK(text.find("passerelle_daemon_info{daemon=\"host-a:1:00000001\",host=\"host-a\","
                  "version=\"9.9\"} 1\n") != std::string::npos);
  CHECK(text.find("passerelle_daemon_info{daemon=\"host-b") == std::string::npos);
  CHECK(text.find("passerelle_daemon_alive{daemon=\"host-a:1:00000001\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("passerelle_daemon_alive{daemon=\"host-b:2:00000002\"} 0\n") !=
        std::string::npos);
  CHECK(text.find("passerelle_partner_leases{daemon=\"host-a:1:00000001\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("passerelle_daemon_heartbeat_timestamp_seconds{daemon=\"host-b:2:00000002\"}") !=
        std::string::npos);
}
