#include "daemon/cli/timestamp.h"

#include "formats/paris_time.h"

namespace passerelle::daemon {

std::string formatTimestamp(std::int64_t unix_seconds) {
  const formats::CivilDateTime local = formats::parisLocalFromUnix(unix_seconds);
  return formats::formatDateTime(local) + formats::formatParisOffset(local);
}

std::string sqlEpoch(const std::string& column) {
  return "floor(extract(epoch FROM " + column + "))::bigint";
}

std::optional<std::string> timestampField(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return formatTimestamp(field.as<std::int64_t>());
}

}  // namespace passerelle::daemon
