#include "daemon/store/offer_states.h"

#include "daemon/store/outbox.h"

namespace passerelle::daemon {

namespace pc = passerelle::connectors;

namespace {

// One query for the whole partner: the offers in the window, each with both
// services' rows, whether a change waits for each, and whether lba refused
// the offer's data (400) since its last accepted write.
constexpr const char* kOfferStatesQuery =
    "SELECT o.source_ref, j.doc->>'title', o.status,"
    " coalesce((j.doc->>'share_with_france_travail')::boolean, false),"
    " extract(epoch FROM greatest(o.last_changed, l.updated_at, f.updated_at))::bigint,"
    " l.publishing_status, l.publishing_error_code, l.publishing_error_label,"
    " array_to_string(coalesce(l.not_eligible_reasons, '{}'), ','), l.closed_at IS NOT NULL,"
    " coalesce(p.lba, false), coalesce(x.refused, false) AND l.last_error IS NOT NULL,"
    " f.accepted_hash IS NOT NULL, extract(epoch FROM f.accepted_at)::bigint,"
    " array_to_string(coalesce(f.not_eligible_reasons, '{}'), ','), coalesce(p.ft, false)"
    " FROM offers o CROSS JOIN LATERAL (SELECT o.json::json AS doc) j"
    " LEFT JOIN destination_offers l ON l.partner = o.partner AND l.source_ref = o.source_ref"
    "   AND l.destination = 'lba'"
    " LEFT JOIN destination_offers f ON f.partner = o.partner AND f.source_ref = o.source_ref"
    "   AND f.destination = 'france-travail'"
    " LEFT JOIN (SELECT source_ref, bool_or(destination = 'lba') AS lba,"
    "   bool_or(destination = 'france-travail') AS ft FROM outbox_movements"
    "   WHERE partner = $1 AND state IN ('pending', 'in_flight') GROUP BY source_ref) p"
    "   ON p.source_ref = o.source_ref"
    " LEFT JOIN (SELECT DISTINCT source_ref, true AS refused FROM outbox_movements"
    "   WHERE partner = $1 AND destination = 'lba' AND state = 'failed'"
    "   AND last_http_status = 400) x ON x.source_ref = o.source_ref"
    " WHERE o.partner = $1 AND (o.status = 'active' OR o.last_changed >= $2::timestamptz)"
    " ORDER BY o.source_ref";

std::vector<std::string> splitCodes(const pqxx::field& f) {
  std::vector<std::string> codes;
  const std::string text = f.is_null() ? std::string() : f.as<std::string>();
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) codes.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return codes;
}

std::optional<std::string> optText(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional(f.as<std::string>());
}

// {"a","b"}: a text[] literal, every element quoted.
std::string textArrayLiteral(const std::vector<std::string>& items) {
  std::string array = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) array += ',';
    array += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') array += '\\';
      array += c;
    }
    array += '"';
  }
  return array + "}";
}

pc::OfferStatus statusOf(const std::string& status) {
  if (status == "withdrawn") return pc::OfferStatus::kWithdrawn;
  if (status == "expired") return pc::OfferStatus::kExpired;
  return pc::OfferStatus::kActive;
}

pc::OfferStateFacts factsOf(const pqxx::row& row) {
  pc::OfferStateFacts o;
  o.reference = row[0].as<std::string>();
  o.title = optText(row[1]);
  o.status = statusOf(row[2].as<std::string>());
  o.shared_with_france_travail = row[3].as<bool>();
  o.last_change_unix = row[4].as<std::int64_t>();
  o.lba.publishing_status = optText(row[5]);
  o.lba.error_code = optText(row[6]);
  o.lba.error_label = optText(row[7]);
  o.lba.not_eligible = splitCodes(row[8]);
  o.lba.closed = row[9].as<bool>();
  o.lba.pending = row[10].as<bool>();
  o.lba.refused_data = row[11].as<bool>();
  o.france_travail.transmitted = row[12].as<bool>();
  if (!row[13].is_null()) o.france_travail.accepted_at_unix = row[13].as<std::int64_t>();
  o.france_travail.not_eligible = splitCodes(row[14]);
  o.france_travail.pending = row[15].as<bool>();
  return o;
}

}  // namespace

OfferStates loadOfferStates(pqxx::transaction_base& tx, const std::string& partner,
                            connectors::Clock::WallTime now) {
  OfferStates states;
  // Read first: a change committed while the offers are read is newer than
  // this and makes the report due again.
  states.as_of =
      optText(tx.exec_params1("SELECT max(updated_at)::text FROM destination_offers"
                              " WHERE partner = $1",
                              partner)[0]);
  const pqxx::result rows =
      tx.exec_params(kOfferStatesQuery, partner, sqlTimestamp(now - kOfferStateWindow));
  states.offers.reserve(rows.size());
  for (const pqxx::row& row : rows) states.offers.push_back(factsOf(row));
  return states;
}

std::vector<std::string> offerStateReportsDue(
    pqxx::transaction_base& tx, const std::vector<std::string>& partners,
    connectors::Clock::WallTime now, std::optional<connectors::Clock::WallTime> daily_slot) {
  std::vector<std::string> due;
  if (partners.empty()) return due;
  // A report is stale when written before this instant: a day ago, or the
  // daily slot when it is later.
  auto stale_before = now - kOfferStateMaxAge;
  if (daily_slot && *daily_slot > stale_before) stale_before = *daily_slot;
  // One query: per partner, the report's row and the latest change at a
  // destination (one probe of destination_offers_partner_updated each).
  const pqxx::result rows = tx.exec_params(
      "SELECT p.partner FROM unnest($1::text[]) AS p(partner)"
      " LEFT JOIN offer_state_reports r ON r.partner = p.partner"
      " WHERE r.written_at IS NULL OR r.written_at < $2::timestamptz"
      " OR coalesce((SELECT max(updated_at) FROM destination_offers d"
      "   WHERE d.partner = p.partner) > coalesce(r.states_as_of, '-infinity'), false)"
      " ORDER BY p.partner",
      textArrayLiteral(partners), sqlTimestamp(stale_before));
  for (const pqxx::row& row : rows) due.push_back(row[0].as<std::string>());
  return due;
}

void recordOfferStateReport(pqxx::transaction_base& tx, const std::string& partner,
                            const OfferStates& states, connectors::Clock::WallTime now) {
  tx.exec_params(
      "INSERT INTO offer_state_reports (partner, written_at, states_as_of)"
      " VALUES ($1, $2::timestamptz, $3::timestamptz) ON CONFLICT (partner) DO UPDATE SET"
      " written_at = excluded.written_at, states_as_of = excluded.states_as_of",
      partner, sqlTimestamp(now), states.as_of);
}

}  // namespace passerelle::daemon
