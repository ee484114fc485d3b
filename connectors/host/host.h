// Host: what the program asks of the operating system about itself —
// environment variables, who it runs as, the accounts of the machine, and
// private files (secrets) read whole — behind one injectable object, the way
// LevelDB's Env is, so that tests choose all of it without touching the
// process (no setenv(), no root, no files with chosen owners).
//
// SystemHost asks the real system; FakeHost answers from the values a test
// put in it. The program makes one SystemHost in main() and hands it down;
// nothing else reads the environment or the user ids.
//
// Thread safety: SystemHost is stateless and thread-safe as long as nobody
// changes the process environment (which the program never does). FakeHost is
// filled by the test before use and only read afterwards; reads may then come
// from any thread.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace passerelle::connectors {

class Host {
 public:
  // A user account of the machine (the password database).
  struct Account {
    unsigned uid = 0;
    unsigned gid = 0;
    std::string name;
    std::string home;
  };

  // A regular file read whole through one descriptor, so that the mode is
  // that of the content read, not of a path that could have been swapped.
  struct FileRead {
    unsigned mode = 0;    // permission bits (07777)
    std::string content;  // at most max_bytes + 1 bytes: more means larger
    unsigned uid = 0;     // owner, to tell who else could read it
    unsigned gid = 0;
  };

  virtual ~Host() = default;

  // An environment variable; nullopt when unset (set but empty gives "").
  virtual std::optional<std::string> variable(const std::string& name) const = 0;
  // Every variable as "NAME=value", to build a child process's environment.
  virtual std::vector<std::string> environment() const = 0;

  virtual unsigned effectiveUserId() const = 0;
  virtual unsigned realUserId() const = 0;
  virtual std::optional<Account> account(unsigned uid) const = 0;
  virtual std::optional<Account> account(const std::string& name) const = 0;

  virtual bool isRegularFile(const std::string& path) const = 0;
  // Reads at most max_bytes + 1 bytes of a regular file. Throws
  // std::runtime_error saying what failed ("cannot open: No such file or
  // directory", "not a regular file"...), without the path.
  virtual FileRead readRegularFile(const std::string& path, std::size_t max_bytes) const = 0;
  // The user id owning a path (not following a final symlink); nullopt when
  // it does not exist.
  virtual std::optional<unsigned> ownerOf(const std::string& path) const = 0;
};

class SystemHost final : public Host {
 public:
  std::optional<std::string> variable(const std::string& name) const override;
  std::vector<std::string> environment() const override;
  unsigned effectiveUserId() const override;
  unsigned realUserId() const override;
  std::optional<Account> account(unsigned uid) const override;
  std::optional<Account> account(const std::string& name) const override;
  bool isRegularFile(const std::string& path) const override;
  FileRead readRegularFile(const std::string& path, std::size_t max_bytes) const override;
  std::optional<unsigned> ownerOf(const std::string& path) const override;
};

// A host made of the values a test gives it: no variable, uid 1000 and no
// account or file until set.
class FakeHost final : public Host {
 public:
  struct File {
    std::string content;
    unsigned mode = 0600;
    unsigned uid = 1000;
    unsigned gid = 1000;
  };

  FakeHost& set(const std::string& name, std::string value) {
    variables_[name] = std::move(value);
    return *this;
  }
  FakeHost& unset(const std::string& name) {
    variables_.erase(name);
    return *this;
  }
  FakeHost& setUserIds(unsigned effective, unsigned real) {
    effective_uid_ = effective;
    real_uid_ = real;
    return *this;
  }
  FakeHost& addAccount(Account a) {
    accounts_.push_back(std::move(a));
    return *this;
  }
  FakeHost& addFile(const std::string& path, std::string content, unsigned mode = 0600,
                    unsigned uid = 1000, unsigned gid = 1000) {
    files_[path] = File{std::move(content), mode, uid, gid};
    return *this;
  }

  std::optional<std::string> variable(const std::string& name) const override {
    auto it = variables_.find(name);
    if (it == variables_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<std::string> environment() const override {
    std::vector<std::string> out;
    for (const auto& [name, value] : variables_) out.push_back(name + "=" + value);
    return out;
  }
  unsigned effectiveUserId() const override { return effective_uid_; }
  unsigned realUserId() const override { return real_uid_; }
  std::optional<Account> account(unsigned uid) const override {
    for (const Account& a : accounts_)
      if (a.uid == uid) return a;
    return std::nullopt;
  }
  std::optional<Account> account(const std::string& name) const override {
    for (const Account& a : accounts_)
      if (a.name == name) return a;
    return std::nullopt;
  }
  bool isRegularFile(const std::string& path) const override { return files_.count(path) > 0; }
  FileRead readRegularFile(const std::string& path, std::size_t max_bytes) const override {
    auto it = files_.find(path);
    if (it == files_.end()) throw std::runtime_error("cannot open: No such file or directory");
    return FileRead{it->second.mode & 07777, it->second.content.substr(0, max_bytes + 1),
                    it->second.uid, it->second.gid};
  }
  FakeHost& setOwner(const std::string& path, unsigned uid) {
    owners_[path] = uid;
    return *this;
  }
  std::optional<unsigned> ownerOf(const std::string& path) const override {
    auto it = owners_.find(path);
    if (it == owners_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, std::string> variables_;
  unsigned effective_uid_ = 1000;
  unsigned real_uid_ = 1000;
  std::vector<Account> accounts_;
  std::map<std::string, File> files_;
  std::map<std::string, unsigned> owners_;
};

}  // namespace passerelle::connectors
