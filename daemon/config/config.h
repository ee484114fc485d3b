// Config: the daemon's configuration (operations.md "Configuration",
// drop-folders.md), read from a TOML file into plain structs.
//
// The loader is strict on purpose: an unknown key, a wrong type, a missing
// required value or an inconsistent combination (ftps:// with explicit TLS,
// duplicate partner ids...) is refused with ConfigError, whose message names
// the file, the line and the key, one problem per line. A typo must never
// silently fall back to a default: a misspelt `max_withdraw_ratio` would
// disable snapshot safety without anyone noticing.
//
// Secrets are never part of Config: it only holds the names of the files that
// contain them; readSecret() (secrets.h) reads one when it is needed, and no
// message of this module ever contains a secret's content.
//
// Relative paths in the file (password_file, api_key_file, ca_file, state_dir,
// spool_dir) are resolved against the configuration file's directory, so that
// the meaning of a file does not depend on the daemon's working directory.
//
// Values that belong to a lower layer are held in that layer's types (the
// drop folder's DropTls, the dialect's Completion, lba's ApplyDefaults), and
// what a format implies (its default pattern and completion) is read from
// its dialect: the configuration converts nothing and knows no format by
// name.
//
// What comes from the process (environment variables, the user id) is asked
// of the Host passed in (connectors/host/host.h), never of the process.
//
// Thread safety: the functions are reentrant and the structs are plain values;
// a Config is built once (or on SIGHUP, into a new value) and then only read,
// so it may be shared between threads as const.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "connectors/drop/drop_folder.h"
#include "connectors/host/host.h"
#include "connectors/lba/lba_offer.h"
#include "formats/dialect.h"
namespace passerelle::connectors {
class Host;
}

namespace passerelle::daemon {

// Every error of the configuration. what() holds one line per problem, each
// `FILE:LINE: KEY: message` (the line is omitted when unknown).
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

using Duration = std::chrono::milliseconds;

struct StoreConfig {
  // "embedded" (a private PostgreSQL under state_dir, embedded_postgres.h) or
  // a libpq connection URI.
  std::string url = "embedded";
  // The password of a postgresql:// URL's user, read as a secret (secrets.h);
  // empty: none (peer or trust authentication, ~/.pgpass).
  std::string password_file;
};

enum class LogFormat { kText, kJson };

struct DaemonConfig {
  std::string state_dir;  // filled by defaultConfig() when not configured
  std::string spool_dir;  // default: state_dir + "/spool"
  Duration poll_interval = std::chrono::seconds(60);
  std::string http = "127.0.0.1:9464";  // /healthz and /metrics
  LogFormat log_format = LogFormat::kText;
  // libcurl's protocol trace of every client (FTPS, lba, France Travail) on
  // standard error, secrets hidden (connectors/http/curl_trace.h).
  bool protocol_trace = false;
};

// daemon.protocol_trace, or its alias: PASSERELLE_CURL_VERBOSE set.
inline bool protocolTrace(const DaemonConfig& daemon, const connectors::Host& host) {
  return daemon.protocol_trace || host.variable("PASSERELLE_CURL_VERBOSE").has_value();
}

struct ImportConfig {
  double max_withdraw_ratio = 0.5;
  std::int64_t max_withdraw_count = 10;
};

enum class AfterImport { kMove, kDelete, kKeep };

struct PartnerConfig {
  std::string id;      // required, [a-z0-9_-]+
  std::string name;    // default: id
  std::string format;  // required, one of the loader's known formats
  // Drop folder: ftps://, ftp:// or file:// (drop-folders.md "Locations").
  std::string url;
  // Default from the scheme: ftps -> implicit, ftp -> explicit (plain FTP only
  // when asked for with "none"), file -> none.
  connectors::DropTls tls = connectors::DropTls::kExplicit;
  std::string user;
  std::string password_file;  // empty: no password (anonymous or file://)
  std::string ca_file;
  std::string pinned_pubkey;  // curl syntax: "sha256//BASE64"
  bool tls_verify = true;
  bool fresh_tls_session = false;  // no TLS session reuse on data connections
  // loadConfig() fills both, from the partner's keys or else from its
  // format's dialect (DialectSpec::default_pattern, ::completion); left unset
  // (a partner built in code), the drop-folder selection asks the dialect.
  std::optional<std::string> pattern;
  std::optional<formats::Completion> completion;
  Duration stable_for = std::chrono::seconds(30);
  std::uint64_t max_file_size = 200ull * 1024 * 1024;
  int max_files_per_poll = 50;
  AfterImport after = AfterImport::kMove;
  std::optional<std::string> sigma_code;
  // Overrides of ImportConfig and DaemonConfig::poll_interval.
  std::optional<double> max_withdraw_ratio;
  std::optional<std::int64_t> max_withdraw_count;
  std::optional<Duration> poll_interval;
  // Applied to the partner's offers when their contact has no way to apply.
  connectors::ApplyDefaults apply_defaults;
  int line = 0;  // line of its [[partner]] header, for later messages
};

struct LbaConfig {
  bool enabled = false;
  std::string url = "https://api.apprentissage.beta.gouv.fr/api";
  std::string api_key_file;  // required when enabled
  int write_per_minute = 30;
  int read_per_minute = 120;
  int rolling_expiration_days = 60;
  int max_attempts = 10;
};

enum class FranceTravailMode { kUpload, kSpool };

struct TimeOfDay {
  int hour = 0;
  int minute = 0;
  bool operator==(const TimeOfDay&) const = default;
};

struct FranceTravailConfig {
  bool enabled = false;
  FranceTravailMode mode = FranceTravailMode::kUpload;
  std::string url;            // required when enabled in upload mode
  std::string login;          // required when enabled in upload mode
  std::string password_file;  // required when enabled in upload mode
  std::string feed;
  std::string partner_key;  // required when enabled
  std::string partner_name;
  std::string url_template;
  std::string siret;
  bool zip = false;                             // send the file inside a .zip
  std::vector<TimeOfDay> schedule = {{5, 30}};  // Europe/Paris local times
  std::string spool_dir;                        // default: daemon.spool_dir + "/france-travail"
  int archive_days = 30;
};

// The partners' dashboard (dashboard.md): who may log in. A partner
// account sees only `partner`'s data; an operator account sees every
// partner and decides on quarantined files.
enum class DashboardRole { kPartner, kOperator };

struct DashboardAccount {
  std::string login;  // required, unique
  DashboardRole role = DashboardRole::kPartner;
  std::string partner;             // required for a partner account, a configured partner id
  std::string password_hash_file;  // a secret (secrets.h) holding `dashboard hash-password`'s line
  int line = 0;
};

struct DashboardConfig {
  std::string listen;     // "host:port"; empty: no dashboard (the default)
  std::string base_path;  // "" or "/portail/tableau": where the reverse proxy mounts it
  std::vector<DashboardAccount> accounts;
  const DashboardAccount* findAccount(const std::string& login) const;
};

struct Config {
  StoreConfig store;
  DaemonConfig daemon;
  ImportConfig import;
  std::vector<PartnerConfig> partners;
  LbaConfig lba;
  FranceTravailConfig france_travail;
  DashboardConfig dashboard;
  std::string source_path;  // the file read; empty for defaultConfig()
  // Every value the file sets, by its place ("daemon.log_format",
  // "partner cfa-a.url", "destination.lba.enabled") and printed as TOML:
  // what changedSettings() compares on a reload.
  std::map<std::string, std::string> settings;

  const PartnerConfig* findPartner(const std::string& id) const;
  // The partner's overrides applied on the global values.
  double maxWithdrawRatio(const PartnerConfig& p) const;
  std::int64_t maxWithdrawCount(const PartnerConfig& p) const;
  Duration pollInterval(const PartnerConfig& p) const;
};

inline constexpr const char* kDefaultConfigPath = "/etc/passerelle/passerelle.toml";

// Where the configuration comes from: `--config` > $PASSERELLE_CONFIG >
// kDefaultConfigPath. Only the last one may be missing (then the defaults
// apply): a file someone named explicitly and that is not there is an error.
struct ConfigPath {
  std::string path;
  bool is_default = false;
};
ConfigPath resolveConfigPath(const std::optional<std::string>& cli_path,
                             const connectors::Host& host);

// The configuration with no file: embedded store, state_dir
// /var/lib/passerelle when root and writable, else
// $XDG_STATE_HOME/passerelle or ~/.local/state/passerelle; no partner, no
// destination.
Config defaultConfig(const connectors::Host& host);

// Reads and validates `path`. `known_formats` lists the formats a partner may
// name (normally formats::DialectRegistry::instance().names(); a test may
// narrow it); a format's defaults are read from its registered dialect.
// `host` gives the defaults (defaultConfig()). Throws ConfigError.
Config loadConfig(const std::string& path, const std::vector<std::string>& known_formats,
                  const connectors::Host& host);
// Same, but a missing default file gives defaultConfig().
Config loadConfig(const ConfigPath& where, const std::vector<std::string>& known_formats,
                  const connectors::Host& host);

// Parsers of the values, exposed for the command line and the tests.
// "500ms", "60s", "5m", "1h", "1d" and sums such as "1h30m".
std::optional<Duration> parseDuration(const std::string& text);
// "200MiB", "10MB", "512KiB", "1GB", "1000B" or a number of bytes.
std::optional<std::uint64_t> parseSize(const std::string& text);

// What would fail at run time although the file is valid: secret files
// missing, unreadable or too open, CA files missing. One message per problem,
// `KEY: message`; never a secret. Secrets are read through `host`.
std::vector<std::string> checkConfig(const Config& config, const connectors::Host& host);

// Every secret file the configuration names, with its key
// ("partner[0] (cfa-a).password_file", "store.password_file"...).
std::vector<std::pair<std::string, std::string>> secretFiles(const Config& config);

// The account the packaged units run the daemon as.
inline constexpr const char* kServiceUser = "passerelle";

// Run as root (`config check` by an operator): the secrets `service_user`
// could not read, each with what to do. Empty when not root or when that
// account does not exist.
std::vector<std::string> serviceUserWarnings(const Config& config, const connectors::Host& host,
                                             const std::string& service_user = kServiceUser);

// Settings that are valid but deserve a warning at every start (plain FTP,
// certificate verification off, no partner).
std::vector<std::string> configWarnings(const Config& config);

// What a reload changes, for its log line: the places whose value differs
// (added, removed or modified; a partner by its id), in order. Values are not
// given (they are no secrets, but a log line is no place for a whole file).
struct ConfigChanges {
  std::vector<std::string> applied;         // take effect at once
  std::vector<std::string> restart_needed;  // store, state and spool dirs, http
};
ConfigChanges changedSettings(const Config& before, const Config& after);

const char* toString(AfterImport after);
const char* toString(FranceTravailMode mode);
const char* toString(LogFormat format);
const char* toString(DashboardRole role);

}  // namespace passerelle::daemon
