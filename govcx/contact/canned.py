"""Canned replies: fill the placeholders of a saved answer for one case and one agent.

Known placeholders: {customer_name} {case_id} {agent_name} {agency} {service}. A placeholder
that is not one of these stays visible in the text (so the agent sees it before sending) and
is reported in `unknown`; a known placeholder with no value for this case (no name on record,
no service) also stays visible and is reported in `missing`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from govcx.contact.models import CannedReply, Case, Contact

PLACEHOLDERS = ("customer_name", "case_id", "agent_name", "agency", "service")
_PATTERN = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class Rendered:
    text: str
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unknown and not self.missing


def customer_name(case: Case) -> str:
    """The name the person gave (the display name of the last inbound sender), or ''."""
    senders = (Contact.objects.filter(case=case, direction=Contact.Direction.INBOUND)
               .exclude(sender="").order_by("-at", "-id").values_list("sender", flat=True)[:5])
    for sender in senders:
        name, _addr = parseaddr(sender)
        if name.strip():
            return name.strip()
    return ""


def agent_name(agent: Any) -> str:
    if agent is None:
        return ""
    full = (agent.get_full_name() if hasattr(agent, "get_full_name") else "").strip()
    return full or agent.get_username()


def placeholder_values(case: Case, agent: Any) -> dict[str, str]:
    return {
        "customer_name": customer_name(case),
        "case_id": str(case.pk),
        "agent_name": agent_name(agent),
        "agency": case.agency.name if case.agency_id else "",
        "service": case.service.name if case.service_id and case.service else "",
    }


def canned_reply_render(reply: CannedReply, case: Case, agent: Any) -> Rendered:
    """The reply's text for this case, with what could not be filled reported."""
    values = placeholder_values(case, agent)
    unknown: list[str] = []
    missing: list[str] = []

    def fill(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in values:
            if name not in unknown:
                unknown.append(name)
            return m.group(0)
        if not values[name]:
            if name not in missing:
                missing.append(name)
            return m.group(0)
        return values[name]

    return Rendered(text=_PATTERN.sub(fill, reply.body), unknown=unknown, missing=missing)
