// HtmlPage: the dashboard's HTML frame (dashboard.md "Pages"): French
// (lang="fr"), a header with the navigation and the logout form (a POST
// with its CSRF token), a main landmark, and the one stylesheet served by
// the daemon. No script, no asset from elsewhere.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "daemon/dashboard/session_store.h"

namespace passerelle::daemon {

// & < > " ' escaped: every value from a file or the store goes through it.
std::string escapeHtml(std::string_view text);

// A whole page. `session` null: the login page (no navigation). `current`
// names the navigation entry shown as the current page.
std::string htmlPage(const std::string& base, const Session* session, std::string_view current,
                     std::string_view title, std::string_view body);

// The stylesheet (style.css): system fonts, contrast at least 4.5:1.
std::string_view dashboardStylesheet();

// A hidden CSRF field for a form of `session`.
std::string csrfField(const Session& session);

}  // namespace passerelle::daemon
