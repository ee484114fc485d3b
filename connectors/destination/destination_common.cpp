#include "connectors/destination/destination_common.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <memory>
#include <mutex>

namespace passerelle::connectors {

std::string sha256Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  // EVP_Digest is the one-shot form: no context to leak on an early return.
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0F]);
  }
  return out;
}

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

void ensureCurlInitialised() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace passerelle::connectors
