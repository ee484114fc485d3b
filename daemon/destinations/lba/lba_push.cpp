#include "daemon/destinations/lba/lba_push.h"

#include <cstdio>

#include "daemon/log/event_log.h"

namespace passerelle::daemon {

namespace pc = passerelle::connectors;

namespace {

std::string isoDate(const formats::CivilDate& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

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

}  // namespace

LbaPush::LbaPush(pqxx::connection& connection, pc::LbaClient& client, Outbox& outbox,
                 LbaPushSettings settings)
    : db_(connection), client_(client), outbox_(outbox), settings_(std::move(settings)) {}

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
  bool paused = false;
  for (const Movement& m : claimed) {
    if (paused) {
      pqxx::work tx(db_);
      if (outbox_.release(tx, m) != SettleResult::kLostLease) ++counts.released;
      tx.commit();
      continue;
    }
    try {
      process(m, counts, paused);
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
      const SettleResult r = outbox_.retryLater(tx, m, std::string("internal: ") + e.what());
      tx.commit();
      ++(r == SettleResult::kGaveUp ? counts.failed : counts.retried);
    }
  }
  counts.paused = paused;
  return counts;
}

void LbaPush::process(const Movement& m, PushCounts& counts, bool& paused) {
  pc::Clock& clock = outbox_.clock();
  const formats::CivilDate today = pc::parisToday(clock);
  std::optional<StoredOffer> stored;
  DestinationOffer dest;
  {
    pqxx::read_transaction tx(db_);
    stored = loadStoredOffer(tx, m.partner, m.source_ref);
    dest = loadDestinationOffer(tx, m.partner, m.source_ref, kLbaDestination);
  }
  auto settleOnly = [&](const std::string& state, const std::optional<std::string>& error) {
    pqxx::work tx(db_);
    const SettleResult r = outbox_.settle(tx, m, state, error);
    if (r == SettleResult::kLostLease) {
      ++counts.lost_leases;
      return false;
    }
    tx.commit();
    return true;
  };
  if (!stored) {
    if (settleOnly("failed", std::string("offer not found in the store or unreadable"))) {
      ++counts.failed;
    }
    return;
  }
  const auto defaults_it = settings_.apply_defaults.find(m.partner);
  const pc::ApplyDefaults defaults =
      defaults_it == settings_.apply_defaults.end() ? pc::ApplyDefaults{} : defaults_it->second;
  const bool published = dest.service_id.has_value() && !dest.closed;
  const pc::LbaPlan plan = pc::planLba(stored->offer, stored->status, today, defaults, published);

  std::optional<formats::CivilDate> rolling;
  if (!stored->offer.publication.expires) {
    rolling = plan.action == pc::LbaAction::kClose && dest.rolling_expiration
                  ? *dest.rolling_expiration
                  : pc::rollingExpiration(dest.rolling_expiration, today,
                                          settings_.rolling_expiration_days,
                                          settings_.rolling_refresh_before_days);
  }
  pc::LbaBodyOptions options{defaults, rolling, false};

  switch (plan.action) {
    case pc::LbaAction::kNothing:
      if (settleOnly("sent", std::nullopt)) ++counts.unchanged;
      return;
    case pc::LbaAction::kNotEligible: {
      pqxx::work tx(db_);
      recordEligibility(tx, m.partner, m.source_ref, kLbaDestination, plan.reasons);
      if (outbox_.settle(tx, m, "not_eligible", "not eligible: " + joined(plan.reasons)) ==
          SettleResult::kLostLease) {
        ++counts.lost_leases;
        return;
      }
      tx.commit();
      ++counts.not_eligible;
      logInfo("lba offer not eligible", {{"destination", kLbaDestination},
                                         {"partner", m.partner},
                                         {"ref", m.source_ref},
                                         {"reasons", joined(plan.reasons)}});
      return;
    }
    case pc::LbaAction::kUpsert: {
      const std::string body = pc::lbaBody(stored->offer, options);
      const std::string hash = pc::lbaBodyHash(body);
      if (published && dest.accepted_hash == hash) {
        pqxx::work tx(db_);
        recordEligibility(tx, m.partner, m.source_ref, kLbaDestination, {});
        if (outbox_.settle(tx, m, "sent") == SettleResult::kLostLease) {
          ++counts.lost_leases;
          return;
        }
        tx.commit();
        ++counts.unchanged;
        return;
      }
      const pc::LbaResponse response = client_.upsert(body);
      afterAnswer(m, response, false, hash, rolling ? isoDate(*rolling) : "", counts, paused);
      return;
    }
    case pc::LbaAction::kClose: {
      if (!dest.service_id) {
        if (settleOnly("sent", std::nullopt)) ++counts.unchanged;  // nothing to close
        return;
      }
      options.cancelled = true;
      const pc::LbaResponse response =
          client_.close(*dest.service_id, pc::lbaBody(stored->offer, options));
      if (!plan.reasons.empty() && (response.outcome == pc::LbaOutcome::kOk ||
                                    response.outcome == pc::LbaOutcome::kAlreadyClosed)) {
        pqxx::work tx(db_);
        recordEligibility(tx, m.partner, m.source_ref, kLbaDestination, plan.reasons);
        tx.commit();
      }
      afterAnswer(m, response, true, "", "", counts, paused);
      return;
    }
  }
}

void LbaPush::afterAnswer(const Movement& m, const pc::LbaResponse& response, bool closing,
                          const std::string& body_hash, const std::string& rolling,
                          PushCounts& counts, bool& paused) {
  pc::Clock& clock = outbox_.clock();
  const std::string now = sqlTimestamp(clock.now());
  const std::string what = closing ? "close" : "upsert";
  pqxx::work tx(db_);
  SettleResult result = SettleResult::kDone;
  switch (response.outcome) {
    case pc::LbaOutcome::kOk:
    case pc::LbaOutcome::kAlreadyClosed:
      if (!closing && response.outcome == pc::LbaOutcome::kAlreadyClosed) break;  // not for POST
      if (closing) {
        tx.exec_params(
            "UPDATE destination_offers SET closed_at = $4::timestamptz, accepted_hash = NULL,"
            " written_at = $4::timestamptz, last_error = NULL, updated_at = now()"
            " WHERE partner = $1 AND source_ref = $2 AND destination = $3",
            m.partner, m.source_ref, kLbaDestination, now);
      } else {
        tx.exec_params(
            "INSERT INTO destination_offers (partner, source_ref, destination, service_id,"
            " accepted_hash, accepted_at, written_at, rolling_expiration)"
            " VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $6::timestamptz, nullif($7, '')::date)"
            " ON CONFLICT (partner, source_ref, destination) DO UPDATE SET"
            " service_id = excluded.service_id, accepted_hash = excluded.accepted_hash,"
            " accepted_at = excluded.accepted_at, written_at = excluded.written_at,"
            " rolling_expiration = excluded.rolling_expiration, closed_at = NULL,"
            " publishing_status = NULL, publishing_error_code = NULL,"
            " publishing_error_label = NULL, publishing_checked_at = NULL,"
            " not_eligible_reasons = '{}', last_error = NULL, updated_at = now()",
            m.partner, m.source_ref, kLbaDestination, response.id, body_hash, now, rolling);
      }
      if (outbox_.settle(tx, m, "sent", std::nullopt, httpOf(response)) ==
          SettleResult::kLostLease) {
        ++counts.lost_leases;
        return;  // rolled back: the new owner of the movement records it
      }
      recordSuccess(tx, kLbaDestination, clock);
      tx.commit();
      ++counts.sent;
      logInfo(closing ? "lba offer closed" : "lba offer written",
              {{"destination", kLbaDestination},
               {"partner", m.partner},
               {"ref", m.source_ref},
               {"id", closing ? std::string() : response.id},
               {"http_status", response.http_status}});
      return;
    case pc::LbaOutcome::kBadRequest:
      recordOfferError(tx, m.partner, m.source_ref, kLbaDestination, response.message, clock);
      result = outbox_.settle(tx, m, "failed", "400: " + response.message, httpOf(response));
      if (result == SettleResult::kLostLease) {
        ++counts.lost_leases;
        return;
      }
      tx.commit();
      ++counts.failed;
      logWarning("lba refused the offer; not retried until it changes",
                 {{"destination", kLbaDestination},
                  {"partner", m.partner},
                  {"ref", m.source_ref},
                  {"http_status", response.http_status},
                  {"message", response.message}});
      return;
    case pc::LbaOutcome::kUnauthorized:
      pauseDestination(tx, kLbaDestination,
                       "401 Unauthorized: the API key is expired, revoked or wrong", clock);
      if (outbox_.release(tx, m) != SettleResult::kLostLease) ++counts.released;
      tx.commit();
      paused = true;
      logError(
          "LBA DESTINATION PAUSED: the API key was refused (401); nothing more is sent"
          " until the key is replaced and `passerelle retry --destination lba` is run",
          {{"destination", kLbaDestination}, {"http_status", response.http_status}});
      return;
    case pc::LbaOutcome::kRateLimited:
      result = outbox_.retryLater(tx, m, what + ": " + describe(response), httpOf(response),
                                  response.retry_after.value_or(std::chrono::seconds(60)),
                                  /*counts=*/false);
      break;
    case pc::LbaOutcome::kNotProcessedYet:
      result = outbox_.retryLater(tx, m, what + ": " + describe(response), httpOf(response),
                                  std::chrono::seconds(60));
      break;
    case pc::LbaOutcome::kTransient:
      break;
  }
  if (response.outcome == pc::LbaOutcome::kTransient ||
      (!closing && response.outcome == pc::LbaOutcome::kAlreadyClosed)) {
    result = outbox_.retryLater(tx, m, what + ": " + describe(response), httpOf(response));
  }
  if (result == SettleResult::kLostLease) {
    ++counts.lost_leases;
    return;
  }
  recordOfferError(tx, m.partner, m.source_ref, kLbaDestination, describe(response), clock);
  tx.commit();
  if (result == SettleResult::kGaveUp) {
    ++counts.failed;
    logError("lba movement failed after its last attempt", {{"destination", kLbaDestination},
                                                            {"partner", m.partner},
                                                            {"ref", m.source_ref},
                                                            {"attempts", m.attempts},
                                                            {"error", describe(response)}});
  } else {
    ++counts.retried;
    logWarning("lba movement will be retried", {{"destination", kLbaDestination},
                                                {"partner", m.partner},
                                                {"ref", m.source_ref},
                                                {"attempt", m.attempts},
                                                {"error", describe(response)}});
  }
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
    for (;;) {
      const PushCounts batch = runBatch();
      total += batch;
      if (batch.paused || batch.claimed == 0) break;
    }
    if (!total.paused) refreshPublishingStatus();
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
  const std::string cutoff = sqlTimestamp(clock.now() - settings_.publishing_delay);
  pqxx::result due;
  {
    pqxx::read_transaction tx(db_);
    if (pausedReason(tx, kLbaDestination)) return 0;
    due = tx.exec_params(
        "SELECT partner, source_ref, service_id FROM destination_offers"
        " WHERE destination = $1 AND service_id IS NOT NULL AND closed_at IS NULL"
        " AND written_at <= $2::timestamptz AND (publishing_status IS NULL"
        "   OR (publishing_status = 'WILL_BE_PUBLISHED' AND publishing_checked_at <= "
        "$2::timestamptz))"
        " ORDER BY written_at LIMIT $3",
        kLbaDestination, cutoff, limit);
  }
  long read = 0;
  for (const pqxx::row& row : due) {
    const std::string partner = row[0].as<std::string>();
    const std::string ref = row[1].as<std::string>();
    const std::string id = row[2].as<std::string>();
    const pc::LbaPublishingStatus st = client_.publishingStatus(id);
    const auto outcome = st.response.outcome;
    if (outcome == pc::LbaOutcome::kUnauthorized) {
      pqxx::work tx(db_);
      pauseDestination(tx, kLbaDestination,
                       "401 Unauthorized: the API key is expired, revoked or wrong", clock);
      tx.commit();
      logError("LBA DESTINATION PAUSED: the API key was refused (401)",
               {{"destination", kLbaDestination}});
      break;
    }
    if (outcome == pc::LbaOutcome::kRateLimited) break;  // next time
    if (outcome != pc::LbaOutcome::kOk && outcome != pc::LbaOutcome::kNotProcessedYet) {
      logWarning(
          "lba publishing status not read",
          {{"destination", kLbaDestination}, {"ref", ref}, {"error", describe(st.response)}});
      continue;
    }
    const std::string status = outcome == pc::LbaOutcome::kOk ? st.status : "WILL_BE_PUBLISHED";
    pqxx::work tx(db_);
    tx.exec_params(
        "UPDATE destination_offers SET publishing_status = $5, publishing_error_code = $6,"
        " publishing_error_label = $7, publishing_checked_at = $8::timestamptz, updated_at = now()"
        " WHERE partner = $1 AND source_ref = $2 AND destination = $3 AND service_id = $4",
        partner, ref, kLbaDestination, id, status,
        st.error_code.empty() ? std::nullopt : std::optional<std::string>(st.error_code),
        st.error_label.empty() ? std::nullopt : std::optional<std::string>(st.error_label),
        sqlTimestamp(clock.now()));
    tx.commit();
    ++read;
    if (status == "WILL_NOT_BE_PUBLISHED") {
      logWarning("lba will not publish the offer", {{"destination", kLbaDestination},
                                                    {"partner", partner},
                                                    {"ref", ref},
                                                    {"code", st.error_code},
                                                    {"label", st.error_label}});
    }
  }
  return read;
}

long LbaPush::queueRollingRefresh() {
  pqxx::work tx(db_);
  const formats::CivilDate today = pc::parisToday(outbox_.clock());
  const pqxx::result r = tx.exec_params(
      "INSERT INTO outbox_movements (partner, source_ref, destination, kind, content_hash)"
      " SELECT d.partner, d.source_ref, d.destination, 'upsert', o.content_hash"
      " FROM destination_offers d JOIN offers o USING (partner, source_ref)"
      " WHERE d.destination = $1 AND d.service_id IS NOT NULL AND d.closed_at IS NULL"
      " AND d.rolling_expiration <= $2::date + $3::int AND o.status = 'active'"
      " ON CONFLICT (partner, source_ref, destination) WHERE state = 'pending' DO NOTHING",
      kLbaDestination, isoDate(today), settings_.rolling_refresh_before_days);
  tx.commit();
  return static_cast<long>(r.affected_rows());
}

}  // namespace passerelle::daemon
