"""What each staff role may do. Checked by selectors (reads) and services (writes)."""

from __future__ import annotations

from govcx.core.models import Role

R = Role
CAPABILITIES: dict[str, frozenset[str]] = {
    "dashboard.view": frozenset(
        {R.ADMINISTRATOR, R.CX_ANALYST, R.PERFORMANCE_MANAGER, R.AGENT, R.KNOWLEDGE_EDITOR,
         R.VIEWER}
    ),
    "responses.view": frozenset({R.ADMINISTRATOR, R.CX_ANALYST, R.PERFORMANCE_MANAGER, R.AGENT}),
    "responses.manage": frozenset({R.ADMINISTRATOR, R.CX_ANALYST}),
    "responses.export": frozenset({R.ADMINISTRATOR, R.CX_ANALYST, R.PERFORMANCE_MANAGER}),
    "responses.import": frozenset({R.ADMINISTRATOR, R.CX_ANALYST}),
    "surveys.manage": frozenset({R.ADMINISTRATOR, R.CX_ANALYST}),
    "invitations.send": frozenset({R.ADMINISTRATOR, R.CX_ANALYST, R.AGENT}),
    "a11.prepare": frozenset({R.ADMINISTRATOR, R.PERFORMANCE_MANAGER}),
    "a11.publish": frozenset({R.ADMINISTRATOR}),
    "agency.manage": frozenset({R.ADMINISTRATOR}),
    "cases.view": frozenset({R.ADMINISTRATOR, R.AGENT, R.CX_ANALYST}),
    "cases.work": frozenset({R.ADMINISTRATOR, R.AGENT}),
    "cases.supervise": frozenset({R.ADMINISTRATOR}),
    "cases.export": frozenset({R.ADMINISTRATOR, R.CX_ANALYST, R.PERFORMANCE_MANAGER}),
    "customers.merge": frozenset({R.ADMINISTRATOR, R.AGENT}),
    # knowledge base and assistant
    "knowledge.view": frozenset(
        {R.ADMINISTRATOR, R.CX_ANALYST, R.PERFORMANCE_MANAGER, R.AGENT, R.KNOWLEDGE_EDITOR,
         R.VIEWER}
    ),
    "knowledge.edit": frozenset({R.ADMINISTRATOR, R.KNOWLEDGE_EDITOR, R.CX_ANALYST}),
    "knowledge.publish": frozenset({R.ADMINISTRATOR, R.KNOWLEDGE_EDITOR}),
    "assistant.manage": frozenset({R.ADMINISTRATOR, R.KNOWLEDGE_EDITOR}),
    "assistant.report": frozenset({R.ADMINISTRATOR, R.KNOWLEDGE_EDITOR, R.CX_ANALYST,
                                   R.PERFORMANCE_MANAGER}),
    # journey maps, friction points, personas
    "journeys.view": frozenset({R.ADMINISTRATOR, R.CX_ANALYST, R.PERFORMANCE_MANAGER, R.VIEWER}),
    "journeys.manage": frozenset({R.ADMINISTRATOR, R.CX_ANALYST}),
    # KPIs, targets, key drivers (issue 6)
    "targets.manage": frozenset({R.ADMINISTRATOR, R.PERFORMANCE_MANAGER, R.CX_ANALYST}),
    # free-text comments: everyone with comments.view reads them redacted; the original text
    # (with the personal data the person typed) only with personal_data.view
    "comments.view": frozenset({R.ADMINISTRATOR, R.CX_ANALYST, R.PERFORMANCE_MANAGER, R.AGENT}),
    "personal_data.view": frozenset({R.ADMINISTRATOR, R.AGENT}),
    "themes.manage": frozenset({R.ADMINISTRATOR, R.CX_ANALYST}),
    # insights, research notes, actions, alerts, CX maturity
    "insights.view": frozenset({R.ADMINISTRATOR, R.CX_ANALYST, R.PERFORMANCE_MANAGER,
                                R.VIEWER}),
    "insights.manage": frozenset({R.ADMINISTRATOR, R.CX_ANALYST, R.PERFORMANCE_MANAGER}),
    "maturity.assess": frozenset({R.ADMINISTRATOR, R.CX_ANALYST, R.PERFORMANCE_MANAGER}),
    # what the public transparency dashboard shows ("you said, we did" entries, public targets)
    "transparency.publish": frozenset({R.ADMINISTRATOR, R.PERFORMANCE_MANAGER}),
}


def role_allows(role: str, capability: str) -> bool:
    return role in CAPABILITIES[capability]
