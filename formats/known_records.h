// KnownRecords: records a caller has read before and knows the outcome of,
// so that a daily snapshot does not read them again (issue 14, the daily
// path: the same offers arrive every day, byte for byte).
//
// A data record's outcome depends only on its bytes and on what the records
// before it decided (RowLayout: encoding, header) — the field rules read no
// clock and no other row, except DUPLICATE_REF, which the reader still
// applies in file order. recordIdentity() writes those bytes out; the caller
// turns them into a key (keyOf(), a cryptographic hash: a collision would
// skip a changed row) and says which keys belong to an offer it holds
// unchanged (unchangedOffer()). Such a record is not decoded, validated nor
// prepared: the sink gets OfferSink::onUnchangedOffer() in its place. The
// caller must only answer for records that, read, gave an offer without
// warnings (a skipped record reports nothing), and must make the key depend
// on the reader's version, since a new version may read the same bytes
// otherwise.
//
// The key of every other record read as an offer is kept in
// Offer::prepared.record_key, for the caller to remember.
//
// Thread safety: keyOf() and unchangedOffer() are called concurrently from
// the row threads (RowWorkers); an implementation must not change while a
// file is read. The strings unchangedOffer() returns must outlive the read.
#pragma once

#include <string>
#include <string_view>

#include "formats/csv_tokenizer.h"
#include "formats/row_reader.h"

namespace passerelle::formats {

class KnownRecords {
 public:
  virtual ~KnownRecords() = default;
  // The key of a record's identity (recordIdentity()).
  virtual std::string keyOf(std::string_view identity) const = 0;
  // The reference of the offer that the record with this key gave, when the
  // caller holds it unchanged since; nullptr otherwise.
  virtual const std::string* unchangedOffer(const std::string& key) const = 0;
};

// Writes into `out` what decides how `record` reads under `layout` for
// `partner`'s `dialect`; false (nothing to key) for a record the reader must
// see (a quote error, a NUL byte, a field cut at the limits).
bool recordIdentity(const CsvRecord& record, const RowLayout& layout, std::string_view dialect,
                    std::string_view partner, std::string& out);

}  // namespace passerelle::formats
