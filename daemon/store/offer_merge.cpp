#include "daemon/store/offer_merge.h"

#include <tuple>
#include <unordered_map>

#include "daemon/store/outbox.h"

namespace passerelle::daemon {
namespace {

// The merge's "now", as an SQL expression. Inlined (quoted) rather than bound
// because some of the statements are CREATE TABLE AS, which takes no bind
// parameters.
std::string nowSql(pqxx::transaction_base& tx, const MergeContext& ctx) {
  if (ctx.now) return tx.quote(sqlTimestamp(*ctx.now)) + "::timestamptz";
  return "now()";
}

// "today" in Europe/Paris, as an SQL expression.
std::string todaySql(pqxx::transaction_base& tx, const MergeContext& ctx) {
  if (ctx.today) return tx.quote(*ctx.today) + "::date";
  return "(" + nowSql(tx, ctx) + " AT TIME ZONE 'Europe/Paris')::date";
}

std::string runSql(const MergeContext& ctx) {
  return ctx.run_id > 0 ? std::to_string(ctx.run_id) : std::string("NULL");
}

// A temporary plan table, dropped at commit. Values are inlined (quoted)
// because CREATE TABLE AS does not take bind parameters.
void createPlan(pqxx::transaction_base& tx, const std::string& name, const std::string& select) {
  tx.exec("DROP TABLE IF EXISTS pg_temp." + name);
  tx.exec("CREATE TEMP TABLE " + name + " ON COMMIT DROP AS " + select);
}

// One pending movement per changed offer and destination; a newer change
// replaces the pending one rather than queueing a second.
void queueMovements(pqxx::transaction_base& tx, const MergeContext& ctx, const std::string& plan,
                    const std::string& kind_sql, const std::string& where) {
  enqueue(tx, EnqueueReason::kChange,
          "SELECT p.partner, p.source_ref, d.name, " + kind_sql + ", p.content_hash, " +
              runSql(ctx) + " FROM " + plan + " p CROSS JOIN destinations d WHERE " + where);
}

// Applies a plan of status changes (withdrawal, expiry) with columns partner,
// source_ref, old_status, content_hash, line, source_updated_at.
long applyStatusChange(pqxx::transaction_base& tx, const MergeContext& ctx, const std::string& plan,
                       const std::string& new_status, const std::string& change) {
  pqxx::result updated =
      tx.exec("UPDATE offers o SET status = " + tx.quote(new_status) +
              ", last_changed = " + nowSql(tx, ctx) + ", last_run = " + runSql(ctx) +
              ", source_updated_at = coalesce(p.source_updated_at, o.source_updated_at)"
              " FROM " +
              plan + " p WHERE o.partner = p.partner AND o.source_ref = p.source_ref");
  if (updated.affected_rows() == 0) return 0;
  tx.exec(
      "INSERT INTO offer_history (partner, source_ref, run_id, change, old_status, new_status,"
      " old_hash, new_hash, line, at) SELECT partner, source_ref, " +
      runSql(ctx) + ", " + tx.quote(change) + ", old_status, " + tx.quote(new_status) +
      ", content_hash, content_hash, line, " + nowSql(tx, ctx) + " FROM " + plan +
      " ORDER BY partner, source_ref");
  queueMovements(tx, ctx, plan, "'close'", "p.old_status = 'active'");
  return static_cast<long>(updated.affected_rows());
}

// New and changed offers of the staged rows that apply: the only ones written.
// A first load's rows (kind `loaded`, first_load.h) are creations whose offer
// row is already written: they are planned like new offers, but not joined
// with the offers they are.
// The plan holds keys and statuses only; the wide columns (the JSON) stay in
// the staging table and are joined when written. Refs are unique among the
// applying rows: DUPLICATE_REF rejects a snapshot's repeats, and planDelta()
// marks one movement per offer.
void createMergePlan(pqxx::transaction_base& tx, const MergeContext& ctx) {
  const std::string new_status =
      "CASE WHEN s.expires < " + todaySql(tx, ctx) + " THEN 'expired' ELSE 'active' END";
  createPlan(tx, "merge_plan",
             "SELECT *, CASE WHEN old_status IS NULL THEN 'created'"
             " WHEN old_status <> 'active' AND new_status = 'active' THEN 'reactivated'"
             " WHEN new_status = 'expired' AND old_status <> 'expired' THEN 'expired'"
             " ELSE 'updated' END AS change FROM (SELECT " +
                 tx.quote(ctx.partner) +
                 "::text AS partner, s.seq, s.line, s.kind, s.source_ref, s.content_hash, " +
                 new_status +
                 " AS new_status, o.status AS old_status, o.content_hash AS old_hash"
                 " FROM passerelle_staging s LEFT JOIN offers o ON s.kind = 'upsert'"
                 " AND o.partner = " +
                 tx.quote(ctx.partner) +
                 " AND o.source_ref = s.source_ref"
                 " WHERE s.kind IN ('upsert', 'loaded') AND s.applies) c"
                 " WHERE old_status IS NULL OR old_hash <> content_hash"
                 " OR old_status <> new_status");
}

void applyMergePlan(pqxx::transaction_base& tx, const MergeContext& ctx) {
  const std::string now = nowSql(tx, ctx);
  // History first, while `offers` still holds what an update replaces: the
  // replaced content is kept (not every version's: a first import would write
  // its whole content twice), so that `passerelle offer` can say which fields
  // each version changed.
  tx.exec(
      "INSERT INTO offer_history (partner, source_ref, run_id, change, old_status, new_status,"
      " old_hash, new_hash, line, at, replaced_json) SELECT p.partner, p.source_ref, " +
      runSql(ctx) + ", p.change, p.old_status, p.new_status, p.old_hash, p.content_hash, p.line, " +
      now +
      ", CASE WHEN p.old_hash <> p.content_hash THEN o.json END FROM merge_plan p"
      " LEFT JOIN offers o ON p.old_status IS NOT NULL AND o.partner = p.partner"
      " AND o.source_ref = p.source_ref ORDER BY p.seq");
  tx.exec(
      "INSERT INTO offers AS o (partner, source_ref, status, json, content_hash, department,"
      " siret, rome_codes, contract_type, expires, source_updated_at, search_text, first_seen,"
      " last_changed, last_run) SELECT p.partner, p.source_ref, p.new_status, s.json,"
      " s.content_hash, s.department, s.siret, s.rome_codes, s.contract_type, s.expires,"
      " s.source_updated_at, s.search_text,"
      " " +
      now + ", " + now + ", " + runSql(ctx) +
      " FROM merge_plan p JOIN passerelle_staging s ON s.seq = p.seq WHERE p.kind = 'upsert'"
      " ON CONFLICT (partner, source_ref) DO UPDATE SET"
      " status = excluded.status, json = excluded.json, content_hash = excluded.content_hash,"
      " department = excluded.department, siret = excluded.siret,"
      " rome_codes = excluded.rome_codes, contract_type = excluded.contract_type,"
      " expires = excluded.expires, source_updated_at = excluded.source_updated_at,"
      " search_text = excluded.search_text,"
      " last_changed = excluded.last_changed, last_run = excluded.last_run");
  // Loaded rows were written `active`; those whose publication has ended
  // take the status the plan gives them.
  tx.exec(
      "UPDATE offers o SET status = p.new_status FROM merge_plan p WHERE p.kind = 'loaded'"
      " AND p.new_status <> 'active' AND o.partner = p.partner AND o.source_ref = p.source_ref");
  queueMovements(tx, ctx, "merge_plan",
                 "CASE WHEN p.new_status = 'active' THEN 'upsert' ELSE 'close' END",
                 "p.new_status = 'active' OR p.old_status = 'active'");
}

void countMergePlan(pqxx::transaction_base& tx, MergeCounts& counts) {
  pqxx::row r = tx.exec1(
      "SELECT count(*) FILTER (WHERE change = 'created'),"
      " count(*) FILTER (WHERE change = 'updated'),"
      " count(*) FILTER (WHERE change = 'reactivated'),"
      " count(*) FILTER (WHERE change = 'expired'),"
      " (SELECT count(*) FROM passerelle_staging WHERE kind IN ('upsert', 'loaded') AND applies)"
      " - count(*)"
      " FROM merge_plan");
  counts.created = r[0].as<long>();
  counts.updated = r[1].as<long>();
  counts.reactivated = r[2].as<long>();
  counts.expired = r[3].as<long>();
  counts.unchanged = r[4].as<long>();
}

// The offers a snapshot withdraws, by reference, into a temporary table.
void stageWithdrawals(pqxx::transaction_base& tx, const std::vector<std::string>& refs) {
  tx.exec("DROP TABLE IF EXISTS pg_temp.withdraw_refs");
  tx.exec("CREATE TEMP TABLE withdraw_refs (source_ref text NOT NULL) ON COMMIT DROP");
  if (refs.empty()) return;
  pqxx::stream_to stream(tx, "withdraw_refs", std::vector<std::string>{"source_ref"});
  for (const std::string& ref : refs) stream << std::make_tuple(ref);
  stream.complete();
}

std::string withdrawPlanSql(pqxx::transaction_base& tx, const MergeContext& ctx, bool snapshot) {
  const std::string partner = tx.quote(ctx.partner);
  if (snapshot) {
    return "SELECT o.partner, o.source_ref, o.status AS old_status, o.content_hash,"
           " NULL::bigint AS line, NULL::timestamp AS source_updated_at FROM withdraw_refs w"
           " JOIN offers o ON o.partner = " +
           partner + " AND o.source_ref = w.source_ref WHERE o.status <> 'withdrawn'";
  }
  return "SELECT o.partner, o.source_ref, o.status AS old_status, o.content_hash, s.line,"
         " s.source_updated_at FROM passerelle_staging s JOIN offers o ON o.partner = " +
         partner +
         " AND o.source_ref = s.source_ref WHERE s.kind = 'delete' AND s.applies"
         " AND o.status <> 'withdrawn'";
}

// The state of one offer while a delta file's movements are folded.
struct FoldState {
  bool exists = false;  // stored and not withdrawn
  std::optional<std::string> updated_at;
  int winner = -1;  // seq of the last applied movement
};

std::optional<std::string> optionalText(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

}  // namespace

std::vector<StoreWarning> planDelta(pqxx::transaction_base& tx, const MergeContext& ctx) {
  // Small columns only: the JSON stays on the server.
  pqxx::result rows = tx.exec(
      "SELECT s.seq, s.line, s.source_ref, s.movement, s.source_updated_at::text,"
      " o.status, o.source_updated_at::text FROM passerelle_staging s LEFT JOIN offers o"
      " ON o.partner = " +
      tx.quote(ctx.partner) +
      " AND o.source_ref = s.source_ref WHERE s.kind IN ('upsert', 'delete') ORDER BY s.seq");
  std::unordered_map<std::string, FoldState> states;
  std::vector<StoreWarning> warnings;
  for (const pqxx::row& row : rows) {
    const int seq = row[0].as<int>();
    const long line = row[1].as<long>();
    const std::string ref = row[2].as<std::string>();
    const char movement = row[3].as<std::string>().front();
    const std::optional<std::string> maj = optionalText(row[4]);
    auto [it, fresh] = states.try_emplace(ref);
    FoldState& state = it->second;
    if (fresh) {
      state.exists = !row[5].is_null() && row[5].as<std::string>() != "withdrawn";
      state.updated_at = optionalText(row[6]);
    }
    // Same fixed format on both sides: text order is time order.
    if (maj && state.updated_at && *maj < *state.updated_at) {
      warnings.push_back({line, ref, "STALE_MOVEMENT",
                          "Mouvement plus ancien (" + *maj + ") que la version enregistrée (" +
                              *state.updated_at + ") : ignoré",
                          maj});
      continue;
    }
    if (movement == 'S' && !state.exists) {
      warnings.push_back({line, ref, "UNKNOWN_OFFER",
                          "Suppression d'une offre inconnue : rien n'est changé", std::nullopt});
      continue;
    }
    if (movement == 'C' && state.exists) {
      warnings.push_back({line, ref, "ALREADY_EXISTS",
                          "L'offre existe déjà : la création est appliquée comme une modification",
                          std::nullopt});
    } else if (movement == 'M' && !state.exists) {
      warnings.push_back({line, ref, "UNKNOWN_OFFER",
                          "Modification d'une offre inconnue : appliquée comme une création",
                          std::nullopt});
    }
    state.exists = movement != 'S';
    if (maj) state.updated_at = maj;
    state.winner = seq;
  }
  std::string winners = "{";
  for (const auto& [ref, state] : states) {
    if (state.winner < 0) continue;
    if (winners.size() > 1) winners += ',';
    winners += std::to_string(state.winner);
  }
  winners += '}';
  tx.exec("UPDATE passerelle_staging SET applies = true WHERE seq = ANY(" + tx.quote(winners) +
          "::integer[])");
  return warnings;
}

MergeCounts applyMerge(pqxx::transaction_base& tx, const MergeContext& ctx,
                       const std::optional<std::vector<std::string>>& withdrawals) {
  MergeCounts counts;
  createMergePlan(tx, ctx);
  countMergePlan(tx, counts);
  applyMergePlan(tx, ctx);
  if (withdrawals) stageWithdrawals(tx, *withdrawals);
  createPlan(tx, "withdraw_plan", withdrawPlanSql(tx, ctx, withdrawals.has_value()));
  counts.withdrawn = applyStatusChange(tx, ctx, "withdraw_plan", "withdrawn", "withdrawn");
  counts.expired += expireDueOffers(tx, ctx);
  return counts;
}

long withdrawOffers(pqxx::transaction_base& tx, const MergeContext& ctx,
                    const std::vector<std::string>& refs) {
  std::string filter;
  if (!refs.empty()) {
    filter = " AND o.source_ref IN (";
    for (std::size_t i = 0; i < refs.size(); ++i) filter += (i ? ", " : "") + tx.quote(refs[i]);
    filter += ")";
  }
  createPlan(tx, "withdraw_plan",
             "SELECT o.partner, o.source_ref, o.status AS old_status, o.content_hash,"
             " NULL::bigint AS line, NULL::timestamp AS source_updated_at FROM offers o"
             " WHERE o.partner = " +
                 tx.quote(ctx.partner) + " AND o.status <> 'withdrawn'" + filter);
  return applyStatusChange(tx, ctx, "withdraw_plan", "withdrawn", "withdrawn");
}

long expireDueOffers(pqxx::transaction_base& tx, const MergeContext& ctx) {
  const std::string partner_filter =
      ctx.partner.empty() ? std::string("true") : "o.partner = " + tx.quote(ctx.partner);
  createPlan(tx, "expire_plan",
             "SELECT o.partner, o.source_ref, o.status AS old_status, o.content_hash,"
             " NULL::bigint AS line, NULL::timestamp AS source_updated_at FROM offers o WHERE " +
                 partner_filter + " AND o.status = 'active' AND o.expires < " + todaySql(tx, ctx));
  return applyStatusChange(tx, ctx, "expire_plan", "expired", "expired");
}

}  // namespace passerelle::daemon
