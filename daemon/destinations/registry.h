// DestinationRegistry: the destinations known to the program, created by
// name ("lba", "france-travail"), the way formats/dialect_registry.h creates
// dialects.
//
// Each destination registers one Entry in registry.cpp: its name, whether
// the configuration enables it, and its factory. The command line (`push
// --destination`, `retry`), `status`, `reconcile` and the daemon's jobs read
// the registry and know no destination by name.
//
// Thread safety: the registry is a constant table; every function is
// reentrant. Created destinations follow destination.h.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/host/clock.h"
#include "connectors/host/host.h"
#include "daemon/config/config.h"
#include "daemon/destinations/destination.h"

namespace passerelle::daemon {

struct DestinationEntry {
  const char* name;
  bool (*enabled)(const Config& config);
  // `host` gives the secrets; both outlive the destination.
  std::unique_ptr<Destination> (*create)(const Config& config, const connectors::Host& host,
                                         connectors::Clock& clock);
};

// Every known destination, in a fixed order (the order of `status`).
const std::vector<DestinationEntry>& destinationEntries();
// Their names.
std::vector<std::string> destinationNames();
// nullptr when no destination has that name.
const DestinationEntry* findDestination(std::string_view name);
// The destinations the configuration enables, created.
std::vector<std::unique_ptr<Destination>> enabledDestinations(const Config& config,
                                                              const connectors::Host& host,
                                                              connectors::Clock& clock);

}  // namespace passerelle::daemon
