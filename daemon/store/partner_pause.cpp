#include "daemon/store/partner_pause.h"

#include "daemon/store/outbox.h"

namespace passerelle::daemon {

std::optional<std::string> partnerPausedBy(pqxx::transaction_base& tx, const std::string& partner) {
  const pqxx::result r =
      tx.exec_params("SELECT paused_by FROM partner_pauses WHERE partner = $1", partner);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::string>();
}

bool pausePartner(pqxx::transaction_base& tx, const std::string& partner, const std::string& by,
                  connectors::Clock::WallTime at) {
  return tx.exec_params(
               "INSERT INTO partner_pauses (partner, paused_at, paused_by)"
               " VALUES ($1, $2::timestamptz, $3) ON CONFLICT (partner) DO NOTHING",
               partner, sqlTimestamp(at), by)
             .affected_rows() == 1;
}

bool resumePartner(pqxx::transaction_base& tx, const std::string& partner) {
  return tx.exec_params("DELETE FROM partner_pauses WHERE partner = $1", partner).affected_rows() ==
         1;
}

std::vector<PartnerPause> partnerPauses(pqxx::transaction_base& tx) {
  std::vector<PartnerPause> out;
  for (const pqxx::row& r : tx.exec(
           "SELECT partner, to_char(paused_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD HH24:MI'),"
           " paused_by FROM partner_pauses ORDER BY partner"))
    out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>()});
  return out;
}

}  // namespace passerelle::daemon
