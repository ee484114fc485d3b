// fuzz_listing: libFuzzer target for what a drop folder's listing goes
// through before any file is touched: the FTP listing parser
// (connectors/drop/ftp_listing.h), the name rules (remote_name.h) and the
// selection (drop_selection.h).
//
// Input layout: the first byte picks the listing style (bit 0: MLSD or LIST)
// and the partner's dialect (the other bits, % the registry's count); the
// remaining bytes are the listing's text as a server would send it.
//
// Besides the sanitizers' findings (crashes, overflows, UB, uncaught
// exceptions: a listing must never throw), the target aborts when a rule of
// remote_name.h or drop_selection.h is broken:
//   - every entry has a name; in a CRLF listing no name holds a CRLF;
//   - a name's display form is valid UTF-8 without control characters, and
//     gives the name back; its log form is bounded;
//   - the spool name is 37 bytes; report and collision names of an
//     acceptable name fit in a path component (NAME_MAX);
//   - only acceptable names are selected (<= 255 bytes, no '/', '\\', "..",
//     control character, leading '.'), none listed twice, at most
//     max_files_per_poll of them;
//   - a second look at the same listing warns about nothing (warnings are
//     given once per name).
//
// Build: CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DPASSERELLE_FUZZ=ON
//        cmake --build build-fuzz --target fuzz_listing
// Run:   build-fuzz/tests/fuzz/fuzz_listing CORPUS_DIR -max_total_time=30
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/drop/drop_selection.h"
#include "connectors/drop/ftp_listing.h"
#include "connectors/drop/remote_name.h"
#include "connectors/host/clock.h"
#include "formats/dialect_registry.h"

namespace {

namespace pc = passerelle::connectors;

[[noreturn]] void contractBroken(const char* what) {
  std::fprintf(stderr, "fuzz_listing: contract broken: %s\n", what);
  std::abort();
}

void require(bool condition, const char* what) {
  if (!condition) contractBroken(what);
}

// Well-formed UTF-8 per Unicode (no overlong forms, surrogates or > U+10FFFF).
bool isWellFormedUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      len = 3;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      len = 4;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if (b1 < lo || b1 > hi) return false;
    for (std::size_t k = 2; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (b < 0x80 || b > 0xBF) return false;
    }
    i += len;
  }
  return true;
}

bool hasControl(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

void checkNameRules(const pc::RemoteEntry& e, bool crlf) {
  require(!e.name.empty(), "every entry has a name");
  if (crlf) require(e.name.find("\r\n") == std::string::npos, "no CRLF inside a name");
  const std::string shown = pc::displayName(e.name);
  require(isWellFormedUtf8(shown) && !hasControl(shown),
          "a display form is UTF-8 without control characters");
  require(pc::nameFromDisplay(shown) == e.name, "a display form gives the name back");
  require(pc::logName(e.name).size() <= pc::kLogNameBytes + 64, "a log form is bounded");
  require(pc::spoolName(e.name).size() == 37, "a spool name has 37 bytes");
  if (!pc::isSafeRemoteName(e.name)) return;
  require(e.name.size() <= pc::kMaxNameBytes, "an acceptable name fits NAME_MAX");
  require(!hasControl(e.name) && e.name.find('/') == std::string::npos &&
              e.name.find("..") == std::string::npos && e.name.front() != '.',
          "an acceptable name has no control character, '/', '..' nor leading '.'");
  require(
      pc::boundedName(e.name, ".report.csv", pc::kMaxNameBytes - 5).size() <= pc::kMaxNameBytes - 5,
      "a report name leaves room for its temporary name");
  for (int n : {1, 12, 9999})
    require(pc::collisionName(e.name, n).size() <= pc::kMaxNameBytes,
            "a collision name fits NAME_MAX");
}

void checkSelection(const std::string& format, const std::vector<pc::RemoteEntry>& listing) {
  pc::ManualClock clock;
  pc::SelectionSettings settings;
  settings.format = format;
  settings.stable_for = std::chrono::seconds(0);
  settings.max_file_size = 1000;
  settings.max_files_per_poll = 5;
  pc::DropSelector selector(settings, clock);
  std::map<std::string, int> listed;
  for (const auto& e : listing) ++listed[e.name];
  const auto first = selector.observe(listing);
  require(first.ready.size() <= 5, "at most max_files_per_poll are ready");
  for (const auto* files : {&first.ready, &first.oversize}) {
    for (const auto& f : *files) {
      require(pc::isSafeRemoteName(f.entry.name), "only acceptable names are selected");
      require(listed[f.entry.name] == 1, "a name listed twice is never selected");
    }
  }
  clock.advance(std::chrono::seconds(1));
  const auto second = selector.observe(listing);
  require(second.warnings.empty(), "warnings are given once per name");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const std::vector<std::string> formats =
      passerelle::formats::DialectRegistry::instance().names();
  const pc::ListingStyle style = (data[0] & 1U) ? pc::ListingStyle::kMlsd : pc::ListingStyle::kList;
  const std::string& format = formats[(data[0] >> 1U) % formats.size()];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  using namespace std::chrono;
  const pc::Clock::WallTime now = sys_days(year(2026) / 11 / 26) + hours(13);
  const auto entries = pc::parseListing(text, style, now);
  const bool crlf = text.find("\r\n") != std::string_view::npos;
  for (const auto& e : entries) checkNameRules(e, crlf);
  checkSelection(format, entries);
  return 0;
}
