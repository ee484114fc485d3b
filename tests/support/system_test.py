"""system_test: what the Python system tests (tests/integration/**/*.py)
share: failing with a clear message, psql, a database URL for another
database, a test server of tests/servers/ started on a free port, and a
Ymag snapshot built from rows.

Import it with tests/support on sys.path (the scripts insert it from their
own location). Single-threaded use; a TestServer's process is killed by
stop().
"""

import json
import re
import subprocess
import sys
import urllib.request

YMAG_HEADER = ("N° offre;Raison sociale;SIRET;Code NAF;Intitulé du poste;Descriptif du poste;"
               "Codes ROME;Type de contrat;Date de début;Durée (mois);Nombre de postes;Niveau;"
               "Diplôme préparé;Code RNCP;Adresse;Code postal;Ville;Nom du contact;"
               "Email du contact;Téléphone du contact;Fin de publication;Diffusion Pôle emploi;"
               "Date de modification\r\n")

LONG_DESCRIPTION = "Fabrication du pain ; viennoiseries. Horaires : 4h-11h, équipe de cinq."


def failer(test_name):
    """A fail(message) that prints '<test_name>: FAILED: message' and exits 1."""
    def fail(message):
        print(f"{test_name}: FAILED: {message}", flush=True)
        sys.exit(1)
    return fail


def psql(url, sql):
    """Runs one statement; returns its unaligned, tuples-only output."""
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def drop_database(admin, name):
    """Drops a test's database at the end, best effort: a cleanup never hides
    the test's own outcome."""
    try:
        psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except subprocess.CalledProcessError:
        pass


def with_database(url, name):
    """The same server's URL for database `name`."""
    return re.sub(r"/[^/?]*(\?|$)", "/" + name + r"\1", url, count=1) if url.count("/") >= 3 else url


class TestServer:
    """One of tests/servers/*.py, started with --port 0 (it prints its port)."""

    def __init__(self, script, *args):
        self.proc = subprocess.Popen([sys.executable, script, "--port", "0", *args],
                                     stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline().strip())
        self.url = f"http://127.0.0.1:{self.port}"

    def call(self, method, path, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
            return json.loads(body) if body else None

    def get(self, path):
        return self.call("GET", path)

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def ymag_file(rows):
    """A Ymag snapshot (UTF-8 bytes) of `rows`: dicts with 'ref' and 'title',
    and optionally 'description', 'email', 'phone', 'expires' (DD/MM/YYYY),
    'siret'."""
    out = YMAG_HEADER
    for r in rows:
        description = r.get("description", LONG_DESCRIPTION)
        email = r.get("email", "contact@example.fr")
        phone = r.get("phone", "02 99 40 00 00")
        expires = r.get("expires", "31/12/2030")
        siret = r.get("siret", "510 245 678 00014")
        out += (f"{r['ref']};BOULANGERIE DU SILLON;{siret};10.71C;{r['title']};"
                f"\"{description}\";D1106;Contrat d'apprentissage;01/09/2027;24;1;CAP;"
                f"CAP Boulanger;RNCP37861;2 rue du Sillon;35000;Saint-Malo;Anne Le Gall;"
                f"{email};{phone};{expires};Oui;02/03/2026 14:05:00\r\n")
    return out.encode("utf-8")
