// DropSelector: completion, order, cap, hostile names (drop-folders.md), with
// what depends on the format read from the partner's dialect.
#include "connectors/drop/drop_selection.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace passerelle::connectors;
using namespace std::chrono_literals;
using passerelle::formats::Completion;

namespace {

RemoteEntry file(std::string name, std::uint64_t size, int mtime_offset_s = 0) {
  return RemoteEntry{std::move(name), size,
                     Clock::WallTime(std::chrono::seconds(1'700'000'000 + mtime_offset_s))};
}

SelectionSettings settingsFor(const char* format) {
  SelectionSettings s;
  s.format = format;
  return s;
}

std::vector<std::string> names(const std::vector<ReadyFile>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.entry.name);
  return out;
}

}  // namespace

TEST_CASE("stable: a growing file is not taken until two listings stable_for apart agree") {
  ManualClock clock;
  SelectionSettings s = settingsFor("ymag");
  s.stable_for = 30s;
  DropSelector sel(s, clock);

  auto r = sel.observe({file("YMAG_X_20260101120000.csv", 100)});
  CHECK(r.ready.empty());
  REQUIRE(r.waiting.size() == 1);
  REQUIRE(r.next_check.has_value());
  CHECK(*r.next_check == clock.steady() + 30s);
  CHECK(sel.nextStableCheckAt() == r.next_check);

  clock.advance(20s);
  r = sel.observe({file("YMAG_X_20260101120000.csv", 100)});
  CHECK(r.ready.empty());  // same, but not 30 s apart yet

  clock.advance(5s);  // 25 s: it grew
  r = sel.observe({file("YMAG_X_20260101120000.csv", 250)});
  CHECK(r.ready.empty());
  CHECK(*r.next_check == clock.steady() + 30s);  // the window starts again

  clock.advance(30s);
  r = sel.observe({file("YMAG_X_20260101120000.csv", 250)});
  REQUIRE(r.ready.size() == 1);
  CHECK(r.ready[0].entry.size == 250);
  CHECK_FALSE(r.ready[0].marker.has_value());
  CHECK_FALSE(r.next_check.has_value());
}

TEST_CASE("stable: an old modification time alone proves nothing; a changed mtime restarts") {
  ManualClock clock;
  DropSelector sel(settingsFor("ymag"), clock);
  // Timestamp from 2023 (copied from the source), first listing: not taken.
  auto r = sel.observe({file("a.csv", 10, -9'000'000)});
  CHECK(r.ready.empty());
  clock.advance(31s);
  r = sel.observe({file("a.csv", 10, -8'000'000)});  // same size, new mtime
  CHECK(r.ready.empty());
  clock.advance(30s);
  r = sel.observe({file("a.csv", 10, -8'000'000)});
  CHECK(r.ready.size() == 1);
}

TEST_CASE("stable: a file that vanished is forgotten") {
  ManualClock clock;
  DropSelector sel(settingsFor("ymag"), clock);
  sel.observe({file("a.csv", 10)});
  clock.advance(31s);
  sel.observe({});
  auto r = sel.observe({file("a.csv", 10)});
  CHECK(r.ready.empty());  // seen again for the first time
}

TEST_CASE("marker: GIL data waits for its marker; an orphan marker is reported after an hour") {
  ManualClock clock;
  DropSelector sel(settingsFor("gil"), clock);  // gil's completion: the marker
  CHECK((sel.completion() == Completion::kMarker));

  auto r = sel.observe({file("GIL_A_20260102_001.csv", 10)});
  CHECK(r.ready.empty());
  CHECK(r.waiting.size() == 1);
  CHECK_FALSE(r.next_check.has_value());  // time will not help: no --once wait

  r = sel.observe({file("GIL_A_20260102_001.csv", 10), file("GIL_A_20260102_001.csv.ok", 0)});
  REQUIRE(r.ready.size() == 1);
  CHECK(r.ready[0].marker == std::optional<std::string>("GIL_A_20260102_001.csv.ok"));
  CHECK(r.warnings.empty());  // the zero-byte marker is not a zero-byte data file

  r = sel.observe({file("GIL_B_20260102_001.csv.ok", 0)});
  CHECK(r.warnings.empty());
  clock.advance(59min);
  r = sel.observe({file("GIL_B_20260102_001.csv.ok", 0)});
  CHECK(r.warnings.empty());
  clock.advance(1min);
  r = sel.observe({file("GIL_B_20260102_001.csv.ok", 0)});
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].reason == SelectionWarning::Reason::kOrphanMarker);
  r = sel.observe({file("GIL_B_20260102_001.csv.ok", 0)});
  CHECK(r.warnings.empty());  // once
}

TEST_CASE("order: date and time in the name, then mtime, then name; GIL by date then NNN") {
  ManualClock clock;
  SelectionSettings s = settingsFor("ymag");
  s.stable_for = 0s;
  {
    DropSelector sel(s, clock);
    auto r = sel.observe({
        file("YMAG_X_20260102080000.csv", 1, 0),
        file("YMAG_X_20260101230000.csv", 1, 50),
        file("YMAG_X_20260101090000.csv", 1, 100),
        file("other.csv", 1, -100),  // no date: after the dated ones
        file("another.csv", 1, -200),
    });
    CHECK(names(r.ready) ==
          std::vector<std::string>{"YMAG_X_20260101090000.csv", "YMAG_X_20260101230000.csv",
                                   "YMAG_X_20260102080000.csv", "another.csv", "other.csv"});
  }
  {
    s.format = "sigma";
    DropSelector sel(s, clock);
    auto r = sel.observe({
        file("SIGMA_C_20260103.csv", 1, 0), file("SIGMA_B_20260102.csv", 1, 10),
        file("SIGMA_A_20260102.csv", 1, 20),  // same date: by mtime
    });
    CHECK(names(r.ready) == std::vector<std::string>{"SIGMA_B_20260102.csv", "SIGMA_A_20260102.csv",
                                                     "SIGMA_C_20260103.csv"});
  }
  {
    s.format = "gil";
    DropSelector sel(s, clock);
    std::vector<RemoteEntry> listing = {
        file("GIL_A_20260102_10.csv", 1, 0), file("GIL_A_20260102_9.csv", 1, 100),
        file("GIL_A_20260101_100.csv", 1, 500), file("GIL_A_20260102_010.csv", 1, 50)};
    std::vector<RemoteEntry> with_markers = listing;
    for (const auto& e : listing) with_markers.push_back(file(e.name + ".ok", 0));
    auto r = sel.observe(with_markers);
    // 9 < 10 == 010 as integers; then the name, never the mtime.
    CHECK(names(r.ready) ==
          std::vector<std::string>{"GIL_A_20260101_100.csv", "GIL_A_20260102_9.csv",
                                   "GIL_A_20260102_010.csv", "GIL_A_20260102_10.csv"});
  }
}

TEST_CASE("cap: at most max_files_per_poll, oldest first; the rest waits for the next poll") {
  ManualClock clock;
  SelectionSettings s = settingsFor("sigma");
  s.stable_for = 0s;
  s.max_files_per_poll = 3;
  DropSelector sel(s, clock);
  std::vector<RemoteEntry> listing;
  for (int day = 9; day >= 1; --day) {
    listing.push_back(file("SIGMA_A_2026010" + std::to_string(day) + ".csv", 5));
  }
  auto r = sel.observe(listing);
  CHECK(names(r.ready) == std::vector<std::string>{"SIGMA_A_20260101.csv", "SIGMA_A_20260102.csv",
                                                   "SIGMA_A_20260103.csv"});
  CHECK(r.deferred == 6);
}

TEST_CASE("hostile names, pattern, zero-byte files, oversize") {
  ManualClock clock;
  SelectionSettings s = settingsFor("ymag");
  s.stable_for = 0s;
  s.max_file_size = 1000;
  DropSelector sel(s, clock);
  std::vector<RemoteEntry> listing = {
      file("../etc.csv", 5), file("a/b.csv", 5),    file("a\\b.csv", 5),     file(".hidden.csv", 5),
      file("x\r.csv", 5),    file("x..csv", 5),     file("bell\x07.csv", 5), file("empty.csv", 0),
      file("notes.txt", 5),  file("big.csv", 1001), file("ok.CSV", 1000),
  };
  auto r = sel.observe(listing);
  CHECK(names(r.ready) == std::vector<std::string>{"ok.CSV"});
  CHECK(names(r.oversize) == std::vector<std::string>{"big.csv"});
  int hostile = 0, zero = 0;
  for (const auto& w : r.warnings) {
    if (w.reason == SelectionWarning::Reason::kHostileName) ++hostile;
    if (w.reason == SelectionWarning::Reason::kZeroBytes) ++zero;
  }
  CHECK(hostile == 7);
  CHECK(zero == 1);
  // Warned once while they stay.
  r = sel.observe(listing);
  CHECK(r.warnings.empty());
}

TEST_CASE("skip: files the ledger knows cost nothing and do not count in the cap") {
  ManualClock clock;
  SelectionSettings s = settingsFor("ymag");
  s.stable_for = 0s;
  s.max_files_per_poll = 2;
  DropSelector sel(s, clock);
  std::vector<RemoteEntry> listing;
  for (int i = 0; i < 1000; ++i) listing.push_back(file("old_" + std::to_string(i) + ".csv", 9));
  listing.push_back(file("new.csv", 9));
  auto r = sel.observe(listing, [](const RemoteEntry& e) { return e.name.rfind("old_", 0) == 0; });
  CHECK(names(r.ready) == std::vector<std::string>{"new.csv"});
  CHECK(r.deferred == 0);
}

TEST_CASE("--once: the caller waits only when a candidate needs it") {
  ManualClock clock;
  DropSelector sel(settingsFor("ymag"), clock);
  auto r = sel.observe({});
  CHECK_FALSE(r.next_check.has_value());
  r = sel.observe({file("a.csv", 3)});
  REQUIRE(r.next_check.has_value());
  clock.sleepFor(*r.next_check - clock.steady());
  r = sel.observe({file("a.csv", 3)});
  CHECK(r.ready.size() == 1);
}

TEST_CASE("the dialect gives the defaults; the partner's settings override them") {
  ManualClock clock;
  for (const char* format : {"ymag", "sigma"}) {
    CAPTURE(format);
    DropSelector sel(settingsFor(format), clock);
    CHECK(sel.pattern() == "*.csv");
    CHECK((sel.completion() == Completion::kStable));
  }
  DropSelector gil(settingsFor("gil"), clock);
  CHECK(gil.pattern() == "*.csv");
  CHECK((gil.completion() == Completion::kMarker));

  SelectionSettings s = settingsFor("ymag");
  s.pattern = "export_*.txt";
  s.completion = Completion::kMarker;
  DropSelector custom(s, clock);
  auto r = custom.observe(
      {file("export_1.txt", 5), file("export_1.txt.OK", 0), file("YMAG_X_20260101000000.csv", 5)});
  REQUIRE(names(r.ready) == std::vector<std::string>{"export_1.txt"});
  CHECK(r.ready[0].marker == std::optional<std::string>("export_1.txt.OK"));

  CHECK_THROWS_AS(DropSelector(settingsFor("csv"), clock), std::invalid_argument);
  CHECK_THROWS_AS(DropSelector(SelectionSettings{}, clock), std::invalid_argument);
}

TEST_CASE("order: the partner's dialect reads the names, not the name's prefix") {
  ManualClock clock;
  SelectionSettings s = settingsFor("ymag");
  s.stable_for = 0s;
  DropSelector sel(s, clock);
  // GIL-looking names in a ymag folder: dated by the generic rule, then by
  // modification time (a GIL sequence number means nothing to ymag).
  auto r = sel.observe({file("GIL_A_20260102_9.csv", 1, 30), file("GIL_A_20260102_10.csv", 1, 10),
                        file("GIL_A_20260101_99.csv", 1, 90)});
  CHECK(names(r.ready) == std::vector<std::string>{"GIL_A_20260101_99.csv", "GIL_A_20260102_10.csv",
                                                   "GIL_A_20260102_9.csv"});
}

TEST_CASE("hostile names: 30,000 characters ignored with a warning, non-UTF-8 bytes ordered") {
  ManualClock clock;
  for (const char* format : {"ymag", "sigma", "gil"}) {
    CAPTURE(format);
    SelectionSettings s = settingsFor(format);
    s.stable_for = 0s;
    s.completion = Completion::kStable;
    DropSelector sel(s, clock);
    const std::string huge = std::string(format) + "_" + std::string(30000, 'x') + "_20260102.csv";
    const std::string digits = std::string(30000, '7') + ".csv";
    const std::string latin1 = "YMAG_\xe9t\xe9\xff_20260101000000.csv";
    auto r = sel.observe({file(huge, 1), file(digits, 1), file(latin1, 1)});
    CHECK(names(r.ready) == std::vector<std::string>{latin1});
    REQUIRE(r.warnings.size() == 2);  // over NAME_MAX: never taken, never crashed on
    for (const auto& w : r.warnings) CHECK((w.reason == SelectionWarning::Reason::kNameTooLong));
  }
}

TEST_CASE("names over 255 bytes and names listed twice are ignored, warned about once") {
  ManualClock clock;
  SelectionSettings s = settingsFor("ymag");
  s.stable_for = 0s;
  DropSelector sel(s, clock);
  const std::string at_limit = std::string(251, 'a') + ".csv";  // 255 bytes
  const std::string too_long = std::string(2000, 'b') + ".csv";
  // A phantom line forged by a line break inside another name.
  std::vector<RemoteEntry> listing = {file(at_limit, 5), file(too_long, 5), file("twice.csv", 5),
                                      file("twice.csv", 7), file("ok.csv", 5)};
  auto r = sel.observe(listing);
  CHECK(names(r.ready) == std::vector<std::string>{at_limit, "ok.csv"});
  REQUIRE(r.warnings.size() == 2);
  CHECK(r.warnings[0].name == too_long);
  CHECK((r.warnings[0].reason == SelectionWarning::Reason::kNameTooLong));
  CHECK(r.warnings[1].name == "twice.csv");
  CHECK((r.warnings[1].reason == SelectionWarning::Reason::kDuplicateName));
  r = sel.observe(listing);
  CHECK(r.warnings.empty());  // once per name, not at every poll
  // Gone and back: a new warning.
  sel.observe({file("ok.csv", 5)});
  r = sel.observe(listing);
  CHECK(r.warnings.size() == 2);
}
