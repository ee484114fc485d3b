// Canonical JSON lines of shared/specs/offer.md: offers, rejects, file
// warnings and errors, and the summary.
//
// Byte-exact: keys always present and in the documented order, null for
// absent values, no spaces, UTF-8 written as is; only '"', '\' and
// U+0000-U+001F are escaped. The same offer always gives the same bytes.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "formats/field_error.h"
#include "formats/offer.h"
#include "formats/offer_file_reader.h"

namespace passerelle::formats {

void appendJsonString(std::string_view utf8, std::string& out);

// Each appends one JSON object, without a line end.
void appendOfferJson(const Offer& offer, std::string& out);
void appendRejectJson(const Reject& reject, std::string& out);
void appendFileWarningJson(const FileIssue& issue, std::string& out);
void appendFileErrorJson(const FileIssue& issue, std::string& out);
void appendSummaryJson(const ReadSummary& summary, std::string& out);
void appendFieldErrorJson(const FieldError& error, std::string& out);

std::string offerJson(const Offer& offer);

}  // namespace passerelle::formats
