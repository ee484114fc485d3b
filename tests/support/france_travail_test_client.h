// The France Travail client's settings for tests/servers/france_travail_server.py
// run with its default account (--login partenaire, --password secret,
// --feed FLUXTEST): the one place the tests spell that account, for the
// connector's tests and the daemon's.
//
// Thread safety: a pure function.
#pragma once

#include <chrono>

#include "connectors/france_travail/france_travail_client.h"
#include "tests/support/test_server_process.h"

namespace passerelle::testing {

inline connectors::FtClientSettings ftClientSettingsFor(const TestServer& server) {
  connectors::FtClientSettings s;
  s.url = server.url() + "/partenaire/depotcurl";
  s.login = "partenaire";
  s.password = "secret";
  s.feed_name = "FLUXTEST";
  s.timeout = std::chrono::seconds(5);
  return s;
}

}  // namespace passerelle::testing
