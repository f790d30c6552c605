"""Parsing of request parameters that every staff page shares."""

from __future__ import annotations

from typing import Any

MAX_ID = 2**63 - 1  # the largest id a bigint primary key can hold (PostgreSQL refuses more)


def id_param(raw: Any) -> int | None:
    """A database id from a query-string or form value, or None for anything that cannot be
    one (blank, not a number, zero or negative, too large for the column)."""
    try:
        value = int(str(raw).strip()) if raw not in (None, "") else None
    except ValueError:
        return None
    return value if value is not None and 1 <= value <= MAX_ID else None
