// scrubUrl: a URL made fit for messages and logs, without its credentials.
//
// Configured URLs may carry "user:password@" (a drop folder, a database);
// both parts go, not only the password: a partner's login names its account
// on the server, which a log read by others has no need of.
//
// Thread safety: a pure function.
#pragma once

#include <string>
#include <string_view>

namespace passerelle::connectors {

// "ftps://user:secret@host:990/in/" -> "ftps://host:990/in/". The user
// information is everything of the authority (between "://" and the first
// '/', '?' or '#') up to its last '@', so that an unescaped '@' in a password
// goes too. A text without "://" or without '@' in the authority comes back
// as it is.
std::string scrubUrl(std::string_view url);

}  // namespace passerelle::connectors
