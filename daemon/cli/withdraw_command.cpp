#include "daemon/cli/withdraw_command.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "connectors/host/clock.h"
#include "daemon/cli/known_partner.h"
#include "daemon/cli/store_commands.h"
#include "daemon/store/offer_import.h"
#include "daemon/store/offer_merge.h"

namespace passerelle::daemon {
namespace {

struct WithdrawOptions {
  std::optional<std::string> config_path;
  std::string partner;
  std::vector<std::string> refs;
  bool yes = false;
};

// The offers concerned, in reference order: every offer of the partner not
// withdrawn yet, or those of --ref.
std::vector<std::string> concerned(pqxx::transaction_base& tx, const WithdrawOptions& o) {
  std::string filter;
  for (const std::string& ref : o.refs) filter += (filter.empty() ? "" : ", ") + tx.quote(ref);
  if (!filter.empty()) filter = " AND source_ref IN (" + filter + ")";
  std::vector<std::string> refs;
  for (const pqxx::row& row :
       tx.exec("SELECT source_ref FROM offers WHERE partner = " + tx.quote(o.partner) +
               " AND status <> 'withdrawn'" + filter + " ORDER BY source_ref"))
    refs.push_back(row[0].as<std::string>());
  return refs;
}

int runWithdraw(const WithdrawOptions& o, const connectors::Host& host) {
  StoreSession session = openStoreSession(o.config_path, host);
  if (!requireKnownPartner(session.config, o.partner)) return kExitUsage;
  pqxx::work tx(*session.connection);
  tx.exec_params("SELECT pg_advisory_xact_lock($1, hashtext($2))", kImportLockClass, o.partner);
  const std::vector<std::string> refs = concerned(tx, o);
  const std::set<std::string> found(refs.begin(), refs.end());
  for (const std::string& ref : o.refs) {
    if (!found.count(ref)) {
      std::printf("%s: no offer of %s not withdrawn already; nothing to do for it\n", ref.c_str(),
                  o.partner.c_str());
    }
  }
  if (refs.empty()) {
    std::printf("nothing to withdraw for %s\n", o.partner.c_str());
    return kExitOk;
  }
  if (!o.yes) {
    const std::vector<std::string> first(
        refs.begin(), refs.begin() + std::min<std::size_t>(refs.size(), kPreviewRefs));
    std::printf("would withdraw %zu offer(s) of %s\n", refs.size(), o.partner.c_str());
    printWithdrawnPreview(first, static_cast<long>(refs.size()));
    std::printf("nothing withdrawn: add --yes to withdraw them\n");
    return kExitRejects;
  }
  connectors::SystemClock clock;
  MergeContext ctx;
  ctx.partner = o.partner;
  ctx.now = clock.now();
  const long withdrawn = withdrawOffers(tx, ctx, o.refs);
  tx.commit();
  std::printf("withdrew %ld offer(s) of %s; closing movements queued for every destination\n",
              withdrawn, o.partner.c_str());
  logEvent("offers withdrawn by hand",
           {{"partner", o.partner}, {"withdrawn", std::to_string(withdrawn)}});
  return kExitOk;
}

}  // namespace

void addWithdrawCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host) {
  auto options = std::make_shared<WithdrawOptions>();
  CLI::App* command = app.add_subcommand(
      "withdraw", "Show what would be withdrawn of a partner's offers; withdraw with --yes");
  command->add_option("--config", options->config_path, "Configuration file");
  command->add_option("--partner", options->partner, "The partner")->required();
  command->add_option("--ref", options->refs, "Only this offer (repeatable)");
  command->add_flag("--yes", options->yes, "Withdraw them (without: only show)");
  command->callback([options, &status, &host] {
    status.code = runGuarded("withdraw", {{"partner", options->partner}},
                             [&] { return runWithdraw(*options, host); });
  });
}

}  // namespace passerelle::daemon
