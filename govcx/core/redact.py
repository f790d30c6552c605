"""Redaction of personal data in free text people type (chat messages, searches, comments).

`redact(text)` replaces what looks like personal data with a placeholder ("[SSN]",
"[PHONE]", "[EMAIL]", "[CARD]", "[ADDRESS]", "[ACCOUNT]", "[NAME]") and returns the kinds it
found, so analytics, reports and training data never see the original. It is a table of
detectors (`DETECTORS`), run in order on the text as the previous ones left it.

Names and account numbers (issue 6) have no fixed format, so they are found by context:

- account numbers: a cue word ("account", "acct #", "loan number", "claim no.", "policy #",
  "routing number", "member ID", "número de cuenta", "póliza", "préstamo", "reclamo"…),
  up to a few filler words ("number", "is", "ending in", "es", "terminada en"), then a value
  of 4+ characters with at least 4 digits. Words such as "claim", "case", "loan", "policy"
  need an explicit "number/no./#/ID" so "Case 12345" and "my claim 2024-000123" stay (they
  are the agency's own references, which staff need); "account"/"acct"/"cuenta" do not.
- names: (1) after a strong cue — "my name is", "signed", "sincerely", Mr/Mrs/Ms/Miss/Dr,
  "me llamo", "mi nombre es", "atentamente", Sr./Sra./Srta., Don/Doña — one to three
  capitalised words; (2) after a weak cue — "I am", "I'm", "this is", "soy", "habla" —
  only a known first name or two capitalised words; (3) anywhere, a capitalised known first
  name followed by a capitalised word or a known surname, or a known first name alone unless
  it is also a common word ("Will", "Chase", "Grace"…). "Known" means the compact gazetteer
  below (`FIRST_NAMES`, `SURNAMES`): about 400 common US (SSA baby-name and Census surname
  lists, most frequent entries) and Hispanic first names and 200 surnames, written for
  govcx because the packages that ship full lists (names-dataset) weigh hundreds of MB.
  Recall and precision on planted data are measured by bench/redaction/run.py.

After a cue word the format is enough (issue 6 review): a lower-case name after "my name
is", "mi nombre es", "me llamo", "Sincerely,", "Mr."… (common words and verb-like words stop
it, so "my name is on the form" stays); any 9 digits after "SSN", "ITIN", "social",
"seguro social" (ITINs and numbers the SSN check rejects); 13–19 digits after "card",
"tarjeta" (no Luhn check); 10 digits after "call me at", "cell", "teléfono" (no NANP
check). Spelled-out addresses ("john dot doe at gmail dot com", "juan punto perez arroba
gmail punto com") are emails when they end in a known top-level domain.

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
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class Detector:
    kind: str  # what is reported: "ssn", "phone", …
    placeholder: str  # what replaces it: "[SSN]"
    pattern: re.Pattern[str]
    # an extra check on a match (e.g. the Luhn checksum); None: every match counts
    valid: Callable[[re.Match[str]], bool] | None = None
    # replace only this named group of the match (the cue words stay), None: the whole match
    group: str | None = None
    # a detector that needs more than a pattern: text -> spans to replace (not overlapping,
    # in order); `pattern` is then only documentation
    spans: Callable[[str], list[tuple[int, int]]] | None = None

    def find(self, text: str) -> list[tuple[int, int]]:
        if self.spans is not None:
            return self.spans(text)
        out = []
        for m in self.pattern.finditer(text):
            if self.valid is not None and not self.valid(m):
                continue
            out.append(m.span(self.group) if self.group else m.span())
        return out


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
# A grouped number followed by another short group ("… 1111 2222") may be part of a longer
# number and is left; one followed by an amount ("… 7776 5000.00") or a word is a card.
CARD = re.compile(r"(?<![\d-])(?:\d{13,19}(?!\d)|(?:\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}"
                  r"(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5})(?!\d|[ -]\d{1,4}\b(?![.,]\d)))")

# 123-45-6789, 123 45 6789, 123456789 (the same separator twice, or none)
SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}([- ]?)(?!00)\d{2}\1(?!0000)\d{4}(?![\d])")

# NANP numbers: (202) 555-0123, 202-555-0123, 202.555.0123, 2025550123, +1 202 555 0123,
# 1-800-799-7233; area code and exchange start with 2–9
PHONE = re.compile(
    r"(?<![\w+-])(?:\+?1[\s.-]?)?(?:\(\s*[2-9]\d{2}\s*\)|[2-9]\d{2})[\s.-]?[2-9]\d{2}[\s.-]?"
    r"\d{4}(?![\d])(?:\s*(?:ext\.?|x|extension)\s*\d{1,6})?",
    re.IGNORECASE,
)

# After a cue word the format is enough: an ITIN (9xx-7x-xxxx), a mistyped SSN or a card
# number with a wrong check digit is still someone's number ("My ITIN is 912-78-1234",
# "SSN 987-65-4321", "card number 4111 1111 1111 1112"), so the validity checks are skipped.
_SSN_CUE = (
    r"(?:ssn|ss\#|s\.s\.n\.?|itin|tin|ein|social(?:\s+security)?|soc\.?\s*sec\.?"
    r"|taxpayer\s+(?:id(?:entification)?)(?:\s+number)?|tax\s+id"
    r"|(?:n[uú]mero\s+de(?:l)?\s+)?seguro\s+social|n[uú]mero\s+de\s+identificaci[oó]n\s+"
    r"(?:personal\s+)?(?:del\s+)?contribuyente)"
)
_CUE_FILLER = (
    r"(?:\s*(?:number|num\.?|no\.?|nbr|\#|is|was|of|:|n[uú]mero|n[uú]m\.?|es|era|de|my|mi)"
    r"(?![\w\u00C0-\u017F])){0,4}"
)
SSN_CUED = re.compile(
    rf"(?<![\w\u00C0-\u017F])(?:{_SSN_CUE})(?![\w\u00C0-\u017F]){_CUE_FILLER}\s*[:\#]?\s*"
    r"(?P<value>(?<![\d-])\d{3}([- .]?)\d{2}\2\d{4}(?![\d]))",
    re.IGNORECASE,
)
_CARD_CUE = (
    r"(?:(?:credit|debit|bank|visa|master\s?card|amex|american\s+express|discover|gift|prepaid"
    r"|ebt)\s+)?card|cc|tarjeta(?:\s+de\s+(?:cr[eé]dito|d[eé]bito|regalo))?|visa|mastercard|amex"
)
CARD_CUED = re.compile(
    rf"(?<![\w\u00C0-\u017F])(?:{_CARD_CUE})(?![\w\u00C0-\u017F])"
    r"(?:\s*(?:number|num\.?|no\.?|nbr|\#|is|was|ending|ends|in|with|:|n[uú]mero|n[uú]m\.?|es"
    r"|era|terminada|termina|en|con)(?![\w\u00C0-\u017F])){0,4}\s*[:\#]?\s*"
    r"(?P<value>(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d]|[ -]\d))",
    re.IGNORECASE,
)

# "john dot doe at gmail dot com", "juan punto perez arroba gmail punto com",
# "jdoe (at) example (dot) org": the domain needs a spelled or written dot and a known ending
_AT = r"(?:\s+(?:at|arroba)\s+|\s*[(\[{<]\s*(?:at|arroba|@)\s*[)\]}>]\s*|\s+@\s+)"
_DOT = r"(?:\s+(?:dot|punto)\s+|\s*[(\[{<]\s*(?:dot|punto|\.)\s*[)\]}>]\s*|\.)"
_TLD = r"(?:com|net|org|edu|gov|mil|us|mx|es|pr|co|io|info|biz|me|ca|uk|de|fr|ar|cl|pe)"
EMAIL_SPELLED = re.compile(
    rf"(?<![\w.@-])[A-Za-z0-9_%+-]+(?:{_DOT}[A-Za-z0-9_%+-]+){{0,3}}{_AT}"
    rf"[A-Za-z0-9-]+(?:{_DOT}[A-Za-z0-9-]+){{0,2}}{_DOT}{_TLD}(?![\w])",
    re.IGNORECASE,
)


def _spelled_email_valid(m: re.Match[str]) -> bool:
    # a written-out address has "at"/"arroba" or a spelled dot: "a.b@c.com" is EMAIL's job
    text = m.group(0)
    if not re.search(r"\b(?:at|arroba|dot|punto)\b|[(\[{<]\s*@", text, re.IGNORECASE):
        return False
    # "I was at home dot com": a single common word before "at" is not a local part
    local = re.split(r"\s|[(\[{<]", text, maxsplit=1)[0].lower()
    return local not in _COMMON_LOWER and local not in _NOT_LOCAL


# words before "at example.com" that name a place, not a mailbox ("their site at experian.com")
_NOT_LOCAL = _wordset("""
site website web page portal online app link office store branch home work school them him
her us me you it this that sitio página pagina portal oficina sucursal
""")


# after a phone cue any 10-digit number in a phone's shape, even one PHONE rejects as not a
# valid NANP number ("my cell is 555-123-4567", "call me at (555) 123-4567")
PHONE_CUED = re.compile(
    r"(?<![\w\u00C0-\u017F])(?:call(?:\s+me)?(?:\s+(?:at|on))?|phone|cell(?:\s+phone)?|mobile"
    r"|tel(?:ephone)?|text(?:\s+me)?(?:\s+at)?|fax|tel[eé]fono|celular|m[oó]vil"
    r"|ll[aá]me(?:me)?(?:\s+al)?|ll[aá]meme)(?![\w\u00C0-\u017F])"
    r"(?:\s*(?:number|num\.?|no\.?|\#|is|was|:|n[uú]mero|es|era|de|al|a)(?![\w\u00C0-\u017F])){0,3}"
    r"\s*[:\#]?\s*(?P<value>(?<![\d-])(?:\+?1[\s.-]?)?(?:\(\s*\d{3}\s*\)|\d{3})[\s.-]?\d{3}"
    r"[\s.-]?\d{4}(?!\d))",
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
    r"|that|is|was|are|were|it|its|been|be|has|had|have|per|days?|hours?|minutes?|weeks?|months?|years?|dollars?"
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
    rf"(?<![\w-])(?<!\d[.])\d{{1,6}}(?:-\d{{1,4}})?[A-Za-z]?\s+(?:{_DIRECTION}\s+)?"
    rf"(?:{_NOT_NAME}(?![\d.,]+\s){_WORD}\s+){{1,4}}{_SUFFIX}\b\.?(?:\s+{_DIRECTION}(?![\w]))?"
    rf"{_UNIT}?{_CITY_ZIP}?",
    re.IGNORECASE,
)
# "123 Calle Luna", "45 Avenida Central"
# in Spanish street names articles are part of the name ("Calle Las Flores", "Calle del Sol")
_NOT_NAME_ES = (
    r"(?!(?:en|por|para|y|o|mi|su|que|con|sin|a|horas?|d[ií]as|semanas?|meses|a[nñ]os"
    r"|d[oó]lares|veces|minutos|personas|the|and|or|of|to|for|in|on|my|days?|hours?)\b)"
)
ADDRESS_EN_ES = re.compile(
    rf"(?<![\w-])(?<!\d[.])\d{{1,6}}[A-Za-z]?\s+(?:calle|avenida|camino|carretera|paseo|callejon"
    rf"|callejón|bulevar|boulevard)\s+(?:{_NOT_NAME_ES}{_WORD}\s*){{1,3}}{_UNIT}?{_CITY_ZIP}?",
    re.IGNORECASE,
)
# "Calle Luna 45, Apto 3", "Av. Juárez 123", "Avenida de la Reforma #12"
ADDRESS_ES = re.compile(
    rf"\b(?:calle|c/|avenida|avda\.?|av\.|camino|carretera|paseo|callej[oó]n|bulevar)\s+"
    rf"(?:{_NOT_NAME_ES}{_WORD}\s+){{0,4}}?(?:no\.?\s*|n[uú]m\.?\s*|n[uú]mero\s+|#\s*)?"
    rf"\d{{1,6}}[A-Za-z]?\b(?!\s*(?:d[ií]as|horas|veces|a[nñ]os|minutos|semanas|meses"
    rf"|personas|d[oó]lares|days|hours|times|years)\b){_UNIT}?{_CITY_ZIP}?",
    re.IGNORECASE,
)
PO_BOX = re.compile(r"\b(?:p\.?\s*o\.?\s*box|post\s+office\s+box|apartado(?:\s+postal)?)"
                    r"\s*#?\s*\d{1,8}\b" + _CITY_ZIP + "?", re.IGNORECASE)


# --- account numbers (English and Spanish) ---------------------------------------------------
# cues that are enough on their own ("account 12345678") and cues that need "number/no/#/ID"
_ACCT_CUE_ALONE = (
    r"(?:(?:bank|checking|savings|credit|loan|mortgage|member|customer|card|escrow)\s+)?"
    r"(?:account|acct\.?|a/c)|iban|routing|aba|cuenta(?:\s+(?:bancaria|corriente|de\s+ahorros?"
    r"|de\s+cheques))?|n[uú]mero\s+de\s+(?:cuenta|ruta|tr[aá]nsito|pr[eé]stamo|p[oó]liza"
    r"|reclam(?:o|aci[oó]n)|cliente|socio|miembro|expediente\s+de\s+pr[eé]stamo)"
)
_ACCT_CUE_NUMBERED = (
    r"(?:loan|mortgage|claim|policy|member|customer|subscriber|contract|certificate|reference"
    r"|ref\.?|pr[eé]stamo|p[oó]liza|reclam(?:o|aci[oó]n)|cliente|socio|contrato|hipoteca)"
    r"\s*(?:number|num\.?|no\.?|nbr|id|#|n[uú]mero|n[uú]m\.?|n[oº°]\.?)"
)
_ACCT_FILLER = (
    r"(?:\s*(?:number|num\.?|no\.?|nbr|#|id|is|was|ending|ends|in|with|of|:|n[uú]mero|n[uú]m\.?"
    r"|es|era|termina(?:da|do)?|en|con|de)(?![\w\u00C0-\u017F])){0,4}"
)
# a value with at least 4 digits: 12345678, 12-3456-789, ABC123456, 0012 3456 7890
_ACCT_VALUE = (
    r"(?=(?:[A-Za-z-]*\d){4})[A-Za-z]{0,4}-?\d[\dA-Za-z]*(?:[ -]\d[\dA-Za-z]*){0,4}(?![\w-])"
)
ACCOUNT = re.compile(
    rf"(?<![\w\u00C0-\u017F])(?:{_ACCT_CUE_NUMBERED}|{_ACCT_CUE_ALONE})(?:(?<=[#:.])|(?![A-Za-z\u00C0-\u017F]))"
    rf"(?P<filler>{_ACCT_FILLER})\s*[:#]?\s*(?P<value>{_ACCT_VALUE})",
    re.IGNORECASE,
)


def _account_valid(m: re.Match[str]) -> bool:
    value = m.group("value")
    digits = re.sub(r"\D", "", value)
    # "my account in 2019", "cuenta desde 2020": a year after a preposition is not an account
    if re.fullmatch(r"(?:19|20)\d\d", value) and re.search(
            r"\b(?:in|since|of|en|de|desde)\b", m.group("filler"), re.IGNORECASE):
        return False
    return len(digits) >= 4


# --- person names (English and Spanish) ------------------------------------------------------
# Compact gazetteer written for govcx: the most frequent US first names (SSA), Hispanic first
# names and US surnames (Census 2010), lower case. Not exhaustive: names after a cue word are
# found without it.
FIRST_NAMES = _wordset("""
james john robert michael william david richard joseph thomas charles christopher daniel
matthew anthony donald steven paul andrew joshua kenneth kevin brian george edward ronald
timothy jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott
brandon benjamin samuel gregory frank alexander raymond patrick jack dennis jerry tyler
aaron henry adam douglas nathan peter zachary kyle walter harold jeremy ethan carl keith
roger gerald christian terry sean arthur austin noah lawrence jesse joe bryan billy jordan
albert dylan bruce willie gabriel alan juan logan wayne ralph roy eugene randy vincent
russell louis philip bobby johnny bradley mary patricia jennifer linda elizabeth barbara
susan jessica sarah karen nancy lisa betty margaret sandra ashley kimberly emily donna
michelle dorothy carol amanda melissa deborah stephanie rebecca sharon laura cynthia
kathleen amy shirley angela helen anna brenda pamela nicole emma samantha katherine
christine debra rachel catherine carolyn janet ruth maria heather diane virginia julie
olivia joyce victoria kelly christina lauren joan evelyn judith megan cheryl andrea hannah
martha jacqueline frances gloria ann teresa kathryn sara janice jean alice madison doris
abigail julia judy sophia denise amber marilyn beverly danielle theresa diana natalie
brittany charlotte marie kayla alexis lori tammy tiffany crystal latoya tanya keisha
shanice jamal darnell tyrone deshawn terrell malik andre marcus derrick travis shawn jose
luis carlos jorge miguel pedro manuel francisco jesus antonio alejandro ricardo fernando
javier rafael sergio eduardo roberto mario raul enrique alberto arturo hector oscar ramon
guillermo rodrigo andres diego pablo ernesto gustavo adrian salvador armando alfredo julio
cesar rogelio ignacio hugo marco emilio santiago mateo sebastian matias angel ivan ruben
victor felipe jaime gerardo agustin rosa ana carmen lucia isabel sofia valentina camila
daniela gabriela mariana paola adriana alejandra veronica claudia patricia monica beatriz
silvia norma leticia yolanda graciela margarita elena guadalupe juana josefina araceli
esperanza dolores consuelo marisol ximena fernanda ximena luz maribel yesenia esmeralda
lupita socorro rocio pilar raquel irma lourdes estela elsa rebeca susana teresa alma
blanca cristina diana gloria laura lorena martina renata valeria regina catalina paula
andrea
""")
SURNAMES = _wordset("""
smith johnson williams brown jones miller davis wilson anderson taylor thomas moore
jackson martin lee thompson white harris clark lewis robinson walker young allen king
wright scott hill green adams nelson baker hall campbell mitchell carter roberts phillips
evans turner parker collins edwards stewart morris murphy cook rogers morgan cooper
peterson bailey reed kelly howard cox ward richardson watson brooks wood james bennett
gray hughes price sanders myers long ross foster powell jenkins perry russell sullivan
bell coleman butler henderson barnes fisher vasquez simmons graham marshall owens harrison
gibson mcdonald wallace washington jefferson freeman hamilton patterson stone hunt black
palmer warren wagner garcia rodriguez martinez hernandez lopez gonzalez perez sanchez
ramirez torres flores rivera gomez diaz reyes cruz morales ortiz gutierrez chavez ramos
ruiz alvarez mendoza castillo jimenez moreno romero herrera medina aguilar vargas guzman
mendez salazar soto delgado castro vega ortega rios nunez contreras dominguez silva
estrada espinoza sandoval guerrero cabrera campos luna juarez figueroa fuentes carrillo
maldonado cortez mejia acosta padilla ibarra navarro rojas valdez velasquez pena cervantes
santiago marquez duran lara leon rosales miranda robles serrano villarreal trujillo avila
pacheco nguyen tran pham le kim park chen wang li zhang liu patel shah singh khan ali
""")
# first names that are also everyday words, brands or places: only with a cue or a surname
AMBIGUOUS_FIRST = _wordset("""
will mark bill frank jack grace hope joy faith may june april rose dawn chase sterling guy
art pat sue summer amber crystal angel jesus cesar luz pilar alma dolores consuelo
esperanza socorro paz mercedes victoria diana gloria regina olivia max lee young price
long wood king bell hill green brown white black gray stone hunt rich miles drew penny
""")

_CAP = (r"(?:[A-Z\u00C0-\u00DE][a-z\u00DF-\u00FF'’]+(?:-[A-Z\u00C0-\u00DE][a-z\u00DF-\u00FF'’]+)?"
        r"|(?!X{2,}\b)[A-Z\u00C0-\u00DE]{2,}(?![a-z]))")
_INITIAL = r"(?:[A-Z]\.?\s+)"
_PARTICLE = r"(?:(?:de|del|de\s+la|de\s+los|y|van|von|da|di|la|le|mc|o')\s+)"
_NAME_SEQ = rf"{_CAP}(?:\s+{_INITIAL}?{_PARTICLE}?{_CAP}){{0,3}}"
_STRONG_CUE = (
    r"(?:my\s+(?:full\s+|legal\s+|first\s+|last\s+)?name\s+is|name\s*:|signed,?|sincerely,?"
    r"|regards,?|thanks,?|thank\s+you,?|respectfully,?|named|llamad[oa]|mr\.?|mrs\.?|ms\.?"
    r"|miss|mx\.?|dr\.?"
    r"|me\s+llamo|mi\s+nombre(?:\s+completo)?\s+es|nombre\s*:|atentamente,?|saludos,?"
    r"|firmado,?|gracias,?|sr\.?|sra\.?|srta\.?|se[nñ]or|se[nñ]ora|se[nñ]orita|don|do[nñ]a"
    r"|lic\.?|ing\.?|my\s+(?:husband|wife|son|daughter|mother|father|mom|dad|brother|sister"
    r"|spouse)(?:'s\s+name\s+is|,)?|mi\s+(?:esposo|esposa|hijo|hija|madre|padre|mam[aá]|pap[aá]"
    r"|hermano|hermana)(?:,)?|se\s+llama)"
)
_WEAK_CUE = r"(?:i\s+am|i'm|i’m|this\s+is|it'?s|soy|habla|les\s+escribe|le\s+escribe)"
# capitalised words that follow the cues but are not names
_NOT_NAMES = _wordset("""
i a an the this that my your our it is was not very so writing calling contacting filing
still now also here there just really being going trying unable able sure sorry and or but
bank card account credit loan mortgage company customer consumer veteran victim disabled
senior citizen single mother father student american english spanish español writing no sí
si muy un una el la los las mi su tu de del en por para con que y o escribo llamando estoy
esta este esto aqui aquí ciudadano cliente usuario for to you we they he she him her them
me all again in on at with from as because much again who what when where why how taking
helping reading looking your time help attention consideration cooperation sincerely
regards respectfully atentamente dear hello hi thanks thank saludos gracias
mr mrs ms miss mx dr sr sra srta don doña dona señor señora
please member customer client company
""")

NAME_CUED = re.compile(
    rf"(?<![\w\u00C0-\u017F])(?:(?P<strong>{_STRONG_CUE})|(?P<weak>{_WEAK_CUE}))[ \t]*(?:,|:)?[ \t]*"
    rf"(?P<name>{_NAME_SEQ})",
    re.IGNORECASE,
)
NAME_GAZ = re.compile(rf"(?<![\w\u00C0-\u017F\[])(?P<name>{_NAME_SEQ})(?![\w\u00C0-\u017F])")


def name_key(word: str) -> str:
    """A word as the gazetteer spells it: lower case, no accents, no dots ("José" -> "jose")."""
    folded = unicodedata.normalize("NFKD", word.strip(".,").lower())
    return "".join(c for c in folded if not unicodedata.combining(c))


_PARTICLES = frozenset({"de", "del", "la", "los", "y", "van", "von", "da", "di", "le"})


# strong cues after which a name may be typed in lower case ("my name is john smith",
# "mi nombre es ana maría lópez", "sincerely, john"): the cue says what follows is a name,
# (sign-offs only with their comma: "signed paperwork", "sincerely hope" stay),
# so the words are taken unless they are common words (_COMMON_LOWER, _NOT_NAMES) or look
# like verbs/adverbs ("-ed", "-ing", "-ly", "-mente") — "my name is on the form",
# "my name is misspelled" stay. Other strong cues ("thanks", "regards", "don", "miss",
# "named") are followed by ordinary words too often, so they still need capitals.
_LOWER_CUE = re.compile(
    r"(?:my\s+(?:full\s+|legal\s+|first\s+|last\s+)?name\s+is|name\s*:|signed,"
    r"|sincerely,|mr\.?|mrs\.?|ms\.?|mx\.?|me\s+llamo|mi\s+nombre(?:\s+completo)?\s+es"
    r"|nombre\s*:|atentamente,|firmado,|sr\.?|sra\.?|srta\.?|se\s+llama"
    r"|my\s+(?:husband|wife|son|daughter|mother|father|mom|dad|brother|sister|spouse)'s\s+name"
    r"\s+is)",
    re.IGNORECASE,
)
_COMMON_LOWER = _wordset("""
be been being am are was were is isn't wasn't has have had having do does did done not no
yes on off in out up down over under into onto about above after before below between
through during without within along across around against among the a an this that these
those there here where when what which who whom whose why how if then than so as at by for
from of to with and or but nor yet because since until while also too only just even still
already again ever never always often sometimes soon now today yesterday tomorrow all any
both each every few many more most much other some such same own same different wrong right
correct incorrect misspelled spelled listed shown printed written missing changed used
given known called named said says told asked wrote sent got get gets getting make made
will would shall should can could may might must need needs want wants like likes please
thank thanks sorry hello hi dear sir madam ma'am mister miss it its it's i i'm me my mine
we us our you your he him his she her they them their one two three first last full legal
name names number account card bank loan case claim form forms file record records system
letter email phone address information info data report credit social security on
es está esta este esto estos estas son fue era ser estar tiene tengo no sí si el la los las
un una unos unas de del en por para con sin sobre que quien cuando donde como y o pero
mal bien incorrecto incorrecta correcto correcta diferente otro otra mismo misma aparece
escrito escrita mi mis su sus tu tus nombre nombres cuenta tarjeta banco carta correo
common unique similar popular famous simple short long new old real true false fake
clear clean private public personal important protected attached included mine hers his
need needs live lives work works help call calls write writes am also vivo trabajo
común comun único unico parecido falso verdadero nuevo viejo largo corto
necesito quiero tengo pido solicito llamo escribo ayuda favor gracias hola pues ya
""")
_LOWER_SUFFIX = re.compile(r"(?:ed|ing|ly|mente|ado|ada|ido|ida)$")


def _lower_name_word(w: str) -> bool:
    """Whether a lower-case word after a strong cue can be part of a name."""
    low = w.strip(".,").lower()
    key = name_key(low)
    if key in FIRST_NAMES or key in SURNAMES:
        return True
    return (len(low) > 1 and low not in _COMMON_LOWER and low not in _NOT_NAMES
            and not _LOWER_SUFFIX.search(low) and not re.fullmatch(r"x{2,}", low))


def _trim_name(m: re.Match[str]) -> tuple[int, int] | None:
    """The span of the name in a cued match, stripped of trailing non-names; None: none."""
    start, _end = m.span("name")
    text = m.group("name")
    # the name pattern is case-insensitive through the cue: keep only capitalised words
    # (particles such as "de la" inside a name stay when a capitalised word follows), or,
    # after a cue of _LOWER_CUE, a lower-case name (all its words lower case)
    parts = list(re.finditer(r"\S+", text))
    lower = bool(parts and m.group("strong") and not parts[0].group(0)[0].isupper()
                 and _LOWER_CUE.fullmatch(m.group("strong").strip()))
    keep: list[re.Match[str]] = []
    pending: list[re.Match[str]] = []
    for p in parts:
        w = p.group(0)
        low = w.strip(".").lower()
        if keep and low in _PARTICLES and not w[0].isupper() and not (lower and low == "y"):
            pending.append(p)
            continue
        if lower:
            middle_initial = bool(keep) and re.fullmatch(r"[a-z]\.", w) is not None
            if (w[0].isupper() or not (middle_initial or _lower_name_word(w))
                    or len(keep) >= 4):
                break
            keep.extend(pending)
            pending = []
            keep.append(p)
            continue
        initial = len(w) <= 2 and w[0].isupper() and (len(w) == 1 or w[1] == ".")
        if (not w[0].isupper() or re.fullmatch(r"X{2,}", w, re.IGNORECASE)
                or (low in _NOT_NAMES and not (keep and initial))):
            break
        keep.extend(pending)
        pending = []
        keep.append(p)
    if not keep:
        return None
    words = [name_key(p.group(0)) for p in keep]
    if m.group("weak"):
        known = words[0] in FIRST_NAMES or any(w in SURNAMES for w in words[1:])
        shouting = all(p.group(0).isupper() for p in keep)
        if not (known or (len(words) >= 2 and not (shouting and _shouted(m)))):
            return None
    return start + keep[0].start(), start + keep[-1].end()


def _shouted(m: re.Match[str]) -> bool:
    """Whether the text around a match is written in capitals (then capitalised words say
    nothing about names)."""
    around = m.string[max(0, m.start() - 80):m.start()] + m.string[m.end():m.end() + 80]
    letters = [c for c in around if c.isalpha() and c not in "Xx"]
    return bool(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.5


def _gaz_span(m: re.Match[str]) -> tuple[int, int] | None:
    """Where a known first name starts a capitalised sequence (or an unknown capitalised
    word precedes a known surname), the span of the name."""
    text = m.group("name")
    parts = list(re.finditer(r"\S+", text))
    for i, p in enumerate(parts):
        w = name_key(p.group(0))
        if w in FIRST_NAMES:
            rest = parts[i + 1:]
            # middle initials ("Ana M. Lopez") and particles ("de la") are skipped
            nxt_words = [name_key(r.group(0)) for r in rest if not re.fullmatch(
                r"[A-Z]\.?", r.group(0))]
            nxt = next((w for w in nxt_words if w not in _PARTICLES), "")
            if w in AMBIGUOUS_FIRST and nxt not in SURNAMES:
                continue
            if rest and nxt in _NOT_NAMES:
                rest = []
            end = rest[-1].end() if rest else p.end()
            # a lone ALL-CAPS word is a heading more often than a name
            if not rest and p.group(0).isupper():
                continue
            return m.start("name") + p.start(), m.start("name") + end
    # an unknown capitalised word followed by a known surname: "Keanu Smith"
    for i, p in enumerate(parts[:-1]):
        first, last = name_key(p.group(0)), name_key(parts[i + 1].group(0))
        if (last in SURNAMES and last not in AMBIGUOUS_FIRST and first not in _NOT_NAMES
                and first not in _NOT_BEFORE_SURNAME and len(first) > 1
                and not (p.group(0).isupper() and parts[i + 1].group(0).isupper())):
            return m.start("name") + p.start(), m.start("name") + parts[i + 1].end()
    return None


# capitalised words often seen before a surname-like word that are not first names
_NOT_BEFORE_SURNAME = _wordset("""
bank bancorp federal national first united american capital credit home mortgage navy
wells county city state street avenue university college hospital medical center
department office court judge senator representative congressman congresswoman governor
mayor president officer detective agent attorney lawyer law firm group company inc llc
north south east west new fort port lake mount saint st san santa los las el la de
""")


def _name_cued_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    while (m := NAME_CUED.search(text, pos)) is not None:
        sp = _trim_name(m)
        if sp is None:  # "Thank you, Sincerely, Ana…": look again from the rejected word on
            pos = m.start("name")
            continue
        spans.append(sp)
        pos = sp[1]
    return spans


def _name_gaz_spans(text: str) -> list[tuple[int, int]]:
    return [sp for m in NAME_GAZ.finditer(text) if (sp := _gaz_span(m)) is not None]


DETECTORS: list[Detector] = [
    Detector("email", "[EMAIL]", EMAIL),
    Detector("email", "[EMAIL]", EMAIL_SPELLED, _spelled_email_valid),
    Detector("ssn", "[SSN]", SSN_CUED, group="value"),
    Detector("card", "[CARD]", CARD_CUED, group="value"),
    Detector("account", "[ACCOUNT]", ACCOUNT, _account_valid, group="value"),
    Detector("card", "[CARD]", CARD, _card_valid),
    Detector("address", "[ADDRESS]", ADDRESS_EN),
    Detector("address", "[ADDRESS]", ADDRESS_EN_ES),
    Detector("address", "[ADDRESS]", ADDRESS_ES),
    Detector("address", "[ADDRESS]", PO_BOX),
    Detector("ssn", "[SSN]", SSN),
    Detector("phone", "[PHONE]", PHONE),
    Detector("phone", "[PHONE]", PHONE_CUED, group="value"),
    Detector("name", "[NAME]", NAME_CUED, spans=_name_cued_spans),
    Detector("name", "[NAME]", NAME_GAZ, spans=_name_gaz_spans),
]


@dataclass(frozen=True)
class Found:
    kind: str
    start: int  # in the original text
    end: int


def redact_spans(text: str) -> tuple[str, list[Found]]:
    """`redact`, also telling which characters of the original text each placeholder
    replaced (for measuring recall and precision on planted data)."""
    cur = text
    # for every character of the current text, the original range it stands for
    origin: list[tuple[int, int]] = [(i, i + 1) for i in range(len(text))]
    placed: list[tuple[str, str, int]] = []  # (kind, placeholder, current start) per placeholder
    for det in DETECTORS:
        spans = det.find(cur)
        if not spans:
            continue
        for s, e in reversed(spans):
            if e <= s:
                continue
            rng = (origin[s][0], origin[e - 1][1])
            cur = cur[:s] + det.placeholder + cur[e:]
            origin[s:e] = [rng] * len(det.placeholder)
            shift = len(det.placeholder) - (e - s)
            placed = [(k, p, st + shift if st >= e else st) for k, p, st in placed
                      if not (s <= st < e)]
            placed.append((det.kind, det.placeholder, s))
    found = sorted((Found(k, origin[st][0], origin[st][1]) for k, _p, st in placed),
                   key=lambda f: f.start)
    return cur, found


def redact(text: str) -> tuple[str, list[str]]:
    """The text with personal data replaced by placeholders, and the kinds found (each kind
    once, in the order of DETECTORS)."""
    out, found = redact_spans(text)
    kinds_found = {f.kind for f in found}
    kinds: list[str] = []
    for det in DETECTORS:
        if det.kind in kinds_found and det.kind not in kinds:
            kinds.append(det.kind)
    return out, kinds
