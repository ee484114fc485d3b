// FormFields: what a dashboard request carries in words: the fields of a
// query string or of an application/x-www-form-urlencoded body, a cookie,
// and a path segment, percent-decoded.
//
// Thread safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/service/http_server.h"

namespace passerelle::daemon {

// "%41+b" -> "A b". Malformed escapes are kept as they are.
std::string percentDecode(std::string_view text, bool plus_is_space);

// "a=1&b=x+y" -> {a: 1, b: "x y"}; the first of repeated names wins.
std::map<std::string, std::string> parseFormFields(std::string_view text);

// The value of cookie `name` in the request's Cookie header, or "".
std::string cookieValue(const HttpRequest& request, std::string_view name);

// "/fichiers/12/rapport.csv" -> {"fichiers", "12", "rapport.csv"}, decoded.
std::vector<std::string> pathSegments(std::string_view path);

// For links: percent-encodes everything but unreserved characters.
std::string percentEncode(std::string_view text);

}  // namespace passerelle::daemon
