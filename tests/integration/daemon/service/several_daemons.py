#!/usr/bin/env python3
"""several_daemons.py PASSERELLE TESTS_DIR: three daemons on one store
(operations.md "Several daemons on one store", issue 14 item 4).

Three real `passerelle daemon` processes share one PostgreSQL store, twenty
partners (seventeen on file:// drop folders, three on the test vsftpd with
explicit TLS, where moves really race), lba (tests/servers/lba_server.py) and
France Travail (tests/servers/france_travail_server.py, batches at two times
of day a minute apart). Two simulated days of Ymag snapshots (forty files)
are dropped at random moments while the daemons are killed with SIGKILL at
random moments and restarted. Then the killing stops, the daemons drain
what is left, and the test checks:
  - every file was imported exactly once (one `imported` run per file; a
    `duplicate` run is the ledger catching a file a killed daemon had
    imported but not yet moved) and sits in done/: nothing lost;
  - no lba write was sent twice with the same body, except a re-send after
    a kill (a daemon killed between its request and its settle: the claim
    comes back after its lease, so the copy arrives seconds later, with a
    kill in between); the same for France Travail rows;
  - the lba server never answered 429 (the write quota is shared through
    the store) and each France Travail slot gave at most one file in its
    first seconds (the batch was not split between daemons);
  - more than one daemon imported files, the runs name their daemon, and
    `status --json` lists the daemons with their partners; after SIGTERM
    every daemon is shown gone.
The random choices come from PASSERELLE_SEVERAL_SEED (default fixed); the
assertions do not depend on them. Needs PASSERELLE_TEST_DATABASE_URL, the
test vsftpd (PASSERELLE_TEST_FTP_*: tests/run-all starts both) and psql; bounded to about three minutes; every child is killed on exit.
"""

import datetime
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "support"))
from system_test import TestServer, drop_database, failer, psql, with_database, ymag_file  # noqa: E402

PARTNERS = 20
FTP_PARTNERS = 3  # the last ones
OFFERS = 4
DAEMONS = 3
WRITE_QUOTA = 90  # a minute, shared by the three daemons: binding (about 150 writes)
CHAOS_SECONDS = 50
CLAIM_LEASE = 30  # kRenewedClaimLease
DEADLINE = time.monotonic() + 210  # the last France Travail slot comes by 160 s

fail = failer("several_daemons")
Server = TestServer


def day_files(partner):
    """Day 1: OFFERS offers; day 2: two changed, one withdrawn, one new."""
    day1 = [{"ref": f"{partner.upper()}-{i}", "title": f"Vendeur {partner} {i}"}
            for i in range(1, OFFERS + 1)]
    day2 = [dict(row, title=row["title"] + " v2") if i < 2 else row for i, row in enumerate(day1[:-1])]
    day2.append({"ref": f"{partner.upper()}-{OFFERS + 1}", "title": f"Vendeur {partner} {OFFERS + 1}"})
    return [(f"YMAG_{partner}_20261201060000.csv", ymag_file(day1)),
            (f"YMAG_{partner}_20261202060000.csv", ymag_file(day2))]


def schedule_times():
    """Two France Travail slots, the next two whole minutes (Europe/Paris),
    at least 20 seconds ahead."""
    now = datetime.datetime.now(ZoneInfo("Europe/Paris")) + datetime.timedelta(seconds=20)
    first = now.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    slots = [first, first + datetime.timedelta(minutes=1)]
    return slots, ", ".join(f'"{s:%H:%M}"' for s in slots)


def main():
    if len(sys.argv) != 3:
        fail("usage: several_daemons.py PASSERELLE TESTS_DIR")
    binary, tests_dir = sys.argv[1], sys.argv[2]
    admin = os.environ.get("PASSERELLE_TEST_DATABASE_URL")
    if not admin:
        fail("PASSERELLE_TEST_DATABASE_URL is not set (run through tests/run-all)")
    ftp = {k: os.environ.get("PASSERELLE_TEST_FTP_" + k) for k in
           ("EXPLICIT_URL", "USER", "PASSWORD_FILE", "CA_FILE", "ROOT")}
    if not all(ftp.values()):
        fail("PASSERELLE_TEST_FTP_* are not set (run through tests/run-all, or source "
             "tests/support/start-vsftpd)")
    rng = random.Random(int(os.environ.get("PASSERELLE_SEVERAL_SEED", "14")))
    db = f"several_{os.getpid()}"
    psql(admin, f"CREATE DATABASE {db}")
    store = with_database(admin, db)
    lba = Server(os.path.join(tests_dir, "servers", "lba_server.py"),
                 "--write-quota", str(WRITE_QUOTA), "--read-quota", "2000")
    ft = Server(os.path.join(tests_dir, "servers", "france_travail_server.py"))
    work = tempfile.mkdtemp(prefix="passerelle-several.")
    daemons = {}  # slot -> Popen
    kills = []  # monotonic times of SIGKILLs (the lba server's request times)
    kills_wall = []  # the same in wall time (the France Travail server's)
    folders = {}  # partner -> local path of its drop folder
    try:
        secrets = {}
        for name, value in (("lba.key", "test-key"), ("ft.password", "secret")):
            secrets[name] = os.path.join(work, name)
            with open(secrets[name], "w") as f:
                f.write(value + "\n")
            os.chmod(secrets[name], 0o600)
        slots, schedule = schedule_times()
        partners = [f"p{i:02d}" for i in range(1, PARTNERS + 1)]
        on_ftp = set(partners[-FTP_PARTNERS:])
        owner = os.stat(ftp["ROOT"])

        def make_folder(p):
            if p not in on_ftp:
                folders[p] = os.path.join(work, "drop", p)
                os.makedirs(folders[p])
                return f'url = "file://{folders[p]}/"\n'
            name = f"several-{os.getpid()}-{p}"
            folders[p] = os.path.join(ftp["ROOT"], name)
            os.makedirs(folders[p])
            os.chown(folders[p], owner.st_uid, owner.st_gid)  # the server writes done/
            return (f'url = "{ftp["EXPLICIT_URL"]}{name}/"\ntls = "explicit"\n'
                    f'user = "{ftp["USER"]}"\npassword_file = "{ftp["PASSWORD_FILE"]}"\n'
                    f'ca_file = "{ftp["CA_FILE"]}"\n')
        config = os.path.join(work, "passerelle.toml")
        with open(config, "w") as f:
            f.write(f'[store]\nurl = "{store}"\n\n[daemon]\nstate_dir = "{work}/state"\n'
                    f'poll_interval = "2s"\nhttp = ""\n\n')
            for p in partners:
                f.write(f'[[partner]]\nid = "{p}"\nformat = "ymag"\n{make_folder(p)}'
                        f'stable_for = "1s"\n\n')
            f.write(f'[destination.lba]\nenabled = true\nurl = "{lba.url}"\n'
                    f'api_key_file = "{secrets["lba.key"]}"\nwrite_per_minute = {WRITE_QUOTA}\n'
                    f'read_per_minute = 2000\nmax_attempts = 1000\n\n'
                    f'[destination.france-travail]\nenabled = true\nmode = "upload"\n'
                    f'url = "{ft.url}/depot"\nlogin = "partenaire"\n'
                    f'password_file = "{secrets["ft.password"]}"\nfeed = "FLUXTEST"\n'
                    f'partner_key = "BRETAGNEALTERNANCE"\npartner_name = "Bretagne Alternance"\n'
                    f'schedule = [{schedule}]\n')
        env = dict(os.environ, PASSERELLE_CONFIG="")
        logs = open(os.path.join(work, "daemons.log"), "ab")

        def start(slot):
            daemons[slot] = subprocess.Popen([binary, "daemon", "--config", config], env=env,
                                             stdout=logs, stderr=logs)

        def run(args):
            return subprocess.run([binary] + args + ["--config", config], env=env,
                                  capture_output=True, text=True, timeout=60)

        r = run(["migrate"])
        if r.returncode != 0:
            fail(f"migrate: {r.stderr}")
        for slot in range(DAEMONS):
            start(slot)

        # Forty files, dropped at random moments of the chaos; day 2 of a
        # partner after its day 1 (a snapshot's order is its date).
        drops = []
        for p in partners:
            first, second = sorted(rng.uniform(0, CHAOS_SECONDS * 0.8) for _ in range(2))
            (n1, d1), (n2, d2) = day_files(p)
            drops += [(first, p, n1, d1), (second, p, n2, d2)]
        drops.sort()
        all_files = {(p, n) for _, p, n, _ in drops}
        began = time.monotonic()
        next_kill = began + rng.uniform(2, 6)
        while time.monotonic() - began < CHAOS_SECONDS:
            now = time.monotonic() - began
            while drops and drops[0][0] <= now:
                _, p, name, data = drops.pop(0)
                tmp = os.path.join(folders[p], "." + name + ".tmp")
                with open(tmp, "wb") as f:
                    f.write(data)
                os.chown(tmp, *(os.stat(folders[p])[4:6]))  # the FTP account's
                os.rename(tmp, os.path.join(folders[p], name))  # hidden until complete
            if time.monotonic() >= next_kill:
                slot = rng.randrange(DAEMONS)
                daemons[slot].kill()  # SIGKILL: no goodbye, leases and claims left behind
                daemons[slot].wait()
                kills.append(time.monotonic())
                kills_wall.append(time.time())
                time.sleep(rng.uniform(0, 2))
                start(slot)
                next_kill = time.monotonic() + rng.uniform(3, 8)
            time.sleep(0.1)
        print(f"several_daemons: {len(kills)} kills in {CHAOS_SECONDS} s", flush=True)

        # No more kills: the survivors take every lease over (two poll
        # intervals), the killed daemons' claims come back (their lease), and
        # the queues drain. France Travail's movements wait for their slot.
        def settled():
            imported = int(psql(store, "SELECT count(DISTINCT (partner, file_name)) FROM import_runs"
                                       " WHERE outcome = 'imported'"))
            left = int(psql(store, "SELECT count(*) FROM outbox_movements WHERE destination = 'lba'"
                                   " AND state IN ('pending', 'in_flight')"))
            waiting = sum(len([n for n in os.listdir(folders[p]) if n.endswith(".csv")])
                          for p in partners)
            return imported == len(all_files) and left == 0 and waiting == 0, imported, left
        last_slot_passed = slots[-1].timestamp() + 10
        while True:
            ok, imported, left = settled()
            if ok and time.time() > last_slot_passed:
                break
            if time.monotonic() > DEADLINE:
                fail(f"not settled in time: {imported}/{len(all_files)} files imported, "
                     f"{left} lba movements left")
            time.sleep(1)

        status = json.loads(run(["status", "--json"]).stdout)
        for p in daemons.values():
            p.send_signal(signal.SIGTERM)
        for p in daemons.values():
            if p.wait(timeout=30) != 0:
                fail(f"a daemon exited {p.returncode} on SIGTERM")
        problems = []

        # Files: each imported exactly once, none left behind.
        runs = psql(store, "SELECT partner, file_name, outcome, coalesce(daemon_id, '')"
                           " FROM import_runs ORDER BY id").splitlines()
        imported = {}
        importers = set()
        for line in runs:
            partner, name, outcome, daemon_id = line.split("|")
            if outcome == "imported":
                imported[(partner, name)] = imported.get((partner, name), 0) + 1
                importers.add(daemon_id)
            elif outcome != "duplicate":
                problems.append(f"{partner}/{name}: run {outcome}")
        for key in sorted(all_files):
            if imported.get(key) != 1:
                problems.append(f"{key[0]}/{key[1]} imported {imported.get(key, 0)} times")
            if not os.path.exists(os.path.join(folders[key[0]], "done", key[1])):
                problems.append(f"{key[0]}/{key[1]} not in done/")
        if "" in importers:
            problems.append("an import run names no daemon")
        if len(importers) < 2:
            problems.append(f"files imported by {len(importers)} daemon(s) only")

        # lba: no write twice, unless a kill explains it; the quota held.
        def explained(first, second):
            return second - first >= CLAIM_LEASE / 3 and any(first - 1 <= k <= second for k in kills)
        sent = {}
        for req in lba.get("/__test__/requests"):
            if req["method"] not in ("POST", "PUT") or req["status"] != 200:
                continue
            body = json.loads(req["body"]) if req["body"] else {}
            key = (req["path"], json.dumps(body, sort_keys=True))
            if key in sent and not explained(sent[key], req["time"]):
                problems.append(f"lba: {req['path']} sent twice with one body, "
                                f"{req['time'] - sent[key]:.1f} s apart, no kill between")
            sent.setdefault(key, req["time"])
        stats = lba.get("/__test__/stats")
        if stats.get("rate_limited", 0) != 0:
            problems.append(f"lba answered 429 {stats['rate_limited']} times: quota exceeded")
        if stats.get("max_writes_in_window", 0) > WRITE_QUOTA:
            problems.append(f"{stats['max_writes_in_window']} writes in one window")
        # What lba holds mirrors the store: every active offer Active there,
        # every withdrawn one not (or never sent, when withdrawn in time).
        there = {o["partner_job_id"]: o["status"] for o in lba.get("/__test__/offers").values()}
        offers = psql(store, "SELECT partner || ':' || source_ref, status FROM offers").splitlines()
        for line in offers:
            pjid, status_here = line.split("|")
            active_there = there.get(pjid) == "Active"
            if (status_here == "active") != active_there:
                problems.append(f"lba: {pjid} is {status_here} here, {there.get(pjid)} there")
        if len(offers) != PARTNERS * (OFFERS + 1):
            problems.append(f"{len(offers)} offers in the store, {PARTNERS * (OFFERS + 1)} expected")

        # France Travail: no row twice; one file per slot in its first seconds.
        uploads = [u for u in ft.get("/__test__/uploads") if u["accepted"]]
        rows_seen = {}
        for u in uploads:
            for row in (u["csv"] or "").splitlines()[1:]:
                if row in rows_seen and not any(rows_seen[row] - 1 <= k <= u["time"]
                                                for k in kills_wall):
                    problems.append(f"france-travail: a row sent twice: {row[:60]}")
                rows_seen.setdefault(row, u["time"])
        for s in slots:
            early = [u for u in uploads if 0 <= u["time"] - s.timestamp() < 4]
            if len(early) > 1:
                problems.append(f"france-travail: slot {s:%H:%M} split into {len(early)} files")
        if not uploads:
            problems.append("france-travail: no batch was sent")

        # status: the daemons and their partners; after SIGTERM all gone.
        alive = [d for d in status.get("daemons", []) if d["alive"]]
        if len(alive) != DAEMONS:
            problems.append(f"status showed {len(alive)} live daemons, {DAEMONS} expected")
        held_partners = sorted(p for d in alive for p in d["partners"])
        if held_partners != partners:
            problems.append(f"status: partners held {held_partners}")
        after = json.loads(run(["status", "--json"]).stdout)
        if any(d["alive"] for d in after["daemons"]):
            problems.append("a daemon still shown alive after SIGTERM")

        print(f"several_daemons: {len(all_files)} files, {len(importers)} importing daemons, "
              f"{len(sent)} lba writes, {len(uploads)} france-travail files, "
              f"lba stats {json.dumps(stats, sort_keys=True)}", flush=True)
        if problems:
            with open(os.path.join(work, "daemons.log"), errors="replace") as f:
                tail = f.read()[-3000:]
            fail("\n  " + "\n  ".join(problems) + "\n--- daemons' log (end) ---\n" + tail)
        print("several_daemons: 1 passed, 0 failed", flush=True)
        shutil.rmtree(work, ignore_errors=True)  # kept for a look when the test failed
    finally:
        for p in daemons.values():
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait()
        lba.stop()
        ft.stop()
        for path in folders.values():
            if path.startswith(ftp["ROOT"]):
                shutil.rmtree(path, ignore_errors=True)
        drop_database(admin, db)


if __name__ == "__main__":
    main()
