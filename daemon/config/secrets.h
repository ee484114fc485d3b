// Secrets: the passwords and API keys the configuration names by file, read
// only when needed, through the Host (host.h) so that tests give them without
// files on disk or a process environment.
//
// A secret is looked for first in $CREDENTIALS_DIRECTORY/<file name> when
// that directory is set and holds a file of that name (systemd's
// LoadCredential=, which gives the daemon a private copy), else in the file
// itself, which must then be a regular file with no group or other
// permission bits: a secret readable by others is refused rather than used.
// The trailing newline is removed; an empty secret, or one over 64 KiB, is
// refused.
//
// Messages name the file (and its mode when refused), never its content.
//
// Thread safety: the functions are reentrant; they only read through the
// Host, which is thread-safe (host.h).
#pragma once

#include <optional>
#include <string>

#include "connectors/host/host.h"

namespace passerelle::daemon {

// Reads a secret. Throws std::runtime_error naming the file.
std::string readSecret(const connectors::Host& host, const std::string& file_or_name);

// Whether the secret can be read, without keeping it: nullopt, or the reason
// readSecret() would give. For `passerelle config --check` (checkConfig()).
std::optional<std::string> secretProblem(const connectors::Host& host,
                                         const std::string& file_or_name);

// Whether `account` (the service user) could read the secret, for `config
// check` run as root: nullopt when it can (owner with read permission, or a
// copy in $CREDENTIALS_DIRECTORY), else what to do about it. A secret that
// cannot be read at all is secretProblem()'s to report: nullopt here.
std::optional<std::string> serviceUserProblem(const connectors::Host& host,
                                              const std::string& file_or_name,
                                              const connectors::Host::Account& account);

}  // namespace passerelle::daemon
