"""Personas from behaviour: people grouped by what they did, with the number of groups chosen
by the data, described in words, with their pain points and what they said.

**Who is grouped.** Every person in an agency's journey events: a customer (all their journey
keys together) or, for imported journeys without a customer record, the journey key itself.

**Features** (one row per person, :func:`person_features`):

* channel mix: the share of their steps on each channel the agency's journeys use (channels
  with at least 2% of the steps; survey answers are not steps);
* contact frequency: contacts per journey (a contact as in friction.repeat_contacts: a
  contact-centre event or a step on an assisted channel; events within four hours are one);
* services: how many of the agency's services they used;
* language: one column per language other than the most common one that at least 5% of
  people prefer (the customer's preferred language, else the events' ``language``);
* trust: the share of their survey answers that trust the agency; for people who did not
  answer, the average of the ten people who behave most like them (k-nearest-neighbour
  imputation on the other features), so silence neither forms a group of its own nor
  pulls anyone towards the average;
* outcome: whether their journeys stopped short of an outcome (friction.case_outcomes).

Each column is standardised (mean 0, standard deviation 1). Trust and outcome count half as
much (weight 0.5): a person has at most a handful of survey answers and journeys, so these
are noisy one-or-zero values that would otherwise split groups on chance.

**How many groups.** K-means (scikit-learn, ten starts, fixed seed) for every k from 2 to 8
(at most people − 1), scored by the silhouette (how much closer people are to their own
group than to the next one: 1 is perfectly apart, 0 is overlapping; on at most 3,000 people
sampled with a fixed seed); the k with the best silhouette wins. The explanation stored on
the run says this in plain words with the scores.

**Describing a group.** Its traits are the features where the group's average differs most
from everyone's, in standard deviations (at least 0.5), shown with the group's value and the
average. Its name comes from its strongest trait ("Phone-reliant", "Spanish speakers"), until
an analyst renames it; a renamed persona keeps its name and description on the next run when
one new group matches it best (the largest overlap of members, Jaccard at least 0.2, pairs
taken best first). Pain points: the group's top friction points (friction.py on the group's
journeys; the worst of each kind first, so a card shows different problems), each with a
quote: a negative survey comment from a member on that point's journeys; when fewer than
two points carry a quote, the group's most frequent negative comments are added on their
own ("comment" entries). Quotes are redacted (govcx.core.redact) before they are stored.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from govcx.core.models import Agency
from govcx.core.redact import redact
from govcx.core.selectors import agency_ids_for
from govcx.customers.models import Customer
from govcx.journeys import friction as fr
from govcx.journeys.eventlog import ACTIVITY, CASE, TIMESTAMP
from govcx.journeys.models import Persona, PersonaMember, PersonaRun

AnyUser = AbstractBaseUser | AnonymousUser
Progress = Callable[[str, float], None]  # (what is happening, fraction done 0–1)

K_RANGE = range(2, 9)
MIN_PEOPLE = 20
SILHOUETTE_SAMPLE = 3000
NOISY_WEIGHT = 0.5
TRAIT_MIN_Z = 0.5
MATCH_MIN_JACCARD = 0.2
PAIN_POINTS = 3
MAX_NAME = 120
MAX_DESCRIPTION = 2000

LANGUAGES = {"en": "English", "es": "Spanish", "zh": "Chinese", "vi": "Vietnamese",
             "ko": "Korean", "tl": "Tagalog", "fr": "French", "ar": "Arabic", "ru": "Russian"}
CHANNEL_NAMES = {"web": "Online self-servers", "mobile": "Mobile app users",
                 "phone": "Phone-reliant", "in_person": "Office visitors",
                 "office": "Office visitors", "paper": "Paper and mail", "chat": "Chat users",
                 "sms": "Text message users", "email": "Email writers"}


class PersonaError(ValueError):
    """Personas cannot be built or changed; the message says why, in plain words."""


# --------------------------------------------------------------------------- features


@dataclass
class Features:
    people: list[str]  # the person's id: "customer:<id>" or the journey key
    keys: dict[str, list[str]]  # person → their journey (case) keys
    customers: dict[str, int | None]  # person → customer id
    columns: list[str]  # "channel:web", "contacts", "services", "language:es", "trust", "dropped"
    values: np.ndarray  # people × columns, raw values
    weights: np.ndarray  # per column


def _person_expr(frame: pl.DataFrame) -> pl.Expr:
    if "customer" in frame.columns:
        return (pl.when(pl.col("customer").is_not_null())
                .then(pl.lit("customer:") + pl.col("customer").cast(pl.String))
                .otherwise(pl.col(CASE)))
    return pl.col(CASE)


def person_features(frame: pl.DataFrame, *, languages: dict[int, str] | None = None
                    ) -> Features:
    """One row per person (see the module docstring); `languages` maps customer ids to their
    preferred language."""
    frame = fr.normalise(frame).with_columns(_person_expr(frame).alias("_person"))
    steps = fr.steps_only(frame)
    persons = frame.group_by("_person", maintain_order=True).agg(
        pl.col(CASE).unique().sort().alias("keys"),
        (pl.col("customer").drop_nulls().first() if "customer" in frame.columns
         else pl.lit(None, pl.Int64)).alias("customer"),
    ).sort("_person")
    people = persons.get_column("_person").to_list()
    index = pl.DataFrame({"_person": people}, schema={"_person": pl.String})
    columns: list[str] = []
    blocks: list[np.ndarray] = []
    weights: list[float] = []

    def add(name: str, values: pl.DataFrame, col: str, weight: float = 1.0,
            fill: float = 0.0) -> None:
        joined = index.join(values.select("_person", col), on="_person", how="left")
        blocks.append(joined.get_column(col).cast(pl.Float64).fill_null(fill).to_numpy()
                      .astype(float))
        columns.append(name)
        weights.append(weight)

    # channel mix
    if "channel" in steps.columns and steps.height:
        with_channel = steps.filter(pl.col("channel").is_not_null() & (pl.col("channel") != ""))
        shares = with_channel.get_column("channel").value_counts(normalize=True)
        chosen = sorted(str(c) for c, s in shares.iter_rows() if s >= 0.02)
        counts = steps.group_by("_person").agg(pl.len().alias("_n"), *[
            (pl.col("channel") == c).sum().alias(f"channel:{c}") for c in chosen])
        counts = counts.with_columns([(pl.col(f"channel:{c}") / pl.col("_n")).alias(
            f"channel:{c}") for c in chosen])
        for c in chosen:
            add(f"channel:{c}", counts, f"channel:{c}")
    # contacts per journey
    cond = pl.lit(False)
    if "source" in steps.columns:
        cond = cond | (pl.col("source") == "contact")
    if "channel" in steps.columns:
        cond = cond | pl.col("channel").is_in(list(fr.CONTACT_CHANNELS))
    contacts = steps.filter(cond).with_columns(
        (pl.col(TIMESTAMP) - pl.col(TIMESTAMP).shift(1).over(CASE)).dt.total_seconds()
        .alias("_since"))
    per_contacts = contacts.filter(pl.col("_since").is_null() | (pl.col("_since") > 4 * 3600)) \
        .group_by("_person").agg(pl.len().alias("_contacts"))
    journeys = frame.group_by("_person").agg(pl.col(CASE).n_unique().alias("_journeys"))
    per = journeys.join(per_contacts, on="_person", how="left").with_columns(
        (pl.col("_contacts").fill_null(0) / pl.col("_journeys")).alias("contacts"))
    add("contacts", per, "contacts")
    # services
    if "service" in frame.columns:
        services = steps.group_by("_person").agg(pl.col("service").drop_nulls().n_unique()
                                                 .alias("services"))
        if services.get_column("services").n_unique() > 1:
            add("services", services, "services")
    # language
    langs = frame.group_by("_person").agg(
        (pl.col("language").drop_nulls().filter(pl.col("language").drop_nulls() != "")
         .mode().first() if "language" in frame.columns else pl.lit(None, pl.String))
        .alias("_lang"))
    by_customer = languages or {}
    lang_of = dict(langs.iter_rows())
    customer_of = dict(persons.select("_person", "customer").iter_rows())
    person_lang = {p: (by_customer.get(customer_of[p]) if customer_of.get(p) is not None
                       else None) or lang_of.get(p) or "en" for p in people}
    lang_frame = pl.DataFrame({"_person": people, "_lang": [person_lang[p] for p in people]})
    lang_shares = lang_frame.get_column("_lang").value_counts(normalize=True, sort=True)
    if lang_shares.height > 1:
        for lang, share in lang_shares.slice(1).iter_rows():
            if share >= 0.05:
                add(f"language:{lang}", lang_frame.with_columns(
                    (pl.col("_lang") == lang).cast(pl.Float64).alias("v")), "v")
    # trust
    if "trust_positive" in frame.columns:
        answers = frame.filter(pl.col("trust_positive").is_not_null())
        if answers.height:
            trust = answers.group_by("_person").agg(
                pl.col("trust_positive").cast(pl.Float64).mean().alias("trust"))
            add("trust", trust, "trust", NOISY_WEIGHT, float("nan"))
    # outcome
    outcomes = fr.case_outcomes(steps)
    if outcomes.height:
        dropped = outcomes.join(steps.select(CASE, "_person").unique(), on=CASE).group_by(
            "_person").agg(pl.col("dropped").cast(pl.Float64).mean().alias("dropped"))
        if dropped.get_column("dropped").sum() > 0:
            add("dropped", dropped, "dropped", NOISY_WEIGHT)
    values = np.column_stack(blocks) if blocks else np.zeros((len(people), 0))
    return Features(
        people=people, keys={p: list(k) for p, k in persons.select("_person", "keys").iter_rows()},
        customers={p: (int(c) if c is not None else None) for p, c in customer_of.items()},
        columns=columns, values=values, weights=np.array(weights))


# --------------------------------------------------------------------------- clustering


@dataclass
class Grouping:
    k: int
    labels: np.ndarray
    scores: dict[int, float]
    explanation: str


def choose_groups(features: Features, *, k_range: range = K_RANGE, seed: int = 0,
                  progress: Progress | None = None) -> Grouping:
    """K-means for each k, the best silhouette wins (see the module docstring)."""
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import silhouette_score
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    n = len(features.people)
    if n < MIN_PEOPLE:
        raise PersonaError(f"Personas need at least {MIN_PEOPLE} people with journey events; "
                           f"this agency has {n}.")
    if not features.columns:
        raise PersonaError("The journey events have nothing to group people by.")
    matrix = StandardScaler().fit_transform(features.values)
    if np.isnan(matrix).any():  # trust of people who gave no survey answer
        from sklearn.impute import KNNImputer

        matrix = KNNImputer(n_neighbors=10).fit_transform(matrix)
    matrix = matrix * features.weights
    ks = [k for k in k_range if 2 <= k < n]
    scores: dict[int, float] = {}
    labels: dict[int, np.ndarray] = {}
    for i, k in enumerate(ks):
        if progress:
            progress(f"Trying {k} groups", i / max(len(ks), 1))
        # one thread: OpenMP threads on a busy machine make these small fits 50x slower
        with threadpool_limits(limits=1), warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # fewer distinct people than k
            model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(matrix)
        found = model.labels_
        if len(set(found.tolist())) < k:
            continue  # k groups cannot be told apart
        scores[k] = float(silhouette_score(matrix, found, sample_size=min(n, SILHOUETTE_SAMPLE),
                                           random_state=seed))
        labels[k] = found
    if not scores:
        raise PersonaError("Everyone behaves the same way in these journeys: there are no "
                           "groups to find.")
    best = max(scores, key=lambda k: (round(scores[k], 6), -k))
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    runner = next(((k, s) for k, s in ranked if k != best), None)
    tried = f"{min(ks)} to {max(ks)}" if len(ks) > 1 else str(best)
    text = (f"We tried splitting {n:,} people into {tried} groups by how they behaved "
            f"(channels, contacts, services, language, survey answers, outcomes). "
            f"{best} groups separate them best: their silhouette score is {scores[best]:.2f}, "
            f"on a scale where 1 means every person is much closer to their own group than to "
            f"any other and 0 means the groups overlap.")
    if runner is not None:
        text += f" The next best was {runner[0]} groups ({runner[1]:.2f})."
    if max(scores) < max(ks):
        text += (f" More than {max(scores)} groups could not be told apart: people behave "
                 f"in no more than {max(scores)} distinct ways here.")
    if scores[best] < 0.25:
        text += (" Even the best split is weak: people differ more gradually than in clear "
                 "groups, so read the personas as tendencies.")
    return Grouping(k=best, labels=labels[best], scores=scores, explanation=text)


# --------------------------------------------------------------------------- describing


def _traits(features: Features, members: np.ndarray) -> list[dict[str, Any]]:
    values = features.values
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no survey answer in a group: NaN
        mean_all = np.nanmean(values, axis=0)
        std_all = np.nanstd(values, axis=0)
        mean_in = np.nanmean(values[members], axis=0) if members.any() else mean_all
    out: list[dict[str, Any]] = []
    for j, name in enumerate(features.columns):
        if not std_all[j] > 0 or np.isnan(mean_in[j]):
            continue
        z = float((mean_in[j] - mean_all[j]) / std_all[j])
        kind, _sep, code = name.partition(":")
        out.append({"feature": name, "kind": kind, "code": code, "value": float(mean_in[j]),
                    "average": float(mean_all[j]), "z": z})
    out.sort(key=lambda t: -abs(float(t["z"])))
    return out


def trait_words(trait: dict[str, Any]) -> str:
    """A trait in English words (the page renders them translated, see views_personas)."""
    kind, code, value, avg = trait["kind"], trait["code"], trait["value"], trait["average"]
    more = "more" if value > avg else "less"
    if kind == "channel":
        return (f"Uses {code.replace('_', ' ')} for {round(value * 100)}% of their steps "
                f"(everyone: {round(avg * 100)}%)")
    if kind == "language":
        return (f"{round(value * 100)}% prefer {LANGUAGES.get(code, code)} "
                f"(everyone: {round(avg * 100)}%)")
    if kind == "contacts":
        return f"Contacts the agency {more} often: {value:.1f} times per journey (everyone: {avg:.1f})"
    if kind == "services":
        return f"Uses {value:.1f} services (everyone: {avg:.1f})"
    if kind == "trust":
        return (f"Trusts the agency {more}: {round(value * 100)}% of survey answers positive "
                f"(everyone: {round(avg * 100)}%)")
    return (f"{round(value * 100)}% of their journeys stop short of an outcome "
            f"(everyone: {round(avg * 100)}%)")


NAME_ORDER = ("language", "channel", "contacts", "services", "dropped", "trust")


def _name(traits: list[dict[str, Any]]) -> str:
    """Two words from the strongest traits, what people do before how they feel."""
    words: list[tuple[int, str]] = []
    for t in traits[:4]:
        if abs(t["z"]) < TRAIT_MIN_Z:
            break
        word = ""
        if t["kind"] == "channel" and t["z"] > 0:
            word = CHANNEL_NAMES.get(t["code"], f"{t['code']} users")
        elif t["kind"] == "language" and t["z"] > 0:
            word = f"{LANGUAGES.get(t['code'], t['code'])} speakers"
        elif t["kind"] == "contacts" and t["z"] > 0:
            word = "Frequent contacters"
        elif t["kind"] == "trust":
            word = "Low trust" if t["z"] < 0 else "Confident"
        elif t["kind"] == "dropped" and t["z"] > 0:
            word = "Often give up"
        elif t["kind"] == "services" and t["z"] > 0:
            word = "Multi-service"
        if word and word not in (w for _o, w in words):
            words.append((NAME_ORDER.index(t["kind"]), word))
    chosen = sorted(words[:2])  # the two strongest, in a readable order
    return " · ".join(w for _o, w in chosen) or "Typical applicants"


def _pain_points(frame: pl.DataFrame, keys: set[str]) -> list[dict[str, Any]]:
    """Top friction points of the group's journeys, each with a redacted member quote."""
    mine = frame.filter(pl.col(CASE).is_in(list(keys)))
    points = fr.friction_points(mine, min_cases=max(3, len(keys) // 100),
                                min_answers=max(5, len(keys) // 50))
    comments = pl.DataFrame()
    if "comment" in mine.columns and "trust_positive" in mine.columns:
        comments = mine.filter(pl.col("comment").is_not_null() & (pl.col("comment") != "")
                               & (pl.col("trust_positive") == False))  # noqa: E712
        comments = comments.select(CASE, "comment", TIMESTAMP).sort([TIMESTAMP, CASE])
    # the worst point of each kind first, so a card shows different problems
    varied: list[fr.FrictionPoint] = []
    for p in points:
        if p.kind not in {v.kind for v in varied}:
            varied.append(p)
    varied += [p for p in points if p not in varied]
    used: set[str] = set()
    out = []
    for p in varied[:PAIN_POINTS]:
        quote = ""
        if comments.height:
            pool = comments.filter(pl.col(CASE).is_in(p.case_keys)) \
                .get_column("comment").to_list()
            pool += comments.get_column("comment").to_list()  # any member's, if none there
            for text in pool:
                if text not in used:
                    quote = redact(str(text))[0][:500]
                    used.add(text)
                    break
        out.append({"kind": p.kind, "where": p.where, "people": p.people,
                    "time_lost_seconds": p.time_lost_seconds, "text": p.sentence,
                    "quote": quote})
    # what they said that no friction point carries: the most frequent negative comments
    quoted = sum(1 for o in out if o["quote"])
    if comments.height and quoted < 2:
        ranked = comments.get_column("comment").value_counts(sort=True)
        for text, count in ranked.iter_rows():
            if quoted >= 2:
                break
            if text in used:
                continue
            used.add(text)
            quoted += 1
            out.append({"kind": "comment", "where": "", "people": int(count),
                        "time_lost_seconds": 0.0, "text": "",
                        "quote": redact(str(text))[0][:500]})
    return out


def _channel_mix(traits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    mix = [{"channel": t["code"], "share": t["value"]} for t in traits if t["kind"] == "channel"]
    return sorted(mix, key=lambda m: -m["share"])


# --------------------------------------------------------------------------- services


def _match_renamed(agency: Agency, new_keys: dict[int, set[str]]) -> dict[int, Persona]:
    """New group number → the renamed persona of the previous run it takes over."""
    old = list(Persona.objects.filter(agency=agency, renamed=True))
    if not old:
        return {}
    old_keys = {p.pk: set(p.members.values_list("case_key", flat=True)) for p in old}
    pairs = []
    for p in old:
        for number, keys in new_keys.items():
            union = len(old_keys[p.pk] | keys)
            jaccard = len(old_keys[p.pk] & keys) / union if union else 0.0
            if jaccard >= MATCH_MIN_JACCARD:
                pairs.append((jaccard, p.pk, number))
    by_id = {p.pk: p for p in old}
    taken: dict[int, Persona] = {}
    used: set[int] = set()
    for _j, pid, number in sorted(pairs, key=lambda t: (-t[0], t[1], t[2])):
        if number in taken or pid in used:
            continue
        taken[number] = by_id[pid]
        used.add(pid)
    return taken


def personas_build(*, agency: Agency, k_range: range = K_RANGE, seed: int = 0,
                   progress: Progress | None = None) -> PersonaRun:
    """Group the agency's people into personas; the new personas replace the previous run's.

    Raises PersonaError (nothing changed) when there are too few people to group.
    """
    say = progress or (lambda _what, _done: None)
    say("Reading journey events", 0.0)
    log = fr.journey_log(agency_ids=[agency.pk])
    frame = fr.normalise(log.frame)
    languages = dict(Customer.objects.filter(agency=agency).values_list(
        "id", "preferred_language"))
    say("Describing each person", 0.1)
    features = person_features(frame, languages=languages)

    def trying(what: str, done: float) -> None:
        say(what, 0.15 + 0.6 * done)

    grouping = choose_groups(features, k_range=k_range, seed=seed, progress=trying)
    say("Describing the groups", 0.8)
    people = np.array(features.people)
    groups: list[dict[str, Any]] = []
    for number in range(grouping.k):
        members = grouping.labels == number
        if not members.any():
            continue
        persons = people[members].tolist()
        keys = {k for p in persons for k in features.keys[p]}
        traits = _traits(features, members)
        trust = next((t for t in traits if t["kind"] == "trust"), None)
        answers = 0
        if "trust_positive" in frame.columns:
            answers = int(frame.filter(pl.col(CASE).is_in(list(keys))
                                       & pl.col("trust_positive").is_not_null()).height)
        groups.append({
            "number": number, "persons": persons, "keys": keys, "size": len(persons),
            "name": _name(traits),
            "traits": {
                "defining": [{**t, "text": trait_words(t)} for t in traits
                             if abs(t["z"]) >= TRAIT_MIN_Z][:5],
                "channels": _channel_mix(traits),
                "trust": ({"share": trust["value"], "average": trust["average"],
                           "answers": answers} if trust else None),
                "top_activities": _top_activities(frame, keys),
            },
            "pain_points": _pain_points(frame, keys),
        })
    say("Saving", 0.95)
    with transaction.atomic():
        taken = _match_renamed(agency, {g["number"]: g["keys"] for g in groups})
        run = PersonaRun.objects.create(agency=agency, k=grouping.k, customers=len(people),
                                        scores={str(k): v for k, v in grouping.scores.items()},
                                        explanation=grouping.explanation)
        names_used: set[str] = set()
        for g in sorted(groups, key=lambda g: -g["size"]):
            old = taken.get(g["number"])
            name = old.name if old else g["name"]
            if not old:
                base, n = name, 2
                while name in names_used:
                    name, n = f"{base} ({n})", n + 1
            names_used.add(name)
            persona = Persona.objects.create(
                agency=agency, run=run, number=g["number"], name=name,
                description=old.description if old else "", renamed=bool(old),
                size=g["size"], traits=g["traits"], pain_points=g["pain_points"])
            PersonaMember.objects.bulk_create(
                [PersonaMember(persona=persona, customer_id=features.customers.get(p),
                               case_key=key)
                 for p in g["persons"] for key in features.keys[p]], batch_size=2000)
        Persona.objects.filter(agency=agency).exclude(run=run).delete()
    say("Done", 1.0)
    return run


def _top_activities(frame: pl.DataFrame, keys: set[str]) -> list[str]:
    steps = fr.steps_only(frame.filter(pl.col(CASE).is_in(list(keys))))
    counts = steps.get_column(ACTIVITY).value_counts(sort=True).head(5)
    return [str(a) for a, _n in counts.iter_rows()]


def personas_build_enqueue(*, agency: Agency) -> None:
    """Build in the background (`govcx db_worker`) once the current transaction commits."""
    from govcx.journeys.tasks_personas import personas_build_task

    agency_id = agency.pk
    transaction.on_commit(lambda: personas_build_task.enqueue(agency_id=agency_id))


def persona_update(*, persona: Persona, name: str, description: str = "") -> Persona:
    """An analyst's name and description; the persona keeps them across runs."""
    name = " ".join(str(name).replace("\x00", "").split())
    description = str(description).replace("\x00", "").strip()
    if not name:
        raise PersonaError(_("Give the persona a name."))
    if len(name) > MAX_NAME:
        raise PersonaError(_("A name can be at most %(n)s characters.") % {"n": MAX_NAME})
    if len(description) > MAX_DESCRIPTION:
        raise PersonaError(_("A description can be at most %(n)s characters.")
                           % {"n": MAX_DESCRIPTION})
    persona.name, persona.description, persona.renamed = name, description, True
    persona.save(update_fields=["name", "description", "renamed"])
    return persona


# --------------------------------------------------------------------------- reads


def personas_for(user: AnyUser, capability: str = "journeys.view") -> QuerySet[Persona]:
    return Persona.objects.filter(agency_id__in=agency_ids_for(user, capability)) \
        .select_related("agency", "run")


def persona_get(user: AnyUser, persona_id: int, capability: str = "journeys.view") -> Persona:
    """The persona, or Persona.DoesNotExist when the user may not see it."""
    return personas_for(user, capability).get(pk=persona_id)


def persona_case_keys(persona: Persona) -> set[str]:
    """The journey keys of the persona's members: a filter for maps and friction."""
    return set(PersonaMember.objects.filter(persona=persona).values_list("case_key", flat=True))


TASK_PATH = "govcx.journeys.tasks_personas.personas_build_task"


@dataclass
class RunState:
    agency_id: int
    status: str  # "READY" (queued), "RUNNING", "FAILED", "SUCCESSFUL"
    enqueued_at: Any
    started_at: Any
    finished_at: Any
    message: str


def persona_run_states(agency_ids: set[int]) -> dict[int, RunState]:
    """The latest background run asked for each agency (from the task queue's own table when
    the database task backend is in use; empty otherwise)."""
    if not agency_ids or "django_tasks_db" not in settings.INSTALLED_APPS:
        return {}
    from django_tasks_db.models import DBTaskResult

    out: dict[int, RunState] = {}
    for r in DBTaskResult.objects.filter(task_path=TASK_PATH).order_by("-enqueued_at")[:200]:
        kwargs = (r.args_kwargs or {}).get("kwargs") or {}
        aid = kwargs.get("agency_id")
        if not isinstance(aid, int) or aid not in agency_ids or aid in out:
            continue
        message = r.return_value if isinstance(r.return_value, str) else ""
        if r.status == "FAILED":
            message = (r.exception_class_path or "error").rsplit(".", 1)[-1]
        out[aid] = RunState(agency_id=aid, status=str(r.status), enqueued_at=r.enqueued_at,
                            started_at=r.started_at, finished_at=r.finished_at, message=message)
    return out
