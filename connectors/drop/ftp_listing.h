// The listing of a FTP folder, read: MLSD facts lines (RFC 3659) or LIST
// lines, unix "ls -l" style or DOS style. FtpsDropFolder uses it; it is apart
// so that the fuzz target (tests/fuzz/fuzz_listing.cpp) reads it as the
// daemon does.
//
// Lines end with CRLF (RFC 959); a listing that uses CRLF anywhere is split
// on CRLF only, so that a bare LF or CR inside a file name stays in the name
// (which the selection then ignores as hostile) instead of starting a
// phantom entry. A listing without any CRLF is split on LF. A CR+LF inside a
// name cannot be told from a line break: the selection ignores a name listed
// twice, and a phantom name fails alone (not found).
//
// Names are taken byte for byte, whatever their length and bytes (the rules
// of remote_name.h apply afterwards). No regular expression, no exception:
// a line that is not a regular file, or not understood, is skipped.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>
#include <vector>

#include "connectors/drop/drop_folder.h"
#include "connectors/host/clock.h"

namespace passerelle::connectors {

enum class ListingStyle {
  kMlsd,  // "type=file;size=42;modify=20260102030405; name"
  kList,  // unix "ls -l" lines, or DOS lines
};

// The regular files of a listing's text. `now` gives the year of unix lines
// that show a time instead of a year (times are taken as UTC).
std::vector<RemoteEntry> parseListing(std::string_view text, ListingStyle style,
                                      Clock::WallTime now);

// One line, without its line terminator. Return false for a line that is not
// a regular file (directory, link, "total N", garbage).
bool parseUnixListLine(std::string_view line, Clock::WallTime now, RemoteEntry& out);
bool parseDosListLine(std::string_view line, RemoteEntry& out);
bool parseMlsdLine(std::string_view line, RemoteEntry& out);

}  // namespace passerelle::connectors
