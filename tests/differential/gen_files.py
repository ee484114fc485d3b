#!/usr/bin/env python3
"""gen_files.py: seeded generator of partner export files (ymag, gil, sigma).

generate(seed) -> (format, bytes, tags) is deterministic: the same seed gives
the same file on every machine and Python 3 version (random.Random with an
int seed). Most rows are valid (so that accepted offers are compared field by
field); the rest carry the traps the specifications describe: encodings
(UTF-8 with or without BOM, Windows-1252, ISO-8859-15, a stray byte of the
other encoding), quoting (separators, doubled quotes, line breaks, `"abc"def`,
a quote left open), CRLF/LF, blank and all-empty lines, header variants
(order, case, accents, unknown, empty, missing, duplicate columns), Sigma
envelope and trailer (counts, leading zeros, more than nine digits, no-break
space before #FIN), GIL movements, and every field rule of offer.md.

    gen_files.py --seed S --files N --out DIR   writes the files out
"""
import argparse
import os
import random

YMAG_HEADER = ["N° offre", "Raison sociale", "SIRET", "Code NAF", "Intitulé du poste", "Descriptif du poste",
               "Codes ROME", "Type de contrat", "Date de début", "Durée (mois)", "Nombre de postes", "Niveau",
               "Diplôme préparé", "Code RNCP", "Adresse", "Code postal", "Ville", "Nom du contact",
               "Email du contact", "Téléphone du contact", "Fin de publication", "Diffusion Pôle emploi",
               "Date de modification"]
YMAG_KEYS = ["ref", "name", "siret", "naf", "title", "description", "rome", "contract_type", "start", "duration",
             "positions", "level", "diploma_title", "rncp", "address", "postal", "city", "contact_name", "email",
             "phone", "expires", "consent", "updated"]
YMAG_REQUIRED = {"ref", "name", "siret", "title", "rome", "contract_type", "start", "postal", "city"}

GIL_HEADER = ["ACTION", "ID_OFFRE", "SIRET", "RAISON_SOCIALE", "CODE_NAF", "LIBELLE_POSTE", "DESCRIPTION",
              "CODES_ROME", "NATURE_CONTRAT", "DATE_DEBUT", "DUREE_MOIS", "NB_POSTES", "NIVEAU_EU",
              "LIBELLE_DIPLOME", "RNCP", "ADRESSE", "CODE_POSTAL", "COMMUNE", "CODE_INSEE", "CONTACT_NOM",
              "CONTACT_MAIL", "CONTACT_TEL", "DATE_FIN_DIFFUSION", "DIFFUSION_FT", "MAJ"]
GIL_KEYS = ["action", "ref", "siret", "name", "naf", "title", "description", "rome", "contract_type", "start",
            "duration", "positions", "level", "diploma_title", "rncp", "address", "postal", "city", "insee",
            "contact_name", "email", "phone", "expires", "consent", "updated"]
GIL_REQUIRED = {"action", "ref", "siret", "name", "title", "rome", "contract_type", "start", "postal", "city"}

SIGMA_HEADER = ["REF", "ENTREPRISE", "SIRET", "APE", "POSTE", "DESCRIPTIF", "ROME1", "ROME2", "ROME3", "CONTRAT",
                "DEBUT", "DUREE", "POSTES", "NIVEAU", "DIPLOME", "RNCP", "ADR1", "ADR2", "CP", "VILLE", "INSEE",
                "CONTACT", "MAIL", "TEL", "FIN_PUBLI", "PE", "MAJ"]
SIGMA_KEYS = ["ref", "name", "siret", "naf", "title", "description", "rome1", "rome2", "rome3", "contract_type",
              "start", "duration", "positions", "level", "diploma_title", "rncp", "adr1", "adr2", "postal", "city",
              "insee", "contact_name", "email", "phone", "expires", "consent", "updated"]
SIGMA_REQUIRED = {"ref", "name", "siret", "title", "rome1", "contract_type", "start", "postal", "city"}

FORMATS = {
    "ymag": (YMAG_HEADER, YMAG_KEYS, YMAG_REQUIRED),
    "gil": (GIL_HEADER, GIL_KEYS, GIL_REQUIRED),
    "sigma": (SIGMA_HEADER, SIGMA_KEYS, SIGMA_REQUIRED),
}

COMPANIES = ["BOULANGERIE DU SILLON", "COIFFURE FABRICE", "SARL L’ŒUF & LA POULE", "Garage Chatalen Services",
             "MENUISERIE GUIVARCH", "Hôtel de l'Abbatiale", "Crêperie Ty Žana", "SOCAH HYDRAULIQUE",
             "Pâtisserie « Šucre »", "ÉLECTRICITÉ DU PORT", "Domotic Seel", "Café Ÿvonne"]
TITLES = ["Apprenti(e) boulanger(ère)", "Vendeur en boulangerie", "Technicien(ne) de maintenance",
          "Mécanicien(ne) automobile", "Réceptionniste d'hôtel", "Ingénieur(e) méthodes", "Apprenti coiffeur / coiffeuse",
          "Cuisinier H/F", "Électricien – bâtiment", "Comptable junior (œuvres sociales)"]
DESCRIPTIONS = [
    "Fabrication du pain ; viennoiseries.\nHoraires : 4h-11h.",
    "Au sein de notre magasin, vous accueillez la clientèle.",
    "Missions : accueil de la clientèle ; préparation des commandes ; mise en rayon.\nHoraires : du mardi au samedi.",
    "Prime de 50 € par mois, œuvres sociales.",
    "Entreprise familiale depuis 1952, « qualité » et \"savoir-faire\" sont nos maîtres-mots.",
    "Vous participerez à la fabrication.\n\nPrime de 50 € par mois.",
    "Écran 15\" HD fourni, poste n°3, 35h/semaine.",
]
ROMES = ["D1102", "D1106", "D1105", "D1202", "I1304", "I1310", "I1604", "H1206", "G1703", "H2913", "H2909", "A1203",
         "N4105", "K2111", "M1607"]
PLACES = [  # postal, city, insee
    ("35000", "Rennes", "35238"), ("29000", "Quimper", "29232"), ("56850", "Caudan", "56036"),
    ("20000", "Ajaccio", "2A004"), ("20200", "Bastia", "2B033"), ("20190", "Zigliara", "2A359"),
    ("20290", "Borgo", "2B042"), ("97400", "Saint-Denis", "97411"), ("97200", "Fort-de-France", "97209"),
    ("98800", "Nouméa", "98818"), ("01000", "Bourg-en-Bresse", "01053"), ("75001", "Paris", "75101"),
    ("13001", "Marseille", "13201"), ("29200", "Brest", "29019"),
]
PEOPLE = ["Anne Le Gall", "Yann Quéré", "Soizic Le Bihan", "Erwan Kerjean", "Jean Dupont", "Zoé Œillet"]
STREETS = ["rue de la Paix", "rue du Sillon", "place Saint-Corentin", "ZI de Kerpont", "rue Jean Jaurès"]
DIPLOMAS = ["CAP Boulanger", "BTS Maintenance des systèmes", "Bac Pro Maintenance des véhicules",
            "Diplôme d'ingénieur Génie industriel", "CAP Métiers de la coiffure"]
NAFS = ["1071C", "9602A", "4520A", "5510Z", "2812Z", "4321A", "1623Z"]

# Odd characters for text traps (white space, removed characters, non-BMP).
ODD = ["  ", "\t", "\u00a0", "\u202f", "\u200b", "\ufeff", "\x01", "\x7f", "\u0085", "\u2003", "\u3000",
       "😀", "\u2028", "\x0b", "\x0c", "\u200c", "\u200d", "\u2060", "\u1680", "\u180e", "\u00ad", "\u2029",
       "\x1c", "\x1f", "\u205f", "\u2000", "\u200a", "\u0301", "\x9f", "\x80", " \x01 ", " \u200b "]
# Letters with diacritics beyond Latin-1 and Latin Extended-A (Latin
# Extended-B and Additional: Vietnamese and others), and combining marks
# outside U+0300-U+036F: offer.md ignores "any letter with a combining mark
# or a precomposed diacritic" in code values.
EXOTIC_ACCENTS = {"A": "ǍǞȦẠẢẤẬẮḀ", "a": "ǎǟȧạảấậắḁ", "E": "ȄȆȨẸẺẼẾỆḔ", "e": "ȅȇȩẹẻẽếệḕ", "I": "ǏȈȊỈỊḬ",
                  "i": "ǐȉȋỉịḭ", "O": "ǑȌȎȮỌỎỐỘƠ", "o": "ǒȍȏȯọỏốộơ", "U": "ǓǕȔȖỤỦỨƯ", "u": "ǔǖȕȗụủứư",
                  "N": "ǸṄṆṈ", "n": "ǹṅṇṉ", "P": "ṔṖ", "p": "ṕṗ", "S": "ȘṠṢ", "s": "șṡṣ", "T": "ȚṪṬ", "t": "țṫṭ",
                  "R": "ȐȒṘṚ", "r": "ȑȓṙṛ", "C": "Ḉ", "c": "ḉ", "B": "ḂḄ", "b": "ḃḅ", "V": "ṼṾ", "v": "ṽṿ"}
EXOTIC_MARKS = ["\u1dc0", "\u1dca", "\u20d0", "\u20e7", "\ufe20", "\u1ab0", "\u0483"]
# Every character of the single-byte encodings, for the decoding tables.
ZOO_CP1252 = bytes(b for b in range(0x80, 0x100) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)).decode("cp1252")
ZOO_LATIN9 = bytes(range(0xA0, 0x100)).decode("iso8859_15")
# First non-ASCII bytes that do (True) or do not (False) begin a well-formed
# UTF-8 sequence, all defined in ISO-8859-15.
UTF8_PROBES = [(b"\xc0\xaf", False), (b"\xc1\xbf", False), (b"\xed\xa0\xa4", False), (b"\xf4\xa0\xa0\xa0", False),
               (b"\xe0\xa0\xa0", True), (b"\xc2\xa0", True), (b"\xf0\xa0\xa0\xa0", True), (b"\xe9t\xe9", False),
               (b"\xc3\xa9", True), (b"\xe0\xa0", False), (b"\xf5\xa0\xa0\xa0", False), (b"\xf8\xa8\xa8\xa8\xa8", False),
               (b"\xe1\xa0", False), (b"\xef\xbf\xbe", True), (b"\xf4\x8f\xbf\xbf", False)]


def luhn_digit(body):
    total = 0
    for idx, ch in enumerate(reversed(body)):
        v = int(ch)
        if idx % 2 == 0:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return str((10 - total % 10) % 10)


def luhn_ok(digits):
    total = 0
    for idx, ch in enumerate(reversed(digits)):
        v = int(ch)
        if idx % 2 == 1:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return total % 10 == 0


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.seed = seed
        self.tags = []
        self.force_plain = None
        self.crlf_text = False

    def p(self, prob):
        return self.rng.random() < prob

    def pick(self, seq):
        return self.rng.choice(seq)

    # -- values --------------------------------------------------------------
    def siret(self):
        r = self.rng
        body = "".join(str(r.randrange(10)) for _ in range(13))
        s = body + luhn_digit(body)
        x = r.random()
        if x < 0.08:
            self.tags.append("siret-bad-luhn")
            s = s[:-1] + str((int(s[-1]) + r.randrange(1, 10)) % 10)
        elif x < 0.11:
            self.tags.append("siret-la-poste")
            while True:
                cand = "356000000" + "".join(str(r.randrange(10)) for _ in range(5))
                ok_luhn = luhn_ok(cand)
                ok5 = sum(int(c) for c in cand) % 5 == 0
                if r.random() < 0.5:
                    if not ok_luhn and ok5:
                        break
                elif not ok_luhn and not ok5:
                    break
            s = cand
        elif x < 0.13:
            self.tags.append("siret-format")
            s = self.pick(["00000000000000", s[:13], s + "1", s[:5] + "A" + s[6:], "", "N/A", "000 000 000 00000"])
        fmt = r.random()
        if len(s) == 14 and fmt < 0.25:
            s = s[:3] + " " + s[3:6] + " " + s[6:9] + " " + s[9:]
        elif len(s) == 14 and fmt < 0.30:
            s = s[:3] + "." + s[3:6] + "." + s[6:9] + "." + s[9:]
        elif len(s) == 14 and fmt < 0.33:
            s = s[:9] + "-" + s[9:]
        elif len(s) == 14 and fmt < 0.36:
            sep = self.pick(["\u00a0", "\u202f"])
            s = s[:3] + sep + s[3:6] + sep + s[6:9] + sep + s[9:]
        return s

    def text(self, base, odd_prob=0.08):
        if self.p(odd_prob):
            self.tags.append("text-odd")
            pos = self.rng.randrange(len(base) + 1)
            base = base[:pos] + self.pick(ODD) + base[pos:]
        if self.p(0.04):
            base = self.pick([" ", "  ", "\t", "\u00a0"]) + base + self.pick([" ", "\t", "", "\u00a0 "])
        return base

    def date(self, kind, y=None):
        r = self.rng
        y = y or r.randrange(2025, 2029)
        m = r.randrange(1, 13)
        d = r.randrange(1, 29)
        if kind == "iso":
            return "%04d-%02d-%02d" % (y, m, d)
        if self.p(0.15):
            return "%d/%d/%04d" % (d, m, y)
        return "%02d/%02d/%04d" % (d, m, y)

    def bad_date(self, kind):
        if kind == "iso":
            return self.pick(["2026-02-30", "2027-02-29", "1899-12-31", "2100-01-01", "26-09-01", "2026/09/01",
                              "01/09/2026", "2026-13-01", "2026-00-10", "2026-09-00", "demain", "2026-09-01T10:00:00",
                              "2028-02-29", "1900-01-01", "2099-12-31", "1900-02-29", "2000-02-29", "2026-9-01",
                              "２０２６-09-01", "2026-09-01\u200b", "2026 -09-01", "02026-09-01", "2026-09-1",
                              "4294969322-09-01", "2026-4294967305-01", "2026-09-4294967297"])
        return self.pick(["31/02/2026", "29/02/2027", "29/02/2028", "01/09/26", "2026-09-01", "01/13/2026",
                          "00/09/2026", "01/09/1899", "01/09/2100", "31/12/2099", "01/01/1900", "01.09.2026",
                          "1/9/2026", "32/01/2026", "31/04/2026", "septembre", "29/02/1900", "29/02/2000",
                          "001/09/2026", "01/009/2026", "1/09/02026", "01/09/2026\u200b", "01 /09/2026",
                          "4294967297/09/2026", "01/4294967305/2026", "01/09/4294969322", "０１/09/2026",
                          "01-09-2026", "1/9/26"])

    def phone(self):
        r = self.rng
        n8 = "".join(str(r.randrange(10)) for _ in range(8))
        d1 = str(r.randrange(1, 10))
        nat = "0" + d1 + n8
        x = r.random()
        if x < 0.35:
            return " ".join(nat[i:i + 2] for i in range(0, 10, 2))
        choices = [
            nat, ".".join(nat[i:i + 2] for i in range(0, 10, 2)), "-".join(nat[i:i + 2] for i in range(0, 10, 2)),
            "+33 " + d1 + " " + n8, "+33 (0)" + d1 + " " + n8, "+33(0)" + d1 + n8, "0033 " + d1 + " " + n8,
            "(+33) " + d1 + " " + n8, "+44 (0)20 7946 0958", "(+44) 20 7946 0958", "00 44 20 7946 0958",
            "+44(0)2079460958", "0262 " + n8[:6], "0692 " + n8[:6], "06 92 " + n8[:6], "0590 " + n8[:6],
            "0691" + n8[:6], "0594 " + n8[:6], "0694" + n8[:6], "0596 " + n8[:6], "0697 " + n8[:6],
            "0263" + n8[:6], "0269 " + n8[:6], "0639 " + n8[:6], "0693 " + n8[:6], "0690" + n8[:6],
            "0696 " + n8[:6], "+33 6 92 " + n8[:6], "+262 692 " + n8[:6], "00262 692 " + n8[:6],
            "0 800 123 456", "+1 555 0100", "+1 (0)555 0100", "+49 30 1234567",
            "0033 (0)2 99 00 00 00", "+33-2-99-00-00-00", "+33 123456789", "0123456789", "+590 690 12 34 56",
            "+33 (0)6 92 12 34 56", "(+262) 692 12 34 56", "+262 (0)692 12 34 56", "0 2 9 9 0 0 0 0 0 0",
            "+33\u00a02\u00a099\u00a000\u00a000\u00a000", "02\t99\t00\t00\t00", "+44\u202f20\u202f7946\u202f0958",
            "+999 1234 5678", "+1 2345678", "+12345678901234", "+123456789012345",
            # invalid ones
            "02 99 00 00", "+33 0 2 99 00 00 00", "12 34 56 78 90", "+123", "+1234567890123456",
            "abc", "02 99 00 00 0a", "+33 2 99 00 00 00 poste 12", "+33 2 99 00 00 0", "+33 2 99 00 00 000",
            "0033 0299000000", "00 2 99", "+44 (0)", "(+33 2 99 00 00 00", "06 12 34 56 78 90",
            "O2 99 00 00 00", "０２ 99 00 00 00", "+33 2 99 00 00 00\u200b", "02 99 00 00 00 /", "+33 (1)2 99 00 00 00",
            "+ 33 2 99 00 00 00", "++33 2 99 00 00 00", "(0)2 99 00 00 00", "0 (0)2 99 00 00 00", "+33 2 99 (0)00 00 00",
            "+44 20 (0)7946 0958", "(33) 2 99 00 00 00", "0692 12 34 5", "0262 12 34 56 7",
        ]
        return self.pick(choices)

    def email(self, idx):
        if self.p(0.85):
            return self.pick(["recrutement%d@example.fr" % idx, "Jean.Dupont@Sub.Example.COM", "a+b@x.io",
                              "rh@socah.example"])
        self.tags.append("email-odd")
        return self.pick(["contact@example", "a@@b.fr", "a@.fr", "a@b.", "a@b.fr.", "@b.fr", "a b@c.fr",
                          "a@b..fr", "contact.example.fr", "a@b@c.fr", "é@exemple.fr", "x@y.z",
                          "a@b\u00a0c.fr", " a@b.fr "])

    # -- one offer row (logical values) ----------------------------------------
    def offer(self, fmt, idx, ref):
        r = self.rng
        dkind = "iso" if fmt == "gil" else "dmy"
        postal, city, insee = self.pick(PLACES)
        if postal.startswith("0") and self.p(0.5):
            postal = postal[1:]
        v = {
            "ref": ref,
            "name": self.text(self.pick(COMPANIES)),
            "siret": self.siret(),
            "naf": self.pick(NAFS + ["10.71C", "10 71 c", "56.10A", "5610a", ""]),
            "title": self.text(self.pick(TITLES)),
            "description": self.pick(DESCRIPTIONS + [""]) if self.p(0.97) else self.pick([ZOO_CP1252, ZOO_LATIN9]),
            "contract_type": "",
            "start": self.date(dkind, r.randrange(2026, 2028)),
            "duration": self.pick(["", "6", "12", "24", "36", "48", "1"]),
            "positions": self.pick(["", "1", "1", "2", "3", "999"]),
            "level": "",
            "diploma_title": self.pick(DIPLOMAS + [""]),
            "rncp": self.pick(["RNCP37861", "RNCP 35323", "37455", "RNCP123", "", "RNCP8734"]),
            "postal": postal,
            "city": self.text(city),
            "insee": insee if self.p(0.8) else "",
            "contact_name": self.pick(PEOPLE + [""]),
            "email": self.email(idx),
            "phone": self.phone() if self.p(0.9) else "",
            "expires": self.date(dkind, r.randrange(2026, 2029)) if self.p(0.8) else "",
            "consent": "",
            "updated": "",
        }
        if fmt == "ymag":
            v["rome"] = self.pick(ROMES) if self.p(0.7) else self.pick(ROMES) + self.pick([", ", "/", " ", "|", ","]) + self.pick(ROMES)
            v["contract_type"] = self.pick(["Apprentissage", "Contrat d'apprentissage", "Contrat d’apprentissage",
                                           "Professionnalisation", "Contrat de professionnalisation",
                                           "CONTRAT D'APPRENTISSAGE", "contrat  de Professionnalisation",
                                           "Apprentissâge", "Contrat de professionnalisation\u00a0",
                                           "A P P R E N T I S S A G E"])
            v["level"] = self.pick(["3", "4", "5", "6", "7", "Niveau 4", "niveau  5", "CAP", "BEP", "Bac", "Bac Pro",
                                    "BP", "BTS", "DUT", "Bac+2", "Bac + 2", "BAC+2", "Licence", "Licence pro",
                                    "Licence Pro", "BUT", "Bac+3", "Bac+4", "Master", "Ingénieur", "INGÉNIEUR",
                                    "Ingenieur", "Bac+5", ""])
            v["consent"] = self.pick(["Oui", "Non", "O", "N", "1", "0", "oui", "OUI", "", "n"])
            v["updated"] = self.pick(["%02d/03/2026 14:05:00" % r.randrange(1, 29), "02/03/2026 14:05",
                                      "2/3/2026 9:05", "02/03/2026 9:05:00", "", "31/12/2026 23:59:59",
                                      "01/01/2027 00:00"])
            del v["insee"]
        elif fmt == "gil":
            v["action"] = self.pick(["C", "C", "C", "M", "M"])
            v["rome"] = self.pick(ROMES) if self.p(0.7) else self.pick(ROMES) + self.pick(["|", " | ", "|"]) + self.pick(ROMES)
            v["contract_type"] = self.pick(["APP", "PRO", "APP", "app", " Pro "])
            v["level"] = self.pick(["3", "4", "5", "6", "7", ""])
            v["consent"] = self.pick(["1", "0", ""])
            v["updated"] = self.pick(["2026-03-02T09:00:00", "2026-03-01T07:15:00", "", "2026-03-02T09:00:00.123",
                                      "2026-03-02T09:00:00Z", "2026-07-01T09:00:00+02:00",
                                      "2026-03-02T09:00:00.5+01:00", "2026-08-15T23:30:00-05:30"])
        else:
            v["rome1"] = self.pick(ROMES)
            v["rome2"] = self.pick(ROMES) if self.p(0.2) else ""
            v["rome3"] = self.pick(ROMES) if self.p(0.1) else ""
            v["contract_type"] = self.pick(["1", "2", "1"])
            v["level"] = self.pick(["V", "IV", "III", "II", "I", "iv", ""])
            v["consent"] = self.pick(["O", "N", "o", ""])
            v["updated"] = self.pick(["01/03/2026 18:30", "1/3/2026 8:30", "", "02/03/2026 06:00"])
            a1 = "%d %s" % (r.randrange(1, 99), self.pick(STREETS))
            v["adr1"] = a1 if self.p(0.9) else ""
            v["adr2"] = self.pick(["", "", "Bâtiment B", "BP 12"])
            v["description"] = v["description"].replace("\\", "\\\\").replace("\n", "\\n")
        if fmt != "sigma":
            v["address"] = "%d %s" % (r.randrange(1, 99), self.pick(STREETS)) if self.p(0.9) else ""
        if self.p(0.35):
            for _ in range(r.randrange(1, 4)):
                self.mutate(fmt, v)
        if self.p(0.05):
            ks = [k for k in ("contract_type", "level", "consent", "action") if v.get(k)]
            k = self.pick(ks) if ks else None
            if k:
                self.tags.append("exotic-accent-" + k)
                w = v[k]
                spots = [i for i, c in enumerate(w) if c in EXOTIC_ACCENTS]
                if spots and self.p(0.7):
                    i = self.pick(spots)
                    w = w[:i] + self.pick(EXOTIC_ACCENTS[w[i]]) + w[i + 1:]
                elif w:
                    i = self.rng.randrange(1, len(w) + 1)
                    w = w[:i] + self.pick(EXOTIC_MARKS) + w[i:]
                v[k] = w
        if self.p(0.04):
            k = self.pick([k for k in v if k not in ("ref",)])
            if v[k]:
                self.tags.append("odd-in-" + k)
                v[k] = self.text(v[k], odd_prob=1.0)
        if self.crlf_text and self.p(0.5):
            for k in v:
                if "\n" in v[k] and "\r" not in v[k]:
                    v[k] = v[k].replace("\n", "\r\n")
        return v

    def mutate(self, fmt, v):
        """One trap on one field of the row."""
        r = self.rng
        dkind = "iso" if fmt == "gil" else "dmy"
        field = self.pick(["ref", "name", "title", "description", "rome", "contract_type", "start", "duration",
                           "positions", "level", "rncp", "postal", "city", "insee", "email", "naf", "expires",
                           "consent", "updated", "siret", "phone", "long"])
        self.tags.append("mut-" + field)
        if field == "ref":
            v["ref"] = self.pick(["", "   ", " " + v["ref"] + " ", "\u00a0" + v["ref"], "X" * 64, "X" * 65,
                                  "é" * 64 + "é", v["ref"] + "\tA", v["ref"] + "\x01", v["ref"] + "\u200b",
                                  v["ref"] + "  bis", v["ref"].lower(), v["ref"] + "\nB", "Réf€-" + v["ref"],
                                  "😀" * 64, "😀" * 65])
        elif field == "name":
            v["name"] = self.pick(["", " ", "\t", "A \x01 B", "A\u200b B", "L’atelier", "X\r\nY", "\x01"])
        elif field == "title":
            v["title"] = self.pick(["", "  ", "Vendeur\nH/F", "Vendeur  \t H/F", "a \x01 b", "\u200b"])
        elif field == "description":
            v["description"] = self.pick([
                "Ligne 1\r\nLigne 2\rLigne 3", "A   \nB\t\n\n\n\nC", "  Indenté\n    encore\n", "\n\nX\n\n",
                "Tab\tulé\u00a0nbsp\u2003em", "Zero\u200bwidth\ufeffbom", "ctrl\x01\x02x", "fin   ", "\r\n\r\n\r\n",
                "A\n \n \n \nB", "A\x0bB\x0cC", "A\u2028B", "",
                "a\\nb\\\\nc C:\\apprentis\\", "x\\n\\n\\n\\ny", "tr \\n  sp", "\\\\", "\\n\\nDébut"])
            if fmt != "sigma" and "\\" in v["description"]:
                v["description"] = v["description"].replace("\\n", "\n")
        elif field == "rome" and self.p(0.3):
            k = "rome1" if fmt == "sigma" else "rome"
            v[k] = self.pick(["H2913/H2909", "D1106;D1105", "D1106\tD1105", "D1106 ,D1105", "D1106||D1105",
                              "D1106/", "/D1106", "d1106 D1106", "Ｄ1106", "D１106", "D1106\u00a0D1105", "D1106-D1105"])
        elif field == "rome":
            if fmt == "sigma":
                k = self.pick(["rome1", "rome2", "rome3"])
                v[k] = self.pick(["", "d1102", "D1102, D1105", "D1102|D1106 A1203", "XX", "O1234", "D110",
                                  "Z9999", v["rome1"]])
                if self.p(0.3):
                    v["rome1"] = ""
                if self.p(0.2):
                    v["rome1"], v["rome2"], v["rome3"] = self.pick([("", "", ""), ("XX", "", ""), ("XX", "YY", ""),
                                                                    ("", "", "d1102"), ("", "XX", ""),
                                                                    ("XX", "", "YY"), ("D1102", "", "XX"),
                                                                    ("D1102", "D1102", "d1102"), (" ", " ", " ")])
            else:
                sep = "/" if fmt == "ymag" else "|"
                v["rome"] = self.pick(["", "d1106", "D1106" + sep + "D1105", "D1106, D1105", "D1106 D1105",
                                       "D1106|D1106", "D1106,,D1105", "D1106, Z9999", "O1234", "D110", "XX YY",
                                       "D1106" + sep + "XX", " | ", "A1203 | a1203 | N4105", "ROME D1106"])
        elif field == "contract_type":
            v["contract_type"] = self.pick({"ymag": ["", "CDD", "Stage", "apprentissage ", "Contrat d‘apprentissage",
                                                     "Contrat d' apprentissage", "PROFESSIONNALISATION", "APP",
                                                     "Contrat d`apprentissage", "Contrat dapprentissage",
                                                     "Contrat d'Apprentissage\u200b", "Contrat\td'apprentissage",
                                                     "Contrat d\u02bcapprentissage", "Contrat de professionalisation",
                                                     "Cöntrat d'apprentissage", "Contrat d’ apprentissage"],
                                            "gil": ["", "Apprentissage", "APPR", "1", "p r o"],
                                            "sigma": ["", "3", "A", "0", "APP", " 2 "]}[fmt])
        elif field == "start":
            v["start"] = self.pick(["", self.bad_date(dkind)])
        elif field == "duration":
            v["duration"] = self.pick(["0", "49", "-1", "12.5", "douze", "1 2", "48", "1", "100", "4294967297",
                                       "4294967344", "18446744073709551617", "99999999999999999999", "+12", "１２",
                                       "12\u200b", "1e1", "0x10"])
        elif field == "positions":
            v["positions"] = self.pick(["0", "1000", "x", "-2", "999", "1.0", "12 postes", "4294967297",
                                        "18446744073709551617", "4294968295", "+3", "３"])
        elif field == "level":
            v["level"] = self.pick({"ymag": ["8", "2", "Doctorat", "Niveau V", "niveau 8", "bac + 5", "licencepro",
                                             "Bac Pro ", "Master 2", "Licence professionnelle", "Niv. 3", "Ingénieure",
                                             "BAC PRO", "Bac +2", "NIVEAU3", "Niveau\u00a06", "CAP\u200b", "Bâc",
                                             "ÎNGÉNIEUR", "Maîtrise", "bts", "b t s", "3.0", "03"],
                                    "gil": ["8", "V", "Niveau 3", "2", " 5 "],
                                    "sigma": ["VI", "3", "Niveau V", " iii ", "ii", "I I", "IIII", "v", "Ⅴ"]}[fmt])
        elif field == "rncp":
            v["rncp"] = self.pick(["RNCP1234567", "RNCP12", "RS1234", "12", "RNCP 123456", "123456", "1234567",
                                   "RNCP  12345", "RNCP123A"])
        elif field == "postal":
            v["postal"] = self.pick(["", "350000", "3500A", "123", "20100", "20199", "20200", "98735", "97411",
                                     "1000", "00100", "35 000", " 29000 "])
        elif field == "city":
            v["city"] = self.pick(["", " ", "\u00a0", "Saint-Malo  ", "SAINT\tBRIEUC"])
        elif field == "insee":
            if fmt != "ymag":
                v["insee"] = self.pick(["2a004", "2b033", "97411", "98818", "98735", "20004", "96001", "00123",
                                        "3523", "ABCDE", "29232 ", "2C004"])
                if self.p(0.3):
                    v["postal"] = self.pick(["35000", "20000", "97400"])
        elif field == "email":
            v["email"] = self.pick(["contact@example", "a@@b.fr", "a@.fr", "a@b.", "a@b.fr.", "@b.fr", "a b@c.fr",
                                    "a@b..fr", "x@y.z", "a\u00a0@b.fr", "Ab@Cd.Fr", "a@b.fr\u200b", "a\t@b.fr",
                                    "a@b .fr", "a@-b.fr", ".a@b.fr", "a.@b.fr", "a@b.fr@", "a@b", "a@.", "@", "a@b.c.d.e",
                                    "\"a b\"@c.fr", "a@b\u2003.fr", "a@b\u200b.fr", "a@b\x01.fr"])
        elif field == "naf":
            v["naf"] = self.pick(["1071", "10711C", "ABCDE", "10.71.C", "N/A", "1 0 7 1 c", "10-71C", "1071CZ",
                                  "5610 A", "56,10A", "56.10Ä", "56.10é", "１０７１C", "10.71c\u200b", "10\t71C",
                                  "10\u00a071C", ".1071C."])
        elif field == "expires":
            v["expires"] = self.bad_date(dkind)
        elif field == "consent":
            v["consent"] = self.pick({"ymag": ["Yes", "Peut-être", "oui ", "NON", "2", "Ouí"],
                                      "gil": ["Oui", "true", "2", " 1 ", "O"],
                                      "sigma": ["1", "Oui", "0", " n ", "Non"]}[fmt])
        elif field == "updated":
            if fmt == "gil":
                v["updated"] = self.pick([
                    "2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z", "2026-10-25T00:59:59Z", "2026-10-25T01:00:00Z",
                    "2026-12-31T23:30:00Z", "2026-03-02T09:00:00+14:00", "2026-03-02T09:00:00-14:00",
                    "2026-03-02T09:00:00+14:30", "2026-03-02T09:00:00+05:60", "2026-03-02T09:00", "2026-03-02 09:00:00",
                    "2026-02-30T10:00:00", "2026-03-02T24:00:00", "2026-03-02T09:00:00.123456789Z",
                    "2026-03-02T09:00:00+0100", "2027-03-28T01:30:00+00:00", "2027-10-31T00:30:00-00:00",
                    "2026-06-30T22:15:00.9-03:00", "2026-03-02T09:00:60", "1899-12-31T10:00:00",
                    "2026-03-02T09:00:00.Z", "2026-03-02T09:00:00,5", "2026-03-02T9:00:00", "2026-03-02T09:00:00+13:59",
                    "2026-03-02T09:00:00+00:30", "2026-03-02T09:00:00+1:00", "2026-03-02T09:00:00+01",
                    "2026-03-02T09:00:00 Z", "2026-03-02T09:00:00.000000000000000000001+02:00",
                    "2026-10-25T02:30:00", "2026-03-29T02:30:00", "2026-03-29T00:30:00-01:00",
                    "2026-10-25T03:30:00+02:00", "2026-10-25T02:30:00+01:00", "2099-12-31T23:30:00-01:00",
                    "2026-03-02T09:00:00.123+01:00", "2026-03-02T09:00:00Z\u200b", "2026-03-02T09:00:00+14:01"])
            elif fmt == "ymag":
                v["updated"] = self.pick(["02/03/2026", "02/03/26 14:05", "02/03/2026  14:05", "02/03/2026 24:00",
                                          "02/03/2026 14:5", "02/03/2026 14:05:60", "2026-03-02T14:05:00",
                                          "30/02/2026 10:00", "02/03/2026 123:00", "2/3/2026 09:05:07",
                                          "02/03/2026 09h05", "02/03/2026T14:05", "02/03/2026 14:05:00.5",
                                          "02/03/2026 9:5", "29/02/2028 0:00", "02/03/2026 14:05:00Z",
                                          "02/03/2026 -1:00", "02/03/2026\u00a014:05", "02/03/2026 14:05 "])
            else:
                v["updated"] = self.pick(["01/03/2026", "01/03/26 18:30", "01/03/2026 25:00", "31/04/2026 10:00",
                                          "1/3/2026 8:30", "01/03/2026 18:30:00", "01/03/2026  18:30",
                                          "01/03/2026 18h30", "01/03/2026 8:5", "29/02/2028 23:59", "01/03/2026 -0:30"])
        elif field == "siret":
            v["siret"] = self.pick(["", "510 245 678 00014", "51024567800015", "5102456780001", "00000000000000",
                                    "356 000 000 00001", "35600000000048", "35600000000049", "510-245-678-00014",
                                    "51O24567800014", "5102 4567 8000 14", "510\t245\t678\t00014",
                                    "510\u2003245\u2003678\u200300014", "５１０２４５６７８０００１４",
                                    "510.245.678.000.14", "510_245_678_00014", "510/245/678/00014",
                                    "51024567800014\u200b", "-51024567800014", "51024567800014.", "0 0 0"])
        elif field == "phone":
            v["phone"] = self.phone()
        elif field == "long":
            which = self.pick(["title", "title", "description"])
            if which == "title":
                n = self.pick([254, 255, 256, 300])
                v["title"] = ("Titre " + "éa😀b" * 80)[:n]
            else:
                n = self.pick([9999, 10000, 10001, 10100])
                v["description"] = ("Début\n" + "abcdéfghi€" * 1100)[:n]

    # -- serialisation -----------------------------------------------------------
    def build(self):
        r = self.rng
        fmt = self.pick(["ymag", "gil", "sigma"])
        self.fmt = fmt
        header, keys, required = FORMATS[fmt]
        if self.p(0.03):
            return fmt, self.special(fmt, header)
        delim = "," if fmt == "gil" else ";"

        # Encoding.
        x = r.random()
        if fmt == "gil":
            enc, bom = "utf-8", self.p(0.4)
        elif x < 0.6:
            enc, bom = ("cp1252" if fmt == "ymag" else "iso8859_15"), False
        else:
            enc, bom = "utf-8", self.p(0.4)
        self.tags.append("enc-%s%s" % (enc, "-bom" if bom else ""))
        other_enc = {"utf-8": ("cp1252" if fmt == "ymag" else "iso8859_15"), "cp1252": "utf-8",
                     "iso8859_15": "utf-8"}[enc]
        if fmt == "gil":
            other_enc = "cp1252"

        # Line endings.
        eol_default = "\n" if fmt == "gil" else "\r\n"
        if self.p(0.15):
            eol_default = "\r\n" if eol_default == "\n" else "\n"
        self.crlf_text = eol_default == "\r\n"
        mixed_eol = self.p(0.05)

        def eol():
            return self.pick(["\n", "\r\n"]) if mixed_eol else eol_default

        # Columns: (header text, key). key None: empty name; "?name": unknown.
        cols = []
        for name, key in zip(header, keys):
            if key not in required and key != "action" and self.p(0.08):
                continue
            if self.p(0.05):
                name = self.pick([name.upper(), name.lower(), strip_accents(name), " " + name + " ",
                                  name.replace(" ", "  "), name.replace(" ", "\t")])
                self.tags.append("header-variant")
            cols.append((name, key))
        if self.p(0.3):
            r.shuffle(cols)
            self.tags.append("header-shuffled")
        if self.p(0.1):
            self.tags.append("header-unknown")
            for _ in range(r.randrange(1, 3)):
                nm = self.pick(["Commentaire interne", "Observation", "Champ libre", "ZONE_LIBRE", "Référence ERP",
                                "Code INSEE" if fmt == "ymag" else "INSEE_2", "ROME4", "Niveau EU", "SIRET2",
                                "N° offre bis", "Ref"])
                cols.insert(r.randrange(len(cols) + 1), (nm, "?" + nm))
                if self.p(0.2):
                    self.tags.append("header-unknown-twice")
                    cols.insert(r.randrange(len(cols) + 1), (nm, "?" + nm))
        if self.p(0.05):
            self.tags.append("header-empty-name")
            cols.insert(r.randrange(len(cols) + 1), ("", None))
        file_fault = r.random()
        if file_fault < 0.025:
            self.tags.append("header-missing-required")
            req = [c for c in cols if c[1] in required]
            cols.remove(self.pick(req))
        elif file_fault < 0.04:
            self.tags.append("header-duplicate")
            c = self.pick([c for c in cols if c[1] and not c[1].startswith("?")])
            if self.p(0.4):
                c = (self.pick([c[0].upper(), c[0].lower(), strip_accents(c[0]), c[0] + " "]), c[1])
            cols.insert(r.randrange(len(cols) + 1), c)

        # Rows.
        nrows = self.pick([0, 1, 2, 3, 5, 8, 10, 12, 15, 20, 25, 40]) if self.p(0.97) else r.randrange(60, 150)
        lines = []  # (kind, text or bytes)
        refs = []
        prefix = {"ymag": "Y-", "gil": "G-", "sigma": "S-"}[fmt]
        data_records = 0
        last_bad_ref = False
        probe_row = r.randrange(3) if (fmt == "sigma" and not bom and self.p(0.12)) else None
        for i in range(nrows):
            ref = "%s%d" % (prefix, 1000 + i)
            if refs and self.p(0.05):
                self.tags.append("dup-ref")
                ref = self.pick(refs)
                if self.p(0.3):
                    ref = " " + ref + " "
                elif self.p(0.2):
                    self.tags.append("dup-ref-case")
                    ref = ref.lower()
            elif refs and last_bad_ref and self.p(0.5):
                self.tags.append("dup-ref-after-encoding")
                ref = refs[-1]
            last_bad_ref = False
            refs.append(ref.strip())
            v = self.offer(fmt, i, ref)
            if fmt == "gil" and self.p(0.15):
                self.tags.append("gil-delete")
                v["action"] = self.pick(["S", "S", "s", " S "])
                if self.p(0.6):
                    for k in list(v):
                        if k not in ("action", "ref", "updated"):
                            v[k] = ""
                if self.p(0.2):
                    v["updated"] = self.pick(["2026-03-02T09:00:00", "pas de date", "2026-03-02T09:00:00Z", ""])
            if fmt == "gil" and self.p(0.03):
                self.tags.append("gil-action-invalid")
                v["action"] = self.pick(["X", "", "Création", "D", "CM"])
            for name, key in cols:
                if key is None:
                    v.setdefault(None, self.pick(["", "", "zz"]))
                elif key.startswith("?"):
                    v[key] = self.pick(["", "note libre", "x;y"])
            lines.extend(self.blank_lines(delim, len(cols)))
            x = r.random()
            combo = self.p(0.15)  # several structural faults on one row
            fields = [self.encode_field(v.get(key, ""), enc, other_enc) for _, key in cols]
            if x < 0.03 or (combo and x < 0.085):
                self.tags.append("field-count")
                if self.p(0.5) and len(fields) > 1:
                    del fields[r.randrange(len(fields))]
                else:
                    fields.insert(r.randrange(len(fields) + 1), self.pick([b"", b"extra", b"x"]))
            if i == probe_row:
                self.tags.append("utf8-probe")
                idx = [k for _, k in cols].index("name") if "name" in [k for _, k in cols] else 0
                idx = min(idx, len(fields) - 1)
                fields[idx] = self.pick(UTF8_PROBES)[0] + fields[idx]
            if (0.03 <= x < 0.06) or (combo and x < 0.085):
                self.tags.append("bad-byte")
                last_bad_ref = True
                idx = r.randrange(len(fields))
                bad = self.bad_bytes(enc)
                f = fields[idx]
                pos = r.randrange(len(f) + 1)
                fields[idx] = f[:pos] + bad + f[pos:]
            quote_err_at = None
            if (0.06 <= x < 0.085) or (combo and x < 0.03):
                self.tags.append("csv-quote")
                quote_err_at = r.randrange(len(fields))
            if quote_err_at is None and self.p(0.01):
                self.tags.append("plain-lone-cr")
                idx = r.randrange(len(fields))
                f = fields[idx].replace(b'"', b"").replace(b"\n", b"").replace(b"\r", b"")
                f = f.replace(delim.encode(), b"")
                fields[idx] = b"A\rB" + f
                self.force_plain = idx
            rec = self.serialise(fields, delim, fmt, quote_err_at)
            lines.append(("row", rec + eol().encode()))
            data_records += 1
            if self.p(0.02):
                self.tags.append("all-empty")
                width = len(cols) if self.p(0.7) else r.randrange(1, len(cols) + 3)
                if self.p(0.5):
                    lines.append(("blank", (delim * (width - 1) + eol()).encode()))
                else:
                    lines.append(("blank", (delim.join(['""'] * width) + eol()).encode()))

        out = bytearray()
        if bom:
            out += b"\xef\xbb\xbf"
        if self.p(0.03):
            self.tags.append("blank-before-header")
            out += self.pick([b"\r\n", b"\n\n", b"  \r\n", delim.encode() * 3 + b"\r\n"])
        if fmt == "sigma":
            out += self.envelope(enc)
            for _ in range(r.randrange(0, 2) if self.p(0.1) else 0):
                out += eol().encode()
        if not (fmt == "sigma" and self.p(0.01)):
            out += self.serialise([self.encode_field(name, enc, None) for name, _ in cols], delim, fmt,
                                  None, header=True) + eol().encode()
        else:
            self.tags.append("sigma-no-header")
            lines = []
            data_records = 0
        for _, b in lines:
            out += b
        if fmt == "sigma":
            out += self.trailer(data_records, enc, eol())
        if self.p(0.02):
            self.tags.append("unterminated")
            d = delim.encode()
            out += b"U-1" + d + b'"Texte coup' + self.pick([b"", b"\r\nsuite", b'""'])
        if self.p(0.03):
            self.tags.append("no-final-eol")
            while out.endswith(b"\n") or out.endswith(b"\r"):
                out = out[:-1]
        x = r.random()
        if x < 0.008:
            self.tags.append("nul")
            pos = r.randrange(len(out) + 1)
            out = out[:pos] + b"\x00" + out[pos:]
        elif x < 0.016:
            self.tags.append("empty-file")
            out = bytearray(self.pick([b"", b"\xef\xbb\xbf", b"\r\n\r\n", b"\n", b";;;;\r\n", b"  \n\t\n"]))
        return fmt, bytes(out)

    def special(self, fmt, header):
        """Small files at the edges: nothing but a header, an envelope, a trailer..."""
        d = "," if fmt == "gil" else ";"
        e = self.pick(["\r\n", "\n"])
        hdr = d.join(header)
        env = "#SIGMA;2;CMA29;02/03/2026 06:00" + e
        pre = self.pick(["", "\ufeff"])
        if fmt == "sigma":
            text = self.pick([
                env + hdr + e + "#FIN;0" + e, env + hdr + e, "#FIN;0" + e, env + hdr + e + "#FIN;1" + e,
                env + hdr + e + "#FIN;00000000000000000000" + e, env + "REF;Commentaire" + e + "#FIN;0" + e,
                env + hdr + e + "S-1" + e + "#FIN;1" + e, env + hdr + e + d * 500 + "x" + e + "#FIN;1" + e,
                env + hdr + e + d * (len(header) - 1) + e + "#FIN;0" + e, env + e + e + hdr + e + e + "#FIN;0" + e + e,
                env + hdr + e + "#FIN;0" + e + "#FIN;0" + e,
            ])
        else:
            text = self.pick([
                hdr + e, hdr, hdr + e + e + e, hdr + e + d * (len(header) - 1) + e, "Commentaire" + d + "Autre" + e,
                hdr + e + "X" + e, hdr + e + d * 500 + "x" + e, d.join(h.lower() for h in header) + e,
                d.join('"%s"' % h for h in header) + e, d.join(" %s\t" % h for h in header) + e,
                hdr + d + e + "x" * 3 + e,
            ])
        self.tags.append("special")
        return (pre + text).encode("utf-8")

    def blank_lines(self, delim, width):
        if not self.p(0.04):
            return []
        self.tags.append("blank-line")
        return [("blank", self.pick([b"\r\n", b"\n", b"   \r\n", b"\t\n"]))]

    def encode_field(self, value, enc, other_enc):
        if other_enc and value and any(ord(c) > 127 for c in value) and self.p(0.02):
            self.tags.append("other-encoding-field")
            enc = other_enc
        return value.encode(enc, errors="replace")

    def bad_bytes(self, enc):
        if enc == "utf-8":
            return self.pick([b"\xff", b"\x80", b"\xc3(", b"\xe2\x82", b"\xc0\xaf", b"\xed\xa0\x80",
                              b"\xf5\x80\x80\x80", b"\xe9", b"\x92", b"\xf0\x9f\x98"])
        if enc == "cp1252":
            return bytes([self.pick([0x81, 0x8D, 0x8F, 0x90, 0x9D])])
        return bytes([self.pick([0x80, 0x85, 0x92, 0x9F, 0x8A, 0x96])])

    def serialise(self, fields, delim, fmt, quote_err_at, header=False):
        d = delim.encode()
        parts = []
        quote_all = fmt == "gil" and self.p(0.9)
        force_plain, self.force_plain = self.force_plain, None
        for i, f in enumerate(fields):
            if i == force_plain:
                parts.append(f)
                continue
            if quote_err_at is not None and i > quote_err_at:
                # keep the rest of a "abc"def record plain: no quote, no line break
                f = f.replace(b'"', b"'").replace(b"\r", b" ").replace(b"\n", b" ").replace(d, b" ")
                parts.append(f)
                continue
            if quote_err_at == i:
                f = f.replace(b'"', b"'").replace(b"\r", b" ").replace(b"\n", b" ").replace(d, b" ")
                tail = self.pick([b"def", b"x", b"'y", b"(2)", b" z", b"\tz"])
                parts.append(b'"' + f + b'"' + tail)
                continue
            needs = (d in f or b'"' in f or b"\n" in f or b"\r" in f or f[:1] in (b" ", b"\t")
                     or f[-1:] in (b" ", b"\t"))
            plain_quote_ok = (b'"' in f and not f.startswith(b'"') and d not in f and b"\n" not in f
                              and b"\r" not in f and f[:1] not in (b" ", b"\t") and f[-1:] not in (b" ", b"\t"))
            if plain_quote_ok and self.p(0.3):
                self.tags.append("plain-quote")
                parts.append(f)
            elif needs or quote_all or self.p(0.05):
                q = b'"' + f.replace(b'"', b'""') + b'"'
                if self.p(0.02):
                    self.tags.append("space-around-quoted")
                    q = self.pick([b" ", b"\t", b"  "]) + q + self.pick([b" ", b"\t", b""])
                parts.append(q)
            else:
                if f and self.p(0.02):
                    self.tags.append("space-around-plain")
                    f = self.pick([b" ", b"\t"]) + f + self.pick([b" ", b"", b"\t"])
                parts.append(f)
        return d.join(parts)

    def envelope(self, enc):
        r = self.rng
        x = r.random()
        eol = b"\r\n"
        if x < 0.02:
            self.tags.append("envelope-missing")
            return b""
        if x < 0.04:
            self.tags.append("envelope-version")
            return b"#SIGMA;" + self.pick([b"3", b"1", b"", b"v2", b"2.1"]) + b";CMA29;02/03/2026 06:00" + eol
        if x < 0.06:
            self.tags.append("envelope-variant")
            return self.pick([b" #SIGMA ; 2 ;CMA29;02/03/2026 06:00", b'"#SIGMA";"2";"CMA29";"02/03/2026 06:00"',
                              b"#SIGMA;2;cma29;", b"#SIGMA;2"]) + eol
        return b"#SIGMA;2;CMA29;02/03/2026 06:00" + eol

    def trailer(self, count, enc, eol):
        r = self.rng
        x = r.random()
        nbsp = "\u00a0".encode(enc)
        e = eol.encode()
        if x < 0.03:
            self.tags.append("trailer-missing")
            return b""
        if x < 0.06:
            self.tags.append("trailer-wrong-count")
            return b"#FIN;" + str(max(0, count + self.pick([-1, 1, 2, 10]))).encode() + e
        if x < 0.09:
            self.tags.append("trailer-leading-zeros")
            return b"#FIN;" + ("%0*d" % (self.pick([3, 9, 10, 12, 20]), count)).encode() + e
        if x < 0.11:
            self.tags.append("trailer-huge")
            return b"#FIN;" + self.pick([b"12345678901", b"99999999999999999999", b"4294967296", b"1" + b"0" * 9,
                                         b"18446744073709551616", str(count + 2 ** 32).encode(),
                                         str(count + 2 ** 64).encode(), str(count + 2 ** 31).encode(),
                                         str(count + 10 ** 9).encode(), str(count + 10 ** 19).encode()]) + e
        if x < 0.15:
            self.tags.append("trailer-nbsp")
            return nbsp + b"#FIN;" + str(count).encode() + self.pick([b"", nbsp]) + e
        if x < 0.17:
            self.tags.append("trailer-no-number")
            return self.pick([b"#FIN;", b"#FIN", b"#FIN;abc", b"#FIN; ", b"#FIN;N"]) + e
        if x < 0.20:
            self.tags.append("trailer-variant")
            variants = [b'"#FIN";"%d"' % count, b" #FIN ; %d " % count, b"#FIN;%d" % count + e + e,
                        b"#FIN;%d" % count + e + b"\r\n  \r\n", b"\t#FIN;%d" % count, b'#FIN;"%d"' % count,
                        ("\u2003#FIN\u3000;%d" % count).encode(enc, errors="replace")]
            if enc == "utf-8":
                variants += [("\u200b#FIN;%d" % count).encode(), ("#FIN\ufeff;%d" % count).encode(),
                             ("\u202f#FIN;\u00a0%d\u00a0" % count).encode()]
            return self.pick(variants) + e
        return b"#FIN;" + str(count).encode() + e


def strip_accents(s):
    import unicodedata
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def generate(seed):
    """-> (format, bytes, tags)."""
    g = Gen(seed)
    fmt, data = g.build()
    return fmt, data, sorted(set(g.tags))


def file_name(seed, fmt):
    return "%s_seed%d.csv" % (fmt, seed)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for s in range(a.seed, a.seed + a.files):
        fmt, data, _ = generate(s)
        with open(os.path.join(a.out, file_name(s, fmt)), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
