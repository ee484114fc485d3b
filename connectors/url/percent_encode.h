// percentEncode: a text made safe as one component of a URL (RFC 3986
// section 2.1), e.g. a query value or a path segment built by hand.
//
// Thread safety: a pure function.
#pragma once

#include <string>
#include <string_view>

namespace passerelle::connectors {

// Every byte but the unreserved characters (ASCII letters and digits,
// '-', '.', '_', '~') and those in `keep` becomes "%XX" (upper-case hex).
// `keep` is for a component whose grammar allows more as is, e.g. ':' in a
// path segment.
std::string percentEncode(std::string_view text, std::string_view keep = {});

}  // namespace passerelle::connectors
