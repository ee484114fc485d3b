#include "daemon/config/drop_folder_settings.h"

#include "daemon/config/secrets.h"

namespace passerelle::daemon {

connectors::DropFolderSettings dropFolderSettings(const PartnerConfig& p,
                                                  const connectors::Host& host) {
  connectors::DropFolderSettings s;
  s.url = p.url;
  s.tls = p.tls;
  s.user = p.user;
  if (!p.password_file.empty()) s.password = readSecret(host, p.password_file);
  s.ca_file = p.ca_file;
  s.pinned_pubkey = p.pinned_pubkey;
  s.tls_verify = p.tls_verify;
  s.fresh_tls_session = p.fresh_tls_session;
  // A debugging switch of the environment, not of the configuration.
  s.protocol_trace = host.variable("PASSERELLE_CURL_VERBOSE").has_value();
  return s;
}

}  // namespace passerelle::daemon
