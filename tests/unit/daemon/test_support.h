// Helpers of the daemon unit tests: temporary directories and files with a
// given mode. (Environment variables are a FakeHost's, connectors/host/host.h:
// tests set none in the process.)
//
// Thread safety: none; doctest runs the tests on one thread.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

#include "tests/support/temp_dir.h"

namespace passerelle::daemon::testing {

// The tests' temporary directory (tests/support/temp_dir.h).
using passerelle::testing::TempDir;

inline void writeFile(const std::string& path, const std::string& content, mode_t mode = 0600) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
  ::chmod(path.c_str(), mode);
}

}  // namespace passerelle::daemon::testing
