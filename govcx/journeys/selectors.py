"""Journey reads, scoped by agency: the services a user may map, a service's event log for a
period and filters, the journey map's figures, drill-down to cases, designed versus actual.

**What a map shows.** For a service and a period [start, end] (whole days, in the project's
time zone): the stored events of the service in the period, plus (by default) the events
without a service of the same journeys (help centre, assistant), plus survey offers and
answers read from the feedback tables (sources.py). A journey that began before the period or
goes on after it is seen only inside the period.

**Filters** keep or drop whole journeys (cases), never single events, so a filtered map is
still made of complete journeys:

* ``channel``: journeys with at least one event on that channel;
* ``persona``: journeys whose case key is a member of the persona (PersonaMember.case_key);
* ``language``: journeys with an event whose ``language`` attribute (or survey response
  language) is that language;
* ``outcome``: journeys that end with that activity (their end point);
* ``attribute`` ``key=value``: journeys with an event whose attribute ``key``, as text, is
  ``value`` (survey answers offer ``trust``, ``language``).

The mined figures (directly-follows graph with counts and mean/median times, start and end
points, variants, case durations) are the engine's (`mining.analyze`) on the filtered log;
this module adds what the engine does not: per-variant durations, per-step counts and mean
positions (the graph's layout), drill-down lists and conformance.

**Designed versus actual (conformance).** A service's intended journey is a list of steps
S = (s1, …, sk). For each journey, take its activity sequence and collapse immediate repeats
(A, A, B → A, B): call it T. Then the journey

* *follows the intended journey exactly* when T = S;
* *follows it with extra steps* when S is a subsequence of T (every intended step happens, in
  the intended order, with other steps or repeats in between) but T ≠ S;
* *deviates* otherwise. Its deviations, each counted in journeys:
  - *skipped step* s: s never happens in the journey;
  - *extra step* a: an activity that is not an intended step happens (also counted for the
    journeys that follow with extra steps);
  - *wrong order* (si, sj), i < j: both happen, and the first sj comes before the first si;
    counted for each such pair of intended steps.

"Follow" in the summary means exactly or with extra steps. Everything is computed per variant
(journeys with the same sequence share the verdict) and weighted by its count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db.models import QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from govcx.core.models import Service
from govcx.core.selectors import AnyUser, agency_ids_for
from govcx.journeys import eventlog, mining, sources
from govcx.journeys.eventlog import ACTIVITY, CASE, TIMESTAMP, EventLog
from govcx.journeys.models import IntendedJourney, JourneyImport, Persona, PersonaMember

DEFAULT_DAYS = 365
MAX_DAYS = 3660
TOP_VARIANTS = 10
DRILL_LIMIT = 500
ATTRIBUTE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,59}$")
_SEP = "\x1f"


# --- services and imports the user may see ------------------------------------------------

def journey_services_for(user: AnyUser, capability: str = "journeys.view") -> QuerySet[Service]:
    return Service.objects.filter(agency_id__in=agency_ids_for(user, capability)).select_related(
        "agency")


def journey_service_get(user: AnyUser, service_id: int,
                        capability: str = "journeys.view") -> Service:
    """The service, or Service.DoesNotExist when the user may not (views answer 404)."""
    return journey_services_for(user, capability).get(pk=service_id)


def journey_imports_for(user: AnyUser, capability: str = "journeys.manage",
                        ) -> QuerySet[JourneyImport]:
    return (JourneyImport.objects.filter(agency_id__in=agency_ids_for(user, capability))
            .defer("data").select_related("agency", "service"))


def intended_steps(service: Service) -> list[str]:
    intended = IntendedJourney.objects.filter(service=service).first()
    return list(intended.steps) if intended else []


# --- filters ---------------------------------------------------------------------------------

class FilterError(ValueError):
    """A filter value is not usable; the message says which and why."""


@dataclass(frozen=True)
class MapFilter:
    start: dt.date
    end: dt.date  # inclusive
    channel: str = ""
    persona: int | None = None
    language: str = ""
    outcome: str = ""
    attribute: str = ""  # "key=value"
    unattributed: bool = True

    @classmethod
    def default(cls, today: dt.date | None = None) -> MapFilter:
        today = today or timezone.localdate()
        return cls(start=today - dt.timedelta(days=DEFAULT_DAYS - 1), end=today)

    @classmethod
    def parse(cls, data: Mapping[str, Any], today: dt.date | None = None) -> MapFilter:
        """From a query string; raises FilterError with a plain message."""
        base = cls.default(today)

        def text(name: str, limit: int = 200) -> str:
            return str(data.get(name, "") or "").replace("\x00", "").strip()[:limit]

        def day(name: str, fallback: dt.date) -> dt.date:
            raw = text(name, 20)
            if not raw:
                return fallback
            try:
                return dt.date.fromisoformat(raw)
            except ValueError as exc:
                raise FilterError(f"'{raw}' is not a date (use YYYY-MM-DD).") from exc

        start, end = day("start", base.start), day("end", base.end)
        if end < start:
            raise FilterError("The end of the period is before its start.")
        if (end - start).days >= MAX_DAYS:
            raise FilterError(f"A period can be at most {MAX_DAYS} days.")
        persona_raw = text("persona", 20)
        persona: int | None = None
        if persona_raw:
            if not persona_raw.isdigit() or not 0 < int(persona_raw) < 2**63:
                raise FilterError("Choose a persona from the list.")
            persona = int(persona_raw)
        attribute = text("attribute", 200)
        if attribute:
            key, sep, _value = attribute.partition("=")
            if not sep or not ATTRIBUTE_KEY.match(key.strip()):
                raise FilterError("Write the attribute as key=value, for example trust=negative.")
        return cls(start=start, end=end, channel=text("channel", 20), persona=persona,
                   language=text("language", 8), outcome=text("outcome"), attribute=attribute,
                   unattributed=str(data.get("unattributed", "1")) != "0")

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end

    def query(self) -> dict[str, str]:
        """The filter as query-string parameters (for links that keep it)."""
        q = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        for name in ("channel", "language", "outcome", "attribute"):
            if getattr(self, name):
                q[name] = getattr(self, name)
        if self.persona is not None:
            q["persona"] = str(self.persona)
        if not self.unattributed:
            q["unattributed"] = "0"
        return q

    @property
    def attribute_pair(self) -> tuple[str, str] | None:
        if not self.attribute:
            return None
        key, _sep, value = self.attribute.partition("=")
        return key.strip(), value.strip()


# --- the event log ---------------------------------------------------------------------------

def journey_log(*, service: Service, flt: MapFilter) -> EventLog:
    """The service's journeys in the period, filtered (see the module docstring)."""
    start, end = flt.bounds()
    scope = sources.events_scope(agency_id=service.agency_id, service_id=service.pk,
                                 start=start, end=end, unattributed=flt.unattributed)
    stored = sources.service_events(agency_id=service.agency_id, service_id=service.pk,
                                    start=start, end=end, unattributed=flt.unattributed)
    adapter = sources.survey_frame(agency_id=service.agency_id, service_id=service.pk,
                                   start=start, end=end)
    parts = [stored] + ([adapter.select(list(sources.SCHEMA))] if adapter.height else [])
    frame = pl.concat(parts, how="vertical") if len(parts) > 1 else stored

    keep: set[str] | None = None

    def narrow(keys: set[str]) -> None:
        nonlocal keep
        keep = keys if keep is None else keep & keys

    if flt.channel:
        narrow(set(frame.filter(pl.col("channel") == flt.channel).get_column(CASE).unique()))
    if flt.persona is not None:
        narrow(set(PersonaMember.objects.filter(
            persona_id=flt.persona, persona__agency_id=service.agency_id)
            .values_list("case_key", flat=True)))
    for key, value in ((("language", flt.language),) if flt.language else ()) + (
            (flt.attribute_pair,) if flt.attribute_pair else ()):
        found = set(scope.alias(_attr=Cast(KeyTextTransform(key, "attributes"), TextField()))
                    .filter(_attr=value).values_list("case_key", flat=True).distinct())
        if key in ("language", "trust") and adapter.height:
            found |= set(adapter.filter(pl.col(key) == value).get_column(CASE).unique())
        elif key == "channel":
            found |= set(frame.filter(pl.col("channel") == value).get_column(CASE).unique())
        narrow(found)
    if keep is not None:
        frame = frame.filter(pl.col(CASE).is_in(sorted(keep)))
    log = eventlog.from_frame(frame.sort(["seq", "id"]).drop(["seq", "id"]),
                              source=f"service {service.pk}")
    if flt.outcome:
        ends = log.frame.filter(pl.col(CASE) != pl.col(CASE).shift(-1).fill_null(""))
        cases = ends.filter(pl.col(ACTIVITY) == flt.outcome).get_column(CASE)
        log = EventLog(frame=log.frame.filter(pl.col(CASE).is_in(cases.implode())),
                       skipped=log.skipped,
                       source=log.source)
    return log


def filter_choices(*, service: Service) -> dict[str, Any]:
    """What the filter form offers: the service's channels, personas of its agency."""
    from govcx.core.models import Service as S

    return {
        "channels": [(c, str(S.Channel(c).label) if c in S.Channel.values else c)
                     for c in dict.fromkeys([*service.channels, "web", "email", "sms", "phone",
                                             "chat"])],
        "personas": list(Persona.objects.filter(agency_id=service.agency_id)
                         .order_by("-size", "name").values_list("id", "name")),
    }


# --- the map ---------------------------------------------------------------------------------

def variant_key(activities: tuple[str, ...] | list[str]) -> str:
    """A short, stable id of an activity sequence (for drill-down links)."""
    return hashlib.sha1(_SEP.join(activities).encode(), usedforsecurity=False).hexdigest()[:12]


@dataclass(frozen=True)
class Step:
    activity: str
    events: int
    cases: int
    start: int
    end: int
    mean_position: float  # 0 = first step of a journey


@dataclass(frozen=True)
class VariantRow:
    activities: tuple[str, ...]
    count: int
    share: float
    mean_seconds: float
    median_seconds: float
    key: str


@dataclass
class Conformance:
    steps: list[str]
    cases: int
    exact: int
    extra_only: int  # follow, with extra steps
    deviate: int
    skipped: list[tuple[str, int]]  # (intended step, journeys without it)
    extra: list[tuple[str, int]]  # (activity not intended, journeys with it)
    order: list[tuple[str, str, int]]  # (si, sj, journeys where first sj before first si)

    @property
    def follow(self) -> int:
        return self.exact + self.extra_only


@dataclass
class JourneyMap:
    stats: mining.JourneyStats
    steps: list[Step]
    variants: list[VariantRow]  # the top ones
    conformance: Conformance | None = None
    variant_total: int = 0
    notes: list[str] = field(default_factory=list)


def _case_table(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """One row per case (in log order): case, activity codes (list), first, last; and the
    activity names the codes index (sorted)."""
    names = frame.get_column(ACTIVITY).unique().sort().to_list()
    codes = frame.get_column(ACTIVITY).cast(pl.Enum(names)).to_physical().cast(pl.UInt32)
    case = frame.get_column(CASE)
    case_no = (case != case.shift(1)).fill_null(True).cum_sum()
    table = (
        pl.DataFrame({"no": case_no, CASE: case, "code": codes,
                      TIMESTAMP: frame.get_column(TIMESTAMP)})
        .group_by("no", maintain_order=True)
        .agg(pl.col(CASE).first(), pl.col("code"), pl.col(TIMESTAMP).first().alias("first"),
             pl.col(TIMESTAMP).last().alias("last"))
        .with_columns(((pl.col("last") - pl.col("first")).dt.total_nanoseconds() / 1e9)
                      .alias("seconds"),
                      pl.col("code").cast(pl.List(pl.String)).list.join(",").alias("vkey"))
    )
    return table, names


def _variant_table(cases: pl.DataFrame) -> pl.DataFrame:
    """code (list), count, mean_seconds, median_seconds, vkey; most frequent first."""
    return (cases.group_by("vkey")
            .agg(pl.col("code").first(), pl.len().alias("count"),
                 pl.col("seconds").mean().alias("mean_seconds"),
                 pl.col("seconds").median().alias("median_seconds"))
            .sort(["count", "vkey"], descending=[True, False])
            .select("code", "count", "mean_seconds", "median_seconds", "vkey"))


def _steps(frame: pl.DataFrame, stats: mining.JourneyStats) -> list[Step]:
    case = pl.col(CASE)
    first = (case != case.shift(1)).fill_null(True)
    per = (
        frame.lazy().select(CASE, ACTIVITY)
        .with_columns(first.cum_sum().alias("__no"))
        .with_columns(pl.int_range(pl.len()).alias("__row"))
        .with_columns((pl.col("__row") - pl.col("__row").min().over("__no")).alias("__pos"))
        .group_by(ACTIVITY)
        .agg(pl.len().alias("events"), pl.col("__no").n_unique().alias("cases"),
             pl.col("__pos").mean().alias("pos"))
        .collect()
    )
    rows = [Step(activity=a, events=int(e), cases=int(c), start=stats.start.get(a, 0),
                 end=stats.end.get(a, 0), mean_position=float(p))
            for a, e, c, p in per.iter_rows()]
    rows.sort(key=lambda s: (s.mean_position, -s.events, s.activity))
    return rows


def journey_map(*, log: EventLog, intended: list[str] | None = None,
                top: int = TOP_VARIANTS) -> JourneyMap:
    frame = log.frame
    stats = mining.analyze(log, top=top)
    if frame.height == 0:
        return JourneyMap(stats=stats, steps=[], variants=[], variant_total=0,
                          conformance=_conformance([], intended) if intended else None)
    cases, names = _case_table(frame)
    variants = _variant_table(cases)
    total_cases = cases.height
    # the engine's top variants (its order and counts), with this module's durations
    by_codes = {tuple(names[c] for c in codes): (m, md) for codes, _n, m, md, _k in
                variants.iter_rows()}
    rows = []
    for v in stats.variants:
        mean_s, median_s = by_codes.get(v.activities, (0.0, 0.0))
        rows.append(VariantRow(activities=v.activities, count=v.count,
                               share=v.count / total_cases, mean_seconds=float(mean_s),
                               median_seconds=float(median_s), key=variant_key(v.activities)))
    conformance = None
    if intended:
        seqs = [(tuple(names[c] for c in codes), int(n)) for codes, n, _m, _md, _k in
                variants.iter_rows()]
        conformance = _conformance(seqs, intended)
    return JourneyMap(stats=stats, steps=_steps(frame, stats), variants=rows,
                      conformance=conformance, variant_total=stats.variant_total)


# --- designed versus actual ------------------------------------------------------------------

def collapse(seq: tuple[str, ...] | list[str]) -> list[str]:
    out: list[str] = []
    for a in seq:
        if not out or out[-1] != a:
            out.append(a)
    return out


def is_subsequence(needle: list[str], hay: list[str]) -> bool:
    it = iter(hay)
    return all(any(x == y for y in it) for x in needle)


@dataclass(frozen=True)
class Verdict:
    kind: str  # exact, extra, deviate
    skipped: tuple[str, ...]
    extra: tuple[str, ...]
    order: tuple[tuple[str, str], ...]


def verdict(seq: tuple[str, ...] | list[str], steps: list[str]) -> Verdict:
    """One journey against the intended steps (definitions in the module docstring)."""
    t = collapse(seq)
    intended = set(steps)
    skipped = tuple(s for s in steps if s not in t)
    extra = tuple(dict.fromkeys(a for a in t if a not in intended))
    first: dict[str, int] = {}
    for i, a in enumerate(t):
        first.setdefault(a, i)
    present = [s for s in steps if s in first]
    order = tuple((si, sj) for i, si in enumerate(present) for sj in present[i + 1:]
                  if first[sj] < first[si])
    if t == steps:
        kind = "exact"
    elif is_subsequence(steps, t):
        kind = "extra"
    else:
        kind = "deviate"
    return Verdict(kind=kind, skipped=skipped, extra=extra, order=order)


def _conformance(seqs: list[tuple[tuple[str, ...], int]], steps: list[str] | None,
                 ) -> Conformance:
    steps = list(steps or [])
    exact = extra_only = deviate = 0
    skipped: dict[str, int] = {}
    extra: dict[str, int] = {}
    order: dict[tuple[str, str], int] = {}
    total = 0
    for seq, n in seqs:
        total += n
        v = verdict(seq, steps)
        if v.kind == "exact":
            exact += n
        elif v.kind == "extra":
            extra_only += n
        else:
            deviate += n
        for s in v.skipped:
            skipped[s] = skipped.get(s, 0) + n
        for a in v.extra:
            extra[a] = extra.get(a, 0) + n
        for pair in v.order:
            order[pair] = order.get(pair, 0) + n

    def ranked(d: dict[Any, int]) -> list[tuple[Any, int]]:
        return sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))

    return Conformance(
        steps=steps, cases=total, exact=exact, extra_only=extra_only, deviate=deviate,
        skipped=[(s, n) for s, n in ranked(skipped)],
        extra=[(a, n) for a, n in ranked(extra)],
        order=[(a, b, n) for (a, b), n in ranked(order)])


# --- drill-down ------------------------------------------------------------------------------

DRILLS = ("step", "arc", "variant", "start", "end", "conformance", "skipped", "extra", "order")


@dataclass(frozen=True)
class Drill:
    kind: str  # one of DRILLS
    a: str = ""
    b: str = ""

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Drill:
        kind = str(data.get("drill", "") or "")
        if kind not in DRILLS:
            raise FilterError("Choose a step, an arrow or a path on the map to list its "
                              "journeys.")
        a = str(data.get("a", "") or "").replace("\x00", "")[:200]
        b = str(data.get("b", "") or "").replace("\x00", "")[:200]
        if not a:
            raise FilterError("Say which step, arrow or path to list.")
        if kind in ("arc", "order") and not b:
            raise FilterError("An arrow needs both of its steps.")
        return cls(kind=kind, a=a, b=b)

    def query(self) -> dict[str, str]:
        q = {"drill": self.kind, "a": self.a}
        if self.b:
            q["b"] = self.b
        return q


@dataclass
class DrillResult:
    case_keys: list[str]  # the first DRILL_LIMIT, in log order
    total: int
    label: str


def drill_cases(*, log: EventLog, drill: Drill, intended: list[str] | None = None,
                limit: int = DRILL_LIMIT) -> DrillResult:
    """The journeys (case keys) behind a step, an arrow, a path, a start or end point, or a
    conformance figure."""
    frame = log.frame
    case, act = pl.col(CASE), pl.col(ACTIVITY)
    label = drill.a
    if drill.kind in ("conformance", "skipped", "extra", "order") and not intended:
        raise FilterError("This service has no intended journey yet.")
    if drill.kind == "step":
        keys = frame.filter(act == drill.a).get_column(CASE).unique(maintain_order=True)
    elif drill.kind == "arc":
        keys = (frame.lazy().select(CASE, ACTIVITY)
                .filter((act == drill.a) & (act.shift(-1) == drill.b)
                        & (case == case.shift(-1)))
                .select(CASE).collect().get_column(CASE).unique(maintain_order=True))
        label = f"{drill.a} → {drill.b}"
    elif drill.kind in ("start", "end"):
        edge = (case != case.shift(1)) if drill.kind == "start" else (case != case.shift(-1))
        keys = (frame.filter(edge.fill_null(True) & (act == drill.a))
                .get_column(CASE).unique(maintain_order=True))
    else:
        if frame.height == 0:
            return DrillResult(case_keys=[], total=0, label=label)
        cases, names = _case_table(frame)
        steps = list(intended or [])
        wanted: list[str] = []
        for codes, vkey in _variant_table(cases).select("code", "vkey").iter_rows():
            seq = tuple(names[c] for c in codes)
            if drill.kind == "variant":
                hit = variant_key(seq) == drill.a
                label = " → ".join(seq) if hit else label
            else:
                v = verdict(seq, steps)
                hit = {"conformance": drill.a in (v.kind, "follow" if v.kind != "deviate"
                                                  else ""),
                       "skipped": drill.a in v.skipped,
                       "extra": drill.a in v.extra,
                       "order": (drill.a, drill.b) in v.order}[drill.kind]
            if hit:
                wanted.append(vkey)
        if drill.kind == "order":
            label = f"{drill.b} before {drill.a}"
        sel = cases.filter(pl.col("vkey").is_in(wanted))
        keys = sel.get_column(CASE)
    return DrillResult(case_keys=keys.head(limit).to_list(), total=keys.len(), label=label)
