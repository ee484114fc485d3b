#include "daemon/cli/command_line.h"

#include <algorithm>
#include <map>

namespace passerelle::daemon {
namespace {

bool isConfigOption(const std::string& a) {
  return a == "--config" || a == "-c";
}

// Appends `--config VALUE` when `a` (with its next argument) is a config
// option; returns how many arguments it took (0: not one).
std::size_t takeConfig(const std::vector<std::string>& args, std::size_t i,
                       std::vector<std::string>& out) {
  const std::string& a = args[i];
  if (isConfigOption(a)) {
    out.push_back("--config");
    if (i + 1 < args.size()) {
      out.push_back(args[i + 1]);
      return 2;
    }
    return 1;  // CLI11 will say the value is missing
  }
  if (a.rfind("--config=", 0) == 0) {
    out.insert(out.end(), {"--config", a.substr(9)});
    return 1;
  }
  if (a.size() > 2 && a.rfind("-c", 0) == 0) {
    out.insert(out.end(), {"--config", a.substr(2)});
    return 1;
  }
  return 0;
}

}  // namespace

std::vector<std::string> normalizeArguments(const std::vector<std::string>& args) {
  std::vector<std::string> head, rest, configs;
  bool after_dashes = false;
  for (std::size_t i = 0; i < args.size();) {
    const std::string& a = args[i];
    if (!after_dashes && a == "--") {
      after_dashes = true;
      rest.push_back(a);
      ++i;
      continue;
    }
    if (!after_dashes) {
      std::vector<std::string> taken;
      if (const std::size_t n = takeConfig(args, i, taken)) {
        configs.insert(configs.end(), taken.begin(), taken.end());
        i += n;
        continue;
      }
    }
    (after_dashes ? rest : head).push_back(a);
    ++i;
  }
  // Options before `--` and after every positional: CLI11 reads them there.
  std::vector<std::string> out = head;
  out.insert(out.end(), configs.begin(), configs.end());
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

std::optional<std::string> requestedCommand(const std::vector<std::string>& normalized) {
  for (std::size_t i = 0; i < normalized.size(); ++i) {
    const std::string& a = normalized[i];
    if (a == "--config") {
      ++i;
      continue;
    }
    if (a == "--") return std::nullopt;
    if (!a.empty() && a[0] == '-') continue;
    return a;
  }
  return std::nullopt;
}

std::optional<std::string> closestName(const std::string& word,
                                       const std::vector<std::string>& commands) {
  std::optional<std::string> best;
  std::size_t best_distance = 4;  // more than 3 edits is another word
  for (const std::string& c : commands) {
    // Levenshtein distance, one row at a time ("stauts" is 2 edits away).
    std::vector<std::size_t> row(c.size() + 1);
    for (std::size_t j = 0; j <= c.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= word.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= c.size(); ++j) {
        const std::size_t above = row[j];
        row[j] =
            std::min({row[j] + 1, row[j - 1] + 1, diagonal + (word[i - 1] == c[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    const std::size_t distance = row[c.size()];
    if (distance < best_distance && distance < std::max(word.size(), c.size())) {
      best_distance = distance;
      best = c;
    }
  }
  return best;
}

std::string exitStatusHelp(const std::string& command) {
  static const std::map<std::string, std::string> kDone = {
      {"check", "1 some rows rejected, 2 the file was refused or could not be read"},
      {"import", "1 rows were rejected, 2 a file was refused, quarantined or failed"},
      {"approve",
       "1 rows were rejected (or, without --yes, the preview was shown and nothing applied),"
       " 2 the approval was refused or failed"},
      {"set-aside",
       "1 without --yes: what it would do was shown and nothing done,"
       " 2 the run is not waiting for a decision, or failure"},
      {"withdraw", "1 preview shown (no --yes), nothing withdrawn; 2 failure"},
      {"status", "1 something needs attention (listed at the end), 2 the store cannot be reached"},
      {"reconcile", "1 drift found (and fixed unless --dry-run), 2 failure"},
      {"push",
       "1 some offers not eligible or refused for good, 2 something could not be delivered"
       " now, or failure"},
      {"daemon", "2 failure (store unreachable, listener cannot bind, bad configuration)"},
      {"config", "2 the configuration or a secret is refused"},
  };
  const auto it = kDone.find(command);
  const std::string middle = it != kDone.end() ? it->second : "2 failure";
  return "Exit status: 0 success, " + middle + ", 64 usage error (bad options, unknown partner).";
}

}  // namespace passerelle::daemon
