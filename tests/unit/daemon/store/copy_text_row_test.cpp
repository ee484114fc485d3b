// COPY text rows split and unescaped as the PostgreSQL manual describes
// (the integration test of `offers --json` reads real COPY output).
#include "daemon/store/copy_text_row.h"

#include <doctest/doctest.h>

using passerelle::daemon::CopyTextRow;

TEST_CASE("copy text row: fields, NULL, escapes") {
  CopyTextRow row;
  REQUIRE(row.parse("a\\\\b\\tx\t\\N\t42\t\t{\"t\":\"l1\\\\nl2\"}\n"));
  REQUIRE(row.size() == 5);
  CHECK(row.text(0) == "a\\b\tx");
  CHECK(row.isNull(1));
  CHECK(row.text(1).empty());
  CHECK(row.text(2) == "42");
  CHECK_FALSE(row.isNull(3));  // an empty string is not NULL
  CHECK(row.text(3).empty());
  CHECK(row.text(4) == "{\"t\":\"l1\\nl2\"}");
}

TEST_CASE("copy text row: control escapes, octal and hex bytes, others literal") {
  CopyTextRow row;
  REQUIRE(row.parse("\\b\\f\\n\\r\\v|\\101\\7|\\x41\\x4|\\q\\x"));
  REQUIRE(row.size() == 1);
  CHECK(row.text(0) == std::string("\b\f\n\r\v|A\a|A\x04|qx"));
}

TEST_CASE("copy text row: buffers reused from row to row, sizes follow") {
  CopyTextRow row;
  REQUIRE(row.parse("1\t2\t3"));
  CHECK(row.size() == 3);
  REQUIRE(row.parse("\\N"));
  CHECK(row.size() == 1);
  CHECK(row.isNull(0));
  REQUIRE(row.parse("x\n"));
  CHECK(row.text(0) == "x");
  CHECK_FALSE(row.parse("bad\\"));  // a lone trailing backslash
}
