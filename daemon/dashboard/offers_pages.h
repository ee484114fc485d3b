// OffersPages: « Offres » (dashboard.md "Pages"): the offers, searched by
// reference (prefix), SIRET (exact), title or employer (contains), filtered
// by status and by their state on the destinations, 100 a page ordered by
// reference (keyset paging: `apres`); and one offer's page: its current
// content, its history (each version: which file, what changed) and, per
// destination, its state, what was sent when and the answer.
//
// Partner isolation: every query takes PageContext::scope(); another
// partner's offer is nullopt, exactly like a missing one (answered 404).
//
// Thread safety: functions over the caller's PageContext.
#pragma once

#include <optional>
#include <string>

#include "daemon/dashboard/page_context.h"

namespace passerelle::daemon {

std::string offersPage(const PageContext& context);
std::optional<std::string> offerPage(const PageContext& context, const std::string& partner,
                                     const std::string& reference);

}  // namespace passerelle::daemon
