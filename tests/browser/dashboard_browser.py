#!/usr/bin/env python3
"""dashboard_browser.py PASSERELLE TESTS_DIR BUILD_DIR: the partners'
dashboard used through a real browser (dashboard.md "Tested as a person
uses it", issue 13 item 3).

A real `passerelle daemon` with the dashboard on, two partners on file://
drop folders, lba played by tests/servers/lba_server.py, France Travail in
spool mode, three dashboard accounts (one per partner, one operator; hashes
from `passerelle dashboard hash-password`). Each partner drops a Ymag
snapshot with good and refused rows; the second partner's next snapshot
would withdraw most of its offers and is quarantined. Once the daemon has
imported them, headless Debian Chromium (DevTools protocol, devtools.py)
goes through the pages and the test asserts on what they say:
  - partner A: a wrong password refused with its message, then login; home
    (indicators, refusal reasons, the 90-day SVG chart), files, one file's
    refused rows and its report downloaded, offers, one offer's story;
  - isolation: partner A asking for B's files, report, offers and the
    operators' pages by their ids answers 404 and shows nothing of B;
  - CSRF: the logout form posted with a wrong token, then without one, and
    the operator's approval with a forged one, are refused (403); logout;
  - the operator, with the page's JavaScript disabled: login with the
    keyboard alone (Tab order, Enter), home, the operators' page, the
    quarantined file's preview, « Appliquer » (a form POST with its CSRF
    token), the outcome on the page and in the store;
  - the daemon then stops cleanly on SIGTERM (exit 0; under ASan, no leak).
Every page visited is screenshot (PNG) into $PASSERELLE_ARTEFACTS_DIR
(default BUILD_DIR/artefacts/dashboard-screenshots) and passes the basic
accessibility checks of accessibility.js; failures are listed per page
(the checker is first shown a page made wrong on purpose, to prove it sees).

Needs /usr/bin/chromium and python3-websocket (packaging/install-deps):
without them the test FAILS, it does not skip. Needs PostgreSQL: uses
PASSERELLE_TEST_DATABASE_URL, else starts one (tests/support/start-postgres)
for its own run. About 20 s (30 s under ASan); every child is killed on exit.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from system_test import TestServer, drop_database, failer, psql, with_database, ymag_file  # noqa: E402

fail = failer("dashboard_browser")
BASE = "/tableau"
A, B = "cfa-rennes", "cfa-brest"
PASSWORDS = {A: "mdp-rennes-2026", B: "mdp-brest-2026", "portail": "mdp-portail-2026"}
IMPORT_DEADLINE = 60  # seconds for the daemon to take the three files


def fixtures():
    """Each partner's files: (partner, name, bytes). A: 8 offers, 2 refused
    rows, a warning; B: 20 offers, 1 refused row, then a snapshot of 5 (15 withdrawn:
    over max_withdraw_count, quarantined)."""
    a_rows = [{"ref": f"REN-{i}", "title": f"Boulanger Rennes {i}"} for i in range(1, 11)]
    a_rows[3]["siret"] = "123"  # REN-4: SIRET refused
    a_rows[6]["title"] = ""  # REN-7: no title, refused
    a_rows[8]["email"] = "pas-une-adresse"  # REN-9: a warning (the e-mail is dropped)
    b_rows = [{"ref": f"BRE-{i}", "title": f"Maçon Brest {i}"} for i in range(1, 22)]
    b_rows[20]["siret"] = "999"  # BRE-21: refused
    return [(A, "YMAG_rennes_20261201060000.csv", ymag_file(a_rows)),
            (B, "YMAG_brest_20261201060000.csv", ymag_file(b_rows)),
            (B, "YMAG_brest_20261202060000.csv", ymag_file(b_rows[:5]))]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Visit:
    """The pages seen: screenshots numbered in order, accessibility problems per page."""

    def __init__(self, browser, artefacts):
        self.browser = browser
        self.artefacts = artefacts
        self.count = 0
        self.problems = []
        with open(os.path.join(HERE, "accessibility.js")) as f:
            self.check_js = f.read()

    def seen(self, name):
        """Screenshots the current page and checks it (HTML pages only)."""
        self.count += 1
        self.browser.screenshot(os.path.join(self.artefacts, f"{self.count:02d}-{name}.png"))
        if self.browser.evaluate("document.contentType") == "text/html":
            for problem in self.browser.evaluate(self.check_js):
                self.problems.append(f"{name} ({self.browser.url()}): {problem}")

    def open(self, name, url, status=200):
        got = self.browser.navigate(url)
        if got != status:
            fail(f"{name}: {url} answered {got}, expected {status}\n{self.browser.text()[:800]}")
        self.seen(name)
        return self.browser.text()


def expect(name, text, *wanted, absent=()):
    for w in wanted:
        if w not in text:
            fail(f"{name}: {w!r} not on the page:\n{text[:1500]}")
    for a in absent:
        if a in text:
            fail(f"{name}: {a!r} must not be on the page:\n{text[:1500]}")


BAD_PAGE = ("data:text/html;charset=utf-8,<html><h1>a</h1><h1>b</h1><h3>c</h3><input id=x>"
            "<svg><rect/></svg><a href='/'></a><img src=x><p style='color:%23aaa'>pâle</p>")


def accessibility_check_works(visit):
    """The checker finds what it must on a page made wrong on purpose: a
    checker that finds nothing anywhere would pass every page."""
    visit.browser.navigate(BAD_PAGE)
    found = "\n".join(visit.browser.evaluate(visit.check_js))
    for wanted in ("<html lang>", "no <title>", "2 <h1>", "skips from h1", 'id="x"> has no label',
                   "<img> has no alt", "<svg> chart", "<a> has no accessible name", "contrast"):
        if wanted not in found:
            fail(f"accessibility.js missed {wanted!r} on a page made wrong; it found:\n{found}")


def table(browser, selector):
    """The body rows of a table, each a list of its cells' text (th and td)."""
    return browser.evaluate(
        f"[...document.querySelectorAll('{selector} tbody tr')].map("
        "tr => [...tr.cells].map(c => c.textContent.trim()))")


def log_in(visit, site, login, password):
    b = visit.browser
    b.navigate(site + "/connexion")
    b.type_into("#login", login)
    b.type_into("#password", password)
    return b.click_and_wait("#se-connecter")


def partner_a(visit, site, runs):
    b = visit.browser
    expect("anonymous", visit.open("connexion", site + "/"), "Connexion", "Identifiant", "Mot de passe")
    status = log_in(visit, site, A, "mauvais-mot-de-passe")
    if status != 401:
        fail(f"a wrong password answered {status}, expected 401")
    visit.seen("connexion-refusee")
    expect("wrong password", b.text(), "Identifiant ou mot de passe incorrect.")

    if log_in(visit, site, A, PASSWORDS[A]) != 200 or b.url() != site + "/":
        fail(f"partner login did not land on the home page: {b.url()} {b.status()}")
    visit.seen("accueil-partenaire")
    home = b.text()
    expect("home", home, "Accueil", "Indicateurs", A, "Offres en ligne, 90 derniers jours",
           "SIRET_FORMAT : 1 ligne(s). Indiquez le SIRET", "TITLE_MISSING : 1 ligne(s).",
           absent=(B,))
    if not b.evaluate("!!document.querySelector('svg#graphique[role=img]')"):
        fail("home: the 90-day SVG chart is missing")
    # Partner, online, published on lba, waiting, refused, sent to France
    # Travail (spool mode: at its batch time), files (30 days), rows refused.
    indicators = table(b, "#indicateurs")
    if indicators != [[A, "8", "0", "8", "0", "0", "1 pris en compte", "2"]]:
        fail(f"home: indicators {indicators}")

    if b.click_and_wait("#nav-fichiers") != 200:
        fail("files: the navigation link failed")
    visit.seen("fichiers")
    expect("files", b.text(), "YMAG_rennes_20261201060000.csv", absent=("YMAG_brest", B))

    page = visit.open("fichier", f"{site}/fichiers/{runs['a']}")
    expect("file", page, "YMAG_rennes_20261201060000.csv", "8 offres prises, 2 lignes refusées",
           "Le SIRET « 123 » doit compter 14 chiffres", "L'intitulé du poste est absent",
           absent=(B,))
    # Line, record, reference, severity, the partner's column name, code.
    problems = [row[:6] for row in table(b, "#problemes")]
    if problems != [["5", "4", "REN-4", "erreur", "SIRET", "SIRET_FORMAT"],
                    ["8", "7", "REN-7", "erreur", "Intitulé du poste", "TITLE_MISSING"],
                    ["10", "9", "REN-9", "avertissement", "Email du contact", "EMAIL_INVALID"]]:
        fail(f"file: refused rows and warnings {problems}")

    report = b.download("#rapport", visit.artefacts)
    with open(report, encoding="utf-8-sig") as f:
        lines = f.read().splitlines()
    os.remove(report)
    if not lines[0].startswith("ligne;enregistrement;reference;gravite") or \
            not any(line.startswith("5;4;REN-4;erreur;SIRET;SIRET_FORMAT") for line in lines):
        fail("file: the downloaded report is not the file's:\n" + "\n".join(lines[:6]))

    page = visit.open("offres", site + "/offres")
    expect("offers", page, "Boulanger Rennes 1", absent=("BRE-", "Maçon"))
    refs = [row[0] for row in table(b, "#offres")]
    if refs != ["REN-1", "REN-10", "REN-2", "REN-3", "REN-5", "REN-6", "REN-8", "REN-9"]:
        fail(f"offers: {refs} listed (the refused REN-4 and REN-7 are not offers)")

    page = visit.open("offre", f"{site}/offres/{A}/REN-2")
    expect("offer", page, "REN-2", "Boulanger Rennes 2", "YMAG_rennes_20261201060000.csv",
           "créée", "→ En ligne", "envoyé", "HTTP 200", "en attente", absent=("BRE-", "pending"))


def isolation(visit, site, runs):
    """Partner A changes ids in the URL: B's things answer the 404 of a missing one."""
    b = visit.browser
    secrets_of_b = ["BRE-", "Maçon", "YMAG_brest", B]
    missing = visit.open("introuvable", f"{site}/fichiers/999999", 404)
    for path in [f"/fichiers/{runs['b1']}", f"/fichiers/{runs['b2']}",
                 f"/fichiers/{runs['b1']}/rapport.csv", f"/offres/{B}/BRE-1", f"/offres/{A}/BRE-1",
                 "/operations", f"/operations/fichiers/{runs['b2']}"]:
        got = b.navigate(site + path)
        html = b.html()
        if got != 404:
            fail(f"isolation: {path} answered {got} to partner A, expected 404")
        if b.text() != missing:
            fail(f"isolation: {path}'s 404 differs from a missing file's:\n{b.text()}")
        expect(f"isolation {path}", html, absent=secrets_of_b)
    visit.seen("isolation-404")


def csrf_and_logout(visit, site):
    """The logout form posted with a wrong CSRF token, then with none: 403; then logout."""
    b = visit.browser
    b.navigate(site + "/")
    b.evaluate("document.querySelector('form.logout input[name=csrf]').value = 'faux'")
    if b.click_and_wait("#logout") != 403:
        fail(f"a wrong CSRF token answered {b.status()}, expected 403")
    visit.seen("csrf-faux")
    expect("wrong csrf", b.text(), "jeton CSRF absent ou invalide")
    b.navigate(site + "/")
    b.evaluate("document.querySelector('form.logout input[name=csrf]').remove()")
    if b.click_and_wait("#logout") != 403:
        fail(f"a missing CSRF token answered {b.status()}, expected 403")
    visit.seen("csrf-absent")
    b.navigate(site + "/")
    expect("still logged in", b.text(), A)
    if b.click_and_wait("#logout") != 200 or not b.url().endswith("/connexion"):
        fail(f"logout did not lead to the login form: {b.url()}")
    visit.seen("deconnexion")
    if b.navigate(site + "/offres") != 200 or not b.url().endswith("/connexion"):
        fail("after logout the offers page was still shown")


def operator(visit, site, store, runs):
    """With the page's JavaScript off: the pages and the approval work as plain HTML."""
    b = visit.browser
    b.set_scripts(False)
    if b.evaluate("1 + 1") != 2:
        fail("DevTools cannot read the page with scripts disabled")
    # The keyboard alone: Tab from the page's start reaches the login, the
    # password, the button, in that order; Enter submits.
    b.navigate(site + "/connexion")
    order = []
    for _ in range(3):
        b.press("Tab")
        order.append(b.focused())
    if order != ["login", "password", "se-connecter"]:
        fail(f"login form: Tab goes through {order}, expected login, password, se-connecter")
    b.type_into("#login", "portail")
    b.type_into("#password", PASSWORDS["portail"])
    if b.press_and_wait("Enter") != 200 or b.url() != site + "/":
        fail(f"operator login (keyboard) failed: {b.url()} {b.status()}")
    visit.seen("accueil-operateur")
    expect("operator home", b.text(), A, B, "Opérations")
    rows = {row[0]: row[1] for row in table(b, "#indicateurs")}
    if rows != {A: "8", B: "20"}:
        fail(f"operator home: offers online per partner {rows}, expected {A}: 8, {B}: 20")

    page = visit.open("operations", site + "/operations")
    expect("operations", page, "Opérations", "YMAG_brest_20261202060000.csv",
           "Retirerait 15 des 20 offres en ligne", absent=("would withdraw",))
    b.click_and_wait(f"a[href='{BASE}/operations/fichiers/{runs['b2']}']")
    visit.seen("fichier-en-attente")
    expect("quarantined preview", b.text(), "YMAG_brest_20261202060000.csv",
           "laisserait inchangées 5 et retirerait 15 offres", "BRE-10",
           "Appliquer le fichier", "Écarter le fichier")

    # The approval form with a forged token: refused, nothing applied.
    preview = b.url()
    b.evaluate("document.querySelector('#appliquer').form.querySelector('[name=csrf]').value = "
               "'0'.repeat(64)")
    if b.click_and_wait("#appliquer") != 403:
        fail(f"approving with a wrong CSRF token answered {b.status()}, expected 403")
    visit.seen("approbation-csrf-faux")
    expect("forged approval", b.text(), "jeton CSRF absent ou invalide")
    withdrawn = psql(store, f"SELECT count(*) FROM offers WHERE partner = '{B}' AND status = 'withdrawn'")
    if withdrawn != "0":
        fail(f"a refused approval withdrew {withdrawn} offers")
    b.navigate(preview)

    if b.click_and_wait("#appliquer") != 200:
        fail(f"approving answered {b.status()}")
    visit.seen("fichier-applique")
    expect("approved", b.text(), "Fichier appliqué (15 offres retirées).")
    withdrawn = psql(store, f"SELECT count(*) FROM offers WHERE partner = '{B}' AND status = 'withdrawn'")
    if withdrawn != "15":
        fail(f"after approval the store has {withdrawn} withdrawn offers of {B}, expected 15")

    # Pause a partner's polling, then resume it (plain HTML forms).
    b.navigate(site + "/operations")
    if b.click_and_wait(f"#suspendre-{A}") != 200:
        fail(f"pausing {A} answered {b.status()}")
    visit.seen("releve-suspendue")
    expect("paused", b.text(), f"Relève de {A} suspendue.", "suspendue le ")
    if psql(store, f"SELECT paused_by FROM partner_pauses WHERE partner = '{A}'") != "portail":
        fail(f"pausing {A} from the dashboard left no pause by portail in the store")
    if b.click_and_wait(f"#reprendre-{A}") != 200:
        fail(f"resuming {A} answered {b.status()}")
    expect("resumed", b.text(), f"Relève de {A} reprise.")
    if psql(store, "SELECT count(*) FROM partner_pauses") != "0":
        fail("resuming left a pause in the store")
    b.set_scripts(True)


def write_config(work, store, lba, port, binary):
    secrets = os.path.join(work, "secrets")
    os.makedirs(secrets, mode=0o700)
    with open(os.path.join(secrets, "lba.key"), "w") as f:
        f.write("test-key\n")
    os.chmod(os.path.join(secrets, "lba.key"), 0o600)
    accounts = ""
    for login, password in PASSWORDS.items():
        hashed = subprocess.run([binary, "dashboard", "hash-password"], input=password + "\n",
                                capture_output=True, text=True, check=True).stdout
        path = os.path.join(secrets, f"dashboard-{login}")
        with open(path, "w") as f:
            f.write(hashed)
        os.chmod(path, 0o600)
        who = 'role = "operator"' if login == "portail" else f'partner = "{login}"'
        accounts += (f'[[dashboard.account]]\nlogin = "{login}"\n{who}\n'
                     f'password_hash_file = "{path}"\n\n')
    config = os.path.join(work, "passerelle.toml")
    with open(config, "w") as f:
        f.write(f'[store]\nurl = "{store}"\n\n[daemon]\nstate_dir = "{work}/state"\n'
                f'poll_interval = "1s"\nhttp = ""\n\n')
        for p in (A, B):
            os.makedirs(os.path.join(work, "drop", p))
            f.write(f'[[partner]]\nid = "{p}"\nformat = "ymag"\n'
                    f'url = "file://{work}/drop/{p}/"\nstable_for = "1s"\n\n')
        f.write(f'[destination.lba]\nenabled = true\nurl = "{lba.url}"\n'
                f'api_key_file = "{secrets}/lba.key"\nwrite_per_minute = 1000\n\n'
                f'[destination.france-travail]\nenabled = true\nmode = "spool"\n'
                f'spool_dir = "{work}/france-travail"\npartner_key = "BRETAGNEALTERNANCE"\n'
                f'partner_name = "Bretagne Alternance"\n\n'
                f'[dashboard]\nlisten = "127.0.0.1:{port}"\nbase_path = "{BASE}"\n\n{accounts}')
    return config


def wait_for_imports(store, daemon, log_path):
    """The daemon took A's file and B's first (imported) and B's second (quarantined)."""
    deadline = time.monotonic() + IMPORT_DEADLINE
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            break
        rows = psql(store, "SELECT file_name, outcome, id FROM import_runs ORDER BY id").splitlines()
        runs = {r.split("|")[0]: (r.split("|")[1], r.split("|")[2]) for r in rows}
        if len(runs) == 3:
            return runs
        time.sleep(0.3)  # the store has no notification of a finished import to wait on
    with open(log_path, errors="replace") as f:
        fail(f"the daemon did not import the three files in time (exit {daemon.poll()}); its log:\n"
             + f.read()[-3000:])


def wait_for_lba(store):
    """lba got every offer (no movement waiting): the offer's page then shows what was sent."""
    deadline = time.monotonic() + 30
    while psql(store, "SELECT count(*) FROM outbox_movements WHERE destination = 'lba'"
                      " AND state IN ('pending', 'in_flight')") != "0":
        if time.monotonic() > deadline:
            fail("lba movements still waiting after 30 s")
        time.sleep(0.3)  # no notification of a drained queue to wait on


def check_tools():
    """Chromium and websocket-client are test dependencies CI installs: their
    absence fails the test (a skip would hide that the dashboard went untested)."""
    from devtools import CHROMIUM
    if not os.access(CHROMIUM, os.X_OK):
        fail(f"{CHROMIUM} is missing: install it (apt-get install chromium; "
             "packaging/install-deps lists it; PASSERELLE_CHROMIUM names another)")
    try:
        import websocket  # noqa: F401
    except ImportError:
        # Debian's package, when another Python (pyenv, a venv) comes first on
        # PATH: websocket-client is pure Python.
        sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import websocket  # noqa: F401,F811
    except ImportError:
        fail("python3-websocket is missing: install it (apt-get install python3-websocket; "
             "packaging/install-deps lists it)")


def main():
    if len(sys.argv) != 4:
        fail("usage: dashboard_browser.py PASSERELLE TESTS_DIR BUILD_DIR")
    binary, tests_dir, build_dir = sys.argv[1:]
    check_tools()
    admin = os.environ.get("PASSERELLE_TEST_DATABASE_URL")
    if not admin:
        # A PostgreSQL of our own for this run; the shell's EXIT trap stops it.
        start = os.path.join(tests_dir, "support", "start-postgres")
        sys.exit(subprocess.run(["bash", "-c", f'source "{start}" >&2 && "$@"', "bash", sys.executable,
                                 os.path.abspath(__file__), *sys.argv[1:]]).returncode)
    from devtools import Browser, DevToolsError

    artefacts = os.environ.get("PASSERELLE_ARTEFACTS_DIR") or os.path.join(
        build_dir, "artefacts", "dashboard-screenshots")
    shutil.rmtree(artefacts, ignore_errors=True)
    os.makedirs(artefacts)
    began = time.monotonic()
    db = f"browser_{os.getpid()}"
    psql(admin, f"CREATE DATABASE {db}")
    store = with_database(admin, db)
    lba = TestServer(os.path.join(tests_dir, "servers", "lba_server.py"), "--write-quota", "1000")
    work = tempfile.mkdtemp(prefix="passerelle-browser.")
    daemon = browser = None
    try:
        port = free_port()
        config = write_config(work, store, lba, port, binary)
        env = dict(os.environ, PASSERELLE_CONFIG="")
        r = subprocess.run([binary, "migrate", "--config", config], env=env, capture_output=True,
                           text=True, timeout=60)
        if r.returncode != 0:
            fail(f"migrate: {r.stderr}")
        for partner, name, data in fixtures():  # B's two snapshots go in their dates' order
            path = os.path.join(work, "drop", partner, name)
            with open(path + ".tmp", "wb") as f:
                f.write(data)
            os.rename(path + ".tmp", path)
        log_path = os.path.join(work, "daemon.log")
        with open(log_path, "ab") as log:
            daemon = subprocess.Popen([binary, "daemon", "--config", config], env=env,
                                      stdout=log, stderr=log)
        runs = wait_for_imports(store, daemon, log_path)
        outcomes = {name: outcome for name, (outcome, _) in runs.items()}
        if outcomes != {"YMAG_rennes_20261201060000.csv": "imported",
                        "YMAG_brest_20261201060000.csv": "imported",
                        "YMAG_brest_20261202060000.csv": "quarantined"}:
            fail(f"unexpected outcomes: {outcomes}")
        ids = {"a": runs["YMAG_rennes_20261201060000.csv"][1],
               "b1": runs["YMAG_brest_20261201060000.csv"][1],
               "b2": runs["YMAG_brest_20261202060000.csv"][1]}
        imported_in = time.monotonic() - began
        wait_for_lba(store)

        site = f"http://127.0.0.1:{port}{BASE}"
        browser = Browser()
        visit = Visit(browser, artefacts)
        accessibility_check_works(visit)
        partner_a(visit, site, ids)
        isolation(visit, site, ids)
        csrf_and_logout(visit, site)
        operator(visit, site, store, ids)

        if visit.problems:
            fail("accessibility:\n  " + "\n  ".join(visit.problems))
        daemon.send_signal(signal.SIGTERM)  # a clean stop (under ASan: no leak either)
        if daemon.wait(timeout=60) != 0:
            with open(log_path, errors="replace") as f:
                fail(f"the daemon exited {daemon.returncode} on SIGTERM; its log:\n" + f.read()[-3000:])
        print(f"dashboard_browser: {visit.count} pages seen, files imported in {imported_in:.1f} s, "
              f"total {time.monotonic() - began:.1f} s", flush=True)
        print("dashboard_browser: 1 passed, 0 failed", flush=True)
        shutil.rmtree(work, ignore_errors=True)  # kept for a look when the test failed
    except DevToolsError as e:
        fail(f"browser: {e}")
    finally:
        print(f"dashboard_browser: screenshots of the pages seen are in {artefacts}", flush=True)
        if browser:
            browser.close()
        if daemon and daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=20)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        lba.stop()
        drop_database(admin, db)


if __name__ == "__main__":
    main()
