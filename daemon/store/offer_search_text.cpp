#include "daemon/store/offer_search_text.h"

#include <array>
#include <cstdint>

namespace passerelle::daemon {

namespace {

// Base letter of the Latin-1 letters U+00C0..U+00FF that French uses with an
// accent (two UTF-8 bytes: C3 then 0x80 + offset); 0: kept as it is.
constexpr std::array<char, 64> makeBases() {
  std::array<char, 64> t{};
  auto set = [&t](std::u8string_view letters, char base) {
    for (std::size_t i = 1; i < letters.size(); i += 2)
      t[static_cast<std::uint8_t>(letters[i]) - 0x80] = base;
  };
  set(u8"àâäáãåÀÂÄÁÃÅ", 'a');
  set(u8"çÇ", 'c');
  set(u8"éèêëÉÈÊË", 'e');
  set(u8"íìîïÍÌÎÏ", 'i');
  set(u8"ñÑ", 'n');
  set(u8"óòôöõÓÒÔÖÕ", 'o');
  set(u8"úùûüÚÙÛÜ", 'u');
  set(u8"ýÿÝ", 'y');
  return t;
}
constexpr std::array<char, 64> kBases = makeBases();

void appendFolded(std::string_view text, std::string& out) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if (c == 0xC3 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) < 0xC0 &&
               kBases[static_cast<unsigned char>(text[i + 1]) - 0x80] != 0) {
      out += kBases[static_cast<unsigned char>(text[i + 1]) - 0x80];
      ++i;
    } else if (c == 0xC5 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) == 0xB8) {
      out += 'y';  // Ÿ (U+0178)
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
}

}  // namespace

std::string foldForSearch(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  appendFolded(text, out);
  return out;
}

std::string offerSearchText(const formats::Offer& offer) {
  std::string out;
  auto add = [&out](const std::optional<std::string>& part) {
    if (!part) return;
    if (!out.empty()) out += ' ';
    appendFolded(*part, out);
  };
  add(offer.source_ref);
  add(offer.title);
  add(offer.employer.name);
  add(offer.employer.siret);
  return out;
}

}  // namespace passerelle::daemon
