// Only regular files are read as input (issue 11): a FIFO, a directory or a
// device is refused at once with a clear error, never waited on.
#include <sys/stat.h>

#include <doctest/doctest.h>

#include <fstream>
#include <system_error>

#include "formats/dialect_registry.h"
#include "formats/offer_file_reader.h"
#include "tests/support/temp_dir.h"

namespace pf = passerelle::formats;

TEST_CASE("file input: a FIFO or a directory is refused without waiting") {
  passerelle::testing::TempDir dir;
  const std::string fifo = dir / "export.csv";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(pf::FileByteSource{fifo}, doctest::Contains("not a regular file"),
                       std::system_error);
  CHECK_THROWS_WITH_AS(pf::FileByteSource{dir.path().string()},
                       doctest::Contains("not a regular file"), std::system_error);
  CHECK_THROWS_WITH_AS(pf::FileByteSource{dir / "missing.csv"}, doctest::Contains("cannot open"),
                       std::system_error);

  const std::string regular = dir / "ok.csv";
  std::ofstream(regular, std::ios::binary) << "abc";
  pf::FileByteSource source(regular);
  char buffer[8];
  CHECK(source.read(buffer, sizeof buffer) == 3);
  CHECK(source.isRegularFile());
}
