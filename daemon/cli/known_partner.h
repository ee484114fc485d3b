// KnownPartner: partners must exist (operations.md). Every command taking a
// partner refuses one that is not in the configuration (exit 64), naming the
// configured ones and the closest, so that a mistyped `--partner` never
// creates a partner nor touches its offers.
//
// Thread safety: pure function (it prints on stderr).
#pragma once

#include <string>

#include "daemon/config/config.h"

namespace passerelle::daemon {

// True when `partner` is configured; otherwise prints why not on stderr.
bool requireKnownPartner(const Config& config, const std::string& partner);

}  // namespace passerelle::daemon
