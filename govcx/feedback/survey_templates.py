"""Ready-made surveys: A-11 (2023 onward), A-11 legacy (FY19–23), CSAT, customer effort, NPS.

Every template returns a schema dict (validated by `schema.schema_validate`) with English and
Spanish text for every question.
"""

from __future__ import annotations

from typing import Any

DRIVER_TEXT: dict[str, dict[str, str]] = {
    "effectiveness": {"en": "My need was addressed", "es": "Se atendió mi necesidad"},
    "ease": {"en": "It was easy to complete what I needed to do",
             "es": "Fue fácil completar lo que necesitaba hacer"},
    "efficiency": {"en": "It took a reasonable amount of time",
                   "es": "Tomó una cantidad de tiempo razonable"},
    "transparency": {"en": "It was clear what to do", "es": "Estaba claro qué hacer"},
    "humanity": {"en": "I was treated fairly and with respect",
                 "es": "Me trataron con justicia y respeto"},
    "employee": {"en": "Employees were helpful", "es": "Los empleados fueron serviciales"},
}
NEG_DRIVER_TEXT: dict[str, dict[str, str]] = {
    "effectiveness": {"en": "My need was not addressed", "es": "No se atendió mi necesidad"},
    "ease": {"en": "It was difficult to complete what I needed to do",
             "es": "Fue difícil completar lo que necesitaba hacer"},
    "efficiency": {"en": "It took too long", "es": "Tomó demasiado tiempo"},
    "transparency": {"en": "It was unclear what to do", "es": "No estaba claro qué hacer"},
    "humanity": {"en": "I was not treated fairly or with respect",
                 "es": "No me trataron con justicia ni respeto"},
    "employee": {"en": "Employees were not helpful", "es": "Los empleados no fueron serviciales"},
}
OTHER = {"en": "Other", "es": "Otro"}

TEMPLATES = ("a11", "a11_legacy", "csat", "ces", "nps")


def trust_text(agency: str, service: str, purpose_en: str, purpose_es: str) -> dict[str, str]:
    return {
        "en": f"Based on my experience with {service}, I trust {agency} to {purpose_en}.",
        "es": f"Según mi experiencia con {service}, confío en que {agency} {purpose_es}.",
    }


def a11(
    *, agency: str, service: str, purpose_en: str = "meet my needs",
    purpose_es: str = "atenderá mis necesidades", scale: str = "thumbs",
    drivers: tuple[str, ...] = tuple(DRIVER_TEXT),
) -> dict[str, Any]:
    """A-11 §280 (2023 onward). Effectiveness and ease are mandatory driver options."""
    for needed in ("effectiveness", "ease"):
        if needed not in drivers:
            raise ValueError(f"A-11 surveys must offer the '{needed}' driver")
    if scale not in ("thumbs", "scale5"):
        raise ValueError("The A-11 trust question is answered by thumbs or a 5-point scale")
    positive = ["up"] if scale == "thumbs" else ["4", "5"]
    negative = ["down"] if scale == "thumbs" else ["1", "2", "3"]
    return {
        "template": "a11",
        "questions": [
            {"id": "trust", "type": scale, "role": "trust", "required": True,
             "text": trust_text(agency, service, purpose_en, purpose_es),
             "scale_labels": {"en": "1 = Strongly disagree, 5 = Strongly agree",
                              "es": "1 = Muy en desacuerdo, 5 = Muy de acuerdo"}
             if scale == "scale5" else {}},
            {"id": "went_well", "type": "multi", "role": "drivers_positive", "other": True,
             "text": {"en": "What went well?", "es": "¿Qué salió bien?"},
             "help": {"en": "Choose all that apply.", "es": "Elija todas las que correspondan."},
             "show_if": {"question": "trust", "in": positive},
             "choices": [{"value": d, "text": DRIVER_TEXT[d]} for d in drivers]},
            {"id": "went_poorly", "type": "multi", "role": "drivers_negative", "other": True,
             "text": {"en": "What didn't go so well?", "es": "¿Qué no salió tan bien?"},
             "help": {"en": "Choose all that apply.", "es": "Elija todas las que correspondan."},
             "show_if": {"question": "trust", "in": negative},
             "choices": [{"value": d, "text": NEG_DRIVER_TEXT[d]} for d in drivers]},
            {"id": "comments", "type": "long_text", "role": "comment",
             "text": {"en": "Additional comments", "es": "Comentarios adicionales"},
             "help": {"en": "Please don't include personal information such as your Social "
                            "Security number.",
                      "es": "No incluya información personal como su número de Seguro Social."}},
        ],
    }


LEGACY_ITEMS: list[tuple[str, dict[str, str]]] = [
    ("satisfaction", {"en": "I am satisfied with the service I received.",
                      "es": "Estoy satisfecho con el servicio que recibí."}),
    ("trust", {"en": "This interaction increased my confidence in {agency}.",
               "es": "Esta interacción aumentó mi confianza en {agency}."}),
    ("effectiveness", {"en": "My need was addressed.", "es": "Se atendió mi necesidad."}),
    ("ease", {"en": "It was easy to complete what I needed to do.",
              "es": "Fue fácil completar lo que necesitaba hacer."}),
    ("efficiency", {"en": "It took a reasonable amount of time to do what I needed to do.",
                    "es": "Tomó un tiempo razonable hacer lo que necesitaba."}),
    ("transparency", {"en": "I understood what was being asked of me throughout the process.",
                      "es": "Entendí lo que se me pedía durante todo el proceso."}),
    ("employee", {"en": "Employees I interacted with were helpful.",
                  "es": "Los empleados con quienes traté fueron serviciales."}),
]
AGREE = {"en": "1 = Strongly disagree, 5 = Strongly agree",
         "es": "1 = Muy en desacuerdo, 5 = Muy de acuerdo"}


def a11_legacy(*, agency: str, service: str = "") -> dict[str, Any]:
    """A-11 (FY19–23): seven 1–5 items plus two comment questions."""
    qs: list[dict[str, Any]] = [
        {"id": role, "type": "scale5", "role": role, "required": role in ("satisfaction", "trust"),
         "text": {k: v.format(agency=agency) for k, v in text.items()}, "scale_labels": AGREE}
        for role, text in LEGACY_ITEMS
    ]
    qs += [
        {"id": "went_well_text", "type": "long_text", "role": "comment",
         "text": {"en": "What did we do well?", "es": "¿Qué hicimos bien?"}},
        {"id": "improve_text", "type": "long_text",
         "text": {"en": "What could we do better?", "es": "¿Qué podríamos hacer mejor?"}},
    ]
    return {"template": "a11_legacy", "questions": qs}


def csat(*, agency: str, service: str) -> dict[str, Any]:
    return {"template": "csat", "questions": [
        {"id": "csat", "type": "stars", "role": "csat", "required": True,
         "text": {"en": f"How satisfied are you with {service}?",
                  "es": f"¿Qué tan satisfecho está con {service}?"},
         "scale_labels": {"en": "1 = Very dissatisfied, 5 = Very satisfied",
                          "es": "1 = Muy insatisfecho, 5 = Muy satisfecho"}},
        {"id": "comments", "type": "long_text", "role": "comment",
         "text": {"en": "Tell us why", "es": "Díganos por qué"}},
    ]}


def ces(*, agency: str, service: str) -> dict[str, Any]:
    return {"template": "ces", "questions": [
        {"id": "effort", "type": "scale5", "role": "effort", "required": True,
         "text": {"en": f"{agency} made it easy for me to handle my issue.",
                  "es": f"{agency} me facilitó resolver mi asunto."},
         "scale_labels": AGREE},
        {"id": "comments", "type": "long_text", "role": "comment",
         "text": {"en": "Additional comments", "es": "Comentarios adicionales"}},
    ]}


def nps(*, agency: str, service: str) -> dict[str, Any]:
    scale = [{"value": f"s{i}", "text": {"en": str(i), "es": str(i)}} for i in range(11)]
    return {"template": "nps", "questions": [
        {"id": "nps", "type": "single", "role": "nps", "required": True, "choices": scale,
         "text": {"en": f"How likely are you to recommend {service} to a friend? (0–10)",
                  "es": f"¿Qué tan probable es que recomiende {service} a un amigo? (0–10)"}},
        {"id": "comments", "type": "long_text", "role": "comment",
         "text": {"en": "What is the main reason for your score?",
                  "es": "¿Cuál es la razón principal de su calificación?"}},
    ]}


def build(template: str, **kwargs: Any) -> dict[str, Any]:
    fn: Any = {"a11": a11, "a11_legacy": a11_legacy, "csat": csat, "ces": ces, "nps": nps}.get(template)
    if fn is None:
        raise ValueError(f"Unknown template '{template}'; use one of {', '.join(TEMPLATES)}")
    return fn(**kwargs)
