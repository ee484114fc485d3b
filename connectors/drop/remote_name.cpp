#include "connectors/drop/remote_name.h"

#include "connectors/digest/sha256.h"
#include "formats/encoding.h"

namespace passerelle::connectors {

namespace {

constexpr char kHex[] = "0123456789abcdef";

bool isControl(std::string_view s, std::size_t at, std::size_t len) {
  const auto b0 = static_cast<unsigned char>(s[at]);
  if (len == 1) return b0 < 0x20 || b0 == 0x7F;
  // C1 controls, U+0080..U+009F: C2 80..C2 9F (a terminal reads 9B as CSI).
  return len == 2 && b0 == 0xC2 && static_cast<unsigned char>(s[at + 1]) <= 0x9F;
}

void appendEscaped(std::string& out, unsigned char byte) {
  out += "\\x";
  out += kHex[byte >> 4];
  out += kHex[byte & 0x0F];
}

// Appends the display form of the character (or byte) at `at`; returns how
// many bytes of `name` it stood for.
std::size_t appendDisplayed(std::string& out, std::string_view name, std::size_t at) {
  const std::size_t len = formats::wellFormedUtf8Length(name.substr(at));
  if (len == 0 || isControl(name, at, len)) {
    const std::size_t n = len == 0 ? 1 : len;
    for (std::size_t k = 0; k < n; ++k)
      appendEscaped(out, static_cast<unsigned char>(name[at + k]));
    return n;
  }
  if (name[at] == '\\') {
    out += "\\\\";
  } else {
    out.append(name.substr(at, len));
  }
  return len;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The number of bytes of `name`'s first `max` bytes that end on a character
// boundary (a UTF-8 continuation byte is never the first one kept out).
std::size_t characterPrefix(std::string_view name, std::size_t max) {
  if (max >= name.size()) return name.size();
  std::size_t cut = max;
  // Step back over at most three continuation bytes (10xxxxxx).
  for (int k = 0; k < 3 && cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80; ++k)
    --cut;
  return cut;
}

}  // namespace

NameProblem nameProblem(std::string_view name) {
  if (name.size() > kMaxNameBytes) return NameProblem::kTooLong;
  if (name.empty() || name.front() == '.') return NameProblem::kUnsafe;
  if (name.find("..") != std::string_view::npos) return NameProblem::kUnsafe;
  for (unsigned char c : name) {
    if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) return NameProblem::kUnsafe;
  }
  return NameProblem::kNone;
}

bool isSafeRemoteName(std::string_view name) {
  return nameProblem(name) == NameProblem::kNone;
}

std::string displayName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t at = 0; at < name.size();) at += appendDisplayed(out, name, at);
  return out;
}

std::optional<std::string> nameFromDisplay(std::string_view display) {
  std::string out;
  out.reserve(display.size());
  for (std::size_t i = 0; i < display.size(); ++i) {
    if (display[i] != '\\') {
      out += display[i];
      continue;
    }
    if (i + 1 < display.size() && display[i + 1] == '\\') {
      out += '\\';
      ++i;
    } else if (i + 3 < display.size() && display[i + 1] == 'x' && hexValue(display[i + 2]) >= 0 &&
               hexValue(display[i + 3]) >= 0) {
      out += static_cast<char>(hexValue(display[i + 2]) * 16 + hexValue(display[i + 3]));
      i += 3;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::string logName(std::string_view name) {
  std::string out;
  std::size_t at = 0;
  while (at < name.size() && out.size() < kLogNameBytes) at += appendDisplayed(out, name, at);
  if (at < name.size()) out += "...(" + std::to_string(name.size()) + " bytes)";
  return out;
}

std::string spoolName(std::string_view name) {
  return "take-" + sha256Hex(name).substr(0, 32);
}

std::string boundedName(std::string_view name, std::string_view suffix, std::size_t max_bytes) {
  if (name.size() + suffix.size() <= max_bytes) {
    return std::string(name) + std::string(suffix);
  }
  const std::string mark = "~" + sha256Hex(name).substr(0, 16);
  const std::size_t used = mark.size() + suffix.size();
  const std::size_t room = used < max_bytes ? max_bytes - used : 0;
  return std::string(name.substr(0, characterPrefix(name, room))) + mark + std::string(suffix);
}

std::string collisionName(std::string_view name, int n) {
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || name.size() - dot > 16) {
    return boundedName(name, "." + std::to_string(n));
  }
  return boundedName(name.substr(0, dot), "." + std::to_string(n) + std::string(name.substr(dot)));
}

}  // namespace passerelle::connectors
