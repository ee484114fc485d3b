// The pipeline calls a dialect's hooks for everything, never only where a
// built-in dialect needs them (dialect.h): a fourth dialect may transform any
// field, with or without a backslash in it.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "reader_test_support.h"

namespace pf = passerelle::formats;
using pf::FieldId;

namespace {

// Ymag's description, plus a transform that records every call and writes
// titles in upper case.
class RecordingDialect final : public pf::Dialect {
 public:
  RecordingDialect() : Dialect(pf::DialectRegistry::instance().create("ymag")->spec()) {}

  std::string_view transformField(FieldId field, std::string_view value,
                                  std::string& scratch) const override {
    ++calls[field];
    if (field != FieldId::kTitle) return value;
    scratch.clear();
    for (char c : value) scratch.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
    return scratch;
  }

  mutable std::map<FieldId, int> calls;
};

}  // namespace

TEST_CASE("transformField is called for every field of every row, backslash or not") {
  const auto ymag = pf::testing::ymag();
  const std::string file =
      ymag.headerLine() + ymag.row() +
      ymag.row({{"N° offre", "Y-2"}, {"Descriptif du poste", "Sans barre oblique inverse."}});
  RecordingDialect dialect;
  pf::testing::Collected c;
  pf::testing::CollectingSink sink(c);
  pf::StringByteSource source(file);
  c.summary = pf::OfferFileReader(dialect, {}).readOnePass(source, sink);

  REQUIRE(c.offers.size() == 2);
  CHECK(c.offers[0].title == std::optional<std::string>("APPRENTI BOULANGER"));
  CHECK(c.offers[1].description == std::optional<std::string>("Sans barre oblique inverse."));
  for (const auto& column : dialect.spec().columns) {
    CAPTURE(column.header);
    CHECK(dialect.calls[column.field] == 2);
  }
  CHECK(dialect.calls[FieldId::kDescription] == 2);
  CHECK(dialect.calls[FieldId::kSourceRef] == 2);
}
