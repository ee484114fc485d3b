#include "formats/excerpt.h"

namespace passerelle::formats {

std::string excerpt(std::string_view text, std::size_t max_code_points) {
  // Walk the lead bytes only as far as needed: the text may be long.
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (count == max_code_points) return std::string(text.substr(0, i)) + "\xE2\x80\xA6";
    ++count;
  }
  return std::string(text);
}

}  // namespace passerelle::formats
