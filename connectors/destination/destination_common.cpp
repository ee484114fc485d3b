#include "connectors/destination/destination_common.h"

#include <chrono>

#include "formats/field_rules.h"

namespace passerelle::connectors {

bool present(const std::optional<std::string>& text) {
  return text && !text->empty();
}

formats::CivilDate parisToday(const Clock& clock) {
  const auto unix_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  return formats::parisLocalFromUnix(unix_seconds).date;
}

bool parseIsoDate(std::string_view text, formats::CivilDate& out) {
  const auto date = formats::rules::parseDateIso(text);
  if (!date) return false;
  out = *date;
  return true;
}

formats::CivilDate addDays(const formats::CivilDate& d, int days) {
  return formats::civilFromDays(formats::daysFromCivil(d) + days);
}

std::string reasonsText(const std::vector<std::string>& reasons) {
  std::string out;
  for (const auto& reason : reasons) {
    if (!out.empty()) out += ',';
    out += reason;
  }
  return out;
}

}  // namespace passerelle::connectors
