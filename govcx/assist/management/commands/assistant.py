"""`govcx assistant eval|train`: evaluate the intent models on labelled files, or train an
agency's assistant.

    govcx assistant eval --train FILE --test FILE [--train-splits train,oos_train]
        [--test-splits val,oos_val] [--tune-splits SPLITS] [--threshold T]
        [--model default|ml]

reads files in the CLINC150 layout (a JSON object of splits, each a list of [text, intent];
intent "oos" is out of scope), trains on the train splits, places the operating point
(on --tune-splits of the train file when given, at --threshold when given, else on a
held-out share of the training examples), classifies every test query one at a time as an
intent or as hand-over, and prints one JSON object (see docs/benchmarks.md). With
--cross-fit N the operating point is instead placed on random halves of the test queries and
measured on the other halves, N times over (see govcx.assist.model.evaluate_cross_fit).

    govcx assistant train --agency SLUG [--model default|ml]

trains the agency's active intents now (the web page queues the same work as a background
task) and prints the model's figures.

    govcx assistant expire

clears the original text of chat messages idle for more than a day (the assistant also does
this by itself, see govcx/assist/conversation.py).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from govcx.assist.model import evaluate, evaluate_cross_fit
from govcx.assist.models import AssistantModel
from govcx.assist.training import TrainingError, assistant_train, model_fit
from govcx.core.models import Agency


def splits_read(path: str, names: str, option: str) -> tuple[list[str], list[str]]:
    """The [text, intent] pairs of the named splits; clear errors for a bad file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CommandError(f"{option}: no file {path}.") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"{option}: {path} is not a JSON file of splits ({exc}).") from exc
    if not isinstance(data, dict):
        raise CommandError(f"{option}: {path} must hold a JSON object of splits.")
    texts: list[str] = []
    labels: list[str] = []
    for name in [n.strip() for n in names.split(",") if n.strip()]:
        if name not in data:
            raise CommandError(f"{option}: {path} has no split '{name}' "
                               f"(it has {', '.join(sorted(data)) or 'none'}).")
        for i, item in enumerate(data[name]):
            if (not isinstance(item, list) or len(item) != 2
                    or not all(isinstance(v, str) for v in item)):
                raise CommandError(f"{option}: {path} split '{name}' item {i} is not "
                                   "[text, intent].")
            texts.append(item[0])
            labels.append(item[1])
    if not texts:
        raise CommandError(f"{option}: the splits '{names}' of {path} are empty.")
    return texts, labels


class Command(BaseCommand):
    help = "Evaluate the assistant's intent models on CLINC150-layout files, or train an agency."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["eval", "train", "expire"])
        parser.add_argument("--train", metavar="FILE")
        parser.add_argument("--test", metavar="FILE")
        parser.add_argument("--train-splits", default="train,oos_train")
        parser.add_argument("--test-splits", default="val,oos_val")
        parser.add_argument("--tune-splits", default="",
                            help="splits of the --train file that place the operating point")
        parser.add_argument("--threshold", type=float, default=None,
                            help="a fixed operating point (confidence 0..1)")
        parser.add_argument("--model", choices=["default", "ml"], default="default")
        parser.add_argument("--cross-fit", type=int, default=0, metavar="N",
                            help="place the operating point on random halves of the test "
                                 "splits and measure the other halves, N times (the model is "
                                 "trained once); prints the means")
        parser.add_argument("--query-threads", type=int, default=1,
                            help="threads per query while timing (1: one core, as a server "
                                 "worker answers one request)")
        parser.add_argument("--agency", metavar="SLUG")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "expire":
            from govcx.assist.conversation import conversation_private_expire

            self.stdout.write(f"Cleared the original text of {conversation_private_expire()} "
                              "chat messages idle for more than a day.")
        elif opts["action"] == "train":
            self._train(opts)
        else:
            self._eval(opts)

    def _train(self, opts: dict[str, Any]) -> None:
        if not opts["agency"]:
            raise CommandError("Name the agency: --agency SLUG.")
        agency = Agency.objects.filter(slug=opts["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency with slug {opts['agency']}.")
        record = AssistantModel.objects.create(agency=agency, kind=opts["model"])
        bar = tqdm(total=100, desc=f"training {agency.slug}", unit="%")

        def progress(f: float, msg: str) -> None:
            bar.n = round(100 * f)
            bar.set_postfix_str(msg)
            bar.refresh()

        record = assistant_train(record=record, progress=progress)
        bar.close()
        if record.status != AssistantModel.Status.READY:
            raise CommandError(f"Training failed: {record.error}")
        self.stdout.write(json.dumps({"agency": agency.slug, "model": record.kind,
                                      "intents": record.intents, "examples": record.examples,
                                      **record.metrics}))

    def _eval(self, opts: dict[str, Any]) -> None:
        if not opts["train"] or not opts["test"]:
            raise CommandError("eval needs --train FILE and --test FILE.")
        texts, labels = splits_read(opts["train"], opts["train_splits"], "--train")
        test_texts, test_labels = splits_read(opts["test"], opts["test_splits"], "--test")
        tune = (splits_read(opts["train"], opts["tune_splits"], "--tune-splits")
                if opts["tune_splits"] else None)
        bar = tqdm(total=100, desc=f"training ({opts['model']})", unit="%")

        def progress(f: float, msg: str) -> None:
            bar.n = round(100 * f)
            bar.set_postfix_str(msg)
            bar.refresh()

        threshold = opts["threshold"]
        if opts["cross_fit"] > 0:
            if tune is not None:
                raise CommandError("--cross-fit places the operating point on the test splits: "
                                   "leave out --tune-splits.")
            threshold = 0.5  # not used: every fold places its own
        t0 = time.perf_counter()
        try:
            model = model_fit(texts, labels, kind=opts["model"], tune=tune,
                              threshold=threshold, progress=progress)
        except ImportError as exc:
            raise CommandError(f"--model ml needs the ML extra (pip install -e '.[ml]'): {exc}"
                               ) from exc
        except TrainingError as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - t0
        bar.close()
        if opts["model"] == "ml":
            import torch

            torch.set_num_threads(max(1, opts["query_threads"]))
        if opts["cross_fit"] > 0:
            result = evaluate_cross_fit(model, test_texts, test_labels, seconds,
                                        repeats=opts["cross_fit"])
        else:
            result = evaluate(model, test_texts, test_labels, seconds).as_dict()
        result.update({"model": opts["model"], "train_splits": opts["train_splits"],
                       "test_splits": opts["test_splits"], "tune_splits": opts["tune_splits"]})
        self.stdout.write(json.dumps(result))
