#!/usr/bin/env python3
"""Generate realistic partner offer exports for benchmarks (stdlib only).

Writes one export in a dialect's real shape (shared/specs/formats/*.md):

  ymag   Windows-1252, ';', CRLF, the exact Ypareo header, descriptions quoted
         (real CRLF line breaks, ';' and doubled quotes inside).
  gil    UTF-8 with BOM, every field quoted, ',', LF, real LF line breaks in
         descriptions, movements C/M/S; an empty FILE.ok marker is written too.
  sigma  ISO-8859-15, ';', CRLF, quotes only where needed, envelope
         '#SIGMA;2;CODE;JJ/MM/AAAA HH:MM', header, '#FIN;N' trailer, line
         breaks in DESCRIPTIF written as the two characters '\\n'.

Every offer is valid (Luhn-valid SIRET, real ROME/NAF codes, real Breton
postal/INSEE codes, real calendar dates, French phone numbers); descriptions
are several hundred characters with accents and about 30% are multi-line. A
100,000-offer ymag file is about 150 MB. Output is deterministic for given
options.

Variants (store benchmarks): with --changed-pct / --removed-pct / --added-pct
the offers are those of the base file (--base-seed, default --seed) and
--seed picks which ones change, disappear or are added:

  gen_offers.py --format ymag --offers 100000 --seed 1 -o day1.csv
  gen_offers.py --format ymag --offers 100000 --seed 2 --base-seed 1 \\
      --changed-pct 5 --removed-pct 2 -o day2.csv

For the snapshot dialects (ymag, sigma) the variant is the next full
snapshot; for gil (delta) it holds only the movements: M for changed offers,
S for removed ones, C for added ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
import unicodedata

# ---------------------------------------------------------------------------
# Reference data (real codes; texts representable in cp1252 and latin-9).

# (title, ROME codes, NAF, diploma title, RNCP, levels {european: ymag word})
JOBS = [
    ("Apprenti(e) boulanger(ère)", ["D1102"], "1071C", "CAP Boulanger", "RNCP37861", 3),
    ("Apprenti(e) pâtissier(ère)", ["D1104", "D1102"], "1071D", "CAP Pâtissier", "RNCP37859", 3),
    ("Vendeur(se) en boulangerie-pâtisserie", ["D1106", "D1214"], "1071C",
     "CAP Équipier polyvalent du commerce", "RNCP34948", 3),
    ("Apprenti boucher / bouchère", ["D1101"], "4722Z", "CAP Boucher", "RNCP37863", 3),
    ("Apprenti coiffeur / coiffeuse", ["D1202"], "9602A", "CAP Métiers de la coiffure",
     "RNCP37455", 3),
    ("Esthéticien(ne) en alternance", ["D1208"], "9602B",
     "CAP Esthétique cosmétique parfumerie", "RNCP37394", 3),
    ("Commis de cuisine", ["G1602"], "5610A", "CAP Cuisine", "RNCP37224", 3),
    ("Serveur(se) en restauration", ["G1803", "G1802"], "5610A",
     "CAP Commercialisation et services en HCR", "RNCP37225", 3),
    ("Réceptionniste d'hôtel", ["G1703"], "5510Z",
     "BTS Management en hôtellerie-restauration", "RNCP35215", 5),
    ("Mécanicien(ne) automobile", ["I1604"], "4520A",
     "CAP Maintenance des véhicules option voitures particulières", "RNCP37466", 3),
    ("Technicien(ne) de maintenance industrielle", ["I1304", "I1310"], "2812Z",
     "BTS Maintenance des systèmes", "RNCP35323", 5),
    ("Électricien(ne) du bâtiment", ["F1602"], "4321A", "CAP Électricien", "RNCP36558", 3),
    ("Plombier chauffagiste", ["F1603"], "4322A", "CAP Monteur en installations sanitaires",
     "RNCP36534", 3),
    ("Maçon / maçonne", ["F1703"], "4399C", "CAP Maçon", "RNCP35035", 3),
    ("Menuisier(ère) fabricant", ["H2206", "F1607"], "1623Z",
     "CAP Menuisier fabricant", "RNCP35043", 3),
    ("Soudeur / soudeuse", ["H2913"], "2511Z", "Bac Pro Technicien en chaudronnerie industrielle",
     "RNCP35461", 4),
    ("Assistant(e) de gestion PME", ["M1604", "M1607"], "6920Z",
     "BTS Gestion de la PME", "RNCP38368", 5),
    ("Assistant(e) comptable", ["M1203"], "6920Z",
     "BTS Comptabilité et gestion", "RNCP35521", 5),
    ("Développeur(se) web", ["M1805"], "6201Z",
     "Licence pro Métiers de l'informatique", "RNCP30100", 6),
    ("Technicien(ne) support informatique", ["I1401", "M1810"], "6202A",
     "BTS Services informatiques aux organisations", "RNCP35340", 5),
    ("Chargé(e) de communication", ["E1103"], "7311Z",
     "Licence pro Métiers de la communication", "RNCP30145", 6),
    ("Ingénieur(e) qualité en alternance", ["H1502", "H1206"], "1051A",
     "Diplôme d'ingénieur agroalimentaire", "RNCP35866", 7),
    ("Conducteur(rice) de ligne agroalimentaire", ["H2102"], "1013A",
     "Bac Pro Pilote de ligne de production", "RNCP37224", 4),
    ("Aide-soignant(e)", ["J1501"], "8710A", "Diplôme d'État d'aide-soignant", "RNCP35830", 4),
    ("Préparateur(rice) en pharmacie", ["J1307"], "4773Z",
     "BP Préparateur en pharmacie", "RNCP35536", 4),
    ("Vendeur(se) conseil en magasin", ["D1214", "D1211"], "4771Z",
     "Bac Pro Métiers du commerce et de la vente", "RNCP32208", 4),
    ("Employé(e) polyvalent(e) de libre-service", ["D1507", "D1505"], "4711D",
     "CAP Équipier polyvalent du commerce", "RNCP34948", 3),
    ("Manager d'unité marchande", ["D1301", "D1503"], "4711F",
     "BTS Management commercial opérationnel", "RNCP38362", 5),
    ("Jardinier(ère) paysagiste", ["A1203"], "8130Z", "CAP Jardinier paysagiste",
     "RNCP36999", 3),
    ("Agent(e) de maintenance des bâtiments", ["I1203"], "8110Z",
     "Titre pro Agent de maintenance des bâtiments", "RNCP34344", 3),
    ("Chargé(e) de recrutement", ["M1502", "M1503"], "7810Z",
     "Master Gestion des ressources humaines", "RNCP34036", 7),
    ("Logisticien(ne) / préparateur(rice) de commandes", ["N1103", "N1105"], "5210B",
     "Bac Pro Logistique", "RNCP38419", 4),
]

COMPANY_KINDS = ["BOULANGERIE", "SARL", "SAS", "GARAGE", "MAISON", "ETS", "HÔTEL", "RESTAURANT",
                 "PHARMACIE", "CABINET", "ATELIER", "TRANSPORTS", "SOCIÉTÉ", "COIFFURE",
                 "BOUCHERIE", "MENUISERIE", "ÉLECTRICITÉ", "BRASSERIE", "CRÊPERIE", "EHPAD"]
COMPANY_NAMES = ["DU SILLON", "GUIHARD", "LE GALL", "KERGOAT", "DE LA RANCE", "FABRICE",
                 "DES REMPARTS", "ARMOR", "BROCÉLIANDE", "QUÉRÉ", "TANGUY", "LE BIHAN",
                 "DE L'ODET", "MORVAN", "DU GOLFE", "CHATALEN", "HAMON", "PRIGENT",
                 "DES ÎLES", "BIO ARTISANAL", "LE CORRE", "ÉMERAUDE", "DE KERPONT",
                 "SAINT-GUÉNOLÉ", "DU PORT", "DES HALLES", "GOURMANDE", "CŒUR DE BREIZH",
                 "LES GÂTEAUX D'ANNA", "FRÈRES JAOUEN"]

# (city, postal code, INSEE) - real Breton communes and their codes.
CITIES = [
    ("Rennes", "35000", "35238"), ("Saint-Malo", "35400", "35288"),
    ("Fougères", "35300", "35115"), ("Vitré", "35500", "35360"),
    ("Redon", "35600", "35236"), ("Cesson-Sévigné", "35510", "35051"),
    ("Brest", "29200", "29019"), ("Quimper", "29000", "29232"),
    ("Morlaix", "29600", "29151"), ("Concarneau", "29900", "29039"),
    ("Landerneau", "29800", "29103"), ("Quimperlé", "29300", "29233"),
    ("Vannes", "56000", "56260"), ("Lorient", "56100", "56121"),
    ("Pontivy", "56300", "56178"), ("Auray", "56400", "56007"),
    ("Ploërmel", "56800", "56165"), ("Caudan", "56850", "56036"),
    ("Saint-Brieuc", "22000", "22278"), ("Lannion", "22300", "22113"),
    ("Dinan", "22100", "22050"), ("Guingamp", "22200", "22070"),
    ("Lamballe-Armor", "22400", "22093"), ("Nantes", "44000", "44109"),
]
STREETS = ["rue de la Paix", "rue Saint-Michel", "place Saint-Corentin", "rue de Brest",
           "avenue du Général de Gaulle", "boulevard de la Liberté", "rue des Écoles",
           "quai Duguay-Trouin", "rue du Château", "ZI de Kerpont", "rue Jean Jaurès",
           "allée des Châtaigniers", "rue de l'Église", "chemin du Moulin", "rue Émile Zola",
           "impasse des Hortensias", "route de Lorient", "rue Théodore Botrel"]
FIRST_NAMES = ["Anne", "Yann", "Soizic", "Hélène", "François", "Loïc", "Gaëlle", "Ronan",
               "Maëlle", "Gwénaël", "Françoise", "Jérôme", "Noémie", "Cédric", "Éric",
               "Aurélie", "Erwan", "Clémence", "Joël", "Léa"]
LAST_NAMES = ["Le Gall", "Quéré", "Le Bihan", "Guéguen", "Tanguy", "Morvan", "Hamon",
              "Le Corre", "Prigent", "Kerhervé", "Jaouen", "Le Goff", "Even", "Riou",
              "Le Hénaff", "Cadiou", "Bréhonnet", "Lozac'h"]

INTROS = [
    "Entreprise familiale depuis {year}, nous employons {staff} salariés et formons chaque "
    "année des apprentis passionnés.",
    "Implantée à {city} depuis {year}, notre équipe de {staff} personnes recherche son "
    "futur talent en alternance.",
    "Notre maison, reconnue pour son « savoir-faire » et la qualité de son accueil, "
    "recrute un(e) alternant(e) motivé(e).",
    "Acteur régional de référence, nous accompagnons nos clients de la conception à la "
    "livraison ; rejoignez une équipe à taille humaine.",
    "Au sein de notre établissement de {city}, vous serez encadré(e) par un maître "
    "d'apprentissage expérimenté.",
]
MISSIONS = [
    "Vous participerez à la fabrication, au contrôle qualité et au nettoyage du poste.",
    "Missions : accueil de la clientèle, préparation des commandes, mise en rayon.",
    "Vous assurerez l'entretien courant des équipements et le suivi des interventions.",
    "Vous apprendrez à gérer les stocks, les réceptions de marchandises et les inventaires.",
    "Vous serez associé(e) à la préparation des chantiers et à la réception des travaux.",
    "Vous accompagnerez l'équipe dans la relation client, du premier contact à la facturation.",
    "Vous réaliserez les diagnostics, les réglages et les contrôles de fin d'intervention.",
    "Vous prendrez part aux réunions d'équipe et proposerez des améliorations concrètes.",
    "Vous veillerez au respect des règles d'hygiène, de sécurité et de traçabilité.",
    "Vous contribuerez à l'élaboration des plannings et au suivi des indicateurs de production.",
    "Vous découvrirez nos outils numériques : logiciel de caisse, ERP et tableaux de bord.",
    "Vous aiderez à la mise en place de la salle, au service et à l'encaissement.",
]
PROFILES = [
    "Profil : curieux(se), ponctuel(le) et doté(e) d'un bon relationnel.",
    "Vous aimez le travail d'équipe, le contact humain et le « travail bien fait ».",
    "Une première expérience (stage, job d'été) est un plus, mais la motivation prime.",
    "Permis B apprécié : certains déplacements sont à prévoir dans le département.",
    "Rigueur, autonomie et sens de l'organisation seront vos meilleurs atouts.",
    "Vous êtes à l'aise avec les chiffres et savez hiérarchiser vos priorités.",
]
PERKS = [
    "Prime de {prime} € par mois, œuvres sociales et mutuelle prise en charge à 70 %.",
    "Horaires : {h1}h-{h2}h du mardi au samedi ; repos le dimanche et le lundi.",
    "Avantages : tickets restaurant de {ticket} €, participation aux frais de transport, "
    "13e mois.",
    "Rémunération selon la grille légale de l'apprentissage, majorée de {pct} %.",
    "Entreprise labellisée « Employeur engagé », tutorat assuré par un compagnon.",
    "Nos mots d'ordre : \"qualité\", \"écoute\" et \"bonne humeur\" ; ça vous parle ?",
    "Logement possible à proximité, cœur de ville accessible en bus ou à vélo.",
]
CLOSINGS = [
    "Envoyez CV et lettre de motivation : nous répondons à toutes les candidatures.",
    "Poste à pourvoir à la rentrée, en lien avec le CFA. Entretien sur place possible.",
    "Contactez-nous pour une journée de découverte dans l'entreprise avant de vous engager.",
    "Rejoignez-nous : l'alternance, c'est « apprendre en faisant » !",
]

YMAG_HEADER = ("N° offre;Raison sociale;SIRET;Code NAF;Intitulé du poste;Descriptif du poste;"
               "Codes ROME;Type de contrat;Date de début;Durée (mois);Nombre de postes;Niveau;"
               "Diplôme préparé;Code RNCP;Adresse;Code postal;Ville;Nom du contact;"
               "Email du contact;Téléphone du contact;Fin de publication;"
               "Diffusion Pôle emploi;Date de modification")
GIL_COLUMNS = ["ACTION", "ID_OFFRE", "SIRET", "RAISON_SOCIALE", "CODE_NAF", "LIBELLE_POSTE",
               "DESCRIPTION", "CODES_ROME", "NATURE_CONTRAT", "DATE_DEBUT", "DUREE_MOIS",
               "NB_POSTES", "NIVEAU_EU", "LIBELLE_DIPLOME", "RNCP", "ADRESSE", "CODE_POSTAL",
               "COMMUNE", "CODE_INSEE", "CONTACT_NOM", "CONTACT_MAIL", "CONTACT_TEL",
               "DATE_FIN_DIFFUSION", "DIFFUSION_FT", "MAJ"]
SIGMA_HEADER = ("REF;ENTREPRISE;SIRET;APE;POSTE;DESCRIPTIF;ROME1;ROME2;ROME3;CONTRAT;DEBUT;"
                "DUREE;POSTES;NIVEAU;DIPLOME;RNCP;ADR1;ADR2;CP;VILLE;INSEE;CONTACT;MAIL;TEL;"
                "FIN_PUBLI;PE;MAJ")

YMAG_LEVEL_WORDS = {3: ["CAP", "Niveau 3", "3", "BEP"], 4: ["Bac Pro", "Bac", "BP", "Niveau 4"],
                    5: ["BTS", "Bac+2", "DUT", "Niveau 5"], 6: ["Licence pro", "BUT", "Bac+3"],
                    7: ["Master", "Ingénieur", "Bac+5"]}
SIGMA_LEVELS = {3: "V", 4: "IV", 5: "III", 6: "II", 7: "I"}
YMAG_CONTRACTS = {"apprentissage": ["Contrat d'apprentissage", "Apprentissage"],
                  "professionnalisation": ["Contrat de professionnalisation",
                                           "Professionnalisation"]}

# ---------------------------------------------------------------------------
# Values


def luhn_check_digit(digits: str) -> str:
    """The digit that makes digits + it pass the Luhn check."""
    total = 0
    # Walking right to left over the payload, the check digit will sit at
    # position 0, so the payload's rightmost digit is doubled.
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def make_siret(rng: random.Random) -> str:
    while True:
        body = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(12))
        if not body.startswith("356000000"):  # La Poste's exception: keep out of it
            return body + luhn_check_digit(body)


def ascii_slug(text: str) -> str:
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return "".join(c if c.isalnum() else "-" for c in s).strip("-").replace("--", "-")


def make_employer(rng: random.Random, k: int) -> dict:
    name = f"{rng.choice(COMPANY_KINDS)} {rng.choice(COMPANY_NAMES)}"
    city = rng.choice(CITIES)
    return {
        "siret": make_siret(rng),
        "name": name,
        "domain": f"{ascii_slug(name)}-{k}.fr",
        "city": city,
        "street": f"{rng.randint(1, 140)} {rng.choice(STREETS)}",
        "year": rng.randint(1920, 2020),
        "staff": rng.randint(2, 250),
    }


def make_phone(rng: random.Random) -> str:
    prefix = rng.choice(["02 99", "02 98", "02 97", "02 96", "06", "07"])
    if len(prefix) == 2:
        prefix += f" {rng.randint(10, 99)}"
    rest = [f"{rng.randint(0, 99):02d}" for _ in range(3)]
    digits = prefix.replace(" ", "") + "".join(rest)
    style = rng.random()
    if style < 0.55:
        return f"{prefix} {' '.join(rest)}"
    if style < 0.75:
        return ".".join([digits[i:i + 2] for i in range(0, 10, 2)])
    if style < 0.9:
        return digits
    return f"+33 {digits[1]} {' '.join(digits[i:i + 2] for i in range(2, 10, 2))}"


def make_description(rng: random.Random, emp: dict) -> tuple[str, bool]:
    """A description of several hundred characters; ~30% are multi-line."""
    fill = {"year": emp["year"], "staff": emp["staff"], "city": emp["city"][0],
            "prime": rng.choice([30, 50, 80, 100, 150]), "h1": rng.choice([4, 6, 8, 9]),
            "h2": rng.choice([12, 13, 17, 18]), "ticket": rng.choice([8, 9, 10, 11]),
            "pct": rng.choice([5, 10, 15])}
    intro = rng.choice(INTROS).format(**fill)
    missions = rng.sample(MISSIONS, rng.randint(5, 7))
    profiles = rng.sample(PROFILES, rng.randint(2, 4))
    perks = [p.format(**fill) for p in rng.sample(PERKS, rng.randint(2, 4))]
    closing = rng.choice(CLOSINGS)
    multiline = rng.random() < 0.30
    if multiline:
        if rng.random() < 0.5:
            body = "\n".join("- " + m for m in missions)
        else:
            body = " ".join(missions)
        text = "\n\n".join([intro, body, " ".join(profiles), "\n".join(perks), closing])
    else:
        text = " ".join([intro, *missions, *profiles, *perks, closing])
    return text, multiline


def make_offer(base_seed: int, index: int, employers: list, export_date: dt.date) -> dict:
    """Offer number `index` of the base file: the same for the same seed and index."""
    rng = random.Random(base_seed * 10_000_019 + index)
    emp = employers[rng.randrange(len(employers))]
    title, romes, naf, diploma, rncp, level = rng.choice(JOBS)
    if rng.random() < 0.2:  # an extra, related ROME code now and then
        romes = romes + [rng.choice(["D1106", "G1603", "M1607", "H2909", "K1302"])]
    description, _ = make_description(rng, emp)
    start = dt.date(2026, 6, 1) + dt.timedelta(days=rng.randrange(300))
    duration = rng.choice([6, 12, 12, 18, 24, 24, 24, 36])
    expires = start + dt.timedelta(days=rng.randrange(60, 700))
    updated = dt.datetime.combine(export_date, dt.time(6, 0)) - dt.timedelta(
        minutes=15 * rng.randrange(1, 4 * 24 * 60))
    city, cp, insee = emp["city"] if rng.random() < 0.8 else rng.choice(CITIES)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {
        "index": index,
        "siret": emp["siret"],
        "name": emp["name"],
        "naf": naf,
        "title": title,
        "description": description,
        "romes": romes,
        "contract": "apprentissage" if rng.random() < 0.8 else "professionnalisation",
        "start": start,
        "duration": duration,
        "positions": rng.choice([1, 1, 1, 1, 2, 2, 3]),
        "level": level,
        "diploma": diploma,
        "rncp": rncp,
        "address": emp["street"],
        "address2": rng.choice(["", "", "", "Bâtiment B", "ZA du Prat"]),
        "cp": cp,
        "city": city,
        "insee": insee,
        "contact": f"{first} {last}",
        "email": f"{ascii_slug(first)}.{ascii_slug(last)}@{emp['domain']}",
        "phone": make_phone(rng),
        "expires": expires,
        "share": rng.random() < 0.7,
        "updated": updated,
        "rng_style": rng.random(),  # formatting choices of the writers
    }


def change_offer(offer: dict, rng: random.Random, export_date: dt.date) -> dict:
    """A copy of `offer` with one field changed and a newer update time."""
    o = dict(offer)
    what = rng.randrange(6)
    if what == 0:
        o["title"] = o["title"] + " H/F"
    elif what == 1:
        o["description"] = o["description"] + " Poste mis à jour : démarrage possible plus tôt."
    elif what == 2:
        o["positions"] = o["positions"] % 5 + 1
    elif what == 3:
        o["start"] = o["start"] + dt.timedelta(days=rng.randint(1, 30))
    elif what == 4:
        o["expires"] = o["expires"] + dt.timedelta(days=rng.randint(7, 90))
    else:
        o["phone"] = make_phone(rng)
    o["updated"] = dt.datetime.combine(export_date, dt.time(5, 0)) - dt.timedelta(
        minutes=rng.randrange(0, 12 * 60))
    return o


# ---------------------------------------------------------------------------
# Writers: each returns the text of one record (no record terminator).


def dmy(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def quote(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def quote_if_needed(s: str, delim: str) -> str:
    if delim in s or '"' in s or "\n" in s or "\r" in s:
        return quote(s)
    return s


def ymag_row(o: dict, ref: str) -> str:
    style = o["rng_style"]
    s = o["siret"]
    siret = f"{s[0:3]} {s[3:6]} {s[6:9]} {s[9:]}" if style < 0.7 else s
    naf = f"{o['naf'][:2]}.{o['naf'][2:]}"
    sep = ", " if style < 0.5 else (" / " if style < 0.8 else " ")
    contract_words = YMAG_CONTRACTS[o["contract"]]
    levels = YMAG_LEVEL_WORDS[o["level"]]
    description = o["description"].replace("\n", "\r\n")
    if style < 0.2:
        description = description.replace("'", "\u2019")  # Word's apostrophe
    upd = o["updated"]
    updated = (f"{dmy(upd)} {upd.hour:02d}:{upd.minute:02d}:00" if style < 0.8
               else f"{dmy(upd)} {upd.hour:02d}:{upd.minute:02d}")
    fields = [
        ref, o["name"], siret, naf, o["title"], quote(description), sep.join(o["romes"]),
        contract_words[int(style * 10) % 2], dmy(o["start"]), str(o["duration"]),
        str(o["positions"]), levels[int(style * 100) % len(levels)], o["diploma"], o["rncp"],
        o["address"], o["cp"], o["city"], o["contact"], o["email"], o["phone"],
        dmy(o["expires"]), "Oui" if o["share"] else "Non", updated,
    ]
    for i in (1, 4, 12, 14, 17):  # texts that may hold ';' or quotes
        fields[i] = quote_if_needed(fields[i], ";")
    return ";".join(fields)


def gil_row(o: dict | None, ref: str, action: str, maj: dt.datetime) -> str:
    if o is None:  # suppression: only ACTION, ID_OFFRE (and MAJ) are filled in
        values = [action, ref] + [""] * 22 + [maj.strftime("%Y-%m-%dT%H:%M:%S")]
        return ",".join(quote(v) for v in values)
    style = o["rng_style"]
    upd = o["updated"]
    maj_text = upd.strftime("%Y-%m-%dT%H:%M:%S")
    if style > 0.85:  # some exports carry an offset (Paris is UTC+1 in winter)
        maj_text += "+01:00"
    values = [
        action, ref, o["siret"], o["name"], o["naf"], o["title"], o["description"],
        "|".join(o["romes"]), "APP" if o["contract"] == "apprentissage" else "PRO",
        o["start"].isoformat(), str(o["duration"]), str(o["positions"]), str(o["level"]),
        o["diploma"], o["rncp"], o["address"], o["cp"], o["city"], o["insee"], o["contact"],
        o["email"], o["phone"].replace(" ", ""), o["expires"].isoformat(),
        "1" if o["share"] else "0", maj_text,
    ]
    return ",".join(quote(v) for v in values)


def sigma_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def sigma_row(o: dict, ref: str) -> str:
    romes = (o["romes"] + ["", ""])[:3]
    upd = o["updated"]
    description = o["description"]
    if o["rng_style"] < 0.02:
        description += " Dossier à déposer dans C:\\apprentis\\candidatures."
    fields = [
        ref, o["name"], o["siret"], o["naf"], o["title"], sigma_escape(description), *romes,
        "1" if o["contract"] == "apprentissage" else "2", dmy(o["start"]), str(o["duration"]),
        str(o["positions"]), SIGMA_LEVELS[o["level"]], o["diploma"], o["rncp"], o["address"],
        o["address2"], o["cp"], o["city"], o["insee"], o["contact"], o["email"], o["phone"],
        dmy(o["expires"]), "O" if o["share"] else "N", f"{dmy(upd)} {upd.hour:02d}:{upd.minute:02d}",
    ]
    return ";".join(quote_if_needed(f, ";") for f in fields)


# ---------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Generate a realistic offer export (ymag, gil or sigma) for benchmarks.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("--format", required=True, choices=["ymag", "gil", "sigma"])
    p.add_argument("--offers", type=int, required=True, help="number of offers in the base file")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("-o", "--output", required=True, help="file to write")
    p.add_argument("--base-seed", type=int, default=None,
                   help="seed of the base file this one is a variant of (default: --seed)")
    p.add_argument("--changed-pct", type=float, default=0.0,
                   help="percentage of the base offers with a changed field")
    p.add_argument("--removed-pct", type=float, default=0.0,
                   help="percentage of the base offers removed")
    p.add_argument("--added-pct", type=float, default=0.0,
                   help="percentage of new offers added")
    p.add_argument("--date", default=None,
                   help="export date YYYY-MM-DD (default 2026-03-02, the day after for a variant)")
    p.add_argument("--partner-code", default="CMA29", help="Sigma envelope partner code")
    p.add_argument("-q", "--quiet", action="store_true")
    a = p.parse_args(argv)
    if a.offers < 0:
        p.error("--offers must be >= 0")
    for name in ("changed_pct", "removed_pct", "added_pct"):
        if not 0 <= getattr(a, name) <= 100:
            p.error(f"--{name.replace('_', '-')} must be between 0 and 100")
    if a.changed_pct + a.removed_pct > 100:
        p.error("--changed-pct + --removed-pct must not exceed 100")
    return a


def main(argv: list[str]) -> int:
    a = parse_args(argv)
    t0 = time.monotonic()
    variant = a.changed_pct > 0 or a.removed_pct > 0 or a.added_pct > 0 or a.base_seed is not None
    base_seed = a.seed if a.base_seed is None else a.base_seed
    export_date = (dt.date.fromisoformat(a.date) if a.date
                   else dt.date(2026, 3, 3 if variant else 2))

    # Employers are shared by several offers, as in real exports. The pool
    # depends on the base seed and size only, so a variant sees the same one.
    pool_rng = random.Random(base_seed * 7_919 + 17)
    employers = [make_employer(pool_rng, k) for k in range(max(20, a.offers // 15))]
    base_date = dt.date(2026, 3, 2) if variant else export_date

    # What happens to each base offer: None (unchanged), "changed", "removed".
    change_rng = random.Random(a.seed * 104_729 + 3)
    n_added = round(a.offers * a.added_pct / 100)

    def movements():
        """(kind, offer) in file order; kind: base, changed, removed, added."""
        for i in range(a.offers):
            o = make_offer(base_seed, i, employers, base_date)
            r = change_rng.random() * 100
            if r < a.removed_pct:
                yield "removed", o
            elif r < a.removed_pct + a.changed_pct:
                yield "changed", change_offer(o, change_rng, export_date)
            else:
                yield "base", o
        for j in range(n_added):
            o = make_offer(base_seed, a.offers + j, employers, base_date)
            o["updated"] = dt.datetime.combine(export_date, dt.time(4, 30))
            yield "added", o

    ref_prefix = {"ymag": "Y-", "gil": "G-", "sigma": "S-"}[a.format]
    encoding = {"ymag": "cp1252", "gil": "utf-8", "sigma": "iso8859_15"}[a.format]
    eol = "\n" if a.format == "gil" else "\r\n"
    counts = {"base": 0, "changed": 0, "removed": 0, "added": 0}
    data_records = 0
    out_dir = os.path.dirname(os.path.abspath(a.output))
    os.makedirs(out_dir, exist_ok=True)
    tmp = a.output + ".tmp"
    with open(tmp, "wb") as f:
        buf: list[str] = []

        def flush():
            f.write(eol.join(buf).encode(encoding) + eol.encode())
            buf.clear()

        if a.format == "ymag":
            buf.append(YMAG_HEADER)
        elif a.format == "gil":
            f.write(b"\xef\xbb\xbf")
            buf.append(",".join(quote(c) for c in GIL_COLUMNS))
        else:
            stamp = f"{dmy(export_date)} 06:00"
            buf.append(f"#SIGMA;2;{a.partner_code};{stamp}")
            buf.append(SIGMA_HEADER)
        for kind, o in movements():
            counts[kind] += 1
            ref = f"{ref_prefix}{o['index'] + 100_000}"
            if a.format == "gil":
                if not variant:
                    buf.append(gil_row(o, ref, "C", o["updated"]))
                elif kind == "changed":
                    buf.append(gil_row(o, ref, "M", o["updated"]))
                elif kind == "removed":
                    buf.append(gil_row(None, ref, "S", dt.datetime.combine(export_date,
                                                                           dt.time(5, 30))))
                elif kind == "added":
                    buf.append(gil_row(o, ref, "C", o["updated"]))
                else:
                    continue
            elif kind == "removed":
                continue
            elif a.format == "ymag":
                buf.append(ymag_row(o, ref))
            else:
                buf.append(sigma_row(o, ref))
            data_records += 1
            if len(buf) >= 2000:
                flush()
        if a.format == "sigma":
            buf.append(f"#FIN;{data_records}")
        if buf:
            flush()
    os.replace(tmp, a.output)
    if a.format == "gil":
        open(a.output + ".ok", "wb").close()  # GIL's completion marker

    if not a.quiet:
        size = os.path.getsize(a.output)
        detail = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        print(f"gen_offers: {a.output}: {a.format}, {data_records} data records ({detail}), "
              f"{size / 1e6:.1f} MB, {size / max(data_records, 1):.0f} B/record, "
              f"{time.monotonic() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
