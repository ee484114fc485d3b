#include "connectors/lba/lba_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>

#include "connectors/http/curl_abort.h"
#include "connectors/http/curl_global.h"
#include "connectors/http/curl_handles.h"
#include "connectors/http/curl_trace.h"

namespace passerelle::connectors {

struct LbaClient::Raw {
  long status = 0;              // 0 = no HTTP answer
  std::string transport_error;  // set when curl failed
  std::string body;
  std::optional<std::chrono::seconds> retry_after;
  bool stopped = false;    // stop requested: nothing sent, or the transfer abandoned
  bool abandoned = false;  // ...abandoned in flight
};

namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxAnswerBytes = 1 << 20;  // an answer larger than this is not the API's

std::size_t collectBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  const std::size_t n = size * count;
  if (out->size() + n > kMaxAnswerBytes) return 0;  // aborts the transfer
  out->append(data, n);
  return n;
}

// Retry-After in seconds (the HTTP-date form is not used by the gateway; it
// falls back to the default pause).
std::size_t collectHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto* retry_after = static_cast<std::optional<std::chrono::seconds>*>(user);
  const std::string_view line(data, size * count);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string lower(line.substr(0, kName.size()));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == kName) {
      long seconds = 0;
      bool digits = false;
      for (char c : line.substr(kName.size())) {
        if (c >= '0' && c <= '9') {
          seconds = std::min(seconds * 10 + (c - '0'), 86400L);
          digits = true;
        } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
          digits = false;
          break;
        }
      }
      if (digits) *retry_after = std::chrono::seconds(seconds);
    }
  }
  return size * count;
}

// Ids go into the URL path: accept only what the service issues (hex).
bool plausibleId(const std::string& id) {
  return !id.empty() && id.size() <= 64 &&
         std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isxdigit(c); });
}

// "message" of a JSON error answer, else the raw text (cut: it goes to operators).
std::string serviceMessage(const std::string& body) {
  const Json parsed = Json::parse(body, nullptr, false);
  if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
    return parsed["message"].get<std::string>();
  }
  return body.substr(0, 2000);
}

LbaResponse stoppedBeforeSending() {
  LbaResponse r;
  r.outcome = LbaOutcome::kStopped;
  r.message = "stopping: not sent";
  return r;
}

LbaResponse invalidId() {
  LbaResponse r;
  r.outcome = LbaOutcome::kBadRequest;
  r.message = "identifiant de l'offre invalide";
  return r;
}

}  // namespace

const char* lbaOutcomeName(LbaOutcome outcome) {
  switch (outcome) {
    case LbaOutcome::kOk:
      return "ok";
    case LbaOutcome::kBadRequest:
      return "bad_request";
    case LbaOutcome::kUnauthorized:
      return "unauthorized";
    case LbaOutcome::kRateLimited:
      return "rate_limited";
    case LbaOutcome::kTransient:
      return "transient";
    case LbaOutcome::kNotProcessedYet:
      return "not_processed_yet";
    case LbaOutcome::kAlreadyClosed:
      return "already_closed";
    case LbaOutcome::kStopped:
      return "stopped";
  }
  return "unknown";
}

std::chrono::nanoseconds lbaRequestDeadline(const LbaClientSettings& settings) {
  return settings.timeout + settings.connect_timeout + std::chrono::seconds(10);
}

LbaClient::LbaClient(LbaClientSettings settings, Clock& clock, RateLimiter& limiter,
                     const StopSignal* stop)
    : settings_(std::move(settings)), clock_(clock), limiter_(limiter), stop_(stop) {
  ensureCurlInitialised();
}

LbaClient::Raw LbaClient::perform(const char* method, const std::string& path,
                                  const std::string* body) {
  Raw raw;
  CurlEasy curl(curl_easy_init());
  if (!curl) {
    raw.transport_error = "curl_easy_init a échoué";
    return raw;
  }
  const std::string url = settings_.base_url + path;
  const std::string auth = "Authorization: Bearer " + settings_.api_key;
  curl_slist* headers = curl_slist_append(nullptr, auth.c_str());
  headers = curl_slist_append(headers, "Accept: application/json");
  if (body) headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  CurlList header_list(headers);

  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  }
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(settings_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // thread-safe timeouts
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // never resend the key elsewhere
  if (!settings_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, settings_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collectBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &raw.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collectHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &raw.retry_after);
  abortTransferOnStop(c, stop_ ? &stop_->flag() : nullptr);
  const CurlTrace trace(c, settings_.protocol_trace, "lba", {settings_.api_key});

  if (stop_ && *stop_) {  // no request is started once stopping
    raw.stopped = true;
    return raw;
  }
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    if (stop_ && transferAbortedByStop(rc)) {
      raw.stopped = raw.abandoned = true;
      return raw;
    }
    // curl_easy_strerror never echoes request headers, so the key stays out.
    raw.transport_error = curl_easy_strerror(rc);
    raw.status = 0;
    return raw;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &raw.status);
  return raw;
}

std::optional<LbaClient::Raw> LbaClient::send(Quota& quota, const char* method,
                                              const std::string& path, const std::string* body) {
  QuotaSlot slot(quota);
  if (!slot.acquire(stop_)) return std::nullopt;
  Raw raw = perform(method, path, body);
  slot.end();  // at once: the request can be counted no later than now
  return raw;
}

// Maps an answer to an outcome common to every call; the callers refine 2xx,
// 400 and 404 for their own semantics.
LbaResponse LbaClient::classify(const Raw& raw, Quota& quota) {
  LbaResponse r;
  r.http_status = raw.status;
  r.body = raw.body;
  if (raw.stopped) {
    r.outcome = LbaOutcome::kStopped;
    r.abandoned = raw.abandoned;
    r.message = raw.abandoned ? "stopping: request abandoned in flight" : "stopping: not sent";
    return r;
  }
  if (raw.status == 0) {
    r.outcome = LbaOutcome::kTransient;
    r.message = raw.transport_error;
    return r;
  }
  if (raw.status >= 200 && raw.status < 300) {
    r.outcome = LbaOutcome::kOk;
  } else if (raw.status == 400) {
    r.outcome = LbaOutcome::kBadRequest;
    r.message = serviceMessage(raw.body);
  } else if (raw.status == 401 || raw.status == 403) {
    r.outcome = LbaOutcome::kUnauthorized;
    r.message = serviceMessage(raw.body);
  } else if (raw.status == 404) {
    r.outcome = LbaOutcome::kNotProcessedYet;
  } else if (raw.status == 429) {
    r.outcome = LbaOutcome::kRateLimited;
    r.message = serviceMessage(raw.body);
    r.retry_after = raw.retry_after;
    quota.pauseFor(raw.retry_after.value_or(settings_.default_retry_after));
  } else {
    r.outcome = LbaOutcome::kTransient;
    r.message = "HTTP " + std::to_string(raw.status);
  }
  return r;
}

LbaResponse LbaClient::upsert(const std::string& body) {
  const std::optional<Raw> raw = send(limiter_.writes(), "POST", "/job/v1/offer", &body);
  if (!raw) return stoppedBeforeSending();
  LbaResponse r = classify(*raw, limiter_.writes());
  if (r.outcome == LbaOutcome::kNotProcessedYet) {
    r.outcome = LbaOutcome::kTransient;  // a 404 on POST is not the API's: a proxy problem
    r.message = "HTTP 404";
  }
  if (r.outcome != LbaOutcome::kOk) return r;
  const Json parsed = Json::parse(r.body, nullptr, false);
  if (parsed.is_object() && parsed.contains("id") && parsed["id"].is_string() &&
      plausibleId(parsed["id"].get<std::string>())) {
    r.id = parsed["id"].get<std::string>();
  } else {
    // Accepted but unreadable: the next POST is an upsert, so retrying is safe.
    r.outcome = LbaOutcome::kTransient;
    r.message = "réponse sans identifiant";
  }
  return r;
}

LbaResponse LbaClient::close(const std::string& id, const std::string& cancelled_body) {
  if (!plausibleId(id)) return invalidId();
  const std::optional<Raw> raw =
      send(limiter_.writes(), "PUT", "/job/v1/offer/" + id, &cancelled_body);
  if (!raw) return stoppedBeforeSending();
  LbaResponse r = classify(*raw, limiter_.writes());
  if (r.outcome == LbaOutcome::kBadRequest &&
      r.message.find("must be active") != std::string::npos) {
    r.outcome = LbaOutcome::kAlreadyClosed;
  }
  return r;
}

LbaPublishingStatus LbaClient::publishingStatus(const std::string& id) {
  LbaPublishingStatus s;
  if (!plausibleId(id)) {
    s.response = invalidId();
    return s;
  }
  const std::optional<Raw> raw =
      send(limiter_.reads(), "GET", "/job/v1/offer/" + id + "/publishing-informations", nullptr);
  if (!raw) {
    s.response = stoppedBeforeSending();
    return s;
  }
  s.response = classify(*raw, limiter_.reads());
  if (s.response.outcome != LbaOutcome::kOk) return s;
  const Json parsed = Json::parse(s.response.body, nullptr, false);
  const Json* publishing =
      parsed.is_object() && parsed.contains("publishing") ? &parsed["publishing"] : nullptr;
  if (!publishing || !publishing->is_object() || !publishing->contains("status") ||
      !(*publishing)["status"].is_string()) {
    s.response.outcome = LbaOutcome::kTransient;
    s.response.message = "réponse de statut illisible";
    return s;
  }
  s.status = (*publishing)["status"].get<std::string>();
  if (publishing->contains("error") && (*publishing)["error"].is_object()) {
    const Json& error = (*publishing)["error"];
    if (error.contains("code") && error["code"].is_string()) s.error_code = error["code"];
    if (error.contains("label") && error["label"].is_string()) s.error_label = error["label"];
  }
  return s;
}

LbaHeldOffer LbaClient::readOffer(const std::string& id) {
  LbaHeldOffer held;
  if (!plausibleId(id)) {
    held.response = invalidId();
    return held;
  }
  const std::optional<Raw> raw = send(limiter_.reads(), "GET", "/job/v1/offer/" + id, nullptr);
  if (!raw) {
    held.response = stoppedBeforeSending();
    return held;
  }
  held.response = classify(*raw, limiter_.reads());
  if (held.response.outcome != LbaOutcome::kOk) return held;
  const Json parsed = Json::parse(held.response.body, nullptr, false);
  const Json* offer = parsed.is_object() && parsed.contains("offer") ? &parsed["offer"] : nullptr;
  if (!offer || !offer->is_object() || !offer->contains("status") ||
      !(*offer)["status"].is_string()) {
    held.response.outcome = LbaOutcome::kTransient;
    held.response.message = "réponse d'offre illisible";
    return held;
  }
  held.status = (*offer)["status"].get<std::string>();
  return held;
}

}  // namespace passerelle::connectors
