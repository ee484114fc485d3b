// The program as an operator meets it (operations.md "What operators can rely
// on"): a listener that cannot bind stops the daemon at start with exit 2,
// and `config check --connect` tries every connection (the test PostgreSQL,
// the test vsftpd servers, the lba stand-in) and says what to check for each
// failure.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/daemon/store_test_support.h"
#include "tests/support/ftp_test_support.h"
#include "tests/support/test_server_process.h"

using namespace passerelle;
using passerelle::ftp_test::ftpEnv;
using passerelle::store_test::TestStore;
using passerelle::testing::TestServer;
namespace fs = std::filesystem;

namespace {

struct Run {
  int status = -1;
  std::string output;  // standard output and error
};

// Runs the program with `args` (plain words: no quoting needed), without
// the journal or systemd's variables, bounded in time.
Run runProgram(const std::string& args) {
  const std::string command =
      "env -u JOURNAL_STREAM -u NOTIFY_SOCKET -u PASSERELLE_CONFIG timeout 120 " +
      std::string(PASSERELLE_BINARY) + " " + args + " 2>&1";
  Run run;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, n);
  const int raw = ::pclose(pipe);
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return run;
}

std::string toml(const std::string& s) {
  return "\"" + s + "\"";
}

void writeText(const fs::path& p, const std::string& text, fs::perms perms = fs::perms(0644)) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  fs::permissions(p, perms);
}

// A listening socket on a loopback port, held for the test's duration.
class OccupiedPort {
 public:
  OccupiedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 4) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~OccupiedPort() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("daemon: an http address already in use stops it at start with exit 2") {
  TestStore store;
  OccupiedPort taken;
  const std::string address = "127.0.0.1:" + std::to_string(taken.port());
  const fs::path config = store.dir() / "passerelle.toml";
  writeText(config, "[store]\nurl = " + toml(store.url()) +
                        "\n[daemon]\nstate_dir = " + toml((store.dir() / "state").string()) +
                        "\nhttp = " + toml(address) + "\n");
  const Run run = runProgram("daemon --config " + config.string());
  CHECK(run.status == 2);
  CHECK_MESSAGE(run.output.find("cannot listen on " + address) != std::string::npos, run.output);
  CHECK_MESSAGE(run.output.find("daemon.http") != std::string::npos, run.output);
}

TEST_CASE("config check --connect: every connection tried, each failure with what to check") {
  TestStore store;
  TestServer lba("lba_server.py", {"--keys", "good-key"});
  TestServer france_travail("france_travail_server.py");
  const fs::path dir = store.dir();
  writeText(dir / "good-key", "good-key\n", fs::perms(0600));
  writeText(dir / "wrong-password", "not-the-password\n", fs::perms(0600));
  ftp_test::makeFtpFolder("connect-check");
  const std::string user = ftpEnv("PASSERELLE_TEST_FTP_USER");
  const std::string explicit_url = ftpEnv("PASSERELLE_TEST_FTP_EXPLICIT_URL");
  const std::string implicit_url = ftpEnv("PASSERELLE_TEST_FTP_IMPLICIT_URL");
  const std::string ca = ftpEnv("PASSERELLE_TEST_FTP_CA_FILE");
  const std::string password = ftpEnv("PASSERELLE_TEST_FTP_PASSWORD_FILE");
  // The implicit-TLS server's port, reached as if it spoke explicit TLS.
  const std::string implicit_port = implicit_url.substr(implicit_url.rfind(':') + 1);
  auto franceTravail = [&](const std::string& url) {
    return "[destination.france-travail]\nenabled = true\nurl = " + toml(url) +
           "\nlogin = \"partenaire\"\npassword_file = " + toml((dir / "wrong-password").string()) +
           "\npartner_key = \"BRETAGNEALTERNANCE\"\n";
  };
  auto partner = [&](const std::string& id, const std::string& url, const std::string& tls,
                     const std::string& password_file, const std::string& ca_file) {
    std::string text = "[[partner]]\nid = " + toml(id) + "\nformat = \"ymag\"\nurl = " + toml(url) +
                       "\ntls = " + toml(tls) + "\nuser = " + toml(user) +
                       "\npassword_file = " + toml(password_file) + "\n";
    if (!ca_file.empty()) text += "ca_file = " + toml(ca_file) + "\n";
    return text;
  };
  const fs::path config = dir / "passerelle.toml";
  const std::string base = "[store]\nurl = " + toml(store.url()) +
                           "\n[daemon]\nstate_dir = " + toml((dir / "state").string()) + "\n";
  writeText(config,
            base + partner("good", explicit_url + "connect-check/", "explicit", password, ca) +
                "[destination.lba]\nurl = " + toml(lba.url()) + "\napi_key_file = " +
                toml((dir / "good-key").string()) + "\n" + franceTravail(france_travail.url()));
  Run run = runProgram("config check --connect --config " + config.string());
  CHECK_MESSAGE(run.status == 0, run.output);
  CHECK_MESSAGE(run.output.find("store: ok:") != std::string::npos, run.output);
  CHECK_MESSAGE(run.output.find("partner good: ok: logged in and listed") != std::string::npos,
                run.output);
  CHECK_MESSAGE(run.output.find("destination lba: ok: API key accepted") != std::string::npos,
                run.output);
  // France Travail checks a login only with a file: reached, and said so.
  CHECK_MESSAGE(run.output.find("destination france-travail: ok: " + france_travail.url()) !=
                    std::string::npos,
                run.output);
  CHECK_MESSAGE(run.output.find("only checked with the first file sent") != std::string::npos,
                run.output);

  writeText(dir / "good-key", "revoked-key\n", fs::perms(0600));
  writeText(config,
            base +
                partner("refused", explicit_url + "connect-check/", "explicit",
                        (dir / "wrong-password").string(), ca) +
                partner("untrusted", implicit_url + "connect-check/", "implicit", password, "") +
                partner("wrong-tls", "ftp://127.0.0.1:" + implicit_port + "/connect-check/",
                        "explicit", password, ca) +
                "[destination.lba]\nurl = " + toml(lba.url()) +
                "\napi_key_file = " + toml((dir / "good-key").string()) + "\n" +
                franceTravail("http://127.0.0.1:1/depotcurl"));
  run = runProgram("config check --connect --config " + config.string());
  CHECK(run.status == 2);
  auto line = [&](const std::string& start) {
    const auto at = run.output.find(start);
    if (at == std::string::npos) return std::string();
    return run.output.substr(at, run.output.find('\n', at) - at);
  };
  const std::string refused = line("partner refused:");
  CHECK_MESSAGE(refused.find("refused the login of user " + user) != std::string::npos, run.output);
  CHECK_MESSAGE(refused.find((dir / "wrong-password").string()) != std::string::npos, run.output);
  const std::string untrusted = line("partner untrusted:");
  CHECK_MESSAGE(untrusted.find("ca_file") != std::string::npos, run.output);
  CHECK_MESSAGE(untrusted.find("pinned_pubkey") != std::string::npos, run.output);
  CHECK_MESSAGE(line("partner wrong-tls:").find("tls = \"implicit\"") != std::string::npos,
                run.output);
  const std::string key = line("destination lba:");
  CHECK_MESSAGE(key.find("refused") != std::string::npos, run.output);
  CHECK_MESSAGE(key.find((dir / "good-key").string()) != std::string::npos, run.output);
  const std::string unreachable = line("destination france-travail:");
  CHECK_MESSAGE(unreachable.find("could not be reached") != std::string::npos, run.output);
  CHECK_MESSAGE(unreachable.find("destination.france-travail.url") != std::string::npos,
                run.output);
  CHECK(run.output.find("not-the-password") == std::string::npos);
  CHECK(run.output.find("revoked-key") == std::string::npos);
}
