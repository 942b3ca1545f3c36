"""The fashion-text classifier: the bundled MiniLM encoder with trained softmax heads.

``predict(texts)`` maps fashion text (a product name, a shopper's phrase, a photo
description) to the catalog's own taxonomy (article type, colour, usage, season,
gender), each label with a probability.

The encoder stays frozen (its sentence embeddings are what the vector store
uses too); the project trains one linear softmax head per attribute on the
catalog's product names. The heads are small (``heads.npz``, well under 1 MB) and
ship in ``stylist/trends/weights``; ``stylist trends train-classifier`` reproduces them.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from stylist.errors import ClassifierMissing

if TYPE_CHECKING:
    from stylist.catalog import Product
    from vectorstore.client import Embedder

#: Head name -> Product attribute.
HEADS = {
    "article_type": "article_type",
    "colour": "colour",
    "usage": "usage",
    "season": "season",
    "gender": "gender",
}
WEIGHTS_FILE, LABELS_FILE = "heads.npz", "labels.json"


def in_test_split(product_id: str, seed: int = 0, share: float = 0.2) -> bool:
    """Seeded held-out split by product id (stable across catalog order and size)."""
    digest = hashlib.sha256(f"{seed}:{product_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


@dataclass
class Head:
    """One softmax head: ``labels[argmax(x @ weight + bias)]``."""

    labels: list[str]
    weight: np.ndarray  # (dim, classes)
    bias: np.ndarray  # (classes,)

    def proba(self, x: np.ndarray) -> np.ndarray:
        logits = x @ self.weight + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)


class TextClassifier:
    """Frozen-encoder text classifier; ``predict(texts)`` returns top labels per head."""

    def __init__(
        self, heads: dict[str, Head], embedder: Embedder, info: dict[str, Any] | None = None
    ) -> None:
        self.heads = heads
        self.embedder = embedder
        self.info = info or {}

    @classmethod
    def load(cls, folder: Path, embedder: Embedder) -> TextClassifier:
        """Load heads saved by :meth:`save`."""
        folder = Path(folder)
        if not (folder / WEIGHTS_FILE).is_file() or not (folder / LABELS_FILE).is_file():
            raise ClassifierMissing(
                f"no classifier heads in {folder}; run `stylist trends train-classifier` or set STYLIST_CLASSIFIER_DIR"
            )
        info = json.loads((folder / LABELS_FILE).read_text(encoding="utf-8"))
        arrays = np.load(folder / WEIGHTS_FILE)
        heads = {
            name: Head(
                labels, arrays[f"{name}.weight"].astype(np.float32), arrays[f"{name}.bias"].astype(np.float32)
            )
            for name, labels in info["labels"].items()
        }
        return cls(heads, embedder, info)

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        arrays = {}
        for name, head in self.heads.items():
            # float16 halves the file; the rounding changes no prediction we measured.
            arrays[f"{name}.weight"] = head.weight.astype(np.float16)
            arrays[f"{name}.bias"] = head.bias.astype(np.float16)
        np.savez_compressed(folder / WEIGHTS_FILE, **arrays)
        info = {**self.info, "labels": {n: h.labels for n, h in self.heads.items()}}
        (folder / LABELS_FILE).write_text(
            json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    def predict(self, texts: Sequence[str], top: int = 3) -> list[dict[str, list[dict[str, Any]]]]:
        """Top ``top`` labels with probabilities per head for each text."""
        if not texts:
            return []
        x = np.asarray(self.embedder.embed([t.strip() or " " for t in texts]), dtype=np.float32)
        per_head = {name: head.proba(x) for name, head in self.heads.items()}
        out = []
        for i in range(len(texts)):
            row = {}
            for name, proba in per_head.items():
                order = np.argsort(-proba[i])[:top]
                row[name] = [
                    {"label": self.heads[name].labels[j], "p": round(float(proba[i, j]), 4)} for j in order
                ]
            out.append(row)
        return out


def _train_head(
    x: np.ndarray, y: np.ndarray, classes: int, *, iterations: int, weight_decay: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Softmax regression fitted with full-batch L-BFGS (converges in tens of steps on 10k x 384)."""
    import torch

    torch.manual_seed(seed)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    layer = torch.nn.Linear(x.shape[1], classes)
    opt = torch.optim.LBFGS(
        layer.parameters(), lr=1.0, max_iter=iterations, history_size=20, line_search_fn="strong_wolfe"
    )
    # Mildly balanced class weights: rare colours and types count, without drowning frequent ones.
    counts = np.bincount(y, minlength=classes).astype(np.float32)
    weights = torch.from_numpy((counts.mean() / np.maximum(counts, 1)) ** 0.3)

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(layer(xt), yt, weight=weights)
        loss = loss + weight_decay * layer.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return layer.weight.detach().numpy().T.copy(), layer.bias.detach().numpy().copy()


def train_classifier(
    products: Sequence[Product],
    embedder: Embedder,
    *,
    seed: int = 0,
    test_share: float = 0.2,
    min_examples: int = 5,
    iterations: int = 100,
    weight_decay: float = 1e-5,
) -> tuple[TextClassifier, dict[str, Any]]:
    """Train the heads on the training split of product titles; evaluate on the held-out split.

    Labels with fewer than ``min_examples`` training titles are not learned (too rare to
    learn honestly); held-out items with such labels still count as errors.

    Returns:
        The classifier and a report: accuracy and macro-F1 per head on held-out titles.
    """
    start = time.perf_counter()
    test = np.array([in_test_split(p.id, seed, test_share) for p in products])
    titles = [p.title for p in products]
    x = np.asarray(embedder.embed(titles), dtype=np.float32)
    encode_s = time.perf_counter() - start
    heads: dict[str, Head] = {}
    report: dict[str, Any] = {"train": int((~test).sum()), "test": int(test.sum()), "seed": seed, "heads": {}}
    for name, attr in HEADS.items():
        values = np.array([getattr(p, attr) or "" for p in products])
        counts = Counter(values[~test & (values != "")])
        labels = sorted(v for v, n in counts.items() if n >= min_examples)
        index = {v: i for i, v in enumerate(labels)}
        train_rows = ~test & np.isin(values, labels)
        y = np.array([index[v] for v in values[train_rows]], dtype=np.int64)
        w, b = _train_head(
            x[train_rows], y, len(labels), iterations=iterations, weight_decay=weight_decay, seed=seed
        )
        heads[name] = Head(labels, w.astype(np.float32), b.astype(np.float32))
        eval_rows = test & (values != "")
        pred = np.array(labels)[np.argmax(heads[name].proba(x[eval_rows]), axis=1)]
        report["heads"][name] = {
            "classes": len(labels),
            "test_items": int(eval_rows.sum()),
            "accuracy": round(float(np.mean(pred == values[eval_rows])), 4),
            "macro_f1": round(macro_f1(values[eval_rows], pred), 4),
        }
    report["encode_seconds"] = round(encode_s, 1)
    report["seconds"] = round(time.perf_counter() - start, 1)
    categories: dict[str, Counter[str]] = {}
    for p in products:
        categories.setdefault(p.article_type, Counter())[p.category] += 1
    info = {
        "encoder": str(embedder.model_path.name),
        "trained_on": "catalog product titles (training split)",
        "report": report,
        # The trend lookup needs the category of a predicted article type.
        "article_category": {a: c.most_common(1)[0][0] for a, c in sorted(categories.items())},
    }
    return TextClassifier(heads, embedder, info), report


def macro_f1(truth: np.ndarray, pred: np.ndarray) -> float:
    """Unweighted mean F1 over the labels present in the truth."""
    scores = []
    for label in np.unique(truth):
        tp = float(np.sum((pred == label) & (truth == label)))
        fp = float(np.sum((pred == label) & (truth != label)))
        fn = float(np.sum((pred != label) & (truth == label)))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return float(np.mean(scores)) if scores else 0.0
