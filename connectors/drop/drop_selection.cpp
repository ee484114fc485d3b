#include "connectors/drop/drop_selection.h"

#include <fnmatch.h>

#include <algorithm>
#include <regex>

namespace passerelle::connectors {

namespace {

bool validDate(const std::string& d) {
  if (d.size() < 8) return false;
  int month = std::stoi(d.substr(4, 2));
  int day = std::stoi(d.substr(6, 2));
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  if (d.size() >= 14) {
    int h = std::stoi(d.substr(8, 2)), m = std::stoi(d.substr(10, 2)),
        s = std::stoi(d.substr(12, 2));
    if (h > 23 || m > 59 || s > 60) return false;
  }
  return true;
}

std::string stripZeros(const std::string& digits) {
  auto first = digits.find_first_not_of('0');
  return first == std::string::npos ? "0" : digits.substr(first);
}

bool endsWithOk(const std::string& name) {
  if (name.size() < 4) return false;
  std::string tail = name.substr(name.size() - 3);
  for (auto& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return tail == ".ok";
}

}  // namespace

bool matchesPattern(const std::string& pattern, const std::string& name) {
  return ::fnmatch(pattern.c_str(), name.c_str(), FNM_CASEFOLD | FNM_PERIOD) == 0;
}

NameOrder nameOrderOf(const std::string& name) {
  static const std::regex ymag(R"(^YMAG_.+_([0-9]{14})\.[A-Za-z0-9]+$)", std::regex::icase);
  static const std::regex sigma(R"(^SIGMA_.+_([0-9]{8})\.[A-Za-z0-9]+$)", std::regex::icase);
  static const std::regex gil(R"(^GIL_.+_([0-9]{8})_([0-9]+)\.[A-Za-z0-9]+$)", std::regex::icase);
  static const std::regex digits("[0-9]+");
  std::smatch m;
  NameOrder order;
  if (std::regex_match(name, m, ymag) && validDate(m[1])) {
    order.datetime = m[1];
    return order;
  }
  if (std::regex_match(name, m, sigma) && validDate(m[1])) {
    order.datetime = std::string(m[1]) + "000000";
    return order;
  }
  if (std::regex_match(name, m, gil) && validDate(m[1])) {
    order.datetime = std::string(m[1]) + "000000";
    order.sequence = stripZeros(m[2]);
    return order;
  }
  // Any other name: its last run of 14 digits that is a date and time, else
  // its last run of 8 digits that is a date.
  std::string best14, best8;
  for (auto it = std::sregex_iterator(name.begin(), name.end(), digits);
       it != std::sregex_iterator(); ++it) {
    std::string run = it->str();
    if (run.size() == 14 && validDate(run)) best14 = run;
    if (run.size() == 8 && validDate(run)) best8 = run;
  }
  if (!best14.empty()) {
    order.datetime = best14;
  } else if (!best8.empty()) {
    order.datetime = best8 + "000000";
  }
  return order;
}

DropSelector::DropSelector(SelectionSettings settings, const Clock& clock)
    : settings_(std::move(settings)), clock_(clock) {}

DropSelection DropSelector::observe(const std::vector<RemoteEntry>& listing, const Skip& skip) {
  const auto now = clock_.steady();
  DropSelection out;
  std::set<std::string> present;
  for (const auto& e : listing) present.insert(e.name);
  // Forget what left the folder.
  std::erase_if(seen_, [&](const auto& kv) { return present.count(kv.first) == 0; });
  std::erase_if(orphan_markers_, [&](const auto& kv) { return present.count(kv.first) == 0; });
  std::erase_if(warned_, [&](const auto& name) { return present.count(name) == 0; });

  auto warn = [&](const std::string& name, SelectionWarning::Reason reason, std::string message) {
    if (!warned_.insert(name).second) return;
    out.warnings.push_back({name, reason, std::move(message)});
  };
  const bool marker_mode = settings_.completion == formats::Completion::kMarker;

  std::vector<ReadyFile> complete;
  for (const auto& e : listing) {
    if (!isSafeRemoteName(e.name)) {
      warn(e.name, SelectionWarning::Reason::kHostileName,
           "file name ignored (slash, backslash, '..', control character or leading dot)");
      continue;
    }
    if (marker_mode && endsWithOk(e.name)) {
      std::string data = e.name.substr(0, e.name.size() - 3);
      if (present.count(data) != 0) {
        orphan_markers_.erase(e.name);
        continue;
      }
      auto since = orphan_markers_.try_emplace(e.name, now).first->second;
      if (now - since >= settings_.orphan_marker_after) {
        warn(e.name, SelectionWarning::Reason::kOrphanMarker,
             "completion marker without its data file");
      }
      continue;
    }
    if (!matchesPattern(settings_.pattern, e.name)) continue;
    if (skip && skip(e)) {
      seen_.erase(e.name);
      continue;
    }
    if (e.size == 0) {
      seen_.erase(e.name);
      warn(e.name, SelectionWarning::Reason::kZeroBytes, "zero-byte file ignored");
      continue;
    }
    bool is_complete = false;
    std::optional<std::string> marker;
    if (marker_mode) {
      marker = e.name + ".ok";
      is_complete = present.count(*marker) != 0;
      if (!is_complete) {
        // Also accept the marker spelt with another case (".OK").
        for (const auto& other : present) {
          if (other.size() == marker->size() && endsWithOk(other) &&
              other.compare(0, e.name.size(), e.name) == 0) {
            marker = other;
            is_complete = true;
          }
        }
      }
    } else {
      auto [it, inserted] = seen_.try_emplace(e.name, Seen{e.size, e.mtime, now});
      Seen& s = it->second;
      if (!inserted && (s.size != e.size || s.mtime != e.mtime)) s = Seen{e.size, e.mtime, now};
      is_complete = now - s.since >= settings_.stable_for;
      if (!is_complete) {
        auto at = s.since + settings_.stable_for;
        if (!out.next_check || at < *out.next_check) out.next_check = at;
      }
    }
    if (!is_complete) {
      out.waiting.push_back(e);
      continue;
    }
    ReadyFile file{e, marker};
    if (e.size > settings_.max_file_size) {
      out.oversize.push_back(std::move(file));
    } else {
      complete.push_back(std::move(file));
    }
  }

  const bool by_mtime = settings_.format != "gil";
  struct Keyed {
    NameOrder order;
    ReadyFile* file;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(complete.size());
  for (auto& f : complete) keyed.push_back({nameOrderOf(f.entry.name), &f});
  std::sort(keyed.begin(), keyed.end(), [&](const Keyed& a, const Keyed& b) {
    bool a_dated = !a.order.datetime.empty(), b_dated = !b.order.datetime.empty();
    if (a_dated != b_dated) return a_dated;  // dated names first
    if (a.order.datetime != b.order.datetime) return a.order.datetime < b.order.datetime;
    if (a.order.sequence.has_value() != b.order.sequence.has_value()) {
      return !a.order.sequence.has_value();
    }
    if (a.order.sequence && *a.order.sequence != *b.order.sequence) {
      const auto& x = *a.order.sequence;
      const auto& y = *b.order.sequence;
      return x.size() != y.size() ? x.size() < y.size() : x < y;
    }
    bool gil = !by_mtime || a.order.sequence.has_value();
    if (!gil) {
      const auto& ma = a.file->entry.mtime;
      const auto& mb = b.file->entry.mtime;
      if (ma.has_value() != mb.has_value()) return ma.has_value();
      if (ma && *ma != *mb) return *ma < *mb;
    }
    return a.file->entry.name < b.file->entry.name;
  });
  std::size_t cap = settings_.max_files_per_poll > 0
                        ? static_cast<std::size_t>(settings_.max_files_per_poll)
                        : keyed.size();
  for (std::size_t i = 0; i < keyed.size(); ++i) {
    if (i < cap) {
      out.ready.push_back(std::move(*keyed[i].file));
    } else {
      ++out.deferred;
    }
  }
  next_check_ = out.next_check;
  return out;
}

}  // namespace passerelle::connectors
