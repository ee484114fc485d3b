// percentEncode: RFC 3986 unreserved characters as they are, everything
// else as %XX, plus the characters a caller keeps.
#include "connectors/url/percent_encode.h"

#include <doctest/doctest.h>

#include <string>

using passerelle::connectors::percentEncode;

TEST_CASE("percentEncode keeps the unreserved characters") {
  CHECK(percentEncode("AZaz09-._~") == "AZaz09-._~");
  CHECK(percentEncode("") == "");
}

TEST_CASE("percentEncode escapes everything else, upper-case hex") {
  CHECK(percentEncode("/run/passerelle store") == "%2Frun%2Fpasserelle%20store");
  CHECK(percentEncode("a:b") == "a%3Ab");
  CHECK(percentEncode("é") == "%C3%A9");  // UTF-8 bytes, each escaped
  CHECK(percentEncode(std::string("\0\xff", 2)) == "%00%FF");
}

TEST_CASE("percentEncode keeps what the caller allows") {
  CHECK(percentEncode("cfa:REF 1", ":") == "cfa:REF%201");
  CHECK(percentEncode("a/b:c", "/:") == "a/b:c");
}
