"""The versioned survey question schema and the validation of answers against it.

A survey version's `schema` is JSON validated by `SurveySchema`. Answers are validated by
`answers_clean`, which applies branching (a question hidden by `show_if` is neither
required nor stored) and returns specific, per-question error messages in the
respondent's language.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

LANGUAGES = ("en", "es")
QuestionType = Literal[
    "thumbs", "scale5", "stars", "single", "multi", "yesno",
    "short_text", "long_text", "email", "phone", "date", "hidden",
]
# What a question means for reporting; the rollups and the A-11 export read these.
Role = Literal[
    "trust", "drivers_positive", "drivers_negative", "comment",
    "satisfaction", "effectiveness", "ease", "efficiency", "transparency", "employee",
    "csat", "effort", "nps",
]
DRIVERS = ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee", "other")
MANDATORY_DRIVERS = ("effectiveness", "ease")
CHOICE_TYPES = ("single", "multi")
TEXT_LIMITS = {"short_text": 500, "long_text": 5000, "hidden": 500}

Text = dict[str, str]


def _check_text(value: Text, what: str) -> Text:
    missing = [lang for lang in LANGUAGES if not (value.get(lang) or "").strip()]
    if missing:
        raise ValueError(f"{what} needs text in every language; missing: {', '.join(missing)}")
    return value


class Choice(BaseModel):
    value: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    text: Text

    @field_validator("text")
    @classmethod
    def _text(cls, v: Text) -> Text:
        return _check_text(v, "A choice")


class ShowIf(BaseModel):
    question: str
    in_: list[str] = Field(alias="in", min_length=1)

    model_config = {"populate_by_name": True}


class Question(BaseModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    type: QuestionType
    text: Text
    help: Text = Field(default_factory=dict)
    required: bool = False
    choices: list[Choice] = Field(default_factory=list)
    other: bool = False
    show_if: ShowIf | None = None
    role: Role | None = None
    scale_labels: Text = Field(default_factory=dict)

    @field_validator("text")
    @classmethod
    def _text(cls, v: Text) -> Text:
        return _check_text(v, "A question")

    @model_validator(mode="after")
    def _choices(self) -> Question:
        if self.type in CHOICE_TYPES and not self.choices:
            raise ValueError(f"Question '{self.id}' ({self.type}) needs at least one choice")
        if self.type not in CHOICE_TYPES and (self.choices or self.other):
            raise ValueError(f"Question '{self.id}' ({self.type}) cannot have choices")
        values = [c.value for c in self.choices]
        if len(values) != len(set(values)):
            raise ValueError(f"Question '{self.id}' repeats a choice value")
        if self.type == "hidden" and self.required:
            raise ValueError(f"Hidden question '{self.id}' cannot be required")
        return self

    def choice_values(self) -> list[str]:
        return [c.value for c in self.choices]


class SurveySchema(BaseModel):
    template: str = "custom"
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> SurveySchema:
        seen: dict[str, Question] = {}
        for q in self.questions:
            if q.id in seen:
                raise ValueError(f"Question id '{q.id}' is used twice")
            if q.show_if is not None:
                earlier = seen.get(q.show_if.question)
                if earlier is None:
                    raise ValueError(
                        f"Question '{q.id}' depends on '{q.show_if.question}', "
                        "which must be an earlier question"
                    )
                allowed = set(answer_values(earlier))
                if allowed and not set(q.show_if.in_) <= allowed:
                    raise ValueError(
                        f"Question '{q.id}' shows on an answer '{earlier.id}' cannot have"
                    )
            seen[q.id] = q
        # A-11's own rules apply when a schema is written (created, edited, published), not
        # when a stored one is read: a version stored before the rule must stay readable.
        if self.template == "a11" and (info.context or {}).get("writing"):
            self._a11_rules()
        return self

    def _a11_rules(self) -> None:
        """A-11 §280 (2023 onward): a trust question answered by thumbs or a 5-point scale,
        and both driver questions offering effectiveness and ease (mandatory options)."""
        trust = self.with_role("trust")
        if trust is None or trust.type not in ("thumbs", "scale5"):
            raise ValueError("An A-11 survey needs a trust question answered by thumbs or a "
                             "5-point scale")
        for role, name in (("drivers_positive", "What went well?"),
                           ("drivers_negative", "What didn't go so well?")):
            q = self.with_role(role)
            if q is None or q.type != "multi":
                raise ValueError(f"An A-11 survey needs the multiple-choice question "
                                 f"'{name}'")
            missing = [d for d in MANDATORY_DRIVERS if d not in q.choice_values()]
            if missing:
                raise ValueError(f"A-11 '{name}' must offer {' and '.join(missing)} "
                                 "(mandatory drivers)")

    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def with_role(self, role: str) -> Question | None:
        return next((q for q in self.questions if q.role == role), None)


def answer_values(q: Question) -> list[str]:
    """The closed set of answers a question can take, as strings (empty for open ones)."""
    if q.type == "thumbs":
        return ["up", "down"]
    if q.type in ("scale5", "stars"):
        return ["1", "2", "3", "4", "5"]
    if q.type == "yesno":
        return ["yes", "no"]
    if q.type in CHOICE_TYPES:
        return q.choice_values() + (["other"] if q.other else [])
    return []


def schema_validate(raw: Any) -> SurveySchema:
    """Parse a schema about to be written (created, edited or published), with the rules of its
    template; raises pydantic.ValidationError with every problem listed."""
    return SurveySchema.model_validate(raw, context={"writing": True})


# ---------------------------------------------------------------------------------------
# answers

MESSAGES: dict[str, Text] = {
    "required": {"en": "Please answer this question.", "es": "Por favor, responda esta pregunta."},
    "choice": {"en": "Please choose one of the options.", "es": "Elija una de las opciones."},
    "scale": {"en": "Please choose a number from 1 to 5.", "es": "Elija un número del 1 al 5."},
    "too_long": {
        "en": "Please shorten your answer to {limit} characters or fewer.",
        "es": "Acorte su respuesta a {limit} caracteres o menos.",
    },
    "email": {
        "en": "Enter an email address like name@example.com.",
        "es": "Escriba un correo electrónico como nombre@ejemplo.com.",
    },
    "phone": {
        "en": "Enter a phone number with 10 to 15 digits, like 202-555-0123.",
        "es": "Escriba un número de teléfono de 10 a 15 dígitos, como 202-555-0123.",
    },
    "date": {
        "en": "Enter a real date as YYYY-MM-DD.",
        "es": "Escriba una fecha real como AAAA-MM-DD.",
    },
    "other": {
        "en": "Please tell us what 'Other' means here.",
        "es": "Díganos qué significa 'Otro' aquí.",
    },
    "type": {"en": "This answer has the wrong form.", "es": "Esta respuesta no tiene la forma correcta."},
}


def _msg(key: str, lang: str, **kw: Any) -> str:
    text = MESSAGES[key].get(lang) or MESSAGES[key]["en"]
    return text.format(**kw)


def no_nul(value: str) -> str:
    """Text that every database can store: NUL characters dropped (PostgreSQL cannot store
    them; they carry no meaning) and lone surrogates (valid in JSON as "\\ud800", not text)
    replaced by "?"."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def _blank(v: Any) -> bool:
    return v is None or v == "" or v == [] or (isinstance(v, str) and not v.strip())


def is_visible(q: Question, answers: dict[str, Any]) -> bool:
    if q.show_if is None:
        return True
    given = answers.get(q.show_if.question)
    given_list = given if isinstance(given, list) else [given]
    return any(str(g) in q.show_if.in_ for g in given_list if g is not None)


def _clean_one(q: Question, value: Any, answers: dict[str, Any], lang: str) -> tuple[Any, str | None]:
    """(clean value, error message or None) for one visible, non-blank answer."""
    t = q.type
    if t == "thumbs" or t == "yesno":
        v = str(value).strip().lower()
        return (v, None) if v in answer_values(q) else (None, _msg("choice", lang))
    if t in ("scale5", "stars"):
        try:
            n = int(str(value).strip())
        except ValueError:
            return None, _msg("scale", lang)
        return (n, None) if 1 <= n <= 5 else (None, _msg("scale", lang))
    if t == "single":
        v = str(value).strip()
        if v not in answer_values(q):
            return None, _msg("choice", lang)
        return v, None
    if t == "multi":
        vals = value if isinstance(value, list) else [value]
        vals = [str(v).strip() for v in vals if not _blank(v)]
        allowed = answer_values(q)
        if any(v not in allowed for v in vals):
            return None, _msg("choice", lang)
        return list(dict.fromkeys(vals)), None
    if t in TEXT_LIMITS:
        if not isinstance(value, str | int | float):
            return None, _msg("type", lang)
        v = no_nul(str(value)).strip()
        limit = TEXT_LIMITS[t]
        if t == "hidden":  # set by the page, not typed: never block a person's answers
            return v[:limit], None
        return (v, None) if len(v) <= limit else (None, _msg("too_long", lang, limit=limit))
    if t == "email":
        v = str(value).strip()
        try:
            validate_email(v)
        except DjangoValidationError:
            return None, _msg("email", lang)
        return v, None
    if t == "phone":
        digits = re.sub(r"\D", "", str(value))
        return (digits, None) if 10 <= len(digits) <= 15 else (None, _msg("phone", lang))
    if t == "date":
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat(), None
        except ValueError:
            return None, _msg("date", lang)
    return None, _msg("type", lang)  # pragma: no cover - every type is handled above


def answers_clean(
    schema: SurveySchema, raw: dict[str, Any], lang: str = "en"
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate answers. Returns (clean answers, errors by question id).

    Questions hidden by branching are dropped; unknown keys are ignored; "other" text goes in
    `<id>_other`.
    """
    lang = lang if lang in LANGUAGES else "en"
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for q in schema.questions:
        if not is_visible(q, clean):
            continue
        value = raw.get(q.id)
        if _blank(value):
            if q.required:
                errors[q.id] = _msg("required", lang)
            continue
        v, err = _clean_one(q, value, clean, lang)
        if err:
            errors[q.id] = err
            continue
        clean[q.id] = v
        if q.other and (v == "other" or (isinstance(v, list) and "other" in v)):
            raw_other = raw.get(f"{q.id}_other")
            if raw_other is not None and not isinstance(raw_other, str):
                errors[f"{q.id}_other"] = _msg("type", lang)
                continue
            other_text = no_nul(raw_other or "").strip()
            if not other_text:
                errors[f"{q.id}_other"] = _msg("other", lang)
            elif len(other_text) > 500:
                errors[f"{q.id}_other"] = _msg("too_long", lang, limit=500)
            else:
                clean[f"{q.id}_other"] = other_text
    return clean, errors


def trust_of(schema: SurveySchema, answers: dict[str, Any]) -> tuple[bool | None, int | None]:
    """(positive?, 1–5 score) of the trust question; None where not answered."""
    q = schema.with_role("trust")
    if q is None or q.id not in answers:
        return None, None
    v = answers[q.id]
    if q.type == "thumbs":
        return v == "up", None
    if isinstance(v, int):
        return v >= 4, v
    return None, None


def drivers_of(schema: SurveySchema, answers: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(positive drivers, negative drivers) chosen."""
    out: list[list[str]] = []
    for role in ("drivers_positive", "drivers_negative"):
        q = schema.with_role(role)
        v = answers.get(q.id) if q is not None else None
        out.append([d for d in (v or []) if d in DRIVERS])
    # Legacy (FY19–23) surveys ask each driver as its own 1–5 item: 4–5 counts as positive,
    # 1–2 as negative, 3 as neither.
    for q in schema.questions:
        if q.role in DRIVERS and isinstance(answers.get(q.id), int):
            score = answers[q.id]
            if score >= 4:
                out[0].append(q.role)
            elif score <= 2:
                out[1].append(q.role)
    return out[0], out[1]
