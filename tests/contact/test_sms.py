"""SMS webhook (Twilio form): signatures, provider retries, carrier keywords, rate limit."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from govcx.contact.channels.sms import sms_allowed
from govcx.contact.models import Case, Contact
from govcx.customers.models import Consent, Customer
from govcx.customers.services import customer_match_or_create

URL = "/channels/sms/inbound/"
AGENCY_NUMBER = "+12025550100"
TOKEN = "test-auth-token-12345"
PERSON = "+13015550199"


def sign(url: str, params: dict[str, str], token: str = TOKEN) -> str:
    """Twilio's documented algorithm, written out independently of the code under test."""
    data = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


@pytest.fixture
def sms_setup(centre: dict[str, Any], settings: Any, monkeypatch: Any) -> dict[str, Any]:
    settings.SMS_NUMBERS = {"(202) 555-0100": {"agency": centre["a"].slug,
                                               "auth_token_env": "TEST_SMS_TOKEN_A"}}
    monkeypatch.setenv("TEST_SMS_TOKEN_A", TOKEN)
    return centre


def post(client: Client, body: str, sid: str, *, sender: str = PERSON, to: str = AGENCY_NUMBER,
         signature: str | None = None, url: str = "http://testserver" + URL,
         extra: dict[str, str] | None = None) -> Any:
    params = {"From": sender, "To": to, "Body": body, "MessageSid": sid, "NumMedia": "0",
              "AccountSid": "AC123", **(extra or {})}
    sig = sign(url, params) if signature is None else signature
    headers = {"HTTP_X_TWILIO_SIGNATURE": sig} if sig else {}
    return client.post(URL, urlencode(params), content_type="application/x-www-form-urlencoded",
                       **headers)


def test_bad_or_missing_signature_is_refused_and_nothing_is_stored(sms_setup: Any,
                                                                   client: Client) -> None:
    wrong = sign("http://testserver" + URL, {"From": PERSON}, token="another-token")
    r = post(client, "My check did not arrive", "SM1", signature=wrong)
    assert r.status_code == 403 and b"signature" in r.content
    assert post(client, "My check did not arrive", "SM1", signature="").status_code == 403
    # signed correctly, then the body changed on the way: refused too
    params = {"From": PERSON, "To": AGENCY_NUMBER, "Body": "hello", "MessageSid": "SM2"}
    good_sig = sign("http://testserver" + URL, params)
    r = client.post(URL, urlencode({**params, "Body": "tampered"}),
                    content_type="application/x-www-form-urlencoded",
                    HTTP_X_TWILIO_SIGNATURE=good_sig)
    assert r.status_code == 403
    assert Contact.objects.count() == 0 and Case.objects.count() == 0
    assert Customer.objects.count() == 0


def test_unknown_agency_number_is_404(sms_setup: Any, client: Client) -> None:
    r = post(client, "hello", "SM9", to="+12025550111")
    assert r.status_code == 404 and Contact.objects.count() == 0


def test_good_signature_stores_contact_and_case_and_retry_is_stored_once(
        sms_setup: Any, client: Client) -> None:
    r = post(client, "My check did not arrive\x00", "SMaaa")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/xml")
    assert r.content.decode().endswith("<Response/>")
    contact = Contact.objects.get()
    assert (contact.channel, contact.direction, contact.external_id) == ("sms", "in", "SMaaa")
    assert contact.body == "My check did not arrive" and contact.sender == PERSON
    case = contact.case
    assert case is not None and case.channel == "sms" and case.queue == sms_setup["general"]
    assert case.agency == sms_setup["a"]
    assert contact.customer == customer_match_or_create(agency=sms_setup["a"], kind="phone",
                                                        value="301-555-0199")
    # the provider did not see our 200 and sends the same message again
    again = post(client, "My check did not arrive", "SMaaa")
    assert again.status_code == 200
    assert Contact.objects.count() == 1
    case.refresh_from_db()
    assert case.customer_contacts == 1
    # the person's next text continues the same conversation
    post(client, "It was due on the 3rd", "SMbbb")
    assert Contact.objects.count() == 2 and Case.objects.count() == 1


def test_signature_over_the_public_url_behind_a_proxy(sms_setup: Any, settings: Any,
                                                     client: Client) -> None:
    settings.PUBLIC_BASE_URL = "https://cx.example.gov"
    r = post(client, "hi", "SMproxy", url="https://cx.example.gov" + URL)
    assert r.status_code == 200 and Contact.objects.count() == 1


def test_stop_start_help_record_consent_open_no_case_and_gate_outbound(
        sms_setup: Any, client: Client) -> None:
    a = sms_setup["a"]
    post(client, "I need help with my claim", "SM1")
    customer = Contact.objects.get().customer
    assert customer is not None and sms_allowed(customer)
    cases_before = Case.objects.count()

    r = post(client, " Stop ", "SM2")
    assert r.status_code == 200 and "unsubscribed" in r.content.decode()
    assert "<Message>" in r.content.decode()
    assert not sms_allowed(customer)
    c = Consent.objects.filter(customer=customer, purpose="sms").latest("id")
    assert c.granted is False
    post(client, " Stop ", "SM2")  # provider retry: consent recorded once
    assert Consent.objects.filter(customer=customer, purpose="sms").count() == 1

    r = post(client, "unstop", "SM3")
    assert "again" in r.content.decode() and sms_allowed(customer)
    for word in ("QUIT", "cancel.", "UNSUBSCRIBE", "END", "STOPALL"):
        post(client, word, f"SM-{word}")
        assert not sms_allowed(customer), word
        post(client, "START", f"SM-start-{word}")
        assert sms_allowed(customer)

    r = post(client, "HELP", "SM4")
    assert "Reply STOP" in r.content.decode() and a.name in r.content.decode()
    r = post(client, "ayuda", "SM5")
    assert "Responda" in r.content.decode()
    # keywords are never contacts and never cases
    assert Case.objects.count() == cases_before
    assert Contact.objects.count() == 1


def test_a_stranger_saying_stop_is_remembered(sms_setup: Any, client: Client) -> None:
    post(client, "STOP", "SM1", sender="+13015550123")
    assert Case.objects.count() == 0 and Contact.objects.count() == 0
    customer = customer_match_or_create(agency=sms_setup["a"], kind="phone",
                                        value="+13015550123")
    assert not sms_allowed(customer)


def test_rate_limited_per_sender(sms_setup: Any, settings: Any, client: Client) -> None:
    settings.RATELIMIT_SMS_PER_SENDER = "2/m"
    assert post(client, "one", "SM1").status_code == 200
    assert post(client, "two", "SM2").status_code == 200
    r = post(client, "three", "SM3")
    assert r.status_code == 429 and Contact.objects.count() == 2
    # another sender is not affected
    assert post(client, "hello", "SM4", sender="+13015550100").status_code == 200


def test_webhook_is_post_only_and_needs_no_csrf_token(sms_setup: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.get(URL).status_code == 405
    assert post(client, "hello", "SM1").status_code == 200


def test_bad_sender_number_is_400_not_500(sms_setup: Any, client: Client) -> None:
    r = post(client, "hello", "SM1", sender="not-a-number")
    assert r.status_code == 400 and Contact.objects.count() == 0


def test_an_agent_cannot_text_someone_who_said_stop(db, settings, tmp_path):
    """Outbound: a reply by SMS to a person who texted STOP is refused and not sent."""
    from govcx.contact import services as cs
    from govcx.contact.outbound import NotSent
    from govcx.customers.services import consent_record
    from tests.conftest import make_agency

    settings.SMS_FILE_PATH = tmp_path
    agency = make_agency("stopper")
    case = cs.contact_receive(agency=agency, channel="sms", identity=("phone", "2025550111"),
                              body="hi").case
    consent_record(customer=case.customer, purpose="sms", granted=False, source="STOP")
    with pytest.raises(NotSent, match="STOP"):
        cs.case_reply(case=case, author=None, body="Hello")
    assert not (tmp_path / "outbox.jsonl").exists()
    event = case.events.get(kind="not_sent")  # the agent's text is kept, marked not sent
    assert "STOP" in event.detail["reason"]
