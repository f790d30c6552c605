"""Topic suggestion trained on an agency's own resolved cases (texts from BANKING77)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from govcx.contact import services as cs
from govcx.contact import topics
from govcx.contact.models import Case

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "banking77" / "train.csv"
CATEGORIES = ["card_arrival", "exchange_rate", "passcode_forgotten", "terminate_account",
              "top_up_failed"]
PER_TOPIC, TRAIN_PER_TOPIC = 40, 30
# Measured (SQLite and PostgreSQL, same rows): 50/50 held-out texts get the right topic first.
# The bars leave room for a changed library version: 45/50 first, 48/50 within the top 3.
MIN_TOP1, MIN_TOP3 = 0.90, 0.96


def banking77_sample() -> dict[str, list[str]]:
    if not DATA.exists():
        pytest.skip(f"BANKING77 not found at {DATA}: topic tests need "
                    "../shared/data/banking77/train.csv beside the project folder.")
    out: dict[str, list[str]] = defaultdict(list)
    with DATA.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["category"] in CATEGORIES and len(out[row["category"]]) < PER_TOPIC:
                out[row["category"]].append(row["text"])
    return out


@pytest.fixture
def model_dir(settings: Any, tmp_path: Path) -> Path:
    settings.MODEL_DIR = tmp_path / "models"
    topics._cache.clear()
    return settings.MODEL_DIR


def resolved_case(agency: Any, text: str, topic: str, queue: Any, n: int) -> Case:
    got = cs.contact_receive(agency=agency, channel="email", subject="", body=text,
                             identity=("email", f"person{n}@example.org"), topic=topic)
    cs.case_update(case=got.case, actor=None, queue=queue)
    return cs.case_resolve(case=got.case, actor=None)


@pytest.fixture
def trained(centre: dict[str, Any], model_dir: Path) -> dict[str, Any]:
    sample = banking77_sample()
    queue_of = {c: (centre["general"] if i % 2 == 0 else centre["spanish"])
                for i, c in enumerate(CATEGORIES)}
    n = 0
    for topic, texts in sample.items():
        for text in texts[:TRAIN_PER_TOPIC]:
            n += 1
            resolved_case(centre["a"], text, topic, queue_of[topic], n)
    held_out = [(t, topic) for topic, texts in sample.items() for t in texts[TRAIN_PER_TOPIC:]]
    return {**centre, "held_out": held_out, "queue_of": queue_of}


def test_suggestions_for_held_out_texts_are_mostly_right(trained: dict[str, Any],
                                                         model_dir: Path) -> None:
    a = trained["a"]
    report = topics.topics_train(agency=a)
    assert report.ok, report.reason
    assert report.cases == 5 * TRAIN_PER_TOPIC and report.topics == sorted(CATEGORIES)
    top1 = top3 = 0
    for text, topic in trained["held_out"]:
        got = topics.topic_suggest(agency=a, text=text)
        assert 1 <= len(got) <= 3
        assert all(0 <= conf <= 1 for _, _, conf in got)
        assert [c for _, _, c in got] == sorted((c for _, _, c in got), reverse=True)
        top1 += got[0][0] == topic
        top3 += topic in [t for t, _, _ in got]
        # the queue comes with the topic: the queue that topic's cases were resolved in
        assert got[0][1] == trained["queue_of"][got[0][0]].pk
    n = len(trained["held_out"])
    assert top1 / n >= MIN_TOP1, f"{top1}/{n} right first"
    assert top3 / n >= MIN_TOP3, f"{top3}/{n} right in the top 3"


def test_model_file_round_trips_and_a_new_case_gets_a_suggestion(trained: dict[str, Any],
                                                                  model_dir: Path) -> None:
    a = trained["a"]
    topics.topics_train(agency=a)
    path = model_dir / f"topics-{a.slug}.joblib"
    assert path.exists() and not list(model_dir.glob("*.tmp"))  # written atomically
    text = "I forgot my passcode and cannot log in to the app"
    before = topics.topic_suggest(agency=a, text=text)
    topics._cache.clear()  # as a fresh process: read the file again
    after = topics.topic_suggest(agency=a, text=text)
    assert before == after and after[0][0] == "passcode_forgotten"
    assert topics.topic_model_problem(agency=a) is None

    got = cs.contact_receive(agency=a, channel="web", subject="Card still not here",
                             body="I ordered my card two weeks ago and it has not arrived.",
                             identity=("email", "new@example.org"))
    suggestions = topics.topics_suggest_for_case(got.case)
    assert suggestions[0][0] == "card_arrival"
    assert suggestions[0][1] == trained["queue_of"]["card_arrival"].pk


def test_too_few_cases_no_suggestion_and_a_clear_reason(world: dict[str, Any],
                                                         model_dir: Path) -> None:
    b = world["b"]
    for i in range(4):  # 4 + 4 cases: below the 5 per topic needed
        resolved_case(b, f"Where is my refund {i}", "refunds", None, i)
        resolved_case(b, f"How do I change my address {i}", "address", None, 10 + i)
    for i in range(6):  # one topic with enough is still not enough
        resolved_case(b, f"Payment plan question {i}", "payment-plan", None, 20 + i)
    report = topics.topics_train(agency=b)
    assert not report.ok
    assert "at least 2 topics with 5 or more resolved cases each" in report.reason
    assert report.left_out == {"refunds": 4, "address": 4}
    assert not (model_dir / f"topics-{b.slug}.joblib").exists()
    assert topics.topic_suggest(agency=b, text="Where is my refund?") == []
    problem = topics.topic_model_problem(agency=b)
    assert problem is not None and "at least 2 topics" in problem
    with pytest.raises(CommandError, match="Not enough resolved cases"):
        call_command("topics", "train", "--agency", b.slug)


def test_command_prints_progress_and_trains(trained: dict[str, Any], model_dir: Path,
                                            capsys: Any) -> None:
    call_command("topics", "train", "--agency", trained["a"].slug)
    out = capsys.readouterr().out
    assert "Reading resolved cases" in out and "Training on 150 cases in 5 topics" in out
    assert "Trained 1 of 1 agency." in out
    assert (model_dir / f"topics-{trained['a'].slug}.joblib").exists()
    with pytest.raises(CommandError, match="No agency with slug nope"):
        call_command("topics", "train", "--agency", "nope")


def test_background_training_runs_after_commit(trained: dict[str, Any], model_dir: Path,
                                               settings: Any,
                                               django_capture_on_commit_callbacks: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    a = trained["a"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        topics.topics_train_enqueue(agency=a)
    assert not (model_dir / f"topics-{a.slug}.joblib").exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    assert (model_dir / f"topics-{a.slug}.joblib").exists()
    assert topics.topic_suggest(agency=a, text="what is the exchange rate today")[0][0] == \
        "exchange_rate"


def test_the_case_page_offers_the_suggestion_and_one_click_sets_topic_and_queue(
    trained: dict[str, Any], client: Any,
) -> None:
    from govcx.contact import services as cs
    from govcx.contact.topics import topic_suggest, topics_train
    from tests.conftest import login

    topics_train(agency=trained["a"])
    text, topic = next((t, tp) for t, tp in trained["held_out"]
                       if topic_suggest(agency=trained["a"], text=t)[0][0] == tp)
    case = cs.contact_receive(agency=trained["a"], channel="web", body=text).case
    assert case.topic == ""
    login(client, trained["agents"][0])
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert 'id="suggested-topics"' in page and f'name="topic" value="{topic}"' in page
    queue_id = trained["queue_of"][topic].pk
    client.post(f"/staff/cases/{case.pk}/action/",
                {"action": "update", "topic": topic, "queue": str(queue_id)})
    case.refresh_from_db()
    assert (case.topic, case.queue_id) == (topic, queue_id)
    assert 'id="suggested-topics"' not in client.get(f"/staff/cases/{case.pk}/").content.decode()


def test_without_a_model_the_case_page_says_why(centre: dict[str, Any], model_dir: Path,
                                                client: Any) -> None:
    from govcx.contact import services as cs
    from tests.conftest import login

    case = cs.contact_receive(agency=centre["a"], channel="web", body="Where is my money?").case
    login(client, centre["agents"][0])
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert 'id="suggested-topics"' in page and "resolved cases" in page
