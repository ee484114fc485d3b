#include "daemon/cli/connection_check.h"

#include <exception>

#include "connectors/drop/drop_folder.h"
#include "connectors/url/scrub_url.h"
#include "daemon/config/drop_folder_settings.h"
#include "daemon/destinations/registry.h"
#include "daemon/store/embedded_postgres.h"
#include "daemon/store/store_connection.h"

namespace passerelle::daemon {
namespace {

using connectors::DropFolderError;
using connectors::DropTls;

bool mentions(const std::string& text, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (text.find(w) != std::string::npos) return true;
  return false;
}

ConnectionResult checkStore(const Config& config, const connectors::Host& host) {
  ConnectionResult r{"store", true, true, ""};
  if (config.store.url == "embedded") {
    r.tried = false;
    r.message = "embedded: not started by a check (the commands start it)";
    return r;
  }
  try {
    auto store = openStore(resolveStoreUrl(config, host));
    pqxx::nontransaction(*store).exec("SELECT 1");
    r.message = "reached " + describeStore(config.store.url);
  } catch (const std::exception& e) {
    r.ok = false;
    r.message = e.what();
    if (!mentions(r.message, {"store.password_file"}))
      r.message += " (check store.url: host, port, database; and that PostgreSQL runs)";
  }
  return r;
}

// What to check for a drop folder that failed, from the connector's kind of
// error and libcurl's words.
std::string partnerAdvice(const PartnerConfig& p, const DropFolderError& e) {
  const std::string what = e.what();
  if (e.kind() == DropFolderError::Kind::kLogin) {
    return "the server refused the login of user " + (p.user.empty() ? "(none)" : p.user) +
           ": check user and the password in " +
           (p.password_file.empty() ? "password_file (none is set)" : p.password_file);
  }
  if (mentions(what, {"certificate", "issuer", "SSL peer", "pinned", "public key"})) {
    return "the server's certificate is not trusted: set ca_file (the CA that signed it) or "
           "pinned_pubkey (\"sha256//...\" of its key)";
  }
  if (e.kind() == DropFolderError::Kind::kNotFound) return "check the folder's path in url";
  std::string advice = "check url (host, port, folder) and the network";
  // A TLS mode that does not fit the port fails as a silent or garbled
  // server: say which setting to try.
  if (p.tls == DropTls::kExplicit) {
    advice +=
        "; if this port speaks implicit TLS (often 990), use an ftps:// URL "
        "(tls = \"implicit\")";
  } else if (p.tls == DropTls::kImplicit) {
    advice +=
        "; if the server expects AUTH TLS on a plain FTP port (often 21), use an ftp:// "
        "URL with tls = \"explicit\"";
  }
  return advice;
}

ConnectionResult checkPartner(const PartnerConfig& p, const connectors::Host& host,
                              connectors::Clock& clock) {
  ConnectionResult r{"partner " + p.id, true, true, ""};
  try {
    connectors::DropFolderSettings settings = dropFolderSettings(p, host);
    // A check answers in seconds: a port that stays silent is the answer.
    settings.connect_timeout = std::chrono::seconds(10);
    settings.response_timeout = std::chrono::seconds(10);
    const auto entries = connectors::openDropFolder(settings, clock)->list();
    r.message = "logged in and listed " + connectors::scrubUrl(p.url) + " (" +
                std::to_string(entries.size()) + " file" + (entries.size() == 1 ? "" : "s") + ")";
  } catch (const DropFolderError& e) {
    r.ok = false;
    r.message = connectors::scrubUrl(p.url) + ": " + e.what() + "; " + partnerAdvice(p, e);
  } catch (const std::exception& e) {
    r.ok = false;
    r.message = connectors::scrubUrl(p.url) + ": " + e.what();
  }
  return r;
}

}  // namespace

std::vector<ConnectionResult> checkConnections(const Config& config, const connectors::Host& host,
                                               connectors::Clock& clock) {
  std::vector<ConnectionResult> results;
  results.push_back(checkStore(config, host));
  for (const PartnerConfig& p : config.partners) results.push_back(checkPartner(p, host, clock));
  for (const DestinationEntry& entry : destinationEntries()) {
    if (!entry.enabled(config)) continue;
    ConnectionResult r{"destination " + std::string(entry.name), true, true, ""};
    try {
      const ConnectionProbe probe = entry.create(config, host, clock)->probe();
      r.tried = probe.tried;
      r.ok = probe.ok;
      r.message = probe.message;
    } catch (const std::exception& e) {
      r.ok = false;
      r.message = e.what();
    }
    results.push_back(r);
  }
  return results;
}

}  // namespace passerelle::daemon
