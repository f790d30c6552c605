"""Every write in the feedback app: surveys, touchpoints, invitations, responses."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import secrets
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.mail import EmailMultiAlternatives
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    connection,
    connections,
    models,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from govcx.core import group_commit
from govcx.core.models import Agency, Service
from govcx.core.services import audit_record
from govcx.core.sms import sms_send
from govcx.customers.services import customer_match_or_create
from govcx.feedback.models import (
    Invitation,
    OfferCount,
    Response,
    Survey,
    SurveyVersion,
    Tag,
    Touchpoint,
)
from govcx.feedback.schema import (
    SurveySchema,
    answers_clean,
    drivers_of,
    no_nul,
    schema_validate,
    trust_of,
)
from govcx.feedback.selectors import public_cache_clear
from govcx.metrics.services import local_day, response_counts, rollup_add, survey_scores


class SurveyError(ValueError):
    """A survey or touchpoint cannot be changed or used as asked; the message says why."""


# --- surveys ---------------------------------------------------------------------------------

def _schema_errors(exc: PydanticValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" if e["loc"] else e["msg"]
        for e in exc.errors()
    )


def survey_create(
    *, agency: Agency, name: str, schema: dict[str, Any], omb_control_number: str = "",
    pra_expiration: dt.date | None = None, publish: bool = True,
) -> Survey:
    try:
        parsed = schema_validate(schema)
    except PydanticValidationError as exc:
        raise SurveyError(f"The survey's questions are not valid: {_schema_errors(exc)}") from exc
    with transaction.atomic():
        survey = Survey.objects.create(agency=agency, name=name, template=parsed.template)
        version = SurveyVersion.objects.create(
            survey=survey, number=1, schema=parsed.model_dump(by_alias=True, exclude_none=True),
            omb_control_number=omb_control_number, pra_expiration=pra_expiration,
        )
        if publish:
            survey_version_publish(version=version)
    return survey


class _Keep:
    """The value a keyword argument takes when the caller leaves the field as it is."""


KEEP = _Keep()


def survey_version_edit(
    *, survey: Survey, schema: dict[str, Any], omb_control_number: str | None = None,
    pra_expiration: dt.date | _Keep | None = KEEP,
) -> SurveyVersion:
    """Edit a survey. A published version is never changed: the edit makes a new draft.
    `omb_control_number` None and `pra_expiration` KEEP keep the latest version's values;
    `pra_expiration` None removes the expiration date."""
    try:
        parsed = schema_validate(schema)
    except PydanticValidationError as exc:
        raise SurveyError(f"The survey's questions are not valid: {_schema_errors(exc)}") from exc
    if parsed.template != survey.template:
        raise SurveyError(f"This is a '{survey.template}' survey: its questions must keep "
                          f"\"template\": \"{survey.template}\" (to change the kind of survey, "
                          "create a new one).")
    dumped = parsed.model_dump(by_alias=True, exclude_none=True)
    with transaction.atomic():
        latest = survey.versions.select_for_update().order_by("-number").first()
        if latest is not None and latest.published_at is None:
            latest.schema = dumped
            if omb_control_number is not None:
                latest.omb_control_number = omb_control_number
            if not isinstance(pra_expiration, _Keep):
                latest.pra_expiration = pra_expiration
            latest.save()
            return latest
        return SurveyVersion.objects.create(
            survey=survey, number=(latest.number + 1) if latest else 1, schema=dumped,
            omb_control_number=(omb_control_number if omb_control_number is not None
                                else (latest.omb_control_number if latest else "")),
            pra_expiration=((latest.pra_expiration if latest else None)
                            if isinstance(pra_expiration, _Keep) else pra_expiration),
        )


def survey_version_publish(*, version: SurveyVersion) -> SurveyVersion:
    if version.published_at is not None:
        raise SurveyError(f"Version {version.number} is already published and cannot change.")
    try:
        schema_validate(version.schema)
    except PydanticValidationError as exc:
        raise SurveyError(f"Version {version.number} cannot be published: its questions are "
                          f"not valid: {_schema_errors(exc)}") from exc
    version.published_at = timezone.now()
    version.save(update_fields=["published_at"])
    public_cache_clear()
    return version


def survey_closed_reason(version: SurveyVersion, today: dt.date | None = None) -> str | None:
    """Why a survey version cannot accept answers now (PRA expiry), or None."""
    if version.pra_expiration and version.pra_expiration < (today or timezone.localdate()):
        return (f"This survey's Paperwork Reduction Act approval (OMB control number "
                f"{version.omb_control_number or 'not given'}) expired on "
                f"{version.pra_expiration.isoformat()}, so it cannot accept answers.")
    return None


# --- touchpoints -------------------------------------------------------------------------------

ORIGIN_RE = re.compile(r"^https?://[a-z0-9.-]+(:\d{1,5})?$", re.I)


def touchpoint_create(
    *, service: Service, survey: Survey, name: str, channel: str, stage: str = "",
    transaction_point: str = "", allowed_origins: list[str] | None = None,
) -> Touchpoint:
    if survey.agency_id != service.agency_id:
        raise SurveyError("A touchpoint's survey must belong to the service's agency.")
    if channel not in Service.Channel.values:
        raise SurveyError(f"Unknown channel '{channel}'.")
    if stage and service.stages and stage not in service.stages:
        raise SurveyError(f"'{stage}' is not a stage of {service.name}: {service.stages}")
    bad = [o for o in allowed_origins or [] if not ORIGIN_RE.match(o.rstrip("/"))]
    if bad:
        raise SurveyError(f"Not an origin (scheme://host[:port]): {', '.join(bad)}")
    return Touchpoint.objects.create(
        agency_id=service.agency_id, service=service, survey=survey, name=name, channel=channel,
        stage=stage, transaction_point=transaction_point or name,
        allowed_origins="\n".join(o.rstrip("/") for o in allowed_origins or []),
    )


def offer_record(*, touchpoint: Touchpoint, source: str, count: int = 1,
                 day: dt.date | None = None) -> None:
    """Count that the survey was offered (the response-rate denominator). The rollups count
    it shortly after (`offer_rollups_catch_up`), as they do responses."""
    day = day or timezone.localdate()
    add = {"count": F("count") + count, "pending": F("pending") + count}
    with transaction.atomic():
        updated = OfferCount.objects.filter(touchpoint=touchpoint, day=day, source=source).update(
            **add
        )
        if not updated:
            try:
                with transaction.atomic():
                    OfferCount.objects.create(touchpoint=touchpoint, day=day, source=source,
                                              count=count, pending=count)
            except IntegrityError:
                OfferCount.objects.filter(touchpoint=touchpoint, day=day, source=source).update(
                    **add
                )
    _rollups_catch_up_soon()


# --- responses ------------------------------------------------------------------------------

@dataclass
class SubmitResult:
    response: Response | None
    errors: dict[str, str] = field(default_factory=dict)
    replayed: bool = False
    closed_reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.response is not None


URL_RE = re.compile(r"https?://|www\.", re.I)


def spam_reasons(*, answers: dict[str, Any], honeypot: str = "") -> list[str]:
    """Why a submission looks automated. Suspect responses are quarantined, not dropped."""
    reasons = []
    if honeypot.strip():
        reasons.append("hidden honeypot field was filled in")
    text = " ".join(str(v) for v in answers.values() if isinstance(v, str))
    if len(URL_RE.findall(text)) >= 3:
        reasons.append("comment contains three or more links")
    return reasons


def response_submit(
    *, touchpoint: Touchpoint, answers: dict[str, Any], language: str = "en",
    source: str = Response.Source.WEB, page_url: str = "", idempotency_key: str | None = None,
    honeypot: str = "", ip_address: str | None = None, invitation: Invitation | None = None,
    submitted_at: dt.datetime | None = None, external_id: str = "",
    version: SurveyVersion | None = None,
) -> SubmitResult:
    """Validate and store one response (counted into the rollups shortly after, see
    `response_rollups_catch_up`).

    A retried submission with the same idempotency key returns the stored response: the
    partial unique constraint decides, so the first attempt costs no extra query.
    """
    # PostgreSQL text cannot hold NUL; it never means anything in these strings.
    page_url, external_id = no_nul(page_url), no_nul(external_id)
    idempotency_key = no_nul(idempotency_key or "") or None
    version = version or touchpoint.survey.current_version
    if version is None:
        return SubmitResult(None, closed_reason="This survey has no published version yet.")
    closed = survey_closed_reason(version) if source != Response.Source.IMPORT else None
    if closed:
        replay = _replay(touchpoint, idempotency_key)
        return replay or SubmitResult(None, closed_reason=closed)
    schema = schema_of(version)
    lang = language if language in ("en", "es") else "en"
    clean, errors = answers_clean(schema, answers, lang)
    if errors:
        return SubmitResult(None, errors=errors)
    reasons = spam_reasons(answers=clean, honeypot=honeypot)
    trust_pos, trust_score = trust_of(schema, clean)
    d_pos, d_neg = drivers_of(schema, clean)
    comment_q = schema.with_role("comment")
    comment = str(clean.get(comment_q.id, "")) if comment_q else ""
    now = submitted_at or timezone.now()
    response = _new_response(
        agency_id=touchpoint.agency_id, service_id=touchpoint.service_id,
        touchpoint_id=touchpoint.pk, survey_version_id=version.pk,
        invitation_id=invitation.pk if invitation else None,
        customer_id=invitation.customer_id if invitation else None,
        channel=touchpoint.channel, language=lang, source=source, page_url=page_url[:1000],
        submitted_at=now, answers=clean, idempotency_key=idempotency_key or None,
        external_id=external_id or (invitation.external_id if invitation else ""),
        ip_address=ip_address if touchpoint.agency.record_ip_addresses else None,
        trust_positive=trust_pos, trust_score=trust_score, drivers_positive=d_pos,
        drivers_negative=d_neg, comment=comment, quarantined=bool(reasons),
        quarantine_reason="; ".join(reasons),
    )
    try:
        if invitation is None:
            # One INSERT in autocommit: SQLite's write lock (and PostgreSQL's row locks) are
            # held only for that statement. The rollups count it afterwards (rollup_pending).
            # Inside a caller's transaction, a savepoint keeps that transaction usable when
            # the key turns out to be a retry (PostgreSQL aborts it on a failed statement).
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                _response_insert(response)
        else:
            with transaction.atomic():  # claim the single-use link and store, or neither
                used = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
                    used_at=now
                )
                if not used:
                    raise _InvitationUsed
                _response_insert(response)
    except _InvitationUsed:
        return SubmitResult(None, closed_reason="This invitation link has already been used.")
    except IntegrityError:
        replay = _replay(touchpoint, idempotency_key)  # stored before, or a concurrent retry
        if replay is not None:
            return replay
        if invitation is not None:  # the link's response exists already (another tab)
            return SubmitResult(None, closed_reason="This invitation link has already been used.")
        raise
    if invitation is not None and invitation.external_id.startswith("case:"):
        _after_case_answer(response.pk)
    if (invitation.external_id if invitation else response.external_id).startswith("case:"):
        _case_answer_rollup(response.pk)
    _rollups_catch_up_soon()
    return SubmitResult(response=response)


def _rollups_catch_up_soon() -> None:
    """Have the background worker count new responses into the rollups within a few
    seconds, without any reader asking (a reader catches up by itself anyway)."""
    from govcx.core.soon import enqueue_at_most_every
    from govcx.feedback.tasks import rollups_catch_up_task

    enqueue_at_most_every("rollups_catch_up", settings.ROLLUP_CATCH_UP_SECONDS,
                          rollups_catch_up_task.enqueue)


def _after_case_answer(response_id: int) -> None:
    """A contact-centre case's survey was answered: link it, maybe open a follow-up."""
    from govcx.contact import loop  # imported here: contact imports feedback

    transaction.on_commit(lambda: loop.on_survey_answer(response_id), robust=True)


def _case_answer_rollup(response_id: int) -> None:
    """An answer linked to a case: its reported-FCR counters (docs/metrics.md), on commit."""
    from govcx.contact.metrics_rollups import contact_rollups_apply_answer

    transaction.on_commit(lambda: contact_rollups_apply_answer(response_id), robust=True)


_INSERT_FIELDS = [f for f in Response._meta.concrete_fields if not f.primary_key]
_NEW_FIELDS = [(f.attname, f.get_default) for f in Response._meta.concrete_fields]


def _new_response(**values: Any) -> Response:
    """`Response(**values)` by attribute name, built the way Django builds rows it loads
    (positional values): keyword construction resolves every field and related-object
    descriptor, about a tenth of the submission's own time (docs/benchmarks.md, "Ingest").
    Fields not given take their defaults, as with keywords."""
    row = [values.pop(a) if a in values else default() for a, default in _NEW_FIELDS]
    if values:
        raise TypeError(f"Response has no field {', '.join(values)}")
    return Response(*row)


@functools.cache
def _insert_sql(vendor: str) -> str:
    """The INSERT with `%s` placeholders, as given to a Django cursor."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(f.column) for f in _INSERT_FIELDS)
    marks = ", ".join(["%s"] * len(_INSERT_FIELDS))
    sql = f"INSERT INTO {qn(Response._meta.db_table)} ({cols}) VALUES ({marks})"  # noqa: S608
    # SQLite: no RETURNING. With it the statement (and, in autocommit, the transaction and
    # the database's one write lock) stays open until the row is fetched, through Python;
    # without it the INSERT commits inside execute() and the id is the connection's last
    # rowid. The other workers wait for that lock in sleeps of 1 ms and more.
    return sql if vendor == "sqlite" else f"{sql} RETURNING {qn('id')}"


@functools.cache
def _insert_sql_native(vendor: str) -> str:
    """The same INSERT in the driver's own placeholder style: sqlite3 takes `?` (Django's
    SQLite cursor rewrites `%s` with a regular expression on every call), psycopg `%s`."""
    sql = _insert_sql(vendor)
    return sql.replace("%s", "?") if vendor == "sqlite" else sql


# Fields whose database value is the Python value itself when it already has the field's own
# type (what `response_submit` builds): text as str, booleans as bool, integers and foreign
# keys as int, or None. A JSON field's list or dict is adapted as Django's backend adapts it:
# `json.dumps` on SQLite, psycopg's `Jsonb` with `json.dumps` on PostgreSQL
# (`DatabaseOperations.adapt_json_value`). Anything else goes through the field's
# `get_db_prep_save`.
_NONE = type(None)
_JSON_TYPES = frozenset({dict, list})


def _plain_types(f: models.Field[Any, Any]) -> frozenset[type]:
    if isinstance(f, models.BooleanField):
        return frozenset({bool, _NONE})
    if isinstance(f, models.IntegerField | models.ForeignKey):
        return frozenset({int, _NONE})
    if isinstance(f, models.CharField | models.TextField):
        return frozenset({str, _NONE})
    return frozenset()


def _json_adapter(vendor: str) -> Callable[[Any], Any] | None:
    if vendor == "sqlite":
        return json.dumps
    if vendor == "postgresql":
        from django.db.backends.postgresql.psycopg_any import Jsonb

        return functools.partial(Jsonb, dumps=json.dumps)
    return None


@functools.cache
def _insert_plan(vendor: str) -> list[tuple[str, models.Field[Any, Any], frozenset[type],
                                             Callable[[Any], Any] | None]]:
    """Per field: its attribute, the field, the types passed through as they are, and the
    JSON adapter for a list or dict (None: through the field)."""
    adapt = _json_adapter(vendor)
    return [(f.attname, f, _plain_types(f),
             adapt if isinstance(f, models.JSONField) and f.encoder is None else None)
            for f in _INSERT_FIELDS]


def _insert_values(response: Response, db: BaseDatabaseWrapper) -> list[Any]:
    """The INSERT parameters of `response`, as the ORM would send them to `db`."""
    values = []
    row = response.__dict__
    for attname, f, plain, json_adapt in _insert_plan(db.vendor):
        v = row[attname]
        t = type(v)
        if t in plain:
            values.append(v)
        elif json_adapt is not None and t in _JSON_TYPES:
            values.append(json_adapt(v))
        else:
            values.append(f.get_db_prep_save(v, db))
    return values


@contextmanager
def _driver_cursor(db: BaseDatabaseWrapper) -> Iterator[Any]:
    """The database driver's own cursor, prepared as Django's cursor() prepares its wrapper:
    the per-request health check (CONN_HEALTH_CHECKS: a persistent connection the server
    dropped is replaced, not a 500), the connection, a usable transaction, and Django's
    exception classes for anything the driver raises."""
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        raw = db.connection
        if db.vendor == "postgresql":
            # psycopg's server-side binding cursor (what Django's `server_side_binding`
            # option uses): the statement can be prepared. Django's default cursor binds
            # on the client and never prepares.
            import psycopg

            cur = psycopg.Cursor(raw)
        else:
            cur = raw.cursor()
        try:
            yield cur
        finally:
            cur.close()


def _response_insert(response: Response) -> None:
    """INSERT one response with a statement compiled once per process.

    Why not `save()`: on the public submission path Django's insert compiler cost about
    0.2 ms per request (measured, docs/benchmarks.md), most of the difference to a bare INSERT.
    JSON, dates, times and any unexpected type still go through the field's own
    `get_db_prep_save`, so values are converted exactly as the ORM does (a test compares the
    two); the same constraints apply in the database.

    The statement goes to the driver's cursor directly, with Django's exception mapping
    (`wrap_database_errors`: an IntegrityError is Django's). With the JSON values dumped
    directly on SQLite, skipping Django's cursor wrapper and its placeholder rewriting saved
    10–18 µs of a 0.35 ms submission in-process on SQLite. When queries
    are being logged (DEBUG, `CaptureQueriesContext`) or wrapped (`execute_wrapper`), it
    goes through Django's cursor so that they see it.

    The default connection is looked up once (`django.db.connection` is a proxy that finds
    it again, through a thread-local, on every attribute read).
    """
    db = connections[DEFAULT_DB_ALIAS]
    vendor = db.vendor
    values = _insert_values(response, db)
    watched = db.queries_logged or db.execute_wrappers
    grouped = vendor == "sqlite" and not watched and _group_commit(db)
    try:
        cursor: AbstractContextManager[Any] = db.cursor() if watched else _driver_cursor(db)
        with cursor as cur:
            if grouped:
                response.pk = group_commit.shared.insert(cur, _insert_sql_native(vendor),
                                                         values, _writers_lock_path(db))
            elif watched:
                cur.execute(_insert_sql(vendor), values)
                response.pk = cur.lastrowid if vendor == "sqlite" else cur.fetchone()[0]
            elif vendor == "postgresql":
                _execute_prepared(cur, db.connection, _insert_sql_native(vendor), values)
                response.pk = cur.fetchone()[0]
            else:
                cur.execute(_insert_sql_native(vendor), values)
                response.pk = cur.lastrowid
    finally:
        raw = db.connection
        if grouped and raw is not None and raw.in_transaction:
            db.close()  # a batch this thread led failed even to roll back
    response._state.adding = False
    response._state.db = db.alias


def _execute_prepared(cur: Any, raw: Any, sql: str, values: list[Any]) -> None:
    """Run `sql` on PostgreSQL as a prepared statement (settings.DB_PREPARED_STATEMENTS): it
    is parsed and planned once per connection, for each combination of parameter types (an
    IP address recorded or not, for example), then only bound and run.

    Django opens psycopg connections with `prepare_threshold=None`, and then psycopg ignores
    `prepare=True`. The threshold is set only for this statement and put back: with a
    threshold, psycopg would also keep the text of every other query of the connection (with
    its values, as Django binds them on the client) to count its executions."""
    if not settings.DB_PREPARED_STATEMENTS:
        cur.execute(sql, values)
        return
    if raw.prepare_threshold is not None:  # turned on for the whole connection in OPTIONS
        cur.execute(sql, values, prepare=True)
        return
    raw.prepare_threshold = sys.maxsize  # nothing is prepared unless it asks (prepare=True)
    try:
        cur.execute(sql, values, prepare=True)
    finally:
        raw.prepare_threshold = None


def _group_commit(db: BaseDatabaseWrapper) -> bool:
    """SQLite in autocommit with group commit on (settings.SQLITE_GROUP_COMMIT): the row may
    be committed together with other threads' rows (govcx.core.group_commit). Inside a
    transaction the caller's commit decides, so never there."""
    return (bool(settings.SQLITE_GROUP_COMMIT) and not db.in_atomic_block
            and db.get_autocommit())


def _writers_lock_path(db: BaseDatabaseWrapper) -> str | None:
    """The group-commit lock file of this SQLite database: next to it (`<file>.writers`),
    None for an in-memory database."""
    name = str(db.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    return f"{name}.writers"


def _replay(touchpoint: Touchpoint, idempotency_key: str | None) -> SubmitResult | None:
    if not idempotency_key:
        return None
    existing = Response.objects.filter(touchpoint=touchpoint,
                                       idempotency_key=idempotency_key).first()
    return SubmitResult(response=existing, replayed=True) if existing is not None else None


_schemas: LRUCache[tuple[int, str], SurveySchema] = LRUCache(1024)
_schemas_lock = threading.Lock()


def schema_of(version: SurveyVersion) -> SurveySchema:
    """The parsed schema of a version; published versions never change, so it is cached."""
    if version.published_at is None:
        return SurveySchema.model_validate(version.schema)
    key = (version.pk, version.published_at.isoformat())
    with _schemas_lock:
        found = _schemas.get(key)
    if found is None:
        found = SurveySchema.model_validate(version.schema)
        with _schemas_lock:
            _schemas[key] = found
    return found


class _InvitationUsed(Exception):
    pass


# --- rollups: counting stored responses (rollup_pending) -------------------------------------

ROLLUP_BATCH = 2000


def _claim_sql() -> str:
    """Take a batch of pending responses: one statement, so SQLite's write lock is taken
    at once and PostgreSQL skips rows another catch-up (or a quarantine) has locked."""
    table = connection.ops.quote_name(Response._meta.db_table)
    lock = " FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
    return (f"UPDATE {table} SET rollup_pending = NULL WHERE id IN ("  # noqa: S608
            f"SELECT id FROM {table} WHERE rollup_pending ORDER BY id LIMIT %s{lock}) "
            f"RETURNING id")


def response_rollups_catch_up(*, batch: int = ROLLUP_BATCH, max_batches: int | None = None
                              ) -> int:
    """Count every pending response into the rollups, in batches of `batch`, each batch in
    one transaction with its upserts (so a response is counted exactly once, even with
    several catch-ups running). Quarantined responses are marked without being counted.
    Returns how many responses were taken."""
    from govcx.metrics.services import responses_tally, rollup_lock_try_shared, scored_versions

    done = 0
    sql = _claim_sql()
    scored: dict[int, Any] | None = None  # read once, when there is something to count
    while max_batches is None or max_batches > 0:
        if max_batches is not None:
            max_batches -= 1
        with transaction.atomic():
            if not rollup_lock_try_shared():
                break  # a rebuild is replacing the rollups; it counts these itself
            with connection.cursor() as cur:
                cur.execute(sql, [batch])
                ids = [r[0] for r in cur.fetchall()]
            if not ids:
                break
            if scored is None:
                scored = scored_versions()
            acc = responses_tally(Response.objects.filter(pk__in=ids, quarantined=False),
                                  scored)
            # in key order, so two catch-ups lock the same rollup rows in the same order
            for (a, s, t, ch, day), counts in sorted(acc.items()):
                rollup_add(agency_id=a, service_id=s, touchpoint_id=t, channel=ch, day=day,
                           counts=counts)
        done += len(ids)
        if len(ids) < batch:
            break
    return done


def response_rollups_pending() -> bool:
    """Whether any stored response is not yet counted (one probe of a partial index)."""
    return Response.objects.filter(rollup_pending=True).exists()


def offer_rollups_catch_up(*, batch: int = ROLLUP_BATCH) -> int:
    """Add every pending offer count (`OfferCount.pending`) to the rollups and clear it,
    `batch` rows per transaction, with the rules of `response_rollups_catch_up`: on SQLite
    the transaction holds the write lock from its start; on PostgreSQL it takes nothing while
    a rebuild holds its lock, and skips rows an offer being recorded holds (counted next
    time). Returns how many offers were counted."""
    from govcx.metrics.services import rollup_lock_try_shared

    done = 0
    while True:
        with transaction.atomic():
            if not rollup_lock_try_shared():
                break  # a rebuild is replacing the rollups; it counts these itself
            rows = list(
                OfferCount.objects.filter(pending__gt=0).order_by("id")
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("id", "touchpoint__agency_id", "touchpoint__service_id",
                             "touchpoint_id", "touchpoint__channel", "day", "pending")[:batch]
            )
            acc: dict[tuple[int, int, int, str, dt.date], int] = defaultdict(int)
            for _, a, s, t, ch, day, n in rows:
                acc[(a, s, t, ch, day)] += n
            for (a, s, t, ch, day), n in sorted(acc.items()):  # key order, as responses
                rollup_add(agency_id=a, service_id=s, touchpoint_id=t, channel=ch, day=day,
                           counts={"offered": n})
            # the rows are this transaction's (write lock, or FOR UPDATE): nothing was added
            OfferCount.objects.filter(pk__in=[r[0] for r in rows]).update(pending=0)
        done += sum(r[-1] for r in rows)
        if len(rows) < batch:
            break
    return done


def offer_rollups_pending() -> bool:
    """Whether any recorded offer is not yet counted (one probe of a partial index)."""
    return OfferCount.objects.filter(pending__gt=0).exists()


def rollups_catch_up() -> tuple[int, int]:
    """Count every pending response and offer into the rollups: (responses, offers)."""
    return response_rollups_catch_up(), offer_rollups_catch_up()


def _rollup(response: Response, sign: int) -> None:
    rollup_add(
        agency_id=response.agency_id, service_id=response.service_id,
        touchpoint_id=response.touchpoint_id, channel=response.channel,
        day=local_day(response.submitted_at), sign=sign,
        counts=response_counts(
            trust_positive=response.trust_positive, trust_score=response.trust_score,
            drivers_positive=response.drivers_positive,
            drivers_negative=response.drivers_negative, language=response.language,
            **survey_scores(schema_of(response.survey_version), response.answers),
        ),
    )


def _comment_sync(response_id: int) -> None:
    from govcx.feedback.comments import comment_response_sync

    comment_response_sync(response_id=response_id)


def response_quarantine_release(
    *, response: Response, actor: AbstractBaseUser | AnonymousUser
) -> Response:
    """Release a quarantined response into the metrics."""
    with transaction.atomic():
        n = Response.objects.filter(pk=response.pk, quarantined=True).update(
            quarantined=False, quarantine_reason=""
        )
        if n:
            response.refresh_from_db()
            if response.rollup_pending is None:  # counted already: correct the count now
                _rollup(response, +1)
            _comment_sync(response.pk)
            audit_record(action="response.release", actor=actor, agency=response.agency_id,
                         object_type="response", object_id=response.pk)
    return response


def response_quarantine(
    *, response: Response, reason: str, actor: AbstractBaseUser | AnonymousUser
) -> Response:
    with transaction.atomic():
        n = Response.objects.filter(pk=response.pk, quarantined=False).update(
            quarantined=True, quarantine_reason=reason[:200] or "marked by staff"
        )
        if n:
            response.refresh_from_db()
            if response.rollup_pending is None:  # counted already: correct the count now
                _rollup(response, -1)
            _comment_sync(response.pk)
            audit_record(action="response.quarantine", actor=actor, agency=response.agency_id,
                         object_type="response", object_id=response.pk)
    return response


def response_status_set(
    *, response: Response, status: str, actor: AbstractBaseUser | AnonymousUser
) -> Response:
    if status not in Response.Status.values:
        raise SurveyError(f"Unknown status '{status}'.")
    response.status = status
    response.save(update_fields=["status"])
    audit_record(action="response.status", actor=actor, agency=response.agency_id,
                 object_type="response", object_id=response.pk, detail={"status": status})
    return response


def response_tag(
    *, response: Response, name: str, actor: AbstractBaseUser | AnonymousUser,
    remove: bool = False,
) -> Response:
    name = name.strip()[:60]
    if not name:
        raise SurveyError("A tag needs a name.")
    tag, _ = Tag.objects.get_or_create(agency_id=response.agency_id, name=name)
    (response.tags.remove if remove else response.tags.add)(tag)
    audit_record(action="response.untag" if remove else "response.tag", actor=actor,
                 agency=response.agency_id, object_type="response", object_id=response.pk,
                 detail={"tag": name})
    return response


# --- invitations -------------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("touchpoint", "touchpoint__survey",
                                             "touchpoint__agency").filter(
        token_hash=_token_hash(token)
    ).first()


def invitation_problem(inv: Invitation | None) -> str | None:
    if inv is None:
        return "This invitation link is not valid. Check that you copied the whole link."
    if inv.used_at is not None:
        return "This invitation link has already been used. Thank you for your answers."
    if inv.expires_at < timezone.now():
        return "This invitation link has expired."
    if not inv.touchpoint.active:
        return "This survey is no longer open."
    return None


def invitation_send(
    *, touchpoint: Touchpoint, channel: str, to: str, language: str = "en",
    external_id: str = "", valid_days: int = 30,
) -> tuple[Invitation, str]:
    """Create a single-use link and send it by email (SMTP) or SMS. Returns (invitation, url).

    The token is shown once (in the message); only its hash is stored.
    """
    if channel not in ("email", "sms"):
        raise SurveyError("Invitations go by 'email' or 'sms'.")
    kind = "email" if channel == "email" else "phone"
    try:
        customer = customer_match_or_create(agency=touchpoint.agency, kind=kind, value=to,
                                            language=language)
    except ValueError as exc:
        raise SurveyError(str(exc)) from exc
    token = secrets.token_urlsafe(24)
    inv = Invitation.objects.create(
        touchpoint=touchpoint, customer=customer, channel=channel, token_hash=_token_hash(token),
        external_id=external_id, expires_at=timezone.now() + dt.timedelta(days=valid_days),
    )
    url = f"{settings.PUBLIC_BASE_URL}/s/i/{token}/?lang={language}"
    agency = touchpoint.agency.name
    if language == "es":
        subject = f"{agency}: ¿Cómo fue su experiencia?"
        body = (f"Gracias por usar {touchpoint.service.name}. Cuéntenos cómo le fue "
                f"(2 minutos):\n\n{url}\n\nEste enlace es personal y se puede usar una vez.")
    else:
        subject = f"{agency}: How did we do?"
        body = (f"Thank you for using {touchpoint.service.name}. Tell us how it went "
                f"(2 minutes):\n\n{url}\n\nThis link is personal and works once.")
    try:
        if channel == "email":
            msg = EmailMultiAlternatives(subject=subject, body=body, to=[to])
            msg.send()
        else:
            sms_send(to=to, body=f"{subject} {url}")
    except Exception as exc:
        inv.send_error = str(exc)[:300]
        inv.save(update_fields=["send_error"])
        raise SurveyError(f"The invitation could not be sent: {exc}") from exc
    inv.sent_at = timezone.now()
    inv.save(update_fields=["sent_at"])
    offer_record(touchpoint=touchpoint, source=f"invite_{channel}")
    return inv, url


def responses_load(
    *, touchpoint: Touchpoint, items: list[tuple[dict[str, Any], str, dt.datetime]],
    source: str = Response.Source.IMPORT, batch_size: int = 2000,
) -> tuple[int, list[tuple[int, dict[str, str]]]]:
    """Validate and bulk-insert many responses (demo data, large trusted loads).

    Same validation and derived fields as `response_submit`, without per-row transactions;
    the caller rebuilds the rollups afterwards (`metrics.services.rollups_rebuild`).
    Returns (stored, [(item index, errors)]).
    """
    version = touchpoint.survey.current_version
    if version is None:
        raise SurveyError("The touchpoint's survey has no published version.")
    schema = SurveySchema.model_validate(version.schema)
    comment_q = schema.with_role("comment")
    rows: list[Response] = []
    bad: list[tuple[int, dict[str, str]]] = []
    for i, (answers, lang, at) in enumerate(items):
        clean, errors = answers_clean(schema, answers, lang)
        if errors:
            bad.append((i, errors))
            continue
        tp_pos, tp_score = trust_of(schema, clean)
        d_pos, d_neg = drivers_of(schema, clean)
        rows.append(Response(
            agency_id=touchpoint.agency_id, service_id=touchpoint.service_id,
            touchpoint=touchpoint, survey_version=version, channel=touchpoint.channel,
            language=lang, source=source, submitted_at=at, answers=clean,
            trust_positive=tp_pos, trust_score=tp_score, drivers_positive=d_pos,
            drivers_negative=d_neg,
            comment=str(clean.get(comment_q.id, "")) if comment_q else "",
        ))
    Response.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows), bad
