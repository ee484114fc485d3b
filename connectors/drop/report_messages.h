// ReportMessages: what a partner's report tells them to change, in French,
// for every code a report can carry (offer.md's field rules, the file-level
// issues, the store's remarks on GIL rows, FILE_TOO_LARGE).
//
// The reader's own message says what is wrong with the value found (it is
// French already, formats/field_error.h); the report adds the advice below so
// that a partner who knows their software, not ours, knows what to do. The
// words are the partner's: no "run", "snapshot", "movement" or "ledger".
//
// Thread safety: constant data and pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace passerelle::connectors {

struct ReportAdvice {
  std::string_view code;
  std::string_view advice;  // what to change, one or two French sentences
};

// Every code a report can carry, each once.
std::span<const ReportAdvice> reportAdvices();

std::optional<std::string_view> adviceFor(std::string_view code);

// The report's `message`: the reader's French sentence (what is wrong, may
// be empty), then the code's advice.
std::string reportMessage(std::string_view code, std::string_view detail);

}  // namespace passerelle::connectors
