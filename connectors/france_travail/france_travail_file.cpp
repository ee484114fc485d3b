#include "connectors/france_travail/france_travail_file.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "connectors/digest/sha256.h"
#include "connectors/url/percent_encode.h"
#include "formats/text_fold.h"

namespace passerelle::connectors {

const std::array<std::string_view, kFtColumnCount> kFtColumns = {"Par_ref_offre",
                                                                 "Par_cle",
                                                                 "Par_nom",
                                                                 "Par_URL_offre",
                                                                 "Code_rome",
                                                                 "Code_OGR",
                                                                 "Libelle_metier_OGR",
                                                                 "Description",
                                                                 "Exp_cle",
                                                                 "Qua_cle",
                                                                 "Tfm_cle_1",
                                                                 "Off_travail_hebdo_nb_hh",
                                                                 "Off_travail_hebdo_nb_mi",
                                                                 "THO_cle",
                                                                 "NTC_cle",
                                                                 "TCO_cle",
                                                                 "Off_contrat_duree_MO",
                                                                 "CPO_cle",
                                                                 "COM_cle",
                                                                 "COM_libelle",
                                                                 "DEP_cle",
                                                                 "Off_date_creation",
                                                                 "Off_date_modification",
                                                                 "Off_date_fin_publication",
                                                                 "OST_poste_restant_nb",
                                                                 "Off_client_final_siret",
                                                                 "Off_client_final_nom",
                                                                 "Off_etab_siret",
                                                                 "Type_mouvement",
                                                                 "Date_debut_contrat",
                                                                 "Nom_correspondant",
                                                                 "Tel_correspondant",
                                                                 "Mail_correspondant",
                                                                 "Mode_diffusion",
                                                                 "Mode_presentation"};

const std::array<std::size_t, kFtColumnCount> kFtColumnLimits = {
    50, 50, 50, 300, 5,  6,  293, 4000, 1,  1,  3, 2,  2,  3,  2,  3, 2, 5,
    5,  50, 3,  10,  10, 10, 3,   14,   52, 14, 1, 10, 25, 15, 55, 1, 3};

namespace {

using formats::Offer;

// Column indexes used by name below.
enum Column : std::size_t {
  kRef = 0,
  kDateModification = 22,
  kMovement = 28,
  kMail = 32,
};

constexpr std::size_t kRefLimit = 50;
constexpr std::size_t kRefKeep = 37;
constexpr std::size_t kRefHashDigits = 12;

// Decodes one code point at `i` (input is well-formed UTF-8 from the reader;
// a stray byte is taken as itself) and advances `i`.
char32_t nextCodePoint(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t length = b0 < 0x80           ? 1
                       : (b0 >> 5) == 0x6  ? 2
                       : (b0 >> 4) == 0xE  ? 3
                       : (b0 >> 3) == 0x1E ? 4
                                           : 1;
  if (i + length > s.size()) length = 1;
  char32_t cp = length == 1 ? b0 : (b0 & (0x7F >> length));
  for (std::size_t k = 1; k < length; ++k) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  i += length;
  return cp;
}

// Line breaks and control characters, including the Unicode line and
// paragraph separators that some viewers also break lines on.
bool isBreakOrControl(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

// Element names, lower case, sorted (binary search): the HTML Living
// Standard's, the obsolete ones back offices and word processors still
// write, and Word's "o:p".
constexpr std::array<std::string_view, 130> kHtmlElements = {
    "a",        "abbr",     "acronym",    "address",  "applet",   "area",     "article",
    "aside",    "audio",    "b",          "base",     "basefont", "bdi",      "bdo",
    "big",      "blink",    "blockquote", "body",     "br",       "button",   "canvas",
    "caption",  "center",   "cite",       "code",     "col",      "colgroup", "data",
    "datalist", "dd",       "del",        "details",  "dfn",      "dialog",   "dir",
    "div",      "dl",       "dt",         "em",       "embed",    "fieldset", "figcaption",
    "figure",   "font",     "footer",     "form",     "frame",    "frameset", "h1",
    "h2",       "h3",       "h4",         "h5",       "h6",       "head",     "header",
    "hgroup",   "hr",       "html",       "i",        "iframe",   "img",      "input",
    "ins",      "kbd",      "label",      "legend",   "li",       "link",     "main",
    "map",      "mark",     "marquee",    "menu",     "meta",     "meter",    "nav",
    "nobr",     "noframes", "noscript",   "o:p",      "object",   "ol",       "optgroup",
    "option",   "output",   "p",          "param",    "picture",  "pre",      "progress",
    "q",        "rp",       "rt",         "ruby",     "s",        "samp",     "script",
    "search",   "section",  "select",     "slot",     "small",    "source",   "span",
    "strike",   "strong",   "style",      "sub",      "summary",  "sup",      "table",
    "tbody",    "td",       "template",   "textarea", "tfoot",    "th",       "thead",
    "time",     "title",    "tr",         "track",    "tt",       "u",        "ul",
    "var",      "video",    "wbr",        "xmp"};

// Attribute names, lower case, sorted: the global ones and those of the
// elements above that texts pasted from web pages or Word carry.
constexpr std::array<std::string_view, 71> kHtmlAttributes = {"abbr",        "accesskey",
                                                              "align",       "alt",
                                                              "background",  "bgcolor",
                                                              "border",      "cellpadding",
                                                              "cellspacing", "charset",
                                                              "cite",        "class",
                                                              "clear",       "color",
                                                              "cols",        "colspan",
                                                              "content",     "contenteditable",
                                                              "coords",      "datetime",
                                                              "dir",         "disabled",
                                                              "download",    "draggable",
                                                              "face",        "frame",
                                                              "headers",     "height",
                                                              "hidden",      "href",
                                                              "hreflang",    "hspace",
                                                              "http-equiv",  "id",
                                                              "lang",        "language",
                                                              "loading",     "media",
                                                              "name",        "nowrap",
                                                              "onclick",     "onerror",
                                                              "onload",      "onmouseout",
                                                              "onmouseover", "referrerpolicy",
                                                              "rel",         "rev",
                                                              "reversed",    "role",
                                                              "rows",        "rowspan",
                                                              "rules",       "scope",
                                                              "shape",       "size",
                                                              "span",        "src",
                                                              "srcset",      "start",
                                                              "style",       "summary",
                                                              "tabindex",    "target",
                                                              "title",       "translate",
                                                              "type",        "valign",
                                                              "value",       "vspace",
                                                              "width"};

bool isAsciiAlpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool isAsciiDigit(char c) {
  return c >= '0' && c <= '9';
}

bool isHtmlSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

std::string asciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

template <std::size_t N>
bool inSorted(const std::array<std::string_view, N>& list, std::string_view name) {
  return std::binary_search(list.begin(), list.end(), name);
}

bool isKnownAttribute(const std::string& name) {
  return inSorted(kHtmlAttributes, name) || name.starts_with("data-") ||
         name.starts_with("aria-") || name.starts_with("xmlns") || name.starts_with("xml:");
}

// A name at `j`: an ASCII letter, then letters, digits and `extra`
// characters. Returns its end (== j when there is none).
std::size_t nameEnd(std::string_view s, std::size_t j, std::string_view extra) {
  if (j >= s.size() || !isAsciiAlpha(s[j])) return j;
  std::size_t k = j + 1;
  while (k < s.size() &&
         (isAsciiAlpha(s[k]) || isAsciiDigit(s[k]) || extra.find(s[k]) != std::string_view::npos)) {
    ++k;
  }
  return k;
}

std::size_t skipSpaces(std::string_view s, std::size_t j) {
  while (j < s.size() && isHtmlSpace(s[j])) ++j;
  return j;
}

// The first "-->" at or after a position, remembered across the calls made
// on one text with growing positions (ftCleanText's): a text of many "<!--"
// and no end costs one scan, not one per "<!--".
class CommentEnds {
 public:
  explicit CommentEnds(std::string_view s) : s_(s) {}
  std::size_t find(std::size_t from) {
    if (!known_ || from < from_ || (found_ != std::string_view::npos && found_ < from)) {
      found_ = s_.find("-->", from);
      from_ = from;
      known_ = true;
    }
    return found_;
  }

 private:
  std::string_view s_;
  std::size_t from_ = 0;
  std::size_t found_ = std::string_view::npos;
  bool known_ = false;
};

// ftHtmlTagLength, with the comment ends of the text being read.
std::size_t tagLength(std::string_view s, std::size_t pos, CommentEnds& comment_ends);

// Cleans then cuts on a character boundary.
std::string column(std::string_view text, std::size_t limit) {
  std::string out = ftCleanText(text);
  formats::truncateCodePoints(out, limit);
  return out;
}

std::string valueOr(const std::optional<std::string>& value, std::string_view fallback = {}) {
  return present(value) ? *value : std::string(fallback);
}

std::string qualification(const std::optional<int>& level) {
  if (!level) return "6";
  switch (*level) {
    case 5:
      return "7";
    case 6:
      return "8";
    case 7:
      return "9";
    default:
      return "6";  // 3, 4
  }
}

std::string trainingLevel(const std::optional<int>& level) {
  if (!level) return "";
  switch (*level) {
    case 3:
      return "NV5";
    case 4:
      return "NV4";
    case 5:
      return "NV3";
    case 6:
      return "NV2";
    case 7:
      return "NV1";
    default:
      return "";
  }
}

std::string offerUrl(const Offer& offer, const std::string& url_template) {
  if (url_template.empty()) return "";
  // RFC 3986 unreserved characters and ':' (the partner:ref separator) stay as they are.
  const std::string ref = percentEncode(offer.partner + ":" + offer.source_ref.value_or(""), ":");
  std::string out = url_template;
  for (std::size_t at = out.find("{ref}"); at != std::string::npos;
       at = out.find("{ref}", at + ref.size())) {
    out.replace(at, 5, ref);
  }
  return out;
}

std::string presentationMode(const Offer& offer) {
  if (ftEmail(offer.contact.email)) return "MEL";
  if (present(offer.contact.phone)) return "TEL";
  return "URL";
}

std::string optionalNumber(const std::optional<int>& value) {
  return value ? std::to_string(*value) : "";
}

}  // namespace

std::size_t ftHtmlTagLength(std::string_view s, std::size_t pos) {
  CommentEnds comment_ends(s);
  return tagLength(s, pos, comment_ends);
}

namespace {

// A scan stops at the end of its tag or at the first character that cannot
// be part of it ('<' outside a quoted value included); a quoted value ends at
// the next quote of its kind, so successive scans cover disjoint stretches;
// comment ends come from `comment_ends`. Cleaning stays linear whatever
// partners write.
std::size_t tagLength(std::string_view s, std::size_t pos, CommentEnds& comment_ends) {
  if (pos >= s.size() || s[pos] != '<') return 0;
  std::size_t j = pos + 1;
  if (s.substr(j).starts_with("!--")) {
    const std::size_t end = comment_ends.find(j + 3);
    return end == std::string_view::npos ? 0 : end + 3 - pos;
  }
  const bool closing = j < s.size() && s[j] == '/';
  if (closing) ++j;
  const std::size_t name_end = nameEnd(s, j, ":");
  if (name_end == j || !inSorted(kHtmlElements, asciiLower(s.substr(j, name_end - j)))) return 0;
  j = name_end;
  if (closing) {
    j = skipSpaces(s, j);
    return j < s.size() && s[j] == '>' ? j + 1 - pos : 0;
  }
  while (true) {
    const std::size_t after_spaces = skipSpaces(s, j);
    if (after_spaces >= s.size()) return 0;
    if (s[after_spaces] == '>') return after_spaces + 1 - pos;
    if (s[after_spaces] == '/') {
      return after_spaces + 1 < s.size() && s[after_spaces + 1] == '>' ? after_spaces + 2 - pos : 0;
    }
    // An attribute, separated from what precedes by at least one space:
    // "<b+2>" or "<p2>" are not a tag followed by something.
    if (after_spaces == j) return 0;
    j = after_spaces;
    const std::size_t attr_end = nameEnd(s, j, "-_:.");
    if (attr_end == j || !isKnownAttribute(asciiLower(s.substr(j, attr_end - j)))) return 0;
    j = skipSpaces(s, attr_end);
    if (j < s.size() && s[j] == '=') {
      j = skipSpaces(s, j + 1);
      if (j >= s.size()) return 0;
      if (s[j] == '"' || s[j] == '\'') {
        const std::size_t close = s.find(s[j], j + 1);
        if (close == std::string_view::npos) return 0;
        j = close + 1;
      } else {
        const std::size_t start = j;
        while (j < s.size() && !isHtmlSpace(s[j]) &&
               std::string_view("\"'=<>`").find(s[j]) == std::string_view::npos) {
          ++j;
        }
        if (j == start) return 0;
      }
    } else {
      j = attr_end;  // a boolean attribute; the spaces are read again above
    }
  }
}

}  // namespace

std::optional<std::string> ftEmail(const std::optional<std::string>& email) {
  if (!present(email)) return std::nullopt;
  std::string cleaned = ftCleanText(*email);
  if (cleaned.empty() || formats::codePointCount(cleaned) > kFtColumnLimits[kMail]) {
    return std::nullopt;
  }
  return cleaned;
}

std::string ftCleanText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_break_run = false;  // a run of breaks/controls (spaces inside it are absorbed)
  std::size_t pending_spaces = 0;
  auto flush = [&] {
    if (in_break_run) {
      out.push_back(' ');
    } else {
      out.append(pending_spaces, ' ');
    }
    in_break_run = false;
    pending_spaces = 0;
  };
  CommentEnds comment_ends(text);
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t tag = tagLength(text, i, comment_ends);
    if (tag != 0) {  // a tag counts as a break: "a<br>b" -> "a b"
      in_break_run = true;
      i += tag;
      continue;
    }
    const std::size_t start = i;
    const char32_t cp = nextCodePoint(text, i);
    if (cp == ' ') {
      ++pending_spaces;
    } else if (isBreakOrControl(cp)) {
      in_break_run = true;
    } else {
      flush();
      out.append(text.substr(start, i - start));
    }
  }
  flush();
  return out;
}

std::string ftQuote(std::string_view field) {
  const bool needs = field.find('|') != std::string_view::npos ||
                     field.find('"') != std::string_view::npos ||
                     (!field.empty() && field.front() == ' ');
  if (!needs) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string ftReference(const Offer& offer) {
  const std::string whole = ftCleanText(offer.partner + ":" + offer.source_ref.value_or(""));
  if (formats::codePointCount(whole) <= kRefLimit) return whole;
  std::string head = whole;
  formats::truncateCodePoints(head, kRefKeep);
  return head + "-" + sha256Hex(whole).substr(0, kRefHashDigits);
}

std::string ftPhone(std::string_view e164) {
  auto digitsAfter = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (!e164.starts_with(prefix)) return std::nullopt;
    const std::string_view rest = e164.substr(prefix.size());
    if (rest.size() != 9) return std::nullopt;
    for (char c : rest) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    return rest;
  };
  for (std::string_view prefix : {"+33", "+262", "+590", "+594", "+596"}) {
    if (auto rest = digitsAfter(prefix)) return "0" + std::string(*rest);
  }
  return std::string(e164);
}

std::string ftDate(const formats::CivilDate& d) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%02d/%02d/%04d", d.day, d.month, d.year);
  return buffer;
}

std::string ftDate(const std::optional<std::string>& iso) {
  formats::CivilDate d;
  if (!iso || !parseIsoDate(*iso, d)) return "";
  return ftDate(d);
}

FtFields ftRowFields(const FtRowInput& input, const FtFeedSettings& settings,
                     std::vector<std::string>* warnings) {
  const Offer& o = *input.offer;
  const std::optional<std::string> email = ftEmail(o.contact.email);
  if (warnings && present(o.contact.email) && !email) warnings->emplace_back("EMAIL_TOO_LONG");
  const bool professionnalisation =
      o.contract.type == std::optional<std::string>("professionnalisation");
  const std::string title = valueOr(o.title);
  FtFields f{
      ftReference(o),
      settings.partner_key,
      settings.partner_name,
      offerUrl(o, settings.url_template),
      o.rome_codes.empty() ? "" : o.rome_codes.front(),
      input.appellation ? input.appellation->code_ogr : "",
      input.appellation && !input.appellation->label.empty() ? input.appellation->label : title,
      valueOr(o.description, title),
      "D",
      qualification(o.diploma.level),
      trainingLevel(o.diploma.level),
      "35",
      "0",
      "HAN",
      professionnalisation ? "FS" : "E2",
      "CDD",
      optionalNumber(o.contract.duration_months),
      valueOr(o.workplace.postal_code),
      valueOr(o.workplace.insee),
      valueOr(o.workplace.city),
      valueOr(o.workplace.department),
      ftDate(input.created),
      ftDate(input.modified),
      ftDate(o.publication.expires),
      std::to_string(o.positions.value_or(1)),
      valueOr(o.employer.siret),
      valueOr(o.employer.name),
      settings.etab_siret,
      std::string(1, input.movement),
      ftDate(o.contract.start),
      valueOr(o.contact.name),
      o.contact.phone ? ftPhone(*o.contact.phone) : "",
      email.value_or(""),
      "O",
      presentationMode(o)};
  // Every column goes through the same cleaning and cut, configured values
  // included: the limits are France Travail's, whatever the source.
  for (std::size_t i = 0; i < kFtColumnCount; ++i) {
    if (i == kRef) continue;  // already cleaned and at most 50 characters
    f[i] = column(f[i], kFtColumnLimits[i]);
  }
  return f;
}

std::string ftJoinRow(const FtFields& fields) {
  std::string out;
  for (std::size_t i = 0; i < kFtColumnCount; ++i) {
    if (i > 0) out.push_back('|');
    out += ftQuote(fields[i]);
  }
  out.push_back('\n');
  return out;
}

std::string ftHeader() {
  std::string out;
  for (std::size_t i = 0; i < kFtColumnCount; ++i) {
    if (i > 0) out.push_back('|');
    out += kFtColumns[i];
  }
  out.push_back('\n');
  return out;
}

std::string ftRowHash(const FtFields& fields) {
  std::string row;
  row.reserve(1024);
  for (std::size_t i = 0; i < kFtColumnCount; ++i) {
    if (i > 0) row.push_back('|');
    if (i != kMovement && i != kDateModification) row += ftQuote(fields[i]);
  }
  row.push_back('\n');
  return sha256Hex(row);
}

std::vector<std::string> ftIneligibility(const Offer& offer, const FtFeedSettings& settings) {
  std::vector<std::string> reasons;
  if (offer.share_with_france_travail != true) reasons.emplace_back("NOT_SHARED");
  if (!ftEmail(offer.contact.email) && !present(offer.contact.phone) &&
      settings.url_template.empty()) {
    reasons.emplace_back("NO_APPLY_CHANNEL");
  }
  return reasons;
}

char toChar(FtMovement movement) {
  switch (movement) {
    case FtMovement::kCreate:
      return 'C';
    case FtMovement::kModify:
      return 'M';
    case FtMovement::kSuppress:
      return 'S';
    default:
      return '\0';
  }
}

FtDecision decideFt(const FtRowInput& input, OfferStatus status,
                    const std::optional<std::string>& accepted_row_hash,
                    const FtFeedSettings& settings) {
  const Offer& offer = *input.offer;
  const bool accepted = accepted_row_hash.has_value();
  FtDecision d;
  if (status != OfferStatus::kActive || offer.action == formats::OfferAction::kDelete) {
    d.movement = accepted ? FtMovement::kSuppress : FtMovement::kNone;
    return d;
  }
  if (present(offer.contact.email) && !ftEmail(offer.contact.email)) {
    d.warnings.emplace_back("EMAIL_TOO_LONG");
  }
  d.reasons = ftIneligibility(offer, settings);
  if (!d.reasons.empty()) {
    // Consent removed (or no channel any more) after France Travail took it: withdraw it.
    d.movement = accepted ? FtMovement::kSuppress : FtMovement::kNotEligible;
    return d;
  }
  d.fields = ftRowFields(input, settings);  // its warnings are d.warnings, found above
  d.row_hash = ftRowHash(d.fields);
  if (!accepted) {
    d.movement = FtMovement::kCreate;
  } else if (*accepted_row_hash != d.row_hash) {
    d.movement = FtMovement::kModify;
  }
  return d;
}

FtFileBuilder::FtFileBuilder(FtFeedSettings settings)
    : settings_(std::move(settings)), bytes_(ftHeader()) {}

void FtFileBuilder::add(FtFields fields, char movement) {
  fields[kMovement] = std::string(1, movement);
  bytes_ += ftJoinRow(fields);
  ++rows_;
}

void FtFileBuilder::add(const FtRowInput& input) {
  bytes_ += ftJoinRow(ftRowFields(input, settings_));
  ++rows_;
}

}  // namespace passerelle::connectors
