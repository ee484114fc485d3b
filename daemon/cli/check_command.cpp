#include "daemon/cli/check_command.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <system_error>
#include <thread>

#include "daemon/config/config.h"
#include "formats/dialect_registry.h"
#include "formats/offer_file_reader.h"
#include "formats/offer_json.h"

namespace passerelle::daemon {

namespace {

using formats::FieldError;
using formats::FileIssue;
using formats::Offer;
using formats::OfferSink;
using formats::ReadSummary;
using formats::Reject;

struct CheckOptions {
  std::string format;
  std::string partner = "-";
  std::string config;
  bool json = false;
  bool summary_only = false;
  std::string file;
};

// Buffered standard output: one fwrite per 64 KiB, not per row.
class Output {
 public:
  ~Output() { flush(); }
  std::string& buffer() { return buffer_; }
  void endLine() {
    buffer_.push_back('\n');
    if (buffer_.size() >= (1 << 16)) flush();
  }
  void flush() {
    if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), stdout);
    buffer_.clear();
    std::fflush(stdout);
  }

 private:
  std::string buffer_;
};

class JsonLinesSink final : public OfferSink {
 public:
  explicit JsonLinesSink(Output& out) : out_(out) {}
  void onFileWarning(const FileIssue& w) override {
    formats::appendFileWarningJson(w, out_.buffer());
    out_.endLine();
  }
  void onOffer(const Offer& o) override {
    formats::appendOfferJson(o, out_.buffer());
    out_.endLine();
  }
  void onReject(const Reject& r) override {
    formats::appendRejectJson(r, out_.buffer());
    out_.endLine();
  }

 private:
  Output& out_;
};

// The default output, for a person at a terminal.
class ReadableSink final : public OfferSink {
 public:
  explicit ReadableSink(Output& out) : out_(out) {}
  void onFileWarning(const FileIssue& w) override {
    line("file warning " + w.code + ": " + w.message);
  }
  void onOffer(const Offer& o) override {
    std::string head = "line " + std::to_string(o.line) + "  " + o.source_ref.value_or("-") + "  ";
    if (o.action == formats::OfferAction::kDelete) {
      head += "delete";
    } else {
      head += "offer  " + o.title.value_or("");
    }
    if (o.movement) head += "  [" + std::string(1, *o.movement) + "]";
    line(head);
    for (const auto& w : o.warnings) issue("warning", w);
  }
  void onReject(const Reject& r) override {
    line("line " + std::to_string(r.line) + "  " + r.source_ref.value_or("-") + "  REJECTED");
    for (const auto& e : r.errors) issue("error", e);
    for (const auto& w : r.warnings) issue("warning", w);
  }

 private:
  void issue(const char* severity, const FieldError& e) {
    std::string text = std::string("    ") + severity + "  " + e.field.value_or("-") + "  " +
                       e.code + ": " + e.message;
    if (e.value) text += "  (value: " + *e.value + ")";
    line(text);
  }
  void line(const std::string& text) {
    out_.buffer() += text;
    out_.endLine();
  }
  Output& out_;
};

void printSummary(const CheckOptions& opts, const ReadSummary& s, Output& out) {
  if (opts.json || opts.summary_only) {
    if (s.file_error) {
      formats::appendFileErrorJson(*s.file_error, out.buffer());
      out.endLine();
    }
    formats::appendSummaryJson(s, out.buffer());
    out.endLine();
    return;
  }
  if (s.file_error) {
    out.buffer() += "FILE REFUSED " + s.file_error->code + ": " + s.file_error->message;
    if (s.file_error->line) out.buffer() += " (line " + std::to_string(*s.file_error->line) + ")";
    out.endLine();
  }
  out.buffer() +=
      opts.file + ": " + s.format + " (" + std::string(formats::encodingName(s.encoding)) + "), " +
      std::to_string(s.records) + " records: " + std::to_string(s.offers) + " offers, " +
      std::to_string(s.deletes) + " deletes, " + std::to_string(s.rejects) + " rejects, " +
      std::to_string(s.warnings) + " warnings";
  out.endLine();
}

// The threads that read rows: one per core (the output does not depend on
// it), or PASSERELLE_CHECK_THREADS (1: sequential), for benchmarks and tests.
std::size_t rowThreads(const connectors::Host& host) {
  if (auto v = host.variable("PASSERELLE_CHECK_THREADS")) {
    try {
      const unsigned long n = std::stoul(*v);
      if (n >= 1 && n <= 64) return n;
    } catch (const std::exception&) {
    }
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

int runCheck(const CheckOptions& opts, const connectors::Host& host) {
  auto dialect = formats::DialectRegistry::instance().create(opts.format);
  if (!dialect) {
    std::string known;
    for (const auto& n : formats::DialectRegistry::instance().names())
      known += (known.empty() ? "" : ", ") + n;
    std::fprintf(stderr, "passerelle check: unknown format \"%s\" (known: %s)\n",
                 opts.format.c_str(), known.c_str());
    return kExitUsage;
  }
  formats::ReadOptions read_options;
  read_options.partner = opts.partner;
  read_options.row_threads = rowThreads(host);
  if (!opts.config.empty()) {
    // Only with --config: what the partner's configuration adds to the file
    // (Sigma's partner code). Without it, check depends on the file alone.
    Config config;
    try {
      config = loadConfig(opts.config, formats::DialectRegistry::instance().names(), host);
    } catch (const ConfigError& e) {
      for (const auto& problem : e.problems()) std::fprintf(stderr, "%s\n", problem.c_str());
      return kExitFailure;
    }
    const PartnerConfig* partner = nullptr;
    for (const auto& p : config.partners)
      if (p.id == opts.partner) partner = &p;
    if (partner == nullptr) {
      std::fprintf(stderr, "passerelle check: partner \"%s\" is not in %s\n", opts.partner.c_str(),
                   opts.config.c_str());
      return kExitUsage;
    }
    read_options.expected_partner_code = partner->sigma_code;
  }
  formats::OfferFileReader reader(*dialect, read_options);

  Output out;
  ReadSummary summary;
  try {
    if (opts.summary_only) {
      // One pass is enough: only the summary is printed, after the whole file.
      formats::FileByteSource source(opts.file);
      if (!source.isRegularFile())
        throw std::system_error(EINVAL, std::generic_category(),
                                opts.file + " is not a regular file");
      OfferSink none;
      summary = reader.readOnePass(source, none);
    } else if (opts.json) {
      JsonLinesSink sink(out);
      summary = reader.readFile(opts.file, sink);
    } else {
      ReadableSink sink(out);
      summary = reader.readFile(opts.file, sink);
    }
  } catch (const std::system_error& e) {
    out.flush();
    std::fprintf(stderr, "passerelle check: %s\n", e.what());
    return kExitFailure;
  }
  printSummary(opts, summary, out);
  if (summary.file_error) return kExitFailure;
  return summary.rejects > 0 ? kExitRejects : kExitOk;
}

}  // namespace

void addCheckCommand(CLI::App& app, ExitStatus& status, const connectors::Host& host) {
  auto opts = std::make_shared<CheckOptions>();
  CLI::App* cmd =
      app.add_subcommand("check", "Parse and validate one export file (no store needed)");
  cmd->add_option("--format", opts->format, "Dialect of the file: ymag, gil, sigma")->required();
  cmd->add_option("--partner", opts->partner, "Partner the file belongs to (\"-\" if not given)");
  cmd->add_option("--config", opts->config, "Configuration file (only read when given)");
  auto* json = cmd->add_flag("--json", opts->json, "One JSON object per line (offer.md)");
  auto* summary = cmd->add_flag("--summary", opts->summary_only, "Only the JSON summary line");
  json->excludes(summary);
  cmd->add_option("FILE", opts->file, "The file to check")->required();
  cmd->callback([opts, &status, &host] { status.code = runCheck(*opts, host); });
}

}  // namespace passerelle::daemon
