#include "connectors/drop/ftp_listing.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>

namespace passerelle::connectors {

namespace {

using namespace std::chrono;

// Splits on runs of blanks, remembering where each token starts.
struct Token {
  std::string_view text;
  std::size_t pos;
};
std::vector<Token> tokens(std::string_view line, std::size_t max) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < line.size() && out.size() < max) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    out.push_back({line.substr(start, i - start), start});
  }
  return out;
}

bool allDigits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool toU64(std::string_view s, std::uint64_t& out) {
  if (!allDigits(s) || s.size() > 19) return false;
  out = 0;
  for (char c : s) out = out * 10 + static_cast<std::uint64_t>(c - '0');
  return true;
}

int monthIndex(std::string_view s) {
  static const char* months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (s.size() != 3) return 0;
  for (int i = 0; i < 12; ++i) {
    bool same = true;
    for (int j = 0; j < 3; ++j) {
      if (std::tolower(static_cast<unsigned char>(s[j])) != months[i][j]) same = false;
    }
    if (same) return i + 1;
  }
  return 0;
}

std::optional<Clock::WallTime> makeTime(int y, int mo, int d, int h, int mi, int s) {
  // WallTime counts nanoseconds in 64 bits (years 1677 to 2262): a year
  // outside 1900..2200 is no file's time, and converting it would overflow.
  if (y < 1900 || y > 2200 || mo < 1 || d < 1) return std::nullopt;
  year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return std::nullopt;
  return time_point_cast<Clock::WallTime::duration>(sys_days(ymd) + hours(h) + minutes(mi) +
                                                    seconds(s));
}

// A number of at most `max_digits` digits; -1 for anything else.
int smallNumber(std::string_view s, std::size_t max_digits = 4) {
  if (s.size() > max_digits || !allDigits(s)) return -1;
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

}  // namespace

bool parseUnixListLine(std::string_view line, Clock::WallTime now, RemoteEntry& out) {
  if (line.empty() || line[0] != '-') return false;  // regular files only
  auto t = tokens(line, 10);
  // Find "<size> <Mon> <day> <HH:MM|year>" followed by the name.
  for (std::size_t i = 1; i + 4 < t.size() + 1 && i + 3 < t.size(); ++i) {
    std::uint64_t size = 0;
    int mo = monthIndex(t[i + 1].text);
    int d = smallNumber(t[i + 2].text, 2);
    if (!toU64(t[i].text, size) || mo == 0 || d < 0) continue;
    std::string_view when = t[i + 3].text;
    std::size_t name_pos = t[i + 3].pos + when.size() + 1;
    if (name_pos > line.size() || i + 4 >= t.size()) return false;
    int y = 0, h = 0, mi = 0;
    if (when.size() == 5 && when[2] == ':' && allDigits(when.substr(0, 2)) &&
        allDigits(when.substr(3))) {
      h = smallNumber(when.substr(0, 2));
      mi = smallNumber(when.substr(3));
      year_month_day today{floor<days>(now)};
      y = static_cast<int>(today.year());
      auto candidate = makeTime(y, mo, d, h, mi, 0);
      // A time instead of a year means "within the last six months": a date
      // ahead of today belongs to last year.
      if (candidate && *candidate > now + hours(24)) --y;
    } else if (when.size() == 4 && allDigits(when)) {
      y = smallNumber(when);
    } else {
      continue;
    }
    out.name = std::string(line.substr(name_pos));
    out.size = size;
    out.mtime = makeTime(y, mo, d, h, mi, 0);
    return !out.name.empty();
  }
  return false;
}

bool parseDosListLine(std::string_view line, RemoteEntry& out) {
  // 03-05-24  12:34PM       1234 name   (or <DIR>)
  auto t = tokens(line, 3);
  if (t.size() < 3) return false;
  std::string_view date = t[0].text, time = t[1].text, size = t[2].text;
  if (date.size() != 8 && date.size() != 10) return false;
  if (date[2] != '-' || date[5] != '-') return false;
  std::uint64_t n = 0;
  if (!toU64(size, n)) return false;  // <DIR>
  std::size_t name_pos = t[2].pos + size.size();
  while (name_pos < line.size() && line[name_pos] == ' ') ++name_pos;
  if (name_pos >= line.size()) return false;
  int mo = smallNumber(date.substr(0, 2));
  int d = smallNumber(date.substr(3, 2));
  int y = smallNumber(date.substr(6));
  if (date.size() == 8) y += y < 70 ? 2000 : 1900;
  int h = 0, mi = 0;
  if (time.size() >= 5 && time[2] == ':') {
    h = smallNumber(time.substr(0, 2));
    mi = smallNumber(time.substr(3, 2));
    if (time.size() == 7) {
      bool pm = std::toupper(static_cast<unsigned char>(time[5])) == 'P';
      if (h == 12) h = 0;
      if (pm) h += 12;
    }
  }
  out.name = std::string(line.substr(name_pos));
  out.size = n;
  out.mtime = makeTime(y, mo, d, h, mi, 0);
  return true;
}

bool parseMlsdLine(std::string_view line, RemoteEntry& out) {
  auto space = line.find(' ');
  if (space == std::string_view::npos || space + 1 >= line.size()) return false;
  std::string_view facts = line.substr(0, space);
  std::string name(line.substr(space + 1));
  bool is_file = false;
  std::optional<std::uint64_t> size;
  std::optional<Clock::WallTime> mtime;
  while (!facts.empty()) {
    auto semi = facts.find(';');
    std::string_view fact = facts.substr(0, semi);
    facts = semi == std::string_view::npos ? std::string_view() : facts.substr(semi + 1);
    auto eq = fact.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key(fact.substr(0, eq));
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = fact.substr(eq + 1);
    if (key == "type") {
      std::string v(value);
      for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      is_file = v == "file";
    } else if (key == "size") {
      std::uint64_t n = 0;
      if (toU64(value, n)) size = n;
    } else if (key == "modify" && value.size() >= 14 && allDigits(value.substr(0, 14))) {
      auto num = [&](std::size_t at, std::size_t len) {
        return smallNumber(value.substr(at, len));
      };
      mtime = makeTime(num(0, 4), num(4, 2), num(6, 2), num(8, 2), num(10, 2), num(12, 2));
    }
  }
  if (!is_file || !size) return false;
  out.name = std::move(name);
  out.size = *size;
  out.mtime = mtime;
  return true;
}

std::vector<RemoteEntry> parseListing(std::string_view text, ListingStyle style,
                                      Clock::WallTime now) {
  const bool crlf = text.find("\r\n") != std::string_view::npos;
  const std::string_view eol = crlf ? "\r\n" : "\n";
  std::vector<RemoteEntry> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find(eol, start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    // Without CRLF, a CR before the LF is still the line's end.
    if (!crlf && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    RemoteEntry e;
    const bool parsed = style == ListingStyle::kMlsd
                            ? parseMlsdLine(line, e)
                            : parseUnixListLine(line, now, e) || parseDosListLine(line, e);
    if (parsed) out.push_back(std::move(e));
    if (end == std::string_view::npos) break;
    start = end + eol.size();
  }
  return out;
}

}  // namespace passerelle::connectors
