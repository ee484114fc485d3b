// HomePage: « Accueil » (dashboard.md "Pages"): per partner, the offers
// online now, their state on La bonne alternance (published, waiting,
// refused) and at France Travail, the files of the last 30 days by outcome,
// the rows refused and their three most frequent reasons; and a chart (SVG
// drawn here) of the offers online per day over the last 90 days. An
// operator gets one line per partner and the chart of all partners.
//
// The chart is computed backwards from today's count with the day-by-day
// changes of offer_history (index offer_history_partner_at), not by
// replaying every offer.
//
// Thread safety: a function over the caller's PageContext.
#pragma once

#include <string>
#include <vector>

#include "daemon/dashboard/page_context.h"

namespace passerelle::daemon {

std::string homePage(const PageContext& context);

// The SVG chart of `online` (oldest day first), with its title for screen
// readers. Exposed for the tests.
std::string onlineChartSvg(const std::vector<long>& online, const std::string& first_day,
                           const std::string& last_day);

}  // namespace passerelle::daemon
