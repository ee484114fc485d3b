// Owning libcurl handles: an easy handle, a string list (headers, FTP
// commands) and a MIME body, each freed by its own curl function when the
// owner goes, on every path out of a request.
//
// Thread safety: as libcurl's: one handle is used by one thread at a time.
#pragma once

#include <curl/curl.h>

#include <memory>

namespace passerelle::connectors {

struct CurlEasyFree {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct CurlListFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct CurlMimeFree {
  void operator()(curl_mime* mime) const { curl_mime_free(mime); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyFree>;
using CurlList = std::unique_ptr<curl_slist, CurlListFree>;
using CurlMime = std::unique_ptr<curl_mime, CurlMimeFree>;

}  // namespace passerelle::connectors
