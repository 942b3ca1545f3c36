"""The in-memory dense indexes: exact search, the IVF index, its exact fallback, filter exactness."""

from __future__ import annotations

import numpy as np
import pytest

from stylist.vector_index import ExactIndex, IVFIndex, blas_threads, top_rows

DIM = 16


def clustered(n: int, clusters: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors around ``clusters`` random centres, and each vector's cluster."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, DIM)).astype(np.float32)
    label = rng.integers(0, clusters, n)
    v = centres[label] / np.linalg.norm(centres[label], axis=1, keepdims=True)
    v = v + 0.3 * rng.standard_normal((n, DIM)).astype(np.float32) / np.sqrt(DIM)
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32), label


def brute_force(vectors: np.ndarray, query: np.ndarray, mask: np.ndarray, n: int) -> list[int]:
    """The reference: every allowed row scored in Python, sorted by similarity then row."""
    scored = sorted((-float(vectors[i] @ query), i) for i in range(len(vectors)) if mask[i])
    return [i for _, i in scored[:n]]


def unit(rng: np.random.Generator) -> np.ndarray:
    q = rng.standard_normal(DIM).astype(np.float32)
    return q / np.linalg.norm(q)


def test_top_rows_orders_by_similarity_then_row() -> None:
    rows = np.array([7, 3, 5, 1])
    sims = np.array([0.5, 0.9, 0.5, 0.1], dtype=np.float32)
    assert top_rows(rows, sims, 3).tolist() == [3, 5, 7]
    assert top_rows(rows, sims, 10).tolist() == [3, 5, 7, 1]


def test_exact_index_matches_brute_force_over_the_mask() -> None:
    vectors, _ = clustered(500)
    rng = np.random.default_rng(1)
    index = ExactIndex(vectors)
    for _ in range(10):
        q, mask = unit(rng), rng.random(500) < 0.3
        assert index.nearest(q, mask, 12).tolist() == brute_force(vectors, q, mask, 12)


def test_build_groups_every_row_once_under_its_nearest_centroid() -> None:
    vectors, _ = clustered(2000)
    index, order = IVFIndex.build(vectors, 30)
    assert sorted(order.tolist()) == list(range(2000))
    assert np.array_equal(index.vectors, vectors[order])
    assert index.offsets[0] == 0 and index.offsets[-1] == 2000 and len(index.offsets) == 31
    assert np.all(np.diff(index.offsets) >= 0)
    nearest = np.argmax(index.vectors @ index.centroids.T, axis=1)
    lists = np.repeat(np.arange(30), np.diff(index.offsets))
    assert np.array_equal(nearest, lists)
    assert np.allclose(np.linalg.norm(index.centroids, axis=1), 1.0, atol=1e-5)


def test_default_list_count_is_about_the_square_root_of_the_rows() -> None:
    index, _ = IVFIndex.build(clustered(2500)[0])
    assert len(index.centroids) == 50


@pytest.mark.parametrize("share", [0.9, 0.3, 0.05, 0.005])
def test_probed_search_never_returns_a_row_the_filter_excludes(share: float) -> None:
    vectors, _ = clustered(5000)
    # No exact fallback and one list: the probe path alone, as thin as it gets.
    index, _ = IVFIndex.build(vectors, 70, exact_max_matches=0, probe_lists=1)
    rng = np.random.default_rng(2)
    for _ in range(30):
        q, mask = unit(rng), rng.random(5000) < share
        found = index.nearest(q, mask, 20)
        assert len(set(found.tolist())) == len(found)
        assert mask[found].all()
        # Lists are added until they hold enough allowed rows, so it never comes back short.
        assert len(found) == min(20, int(mask.sum()))


def test_selective_filters_fall_back_to_exact_search() -> None:
    vectors, label = clustered(5000)
    index, order = IVFIndex.build(vectors, 70, exact_max_matches=300, probe_lists=1, candidates_per_result=1)
    probe_only = IVFIndex(
        index.vectors,
        index.centroids,
        index.offsets,
        exact_max_matches=0,
        probe_lists=1,
        candidates_per_result=1,
    )
    label = label[order]
    rng = np.random.default_rng(3)
    missed = 0
    for cluster in range(10):
        # A query in one cluster, allowed rows only elsewhere and at most 250 of them (under
        # the bound): the nearest lists hold none of them, so probing alone guesses.
        q = index.vectors[np.flatnonzero(label == cluster)[0]]
        mask = (rng.random(5000) < 0.5) & (label != cluster)
        mask[np.flatnonzero(mask)[250:]] = False
        truth = brute_force(index.vectors, q, mask, 15)
        assert index.nearest(q, mask, 15).tolist() == truth
        found = probe_only.nearest(q, mask, 15)
        assert mask[found].all()
        missed += found.tolist() != truth
    assert missed > 0  # the fallback is what made the answers exact


def test_a_broad_filter_is_probed_and_finds_the_exact_neighbours_on_clustered_data() -> None:
    vectors, _ = clustered(20_000, clusters=40)
    index, _ = IVFIndex.build(vectors, exact_max_matches=1000, probe_lists=8)
    exact = ExactIndex(index.vectors)
    rng = np.random.default_rng(4)
    recalls = []
    for _ in range(40):
        q = index.vectors[rng.integers(20_000)] + 0.05 * unit(rng)
        q /= np.linalg.norm(q)
        mask = rng.random(20_000) < 0.5  # about 10,000 allowed: far above the fallback bound
        found, truth = index.nearest(q, mask, 30), exact.nearest(q, mask, 30)
        assert mask[found].all()
        recalls.append(len(np.intersect1d(found, truth)) / 30)
    assert np.mean(recalls) >= 0.95


def test_probing_every_list_is_exact() -> None:
    vectors, _ = clustered(3000)
    index, _ = IVFIndex.build(vectors, 40, exact_max_matches=0, probe_lists=40)
    rng = np.random.default_rng(5)
    for _ in range(10):
        q, mask = unit(rng), rng.random(3000) < 0.4
        assert index.nearest(q, mask, 25).tolist() == brute_force(index.vectors, q, mask, 25)


def test_nothing_allowed_gives_nothing() -> None:
    index, _ = IVFIndex.build(clustered(1000)[0], 10, exact_max_matches=0)
    assert index.nearest(unit(np.random.default_rng(6)), np.zeros(1000, dtype=bool), 5).tolist() == []


def test_blas_threads_limits_blas_inside_the_block_only() -> None:
    from threadpoolctl import threadpool_info

    def blas() -> list[int]:
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    before = blas()
    with blas_threads(1):
        assert blas() and set(blas()) == {1}
    assert blas() == before


def test_groups_order_rows_within_each_list_and_narrow_the_scored_span() -> None:
    vectors, _ = clustered(4000)
    groups = np.random.default_rng(7).integers(0, 6, 4000)
    index, order = IVFIndex.build(vectors, 20, groups=groups, exact_max_matches=0, probe_lists=20)
    grouped = groups[order]
    for i in range(20):
        part = grouped[index.offsets[i] : index.offsets[i + 1]]
        assert np.all(np.diff(part) >= 0)
    mask = grouped == 3  # a filter on the grouped field: one contiguous span per list
    q = unit(np.random.default_rng(8))
    assert index.nearest(q, mask, 10).tolist() == brute_force(index.vectors, q, mask, 10)


def test_empty_lists_are_counted_as_empty() -> None:
    vectors, _ = clustered(600)
    built, _ = IVFIndex.build(vectors, 6)
    # The same rows with an empty first and a middle list added.
    centroids = np.vstack(
        [-built.centroids[:1], built.centroids[:3], -built.centroids[:1], built.centroids[3:]]
    )
    sizes = np.diff(built.offsets)
    offsets = np.concatenate(([0], np.cumsum(np.concatenate(([0], sizes[:3], [0], sizes[3:])))))
    index = IVFIndex(
        built.vectors, centroids, offsets, exact_max_matches=0, probe_lists=1, candidates_per_result=5
    )
    rng = np.random.default_rng(9)
    for _ in range(10):
        q, mask = unit(rng), rng.random(600) < 0.5
        found = index.nearest(q, mask, 10)
        assert len(found) == 10 and mask[found].all()
