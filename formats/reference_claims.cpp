#include "formats/reference_claims.h"

#include <utility>

#include "formats/excerpt.h"

namespace passerelle::formats {

namespace {

FieldError duplicateRef(const std::string& ref) {
  return FieldError{std::string(fieldPath(FieldId::kSourceRef)), "DUPLICATE_REF",
                    "La référence « " + excerpt(ref) + " » apparaît déjà plus haut dans le fichier",
                    excerpt(ref)};
}

}  // namespace

bool ReferenceClaims::claim(const std::string& ref) {
  return !snapshot_ || seen_.insert(ref);
}

void ReferenceClaims::apply(RowOutcome& row) {
  if (!snapshot_) return;
  const std::optional<std::string>& ref =
      row.is_offer ? row.offer.source_ref : row.reject.source_ref;
  if (!ref) return;
  if (seen_.insert(*ref) || row.whole) return;
  if (!row.is_offer) {
    row.reject.errors.insert(row.reject.errors.begin(), duplicateRef(*ref));
    return;
  }
  Reject reject;
  reject.line = row.offer.line;
  reject.record = row.offer.record;
  reject.source_ref = row.offer.source_ref;
  reject.errors.push_back(duplicateRef(*ref));
  reject.warnings = std::move(row.offer.warnings);
  row.reject = std::move(reject);
  row.is_offer = false;
}

}  // namespace passerelle::formats
