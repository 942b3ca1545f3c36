"""Retrieval against real stores (embedded on disk and a `chroma run` server) built from the sample subset."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from stylist.query import Filters
from stylist.retrieval import Retriever, tokenize
from stylist.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.integration

CONTRACT = {"id", "title", "price", "currency", "gender", "article_type", "colour", "usage", "image", "score"}

QUERIES = [
    "black tshirts for men under 1000", "navy kurta for women", "shoes for women size 6",
    "red dress for a party", "watches for men between 2000 and 6000", "casual shirts size M",
    "blue jeans 32 waist", "something for a wedding, not black", "formal shoes for men under 3000",
    "sports shoes for him over 2500", "handbags for her under 1500", "white tops for women in summer",
    "grey sweatshirts for boys", "girls dresses", "kurtas below rs 900", "green shrits for men",
    "sunglasses", "flip flops under 500", "a gift for my wife under 80 euros", "heels not red",
]  # fmt: skip
EXPLICIT = [
    None,
    Filters(gender=["Women"]),
    Filters(price_max=999),
    Filters(price_min=1500, price_max=3000),
    Filters(colour=["Black", "White"], size="M"),
    Filters(exclude_colour=["Blue", "Black"], usage=["Casual"]),
    Filters(category=["Footwear"], gender=["Men"], season=["Summer", "Fall"]),
]


def satisfies(product: dict, f: Filters) -> bool:
    """An independent check of a catalog record against the filters (not Filters.violations)."""
    for name in ("gender", "category", "subcategory", "article_type", "colour", "season", "usage"):
        allowed = getattr(f, name)
        if allowed and product[name] not in allowed:
            return False
    if f.exclude_colour and product["colour"] in f.exclude_colour:
        return False
    if f.price_min is not None and product["price"] < f.price_min:
        return False
    if f.price_max is not None and product["price"] > f.price_max:
        return False
    if f.size and product["sizes"].get(f.size, 0) <= 0:
        return False
    return not (f.exclude_ids and product["id"] in f.exclude_ids)


@pytest.fixture(scope="session", params=["exact", "ivf", "chroma-hnsw"])
def retriever(request: pytest.FixtureRequest, any_store: Settings, memo_embedder) -> Retriever:
    """A retriever per store and dense path: exact in memory (small catalogs), the IVF index
    (large catalogs; here probing only a few lists, with no exact fallback) and Chroma's query."""
    update = {
        "exact": {},
        "ivf": {"exact_search_max_items": 0, "ivf_exact_max_matches": 0, "ivf_probe_lists": 4},
        "chroma-hnsw": {"exact_search_max_items": 0, "large_catalog_search": "chroma"},
    }[request.param]
    return Retriever(any_store.model_copy(update=update), embedder=memo_embedder)


@pytest.fixture(scope="session")
def by_id(subset_products: list[dict]) -> dict[str, dict]:
    return {p["id"]: p for p in subset_products}


def test_store_holds_the_subset(retriever: Retriever, subset_products: list[dict]) -> None:
    assert retriever.count() == len(subset_products)
    sample = subset_products[7]
    item = retriever.get(sample["id"])
    assert item is not None and (item.title, item.price, item.sizes) == (
        sample["title"],
        sample["price"],
        sample["sizes"],
    )


def test_results_never_violate_explicit_constraints(retriever: Retriever, by_id: dict[str, dict]) -> None:
    checked = 0
    for query, explicit in itertools.product(QUERIES, EXPLICIT):
        result = retriever.search(query, explicit, k=10)
        active = result.filters
        if explicit is not None:  # explicit filters win over the parsed ones field by field
            for name, value in explicit.active().items():
                if name == "size" and active.size is None:
                    # size M on shoes: they are sized otherwise; set aside, and said
                    assert any(n.startswith("sized otherwise") for n in result.notes), (query, explicit)
                    continue
                assert getattr(active, name) == value
        assert len(result.items) <= 10
        assert len({i.id for i in result.items}) == len(result.items)
        for item in result.items:
            assert satisfies(by_id[item.id], active), (query, explicit, item.id)
            checked += 1
        if not result.items and result.relaxation:
            relaxed = active.without(*result.relaxation.fields)
            assert all(satisfies(by_id[i.id], relaxed) for i in result.relaxation.items)
    assert checked > 500  # the combinations really returned items to check


def test_parsed_constraints_hold_for_every_item(retriever: Retriever, by_id: dict[str, dict]) -> None:
    result = retriever.search("black tshirts for men under 1000", k=20)
    assert result.filters.active() == {
        "gender": ["Men"],
        "article_type": ["Tshirts"],
        "colour": ["Black"],
        "price_max": 1000.0,
    }
    assert result.items
    for item in result.items:
        p = by_id[item.id]
        assert (p["gender"], p["article_type"], p["colour"]) == ("Men", "Tshirts", "Black")
        assert p["price"] <= 1000


def test_size_constraint_means_in_stock(retriever: Retriever, by_id: dict[str, dict]) -> None:
    result = retriever.search("casual shirts for men size M", k=30)
    assert result.items
    assert all(by_id[i.id]["sizes"]["M"] > 0 for i in result.items)
    # Items of the same kind with M sold out exist and were left out.
    sold_out = [p for p in by_id.values() if p["article_type"] == "Shirts" and p["sizes"].get("M") == 0]
    assert sold_out and not {p["id"] for p in sold_out} & {i.id for i in result.items}


def test_a_letter_size_on_items_sized_by_waist_is_set_aside_and_said(
    retriever: Retriever, by_id: dict[str, dict]
) -> None:
    waist = Counter(
        p["article_type"]
        for p in by_id.values()
        if p["sizes"] and all(s.isdigit() and int(s) >= 24 for s in p["sizes"])
    )
    kind = waist.most_common(1)[0][0]  # jeans or trousers: the subset always has some
    result = retriever.search(f"{kind.lower()} size L", k=5)
    assert result.items and {by_id[i.id]["article_type"] for i in result.items} == {kind}
    assert result.filters.size is None
    assert any(n.startswith("sized otherwise: size L is not how these are sized") for n in result.notes)
    # A size of their own kind still binds: waist 32 means 32 in stock.
    in_32 = retriever.search(f"{kind.lower()} size 32", k=5)
    assert in_32.filters.size == "32" and all(by_id[i.id]["sizes"].get("32", 0) > 0 for i in in_32.items)


def test_filter_mask_agrees_with_violations(retriever: Retriever) -> None:
    snap = retriever.snapshot()
    combos = [f for f in EXPLICIT if f is not None] + [
        Filters(size="32", article_type=["Jeans"]), Filters(usage=["Ethnic", "Party"], gender=["Women"]),
        Filters(exclude_ids=[snap.ids[0], snap.ids[5]]), Filters(colour=["No Such Colour"]),
    ]  # fmt: skip
    for f in combos:
        mask = snap.mask(f)
        expected = [not f.violations(m) for m in snap.metas]
        assert mask.tolist() == expected, f


def test_lexical_signal_ranks_exact_words_first(retriever: Retriever, subset_products: list[dict]) -> None:
    # Brand words naming a handful of items: no parser rule reads them, only the words count.
    titles = [set(tokenize(p["title"])) for p in subset_products]
    counts = Counter(w for t in titles for w in t)
    first = sorted({tokenize(p["title"])[0] for p in subset_products})
    brands = [w for w in first if 3 <= counts[w] <= 8 and w.isalpha() and len(w) > 3
              and retriever.parse(w).filters.is_empty()][:25]  # fmt: skip
    assert len(brands) >= 10
    dense_only = Retriever(
        retriever.settings.model_copy(update={"lexical_weight": 0.0}), embedder=retriever.embedder
    )

    def precision(r: Retriever, word: str) -> float:
        top = r.search(word, k=10).items[: counts[word]]
        return sum(word in tokenize(i.title) for i in top) / counts[word]

    hybrid = {b: precision(retriever, b) for b in brands}
    dense = {b: precision(dense_only, b) for b in brands}
    assert sum(hybrid.values()) / len(brands) >= 0.95, hybrid
    assert sum(hybrid.values()) > sum(dense.values())  # the lexical signal puts the exact word on top


def test_kurta_word_counts(retriever: Retriever) -> None:
    result = retriever.search("kurta", k=10, parse=False)  # no article filter: the words must do it
    assert result.filters.is_empty()
    assert sum("kurta" in i.title.lower() for i in result.items) >= 8


def test_no_match_says_so_and_offers_a_labelled_relaxation(
    retriever: Retriever, by_id: dict[str, dict]
) -> None:
    result = retriever.search("kurtas for women under 100")
    assert result.items == []
    assert result.relaxation is not None
    assert result.relaxation.dropped == "price_max"
    assert result.message == "nothing matches every constraint; without the price max constraint:"
    assert result.relaxation.items
    for item in result.relaxation.items:
        assert (by_id[item.id]["gender"], by_id[item.id]["article_type"]) == ("Women", "Kurtas")
    # Over the budget, the nearest to it come first: the cheapest of the relevant kurtas, in order.
    prices = [item.price for item in result.relaxation.items]
    assert prices == sorted(prices)
    cheapest = min(
        p["price"] for p in by_id.values() if (p["gender"], p["article_type"]) == ("Women", "Kurtas")
    )
    assert prices[0] <= 2 * cheapest


def test_no_match_without_relaxation(retriever: Retriever) -> None:
    result = retriever.search("anything", Filters(colour=["No Such Colour"]), relax=False)
    assert result.items == [] and result.relaxation is None
    assert result.message == "no items match these constraints"


def test_exclude_ids_are_left_out(retriever: Retriever) -> None:
    first = retriever.search("tshirts for men", k=5)
    ids = [i.id for i in first.items]
    assert len(ids) == 5  # plenty of men's t-shirts in the subset
    again = retriever.search("tshirts for men", Filters(exclude_ids=ids[:3]), k=5)
    assert len(again.items) == 5 and not set(ids[:3]) & {i.id for i in again.items}


def _cli(settings: Settings, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "STYLIST_DATA_DIR": str(settings.data_dir), "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("STYLIST_CHROMA_URL", None)
    if settings.chroma_url:
        env["STYLIST_CHROMA_URL"] = settings.chroma_url
    return subprocess.run(
        [sys.executable, "-m", "stylist.cli", *args], env=env, input=stdin, capture_output=True,
        text=True, timeout=180, cwd=PROJECT_ROOT,
    )  # fmt: skip


def test_cli_search_json_contract(any_store: Settings, by_id: dict[str, dict]) -> None:
    proc = _cli(any_store, "search", "black tshirts for men under 1000", "--k", "5", "--json")
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.splitlines()
    items = json.loads(line)
    assert len(items) == 5
    for item in items:
        assert CONTRACT <= set(item)
        p = by_id[item["id"]]
        assert (item["title"], item["price"], item["currency"]) == (p["title"], p["price"], "INR")
        assert (item["gender"], item["article_type"], item["colour"]) == ("Men", "Tshirts", "Black")
        assert item["price"] <= 1000 and 0 < item["score"] <= 1
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)


def test_cli_batch_prints_one_array_per_query_in_order(
    any_store: Settings, tmp_path: Path, memo_embedder
) -> None:
    queries = ["navy kurta for women", "kurtas for women under 100", "sunglasses for men", "red heels size 5"]
    batch = tmp_path / "queries.txt"
    batch.write_text("\n".join(queries) + "\n", encoding="utf-8")
    proc = _cli(any_store, "search", "--batch", str(batch), "--json", "--k", "4")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(queries)
    in_process = Retriever(any_store, embedder=memo_embedder)
    for query, line in zip(queries, lines, strict=True):
        items = json.loads(line)
        assert isinstance(items, list) and all(CONTRACT <= set(i) for i in items)
        assert [i["id"] for i in items] == [i.id for i in in_process.search(query, k=4).items]
    assert lines[1] == "[]"  # no match: an empty array, the relaxation goes to stderr
    assert "nothing matches every constraint; without the price max constraint" in proc.stderr


def test_cli_search_without_a_store_fails_clearly(tmp_path: Path) -> None:
    proc = _cli(Settings(data_dir=tmp_path / "empty"), "search", "shirts", "--json")
    assert proc.returncode == 3
    assert "run `stylist ingest`" in proc.stderr and proc.stdout == ""


def test_an_age_size_is_set_aside_for_kinds_that_come_in_one_size(
    retriever: Retriever, by_id: dict[str, dict]
) -> None:
    # "a watch for a 9-year-old under <the cheapest watch>": watches come in one size, so the age
    # size says nothing of them; only the budget is relaxed, and the size is not kept in the filters.
    watches = [p for p in by_id.values() if p["article_type"] == "Watches"]
    assert watches and all(set(p["sizes"]) <= {"One Size"} for p in watches)
    cheapest = min(p["price"] for p in watches)
    result = retriever.search("watches", Filters(size="8-9Y", price_max=cheapest - 1), k=5)
    assert not result.items and result.filters.size is None
    assert "sized otherwise: these come in one size, so size 8-9Y does not apply" in result.notes
    assert result.relaxation and result.relaxation.dropped == "price_max"
    assert {by_id[i.id]["article_type"] for i in result.relaxation.items} == {"Watches"}
    # With no kind named, a stated size still binds.
    shirts = retriever.search("something", Filters(size="M", price_max=999), k=5)
    assert shirts.filters.size == "M" and all(by_id[i.id]["sizes"].get("M", 0) > 0 for i in shirts.items)
