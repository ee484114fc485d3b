// LocalDropFolder (file://) and the listing parsers of FtpsDropFolder.
#include "connectors/drop/local_drop_folder.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "connectors/drop/ftps_drop_folder.h"
#include "tests/unit/connectors/drop/test_folder.h"

using namespace passerelle::connectors;
using namespace passerelle_test;

namespace {
DropFolderSettings at(std::string url) {
  DropFolderSettings s;
  s.url = std::move(url);
  return s;
}
// sha256("hello\n")
const char* kHelloSha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
}  // namespace

TEST_CASE("file://: list shows regular files only, not subfolders nor links") {
  TempDir dir;
  writeFile(dir / "a.csv", "hello\n");
  writeFile(dir / "empty.csv", "");
  ::mkdir((dir / "done").c_str(), 0755);
  writeFile(dir / "done/old.csv", "x");
  REQUIRE(::symlink("/etc/passwd", (dir / "link.csv").c_str()) == 0);
  ManualClock clock;
  auto folder = openDropFolder(at("file://" + dir.str() + "/"), clock);
  auto entries = folder->list();
  std::sort(entries.begin(), entries.end(),
            [](const RemoteEntry& a, const RemoteEntry& b) { return a.name < b.name; });
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].name == "a.csv");
  CHECK(entries[0].size == 6);
  CHECK(entries[0].mtime.has_value());
  CHECK(entries[1].name == "empty.csv");
}

TEST_CASE("file://: download to the spool with SHA-256; nothing partial on failure") {
  TempDir dir, spool;
  writeFile(dir / "a.csv", "hello\n");
  LocalDropFolder folder("file://" + dir.str());
  auto result = folder.download("a.csv", spool / "a.csv", 1000);
  CHECK(result.path == spool / "a.csv");
  CHECK(result.size == 6);
  CHECK(result.sha256 == kHelloSha);
  CHECK(readFile(spool / "a.csv") == "hello\n");
  CHECK(countEntries(spool.str()) == 1);

  SUBCASE("larger than max_bytes") {
    try {
      folder.download("a.csv", spool / "b.csv", 5);
      FAIL("no error");
    } catch (const DropFolderError& e) {
      CHECK(e.kind() == DropFolderError::Kind::kTooLarge);
    }
    CHECK(countEntries(spool.str()) == 1);  // no b.csv, no b.csv.part
  }
  SUBCASE("missing file") {
    CHECK_THROWS_AS(folder.download("nope.csv", spool / "n.csv", 10), DropFolderError);
    CHECK(countEntries(spool.str()) == 1);
  }
  SUBCASE("hostile names are refused") {
    for (const char* name : {"../a.csv", "x/a.csv", ".a.csv", "a\\b", "a\nb"}) {
      CHECK_THROWS_AS(folder.download(name, spool / "h.csv", 10), DropFolderError);
      CHECK_THROWS_AS(folder.moveTo(name, "done"), DropFolderError);
      CHECK_THROWS_AS(folder.remove(name), DropFolderError);
    }
    CHECK_THROWS_AS(folder.moveTo("a.csv", "../elsewhere"), DropFolderError);
  }
}

TEST_CASE("file://: a raised cancel flag abandons the copy; nothing is left in the spool") {
  TempDir dir, spool;
  const std::string big(3 * 1024 * 1024 + 17, 'c');
  writeFile(dir / "big.csv", big);
  LocalDropFolder folder("file://" + dir.str());
  std::atomic<bool> cancel{true};
  try {
    folder.download("big.csv", spool / "big.csv", 100ull << 20, &cancel);
    FAIL("no error");
  } catch (const DropFolderError& e) {
    CHECK(e.kind() == DropFolderError::Kind::kCancelled);
  }
  CHECK(countEntries(spool.str()) == 0);  // no big.csv, no big.csv.part
  CHECK(readFile(dir / "big.csv") == big);
  // The flag down: the same copy completes.
  cancel = false;
  auto r = folder.download("big.csv", spool / "big.csv", 100ull << 20, &cancel);
  CHECK(r.size == big.size());
  CHECK(countEntries(spool.str()) == 1);
}

TEST_CASE("file://: moves create the subfolder and never overwrite") {
  TempDir dir;
  LocalDropFolder folder("file://" + dir.str() + "/");
  writeFile(dir / "a.csv", "1");
  CHECK(folder.moveTo("a.csv", "done") == "a.csv");
  writeFile(dir / "a.csv", "2");
  CHECK(folder.moveTo("a.csv", "done") == "a.1.csv");
  writeFile(dir / "a.csv", "3");
  CHECK(folder.moveTo("a.csv", "done") == "a.2.csv");
  CHECK(readFile(dir / "done/a.csv") == "1");
  CHECK(readFile(dir / "done/a.1.csv") == "2");
  CHECK(readFile(dir / "done/a.2.csv") == "3");
  writeFile(dir / "b", "4");
  CHECK(folder.moveTo("b", "failed") == "b");
  writeFile(dir / "b", "5");
  CHECK(folder.moveTo("b", "failed") == "b.1");
  CHECK_FALSE(exists(dir / "a.csv"));
  try {
    folder.moveTo("gone.csv", "done");
    FAIL("no error");
  } catch (const DropFolderError& e) {
    CHECK(e.kind() == DropFolderError::Kind::kNotFound);
  }
  writeFile(dir / "c.csv", "6");
  folder.remove("c.csv");
  CHECK_FALSE(exists(dir / "c.csv"));
}

TEST_CASE("file://: reports go to reports/, created on need, replaced whole") {
  TempDir dir;
  LocalDropFolder folder("file://" + dir.str());
  folder.writeReport("a.csv.report.csv", "first");
  CHECK(readFile(dir / "reports/a.csv.report.csv") == "first");
  folder.writeReport("a.csv.report.csv", "second");
  CHECK(readFile(dir / "reports/a.csv.report.csv") == "second");
  CHECK(countEntries(dir / "reports") == 1);
  CHECK_THROWS_AS(folder.writeReport("../x", "y"), DropFolderError);
}

TEST_CASE("openDropFolder: schemes and TLS modes") {
  ManualClock clock;
  CHECK_THROWS_AS(openDropFolder(at("sftp://h/x/"), clock), DropFolderError);
  DropFolderSettings s = at("ftps://h/x/");
  s.tls = DropTls::kExplicit;
  CHECK_THROWS_AS(openDropFolder(s, clock), DropFolderError);
  s.tls = DropTls::kImplicit;
  CHECK(openDropFolder(s, clock) != nullptr);
  s.url = "ftp://u:secret@h/x";
  CHECK_THROWS_AS(openDropFolder(s, clock), DropFolderError);
  s.tls = DropTls::kExplicit;
  auto f = openDropFolder(s, clock);
  CHECK(f->describe() == "ftp://h/x/");
  CHECK(collisionName("YMAG_X.csv", 2) == "YMAG_X.2.csv");
  CHECK(collisionName("noext", 1) == "noext.1");
}

TEST_CASE("listing parsers: unix, DOS and MLSD lines") {
  using namespace std::chrono;
  // 2026-11-26 13:00 UTC.
  Clock::WallTime now = sys_days(year(2026) / 11 / 26) + hours(13);
  RemoteEntry e;
  REQUIRE(parseUnixListLine("-rw-r--r--    1 1001     1001         1234 Nov 26 12:34 YMAG A.csv",
                            now, e));
  CHECK(e.name == "YMAG A.csv");
  CHECK(e.size == 1234);
  CHECK(e.mtime == Clock::WallTime(sys_days(year(2026) / 11 / 26) + hours(12) + minutes(34)));
  // A date ahead of today with a time: last year.
  REQUIRE(parseUnixListLine("-rw-r--r--    1 ftp ftp 5 Dec 30 08:00 b.csv", now, e));
  CHECK(e.mtime == Clock::WallTime(sys_days(year(2025) / 12 / 30) + hours(8)));
  REQUIRE(parseUnixListLine("-rw-r--r-- 1 owner 77 Jan  5  2024 c.csv", now, e));  // no group
  CHECK(e.size == 77);
  CHECK(e.mtime == Clock::WallTime(sys_days(year(2024) / 1 / 5)));
  CHECK_FALSE(parseUnixListLine("drwxr-xr-x    2 1001 1001 4096 Nov 26 12:34 done", now, e));
  CHECK_FALSE(
      parseUnixListLine("lrwxrwxrwx    1 0 0 11 Nov 26 12:34 l.csv -> /etc/passwd", now, e));
  CHECK_FALSE(parseUnixListLine("total 12", now, e));

  REQUIRE(parseDosListLine("03-05-24  01:34PM                 1234 my file.csv", e));
  CHECK(e.name == "my file.csv");
  CHECK(e.mtime == Clock::WallTime(sys_days(year(2024) / 3 / 5) + hours(13) + minutes(34)));
  CHECK_FALSE(parseDosListLine("03-05-24  01:34PM       <DIR>          done", e));

  REQUIRE(parseMlsdLine("type=file;size=42;modify=20260102030405.123;perm=r; a b.csv", e));
  CHECK(e.name == "a b.csv");
  CHECK(e.size == 42);
  CHECK(e.mtime ==
        Clock::WallTime(sys_days(year(2026) / 1 / 2) + hours(3) + minutes(4) + seconds(5)));
  CHECK_FALSE(parseMlsdLine("type=dir;modify=20260102030405; done", e));
  CHECK_FALSE(parseMlsdLine("type=cdir; .", e));
  // Numbers too large for anything are not a date: skipped, never thrown on.
  CHECK_FALSE(
      parseUnixListLine("-rw-r--r-- 1 ftp ftp 5 Nov 99999999999999999999999 12:34 x.csv", now, e));
  CHECK_FALSE(
      parseUnixListLine("-rw-r--r-- 1 ftp ftp 99999999999999999999999 Nov 2 12:34 x.csv", now, e));
}

TEST_CASE("listing text: CRLF lines; a line break inside a name forges no entry") {
  using namespace std::chrono;
  Clock::WallTime now = sys_days(year(2026) / 11 / 26) + hours(13);
  const std::string phantom = "-rw-r--r-- 1 ftp ftp 999 Nov 26 12:34 phantom.csv";
  // vsftpd ends lines with CRLF: the bare LF (or CR) is inside the name.
  const std::string text = "-rw-r--r-- 1 ftp ftp 5 Nov 26 12:34 evil\n" + phantom +
                           "\r\n-rw-r--r-- 1 ftp ftp 7 Nov 26 12:34 cr\r.csv\r\n"
                           "-rw-r--r-- 1 ftp ftp 3 Nov 26 12:34 a.csv\r\n";
  auto entries = parseListing(text, ListingStyle::kList, now);
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].name == "evil\n" + phantom);
  CHECK(entries[0].size == 5);
  CHECK_FALSE(isSafeRemoteName(entries[0].name));
  CHECK(entries[1].name == "cr\r.csv");
  CHECK(entries[2].name == "a.csv");
  // A CRLF anywhere: split on CRLF only, the LF stays inside the name.
  entries = parseListing("type=file;size=1; a.csv\ntype=file;size=2; b.csv\r\n",
                         ListingStyle::kMlsd, now);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].name == "a.csv\ntype=file;size=2; b.csv");
  // No CRLF at all: split on LF (a CR before it still ends the line).
  entries =
      parseListing("type=file;size=1; a.csv\ntype=file;size=2; b.csv\r", ListingStyle::kMlsd, now);
  REQUIRE(entries.size() == 2);
  CHECK(entries[1].name == "b.csv");
  // 30,000 characters in one entry: taken as a name (the selection bounds it).
  entries = parseListing("type=file;size=1; " + std::string(30000, 'x') + "\r\n",
                         ListingStyle::kMlsd, now);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].name.size() == 30000);
}

// Found by fuzz_listing: a modify fact in year 4052 overflowed the
// nanosecond clock (undefined behaviour). Such a time is unknown, not a date.
TEST_CASE("listing text: a time no clock can hold is unknown, the entry kept") {
  using namespace std::chrono;
  Clock::WallTime now = sys_days(year(2026) / 11 / 26) + hours(13);
  auto entries = parseListing(
      "type=file;size=42;modify=40520204060810; a.csv\r\n"
      "type=file;size=7;modify=18000101000000; b.csv\r\n"
      "type=file;size=9;modify=20260102030405; c.csv\r\n",
      ListingStyle::kMlsd, now);
  REQUIRE(entries.size() == 3);
  CHECK_FALSE(entries[0].mtime.has_value());
  CHECK_FALSE(entries[1].mtime.has_value());
  CHECK(entries[2].mtime == sys_days(year(2026) / 1 / 2) + hours(3) + minutes(4) + seconds(5));
  RemoteEntry e;
  REQUIRE(parseUnixListLine("-rw-r--r-- 1 ftp ftp 5 Nov 26  9999 far.csv", now, e));
  CHECK_FALSE(e.mtime.has_value());
}

TEST_CASE("file://: isUnchanged compares size, time and, when given, the SHA-256") {
  TempDir dir, spool;
  writeFile(dir / "a.csv", "hello\n");
  LocalDropFolder folder("file://" + dir.str());
  auto listed = folder.list().at(0);
  auto dl = folder.download("a.csv", spool / "a", 100);
  CHECK(folder.isUnchanged(listed, dl.sha256));
  CHECK(folder.isUnchanged(listed, ""));

  SUBCASE("rewritten with the same size and time: only the content tells") {
    writeFile(dir / "a.csv", "HELLO\n");
    struct timespec times[2];
    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_sec =
        std::chrono::duration_cast<std::chrono::seconds>(listed.mtime->time_since_epoch()).count();
    times[1].tv_nsec =
        std::chrono::duration_cast<std::chrono::nanoseconds>(listed.mtime->time_since_epoch())
            .count() %
        1'000'000'000;
    REQUIRE(::utimensat(AT_FDCWD, (dir / "a.csv").c_str(), times, 0) == 0);
    CHECK(folder.isUnchanged(listed, ""));
    CHECK_FALSE(folder.isUnchanged(listed, dl.sha256));
  }
  SUBCASE("rewritten longer") {
    writeFile(dir / "a.csv", "hello again\n");
    CHECK_FALSE(folder.isUnchanged(listed, ""));
  }
  SUBCASE("gone") {
    ::unlink((dir / "a.csv").c_str());
    CHECK_FALSE(folder.isUnchanged(listed, dl.sha256));
  }
}
