// MetricsReport: the store's figures and the loop's, in Prometheus text.
#include <doctest/doctest.h>

#include "daemon/service/metrics_report.h"
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
  CHECK(text.find("passerelle_job_failures_total{job=\"cfa-test\"} 2\n") != std::string::npos);
  CHECK(text.find("passerelle_queue{destination=\"lba\",state=\"pending\"} 3\n") !=
        std::string::npos);
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
