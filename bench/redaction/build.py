"""Build the labelled redaction set: CFPB narratives with planted personal data.

    .venv/bin/python bench/redaction/build.py [--limit N] [--seed 6] [--out FILE.jsonl]

Method (the figures of bench/redaction/run.py rest on it):

- Source: the "Consumer complaint narrative" column of
  ../shared/data/complaints/cfpb_complaints_dev.csv, rows with a narrative, in file order.
  The CFPB has already masked personal data in them with "XXXX" (and "{$12.00}" amounts), so
  the text around the plants is real complaint English with the CFPB's own masks left in.
- Plants: every narrative gets 1–3 carrier sentences, each holding one value of one kind
  (name, ssn, phone, email, address, account, card). Kinds are dealt in turn, so every kind
  gets the same number of plants; the language of the carrier sentence is Spanish for 40% of
  plants (Spanish sentences written for govcx, since CFPB narratives are English). Sentences
  are inserted between sentences of the narrative at random positions (also first or last).
- Values are varied in format: SSNs 123-45-6789 / 123 45 6789 / 123456789 (valid areas);
  phones in 6 NANP formats with and without +1 and extensions; emails with dots, digits,
  plus tags, sub-domains; street addresses in English ("4521 N Oak Ave Apt 3B, Dayton, OH
  45402") and Spanish ("Calle Luna 45, Apto 3") forms and P.O. boxes; account, loan, claim,
  policy, routing and member numbers 4–17 characters, plain, dashed, spaced or with a letter
  prefix; Luhn-valid Visa/Mastercard/Discover/Amex numbers plain, spaced or dashed.
- Names: two lists. Cue contexts ("My name is …", "Sincerely, …", "Mr. …", "me llamo …",
  "Atentamente, …", "la Sra. …") use names NOT in govcx's gazetteer (HELD_OUT_*), so they
  measure the cue rules alone; bare contexts ("… called me back", "Hablé con …") need the
  gazetteer and use names drawn from it (GAZ_* below are a subset of it). Names are written
  "First Last", "First M. Last", "FIRST LAST", "First Last-Last", "First de la Last". The
  figures report the two contexts apart as well as together.
- Names with no cue word and not in the gazetteer: every eighth plant is a bare-context
  name from a third list (UNLISTED_*, in neither the gazetteer nor HELD_OUT_*), context
  "unlisted". run.py reports them as their own row (name_unlisted), not in "name" and not
  in the bar: no rule looks for them, so their recall is expected near 0.
- Cue-only variants (issue 6 review), where the template has its cue before the value:
  lower-case names after "My name is"/"Sincerely,"/"Me llamo"/… (the whole sentence lower
  case, LOWER_SHARE), ITINs and 9xx numbers after an SSN cue (SSN_CUED_SHARE), card numbers
  with a wrong check digit after a card cue (CARD_CUED_SHARE), and spelled-out emails
  ("ana dot lopez at gmail dot com", "ana punto lopez arroba gmail punto com",
  SPELLED_SHARE). Recorded in Plant.variant; run.py prints a row per variant.
- Every plant is recorded as {kind, lang, context, value, start, end, variant} with character offsets
  into the final text. Seeded (random.Random(seed)) and deterministic: the same seed and
  input give the same file.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "complaints" / "cfpb_complaints_dev.csv"
KINDS = ["name", "ssn", "phone", "email", "address", "account", "card"]
# what the plants are dealt from, in turn: the seven kinds, then a name with no cue word from
# a list that is neither the detector's gazetteer nor the cue list (context "unlisted")
DEAL = [*KINDS, "name_unlisted"]
SPANISH_SHARE = 0.4
# shares of the cue-only variants (issue 6 review) where the template allows them
LOWER_SHARE = 0.5  # a name after "my name is"/"me llamo"/… typed in lower case
SSN_CUED_SHARE = 0.3  # an ITIN or a number failing the SSN validity check, after an SSN cue
CARD_CUED_SHARE = 0.3  # a card number with a wrong check digit, after a card cue
SPELLED_SHARE = 0.3  # "john dot doe at gmail dot com" / "juan punto perez arroba …"

# names not in govcx.core.redact's gazetteer (checked by run.py), for cue contexts
HELD_OUT_FIRST = ["Keanu", "Zoltan", "Anouk", "Thaddeus", "Priyanka", "Oluwaseun", "Brynja",
                  "Cormac", "Ximeno", "Yaretzi", "Itzel", "Nayeli", "Eluney", "Tadeo",
                  "Leocadia", "Wenceslao", "Anselmo", "Eulalia", "Radames", "Saoirse",
                  "Dashiell", "Imogen", "Lazarus", "Octavia", "Marisela", "Evaristo"]
HELD_OUT_LAST = ["Okonkwo", "Vandersloot", "Kowalczyk", "Abernathy", "Quintanilla",
                 "Zubizarreta", "Etxeberria", "Villalobos", "Bustamante", "Arriaga",
                 "Thistlewood", "Pemberton", "Oyelaran", "Castellanos", "Montemayor",
                 "Urquidi", "Lindqvist", "Halvorsen", "Achterberg", "Saavedra"]
# names with no cue word and not in the gazetteer (nor in the lists above): the "unlisted"
# row, reported apart — no rule is expected to find them (checked by run.py)
UNLISTED_FIRST = ["Ottoline", "Barnaby", "Eskil", "Temperance", "Ignatius", "Wilhelmina",
                  "Cosimo", "Philippa", "Anacleto", "Ximena-Luz", "Rosendo", "Casimira",
                  "Evander", "Perpetua", "Gaspard", "Hortensia"]
UNLISTED_LAST = ["Featherstonehaugh", "Ndiaye", "Marchetti", "Szymanski", "Ugarte",
                 "Achebe", "Fairweather", "Lisowski", "Zamudio", "Oberholzer", "Iturbide",
                 "Kettleborough"]
# names from the gazetteer, for bare contexts
GAZ_FIRST = ["Maria", "James", "Jennifer", "Jose", "Patricia", "Michael", "Guadalupe",
             "Roberto", "Linda", "Carlos", "Ashley", "Alejandra", "Kevin", "Sofia", "Marcus",
             "Yolanda", "Daniel", "Leticia", "Brian", "Fernanda"]
GAZ_LAST = ["Smith", "Garcia", "Johnson", "Rodriguez", "Nguyen", "Hernandez", "Williams",
            "Lopez", "Brown", "Martinez", "Jackson", "Gonzalez", "Patel", "Rivera", "Kim"]

STREETS = ["Main", "Oak", "Maple", "Elm", "Washington", "Lake View", "Cedar Ridge", "Pine",
           "Martin Luther King Jr", "Sunset", "Hillcrest", "Park", "Lincoln", "Church",
           "Highland", "River Bend", "Jefferson", "Orchard", "Willow Creek", "5th"]
SUFFIXES = ["St", "Street", "Ave", "Avenue", "Rd", "Road", "Blvd", "Dr", "Drive", "Ln",
            "Lane", "Ct", "Way", "Pl", "Terrace", "Circle", "Pkwy", "Hwy"]
CALLES = ["Luna", "Principal", "Juárez", "Reforma", "del Sol", "Hidalgo", "Morelos",
          "San Juan", "Las Flores", "Libertad", "Colón", "Bolívar"]
CITIES = [("Springfield", "IL", "62704"), ("Dayton", "OH", "45402"), ("Miami", "FL", "33101"),
          ("El Paso", "TX", "79901"), ("San Juan", "PR", "00901"), ("Fresno", "CA", "93721"),
          ("Albany", "NY", "12207"), ("Tucson", "AZ", "85701"), ("Newark", "NJ", "07102")]
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "example.org", "correo.example.com.mx",
           "hotmail.com", "icloud.com", "aol.com", "mail.example.net"]

TEMPLATES: dict[str, dict[str, list[tuple[str, str]]]] = {
    # (context, sentence) — context "cue" or "bare" (names only), "-" otherwise
    "name": {
        "en": [("cue", "My name is {v}."), ("cue", "Sincerely, {v}"),
               ("cue", "I spoke with Mr. {last} in the collections department."),
               ("cue", "Ms. {last} told me the payment was never received."),
               ("cue", "Thank you, {v}"), ("cue", "I am {v} and I need help with this."),
               ("cue", "Signed, {v}"), ("cue", "My wife, {v}, is also on the loan."),
               ("bare", "{v} from the bank called me back twice."),
               ("bare", "The agent, {v}, refused to escalate the dispute."),
               ("bare", "I sent the letter to {v} at the branch."),
               ("bare", "Please ask {v} about the transfer.")],
        "es": [("cue", "Me llamo {v}."), ("cue", "Mi nombre es {v}."),
               ("cue", "Atentamente, {v}"), ("cue", "La Sra. {last} me dijo que esperara."),
               ("cue", "El Sr. {last} nunca me devolvió la llamada."),
               ("cue", "Soy {v} y necesito ayuda con mi préstamo."),
               ("bare", "Hablé con {v} del banco y no resolvió nada."),
               ("bare", "{v} me dijo que el pago estaba atrasado."),
               ("bare", "Le mandé la carta a {v} en la sucursal.")],
    },
    "ssn": {
        "en": [("-", "My SSN is {v}."), ("-", "They have my social security number {v} on file."),
               ("-", "SSN: {v}"), ("-", "The report lists {v} as my social, which is wrong.")],
        "es": [("-", "Mi número de seguro social es {v}."), ("-", "Seguro social: {v}"),
               ("-", "Tienen mi SSN {v} en el expediente.")],
    },
    "phone": {
        "en": [("-", "Please call me at {v}."), ("-", "My cell is {v}."),
               ("-", "They keep calling {v} every day."), ("-", "Phone: {v}")],
        "es": [("-", "Llámeme al {v} por la tarde."), ("-", "Mi teléfono es {v}."),
               ("-", "Me llaman al {v} todos los días.")],
    },
    "email": {
        "en": [("-", "You can email me at {v}."), ("-", "They sent the notice to {v} instead."),
               ("-", "Email: {v}")],
        "es": [("-", "Mi correo es {v}."), ("-", "Escríbame a {v} por favor.")],
    },
    "address": {
        "en": [("-", "I live at {v}."), ("-", "The letter went to {v} by mistake."),
               ("-", "My mailing address is {v}."), ("-", "Send everything to {v}.")],
        "es": [("-", "Vivo en {v}."), ("-", "Mi dirección es {v}."),
               ("-", "Mandaron la carta a {v} por error.")],
    },
    "account": {
        "en": [("-", "My account number is {v}."), ("-", "acct # {v}"),
               ("-", "The loan number is {v}."), ("-", "Claim no. {v} was denied."),
               ("-", "Policy # {v} was cancelled."), ("-", "routing number {v}"),
               ("-", "They closed my checking account {v} without notice."),
               ("-", "Member ID {v} shows a balance I do not owe.")],
        "es": [("-", "Mi número de cuenta es {v}."), ("-", "Cuenta: {v}"),
               ("-", "El número de préstamo es {v}."), ("-", "Póliza #{v} fue cancelada."),
               ("-", "Número de ruta {v}"), ("-", "Cerraron mi cuenta de ahorros {v} sin aviso."),
               ("-", "Mi número de reclamo es {v}.")],
    },
    "card": {
        "en": [("-", "My card number is {v}."), ("-", "They charged {v} twice."),
               ("-", "Credit card: {v}"), ("-", "The debit card ending {v} was used by someone else.")],
        "es": [("-", "Mi tarjeta es {v}."), ("-", "Cobraron dos veces a la tarjeta {v}."),
               ("-", "Número de tarjeta: {v}")],
    },
}


@dataclass
class Plant:
    kind: str
    lang: str
    context: str
    value: str
    start: int
    end: int
    # "" or a cue-only variant: "lower" (lower-case name), "itin" (ITIN or invalid SSN),
    # "luhn-invalid" (card), "spelled" (email written out)
    variant: str = ""


@dataclass
class Doc:
    id: str
    text: str
    plants: list[Plant] = field(default_factory=list)


def _luhn_complete(rng: random.Random, prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    for d in "0123456789":
        digits = body + d
        total = 0
        for i, ch in enumerate(reversed(digits)):
            n = int(ch)
            if i % 2:
                n = n * 2 - 9 if n > 4 else n * 2
            total += n
        if total % 10 == 0:
            return digits
    raise AssertionError


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def value_for(kind: str, lang: str, context: str, rng: random.Random) -> tuple[str, str]:
    """(value, surname used for "Mr./Sra." templates) of one kind."""
    if kind == "name":
        firsts, lasts = {"cue": (HELD_OUT_FIRST, HELD_OUT_LAST),
                         "unlisted": (UNLISTED_FIRST, UNLISTED_LAST)}.get(
            context, (GAZ_FIRST, GAZ_LAST))
        first, last = rng.choice(firsts), rng.choice(lasts)
        form = rng.randrange(5)
        if form == 1:
            name = f"{first} {rng.choice('ABCDEJKLMRST')}. {last}"
        elif form == 2:
            name = f"{first} {last}".upper()
        elif form == 3:
            name = f"{first} {last}-{rng.choice(lasts)}"
        elif form == 4 and lang == "es":
            name = f"{first} de la {last}"
        else:
            name = f"{first} {last}"
        return name, last
    if kind == "ssn":
        area = rng.choice([n for n in range(1, 900) if n != 666])
        a, g, s = f"{area:03d}", f"{rng.randint(1, 99):02d}", f"{rng.randint(1, 9999):04d}"
        sep = rng.choice(["-", " ", ""])
        return f"{a}{sep}{g}{sep}{s}", ""
    if kind == "phone":
        area, exch, line = (f"{rng.randint(2, 9)}{_digits(rng, 2)}",
                            f"{rng.randint(2, 9)}{_digits(rng, 2)}", _digits(rng, 4))
        form = rng.randrange(7)
        v = [f"({area}) {exch}-{line}", f"{area}-{exch}-{line}", f"{area}.{exch}.{line}",
             f"{area}{exch}{line}", f"+1 {area} {exch} {line}", f"1-{area}-{exch}-{line}",
             f"({area}) {exch}-{line} ext. {rng.randint(1, 999)}"][form]
        return v, ""
    if kind == "email":
        first = rng.choice(GAZ_FIRST + HELD_OUT_FIRST).lower()
        last = rng.choice(GAZ_LAST + HELD_OUT_LAST).lower()
        local = rng.choice([f"{first}.{last}", f"{first}{rng.randint(1, 99)}", f"{first}_{last}",
                            f"{first[0]}{last}+bank", f"{last}.{first}{rng.randint(1970, 2005)}"])
        return f"{local}@{rng.choice(DOMAINS)}", ""
    if kind == "address":
        city, state, zip_ = rng.choice(CITIES)
        num = rng.randint(1, 99999)
        form = rng.randrange(6) if lang == "en" else rng.randrange(3, 9)
        unit = rng.choice(["", f" Apt {rng.randint(1, 40)}{rng.choice(['', 'B'])}",
                           f" Suite {rng.randint(100, 999)}", f" #{rng.randint(1, 30)}"])
        if form == 0:
            v = f"{num} {rng.choice(STREETS)} {rng.choice(SUFFIXES)}"
        elif form == 1:
            v = f"{num} {rng.choice(['N', 'S', 'E', 'W'])} {rng.choice(STREETS)} {rng.choice(SUFFIXES)}{unit}"
        elif form == 2:
            v = f"{num} {rng.choice(STREETS)} {rng.choice(SUFFIXES)}{unit}, {city}, {state} {zip_}"
        elif form == 3:
            v = f"{num} {rng.choice(STREETS)} {rng.choice(SUFFIXES)}, {city} {state} {zip_}"
        elif form == 4:
            v = f"P.O. Box {rng.randint(1, 99999)}, {city}, {state} {zip_}"
        elif form == 5:
            v = f"Calle {rng.choice(CALLES)} {rng.randint(1, 999)}, Apto {rng.randint(1, 30)}"
        elif form == 6:
            v = f"{num} Calle {rng.choice(CALLES)}, {city}, {state} {zip_}"
        elif form == 7:
            v = f"Av. {rng.choice(CALLES)} {rng.randint(1, 9999)}"
        else:
            v = f"Avenida {rng.choice(CALLES)} #{rng.randint(1, 999)}"
        return v, ""
    if kind == "account":
        form = rng.randrange(5)
        if form == 0:
            v = _digits(rng, rng.randint(8, 17))
        elif form == 1:
            v = f"{_digits(rng, 3)}-{_digits(rng, 4)}-{_digits(rng, 3)}"
        elif form == 2:
            v = f"{rng.choice(['LN', 'CL', 'PX', 'AC', 'MBR'])}-{_digits(rng, 7)}"
        elif form == 3:
            v = f"{_digits(rng, 4)} {_digits(rng, 4)} {_digits(rng, 4)}"
        else:
            v = _digits(rng, rng.randint(4, 6))
        return v, ""
    # card
    brand = rng.randrange(4)
    if brand == 3:
        n = _luhn_complete(rng, "37", 15)
        sep = rng.choice([" ", "-", ""])
        return f"{n[:4]}{sep}{n[4:10]}{sep}{n[10:]}", ""
    n = _luhn_complete(rng, ["4", "51", "6011"][brand], 16)
    sep = rng.choice([" ", "-", ""])
    return sep.join(n[i:i + 4] for i in range(0, 16, 4)), ""


_LOWER_CUES = ("My name is", "Sincerely,", "Signed,", "Me llamo", "Mi nombre es",
               "Atentamente,")


def variant_for(kind: str, lang: str, tpl: str, value: str,
                rng: random.Random) -> tuple[str, str]:
    """(value, variant): sometimes a cue-only variant, where the template has its cue before
    the value; else the value unchanged and ""."""
    before = tpl.split("{v}")[0].lower()
    if kind == "name" and tpl.startswith(_LOWER_CUES) and rng.random() < LOWER_SHARE:
        return value.lower(), "lower"
    if kind == "ssn" and re.search(r"ssn|social", before) and rng.random() < SSN_CUED_SHARE:
        # ITINs: 9xx-7x/8x-xxxx; or an SSN in a range the validity check rejects (9xx-6x)
        group = rng.choice([rng.randint(70, 88), rng.randint(90, 99), rng.randint(10, 65)])
        sep = rng.choice(["-", " ", ""])
        return (f"9{_digits(rng, 2)}{sep}{group:02d}{sep}{rng.randint(1, 9999):04d}",
                "itin")
    if kind == "card" and re.search(r"card|tarjeta", before) and rng.random() < CARD_CUED_SHARE:
        digits = re.sub(r"\D", "", value)
        wrong = digits[:-1] + str((int(digits[-1]) + rng.randint(1, 9)) % 10)
        it = iter(wrong)
        return re.sub(r"\d", lambda _m: next(it), value), "luhn-invalid"
    if kind == "email" and rng.random() < SPELLED_SHARE:
        local, domain = value.split("@")
        dot, at = (" dot ", " at ") if lang == "en" else (" punto ", " arroba ")
        local = re.sub(r"[._]", lambda m: dot if m.group(0) == "." else " underscore ", local)
        if " underscore " in local:
            local = local.replace(" underscore ", "_")
        return f"{local}{at}{domain.replace('.', dot)}", "spelled"
    return value, ""


def narratives(limit: int | None = None) -> list[tuple[str, str]]:
    """(complaint id, narrative) of the rows with a narrative, in file order."""
    out: list[tuple[str, str]] = []
    with DATA.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            text = (row.get("Consumer complaint narrative") or "").strip()
            if text:
                out.append((row["Complaint ID"], text))
                if limit is not None and len(out) >= limit:
                    break
    return out


def build(limit: int | None = None, seed: int = 6) -> list[Doc]:
    rng = random.Random(seed)
    docs: list[Doc] = []
    turn = 0
    for cid, text in narratives(limit):
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s]
        inserts: list[tuple[int, Plant, str]] = []
        for _ in range(rng.randint(1, 3)):
            dealt = DEAL[turn % len(DEAL)]
            turn += 1
            lang = "es" if rng.random() < SPANISH_SHARE else "en"
            if dealt == "name_unlisted":
                kind = "name"
                context, tpl = "unlisted", rng.choice(
                    [t for c, t in TEMPLATES["name"][lang] if c == "bare"])
            else:
                kind = dealt
                context, tpl = rng.choice(TEMPLATES[kind][lang])
            value, last = value_for(kind, lang, context, rng)
            variant = ""
            if "{last}" in tpl:
                value = last if context != "cue" or rng.random() < 0.5 else (
                    f"{rng.choice(HELD_OUT_FIRST)} {last}")
                sentence = tpl.replace("{last}", value)
            else:
                value, variant = variant_for(kind, lang, tpl, value, rng)
                sentence = tpl.replace("{v}", value)
                if variant == "lower":
                    sentence = sentence.lower()
            inserts.append((rng.randint(0, len(sentences)),
                            Plant(kind, lang, context, value, 0, 0, variant), sentence))
        parts: list[str] = []
        plants: list[Plant] = []
        pos = 0
        by_position: dict[int, list[tuple[Plant, str]]] = {}
        for at, plant, sentence in inserts:
            by_position.setdefault(at, []).append((plant, sentence))
        for i in range(len(sentences) + 1):
            for plant, sentence in by_position.get(i, []):
                offset = sentence.index(plant.value)
                plant.start = pos + offset
                plant.end = plant.start + len(plant.value)
                plants.append(plant)
                parts.append(sentence + " ")
                pos += len(sentence) + 1
            if i < len(sentences):
                parts.append(sentences[i] + " ")
                pos += len(sentences[i]) + 1
        doc = Doc(cid, "".join(parts).rstrip(), plants)
        for p in plants:
            assert doc.text[p.start:p.end] == p.value, (doc.id, p)
        docs.append(doc)
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--out", default="redaction-labelled.jsonl")
    args = ap.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA} is missing (the shared data sets sit beside the repository).")
    docs = build(args.limit, args.seed)
    with open(args.out, "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(asdict(d), ensure_ascii=False) + "\n")
    n = sum(len(d.plants) for d in docs)
    print(f"{len(docs)} narratives, {n} planted values -> {args.out}")


if __name__ == "__main__":
    main()
