#include "connectors/drop/drop_selection.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "formats/dialect_registry.h"

namespace passerelle::connectors {

namespace {

constexpr std::string_view kMarkerSuffix = ".ok";

bool endsWithOk(const std::string& name) {
  if (name.size() <= kMarkerSuffix.size()) return false;
  std::string tail = name.substr(name.size() - kMarkerSuffix.size());
  for (auto& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return tail == kMarkerSuffix;
}

}  // namespace

bool matchesPattern(const std::string& pattern, const std::string& name) {
  return ::fnmatch(pattern.c_str(), name.c_str(), FNM_CASEFOLD | FNM_PERIOD) == 0;
}

DropSelector::DropSelector(SelectionSettings settings, const Clock& clock)
    : settings_(std::move(settings)), clock_(clock) {
  const auto dialect = formats::DialectRegistry::instance().create(settings_.format);
  if (!dialect) {
    throw std::invalid_argument("drop selection: unknown format \"" + settings_.format + "\"");
  }
  naming_ = dialect->spec().naming;
  pattern_ = settings_.pattern.value_or(dialect->spec().default_pattern);
  completion_ = settings_.completion.value_or(dialect->spec().completion);
}

void DropSelector::forgetAbsent(const Names& present) {
  std::erase_if(seen_, [&](const auto& kv) { return present.count(kv.first) == 0; });
  std::erase_if(orphan_markers_, [&](const auto& kv) { return present.count(kv.first) == 0; });
  std::erase_if(warned_, [&](const auto& name) { return present.count(name) == 0; });
}

void DropSelector::warnOnce(DropSelection& out, const std::string& name,
                            SelectionWarning::Reason reason, std::string message) {
  if (!warned_.insert(name).second) return;
  out.warnings.push_back({name, reason, std::move(message)});
}

void DropSelector::watchMarker(const std::string& marker, const Names& present,
                               Clock::SteadyTime now, DropSelection& out) {
  if (present.count(marker.substr(0, marker.size() - kMarkerSuffix.size())) != 0) {
    orphan_markers_.erase(marker);
    return;
  }
  auto since = orphan_markers_.try_emplace(marker, now).first->second;
  if (now - since >= settings_.orphan_marker_after) {
    warnOnce(out, marker, SelectionWarning::Reason::kOrphanMarker,
             "completion marker without its data file");
  }
}

std::optional<std::string> DropSelector::markerOf(const std::string& name, const Names& present) {
  std::string marker = name + std::string(kMarkerSuffix);
  if (present.count(marker) != 0) return marker;
  // Also accept the marker spelt with another case (".OK"); the last one
  // listed in name order wins, as it always did.
  std::optional<std::string> found;
  for (const auto& other : present) {
    if (other.size() == marker.size() && endsWithOk(other) &&
        other.compare(0, name.size(), name) == 0) {
      found = other;
    }
  }
  return found;
}

bool DropSelector::acceptableName(const std::string& name, const Names& listed_twice,
                                  DropSelection& out) {
  switch (nameProblem(name)) {
    case NameProblem::kTooLong:
      warnOnce(out, name, SelectionWarning::Reason::kNameTooLong,
               "file name ignored: longer than " + std::to_string(kMaxNameBytes) + " bytes");
      return false;
    case NameProblem::kUnsafe:
      warnOnce(out, name, SelectionWarning::Reason::kHostileName,
               "file name ignored (slash, backslash, '..', control character or leading dot)");
      return false;
    case NameProblem::kNone:
      break;
  }
  if (listed_twice.count(name) != 0) {
    seen_.erase(name);
    warnOnce(out, name, SelectionWarning::Reason::kDuplicateName,
             "file name ignored: listed twice (a line break inside a file name?)");
    return false;
  }
  return true;
}

bool DropSelector::isStable(const RemoteEntry& e, Clock::SteadyTime now, DropSelection& out) {
  auto [it, inserted] = seen_.try_emplace(e.name, Seen{e.size, e.mtime, now});
  Seen& s = it->second;
  if (!inserted && (s.size != e.size || s.mtime != e.mtime)) s = Seen{e.size, e.mtime, now};
  if (now - s.since >= settings_.stable_for) return true;
  const auto at = s.since + settings_.stable_for;
  if (!out.next_check || at < *out.next_check) out.next_check = at;
  return false;
}

void DropSelector::orderAndCap(std::vector<ReadyFile>& complete, DropSelection& out) const {
  struct Keyed {
    formats::NameOrder order;
    ReadyFile* file;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(complete.size());
  for (auto& f : complete) keyed.push_back({formats::nameOrderOf(naming_, f.entry.name), &f});
  std::sort(keyed.begin(), keyed.end(), [&](const Keyed& a, const Keyed& b) {
    if (auto c = formats::compareNameOrder(a.order, b.order); c != 0) return c < 0;
    if (naming_.order_by_mtime) {
      const auto& ma = a.file->entry.mtime;
      const auto& mb = b.file->entry.mtime;
      if (ma.has_value() != mb.has_value()) return ma.has_value();
      if (ma && *ma != *mb) return *ma < *mb;
    }
    return a.file->entry.name < b.file->entry.name;
  });
  const std::size_t cap = settings_.max_files_per_poll > 0
                              ? static_cast<std::size_t>(settings_.max_files_per_poll)
                              : keyed.size();
  for (std::size_t i = 0; i < keyed.size(); ++i) {
    if (i < cap) {
      out.ready.push_back(std::move(*keyed[i].file));
    } else {
      ++out.deferred;
    }
  }
}

DropSelection DropSelector::observe(const std::vector<RemoteEntry>& listing, const Skip& skip) {
  const auto now = clock_.steady();
  const bool marker_mode = completion_ == formats::Completion::kMarker;
  DropSelection out;
  Names present, listed_twice;
  for (const auto& e : listing) {
    if (!present.insert(e.name).second) listed_twice.insert(e.name);
  }
  forgetAbsent(present);

  std::vector<ReadyFile> complete;
  for (const auto& e : listing) {
    if (!acceptableName(e.name, listed_twice, out)) continue;
    if (marker_mode && endsWithOk(e.name)) {
      watchMarker(e.name, present, now, out);
      continue;
    }
    if (!matchesPattern(pattern_, e.name)) continue;
    if (skip && skip(e)) {
      seen_.erase(e.name);
      continue;
    }
    if (e.size == 0) {
      seen_.erase(e.name);
      warnOnce(out, e.name, SelectionWarning::Reason::kZeroBytes, "zero-byte file ignored");
      continue;
    }
    std::optional<std::string> marker = marker_mode ? markerOf(e.name, present) : std::nullopt;
    if (marker_mode ? !marker : !isStable(e, now, out)) {
      out.waiting.push_back(e);
      continue;
    }
    ReadyFile file{e, std::move(marker)};
    (e.size > settings_.max_file_size ? out.oversize : complete).push_back(std::move(file));
  }
  orderAndCap(complete, out);
  next_check_ = out.next_check;
  return out;
}

}  // namespace passerelle::connectors
