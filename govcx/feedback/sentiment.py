"""Sentiment of a comment, English and Spanish, offline: a score in −1…1 and a label.

- English: VADER (vaderSentiment, Hutto & Gilbert 2014), a rule-based model whose lexicon
  ships inside the package; its `compound` score is used, after removing from its lexicon
  the words that name things in public and financial services (`DOMAIN_NEUTRAL`: "credit",
  "Social Security", "interest", "benefits"…).
- Spanish: no maintained package ships a Spanish lexicon without downloading models, so
  govcx has its own compact lexicon (`ES_LEXICON`, about 250 words and phrases common in
  feedback about public services, valence −3…+3 like VADER's), scored with VADER's rules in
  small: a negator ("no", "nunca", "ni", "sin", "tampoco", "nadie", "nada") within the three
  words before flips and damps a word (×−0.74), a booster ("muy", "tan", "demasiado",
  "súper", "bastante") adds 0.293 toward its sign, "pero" weighs what follows ×1.5 and what
  precedes ×0.5, "!" adds emphasis, and the sum is normalised as VADER does:
  x / √(x² + 15). Accents and case are ignored.
- Labels use VADER's published thresholds: ≥ 0.05 positive, ≤ −0.05 negative, else neutral.

`language_guess` tells English from Spanish by common function words, for sources that do
not record the language.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from typing import Any

POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05

ES_LEXICON: dict[str, float] = {}
_ES_WORDS = """
bien 1.9|bueno 1.9|buena 1.9|buenos 1.9|buenas 1.9|excelente 3.0|excelentes 3.0|genial 2.8
|perfecto 2.7|perfecta 2.7|fácil 1.9|facil 1.9|fáciles 1.9|rápido 1.8|rapido 1.8|rápida 1.8
|rápidamente 1.7|amable 2.2|amables 2.2|atento 1.8|atenta 1.8|claro 1.3|clara 1.3|útil 1.9
|util 1.9|útiles 1.9|gracias 1.9|agradecido 2.1|agradecida 2.1|agradezco 2.1|feliz 2.6
|contento 2.2|contenta 2.2|satisfecho 2.1|satisfecha 2.1|maravilloso 2.9|maravillosa 2.9
|increíble 2.5|mejor 1.7|mejoró 1.6|ayudó 1.7|ayudaron 1.7|resolvieron 1.9|resuelto 1.6
|resolvió 1.9|eficiente 2.1|eficaz 2.0|profesional 1.8|profesionales 1.8|encantó 2.7
|encanta 2.6|recomiendo 2.0|sencillo 1.6|sencilla 1.6|cómodo 1.6|cómoda 1.6|agradable 2.1
|puntual 1.5|confianza 1.6|confiable 1.8|justo 1.4|correcto 1.2|funciona 1.2|funcionó 1.3
|felicidades 2.5|felicito 2.4|fantástico 2.9|estupendo 2.8|estupenda 2.8|súper 1.5
|respeto 1.5|respetuoso 1.9|respetuosa 1.9|paciencia 1.3|paciente 1.4|alivio 1.8
|mal -2.1|malo -2.3|mala -2.3|malos -2.3|malas -2.3|pésimo -3.0|pesimo -3.0|pésima -3.0
|terrible -2.9|horrible -2.9|horribles -2.9|fatal -2.8|lento -1.8|lenta -1.8|lentos -1.8
|tarde -1.0|difícil -1.7|dificil -1.7|complicado -1.7|complicada -1.7|confuso -1.7
|confusa -1.7|problema -1.7|problemas -1.7|error -1.7|errores -1.7|equivocado -1.6
|equivocada -1.6|nunca -1.0|grosero -2.5|grosera -2.5|groseros -2.5|maleducado -2.4
|frustrado -2.2|frustrada -2.2|frustrante -2.3|molesto -2.0|molesta -2.0|enojado -2.4
|enojada -2.4|furioso -2.9|furiosa -2.9|triste -2.1|decepcionado -2.3|decepcionada -2.3
|decepción -2.3|queja -1.6|quejas -1.6|reclamo -1.2|espera -0.9|esperando -1.0|esperé -1.1
|perdí -1.6|perdido -1.6|perdieron -1.8|rechazado -1.9|rechazada -1.9|rechazaron -1.9
|negaron -1.8|negado -1.7|inútil -2.4|inutil -2.4|incompetente -2.7|incompetentes -2.7
|injusto -2.3|injusta -2.3|abuso -2.8|fraude -2.8|robo -2.8|robaron -2.8|engaño -2.6
|engañaron -2.6|mentira -2.3|mintieron -2.5|ignoraron -2.0|ignorado -1.9|ignorada -1.9
|caído -1.2|cayó -1.2|falla -1.9|fallas -1.9|falló -1.9|roto -1.7|rota -1.7|colgaron -1.9
|cobraron -1.0|cargo -0.6|multa -1.3|deuda -1.1|estrés -2.0|estres -2.0|preocupado -1.8
|preocupada -1.8|miedo -2.0|desastre -2.8|vergüenza -2.3|verguenza -2.3|lamentable -2.4
|peor -2.5|nadie -0.8|imposible -2.0|inaceptable -2.8|demora -1.6|demoras -1.6
|retraso -1.7|retrasos -1.7|retrasado -1.6|atrasado -1.5|atrasada -1.5|cancelaron -1.5
|cancelado -1.2|perder -1.4|odio -3.0|harto -2.3|harta -2.3|cansado -1.6|cansada -1.6
|pérdida -1.8|no_funciona -2.0|sin_respuesta -2.0|ninguna_respuesta -2.0|muy_mal -2.6
"""
for _item in _ES_WORDS.replace("\n", "").split("|"):
    if _item.strip():
        _w, _v = _item.strip().rsplit(" ", 1)
        ES_LEXICON[_w] = float(_v)

_NEGATORS = {"no", "nunca", "ni", "sin", "tampoco", "nadie", "nada", "jamas", "ningun",
             "ninguna", "ninguno"}
_BOOSTERS = {"muy": 0.293, "tan": 0.293, "demasiado": 0.293, "super": 0.293, "bastante": 0.2,
             "sumamente": 0.35, "totalmente": 0.293, "realmente": 0.2, "extremadamente": 0.35,
             "poco": -0.293, "algo": -0.1}
_ES_STOP = {"el", "la", "los", "las", "de", "del", "que", "y", "en", "un", "una", "por",
            "para", "con", "es", "muy", "mi", "me", "se", "lo", "su", "pero", "no", "al",
            "como", "esta", "este", "fue", "porque", "cuando", "tengo", "nos", "ustedes"}
_EN_STOP = {"the", "and", "of", "to", "a", "in", "is", "was", "my", "i", "for", "it", "on",
            "that", "this", "with", "they", "not", "have", "be", "are", "you", "me", "but"}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


_FOLDED = {_fold(k): v for k, v in ES_LEXICON.items()}
_TOKEN = re.compile(r"[a-zñ_]+|!")


def language_guess(text: str, default: str = "en") -> str:
    words = re.findall(r"[a-záéíóúñü]+", text.lower())
    es = sum(1 for w in words if w in _ES_STOP) + 2 * sum(
        1 for ch in text.lower() if ch in "ñ¿¡áéíóú")
    en = sum(1 for w in words if w in _EN_STOP)
    if es == en == 0:
        return default
    return "es" if es > en else "en"


# Words VADER (built on social media) scores as feelings but which, in feedback about public
# and financial services, are names of things: "credit report", "Social Security", "interest
# rate", "Fair Credit Reporting Act", "original creditor", "health care", "outstanding
# balance", "third party", "Wells Fargo", "Freedom Mortgage", "please" in a request. Their
# valence is set to 0 (bench/themes/sentiment.py shows VADER calling 46% of CFPB complaints
# positive without this, mostly because of "credit").
DOMAIN_NEUTRAL = ("credit", "credits", "interest", "interests", "original", "security",
                  "agreement", "agreements", "fair", "party", "parties", "wells", "freedom",
                  "care", "outstanding", "validate", "validation", "value", "legal", "please",
                  "like", "benefit", "benefits", "trust", "insurance", "protection", "rights",
                  "approval", "approved", "accept", "accepted", "ensure", "true", "sure",
                  "kind", "well", "free", "ability", "clear", "clearly", "number")


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    for word in DOMAIN_NEUTRAL:
        analyzer.lexicon.pop(word, None)
    return analyzer


def _spanish(text: str) -> float:
    folded = _fold(text)
    for phrase in ("no funciona", "sin respuesta", "ninguna respuesta", "muy mal"):
        folded = folded.replace(phrase, phrase.replace(" ", "_"))
    tokens = _TOKEN.findall(folded)
    scores: list[float] = []
    but_at: int | None = None
    for i, tok in enumerate(tokens):
        if tok == "pero":
            but_at = len(scores)
        v = _FOLDED.get(tok)
        if v is None:
            continue
        before = tokens[max(0, i - 3):i]
        for b in before[-2:]:
            boost = _BOOSTERS.get(b)
            if boost:
                v += boost if v > 0 else -boost
        if any(b in _NEGATORS for b in before) and tok not in _NEGATORS:
            v *= -0.74
        scores.append(v)
    if but_at is not None:
        scores = [s * 0.5 for s in scores[:but_at]] + [s * 1.5 for s in scores[but_at:]]
    total = sum(scores)
    if total:
        total += min(folded.count("!"), 4) * 0.292 * (1 if total > 0 else -1)
    return total / math.sqrt(total * total + 15) if total else 0.0


def sentiment_score(text: str, language: str = "en") -> tuple[float, str]:
    """(score in −1…1, "negative" | "neutral" | "positive") for a comment."""
    if not text.strip():
        return 0.0, "neutral"
    score = _spanish(text) if language.startswith("es") else float(_vader().polarity_scores(text)["compound"])
    label = ("positive" if score >= POSITIVE_AT else "negative" if score <= NEGATIVE_AT
             else "neutral")
    return round(score, 4), label
