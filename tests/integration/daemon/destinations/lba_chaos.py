#!/usr/bin/env python3
"""lba_chaos.py PASSERELLE TESTS_DIR: what is online mirrors the store,
whatever fails (issue 10, shared/specs/destinations/lba.md).

Against tests/servers/lba_server.py, over several rounds:
  - a partner's snapshot changes, withdraws offers, makes some ineligible
    (description shortened, contact removed) and lets some expire;
  - the server loses answers after acting (504_after, drop_after), fails
    with 500 and delays;
  - three `passerelle push` run at once, some killed with SIGKILL at random.
Then, faults off, the queue is drained to the end and the server's state is
compared with the store's:
  - every active offer the store deems eligible is at the server once,
    Active, with the last body the store recorded as accepted;
  - every other offer is Cancelled there, or was never created;
  - the server never answered 429 (the quota is shared through the store)
    and never held more writes in a window than the quota.

Needs PASSERELLE_TEST_DATABASE_URL (tests/run-all sets it) and psql. Bounded:
a few minutes at most; every child is killed on exit.
"""

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "support"))
from system_test import (LONG_DESCRIPTION, TestServer, drop_database, failer,  # noqa: E402
                         psql, with_database, ymag_file)

ROUNDS = 5
OFFERS = 40
PUSHERS = 3
WRITE_QUOTA = 600  # a minute: high, so the rounds stay short; shared by all pushers
DEADLINE = time.monotonic() + 420


fail = failer("lba_chaos")
LONG = LONG_DESCRIPTION


class Server(TestServer):
    def __init__(self, script):
        super().__init__(script, "--write-quota", str(WRITE_QUOTA), "--read-quota", "2000")

    def faults(self, mode, count, methods=None, delay=None):
        payload = {"mode": mode, "count": count}
        if methods:
            payload["methods"] = methods
        if delay is not None:
            payload["delay"] = delay
        self.call("POST", "/__test__/faults", payload)


def make_round(rng, offers):
    """The partner's next snapshot: offers change, vanish, come back, become
    ineligible or expire."""
    for ref, o in offers.items():
        roll = rng.random()
        if roll < 0.15:
            o["present"] = not o["present"]  # withdrawn, or back
        elif roll < 0.30:
            o["title"] = f"Vendeur {ref} v{rng.randint(2, 99)}"
        elif roll < 0.38:
            o["description"] = "Poste pourvu."  # too short: not eligible any more
            o["email"] = ""
            o["phone"] = ""
        elif roll < 0.45:
            o["description"] = LONG + f" ({rng.randint(1, 9)})"
            o["email"] = "contact@example.fr"
        elif roll < 0.50:
            o["expires"] = "01/01/2026"  # in the past: expired by the import's rules
        elif roll < 0.55:
            o["expires"] = "31/12/2030"
    return [dict(o, ref=ref) for ref, o in sorted(offers.items()) if o["present"]]


def main():
    if len(sys.argv) != 3:
        fail("usage: lba_chaos.py PASSERELLE TESTS_DIR")
    binary, tests_dir = sys.argv[1], sys.argv[2]
    admin = os.environ.get("PASSERELLE_TEST_DATABASE_URL")
    if not admin:
        fail("PASSERELLE_TEST_DATABASE_URL is not set (run through tests/run-all)")
    rng = random.Random(int(os.environ.get("PASSERELLE_CHAOS_SEED", "20261202")))
    db = f"chaos_{os.getpid()}"
    psql(admin, f"CREATE DATABASE {db}")
    store = with_database(admin, db)
    server = Server(os.path.join(tests_dir, "servers", "lba_server.py"))
    children = []
    work = tempfile.mkdtemp(prefix="passerelle-chaos.")
    try:
        key_file = os.path.join(work, "lba.key")
        with open(key_file, "w") as f:
            f.write("test-key\n")
        os.chmod(key_file, 0o600)
        config = os.path.join(work, "passerelle.toml")
        with open(config, "w") as f:
            f.write(f'[store]\nurl = "{store}"\n\n[daemon]\nstate_dir = "{work}/state"\n\n'
                    f'[[partner]]\nid = "cfa-chaos"\nformat = "ymag"\nurl = "file://{work}/drop/"\n'
                    f'max_withdraw_ratio = 1.0\nmax_withdraw_count = 1000\n\n'
                    f'[destination.lba]\nenabled = true\nurl = "{server.url}"\n'
                    f'api_key_file = "{key_file}"\nwrite_per_minute = {WRITE_QUOTA}\n'
                    f'read_per_minute = 2000\nmax_attempts = 1000\n')
        os.makedirs(os.path.join(work, "drop"))
        env = dict(os.environ, PASSERELLE_CONFIG="")

        def run(args, check=True):
            r = subprocess.run([binary] + args + ["--config", config], env=env,
                               capture_output=True, text=True, timeout=120)
            if check and r.returncode not in (0, 1, 2):
                fail(f"{args}: exit {r.returncode}\n{r.stderr[-2000:]}")
            return r

        offers = {f"Y-{i}": {"present": True, "title": f"Vendeur {i}", "description": LONG,
                             "email": "contact@example.fr", "phone": "02 99 40 00 00",
                             "expires": "31/12/2030"} for i in range(1, OFFERS + 1)}
        fault_modes = ["504_after", "drop_after", "500", "slow", None]
        for round_no in range(1, ROUNDS + 1):
            rows = make_round(rng, offers) if round_no > 1 else \
                [dict(o, ref=r) for r, o in sorted(offers.items())]
            path = os.path.join(work, f"YMAG_cfa-chaos_2026120{round_no}060000.csv")
            with open(path, "wb") as f:
                f.write(ymag_file(rows))
            r = run(["import", "--partner", "cfa-chaos", "--format", "ymag", path])
            mode = fault_modes[(round_no - 1) % len(fault_modes)]
            if mode:
                server.faults(mode, rng.randint(3, 8), delay=3 if mode == "slow" else None)
            pushers = [subprocess.Popen([binary, "push", "--destination", "lba", "--config",
                                         config], env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL) for _ in range(PUSHERS)]
            children.extend(pushers)
            time.sleep(rng.uniform(0.2, 1.5))
            for p in pushers:
                if rng.random() < 0.5 and p.poll() is None:
                    p.kill()  # SIGKILL: leases left behind
            for p in pushers:
                try:
                    p.wait(timeout=max(1, DEADLINE - time.monotonic()))
                except subprocess.TimeoutExpired:
                    fail("a pusher did not finish in time")
            print(f"lba_chaos: round {round_no}: {len(rows)} rows, faults {mode}", flush=True)

        # Faults off; time passes for leases and backoff (as it would), then
        # the queue is drained to the end.
        server.call("POST", "/__test__/faults", {"clear": True})
        for attempt in range(30):
            if time.monotonic() > DEADLINE:
                fail("the queue was not drained in time")
            psql(store, "UPDATE outbox_movements SET lease_until = now() - interval '1 hour'"
                        " WHERE state = 'in_flight';"
                        " UPDATE outbox_movements SET next_attempt_at = NULL WHERE state = 'pending';"
                        " DELETE FROM quota_pauses")
            r = run(["push", "--destination", "lba"])
            left = psql(store, "SELECT count(*) FROM outbox_movements WHERE destination = 'lba'"
                               " AND state IN ('pending', 'in_flight')")
            if r.returncode == 0 and left == "0":
                break
        else:
            fail("the queue never drained")

        stats = server.call("GET", "/__test__/stats")
        held = server.call("GET", "/__test__/offers")
        by_job = {}
        for oid, o in held.items():
            pjid = o["partner_job_id"]
            if pjid in by_job:
                fail(f"{pjid} created twice at the server")
            by_job[pjid] = o
        rows = psql(store,
                    "SELECT o.source_ref, o.status = 'active' AND coalesce(cardinality("
                    "d.not_eligible_reasons), 0) = 0 AND d.closed_at IS NULL"
                    " AND d.accepted_body IS NOT NULL, coalesce(d.accepted_body, '')"
                    " FROM offers o LEFT JOIN destination_offers d ON d.partner = o.partner"
                    " AND d.source_ref = o.source_ref AND d.destination = 'lba'"
                    " WHERE o.partner = 'cfa-chaos' ORDER BY 1")
        problems = []
        active_here = 0
        for line in rows.splitlines():
            ref, should_be_active, body = line.split("|", 2)
            there = by_job.get(f"cfa-chaos:{ref}")
            if should_be_active == "t":
                active_here += 1
                if there is None or there.get("status") != "Active":
                    problems.append(f"{ref}: active and eligible here, "
                                    f"{'absent' if there is None else there.get('status')} there")
                elif json.loads(body) != there.get("body"):
                    problems.append(f"{ref}: the server holds another body than the last accepted")
            elif there is not None and there.get("status") == "Active":
                problems.append(f"{ref}: not active or not eligible here, Active there")
        if stats.get("rate_limited", 0) != 0:
            problems.append(f"{stats['rate_limited']} answers 429: the shared quota was exceeded")
        print(f"lba_chaos: {active_here} offers active here, {len(by_job)} known there, "
              f"stats {json.dumps(stats, sort_keys=True)}", flush=True)
        if problems:
            fail("the server does not mirror the store:\n  " + "\n  ".join(problems))
        print("lba_chaos: 1 passed, 0 failed", flush=True)
    finally:
        for p in children:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait()
        server.stop()
        drop_database(admin, db)


if __name__ == "__main__":
    main()
