"""Redaction of personal data in free text people type (chat messages, searches, comments).

`redact(text)` replaces what looks like personal data with a placeholder ("[SSN]",
"[PHONE]", "[EMAIL]", "[CARD]", "[ADDRESS]") and returns the kinds it found, so analytics,
reports and training data never see the original. It is a table of detectors (`DETECTORS`),
run in order on the text as the previous ones left it; a later issue adds detectors (names,
account numbers) by appending to the table.

Why hand-written regular expressions: the well-kept libraries either need language models
downloaded at run time (Microsoft Presidio needs spaCy models; scrubadub's address and name
detectors need extra models or services) or are unmaintained; govcx runs offline. The
formats redacted here are regular enough for patterns, and numbers are validated where a
check exists (card numbers: the Luhn checksum; SSNs: no area 000, 666 or 900–999, no group
00, no serial 0000) so that dates, amounts ("$1,200"), years and case numbers ("Case
12345") are left alone. A detector errs on the side of redacting: a false positive costs a
word of analytics, a miss leaks a person's data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Detector:
    kind: str  # what is reported: "ssn", "phone", …
    placeholder: str  # what replaces it: "[SSN]"
    pattern: re.Pattern[str]
    # an extra check on a match (e.g. the Luhn checksum); None: every match counts
    valid: Callable[[re.Match[str]], bool] | None = None


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_valid(m: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", m.group(0))
    return 13 <= len(digits) <= 19 and luhn_valid(digits) and len(set(digits)) > 1


EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}\b")

# 13–19 digits together, or in the groups cards are printed in (4-4-4-4[-3], 4-6-5), with
# the same separator throughout; checked by _card_valid
CARD = re.compile(r"(?<![\d-])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?"
                  r"|\d{4}([ -])\d{6}\2\d{4,5})(?![\d]|[ -]\d)")

# 123-45-6789, 123 45 6789, 123456789 (the same separator twice, or none)
SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}([- ]?)(?!00)\d{2}\1(?!0000)\d{4}(?![\d])")

# NANP numbers: (202) 555-0123, 202-555-0123, 202.555.0123, 2025550123, +1 202 555 0123,
# 1-800-799-7233; area code and exchange start with 2–9
PHONE = re.compile(
    r"(?<![\w+-])(?:\+?1[\s.-]?)?(?:\(\s*[2-9]\d{2}\s*\)|[2-9]\d{2})[\s.-]?[2-9]\d{2}[\s.-]?"
    r"\d{4}(?![\d])(?:\s*(?:ext\.?|x|extension)\s*\d{1,6})?",
    re.IGNORECASE,
)

# --- US street addresses (English and Spanish) ----------------------------------------------
_SUFFIX = (
    r"(?:street|st|avenue|ave|av|road|rd|boulevard|blvd|drive|dr|lane|ln|court|ct|way|place"
    r"|pl|terrace|ter|circle|cir|highway|hwy|parkway|pkwy|square|sq|trail|trl|loop|alley|aly"
    r"|row|pike|plaza|plz|crescent|cres|expressway|expy|freeway|fwy)"
)
# words that never start a street name: keeps "2 hours on the road", "5 dollars a way" out
_NOT_NAME = (
    r"(?!(?:the|a|an|on|in|of|to|for|and|or|my|your|our|their|his|her|at|by|from|with|this"
    r"|that|is|was|are|were|it|per|days?|hours?|minutes?|weeks?|months?|years?|dollars?"
    r"|times?|people|kids|children|cents?|miles?|blocks?|more|less|all|other|de|la|el|los"
    r"|las|en|por|para|y|o|mi|su|horas?|dias|semanas?|meses|anos|dolares)\b)"
)
_WORD = r"[A-Za-z0-9\u00C0-\u017F][\w\u00C0-\u017F'.-]*"
_DIRECTION = r"(?:[NSEW]|NE|NW|SE|SW|north|south|east|west|norte|sur|este|oeste)\.?"
_UNIT = (
    r"(?:,?\s*(?:apartamento|apartment|apto|apt|unit|suite|ste|floor|fl|room|rm|building|bldg"
    r"|departamento|depto|piso|oficina|no)\.?\s*#?\s*[A-Za-z0-9-]{1,6}\b|\s*#\s*[A-Za-z0-9-]{1,6}\b)"
)
# ", Springfield, IL 62704" or ", Miami FL 33101-1234": city, state and ZIP(+4) after an address
_CITY_ZIP = (
    r"(?:,?\s+(?:[A-Za-z\u00C0-\u017F][\w\u00C0-\u017F'.-]*\s+){0,3}?"
    r"[A-Za-z\u00C0-\u017F][\w\u00C0-\u017F'.-]*,?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?\b)"
)
ADDRESS_EN = re.compile(
    rf"(?<![\w-])\d{{1,6}}(?:-\d{{1,4}})?[A-Za-z]?\s+(?:{_DIRECTION}\s+)?"
    rf"(?:{_NOT_NAME}{_WORD}\s+){{1,4}}{_SUFFIX}\b\.?(?:\s+{_DIRECTION}(?![\w]))?"
    rf"{_UNIT}?{_CITY_ZIP}?",
    re.IGNORECASE,
)
# "123 Calle Luna", "45 Avenida Central"
ADDRESS_EN_ES = re.compile(
    rf"(?<![\w-])\d{{1,6}}[A-Za-z]?\s+(?:calle|avenida|camino|carretera|paseo|callejon"
    rf"|callejón|bulevar|boulevard)\s+(?:{_NOT_NAME}{_WORD}\s*){{1,3}}{_UNIT}?{_CITY_ZIP}?",
    re.IGNORECASE,
)
# "Calle Luna 45, Apto 3", "Av. Juárez 123", "Avenida de la Reforma #12"
ADDRESS_ES = re.compile(
    rf"\b(?:calle|c/|avenida|avda\.?|av\.|camino|carretera|paseo|callej[oó]n|bulevar)\s+"
    rf"(?:{_NOT_NAME}{_WORD}\s+){{0,4}}?(?:no\.?\s*|n[uú]m\.?\s*|n[uú]mero\s+|#\s*)?"
    rf"\d{{1,6}}[A-Za-z]?\b(?!\s*(?:d[ií]as|horas|veces|a[nñ]os|minutos|semanas|meses"
    rf"|personas|d[oó]lares|days|hours|times|years)\b){_UNIT}?{_CITY_ZIP}?",
    re.IGNORECASE,
)
PO_BOX = re.compile(r"\b(?:p\.?\s*o\.?\s*box|post\s+office\s+box|apartado(?:\s+postal)?)"
                    r"\s*#?\s*\d{1,8}\b" + _CITY_ZIP + "?", re.IGNORECASE)

DETECTORS: list[Detector] = [
    Detector("email", "[EMAIL]", EMAIL),
    Detector("card", "[CARD]", CARD, _card_valid),
    Detector("address", "[ADDRESS]", ADDRESS_EN),
    Detector("address", "[ADDRESS]", ADDRESS_EN_ES),
    Detector("address", "[ADDRESS]", ADDRESS_ES),
    Detector("address", "[ADDRESS]", PO_BOX),
    Detector("ssn", "[SSN]", SSN),
    Detector("phone", "[PHONE]", PHONE),
]


def redact(text: str) -> tuple[str, list[str]]:
    """The text with personal data replaced by placeholders, and the kinds found (each kind
    once, in the order of DETECTORS)."""
    found: list[str] = []
    for det in DETECTORS:
        hit = False

        def swap(m: re.Match[str], det: Detector = det) -> str:
            nonlocal hit
            if det.valid is not None and not det.valid(m):
                return m.group(0)
            hit = True
            return det.placeholder

        text = det.pattern.sub(swap, text)
        if hit and det.kind not in found:
            found.append(det.kind)
    return text, found
