"""A shop's catalog: the schema, loading with precise validation, the sample converter.

The schema (CSV columns or JSONL keys; see README "Catalog schema"):

=============  ========  ===========================================================
field          required  meaning
=============  ========  ===========================================================
id             yes       unique product id (string)
title          yes       product name as shown to shoppers
description    no        free text
gender         yes       Men, Women, Unisex, Boys or Girls
category       yes       top-level category (Apparel, Footwear, Accessories, ...)
subcategory    no        e.g. Topwear, Bottomwear, Shoes, Bags
article_type   yes       e.g. Tshirts, Kurtas, Casual Shoes
colour         yes       base colour, e.g. Navy Blue
season         no        Summer, Fall, Winter or Spring
year           no        integer year the product was listed
usage          no        occasion: Casual, Formal, Ethnic, Sports, Party, ...
price          yes       positive number
currency       no        ISO code; defaults to the shop currency setting
sizes          no        stock per size: CSV ``S:3|M:0|L:5``, JSONL ``{"S": 3, ...}``
image          yes       local path (relative to the catalog file) or http(s) URL
url            no        product page URL
=============  ========  ===========================================================
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, Field

from stylist.errors import CatalogError

Gender = Literal["Men", "Women", "Unisex", "Boys", "Girls"]
GENDERS: tuple[str, ...] = get_args(Gender)
SEASONS = ("Summer", "Fall", "Winter", "Spring")
FIELDS = (
    "id", "title", "description", "gender", "category", "subcategory", "article_type",
    "colour", "season", "year", "usage", "price", "currency", "sizes", "image", "url",
)  # fmt: skip
REQUIRED = ("id", "title", "gender", "category", "article_type", "colour", "price", "image")


class Product(BaseModel):
    """One validated catalog item."""

    id: str
    title: str
    description: str = ""
    gender: str
    category: str
    subcategory: str = ""
    article_type: str
    colour: str
    season: str = ""
    year: int | None = None
    usage: str = ""
    price: float
    currency: str
    sizes: dict[str, int] = Field(default_factory=dict)
    image: str
    url: str = ""

    def document(self) -> str:
        """The text that is embedded and indexed for this product."""
        facets = " ".join(
            v for v in (self.gender, self.colour, self.article_type, self.usage, self.season) if v
        )
        return f"{self.title}. {facets}. {self.description}".strip()

    def content_hash(self) -> str:
        """Changes whenever anything stored for the product changes."""
        return hashlib.sha1(self.model_dump_json().encode()).hexdigest()[:16]

    def sizes_in_stock(self) -> list[str]:
        """Size names with stock above zero."""
        return [s for s, n in self.sizes.items() if n > 0]


def size_system(size: str) -> str:
    """How a size measures: "waist" (28-44), "shoe" (3-13), "kids" (8-9Y), "letter" (S, XL), or itself."""
    s = size.strip().upper()
    if s.isdigit():
        return "waist" if int(s) >= 24 else "shoe"
    if s.endswith("Y"):
        return "kids"
    return "letter" if s.strip("X") in ("S", "M", "L", "") or s in ("XXS", "XXL", "XXXL") else s


def size_key(size: str) -> str:
    """Metadata key that is True when ``size`` is in stock (Chroma metadata is flat)."""
    return "size_" + size.replace(" ", "_")


@dataclass(frozen=True)
class RowError:
    """One problem in a catalog file, located precisely."""

    file: str
    row: int  # 1-based data row (the CSV header is row 0); 0 for the file or header
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "header"
        return f"{self.file}: {where}: {self.field}: {self.reason}"


@dataclass
class LoadResult:
    """Valid products plus every rejected row, so nothing is dropped silently."""

    products: list[Product] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def parse_sizes(raw: object) -> dict[str, int]:
    """Read stock per size from ``S:3|M:0`` (CSV) or a ``{"S": 3}`` mapping (JSONL)."""
    if raw in (None, ""):
        return {}
    items: Iterable[tuple[object, object]]
    if isinstance(raw, dict):
        items = raw.items()
    elif isinstance(raw, str):
        items = []
        for part in raw.split("|"):
            name, sep, count = part.partition(":")
            if not sep:
                raise ValueError(f"size entry {part!r} is not NAME:STOCK")
            items.append((name, count))
    else:
        raise ValueError("sizes must be 'NAME:STOCK|...' or an object")
    sizes: dict[str, int] = {}
    for name, count in items:
        key = str(name).strip()
        if not key:
            raise ValueError("empty size name")
        try:
            stock = int(str(count).strip())
        except ValueError:
            raise ValueError(f"stock for size {key!r} is not an integer: {count!r}") from None
        if stock < 0:
            raise ValueError(f"stock for size {key!r} is negative")
        sizes[key] = stock
    return sizes


def _validate_row(
    raw: dict[str, object], where: tuple[str, int], base_dir: Path, currency: str
) -> tuple[Product | None, list[RowError]]:
    file, row = where
    errors: list[RowError] = []

    def err(name: str, reason: str) -> None:
        errors.append(RowError(file, row, name, reason))

    values: dict[str, object] = {}
    for name in FIELDS:
        value = raw.get(name)
        if isinstance(value, str):
            if any("\udc80" <= ch <= "\udcff" for ch in value):
                err(name, "text is not valid UTF-8")
                continue
            value = value.strip()
        if name in REQUIRED and value in (None, ""):
            err(name, "required field is empty")
            continue
        values[name] = value

    gender = values.get("gender")
    if isinstance(gender, str) and gender:
        canonical = {g.lower(): g for g in GENDERS}.get(gender.lower())
        if canonical is None:
            err("gender", f"{gender!r} is not one of {', '.join(GENDERS)}")
        values["gender"] = canonical
    season = values.get("season")
    if isinstance(season, str) and season:
        canonical = {s.lower(): s for s in SEASONS}.get(season.lower())
        if canonical is None:
            err("season", f"{season!r} is not one of {', '.join(SEASONS)}")
        values["season"] = canonical
    price = values.get("price")
    if price not in (None, ""):
        try:
            number = float(str(price).replace(",", "")) if isinstance(price, str) else price
            if not isinstance(number, (int, float)) or isinstance(number, bool):
                raise ValueError
            if not number > 0 or number != number or number == float("inf"):
                err("price", f"must be a positive number, got {price!r}")
            values["price"] = float(number)
        except (TypeError, ValueError):
            err("price", f"not a number: {price!r}")
    year = values.get("year")
    if year not in (None, ""):
        try:
            values["year"] = int(str(year))
        except ValueError:
            err("year", f"not an integer year: {year!r}")
    else:
        values["year"] = None
    try:
        values["sizes"] = parse_sizes(values.get("sizes"))
    except ValueError as exc:
        err("sizes", str(exc))
    image = values.get("image")
    if isinstance(image, str) and image and not image.startswith(("http://", "https://")):
        path = Path(image) if Path(image).is_absolute() else base_dir / image
        if not path.is_file():
            err("image", f"file not found: {path}")
        else:
            values["image"] = str(path.resolve())
    values["currency"] = str(values.get("currency") or currency).upper()
    values["id"] = str(values.get("id", "")).strip()
    for name in ("description", "subcategory", "season", "usage", "url"):
        values[name] = "" if values.get(name) is None else str(values[name])
    if errors:
        return None, errors
    return Product.model_validate(values), []


def _records(path: Path) -> tuple[list[tuple[int, dict[str, object]]], list[RowError]]:
    """Raw records with their row numbers, plus file-level problems."""
    data = path.read_bytes()
    if not data.strip():
        raise CatalogError(f"{path}: the catalog file is empty")
    # surrogateescape keeps undecodable bytes visible per field instead of failing the file.
    text = data.decode("utf-8", errors="surrogateescape").lstrip("\ufeff")
    problems: list[RowError] = []
    records: list[tuple[int, dict[str, object]]] = []
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                if any("\udc80" <= ch <= "\udcff" for ch in line):
                    problems.append(RowError(str(path), number, "*", "text is not valid UTF-8"))
                else:
                    problems.append(RowError(str(path), number, "*", f"invalid JSON: {exc.msg}"))
                continue
            if not isinstance(obj, dict):
                problems.append(RowError(str(path), number, "*", "line is not a JSON object"))
                continue
            unknown = sorted(set(obj) - set(FIELDS))
            problems.extend(RowError(str(path), number, k, "unknown field") for k in unknown)
            records.append((number, obj))
    elif path.suffix.lower() in (".csv", ".tsv"):
        reader = csv.DictReader(io.StringIO(text), delimiter="\t" if path.suffix == ".tsv" else ",")
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        problems.extend(
            RowError(str(path), 0, h, "unknown column (ignored)") for h in header if h not in FIELDS
        )
        missing = [h for h in REQUIRED if h not in header]
        if missing:
            raise CatalogError(
                f"{path}: required columns missing",
                [RowError(str(path), 0, h, "required column missing") for h in missing],
            )
        for number, obj in enumerate(reader, start=1):
            if None in obj:
                problems.append(RowError(str(path), number, "*", "more values than columns"))
                continue
            records.append((number, dict(obj)))
    else:
        raise CatalogError(f"{path}: unsupported catalog format (use .csv or .jsonl)")
    if not records and not problems:
        raise CatalogError(f"{path}: the catalog has a header but no rows")
    return records, problems


def load_catalog(path: Path, *, currency: str = "INR", strict: bool = False) -> LoadResult:
    """Load and validate a catalog file.

    Args:
        path: a ``.csv`` or ``.jsonl`` file in the schema above.
        currency: currency for rows that do not state one.
        strict: raise :class:`CatalogError` if any row or column has a problem.

    Returns:
        The valid products and one :class:`RowError` per problem found.
    """
    path = Path(path)
    if not path.is_file():
        raise CatalogError(f"{path}: no such catalog file or sample folder")
    records, errors = _records(path)
    result = LoadResult(errors=errors)
    seen: dict[str, int] = {}
    for number, raw in records:
        product, row_errors = _validate_row(raw, (str(path), number), path.parent, currency)
        if product is not None and product.id in seen:
            row_errors = [
                RowError(
                    str(path), number, "id", f"duplicate id {product.id!r} (first at row {seen[product.id]})"
                )
            ]
            product = None
        result.errors.extend(row_errors)
        if product is not None:
            seen[product.id] = number
            result.products.append(product)
    if strict and result.errors:
        raise CatalogError(
            f"{path}: {len(result.errors)} problem(s); strict mode rejects the file", result.errors
        )
    if not result.products:
        raise CatalogError(f"{path}: no valid rows", result.errors)
    return result


# --- the sample catalog ---------------------------------------------------------

# Sample prices (shop currency INR) per article type: (low, high). Sample values only:
# the source data has no prices, so they are derived deterministically from the id.
_PRICE_RANGES: dict[str, tuple[int, int]] = {
    "Tshirts": (299, 1499), "Shirts": (599, 2499), "Tops": (399, 1799), "Kurtas": (499, 2999),
    "Kurtis": (399, 1799), "Jeans": (999, 3499), "Trousers": (799, 2999), "Shorts": (399, 1499),
    "Track Pants": (499, 1999), "Dresses": (799, 3999), "Sarees": (999, 6999),
    "Jackets": (1499, 5999), "Sweaters": (899, 3499), "Sweatshirts": (799, 2999),
    "Blazers": (2499, 7999), "Casual Shoes": (999, 4499), "Sports Shoes": (1499, 6999),
    "Formal Shoes": (1499, 5999), "Heels": (799, 3999), "Flats": (499, 2499),
    "Sandals": (499, 2499), "Flip Flops": (199, 999), "Watches": (1495, 14995),
    "Handbags": (899, 4999), "Backpacks": (699, 3499), "Wallets": (399, 1999),
    "Belts": (399, 1799), "Sunglasses": (699, 5999), "Socks": (149, 499), "Briefs": (199, 699),
    "Bra": (299, 1299), "Perfume and Body Mist": (299, 2999), "Earrings": (199, 1999),
    "Clutches": (499, 2499), "Ties": (299, 1299), "Caps": (199, 899),
}  # fmt: skip
_CATEGORY_RANGES = {"Apparel": (399, 2499), "Footwear": (699, 3499), "Accessories": (299, 2499)}
_APPAREL_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
_WAIST_SIZES = ("28", "30", "32", "34", "36", "38")
_SHOE_SIZES = {"Women": ("3", "4", "5", "6", "7", "8"), "Men": ("6", "7", "8", "9", "10", "11")}
_KID_SIZES = ("2-3Y", "4-5Y", "6-7Y", "8-9Y", "10-11Y", "12-13Y")
_WAIST_TYPES = {"Jeans", "Trousers", "Track Pants", "Shorts", "Capris", "Leggings", "Skirts"}


def _unit(key: str, salt: str) -> float:
    """A deterministic number in [0, 1) from a key."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def sample_price(product_id: str, article_type: str, category: str) -> float:
    low, high = _PRICE_RANGES.get(article_type) or _CATEGORY_RANGES.get(category, (199, 1499))
    value = low + (high - low) * _unit(product_id, "price")
    return float(max(99, int(round(value / 100.0)) * 100 - 1))  # shop-style 1299 prices


def sample_sizes(product_id: str, gender: str, category: str, article_type: str) -> dict[str, int]:
    if gender in ("Boys", "Girls") and category in ("Apparel", "Footwear"):
        names: tuple[str, ...] = _KID_SIZES
    elif category == "Footwear":
        names = _SHOE_SIZES.get(gender, _SHOE_SIZES["Men"])
    elif category == "Apparel":
        names = _WAIST_SIZES if article_type in _WAIST_TYPES else _APPAREL_SIZES
    else:
        names = ("One Size",)
    sizes = {}
    for name in names:
        u = _unit(f"{product_id}/{name}", "stock")
        sizes[name] = 0 if u < 0.2 else int(1 + u * 12)  # about one size in five sold out
    return sizes


def convert_sample(source: Path, out: Path) -> tuple[int, list[RowError]]:
    """Convert the sample data (``styles.csv`` + ``images/``) into a JSONL catalog.

    Price, sizes, stock, currency and URL do not exist in the source (nor does a
    description, which is left empty);
    they are derived deterministically from the product id and article type and are
    sample values only.

    Returns:
        The number of products written and the source rows that could not be converted.
    """
    styles = source / "styles.csv"
    if not styles.is_file():
        raise CatalogError(f"{source}: no styles.csv (expected the sample catalog layout)")
    errors: list[RowError] = []
    written = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with styles.open(encoding="utf-8", newline="") as fh, tmp.open("w", encoding="utf-8") as dst:
        for number, row in enumerate(csv.DictReader(fh), start=1):
            pid = (row.get("id") or "").strip()
            title = (row.get("productDisplayName") or "").strip()
            image = source / "images" / f"{pid}.jpg"
            missing = [k for k, v in (("id", pid), ("productDisplayName", title)) if not v]
            missing += [k for k in ("gender", "masterCategory", "articleType", "baseColour")
                        if not (row.get(k) or "").strip()]  # fmt: skip
            if missing:
                errors.extend(RowError(str(styles), number, k, "required field is empty") for k in missing)
                continue
            if not image.is_file():
                errors.append(RowError(str(styles), number, "image", f"file not found: {image}"))
                continue
            gender, category = row["gender"].strip(), row["masterCategory"].strip()
            article, colour = row["articleType"].strip(), row["baseColour"].strip()
            usage, season = (row.get("usage") or "").strip(), (row.get("season") or "").strip()
            record = {
                "id": pid, "title": title, "description": "", "gender": gender,
                "category": category, "subcategory": (row.get("subCategory") or "").strip(),
                "article_type": article, "colour": colour, "season": season,
                "year": int(float(row["year"])) if (row.get("year") or "").strip() else None,
                "usage": usage, "price": sample_price(pid, article, category), "currency": "INR",
                "sizes": sample_sizes(pid, gender, category, article), "image": str(image.resolve()),
                "url": f"/products/{pid}",
            }  # fmt: skip
            dst.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
    tmp.replace(out)
    return written, errors


def resolve_catalog(path: Path, data_dir: Path) -> tuple[Path, list[RowError]]:
    """A catalog file for ``path``: itself, or the converted sample if it is a sample folder.

    Returns:
        The file to load and the sample rows that could not be converted.
    """
    path = Path(path)
    if not path.is_dir():
        return path, []
    out = data_dir / "catalogs" / f"{path.name}-sample.jsonl"
    _, errors = convert_sample(path, out)
    return out, errors
