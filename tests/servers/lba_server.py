#!/usr/bin/env python3
"""A local stand-in for the lba API (shared/specs/destinations/lba.md).

Python standard library only; listens on loopback. Started with --port 0, it
prints the chosen port alone on the first line of stdout, so that a test can
read it, then serves until killed.

What it plays:
  POST /job/v1/offer                  idempotent upsert by (organisation, partner_job_id);
                                      200 {"id": <24 hex, stable>}; reactivates a cancelled offer
  PUT  /job/v1/offer/{id}             404 until the offer is processed; 400 "Job must be active
                                      in order to be modified" when it is not active; else 204
  GET  /job/v1/offer/{id}             200 the stored offer
  GET  /job/v1/offer/{id}/publishing-informations
                                      WILL_BE_PUBLISHED until processed, then PUBLISHED or
                                      WILL_NOT_BE_PUBLISHED with an error (CFA for NAF 85xx
                                      registered with /__test__/naf, ROME_BLACKLISTED)
  Authorization: Bearer <key>         401 for a missing or unknown key (--keys)
  quotas                              per key, per rolling window: --write-quota (30) for
                                      POST/PUT, --read-quota (120) for GET; over it 429 with
                                      the service's message, and Retry-After if configured
  validation                          400 with the documented JSON shape

Test-only endpoints (no key needed), all JSON:
  POST /__test__/process              process every written offer now (the 10-minute job)
  POST /__test__/faults               {"mode": "500"|"504"|"504_after"|"slow"|"drop"|
                                      "drop_after", "count": N, "delay": s, "methods": [...]}:
                                      the next N API requests fail that way. "_after" modes
                                      act first (the response is lost after the server acted).
  POST /__test__/config               {"retry_after": s|null, "write_quota": n, "read_quota": n,
                                      "window": s}
  POST /__test__/naf                  {"siret": "...", "naf": "8559A"}
  POST /__test__/advance              {"seconds": s}: moves the manual clock (--manual-clock)
  GET  /__test__/requests             every API request received: method, path, body, time,
                                      status, auth ("ok" | "bad" | "missing")
  GET  /__test__/offers               the stored offers
  GET  /__test__/stats                counters (requests, writes, reads, 429s, offers created)
  POST /__test__/reset                forget everything
"""

import argparse
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


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.keys = set(k for k in args.keys.split(",") if k)
        self.write_quota = args.write_quota
        self.read_quota = args.read_quota
        self.window = args.window
        self.retry_after = args.retry_after
        self.manual_clock = args.manual_clock
        self.clock_offset = 0.0
        self.reset()

    def reset(self):
        self.offers = {}  # id -> dict
        self.requests = []
        self.quota_log = {}  # (key, "write"|"read") -> deque of times
        self.faults = []  # list of dicts with remaining count
        self.naf = {}
        self.stats = {"requests": 0, "writes": 0, "reads": 0, "rate_limited": 0,
                      "created": 0, "updated": 0, "closed": 0, "unauthorized": 0,
                      "bad_request": 0, "faults": 0}

    def now(self):
        if self.manual_clock:
            return 1_000_000.0 + self.clock_offset
        return time.monotonic()


def offer_id(org, partner_job_id):
    return hashlib.sha256((org + "\x00" + partner_job_id).encode()).hexdigest()[:24]


def validation_error(path, message):
    dotted = "body." + ".".join(str(p) for p in path)
    return 400, {"statusCode": 400, "error": "Bad Request",
                 "message": f"{dotted}: {message}",
                 "data": {"validationError": {"issues": [{"path": path, "message": message}]}}}


def validate(body):
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
                                "String must contain at least 30 character(s)")
    apply = body.get("apply") or {}
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
    return None


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
        with state.lock:
            fault = self.take_fault(method)
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
            status, payload, headers = self.api(method, raw)
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

    # ---- the API (called with the lock held) -----------------------------
    def api(self, method, raw):
        state = self.server.state
        state.stats["requests"] += 1
        auth, key = self.auth()
        if auth != "ok":
            state.stats["unauthorized"] += 1
            return 401, {"statusCode": 401, "error": "Unauthorized",
                         "message": "Unauthorized"}, None
        kind = "read" if method == "GET" else "write"
        limited = self.over_quota(key, kind)
        if limited:
            return limited
        state.stats[kind + "s"] += 1
        if method == "POST" and self.path == "/job/v1/offer":
            return self.upsert(key, raw)
        match = OFFER_PATH.match(self.path)
        if not match:
            return 404, {"statusCode": 404, "error": "Not Found", "message": "Route not found"}, None
        oid, publishing = match.group(1), match.group(2)
        offer = state.offers.get(oid)
        if offer is None or offer["org"] != key:
            return 404, {"statusCode": 404, "error": "Not Found", "message": "Offer not found"}, None
        if method == "GET" and publishing:
            return 200, {"publishing": self.publishing(offer)}, None
        if method == "GET":
            return 200, dict(offer["body"], _id=oid), None
        if method == "PUT":
            return self.replace(offer, raw)
        return 404, {"statusCode": 404, "error": "Not Found", "message": "Route not found"}, None

    def over_quota(self, key, kind):
        state = self.server.state
        quota = state.read_quota if kind == "read" else state.write_quota
        log = state.quota_log.setdefault((key, kind), deque())
        now = state.now()
        while log and log[0] <= now - state.window:
            log.popleft()
        if len(log) >= quota:
            state.stats["rate_limited"] += 1
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
        error = error or validate(body)
        if error:
            state.stats["bad_request"] += 1
            return error[0], error[1], None
        pjid = body["identifier"]["partner_job_id"]
        oid = offer_id(key, pjid)
        status = body.get("offer", {}).get("status", "Active")
        offer = state.offers.get(oid)
        if offer is None:
            state.offers[oid] = {"org": key, "partner_job_id": pjid, "body": body,
                                 "status": status, "processed": False, "writes": 1}
            state.stats["created"] += 1
        else:
            offer.update(body=body, status=status)
            offer["writes"] += 1
            state.stats["updated"] += 1
        return 200, {"id": oid}, None

    def replace(self, offer, raw):
        state = self.server.state
        if not offer["processed"]:
            return 404, {"statusCode": 404, "error": "Not Found", "message": "Offer not found"}, None
        if offer["status"] != "Active":
            state.stats["bad_request"] += 1
            return 400, {"statusCode": 400, "error": "Bad Request",
                         "message": "Job must be active in order to be modified"}, None
        body, error = self.parse(raw)
        error = error or validate(body)
        if error:
            state.stats["bad_request"] += 1
            return error[0], error[1], None
        offer["body"] = body
        offer["status"] = body.get("offer", {}).get("status", "Active")
        offer["writes"] += 1
        if offer["status"] != "Active":
            state.stats["closed"] += 1
        return 204, None, None

    def publishing(self, offer):
        if not offer["processed"]:
            return {"status": "WILL_BE_PUBLISHED"}
        body = offer["body"]
        naf = self.server.state.naf.get(body.get("workplace", {}).get("siret"), "")
        if naf.startswith("85"):
            return {"status": "WILL_NOT_BE_PUBLISHED",
                    "error": {"code": "CFA", "label": "L'entreprise est un organisme de formation"}}
        rome = body.get("offer", {}).get("rome_codes") or []
        if rome and all(r in BLACKLISTED_ROME for r in rome):
            return {"status": "WILL_NOT_BE_PUBLISHED",
                    "error": {"code": "ROME_BLACKLISTED", "label": "Code ROME non autorisé"}}
        return {"status": "PUBLISHED"}

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
            elif route == "faults":
                state.faults.append({"mode": str(args.get("mode", "500")),
                                     "count": int(args.get("count", 1)),
                                     "delay": float(args.get("delay", 2)),
                                     "methods": args.get("methods")})
                result = {"ok": True}
            elif route == "config":
                for k in ("retry_after", "write_quota", "read_quota", "window"):
                    if k in args:
                        setattr(state, k, args[k])
                result = {"ok": True}
            elif route == "naf":
                state.naf[args["siret"]] = args["naf"]
                result = {"ok": True}
            elif route == "advance":
                state.clock_offset += float(args.get("seconds", 0))
                result = {"now": state.now()}
            elif route == "requests":
                result = state.requests
            elif route == "offers":
                result = state.offers
            elif route == "stats":
                result = dict(state.stats, offers=len(state.offers))
            elif route == "reset":
                state.reset()
                result = {"ok": True}
            else:
                return self.send_json(404, {"error": "unknown test endpoint"})
        self.send_json(200, result)


def process_all(state):
    n = 0
    for offer in state.offers.values():
        if not offer["processed"]:
            offer["processed"] = True
            n += 1
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
                        help="quota time moves only through /__test__/advance")
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
