#include "connectors/destination/destination_common.h"

#include <chrono>

namespace passerelle::connectors {

formats::CivilDate parisToday(const Clock& clock) {
  const auto unix_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  return formats::parisLocalFromUnix(unix_seconds).date;
}

bool parseIsoDate(std::string_view text, formats::CivilDate& out) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  auto number = [&](std::size_t from, std::size_t count, int& value) {
    value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      value = value * 10 + (text[i] - '0');
    }
    return true;
  };
  formats::CivilDate d;
  if (!number(0, 4, d.year) || !number(5, 2, d.month) || !number(8, 2, d.day)) return false;
  if (!formats::isValidDate(d.year, d.month, d.day)) return false;
  out = d;
  return true;
}

formats::CivilDate addDays(const formats::CivilDate& d, int days) {
  return formats::civilFromDays(formats::daysFromCivil(d) + days);
}

}  // namespace passerelle::connectors
