"""The sample converter: deterministic, plausible derived prices, sizes and stock."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from stylist.catalog import _PRICE_RANGES, convert_sample, load_catalog, sample_price, sample_sizes
from tests.tiny_catalog import ROWS


@pytest.fixture(scope="module")
def mini_sample(tiny_catalog: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny catalog in the sample format (plus one row without a photo), images linked."""
    root = tmp_path_factory.mktemp("mini")
    (root / "images").mkdir()
    with (tiny_catalog / "styles.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        (root / "images" / f"{r['id']}.jpg").symlink_to(tiny_catalog / "images" / f"{r['id']}.jpg")
    rows.append(dict(rows[0], id="999999999"))  # no photo for this one
    with (root / "styles.csv").open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=list(rows[0]))
        out.writeheader()
        out.writerows(rows)
    return root


def test_conversion_is_deterministic(mini_sample: Path, tmp_path: Path) -> None:
    n1, errors1 = convert_sample(mini_sample, tmp_path / "a.jsonl")
    n2, errors2 = convert_sample(mini_sample, tmp_path / "b.jsonl")
    assert n1 == n2 == len(ROWS)
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert errors1 == errors2
    (error,) = errors1
    assert (error.row, error.field) == (len(ROWS) + 1, "image")


def test_converted_sample_is_a_valid_catalog(mini_sample: Path, tmp_path: Path) -> None:
    convert_sample(mini_sample, tmp_path / "a.jsonl")
    result = load_catalog(tmp_path / "a.jsonl", strict=True)
    assert len(result.products) == len(ROWS)
    first = json.loads((tmp_path / "a.jsonl").read_text().splitlines()[0])
    assert set(first) >= {"id", "title", "gender", "category", "article_type", "colour", "price",
                          "currency", "sizes", "image", "url", "season", "usage", "year"}  # fmt: skip
    assert first["currency"] == "INR" and first["url"] == f"/products/{first['id']}"


@pytest.mark.parametrize("article", sorted(_PRICE_RANGES))
def test_prices_are_plausible_per_article_type(article: str) -> None:
    low, high = _PRICE_RANGES[article]
    prices = [sample_price(str(i), article, "Apparel") for i in range(200)]
    assert all(low - 100 <= p <= high + 100 for p in prices), (article, min(prices), max(prices))
    assert all(str(int(p)).endswith("99") for p in prices)  # shop-style 1299 prices
    assert len(set(prices)) >= 5  # spread over the range, not one value
    assert prices == [sample_price(str(i), article, "Apparel") for i in range(200)]


def test_unknown_article_type_uses_its_category_range() -> None:
    prices = [sample_price(str(i), "Mystery Item", "Footwear") for i in range(100)]
    assert 600 <= min(prices) and max(prices) <= 3500


@pytest.mark.parametrize(
    ("gender", "category", "article", "names"),
    [("Men", "Apparel", "Tshirts", ["XS", "S", "M", "L", "XL", "XXL"]),
     ("Women", "Apparel", "Jeans", ["28", "30", "32", "34", "36", "38"]),
     ("Women", "Footwear", "Heels", ["3", "4", "5", "6", "7", "8"]),
     ("Men", "Footwear", "Casual Shoes", ["6", "7", "8", "9", "10", "11"]),
     ("Boys", "Apparel", "Tshirts", ["2-3Y", "4-5Y", "6-7Y", "8-9Y", "10-11Y", "12-13Y"]),
     ("Women", "Accessories", "Watches", ["One Size"])],
)  # fmt: skip
def test_sizes_fit_the_article(gender: str, category: str, article: str, names: list[str]) -> None:
    sizes = sample_sizes("1234", gender, category, article)
    assert list(sizes) == names
    assert sizes == sample_sizes("1234", gender, category, article)
    assert all(0 <= n <= 13 for n in sizes.values())


def test_about_one_size_in_five_is_sold_out() -> None:
    stock = [n for i in range(500) for n in sample_sizes(str(i), "Men", "Apparel", "Shirts").values()]
    sold_out = sum(n == 0 for n in stock) / len(stock)
    assert 0.15 < sold_out < 0.25
