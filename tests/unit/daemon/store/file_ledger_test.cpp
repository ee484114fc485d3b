// The ledger's fingerprint of a downloaded file: its SHA-256 and size, read
// only from a regular file (a FIFO is refused at once, never waited on).
#include "daemon/store/file_ledger.h"

#include <sys/stat.h>

#include <doctest/doctest.h>

#include <fstream>
#include <system_error>

#include "tests/support/temp_dir.h"

TEST_CASE("file ledger: fingerprint of a regular file; a FIFO is refused") {
  passerelle::testing::TempDir dir;
  const std::string file = dir / "a.csv";
  std::ofstream(file, std::ios::binary) << "abc";
  const auto fp = passerelle::daemon::fingerprintFile(file);
  CHECK(fp.size == 3);
  CHECK(fp.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string fifo = dir / "fifo.csv";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(passerelle::daemon::fingerprintFile(fifo),
                       doctest::Contains("not a regular file"), std::system_error);
}
