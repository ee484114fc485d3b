// ReferenceSet against std::unordered_set on the same inserts: through its
// growths, with the empty string, with strings that differ only late, and
// with bytes of every value.
#include "formats/reference_set.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

using passerelle::formats::ReferenceSet;

TEST_CASE("ReferenceSet: an insert is refused the second time, and nothing else is") {
  ReferenceSet set;
  CHECK_FALSE(set.contains("Y-1"));
  CHECK(set.insert("Y-1"));
  CHECK_FALSE(set.insert("Y-1"));
  CHECK(set.insert("Y-10"));
  CHECK(set.insert("y-1"));
  CHECK(set.insert(""));
  CHECK_FALSE(set.insert(""));
  CHECK(set.insert(std::string("Y-1\0", 4)));
  CHECK(set.contains("Y-1"));
  CHECK(set.contains(""));
  CHECK_FALSE(set.contains("Y-2"));
  CHECK(set.size() == 5);
}

TEST_CASE("ReferenceSet: the same answers as std::unordered_set through many growths") {
  std::mt19937 rng(14);
  ReferenceSet set;
  std::unordered_set<std::string> expected;
  for (int i = 0; i < 60000; ++i) {
    std::string text;
    switch (rng() % 3) {
      case 0:  // a reference as partners write them, often repeated
        text = "REF-" + std::to_string(rng() % 40000);
        break;
      case 1:  // a long shared prefix: only the end differs
        text = std::string(200, 'x') + std::to_string(rng() % 500);
        break;
      default:  // any bytes, NUL included
        for (std::size_t k = rng() % 6; k > 0; --k) text += static_cast<char>(rng() % 256);
    }
    const bool inserted = expected.insert(text).second;
    REQUIRE(set.insert(text) == inserted);
    REQUIRE(set.size() == expected.size());
  }
  for (const std::string& text : expected) REQUIRE(set.contains(text));
  CHECK_FALSE(set.contains("REF-40000"));
}

TEST_CASE("ReferenceSet: references whose plain hashes share their low bits are still told apart") {
  // What a hostile file would send against a table indexed by the hash's low
  // bits: 400 references whose std::hash agree on their low 10 bits (the
  // first table has 1,024 slots). The set seeds its slots, so they spread;
  // either way every answer must be right.
  std::vector<std::string> crafted;
  const std::size_t target = std::hash<std::string_view>{}("REF-0") & 1023;
  for (long n = 1; crafted.size() < 400; ++n) {
    std::string text = "REF-" + std::to_string(n);
    if ((std::hash<std::string_view>{}(text)&1023) == target) crafted.push_back(std::move(text));
  }
  ReferenceSet set;
  for (const std::string& text : crafted) REQUIRE(set.insert(text));
  for (const std::string& text : crafted) REQUIRE_FALSE(set.insert(text));
  CHECK(set.size() == crafted.size());
  CHECK_FALSE(set.contains("REF-0"));
}
