// The lba destination's pure half (shared/specs/destinations/lba.md): which
// offers may be pushed (eligibility, with the spec's reason codes), which
// apply channels the service would refuse (left out, with a reason), what to
// do with an offer (upsert, close, nothing), and the exact JSON body sent,
// with its SHA-256 so that only changed bodies are sent.
//
// The body is built with nlohmann::ordered_json (keys in the spec's order)
// and dumped compactly without ASCII escaping: the bytes returned are exactly
// the bytes sent, and their hash is what the store keeps as "last accepted
// body". Same offer + same options => same bytes, on any machine.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/destination/destination_common.h"
#include "connectors/digest/sha256.h"
#include "formats/offer.h"
#include "formats/paris_time.h"

namespace passerelle::connectors {

// The partner's configured ways to apply, used when the offer's contact has
// neither an e-mail nor a phone the service accepts.
struct ApplyDefaults {
  std::optional<std::string> email, phone, url;
};

// True when the service's e-mail expression (lba.md, case-insensitive)
//   ^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-\.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9\-]*\.)+[A-Z]{2,}$
// matches `email` exactly (no trimming). Hand-written, linear, ASCII only:
// partner data never reaches a backtracking regex engine.
bool isLbaAcceptedEmail(std::string_view email);

// What the service makes of a phone number. Only French numbers are
// classified (E.164 "+33…" as the reader writes them, or national "0…" with
// the usual separators, as a configuration may hold them); anything else is
// kOrdinary, since the refusal ranges below are the French plan's.
//   08 9x      premium rate
//   08 1x/08 2x shared cost
// Pager and voicemail: the French plan has no such range of subscriber
// numbers today (06/07 are mobiles; voicemail is reached through operators'
// short codes), so no number is refused as such: refusing a range by guess
// would drop ordinary mobiles.
enum class LbaPhoneType { kOrdinary, kPremiumRate, kSharedCost };
LbaPhoneType lbaPhoneType(std::string_view phone);
inline bool isLbaAcceptedPhone(std::string_view phone) {
  return lbaPhoneType(phone) == LbaPhoneType::kOrdinary;
}

// The apply channels sent: the offer's own e-mail and phone the service
// accepts; when none is left, the partner's defaults, checked the same way
// (the url is not checked: the spec names no rule for it). Refused channels
// are left out and reported in `dropped`, in the order met (the offer's
// e-mail, its phone, then the defaults'), each reason at most once:
// "EMAIL_REFUSED", "PHONE_REFUSED". The defaults' refusals are reported only
// when the defaults were used.
struct LbaApply {
  std::optional<std::string> email, phone, url;
  std::vector<std::string> dropped;
  bool empty() const { return !email && !phone && !url; }
};
LbaApply lbaApply(const formats::Offer& offer, const ApplyDefaults& defaults);

// ROME codes the service refuses (lba.md, eligibility table).
bool isLbaBlockedRome(std::string_view code);

// Eligibility reasons, in the spec's table order; empty = eligible. Status is
// not checked here (see planLba).
std::vector<std::string> lbaIneligibility(const formats::Offer& offer, formats::CivilDate today,
                                          const ApplyDefaults& defaults);

enum class LbaAction {
  kUpsert,       // eligible and active: POST (skip if the body hash is unchanged)
  kClose,        // PUT Cancelled with the stored service id
  kNotEligible,  // never sent: record `reasons` for operators
  kNothing,      // not active and never sent
};
struct LbaPlan {
  LbaAction action = LbaAction::kNothing;
  std::vector<std::string> reasons;  // kNotEligible, and kClose of an offer that became ineligible
  // Apply channels left out of the body because the service would refuse
  // them ("EMAIL_REFUSED", "PHONE_REFUSED"; see lbaApply), for every active
  // offer (kUpsert, kNotEligible, kClose of an ineligible one): recorded with
  // the offer's lba state for operators and the partner. lbaBody leaves out
  // exactly these channels.
  std::vector<std::string> dropped_channels;
};
// `published` = the offer has a stored service id (it was accepted once and
// not closed since). An active offer that became ineligible after it was
// published is closed: the service must not keep showing it.
LbaPlan planLba(const formats::Offer& offer, OfferStatus status, formats::CivilDate today,
                const ApplyDefaults& defaults, bool published);

// Rolling expiration for offers without `publication.expires`: keep the
// previous one while more than `refresh_before_days` remain, else move it to
// today + `days`. Keeping it stable keeps the body (and its hash) stable, so
// offers are not re-sent every day just because "today + 60" moved.
formats::CivilDate rollingExpiration(std::optional<formats::CivilDate> previous,
                                     formats::CivilDate today, int days = 60,
                                     int refresh_before_days = 10);

struct LbaBodyOptions {
  ApplyDefaults apply_defaults;
  // Used only when the offer has no publication.expires (see rollingExpiration).
  std::optional<formats::CivilDate> rolling_expiration;
  bool cancelled = false;  // offer.status "Cancelled" (closing) instead of "Active"
};

// "<p>…</p>" HTML of a plain-text description: & < > escaped, paragraphs split
// on blank lines, single line breaks as <br>.
std::string descriptionToHtml(std::string_view text);
// "2026-09-01T00:00:00+02:00": a date at hh:mm:ss Europe/Paris with its offset.
std::string parisTimestamp(formats::CivilDate date, int hour, int minute, int second);
std::string lbaPartnerJobId(const formats::Offer& offer);

// The exact bytes of the POST/PUT body. Its `apply` is lbaApply(offer,
// options.apply_defaults): the channels planLba judged, nothing else.
std::string lbaBody(const formats::Offer& offer, const LbaBodyOptions& options);
// SHA-256 hex of those bytes (what "only changed bodies are sent" compares).
inline std::string lbaBodyHash(std::string_view body) {
  return sha256Hex(body);
}

}  // namespace passerelle::connectors
