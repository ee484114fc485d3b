#include "daemon/destinations/registry.h"

#include "daemon/destinations/france_travail/france_travail_destination.h"
#include "daemon/destinations/france_travail/france_travail_push.h"
#include "daemon/destinations/lba/lba_destination.h"
#include "daemon/destinations/lba/lba_push.h"

namespace passerelle::daemon {

const std::vector<DestinationEntry>& destinationEntries() {
  // One line per destination: its name, whether it is enabled, its factory.
  static const std::vector<DestinationEntry> entries = {
      {kLbaDestination, lbaEnabled, makeLbaDestination},
      {kFranceTravailDestination, franceTravailEnabled, makeFranceTravailDestination},
  };
  return entries;
}

std::vector<std::string> destinationNames() {
  std::vector<std::string> names;
  for (const DestinationEntry& e : destinationEntries()) names.emplace_back(e.name);
  return names;
}

const DestinationEntry* findDestination(std::string_view name) {
  for (const DestinationEntry& e : destinationEntries())
    if (name == e.name) return &e;
  return nullptr;
}

std::vector<std::unique_ptr<Destination>> enabledDestinations(const Config& config,
                                                              const connectors::Host& host,
                                                              connectors::Clock& clock) {
  std::vector<std::unique_ptr<Destination>> out;
  for (const DestinationEntry& e : destinationEntries())
    if (e.enabled(config)) out.push_back(e.create(config, host, clock));
  return out;
}

}  // namespace passerelle::daemon
