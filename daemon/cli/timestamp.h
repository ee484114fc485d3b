// Timestamp: the one way a time is shown to a person or a program
// (operations.md, "Time"): RFC 3339 in Europe/Paris with its offset, to the
// second, e.g. `2026-12-02T05:36:14+01:00`, in tables and JSON alike.
//
// Queries select a time as whole Unix seconds (sqlEpoch()) and the command
// formats it here, so that no query depends on the session's time zone.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

namespace passerelle::daemon {

std::string formatTimestamp(std::int64_t unix_seconds);

// `extract(epoch FROM column)::bigint`, for a SELECT list.
std::string sqlEpoch(const std::string& column);

// A field selected with sqlEpoch(): formatted, or nullopt when NULL.
std::optional<std::string> timestampField(const pqxx::field& field);

}  // namespace passerelle::daemon
