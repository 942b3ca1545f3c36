"""In-memory dense search over the rows a metadata filter allows.

Both indexes answer ``nearest(query, mask, n)``: the row numbers of the ``n`` allowed
vectors most similar to ``query`` (cosine; vectors are unit length), most similar first,
ties in row order. Neither can return a row the mask excludes: the filter is applied to
the candidates, never approximated.

- :class:`ExactIndex` scores every allowed row (small catalogs).
- :class:`IVFIndex` (large catalogs) groups the vectors into k-means lists stored
  contiguously, scores only the lists nearest the query and keeps their allowed rows.
  When a filter allows few rows it scores those rows exactly instead, so selective
  filters (where probing a few lists would find too few matches) stay exact.

Both score with BLAS limited to ``threads`` (default one) for the duration of a query:
on two shared cores a two-thread OpenBLAS matrix-vector product waits for its second
thread to be scheduled, and a probe of 64 lists took about 30 times longer that way.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np

_controller: Any = None


def blas_threads(threads: int | None) -> AbstractContextManager[Any]:
    """Limit BLAS (numpy's OpenBLAS) to ``threads`` threads inside the block; None: no limit.

    The limit is process-wide while the block runs; queries in other threads at the
    same moment share it, which changes their speed, never their results.
    """
    global _controller
    if not threads:
        return nullcontext()
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller.limit(limits=threads, user_api="blas")


def top_rows(rows: np.ndarray, sims: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` rows with the highest similarity, highest first, ties in row order."""
    if len(rows) > n:
        top = np.argpartition(-sims, n - 1)[:n]
        rows, sims = rows[top], sims[top]
    return rows[np.lexsort((rows, -sims))]


class ExactIndex:
    """Exact cosine over the allowed rows."""

    def __init__(self, vectors: np.ndarray, threads: int | None = 1) -> None:
        self.vectors = vectors
        self.threads = threads

    def nearest(self, query: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
        rows = np.flatnonzero(mask)
        with blas_threads(self.threads):
            return top_rows(rows, self.vectors[rows] @ query, n)


class IVFIndex:
    """A coarse inverted-file index; rows are numbered in list order (see :meth:`build`).

    Args:
        vectors: unit vectors, grouped so list ``i`` is ``vectors[offsets[i]:offsets[i + 1]]``.
        centroids: one unit vector per list.
        offsets: list boundaries (``len(centroids) + 1`` ascending row numbers).
        exact_max_matches: filters that allow at most this many rows are searched exactly.
        probe_lists: the fewest lists scored per query.
        candidates_per_result: lists are added, nearest first, until they hold at least
            this many allowed rows per requested result (so a filter that thins the
            nearest lists makes the search probe further rather than return fewer).
        threads: BLAS threads while scoring (None: BLAS's own setting).
    """

    def __init__(
        self,
        vectors: np.ndarray,
        centroids: np.ndarray,
        offsets: np.ndarray,
        *,
        exact_max_matches: int = 20_000,
        probe_lists: int = 128,
        candidates_per_result: int = 10,
        threads: int | None = 1,
    ) -> None:
        self.vectors = vectors
        self.centroids = centroids
        self.offsets = offsets
        self.exact_max_matches = exact_max_matches
        self.probe_lists = probe_lists
        self.candidates_per_result = candidates_per_result
        self.threads = threads

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        n_lists: int | None = None,
        *,
        iterations: int = 10,
        sample_per_list: int = 50,
        seed: int = 0,
        groups: np.ndarray | None = None,
        **options: Any,
    ) -> tuple[IVFIndex, np.ndarray]:
        """Cluster ``vectors`` (spherical k-means on a sample) and group them by list.

        Args:
            vectors: unit vectors, one per catalog row.
            n_lists: number of lists; default about the square root of the row count,
                which balances scoring the centroids against scoring the probed lists.
            iterations: k-means iterations.
            sample_per_list: k-means trains on this many sampled rows per list.
            seed: sampling seed (the index is deterministic for given vectors).
            groups: an integer per row (e.g. a code of gender and article type); within a
                list rows are ordered by it, so the rows a filter on those fields allows lie
                in one short span per list and a probe scores that span only.
            options: passed to the constructor (``exact_max_matches``, ``probe_lists``, ...).

        Returns:
            The index and ``order``: the index's row ``i`` is the caller's row ``order[i]``;
            the caller reorders its own per-row data the same way.
        """
        count = len(vectors)
        n_lists = max(1, min(count, n_lists or round(count**0.5)))
        rng = np.random.default_rng(seed)
        sample = vectors[
            np.sort(rng.choice(count, size=min(count, sample_per_list * n_lists), replace=False))
        ]
        centroids = sample[rng.choice(len(sample), size=n_lists, replace=False)].copy()
        for _ in range(iterations):
            assign = _assign(sample, centroids)
            sums = np.zeros_like(centroids)
            np.add.at(sums, assign, sample)
            norms = np.linalg.norm(sums, axis=1)
            empty = norms == 0  # a list that lost all its rows restarts at a random sample row
            centroids[~empty] = sums[~empty] / norms[~empty, None]
            centroids[empty] = sample[rng.choice(len(sample), size=int(empty.sum()))]
        assign = _assign(vectors, centroids)
        order = np.argsort(assign, kind="stable") if groups is None else np.lexsort((groups, assign))
        offsets = np.searchsorted(assign[order], np.arange(n_lists + 1)).astype(np.int64)
        return cls(np.ascontiguousarray(vectors[order]), centroids, offsets, **options), order

    def nearest(self, query: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
        with blas_threads(self.threads):
            return self._nearest(query, mask, n)

    def _nearest(self, query: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
        # allowed[i]: allowed rows before row i, so list sizes come out right for empty lists too.
        allowed = np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))
        matches = int(allowed[-1])
        if matches == 0:
            return np.zeros(0, dtype=np.int64)
        if matches <= max(self.exact_max_matches, n):
            rows = np.flatnonzero(mask)
            return top_rows(rows, self.vectors[rows] @ query, n)
        # Allowed rows per list, then the nearest lists until enough of them are held.
        per_list = np.diff(allowed[self.offsets])
        lists = np.argsort(-(self.centroids @ query), kind="stable")
        held = np.cumsum(per_list[lists])
        needed = min(matches, self.candidates_per_result * n)
        probe = max(self.probe_lists, int(np.searchsorted(held, needed)) + 1)
        rows, sims = [], []
        for i in lists[:probe].tolist():
            start, stop = int(self.offsets[i]), int(self.offsets[i + 1])
            keep = np.flatnonzero(mask[start:stop])
            if not len(keep):
                continue
            first, last = int(keep[0]), int(keep[-1]) + 1
            if 8 * len(keep) >= last - first:
                # Scoring the contiguous span of allowed rows and dropping the rest is
                # about eight times faster per row than gathering them (no copy).
                sims.append((self.vectors[start + first : start + last] @ query)[keep - first])
            else:
                sims.append(self.vectors[keep + start] @ query)
            rows.append(keep + start)
        return top_rows(np.concatenate(rows), np.concatenate(sims), n)


def _assign(vectors: np.ndarray, centroids: np.ndarray, chunk: int = 20_000) -> np.ndarray:
    """The nearest centroid of every vector (in chunks, to bound the score matrix)."""
    out = np.empty(len(vectors), dtype=np.int64)
    for start in range(0, len(vectors), chunk):
        out[start : start + chunk] = np.argmax(vectors[start : start + chunk] @ centroids.T, axis=1)
    return out
