"""Closing the loop after a case is resolved (A-11 survey on the case's channel)."""

from __future__ import annotations


def on_case_resolved(case_id: int) -> None:
    """Placeholder hook: the survey-on-resolution loop arrives with its own change."""
    return None
