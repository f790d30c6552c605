"""The CX maturity frameworks an agency assesses itself against, with a plain-words rubric.

Two frameworks, eleven items, each scored 1–5:

- **OMB Circular A-11, Section 280** ("Managing Customer Experience and Improving Service
  Delivery"): High-Impact Service Providers complete a yearly CX capacity self-assessment
  across five domains: measurement, governance, organisation and culture, customer research
  and service design. The domain names are A-11's; the level wording is ours, written so a
  team can place itself without a consultant.
- **CXPA** (Customer Experience Professionals Association): the six competencies of its CX
  body of knowledge (the CCXP exam outline).

Levels follow one shape everywhere: 1 ad hoc, 2 emerging, 3 defined, 4 managed, 5 embedded.
An item's code (e.g. ``a11.measurement``) is what scores and action links store.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Item:
    code: str
    framework: str  # "a11" or "cxpa"
    name: Promise
    levels: tuple[Promise, Promise, Promise, Promise, Promise]  # level 1 … 5


@dataclass(frozen=True)
class Framework:
    code: str
    name: Promise
    source: Promise
    source_url: str


FRAMEWORKS: dict[str, Framework] = {
    "a11": Framework(
        "a11", _("A-11 CX capacity self-assessment"),
        _("OMB Circular A-11, Section 280: Managing Customer Experience and Improving "
          "Service Delivery (CX capacity assessment domains)"),
        "https://www.performance.gov/cx/a11-280/"),
    "cxpa": Framework(
        "cxpa", _("CXPA competencies"),
        _("Customer Experience Professionals Association (CXPA): the six CX competencies "
          "of the CCXP body of knowledge"),
        "https://www.cxpa.org/"),
}

LEVEL_NAMES = (_("Ad hoc"), _("Emerging"), _("Defined"), _("Managed"), _("Embedded"))

ITEMS: tuple[Item, ...] = (
    Item("a11.measurement", "a11", _("Measurement"), (
        _("We do not collect customer feedback in a regular way."),
        _("Some touchpoints ask for feedback, but questions and timing differ and few people "
          "look at the results."),
        _("The A-11 trust and driver questions are asked at the main touchpoints and reported "
          "every quarter."),
        _("Feedback is joined with operational data (wait times, processing time) and reviewed "
          "against targets every month."),
        _("Measures drive decisions and budgets; results and changes are published for the "
          "public."),
    )),
    Item("a11.governance", "a11", _("Governance"), (
        _("No one is named as responsible for customer experience."),
        _("A CX lead exists, but without authority, budget or a regular forum."),
        _("A senior executive owns CX, with a written plan and a regular review."),
        _("CX goals sit in the strategic plan and in managers' performance plans, with budget."),
        _("CX governance spans programmes and partner agencies; leaders are held to account for "
          "results."),
    )),
    Item("a11.culture", "a11", _("Organisation and culture"), (
        _("Staff see the customer as outside their job."),
        _("A few champions push for the customer's view; training is optional."),
        _("Front-line and policy staff are trained in CX and hear customer feedback regularly."),
        _("Teams are recognised for improving customers' experience; staff feedback is acted "
          "on too."),
        _("Putting the customer first is how everyone works, from hiring to policy design."),
    )),
    Item("a11.research", "a11", _("Customer research"), (
        _("We rely on assumptions about our customers."),
        _("Research happens once in a while, usually by a contractor, and is rarely reused."),
        _("Interviews, usability tests and journey maps are done for major services, with "
          "notes kept."),
        _("Research is planned, continuous and includes people who face the most barriers."),
        _("Research findings shape every major policy, service and technology decision."),
    )),
    Item("a11.design", "a11", _("Service design"), (
        _("Services are designed around internal processes and rules."),
        _("Some digital forms are improved after complaints."),
        _("New services are designed with customers, tested before launch and built for "
          "every channel."),
        _("Services are improved in small steps, measured before and after each change."),
        _("Services are designed across agencies around life events, so people tell "
          "government once."),
    )),
    Item("cxpa.culture", "cxpa", _("Customer-centric culture"), (
        _("Decisions are made without thinking of the customer."),
        _("Leaders talk about the customer, but habits have not changed."),
        _("Values, training and onboarding put the customer first."),
        _("Staff are rewarded and recognised for customer-centred behaviour."),
        _("The customer focus survives changes in leadership; it is how the agency works."),
    )),
    Item("cxpa.voc", "cxpa", _("Voice of the customer, customer insight and understanding"), (
        _("Feedback is anecdotal."),
        _("Surveys run, but comments and results are not analysed or shared."),
        _("Feedback from every channel is collected, analysed for themes and shared."),
        _("Insights combine feedback, behaviour and operations, and reach owners quickly."),
        _("Insight predicts customer needs and is used before problems appear."),
    )),
    Item("cxpa.adoption", "cxpa", _("Organisational adoption and accountability"), (
        _("No one is accountable for acting on feedback."),
        _("Some teams act on feedback, on their own initiative."),
        _("Insights are assigned to owners with due dates and tracked to closure."),
        _("Owners report the effect of their actions; the loop is closed with customers."),
        _("Accountability for CX runs from front line to the top, and is public."),
    )),
    Item("cxpa.strategy", "cxpa", _("Customer experience strategy"), (
        _("There is no CX strategy."),
        _("A CX vision is written but not tied to the agency's goals."),
        _("A CX strategy with goals and priorities is agreed and communicated."),
        _("The strategy is funded, measured and reviewed every year."),
        _("CX strategy and agency strategy are one and the same."),
    )),
    Item("cxpa.design", "cxpa", _("Experience design, improvement and innovation"), (
        _("Improvements happen only after failures."),
        _("Some projects use design methods such as prototypes."),
        _("A repeatable method finds, designs, tests and launches improvements."),
        _("A pipeline of improvements is prioritised by impact and effort."),
        _("The agency experiments continuously and shares what it learns."),
    )),
    Item("cxpa.metrics", "cxpa", _("Metrics, measurement and ROI"), (
        _("CX is not measured."),
        _("Satisfaction is measured but not linked to outcomes or cost."),
        _("CX measures are defined, reported and linked to operational measures."),
        _("The effect of improvements on CX and cost is measured before and after."),
        _("CX measures inform investment decisions and show a return."),
    )),
)
ITEM_BY_CODE: dict[str, Item] = {i.code: i for i in ITEMS}


def item_label(code: str) -> str:
    item = ITEM_BY_CODE.get(code)
    return str(item.name) if item else code
