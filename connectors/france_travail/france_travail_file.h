// The France Travail feed file (shared/specs/destinations/france-travail.md):
// eligibility, the C/M/S decision, and the exact bytes of each row.
//
// A row is built in two steps: ftRowFields() gives the 35 column values
// already cleaned (no control characters, no HTML tags) and cut to their
// limits on character boundaries; ftJoinRow() quotes and joins them. One
// value is never cut: an e-mail address longer than its column is left empty
// (a cut address reaches nobody), with the warning "EMAIL_TOO_LONG", and is
// then not an apply channel (Mode_presentation, NO_APPLY_CHANNEL). The "row hash"
// that decides between M and nothing is the SHA-256 of the row with
// Type_mouvement and Off_date_modification left empty: those two change
// because of a movement, not because of the offer, and must not make a row
// "differ" by themselves.
//
// Thread safety: pure functions; FtFileBuilder is a plain value (one thread
// at a time).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/destination/destination_common.h"
#include "formats/offer.h"
#include "formats/paris_time.h"

namespace passerelle::connectors {

// Configured values of the feed (the daemon maps its config to this).
struct FtFeedSettings {
  std::string partner_key;   // Par_cle, e.g. BRETAGNEALTERNANCE
  std::string partner_name;  // Par_nom
  std::string url_template;  // Par_URL_offre with "{ref}", or empty
  std::string etab_siret;    // Off_etab_siret, or empty
};

// ROME appellation from the reference table, when the daemon has one.
struct FtAppellation {
  std::string code_ogr, label;
};

inline constexpr std::size_t kFtColumnCount = 35;
extern const std::array<std::string_view, kFtColumnCount> kFtColumns;
extern const std::array<std::size_t, kFtColumnCount> kFtColumnLimits;
using FtFields = std::array<std::string, kFtColumnCount>;

struct FtRowInput {
  const formats::Offer* offer = nullptr;  // for S: the last full version of the offer
  char movement = 'C';                    // 'C', 'M' or 'S'
  formats::CivilDate created;             // Off_date_creation: first seen by the portal
  formats::CivilDate modified;            // Off_date_modification: last change
  std::optional<FtAppellation> appellation;
};

// Column helpers, exposed for tests.
//
// ftCleanText: each run of line breaks, control characters and HTML tags
// becomes one space. Only real tags are removed, so that plain text written
// with angle brackets ("<bac+2 minimum>", "a < b > c", "<3") stays as it is.
// A real tag (ftHtmlTagLength) is, with ASCII letters in any case:
//   - "<" NAME ( WS+ ATTRIBUTE )* WS* "/"? ">"  where NAME is a known HTML
//     element (kFtHtmlElements: the HTML standard's and obsolete ones such as
//     font or center, and Word's o:p), and each ATTRIBUTE a known attribute
//     name (global and common ones, data-*, aria-*), alone or followed by
//     "=" and a value in double quotes, single quotes, or unquoted;
//   - "</" NAME WS* ">";
//   - a comment "<!--" … "-->".
// So "<b>", "<br/>", "</b>", <a href="…">, "<p class=MsoNormal>" are tags;
// "<bac+2 minimum>", "<a partir de 2 ans>" (no such attribute), "< p >" are
// not.
std::string ftCleanText(std::string_view text);
// Length of the real tag starting at `pos`, or 0 if there is none.
std::size_t ftHtmlTagLength(std::string_view text, std::size_t pos);
std::string ftQuote(std::string_view field);                // quoting rule
std::string ftReference(const formats::Offer& offer);       // Par_ref_offre (shortened)
std::string ftPhone(std::string_view e164);                 // Tel_correspondant
std::string ftDate(const std::optional<std::string>& iso);  // JJ/MM/AAAA or ""
std::string ftDate(const formats::CivilDate& date);

// Mail_correspondant: the cleaned address if it fits the column (55
// characters), else nullopt: never cut.
std::optional<std::string> ftEmail(const std::optional<std::string>& email);

// `warnings` (if given) receives what the row had to leave out, e.g.
// "EMAIL_TOO_LONG", for the caller to log with the offer.
FtFields ftRowFields(const FtRowInput& input, const FtFeedSettings& settings,
                     std::vector<std::string>* warnings = nullptr);
std::string ftJoinRow(const FtFields& fields);  // with its LF
std::string ftHeader();                         // the header row with its LF
std::string ftRowHash(const FtFields& fields);  // see above

// Eligibility reasons: NOT_SHARED, NO_APPLY_CHANNEL (an e-mail too long for
// its column does not count as a channel); empty = eligible (status is
// checked by decideFt).
std::vector<std::string> ftIneligibility(const formats::Offer& offer,
                                         const FtFeedSettings& settings);

enum class FtMovement { kNone, kCreate, kModify, kSuppress, kNotEligible };
char toChar(FtMovement movement);  // 'C', 'M', 'S', or '\0'
struct FtDecision {
  FtMovement movement = FtMovement::kNone;
  std::vector<std::string> reasons;  // kNotEligible (and kSuppress of an offer that became so)
  std::string row_hash;  // for C/M: store it as "accepted" once the file holding it is accepted
  FtFields fields;       // for C/M: the row, ready for FtFileBuilder::add(fields, movement)
  // Values left out of the row, for the caller to log with the offer (not a
  // refusal: the row is sent without them): "EMAIL_TOO_LONG". Filled for
  // C/M and for kNotEligible.
  std::vector<std::string> warnings;
};
// `accepted_row_hash`: hash of the last row France Travail accepted for this
// offer, nullopt if none (never accepted, or suppressed since). A full-stock
// batch passes nullopt for every offer, which yields C for every eligible one.
FtDecision decideFt(const FtRowInput& input, OfferStatus status,
                    const std::optional<std::string>& accepted_row_hash,
                    const FtFeedSettings& settings);

// A file under construction: header first, then one row per add().
class FtFileBuilder {
 public:
  explicit FtFileBuilder(FtFeedSettings settings);
  void add(const FtRowInput& input);
  // A row already computed (FtDecision::fields); `movement` fills Type_mouvement.
  void add(FtFields fields, char movement);
  std::size_t rows() const { return rows_; }
  const std::string& bytes() const { return bytes_; }

 private:
  FtFeedSettings settings_;
  std::string bytes_;
  std::size_t rows_ = 0;
};

}  // namespace passerelle::connectors
