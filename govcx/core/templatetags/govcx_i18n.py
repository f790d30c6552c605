"""`{% lang_url "es" %}`: the current page's query string with `lang` set, for the staff
pages' language switch (filters and periods stay as they are)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def lang_url(context: Any, lang: str) -> str:
    request = context.get("request")
    if request is None:
        return f"?lang={lang}"
    query = request.GET.copy()
    query["lang"] = lang
    return "?" + query.urlencode()
