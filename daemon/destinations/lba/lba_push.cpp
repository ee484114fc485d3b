#include "daemon/destinations/lba/lba_push.h"

#include "connectors/lba/lba_close.h"

#include "daemon/log/event_log.h"

namespace passerelle::daemon {

namespace pc = passerelle::connectors;

namespace {

std::string describe(const pc::LbaResponse& r) {
  std::string out = pc::lbaOutcomeName(r.outcome);
  if (r.http_status) out += " (HTTP " + std::to_string(r.http_status) + ")";
  if (!r.message.empty()) out += ": " + r.message;
  return out;
}

std::optional<long> httpOf(const pc::LbaResponse& r) {
  if (r.http_status == 0) return std::nullopt;
  return r.http_status;
}

constexpr const char* kKeyRefused = "401 Unauthorized: the API key is expired, revoked or wrong";

// Commits `tx` when the settle found the movement still ours and counts it
// in `done`; otherwise leaves `tx` to roll back (the new owner records it).
bool commitSettled(pqxx::work& tx, SettleResult result, PushCounts& counts,
                   long PushCounts::*done) {
  if (!countSettled(counts, result, done)) return false;
  tx.commit();
  return true;
}

}  // namespace

LbaPush::LbaPush(pqxx::connection& connection, pc::LbaClient& client, Outbox& outbox,
                 LbaPushSettings settings, const pc::StopSignal* stop)
    : db_(connection),
      client_(client),
      outbox_(outbox),
      settings_(std::move(settings)),
      stop_(stop) {}

PushCounts LbaPush::runBatch(int limit) {
  PushCounts counts;
  std::vector<Movement> claimed;
  {
    pqxx::work tx(db_);
    if (pausedReason(tx, kLbaDestination)) {
      counts.paused = true;
      return counts;
    }
    claimed = outbox_.claim(tx, kLbaDestination, limit > 0 ? limit : settings_.claim_batch);
    tx.commit();
  }
  counts.claimed = static_cast<long>(claimed.size());
  for (const Movement& m : claimed) {
    if (counts.paused || stopping()) {
      pqxx::work tx(db_);
      if (outbox_.release(tx, m) != SettleResult::kLostLease) ++counts.released;
      tx.commit();
      continue;
    }
    try {
      process(m, counts);
    } catch (const pqxx::broken_connection&) {
      throw;  // the lease will expire and another attempt will take the movement back
    } catch (const std::exception& e) {
      logError("lba push: movement failed unexpectedly",
               {{"destination", kLbaDestination},
                {"partner", m.partner},
                {"ref", m.source_ref},
                {"movement", static_cast<long long>(m.id)},
                {"error", e.what()}});
      pqxx::work tx(db_);
      commitSettled(tx, outbox_.retryLater(tx, m, std::string("internal: ") + e.what()), counts,
                    &PushCounts::retried);
    }
  }
  return counts;
}

void LbaPush::process(const Movement& m, PushCounts& counts) {
  const formats::CivilDate today = pc::parisToday(outbox_.clock());
  std::optional<StoredOffer> stored;
  DestinationOffer dest;
  {
    pqxx::read_transaction tx(db_);
    stored = loadStoredOffer(tx, m.partner, m.source_ref);
    dest = loadDestinationOffer(tx, m.partner, m.source_ref, kLbaDestination);
  }
  if (!stored) {
    pqxx::work tx(db_);
    commitSettled(
        tx,
        outbox_.settle(tx, m, "failed", std::string("offer not found in the store or unreadable")),
        counts, &PushCounts::failed);
    return;
  }
  const auto defaults_it = settings_.apply_defaults.find(m.partner);
  const pc::ApplyDefaults defaults =
      defaults_it == settings_.apply_defaults.end() ? pc::ApplyDefaults{} : defaults_it->second;
  // Possibly present (a write whose answer never came): closed like a
  // published offer, since it may be online.
  const bool published = (dest.service_id.has_value() && !dest.closed) || dest.possibly_present;
  const pc::LbaPlan plan = pc::planLba(stored->offer, stored->status, today, defaults, published);
  pc::LbaBodyOptions options{defaults, rollingExpiration(*stored, dest, plan, today), false};

  switch (plan.action) {
    case pc::LbaAction::kNothing: {
      pqxx::work tx(db_);
      commitSettled(tx, outbox_.settle(tx, m, "sent"), counts, &PushCounts::unchanged);
      return;
    }
    case pc::LbaAction::kNotEligible:
      settleNotEligible(m, plan.reasons, counts);
      return;
    case pc::LbaAction::kUpsert:
      sendUpsert(m, *stored, dest, plan, options, counts);
      return;
    case pc::LbaAction::kClose:
      sendClose(m, *stored, dest, plan, today, options, counts);
      return;
  }
}

std::optional<formats::CivilDate> LbaPush::rollingExpiration(const StoredOffer& stored,
                                                             const DestinationOffer& dest,
                                                             const pc::LbaPlan& plan,
                                                             formats::CivilDate today) const {
  // An offer with its own expiration keeps it; a close keeps the date sent.
  if (stored.offer.publication.expires) return std::nullopt;
  if (plan.action == pc::LbaAction::kClose && dest.rolling_expiration)
    return dest.rolling_expiration;
  return pc::rollingExpiration(dest.rolling_expiration, today, settings_.rolling_expiration_days,
                               settings_.rolling_refresh_before_days);
}

void LbaPush::settleNotEligible(const Movement& m, const std::vector<std::string>& reasons,
                                PushCounts& counts) {
  pqxx::work tx(db_);
  if (!commitSettled(tx, daemon::settleNotEligible(tx, outbox_, m, reasons), counts,
                     &PushCounts::not_eligible))
    return;
  logInfo("lba offer not eligible", {{"destination", kLbaDestination},
                                     {"partner", m.partner},
                                     {"ref", m.source_ref},
                                     {"reasons", pc::reasonsText(reasons)}});
}

void LbaPush::sendUpsert(const Movement& m, const StoredOffer& stored, const DestinationOffer& dest,
                         const pc::LbaPlan& plan, const pc::LbaBodyOptions& options,
                         PushCounts& counts) {
  const std::string body = pc::lbaBody(stored.offer, options);
  const std::string hash = pc::lbaBodyHash(body);
  if (dest.service_id && !dest.closed && !dest.possibly_present && dest.accepted_hash == hash) {
    // The service holds this very body: nothing to send.
    pqxx::work tx(db_);
    recordEligibility(tx, m.partner, m.source_ref, kLbaDestination, {});
    commitSettled(tx, outbox_.settle(tx, m, "sent"), counts, &PushCounts::unchanged);
    return;
  }
  const pc::LbaResponse response = write(m, body);
  const std::string rolling =
      options.rolling_expiration ? formats::formatDate(*options.rolling_expiration) : "";
  afterAnswer(m, response,
              Written{false, body, hash, rolling, dest.possibly_present, plan.dropped_channels},
              counts);
}

void LbaPush::sendClose(const Movement& m, const StoredOffer& stored, const DestinationOffer& dest,
                        const pc::LbaPlan& plan, formats::CivilDate today,
                        pc::LbaBodyOptions options, PushCounts& counts) {
  if (!dest.service_id && !dest.possibly_present) {
    pqxx::work tx(db_);  // never written: nothing to close
    commitSettled(tx, outbox_.settle(tx, m, "sent"), counts, &PushCounts::unchanged);
    return;
  }
  if (dest.publishing_status == "WILL_NOT_BE_PUBLISHED" && !dest.possibly_present) {
    // Never online: closing it spends no write.
    pqxx::work tx(db_);
    recordServiceClose(tx, m.partner, m.source_ref, kLbaDestination, outbox_.clock());
    if (!plan.reasons.empty())
      recordEligibility(tx, m.partner, m.source_ref, kLbaDestination, plan.reasons);
    commitSettled(tx, outbox_.settle(tx, m, "sent"), counts, &PushCounts::unchanged);
    return;
  }
  // The last body the service accepted (or the one it may have applied),
  // cancelled: never a body built from the current offer (lba.md).
  std::optional<std::string> body;
  if (const auto& last = dest.accepted_body ? dest.accepted_body : dest.unsettled_body)
    body = pc::lbaCloseBody(*last, today);
  if (!body) {
    // Only offers sent before the store kept bodies (schema 004) get here.
    options.cancelled = true;
    body = pc::lbaBody(stored.offer, options);
  }
  const pc::LbaResponse response = write(m, *body);
  if (!plan.reasons.empty() && response.outcome == pc::LbaOutcome::kOk) {
    pqxx::work tx(db_);
    recordEligibility(tx, m.partner, m.source_ref, kLbaDestination, plan.reasons);
    tx.commit();
  }
  afterAnswer(m, response, Written{true, *body, "", "", dest.possibly_present, {}}, counts);
}

pc::LbaResponse LbaPush::write(const Movement& m, const std::string& body) {
  // Write-ahead: from now until a definite answer the offer may be at the
  // service (a lost answer, or this process killed mid-request), so it is
  // "possibly present" with the body that may hold there.
  {
    pqxx::work tx(db_);
    recordUnsettledWrite(tx, m.partner, m.source_ref, kLbaDestination, body);
    tx.commit();
  }
  return client_.upsert(body);
}

void LbaPush::afterAnswer(const Movement& m, const pc::LbaResponse& response,
                          const Written& written, PushCounts& counts) {
  switch (response.outcome) {
    case pc::LbaOutcome::kOk:
      onAccepted(m, response, written, counts);
      return;
    case pc::LbaOutcome::kAlreadyClosed:
      // Closing what is closed is done; a POST never answers this: retried.
      if (written.closing) {
        onAccepted(m, response, written, counts);
      } else {
        onRetry(m, response, written, std::nullopt, true, counts);
      }
      return;
    case pc::LbaOutcome::kBadRequest:
      onRefused(m, response, written, counts);
      return;
    case pc::LbaOutcome::kUnauthorized:
      onKeyRefused(m, response, written, counts);
      return;
    case pc::LbaOutcome::kRateLimited:
      // The offer is fine, the quota is not: the attempt is not counted.
      onRetry(m, response, written, response.retry_after.value_or(std::chrono::seconds(60)), false,
              counts);
      return;
    case pc::LbaOutcome::kNotProcessedYet:
      onRetry(m, response, written, std::chrono::seconds(60), true, counts);
      return;
    case pc::LbaOutcome::kTransient:
      onRetry(m, response, written, std::nullopt, true, counts);
      return;
    case pc::LbaOutcome::kStopped:
      onStopped(m, response, written, counts);
      return;
  }
}

// Stopping: the movement goes back pending, its attempt not counted; a write
// never sent was not applied, one abandoned in flight may have been.
void LbaPush::onStopped(const Movement& m, const pc::LbaResponse& response, const Written& written,
                        PushCounts& counts) {
  pqxx::work tx(db_);
  if (!response.abandoned)
    recordWriteNotApplied(tx, m.partner, m.source_ref, kLbaDestination,
                          written.possibly_present_before);
  if (outbox_.release(tx, m) != SettleResult::kLostLease) ++counts.released;
  tx.commit();
}

void LbaPush::onAccepted(const Movement& m, const pc::LbaResponse& response, const Written& written,
                         PushCounts& counts) {
  pc::Clock& clock = outbox_.clock();
  pqxx::work tx(db_);
  if (written.closing) {
    recordServiceClose(tx, m.partner, m.source_ref, kLbaDestination, clock);
  } else {
    recordServiceWrite(tx, m.partner, m.source_ref, kLbaDestination,
                       AcceptedWrite{response.id, written.body, written.body_hash,
                                     written.rolling_expiration, written.dropped_channels},
                       clock);
  }
  const SettleResult result = outbox_.settle(tx, m, "sent", std::nullopt, httpOf(response));
  if (result != SettleResult::kLostLease) recordSuccess(tx, kLbaDestination, clock);
  if (!commitSettled(tx, result, counts, &PushCounts::sent)) return;
  logInfo(written.closing ? "lba offer closed" : "lba offer written",
          {{"destination", kLbaDestination},
           {"partner", m.partner},
           {"ref", m.source_ref},
           {"id", written.closing ? std::string() : response.id},
           {"http_status", response.http_status}});
}

void LbaPush::onRefused(const Movement& m, const pc::LbaResponse& response, const Written& written,
                        PushCounts& counts) {
  pqxx::work tx(db_);
  recordWriteNotApplied(tx, m.partner, m.source_ref, kLbaDestination,
                        written.possibly_present_before);
  recordOfferError(tx, m.partner, m.source_ref, kLbaDestination, response.message, outbox_.clock());
  if (!commitSettled(tx,
                     outbox_.settle(tx, m, "failed", "400: " + response.message, httpOf(response)),
                     counts, &PushCounts::failed))
    return;
  logWarning("lba refused the offer; not retried until it changes",
             {{"destination", kLbaDestination},
              {"partner", m.partner},
              {"ref", m.source_ref},
              {"http_status", response.http_status},
              {"message", response.message}});
}

void LbaPush::onKeyRefused(const Movement& m, const pc::LbaResponse& response,
                           const Written& written, PushCounts& counts) {
  pqxx::work tx(db_);
  recordWriteNotApplied(tx, m.partner, m.source_ref, kLbaDestination,
                        written.possibly_present_before);
  pauseDestination(tx, kLbaDestination, kKeyRefused, outbox_.clock());
  const SettleResult released = outbox_.release(tx, m);
  if (released != SettleResult::kLostLease) ++counts.released;
  tx.commit();  // the pause stands whoever owns the movement now
  counts.paused = true;
  EventLog::write(LogLevel::kError, LogEventId::kDestinationPaused, "destination paused",
                  {{"destination", kLbaDestination},
                   {"reason", "the API key was refused"},
                   {"http_status", response.http_status},
                   {"action", "replace the key file, then passerelle retry --destination lba"}});
}

void LbaPush::onRetry(const Movement& m, const pc::LbaResponse& response, const Written& written,
                      std::optional<std::chrono::seconds> not_before, bool counts_attempt,
                      PushCounts& counts) {
  const std::string error =
      std::string(written.closing ? "close" : "upsert") + ": " + describe(response);
  pqxx::work tx(db_);
  const SettleResult result =
      outbox_.retryLater(tx, m, error, httpOf(response), not_before, counts_attempt);
  if (result == SettleResult::kLostLease) {
    ++counts.lost_leases;
    return;
  }
  recordOfferError(tx, m.partner, m.source_ref, kLbaDestination, describe(response),
                   outbox_.clock());
  // No answer, or a 5xx: the write may have been applied (lba.md) and the
  // offer stays possibly present; a 429 or 404 was not applied.
  if (response.outcome != pc::LbaOutcome::kTransient)
    recordWriteNotApplied(tx, m.partner, m.source_ref, kLbaDestination,
                          written.possibly_present_before);
  tx.commit();
  countSettled(counts, result, &PushCounts::retried);
  if (response.outcome == pc::LbaOutcome::kRateLimited) {
    // The shared quota should make this impossible: a defect to look into.
    logError("lba answered 429 although the shared quota was respected",
             {{"destination", kLbaDestination}, {"message", response.message}});
  }
  if (result == SettleResult::kGaveUp) {
    logError("lba movement failed after its last attempt", {{"destination", kLbaDestination},
                                                            {"partner", m.partner},
                                                            {"ref", m.source_ref},
                                                            {"attempts", m.attempts},
                                                            {"error", describe(response)}});
  } else {
    ++retries_unreported_;
    last_failure_ = describe(response);
    EventLog::write(LogLevel::kDebug, "lba movement will be retried",
                    {{"destination", kLbaDestination},
                     {"partner", m.partner},
                     {"ref", m.source_ref},
                     {"attempt", m.attempts},
                     {"error", describe(response)}});
  }
}

void LbaPush::reportFailures() {
  if (retries_unreported_ == 0 && statuses_unread_ == 0) return;
  logWarning("lba requests failed; retried later",
             {{"destination", kLbaDestination},
              {"movements_to_retry", retries_unreported_},
              {"publishing_statuses_unread", statuses_unread_},
              {"last_error", last_failure_}});
  retries_unreported_ = statuses_unread_ = 0;
  last_failure_.clear();
}

PushCounts LbaPush::drain() {
  pc::Clock& clock = outbox_.clock();
  std::int64_t run = 0;
  {
    pqxx::work tx(db_);
    run = startPushRun(tx, kLbaDestination, outbox_.workerId(), clock);
    tx.commit();
  }
  PushCounts total;
  PushRunEnd end;
  try {
    queueRollingRefresh();
    while (!stopping()) {
      const PushCounts batch = runBatch();
      total += batch;
      if (batch.paused || batch.claimed == 0) break;
    }
    if (!total.paused && !stopping()) refreshPublishingStatus();
    reportFailures();
    end.outcome = pushOutcome(total);
  } catch (const std::exception& e) {
    end.outcome = "failed";
    end.message = e.what();
    try {
      pqxx::work tx(db_);
      finishPushRun(tx, run, total, end, clock);
      tx.commit();
    } catch (const std::exception&) {
    }
    throw;
  }
  pqxx::work tx(db_);
  if (total.paused) end.message = pausedReason(tx, kLbaDestination);
  finishPushRun(tx, run, total, end, clock);
  tx.commit();
  logInfo("lba push done", {{"destination", kLbaDestination},
                            {"run", static_cast<long long>(run)},
                            {"outcome", end.outcome},
                            {"sent", total.sent},
                            {"unchanged", total.unchanged},
                            {"not_eligible", total.not_eligible},
                            {"retried", total.retried},
                            {"failed", total.failed}});
  return total;
}

long LbaPush::refreshPublishingStatus(int limit) {
  pc::Clock& clock = outbox_.clock();
  std::vector<PublishedOffer> due;
  {
    pqxx::read_transaction tx(db_);
    if (pausedReason(tx, kLbaDestination)) return 0;
    due = publishingDue(tx, kLbaDestination, clock.now() - settings_.publishing_delay, limit);
  }
  long read = 0;
  for (const PublishedOffer& offer : due) {
    const pc::LbaPublishingStatus st = client_.publishingStatus(offer.service_id);
    const auto outcome = st.response.outcome;
    if (outcome == pc::LbaOutcome::kUnauthorized) {
      pqxx::work tx(db_);
      pauseDestination(tx, kLbaDestination, kKeyRefused, clock);
      tx.commit();
      EventLog::write(
          LogLevel::kError, LogEventId::kDestinationPaused, "destination paused",
          {{"destination", kLbaDestination},
           {"reason", "the API key was refused"},
           {"http_status", 401},
           {"action", "replace the key file, then passerelle retry --destination lba"}});
      break;
    }
    if (outcome == pc::LbaOutcome::kRateLimited || outcome == pc::LbaOutcome::kStopped)
      break;  // next time
    if (outcome != pc::LbaOutcome::kOk && outcome != pc::LbaOutcome::kNotProcessedYet) {
      ++statuses_unread_;
      last_failure_ = describe(st.response);
      EventLog::write(LogLevel::kDebug, "lba publishing status not read",
                      {{"destination", kLbaDestination},
                       {"ref", offer.source_ref},
                       {"error", describe(st.response)}});
      continue;
    }
    PublishingStatus status;
    status.status = outcome == pc::LbaOutcome::kOk ? st.status : "WILL_BE_PUBLISHED";
    if (!st.error_code.empty()) status.error_code = st.error_code;
    if (!st.error_label.empty()) status.error_label = st.error_label;
    pqxx::work tx(db_);
    recordPublishingStatus(tx, offer.partner, offer.source_ref, kLbaDestination, offer.service_id,
                           status, clock);
    tx.commit();
    ++read;
    if (status.status == "WILL_NOT_BE_PUBLISHED") {
      logWarning("lba will not publish the offer", {{"destination", kLbaDestination},
                                                    {"partner", offer.partner},
                                                    {"ref", offer.source_ref},
                                                    {"code", st.error_code},
                                                    {"label", st.error_label}});
    }
  }
  return read;
}

long LbaPush::queueRollingRefresh() {
  pqxx::work tx(db_);
  const formats::CivilDate today = pc::parisToday(outbox_.clock());
  const long queued = enqueue(
      tx, EnqueueReason::kRefresh,
      "SELECT d.partner, d.source_ref, d.destination, 'upsert', o.content_hash, NULL::bigint"
      " FROM destination_offers d JOIN offers o USING (partner, source_ref)"
      " WHERE d.destination = $1 AND d.service_id IS NOT NULL AND d.closed_at IS NULL"
      " AND d.rolling_expiration <= $2::date + $3::int AND o.status = 'active'",
      kLbaDestination, formats::formatDate(today), settings_.rolling_refresh_before_days);
  tx.commit();
  return queued;
}

LbaPush::AuditCounts LbaPush::audit(int limit) {
  pc::Clock& clock = outbox_.clock();
  AuditCounts counts;
  std::vector<AuditedOffer> due;
  {
    pqxx::read_transaction tx(db_);
    if (pausedReason(tx, kLbaDestination)) return counts;
    due = auditDue(tx, kLbaDestination, limit);
  }
  for (const AuditedOffer& offer : due) {
    const pc::LbaHeldOffer held = client_.readOffer(offer.service_id);
    const auto outcome = held.response.outcome;
    if (outcome == pc::LbaOutcome::kUnauthorized || outcome == pc::LbaOutcome::kRateLimited ||
        outcome == pc::LbaOutcome::kStopped)
      break;
    if (outcome != pc::LbaOutcome::kOk && outcome != pc::LbaOutcome::kNotProcessedYet) continue;
    const bool active_there = outcome == pc::LbaOutcome::kOk && held.status == "Active";
    pqxx::work tx(db_);
    recordAudited(tx, offer, kLbaDestination, clock);
    const std::string kind = active_there ? "close" : "upsert";
    if (active_there && !offer.expected_active) {
      recordFoundPresent(tx, offer, kLbaDestination);
      ++counts.closed;
    } else if (!active_there && offer.expected_active) {
      recordFoundMissing(tx, offer, kLbaDestination);
      ++counts.resent;
    }
    if (active_there != offer.expected_active) {
      enqueue(tx, EnqueueReason::kChange,
              "SELECT partner, source_ref, $3, $4, content_hash, NULL::bigint FROM offers"
              " WHERE partner = $1 AND source_ref = $2",
              offer.partner, offer.source_ref, std::string(kLbaDestination), kind);
      logWarning("lba audit: drift repaired", {{"destination", kLbaDestination},
                                               {"partner", offer.partner},
                                               {"ref", offer.source_ref},
                                               {"there", active_there ? "active" : "absent"},
                                               {"queued", kind}});
    }
    tx.commit();
    ++counts.audited;
  }
  return counts;
}

}  // namespace passerelle::daemon
