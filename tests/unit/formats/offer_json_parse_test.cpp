// parseOfferJson: every offer line of the golden files reads back into an
// Offer that prints to the same bytes; other lines and bad shapes are refused.
#include "formats/offer_json_parse.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "formats/offer_json.h"

namespace fmt = passerelle::formats;

TEST_CASE("parseOfferJson round-trips every golden offer line") {
  const std::filesystem::path golden =
      std::filesystem::path(PASSERELLE_FIXTURES_DIR) / ".." / "golden";
  long offers = 0;
  for (const auto& entry : std::filesystem::directory_iterator(golden)) {
    if (entry.path().extension() != ".expected") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("{\"kind\":\"offer\"", 0) != 0) {
        CHECK_FALSE(fmt::parseOfferJson(line).has_value());
        continue;
      }
      const auto offer = fmt::parseOfferJson(line);
      REQUIRE_MESSAGE(offer.has_value(), entry.path().filename().string() << ": " << line);
      CHECK(fmt::offerJson(*offer) == line);
      ++offers;
    }
  }
  CHECK(offers > 10);
}

TEST_CASE("parseOfferJson refuses what is not an offer") {
  CHECK_FALSE(fmt::parseOfferJson("").has_value());
  CHECK_FALSE(fmt::parseOfferJson("{").has_value());
  CHECK_FALSE(fmt::parseOfferJson("[]").has_value());
  CHECK_FALSE(fmt::parseOfferJson(R"({"kind":"reject","line":1})").has_value());
  CHECK_FALSE(fmt::parseOfferJson(R"({"kind":"offer","line":"x"})").has_value());
  CHECK_FALSE(
      fmt::parseOfferJson(R"({"kind":"offer","line":1,"action":"upsert","title":3})").has_value());
  fmt::Offer o;
  o.source_ref = "A\"1";
  o.title = "Boulanger\n(H/F) é";
  o.rome_codes = {"D1102"};
  o.share_with_france_travail = false;
  o.warnings.push_back({std::string("title"), "X", "m", std::nullopt});
  const auto back = fmt::parseOfferJson(fmt::offerJson(o));
  REQUIRE(back.has_value());
  CHECK(*back == o);
}
