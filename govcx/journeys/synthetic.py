"""Synthetic customer-journey event logs: a benefits application with visible friction.

Used by the benchmark (`bench/journeys/run.py`) and by tests; the demo seed can use it too.
Each case is one person applying for a benefit:

    Visit benefits page → Start application online → (Create Login.gov account) →
    Upload documents → [Documents re-requested → Upload documents]* →
    (Web error → Call contact centre → Application completed by phone) | Submit application →
    Eligibility review (slow) → Decision approved | Decision denied (→ Appeal filed) →
    Payment issued* → Survey answered

with the channel of each step, so channel switching (web → phone → office) is visible. Some
steps share one timestamp inside a case (an upload and its receipt), as real systems log them.
Timestamps are written with the US Eastern offset of their season (``-05:00`` / ``-04:00``).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

COLUMNS = ("case:concept:name", "concept:name", "time:timestamp", "channel", "org:resource")

_EST = timezone(timedelta(hours=-5))
_EDT = timezone(timedelta(hours=-4))
_START = datetime(2024, 1, 1, tzinfo=UTC)


def _local(moment: datetime) -> str:
    """ISO text with the Eastern offset in force (DST roughly mid-March to early November)."""
    summer = (3, 10) <= (moment.month, moment.day) < (11, 3)
    return moment.astimezone(_EDT if summer else _EST).isoformat(sep=" ")


def _case_events(rng: random.Random, case: str) -> Iterator[tuple[str, ...]]:
    t = _START + timedelta(seconds=rng.randrange(0, 365 * 86400))
    agent = f"agent-{rng.randrange(1, 200):03d}"
    reviewer = f"reviewer-{rng.randrange(1, 60):02d}"

    def ev(activity: str, channel: str, resource: str = "self") -> tuple[str, ...]:
        return (case, activity, _local(t), channel, resource)

    def later(lo: float, hi: float) -> None:
        nonlocal t
        t += timedelta(seconds=int(rng.uniform(lo, hi)))

    if rng.random() < 0.7:
        yield ev("Visit benefits page", "web")
        later(20, 600)
    yield ev("Start application online", "web")
    if rng.random() < 0.4:
        later(60, 900)
        yield ev("Create Login.gov account", "web")
    later(300, 4 * 86400)
    yield ev("Upload documents", "web")
    if rng.random() < 0.5:
        yield ev("Documents received", "web", "system")  # same timestamp as the upload
    rerequests = 0
    while rng.random() < (0.35 if rerequests == 0 else 0.25) and rerequests < 4:
        rerequests += 1
        later(86400, 6 * 86400)
        yield ev("Documents re-requested", "email", reviewer)
        later(3600, 5 * 86400)
        yield ev("Upload documents", "web")
    later(60, 86400)
    if rng.random() < 0.12:
        yield ev("Web error", "web", "system")
        later(60, 2 * 86400)
        yield ev("Call contact centre", "phone", agent)
        later(300, 2400)
        yield ev("Application completed by phone", "phone", agent)
    elif rng.random() < 0.04:
        yield ev("Visit field office", "office", agent)
        later(600, 3600)
        yield ev("Submit application", "office", agent)
    else:
        yield ev("Submit application", "web")
    if rng.random() < 0.2:
        later(3 * 86400, 10 * 86400)
        yield ev("Call contact centre", "phone", agent)
    if rng.random() < 0.05:
        return  # drop-off: the journey stops before a decision
    later(2 * 86400, 30 * 86400)  # the slow step
    yield ev("Eligibility review", "back office", reviewer)
    later(3600, 10 * 86400)
    if rng.random() < 0.8:
        yield ev("Decision approved", "email", reviewer)
        for _ in range(rng.randrange(1, 4)):
            later(7 * 86400, 31 * 86400)
            yield ev("Payment issued", "bank", "system")
    else:
        yield ev("Decision denied", "email", reviewer)
        if rng.random() < 0.3:
            later(86400, 20 * 86400)
            yield ev("Appeal filed", rng.choice(["web", "phone", "office"]), agent)
    if rng.random() < 0.3:
        later(600, 3 * 86400)
        yield ev("Survey answered", rng.choice(["email", "sms"]))


def events(n_events: int, *, seed: int = 5) -> Iterator[tuple[str, ...]]:
    """About ``n_events`` rows (whole cases), in the order a system would export them.

    Rows arrive interleaved across cases (a few hundred cases "open" at once), as an export
    ordered by insertion would be, so readers cannot rely on cases being contiguous.
    """
    rng = random.Random(seed)
    produced = 0
    case_no = 0
    window: list[Iterator[tuple[str, ...]]] = []
    while produced < n_events or window:
        while produced < n_events and len(window) < 256:
            case_no += 1
            window.append(_case_events(rng, f"APP-{rng.randrange(10**9):09d}-{case_no}"))
            produced += 10  # about the mean case length (9.8); the row count is reported
        i = rng.randrange(len(window))
        row = next(window[i], None)
        if row is None:
            window[i] = window[-1]
            window.pop()
            continue
        yield row


def write_csv(path: Path, n_events: int, *, seed: int = 5) -> int:
    """Write a CSV log; returns the number of rows written."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for row in events(n_events, seed=seed):
            writer.writerow(row)
            count += 1
    return count
