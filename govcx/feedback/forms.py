"""Turning a survey schema into page fields and a POST back into answers."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from govcx.feedback.schema import SurveySchema, answer_values


def answers_from_post(schema: SurveySchema, data: QueryDict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for q in schema.questions:
        if q.type == "multi":
            vals = data.getlist(q.id)
            if vals:
                out[q.id] = vals
        elif q.id in data:
            out[q.id] = data.get(q.id)
        if q.other and data.get(f"{q.id}_other"):
            out[f"{q.id}_other"] = data.get(f"{q.id}_other")
    return out


def fields_for(
    schema: SurveySchema, lang: str, values: dict[str, Any], errors: dict[str, str],
    hidden_values: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """What the template needs to draw each question in one language."""
    fields = []
    for n, q in enumerate(schema.questions, start=1):
        value = values.get(q.id)
        if q.type == "hidden":
            value = (hidden_values or {}).get(q.id, value)
        selected = value if isinstance(value, list) else ([str(value)] if value is not None else [])
        options: list[dict[str, str]] = []
        if q.type == "thumbs":
            options = [{"value": "up", "text": "👍 " + ("Sí" if lang == "es" else "Yes")},
                       {"value": "down", "text": "👎 No"}]
        elif q.type == "yesno":
            options = [{"value": "yes", "text": "Sí" if lang == "es" else "Yes"},
                       {"value": "no", "text": "No"}]
        elif q.type in ("scale5", "stars"):
            options = [{"value": v, "text": ("★" * int(v)) + f" {v}" if q.type == "stars" else v}
                       for v in answer_values(q)]
        elif q.type in ("single", "multi"):
            options = [{"value": c.value, "text": c.text.get(lang) or c.text["en"]}
                       for c in q.choices]
            if q.other:
                options.append({"value": "other", "text": "Otro" if lang == "es" else "Other"})
        fields.append({
            "id": q.id, "n": n, "type": q.type, "required": q.required,
            "text": q.text.get(lang) or q.text["en"],
            "help": q.help.get(lang, "") if q.help else "",
            "scale_labels": q.scale_labels.get(lang, "") if q.scale_labels else "",
            "options": options, "selected": selected,
            "value": "" if isinstance(value, list) or value is None else str(value),
            "other": q.other, "other_value": values.get(f"{q.id}_other", ""),
            "error": errors.get(q.id, ""), "other_error": errors.get(f"{q.id}_other", ""),
            "show_if_q": q.show_if.question if q.show_if else "",
            "show_if_in": " ".join(q.show_if.in_) if q.show_if else "",
            "input_type": {"email": "email", "phone": "tel", "date": "date"}.get(q.type, "text"),
        })
    return fields
