"""Key drivers of trust for one service: which drivers and operational measures move trust.

Method
------
Two logistic regressions of *trust positive* (the A-11 trust answer: thumbs up, or 4–5 on a
five-point scale) per window (each of the last few fiscal quarters, and all of them pooled):

1. **Survey drivers.** Only A-11 *legacy* (FY19–23) answers can be used: there every driver
   is its own 1–5 item asked of everyone, so "agrees" (4–5) versus "does not" is a proper
   predictor. Predictors: one 0/1 indicator per driver item (effectiveness, ease,
   efficiency, transparency, employees); only answers with every item answered are used.
   The A-11 2023 form asks *What went well?* only after a positive trust answer and *What
   didn't go so well?* only after a negative one, so a driver chosen there tells you the
   trust answer already (the two are perfectly separated): no regression can say how much a
   driver *moves* trust from those answers. For them the page shows, honestly, a
   descriptive table instead: among people who did not trust, the share who named each
   driver as not going well (Wilson 95% interval), and the same for people who did.
2. **Operational measures.** Answers linked to a contact-centre case (response
   `external_id` "case:<id>", set by `govcx.contact.loop`): resolution time (calendar days,
   log scale), first response time (hours, log scale; a case without one gets the median),
   first-contact resolution (resolved with exactly one inbound contact and never reopened),
   reopened, and the case's channel (one 0/1 indicator per channel against the most common
   one). Continuous measures are standardised (mean 0, one standard deviation = 1) after
   rounding log-times to steps of 0.1, so identical rows can be fitted as weighted cells.

Fit: Newton–Raphson (IRLS) with a weak ridge penalty (λ = 1 on the non-intercept
coefficients, which keeps estimates finite when a predictor separates the outcome).
Identical rows are collapsed into weighted cells first, so a fit costs microseconds to a few
milliseconds whatever the sample size.

Reported per predictor:
- **effect**: the average marginal effect on the probability of trust, in percentage points:
  for a 0/1 predictor, the mean over respondents of P(trust | set to 1) − P(trust | set to 0);
  for a standardised measure, of P(x + 1 SD) − P(x). With a 95% percentile bootstrap
  interval (200 resamples of respondents, fixed seed, so the page is reproducible).
- **weight** (relative importance): the Shapley share of the explained deviance (McFadden
  pseudo-R²) over the predictor groups (all 2^k subsets; k ≤ 6), summing to 100%.
Predictors are ranked by weight. A window needs at least `MIN_N` answers with both
outcomes represented by at least `MIN_EACH`; otherwise the page says so in plain words.

These are associations in observational data, not proof that changing a driver changes
trust: people who trust may also rate everything better (halo), and case-linked answers
come only from people whose case was resolved and surveyed.

Cost
----
Per quarter at most `CAP` answers are read: the latest ones (ORDER BY submitted_at DESC
LIMIT CAP on the (service, submitted_at) index), a deterministic sample, so a service with
millions of responses costs the same as one with CAP per quarter. The result is cached
(`settings.DRIVERS_CACHE_SECONDS`, default 3600 s) per service and window; the page shows
the number of answers used and when it was computed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from scipy.special import expit

from govcx.feedback.selectors import fiscal_quarter_bounds, fiscal_quarter_of
from govcx.metrics.stats import wilson

CAP = 20_000
MIN_N = 100
MIN_EACH = 10
BOOTSTRAP = 200
RIDGE = 1.0
SEED = 20260
LEGACY_DRIVERS = ("effectiveness", "ease", "efficiency", "transparency", "employee")
A11_DRIVERS = ("effectiveness", "ease", "efficiency", "transparency", "humanity", "employee")
OPERATIONAL = ("resolution_days", "first_response_hours", "fcr", "reopened")
CACHE_VERSION = 1


# --- fitting ------------------------------------------------------------------------------------

def _expit(z: np.ndarray) -> np.ndarray:
    return np.asarray(expit(z))


def logit_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, ridge: float = RIDGE,
              iters: int = 50, start: np.ndarray | None = None) -> np.ndarray:
    """Weighted, ridge-penalised logistic regression; x has no intercept column.

    Returns the coefficients with the intercept first. `start` warm-starts Newton's method
    (the bootstrap starts from the point estimate: the same optimum, fewer steps).
    """
    xi = np.column_stack([np.ones(len(y)), x])
    k = xi.shape[1]
    pen = np.full(k, ridge)
    pen[0] = 0.0
    p0 = min(max(float(np.average(y, weights=w)) if w.sum() else 0.5, 1e-6), 1 - 1e-6)
    b = np.zeros(k)
    b[0] = math.log(p0 / (1 - p0))
    if start is not None:
        b = start.copy()
    for _ in range(iters):
        p = _expit(xi @ b)
        grad = xi.T @ (w * (y - p)) - pen * b
        hess = (xi * (w * p * (1 - p))[:, None]).T @ xi + np.diag(pen) + 1e-9 * np.eye(k)
        step = np.linalg.solve(hess, grad)
        b = b + step
        if np.max(np.abs(step)) < 1e-7:
            break
    return b


def loglik(x: np.ndarray, y: np.ndarray, w: np.ndarray, b: np.ndarray) -> float:
    p = np.clip(_expit(b[0] + x @ b[1:]), 1e-12, 1 - 1e-12)
    return float(np.sum(w * (y * np.log(p) + (1 - y) * np.log(1 - p))))


def _ames(x: np.ndarray, w: np.ndarray, b: np.ndarray, columns: list[tuple[str, str, int]],
          ref_groups: dict[str, list[int]]) -> dict[str, float]:
    """Average marginal effect per predictor (see the module docstring).

    Works on the linear predictor: switching column j to v changes it by b_j (v - x_j); the
    other indicators of a one-hot group are switched off in both scenarios.
    """
    out: dict[str, float] = {}
    total = w.sum()
    coef = b[1:]
    eta = b[0] + x @ coef
    for key, kind, j in columns:
        if kind == "binary":
            base = eta - x[:, j] * coef[j]
            for other in ref_groups.get(key, []):
                base = base - x[:, other] * coef[other]
            d = _expit(base + coef[j]) - _expit(base)
        else:
            d = _expit(eta + coef[j]) - _expit(eta)
        out[key] = float(np.sum(w * d) / total)
    return out


def _shapley(x: np.ndarray, y: np.ndarray, w: np.ndarray,
             groups: dict[str, list[int]]) -> dict[str, float]:
    """Shapley shares of McFadden's pseudo-R² over predictor groups (sum to 1)."""
    names = list(groups)
    k = len(names)
    ll0 = loglik(np.zeros((len(y), 0)), y, w, logit_fit(np.zeros((len(y), 0)), y, w))
    if ll0 >= 0:
        return dict.fromkeys(names, 0.0)
    r2: dict[frozenset[str], float] = {}
    for size in range(k + 1):
        for subset in itertools.combinations(names, size):
            cols = [c for g in subset for c in groups[g]]
            xs = x[:, cols]
            r2[frozenset(subset)] = 1 - loglik(xs, y, w, logit_fit(xs, y, w)) / ll0
    full = r2[frozenset(names)]
    out = {}
    for g in names:
        val = 0.0
        rest = [n for n in names if n != g]
        for size in range(k):
            coef = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            for subset in itertools.combinations(rest, size):
                s = frozenset(subset)
                val += coef * (r2[s | {g}] - r2[s])
        out[g] = max(0.0, val)
    tot = sum(out.values())
    return {g: (v / tot if tot > 0 else 0.0) for g, v in out.items()} if full > 0 else \
        dict.fromkeys(names, 0.0)


@dataclass
class Effect:
    key: str
    kind: str  # "driver" | "operational"
    effect: float  # average marginal effect, probability (0.31 = 31 points)
    low: float
    high: float
    weight: float  # Shapley share of explained deviance
    n_with: int  # respondents with the indicator on (binary predictors)
    group: str = ""  # predictor group (the channel indicators form one)
    unit: str = ""  # for standardised measures: one SD in natural units, e.g. "2.3 days"

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


@dataclass
class Model:
    n: int
    trust_share: float
    pseudo_r2: float
    effects: list[Effect]


def model_fit(*, x: np.ndarray, y: np.ndarray, columns: list[tuple[str, str, int]],
              groups: dict[str, list[int]], kind: str, units: dict[str, str] | None = None,
              bootstrap: int = BOOTSTRAP, seed: int = SEED) -> Model | None:
    """Fit, bootstrap and decompose one model; None when there are too few answers."""
    n = len(y)
    pos = int(y.sum())
    if n < MIN_N or pos < MIN_EACH or n - pos < MIN_EACH:
        return None
    # collapse identical rows into weighted cells
    cells, counts = np.unique(np.column_stack([x, y]), axis=0, return_counts=True)
    cx, cy, cw = cells[:, :-1], cells[:, -1], counts.astype(float)
    ref_groups = {key: [c for c in groups[g] if c != j] for g in groups for key, _, j in columns
                  if j in groups[g] and len(groups[g]) > 1}
    b = logit_fit(cx, cy, cw)
    point = _ames(cx, cw, b, columns, ref_groups)
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {key: [] for key, _, _ in columns}
    probs = cw / cw.sum()
    for _ in range(bootstrap):
        bw = rng.multinomial(n, probs).astype(float)
        keep = bw > 0
        bb = logit_fit(cx[keep], cy[keep], bw[keep], start=b)
        for key, val in _ames(cx[keep], bw[keep], bb, columns, ref_groups).items():
            draws[key].append(val)
    key_group = {key: g for g in groups for key, _, j in columns if j in groups[g]}
    shares = _shapley(cx, cy, cw, groups)
    ll0 = loglik(np.zeros((len(cy), 0)), cy, cw, logit_fit(np.zeros((len(cy), 0)), cy, cw))
    r2 = 1 - loglik(cx, cy, cw, b) / ll0 if ll0 < 0 else 0.0
    effects = []
    for key, typ, j in columns:
        lo, hi = np.percentile(draws[key], [2.5, 97.5])
        g = key_group[key]
        effects.append(Effect(
            key=key, kind=kind, effect=point[key], low=float(lo), high=float(hi),
            weight=shares[g], group=g,
            n_with=int(cw[cx[:, j] > 0.5].sum()) if typ == "binary" else n,
            unit=(units or {}).get(key, ""),
        ))
    effects.sort(key=lambda e: (-e.weight, -abs(e.effect)))
    return Model(n=n, trust_share=pos / n, pseudo_r2=float(r2), effects=effects)


# --- data -----------------------------------------------------------------------------------

@dataclass
class Sample:
    """The answers of one window, as plain arrays."""

    legacy_x: list[list[float]] = field(default_factory=list)
    legacy_y: list[int] = field(default_factory=list)
    a11_pos: dict[str, int] = field(default_factory=dict)
    a11_neg: dict[str, int] = field(default_factory=dict)
    a11_trust_pos: int = 0
    a11_trust_neg: int = 0
    cases: list[tuple[int, int]] = field(default_factory=list)  # (case id, trust 0/1)
    used: int = 0

    def extend(self, other: Sample) -> None:
        self.legacy_x += other.legacy_x
        self.legacy_y += other.legacy_y
        for d, v in other.a11_pos.items():
            self.a11_pos[d] = self.a11_pos.get(d, 0) + v
        for d, v in other.a11_neg.items():
            self.a11_neg[d] = self.a11_neg.get(d, 0) + v
        self.a11_trust_pos += other.a11_trust_pos
        self.a11_trust_neg += other.a11_trust_neg
        self.cases += other.cases
        self.used += other.used


def _templates(service_id: int) -> dict[int, str]:
    from govcx.feedback.models import SurveyVersion

    out = {}
    versions = SurveyVersion.objects.filter(survey__touchpoints__service_id=service_id).distinct()
    for vid, schema in versions.values_list("id", "schema"):
        out[vid] = (schema or {}).get("template", "") if isinstance(schema, dict) else ""
    return out


def _json(v: Any) -> Any:
    """JSON column value: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(v) if isinstance(v, str | bytes) else v


def quarter_sample(*, service_id: int, start: dt.datetime, end: dt.datetime,
                   templates: dict[int, str], cap: int = CAP) -> Sample:
    """Read the latest `cap` answers in [start, end).

    Raw SQL rather than the ORM: the ORM decodes every JSON column of every row, which was
    most of the read time; here each row decodes at most the one column it needs, and the
    answers column is only fetched for legacy-survey rows.
    """
    from govcx.feedback.models import Response

    q = connection.ops.quote_name
    legacy = sorted(v for v, t in templates.items() if t == "a11_legacy")
    answers = (f"CASE WHEN {q('survey_version_id')} IN ({', '.join(['%s'] * len(legacy))}) "
               f"THEN {q('answers')} END" if legacy else "NULL")
    # Table and column names come from the model; every value is a parameter.
    sql = (f"SELECT {q('survey_version_id')}, {q('trust_positive')}, "  # noqa: S608
           f"{q('drivers_positive')}, {q('drivers_negative')}, {answers}, {q('external_id')} "
           f"FROM {q(Response._meta.db_table)} WHERE {q('service_id')} = %s "
           f"AND {q('quarantined')} = %s AND {q('submitted_at')} >= %s "
           f"AND {q('submitted_at')} < %s ORDER BY {q('submitted_at')} DESC LIMIT %s")
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cur:
        cur.execute(sql, [*legacy, service_id, False, adapt(start), adapt(end), cap])
        rows = cur.fetchall()
    s = Sample()
    for vid, trust, dpos, dneg, ans, ext in rows:
        s.used += 1
        if trust is None:
            continue
        t = int(bool(trust))
        template = templates.get(vid, "")
        if template == "a11_legacy":
            answers_d = _json(ans)
            items = [answers_d.get(d) for d in LEGACY_DRIVERS] if isinstance(answers_d, dict) \
                else []
            if items and all(isinstance(v, int) for v in items):
                s.legacy_x.append([1.0 if int(v) >= 4 else 0.0 for v in items])  # type: ignore[arg-type]
                s.legacy_y.append(t)
        elif template == "a11":
            if t:
                s.a11_trust_pos += 1
                for d in set(_json(dpos) or []):
                    s.a11_pos[d] = s.a11_pos.get(d, 0) + 1
            else:
                s.a11_trust_neg += 1
                for d in set(_json(dneg) or []):
                    s.a11_neg[d] = s.a11_neg.get(d, 0) + 1
        if ext and ext.startswith("case:") and ext[5:].isdigit():
            s.cases.append((int(ext[5:]), t))
    return s


def _case_facts(agency_id: int, case_ids: list[int]) -> dict[int, dict[str, Any]]:
    from govcx.contact.models import Case

    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(case_ids), 5000):
        chunk = case_ids[i:i + 5000]
        for row in Case.objects.filter(agency_id=agency_id, id__in=chunk).values(
                "id", "channel", "opened_at", "first_response_at", "resolved_at",
                "reopen_count", "customer_contacts"):
            out[row["id"]] = dict(row)
    return out


def operational_model(sample: Sample, facts: dict[int, dict[str, Any]],
                      bootstrap: int = BOOTSTRAP) -> Model | None:
    rows = []
    for case_id, t in sample.cases:
        f = facts.get(case_id)
        if f is None or f["resolved_at"] is None:
            continue
        res_days = max(0.0, (f["resolved_at"] - f["opened_at"]).total_seconds() / 86400)
        fr = (max(0.0, (f["first_response_at"] - f["opened_at"]).total_seconds() / 3600)
              if f["first_response_at"] else None)
        fcr = int(f["customer_contacts"] == 1 and f["reopen_count"] == 0)
        rows.append((res_days, fr, float(fcr), float(f["reopen_count"] > 0), f["channel"], t))
    if len(rows) < MIN_N:
        return None
    frs = [r[1] for r in rows if r[1] is not None]
    fr_median = float(np.median(frs)) if frs else 0.0
    res = np.round(np.log1p([r[0] for r in rows]), 1)
    fr_arr = np.round(np.log1p([r[1] if r[1] is not None else fr_median for r in rows]), 1)
    channels = sorted({r[4] for r in rows}, key=lambda c: (-sum(r[4] == c for r in rows), c))
    cols: list[np.ndarray] = []
    columns: list[tuple[str, str, int]] = []
    groups: dict[str, list[int]] = {}
    units: dict[str, str] = {}

    def add(key: str, values: np.ndarray, kind: str, group: str) -> None:
        columns.append((key, kind, len(cols)))
        groups.setdefault(group, []).append(len(cols))
        cols.append(values)

    for key, arr, raw_unit in (("resolution_days", res, "days"),
                               ("first_response_hours", fr_arr, "hours")):
        sd = float(arr.std())
        if sd > 0:
            add(key, (arr - arr.mean()) / sd, "continuous", key)
            # one SD on the log scale, shown around the median in natural units
            med = float(np.median(arr))
            units[key] = f"{math.expm1(med):.1f}→{math.expm1(med + sd):.1f} {raw_unit}"
    for key, j in (("fcr", 2), ("reopened", 3)):
        arr = np.array([r[j] for r in rows], dtype=float)
        if 0 < arr.sum() < len(arr):
            add(key, arr, "binary", key)
    for ch in channels[1:]:
        arr = np.array([float(r[4] == ch) for r in rows])
        add(f"channel:{ch}", arr, "binary", "channel")
    if not cols:
        return None
    x = np.column_stack(cols)
    y = np.array([float(r[5]) for r in rows])
    model = model_fit(x=x, y=y, columns=columns, groups=groups, kind="operational",
                      units=units, bootstrap=bootstrap)
    if model is not None and len(channels) > 1:
        for e in model.effects:
            if e.key.startswith("channel:"):
                e.unit = channels[0]  # the reference channel
    return model


def legacy_model(sample: Sample, bootstrap: int = BOOTSTRAP) -> Model | None:
    if len(sample.legacy_y) < MIN_N:
        return None
    x = np.array(sample.legacy_x)
    y = np.array(sample.legacy_y, dtype=float)
    keep = [j for j in range(x.shape[1]) if 0 < x[:, j].sum() < len(y)]
    if not keep:
        return None
    x = x[:, keep]
    columns = [(LEGACY_DRIVERS[j], "binary", i) for i, j in enumerate(keep)]
    groups = {LEGACY_DRIVERS[j]: [i] for i, j in enumerate(keep)}
    return model_fit(x=x, y=y, columns=columns, groups=groups, kind="driver",
                     bootstrap=bootstrap)


@dataclass
class Reason:
    driver: str
    neg: int
    neg_share: float | None
    neg_ci: tuple[float, float] | None
    pos: int
    pos_share: float | None
    pos_ci: tuple[float, float] | None


def reasons(sample: Sample) -> list[Reason]:
    """A-11 2023 answers: who named which driver (descriptive; see the module docstring)."""
    if sample.a11_trust_pos + sample.a11_trust_neg == 0:
        return []
    out = []
    for d in (*A11_DRIVERS, "other"):
        n, p = sample.a11_neg.get(d, 0), sample.a11_pos.get(d, 0)
        out.append(Reason(
            driver=d, neg=n, neg_share=n / sample.a11_trust_neg if sample.a11_trust_neg else None,
            neg_ci=wilson(n, sample.a11_trust_neg), pos=p,
            pos_share=p / sample.a11_trust_pos if sample.a11_trust_pos else None,
            pos_ci=wilson(p, sample.a11_trust_pos)))
    out.sort(key=lambda r: -(r.neg_share or 0))
    return out


@dataclass
class Window:
    label: str
    start: dt.date
    end: dt.date
    responses: int  # every non-quarantined response in the window (from the rollups)
    used: int  # answers read (after the cap)
    capped: bool
    drivers: Model | None
    operational: Model | None
    reasons: list[Reason]
    a11_trust_n: int
    linked: int


@dataclass
class KeyDrivers:
    service_id: int
    computed_at: dt.datetime
    cap: int
    pooled: Window
    quarters: list[Window]

    def trend(self, kind: str) -> list[dict[str, Any]]:
        """Per predictor: its effect in each quarter (None where not estimable)."""
        keys: list[str] = []
        for w in [self.pooled, *self.quarters]:
            m = w.drivers if kind == "driver" else w.operational
            for e in (m.effects if m else []):
                if e.key not in keys:
                    keys.append(e.key)
        rows = []
        for key in keys:
            cells = []
            for w in self.quarters:
                m = w.drivers if kind == "driver" else w.operational
                cells.append(next((e for e in (m.effects if m else []) if e.key == key), None))
            rows.append({"key": key, "cells": cells})
        return rows

    def change(self, kind: str, key: str) -> str | None:
        """'grew' / 'shrank' / 'steady' between the first and last quarter with an estimate,
        judged by the difference's approximate 95% interval (independent samples)."""
        est = []
        for w in self.quarters:
            m = w.drivers if kind == "driver" else w.operational
            e = next((e for e in (m.effects if m else []) if e.key == key), None)
            if e is not None:
                est.append((w.label, e))
        if len(est) < 2:
            return None
        (_, a), (_, b) = est[0], est[-1]
        half = math.hypot((a.high - a.low) / 2, (b.high - b.low) / 2)
        diff = abs(b.effect) - abs(a.effect)
        if diff > half:
            return "grew"
        if diff < -half:
            return "shrank"
        return "steady"

    def first_label(self, kind: str, key: str) -> str:
        for w in self.quarters:
            m = w.drivers if kind == "driver" else w.operational
            if m and any(e.key == key for e in m.effects):
                return w.label
        return ""


def quarter_windows(today: dt.date, count: int) -> list[tuple[str, dt.date, dt.date]]:
    fy, q = fiscal_quarter_of(today)
    out = []
    for _ in range(count):
        start, end = fiscal_quarter_bounds(fy, q)
        out.append((f"FY{fy} Q{q}", start, end))
        fy, q = (fy, q - 1) if q > 1 else (fy - 1, 4)
    return list(reversed(out))


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min),
                               timezone.get_default_timezone())


def _responses_in(service_id: int, start: dt.date, end: dt.date) -> int:
    from django.db.models import Sum

    from govcx.metrics.models import ResponseDaily
    from govcx.metrics.services import rollups_current

    rollups_current()
    return int(ResponseDaily.objects.filter(service_id=service_id, day__gte=start, day__lte=end)
               .aggregate(n=Sum("responses"))["n"] or 0)


def key_drivers_compute(*, service_id: int, agency_id: int, today: dt.date, quarters: int = 6,
                        cap: int = CAP, bootstrap: int = BOOTSTRAP) -> KeyDrivers:
    """Compute everything the page shows (uncached; see `key_drivers`)."""
    templates = _templates(service_id)
    samples = []
    for label, start, end in quarter_windows(today, quarters):
        s = quarter_sample(service_id=service_id, start=_aware(start),
                           end=_aware(end + dt.timedelta(days=1)), templates=templates, cap=cap)
        samples.append((label, start, end, s))
    all_cases = sorted({c for *_, s in samples for c, _ in s.cases})
    facts = _case_facts(agency_id, all_cases)

    def window(label: str, start: dt.date, end: dt.date, s: Sample, capped: bool) -> Window:
        return Window(
            label=label, start=start, end=end, responses=_responses_in(service_id, start, end),
            used=s.used, capped=capped, drivers=legacy_model(s, bootstrap),
            operational=operational_model(s, facts, bootstrap), reasons=reasons(s),
            a11_trust_n=s.a11_trust_pos + s.a11_trust_neg,
            linked=sum(1 for c, _ in s.cases if c in facts))

    windows = [window(label, start, end, s, s.used >= cap) for label, start, end, s in samples]
    pooled_s = Sample()
    for *_, s in samples:
        pooled_s.extend(s)
    pooled = window("all", samples[0][1], samples[-1][2], pooled_s,
                    any(w.capped for w in windows))
    return KeyDrivers(service_id=service_id, computed_at=timezone.now(), cap=cap,
                      pooled=pooled, quarters=windows)


def key_drivers(*, service_id: int, agency_id: int, quarters: int = 6,
                today: dt.date | None = None) -> KeyDrivers:
    """`key_drivers_compute`, cached per service, last quarter and number of quarters."""
    today = today or timezone.localdate()
    fy, q = fiscal_quarter_of(today)
    key = f"govcx:drivers:v{CACHE_VERSION}:{service_id}:{fy}Q{q}:{quarters}:{today}"
    hit = cache.get(key)
    if isinstance(hit, KeyDrivers):
        return hit
    result = key_drivers_compute(service_id=service_id, agency_id=agency_id, today=today,
                                 quarters=quarters)
    cache.set(key, result, int(getattr(settings, "DRIVERS_CACHE_SECONDS", 3600)))
    return result


def as_dict(result: KeyDrivers) -> dict[str, Any]:
    """Plain data (for tests and exports)."""
    return asdict(result)
