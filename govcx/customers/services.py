"""Matching people to customer records by keyed hashes of their identifiers."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction

from govcx.core.models import Agency
from govcx.core.sms import normalize_phone
from govcx.customers.models import Consent, Customer, Identity


def identity_normalize(kind: str, value: str) -> str:
    if kind == Identity.Kind.EMAIL:
        return value.strip().lower()
    if kind == Identity.Kind.PHONE:
        return normalize_phone(value)
    return value.strip()


def identity_hash(kind: str, value: str) -> str:
    msg = f"{kind}:{identity_normalize(kind, value)}".encode()
    return hmac.new(settings.IDENTITY_HASH_KEY.encode(), msg, hashlib.sha256).hexdigest()


def customer_match_or_create(
    *, agency: Agency, kind: str, value: str, verified: bool = False, language: str = "en"
) -> Customer:
    """The customer who owns this identifier in the agency, created if new."""
    h = identity_hash(kind, value)
    found = Identity.objects.filter(agency=agency, kind=kind, value_hash=h).select_related(
        "customer"
    ).first()
    if found:
        if verified and not found.verified:
            found.verified = True
            found.save(update_fields=["verified"])
        return found.customer
    try:
        with transaction.atomic():
            customer = Customer.objects.create(agency=agency, preferred_language=language)
            Identity.objects.create(
                customer=customer, agency=agency, kind=kind, value_hash=h,
                value=identity_normalize(kind, value), verified=verified,
            )
            return customer
    except IntegrityError:  # a concurrent request created it first
        return Identity.objects.get(agency=agency, kind=kind, value_hash=h).customer


def consent_record(*, customer: Customer, purpose: str, granted: bool, source: str = "") -> Consent:
    return Consent.objects.create(customer=customer, purpose=purpose, granted=granted, source=source)


def consent_current(*, customer: Customer, purpose: str) -> bool:
    last = Consent.objects.filter(customer=customer, purpose=purpose).order_by("-at", "-id").first()
    return bool(last and last.granted)
