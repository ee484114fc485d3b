#!/usr/bin/env python3
"""A local stand-in for France Travail's partner depot
(shared/specs/destinations/france-travail.md, "Transport" and "File").

Python standard library only; listens on loopback. Started with --port 0, it
prints the chosen port alone on the first line of stdout, then serves until
killed.

POST <any path> multipart/form-data with login, password, nomFlux,
fichierAenvoyer (a .csv, or a .zip holding one), periodeRef (empty). The form
and the file are checked (credentials, feed name, UTF-8 without BOM, LF line
ends, the header row, 35 `|`-separated fields per row, Type_mouvement C/M/S);
the answer is HTTP 200 `Votre fichier a bien ete envoye` on success, or HTTP
200 with an error text (as the real portal does), or 401 for bad credentials.

Test-only endpoints:
  POST /__test__/faults   {"mode": "500"|"drop"|"error_text"|"slow", "count": N, "delay": s}
  GET  /__test__/uploads  every upload: fields (password replaced by password_ok), file name,
                          size, the CSV text, accepted, answer, problems
  POST /__test__/reset
"""

import argparse
import csv
import io
import json
import sys
import threading
import time
import zipfile
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SUCCESS = "Votre fichier a bien ete envoye"
COLUMNS = ("Par_ref_offre|Par_cle|Par_nom|Par_URL_offre|Code_rome|Code_OGR|Libelle_metier_OGR|"
           "Description|Exp_cle|Qua_cle|Tfm_cle_1|Off_travail_hebdo_nb_hh|"
           "Off_travail_hebdo_nb_mi|THO_cle|NTC_cle|TCO_cle|Off_contrat_duree_MO|CPO_cle|COM_cle|"
           "COM_libelle|DEP_cle|Off_date_creation|Off_date_modification|"
           "Off_date_fin_publication|OST_poste_restant_nb|Off_client_final_siret|"
           "Off_client_final_nom|Off_etab_siret|Type_mouvement|Date_debut_contrat|"
           "Nom_correspondant|Tel_correspondant|Mail_correspondant|Mode_diffusion|"
           "Mode_presentation").split("|")
LIMITS = [50, 50, 50, 300, 5, 6, 293, 4000, 1, 1, 3, 2, 2, 3, 2, 3, 2, 5, 5, 50, 3, 10, 10, 10,
          3, 14, 52, 14, 1, 10, 25, 15, 55, 1, 3]
MOVEMENT = COLUMNS.index("Type_mouvement")


def parse_form(content_type, body):
    """Returns {name: (filename or None, bytes)} of a multipart/form-data body."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    fields = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition")
        fields[name] = (filename, part.get_payload(decode=True) or b"")
    return fields


def check_file(filename, data):
    """Returns (csv_text or None, problems)."""
    problems = []
    if filename and filename.lower().endswith(".zip"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = z.namelist()
                if len(names) != 1:
                    return None, [f"le zip doit contenir un fichier, il en contient {len(names)}"]
                if z.testzip() is not None:
                    return None, ["zip corrompu"]
                data = z.read(names[0])
        except zipfile.BadZipFile:
            return None, ["zip illisible"]
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append("BOM interdit")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, ["fichier non UTF-8"]
    if "\r" in text:
        problems.append("fins de ligne CR interdites")
    if not text.endswith("\n"):
        problems.append("dernière ligne sans LF")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="|", quotechar='"',
                           strict=True))
    if not rows or rows[0] != COLUMNS:
        problems.append("ligne d'en-tête incorrecte")
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(COLUMNS):
            problems.append(f"ligne {number} : {len(row)} champs au lieu de {len(COLUMNS)}")
            continue
        if row[MOVEMENT] not in ("C", "M", "S"):
            problems.append(f"ligne {number} : Type_mouvement invalide")
        for value, limit, name in zip(row, LIMITS, COLUMNS):
            if len(value) > limit:
                problems.append(f"ligne {number} : {name} dépasse {limit} caractères")
            if any(ord(c) < 0x20 for c in value):
                problems.append(f"ligne {number} : {name} contient un caractère de contrôle")
    return text, problems


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, text):
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        state = self.server.state
        if self.path == "/__test__/uploads":
            with state.lock:
                data = json.dumps(state.uploads, ensure_ascii=False)
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data.encode())))
            self.end_headers()
            self.wfile.write(data.encode())
        else:
            self.answer(404, "not found")

    def do_POST(self):
        state = self.server.state
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/__test__/"):
            args = json.loads(body or b"{}")
            with state.lock:
                if self.path == "/__test__/faults":
                    state.faults.append({"mode": args.get("mode", "500"),
                                         "count": int(args.get("count", 1)),
                                         "delay": float(args.get("delay", 2))})
                elif self.path == "/__test__/reset":
                    state.uploads.clear()
                    state.faults.clear()
            return self.answer(200, "ok")
        with state.lock:
            fault = next((f for f in state.faults if f["count"] > 0), None)
            if fault:
                fault["count"] -= 1
        if fault and fault["mode"] == "slow":
            time.sleep(fault["delay"])
        fields = parse_form(self.headers.get("Content-Type", ""), body)
        status, text, csv_text, problems = self.judge(fields)
        if fault and fault["mode"] == "500":
            status, text = 500, "Internal Server Error"
        elif fault and fault["mode"] == "error_text":
            status, text = 200, "Erreur technique, veuillez renouveler votre envoi"
        filename, data = fields.get("fichierAenvoyer", (None, b""))
        record = {"path": self.path, "time": time.time(),
                  "fields": {k: v[1].decode("utf-8", "replace") for k, v in fields.items()
                             if k not in ("fichierAenvoyer", "password")},
                  "password_ok": fields.get("password", (None, b""))[1].decode(
                      "utf-8", "replace") == state.password,
                  "file_name": filename, "size": len(data), "csv": csv_text,
                  "accepted": status == 200 and text == SUCCESS and not fault,
                  "answer": text, "problems": problems, "fault": fault["mode"] if fault else None}
        with state.lock:
            state.uploads.append(record)
        if fault and fault["mode"] == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.answer(status, text + ("\n" if state.trailing_newline else ""))

    def judge(self, fields):
        state = self.server.state
        missing = [f for f in ("login", "password", "nomFlux", "fichierAenvoyer", "periodeRef")
                   if f not in fields]
        if missing:
            return 200, "Erreur : champ(s) manquant(s) : " + ", ".join(missing), None, missing
        login = fields["login"][1].decode("utf-8", "replace")
        password = fields["password"][1].decode("utf-8", "replace")
        if login != state.login or password != state.password:
            return 401, "Erreur : identifiant ou mot de passe incorrect", None, ["credentials"]
        if fields["nomFlux"][1].decode("utf-8", "replace") != state.feed:
            return 200, "Erreur : nom de flux inconnu", None, ["nomFlux"]
        if fields["periodeRef"][1]:
            return 200, "Erreur : periodeRef doit être vide", None, ["periodeRef"]
        filename, data = fields["fichierAenvoyer"]
        if not filename:
            return 200, "Erreur : fichier absent", None, ["fichierAenvoyer"]
        csv_text, problems = check_file(filename, data)
        if problems:
            return 200, "Erreur de format : " + " ; ".join(problems[:5]), csv_text, problems
        return 200, SUCCESS, csv_text, []


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.login, self.password, self.feed = args.login, args.password, args.feed
        self.trailing_newline = args.trailing_newline
        self.uploads, self.faults = [], []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--login", default="partenaire")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--feed", default="FLUXTEST")
    parser.add_argument("--trailing-newline", action="store_true",
                        help="end the success answer with a line break (clients must trim)")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.state = State(args)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
