// Test support for the store tests: a fresh database per test case, files
// written on the fly, and helpers to look at the store.
//
// Thread safety: a TestStore is used by one test case; connect() gives each
// thread its own connection.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <pqxx/pqxx>

#include "connectors/host/clock.h"
#include "daemon/store/offer_import.h"

namespace passerelle::store_test {

// Creates a database of its own (dropped at the end) on the server of
// PASSERELLE_TEST_DATABASE_URL, migrated, plus a scratch directory.
class TestStore {
 public:
  TestStore();
  ~TestStore();
  TestStore(const TestStore&) = delete;
  TestStore& operator=(const TestStore&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  pqxx::connection& db() { return *connection_; }
  std::unique_ptr<pqxx::connection> connect() const;
  const std::filesystem::path& dir() const { return dir_; }
  // The clock of import(): the system's, so that successive imports get
  // successive times. A test that controls time gives OfferImport its own.
  connectors::Clock& clock() { return clock_; }

  // Writes `content` to dir()/name and returns the path.
  std::string writeFile(const std::string& name, const std::string& content) const;

  daemon::ImportRequest request(const std::string& partner, const std::string& format,
                                const std::string& path) const;
  daemon::ImportResult import(const std::string& partner, const std::string& format,
                              const std::string& path);
  daemon::ImportResult import(const daemon::ImportRequest& request);

  // One value (first column of the first row) as text; "" for NULL.
  std::string scalar(const std::string& sql);
  long count(const std::string& sql) { return std::stol(scalar(sql)); }
  // A fingerprint of everything an import may write.
  std::string storeFingerprint();

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
  std::filesystem::path dir_;
  std::unique_ptr<pqxx::connection> connection_;
  connectors::SystemClock clock_;
};

// An offer row of a generated Ymag file (UTF-8 is accepted for Ymag).
struct YmagRow {
  std::string ref;
  std::string title = "Vendeur en boulangerie";
  std::string siret = "510 245 678 00014";
  std::string expires = "31/12/2030";
  std::string updated = "02/03/2026 14:05:00";
  std::string rome = "D1106";
  std::string postal_code = "35000";
  std::string description =
      "\"Fabrication du pain ; viennoiseries.\nHoraires : 4h-11h.\"";  // as written in the CSV
  std::string email = "contact@example.fr";
  std::string phone = "02 99 40 00 00";
};
std::string ymagFile(const std::vector<YmagRow>& rows);
std::vector<YmagRow> ymagRows(int first, int count, const std::string& title = "Vendeur");

// A GIL movement row.
struct GilRow {
  std::string action;  // C, M, S
  std::string ref;
  std::string title = "Technicien de maintenance";
  std::string updated;  // MAJ, may be empty
};
std::string gilFile(const std::vector<GilRow>& rows);

std::string fixture(const std::string& name);

}  // namespace passerelle::store_test

// How doctest prints the store's values in failed checks.
namespace passerelle::daemon {
inline std::ostream& operator<<(std::ostream& out, RunOutcome outcome) {
  return out << toString(outcome);
}
inline std::ostream& operator<<(std::ostream& out, const MergeCounts& c) {
  return out << "created=" << c.created << " updated=" << c.updated << " unchanged=" << c.unchanged
             << " withdrawn=" << c.withdrawn << " reactivated=" << c.reactivated
             << " expired=" << c.expired;
}
}  // namespace passerelle::daemon
