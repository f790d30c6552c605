"""Friction points, found in an event log and ranked by what they cost people.

Input: an :class:`~govcx.journeys.eventlog.EventLog` (Polars, sorted by case, time and file
order). Optional columns used when present: ``channel``, ``source`` (``"contact"`` marks a
contact-centre event) and the survey attributes of "survey answered" events, normalised by
:func:`survey_columns`: ``trust_positive`` (bool), ``drivers_negative`` (text, ``|``-joined)
and ``comment``. A row with a non-null ``trust_positive`` or a non-empty ``drivers_negative``
is a survey answer; survey answers are feedback *about* a journey, not steps of it, so every
kind below except the survey one ignores them.

Kinds, with what "people" and "time lost" mean for each (time is always in seconds, summed
over the people affected):

* **bottleneck** (an arc A → B): slow transitions. An arc is slow when its median wait is at
  least ``slow_factor`` (2) times the median wait of all transitions in the log and at least
  ``min_wait`` (one hour). People: journeys with the arc. Time lost: occurrences × median wait
  (the median, so one forgotten case does not dominate).
* **loop** (an activity A): rework, A repeated within a journey. Activities that repeat in
  more than half of the journeys they occur in are recurring by design (monthly payments) and
  are left out. People: journeys with A more than once. Extra steps: the repetitions. Time
  lost: per journey, the time from the first to the last A. The sentence names the step that
  most often comes right before a repetition (e.g. "Documents re-requested").
* **channel_switch** (a pair and the step before it: "web → phone after 'Web error'"):
  from one step of a journey to the very next, both on the person's own channels
  (:data:`SWITCH_CHANNELS`: email and paper are left out because they are mostly the agency
  writing; back-office steps have no channel and a step of the agency in between means the
  person did not switch, they were answered), the channel changes. Grouped by the step
  right before the switch, because that is what to fix (a web error sends people to the
  phone; a long wait sends them to ask). People: journeys with that switch. Time lost: the
  gap between the last event on the old channel and the first on the new one.
* **drop_off** (the last activity A): a journey that stops without reaching an outcome.
  Outcomes are the ``outcomes`` given (a service may declare them) or, if none, inferred:
  every activity that is the last step of at least half of the journeys it occurs in (a
  decision, a payment) is an outcome; a step after which journeys usually go on is not.
  Only journeys idle (no event until the end of the log) for more than ``idle_days`` (30)
  *and* longer than 95% of the journeys that did go on after the same step waited count:
  the others may still be going (a slow decision is not a drop-off while it is normal).
  People: dropped journeys, grouped by their last step. Time lost: the time those people had
  spent on the journey before they stopped.
* **repeat_contact** (the activity of the repeat contact): a contact event (``source ==
  "contact"`` or a channel in :data:`CONTACT_CHANNELS`) that starts more than ``same_contact``
  (four hours: a call and its wrap-up, one office visit) after the journey's previous
  contact event and within ``window_days`` (the
  first-contact-resolution window, ``FCR_WINDOW_DAYS``) of it: the person had to come back.
  People: journeys with a repeat contact. Time lost: the gaps between the earlier contact
  and each repeat (how long the matter stayed open before the person had to chase it).
* **low_trust** (an activity A): the survey answers given after A in a journey are more
  often negative (trust not positive, or a negative driver named) than all answers: at least
  ``min_answers`` answers and a share at least ``trust_margin`` (10 points) above the overall
  share. People: negative answers after A beyond what the overall share would give. Time
  lost: none is measured (0).

Ranking: ``score = people × max(time lost per person, MIN_EFFORT_SECONDS)``, i.e. the total
time lost, where every person affected counts for at least a quarter of an hour (what one
extra contact or form costs someone), so that friction without a measured time (low trust)
still ranks by how many people it touches. Highest score first; ties by people, then kind
and place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from govcx.journeys.eventlog import ACTIVITY, CASE, TIMESTAMP, EventLog

KINDS = ("bottleneck", "loop", "channel_switch", "drop_off", "repeat_contact", "low_trust")
SWITCH_CHANNELS = frozenset({"web", "mobile", "phone", "chat", "in_person", "office", "sms",
                             "video"})
CONTACT_CHANNELS = frozenset({"phone", "chat", "in_person", "office", "video"})
MIN_EFFORT_SECONDS = 15 * 60
CASE_KEYS_KEPT = 500  # drill-down keys kept per friction point


@dataclass
class FrictionPoint:
    kind: str  # one of KINDS
    where: str  # an activity, or an arc "A → B", or a channel pair "web → phone"
    people: int  # journeys (cases) affected
    time_lost_seconds: float  # summed over the people affected
    sentence: str  # plain language, English (the page translates the frame around it)
    case_keys: list[str] = field(default_factory=list)  # for drill-down, up to CASE_KEYS_KEPT
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Stable identifier of the point in URLs: kind plus a digest of the place."""
        digest = hashlib.sha1(self.where.encode(), usedforsecurity=False).hexdigest()[:10]
        return f"{self.kind}-{digest}"

    @property
    def score(self) -> float:
        if self.people <= 0:
            return 0.0
        per_person = self.time_lost_seconds / self.people
        return self.people * max(per_person, MIN_EFFORT_SECONDS)

    @property
    def time_lost_per_person_seconds(self) -> float:
        return self.time_lost_seconds / self.people if self.people else 0.0


def rank(points: Iterable[FrictionPoint]) -> list[FrictionPoint]:
    """Highest score (time lost × people, see the module docstring) first."""
    return sorted(points, key=lambda p: (-p.score, -p.people, p.kind, p.where))


# --------------------------------------------------------------------------- helpers


def human_duration(seconds: float) -> str:
    """'3.5 days', '4 hours', '12 minutes': the unit people would say (translated)."""
    s = float(seconds)
    if s >= 100 * 86400:
        return _("%(n)s days") % {"n": f"{round(s / 86400):,}"}
    if s >= 2 * 86400:
        return _("%(n)s days") % {"n": _one_decimal(s / 86400)}
    if s >= 2 * 3600:
        return _("%(n)s hours") % {"n": _one_decimal(s / 3600)}
    if s >= 120:
        return _("%(n)s minutes") % {"n": round(s / 60)}
    n = round(s)
    return ngettext("%(n)s second", "%(n)s seconds", n) % {"n": n}


def _one_decimal(x: float) -> str:
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _channel(code: str) -> str:
    from govcx.core.models import Service

    labels = dict(Service.Channel.choices)
    return str(labels[code]) if code in labels else code


def _keys(series: pl.Series) -> list[str]:
    return sorted(str(k) for k in series.unique().to_list())[:CASE_KEYS_KEPT]


def _seconds(expr: pl.Expr) -> pl.Expr:
    return expr.dt.total_microseconds().cast(pl.Float64) / 1_000_000


def _survey_mask(frame: pl.DataFrame) -> pl.Series:
    mask = pl.Series([False] * frame.height, dtype=pl.Boolean)
    if "trust_positive" in frame.columns:
        mask = mask | frame.get_column("trust_positive").is_not_null()
    if "drivers_negative" in frame.columns:
        neg = frame.get_column("drivers_negative").cast(pl.String)
        mask = mask | (neg.is_not_null() & (neg.str.len_bytes() > 0))
    return mask


def steps_only(frame: pl.DataFrame) -> pl.DataFrame:
    """The journey's steps: survey answers removed (they are about the journey)."""
    return frame.filter(~_survey_mask(frame)) if frame.height else frame


def _with_next(frame: pl.DataFrame, *cols: str) -> pl.DataFrame:
    """Each event with the next event of the same case (nulls at the end of a case)."""
    same = pl.col(CASE) == pl.col(CASE).shift(-1)
    out = [pl.when(same).then(pl.col(c).shift(-1)).alias(f"next:{c}")
           for c in (ACTIVITY, TIMESTAMP, *cols)]
    return frame.with_columns(out)


def _log_end(frame: pl.DataFrame) -> datetime | None:
    value = frame.get_column(TIMESTAMP).max() if frame.height else None
    return value if isinstance(value, datetime) else None


# --------------------------------------------------------------------------- kinds


def bottlenecks(frame: pl.DataFrame, *, slow_factor: float = 2.0, min_wait: float = 3600.0,
                min_cases: int = 1, limit: int = 5) -> list[FrictionPoint]:
    steps = _with_next(steps_only(frame))
    arcs = steps.filter(pl.col(f"next:{ACTIVITY}").is_not_null()).with_columns(
        _seconds(pl.col(f"next:{TIMESTAMP}") - pl.col(TIMESTAMP)).alias("wait"))
    if not arcs.height:
        return []
    overall = float(arcs.get_column("wait").median() or 0.0)  # type: ignore[arg-type]
    threshold = max(slow_factor * overall, min_wait)
    grouped = arcs.group_by([ACTIVITY, f"next:{ACTIVITY}"]).agg(
        pl.len().alias("n"), pl.col(CASE).n_unique().alias("cases"),
        pl.col("wait").median().alias("median"), pl.col("wait").mean().alias("mean"),
        pl.col(CASE).unique().sort().head(CASE_KEYS_KEPT).alias("keys"),
    ).filter((pl.col("median") >= threshold) & (pl.col("cases") >= min_cases))
    out = []
    for row in grouped.iter_rows(named=True):
        a, b, n, cases = row[ACTIVITY], row[f"next:{ACTIVITY}"], row["n"], row["cases"]
        median = float(row["median"])
        lost = n * median
        out.append(FrictionPoint(
            kind="bottleneck", where=f"{a} → {b}", people=int(cases), time_lost_seconds=lost,
            sentence=ngettext(
                "%(n)s journey waited a median of %(median)s between '%(a)s' and '%(b)s' "
                "(the typical step takes %(typical)s): about %(total)s of waiting in all.",
                "%(n)s journeys waited a median of %(median)s between '%(a)s' and '%(b)s' "
                "(the typical step takes %(typical)s): about %(total)s of waiting in all.",
                int(cases)) % {"n": f"{int(cases):,}", "median": human_duration(median),
                               "a": a, "b": b, "typical": human_duration(overall),
                               "total": human_duration(lost)},
            case_keys=[str(k) for k in row["keys"]],
            detail={"source": a, "target": b, "transitions": int(n),
                    "median_seconds": median, "mean_seconds": float(row["mean"]),
                    "typical_seconds": overall},
        ))
    return rank(out)[:limit]


def loops(frame: pl.DataFrame, *, min_cases: int = 1, limit: int = 5) -> list[FrictionPoint]:
    steps = steps_only(frame).with_columns(
        pl.col(ACTIVITY).shift(1).over(CASE).alias("prev"),
        pl.int_range(pl.len()).over([CASE, ACTIVITY]).alias("occurrence"),
    )
    if not steps.height:
        return []
    per_case = steps.group_by([ACTIVITY, CASE]).agg(
        pl.len().alias("count"),
        _seconds(pl.col(TIMESTAMP).max() - pl.col(TIMESTAMP).min()).alias("span"),
    )
    per_activity = per_case.group_by(ACTIVITY).agg(
        pl.len().alias("cases"), (pl.col("count") > 1).sum().alias("repeated"),
    )
    recurring = set(per_activity.filter(pl.col("repeated") * 2 > pl.col("cases"))
                    .get_column(ACTIVITY).to_list())
    repeats = steps.filter(pl.col("occurrence") > 0)
    out = []
    for activity, group in per_case.filter(pl.col("count") > 1).group_by(ACTIVITY):
        name = str(activity[0])
        cases = group.height
        if name in recurring or cases < min_cases:
            continue
        extra = int((group.get_column("count") - 1).sum())
        lost = float(group.get_column("span").sum())
        before = (repeats.filter(pl.col(ACTIVITY) == name).get_column("prev")
                  .drop_nulls().value_counts(sort=True))
        cause = str(before.row(0)[0]) if before.height else ""
        after = (_(", most often right after '%(step)s'") % {"step": cause}
                 if cause and cause != name else "")
        out.append(FrictionPoint(
            kind="loop", where=name, people=cases, time_lost_seconds=lost,
            sentence=ngettext(
                "'%(step)s' had to be done again in %(n)s journey (extra steps: %(extra)s)"
                "%(after)s; the rework took %(each)s per journey on average.",
                "'%(step)s' had to be done again in %(n)s journeys (extra steps: %(extra)s)"
                "%(after)s; the rework took %(each)s per journey on average.",
                cases) % {"step": name, "n": f"{cases:,}", "extra": f"{extra:,}",
                          "after": after, "each": human_duration(lost / cases)},
            case_keys=_keys(group.get_column(CASE)),
            detail={"extra_steps": extra, "cause": cause},
        ))
    return rank(out)[:limit]


def channel_switches(frame: pl.DataFrame, *, channels: Iterable[str] = SWITCH_CHANNELS,
                     min_cases: int = 1, limit: int = 5) -> list[FrictionPoint]:
    if "channel" not in frame.columns:
        return []
    allowed = list(channels)
    moves = _with_next(steps_only(frame), "channel").filter(
        pl.col("channel").is_in(allowed) & pl.col("next:channel").is_in(allowed)
        & (pl.col("next:channel") != pl.col("channel"))
    ).with_columns(_seconds(pl.col(f"next:{TIMESTAMP}") - pl.col(TIMESTAMP)).alias("gap"))
    out = []
    for (src, dst, cause), group in moves.group_by(["channel", "next:channel", ACTIVITY]):
        cases = int(group.get_column(CASE).n_unique())
        if cases < min_cases:
            continue
        lost = float(group.get_column("gap").sum())
        out.append(FrictionPoint(
            kind="channel_switch", where=f"{src} → {dst} after '{cause}'", people=cases,
            time_lost_seconds=lost,
            sentence=ngettext(
                "%(n)s journey moved from %(src)s to %(dst)s right after '%(step)s'; getting "
                "going again took %(each)s on average.",
                "%(n)s journeys moved from %(src)s to %(dst)s right after '%(step)s'; getting "
                "going again took %(each)s on average.",
                cases) % {"n": f"{cases:,}", "src": _channel(str(src)), "dst": _channel(str(dst)),
                          "step": cause, "each": human_duration(lost / group.height)},
            case_keys=_keys(group.get_column(CASE)),
            detail={"from": src, "to": dst, "switches": group.height, "cause": cause},
        ))
    return rank(out)[:limit]


def inferred_outcomes(frame: pl.DataFrame) -> set[str]:
    """Activities that end at least half of the journeys they occur in."""
    steps = steps_only(frame)
    if not steps.height:
        return set()
    ends = steps.group_by(CASE, maintain_order=True).agg(pl.col(ACTIVITY).last().alias("end"))
    end_counts = dict(ends.get_column("end").value_counts().iter_rows())
    occurs = steps.group_by(ACTIVITY).agg(pl.col(CASE).n_unique().alias("cases"))
    return {a for a, n in occurs.iter_rows() if end_counts.get(a, 0) * 2 >= n}


def case_outcomes(frame: pl.DataFrame, *, outcomes: Iterable[str] | None = None,
                  idle_days: float = 30.0, now: datetime | None = None) -> pl.DataFrame:
    """Per journey: ``reached`` (an outcome), ``dropped`` (no outcome and idle), ``last``
    step, ``duration`` in seconds. Journeys neither reached nor dropped are still going."""
    steps = steps_only(frame)
    chosen = set(outcomes) if outcomes else inferred_outcomes(steps)
    end = now or _log_end(steps)
    per = steps.group_by(CASE, maintain_order=True).agg(
        pl.col(ACTIVITY).is_in(list(chosen)).any().alias("reached"),
        pl.col(ACTIVITY).last().alias("last"),
        pl.col(TIMESTAMP).last().alias("last_at"),
        _seconds(pl.col(TIMESTAMP).max() - pl.col(TIMESTAMP).min()).alias("duration"),
    )
    if end is None:
        return per.with_columns(pl.lit(False).alias("dropped"))
    waits = _with_next(steps).filter(pl.col(f"next:{ACTIVITY}").is_not_null()).group_by(
        ACTIVITY).agg(_seconds(pl.col(f"next:{TIMESTAMP}") - pl.col(TIMESTAMP))
                      .quantile(0.95, interpolation="linear").alias("usual"))
    per = per.join(waits.rename({ACTIVITY: "last"}), on="last", how="left")
    idle = _seconds(pl.lit(end).cast(per.schema["last_at"]) - pl.col("last_at"))
    patience = pl.max_horizontal(pl.lit(idle_days * 86400.0), pl.col("usual").fill_null(0.0))
    return per.with_columns((~pl.col("reached") & (idle > patience)).alias("dropped")) \
        .drop("usual")


def drop_offs(frame: pl.DataFrame, *, outcomes: Iterable[str] | None = None,
              idle_days: float = 30.0, now: datetime | None = None, min_cases: int = 1,
              limit: int = 5) -> list[FrictionPoint]:
    per = case_outcomes(frame, outcomes=outcomes, idle_days=idle_days, now=now)
    dropped = per.filter(pl.col("dropped"))
    out = []
    total = per.height
    for (last,), group in dropped.group_by(["last"]):
        cases = group.height
        if cases < min_cases:
            continue
        lost = float(group.get_column("duration").sum())
        out.append(FrictionPoint(
            kind="drop_off", where=str(last), people=cases, time_lost_seconds=lost,
            sentence=ngettext(
                "%(n)s journey (%(share)s%% of all) stopped after '%(step)s' without an "
                "outcome, after spending %(each)s on average.",
                "%(n)s journeys (%(share)s%% of all) stopped after '%(step)s' without an "
                "outcome, after spending %(each)s on average.",
                cases) % {"n": f"{cases:,}", "share": round(cases * 100 / total),
                          "step": last, "each": human_duration(lost / cases)},
            case_keys=_keys(group.get_column(CASE)),
            detail={"share": cases / total if total else 0.0},
        ))
    return rank(out)[:limit]


def repeat_contacts(frame: pl.DataFrame, *, window_days: float = 7.0,
                    same_contact: float = 4 * 3600.0, channels: Iterable[str] = CONTACT_CHANNELS,
                    min_cases: int = 1, limit: int = 5) -> list[FrictionPoint]:
    steps = steps_only(frame)
    cond = pl.lit(False)
    if "source" in steps.columns:
        cond = cond | (pl.col("source") == "contact")
    if "channel" in steps.columns:
        cond = cond | pl.col("channel").is_in(list(channels))
    contacts = steps.filter(cond).with_columns(
        _seconds(pl.col(TIMESTAMP) - pl.col(TIMESTAMP).shift(1).over(CASE)).alias("since"))
    # a contact event within `same_contact` of the previous one is the same contact
    starts = contacts.filter(pl.col("since").is_null() | (pl.col("since") > same_contact))
    starts = starts.with_columns(
        _seconds(pl.col(TIMESTAMP) - pl.col(TIMESTAMP).shift(1).over(CASE)).alias("gap"))
    repeats = starts.filter(pl.col("gap").is_not_null()
                            & (pl.col("gap") <= window_days * 86400))
    out = []
    for (activity,), group in repeats.group_by([ACTIVITY]):
        cases = int(group.get_column(CASE).n_unique())
        if cases < min_cases:
            continue
        lost = float(group.get_column("gap").sum())
        out.append(FrictionPoint(
            kind="repeat_contact", where=str(activity), people=cases, time_lost_seconds=lost,
            sentence=ngettext(
                "%(n)s journey had to contact the agency again ('%(step)s', repeat contacts: "
                "%(repeats)s) within %(window)s of an earlier contact, %(each)s later on "
                "average.",
                "%(n)s journeys had to contact the agency again ('%(step)s', repeat contacts: "
                "%(repeats)s) within %(window)s of an earlier contact, %(each)s later on "
                "average.",
                cases) % {"n": f"{cases:,}", "step": activity, "repeats": f"{group.height:,}",
                          "window": human_duration(window_days * 86400),
                          "each": human_duration(lost / group.height)},
            case_keys=_keys(group.get_column(CASE)),
            detail={"repeats": group.height, "window_days": window_days},
        ))
    return rank(out)[:limit]


def low_trust_steps(frame: pl.DataFrame, *, min_answers: int = 10, trust_margin: float = 0.10,
                    limit: int = 5) -> list[FrictionPoint]:
    mask = _survey_mask(frame)
    if not mask.any():
        return []
    neg = pl.lit(False)
    if "trust_positive" in frame.columns:
        neg = neg | (pl.col("trust_positive") == False)  # noqa: E712 - null is not negative
    if "drivers_negative" in frame.columns:
        neg = neg | (pl.col("drivers_negative").cast(pl.String).str.len_bytes() > 0)
    marked = frame.with_columns(mask.alias("_survey"), neg.fill_null(False).alias("_negative"),
                                pl.int_range(pl.len()).over(CASE).alias("_pos"))
    answers = marked.filter(pl.col("_survey")).select(
        CASE, pl.col("_pos").alias("a_pos"), "_negative",
        *([pl.col("drivers_negative").cast(pl.String).alias("_drivers")]
          if "drivers_negative" in frame.columns else [pl.lit(None, pl.String).alias("_drivers")]))
    overall_share = float(answers.get_column("_negative").mean() or 0.0)  # type: ignore[arg-type]
    # the first time each step happens in each journey, joined to the answers after it
    firsts = marked.filter(~pl.col("_survey")).group_by([CASE, ACTIVITY]).agg(
        pl.col("_pos").min().alias("s_pos"))
    after = firsts.join(answers, on=CASE).filter(pl.col("a_pos") > pl.col("s_pos"))
    out = []
    for (activity,), group in after.group_by([ACTIVITY]):
        n = group.height
        if n < min_answers:
            continue
        negative = int(group.get_column("_negative").sum())
        share = negative / n
        if share < overall_share + trust_margin:
            continue
        excess = max(1, round(negative - overall_share * n))
        named: dict[str, int] = {}
        for text in group.filter(pl.col("_negative")).get_column("_drivers").drop_nulls():
            for d in str(text).split("|"):
                if d:
                    named[d] = named.get(d, 0) + 1
        top = max(named.items(), key=lambda kv: (kv[1], kv[0]))[0] if named else ""
        naming = _(", most often naming '%(driver)s'") % {"driver": top} if top else ""
        out.append(FrictionPoint(
            kind="low_trust", where=str(activity), people=excess, time_lost_seconds=0.0,
            sentence=_("%(share)s%% of the %(n)s survey answers given after '%(step)s' were "
                       "negative, against %(overall)s%% of all answers%(naming)s.") % {
                "share": round(share * 100), "n": f"{n:,}", "step": activity,
                "overall": round(overall_share * 100), "naming": naming},
            case_keys=_keys(group.filter(pl.col("_negative")).get_column(CASE)),
            detail={"answers": n, "negative": negative, "share": share,
                    "overall_share": overall_share, "top_driver": top},
        ))
    return rank(out)[:limit]


def normalise(frame: pl.DataFrame) -> pl.DataFrame:
    """Accept the map's frame too (govcx/journeys/sources.py): its survey answers carry
    ``trust`` as "positive"/"negative"/"" instead of ``trust_positive``."""
    if "trust" in frame.columns and "trust_positive" not in frame.columns:
        trust = pl.col("trust").cast(pl.String)
        frame = frame.with_columns(
            pl.when(trust == "positive").then(pl.lit(True))
            .when(trust == "negative").then(pl.lit(False))
            .otherwise(pl.lit(None, pl.Boolean)).alias("trust_positive"))
    return frame


def friction_points(log: EventLog | pl.DataFrame, *, outcomes: Iterable[str] | None = None,
                    now: datetime | None = None, window_days: float = 7.0,
                    idle_days: float = 30.0, min_cases: int = 1, min_answers: int = 10,
                    limit_per_kind: int = 5) -> list[FrictionPoint]:
    """Every kind, ranked together (see the module docstring)."""
    frame = normalise(log.frame if isinstance(log, EventLog) else log)
    if not frame.height:
        return []
    points = [
        *bottlenecks(frame, min_cases=min_cases, limit=limit_per_kind),
        *loops(frame, min_cases=min_cases, limit=limit_per_kind),
        *channel_switches(frame, min_cases=min_cases, limit=limit_per_kind),
        *drop_offs(frame, outcomes=outcomes, idle_days=idle_days, now=now,
                   min_cases=min_cases, limit=limit_per_kind),
        *repeat_contacts(frame, window_days=window_days, min_cases=min_cases,
                         limit=limit_per_kind),
        *low_trust_steps(frame, min_answers=min_answers, limit=limit_per_kind),
    ]
    return rank(points)


def survey_columns(attributes: dict[str, Any]) -> tuple[bool | None, str, str]:
    """(trust_positive, drivers_negative joined with '|', comment) from an event's attributes.

    Accepts the names survey events carry (``trust_positive`` bool; or ``trust`` as
    "up"/"down"/"positive"/"negative"/bool; ``drivers_negative`` or ``went_poorly`` as a list
    or text; ``comment`` or ``comments``).
    """
    trust: bool | None = None
    raw = attributes.get("trust_positive", attributes.get("trust"))
    if isinstance(raw, bool):
        trust = raw
    elif isinstance(raw, str):
        low = raw.strip().lower()
        if low in ("up", "positive", "yes", "true", "agree"):
            trust = True
        elif low in ("down", "negative", "no", "false", "disagree"):
            trust = False
    drivers = attributes.get("drivers_negative", attributes.get("went_poorly"))
    if isinstance(drivers, list | tuple):
        joined = "|".join(str(d) for d in drivers if d)
    elif isinstance(drivers, str):
        joined = drivers
    else:
        joined = ""
    comment = attributes.get("comment", attributes.get("comments", ""))
    return trust, joined, comment if isinstance(comment, str) else ""


# --------------------------------------------------------------------------- reading the database

def journey_log(*, agency_ids: Iterable[int], service_id: int | None = None,
                start: datetime | None = None, end: datetime | None = None,
                case_keys: Iterable[str] | None = None) -> EventLog:
    """The stored journey events (with their survey attributes) of some agencies, one service
    or all, in [start, end), as an :class:`EventLog` with the columns this module and
    personas.py use: ``channel``, ``source``, ``stage``, ``customer``, ``service``,
    ``language``, ``trust_positive``, ``drivers_negative``, ``comment``.

    Survey answers of known people stored by the feedback app (responses linked to a
    customer) are added as "Survey answered" events, as govcx/journeys/sources.py does.

    Kept here (rather than sources.journey_frame) because friction and personas need the
    events' attributes (survey trust, negative drivers, comments, language), which the map's
    frame leaves out; to be swapped for a sources.py function that keeps them.
    """
    from govcx.feedback.models import Response
    from govcx.journeys.eventlog import ColumnMapping, from_frame
    from govcx.journeys.models import JourneyEvent

    ids = list(agency_ids)
    qs = JourneyEvent.objects.filter(agency_id__in=ids)
    rq = Response.objects.filter(agency_id__in=ids, customer__isnull=False, quarantined=False)
    if service_id is not None:
        qs = qs.filter(service_id=service_id)
        rq = rq.filter(service_id=service_id)
    if start is not None:
        qs = qs.filter(at__gte=start)
        rq = rq.filter(submitted_at__gte=start)
    if end is not None:
        qs = qs.filter(at__lt=end)
        rq = rq.filter(submitted_at__lt=end)
    keys = None if case_keys is None else list(case_keys)
    if keys is not None:
        qs = qs.filter(case_key__in=keys)
        customer_ids = [int(k.split(":", 1)[1]) for k in keys
                        if k.startswith("customer:") and k.split(":", 1)[1].isdigit()]
        rq = rq.filter(customer_id__in=customer_ids)
    cols: dict[str, list[Any]] = {n: [] for n in (
        "case", "activity", "at", "channel", "source", "stage", "customer", "service",
        "language", "trust_positive", "drivers_negative", "comment")}

    def add(case: str, activity: str, at: datetime, channel: str, source: str, stage: str,
            customer: int | None, service: int | None, attributes: dict[str, Any]) -> None:
        trust, negative, comment = survey_columns(attributes)
        language = attributes.get("language")
        for name, value in (("case", case), ("activity", activity), ("at", at),
                            ("channel", channel), ("source", source), ("stage", stage),
                            ("customer", customer), ("service", service),
                            ("language", language if isinstance(language, str) else None),
                            ("trust_positive", trust), ("drivers_negative", negative or None),
                            ("comment", comment or None)):
            cols[name].append(value)

    for row in qs.order_by("seq", "id").values_list(
            "case_key", "activity", "at", "channel", "source", "stage", "customer_id",
            "service_id", "attributes").iterator(chunk_size=5000):
        add(*row[:8], row[8] if isinstance(row[8], dict) else {})
    for cid, sid, at, channel, lang, positive, negative, comment in rq.values_list(
            "customer_id", "service_id", "submitted_at", "channel", "language",
            "trust_positive", "drivers_negative", "comment").iterator(chunk_size=5000):
        add(f"customer:{cid}", "Survey answered", at, channel, "feedback", "", cid, sid,
            {"trust_positive": positive, "drivers_negative": negative or [],
             "comment": comment, "language": lang})
    schema: dict[str, Any] = {
        "case": pl.String, "activity": pl.String, "at": pl.Datetime("us", "UTC"),
        "channel": pl.String, "source": pl.String, "stage": pl.String,
        "customer": pl.Int64, "service": pl.Int64, "language": pl.String,
        "trust_positive": pl.Boolean, "drivers_negative": pl.String, "comment": pl.String}
    frame = pl.DataFrame(cols, schema=schema)
    return from_frame(frame, mapping=ColumnMapping(case="case", activity="activity",
                                                   timestamp="at"), source="journey events")
