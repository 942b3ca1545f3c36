"""Held-out figures of an image model: attribute accuracy and visual-neighbour precision."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from stylist.vision.data import PhotoSet, Vocab
    from stylist.vision.model import CompactNet


def topk_accuracy(probs: np.ndarray, targets: np.ndarray, k: int) -> float:
    """Share of rows whose target is among the ``k`` most probable labels.

    Rows whose true label the model does not know (target -1) count as misses.
    """
    if len(targets) == 0:
        return float("nan")
    top = np.argsort(-probs, axis=1)[:, :k]
    hits = (top == targets[:, None]).any(axis=1) & (targets >= 0)
    return float(hits.mean())


def neighbour_precision(
    query_emb: np.ndarray,
    query_types: list[str],
    gallery_emb: np.ndarray,
    gallery_types: list[str],
    k: int = 5,
    query_type_probs: list[dict[str, float]] | None = None,
    rerank_weight: float = 1.0,
    pool: int = 10,
) -> float:
    """Mean share of each query's ``k`` nearest gallery items that have the query's article type.

    With ``query_type_probs`` the ``pool * k`` nearest are re-ranked as the image service
    does: cosine plus ``rerank_weight`` times the query's probability of the item's type.
    """
    if len(query_emb) == 0 or len(gallery_emb) < k:
        return float("nan")
    gallery = np.asarray(gallery_types)
    n = min(len(gallery), pool * k) if query_type_probs is not None else k
    shares = []
    for start in range(0, len(query_emb), 512):
        sims = query_emb[start : start + 512] @ gallery_emb.T
        top = np.argpartition(-sims, n - 1, axis=1)[:, :n]
        for i, (row, qtype) in enumerate(zip(top, query_types[start : start + 512], strict=True)):
            score = sims[i, row]
            if query_type_probs is not None:
                probs = query_type_probs[start + i]
                score = score + rerank_weight * np.array([probs.get(t, 0.0) for t in gallery[row]])
            best = row[np.argsort(-score, kind="stable")[:k]]
            shares.append(float((gallery[best] == qtype).mean()))
    return float(np.mean(shares))


def evaluate_photos(
    model: CompactNet, test: PhotoSet, vocab: Vocab, gallery: PhotoSet | None = None
) -> dict[str, float]:
    """Top-1 (and article-type top-5) accuracy per attribute on ``test``.

    With a ``gallery`` (e.g. the training photos) also the article-type precision@5
    of the nearest gallery photos by image embedding, re-ranked by the predicted
    article type as :class:`~stylist.vision.service.ImageService` does, and plain.
    """
    import torch

    from stylist.vision.model import infer

    probs, emb = infer(model, torch.from_numpy(test.images))
    out: dict[str, float] = {}
    for attr, p in probs.items():
        y = test.targets[attr]
        known = y >= 0
        if attr in ("gender", "usage", "season"):
            # Rows without a value for these optional fields are not scored.
            p, y = p.numpy()[known], y[known]
        else:
            p = p.numpy()
        out[f"{attr}_top1"] = round(topk_accuracy(p, y, 1), 4)
        if attr == "article_type":
            out[f"{attr}_top5"] = round(topk_accuracy(p, y, 5), 4)
    if gallery is not None and len(gallery):
        _, gemb = infer(model, torch.from_numpy(gallery.images))
        labels = vocab.labels["article_type"]
        type_probs = [dict(zip(labels, row.tolist(), strict=True)) for row in probs["article_type"].numpy()]
        args = (emb.numpy(), [p.article_type for p in test.products],
                gemb.numpy(), [p.article_type for p in gallery.products])  # fmt: skip
        out["similar_article_type_p5"] = round(neighbour_precision(*args, query_type_probs=type_probs), 4)
        out["similar_article_type_p5_plain"] = round(neighbour_precision(*args), 4)
    return out
