#include "daemon/store/store_connection.h"

#include <map>
#include <mutex>
#include <string_view>

#include "connectors/url/percent_encode.h"

namespace passerelle::daemon {
namespace {

// The parts of a postgresql:// URI that say where the store is.
struct StoreAddress {
  std::string user;
  std::string host;
  std::string port;
  std::string database;

  std::string key() const { return user + "@" + host + ":" + port + "/" + database; }
};

std::string percentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// postgresql://[user[:password]@][host][:port][/database][?key=value&...];
// query parameters (host, port, user, dbname) win, as in libpq.
StoreAddress parseAddress(std::string_view url) {
  StoreAddress a;
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return a;
  std::string_view rest = url.substr(scheme + 3);
  const auto query_at = rest.find('?');
  std::string_view query = query_at == std::string_view::npos ? "" : rest.substr(query_at + 1);
  rest = rest.substr(0, query_at);
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) a.database = percentDecode(rest.substr(slash + 1));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    a.user = percentDecode(userinfo.substr(0, userinfo.find(':')));
    authority = authority.substr(at + 1);
  }
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    a.port = std::string(authority.substr(colon + 1));
    authority = authority.substr(0, colon);
  }
  a.host = percentDecode(authority);
  while (!query.empty()) {
    const std::string_view pair = query.substr(0, query.find('&'));
    query = pair.size() < query.size() ? query.substr(pair.size() + 1) : "";
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = pair.substr(0, eq);
    std::string value = percentDecode(pair.substr(eq + 1));
    if (key == "host") a.host = value;
    if (key == "port") a.port = value;
    if (key == "user") a.user = value;
    if (key == "dbname") a.database = value;
  }
  return a;
}

// store (StoreAddress::key) -> the secret file its password was read from.
struct PasswordFiles {
  std::mutex mutex;
  std::map<std::string, std::string> by_store;
};

PasswordFiles& passwordFiles() {
  static PasswordFiles files;
  return files;
}

std::string passwordFileOf(const StoreAddress& a) {
  PasswordFiles& files = passwordFiles();
  std::lock_guard lock(files.mutex);
  auto it = files.by_store.find(a.key());
  return it == files.by_store.end() ? std::string() : it->second;
}

std::string firstLine(std::string text) {
  // libpq's messages end with a newline and may add a second, indented line.
  const auto end = text.find('\n');
  if (end != std::string::npos) text.resize(end);
  return text;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

bool isAuthenticationFailure(const std::string& message) {
  return contains(message, "password authentication failed") ||
         contains(message, "no password supplied") ||
         contains(message, "authentication failed for user");
}

// The sentence of a refused login: which user, which secret file.
std::string refusedLogin(const std::string& url, const std::string& detail) {
  const StoreAddress a = parseAddress(url);
  const std::string user = a.user.empty() ? "(the system user's name)" : a.user;
  std::string message = "the store at " + describeStore(url) + " refused the login of user " +
                        user + ": " + firstLine(detail);
  const std::string file = passwordFileOf(a);
  if (file.empty()) {
    message += " (no password is configured: name a secret file with store.password_file)";
  } else {
    message += " (check the password in " + file + ", named by store.password_file)";
  }
  return message;
}

}  // namespace

std::string describeStore(const std::string& url) {
  const StoreAddress a = parseAddress(url);
  std::string where = a.host.empty() ? "localhost" : a.host;
  where += ":" + (a.port.empty() ? std::string("5432") : a.port);
  if (!a.database.empty()) where += "/" + a.database;
  if (!a.user.empty()) where += " (user " + a.user + ")";
  return where;
}

std::string withStorePassword(const std::string& url, const std::string& password,
                              const std::string& password_file) {
  {
    PasswordFiles& files = passwordFiles();
    std::lock_guard lock(files.mutex);
    files.by_store[parseAddress(url).key()] = password_file;
  }
  const char separator = url.find('?') == std::string::npos ? '?' : '&';
  return url + separator + "password=" + connectors::percentEncode(password);
}

std::string explainStoreFailure(const std::string& url, const std::exception& failure) {
  const std::string detail = failure.what();
  if (dynamic_cast<const StoreError*>(&failure)) return detail;
  if (isAuthenticationFailure(detail)) return refusedLogin(url, detail);
  // pqxx says "Could not obtain client encoding: not connected" or "Lost
  // connection" when the server went away under an open session.
  if (dynamic_cast<const pqxx::broken_connection*>(&failure) || contains(detail, "not connected") ||
      contains(detail, "onnection to server") || contains(detail, "server closed the connection")) {
    return "the store at " + describeStore(url) + " cannot be reached: " + firstLine(detail);
  }
  return detail;
}

std::unique_ptr<pqxx::connection> openStore(const std::string& url) {
  std::unique_ptr<pqxx::connection> connection;
  try {
    connection = std::make_unique<pqxx::connection>(url);
  } catch (const pqxx::broken_connection& e) {
    const std::string detail = e.what();
    if (isAuthenticationFailure(detail)) throw StoreError(refusedLogin(url, detail));
    throw StoreError("cannot connect to the store at " + describeStore(url) + ": " +
                     firstLine(detail));
  }
  // Session settings, once: statements then rely on them.
  pqxx::nontransaction setup(*connection);
  setup.exec("SET TIME ZONE 'Europe/Paris'");
  setup.exec("SET application_name = 'passerelle'");
  // Imports stage whole files in temporary tables: keep them in memory
  // (allocated only when used; must be set before the first temporary table).
  setup.exec("SET temp_buffers = '128MB'");
  setup.commit();
  return connection;
}

}  // namespace passerelle::daemon
