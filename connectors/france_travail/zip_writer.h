// A minimal .zip container holding one file (deflated), written by hand with
// zlib: France Travail takes the feed zipped when `zip = true`, and a
// one-entry archive needs only a local header, the data, one central
// directory entry and the end record (PKWARE APPNOTE 4.3). No ZIP64: the
// entry must stay under 4 GiB (a feed of 100,000 offers is ~100 MB).
//
// Thread safety: pure function.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "formats/paris_time.h"

namespace passerelle::connectors {

// The archive's bytes, or nullopt if zlib failed or the data is too large.
// `modified` is stored as the entry's MS-DOS local date and time.
std::optional<std::string> zipSingleFile(std::string_view entry_name, std::string_view data,
                                         const formats::CivilDateTime& modified);

}  // namespace passerelle::connectors
