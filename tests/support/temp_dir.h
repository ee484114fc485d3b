// TempDir: a fresh directory for one test, removed with its content at the
// end of the scope. Made with mkdtemp (mode 0700, a unique name), so that
// tests running side by side (ctest -j) never share one.
//
// Thread safety: none needed; one TempDir belongs to the test that made it.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace passerelle::testing {

class TempDir {
 public:
  // The directory is "<temp>/<prefix>.XXXXXX". Throws std::runtime_error.
  explicit TempDir(std::string_view prefix = "passerelle-test") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + ".XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  // The path of `name` inside the directory, as a string for the APIs under
  // test: dir / "a.csv".
  std::string operator/(std::string_view name) const { return (path_ / name).string(); }

  // The names of the entries, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_)) {
      out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace passerelle::testing
