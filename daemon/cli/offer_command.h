// `passerelle offer PARTNER REF [--json] [--config FILE]` (operations.md,
// "One offer's story"): one offer without psql.
//
// - its current content (the canonical JSON of offer.md) and status, first
//   seen and last changed;
// - every version, oldest first: the change, which run and file (none for a
//   reconciliation or `passerelle withdraw`), the status, and which
//   top-level fields changed from the version before (known for versions
//   written since schema 006, which keeps each version's content);
// - per destination: what the destination holds (service id, accepted body
//   and when, publishing status, not-eligible reasons, last error) and every
//   movement, newest first: kind, state, run, content hash sent, attempts,
//   HTTP answer, errors, when queued and settled.
// offerStoryJson() is the one JSON object `--json` prints (and tests read);
// the text form prints the same. Exit 0, 64 for an unconfigured partner, 2
// when the offer is unknown or the store fails.
//
// Thread safety: stateless functions over the caller's transaction; the
// command runs on the main thread only.
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "daemon/cli/command.h"

namespace passerelle::daemon {

// nullopt when the store has no such offer.
std::optional<nlohmann::ordered_json> offerStoryJson(pqxx::transaction_base& tx,
                                                     const std::string& partner,
                                                     const std::string& ref);

void addOfferCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host);

}  // namespace passerelle::daemon
