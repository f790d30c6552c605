"""Redaction of personal data (govcx.core.redact) on planted values in English and Spanish."""

from __future__ import annotations

import random

import pytest

from govcx.core.redact import luhn_valid, redact


def _luhn_complete(prefix: str) -> str:
    for d in "0123456789":
        if luhn_valid(prefix + d):
            return prefix + d
    raise AssertionError


@pytest.mark.parametrize("text,planted", [
    ("My SSN is 123-45-6789, please check.", "123-45-6789"),
    ("ssn 123 45 6789", "123 45 6789"),
    ("Mi número de seguro social es 123456789.", "123456789"),
    ("El SSN de mi hijo: 078-05-1120", "078-05-1120"),
])
def test_ssn(text: str, planted: str) -> None:
    out, kinds = redact(text)
    assert planted not in out and "[SSN]" in out and kinds == ["ssn"]


@pytest.mark.parametrize("text", ["000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567",
                                  "123-45-0000", "123-456789"])
def test_invalid_ssn_left(text: str) -> None:
    assert redact(f"number {text} here")[1] == []


@pytest.mark.parametrize("text,planted", [
    ("Call me at (202) 555-0123 tomorrow", "(202) 555-0123"),
    ("my cell is 202-555-0199.", "202-555-0199"),
    ("phone: 202.555.0111", "202.555.0111"),
    ("text 2025550123 please", "2025550123"),
    ("+1 305 555 0144 is mine", "+1 305 555 0144"),
    ("Llámeme al 1-305-555-0177 por la tarde", "1-305-555-0177"),
    ("mi teléfono es (787) 555-0100 ext. 12", "(787) 555-0100 ext. 12"),
])
def test_phone(text: str, planted: str) -> None:
    out, kinds = redact(text)
    assert planted not in out and "[PHONE]" in out and kinds == ["phone"], out


@pytest.mark.parametrize("text,planted", [
    ("write to ana.diaz+benefits@example.org if needed", "ana.diaz+benefits@example.org"),
    ("Mi correo es JUAN_PEREZ@correo.example.com.mx", "JUAN_PEREZ@correo.example.com.mx"),
])
def test_email(text: str, planted: str) -> None:
    out, kinds = redact(text)
    assert planted not in out and "[EMAIL]" in out and kinds == ["email"]


def test_cards_luhn_checked() -> None:
    valid = ["4111 1111 1111 1111", "4111-1111-1111-1111", "5500005555555559",
             "3782 822463 10005", "6011000990139424"]
    for card in valid:
        out, kinds = redact(f"my card is {card} thanks")
        assert card not in out and kinds == ["card"], card
        out, kinds = redact(f"mi tarjeta es {card}, gracias")
        assert card not in out and kinds == ["card"], card
    rng = random.Random(4)
    planted = 0
    for _ in range(200):  # random 16-digit numbers that fail the Luhn check stay
        digits = "".join(rng.choice("0123456789") for _ in range(16))
        if luhn_valid(digits):
            continue
        planted += 1
        assert redact(f"reference {digits}") == (f"reference {digits}", [])
        grouped = " ".join(digits[i:i + 4] for i in range(0, 16, 4))
        out, kinds = redact(f"reference {grouped}")
        assert "card" not in kinds, grouped
    assert planted > 150
    # and random numbers that pass it are caught
    for _ in range(20):
        card = _luhn_complete("4" + "".join(rng.choice("0123456789") for _ in range(14)))
        assert redact(f"card {card}")[1] == ["card"]


@pytest.mark.parametrize("text,planted", [
    ("I live at 123 Main St, Apt 4B, Springfield, IL 62704", "123 Main St, Apt 4B, Springfield, IL 62704"),
    ("Send it to 1600 Pennsylvania Avenue NW, Washington, DC 20500-0003 please",
     "1600 Pennsylvania Avenue NW, Washington, DC 20500-0003"),
    ("my address is 42 elm street", "42 elm street"),
    ("moved to 350 5th Ave Suite 300 last week", "350 5th Ave Suite 300"),
    ("Vivo en Calle Luna 45, Apto 3 desde enero", "Calle Luna 45, Apto 3"),
    ("mi dirección es 123 Calle Principal, Miami, FL 33101", "123 Calle Principal, Miami, FL 33101"),
    ("Av. Juárez 123 es mi casa", "Av. Juárez 123"),
    ("Use P.O. Box 1234, Austin, TX 78701", "P.O. Box 1234, Austin, TX 78701"),
])
def test_address(text: str, planted: str) -> None:
    out, kinds = redact(text)
    assert planted not in out and "[ADDRESS]" in out and "address" in kinds, out
    assert not any(ch.isdigit() for ch in out.replace("[ADDRESS]", "")), out


def test_mixed_sentence_reports_every_kind() -> None:
    text = ("Hi, I'm at 12 Oak Rd. SSN 123-45-6789, card 4111 1111 1111 1111, "
            "phone 202-555-0123, email ana@example.org")
    out, kinds = redact(text)
    assert sorted(kinds) == ["address", "card", "email", "phone", "ssn"]
    assert out == ("Hi, I'm at [ADDRESS] SSN [SSN], card [CARD], phone [PHONE], "
                   "email [EMAIL]")


@pytest.mark.parametrize("text", [
    "On 2024-01-15 I paid $1,200 and on 01/02/2025 another $350.50.",
    "Case 12345 was opened in 2023; my claim 2024-000123 is pending.",
    "I waited 2 hours on the road and 3 days for an answer.",
    "I have 3 kids and we live on Elm Street.",
    "El 15 de marzo de 2024 pagué $1,200 por el caso 98765.",
    "Esperé 2 horas en la calle y 3 días por una respuesta.",
    "My ZIP is 20001 and my income is 45,000 a year.",
    "Apply by 10 am on 3 May 2024, form SF-424, page 12 of 30.",
    "I'm 67 years old and get $1,450 a month since 1998.",
])
def test_no_false_positives(text: str) -> None:
    assert redact(text) == (text, [])


@pytest.mark.parametrize("text,planted", [
    ("My name is Keanu Okonkwo and I need help.", "Keanu Okonkwo"),
    ("Sincerely, Thaddeus R. Vandersloot", "Thaddeus R. Vandersloot"),
    ("I spoke with Mr. Abernathy yesterday.", "Abernathy"),
    ("Ms. Pemberton said it was fixed.", "Pemberton"),
    ("The agent, Jennifer Smith, hung up.", "Jennifer Smith"),
    ("Maria Garcia from the office called back.", "Maria Garcia"),
    ("I am Zoltan Kowalczyk, a veteran.", "Zoltan Kowalczyk"),
    ("Me llamo Wenceslao Etxeberria.", "Wenceslao Etxeberria"),
    ("Mi nombre es Itzel de la Cruz.", "Itzel de la Cruz"),
    ("La Sra. Quintanilla me dijo que esperara.", "Quintanilla"),
    ("Atentamente, Nayeli Bustamante", "Nayeli Bustamante"),
    ("Hablé con José Hernández del banco.", "José Hernández"),
    ("Soy Eluney Saavedra y necesito ayuda.", "Eluney Saavedra"),
])
def test_names(text: str, planted: str) -> None:
    out, kinds = redact(text)
    assert planted not in out and "[NAME]" in out and kinds == ["name"], out
    for word in planted.replace(".", "").split():
        if len(word) > 2 and word not in ("de", "la"):
            assert word not in out, out


@pytest.mark.parametrize("text,planted", [
    ("My account number is 1234567890.", "1234567890"),
    ("acct # 99-887766 is frozen", "99-887766"),
    ("the loan number: LN-4455667", "LN-4455667"),
    ("Claim no. 5566778 was denied", "5566778"),
    ("Policy #CL-7978560 cancelled", "CL-7978560"),
    ("routing number 021000021", "021000021"),
    ("my checking account ending in 4821 was closed", "4821"),
    ("Member ID 0012 3456 7890 shows a balance", "0012 3456 7890"),
    ("Mi número de cuenta es 0012-3456-7890.", "0012-3456-7890"),
    ("Cerraron mi cuenta de ahorros 55443322 sin aviso.", "55443322"),
    ("Número de ruta 121000358", "121000358"),
    ("Mi número de préstamo es 7788990011.", "7788990011"),
    ("Póliza #69114 fue cancelada.", "69114"),
])
def test_accounts(text: str, planted: str) -> None:
    out, kinds = redact(text)
    assert planted not in out and "[ACCOUNT]" in out and kinds == ["account"], out


@pytest.mark.parametrize("text", [
    "I opened the account in 2019 and paid $1,250.00 on 03/15/2020.",
    "My claim 2024-000123 and Case 12345 are still open.",
    "Chase closed my account ending in XXXX on XX/XX/XXXX.",
    "Will the Grace period apply? I called Wells Fargo on May 3.",
    "I AM WRITING BECAUSE THE BANK REFUSED TO HELP.",
    "Abrí la cuenta en 2020 y pagué $1,200 el 5 de mayo.",
    "Thank you for your help.",
    "Dear CFPB, I am writing about my mortgage.",
])
def test_names_accounts_false_positive_guards(text: str) -> None:
    assert redact(text) == (text, []), redact(text)


@pytest.mark.parametrize("text,planted,placeholder", [
    ("my name is john smith", "john smith", "[NAME]"),
    ("mi nombre es ana maría lópez", "ana maría lópez", "[NAME]"),
    ("me llamo juan perez y necesito ayuda", "juan perez", "[NAME]"),
    ("sincerely, keanu okonkwo", "keanu okonkwo", "[NAME]"),
    ("My ITIN is 912-78-1234", "912-78-1234", "[SSN]"),
    ("SSN 987-65-4321", "987-65-4321", "[SSN]"),
    ("my social is 912781234", "912781234", "[SSN]"),
    ("mi número de seguro social es 900 12 3456", "900 12 3456", "[SSN]"),
    ("card number 4111 1111 1111 1112 (typo)", "4111 1111 1111 1112", "[CARD]"),
    ("mi tarjeta de crédito es 5500-0000-0000-0005", "5500-0000-0000-0005", "[CARD]"),
    ("write to john dot doe at gmail dot com", "john dot doe at gmail dot com", "[EMAIL]"),
    ("juan punto perez arroba gmail punto com", "juan punto perez arroba gmail punto com",
     "[EMAIL]"),
    ("jdoe (at) example (dot) org", "jdoe (at) example (dot) org", "[EMAIL]"),
    ("my cell is 555-123-4567", "555-123-4567", "[PHONE]"),
    ("call me at (555) 123-4567 after 5", "(555) 123-4567", "[PHONE]"),
])
def test_variants_after_cue_words(text: str, planted: str, placeholder: str) -> None:
    """Lower-case names, ITINs and mistyped SSNs, Luhn-invalid cards after a cue word, and
    spelled-out email addresses are redacted."""
    out, _kinds = redact(text)
    assert planted not in out and placeholder in out
    for word in planted.replace("-", " ").split():
        if len(word) > 3 and word not in ("dot", "punto", "arroba", "(dot)", "(at)"):
            assert word not in out


@pytest.mark.parametrize("text", [
    "my name is on the form", "my name is misspelled on the letter",
    "my name is not correct on the card", "mi nombre es incorrecto en la carta",
    "thanks for your help", "I was at home dot com",
    "SSN ending 1234", "social media posts since 2019",
    "the card was charged 2024-01-15 for $1,200.00, Case 12345, ZIP 62704",
    "card ending in 1234 was charged twice in 2023",
    "I had to call 3 times between 2023 and 2024", "the phone bill was $1,234.56",
])
def test_cue_variants_leave_ordinary_text(text: str) -> None:
    assert redact(text) == (text, [])
