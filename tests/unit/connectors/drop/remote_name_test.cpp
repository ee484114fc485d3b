// Remote names are data (remote_name.h): bounded, shown as valid UTF-8
// whatever their bytes, never a local file's name.
#include "connectors/drop/remote_name.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "connectors/drop/partner_report.h"

using namespace passerelle::connectors;

namespace {

bool isValidUtf8Text(const std::string& s) {
  // What displayName() promises: printable ASCII, or bytes >= 0x80 (checked
  // as UTF-8 by PostgreSQL in the integration tests).
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

}  // namespace

TEST_CASE("names: at most 255 bytes; hostile bytes refused") {
  CHECK(nameProblem(std::string(255, 'a')) == NameProblem::kNone);
  CHECK(nameProblem(std::string(256, 'a')) == NameProblem::kTooLong);
  CHECK(nameProblem(std::string(10000, 'a') + "/..") == NameProblem::kTooLong);
  for (const char* bad :
       {"", ".hidden.csv", "a/b.csv", "a\\b.csv", "a..csv", "a\nb.csv", "a\rb.csv", "a\x7f.csv"}) {
    CAPTURE(bad);
    CHECK(nameProblem(bad) == NameProblem::kUnsafe);
    CHECK_FALSE(isSafeRemoteName(bad));
  }
  CHECK(isSafeRemoteName("YMAG \xe9t\xe9.csv"));  // Latin-1 bytes: a name like another
}

TEST_CASE("display form: valid UTF-8, reversible, distinct for distinct names") {
  CHECK(displayName("YMAG_été.csv") == "YMAG_été.csv");
  CHECK(displayName("YMAG_\xe9t\xe9.csv") == "YMAG_\\xe9t\\xe9.csv");
  CHECK(displayName("a\\b") == "a\\\\b");
  CHECK(displayName("a\nb\x7f") == "a\\x0ab\\x7f");
  CHECK(displayName("csi\xc2\x9b") == "csi\\xc2\\x9b");                  // C1 control
  CHECK(displayName("\xed\xa0\x80") == "\\xed\\xa0\\x80");               // a surrogate is not UTF-8
  CHECK(displayName("\xf0\x9f\x98\x80.csv") == "\xf0\x9f\x98\x80.csv");  // U+1F600 kept
  const std::string names[] = {"a\\x41", "aA", "a\\\\x41", "\xff", "\\xff", "a\xc3", "a\xc3\xa9"};
  std::set<std::string> shown;
  for (const auto& n : names) {
    CAPTURE(n);
    const std::string d = displayName(n);
    CHECK(isValidUtf8Text(d));
    CHECK(nameFromDisplay(d) == n);
    shown.insert(d);
  }
  CHECK(shown.size() == std::size(names));
  CHECK_FALSE(nameFromDisplay("a\\q").has_value());
  CHECK_FALSE(nameFromDisplay("a\\").has_value());
}

TEST_CASE("log form: bounded, with the name's length") {
  const std::string huge(30000, '\xff');
  const std::string shown = logName(huge);
  CHECK(shown.size() < kLogNameBytes + 40);
  CHECK(shown.find("(30000 bytes)") != std::string::npos);
  CHECK(logName("short.csv") == "short.csv");
}

TEST_CASE("local names: the spool's is a fixed-length digest; derived names stay <= 255 bytes") {
  const std::string long_name = std::string(253, 'y') + ".csv";  // 257: never listed, but bounded
  CHECK(spoolName("YMAG_A.csv").size() == 37);
  CHECK(spoolName(std::string(253, 'x')).size() == 37);
  CHECK(spoolName("a") != spoolName("b"));
  CHECK(spoolName("a\nb").find('\n') == std::string::npos);

  const std::string n253(249, 'x');
  const std::string name253 = n253 + ".csv";
  CHECK(boundedName("short.csv", ".report.csv") == "short.csv.report.csv");
  const std::string b1 = boundedName(name253, ".report.csv");
  const std::string b2 = boundedName(n253 + ".CSV", ".report.csv");
  CHECK(b1.size() == kMaxNameBytes);
  CHECK(b1 != b2);
  CHECK(b1.substr(b1.size() - 11) == ".report.csv");
  // Never cuts a UTF-8 character.
  std::string accents = "a";
  for (int i = 0; i < 127; ++i) accents += "é";  // 255 bytes
  const std::string cut = boundedName(accents, ".report.csv");
  CHECK(cut.size() <= kMaxNameBytes);
  CHECK(displayName(cut).find("\\x") == std::string::npos);

  CHECK(reportFileName(name253).size() + 5 <= kMaxNameBytes);  // ".<report>.tmp" fits too
  CHECK(reportFileName("YMAG_A.csv") == "YMAG_A.csv.report.csv");
  CHECK(collisionName(name253, 12).size() <= kMaxNameBytes);
  CHECK(collisionName(name253, 12).substr(collisionName(name253, 12).size() - 7) == ".12.csv");
  CHECK(collisionName(long_name, 1).size() <= kMaxNameBytes);
  CHECK(collisionName("YMAG_X.csv", 2) == "YMAG_X.2.csv");
  CHECK(collisionName("noext", 1) == "noext.1");
}
