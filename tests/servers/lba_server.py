#!/usr/bin/env python3
"""A local stand-in for the lba API (shared/specs/destinations/lba.md).

Python standard library only; listens on loopback. Started with --port 0, it
prints the chosen port alone on the first line of stdout, so that a test can
read it, then serves until killed.

What it plays (the service's published rules, including how it refuses):
  POST /job/v1/offer                  idempotent upsert by (organisation = API key, partner_job_id);
                                      200 {"id": <24 hex, stable>}. offer.status "Active"
                                      reactivates a cancelled offer; "Cancelled" or "Filled"
                                      closes it whether or not it was published or its id known
                                      (no "must be active" check; an unknown partner_job_id is
                                      created closed). Validated like any write.
  PUT  /job/v1/offer/{id}             404 until the offer is processed, and for ever when
                                      processing found it WILL_NOT_BE_PUBLISHED (it is never in
                                      the published collection); 400 "Job must be active in order
                                      to be modified" when it is not active; else validated, 204
  GET  /job/v1/offer/{id}             200 the last body written, with the offer's current
                                      offer.status (the service may have expired it since)
  GET  /job/v1/offer/{id}/publishing-informations
                                      WILL_BE_PUBLISHED until processed, then what processing
                                      decided: PUBLISHED or WILL_NOT_BE_PUBLISHED with an error
                                      (CFA for NAF 85xx registered with /__test__/naf,
                                      ROME_BLACKLISTED when every ROME code is blocked)
  Authorization: Bearer <key>         401 for a missing or unknown key (--keys)
  quotas                              per API key, whatever the connection or process: every
                                      authenticated request counts when it arrives (before any
                                      injected fault), --write-quota (30) for POST/PUT,
                                      --read-quota (120) for GET, in one rolling --window; over
                                      it 429 with the service's message (and Retry-After if
                                      configured); a refused request does not count
  validation (400, documented shape)  in this order: partner_job_id, 14-digit siret, title >= 3,
                                      description >= 30 characters ("Job description should be
                                      at least 30 characters"), apply.email matching the
                                      service's expression (case-insensitive, ASCII)
                                        ^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-\.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9\-]*\.)+[A-Z]{2,}$
                                      apply.phone not premium-rate (French 08 9x) nor shared-cost
                                      (08 1x, 08 2x), in E.164 or national writing; at least one
                                      of email/phone/url; contract.type; offer.status; ROME codes;
                                      offer.publication.expiration not in the past ("Expiration
                                      date cannot be in the past"; ISO 8601 with an offset, read
                                      as UTC without one; null is allowed)
                                      Phones refused as pager or voicemail: none. The French plan
                                      has no such range today (06/07 are mobiles, 0806-0809
                                      normal-rate services), so none is invented here; other
                                      countries' numbers are not classified.
  the service's clocks                quota time: monotonic, or manual (--manual-clock: moves
                                      only with /__test__/advance). Dates (expiration, expiry):
                                      the wall clock, time.time(); with --wall-start EPOCH it
                                      starts at EPOCH; with --manual-clock it is --wall-start
                                      (default 1780000000, ManualClock's start) plus what
                                      /__test__/advance added, so a LinkedClock and the server
                                      agree on dates as on rates.
  processing (the 10-minute job)      on /__test__/process or every --process-period seconds:
                                      offers written since are processed (publishing decided
                                      again), and active offers whose expiration has passed (or,
                                      without one, created more than 60 days ago) are cancelled
                                      by the service, as its 30-minute job does.

Test-only endpoints (no key needed), all JSON:
  POST /__test__/process              process every written offer now (the service's jobs)
  POST /__test__/faults {"clear": true} forgets the faults not yet used; otherwise
  POST /__test__/faults               {"mode": "500"|"504"|"504_after"|"slow"|"drop"|
                                      "drop_after", "count": N, "delay": s, "methods": [...]}:
                                      the next N API requests fail that way. "_after" modes
                                      act first (the response is lost after the server acted).
                                      Faults come after the key and the quota were checked.
  POST /__test__/config               {"retry_after": s|null, "write_quota": n, "read_quota": n,
                                      "window": s, "wall_start": epoch}
  POST /__test__/naf                  {"siret": "...", "naf": "8559A"}
  POST /__test__/advance              {"seconds": s}: moves the manual clock (--manual-clock)
  GET  /__test__/requests             every API request received: method, path, body, time,
                                      status (or the fault's), auth ("ok" | "bad" | "missing")
  GET  /__test__/offers               the stored offers by id: org, partner_job_id, body, status,
                                      processed, writes, created (creations of that
                                      partner_job_id: 1), publishing, expired_by_service
  GET  /__test__/state                the final state by partner_job_id, to compare with a store:
                                      {"<pjid>": {"id", "org", "status", "body" (the last body
                                      accepted), "created", "writes", "processed", "publishing",
                                      "publishing_error", "expired_by_service"}}
  GET  /__test__/stats                counters: requests (every API request), writes, reads
                                      (within quota), rate_limited, created, updated (POSTs that
                                      leave an existing offer active), closed (writes that took an
                                      active offer to Cancelled/Filled), reactivated, expired (by
                                      the service), unauthorized, bad_request, not_found, faults,
                                      offers; rate_limited_by_key {key: n}; window_max {key:
                                      {"writes": n, "reads": n}}: the most requests of that key
                                      seen in any one window, 429s included, so that "never over
                                      the quota" is window_max <= quota; max_writes_in_window and
                                      max_reads_in_window: the same, over every key
  POST /__test__/reset                forget everything (offers, requests, quota, stats)
"""

import argparse
import datetime
import hashlib
import json
import re
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BLACKLISTED_ROME = {"K2202", "G1605", "I1201", "L1102", "N4104"}
OFFER_PATH = re.compile(r"^/job/v1/offer/([0-9a-f]{24})(/publishing-informations)?$")
# The service's expression, as published (lba.md), case-insensitive. re.ASCII
# keeps the case folding to ASCII as in JavaScript (without it Python folds
# "ſ" to "s" and "K" (Kelvin) to "k"); \Z instead of $, which in Python also
# matches before a final newline.
EMAIL = re.compile(r"^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-\.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9\-]*\.)+[A-Z]{2,}\Z",
                   re.IGNORECASE | re.ASCII)
MANUAL_WALL_START = 1_780_000_000.0  # connectors::ManualClock's default start
DEFAULT_EXPIRY_DAYS = 60  # "expires two months after creation" when no expiration is given


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.keys = set(k for k in args.keys.split(",") if k)
        self.write_quota = args.write_quota
        self.read_quota = args.read_quota
        self.window = args.window
        self.retry_after = args.retry_after
        self.manual_clock = args.manual_clock
        self.wall_start = args.wall_start
        if self.wall_start is None and self.manual_clock:
            self.wall_start = MANUAL_WALL_START
        self.started = time.monotonic()
        self.clock_offset = 0.0
        self.reset()

    def reset(self):
        self.offers = {}  # id -> dict
        self.requests = []
        self.quota_log = {}  # (key, "write"|"read") -> deque of times of requests within quota
        self.arrivals = {}  # (key, "write"|"read") -> deque of times of every request
        self.window_max = {}  # key -> {"writes": n, "reads": n}
        self.rate_limited_by_key = {}
        self.faults = []  # list of dicts with remaining count
        self.naf = {}
        self.stats = {"requests": 0, "writes": 0, "reads": 0, "rate_limited": 0,
                      "created": 0, "updated": 0, "closed": 0, "reactivated": 0, "expired": 0,
                      "unauthorized": 0, "bad_request": 0, "not_found": 0, "faults": 0}

    def now(self):
        """Quota time (seconds, monotonic or manual)."""
        if self.manual_clock:
            return 1_000_000.0 + self.clock_offset
        return time.monotonic()

    def wall(self):
        """The service's date and time (seconds since the epoch)."""
        if self.manual_clock:
            return self.wall_start + self.clock_offset
        if self.wall_start is not None:
            return self.wall_start + (time.monotonic() - self.started)
        return time.time()


def offer_id(org, partner_job_id):
    return hashlib.sha256((org + "\x00" + partner_job_id).encode()).hexdigest()[:24]


def validation_error(path, message):
    dotted = "body." + ".".join(str(p) for p in path)
    return 400, {"statusCode": 400, "error": "Bad Request",
                 "message": f"{dotted}: {message}",
                 "data": {"validationError": {"issues": [{"path": path, "message": message}]}}}


def french_national_number(phone):
    """The 9 national digits (no trunk 0) of a French number in E.164 or
    national writing, else None (not French, or not a number)."""
    s = re.sub(r"[\s.\-/]", "", phone)
    for prefix in ("+33(0)", "0033(0)"):
        if s.startswith(prefix):
            s = "+33" + s[len(prefix):]
    s = s.replace("(", "").replace(")", "")
    if s.startswith("00"):
        s = "+" + s[2:]
    if s.startswith("+33"):
        national = s[3:]
        if len(national) == 10 and national.startswith("0"):
            national = national[1:]
    elif re.fullmatch(r"0[0-9]{9}", s):
        national = s[1:]
    else:
        return None
    return national if re.fullmatch(r"[1-9][0-9]{8}", national) else None


def phone_refusal(phone):
    """None, or why the service refuses this number (lba.md)."""
    national = french_national_number(phone)
    if national is None:
        return None
    if national.startswith("89"):
        return "Premium-rate phone numbers are not accepted"
    if national.startswith(("81", "82")):
        return "Shared-cost phone numbers are not accepted"
    return None


def parse_datetime(value):
    """Seconds since the epoch, or None if not an ISO 8601 date-time."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.timestamp()


def expiration_of(body):
    return ((body.get("offer") or {}).get("publication") or {}).get("expiration")


def validate(body, wall_now):
    """Returns None or (400, payload) for the first problem found."""
    if not isinstance(body, dict):
        return validation_error([], "Expected object")
    ident = body.get("identifier") or {}
    if not isinstance(ident.get("partner_job_id"), str) or not ident["partner_job_id"]:
        return validation_error(["identifier", "partner_job_id"], "Required")
    workplace = body.get("workplace") or {}
    if not re.fullmatch(r"[0-9]{14}", str(workplace.get("siret") or "")):
        return validation_error(["workplace", "siret"], "Invalid siret")
    offer = body.get("offer") or {}
    title = offer.get("title")
    if not isinstance(title, str) or len(title) < 3:
        return validation_error(["offer", "title"], "String must contain at least 3 character(s)")
    desc = offer.get("description")
    if not isinstance(desc, str) or len(desc) < 30:
        return validation_error(["offer", "description"],
                                "Job description should be at least 30 characters")
    apply = body.get("apply") or {}
    email = apply.get("email")
    if email is not None and (not isinstance(email, str) or not EMAIL.match(email)):
        return validation_error(["apply", "email"], "Invalid email")
    phone = apply.get("phone")
    if phone is not None:
        refusal = "Invalid phone" if not isinstance(phone, str) else phone_refusal(phone)
        if refusal:
            return validation_error(["apply", "phone"], refusal)
    if not any(apply.get(k) for k in ("email", "phone", "url")):
        return validation_error(["apply"], "At least one of email, phone or url is required")
    contract = body.get("contract") or {}
    types = contract.get("type")
    if types is not None and (not isinstance(types, list) or
                              any(t not in ("Apprentissage", "Professionnalisation")
                                  for t in types)):
        return validation_error(["contract", "type"], "Invalid enum value")
    status = offer.get("status", "Active")
    if status not in ("Active", "Cancelled", "Filled"):
        return validation_error(["offer", "status"], "Invalid enum value")
    rome = offer.get("rome_codes")
    if rome is not None and (not isinstance(rome, list) or
                             any(not re.fullmatch(r"[A-N][0-9]{4}", str(r)) for r in rome)):
        return validation_error(["offer", "rome_codes"], "Invalid ROME code")
    expiration = expiration_of(body)
    if expiration is not None:
        when = parse_datetime(expiration)
        if when is None:
            return validation_error(["offer", "publication", "expiration"], "Invalid datetime")
        if when < wall_now:
            return validation_error(["offer", "publication", "expiration"],
                                    "Expiration date cannot be in the past")
    return None


def not_found(message="Offer not found"):
    return 404, {"statusCode": 404, "error": "Not Found", "message": message}, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "lba-test"

    def log_message(self, *args):  # quiet
        pass

    # ---- plumbing -------------------------------------------------------
    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_json(self, status, payload=None, headers=None):
        data = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(2)
        except OSError:
            pass

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    # ---- routing --------------------------------------------------------
    def dispatch(self, method):
        raw = self.read_body()
        if self.path.startswith("/__test__/"):
            return self.test_endpoint(method, raw)
        state = self.server.state
        # The gateway first: key and quota, whatever happens behind it.
        with state.lock:
            key, refused = self.gateway(method)
            if refused:
                self.record(method, raw, refused[0])
            else:
                fault = self.take_fault(method)
        if refused:
            return self.send_json(*refused)
        if fault and fault["mode"] == "slow":
            time.sleep(float(fault.get("delay", 2)))
        if fault and fault["mode"] in ("500", "504", "drop"):
            with state.lock:
                self.record(method, raw, fault["mode"])
            if fault["mode"] == "drop":
                return self.drop()
            return self.send_json(int(fault["mode"]), {"statusCode": int(fault["mode"]),
                                                       "error": "Injected"})
        with state.lock:
            status, payload, headers = self.api(method, key, raw)
            self.record(method, raw, status)
        if fault and fault["mode"] == "drop_after":
            return self.drop()
        if fault and fault["mode"] == "504_after":
            return self.send_json(504, {"statusCode": 504, "error": "Gateway Timeout"})
        self.send_json(status, payload, headers)

    def take_fault(self, method):
        for fault in self.server.state.faults:
            methods = fault.get("methods")
            if fault["count"] > 0 and (not methods or method in methods):
                fault["count"] -= 1
                self.server.state.stats["faults"] += 1
                return fault
        return None

    def auth(self):
        header = self.headers.get("Authorization")
        if not header:
            return "missing", None
        if header.startswith("Bearer ") and header[7:] in self.server.state.keys:
            return "ok", header[7:]
        return "bad", None

    def record(self, method, raw, status):
        """Called with the state's lock held."""
        state = self.server.state
        state.requests.append({"method": method, "path": self.path,
                               "body": raw.decode("utf-8", "replace"), "time": state.now(),
                               "status": status, "auth": self.auth()[0]})

    # ---- the gateway and the API (called with the lock held) -------------
    def gateway(self, method):
        """(key, None) to go on, or (key, (status, payload, headers)) for 401/429."""
        state = self.server.state
        state.stats["requests"] += 1
        auth, key = self.auth()
        if auth != "ok":
            state.stats["unauthorized"] += 1
            return key, (401, {"statusCode": 401, "error": "Unauthorized",
                               "message": "Unauthorized"}, None)
        kind = "read" if method == "GET" else "write"
        limited = self.over_quota(key, kind)
        if limited:
            return key, limited
        state.stats[kind + "s"] += 1
        return key, None

    def api(self, method, key, raw):
        state = self.server.state
        if method == "POST" and self.path == "/job/v1/offer":
            return self.upsert(key, raw)
        match = OFFER_PATH.match(self.path)
        if not match:
            state.stats["not_found"] += 1
            return not_found("Route not found")
        oid, publishing = match.group(1), match.group(2)
        offer = state.offers.get(oid)
        if offer is None or offer["org"] != key:
            state.stats["not_found"] += 1
            return not_found()
        if method == "GET" and publishing:
            return 200, {"publishing": publishing_view(offer)}, None
        if method == "GET":
            # The service's view: its own status (it may have expired the
            # offer since the last write), not the one last written.
            view = json.loads(json.dumps(offer["body"]))
            if isinstance(view.get("offer"), dict):
                view["offer"]["status"] = offer["status"]
            return 200, dict(view, _id=oid), None
        if method == "PUT":
            return self.replace(offer, raw)
        state.stats["not_found"] += 1
        return not_found("Route not found")

    def over_quota(self, key, kind):
        state = self.server.state
        quota = state.read_quota if kind == "read" else state.write_quota
        now = state.now()
        # Every arrival, for the test's "never over the quota" (window_max).
        arrivals = state.arrivals.setdefault((key, kind), deque())
        arrivals.append(now)
        while arrivals and arrivals[0] <= now - state.window:
            arrivals.popleft()
        seen = state.window_max.setdefault(key, {"writes": 0, "reads": 0})
        seen[kind + "s"] = max(seen[kind + "s"], len(arrivals))
        # The service's own count: requests it let through.
        log = state.quota_log.setdefault((key, kind), deque())
        while log and log[0] <= now - state.window:
            log.popleft()
        if len(log) >= quota:
            state.stats["rate_limited"] += 1
            state.rate_limited_by_key[key] = state.rate_limited_by_key.get(key, 0) + 1
            headers = {}
            if state.retry_after is not None:
                headers["Retry-After"] = str(int(state.retry_after))
            per = "1 minute" if state.window == 60 else f"{state.window:g} secondes"
            return 429, {"statusCode": 429, "error": "Too Many Requests",
                         "message": f"Quota dépassé : {quota} requêtes par {per}. "
                                    "Veuillez réessayer plus tard."}, headers
        log.append(now)
        return None

    def parse(self, raw):
        try:
            return json.loads(raw.decode("utf-8")), None
        except (UnicodeDecodeError, ValueError):
            return None, validation_error([], "Invalid JSON")

    def upsert(self, key, raw):
        state = self.server.state
        body, error = self.parse(raw)
        error = error or validate(body, state.wall())
        if error:
            state.stats["bad_request"] += 1
            return error[0], error[1], None
        pjid = body["identifier"]["partner_job_id"]
        oid = offer_id(key, pjid)
        status = body.get("offer", {}).get("status", "Active")
        offer = state.offers.get(oid)
        if offer is None:
            state.offers[oid] = {"org": key, "partner_job_id": pjid, "body": body,
                                 "status": status, "processed": False, "dirty": True,
                                 "publishing": None, "writes": 1, "created": 1,
                                 "created_at": state.wall(), "expired_by_service": False}
            state.stats["created"] += 1
            return 200, {"id": oid}, None
        was_active = offer["status"] == "Active"
        offer.update(body=body, status=status, dirty=True)
        offer["writes"] += 1
        if status == "Active":
            state.stats["updated"] += 1
            if not was_active:
                state.stats["reactivated"] += 1
                offer["expired_by_service"] = False
        elif was_active:
            state.stats["closed"] += 1
        return 200, {"id": oid}, None

    def replace(self, offer, raw):
        state = self.server.state
        # Never published: not in the collection PUT works on, now or later.
        if not offer["processed"] or (offer["publishing"] or {}).get("status") == \
                "WILL_NOT_BE_PUBLISHED":
            state.stats["not_found"] += 1
            return not_found()
        if offer["status"] != "Active":
            state.stats["bad_request"] += 1
            return 400, {"statusCode": 400, "error": "Bad Request",
                         "message": "Job must be active in order to be modified"}, None
        body, error = self.parse(raw)
        error = error or validate(body, state.wall())
        if error:
            state.stats["bad_request"] += 1
            return error[0], error[1], None
        offer["body"] = body
        offer["status"] = body.get("offer", {}).get("status", "Active")
        offer["writes"] += 1
        offer["dirty"] = True
        if offer["status"] != "Active":
            state.stats["closed"] += 1
        return 204, None, None

    # ---- test endpoints -------------------------------------------------
    def test_endpoint(self, method, raw):
        state = self.server.state
        try:
            args = json.loads(raw.decode()) if raw else {}
        except ValueError:
            return self.send_json(400, {"error": "bad json"})
        route = self.path[len("/__test__/"):]
        with state.lock:
            if route == "process":
                n = process_all(state)
                result = {"processed": n}
            elif route == "faults" and args.get("clear"):
                state.faults.clear()  # {"clear": true}: no fault pending any more
                result = {"ok": True}
            elif route == "faults":
                state.faults.append({"mode": str(args.get("mode", "500")),
                                     "count": int(args.get("count", 1)),
                                     "delay": float(args.get("delay", 2)),
                                     "methods": args.get("methods")})
                result = {"ok": True}
            elif route == "config":
                for k in ("retry_after", "write_quota", "read_quota", "window", "wall_start"):
                    if k in args:
                        setattr(state, k, args[k])
                if "wall_start" in args and not state.manual_clock:
                    state.started = time.monotonic()
                result = {"ok": True}
            elif route == "naf":
                state.naf[args["siret"]] = args["naf"]
                result = {"ok": True}
            elif route == "advance":
                state.clock_offset += float(args.get("seconds", 0))
                result = {"now": state.now(), "wall": state.wall()}
            elif route == "requests":
                result = state.requests
            elif route == "offers":
                result = {oid: offer_view(o) for oid, o in state.offers.items()}
            elif route == "state":
                result = final_state(state)
            elif route == "stats":
                result = dict(state.stats, offers=len(state.offers),
                              rate_limited_by_key=state.rate_limited_by_key,
                              window_max=state.window_max,
                              max_writes_in_window=max(
                                  [m["writes"] for m in state.window_max.values()], default=0),
                              max_reads_in_window=max(
                                  [m["reads"] for m in state.window_max.values()], default=0))
            elif route == "reset":
                state.reset()
                result = {"ok": True}
            else:
                return self.send_json(404, {"error": "unknown test endpoint"})
        self.send_json(200, result)


def decide_publishing(state, offer):
    """What the service's processing job decides for an offer's body."""
    body = offer["body"]
    naf = state.naf.get(body.get("workplace", {}).get("siret"), "")
    if naf.startswith("85"):
        return {"status": "WILL_NOT_BE_PUBLISHED",
                "error": {"code": "CFA", "label": "L'entreprise est un organisme de formation"}}
    rome = body.get("offer", {}).get("rome_codes") or []
    if rome and all(r in BLACKLISTED_ROME for r in rome):
        return {"status": "WILL_NOT_BE_PUBLISHED",
                "error": {"code": "ROME_BLACKLISTED", "label": "Code ROME non autorisé"}}
    return {"status": "PUBLISHED"}


def publishing_view(offer):
    if not offer["processed"]:
        return {"status": "WILL_BE_PUBLISHED"}
    return offer["publishing"]


def offer_view(offer):
    view = {k: v for k, v in offer.items() if k not in ("dirty", "publishing", "created_at")}
    view["publishing"] = publishing_view(offer)["status"]
    return view


def final_state(state):
    result = {}
    for oid, offer in state.offers.items():
        publishing = publishing_view(offer)
        result[offer["partner_job_id"]] = {
            "id": oid, "org": offer["org"], "status": offer["status"], "body": offer["body"],
            "created": offer["created"], "writes": offer["writes"],
            "processed": offer["processed"], "publishing": publishing["status"],
            "publishing_error": (publishing.get("error") or {}).get("code"),
            "expired_by_service": offer["expired_by_service"]}
    return result


def expires_at(offer):
    expiration = expiration_of(offer["body"])
    if expiration is None:
        return offer["created_at"] + DEFAULT_EXPIRY_DAYS * 86400
    return parse_datetime(expiration)


def process_all(state):
    """The service's periodic jobs: publishing of what was written since the
    last run, and cancellation of expired offers. Called with the lock held."""
    n = 0
    wall = state.wall()
    for offer in state.offers.values():
        if not offer["processed"] or offer["dirty"]:
            offer["processed"] = True
            offer["dirty"] = False
            offer["publishing"] = decide_publishing(state, offer)
            n += 1
        when = expires_at(offer)
        if offer["status"] == "Active" and when is not None and when < wall:
            offer["status"] = "Cancelled"
            offer["expired_by_service"] = True
            state.stats["expired"] += 1
    return n


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--keys", default="test-key", help="comma-separated valid API keys")
    parser.add_argument("--write-quota", type=int, default=30)
    parser.add_argument("--read-quota", type=int, default=120)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--retry-after", type=int, default=None)
    parser.add_argument("--process-period", type=float, default=0.0,
                        help="process written offers every N real seconds (0: only on demand)")
    parser.add_argument("--manual-clock", action="store_true",
                        help="time moves only through /__test__/advance")
    parser.add_argument("--wall-start", type=float, default=None,
                        help="the service's date at start, in seconds since the epoch "
                             "(default: now; with --manual-clock, 1780000000)")
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args)
    print(server.server_address[1], flush=True)

    if args.process_period > 0:
        def ticker():
            while True:
                time.sleep(args.process_period)
                with server.state.lock:
                    process_all(server.state)
        threading.Thread(target=ticker, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
