// DropSelector: which files of a drop folder to take, and in which order
// (drop-folders.md "Which files are taken"). Pure logic: it sees listings
// (RemoteEntry vectors) and the Clock, never the folder itself.
//
// One DropSelector per partner lives across polls, because completion by
// stability needs two listings at least `stable_for` apart showing the same
// size and modification time (an old timestamp alone proves nothing). Each
// observe() takes one listing and returns a DropSelection:
//   - ready: complete files to download now, ordered by the date (and time)
//     in the name (YMAG_<code>_<AAAAMMJJhhmmss>, SIGMA_<code>_<AAAAMMJJ>,
//     GIL_<code>_<AAAAMMJJ>_<NNN> by date then NNN as an integer; any other
//     name: its first 14- or 8-digit date), then by modification time (never
//     for GIL), then by name; at most max_files_per_poll of them;
//   - oversize: complete files larger than max_file_size, to move to failed/
//     with a report, never to download (not counted in the cap);
//   - warnings: names ignored (hostile names, zero-byte files) and markers
//     without data for more than an hour; each is given once while the
//     file stays in the folder;
//   - waiting / next_check: files not complete yet and when a new listing
//     could make one complete (--once: sleep until then, list, observe
//     again; nothing waits when no candidate needs it).
// The `skip` callback lets the daemon drop files it already knows (its
// ledger) before any completion check or cap, so that 1,000 processed files
// kept in the folder (after = keep) cost nothing and starve no new file.
// Names that vanish from the listing are forgotten.
//
// Thread safety: not thread-safe; one per partner, used by that partner's
// poll only. The Clock must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "connectors/drop/drop_folder.h"
#include "connectors/host/clock.h"
#include "formats/dialect.h"

namespace passerelle::connectors {

struct SelectionSettings {
  std::string format;             // "ymag", "sigma", "gil"...: gil never orders by mtime
  std::string pattern = "*.csv";  // shell glob on the name, case-insensitive
  formats::Completion completion = formats::Completion::kStable;
  std::chrono::milliseconds stable_for = std::chrono::seconds(30);
  std::uint64_t max_file_size = 200ull * 1024 * 1024;
  int max_files_per_poll = 50;
  std::chrono::milliseconds orphan_marker_after = std::chrono::hours(1);
};

struct SelectionWarning {
  enum class Reason {
    kHostileName,   // '/', '\\', "..", control character, leading '.'
    kZeroBytes,     // never imported (may still be written)
    kOrphanMarker,  // "<name>.ok" without "<name>" for orphan_marker_after
  };
  std::string name;
  Reason reason;
  std::string message;  // English, for the log
};

struct ReadyFile {
  RemoteEntry entry;
  std::optional<std::string> marker;  // "<name>.ok" (marker completion): move it with the file
};

struct DropSelection {
  std::vector<ReadyFile> ready;     // ordered, capped
  std::vector<ReadyFile> oversize;  // complete but larger than max_file_size
  std::vector<SelectionWarning> warnings;
  std::vector<RemoteEntry> waiting;  // candidates not complete yet
  std::size_t deferred = 0;          // ready files left for the next poll by the cap
  // Earliest steady time at which a new listing may make a waiting candidate
  // complete (stable completion only); unset when none waits for time.
  std::optional<Clock::SteadyTime> next_check;
};

class DropSelector {
 public:
  DropSelector(SelectionSettings settings, const Clock& clock);

  using Skip = std::function<bool(const RemoteEntry&)>;
  DropSelection observe(const std::vector<RemoteEntry>& listing, const Skip& skip = {});

  // When the last observe() said a new listing could complete a candidate.
  std::optional<Clock::SteadyTime> nextStableCheckAt() const { return next_check_; }

  const SelectionSettings& settings() const { return settings_; }

 private:
  struct Seen {
    std::uint64_t size;
    std::optional<Clock::WallTime> mtime;
    Clock::SteadyTime since;  // when this size and mtime were first seen
  };
  SelectionSettings settings_;
  const Clock& clock_;
  std::map<std::string, Seen> seen_;
  std::map<std::string, Clock::SteadyTime> orphan_markers_;
  std::set<std::string> warned_;
  std::optional<Clock::SteadyTime> next_check_;
};

// The ordering key of a name (exposed for the tests): the date and time in
// the name as "AAAAMMJJhhmmss" (empty when none), and GIL's sequence number.
struct NameOrder {
  std::string datetime;
  std::optional<std::string> sequence;  // digits, leading zeros removed
};
NameOrder nameOrderOf(const std::string& name);

// Whether `name` matches the shell glob `pattern` (case-insensitive).
bool matchesPattern(const std::string& pattern, const std::string& name);

}  // namespace passerelle::connectors
