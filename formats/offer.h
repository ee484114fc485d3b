// Offer: the normalised offer of shared/specs/offer.md, as one value.
//
// Every dialect is read into this record; the store keeps it, the
// destinations are fed from it, and offer_json.h prints it. Absent optional
// values are std::nullopt (printed as null, never ""), absent lists are empty.
//
// Thread safety: plain values; no shared state.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "formats/field_error.h"

namespace passerelle::formats {

enum class OfferAction { kUpsert, kDelete };

struct Employer {
  std::optional<std::string> siret, name, naf;
  bool operator==(const Employer&) const = default;
};
struct Contract {
  std::optional<std::string> type;   // "apprentissage" | "professionnalisation"
  std::optional<std::string> start;  // YYYY-MM-DD
  std::optional<int> duration_months;
  bool operator==(const Contract&) const = default;
};
struct Diploma {
  std::optional<int> level;  // European level 3..7
  std::optional<std::string> title, rncp;
  bool operator==(const Diploma&) const = default;
};
struct Workplace {
  std::optional<std::string> address, postal_code, city, insee, department;
  bool operator==(const Workplace&) const = default;
};
struct Contact {
  std::optional<std::string> name, email, phone;
  bool operator==(const Contact&) const = default;
};
struct Publication {
  std::optional<std::string> expires;  // YYYY-MM-DD
  bool operator==(const Publication&) const = default;
};

struct Offer {
  long line = 0;  // physical line where the record starts (1-based)
  // The record's number among the file's data records (1 = the first offer
  // row), what a spreadsheet user counts when a text spans several lines.
  // Not part of the canonical JSON.
  long record = 0;
  std::string partner = "-";
  std::string format;
  std::optional<std::string> source_ref;
  OfferAction action = OfferAction::kUpsert;
  std::optional<char> movement;  // 'C', 'M', 'S' for delta dialects
  Employer employer;
  std::optional<std::string> title, description;
  std::vector<std::string> rome_codes;
  Contract contract;
  std::optional<int> positions;
  Diploma diploma;
  Workplace workplace;
  Contact contact;
  Publication publication;
  std::optional<bool> share_with_france_travail;
  std::optional<std::string> source_updated_at;  // YYYY-MM-DDTHH:MM:SS, Europe/Paris
  std::vector<FieldError> warnings;
  // What ReadOptions::prepare_offer derived from the offer on the thread that
  // read it (the store's JSON and content hash): not part of the offer's
  // content, ignored by offerJson(); empty when there is no such hook.
  struct Prepared {
    std::string json;
    std::string digest;
    // The key of the record it was read from (ReadOptions::known_records);
    // empty when there is no such hook or the record has no identity.
    std::string record_key;
    bool operator==(const Prepared&) const = default;
  } prepared;

  bool operator==(const Offer&) const = default;
};

// A row that could not become an offer.
struct Reject {
  long line = 0;
  long record = 0;  // as Offer::record
  std::optional<std::string> source_ref;
  std::vector<FieldError> errors;
  std::vector<FieldError> warnings;
  bool operator==(const Reject&) const = default;
};

}  // namespace passerelle::formats
