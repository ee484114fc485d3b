#include "connectors/http/curl_abort.h"

namespace passerelle::connectors {

namespace {

int abortWhenRaised(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

}  // namespace

void abortTransferOnStop(CURL* curl, const std::atomic<bool>* stop) {
  if (stop == nullptr) return;
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, abortWhenRaised);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(stop));
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
}

}  // namespace passerelle::connectors
