#include "daemon/cli/known_partner.h"

#include <cstdio>
#include <vector>

#include "daemon/cli/command_line.h"

namespace passerelle::daemon {

bool requireKnownPartner(const Config& config, const std::string& partner) {
  if (config.findPartner(partner)) return true;
  std::vector<std::string> ids;
  std::string list;
  for (const PartnerConfig& p : config.partners) {
    ids.push_back(p.id);
    list += (list.empty() ? "" : ", ") + p.id;
  }
  std::string hint;
  if (const auto closest = closestName(partner, ids)) hint = "; did you mean `" + *closest + "`?";
  std::fprintf(stderr, "passerelle: partner `%s` is not in the configuration (configured: %s)%s\n",
               partner.c_str(), list.empty() ? "none" : list.c_str(), hint.c_str());
  return false;
}

}  // namespace passerelle::daemon
