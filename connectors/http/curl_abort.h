// abortTransferOnStop: makes a libcurl transfer end as soon as a stop flag
// is raised (SIGTERM), instead of when the server answers or the timeout
// expires: a slow or silent server never holds a stopping daemon.
//
// It installs CURLOPT_XFERINFOFUNCTION, which libcurl calls at least once a
// second while connecting, sending and waiting, even when nothing moves;
// the transfer then fails with CURLE_ABORTED_BY_CALLBACK
// (transferAbortedByStop() tells it apart from other failures).
//
// Thread safety: as libcurl's, one handle per thread at a time; `stop` is
// read atomically from the transfer's thread and must outlive the transfer.
#pragma once

#include <curl/curl.h>

#include <atomic>

namespace passerelle::connectors {

// `stop` == nullptr: nothing installed.
void abortTransferOnStop(CURL* curl, const std::atomic<bool>* stop);

// True when `code` is the abort of abortTransferOnStop.
inline bool transferAbortedByStop(CURLcode code) {
  return code == CURLE_ABORTED_BY_CALLBACK;
}

}  // namespace passerelle::connectors
