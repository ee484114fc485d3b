// WrongUserGuard (operations.md, "Running as the wrong user"): a command run
// as root against a state directory (and so an embedded store) that belongs
// to the service user is refused with how to run it instead
// (`sudo -u passerelle passerelle status`), so that nothing is created with
// root's ownership beside the service's files. Also refused: root with an
// embedded store in the package's state directory (/var/lib/passerelle)
// that does not exist yet while the service account (`passerelle`) exists:
// creating it now would make root its owner.
//
// It asks only the Host (effective user id, accounts, owners of paths), so
// tests decide every case.
//
// Thread safety: pure function of the Host, which is thread-safe.
#pragma once

#include <optional>
#include <string>

#include "connectors/host/host.h"
#include "daemon/config/config.h"

namespace passerelle::daemon {

// kServiceUser (the packaged units' account) is declared in config.h.
inline constexpr const char* kPackageStateDir = "/var/lib/passerelle";

// Why the command must not run as this user, with what to run instead;
// nullopt when it may run.
std::optional<std::string> wrongUserRefusal(const connectors::Host& host, const Config& config);

}  // namespace passerelle::daemon
