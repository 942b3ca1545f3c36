"""Catalog loading: every problem is reported with file, row, field and reason; nothing is dropped silently."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from stylist.catalog import CatalogError, RowError, load_catalog, parse_sizes

HEADER = "id,title,gender,category,article_type,colour,price,currency,sizes,image"


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A shop folder with two product photos."""
    (tmp_path / "img").mkdir()
    for name in ("a.jpg", "b.jpg"):
        (tmp_path / "img" / name).write_bytes(b"\xff\xd8\xff\xe0jpeg")
    return tmp_path


def good_row(pid: str = "1", image: str = "img/a.jpg", price: str = "1299") -> dict:
    return {"id": pid, "title": f"Blue Shirt {pid}", "gender": "Men", "category": "Apparel",
            "article_type": "Shirts", "colour": "Blue", "price": price, "currency": "INR",
            "sizes": "S:3|M:0|L:5", "image": image}  # fmt: skip


def write_csv(path: Path, rows: list[dict], header: str = HEADER) -> Path:
    cols = header.split(",")
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(cols)
        out.writerows([[r.get(c, "") for c in cols] for r in rows])
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def writer(fmt: str):
    return write_csv if fmt == "csv" else write_jsonl


FORMATS = ["csv", "jsonl"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_valid_file_loads_every_field(shop: Path, fmt: str) -> None:
    path = writer(fmt)(shop / f"cat.{fmt}", [good_row("1"), good_row("2", "img/b.jpg", "2,499")])
    result = load_catalog(path)
    assert result.errors == []
    assert [p.id for p in result.products] == ["1", "2"]
    first = result.products[0]
    assert (first.title, first.gender, first.price, first.currency) == ("Blue Shirt 1", "Men", 1299.0, "INR")
    assert first.sizes == {"S": 3, "M": 0, "L": 5}
    assert first.sizes_in_stock() == ["S", "L"]
    assert first.image == str((shop / "img" / "a.jpg").resolve())
    assert result.products[1].price == 2499.0


@pytest.mark.parametrize("fmt", FORMATS)
def test_duplicate_id_is_reported_and_the_first_row_kept(shop: Path, fmt: str) -> None:
    path = writer(fmt)(shop / f"cat.{fmt}", [good_row("1"), good_row("2"), good_row("1", "img/b.jpg")])
    result = load_catalog(path)
    assert [p.id for p in result.products] == ["1", "2"]
    assert result.errors == [RowError(str(path), 3, "id", "duplicate id '1' (first at row 1)")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_image_is_reported_with_its_path(shop: Path, fmt: str) -> None:
    path = writer(fmt)(shop / f"cat.{fmt}", [good_row("1"), good_row("2", "img/nope.jpg")])
    result = load_catalog(path)
    assert [p.id for p in result.products] == ["1"]
    (error,) = result.errors
    assert (error.file, error.row, error.field) == (str(path), 2, "image")
    assert error.reason == f"file not found: {shop / 'img' / 'nope.jpg'}"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("price", "reason"),
    [("cheap", "not a number: 'cheap'"), ("12.5.1", "not a number: '12.5.1'"),
     ("-5", "must be a positive number, got '-5'"), ("0", "must be a positive number, got '0'")],
)  # fmt: skip
def test_non_numeric_or_non_positive_price_is_reported(shop: Path, fmt: str, price: str, reason: str) -> None:
    path = writer(fmt)(shop / f"cat.{fmt}", [good_row("1"), good_row("2", price=price)])
    result = load_catalog(path)
    assert [p.id for p in result.products] == ["1"]
    assert result.errors == [RowError(str(path), 2, "price", reason)]


def test_jsonl_price_must_be_a_number_not_a_bool(shop: Path) -> None:
    row = good_row("2")
    row["price"] = True
    path = write_jsonl(shop / "cat.jsonl", [good_row("1"), row])
    assert load_catalog(path).errors == [RowError(str(path), 2, "price", "not a number: True")]


def test_unknown_csv_column_is_reported_and_ignored(shop: Path) -> None:
    path = write_csv(
        shop / "cat.csv", [dict(good_row("1"), colour_code="X1")], header=HEADER + ",colour_code"
    )
    result = load_catalog(path)
    assert [p.id for p in result.products] == ["1"]
    assert result.errors == [RowError(str(path), 0, "colour_code", "unknown column (ignored)")]
    assert str(result.errors[0]) == f"{path}: header: colour_code: unknown column (ignored)"


def test_unknown_jsonl_key_is_reported_on_its_row(shop: Path) -> None:
    path = write_jsonl(shop / "cat.jsonl", [good_row("1"), dict(good_row("2"), brand="Nike")])
    result = load_catalog(path)
    assert result.errors == [RowError(str(path), 2, "brand", "unknown field")]
    assert [p.id for p in result.products] == ["1", "2"]
    with pytest.raises(CatalogError) as info:
        load_catalog(path, strict=True)
    assert info.value.errors == [RowError(str(path), 2, "brand", "unknown field")]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("content", ["", "   \n\n"])
def test_empty_file_is_rejected(shop: Path, fmt: str, content: str) -> None:
    path = shop / f"cat.{fmt}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogError, match="the catalog file is empty"):
        load_catalog(path)


def test_header_only_file_is_rejected(shop: Path) -> None:
    path = write_csv(shop / "cat.csv", [])
    with pytest.raises(CatalogError, match="has a header but no rows"):
        load_catalog(path)


def test_missing_required_column_is_rejected(shop: Path) -> None:
    path = write_csv(shop / "cat.csv", [good_row("1")], header=HEADER.replace(",price", ""))
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert info.value.errors == [RowError(str(path), 0, "price", "required column missing")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_non_utf8_text_is_reported_on_its_row(shop: Path, fmt: str) -> None:
    path = writer(fmt)(shop / f"cat.{fmt}", [good_row("1"), good_row("2")])
    # Latin-1 "é" (one byte 0xE9) inside row 2's title: not valid UTF-8.
    data = path.read_bytes().replace(b"Blue Shirt 2", b"Blu\xe9 Shirt 2")
    path.write_bytes(data)
    result = load_catalog(path)
    assert [p.id for p in result.products] == ["1"]
    (error,) = result.errors
    assert (error.file, error.row, error.reason) == (str(path), 2, "text is not valid UTF-8")
    assert error.field == "title"


@pytest.mark.parametrize("fmt", FORMATS)
def test_errors_carry_file_row_field_and_reason(shop: Path, fmt: str) -> None:
    bad = dict(good_row("2"), gender="Robots", sizes="S:x", title="")
    path = writer(fmt)(shop / f"cat.{fmt}", [good_row("1"), bad])
    result = load_catalog(path)
    assert {(e.file, e.row, e.field) for e in result.errors} == {
        (str(path), 2, "title"), (str(path), 2, "gender"), (str(path), 2, "sizes"),
    }  # fmt: skip
    reasons = {e.field: e.reason for e in result.errors}
    assert reasons["title"] == "required field is empty"
    assert reasons["gender"] == "'Robots' is not one of Men, Women, Unisex, Boys, Girls"
    assert reasons["sizes"] == "stock for size 'S' is not an integer: 'x'"
    assert str(result.errors[0]).startswith(f"{path}: row 2: ")


@pytest.mark.parametrize("fmt", FORMATS)
def test_strict_rejects_the_whole_file(shop: Path, fmt: str) -> None:
    path = writer(fmt)(shop / f"cat.{fmt}", [good_row("1"), good_row("2", price="abc"), good_row("3")])
    assert [p.id for p in load_catalog(path).products] == ["1", "3"]
    with pytest.raises(CatalogError) as info:
        load_catalog(path, strict=True)
    assert "strict mode rejects the file" in str(info.value)
    assert info.value.errors == [RowError(str(path), 2, "price", "not a number: 'abc'")]


def test_file_with_no_valid_rows_is_rejected_with_its_errors(shop: Path) -> None:
    path = write_jsonl(shop / "cat.jsonl", [good_row("1", price="x")])
    with pytest.raises(CatalogError, match="no valid rows") as info:
        load_catalog(path)
    assert info.value.errors == [RowError(str(path), 1, "price", "not a number: 'x'")]


def test_invalid_json_line_is_reported(shop: Path) -> None:
    path = shop / "cat.jsonl"
    path.write_text(json.dumps(good_row("1")) + "\n{not json\n[1, 2]\n", encoding="utf-8")
    result = load_catalog(path)
    assert [(e.row, e.field) for e in result.errors] == [(2, "*"), (3, "*")]
    assert result.errors[0].reason.startswith("invalid JSON")
    assert result.errors[1].reason == "line is not a JSON object"


def test_unsupported_format_and_missing_file(shop: Path) -> None:
    (shop / "cat.xlsx").write_bytes(b"PK")
    with pytest.raises(CatalogError, match="unsupported catalog format"):
        load_catalog(shop / "cat.xlsx")
    with pytest.raises(CatalogError, match="no such catalog file"):
        load_catalog(shop / "missing.csv")


def test_default_currency_and_url_images(shop: Path) -> None:
    row = dict(good_row("1"), image="https://cdn.example.com/a.jpg")
    del row["currency"]
    result = load_catalog(write_jsonl(shop / "cat.jsonl", [row]), currency="eur")
    assert result.products[0].currency == "EUR"
    assert result.products[0].image == "https://cdn.example.com/a.jpg"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("S:3|M:0|L:5", {"S": 3, "M": 0, "L": 5}), (" 32 : 4 | 34:1", {"32": 4, "34": 1}),
     ("One Size:7", {"One Size": 7}), ("", {}), (None, {}), ({"S": 2, "M": "0"}, {"S": 2, "M": 0})],
)  # fmt: skip
def test_sizes_parse(raw: object, expected: dict) -> None:
    assert parse_sizes(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [("S3", "size entry 'S3' is not NAME:STOCK"), ("S:-1", "stock for size 'S' is negative"),
     ("S:two", "stock for size 'S' is not an integer: 'two'"), (":3", "empty size name"),
     (["S"], "sizes must be 'NAME:STOCK|...' or an object")],
)  # fmt: skip
def test_bad_sizes_raise_clear_errors(raw: object, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_sizes(raw)
    assert str(info.value) == message
