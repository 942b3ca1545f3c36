"""Personalised ranking: the search's candidates reordered by the shopper's taste.

Two views of taste, blended:

- **collaborative** (:class:`CFModel`): item factors from matrix factorisation of everyone's
  signals (implicit-feedback ALS, trained by :mod:`stylist.personal.train`). The shopper's own
  vector is folded in at request time from their current signals with the same least-squares
  step ALS uses, so a signal counts from the next turn on, without retraining;
- **content** (:class:`ContentProfile`): the colours, occasions, brands and price band of what
  the shopper liked (minus what they thumbed down) and the colours they said they like.

:class:`Scorer` keeps the search's order as the base (every candidate already satisfies the
turn's constraints) and moves items by ``weight`` times the taste score. A shopper with no
signals and no stated likes gets no scorer: cold start is the non-personalised ranking.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from stylist.grounding import brand_of

#: How much each kind of signal says about taste (negative: away from it).
SIGNAL_WEIGHTS = {"click": 1.0, "more_like": 2.0, "add_to_cart": 3.0, "thumb_up": 2.0, "thumb_down": -2.0}
#: Share of the taste score given to the collaborative model when both views are available.
CF_SHARE = 0.5


@dataclass
class ContentProfile:
    """Affinities in [-1, 1] per facet value, and the shopper's price band."""

    colour: dict[str, float] = field(default_factory=dict)
    usage: dict[str, float] = field(default_factory=dict)
    brand: dict[str, float] = field(default_factory=dict)
    #: Median price of what they liked (or the middle of their usual spend), None when unknown.
    price: float | None = None
    disliked_items: set[str] = field(default_factory=set)

    def empty(self) -> bool:
        return not (self.colour or self.usage or self.brand or self.price or self.disliked_items)

    @classmethod
    def build(
        cls,
        signals: Sequence[tuple[str, str, float]],
        item: Callable[[str], Mapping[str, Any] | None],
        facts: Mapping[str, Any] | None = None,
    ) -> ContentProfile:
        """From ``(product_id, kind, weight)`` signals, ``item`` (catalog lookup) and stated facts."""
        sums: dict[str, dict[str, float]] = {"colour": defaultdict(float), "usage": defaultdict(float),
                                             "brand": defaultdict(float)}  # fmt: skip
        prices: list[float] = []
        disliked: set[str] = set()
        for pid, _kind, weight in signals:
            meta = item(pid) if pid else None
            if not meta:
                continue
            if weight < 0:
                disliked.add(pid)
            values = {"colour": meta.get("colour"), "usage": meta.get("usage"),
                      "brand": brand_of(str(meta.get("title") or ""))}  # fmt: skip
            for facet, value in values.items():
                if value:
                    sums[facet][str(value)] += weight
            if weight > 0 and meta.get("price"):
                prices.append(float(meta["price"]))
        profile = cls(disliked_items=disliked)
        for facet, counts in sums.items():
            top = max((v for v in counts.values() if v > 0), default=0.0)
            scale = max(top, 2.0)  # one click is a hint, not a taste
            setattr(profile, facet, {k: max(-1.0, min(1.0, v / scale)) for k, v in counts.items() if v})
        for colour in (facts or {}).get("likes") or []:
            profile.colour[colour] = 1.0
        budget = (facts or {}).get("budget") or {}
        if prices:
            profile.price = float(np.median(prices))
        elif budget.get("max") or budget.get("min"):
            low, high = budget.get("min"), budget.get("max")
            profile.price = float(
                (low + high) / 2 if low and high else (high or low) * (0.6 if high else 1.2)
            )
        return profile

    def score(self, meta: Mapping[str, Any]) -> float:
        """The item's content affinity: the sum of its colour, occasion, brand and price fit (each in
        [-1, 1]); NaN for an item the shopper thumbed down (it goes last)."""
        if str(meta.get("id")) in self.disliked_items:
            return math.nan
        parts: list[float] = []
        for facet, key in ((self.colour, "colour"), (self.usage, "usage")):
            if facet:
                parts.append(facet.get(str(meta.get(key) or ""), 0.0))
        if self.brand:
            parts.append(self.brand.get(brand_of(str(meta.get("title") or "")), 0.0))
        if self.price and meta.get("price"):
            # 1 at the shopper's usual price, 0 at twice or half of it, below 0 further away.
            parts.append(1.0 - abs(math.log(float(meta["price"]) / self.price)) / math.log(2.0))
        return float(sum(parts))


class CFModel:
    """Item factors of an implicit-feedback ALS model, and the fold-in of a shopper's vector."""

    def __init__(
        self, item_ids: Sequence[str], factors: np.ndarray, regularization: float, alpha: float
    ) -> None:
        self.item_ids = [str(i) for i in item_ids]
        self.index = {pid: i for i, pid in enumerate(self.item_ids)}
        self.factors = np.asarray(factors, dtype=np.float32)
        self.regularization = float(regularization)
        self.alpha = float(alpha)
        self.gram = (self.factors.T @ self.factors).astype(np.float64)

    @classmethod
    def load(cls, path: Path) -> CFModel:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                [str(x) for x in data["item_ids"]],
                data["factors"],
                float(data["regularization"]),
                float(data["alpha"]),
            )

    def save(self, path: Path, **extra: Any) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(
            tmp,
            item_ids=np.asarray(self.item_ids),
            factors=self.factors,
            regularization=self.regularization,
            alpha=self.alpha,
            **extra,
        )
        tmp.replace(path)  # readers never see half a file

    def user_vector(self, weights: Mapping[str, float]) -> np.ndarray | None:
        """The least-squares user vector for positive ``weights`` per product (ALS's user step:
        ``(VᵀV + Vᵀ(C-I)V + λI) u = VᵀC p`` with confidence ``c = 1 + alpha * weight``)."""
        rows = [(self.index[p], w) for p, w in weights.items() if w > 0 and p in self.index]
        if not rows:
            return None
        idx = np.asarray([r for r, _ in rows])
        conf = 1.0 + self.alpha * np.asarray([w for _, w in rows], dtype=np.float64)
        v = self.factors[idx].astype(np.float64)
        a = self.gram + (v.T * (conf - 1.0)) @ v + self.regularization * np.eye(v.shape[1])
        b = v.T @ conf
        return np.linalg.solve(a, b)

    def scores(self, user: np.ndarray, product_ids: Sequence[str]) -> np.ndarray:
        """Predicted preference per product (NaN for products the model does not know)."""
        out = np.full(len(product_ids), np.nan)
        known = [(j, self.index[p]) for j, p in enumerate(product_ids) if p in self.index]
        if known:
            cols = np.asarray([i for _, i in known])
            out[[j for j, _ in known]] = self.factors[cols] @ user
        return out

    def recommend(self, user: np.ndarray, n: int, exclude: set[str] = frozenset()) -> list[str]:
        """The model's top ``n`` products for ``user`` over the whole catalog (for evaluation)."""
        scores = self.factors @ user
        for pid in exclude:
            if pid in self.index:
                scores[self.index[pid]] = -np.inf
        top = np.argpartition(-scores, min(n, len(scores) - 1))[:n]
        return [self.item_ids[i] for i in top[np.argsort(-scores[top])]]


class Scorer:
    """Reorders one search's candidates for one shopper."""

    def __init__(
        self, content: ContentProfile, cf: CFModel | None, user: np.ndarray | None, weight: float
    ) -> None:
        self.content = content
        self.cf = cf
        self.user = user
        self.weight = weight

    def rerank(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``items`` (best first, as the search ranked them) in personalised order."""
        n = len(items)
        if n < 2 or self.weight <= 0:
            return list(items)
        base = 1.0 - np.arange(n) / n
        # Each view is centred and scaled over the candidates (to [-1, 1]): what moves an item is
        # how much better it fits than the others, not facets they all share.
        taste = np.zeros(n)
        disliked = np.zeros(n, dtype=bool)
        if not self.content.empty():
            content = np.asarray([self.content.score(i) for i in items])
            disliked = np.isnan(content)
            taste = _spread(content)
        if self.cf is not None and self.user is not None:
            cf = self.cf.scores(self.user, [str(i["id"]) for i in items])
            if (~np.isnan(cf)).sum() >= 2:
                share = CF_SHARE if not self.content.empty() else 1.0
                taste = (1 - share) * taste + share * _spread(cf)
        final = base + self.weight * taste - 10.0 * disliked  # thumbed down: last, whatever else
        order = sorted(range(n), key=lambda j: (-final[j], j))
        return [items[j] for j in order]


def _spread(values: np.ndarray) -> np.ndarray:
    """``values`` minus their mean, over the largest distance from it (NaN, unknown: 0)."""
    known = ~np.isnan(values)
    if not known.any():
        return np.zeros(len(values))
    centred = np.where(known, values - np.nanmean(values), 0.0)
    top = float(np.max(np.abs(centred)))
    return centred / top if top > 0 else centred


class ModelCache:
    """The trained model file, reloaded when it changes (checked at most every ``every`` seconds)."""

    def __init__(self, path: Path, every: float = 30.0) -> None:
        self.path = path
        self.every = every
        self._model: CFModel | None = None
        self._stamp: float | None = None
        self._checked = -math.inf
        self._lock = threading.Lock()

    def get(self, now: float) -> CFModel | None:
        with self._lock:
            if now - self._checked >= self.every:
                self._checked = now
                try:
                    stamp = self.path.stat().st_mtime
                except OSError:
                    self._model, self._stamp = None, None
                    return None
                if stamp != self._stamp:
                    try:
                        self._model, self._stamp = CFModel.load(self.path), stamp
                    except (OSError, ValueError, KeyError):
                        self._model, self._stamp = None, None
            return self._model

    def reset(self) -> None:
        with self._lock:
            self._checked = -math.inf


def signal_weights(signals: Sequence[tuple[str, str, float]]) -> dict[str, float]:
    """Total weight per product (for the collaborative fold-in)."""
    out: dict[str, float] = defaultdict(float)
    for pid, _kind, weight in signals:
        if pid:
            out[pid] += weight
    return dict(out)
