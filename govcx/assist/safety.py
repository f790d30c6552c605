"""What the assistant checks before it tries to answer: crises, requests for a person,
sensitive topics.

Phrases are matched on whole words of the normalised text (lower case, accents folded, see
`govcx.assist.model.normalise`), English and Spanish together, so "Quiero hablar con una
persona" and "quiero hablar con una PERSONA" match the same phrase. The lists are
deliberately explicit phrases rather than single words where a single word also has an
ordinary meaning in a benefits context ("emergency food assistance" is not a crisis).

A crisis gets emergency information at once (988 Suicide & Crisis Lifeline, 911, the National
Domestic Violence Hotline) and an urgent case; see govcx/assist/conversation.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govcx.assist.model import normalise

SELF_HARM = "self_harm"
ABUSE = "abuse"
EMERGENCY = "emergency"

CRISIS_PHRASES: dict[str, tuple[str, ...]] = {
    SELF_HARM: (
        # English
        "suicide", "suicidal", "kill myself", "killing myself", "end my life",
        "ending my life", "take my own life", "take my life", "want to die", "wanna die",
        "better off dead", "hurt myself", "hurting myself", "harm myself", "self harm",
        "self-harm", "cut myself", "cutting myself", "don't want to live",
        "dont want to live", "do not want to live", "no reason to live", "overdose on",
        # Spanish
        "suicidio", "suicidarme", "suicida", "matarme", "me quiero matar", "quitarme la vida",
        "acabar con mi vida", "quiero morir", "quiero morirme", "no quiero vivir",
        "hacerme dano", "lastimarme", "cortarme", "mejor muerto", "mejor muerta",
    ),
    ABUSE: (
        "domestic violence", "domestic abuse", "being abused", "he hits me", "she hits me",
        "hits me", "beats me", "beating me", "he hurts me", "she hurts me",
        "abusive partner", "abusive husband", "abusive wife", "my partner hurts me",
        "afraid of my partner", "afraid of my husband", "scared of my husband",
        "sexual assault", "sexually assaulted", "raped", "child abuse", "elder abuse",
        "threatened to kill me", "threatening to kill me",
        "violencia domestica", "violencia intrafamiliar", "me pega", "me golpea", "me maltrata",
        "me esta golpeando", "abuso sexual", "me violo", "maltrato infantil",
        "amenazo con matarme", "me amenaza con matarme", "tengo miedo de mi esposo",
        "tengo miedo de mi pareja",
    ),
    EMERGENCY: (
        "this is an emergency", "it's an emergency", "its an emergency", "medical emergency",
        "heart attack", "can't breathe", "cant breathe", "cannot breathe", "not breathing",
        "overdose", "overdosed", "bleeding badly", "someone is dying", "i am in danger",
        "i'm in danger", "im in danger", "in immediate danger", "call 911", "house is on fire",
        "es una emergencia", "emergencia medica", "ataque al corazon", "infarto",
        "no puedo respirar", "no respira", "sobredosis", "estoy en peligro",
        "se esta muriendo", "llamen al 911", "hay un incendio",
    ),
}

HUMAN_PHRASES: tuple[str, ...] = (
    "talk to a person", "talk to a human", "talk to someone", "talk to somebody",
    "talk with a person", "talk with someone", "speak to a person", "speak to a human",
    "speak to someone", "speak with a person", "speak with someone", "real person",
    "a human", "human being", "live person", "live agent", "an agent", "agent",
    "representative", "a rep", "operator", "customer service", "caseworker", "case worker",
    "hablar con una persona", "hablar con alguien", "hablar con un humano",
    "hablar con un agente", "hablar con un representante", "persona real", "un humano",
    "agente", "representante", "operador", "operadora", "trabajador social",
)

SENSITIVE_PHRASES: tuple[str, ...] = (
    "fraud", "scam", "identity theft", "stole my identity", "stolen identity",
    "discrimination", "discriminated", "harassment", "harassed", "lawsuit", "sue you",
    "my lawyer", "my attorney", "file a complaint against", "complaint about an employee",
    "fraude", "estafa", "robo de identidad", "robaron mi identidad", "discriminacion",
    "discriminaron", "acoso", "demanda", "mi abogado", "queja contra",
)


def _pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alts = sorted({re.escape(normalise(p)) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)")


_CRISIS = {kind: _pattern(phrases) for kind, phrases in CRISIS_PHRASES.items()}
_HUMAN = _pattern(HUMAN_PHRASES)
_SENSITIVE = _pattern(SENSITIVE_PHRASES)


def _norm(text: str) -> str:
    return normalise(text.replace("\u2019", "'"))


def crisis_kind(text: str) -> str | None:
    """SELF_HARM, ABUSE or EMERGENCY when the text says the person is in crisis, else None."""
    norm = _norm(text)
    for kind in (SELF_HARM, ABUSE, EMERGENCY):
        if _CRISIS[kind].search(norm):
            return kind
    return None


def asks_for_human(text: str) -> bool:
    return bool(_HUMAN.search(_norm(text)))


def is_sensitive(text: str) -> bool:
    return bool(_SENSITIVE.search(_norm(text)))


@dataclass(frozen=True)
class CrisisInfo:
    text: str  # the whole message, plain text
    lines: tuple[tuple[str, str], ...]  # (what, number to call/text) for prominent display


CRISIS_TEXT = {
    "en": {
        SELF_HARM: "You don't have to go through this alone. If you are thinking about "
                   "suicide or hurting yourself, call or text 988 (988 Suicide & Crisis "
                   "Lifeline) now, any time, day or night. If you are in immediate danger, "
                   "call 911.",
        ABUSE: "Your safety matters. If you are in immediate danger, call 911. The National "
               "Domestic Violence Hotline is free and confidential, any time: call "
               "1-800-799-7233 or text START to 88788.",
        EMERGENCY: "If this is an emergency, call 911 now. If you are thinking about "
                   "suicide or hurting yourself, call or text 988.",
    },
    "es": {
        SELF_HARM: "No tiene que pasar por esto solo. Si está pensando en el suicidio o en "
                   "hacerse daño, llame o envíe un mensaje de texto al 988 (988 Línea de "
                   "Prevención del Suicidio y Crisis; para español, oprima 2) ahora, a "
                   "cualquier hora. Si está en peligro inmediato, llame al 911.",
        ABUSE: "Su seguridad es importante. Si está en peligro inmediato, llame al 911. La "
               "Línea Nacional sobre la Violencia Doméstica es gratuita y confidencial, a "
               "cualquier hora: llame al 1-800-799-7233 (oprima 2 para español) o envíe "
               "START al 88788.",
        EMERGENCY: "Si es una emergencia, llame al 911 ahora. Si está pensando en el suicidio "
                   "o en hacerse daño, llame o envíe un mensaje de texto al 988 (oprima 2 "
                   "para español).",
    },
}

CRISIS_LINES = {
    "en": {
        SELF_HARM: (("988 Suicide & Crisis Lifeline (call or text)", "988"),
                    ("Emergency", "911")),
        ABUSE: (("Emergency", "911"),
                ("National Domestic Violence Hotline", "1-800-799-7233")),
        EMERGENCY: (("Emergency", "911"),
                    ("988 Suicide & Crisis Lifeline (call or text)", "988")),
    },
    "es": {
        SELF_HARM: (("988 Línea de Prevención del Suicidio y Crisis (oprima 2)", "988"),
                    ("Emergencias", "911")),
        ABUSE: (("Emergencias", "911"),
                ("Línea Nacional sobre la Violencia Doméstica", "1-800-799-7233")),
        EMERGENCY: (("Emergencias", "911"),
                    ("988 Línea de Prevención del Suicidio y Crisis (oprima 2)", "988")),
    },
}


def crisis_info(kind: str, language: str = "en") -> CrisisInfo:
    lang = language if language in CRISIS_TEXT else "en"
    return CrisisInfo(text=CRISIS_TEXT[lang][kind], lines=CRISIS_LINES[lang][kind])
