// FranceTravailClient against tests/servers/france_travail_server.py: the
// exact success test, failures kept with their answer, zip, spool, archive.
#include "connectors/france_travail/france_travail_client.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "connectors/france_travail/france_travail_file.h"
#include "tests/support/france_travail_test_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_server_process.h"
#include "tests/unit/connectors/sample_offers.h"

using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace pc = passerelle::connectors;
using Json = nlohmann::json;
using passerelle::testing::ftClientSettingsFor;
using passerelle::testing::sampleOffer;
using passerelle::testing::TempDir;
using passerelle::testing::TestServer;

namespace {

std::string sampleCsv() {
  const auto o = sampleOffer();
  pc::FtFileBuilder file({"BRETAGNEALTERNANCE", "Bretagne Alternance", "", ""});
  file.add({&o, 'C', {2026, 3, 2}, {2026, 3, 5}, std::nullopt});
  return file.bytes();
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_SUITE("france_travail_client") {
  TEST_CASE("success only on 200 and the exact (trimmed) text") {
    CHECK(pc::ftIsSuccessAnswer(200, "Votre fichier a bien ete envoye"));
    CHECK(pc::ftIsSuccessAnswer(200, "  Votre fichier a bien ete envoye\r\n"));
    CHECK_FALSE(pc::ftIsSuccessAnswer(201, "Votre fichier a bien ete envoye"));
    CHECK_FALSE(pc::ftIsSuccessAnswer(200, "Votre fichier a bien été envoyé"));
    CHECK_FALSE(pc::ftIsSuccessAnswer(200, "Votre fichier a bien ete envoye. Erreur"));
    CHECK_FALSE(pc::ftIsSuccessAnswer(200, ""));
  }

  TEST_CASE("csv and zip uploads are accepted; the server saw the form and the file") {
    TestServer server("france_travail_server.py", {"--trailing-newline"});
    pc::ManualClock clock;
    pc::FranceTravailClient client(ftClientSettingsFor(server), clock);
    const std::string csv = sampleCsv();
    for (bool zip : {false, true}) {
      const auto result = client.send(pc::ftPayload(csv, "FLUXTEST", zip, clock));
      CHECK(result.accepted);
      CHECK(result.http_status == 200);
      CHECK(result.answer == "Votre fichier a bien ete envoye\n");
      CHECK(result.error.empty());
    }
    const auto uploads = Json::parse(server.get("/__test__/uploads"));
    REQUIRE(uploads.size() == 2);
    for (const auto& u : uploads) {
      CHECK(u["accepted"] == true);
      CHECK(u["password_ok"] == true);
      CHECK(u["fields"]["login"] == "partenaire");
      CHECK(u["fields"]["nomFlux"] == "FLUXTEST");
      CHECK(u["fields"]["periodeRef"] == "");
      CHECK(u["csv"] == csv);
    }
    CHECK(uploads[1]["file_name"].get<std::string>().ends_with(".zip"));
  }

  TEST_CASE("failures keep the service's answer") {
    TestServer server("france_travail_server.py");
    pc::ManualClock clock;
    auto settings = ftClientSettingsFor(server);
    settings.password = "wrong";
    const auto denied = pc::FranceTravailClient(settings, clock)
                            .send(pc::ftPayload(sampleCsv(), "FLUXTEST", false, clock));
    CHECK_FALSE(denied.accepted);
    CHECK(denied.http_status == 401);
    CHECK(denied.answer == "Erreur : identifiant ou mot de passe incorrect");
    CHECK(denied.answer.find("wrong") == std::string::npos);

    pc::FranceTravailClient client(ftClientSettingsFor(server), clock);
    const auto bad_file = client.send(pc::ftPayload("a|b\n", "FLUXTEST", false, clock));
    CHECK_FALSE(bad_file.accepted);
    CHECK(bad_file.http_status == 200);
    CHECK(bad_file.answer.find("Erreur de format") == 0);

    server.post("/__test__/faults", R"({"mode": "error_text"})");
    const auto error_text = client.send(pc::ftPayload(sampleCsv(), "FLUXTEST", false, clock));
    CHECK_FALSE(error_text.accepted);
    CHECK(error_text.answer == "Erreur technique, veuillez renouveler votre envoi");

    server.post("/__test__/faults", R"({"mode": "500"})");
    const auto server_error = client.send(pc::ftPayload(sampleCsv(), "FLUXTEST", false, clock));
    CHECK_FALSE(server_error.accepted);
    CHECK(server_error.http_status == 500);

    server.post("/__test__/faults", R"({"mode": "drop"})");
    const auto dropped = client.send(pc::ftPayload(sampleCsv(), "FLUXTEST", false, clock));
    CHECK_FALSE(dropped.accepted);
    CHECK(dropped.http_status == 0);
    CHECK_FALSE(dropped.error.empty());

    CHECK(client.send(pc::ftPayload(sampleCsv(), "FLUXTEST", false, clock)).accepted);
  }

  TEST_CASE("spool mode writes the file atomically into the folder") {
    TempDir spool("passerelle-ft-spool");
    pc::ManualClock clock;
    pc::FtClientSettings settings;
    settings.spool_dir = spool.str();
    settings.url = "http://127.0.0.1:9/never";  // must not be contacted
    pc::FranceTravailClient client(settings, clock);
    const auto payload = pc::ftPayload(sampleCsv(), "FLUX", false, clock);
    const auto result = client.send(payload);
    CHECK(result.accepted);
    CHECK(spool.names() == std::vector<std::string>{payload.file_name});
    CHECK(readFile(spool / payload.file_name) == sampleCsv());
  }

  TEST_CASE("every file sent is archived with its answer, and removed after retention") {
    TestServer server("france_travail_server.py");
    TempDir archive("passerelle-ft-archive");
    pc::ManualClock clock;
    auto settings = ftClientSettingsFor(server);
    settings.archive_dir = archive.str();
    settings.archive_retention_days = 30;
    pc::FranceTravailClient client(settings, clock);
    const auto result = client.send(pc::ftPayload(sampleCsv(), "FLUXTEST", false, clock));
    REQUIRE(result.accepted);
    const auto names = archive.names();
    REQUIRE(names.size() == 2);
    CHECK(readFile(result.archived_path) == sampleCsv());
    const std::string answer = readFile(result.archived_path + ".answer.txt");
    CHECK(answer.find("accepted: yes") == 0);
    CHECK(answer.find("Votre fichier a bien ete envoye") != std::string::npos);
    CHECK(answer.find("secret") == std::string::npos);
    clock.advance(std::chrono::hours(24 * 29));
    CHECK(client.cleanupArchive() == 0);
    clock.advance(std::chrono::hours(24 * 2));
    CHECK(client.cleanupArchive() == 2);
    CHECK(archive.names().empty());
  }
}

TEST_SUITE("france_travail_client") {
  TEST_CASE("a file of awkward offers passes the depot's checks") {
    TestServer server("france_travail_server.py");
    pc::ManualClock clock;
    auto o = sampleOffer();
    o.title = "Vendeur | caissier \"polyvalent\"";
    std::string long_text;
    for (int i = 0; i < 1500; ++i) long_text += "é😀\n\t";
    o.description = long_text;
    o.workplace.city = long_text;
    o.contact.name = " Jean\r\nDupont";
    pc::FtFileBuilder file({"BRETAGNEALTERNANCE", "Bretagne | Alternance", "", ""});
    file.add({&o, 'C', {2026, 3, 2}, {2026, 3, 5}, std::nullopt});
    file.add({&o, 'S', {2026, 3, 2}, {2026, 3, 5}, std::nullopt});
    pc::FranceTravailClient client(ftClientSettingsFor(server), clock);
    const auto result = client.send(pc::ftPayload(file.bytes(), "FLUXTEST", true, clock));
    CHECK(result.answer == "Votre fichier a bien ete envoye");
    CHECK(result.accepted);
    const auto uploads = Json::parse(server.get("/__test__/uploads"));
    CHECK(uploads[0]["problems"].empty());
    CHECK(uploads[0]["csv"] == file.bytes());
  }
}
