#include "daemon/cli/wrong_user_guard.h"

namespace passerelle::daemon {

std::optional<std::string> wrongUserRefusal(const connectors::Host& host, const Config& config) {
  if (host.effectiveUserId() != 0) return std::nullopt;
  const std::string& dir = config.daemon.state_dir;
  std::string owner_name;
  if (const auto owner = host.ownerOf(dir)) {
    if (*owner == 0) return std::nullopt;
    const auto account = host.account(*owner);
    owner_name = account ? account->name : std::to_string(*owner);
  } else if (dir == kPackageStateDir && config.store.url == "embedded" &&
             host.account(kServiceUser)) {
    owner_name = kServiceUser;
  } else {
    return std::nullopt;
  }
  const char* belongs = host.ownerOf(dir) ? " belongs to " : " is to belong to ";
  return "run as root, but the state directory " + dir + belongs + owner_name +
         ": run the command as that user, e.g. `sudo -u " + owner_name +
         " passerelle status` (nothing was created or changed)";
}

}  // namespace passerelle::daemon
