// SHA-256: the one-shot and streaming forms give the same lower-case hex,
// the known answers of FIPS 180-2.
#include "connectors/digest/sha256.h"

#include <doctest/doctest.h>

#include <string>

using passerelle::connectors::Sha256;
using passerelle::connectors::sha256Hex;

namespace {
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
}  // namespace

TEST_CASE("sha256Hex: known answers") {
  CHECK(sha256Hex("") == kEmpty);
  CHECK(sha256Hex("abc") == kAbc);
  CHECK(sha256Hex("hello\n") == "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
}

TEST_CASE("Sha256: fed in pieces, the same digest as in one go") {
  Sha256 empty;
  CHECK(empty.finishHex() == kEmpty);

  Sha256 pieces;
  pieces.update("a");
  pieces.update("");
  pieces.update("bc");
  CHECK(pieces.finishHex() == kAbc);

  std::string big(200000, 'x');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31 % 251);
  Sha256 blocks;
  for (std::size_t at = 0; at < big.size(); at += 65536) {
    blocks.update(std::string_view(big).substr(at, 65536));
  }
  CHECK(blocks.finishHex() == sha256Hex(big));
}
