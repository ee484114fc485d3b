// ReferenceClaims: the source_refs a snapshot file has already used, in file
// order. The first row with a reference claims it, offer or reject (offer.md,
// Precisions: a rejected row whose reference is known claims it too); a later
// row with the same reference is a DUPLICATE_REF reject. A delta file's
// references are never claimed (a reference may move several times).
//
// This is the one field rule that depends on the rows before a row, so it is
// applied on the reader's thread, to the rows in file order, after the rest of
// the rules (RowReader) ran on any thread. The set is the one part of reading
// a file that grows with the number of rows.
//
// Thread safety: one per file pass; not shared.
#pragma once

#include <string>

#include "formats/dialect.h"
#include "formats/reference_set.h"
#include "formats/row_reader.h"

namespace passerelle::formats {

class ReferenceClaims {
 public:
  explicit ReferenceClaims(Semantics semantics) : snapshot_(semantics == Semantics::kSnapshot) {}

  // Claims `row`'s reference, or turns the row into a DUPLICATE_REF reject
  // when an earlier row claimed it: the error comes first, as the field
  // rules list the reference's problems first, and an offer's warnings stay.
  void apply(RowOutcome& row);
  // Claims `ref` for a row known to be an offer without reading it; false,
  // claiming nothing, when an earlier row claimed it.
  bool claim(const std::string& ref);
  bool snapshot() const { return snapshot_; }

 private:
  bool snapshot_;
  ReferenceSet seen_;
};

}  // namespace passerelle::formats
