// DropSelector: which files of a drop folder to take, and in which order
// (drop-folders.md "Which files are taken"). Pure logic: it sees listings
// (RemoteEntry vectors) and the Clock, never the folder itself.
//
// What depends on the partner's format comes from its dialect (DialectSpec,
// created by name from the registry): the default pattern and completion,
// and how a name orders a file (formats/file_naming.h). Nothing here knows a
// dialect by its name.
//
// One DropSelector per partner lives across polls, because completion by
// stability needs two listings at least `stable_for` apart showing the same
// size and modification time (an old timestamp alone proves nothing). Each
// observe() takes one listing and returns a DropSelection:
//   - ready: complete files to download now, ordered by the date (and time)
//     and sequence number in the name as the dialect reads them, then by
//     modification time (unless the dialect's naming forbids it: GIL), then
//     by name; at most max_files_per_poll of them;
//   - oversize: complete files larger than max_file_size, to move to failed/
//     with a report, never to download (not counted in the cap);
//   - warnings: names ignored (hostile, longer than 255 bytes, listed twice,
//     zero-byte files: remote_name.h) and markers without data for more than
//     an hour; each is given once while the name stays in the folder;
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
#include "formats/file_naming.h"

namespace passerelle::connectors {

struct SelectionSettings {
  std::string format;  // the partner's dialect, by its registry name ("ymag")
  // Shell glob on the name, case-insensitive; unset: the dialect's default.
  std::optional<std::string> pattern;
  // Unset: the dialect's (DialectSpec::completion).
  std::optional<formats::Completion> completion;
  std::chrono::milliseconds stable_for = std::chrono::seconds(30);
  std::uint64_t max_file_size = 200ull * 1024 * 1024;
  int max_files_per_poll = 50;
  std::chrono::milliseconds orphan_marker_after = std::chrono::hours(1);
};

struct SelectionWarning {
  enum class Reason {
    kHostileName,    // '/', '\\', "..", control character, leading '.'
    kNameTooLong,    // more than kMaxNameBytes (255) bytes
    kDuplicateName,  // listed twice (a line break inside a name can forge a line)
    kZeroBytes,      // never imported (may still be written)
    kOrphanMarker,   // "<name>.ok" without "<name>" for orphan_marker_after
  };
  std::string name;  // as listed: log it through logName()
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
  // Throws std::invalid_argument when no dialect has the settings' format.
  DropSelector(SelectionSettings settings, const Clock& clock);

  using Skip = std::function<bool(const RemoteEntry&)>;
  DropSelection observe(const std::vector<RemoteEntry>& listing, const Skip& skip = {});

  // When the last observe() said a new listing could complete a candidate.
  std::optional<Clock::SteadyTime> nextStableCheckAt() const { return next_check_; }

  const SelectionSettings& settings() const { return settings_; }
  // The pattern and completion in force (the settings', else the dialect's).
  const std::string& pattern() const { return pattern_; }
  formats::Completion completion() const { return completion_; }

 private:
  struct Seen {
    std::uint64_t size;
    std::optional<Clock::WallTime> mtime;
    Clock::SteadyTime since;  // when this size and mtime were first seen
  };
  using Names = std::set<std::string>;

  void forgetAbsent(const Names& present);
  void warnOnce(DropSelection& out, const std::string& name, SelectionWarning::Reason reason,
                std::string message);
  // A "<name>.ok" marker: nothing to take, but reported when alone too long.
  void watchMarker(const std::string& marker, const Names& present, Clock::SteadyTime now,
                   DropSelection& out);
  // Whether `name` may be taken at all (remote_name.h; not listed twice);
  // if not, warned about once.
  bool acceptableName(const std::string& name, const Names& listed_twice, DropSelection& out);
  // The marker that completes `name`, if the listing has one (any case of ".ok").
  static std::optional<std::string> markerOf(const std::string& name, const Names& present);
  // Whether `e` kept its size and time for stable_for; if not, when it may.
  bool isStable(const RemoteEntry& e, Clock::SteadyTime now, DropSelection& out);
  // Orders the complete files and moves the first max_files_per_poll to `ready`.
  void orderAndCap(std::vector<ReadyFile>& complete, DropSelection& out) const;

  SelectionSettings settings_;
  const Clock& clock_;
  formats::FileNaming naming_;
  std::string pattern_;
  formats::Completion completion_;
  std::map<std::string, Seen> seen_;
  std::map<std::string, Clock::SteadyTime> orphan_markers_;
  Names warned_;
  std::optional<Clock::SteadyTime> next_check_;
};

// Whether `name` matches the shell glob `pattern` (case-insensitive).
bool matchesPattern(const std::string& pattern, const std::string& name);

}  // namespace passerelle::connectors
