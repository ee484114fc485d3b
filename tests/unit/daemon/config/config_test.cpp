// Tests of daemon/config: the TOML configuration, its errors, the checks of
// its files. The environment and the secrets come from a FakeHost: no test
// sets a variable of the process.
#include "daemon/config/config.h"

#include <doctest/doctest.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "connectors/host/host.h"
#include "daemon/cli/command.h"
#include "daemon/cli/config_command.h"
#include "tests/unit/daemon/test_support.h"

namespace passerelle::daemon {
namespace {

// The enums are compared in double parentheses: doctest 2.4.9 cannot print
// enum class values (its decomposition does not compile for them).

using connectors::FakeHost;
using testing::TempDir;
using testing::writeFile;

const std::vector<std::string> kFormats = {"ymag", "gil", "sigma"};
// No variable, not root, no file: what the configuration's defaults see.
const FakeHost kHost;

// Loads `text` written to a file and returns the ConfigError message, or ""
// when the file is accepted.
std::string errorOf(const TempDir& dir, const std::string& text) {
  const std::string path = dir / "passerelle.toml";
  writeFile(path, text, 0644);
  try {
    loadConfig(path, kFormats, kHost);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string minimalPartner(const std::string& extra = "") {
  return "[[partner]]\n"
         "id = \"cfa-a\"\n"
         "format = \"ymag\"\n"
         "url = \"ftps://ftp.example/a/\"\n" +
         extra;
}

TEST_CASE("the example of operations.md, with every option, is read") {
  TempDir dir;
  FakeHost host;
  host.addFile(dir / "cfa-rennes", "s3cret-rennes\n")
      .addFile(dir / "lba", "lba-key\n")
      .addFile(dir / "ft", "ft-password");
  writeFile(dir / "ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
  std::filesystem::create_directory(dir.path() / "drop-gil");
  const std::string path = dir / "passerelle.toml";
  writeFile(path,
            "[store]\n"
            "url = \"postgresql://passerelle@localhost/passerelle\"\n"
            "\n"
            "[daemon]\n"
            "state_dir = \"" +
                (dir / "state") +
                "\"\n"
                "spool_dir = \"/var/lib/passerelle/spool\"\n"
                "poll_interval = \"60s\"\n"
                "http = \"127.0.0.1:9464\"\n"
                "log_format = \"json\"\n"
                "\n"
                "[import]\n"
                "max_withdraw_ratio = 0.3\n"
                "max_withdraw_count = 20\n"
                "\n"
                "[[partner]]\n"
                "id = \"cfa-cci-rennes\"\n"
                "name = \"CFA CCI Rennes\"\n"
                "format = \"ymag\"\n"
                "url = \"ftp://ftp.bretagne-alternance.example/ymag-cfa-rennes/\"\n"
                "tls = \"explicit\"\n"
                "user = \"cfa-rennes\"\n"
                "password_file = \"cfa-rennes\"\n"  // relative: next to the file
                "ca_file = \"" +
                (dir / "ca.pem") +
                "\"\n"
                "pinned_pubkey = \"sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=\"\n"
                "pattern = \"export_*.csv\"\n"
                "stable_for = \"45s\"\n"
                "max_file_size = \"10MB\"\n"
                "max_files_per_poll = 20\n"
                "after = \"keep\"\n"
                "max_withdraw_ratio = 0.9\n"
                "max_withdraw_count = 100\n"
                "poll_interval = \"5m\"\n"
                "fresh_tls_session = true\n"
                "apply_defaults = { email = \"contact@cfa.example\", phone = \"0299000000\" }\n"
                "\n"
                "[[partner]]\n"
                "id = \"gil_1\"\n"
                "format = \"gil\"\n"
                "url = \"file://" +
                (dir / "drop-gil") +
                "/\"\n"
                "\n"
                "[[partner]]\n"
                "id = \"sigma-2\"\n"
                "format = \"sigma\"\n"
                "url = \"ftps://ftp.example/sigma/\"\n"
                "sigma_code = \"0350001A\"\n"
                "tls_verify = false\n"
                "[partner.apply_defaults]\n"
                "url = \"https://cfa.example/\"\n"
                "\n"
                "[destination.lba]\n"
                "enabled = true\n"
                "url = \"https://api.apprentissage.beta.gouv.fr/api\"\n"
                "api_key_file = \"" +
                (dir / "lba") +
                "\"\n"
                "write_per_minute = 20\n"
                "max_attempts = 5\n"
                "\n"
                "[destination.france_travail]\n"
                "enabled = true\n"
                "mode = \"upload\"\n"
                "url = \"https://portail-partenaire.francetravail.fr/partenaire/depotcurl\"\n"
                "login = \"bzh\"\n"
                "password_file = \"" +
                (dir / "ft") +
                "\"\n"
                "feed = \"flux\"\n"
                "partner_key = \"BRETAGNEALTERNANCE\"\n"
                "partner_name = \"Bretagne Alternance\"\n"
                "siret = \"12345678901234\"\n"
                "schedule = [\"05:30\", \"13:05\"]\n"
                "archive_days = 7\n",
            0644);

  const Config config = loadConfig(path, kFormats, kHost);
  CHECK(config.source_path == path);
  CHECK(config.store.url == "postgresql://passerelle@localhost/passerelle");
  CHECK(config.daemon.state_dir == dir / "state");
  CHECK(config.daemon.spool_dir == "/var/lib/passerelle/spool");
  CHECK(config.daemon.poll_interval == std::chrono::seconds(60));
  CHECK((config.daemon.log_format == LogFormat::kJson));
  CHECK(config.import.max_withdraw_ratio == doctest::Approx(0.3));
  CHECK(config.import.max_withdraw_count == 20);
  REQUIRE(config.partners.size() == 3);

  const PartnerConfig& rennes = config.partners[0];
  CHECK(rennes.id == "cfa-cci-rennes");
  CHECK(rennes.name == "CFA CCI Rennes");
  CHECK((rennes.tls == connectors::DropTls::kExplicit));
  CHECK(rennes.password_file == dir / "cfa-rennes");
  CHECK(rennes.pattern == "export_*.csv");
  CHECK((rennes.completion == formats::Completion::kStable));
  CHECK(rennes.stable_for == std::chrono::seconds(45));
  CHECK(rennes.max_file_size == 10'000'000);
  CHECK(rennes.max_files_per_poll == 20);
  CHECK((rennes.after == AfterImport::kKeep));
  CHECK(rennes.fresh_tls_session);
  CHECK(rennes.tls_verify);
  CHECK(rennes.apply_defaults.email == "contact@cfa.example");
  CHECK(rennes.apply_defaults.phone == "0299000000");
  CHECK_FALSE(rennes.apply_defaults.url.has_value());
  CHECK(rennes.line == 15);
  CHECK(config.maxWithdrawRatio(rennes) == doctest::Approx(0.9));
  CHECK(config.maxWithdrawCount(rennes) == 100);
  CHECK(config.pollInterval(rennes) == std::chrono::minutes(5));

  const PartnerConfig& gil = config.partners[1];
  CHECK(gil.name == "gil_1");
  CHECK((gil.tls == connectors::DropTls::kNone));
  CHECK((gil.completion == formats::Completion::kMarker));  // gil's default
  CHECK(gil.pattern == "*.csv");
  CHECK(gil.stable_for == std::chrono::seconds(30));
  CHECK(gil.max_file_size == 200ull * 1024 * 1024);
  CHECK(gil.max_files_per_poll == 50);
  CHECK((gil.after == AfterImport::kMove));
  CHECK(config.maxWithdrawRatio(gil) == doctest::Approx(0.3));
  CHECK(config.pollInterval(gil) == std::chrono::seconds(60));

  const PartnerConfig& sigma = config.partners[2];
  CHECK((sigma.tls == connectors::DropTls::kImplicit));
  CHECK(sigma.sigma_code == "0350001A");
  CHECK_FALSE(sigma.tls_verify);
  CHECK(sigma.apply_defaults.url == "https://cfa.example/");
  CHECK(config.findPartner("sigma-2") == &sigma);
  CHECK(config.findPartner("nobody") == nullptr);

  CHECK(config.lba.enabled);
  CHECK(config.lba.api_key_file == dir / "lba");
  CHECK(config.lba.write_per_minute == 20);
  CHECK(config.lba.read_per_minute == 120);
  CHECK(config.lba.rolling_expiration_days == 60);
  CHECK(config.lba.max_attempts == 5);

  const FranceTravailConfig& ft = config.france_travail;
  CHECK(ft.enabled);
  CHECK((ft.mode == FranceTravailMode::kUpload));
  CHECK(ft.login == "bzh");
  CHECK(ft.partner_key == "BRETAGNEALTERNANCE");
  CHECK(ft.siret == "12345678901234");
  CHECK((ft.schedule == std::vector<TimeOfDay>{{5, 30}, {13, 5}}));
  CHECK(ft.archive_days == 7);
  CHECK(ft.spool_dir == "/var/lib/passerelle/spool/france-travail");

  CHECK(checkConfig(config, host).empty());
  const std::vector<std::string> warnings = configWarnings(config);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("partner[2] (sigma-2).tls_verify") != std::string::npos);
}

TEST_CASE("a minimal file gets the defaults") {
  TempDir dir;
  const std::string path = dir / "passerelle.toml";
  writeFile(path, minimalPartner(), 0644);
  const Config config = loadConfig(path, kFormats, kHost);
  CHECK(config.store.url == "embedded");
  CHECK(config.daemon.http == "127.0.0.1:9464");
  CHECK(config.daemon.poll_interval == std::chrono::seconds(60));
  CHECK((config.daemon.log_format == LogFormat::kText));
  CHECK_FALSE(config.daemon.state_dir.empty());
  CHECK(config.daemon.spool_dir == config.daemon.state_dir + "/spool");
  CHECK(config.import.max_withdraw_ratio == doctest::Approx(0.5));
  CHECK(config.import.max_withdraw_count == 10);
  CHECK_FALSE(config.lba.enabled);
  CHECK_FALSE(config.france_travail.enabled);
  REQUIRE(config.partners.size() == 1);
  CHECK((config.partners[0].tls == connectors::DropTls::kImplicit));
  CHECK(config.partners[0].name == "cfa-a");
}

TEST_CASE("pattern and completion: the format's dialect by default, the partner's keys over it") {
  TempDir dir;
  const std::string path = dir / "passerelle.toml";
  writeFile(path,
            minimalPartner("completion = \"marker\"\n") +
                "[[partner]]\n"
                "id = \"gil-b\"\n"
                "format = \"gil\"\n"
                "url = \"ftps://ftp.example/b/\"\n"
                "completion = \"stable\"\n"
                "pattern = \"GIL_*.txt\"\n"
                "[[partner]]\n"
                "id = \"sigma-c\"\n"
                "format = \"sigma\"\n"
                "url = \"ftps://ftp.example/c/\"\n",
            0644);
  const Config config = loadConfig(path, kFormats, kHost);
  REQUIRE(config.partners.size() == 3);
  CHECK((config.partners[0].completion == formats::Completion::kMarker));
  CHECK(config.partners[0].pattern == "*.csv");
  CHECK((config.partners[1].completion == formats::Completion::kStable));
  CHECK(config.partners[1].pattern == "GIL_*.txt");
  CHECK((config.partners[2].completion == formats::Completion::kStable));
  CHECK(config.partners[2].pattern == "*.csv");
  CHECK(errorOf(dir, minimalPartner("completion = \"ok\"\n"))
            .find("partner[0].completion: unknown value \"ok\" (expected stable, marker)") !=
        std::string::npos);
}

TEST_CASE("an unknown format is refused with the file, the line and the key") {
  TempDir dir;
  const std::string message = errorOf(dir, minimalPartner() +
                                               "\n"
                                               "[[partner]]\n"
                                               "id = \"cfa-b\"\n"
                                               "format = \"ymog\"\n"
                                               "url = \"ftps://ftp.example/b/\"\n");
  CHECK(message ==
        (dir / "passerelle.toml") +
            ":8: partner[1].format: unknown format \"ymog\" (expected ymag, gil, sigma)");
}

TEST_CASE("unknown keys are refused at every level") {
  TempDir dir;
  const std::string path = dir / "passerelle.toml";
  CHECK(errorOf(dir, "colour = \"blue\"\n") ==
        path +
            ":1: colour: unknown key (expected one of store, daemon, import, partner, "
            "destination, dashboard)");
  CHECK(errorOf(dir, "[daemon]\npoll_intervall = \"60s\"\n")
            .find(path + ":2: daemon.poll_intervall: unknown key") == 0);
  CHECK(errorOf(dir, minimalPartner("max_withdraw_ration = 0.2\n"))
            .find(path + ":5: partner[0].max_withdraw_ration: unknown key") == 0);
  CHECK(errorOf(dir, minimalPartner("[partner.apply_defaults]\nmail = \"a@b.c\"\n"))
            .find(path + ":6: partner[0].apply_defaults.mail: unknown key") == 0);
  CHECK(errorOf(dir, "[destination.pole_emploi]\nenabled = true\n")
            .find(path + ":1: destination.pole_emploi: unknown key") == 0);
  CHECK(errorOf(dir, "[destination.lba]\napi_key_file = \"k\"\nwrites_per_minute = 3\n")
            .find(path + ":3: destination.lba.writes_per_minute: unknown key") == 0);
}

TEST_CASE("wrong types are refused") {
  TempDir dir;
  const std::string path = dir / "passerelle.toml";
  CHECK(errorOf(dir, "[daemon]\n\npoll_interval = 60\n") ==
        path +
            ":3: daemon.poll_interval: expected a duration string such as \"60s\", got an "
            "integer");
  CHECK(errorOf(dir, minimalPartner("tls_verify = \"no\"\n")) ==
        path + ":5: partner[0].tls_verify: expected a boolean, got a string");
  CHECK(errorOf(dir, minimalPartner("max_files_per_poll = \"50\"\n")) ==
        path + ":5: partner[0].max_files_per_poll: expected an integer, got a string");
  CHECK(errorOf(dir, "[import]\nmax_withdraw_ratio = \"half\"\n") ==
        path + ":2: import.max_withdraw_ratio: expected a number, got a string");
  CHECK(errorOf(dir, "store = \"embedded\"\n") ==
        path + ":1: store: expected a table, got a string");
  CHECK(errorOf(dir, "[partner]\nid = \"x\"\n").find(path + ":1: partner: expected [[partner]]") ==
        0);
  CHECK(errorOf(dir,
                "[destination.france_travail]\nmode = \"spool\"\npartner_key = \"K\"\n"
                "schedule = \"05:30\"\n") ==
        path +
            ":4: destination.france_travail.schedule: expected an array of \"HH:MM\" strings, "
            "got a string");
}

TEST_CASE("invalid values are refused") {
  TempDir dir;
  const std::string path = dir / "passerelle.toml";
  CHECK(errorOf(dir, "[daemon]\npoll_interval = \"60 seconds\"\n")
            .find(path + ":2: daemon.poll_interval: invalid duration \"60 seconds\"") == 0);
  CHECK(errorOf(dir, "[daemon]\nlog_format = \"xml\"\n") ==
        path + ":2: daemon.log_format: unknown value \"xml\" (expected text, json)");
  CHECK(errorOf(dir, "[daemon]\nhttp = \"localhost\"\n").find(path + ":2: daemon.http: invalid") ==
        0);
  CHECK(errorOf(dir, "[import]\nmax_withdraw_ratio = 1.5\n")
            .find(path + ":2: import.max_withdraw_ratio: out of range") == 0);
  CHECK(errorOf(dir, "[store]\nurl = \"mysql://x\"\n").find(path + ":2: store.url:") == 0);
  CHECK(errorOf(dir, minimalPartner("max_file_size = \"200 parsecs\"\n"))
            .find(path + ":5: partner[0].max_file_size: invalid size") == 0);
  CHECK(errorOf(dir, minimalPartner("tls = \"explicit\"\n"))
            .find(path + ":5: partner[0].tls: tls = \"explicit\" does not fit the URL") == 0);
  CHECK(errorOf(dir, minimalPartner("pinned_pubkey = \"abcdef\"\n"))
            .find(path + ":5: partner[0].pinned_pubkey:") == 0);
  CHECK(errorOf(dir, minimalPartner("after = \"shred\"\n")) ==
        path + ":5: partner[0].after: unknown value \"shred\" (expected move, delete, keep)");
  CHECK(errorOf(dir, "[[partner]]\nid = \"CFA A\"\nformat = \"ymag\"\nurl = \"ftps://h/a/\"\n")
            .find(path + ":2: partner[0].id: invalid partner id \"CFA A\"") == 0);
  CHECK(errorOf(dir, "[[partner]]\nid = \"a\"\nformat = \"ymag\"\nurl = \"http://h/a/\"\n")
            .find(path + ":4: partner[0].url: invalid drop folder URL") == 0);
  CHECK(errorOf(dir, "[[partner]]\nid = \"a\"\nformat = \"ymag\"\nurl = \"ftp://u:p@h/a/\"\n")
            .find(path + ":4: partner[0].url: must not contain user or password") == 0);
  CHECK(errorOf(dir,
                "[destination.france_travail]\nmode = \"spool\"\npartner_key = \"K\"\n"
                "schedule = [\"5:30\", \"24:00\"]\n") ==
        path + ":4: destination.france_travail.schedule[0]: expected a time of day \"HH:MM\"\n" +
            path + ":4: destination.france_travail.schedule[1]: expected a time of day \"HH:MM\"");
}

TEST_CASE("plain FTP is accepted only when asked for, with a warning") {
  TempDir dir;
  const std::string path = dir / "passerelle.toml";
  writeFile(path,
            "[[partner]]\nid = \"a\"\nformat = \"ymag\"\nurl = \"ftp://h/a/\"\ntls = \"none\"\n");
  const Config config = loadConfig(path, kFormats, kHost);
  CHECK((config.partners[0].tls == connectors::DropTls::kNone));
  const auto warnings = configWarnings(config);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("plain FTP") != std::string::npos);
}

TEST_CASE("missing required values name the table's line") {
  TempDir dir;
  const std::string path = dir / "passerelle.toml";
  CHECK(errorOf(dir, "[store]\n\n[[partner]]\nid = \"a\"\nurl = \"ftps://h/a/\"\n") ==
        path + ":3: partner[0].format: missing required value");
  CHECK(errorOf(dir, "[destination.lba]\nenabled = true\n") ==
        path + ":1: destination.lba.api_key_file: missing required value");
  // A disabled destination needs nothing.
  CHECK(errorOf(dir, "[destination.lba]\nenabled = false\n").empty());
  CHECK(errorOf(dir, "[destination.france_travail]\npartner_key = \"K\"\n") ==
        path + ":1: destination.france_travail.url: missing required value\n" + path +
            ":1: destination.france_travail.login: missing required value\n" + path +
            ":1: destination.france_travail.password_file: missing required value");
}

TEST_CASE("duplicate partner ids are refused") {
  TempDir dir;
  const std::string path = dir / "passerelle.toml";
  CHECK(errorOf(dir, minimalPartner() + minimalPartner()) ==
        path +
            ":6: partner[1].id: duplicate partner id \"cfa-a\" (already used by partner[0], "
            "line 1)");
}

TEST_CASE("a TOML syntax error names its line") {
  TempDir dir;
  const std::string path = dir / "passerelle.toml";
  const std::string message = errorOf(dir, "[daemon]\npoll_interval = \"60s\n");
  CHECK(message.find(path + ":2: ") == 0);
}

TEST_CASE("every problem of a file is reported at once") {
  TempDir dir;
  try {
    const std::string path = dir / "passerelle.toml";
    writeFile(path, "[daemon]\nlog_format = 1\nfoo = 2\n");
    loadConfig(path, kFormats, kHost);
    FAIL("accepted");
  } catch (const ConfigError& e) {
    CHECK(e.problems().size() == 2);
  }
}

TEST_CASE("durations") {
  CHECK(parseDuration("500ms") == std::chrono::milliseconds(500));
  CHECK(parseDuration("60s") == std::chrono::seconds(60));
  CHECK(parseDuration("5m") == std::chrono::minutes(5));
  CHECK(parseDuration("1h") == std::chrono::hours(1));
  CHECK(parseDuration("1h30m") == std::chrono::minutes(90));
  CHECK(parseDuration("2d") == std::chrono::hours(48));
  CHECK_FALSE(parseDuration("").has_value());
  CHECK_FALSE(parseDuration("60").has_value());
  CHECK_FALSE(parseDuration("s").has_value());
  CHECK_FALSE(parseDuration("-5s").has_value());
  CHECK_FALSE(parseDuration("1.5s").has_value());
  CHECK_FALSE(parseDuration("5 s").has_value());
  CHECK_FALSE(parseDuration("5y").has_value());
  CHECK_FALSE(parseDuration("99999999999999999999s").has_value());
}

TEST_CASE("sizes") {
  CHECK(parseSize("200MiB") == 200ull * 1024 * 1024);
  CHECK(parseSize("10MB") == 10'000'000ull);
  CHECK(parseSize("512KiB") == 512ull * 1024);
  CHECK(parseSize("1GB") == 1'000'000'000ull);
  CHECK(parseSize("2GiB") == 2ull * 1024 * 1024 * 1024);
  CHECK(parseSize("1000") == 1000ull);
  CHECK(parseSize("1000B") == 1000ull);
  CHECK(parseSize("10 MB") == 10'000'000ull);
  CHECK_FALSE(parseSize("").has_value());
  CHECK_FALSE(parseSize("MB").has_value());
  CHECK_FALSE(parseSize("10mb").has_value());
  CHECK_FALSE(parseSize("10TB").has_value());
  CHECK_FALSE(parseSize("99999999999GiB").has_value());

  TempDir dir;
  const std::string path = dir / "passerelle.toml";
  writeFile(path, minimalPartner("max_file_size = 4096\n"));
  CHECK(loadConfig(path, kFormats, kHost).partners[0].max_file_size == 4096);
}

TEST_CASE("checkConfig reports unreadable or too open secrets and missing CA files") {
  TempDir dir;
  FakeHost host;
  host.addFile(dir / "pw", "p4ssw0rd\n", 0644);
  const std::string path = dir / "passerelle.toml";
  writeFile(path, minimalPartner("password_file = \"pw\"\nca_file = \"nowhere.pem\"\n") +
                      "[destination.lba]\napi_key_file = \"absent\"\n");
  const Config config = loadConfig(path, kFormats, kHost);
  const std::vector<std::string> problems = checkConfig(config, host);
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].find("partner[0] (cfa-a).password_file: secret file " + (dir / "pw") +
                         ": mode 0644") == 0);
  CHECK(problems[1].find("partner[0] (cfa-a).ca_file: " + (dir / "nowhere.pem")) == 0);
  CHECK(problems[2].find("destination.lba.api_key_file: secret file " + (dir / "absent")) == 0);
  for (const auto& problem : problems) CHECK(problem.find("p4ssw0rd") == std::string::npos);
}

TEST_CASE("the configuration path: --config, then $PASSERELLE_CONFIG, then the default") {
  {
    ConfigPath where = resolveConfigPath(std::nullopt, kHost);
    CHECK(where.path == "/etc/passerelle/passerelle.toml");
    CHECK(where.is_default);
    where = resolveConfigPath(std::string("/tmp/x.toml"), kHost);
    CHECK(where.path == "/tmp/x.toml");
    CHECK_FALSE(where.is_default);
  }
  {
    FakeHost host;
    host.set("PASSERELLE_CONFIG", "/srv/p.toml");
    CHECK(resolveConfigPath(std::nullopt, host).path == "/srv/p.toml");
    CHECK_FALSE(resolveConfigPath(std::nullopt, host).is_default);
    CHECK(resolveConfigPath(std::string("/tmp/x.toml"), host).path == "/tmp/x.toml");
    // Set but empty: as if unset.
    host.set("PASSERELLE_CONFIG", "");
    CHECK(resolveConfigPath(std::nullopt, host).is_default);
  }
  TempDir dir;
  // A missing default file means the defaults; a missing named file is an error.
  const Config config = loadConfig(ConfigPath{dir / "absent.toml", true}, kFormats, kHost);
  CHECK(config.store.url == "embedded");
  CHECK(config.partners.empty());
  CHECK(config.source_path.empty());
  CHECK_THROWS_WITH_AS(loadConfig(ConfigPath{dir / "absent.toml", false}, kFormats, kHost),
                       doctest::Contains((dir / "absent.toml").c_str()), ConfigError);
}

TEST_CASE("defaultConfig's state directory follows XDG when not root") {
  FakeHost host;
  host.setUserIds(1000, 1000).set("HOME", "/home/u");
  CHECK(defaultConfig(host).daemon.state_dir == "/home/u/.local/state/passerelle");
  CHECK(defaultConfig(host).daemon.spool_dir == "/home/u/.local/state/passerelle/spool");
  host.set("XDG_STATE_HOME", "/x/state");
  CHECK(defaultConfig(host).daemon.state_dir == "/x/state/passerelle");
  // The XDG specification: a relative value is ignored.
  host.set("XDG_STATE_HOME", "x/state");
  CHECK(defaultConfig(host).daemon.state_dir == "/home/u/.local/state/passerelle");
  // Nothing to go by: the system's directory.
  CHECK(defaultConfig(kHost).daemon.state_dir == "/var/lib/passerelle");
}

int runCommand(const connectors::Host& host, std::vector<std::string> args) {
  CLI::App app;
  ExitStatus status;
  addConfigCommand(app, status, host);
  std::reverse(args.begin(), args.end());
  app.parse(args);
  return status.code;
}

TEST_CASE("passerelle config check") {
  TempDir dir;
  FakeHost host;
  const std::string path = dir / "passerelle.toml";
  host.addFile(dir / "pw", "x\n", 0600);
  writeFile(path, minimalPartner("password_file = \"pw\"\n"));
  CHECK(runCommand(host, {"config", "check", "--config", path}) == kExitOk);

  host.addFile(dir / "pw", "x\n", 0604);
  CHECK(runCommand(host, {"config", "check", "--config", path}) == kExitFailure);

  writeFile(path, minimalPartner("bogus = 1\n"));
  CHECK(runCommand(host, {"config", "check", "--config", path}) == kExitFailure);
  CHECK(runCommand(host, {"config", "check", "--config", dir / "absent.toml"}) == kExitFailure);
  CHECK_THROWS_AS(runCommand(host, {"config"}), CLI::ParseError);
}

TEST_CASE("credentials in the store's or the destinations' URLs are refused, naming the key") {
  TempDir dir;
  const std::string path = dir / "passerelle.toml";
  CHECK(errorOf(dir, "[store]\nurl = \"postgresql://passerelle:s3cret@db/passerelle\"\n") ==
        path +
            ":2: store.url: must not contain a password (name a secret file with "
            "store.password_file instead)");
  CHECK(errorOf(dir, "[store]\nurl = \"postgresql://db/passerelle?user=p&password=s3cret\"\n")
            .find(path + ":2: store.url: must not contain a password") == 0);
  // A user alone is no secret.
  CHECK(errorOf(dir, "[store]\nurl = \"postgresql://passerelle@db/passerelle\"\n").empty());
  CHECK(errorOf(dir,
                "[destination.lba]\napi_key_file = \"k\"\n"
                "url = \"https://user:pw@api.example/api\"\n") ==
        path +
            ":3: destination.lba.url: must not contain a user or password (name a secret file "
            "with destination.lba.api_key_file instead)");
  CHECK(errorOf(dir,
                "[destination.france-travail]\npartner_key = \"K\"\nlogin = \"l\"\n"
                "password_file = \"ft\"\nurl = \"https://l:pw@ft.example/depot\"\n") ==
        path +
            ":5: destination.france-travail.url: must not contain a user or password (name a "
            "secret file with destination.france-travail.login and "
            "destination.france-travail.password_file instead)");
  // An '@' in the path is not a credential.
  CHECK(errorOf(dir, "[destination.lba]\napi_key_file = \"k\"\nurl = \"https://api.example/@v1\"\n")
            .empty());
}

TEST_CASE("store.password_file: a secret like the others, relative to the file") {
  TempDir dir;
  const std::string path = dir / "passerelle.toml";
  writeFile(path, "[store]\nurl = \"postgresql://p@db/p\"\npassword_file = \"db\"\n", 0644);
  const Config config = loadConfig(path, kFormats, kHost);
  CHECK(config.store.password_file == dir / "db");
  FakeHost host;
  host.addFile(dir / "db", "pw\n", 0640);
  const std::vector<std::string> problems = checkConfig(config, host);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("store.password_file: secret file " + (dir / "db") + ": mode 0640") == 0);
  CHECK(errorOf(dir, "[store]\npassword_file = \"db\"\n")
            .find(path + ":2: store.password_file: the embedded store needs no password") == 0);
}

TEST_CASE("[destination.france-travail], and the old france_travail spelling, are read") {
  TempDir dir;
  const std::string path = dir / "passerelle.toml";
  for (const char* table : {"france-travail", "france_travail"}) {
    writeFile(path,
              std::string("[destination.") + table +
                  "]\nmode = \"spool\"\npartner_key = \"K\"\nschedule = [\"06:00\"]\n",
              0644);
    const Config config = loadConfig(path, kFormats, kHost);
    CHECK(config.france_travail.enabled);
    CHECK(config.france_travail.partner_key == "K");
    CHECK(config.france_travail.schedule == std::vector<TimeOfDay>{{6, 0}});
  }
  CHECK(errorOf(dir,
                "[destination.france-travail]\nmode = \"spool\"\npartner_key = \"K\"\n"
                "[destination.france_travail]\nmode = \"spool\"\npartner_key = \"K\"\n")
            .find("destination.france_travail: [destination.france-travail] is also given") !=
        std::string::npos);
}

TEST_CASE("a reload says what changed and what needs a restart") {
  TempDir dir;
  const std::string path = dir / "passerelle.toml";
  writeFile(path,
            "[daemon]\nlog_format = \"text\"\nhttp = \"127.0.0.1:9464\"\n" + minimalPartner() +
                "[destination.france_travail]\nmode = \"spool\"\npartner_key = \"K\"\n",
            0644);
  const Config before = loadConfig(path, kFormats, kHost);
  CHECK(changedSettings(before, before).applied.empty());
  writeFile(path,
            "[daemon]\nlog_format = \"json\"\nhttp = \"127.0.0.1:9465\"\n" +
                minimalPartner("after = \"keep\"\n") +
                "[destination.france-travail]\nmode = \"spool\"\npartner_key = \"K\"\n",
            0644);
  const ConfigChanges changes = changedSettings(before, loadConfig(path, kFormats, kHost));
  CHECK(changes.applied == std::vector<std::string>{"daemon.log_format", "partner cfa-a.after"});
  CHECK(changes.restart_needed == std::vector<std::string>{"daemon.http"});
}

TEST_CASE("as root, config check reports the secrets the service user could not read") {
  TempDir dir;
  const std::string path = dir / "passerelle.toml";
  writeFile(
      path,
      minimalPartner("password_file = \"pw\"\n") + "[destination.lba]\napi_key_file = \"lba\"\n",
      0644);
  const Config config = loadConfig(path, kFormats, kHost);
  FakeHost host;
  host.setUserIds(0, 0)
      .addAccount({990, 990, "passerelle", "/var/lib/passerelle"})
      .addFile(dir / "pw", "x", 0600, 0, 0)        // root's: the service cannot read it
      .addFile(dir / "lba", "k", 0600, 990, 990);  // the service user's own
  const std::vector<std::string> warnings = serviceUserWarnings(config, host);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("partner[0] (cfa-a).password_file: secret file " + (dir / "pw") +
                         ": the service user passerelle cannot read it (owner uid 0, mode "
                         "0600); unless the unit hands it over with LoadCredential=pw:") == 0);
  // Handed over by systemd: nothing to say.
  host.set("CREDENTIALS_DIRECTORY", "/run/credentials/passerelle.service")
      .addFile("/run/credentials/passerelle.service/pw", "x");
  CHECK(serviceUserWarnings(config, host).empty());
  // Not root: the user running it is the one who reads them.
  FakeHost user;
  user.addAccount({990, 990, "passerelle", "/var/lib/passerelle"})
      .addFile(dir / "pw", "x", 0600, 0, 0);
  CHECK(serviceUserWarnings(config, user).empty());
}

}  // namespace
}  // namespace passerelle::daemon
