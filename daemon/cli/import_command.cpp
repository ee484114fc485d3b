#include "daemon/cli/import_command.h"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/host/clock.h"
#include "daemon/cli/known_partner.h"
#include "daemon/cli/store_commands.h"
#include "daemon/store/offer_import.h"

namespace passerelle::daemon {
namespace {

struct ImportOptions {
  std::optional<std::string> config_path;
  std::string partner;
  std::optional<std::string> format;
  std::vector<std::string> files;
  bool dry_run = false;
};

// The request for one file: format and limits from the partner's
// configuration when it has one, --format otherwise.
ImportRequest makeRequest(const Config& config, const ImportOptions& o, const std::string& file) {
  ImportRequest request;
  request.partner = o.partner;
  request.path = file;
  request.limits = {config.import.max_withdraw_ratio, config.import.max_withdraw_count};
  request.quarantine_dir =
      (std::filesystem::path(config.daemon.state_dir) / "quarantine" / o.partner).string();
  if (const PartnerConfig* p = config.findPartner(o.partner)) {  // known: checked before
    request.format = p->format;
    request.expected_partner_code = p->sigma_code;
    request.limits = {config.maxWithdrawRatio(*p), config.maxWithdrawCount(*p)};
  }
  if (o.format) request.format = *o.format;
  request.dry_run = o.dry_run;
  return request;
}

int exitFor(const ImportResult& result) {
  switch (result.outcome) {
    case RunOutcome::kImported:
    case RunOutcome::kApproved:
      return result.summary.rejects > 0 ? kExitRejects : kExitOk;
    case RunOutcome::kDuplicate:
      return kExitOk;
    default:
      return kExitFailure;
  }
}

void report(const ImportRequest& request, const ImportResult& result) {
  const MergeCounts& c = result.counts;
  const formats::ReadSummary& s = result.summary;
  const std::string run =
      request.dry_run ? "dry run (nothing written):" : "run " + std::to_string(result.run_id);
  std::printf(
      "%s %s partner=%s file=%s records=%ld rejects=%ld warnings=%ld created=%ld"
      " updated=%ld unchanged=%ld withdrawn=%ld reactivated=%ld expired=%ld\n",
      run.c_str(), toString(result.outcome), request.partner.c_str(), request.path.c_str(),
      s.records, s.rejects, s.warnings + result.store_warnings, c.created, c.updated, c.unchanged,
      c.withdrawn, c.reactivated, c.expired);
  if (request.dry_run) {
    printWithdrawnPreview(result.withdrawn_refs, c.withdrawn);
    if (!result.message.empty()) std::printf("%s\n", result.message.c_str());
    return;
  }
  if (!result.message.empty()) {
    logEvent(std::string("import ") + toString(result.outcome),
             {{"partner", request.partner},
              {"file", request.path},
              {"run", std::to_string(result.run_id)},
              {"reason", result.message}});
  }
}

int runImport(const ImportOptions& o, const connectors::Host& host) {
  StoreSession session = openStoreSession(o.config_path, host);
  if (!requireKnownPartner(session.config, o.partner)) return kExitUsage;
  const PartnerConfig* partner = session.config.findPartner(o.partner);
  if (o.format && *o.format != partner->format) {
    logEvent("import refused: --format differs from the partner's configured format",
             {{"partner", o.partner}, {"format", *o.format}, {"configured", partner->format}});
    return kExitUsage;
  }
  connectors::SystemClock clock;
  OfferImport import(*session.connection, clock);
  int code = kExitOk;
  for (const std::string& file : o.files) {
    const ImportRequest request = makeRequest(session.config, o, file);
    bool completed = false;
    const int file_code = runGuarded("import", {{"partner", o.partner}, {"file", file}}, [&] {
      const ImportResult result = import.importFile(request);
      completed = true;
      report(request, result);
      return exitFor(result);
    });
    code = std::max(code, file_code);
    if (!completed) break;  // a failure: later files must not be applied before this one
  }
  return code;
}

}  // namespace

void addImportCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host) {
  auto options = std::make_shared<ImportOptions>();
  CLI::App* command =
      app.add_subcommand("import", "Import files by hand, exactly as if they had been dropped");
  command->add_option("--config", options->config_path, "Configuration file");
  command->add_option("--partner", options->partner, "The partner the files belong to")->required();
  command->add_option("--format", options->format,
                      "Format (default: the partner's configured format)");
  command->add_flag("--dry-run", options->dry_run,
                    "Report what each file would do (created, updated, unchanged, withdrawn, or"
                    " quarantined); write nothing");
  command->add_option("FILE", options->files, "Files to import, in order")
      ->required()
      ->check(CLI::ExistingFile);
  command->callback([options, &status, &host] {
    status.code = runGuarded("import", {{"partner", options->partner}},
                             [&] { return runImport(*options, host); });
  });
}

}  // namespace passerelle::daemon
