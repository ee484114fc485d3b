// Tests of connectors/host: SystemHost against the real system (files it
// creates, its own user), FakeHost as the tests use it.
#include "connectors/host/host.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace passerelle::connectors {
namespace {

namespace fs = std::filesystem;

// A directory removed with its content at the end of the scope.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "passerelle-host.XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name, const std::string& content, mode_t mode) const {
    const std::string path = (path_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    ::chmod(path.c_str(), mode);
    return path;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST_CASE("SystemHost reads a regular file whole, with its mode") {
  const SystemHost host;
  ScratchDir dir;
  const std::string file = dir.file("secret", "hunter2\n", 0640);
  CHECK(host.isRegularFile(file));
  const Host::FileRead read = host.readRegularFile(file, 1024);
  CHECK(read.content == "hunter2\n");
  CHECK(read.mode == 0640u);
  // At most max_bytes + 1: enough to tell that the file is larger.
  CHECK(host.readRegularFile(dir.file("big", std::string(10000, 'x'), 0600), 100).content.size() ==
        101);
  CHECK_FALSE(host.isRegularFile(dir.path().string()));
  CHECK_THROWS_WITH_AS(host.readRegularFile(dir.path().string(), 1024),
                       doctest::Contains("not a regular file"), std::runtime_error);
  CHECK_THROWS_WITH_AS(host.readRegularFile((dir.path() / "missing").string(), 1024),
                       doctest::Contains("cannot open"), std::runtime_error);
  // A FIFO named as a secret: refused at once, never waited on.
  const std::string fifo = (dir.path() / "fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_FALSE(host.isRegularFile(fifo));
  CHECK_THROWS_WITH_AS(host.readRegularFile(fifo, 1024), doctest::Contains("not a regular file"),
                       std::runtime_error);
}

TEST_CASE("SystemHost: the process's own ids and account") {
  const SystemHost host;
  CHECK(host.effectiveUserId() == ::geteuid());
  CHECK(host.realUserId() == ::getuid());
  const auto me = host.account(host.effectiveUserId());
  if (me) {
    CHECK(me->uid == host.effectiveUserId());
    const auto same = host.account(me->name);
    REQUIRE(same.has_value());
    CHECK(same->uid == me->uid);
  }
  CHECK_FALSE(host.account(std::string("no-such-user-of-passerelle")).has_value());
  // Read only: PATH is there in any test run, and environment() agrees.
  const auto path = host.variable("PATH");
  REQUIRE(path.has_value());
  bool listed = false;
  for (const std::string& entry : host.environment()) listed = listed || entry == "PATH=" + *path;
  CHECK(listed);
}

TEST_CASE("FakeHost answers only what it was given") {
  FakeHost host;
  CHECK_FALSE(host.variable("HOME").has_value());
  CHECK(host.environment().empty());
  host.set("HOME", "/home/u").set("EMPTY", "");
  CHECK(host.variable("HOME") == "/home/u");
  CHECK(host.variable("EMPTY") == "");
  CHECK(host.environment() == std::vector<std::string>{"EMPTY=", "HOME=/home/u"});
  host.unset("HOME");
  CHECK_FALSE(host.variable("HOME").has_value());

  CHECK(host.effectiveUserId() == 1000u);
  host.setUserIds(0, 1000);
  CHECK(host.effectiveUserId() == 0u);
  CHECK(host.realUserId() == 1000u);
  host.addAccount({70, 70, "postgres", "/var/lib/postgresql"});
  CHECK(host.account(70u)->name == "postgres");
  CHECK(host.account(std::string("postgres"))->home == "/var/lib/postgresql");
  CHECK_FALSE(host.account(std::string("nobody")).has_value());

  host.addFile("/s/key", "k\n", 0644);
  CHECK(host.isRegularFile("/s/key"));
  CHECK(host.readRegularFile("/s/key", 10).mode == 0644u);
  CHECK_THROWS_WITH_AS(host.readRegularFile("/s/none", 10), doctest::Contains("cannot open"),
                       std::runtime_error);
}

}  // namespace
}  // namespace passerelle::connectors
