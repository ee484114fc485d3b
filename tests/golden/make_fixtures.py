#!/usr/bin/env python3
"""Writes the golden-test fixtures of tests/golden/ in their real encodings.

Each fixture is <name>.<format>.csv; run_golden.sh checks `passerelle check
--json` against <name>.<format>.expected and its exit status against
<name>.<format>.status. The bytes are built here so that every trap is
visible in one readable place. Run it after changing a fixture, then
`run_golden.sh --update` and review the diff of the .expected files by hand.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))

YMAG_HEADER = ["N° offre", "Raison sociale", "SIRET", "Code NAF", "Intitulé du poste",
               "Descriptif du poste", "Codes ROME", "Type de contrat", "Date de début",
               "Durée (mois)", "Nombre de postes", "Niveau", "Diplôme préparé", "Code RNCP",
               "Adresse", "Code postal", "Ville", "Nom du contact", "Email du contact",
               "Téléphone du contact", "Fin de publication", "Diffusion Pôle emploi",
               "Date de modification"]


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def ymag_row(**kw):
    base = {
        "N° offre": "Y-1", "Raison sociale": "BOULANGERIE DU SILLON", "SIRET": "732 829 320 00074",
        "Code NAF": "10.71C", "Intitulé du poste": "Apprenti(e) boulanger(ère)",
        "Descriptif du poste": "Fabrication du pain.", "Codes ROME": "D1102",
        "Type de contrat": "Contrat d'apprentissage", "Date de début": "01/09/2026",
        "Durée (mois)": "24", "Nombre de postes": "1", "Niveau": "CAP",
        "Diplôme préparé": "CAP Boulanger", "Code RNCP": "RNCP37861", "Adresse": "2 rue du Sillon",
        "Code postal": "35400", "Ville": "Saint-Malo", "Nom du contact": "Anne Le Gall",
        "Email du contact": "contact@boulangerie-sillon.fr", "Téléphone du contact": "02 99 40 00 00",
        "Fin de publication": "31/12/2026", "Diffusion Pôle emploi": "Oui",
        "Date de modification": "02/03/2026 14:05:00"}
    base.update(kw)
    return [base[h] for h in YMAG_HEADER]


def csv_line(fields, sep, quote_all=False):
    out = []
    for v in fields:
        if quote_all or any(c in v for c in (sep, '"', "\n", "\r")):
            v = '"' + v.replace('"', '""') + '"'
        out.append(v)
    return sep.join(out)


def ymag_traps():
    rows = [
        # SIRET with a no-break space, NAF written "56 10 a", ROME list with mixed separators.
        ymag_row(**{"N° offre": "Y-100", "SIRET": "732\u00a0829\u00a0320 00074", "Code NAF": "56 10 a",
                    "Codes ROME": "g1602, G1603/g1602 G1801", "Type de contrat": "Contrat d’apprentissage",
                    "Niveau": "Bac Pro", "Téléphone du contact": "+33 (0)2 99 40 00 00"}),
        # Multi-line description: CRLF inside quotes, trailing spaces, 4 blank lines, ';' and "".
        ymag_row(**{"N° offre": "Y-101", "Descriptif du poste":
                    "  Vous fabriquerez ; le pain.   \r\n\r\n\r\n\r\nHoraires : \"4h-11h\".\t \r\nPrime 50 €.",
                    "Code postal": "1000", "Ville": "Bourg-en-Bresse", "Niveau": "Niveau 5",
                    "Téléphone du contact": "0692 12 34 56", "Diffusion Pôle emploi": ""}),
        # La Poste SIRET (fails Luhn, digit sum multiple of 5), Corsica, 0033 phone, date with minutes.
        ymag_row(**{"N° offre": "Y-102", "SIRET": "356 000 000 49837", "Code postal": "20200",
                    "Ville": "Bastia", "Téléphone du contact": "0033 4 95 00 00 00",
                    "Date de modification": "1/3/2026 9:05", "Type de contrat": "PROFESSIONNALISATION",
                    "Niveau": "Ingénieur", "Intitulé du poste": 'Vendeur écran 15" HD'}),
        # Rejected: Luhn fails, invalid ROME codes only, bad date; warnings kept.
        ymag_row(**{"N° offre": "Y-103", "SIRET": "732 829 320 00075", "Codes ROME": "Z9999 D12",
                    "Date de début": "29/02/2027", "Email du contact": "pas-une-adresse",
                    "Code RNCP": "RNCP 12"}),
        # Duplicate of Y-100: rejected, the first wins.
        ymag_row(**{"N° offre": "Y-100"}),
        # Warnings only: level, consent, expiry, update time, NAF, phone; empty positions -> 1.
        ymag_row(**{"N° offre": "Y-104", "Niveau": "Doctorat", "Diffusion Pôle emploi": "Peut-être",
                    "Fin de publication": "31/04/2027", "Date de modification": "02/03/2026",
                    "Nombre de postes": "", "Durée (mois)": "", "Code NAF": "1071",
                    "Téléphone du contact": "02 99", "Code RNCP": "12345"}),
        # A 300-character title (cut at 255 code points).
        ymag_row(**{"N° offre": "Y-105", "Intitulé du poste": "Pâtissier " + "é" * 290}),
    ]
    header = csv_line(YMAG_HEADER + ["Commentaire interne"], ";")
    lines = [header]
    for r in rows:
        lines.append(csv_line(r + ["interne"], ";"))
    body = "\r\n".join(lines) + "\r\n"
    data = body.encode("cp1252")
    # Raw traps that cannot go through the codec: an undefined byte (0x81),
    # a field count mismatch, a "abc"def quote, a blank line and ";;;".
    good = csv_line(ymag_row(**{"N° offre": "Y-106"}) + ["x"], ";").encode("cp1252")
    bad_byte = csv_line(ymag_row(**{"N° offre": "Y-107", "Ville": "Renn_s"}) + ["x"], ";").encode("cp1252").replace(b"Renn_s", b"Renn\x81s")
    short = b"Y-108;ACME;73282932000074"
    quote = csv_line(ymag_row(**{"N° offre": "Y-109"}) + ["x"], ";").encode("cp1252").replace(b";Fabrication du pain.;", b';"Fabrication"du pain;')
    data += b"\r\n" + b";" * 23 + b"\r\n" + bad_byte + b"\r\n" + short + b"\r\n" + quote + b"\r\n" + good + b"\r\n"
    write("ymag_traps.ymag.csv", data)


def ymag_utf8():
    # A Ypareo upgrade writing UTF-8 without a BOM: detected by its first non-ASCII byte.
    lines = [csv_line(YMAG_HEADER, ";"),
             csv_line(ymag_row(**{"N° offre": "U-1", "Intitulé du poste": "Crêpier(ère) – été",
                                  "Ville": "Saint-Brieuc", "Code postal": "22000"}), ";")]
    write("ymag_utf8.ymag.csv", ("\r\n".join(lines) + "\r\n").encode("utf-8"))


GIL_HEADER = ["ACTION", "ID_OFFRE", "SIRET", "RAISON_SOCIALE", "CODE_NAF", "LIBELLE_POSTE",
              "DESCRIPTION", "CODES_ROME", "NATURE_CONTRAT", "DATE_DEBUT", "DUREE_MOIS", "NB_POSTES",
              "NIVEAU_EU", "LIBELLE_DIPLOME", "RNCP", "ADRESSE", "CODE_POSTAL", "COMMUNE", "CODE_INSEE",
              "CONTACT_NOM", "CONTACT_MAIL", "CONTACT_TEL", "DATE_FIN_DIFFUSION", "DIFFUSION_FT", "MAJ"]


def gil_row(**kw):
    base = {"ACTION": "C", "ID_OFFRE": "G-77", "SIRET": "32601234500020", "RAISON_SOCIALE": "SOCAH HYDRAULIQUE",
            "CODE_NAF": "2812Z", "LIBELLE_POSTE": "Technicien(ne) de maintenance",
            "DESCRIPTION": "Maintenance préventive et curative\nsur presses hydrauliques.",
            "CODES_ROME": "I1304|I1310", "NATURE_CONTRAT": "PRO", "DATE_DEBUT": "2026-10-01",
            "DUREE_MOIS": "12", "NB_POSTES": "2", "NIVEAU_EU": "5",
            "LIBELLE_DIPLOME": "BTS Maintenance des systèmes", "RNCP": "RNCP35323",
            "ADRESSE": "ZI de Kerpont", "CODE_POSTAL": "56850", "COMMUNE": "Caudan", "CODE_INSEE": "56036",
            "CONTACT_NOM": "", "CONTACT_MAIL": "rh@socah.example", "CONTACT_TEL": "0297000000",
            "DATE_FIN_DIFFUSION": "2027-01-15", "DIFFUSION_FT": "1", "MAJ": "2026-03-02T09:00:00"}
    base.update(kw)
    return [base[h] for h in GIL_HEADER]


def gil_movements():
    empty = {h: "" for h in GIL_HEADER}
    rows = [
        gil_row(),
        gil_row(**{"ACTION": "m", "MAJ": "2026-03-02T08:30:00.125Z", "CODE_INSEE": "2a004",
                   "CODE_POSTAL": "20000", "COMMUNE": "Ajaccio", "DIFFUSION_FT": "0"}),
        gil_row(**dict(empty, ACTION="S", ID_OFFRE="G-12", MAJ="2026-03-02T10:00:00+01:00")),
        gil_row(**dict(empty, ACTION="S", ID_OFFRE="G-13")),
        gil_row(**{"ACTION": "X", "ID_OFFRE": "G-14"}),
        gil_row(**{"ID_OFFRE": "G-15", "CODE_INSEE": "97411", "CODE_POSTAL": "97400",
                   "COMMUNE": "Saint-Denis", "CONTACT_TEL": "0262 20 00 00", "NIVEAU_EU": "8",
                   "MAJ": "2026-10-25T02:30:00"}),
        gil_row(**{"ID_OFFRE": "G-16", "NATURE_CONTRAT": "CDD", "DATE_DEBUT": "2026-13-01",
                   "CODES_ROME": "", "MAJ": "hier"}),
    ]
    lines = [csv_line(GIL_HEADER, ",", quote_all=True)] + [csv_line(r, ",", quote_all=True) for r in rows]
    write("gil_movements.gil.csv", b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode("utf-8"))


SIGMA_HEADER = ["REF", "ENTREPRISE", "SIRET", "APE", "POSTE", "DESCRIPTIF", "ROME1", "ROME2", "ROME3",
                "CONTRAT", "DEBUT", "DUREE", "POSTES", "NIVEAU", "DIPLOME", "RNCP", "ADR1", "ADR2", "CP",
                "VILLE", "INSEE", "CONTACT", "MAIL", "TEL", "FIN_PUBLI", "PE", "MAJ"]


def sigma_row(**kw):
    base = {"REF": "S-501", "ENTREPRISE": "COIFFURE FABRICE", "SIRET": "78912345600012", "APE": "9602A",
            "POSTE": "Apprenti coiffeur", "DESCRIPTIF": "Salon mixte.\\nPrime de 50 € par mois.",
            "ROME1": "D1202", "ROME2": "", "ROME3": "", "CONTRAT": "1", "DEBUT": "01/09/2026",
            "DUREE": "24", "POSTES": "1", "NIVEAU": "V", "DIPLOME": "CAP Métiers de la coiffure",
            "RNCP": "RNCP37455", "ADR1": "3 place Saint-Corentin", "ADR2": "", "CP": "29000",
            "VILLE": "Quimper", "INSEE": "29232", "CONTACT": "Fabrice Quéré", "MAIL": "",
            "TEL": "02 98 00 00 00", "FIN_PUBLI": "", "PE": "O", "MAJ": "01/03/2026 18:30"}
    base.update(kw)
    return [base[h] for h in SIGMA_HEADER]


def sigma_file(rows, count=None, version="2", code="CMA29"):
    lines = [f"#SIGMA;{version};{code};02/03/2026 06:00", csv_line(SIGMA_HEADER, ";")]
    lines += [csv_line(r, ";") for r in rows]
    lines.append(f"#FIN;{len(rows) if count is None else count}")
    return ("\r\n".join(lines) + "\r\n").encode("iso8859_15")


def sigma_fixtures():
    rows = [
        sigma_row(),
        sigma_row(**{"REF": "S-502", "DESCRIPTIF": "Œuvres sociales ; \\\\serveur\\\\partage\\n\\nà voir \\t.",
                     "ROME2": "d1201", "ROME3": "D1202", "ADR2": "Bâtiment B", "NIVEAU": "III",
                     "CONTRAT": "2", "MAIL": "salon@coiffure.example", "PE": "n", "FIN_PUBLI": "15/01/2027"}),
        sigma_row(**{"REF": "S-503", "NIVEAU": "3", "APE": "85.59A", "SIRET": "789 123 456 00012",
                     "MAJ": "01/03/2026 18:30:15", "TEL": "06 12 34 56 78"}),
        sigma_row(**{"REF": "S-504", "CONTRAT": "3", "CP": "", "VILLE": ""}),
    ]
    write("sigma_ok.sigma.csv", sigma_file(rows))
    write("sigma_count_mismatch.sigma.csv", sigma_file(rows, count=5))
    write("sigma_version.sigma.csv", sigma_file(rows, version="3"))
    cut = sigma_file(rows)
    write("sigma_truncated.sigma.csv", cut[: cut.index(b"S-503")])
    write("sigma_no_envelope.sigma.csv", sigma_file(rows).split(b"\r\n", 1)[1])


def file_errors():
    write("empty.ymag.csv", b"")
    write("blank_lines.ymag.csv", b"\r\n  \r\n")
    header = csv_line(YMAG_HEADER, ";").encode("cp1252")
    row = csv_line(ymag_row(), ";").encode("cp1252")
    write("unterminated.ymag.csv", header + b"\r\n" + row + b"\r\n" + row.replace(b"Fabrication", b'"Fabrication') + b"\r\n")
    write("binary.gil.csv", csv_line(GIL_HEADER, ",", True).encode() + b"\n" + csv_line(gil_row(), ",", True).encode().replace(b"Caudan", b"Cau\x00dan") + b"\n")
    write("missing_columns.ymag.csv", b"N\xb0 offre;SIRET;Ville\r\nY-1;73282932000074;Rennes\r\n")
    write("duplicate_column.gil.csv", (csv_line(GIL_HEADER + ["SIRET"], ",", True) + "\n").encode())


if __name__ == "__main__":
    ymag_traps()
    ymag_utf8()
    gil_movements()
    sigma_fixtures()
    file_errors()
