"""The retriever on its large-catalog path (IVF index) over a real on-disk store."""

from __future__ import annotations

import pytest

from stylist.query import Filters
from stylist.retrieval import Retriever
from stylist.settings import Settings
from stylist.vector_index import ExactIndex, IVFIndex

QUERIES = [
    "black tshirts for men under 1000",
    "navy kurta for women",
    "casual shirts size M",
    "heels not red",
]
EXPLICIT = [
    None,
    Filters(price_max=999),
    Filters(colour=["Black", "White"], size="M"),
    Filters(gender=["Women"]),
]


@pytest.fixture(scope="module")
def exact(store_settings: Settings, embedder) -> Retriever:
    return Retriever(store_settings, embedder=embedder)


@pytest.fixture(scope="module")
def ivf(store_settings: Settings, embedder) -> Retriever:
    # Every catalog counts as large, no exact fallback and one list probed: the thinnest probe.
    settings = store_settings.model_copy(
        update={"exact_search_max_items": 0, "ivf_exact_max_matches": 0, "ivf_probe_lists": 1}
    )
    return Retriever(settings, embedder=embedder)


def test_size_switch_picks_the_index(exact: Retriever, ivf: Retriever) -> None:
    assert isinstance(exact.snapshot().dense, ExactIndex)
    assert isinstance(ivf.snapshot().dense, IVFIndex)
    chroma = Retriever(
        ivf.settings.model_copy(update={"large_catalog_search": "chroma"}), embedder=ivf.embedder
    )
    assert chroma.snapshot().dense is None


def test_rows_reordered_into_lists_keep_ids_metadata_and_vectors_together(
    exact: Retriever, ivf: Retriever
) -> None:
    small, large = exact.snapshot(), ivf.snapshot()
    assert sorted(large.ids) == sorted(small.ids) and large.ids != small.ids
    for pid in small.ids:
        assert ivf.get(pid) == exact.get(pid)
        assert (large.dense.vectors[large.index[pid]] == small.dense.vectors[small.index[pid]]).all()


def test_ivf_results_keep_every_constraint_and_come_back_full(exact: Retriever, ivf: Retriever) -> None:
    checked = 0
    for query in QUERIES:
        for explicit in EXPLICIT:
            want, got = exact.search(query, explicit, k=10), ivf.search(query, explicit, k=10)
            assert got.filters == want.filters
            assert len(got.items) == len(want.items)  # thin lists make it probe further, not return fewer
            for item in got.items:
                assert not got.filters.violations(ivf.snapshot().metas[ivf.snapshot().index[item.id]])
                checked += 1
    assert checked > 50
