// LbaClient: the lba API over HTTPS (libcurl), one call per method, each
// outcome classified so that the outbox knows what to do next
// (shared/specs/destinations/lba.md, "Behaviour required of the connector").
//
// Every call first takes a slot from the RateLimiter (writes for POST/PUT,
// reads for GET), blocking through Clock::sleepFor if the quota is used up,
// and ends it as soon as its request is over, however it went (answered,
// failed, abandoned): the service counts a request anywhere between the two
// (rate_limiter.h), so the quota must know when the request ended.
// A 429 pauses that limiter for Retry-After (else 60 s) and is returned as
// kRateLimited: the caller re-queues the movement, and the next call waits.
// Retries with backoff are the caller's business (the outbox owns attempts);
// this class never retries by itself, so a movement is never sent twice
// behind the outbox's back.
//
// Stopping (SIGTERM): given a StopSignal, a call waiting for its quota slot
// (a Retry-After pause included) returns kStopped as soon as stop is
// requested, no request is started after it, and a transfer in flight is
// abandoned (curl_abort.h); kStopped says whether the request was under way
// (`abandoned`: it may have been applied) or never sent.
//
// The API key only ever goes into the Authorization header; no message,
// error or answer produced here contains it, nor the protocol trace
// (`protocol_trace`, curl_trace.h).
//
// Thread safety: calls may run concurrently from several threads (each uses
// its own curl handle; the RateLimiter and StopSignal are thread-safe). The
// settings are fixed at construction.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "connectors/host/clock.h"
#include "connectors/host/stop_signal.h"
#include "connectors/http/rate_limiter.h"

namespace passerelle::connectors {

struct LbaClientSettings {
  std::string base_url = "https://api.apprentissage.beta.gouv.fr/api";  // no trailing '/'
  std::string api_key;                                                  // never logged
  // The gateway gives the service 10 s, then answers 504; wait a little more.
  std::chrono::milliseconds timeout = std::chrono::seconds(15);
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(5);
  std::chrono::seconds default_retry_after = std::chrono::seconds(60);
  std::string ca_file;          // empty = system store
  bool protocol_trace = false;  // curl's trace on stderr, secrets hidden
};

// The longest a request of this client lives after its slot was granted:
// the request_deadline its quotas need (rate_limiter.h), which must be an
// upper bound. curl's total timeout already includes connecting; the connect
// timeout is added anyway, with 10 s for what comes between the grant and
// the transfer (the grant's commit in the store), so that a slow moment
// never outlives the bound. 30 s with the default timeouts.
std::chrono::nanoseconds lbaRequestDeadline(const LbaClientSettings& settings);

enum class LbaOutcome {
  kOk,               // POST 200 with an id, PUT 204, GET 200
  kBadRequest,       // 400 (not "must be active"): stop until the offer changes; `message` kept
  kUnauthorized,     // 401: pause the whole destination, retrying cannot help
  kRateLimited,      // 429: limiter paused; `retry_after` if the service gave one
  kTransient,        // 5xx, 504, timeout, connection error, unexpected answer: retry with backoff
  kNotProcessedYet,  // PUT/GET 404: the service has not processed the offer yet; try later
  kAlreadyClosed,    // PUT 400 "Job must be active…": the offer is already closed; done
  kStopped,          // stop requested: not sent, or abandoned in flight (`abandoned`)
};
const char* lbaOutcomeName(LbaOutcome outcome);

struct LbaResponse {
  LbaOutcome outcome = LbaOutcome::kTransient;
  long http_status = 0;  // 0 when no answer was received
  std::string id;        // upsert: the service's 24-hex id
  std::string message;   // the service's message (400/429), or the transport error
  std::optional<std::chrono::seconds> retry_after;  // 429 with a Retry-After header
  std::string body;                                 // raw answer, for operators
  bool abandoned = false;  // kStopped: the request was under way and may have been applied
};

struct LbaPublishingStatus {
  LbaResponse response;
  std::string status;  // WILL_BE_PUBLISHED | PUBLISHED | WILL_NOT_BE_PUBLISHED (when kOk)
  std::string error_code, error_label;  // for WILL_NOT_BE_PUBLISHED
};

// What the service holds for an offer (GET /job/v1/offer/{id}).
struct LbaHeldOffer {
  LbaResponse response;  // kOk; kNotProcessedYet for a 404 (the service has no such offer)
  std::string status;    // offer.status: Active, Cancelled, Filled... (when kOk)
};

class LbaClient {
 public:
  // `stop` (optional) must outlive the client.
  LbaClient(LbaClientSettings settings, Clock& clock, RateLimiter& limiter,
            const StopSignal* stop = nullptr);

  // POST /job/v1/offer: idempotent upsert by identifier.partner_job_id.
  LbaResponse upsert(const std::string& body);
  // PUT /job/v1/offer/{id} with the full body whose offer.status is "Cancelled".
  LbaResponse close(const std::string& id, const std::string& cancelled_body);
  // GET /job/v1/offer/{id}/publishing-informations.
  LbaPublishingStatus publishingStatus(const std::string& id);
  // GET /job/v1/offer/{id} (reconcile's audit), under the read quota.
  LbaHeldOffer readOffer(const std::string& id);

 private:
  struct Raw;
  // Takes a slot of `quota` (nullopt when stop was requested meanwhile, and
  // nothing sent), performs the request, then ends the slot.
  std::optional<Raw> send(Quota& quota, const char* method, const std::string& path,
                          const std::string* body);
  Raw perform(const char* method, const std::string& path, const std::string* body);
  LbaResponse classify(const Raw& raw, Quota& quota);

  LbaClientSettings settings_;
  Clock& clock_;
  RateLimiter& limiter_;
  const StopSignal* stop_;
};

}  // namespace passerelle::connectors
