// Secrets: reading a secret file safely (secrets.h).
#include "daemon/config/secrets.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace passerelle::daemon {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxSecretBytes = 64 * 1024;

std::string modeString(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

// Overwritten before release: a refused or unneeded secret should not stay
// in freed memory.
void wipe(std::string& secret) {
  std::fill(secret.begin(), secret.end(), '\0');
}

}  // namespace

std::string readSecret(const connectors::Host& host, const std::string& file_or_name) {
  // systemd's LoadCredential= puts the secret in a private directory under the
  // credential's name; the configured file's name is that name.
  std::string path = file_or_name;
  bool from_credentials = false;
  if (auto dir = host.variable("CREDENTIALS_DIRECTORY"); dir && !dir->empty()) {
    const std::string name = fs::path(file_or_name).filename().string();
    const std::string candidate = (fs::path(*dir) / name).string();
    if (!name.empty() && host.isRegularFile(candidate)) {
      path = candidate;
      from_credentials = true;
    }
  }
  if (path.empty()) throw std::runtime_error("secret file: no file named");

  connectors::Host::FileRead file;
  try {
    file = host.readRegularFile(path, kMaxSecretBytes);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("secret file " + path + ": " + e.what());
  }
  // The credentials directory is systemd's private copy: its modes are
  // systemd's business, not the operator's.
  if (!from_credentials && (file.mode & 077) != 0) {
    wipe(file.content);
    throw std::runtime_error("secret file " + path + ": mode " + modeString(file.mode) +
                             " gives access to group or others; refused (chmod 600 " + path + ")");
  }
  std::string content = std::move(file.content);
  if (content.size() > kMaxSecretBytes) {
    wipe(content);
    throw std::runtime_error("secret file " + path + ": larger than 64 KiB, refused");
  }
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
  if (content.empty()) throw std::runtime_error("secret file " + path + ": empty");
  return content;
}

std::optional<std::string> serviceUserProblem(const connectors::Host& host,
                                              const std::string& file_or_name,
                                              const connectors::Host::Account& account) {
  const std::string name = fs::path(file_or_name).filename().string();
  if (auto dir = host.variable("CREDENTIALS_DIRECTORY"); dir && !dir->empty()) {
    if (!name.empty() && host.isRegularFile((fs::path(*dir) / name).string())) return std::nullopt;
  }
  connectors::Host::FileRead file;
  try {
    file = host.readRegularFile(file_or_name, kMaxSecretBytes);
  } catch (const std::runtime_error&) {
    return std::nullopt;
  }
  wipe(file.content);
  const bool readable = (file.uid == account.uid && (file.mode & 0400)) ||
                        (file.gid == account.gid && (file.mode & 0040)) || (file.mode & 0004);
  if (readable) return std::nullopt;
  return "secret file " + file_or_name + ": the service user " + account.name +
         " cannot read it (owner uid " + std::to_string(file.uid) + ", mode " +
         modeString(file.mode) + "); unless the unit hands it over with LoadCredential=" + name +
         ":" + file_or_name + ", chown " + account.name + " " + file_or_name;
}

std::optional<std::string> secretProblem(const connectors::Host& host,
                                         const std::string& file_or_name) {
  try {
    std::string value = readSecret(host, file_or_name);
    wipe(value);
    return std::nullopt;
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
}

}  // namespace passerelle::daemon
