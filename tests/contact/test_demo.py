"""The demo's contact-centre history is made by the real services and shows what reports need."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from govcx.contact.demo import contact_demo_seed
from govcx.contact.models import Case, Contact


def test_demo_history_has_every_channel_fcr_recontacts_and_breaches(world: Any) -> None:
    made = contact_demo_seed(agencies=[world["a"]], months=3, cases_per_agency=300, seed=7)
    cases = Case.objects.filter(agency=world["a"])
    assert made > 250  # a few are dropped: abandoned calls open no case
    assert set(cases.values_list("channel", flat=True)) == {"web", "email", "sms", "phone", "chat"}
    resolved = cases.filter(status="resolved")
    one = resolved.filter(customer_contacts=1).count()
    assert 0.55 < one / resolved.count() < 0.85  # most, not all, resolved at first contact
    assert cases.filter(reopen_count__gt=0).exists()
    assert cases.filter(first_response_at__gt=F("first_response_due")).exists()  # breaches
    assert Contact.objects.filter(agency=world["a"], abandoned=True, case=None).exists()
    assert not cases.filter(assignee=None).exists()  # every queue has agents with capacity
    assert Case.objects.filter(agency=world["b"]).count() == 0


def test_rollups_kept_by_the_services_equal_a_rebuild_from_raw_rows(world: Any) -> None:
    """Every write in contact.services updates the rollups; replaying months of history through
    them must give exactly what a rebuild from raw rows gives."""
    from govcx.contact.metrics_rollups import contact_rollups_rebuild
    from govcx.contact.models import CallDaily, CaseDaily

    def snapshot() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        fields = lambda m: [f.attname for f in m._meta.concrete_fields if not f.primary_key]  # noqa: E731
        return (sorted(CaseDaily.objects.values_list(*fields(CaseDaily))),
                sorted(CallDaily.objects.values_list(*fields(CallDaily))))

    contact_demo_seed(agencies=[world["a"]], months=2, cases_per_agency=250, seed=11,
                      defer_rollups=False)
    incremental = snapshot()
    assert incremental[0] and incremental[1]
    contact_rollups_rebuild()
    assert snapshot() == incremental


def test_deferred_bulk_load_ends_with_the_same_rollups(world: Any) -> None:
    from govcx.contact.models import CaseDaily

    contact_demo_seed(agencies=[world["a"]], months=1, cases_per_agency=120, seed=5)
    deferred = sorted(CaseDaily.objects.values_list("day", "channel", "resolved", "fcr_yes"))
    from govcx.contact.metrics_rollups import contact_rollups_rebuild

    contact_rollups_rebuild()
    assert deferred and sorted(
        CaseDaily.objects.values_list("day", "channel", "resolved", "fcr_yes")) == deferred
