// CurlTrace: libcurl's protocol trace (CURLOPT_DEBUGFUNCTION) for debugging
// against a server, with every secret hidden: the trace goes to standard
// error, i.e. the journal, which operators share.
//
// What is hidden (redactTraceLine), on every line of every kind:
//  - the FTP login: `PASS <password>` becomes `PASS ***`;
//  - `Authorization:` and `Proxy-Authorization:` header values (lba's key);
//  - the value of a multipart field named `password` (France Travail's
//    upload form) and of `password=` in a form or query;
//  - credentials in URLs (`scheme://user:pass@host` becomes
//    `scheme://***@host`);
//  - and, whatever the context, every secret the client names (its
//    password, its API key), in case a server echoes one back.
// Bodies are shown cut to 2 KiB a chunk, bytes other than printable ASCII
// as `.`; TLS records are not shown.
//
// Every client installs it in the one place it configures its handle; the
// trace is off unless asked for (`[daemon] protocol_trace`, or the
// PASSERELLE_CURL_VERBOSE environment variable).
//
// Thread safety: one CurlTrace per handle and transfer, used by the thread
// performing it; it must live until the transfer is over (its destructor
// uninstalls it, so that a handle that outlives it never points to it).
#pragma once

#include <curl/curl.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace passerelle::connectors {

// Where trace lines go; by default standard error.
using TraceSink = std::function<void(std::string_view line)>;

class CurlTrace {
 public:
  // Installs the trace on `curl` when `enabled` (else does nothing); lines
  // are prefixed with "curl <label>: ". `secrets` are hidden wherever they
  // appear (empty ones are ignored).
  CurlTrace(CURL* curl, bool enabled, std::string label, std::vector<std::string> secrets,
            TraceSink sink = {});
  ~CurlTrace();
  CurlTrace(const CurlTrace&) = delete;
  CurlTrace& operator=(const CurlTrace&) = delete;

  // One chunk of libcurl's trace, as its debug callback receives it.
  void onTrace(curl_infotype type, std::string_view data) const;

 private:
  void emit(char direction, std::string_view text) const;
  std::string showData(std::string_view data) const;

  CURL* curl_ = nullptr;  // null when not installed
  std::string label_;
  std::vector<std::string> secrets_;
  TraceSink sink_;
};

// One line of a trace with the secrets above hidden.
std::string redactTraceLine(std::string_view line, const std::vector<std::string>& secrets);

}  // namespace passerelle::connectors
