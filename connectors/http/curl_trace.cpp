#include "connectors/http/curl_trace.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <regex>

namespace passerelle::connectors {

namespace {

constexpr std::size_t kMaxDataShown = 2048;
constexpr const char* kHidden = "***";

int traceCallback(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  static_cast<const CurlTrace*>(user)->onTrace(type, std::string_view(data, size));
  return 0;
}

void writeToStderr(std::string_view line) {
  std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
}

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  return std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

// A secret of a few characters would blank out half the trace; it is still
// hidden in the places redactTraceLine knows.
constexpr std::size_t kShortestHiddenEverywhere = 4;

void hideEverywhere(std::string& text, const std::string& secret) {
  if (secret.size() < kShortestHiddenEverywhere) return;
  for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
    text.replace(at, secret.size(), kHidden);
}

// Bytes other than printable ASCII shown as '.', so that a binary body
// (a zip) cannot garble the journal.
std::string printable(std::string_view data) {
  std::string out(data.substr(0, kMaxDataShown));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '.';
  if (data.size() > kMaxDataShown)
    out += " [" + std::to_string(data.size() - kMaxDataShown) + " more bytes]";
  return out;
}

// Data chunks: the value of a multipart `password` part (up to its next
// boundary) and of `password=` in a form or query.
std::string redactData(std::string text) {
  static const std::regex multipart(
      R"((name="?password"?[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n)[^\r\n]*)", std::regex::icase);
  static const std::regex form(R"((password=)[^&\s]*)", std::regex::icase);
  text = std::regex_replace(text, multipart, "$1***");
  return std::regex_replace(text, form, "$1***");
}

}  // namespace

std::string redactTraceLine(std::string_view line, const std::vector<std::string>& secrets) {
  std::string out(line);
  if (startsWithNoCase(out, "PASS ") || startsWithNoCase(out, "PASS\t")) {
    out = "PASS ***";
  } else if (startsWithNoCase(out, "Authorization:") ||
             startsWithNoCase(out, "Proxy-Authorization:")) {
    out = out.substr(0, out.find(':') + 1) + " ***";
  }
  static const std::regex userinfo(R"(([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@)");
  out = std::regex_replace(out, userinfo, "$1***@");
  out = redactData(std::move(out));
  for (const std::string& s : secrets) hideEverywhere(out, s);
  return out;
}

CurlTrace::CurlTrace(CURL* curl, bool enabled, std::string label, std::vector<std::string> secrets,
                     TraceSink sink)
    : label_(std::move(label)), secrets_(std::move(secrets)), sink_(std::move(sink)) {
  if (!sink_) sink_ = writeToStderr;
  if (!enabled || curl == nullptr) return;
  curl_ = curl;
  curl_easy_setopt(curl_, CURLOPT_DEBUGFUNCTION, traceCallback);
  curl_easy_setopt(curl_, CURLOPT_DEBUGDATA, this);
  curl_easy_setopt(curl_, CURLOPT_VERBOSE, 1L);
}

CurlTrace::~CurlTrace() {
  if (curl_ == nullptr) return;
  curl_easy_setopt(curl_, CURLOPT_VERBOSE, 0L);
  curl_easy_setopt(curl_, CURLOPT_DEBUGFUNCTION, nullptr);
  curl_easy_setopt(curl_, CURLOPT_DEBUGDATA, nullptr);
}

void CurlTrace::onTrace(curl_infotype type, std::string_view data) const {
  switch (type) {
    case CURLINFO_TEXT:
      emit('*', data);
      return;
    case CURLINFO_HEADER_OUT:
      emit('>', data);
      return;
    case CURLINFO_HEADER_IN:
      emit('<', data);
      return;
    case CURLINFO_DATA_OUT:
      sink_("curl " + label_ + ": >> " + showData(data));
      return;
    case CURLINFO_DATA_IN:
      sink_("curl " + label_ + ": << " + showData(data));
      return;
    default:
      return;  // TLS records: nothing an operator reads
  }
}

// A body chunk on one line: redacted while its line breaks still tell the
// multipart parts apart, then made printable.
std::string CurlTrace::showData(std::string_view data) const {
  return redactTraceLine(printable(redactData(std::string(data))), secrets_);
}

// Text and headers: one trace line per line.
void CurlTrace::emit(char direction, std::string_view text) const {
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty())
      sink_("curl " + label_ + ": " + direction + " " + redactTraceLine(line, secrets_));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

}  // namespace passerelle::connectors
