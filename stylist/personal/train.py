"""Training the collaborative model: implicit-feedback ALS (the ``implicit`` library) over the
signal log, saved as item factors (``settings.personal_model_path``).

Why ALS from ``implicit``: the signals are implicit (clicks, add-to-cart, thumbs: no ratings),
which is what Hu, Koren and Volinsky's confidence-weighted ALS was made for; ``implicit`` ships
binary wheels for Python 3.11 (no compiler), trains 100k signals in seconds on one core, and
its user step is a closed form the serving side repeats in numpy to fold in a shopper's newest
signals (:meth:`stylist.personal.ranking.CFModel.user_vector`), so serving needs no library
and no retraining per signal.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stylist.personal.ranking import CFModel

#: Confidence per unit of signal weight (c = 1 + ALPHA * weight).
ALPHA = 10.0
FACTORS = 32
REGULARIZATION = 0.05
ITERATIONS = 15


@dataclass
class TrainReport:
    shoppers: int
    items: int
    signals: int
    seconds: float
    path: Path | None


def fit(
    signals: Sequence[tuple[str, str, float]],
    *,
    factors: int = FACTORS,
    iterations: int = ITERATIONS,
    regularization: float = REGULARIZATION,
    alpha: float = ALPHA,
    seed: int = 0,
    threads: int = 1,
) -> tuple[CFModel, dict[str, np.ndarray], int]:
    """Fit ALS on ``(shopper_id, product_id, weight)`` signals (positive totals only).

    Returns the model, each shopper's trained vector, and the number of (shopper, item) pairs.
    """
    import scipy.sparse as sp
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    totals: dict[tuple[str, str], float] = {}
    for shopper, product, weight in signals:
        totals[(shopper, product)] = totals.get((shopper, product), 0.0) + weight
    pairs = [(s, p, w) for (s, p), w in totals.items() if w > 0]
    if not pairs:
        raise ValueError("no positive signals to train on yet")
    shoppers = sorted({s for s, _, _ in pairs})
    items = sorted({p for _, p, _ in pairs})
    s_index = {s: i for i, s in enumerate(shoppers)}
    i_index = {p: i for i, p in enumerate(items)}
    rows = np.fromiter((s_index[s] for s, _, _ in pairs), dtype=np.int32, count=len(pairs))
    cols = np.fromiter((i_index[p] for _, p, _ in pairs), dtype=np.int32, count=len(pairs))
    conf = np.fromiter((1.0 + alpha * w for _, _, w in pairs), dtype=np.float32, count=len(pairs))
    matrix = sp.csr_matrix((conf, (rows, cols)), shape=(len(shoppers), len(items)))
    # implicit's own loop over users is the parallel part; BLAS threads on top only contend
    # (implicit warns about them at construction even inside the limit).
    with threadpool_limits(1, "blas"), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*OpenBLAS is configured.*")
        model = AlternatingLeastSquares(
            factors=factors, regularization=regularization, iterations=iterations, random_state=seed,
            num_threads=threads, calculate_training_loss=False,
        )  # fmt: skip
        model.fit(matrix, show_progress=False)
    cf = CFModel(items, np.asarray(model.item_factors), regularization, alpha)
    users = np.asarray(model.user_factors)
    return cf, {s: users[i] for s, i in s_index.items()}, len(pairs)


def train(store: object, path: Path, **kwargs: object) -> TrainReport:
    """Train on every signal in ``store`` (a :class:`~stylist.personal.store.ProfileStore`) and
    save the model to ``path`` (atomically: a serving process never reads half a file)."""
    started = time.perf_counter()
    signals = store.training_signals()  # type: ignore[attr-defined]
    cf, users, _pairs = fit(signals, **kwargs)  # type: ignore[arg-type]
    cf.save(path, trained_at=time.time(), signals=len(signals))
    return TrainReport(len(users), len(cf.item_ids), len(signals), time.perf_counter() - started, path)
