// CommandLine: what main() does to the arguments before CLI11 sees them, and
// the operators' safety nets around the subcommands (operations.md, "What
// operators can rely on").
//
// - `--config FILE` / `-c FILE` (also `--config=FILE`, `-cFILE`) is accepted
//   before or after the subcommand: normalizeArguments() spells every form
//   `--config FILE` and moves them after the last other argument (before a
//   `--`), where the subcommand (each declares its own) reads them.
// - A word that is no subcommand is refused with the closest one named
//   (closestName(): edit distance, at most 3 edits).
// - exitStatusHelp() is the footer of each command's --help.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace passerelle::daemon {

std::vector<std::string> normalizeArguments(const std::vector<std::string>& args);

// The first word that is not an option or an option's value: the subcommand
// asked for (nullopt when there is none, e.g. `passerelle --help`).
std::optional<std::string> requestedCommand(const std::vector<std::string>& normalized);

// The known command closest to `word` (Levenshtein distance), if it is close
// enough to be a typing mistake.
std::optional<std::string> closestName(const std::string& word,
                                       const std::vector<std::string>& commands);

// "Exit status: ..." for the --help of `command`.
std::string exitStatusHelp(const std::string& command);

}  // namespace passerelle::daemon
