"""Customer records and their identities (stored as keyed hashes for matching)."""

from __future__ import annotations

from django.db import models

from govcx.core.models import Agency


class Customer(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="customers")
    preferred_language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Customer {self.pk}"


class Identity(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        LOGIN_GOV = "login_gov", "Login.gov subject"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    value_hash = models.CharField(max_length=64, help_text="HMAC-SHA256 of the normalised value")
    # Minimum clear PII needed to reach the person (e.g. to send a survey invitation).
    value = models.CharField(max_length=254, blank=True)
    verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "value_hash"], name="one_identity_per_agency"
            )
        ]


class Consent(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=40)  # e.g. "follow_up", "surveys"
    granted = models.BooleanField()
    at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=80, blank=True)
