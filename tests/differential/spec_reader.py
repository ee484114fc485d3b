#!/usr/bin/env python3
"""spec_reader.py: an independent reader of the partner export dialects.

Written from the specifications only (specs/offer.md with its "Precisions",
specs/formats/README.md, ymag.md, gil.md, sigma.md), never from the C++
reader in formats/: it is the oracle of the differential test
(compare_reader.py). Standard library only.

    read(data: bytes, fmt: str, partner="-") -> (exit_status, [objects])

returns what `passerelle check --format FMT --json FILE` should print, one
dict per JSON line, keys in the contract's order. Messages are not
specified (only codes are stable): they are left as None here and the
driver only checks that the binary prints a non-empty string.

Where the specifications leave a choice, the decision is marked
"AMBIGUITY" below and listed in README.md.
"""
import datetime
import re
import sys
import unicodedata

# ---------------------------------------------------------------------------
# Text normalisation (offer.md "Text normalisation")

WHITE = set("\t\n\x0b\x0c\r \u00a0\u202f\u205f\u3000") | {chr(c) for c in range(0x2000, 0x200B)}
REMOVED = ({chr(c) for c in range(0x00, 0x20)} - WHITE) | {chr(c) for c in range(0x7F, 0xA0)} | {"\u200b", "\ufeff"}
_WS_CLASS = "[" + "".join(re.escape(c) for c in sorted(WHITE)) + "]"
_WS_RUN = re.compile(_WS_CLASS + "+")
_REMOVE_TABLE = {ord(c): None for c in REMOVED}
_SPACE_TABLE = {ord(c): " " for c in WHITE if c != "\n"}


def remove_controls(s):
    # AMBIGUITY: removal of control characters happens before white space is
    # folded ("a \x01 b" -> "a b").
    return s.translate(_REMOVE_TABLE)


def trim(s):
    return s.strip("".join(WHITE))


def fold_line(s):
    """Single-line field: controls removed, white space runs -> one space, trimmed."""
    return _WS_RUN.sub(" ", remove_controls(s)).strip(" ")


def fold_description(s):
    s = remove_controls(s)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = s.translate(_SPACE_TABLE)
    s = "\n".join(line.rstrip(" ") for line in s.split("\n"))
    s = re.sub("\n{3,}", "\n\n", s)
    return s.strip(" \n")


def strip_accents(s):
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.category(c).startswith("M"))


def code_key(s):
    """Code values: single-line folded, case, accents and spaces ignored, ’ ‘ read as '."""
    s = fold_line(s).replace("\u2019", "'").replace("\u2018", "'")
    return strip_accents(s).lower().replace(" ", "")


def header_key(s):
    """Header names: white space folded, case and accents ignored (spaces kept)."""
    return strip_accents(fold_line(s)).lower()


def nonempty(s):
    return s if s else None


# ---------------------------------------------------------------------------
# Dialects

def _cols(spec):
    out = []
    for line in spec.strip().splitlines():
        name, key, req = [x.strip() for x in line.split("|")]
        out.append((name, key, req == "yes"))
    return out


YMAG_COLUMNS = _cols("""
N° offre | ref | yes
Raison sociale | name | yes
SIRET | siret | yes
Code NAF | naf | no
Intitulé du poste | title | yes
Descriptif du poste | description | no
Codes ROME | rome | yes
Type de contrat | contract_type | yes
Date de début | start | yes
Durée (mois) | duration | no
Nombre de postes | positions | no
Niveau | level | no
Diplôme préparé | diploma_title | no
Code RNCP | rncp | no
Adresse | address | no
Code postal | postal | yes
Ville | city | yes
Nom du contact | contact_name | no
Email du contact | email | no
Téléphone du contact | phone | no
Fin de publication | expires | no
Diffusion Pôle emploi | consent | no
Date de modification | updated | no
""")

GIL_COLUMNS = _cols("""
ACTION | action | yes
ID_OFFRE | ref | yes
SIRET | siret | yes
RAISON_SOCIALE | name | yes
CODE_NAF | naf | no
LIBELLE_POSTE | title | yes
DESCRIPTION | description | no
CODES_ROME | rome | yes
NATURE_CONTRAT | contract_type | yes
DATE_DEBUT | start | yes
DUREE_MOIS | duration | no
NB_POSTES | positions | no
NIVEAU_EU | level | no
LIBELLE_DIPLOME | diploma_title | no
RNCP | rncp | no
ADRESSE | address | no
CODE_POSTAL | postal | yes
COMMUNE | city | yes
CODE_INSEE | insee | no
CONTACT_NOM | contact_name | no
CONTACT_MAIL | email | no
CONTACT_TEL | phone | no
DATE_FIN_DIFFUSION | expires | no
DIFFUSION_FT | consent | no
MAJ | updated | no
""")

SIGMA_COLUMNS = _cols("""
REF | ref | yes
ENTREPRISE | name | yes
SIRET | siret | yes
APE | naf | no
POSTE | title | yes
DESCRIPTIF | description | no
ROME1 | rome1 | yes
ROME2 | rome2 | no
ROME3 | rome3 | no
CONTRAT | contract_type | yes
DEBUT | start | yes
DUREE | duration | no
POSTES | positions | no
NIVEAU | level | no
DIPLOME | diploma_title | no
RNCP | rncp | no
ADR1 | adr1 | no
ADR2 | adr2 | no
CP | postal | yes
VILLE | city | yes
INSEE | insee | no
CONTACT | contact_name | no
MAIL | email | no
TEL | phone | no
FIN_PUBLI | expires | no
PE | consent | no
MAJ | updated | no
""")

YMAG_LEVELS = {}
for _n in range(3, 8):
    YMAG_LEVELS[str(_n)] = _n
    YMAG_LEVELS["niveau" + str(_n)] = _n
for _words, _lvl in ((("CAP", "BEP"), 3), (("Bac", "Bac Pro", "BP"), 4), (("BTS", "DUT", "Bac+2"), 5),
                     (("Licence", "Licence pro", "BUT", "Bac+3", "Bac+4"), 6),
                     (("Master", "Ingénieur", "Bac+5"), 7)):
    for _w in _words:
        YMAG_LEVELS[code_key(_w)] = _lvl

DIALECTS = {
    "ymag": {
        "columns": YMAG_COLUMNS, "encoding": "cp1252", "delimiter": b";", "snapshot": True,
        "contract": {code_key(k): v for k, v in (
            ("Apprentissage", "apprentissage"), ("Contrat d'apprentissage", "apprentissage"),
            ("Professionnalisation", "professionnalisation"),
            ("Contrat de professionnalisation", "professionnalisation"))},
        "levels": YMAG_LEVELS,
        "consent": {"oui": True, "non": False, "o": True, "n": False, "1": True, "0": False},
        "date": "dmy", "datetime": "ymag", "rome_sep": r"[,/| ]+",
    },
    "gil": {
        "columns": GIL_COLUMNS, "encoding": "utf-8", "delimiter": b",", "snapshot": False,
        "contract": {"app": "apprentissage", "pro": "professionnalisation"},
        "levels": {str(n): n for n in range(3, 8)},
        "consent": {"1": True, "0": False},
        "date": "iso", "datetime": "gil", "rome_sep": r"[,| ]+",
    },
    "sigma": {
        "columns": SIGMA_COLUMNS, "encoding": "latin9", "delimiter": b";", "snapshot": True,
        "contract": {"1": "apprentissage", "2": "professionnalisation"},
        "levels": {"v": 3, "iv": 4, "iii": 5, "ii": 6, "i": 7},
        "consent": {"o": True, "n": False},
        "date": "dmy", "datetime": "sigma", "rome_sep": r"[,| ]+",
    },
}

# ---------------------------------------------------------------------------
# Encodings (formats/README.md "Encoding")

BOM = b"\xef\xbb\xbf"


def _utf8_seq_len(lead):
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def choose_encoding(data, declared):
    """-> (encoding, offset of the data after a BOM)."""
    if data.startswith(BOM):
        return "utf-8", 3
    for i, b in enumerate(data):
        if b >= 0x80:
            n = _utf8_seq_len(b)
            if n:
                try:
                    data[i:i + n].decode("utf-8")
                    return "utf-8", 0
                except UnicodeDecodeError:
                    pass
            break
    return declared, 0


def decode(raw, enc):
    """-> (text, None) or (None, first offending byte)."""
    if enc == "utf-8":
        try:
            return raw.decode("utf-8"), None
        except UnicodeDecodeError as e:
            return None, raw[e.start]
    if enc == "cp1252":
        try:
            return raw.decode("cp1252"), None
        except UnicodeDecodeError as e:
            return None, raw[e.start]
    # ISO-8859-15: 0x80-0x9F are control codes no export writes.
    for b in raw:
        if 0x80 <= b <= 0x9F:
            return None, b
    return raw.decode("iso8859_15"), None


def decode_lenient(raw, enc):
    if enc == "latin9":
        enc = "iso8859_15"
    return raw.decode(enc, errors="replace")


# ---------------------------------------------------------------------------
# CSV (RFC 4180 with the rules of formats/README.md "CSV")

class Record:
    __slots__ = ("line", "fields", "quote_error", "start")

    def __init__(self, line, fields, quote_error, start=0):
        self.start = start
        self.line = line
        self.fields = fields
        self.quote_error = quote_error

    def blank(self):
        return not self.quote_error and all(f == b"" for f in self.fields)


def parse_csv(data, start, delim):
    """-> (records, the record whose quote is left open at the end or None).

    Each record knows its first physical line and its start offset; blank
    records are included (Record.blank())."""
    d = delim[0]
    n = len(data)
    i = start
    records = []
    line = 1 + data.count(b"\n", 0, start)
    counted = start
    SPACE = (0x20, 0x09)

    def end_of_record(j):
        """Returns the index after the record terminator at j, or None if none at j."""
        if j >= n:
            return n
        if data[j] == 0x0A:
            return j + 1
        if data[j] == 0x0D and j + 1 < n and data[j + 1] == 0x0A:
            return j + 2
        return None

    stop = re.compile(b"[" + re.escape(delim) + b"\n]")

    def scan_unquoted(j):
        m = stop.search(data, j)
        if not m:
            return n
        k = m.start()
        if data[k] == 0x0A and k > j and data[k - 1] == 0x0D:
            return k - 1
        return k

    while i < n:
        line += data.count(b"\n", counted, i)
        counted = i
        rec_line = line
        fields = []
        quote_error = False
        while True:
            j = i
            while j < n and data[j] in SPACE:
                j += 1
            if j < n and data[j] == 0x22:
                j += 1
                buf = bytearray()
                while True:
                    if j >= n:
                        return records, Record(rec_line, fields, None, counted)
                    q = data.find(b'"', j)
                    if q < 0:
                        return records, Record(rec_line, fields, None, counted)
                    buf += data[j:q]
                    if q + 1 < n and data[q + 1] == 0x22:
                        buf.append(0x22)
                        j = q + 2
                        continue
                    j = q + 1
                    break
                while j < n and data[j] in SPACE:
                    j += 1
                if j < n and data[j] == d:
                    fields.append(bytes(buf))
                    i = j + 1
                    continue
                e = end_of_record(j)
                if e is not None:
                    fields.append(bytes(buf))
                    i = e
                    break
                # "abc"def: CSV_QUOTE; AMBIGUITY: the rest of the field is read
                # as unquoted data and the record goes on as usual.
                quote_error = True
                k = scan_unquoted(j)
                buf += data[j:k]
                fields.append(bytes(buf))
                if k < n and data[k] == d:
                    i = k + 1
                    continue
                i = end_of_record(k)
                break
            k = scan_unquoted(i)
            fields.append(data[i:k].strip(b" \t"))
            if k < n and data[k] == d:
                i = k + 1
                continue
            i = end_of_record(k)
            break
        records.append(Record(rec_line, fields, quote_error, counted))
    return records, None


# ---------------------------------------------------------------------------
# Field rules (offer.md "Field rules" and "Precisions")

def luhn_ok(digits):
    total = 0
    for idx, ch in enumerate(reversed(digits)):
        v = ord(ch) - 48
        if idx % 2 == 1:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return total % 10 == 0


def valid_date(y, m, d):
    if not (1900 <= y <= 2099):
        return None
    try:
        return datetime.date(y, m, d)
    except ValueError:
        return None


_DMY = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_ISO = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")


def parse_date(s, kind):
    m = (_DMY if kind == "dmy" else _ISO).match(s)
    if not m:
        return None
    if kind == "dmy":
        d, mo, y = (int(x) for x in m.groups())
    else:
        y, mo, d = (int(x) for x in m.groups())
    dt = valid_date(y, mo, d)
    return dt.isoformat() if dt else None


def _last_sunday(year, month):
    d = datetime.date(year, month, 31)
    return d - datetime.timedelta(days=(d.weekday() + 1) % 7)


def utc_to_paris(utc):
    start = datetime.datetime.combine(_last_sunday(utc.year, 3), datetime.time(1))
    end = datetime.datetime.combine(_last_sunday(utc.year, 10), datetime.time(1))
    return utc + datetime.timedelta(hours=2 if start <= utc < end else 1)


_YMAG_DT = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4}) ([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?$")
_SIGMA_DT = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4}) ([0-9]{1,2}):([0-9]{2})$")
_GIL_DT = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?"
                     r"(Z|[+-][0-9]{2}:[0-9]{2})?$")


def parse_datetime(s, kind):
    if kind in ("ymag", "sigma"):
        m = (_YMAG_DT if kind == "ymag" else _SIGMA_DT).match(s)
        if not m:
            return None
        g = m.groups()
        d, mo, y, hh, mi = (int(x) for x in g[:5])
        ss = int(g[5]) if len(g) > 5 and g[5] is not None else 0
        offset = None
    else:
        m = _GIL_DT.match(s)
        if not m:
            return None
        y, mo, d, hh, mi, ss = (int(x) for x in m.groups()[:6])
        offset = m.group(7)
    date = valid_date(y, mo, d)
    if date is None or hh > 23 or mi > 59 or ss > 59:
        return None
    local = datetime.datetime(y, mo, d, hh, mi, ss)
    if offset:
        if offset == "Z":
            minutes = 0
        else:
            oh, om = int(offset[1:3]), int(offset[4:6])
            if om > 59 or oh * 60 + om > 14 * 60:
                return None
            minutes = (oh * 60 + om) * (1 if offset[0] == "+" else -1)
        local = utc_to_paris(local - datetime.timedelta(minutes=minutes))
        # AMBIGUITY: the year range applies to the converted local time too.
        if not (1900 <= local.year <= 2099):
            return None
    return local.strftime("%Y-%m-%dT%H:%M:%S")


_INSEE = re.compile(r"^(?:(?:0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5])[0-9]{3}|9[78][0-9]{3})$")

OVERSEAS = {}
for _codes, _cc in ((("0262", "0263", "0269", "0639", "0692", "0693"), "+262"),
                    (("0590", "0690", "0691"), "+590"), (("0594", "0694"), "+594"),
                    (("0596", "0696", "0697"), "+596")):
    for _c in _codes:
        OVERSEAS[_c] = _cc


def normalise_phone(s):
    # AMBIGUITY: "any usual way": spaces, dots, dashes and slashes separate
    # digits; brackets only in the two written forms "(0)" right after a
    # country code and "(+33)" at the start.
    t = re.sub(r"[ ./\-]", "", s)
    m = re.match(r"^\(\+([0-9]{1,3})\)(.*)$", t)
    if m:
        t = "+" + m.group(1) + m.group(2)
    if t.startswith("00"):
        t = "+" + t[2:]
    if t.startswith("+"):
        m = re.match(r"^\+([0-9]{1,3})\(0\)([0-9]*)$", t)
        if m:
            t = "+" + m.group(1) + m.group(2)
        if not re.fullmatch(r"\+[0-9]+", t):
            return None
        digits = t[1:]
        if digits.startswith("33"):
            rest = digits[2:]
            if len(rest) == 9 and rest[0] != "0":
                return "+33" + rest
            return None
        if 8 <= len(digits) <= 15:
            return "+" + digits
        return None
    if re.fullmatch(r"0[1-9][0-9]{8}", t):
        cc = OVERSEAS.get(t[:4])
        return (cc or "+33") + t[1:]
    return None


def valid_email(s):
    if s.count("@") != 1 or " " in s:
        return False
    local, domain = s.split("@")
    if not local:
        return False
    labels = domain.split(".")
    return len(labels) >= 2 and all(labels)


def sigma_unescape(s):
    out = []
    i = 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s) and s[i + 1] in "n\\":
            out.append("\n" if s[i + 1] == "n" else "\\")
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def ascii_upper(s):
    return "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in s)


def ref_ok(ref):
    return len(ref) <= 64 and not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in ref)


# DEVIATION (the one this reader copies on purpose, README item 17): a value
# longer than 300 code points is quoted as its first 300 and "…", as
# passerelle does (formats/excerpt.h) so that a file of huge invalid values
# cannot fill the store and the reports; offer.md says "the field as decoded
# and folded" without a limit.
EXCERPT_CODE_POINTS = 300


def excerpt(value):
    if value is None or len(value) <= EXCERPT_CODE_POINTS:
        return value
    return value[:EXCERPT_CODE_POINTS] + "\u2026"


def issue(field, code, value):
    return {"field": field, "code": code, "message": None, "value": excerpt(value)}


def validate(fmt, v, seen_refs):
    """v: key -> decoded text ('' for absent columns). -> (kind, ref, errors, warnings, offer-dict or None)."""
    dia = DIALECTS[fmt]
    errors, warnings = [], []
    movement = None
    action = "upsert"
    if fmt == "gil":
        a = fold_line(v["action"])
        k = code_key(a)
        if k in ("c", "m", "s"):
            movement = k.upper()
        else:
            # AMBIGUITY: ACTION_INVALID is not in the rules table; listed first,
            # field "movement"; the other fields are validated as for C/M.
            errors.append(issue("movement", "ACTION_INVALID", nonempty(a)))
        if movement == "S":
            action = "delete"

    # source_ref: only trimmed (AMBIGUITY: no character is removed either,
    # a U+0001 makes it REF_INVALID, a U+200B is kept).
    ref = trim(v["ref"])
    if not ref:
        errors.append(issue("source_ref", "REF_MISSING", None))
        ref = None
    elif not ref_ok(ref):
        errors.append(issue("source_ref", "REF_INVALID", ref))
        ref = None
    if ref is not None and dia["snapshot"]:
        if ref in seen_refs:
            errors.append(issue("source_ref", "DUPLICATE_REF", ref))
        else:
            seen_refs.add(ref)

    updated = None
    upd_raw = fold_line(v["updated"])
    upd_warning = None
    if upd_raw:
        updated = parse_datetime(upd_raw, dia["datetime"])
        if updated is None:
            upd_warning = issue("source_updated_at", "UPDATED_AT", upd_raw)

    if action == "delete":
        if upd_warning:
            warnings.append(upd_warning)
        offer = None
        if not errors:
            # Precisions: a delete lists the warnings about its MAJ (the
            # earlier "warnings are []" is overridden).
            offer = delete_offer(fmt, ref, updated)
            offer["warnings"] = warnings
        return ref, errors, warnings, offer

    # employer.siret
    siret_raw = fold_line(v["siret"])
    siret = re.sub("[ .\\-\u00a0\u202f]", "", siret_raw)
    if not re.fullmatch("[0-9]{14}", siret) or siret == "0" * 14:
        errors.append(issue("employer.siret", "SIRET_FORMAT", nonempty(siret_raw)))
    elif not luhn_ok(siret) and not (siret.startswith("356000000") and sum(int(c) for c in siret) % 5 == 0):
        errors.append(issue("employer.siret", "SIRET_CHECKSUM", siret_raw))

    name = fold_line(v["name"])
    if not name:
        errors.append(issue("employer.name", "EMPLOYER_NAME_MISSING", None))

    naf = None
    naf_raw = fold_line(v["naf"])
    if naf_raw:
        s = ascii_upper(naf_raw.replace(" ", "").replace(".", ""))
        if re.fullmatch("[0-9]{4}[A-Z]", s):
            naf = s
        else:
            warnings.append(issue("employer.naf", "NAF_INVALID", naf_raw))

    title = fold_line(v["title"])
    if not title:
        errors.append(issue("title", "TITLE_MISSING", None))
    elif len(title) > 255:
        warnings.append(issue("title", "TITLE_TRUNCATED", title))
        title = title[:255]

    desc_raw = v["description"]
    if fmt == "sigma":
        # AMBIGUITY: the \n escapes are turned into line breaks before the
        # description is normalised.
        desc_raw = sigma_unescape(desc_raw)
    description = fold_description(desc_raw)
    if len(description) > 10000:
        warnings.append(issue("description", "DESCRIPTION_TRUNCATED", description))
        description = description[:10000]

    if fmt == "sigma":
        cols = [fold_line(v[k]) for k in ("rome1", "rome2", "rome3")]
        # AMBIGUITY: the value joins the non-empty columns.
        rome_value = ",".join(c for c in cols if c)
    else:
        cols = [fold_line(v["rome"])]
        rome_value = cols[0]
    tokens = []
    for c in cols:
        tokens += [t for t in re.split(dia["rome_sep"], c) if t]
    codes, bad = [], False
    for t in tokens:
        u = ascii_upper(t)
        if re.fullmatch("[A-N][0-9]{4}", u):
            if u not in codes:
                codes.append(u)
        else:
            bad = True
    if not tokens:
        errors.append(issue("rome_codes", "ROME_MISSING", nonempty(rome_value)))
    elif not codes:
        errors.append(issue("rome_codes", "ROME_INVALID", rome_value))
    elif bad:
        warnings.append(issue("rome_codes", "ROME_INVALID", rome_value))

    ct_raw = fold_line(v["contract_type"])
    contract_type = dia["contract"].get(code_key(ct_raw))
    if contract_type is None:
        errors.append(issue("contract.type", "CONTRACT_TYPE", nonempty(ct_raw)))

    start_raw = fold_line(v["start"])
    start = parse_date(start_raw, dia["date"]) if start_raw else None
    if start is None:
        errors.append(issue("contract.start", "START_DATE", nonempty(start_raw)))

    duration = None
    dur_raw = fold_line(v["duration"])
    if dur_raw:
        if re.fullmatch("[0-9]+", dur_raw) and 1 <= int(dur_raw) <= 48:
            duration = int(dur_raw)
        else:
            errors.append(issue("contract.duration_months", "DURATION", dur_raw))

    positions = 1
    pos_raw = fold_line(v["positions"])
    if pos_raw:
        if re.fullmatch("[0-9]+", pos_raw) and 1 <= int(pos_raw) <= 999:
            positions = int(pos_raw)
        else:
            errors.append(issue("positions", "POSITIONS", pos_raw))

    level = None
    lvl_raw = fold_line(v["level"])
    if lvl_raw:
        level = dia["levels"].get(code_key(lvl_raw))
        if level is None:
            warnings.append(issue("diploma.level", "DIPLOMA_LEVEL", lvl_raw))

    diploma_title = nonempty(fold_line(v["diploma_title"]))

    rncp = None
    rncp_raw = fold_line(v["rncp"])
    if rncp_raw:
        # AMBIGUITY: the RNCP prefix is matched ignoring case ("rncp12345").
        m = re.fullmatch("(?:[Rr][Nn][Cc][Pp] ?)?([0-9]{3,6})", rncp_raw)
        if m:
            rncp = "RNCP" + m.group(1)
        else:
            warnings.append(issue("diploma.rncp", "RNCP_INVALID", rncp_raw))

    if fmt == "sigma":
        a1, a2 = fold_line(v["adr1"]), fold_line(v["adr2"])
        address = nonempty(", ".join(x for x in (a1, a2) if x))
    else:
        address = nonempty(fold_line(v["address"]))

    postal = None
    pc_raw = fold_line(v["postal"])
    if re.fullmatch("[0-9]{5}", pc_raw):
        postal = pc_raw
    elif re.fullmatch("[0-9]{4}", pc_raw):
        postal = "0" + pc_raw
    else:
        errors.append(issue("workplace.postal_code", "POSTAL_CODE", nonempty(pc_raw)))

    city = fold_line(v["city"])
    if not city:
        errors.append(issue("workplace.city", "CITY_MISSING", None))

    insee = None
    if fmt != "ymag":
        insee_raw = fold_line(v["insee"])
        if insee_raw:
            u = ascii_upper(insee_raw)
            if _INSEE.match(u):
                insee = u
            else:
                warnings.append(issue("workplace.insee", "INSEE_INVALID", insee_raw))

    department = None
    if insee:
        department = insee[:3] if insee.startswith("97") else insee[:2]
    elif postal:
        if postal[:2] in ("97", "98"):
            department = postal[:3]
        elif postal[:2] == "20":
            department = "2A" if int(postal) < 20200 else "2B"
        else:
            department = postal[:2]

    contact_name = nonempty(fold_line(v["contact_name"]))

    email = None
    email_raw = fold_line(v["email"])
    if email_raw:
        if valid_email(email_raw):
            email = email_raw
        else:
            warnings.append(issue("contact.email", "EMAIL_INVALID", email_raw))

    phone = None
    phone_raw = fold_line(v["phone"])
    if phone_raw:
        phone = normalise_phone(phone_raw)
        if phone is None:
            warnings.append(issue("contact.phone", "PHONE_INVALID", phone_raw))

    expires = None
    exp_raw = fold_line(v["expires"])
    if exp_raw:
        expires = parse_date(exp_raw, dia["date"])
        if expires is None:
            warnings.append(issue("publication.expires", "EXPIRES_DATE", exp_raw))

    consent = False
    cons_raw = fold_line(v["consent"])
    if cons_raw:
        c = dia["consent"].get(code_key(cons_raw))
        if c is None:
            warnings.append(issue("share_with_france_travail", "CONSENT_VALUE", cons_raw))
        else:
            consent = c

    if upd_warning:
        warnings.append(upd_warning)

    offer = None
    if not errors:
        offer = {
            "kind": "offer", "line": None, "partner": None, "format": fmt, "source_ref": ref,
            "action": "upsert", "movement": movement,
            "employer": {"siret": siret, "name": name, "naf": naf},
            "title": title, "description": nonempty(description), "rome_codes": codes,
            "contract": {"type": contract_type, "start": start, "duration_months": duration},
            "positions": positions,
            "diploma": {"level": level, "title": diploma_title, "rncp": rncp},
            "workplace": {"address": address, "postal_code": postal, "city": city,
                          "insee": insee, "department": department},
            "contact": {"name": contact_name, "email": email, "phone": phone},
            "publication": {"expires": expires},
            "share_with_france_travail": consent,
            "source_updated_at": updated,
            "warnings": warnings,
        }
    return ref, errors, warnings, offer


def delete_offer(fmt, ref, updated):
    return {
        "kind": "offer", "line": None, "partner": None, "format": fmt, "source_ref": ref,
        "action": "delete", "movement": "S",
        "employer": {"siret": None, "name": None, "naf": None},
        "title": None, "description": None, "rome_codes": [],
        "contract": {"type": None, "start": None, "duration_months": None},
        "positions": None,
        "diploma": {"level": None, "title": None, "rncp": None},
        "workplace": {"address": None, "postal_code": None, "city": None, "insee": None, "department": None},
        "contact": {"name": None, "email": None, "phone": None},
        "publication": {"expires": None},
        "share_with_france_travail": None,
        "source_updated_at": updated,
        "warnings": [],
    }


# ---------------------------------------------------------------------------
# The file

FILE_ERROR_ORDER = ["BINARY_CONTENT", "EMPTY_FILE", "ENVELOPE_MISSING", "VERSION_UNSUPPORTED",
                    "PARTNER_MISMATCH", "HEADER_DUPLICATE_COLUMN", "HEADER_MISSING_COLUMNS",
                    "CSV_UNTERMINATED_QUOTE", "TRAILER_MISSING", "TRAILER_COUNT_MISMATCH"]


def _summary(fmt, records=0, offers=0, deletes=0, rejects=0, warnings=0):
    return {"kind": "summary", "format": fmt, "records": records, "offers": offers,
            "deletes": deletes, "rejects": rejects, "warnings": warnings}


def _file_error(fmt, code, line):
    return 2, [{"kind": "file_error", "code": code, "message": None, "line": line}, _summary(fmt)]


def read(data, fmt, partner="-"):
    dia = DIALECTS[fmt]
    nul = data.find(b"\x00")
    if nul >= 0:
        # AMBIGUITY: line = where the record holding the first NUL starts.
        enc, start = choose_encoding(data, dia["encoding"])
        records, open_rec = parse_csv(data, start, dia["delimiter"])
        if open_rec:
            records.append(open_rec)
        holder = [r for r in records if r.start <= nul]
        return _file_error(fmt, "BINARY_CONTENT", holder[-1].line if holder else 1)
    enc, start = choose_encoding(data, dia["encoding"])
    records, open_rec = parse_csv(data, start, dia["delimiter"])
    open_quote_line = open_rec.line if open_rec else None
    records = [r for r in records if not r.blank()]

    def first_field(rec):
        return fold_line(decode_lenient(rec.fields[0], enc)) if rec.fields else ""

    # AMBIGUITY: a record left open at the end is no record: a file whose
    # header (or Sigma envelope) is cut inside a quote has no header.
    if not records:
        return _file_error(fmt, "EMPTY_FILE", None)
    pos = 0
    if fmt == "sigma":
        env = records[0]
        if first_field(env) != "#SIGMA":
            return _file_error(fmt, "ENVELOPE_MISSING", env.line)
        version = fold_line(decode_lenient(env.fields[1], enc)) if len(env.fields) > 1 else ""
        if version != "2":
            return _file_error(fmt, "VERSION_UNSUPPORTED", env.line)
        pos = 1
    if pos >= len(records):
        # AMBIGUITY: a Sigma envelope alone (no header, no trailer) is an
        # empty file ("no header"), not HEADER_MISSING_COLUMNS.
        return _file_error(fmt, "EMPTY_FILE", None)
    if fmt == "sigma" and first_field(records[pos]) == "#FIN" and pos == len(records) - 1:
        # AMBIGUITY: line of a header-less Sigma file's error: the trailer's,
        # read where the header should be.
        return _file_error(fmt, "HEADER_MISSING_COLUMNS", records[pos].line)
    header = records[pos]
    names = [fold_line(decode_lenient(f, enc)) for f in header.fields]
    canon = {header_key(name): (name, key, req) for name, key, req in dia["columns"]}
    col_index = {}
    unknown = []
    unknown_keys = set()
    duplicate = False
    for idx, name in enumerate(names):
        if not name:
            continue
        k = header_key(name)
        if k in canon:
            key = canon[k][1]
            if key in col_index:
                duplicate = True
            else:
                col_index[key] = idx
        elif k not in unknown_keys:
            # AMBIGUITY: "named once each": two spellings matching alike (case,
            # accents, white space) are one column, named as first written.
            unknown_keys.add(k)
            unknown.append(name)
    if duplicate:
        return _file_error(fmt, "HEADER_DUPLICATE_COLUMN", header.line)
    missing = [name for name, key, req in dia["columns"] if req and key not in col_index]
    if missing:
        return _file_error(fmt, "HEADER_MISSING_COLUMNS", header.line)
    if open_quote_line is not None:
        return _file_error(fmt, "CSV_UNTERMINATED_QUOTE", open_quote_line)
    rows = records[pos + 1:]
    if fmt == "sigma":
        if not rows or first_field(rows[-1]) != "#FIN":
            return _file_error(fmt, "TRAILER_MISSING", None)
        trailer = rows[-1]
        rows = rows[:-1]
        count = fold_line(decode_lenient(trailer.fields[1], enc)) if len(trailer.fields) > 1 else ""
        if not re.fullmatch("[0-9]+", count):
            # AMBIGUITY: a #FIN record without a number: its line.
            return _file_error(fmt, "TRAILER_MISSING", trailer.line)
        if int(count) != len(rows):
            return _file_error(fmt, "TRAILER_COUNT_MISMATCH", trailer.line)

    out = []
    n_warnings = 0
    if unknown:
        out.append({"kind": "file_warning", "code": "HEADER_UNKNOWN_COLUMNS", "message": None,
                    "value": excerpt(", ".join(unknown)), "line": header.line})
        n_warnings += 1
    width = len(header.fields)
    seen = set()
    offers = deletes = rejects = 0
    ref_idx = col_index["ref"]
    for rec in rows:
        if rec.quote_error:
            obj = _reject(rec.line, None, [issue(None, "CSV_QUOTE", None)], [])
        elif len(rec.fields) != width:
            obj = _reject(rec.line, None, [issue(None, "FIELD_COUNT", str(len(rec.fields)))], [])
        else:
            texts, bad = [], None
            for f in rec.fields:
                t, b = decode(f, enc)
                if b is not None and bad is None:
                    bad = b
                texts.append(t)
            if bad is not None:
                ref = None
                if texts[ref_idx] is not None:
                    r = trim(texts[ref_idx])
                    if r and ref_ok(r):
                        ref = r
                if ref is not None and dia["snapshot"]:
                    seen.add(ref)
                # AMBIGUITY: hexadecimal digits in upper case ("0x9D").
                obj = _reject(rec.line, ref, [issue(None, "ENCODING", "0x%02X" % bad)], [])
            else:
                values = {key: "" for _, key, _ in dia["columns"]}
                for key, idx in col_index.items():
                    values[key] = texts[idx]
                ref, errors, warnings, offer = validate(fmt, values, seen)
                if errors:
                    obj = _reject(rec.line, ref, errors, warnings)
                else:
                    obj = offer
                    obj["line"] = rec.line
                    obj["partner"] = partner
        if obj["kind"] == "reject":
            rejects += 1
        elif obj["action"] == "delete":
            deletes += 1
        else:
            offers += 1
        n_warnings += len(obj["warnings"])
        out.append(obj)
    out.append(_summary(fmt, offers + deletes + rejects, offers, deletes, rejects, n_warnings))
    return (1 if rejects else 0), out


def _reject(line, ref, errors, warnings):
    return {"kind": "reject", "line": line, "source_ref": ref, "errors": errors, "warnings": warnings}


if __name__ == "__main__":
    import json
    if len(sys.argv) != 3:
        sys.exit("usage: spec_reader.py FORMAT FILE")
    status, objs = read(open(sys.argv[2], "rb").read(), sys.argv[1])
    for o in objs:
        print(json.dumps(o, ensure_ascii=False, separators=(",", ":")))
    sys.exit(status)
