// RowValidator: turns one data row's decoded column values into an Offer or
// a Reject, applying the text normalisation and every field rule of
// shared/specs/offer.md with the code tables of the row's dialect.
//
// The reader feeds the values of the dialect's columns in the order of the
// dialect's column list (addColumn), then calls finish(). Every problem of the
// row is collected (a reject lists all its errors at once); optional fields
// with a problem become null with a warning. A row's validation depends on
// that row alone: DUPLICATE_REF, which depends on the rows before it, is the
// reader's (ReferenceClaims), in file order.
//
// Thread safety: one validator per thread; not shared.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "formats/dialect.h"
#include "formats/offer.h"

namespace passerelle::formats {

class RowValidator {
 public:
  RowValidator(const Dialect& dialect, std::string partner);

  // Starts a row. `rules` false: only the columns are collected (a quick pass
  // that looks for file errors only).
  // `record`: the row's number among the data records (Offer::record).
  void beginRow(long line, long record);
  // Appends one column's decoded value (raw UTF-8, before folding).
  void addColumn(FieldId field, std::string_view decoded);
  // Validates the row. The result stays valid until the next beginRow().
  // Returns true for an offer (offer()), false for a reject (reject()).
  bool finish();

  const Offer& offer() const { return offer_; }
  const Reject& reject() const { return reject_; }
  // Moves the row's offer into `into`, keeping the text buffers of what
  // `into` held (an offer the caller is done with) for the next rows: no
  // copy of an offer, and no allocation of its long texts, per row.
  void takeOffer(Offer& into) {
    recycle(into);
    into = std::move(offer_);
  }
  void takeReject(Reject& into) { std::swap(into, reject_); }

  // A reject for a row whose fields cannot be trusted (FIELD_COUNT, ENCODING,
  // CSV_QUOTE): that error alone.
  const Reject& rejectWhole(long line, long record, FieldError error,
                            std::optional<std::string> source_ref);

  // The source_ref of the current row if it is valid (for rows rejected as a
  // whole, when the reader can still find it).
  std::optional<std::string> validSourceRef(std::string_view decoded) const;

 private:
  struct Slot {
    std::string text;  // folded value (columns joined)
    bool filled = false;
  };
  Slot& slot(FieldId id) { return slots_[static_cast<std::size_t>(id)]; }
  const std::string& text(FieldId id) const { return slots_[static_cast<std::size_t>(id)].text; }
  std::optional<std::string> valueOf(FieldId id) const;
  // A field's text for the offer, copied into a buffer an earlier offer
  // left (recycle()): an offer's long texts are not allocated for every row.
  std::optional<std::string> textValue(FieldId id);
  // Keeps the buffers of `old`'s texts (an offer the caller is done with,
  // given back by takeOffer(), or this row's unfinished one) for textValue().
  void recycle(Offer& old);

  void error(FieldId id, std::string code, std::string message);
  void warning(FieldId id, std::string code, std::string message);
  void errorWithValue(FieldId id, std::string code, std::string message,
                      std::optional<std::string> value);

  void checkSourceRef();
  void checkEmployer();
  void checkJob();
  void checkContract();
  void checkDiploma();
  void checkWorkplace();
  void checkContact();
  void checkPublication();
  void buildDelete();

  std::optional<std::string> parseDate(std::string_view text) const;
  std::optional<std::string> parseDateTime(std::string_view text) const;
  std::optional<std::string> optionalText(FieldId id) const;

  const Dialect& dialect_;
  const DialectSpec& spec_;
  std::string partner_;
  Slot slots_[kFieldCount];
  std::string scratch_;
  std::string spare_[kFieldCount];  // text buffers for textValue(), by field
  std::string transform_scratch_;   // what the dialect's transformField() made of a value
  Offer offer_;
  Reject reject_;
  std::vector<FieldError> errors_;
  std::vector<FieldError> warnings_;
  long line_ = 0;
  long record_ = 0;
};

}  // namespace passerelle::formats
