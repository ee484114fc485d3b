// The operators' command line (issue 12, operations.md "What operators can
// rely on"): the real program run as a child process against the test
// PostgreSQL. Partners must exist; --config before or after the subcommand;
// a mistyped command names the closest; previews (import --dry-run, approve,
// withdraw) write nothing; approving twice names the run that applied it;
// one offer's story; retry --ref; status's "needs attention" and exit
// status; reconcile prints what it did; RFC 3339 Paris times.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/daemon/store_test_support.h"

using namespace passerelle;
using store_test::TestStore;
using store_test::ymagFile;
using store_test::ymagRows;
namespace fs = std::filesystem;

namespace {

struct Outcome {
  int code = -1;
  std::string out, err;
};

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A store, a configuration naming partner `cfa-test` (ymag), and the program.
class Operator {
 public:
  Operator() {
    config_ = store.dir() / "passerelle.toml";
    std::ofstream(config_) << "[store]\nurl = \"" << store.url() << "\"\n\n[daemon]\nstate_dir = \""
                           << (store.dir() / "state").string()
                           << "\"\n\n[[partner]]\nid = \"cfa-test\"\nformat = \"ymag\"\nurl = "
                              "\"file://"
                           << (store.dir() / "drop").string()
                           << "/\"\n\n[[partner]]\nid = \"cfa-other\"\nformat = \"ymag\"\nurl = "
                              "\"file://"
                           << (store.dir() / "drop2").string() << "/\"\n";
  }

  // Runs `passerelle ARGS...`; the configuration is added with --config at
  // the end unless `with_config` is false.
  Outcome run(std::vector<std::string> args, bool with_config = true) {
    if (with_config) args.insert(args.end(), {"--config", config_.string()});
    std::string command =
        "env -u PASSERELLE_CONFIG -u JOURNAL_STREAM -u NOTIFY_SOCKET " + quoted(PASSERELLE_BINARY);
    for (const std::string& a : args) command += " " + quoted(a);
    const fs::path out = store.dir() / "stdout", err = store.dir() / "stderr";
    command += " >" + quoted(out.string()) + " 2>" + quoted(err.string());
    const int status = std::system(command.c_str());
    Outcome o;
    o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    o.out = slurp(out);
    o.err = slurp(err);
    return o;
  }

  std::string config() const { return config_.string(); }
  std::string file(const std::string& name, const std::string& content) {
    return store.writeFile(name, content);
  }
  // Everything an import, approve or withdraw may write, files included.
  std::string fingerprint() {
    std::string files;
    if (fs::exists(store.dir() / "state")) {
      for (const auto& e : fs::recursive_directory_iterator(store.dir() / "state"))
        files += e.path().string() + ";";
    }
    return store.storeFingerprint() + "|" + store.scalar("SELECT count(*) FROM partners") + "|" +
           files;
  }

  TestStore store;

 private:
  fs::path config_;
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("cli: a partner not in the configuration is refused, naming the configured ones") {
  Operator op;
  const std::string f = op.file("a.csv", ymagFile(ymagRows(1, 3)));
  const std::string before = op.fingerprint();
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"import", "--partner", "cfa-tset", f},
                                             {"runs", "--partner", "cfa-tset"},
                                             {"offers", "--partner", "cfa-tset"},
                                             {"withdraw", "--partner", "cfa-tset", "--yes"},
                                             {"offer", "cfa-tset", "Y-1"},
                                             {"retry", "--ref", "cfa-tset:Y-1"}}) {
    CAPTURE(args[0]);
    const Outcome o = op.run(args);
    CHECK(o.code == 64);
    CHECK(contains(o.err, "partner `cfa-tset` is not in the configuration"));
    CHECK(contains(o.err, "cfa-test, cfa-other"));
    CHECK(contains(o.err, "did you mean `cfa-test`?"));
  }
  CHECK(op.fingerprint() == before);
}

TEST_CASE("cli: --config and -c before or after the subcommand; a mistyped command") {
  Operator op;
  CHECK(op.run({"--config", op.config(), "runs"}, false).code == 0);
  CHECK(op.run({"-c", op.config(), "runs"}, false).code == 0);
  CHECK(op.run({"runs", "-c", op.config()}, false).code == 0);
  CHECK(op.run({"--config=" + op.config(), "runs", "--limit", "3"}, false).code == 0);
  const Outcome typo = op.run({"stauts"});
  CHECK(typo.code == 64);
  CHECK(contains(typo.err, "`stauts` is not a command; did you mean `status`?"));
  const Outcome help = op.run({"status", "--help"}, false);
  CHECK(help.code == 0);
  CHECK(contains(help.out, "Exit status: 0 success, 1 something needs attention"));
  CHECK(contains(op.run({"import", "--help"}, false).out, "Exit status:"));
}

TEST_CASE("cli: import --dry-run reports what a file would do and writes nothing") {
  Operator op;
  REQUIRE(op.run({"import", "--partner", "cfa-test", op.file("d1.csv", ymagFile(ymagRows(1, 20)))})
              .code == 0);
  const std::string before = op.fingerprint();

  auto rows = ymagRows(1, 19);
  rows[0].title = "Vendeur en boulangerie, changé";
  const Outcome dry =
      op.run({"import", "--dry-run", "--partner", "cfa-test", op.file("d2.csv", ymagFile(rows))});
  CHECK(dry.code == 0);
  CHECK(contains(dry.out, "dry run (nothing written): imported"));
  CHECK(contains(dry.out, "created=0 updated=1 unchanged=18 withdrawn=1"));
  CHECK(contains(dry.out, "would withdraw: Y-20"));
  CHECK(op.fingerprint() == before);

  // A file that would be quarantined: said so, and no copy is kept.
  const Outcome q = op.run({"import", "--dry-run", "--partner", "cfa-test",
                            op.file("d3.csv", ymagFile(ymagRows(1, 2)))});
  CHECK(q.code == 2);
  CHECK(contains(q.out, "quarantined"));
  CHECK(contains(q.out, "would withdraw 18 of 20"));
  CHECK(op.fingerprint() == before);
}

TEST_CASE("cli: approve shows what it would do, applies with --yes, and twice names the run") {
  Operator op;
  REQUIRE(op.run({"import", "--partner", "cfa-test", op.file("a.csv", ymagFile(ymagRows(1, 20)))})
              .code == 0);
  const Outcome q =
      op.run({"import", "--partner", "cfa-test", op.file("b.csv", ymagFile(ymagRows(1, 5)))});
  REQUIRE(q.code == 2);
  const std::string run = op.store.scalar("SELECT max(id) FROM import_runs");
  REQUIRE(op.store.scalar("SELECT outcome FROM import_runs WHERE id = " + run) == "quarantined");

  // status: the quarantined file needs attention, with the command.
  const Outcome status = op.run({"status", "--json"});
  CHECK(status.code == 1);
  const auto j = nlohmann::json::parse(status.out);
  bool listed = false;
  for (const auto& item : j["needs_attention"])
    listed = listed || (item["kind"] == "quarantined_file" &&
                        item["command"] == "passerelle approve --run " + run);
  CHECK(listed);
  // A partner paused from the dashboard needs attention too.
  op.store.scalar("INSERT INTO partner_pauses VALUES ('cfa-test', now(), 'ops') RETURNING partner");
  bool paused = false;
  const auto with_pause = nlohmann::json::parse(op.run({"status", "--json"}).out);
  for (const auto& item : with_pause["needs_attention"])
    paused = paused || (item["kind"] == "partner_paused" &&
                        item["message"].get<std::string>().find("cfa-test: polling paused") == 0);
  CHECK(paused);
  op.store.scalar("DELETE FROM partner_pauses RETURNING partner");

  const std::string before = op.fingerprint();
  const Outcome preview = op.run({"approve", "--run", run});
  CHECK(preview.code == 1);
  CHECK(contains(preview.out, "withdrawn=15"));
  CHECK(contains(preview.out, "would withdraw: Y-10, Y-11, Y-12"));
  CHECK(contains(preview.out, "and 5 more"));
  CHECK(contains(preview.out, "nothing applied"));
  CHECK(op.fingerprint() == before);

  const Outcome yes = op.run({"approve", "--run", run, "--yes"});
  CHECK(yes.code == 0);
  CHECK(op.store.count("SELECT count(*) FROM offers WHERE status = 'active'") == 5);
  const std::string applied =
      op.store.scalar("SELECT approved_by_run FROM import_runs WHERE id = " + run);
  const Outcome twice = op.run({"approve", "--run", run, "--yes"});
  CHECK(twice.code == 2);
  CHECK(
      contains(twice.err, "run " + run + " was already approved: run " + applied + " applied it"));
}

TEST_CASE("cli: withdraw shows, then withdraws with --yes through the store's normal path") {
  Operator op;
  REQUIRE(op.run({"import", "--partner", "cfa-test", op.file("a.csv", ymagFile(ymagRows(1, 3)))})
              .code == 0);
  const std::string before = op.fingerprint();
  const Outcome preview = op.run({"withdraw", "--partner", "cfa-test", "--ref", "Y-2"});
  CHECK(preview.code == 1);
  CHECK(contains(preview.out, "would withdraw 1 offer(s) of cfa-test"));
  CHECK(contains(preview.out, "Y-2"));
  CHECK(op.fingerprint() == before);

  const Outcome yes = op.run({"withdraw", "--partner", "cfa-test", "--ref", "Y-2", "--yes"});
  CHECK(yes.code == 0);
  CHECK(op.store.scalar("SELECT status FROM offers WHERE source_ref = 'Y-2'") == "withdrawn");
  CHECK(op.store.scalar("SELECT status FROM offers WHERE source_ref = 'Y-1'") == "active");
  // One closing movement per destination (replacing the unsent upserts).
  CHECK(op.store.count("SELECT count(*) FROM outbox_movements WHERE source_ref = 'Y-2'"
                       " AND state = 'pending' AND kind = 'close'") == 2);
  CHECK(op.store.count("SELECT count(*) FROM offer_history WHERE source_ref = 'Y-2'"
                       " AND change = 'withdrawn'") == 1);
}

TEST_CASE("cli: one offer's story; retry --ref; times are RFC 3339 in Europe/Paris") {
  Operator op;
  REQUIRE(op.run({"import", "--partner", "cfa-test", op.file("a.csv", ymagFile(ymagRows(1, 3)))})
              .code == 0);
  auto rows = ymagRows(1, 3);
  rows[0].title = "Vendeur en boulangerie-pâtisserie";
  REQUIRE(op.run({"import", "--partner", "cfa-test", op.file("b.csv", ymagFile(rows))}).code == 0);
  op.store.scalar(
      "UPDATE outbox_movements SET state = 'failed', last_error = '500: down', attempts = 10"
      " WHERE source_ref = 'Y-1' AND destination = 'lba' RETURNING 1");

  const Outcome story = op.run({"offer", "cfa-test", "Y-1", "--json"});
  REQUIRE(story.code == 0);
  const auto j = nlohmann::json::parse(story.out);
  CHECK(j["status"] == "active");
  CHECK(j["offer"]["source_ref"] == "Y-1");
  REQUIRE(j["versions"].size() == 2);
  CHECK(j["versions"][0]["change"] == "created");
  CHECK(j["versions"][0]["file"] == "a.csv");
  CHECK(j["versions"][1]["change"] == "updated");
  CHECK(j["versions"][1]["file"] == "b.csv");
  CHECK(j["versions"][1]["fields_changed"] == nlohmann::json::array({"title"}));
  REQUIRE(j["destinations"].size() == 2);
  const auto& lba = j["destinations"][0];
  CHECK(lba["destination"] == "lba");
  REQUIRE(lba["movements"].size() >= 1);
  CHECK(lba["movements"][0]["state"] == "failed");
  CHECK(lba["movements"][0]["last_error"] == "500: down");
  const std::regex rfc3339(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00)");
  CHECK(std::regex_match(j["first_seen"].get<std::string>(), rfc3339));
  CHECK(std::regex_match(lba["movements"][0]["queued_at"].get<std::string>(), rfc3339));
  const auto run = nlohmann::json::parse(op.run({"runs", "--json", "--limit", "1"}).out);
  CHECK(std::regex_match(run["started_at"].get<std::string>(), rfc3339));
  CHECK(op.run({"offer", "cfa-test", "Y-404"}).code == 2);

  // status: the failed movement needs attention.
  CHECK(op.run({"status"}).code == 1);
  CHECK(contains(op.run({"status"}).out, "passerelle retry --destination lba"));

  const Outcome retry = op.run({"retry", "--ref", "cfa-test:Y-1"});
  CHECK(retry.code == 0);
  CHECK(contains(retry.out, "requeued=1"));
  CHECK(op.store.count("SELECT count(*) FROM outbox_movements WHERE state = 'failed'") == 0);
  CHECK(op.run({"retry", "--ref", "cfa-test"}).code == 64);
}

TEST_CASE("cli: reconcile prints what it did; status exits 0 when all is well") {
  Operator op;
  const Outcome text = op.run({"reconcile"});
  CHECK(text.code == 0);
  CHECK(contains(text.out, "reconcile run"));
  CHECK(contains(text.out, "expired"));
  const Outcome json = op.run({"reconcile", "--json"});
  CHECK(json.code == 0);
  const auto j = nlohmann::json::parse(json.out);
  CHECK(j["ran"] == true);
  CHECK(j["drift"] == false);
  CHECK(j.contains("stuck_requeued"));
  const Outcome status = op.run({"status"});
  CHECK(status.code == 0);
  CHECK(contains(status.out, "all well"));
}

TEST_CASE("cli: offers --json streams each stored offer byte for byte, with its latest movements") {
  Operator op;
  auto rows = ymagRows(1, 3);
  // Line breaks, a backslash, quotes and accents: every escape COPY writes.
  rows[1].description = "\"Ligne 1\nLigne 2 \\ \"\"guillemets\"\" \xC3\xA9t\xC3\xA9\"";
  REQUIRE(op.run({"import", "--partner", "cfa-test", op.file("a.csv", ymagFile(rows))}).code == 0);
  REQUIRE(op.run({"import", "--partner", "cfa-other", op.file("b.csv", ymagFile(ymagRows(7, 1)))})
              .code == 0);
  op.store.scalar(
      "UPDATE outbox_movements SET state = 'failed' WHERE source_ref = 'Y-2'"
      " AND destination = 'lba' RETURNING 1");

  const Outcome all = op.run({"offers", "--json"});
  REQUIRE(all.code == 0);
  std::vector<nlohmann::json> lines;
  std::istringstream in(all.out);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  REQUIRE(lines.size() == 4);  // in key order: cfa-other first
  CHECK(lines[0]["partner"] == "cfa-other");
  for (const auto& line : lines) {
    // The offer.md part is the stored JSON, byte for byte.
    const std::string stored = op.store.scalar(
        "SELECT json FROM offers WHERE partner = '" + line["partner"].get<std::string>() +
        "' AND source_ref = '" + line["source_ref"].get<std::string>() + "'");
    std::string head = all.out.substr(all.out.find(stored.substr(0, stored.size() - 1)));
    CHECK(head.starts_with(stored.substr(0, stored.size() - 1) + ",\"status\":\"active\""));
    CHECK(line["destinations"].size() == 2);
  }
  CHECK(lines[2]["source_ref"] == "Y-2");
  CHECK(lines[2]["description"] == "Ligne 1\nLigne 2 \\ \"guillemets\" \xC3\xA9t\xC3\xA9");
  CHECK(lines[2]["destinations"] ==
        nlohmann::json({{"france-travail", "pending"}, {"lba", "failed"}}));
  CHECK(all.out.find("\"destinations\":{\"france-travail\":") != std::string::npos);

  // Filters: a partner's range, one reference (every partner), a status.
  const Outcome mine = op.run({"offers", "--partner", "cfa-test", "--json"});
  CHECK(std::count(mine.out.begin(), mine.out.end(), '\n') == 3);
  CHECK(mine.out == all.out.substr(all.out.find('\n') + 1));
  const Outcome one = op.run({"offers", "--ref", "Y-2", "--json"});
  CHECK(nlohmann::json::parse(one.out)["destinations"] == lines[2]["destinations"]);
  CHECK(op.run({"offers", "--status", "withdrawn", "--json"}).out.empty());
  const Outcome table = op.run({"offers", "--partner", "cfa-test"});
  CHECK(contains(table.out, "Y-2"));
  CHECK(contains(table.out, "TITLE"));
}

TEST_CASE("cli: reconcile --nightly runs once a night across servers; by hand it always runs") {
  Operator op;
  // Two servers' timers the same night: the first runs, the second does nothing.
  const Outcome first = op.run({"reconcile", "--nightly"});
  CHECK(first.code == 0);
  CHECK(contains(first.out, "reconcile run"));
  const Outcome second = op.run({"reconcile", "--nightly"});
  CHECK(second.code == 0);
  CHECK(contains(second.out, "nothing done: tonight's reconciliation already ran"));
  CHECK(op.store.count("SELECT count(*) FROM reconcile_runs") == 1);
  CHECK(op.store.count("SELECT count(*) FROM job_leases WHERE job = 'reconcile'") == 1);
  // Held by a live server (its lease not ended): said, nothing done.
  op.store.scalar(
      "UPDATE job_leases SET done_at = NULL, owner = 'reconcile@other:1',"
      " expires_at = now() + interval '1 hour' WHERE job = 'reconcile' RETURNING 1");
  CHECK(contains(op.run({"reconcile", "--nightly"}).out, "is running on reconcile@other:1"));
  CHECK(op.store.count("SELECT count(*) FROM reconcile_runs") == 1);
  // An operator's run is never held back.
  CHECK(contains(op.run({"reconcile"}).out, "reconcile run"));
  CHECK(op.store.count("SELECT count(*) FROM reconcile_runs") == 2);
  CHECK(op.run({"reconcile", "--nightly", "--dry-run"}).code == 64);
}
