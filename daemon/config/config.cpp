// Config: reading and validating the TOML configuration (config.h).
#include "daemon/config/config.h"

#include <unistd.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "connectors/host/host.h"
#include "daemon/config/secrets.h"
#include "formats/dialect_registry.h"

namespace passerelle::daemon {
namespace {

namespace fs = std::filesystem;

std::string joinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

std::string quote(std::string_view text) {
  // Values are quoted in messages so that blanks and empty strings show; the
  // control characters are escaped so that a message stays one line.
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

const char* typeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

std::string absoluteFrom(const fs::path& base_dir, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute() || base_dir.empty()) return path;
  return (base_dir / path).lexically_normal().string();
}

// The kind of a drop folder's URL; it decides the default TLS mode.
enum class DropScheme { kUnknown, kFtps, kFtp, kFile };

DropScheme dropSchemeOf(const std::string& url) {
  auto host_follows = [&](std::string_view scheme) {
    return url.rfind(scheme, 0) == 0 && url.substr(scheme.size()).find_first_not_of('/') == 0;
  };
  if (host_follows("ftps://")) return DropScheme::kFtps;
  if (host_follows("ftp://")) return DropScheme::kFtp;
  if (url.rfind("file:///", 0) == 0) return DropScheme::kFile;
  return DropScheme::kUnknown;
}

// The configuration's word for a TLS mode (the `tls` key's values).
const char* tlsName(connectors::DropTls tls) {
  switch (tls) {
    case connectors::DropTls::kImplicit:
      return "implicit";
    case connectors::DropTls::kExplicit:
      return "explicit";
    case connectors::DropTls::kNone:
      return "none";
  }
  return "?";
}

// The user information of a URL ("user:secret" in scheme://user:secret@host/),
// empty when there is none. Only the authority is looked at: an '@' in the
// path or the query is not a credential.
std::string_view userinfoOf(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const auto at = authority.rfind('@');
  return at == std::string_view::npos ? std::string_view{} : authority.substr(0, at);
}

// A password in a libpq URI: in its user information or as a query
// parameter (postgresql://host/db?password=...).
bool urlHasPassword(std::string_view url) {
  if (userinfoOf(url).find(':') != std::string_view::npos) return true;
  const auto query = url.find('?');
  if (query == std::string_view::npos) return false;
  const std::string_view params = url.substr(query);
  return params.find("?password=") != std::string_view::npos ||
         params.find("&password=") != std::string_view::npos;
}

// Walks the parsed document, collecting every problem with its place, so that
// an operator fixes all of them in one go rather than one per restart.
class Reader {
 public:
  Reader(std::string file, std::vector<std::string> known_formats)
      : file_(std::move(file)), known_formats_(std::move(known_formats)) {
    base_dir_ = fs::path(file_).parent_path();
    if (!base_dir_.empty()) base_dir_ = fs::absolute(base_dir_);
  }

  // `defaults`: defaultConfig()'s, which the file's values override.
  Config read(const toml::table& root, Config defaults);
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  using Allowed = std::initializer_list<std::string_view>;

  void error(const toml::node* node, const std::string& key, const std::string& message) {
    unsigned line = node ? node->source().begin.line : 0;
    errorAt(line, key, message);
  }
  void errorAt(unsigned line, const std::string& key, const std::string& message) {
    std::string out = file_;
    if (line > 0) out += ":" + std::to_string(line);
    out += ": ";
    if (!key.empty()) out += key + ": ";
    errors_.push_back(out + message);
  }

  static std::string path(const std::string& prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
  }

  void checkKeys(const toml::table& table, const std::string& prefix, Allowed allowed) {
    for (auto&& [key, node] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      std::vector<std::string> names(allowed.begin(), allowed.end());
      unsigned line = key.source().begin.line ? key.source().begin.line : node.source().begin.line;
      errorAt(line, path(prefix, key.str()),
              "unknown key (expected one of " + join(names, ", ") + ")");
    }
  }

  const toml::table* subTable(const toml::table& parent, const std::string& prefix,
                              std::string_view key) {
    const toml::node* node = parent.get(key);
    if (!node) return nullptr;
    if (!node->is_table()) {
      error(node, path(prefix, key), std::string("expected a table, got ") + typeName(*node));
      return nullptr;
    }
    return node->as_table();
  }

  void missing(const toml::table& table, const std::string& key) {
    error(&table, key, "missing required value");
  }

  bool getString(const toml::table& t, const std::string& prefix, std::string_view key,
                 std::string& out, bool required = false) {
    const toml::node* node = t.get(key);
    if (!node) {
      if (required) missing(t, path(prefix, key));
      return false;
    }
    if (!node->is_string()) {
      error(node, path(prefix, key), std::string("expected a string, got ") + typeName(*node));
      return false;
    }
    out = node->as_string()->get();
    if (required && out.empty()) {
      error(node, path(prefix, key), "must not be empty");
      return false;
    }
    return true;
  }

  void getOptString(const toml::table& t, const std::string& prefix, std::string_view key,
                    std::optional<std::string>& out) {
    std::string value;
    if (getString(t, prefix, key, value)) out = value;
  }

  void getPath(const toml::table& t, const std::string& prefix, std::string_view key,
               std::string& out, bool required = false) {
    if (getString(t, prefix, key, out, required)) out = absoluteFrom(base_dir_, out);
  }

  void getBool(const toml::table& t, const std::string& prefix, std::string_view key, bool& out) {
    const toml::node* node = t.get(key);
    if (!node) return;
    if (!node->is_boolean()) {
      error(node, path(prefix, key), std::string("expected a boolean, got ") + typeName(*node));
      return;
    }
    out = node->as_boolean()->get();
  }

  template <typename Int>
  bool getInt(const toml::table& t, const std::string& prefix, std::string_view key, Int& out,
              std::int64_t min, std::int64_t max) {
    const toml::node* node = t.get(key);
    if (!node) return false;
    if (!node->is_integer()) {
      error(node, path(prefix, key), std::string("expected an integer, got ") + typeName(*node));
      return false;
    }
    std::int64_t value = node->as_integer()->get();
    if (value < min || value > max) {
      error(node, path(prefix, key),
            "out of range: " + std::to_string(value) + " (expected " + std::to_string(min) +
                " to " + std::to_string(max) + ")");
      return false;
    }
    out = static_cast<Int>(value);
    return true;
  }

  bool getRatio(const toml::table& t, const std::string& prefix, std::string_view key,
                double& out) {
    const toml::node* node = t.get(key);
    if (!node) return false;
    double value;
    if (node->is_floating_point()) {
      value = node->as_floating_point()->get();
    } else if (node->is_integer()) {
      value = static_cast<double>(node->as_integer()->get());
    } else {
      error(node, path(prefix, key), std::string("expected a number, got ") + typeName(*node));
      return false;
    }
    if (!(value >= 0.0 && value <= 1.0)) {
      error(node, path(prefix, key), "out of range (expected a ratio from 0 to 1)");
      return false;
    }
    out = value;
    return true;
  }

  bool getDuration(const toml::table& t, const std::string& prefix, std::string_view key,
                   Duration& out) {
    const toml::node* node = t.get(key);
    if (!node) return false;
    // An integer is refused rather than guessed: "60" could mean seconds or
    // milliseconds, and the mistake would go unnoticed.
    if (!node->is_string()) {
      error(node, path(prefix, key),
            std::string("expected a duration string such as \"60s\", got ") + typeName(*node));
      return false;
    }
    auto value = parseDuration(node->as_string()->get());
    if (!value || value->count() <= 0) {
      error(node, path(prefix, key),
            "invalid duration " + quote(node->as_string()->get()) +
                " (expected e.g. \"500ms\", \"60s\", \"5m\", \"1h\")");
      return false;
    }
    out = *value;
    return true;
  }

  void getSize(const toml::table& t, const std::string& prefix, std::string_view key,
               std::uint64_t& out) {
    const toml::node* node = t.get(key);
    if (!node) return;
    std::optional<std::uint64_t> value;
    if (node->is_integer()) {
      if (node->as_integer()->get() > 0) value = node->as_integer()->get();
    } else if (node->is_string()) {
      value = parseSize(node->as_string()->get());
    } else {
      error(node, path(prefix, key),
            std::string("expected a size such as \"200MiB\", got ") + typeName(*node));
      return;
    }
    if (!value || *value == 0) {
      error(node, path(prefix, key), "invalid size (expected e.g. \"200MiB\", \"10MB\" or bytes)");
      return;
    }
    out = *value;
  }

  // True when a valid value was read into `out`.
  template <typename Enum>
  bool getEnum(const toml::table& t, const std::string& prefix, std::string_view key, Enum& out,
               std::initializer_list<std::pair<const char*, Enum>> choices) {
    std::string text;
    if (!getString(t, prefix, key, text)) return false;
    std::vector<std::string> names;
    for (const auto& [name, value] : choices) {
      if (text == name) {
        out = value;
        return true;
      }
      names.emplace_back(name);
    }
    error(t.get(key), path(prefix, key),
          "unknown value " + quote(text) + " (expected " + join(names, ", ") + ")");
    return false;
  }

  void readStore(const toml::table& root, Config& config);
  void readDaemon(const toml::table& root, Config& config);
  void readImport(const toml::table& root, Config& config);
  void readPartners(const toml::table& root, Config& config);
  void readPartner(const toml::table& t, const std::string& prefix, PartnerConfig& p);
  void readPartnerIdentity(const toml::table& t, const std::string& p, PartnerConfig& partner);
  void readDropFolder(const toml::table& t, const std::string& p, PartnerConfig& partner);
  void readDropFolderTls(const toml::table& t, const std::string& p, DropScheme scheme,
                         PartnerConfig& partner);
  void readFileSelection(const toml::table& t, const std::string& p, PartnerConfig& partner);
  void readPartnerOverrides(const toml::table& t, const std::string& p, PartnerConfig& partner);
  void readDestinations(const toml::table& root, Config& config);
  void readDashboard(const toml::table& root, Config& config);
  void readDashboardAccount(const toml::table& t, const std::string& p, const Config& config,
                            DashboardAccount& account);
  void checkListenAddress(const toml::table& t, const std::string& p, std::string_view key,
                          const std::string& address);
  void readLba(const toml::table& t, LbaConfig& lba);
  void readFranceTravail(const toml::table& t, const std::string& p, FranceTravailConfig& ft);
  void refuseUrlCredentials(const toml::table& t, const std::string& key, const std::string& url,
                            const std::string& secret_key);

  std::string file_;
  fs::path base_dir_;
  std::vector<std::string> known_formats_;
  std::vector<std::string> errors_;
};

Config Reader::read(const toml::table& root, Config defaults) {
  Config config = std::move(defaults);
  config.daemon.spool_dir.clear();
  config.france_travail.spool_dir.clear();
  config.source_path = file_;
  checkKeys(root, "", {"store", "daemon", "import", "partner", "destination", "dashboard"});
  readStore(root, config);
  readDaemon(root, config);
  readImport(root, config);
  readPartners(root, config);
  readDestinations(root, config);
  readDashboard(root, config);
  if (config.daemon.spool_dir.empty()) config.daemon.spool_dir = config.daemon.state_dir + "/spool";
  if (config.france_travail.spool_dir.empty()) {
    config.france_travail.spool_dir = config.daemon.spool_dir + "/france-travail";
  }
  return config;
}

void Reader::readStore(const toml::table& root, Config& config) {
  const toml::table* t = subTable(root, "", "store");
  if (!t) return;
  checkKeys(*t, "store", {"url", "password_file"});
  getPath(*t, "store", "password_file", config.store.password_file);
  getString(*t, "store", "url", config.store.url);
  const std::string& url = config.store.url;
  if (url == "embedded") {
    if (!config.store.password_file.empty()) {
      error(t->get("password_file"), "store.password_file",
            "the embedded store needs no password (it is reached over its own unix socket)");
    }
  } else if (url.rfind("postgresql://", 0) != 0 && url.rfind("postgresql://", 0) != 0 &&
             url.rfind("postgres://", 0) != 0) {
    error(t->get("url"), "store.url",
          "expected \"embedded\" or a postgresql:// URI (the password belongs in the file "
          "named by store.password_file, not here)");
  } else if (urlHasPassword(url)) {
    error(t->get("url"), "store.url",
          "must not contain a password (name a secret file with store.password_file instead)");
  }
}

void Reader::readDaemon(const toml::table& root, Config& config) {
  const toml::table* t = subTable(root, "", "daemon");
  if (!t) return;
  const std::string p = "daemon";
  checkKeys(*t, p,
            {"state_dir", "spool_dir", "poll_interval", "http", "log_format", "protocol_trace"});
  DaemonConfig& d = config.daemon;
  getBool(*t, p, "protocol_trace", d.protocol_trace);
  getPath(*t, p, "state_dir", d.state_dir);
  getPath(*t, p, "spool_dir", d.spool_dir);
  getDuration(*t, p, "poll_interval", d.poll_interval);
  if (getString(*t, p, "http", d.http)) checkListenAddress(*t, p, "http", d.http);
  getEnum(*t, p, "log_format", d.log_format,
          {{"text", LogFormat::kText}, {"json", LogFormat::kJson}});
}

// host:port, [v6]:port; "" disables the listener.
void Reader::checkListenAddress(const toml::table& t, const std::string& p, std::string_view key,
                                const std::string& address) {
  auto colon = address.rfind(':');
  bool ok = address.empty();
  if (colon != std::string::npos && colon > 0 && colon + 1 < address.size()) {
    const std::string port = address.substr(colon + 1);
    ok = port.find_first_not_of("0123456789") == std::string::npos && port.size() <= 5 &&
         std::stoi(port) > 0 && std::stoi(port) < 65536;
  }
  if (!ok) {
    error(t.get(key), path(p, key),
          "invalid address " + quote(address) + " (expected host:port, e.g. \"127.0.0.1:9464\")");
  }
}

void Reader::readDashboard(const toml::table& root, Config& config) {
  const toml::table* t = subTable(root, "", "dashboard");
  if (!t) return;
  const std::string p = "dashboard";
  checkKeys(*t, p, {"listen", "base_path", "account"});
  DashboardConfig& d = config.dashboard;
  if (getString(*t, p, "listen", d.listen)) checkListenAddress(*t, p, "listen", d.listen);
  if (getString(*t, p, "base_path", d.base_path)) {
    const bool ok =
        d.base_path.empty() || (d.base_path.front() == '/' && d.base_path.back() != '/' &&
                                d.base_path.find_first_of("?#\"' <>") == std::string::npos);
    if (!ok) {
      error(t->get("base_path"), p + ".base_path",
            "invalid path " + quote(d.base_path) +
                " (expected \"\" or a path such as \"/tableau\", without a trailing /)");
    }
  }
  const toml::node* node = t->get("account");
  if (!node) return;
  if (!node->is_array_of_tables()) {
    error(node, p + ".account", "expected [[dashboard.account]] tables");
    return;
  }
  const toml::array& array = *node->as_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string prefix = "dashboard.account[" + std::to_string(i) + "]";
    DashboardAccount account;
    readDashboardAccount(*array[i].as_table(), prefix, config, account);
    if (!account.login.empty() && d.findAccount(account.login)) {
      error(array[i].as_table()->get("login"), prefix + ".login",
            "duplicate login " + quote(account.login));
    }
    d.accounts.push_back(std::move(account));
  }
}

void Reader::readDashboardAccount(const toml::table& t, const std::string& p, const Config& config,
                                  DashboardAccount& account) {
  checkKeys(t, p, {"login", "partner", "role", "password_hash_file"});
  account.line = static_cast<int>(t.source().begin.line);
  getString(t, p, "login", account.login, true);
  getEnum(t, p, "role", account.role,
          {{"partner", DashboardRole::kPartner}, {"operator", DashboardRole::kOperator}});
  getString(t, p, "partner", account.partner);
  getPath(t, p, "password_hash_file", account.password_hash_file, true);
  if (account.role == DashboardRole::kOperator && !account.partner.empty()) {
    error(t.get("partner"), p + ".partner", "an operator account sees every partner: no partner");
  } else if (account.role == DashboardRole::kPartner && account.partner.empty()) {
    missing(t, p + ".partner");
  } else if (account.role == DashboardRole::kPartner && !config.findPartner(account.partner)) {
    error(t.get("partner"), p + ".partner", "unknown partner " + quote(account.partner));
  }
}

void Reader::readImport(const toml::table& root, Config& config) {
  const toml::table* t = subTable(root, "", "import");
  if (!t) return;
  checkKeys(*t, "import", {"max_withdraw_ratio", "max_withdraw_count"});
  getRatio(*t, "import", "max_withdraw_ratio", config.import.max_withdraw_ratio);
  getInt(*t, "import", "max_withdraw_count", config.import.max_withdraw_count, 0,
         std::numeric_limits<std::int32_t>::max());
}

void Reader::readPartners(const toml::table& root, Config& config) {
  const toml::node* node = root.get("partner");
  if (!node) return;
  if (!node->is_array_of_tables()) {
    error(node, "partner", std::string("expected [[partner]] tables, got ") + typeName(*node));
    return;
  }
  const toml::array& array = *node->as_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string prefix = "partner[" + std::to_string(i) + "]";
    PartnerConfig partner;
    readPartner(*array[i].as_table(), prefix, partner);
    for (std::size_t j = 0; j < config.partners.size(); ++j) {
      if (!partner.id.empty() && config.partners[j].id == partner.id) {
        error(array[i].as_table()->get("id"), prefix + ".id",
              "duplicate partner id " + quote(partner.id) + " (already used by partner[" +
                  std::to_string(j) + "], line " + std::to_string(config.partners[j].line) + ")");
      }
    }
    config.partners.push_back(std::move(partner));
  }
}

void Reader::readPartner(const toml::table& t, const std::string& p, PartnerConfig& partner) {
  checkKeys(t, p,
            {"id",
             "name",
             "format",
             "url",
             "tls",
             "user",
             "password_file",
             "ca_file",
             "pinned_pubkey",
             "tls_verify",
             "fresh_tls_session",
             "pattern",
             "completion",
             "stable_for",
             "max_file_size",
             "max_files_per_poll",
             "after",
             "sigma_code",
             "max_withdraw_ratio",
             "max_withdraw_count",
             "poll_interval",
             "apply_defaults"});
  partner.line = static_cast<int>(t.source().begin.line);
  readPartnerIdentity(t, p, partner);
  readDropFolder(t, p, partner);
  readFileSelection(t, p, partner);
  readPartnerOverrides(t, p, partner);
}

// id, name and format.
void Reader::readPartnerIdentity(const toml::table& t, const std::string& p,
                                 PartnerConfig& partner) {
  if (getString(t, p, "id", partner.id, true)) {
    bool ok =
        partner.id.size() <= 64 &&
        partner.id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
    if (!ok) {
      error(t.get("id"), p + ".id",
            "invalid partner id " + quote(partner.id) +
                " (expected 1 to 64 of a-z, 0-9, '-' and '_': it names files and metrics)");
    }
  }
  partner.name = partner.id;
  getString(t, p, "name", partner.name);

  if (getString(t, p, "format", partner.format, true)) {
    if (std::find(known_formats_.begin(), known_formats_.end(), partner.format) ==
        known_formats_.end()) {
      error(t.get("format"), p + ".format",
            "unknown format " + quote(partner.format) + " (expected " + join(known_formats_, ", ") +
                ")");
    }
  }
}

// Where the drop folder is and how to log in: url, tls, user, secrets, TLS checks.
void Reader::readDropFolder(const toml::table& t, const std::string& p, PartnerConfig& partner) {
  DropScheme scheme = DropScheme::kUnknown;
  if (getString(t, p, "url", partner.url, true)) {
    scheme = dropSchemeOf(partner.url);
    if (scheme == DropScheme::kUnknown) {
      error(t.get("url"), p + ".url",
            "invalid drop folder URL " + quote(partner.url) +
                " (expected ftps://host/path/, ftp://host/path/ or file:///path/)");
    } else if (partner.url.find('@') != std::string::npos && scheme != DropScheme::kFile) {
      // Credentials in the URL would end up in logs; they have their keys.
      error(t.get("url"), p + ".url",
            "must not contain user or password (use user and password_file)");
    }
  }
  readDropFolderTls(t, p, scheme, partner);
  getString(t, p, "user", partner.user);
  getPath(t, p, "password_file", partner.password_file);
  getPath(t, p, "ca_file", partner.ca_file);
  if (getString(t, p, "pinned_pubkey", partner.pinned_pubkey) &&
      partner.pinned_pubkey.rfind("sha256//", 0) != 0) {
    error(t.get("pinned_pubkey"), p + ".pinned_pubkey",
          "expected \"sha256//\" followed by the base64 SHA-256 of the public key");
  }
  getBool(t, p, "tls_verify", partner.tls_verify);
  getBool(t, p, "fresh_tls_session", partner.fresh_tls_session);
}

// The URL decides the default TLS mode; an explicit tls must agree with it.
void Reader::readDropFolderTls(const toml::table& t, const std::string& p, DropScheme scheme,
                               PartnerConfig& partner) {
  using connectors::DropTls;
  partner.tls = scheme == DropScheme::kFtps  ? DropTls::kImplicit
                : scheme == DropScheme::kFtp ? DropTls::kExplicit
                                             : DropTls::kNone;
  if (!t.get("tls")) return;
  DropTls tls = partner.tls;
  getEnum(t, p, "tls", tls,
          {{"implicit", DropTls::kImplicit},
           {"explicit", DropTls::kExplicit},
           {"none", DropTls::kNone}});
  bool consistent = scheme == DropScheme::kUnknown ||
                    (scheme == DropScheme::kFtps && tls == DropTls::kImplicit) ||
                    (scheme == DropScheme::kFtp && tls != DropTls::kImplicit) ||
                    (scheme == DropScheme::kFile && tls == DropTls::kNone);
  if (!consistent) {
    error(t.get("tls"), p + ".tls",
          std::string("tls = \"") + tlsName(tls) + "\" does not fit the URL (ftps:// is " +
              "implicit TLS, ftp:// explicit or none, file:// none)");
  }
  partner.tls = tls;
}

// Which files are taken and what becomes of them; pattern and completion
// default to the format's (its dialect's DialectSpec).
void Reader::readFileSelection(const toml::table& t, const std::string& p, PartnerConfig& partner) {
  if (auto dialect = formats::DialectRegistry::instance().create(partner.format)) {
    partner.pattern = dialect->spec().default_pattern;
    partner.completion = dialect->spec().completion;
  }
  std::string pattern;
  if (getString(t, p, "pattern", pattern)) {
    if (pattern.empty() || pattern.find('/') != std::string::npos) {
      error(t.get("pattern"), p + ".pattern", "must be a non-empty file name pattern, without '/'");
    }
    partner.pattern = pattern;
  }
  formats::Completion completion{};
  if (getEnum(
          t, p, "completion", completion,
          {{"stable", formats::Completion::kStable}, {"marker", formats::Completion::kMarker}})) {
    partner.completion = completion;
  }
  getDuration(t, p, "stable_for", partner.stable_for);
  getSize(t, p, "max_file_size", partner.max_file_size);
  getInt(t, p, "max_files_per_poll", partner.max_files_per_poll, 1, 100000);
  getEnum(t, p, "after", partner.after,
          {{"move", AfterImport::kMove},
           {"delete", AfterImport::kDelete},
           {"keep", AfterImport::kKeep}});
}

// The import's and the poll's per-partner settings, and the apply defaults.
void Reader::readPartnerOverrides(const toml::table& t, const std::string& p,
                                  PartnerConfig& partner) {
  getOptString(t, p, "sigma_code", partner.sigma_code);
  double ratio;
  if (getRatio(t, p, "max_withdraw_ratio", ratio)) partner.max_withdraw_ratio = ratio;
  std::int64_t count;
  if (getInt(t, p, "max_withdraw_count", count, 0, std::numeric_limits<std::int32_t>::max())) {
    partner.max_withdraw_count = count;
  }
  Duration interval;
  if (getDuration(t, p, "poll_interval", interval)) partner.poll_interval = interval;

  if (const toml::table* d = subTable(t, p, "apply_defaults")) {
    const std::string dp = p + ".apply_defaults";
    checkKeys(*d, dp, {"email", "phone", "url"});
    getOptString(*d, dp, "email", partner.apply_defaults.email);
    getOptString(*d, dp, "phone", partner.apply_defaults.phone);
    getOptString(*d, dp, "url", partner.apply_defaults.url);
  }
}

void Reader::readDestinations(const toml::table& root, Config& config) {
  const toml::table* t = subTable(root, "", "destination");
  if (!t) return;
  // [destination.france-travail] is the destination's name everywhere; the
  // first spelling, france_travail, is still read (not both at once).
  checkKeys(*t, "destination", {"lba", "france-travail", "france_travail"});
  if (const toml::table* lba = subTable(*t, "destination", "lba")) readLba(*lba, config.lba);
  const bool old_spelling = t->get("france_travail") != nullptr;
  if (old_spelling && t->get("france-travail")) {
    error(t->get("france_travail"), "destination.france_travail",
          "[destination.france-travail] is also given: keep only that one");
    return;
  }
  const char* ft_key = old_spelling ? "france_travail" : "france-travail";
  if (const toml::table* ft = subTable(*t, "destination", ft_key)) {
    readFranceTravail(*ft, std::string("destination.") + ft_key, config.france_travail);
  }
}

// Credentials in a destination's URL would end up in logs and archives; the
// secret has its own key.
void Reader::refuseUrlCredentials(const toml::table& t, const std::string& key,
                                  const std::string& url, const std::string& secret_key) {
  if (userinfoOf(url).empty()) return;
  error(t.get("url"), key,
        "must not contain a user or password (name a secret file with " + secret_key + " instead)");
}

void Reader::readLba(const toml::table& t, LbaConfig& lba) {
  const std::string p = "destination.lba";
  checkKeys(t, p,
            {"enabled", "url", "api_key_file", "write_per_minute", "read_per_minute",
             "rolling_expiration_days", "max_attempts"});
  // A [destination.lba] table means the operator wants it, unless disabled.
  lba.enabled = true;
  getBool(t, p, "enabled", lba.enabled);
  if (getString(t, p, "url", lba.url) && lba.url.rfind("https://", 0) != 0 &&
      lba.url.rfind("http://", 0) != 0) {
    error(t.get("url"), p + ".url", "expected an https:// URL");
  } else {
    refuseUrlCredentials(t, p + ".url", lba.url, p + ".api_key_file");
  }
  getPath(t, p, "api_key_file", lba.api_key_file, lba.enabled);
  getInt(t, p, "write_per_minute", lba.write_per_minute, 1, 100000);
  getInt(t, p, "read_per_minute", lba.read_per_minute, 1, 100000);
  getInt(t, p, "rolling_expiration_days", lba.rolling_expiration_days, 1, 3650);
  getInt(t, p, "max_attempts", lba.max_attempts, 1, 1000);
}

void Reader::readFranceTravail(const toml::table& t, const std::string& p,
                               FranceTravailConfig& ft) {
  checkKeys(
      t, p,
      {"enabled", "mode", "url", "login", "password_file", "feed", "partner_key", "partner_name",
       "url_template", "siret", "zip", "schedule", "spool_dir", "archive_days"});
  ft.enabled = true;
  getBool(t, p, "enabled", ft.enabled);
  getEnum(t, p, "mode", ft.mode,
          {{"upload", FranceTravailMode::kUpload}, {"spool", FranceTravailMode::kSpool}});
  const bool upload = ft.enabled && ft.mode == FranceTravailMode::kUpload;
  if (getString(t, p, "url", ft.url, upload) && !ft.url.empty() &&
      ft.url.rfind("https://", 0) != 0 && ft.url.rfind("http://", 0) != 0) {
    error(t.get("url"), p + ".url", "expected an https:// URL");
  } else {
    refuseUrlCredentials(t, p + ".url", ft.url, p + ".login and " + p + ".password_file");
  }
  getString(t, p, "login", ft.login, upload);
  getPath(t, p, "password_file", ft.password_file, upload);
  getString(t, p, "feed", ft.feed);
  getString(t, p, "partner_key", ft.partner_key, ft.enabled);
  getString(t, p, "partner_name", ft.partner_name);
  getString(t, p, "url_template", ft.url_template);
  if (getString(t, p, "siret", ft.siret) && !ft.siret.empty() &&
      (ft.siret.size() != 14 || ft.siret.find_first_not_of("0123456789") != std::string::npos)) {
    error(t.get("siret"), p + ".siret", "expected 14 digits");
  }
  getBool(t, p, "zip", ft.zip);
  getPath(t, p, "spool_dir", ft.spool_dir);
  getInt(t, p, "archive_days", ft.archive_days, 0, 3650);

  if (const toml::node* node = t.get("schedule")) {
    if (!node->is_array()) {
      error(node, p + ".schedule",
            std::string("expected an array of \"HH:MM\" strings, got ") + typeName(*node));
      return;
    }
    ft.schedule.clear();
    const toml::array& array = *node->as_array();
    for (std::size_t i = 0; i < array.size(); ++i) {
      const toml::node& item = array[i];
      const std::string key = p + ".schedule[" + std::to_string(i) + "]";
      TimeOfDay time;
      bool ok = false;
      if (item.is_time()) {
        time = {item.as_time()->get().hour, item.as_time()->get().minute};
        ok = true;
      } else if (item.is_string()) {
        const std::string& s = item.as_string()->get();
        ok = s.size() == 5 && s[2] == ':' && std::isdigit(static_cast<unsigned char>(s[0])) &&
             std::isdigit(static_cast<unsigned char>(s[1])) &&
             std::isdigit(static_cast<unsigned char>(s[3])) &&
             std::isdigit(static_cast<unsigned char>(s[4]));
        if (ok) {
          time = {(s[0] - '0') * 10 + (s[1] - '0'), (s[3] - '0') * 10 + (s[4] - '0')};
          ok = time.hour < 24 && time.minute < 60;
        }
      }
      if (!ok) {
        error(&item, key, "expected a time of day \"HH:MM\"");
        continue;
      }
      ft.schedule.push_back(time);
    }
    if (ft.enabled && ft.schedule.empty() && array.empty()) {
      error(node, p + ".schedule", "must list at least one time");
    }
  }
}

// Flattens the file's values into Config::settings: tables by their path,
// partners by their id (their order in the file does not matter).
void flattenSettings(const toml::table& table, const std::string& prefix,
                     std::map<std::string, std::string>& out) {
  for (auto&& [key, node] : table) {
    const std::string place =
        prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    if (const toml::table* sub = node.as_table()) {
      flattenSettings(*sub, place, out);
    } else if (place == "partner" && node.is_array_of_tables()) {
      const toml::array& partners = *node.as_array();
      for (std::size_t i = 0; i < partners.size(); ++i) {
        const toml::table& partner = *partners[i].as_table();
        const std::string id = partner["id"].value_or(std::to_string(i));
        flattenSettings(partner, "partner " + id, out);
      }
    } else {
      std::ostringstream text;
      node.visit([&text](const auto& value) { text << value; });
      out[place] = text.str();
    }
  }
}

std::string readFileOrThrow(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError({path + ": cannot read the configuration: " + std::strerror(errno)});
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool writableOrCreatable(const fs::path& dir) {
  std::error_code ec;
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    if (fs::exists(p, ec)) return ::access(p.c_str(), W_OK | X_OK) == 0;
    if (p == p.parent_path()) break;
  }
  return false;
}

}  // namespace

ConfigError::ConfigError(std::vector<std::string> problems)
    : std::runtime_error(joinLines(problems)), problems_(std::move(problems)) {}

const PartnerConfig* Config::findPartner(const std::string& id) const {
  for (const auto& p : partners) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

double Config::maxWithdrawRatio(const PartnerConfig& p) const {
  return p.max_withdraw_ratio.value_or(import.max_withdraw_ratio);
}
std::int64_t Config::maxWithdrawCount(const PartnerConfig& p) const {
  return p.max_withdraw_count.value_or(import.max_withdraw_count);
}
Duration Config::pollInterval(const PartnerConfig& p) const {
  return p.poll_interval.value_or(daemon.poll_interval);
}

std::optional<Duration> parseDuration(const std::string& text) {
  // A sum of <integer><unit> terms; no sign, no blanks, no fractions, so that
  // what is written is exactly what is meant.
  if (text.empty()) return std::nullopt;
  std::int64_t total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    std::int64_t n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (n > std::numeric_limits<std::int64_t>::max() / 10 - 10) return std::nullopt;
      n = n * 10 + (text[i++] - '0');
    }
    if (i == start) return std::nullopt;
    std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const std::string unit = text.substr(unit_start, i - unit_start);
    std::int64_t factor;
    if (unit == "ms") {
      factor = 1;
    } else if (unit == "s") {
      factor = 1000;
    } else if (unit == "m" || unit == "min") {
      factor = 60'000;
    } else if (unit == "h") {
      factor = 3'600'000;
    } else if (unit == "d") {
      factor = 86'400'000;
    } else {
      return std::nullopt;
    }
    if (n > (std::numeric_limits<std::int64_t>::max() - total_ms) / factor) return std::nullopt;
    total_ms += n * factor;
  }
  return Duration(total_ms);
}

std::optional<std::uint64_t> parseSize(const std::string& text) {
  std::size_t i = 0;
  std::uint64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (n > std::numeric_limits<std::uint64_t>::max() / 10 - 10) return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(text[i++] - '0');
  }
  if (i == 0) return std::nullopt;
  while (i < text.size() && text[i] == ' ') ++i;
  const std::string unit = text.substr(i);
  std::uint64_t factor;
  if (unit.empty() || unit == "B") {
    factor = 1;
  } else if (unit == "kB" || unit == "KB") {
    factor = 1000;
  } else if (unit == "MB") {
    factor = 1000 * 1000;
  } else if (unit == "GB") {
    factor = 1000ull * 1000 * 1000;
  } else if (unit == "KiB") {
    factor = 1024;
  } else if (unit == "MiB") {
    factor = 1024 * 1024;
  } else if (unit == "GiB") {
    factor = 1024ull * 1024 * 1024;
  } else {
    return std::nullopt;
  }
  if (n > std::numeric_limits<std::uint64_t>::max() / factor) return std::nullopt;
  return n * factor;
}

Config defaultConfig(const connectors::Host& host) {
  Config config;
  std::string state_dir;
  const auto xdg = host.variable("XDG_STATE_HOME");
  const auto home = host.variable("HOME");
  if (host.effectiveUserId() == 0 && writableOrCreatable("/var/lib/passerelle")) {
    state_dir = "/var/lib/passerelle";
  } else if (xdg && !xdg->empty() && xdg->front() == '/') {
    // The XDG specification says relative values are to be ignored.
    state_dir = *xdg + "/passerelle";
  } else if (home && !home->empty()) {
    state_dir = *home + "/.local/state/passerelle";
  } else {
    state_dir = "/var/lib/passerelle";
  }
  config.daemon.state_dir = state_dir;
  config.daemon.spool_dir = state_dir + "/spool";
  config.france_travail.spool_dir = config.daemon.spool_dir + "/france-travail";
  return config;
}

ConfigPath resolveConfigPath(const std::optional<std::string>& cli_path,
                             const connectors::Host& host) {
  if (cli_path && !cli_path->empty()) return {*cli_path, false};
  if (auto env = host.variable("PASSERELLE_CONFIG"); env && !env->empty()) return {*env, false};
  return {kDefaultConfigPath, true};
}

Config loadConfig(const std::string& path, const std::vector<std::string>& known_formats,
                  const connectors::Host& host) {
  const std::string content = readFileOrThrow(path);
  toml::table root;
  try {
    root = toml::parse(content, path);
  } catch (const toml::parse_error& e) {
    std::string message = path;
    if (e.source().begin.line > 0) message += ":" + std::to_string(e.source().begin.line);
    throw ConfigError({message + ": " + std::string(e.description())});
  }
  Reader reader(path, known_formats);
  Config config = reader.read(root, defaultConfig(host));
  if (!reader.errors().empty()) throw ConfigError(reader.errors());
  flattenSettings(root, "", config.settings);
  return config;
}

Config loadConfig(const ConfigPath& where, const std::vector<std::string>& known_formats,
                  const connectors::Host& host) {
  std::error_code ec;
  if (where.is_default && !fs::exists(where.path, ec)) return defaultConfig(host);
  return loadConfig(where.path, known_formats, host);
}

const DashboardAccount* DashboardConfig::findAccount(const std::string& login) const {
  for (const DashboardAccount& account : accounts)
    if (account.login == login) return &account;
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> secretFiles(const Config& config) {
  std::vector<std::pair<std::string, std::string>> files;
  auto add = [&](std::string key, const std::string& file) {
    if (!file.empty()) files.emplace_back(std::move(key), file);
  };
  add("store.password_file", config.store.password_file);
  for (std::size_t i = 0; i < config.partners.size(); ++i) {
    const PartnerConfig& p = config.partners[i];
    add("partner[" + std::to_string(i) + "] (" + p.id + ").password_file", p.password_file);
  }
  if (config.lba.enabled) add("destination.lba.api_key_file", config.lba.api_key_file);
  if (config.france_travail.enabled && config.france_travail.mode == FranceTravailMode::kUpload) {
    add("destination.france-travail.password_file", config.france_travail.password_file);
  }
  for (std::size_t i = 0; i < config.dashboard.accounts.size(); ++i) {
    const DashboardAccount& a = config.dashboard.accounts[i];
    add("dashboard.account[" + std::to_string(i) + "] (" + a.login + ").password_hash_file",
        a.password_hash_file);
  }
  return files;
}

std::vector<std::string> serviceUserWarnings(const Config& config, const connectors::Host& host,
                                             const std::string& service_user) {
  std::vector<std::string> warnings;
  if (host.effectiveUserId() != 0) return warnings;  // then we are whoever runs it
  const auto account = host.account(service_user);
  if (!account) return warnings;
  for (const auto& [key, file] : secretFiles(config))
    if (auto problem = serviceUserProblem(host, file, *account))
      warnings.push_back(key + ": " + *problem);
  return warnings;
}

std::vector<std::string> checkConfig(const Config& config, const connectors::Host& host) {
  std::vector<std::string> problems;
  auto secret = [&](const std::string& key, const std::string& file) {
    if (file.empty()) return;
    if (auto problem = secretProblem(host, file)) problems.push_back(key + ": " + *problem);
  };
  secret("store.password_file", config.store.password_file);
  auto readable = [&](const std::string& key, const std::string& file) {
    if (file.empty()) return;
    if (::access(file.c_str(), R_OK) != 0) {
      problems.push_back(key + ": " + file + ": " + std::strerror(errno));
    }
  };
  for (std::size_t i = 0; i < config.partners.size(); ++i) {
    const PartnerConfig& p = config.partners[i];
    const std::string prefix = "partner[" + std::to_string(i) + "] (" + p.id + ")";
    secret(prefix + ".password_file", p.password_file);
    readable(prefix + ".ca_file", p.ca_file);
    if (p.url.rfind("file://", 0) == 0) {
      const std::string dir = p.url.substr(std::strlen("file://"));
      std::error_code ec;
      if (!fs::is_directory(dir, ec)) {
        problems.push_back(prefix + ".url: " + dir + ": not a directory");
      }
    }
  }
  if (config.lba.enabled) secret("destination.lba.api_key_file", config.lba.api_key_file);
  if (config.france_travail.enabled && config.france_travail.mode == FranceTravailMode::kUpload) {
    secret("destination.france-travail.password_file", config.france_travail.password_file);
  }
  for (std::size_t i = 0; i < config.dashboard.accounts.size(); ++i) {
    const DashboardAccount& a = config.dashboard.accounts[i];
    secret("dashboard.account[" + std::to_string(i) + "] (" + a.login + ").password_hash_file",
           a.password_hash_file);
  }
  return problems;
}

std::vector<std::string> configWarnings(const Config& config) {
  std::vector<std::string> warnings;
  for (std::size_t i = 0; i < config.partners.size(); ++i) {
    const PartnerConfig& p = config.partners[i];
    const std::string prefix = "partner[" + std::to_string(i) + "] (" + p.id + ")";
    if (p.tls == connectors::DropTls::kNone && p.url.rfind("ftp://", 0) == 0) {
      warnings.push_back(prefix + ".tls: plain FTP: the password and the files travel in clear");
    }
    if (!p.tls_verify && p.tls != connectors::DropTls::kNone) {
      warnings.push_back(prefix + ".tls_verify: certificate verification is off (tests only)");
    }
  }
  if (config.partners.empty()) warnings.push_back("partner: no partner configured");
  return warnings;
}

ConfigChanges changedSettings(const Config& before, const Config& after) {
  // The old spelling of a table is the same place as the new one.
  auto normalise = [](const std::map<std::string, std::string>& settings) {
    std::map<std::string, std::string> out;
    for (const auto& [place, value] : settings) {
      std::string p = place;
      if (p.rfind("destination.france_travail", 0) == 0) p.replace(12, 14, "france-travail");
      out[p] = value;
    }
    return out;
  };
  const auto a = normalise(before.settings);
  const auto b = normalise(after.settings);
  std::set<std::string> places;
  for (const auto& [place, value] : a)
    if (auto it = b.find(place); it == b.end() || it->second != value) places.insert(place);
  for (const auto& [place, value] : b)
    if (!a.count(place)) places.insert(place);
  // What the process holds for its whole life: its store, its directories,
  // its listener.
  static const std::set<std::string> kRestart = {
      "store.url",   "store.password_file", "daemon.state_dir",    "daemon.spool_dir",
      "daemon.http", "dashboard.listen",    "dashboard.base_path", "dashboard.account"};
  ConfigChanges changes;
  for (const auto& place : places)
    (kRestart.count(place) ? changes.restart_needed : changes.applied).push_back(place);
  return changes;
}

const char* toString(AfterImport after) {
  switch (after) {
    case AfterImport::kMove:
      return "move";
    case AfterImport::kDelete:
      return "delete";
    case AfterImport::kKeep:
      return "keep";
  }
  return "?";
}

const char* toString(FranceTravailMode mode) {
  return mode == FranceTravailMode::kSpool ? "spool" : "upload";
}

const char* toString(DashboardRole role) {
  return role == DashboardRole::kOperator ? "operator" : "partner";
}

const char* toString(LogFormat format) {
  return format == LogFormat::kJson ? "json" : "text";
}

}  // namespace passerelle::daemon
