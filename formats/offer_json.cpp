#include "formats/offer_json.h"

#include <charconv>

namespace passerelle::formats {

namespace {

void appendRaw(std::string& out, std::string_view s) {
  out.append(s);
}

void appendNumber(long n, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  (void)ec;
  out.append(buf, end);
}

void appendOptString(const std::optional<std::string>& s, std::string& out) {
  if (s) {
    appendJsonString(*s, out);
  } else {
    out += "null";
  }
}

void appendOptInt(const std::optional<int>& n, std::string& out) {
  if (n) {
    appendNumber(*n, out);
  } else {
    out += "null";
  }
}

// "key": — keys are ASCII identifiers of ours, never escaped.
void key(std::string_view k, std::string& out) {
  out.push_back('"');
  out.append(k);
  out.append("\":");
}

void appendErrors(const std::vector<FieldError>& errors, std::string& out) {
  out.push_back('[');
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (i) out.push_back(',');
    appendFieldErrorJson(errors[i], out);
  }
  out.push_back(']');
}

}  // namespace

void appendJsonString(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        appendRaw(out, "\\\"");
        break;
      case '\\':
        appendRaw(out, "\\\\");
        break;
      case '\n':
        appendRaw(out, "\\n");
        break;
      case '\r':
        appendRaw(out, "\\r");
        break;
      case '\t':
        appendRaw(out, "\\t");
        break;
      case '\b':
        appendRaw(out, "\\b");
        break;
      case '\f':
        appendRaw(out, "\\f");
        break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void appendFieldErrorJson(const FieldError& e, std::string& out) {
  out += "{";
  key("field", out);
  appendOptString(e.field, out);
  out += ",";
  key("code", out);
  appendJsonString(e.code, out);
  out += ",";
  key("message", out);
  appendJsonString(e.message, out);
  out += ",";
  key("value", out);
  appendOptString(e.value, out);
  out += "}";
}

void appendOfferJson(const Offer& o, std::string& out) {
  out += "{\"kind\":\"offer\",\"line\":";
  appendNumber(o.line, out);
  out += ",\"partner\":";
  appendJsonString(o.partner, out);
  out += ",\"format\":";
  appendJsonString(o.format, out);
  out += ",\"source_ref\":";
  appendOptString(o.source_ref, out);
  out += o.action == OfferAction::kDelete ? ",\"action\":\"delete\"" : ",\"action\":\"upsert\"";
  out += ",\"movement\":";
  if (o.movement) {
    appendJsonString(std::string(1, *o.movement), out);
  } else {
    out += "null";
  }
  out += ",\"employer\":{\"siret\":";
  appendOptString(o.employer.siret, out);
  out += ",\"name\":";
  appendOptString(o.employer.name, out);
  out += ",\"naf\":";
  appendOptString(o.employer.naf, out);
  out += "},\"title\":";
  appendOptString(o.title, out);
  out += ",\"description\":";
  appendOptString(o.description, out);
  out += ",\"rome_codes\":[";
  for (std::size_t i = 0; i < o.rome_codes.size(); ++i) {
    if (i) out.push_back(',');
    appendJsonString(o.rome_codes[i], out);
  }
  out += "],\"contract\":{\"type\":";
  appendOptString(o.contract.type, out);
  out += ",\"start\":";
  appendOptString(o.contract.start, out);
  out += ",\"duration_months\":";
  appendOptInt(o.contract.duration_months, out);
  out += "},\"positions\":";
  appendOptInt(o.positions, out);
  out += ",\"diploma\":{\"level\":";
  appendOptInt(o.diploma.level, out);
  out += ",\"title\":";
  appendOptString(o.diploma.title, out);
  out += ",\"rncp\":";
  appendOptString(o.diploma.rncp, out);
  out += "},\"workplace\":{\"address\":";
  appendOptString(o.workplace.address, out);
  out += ",\"postal_code\":";
  appendOptString(o.workplace.postal_code, out);
  out += ",\"city\":";
  appendOptString(o.workplace.city, out);
  out += ",\"insee\":";
  appendOptString(o.workplace.insee, out);
  out += ",\"department\":";
  appendOptString(o.workplace.department, out);
  out += "},\"contact\":{\"name\":";
  appendOptString(o.contact.name, out);
  out += ",\"email\":";
  appendOptString(o.contact.email, out);
  out += ",\"phone\":";
  appendOptString(o.contact.phone, out);
  out += "},\"publication\":{\"expires\":";
  appendOptString(o.publication.expires, out);
  out += "},\"share_with_france_travail\":";
  if (o.share_with_france_travail) {
    out += *o.share_with_france_travail ? "true" : "false";
  } else {
    out += "null";
  }
  out += ",\"source_updated_at\":";
  appendOptString(o.source_updated_at, out);
  out += ",\"warnings\":";
  appendErrors(o.warnings, out);
  out += "}";
}

void appendRejectJson(const Reject& r, std::string& out) {
  out += "{\"kind\":\"reject\",\"line\":";
  appendNumber(r.line, out);
  out += ",\"source_ref\":";
  appendOptString(r.source_ref, out);
  out += ",\"errors\":";
  appendErrors(r.errors, out);
  out += ",\"warnings\":";
  appendErrors(r.warnings, out);
  out += "}";
}

void appendFileWarningJson(const FileIssue& w, std::string& out) {
  out += "{\"kind\":\"file_warning\",\"code\":";
  appendJsonString(w.code, out);
  out += ",\"message\":";
  appendJsonString(w.message, out);
  out += ",\"value\":";
  appendOptString(w.value, out);
  out += ",\"line\":";
  if (w.line) {
    appendNumber(*w.line, out);
  } else {
    out += "null";
  }
  out += "}";
}

// offer.md's file_error has no "value": kind, code, message, line.
void appendFileErrorJson(const FileIssue& e, std::string& out) {
  out += "{\"kind\":\"file_error\",\"code\":";
  appendJsonString(e.code, out);
  out += ",\"message\":";
  appendJsonString(e.message, out);
  out += ",\"line\":";
  if (e.line) {
    appendNumber(*e.line, out);
  } else {
    out += "null";
  }
  out += "}";
}

void appendSummaryJson(const ReadSummary& s, std::string& out) {
  out += "{\"kind\":\"summary\",\"format\":";
  appendJsonString(s.format, out);
  out += ",\"records\":";
  appendNumber(s.records, out);
  out += ",\"offers\":";
  appendNumber(s.offers, out);
  out += ",\"deletes\":";
  appendNumber(s.deletes, out);
  out += ",\"rejects\":";
  appendNumber(s.rejects, out);
  out += ",\"warnings\":";
  appendNumber(s.warnings, out);
  out += "}";
}

std::string offerJson(const Offer& offer) {
  std::string out;
  appendOfferJson(offer, out);
  return out;
}

}  // namespace passerelle::formats
