"""Size advice: a shop's size chart, the shopper's body facts and size habits, and a size per item.

The chart (CSV or JSON; README "Size advice") has one row per size label of a group of items:

===============  ==============================================================================
column           meaning
===============  ==============================================================================
brand            a brand (matched against the start of the product title, or its ``brand``), or ``*``
gender           Men, Women, Unisex, Boys, Girls or ``*``; several joined with ``|``
applies_to       article type, subcategory or category (``Shirts``, ``Topwear``, ``Apparel``), or
                 ``*``; several joined with ``|``
size             the size label the catalog uses (the keys of a product's ``sizes``)
height_cm ...    body measurement ranges ``LOW-HIGH``: height_cm, weight_kg, chest_cm, waist_cm,
                 hip_cm, foot_cm (empty: not measured for these items)
EU UK US IN INT  the label in each size system (empty: none)
===============  ==============================================================================

For one product the most specific group applies (a brand beats ``*``, an article type beats a
subcategory, which beats a category, an exact gender beats ``*``), and only the rows whose label the
product is sold in. :func:`parse_size_request` reads what a shopper says ("I'm 178 cm and 72 kg",
"chest 40 inches", "I usually wear M", "UK 8 in shoes", "EU 42"); :func:`advise` picks the size with a
confidence and a reason, says whether it is in stock and which sizes in stock are next to it, and
says so when the chart cannot tell.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from stylist.errors import CatalogError, InputRejected
from stylist.settings import PROJECT_ROOT, Settings

#: The body measurements a chart may give, with the range a real person's value must lie in.
MEASURES: dict[str, tuple[float, float, str]] = {
    "height_cm": (45.0, 250.0, "height"),
    "weight_kg": (2.0, 350.0, "weight"),
    "chest_cm": (40.0, 200.0, "chest"),
    "waist_cm": (35.0, 200.0, "waist"),
    "hip_cm": (40.0, 220.0, "hips"),
    "foot_cm": (8.0, 38.0, "foot length"),
}
SYSTEMS = ("EU", "UK", "US", "IN", "INT")
COLUMNS = ("brand", "gender", "applies_to", "size", *MEASURES, *SYSTEMS)
#: What a row group is sized by first: a value inside this range decides; height and weight only
#: help (a kid's size is its height).
PRIMARY = ("chest_cm", "waist_cm", "foot_cm", "hip_cm")
#: The sample chart for the sample catalog (sample data: typical Indian-market ranges, not a brand's).
SAMPLE_CHART = PROJECT_ROOT / "stylist" / "data" / "size_chart.sample.csv"

_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class ChartRow:
    """One size of one group of items."""

    brand: str
    genders: tuple[str, ...]
    applies_to: tuple[str, ...]
    size: str
    ranges: dict[str, tuple[float, float]]
    systems: dict[str, str]
    line: int = 0

    @property
    def group(self) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        return (self.brand.lower(), self.genders, self.applies_to)


@dataclass
class SizeChart:
    rows: list[ChartRow]
    source: str = ""

    @classmethod
    def load(cls, path: Path) -> SizeChart:
        """Read a chart file (``.csv`` or ``.json``); every bad row is named in one :class:`CatalogError`."""
        path = Path(path)
        if not path.is_file():
            raise CatalogError(f"{path}: no such size chart file")
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".json":
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise CatalogError(f"{path}: invalid JSON: {exc.msg} (line {exc.lineno})") from None
            records = data.get("rows", data) if isinstance(data, dict) else data
            if not isinstance(records, list):
                raise CatalogError(f"{path}: a JSON chart is a list of rows (or {{'rows': [...]}})")
        elif path.suffix.lower() == ".csv":
            records = list(csv.DictReader(io.StringIO(text)))
        else:
            raise CatalogError(f"{path}: unsupported size chart format (use .csv or .json)")
        return cls.from_records(records, str(path))

    @classmethod
    def from_records(cls, records: list[Any], source: str = "") -> SizeChart:
        rows, problems = [], []
        for number, record in enumerate(records, start=1):
            try:
                rows.append(_row(record, number))
            except ValueError as exc:
                problems.append(f"{source or 'chart'}: row {number}: {exc}")
        if problems:
            raise CatalogError(f"{source or 'size chart'}: {len(problems)} bad row(s)", problems)
        if not rows:
            raise CatalogError(f"{source or 'size chart'}: the chart has no rows")
        return cls(rows, source)

    def rows_for(self, product: dict[str, Any]) -> list[ChartRow]:
        """The rows of the most specific group that fits ``product``, limited to its size labels."""
        labels = {str(s).strip().lower() for s in (product.get("sizes") or {})}
        best: tuple[int, int, int] | None = None
        groups: dict[tuple, list[ChartRow]] = {}
        for row in self.rows:
            groups.setdefault(row.group, []).append(row)
        chosen: list[ChartRow] = []
        for rows in groups.values():
            score = _specificity(rows[0], product)
            if score is None:
                continue
            fitting = [r for r in rows if not labels or r.size.lower() in labels]
            if not fitting:
                continue
            if best is None or score > best:
                best, chosen = score, fitting
        return chosen


def _row(record: Any, number: int) -> ChartRow:
    if not isinstance(record, dict):
        raise ValueError("a row is an object with the chart's columns")
    unknown = sorted(set(record) - set(COLUMNS) - {None})
    if unknown:
        raise ValueError(f"unknown column(s) {', '.join(map(str, unknown))}")

    def text(name: str) -> str:
        value = record.get(name)
        return "" if value is None else str(value).strip()

    size = text("size")
    if not size:
        raise ValueError("size: required")
    ranges: dict[str, tuple[float, float]] = {}
    for name, (low_ok, high_ok, _word) in MEASURES.items():
        raw = record.get(name)
        if raw in (None, ""):
            continue
        if isinstance(raw, list | tuple) and len(raw) == 2:
            low, high = float(raw[0]), float(raw[1])
        else:
            match = _RANGE.match(str(raw))
            if not match:
                raise ValueError(f"{name}: {raw!r} is not a range LOW-HIGH")
            low, high = float(match[1]), float(match[2])
        if not low_ok <= low <= high <= high_ok:
            raise ValueError(f"{name}: {raw!r} is not a range between {low_ok:g} and {high_ok:g}")
        ranges[name] = (low, high)
    systems = {s: text(s) for s in SYSTEMS if text(s)}
    return ChartRow(
        brand=text("brand") or "*",
        genders=tuple(sorted(g.strip() for g in (text("gender") or "*").split("|") if g.strip())),
        applies_to=tuple(
            sorted(a.strip().lower() for a in (text("applies_to") or "*").split("|") if a.strip())
        ),
        size=size,
        ranges=ranges,
        systems=systems,
        line=number,
    )


def _specificity(row: ChartRow, product: dict[str, Any]) -> tuple[int, int, int] | None:
    """How specifically ``row``'s group fits ``product`` (higher is more specific), or None."""
    brand = str(product.get("brand") or "").strip().lower()
    title = str(product.get("title") or "").strip().lower()
    if row.brand == "*":
        brand_score = 0
    elif (brand and brand == row.brand.lower()) or title.startswith(row.brand.lower() + " "):
        brand_score = 1
    else:
        return None
    kinds = [str(product.get(k) or "").strip().lower() for k in ("article_type", "subcategory", "category")]
    applies = 0
    if "*" not in row.applies_to:
        for rank, kind in zip((3, 2, 1), kinds, strict=True):
            if kind and kind in row.applies_to:
                applies = rank
                break
        else:
            return None
    gender = str(product.get("gender") or "")
    if gender in row.genders:
        gender_score = 2
    elif "*" in row.genders:
        gender_score = 1
    else:
        return None
    return (brand_score, applies, gender_score)


# -- what the shopper says ------------------------------------------------------------------------------


@dataclass
class UsualSize:
    """A size the shopper usually wears: ``label`` in ``system`` (None: as the shop labels it), for a
    kind of item (``footwear``, ``bottoms``, ``tops``) or any."""

    label: str
    system: str | None = None
    kind: str | None = None

    def __str__(self) -> str:
        text = f"{self.system} {self.label}" if self.system and self.system != "INT" else self.label
        return text + (f" in {_KIND_NAMES.get(self.kind, self.kind)}" if self.kind else "")


_KIND_NAMES = {"footwear": "shoes", "bottoms": "bottoms", "tops": "tops"}


@dataclass
class SizeRequest:
    """Body facts and size habits read from the shopper (all optional)."""

    height_cm: float | None = None
    weight_kg: float | None = None
    chest_cm: float | None = None
    waist_cm: float | None = None
    hip_cm: float | None = None
    foot_cm: float | None = None
    usual: list[UsualSize] = field(default_factory=list)

    def measures(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in MEASURES if getattr(self, k) is not None}

    def empty(self) -> bool:
        return not self.measures() and not self.usual

    def merged(self, other: SizeRequest) -> SizeRequest:
        """This request with ``other``'s facts on top (a later message corrects an earlier one)."""
        values = {k: v for k, v in asdict(self).items() if k != "usual"}
        values.update({k: v for k, v in other.measures().items()})
        kinds = {u.kind for u in other.usual}
        usual = [u for u in self.usual if u.kind not in kinds] + list(other.usual)
        return SizeRequest(**values, usual=usual)

    def check(self) -> None:
        """Raise :class:`InputRejected` (400) naming every value no person has."""
        problems = []
        for name, value in self.measures().items():
            low, high, word = MEASURES[name]
            unit = name.rsplit("_", 1)[1]
            if not (value == value) or not low <= value <= high:
                problems.append(
                    f"{word} {value:g} {unit} is impossible (expected {low:g} to {high:g} {unit})"
                )
        if problems:
            raise InputRejected(400, "; ".join(problems))


_KIND_WORDS = {
    "footwear": r"shoes?|sneakers?|trainers?|boots?|heels|sandals?|flip[ -]?flops?|slippers?|footwear|loafers?|flats",
    "bottoms": r"jeans|trousers|pants|chinos|shorts|track ?pants|joggers|skirts?|leggings|bottoms?",
    "tops": r"shirts?|t-?shirts?|tees?|tops?|kurtas?|kurtis?|dress(?:es)?|jackets?|sweaters?|hoodies?|sweatshirts?|blazers?",
}
_KIND = "|".join(f"(?P<{k}>{v})" for k, v in _KIND_WORDS.items())
_NUM = r"(\d{1,3}(?:[.,]\d+)?)"
_IN = r"(?:inches|inch|in\b\.?(?!\s+(?:the|a|an|my|jeans|shoes|\w+s)\b)|\")"
_LETTER = {
    "xxs": "XXS", "xs": "XS", "s": "S", "m": "M", "l": "L", "xl": "XL", "xxl": "XXL", "2xl": "XXL",
    "xxxl": "XXXL", "3xl": "XXXL", "small": "S", "medium": "M", "large": "L", "extra small": "XS",
    "extra large": "XL", "extra-large": "XL", "double xl": "XXL",
}  # fmt: skip
_LETTERS = r"(extra[ -]small|extra[ -]large|double xl|xxxl|3xl|xxl|2xl|xxs|xs|xl|small|medium|large|s|m|l)"
_SYSTEM = r"(eu|eur|euro|uk|us|usa|in|ind|india|indian|int)"
_SYSTEM_NAMES = {"eu": "EU", "eur": "EU", "euro": "EU", "uk": "UK", "us": "US", "usa": "US", "in": "IN",
                 "ind": "IN", "india": "IN", "indian": "IN", "int": "INT"}  # fmt: skip


def _number(raw: str) -> float:
    return float(raw.replace(",", "."))


def _kind_near(text: str, start: int, end: int) -> str | None:
    """The kind of item named right after (or just before) a size: "UK 8 in shoes", "jeans 32"."""
    after = re.match(rf"\s*(?:in|for|on|of)?\s*(?:my\s+|a\s+|the\s+)?(?:{_KIND})\b", text[end : end + 30])
    if after:
        return next(k for k, v in after.groupdict().items() if v)
    before = re.search(
        rf"(?:{_KIND})\s*(?:size\s*)?(?:is\s*|are\s*|in\s*)?$", text[max(0, start - 30) : start]
    )
    if before:
        return next(k for k, v in before.groupdict().items() if v)
    return None


def parse_size_request(text: str) -> SizeRequest:
    """Body facts and usual sizes in a shopper's words; what it cannot read it leaves out."""
    t = " " + str(text or "").lower().replace("’", "'").replace("″", '"').replace("′", "'") + " "
    req = SizeRequest()
    used: list[tuple[int, int]] = []

    def free(m: re.Match) -> bool:
        return not any(m.start() < e and s < m.end() for s, e in used)

    def take(m: re.Match) -> None:
        used.append((m.start(), m.end()))

    # Height: 5'10", 5 ft 10, 5 feet 10 inches, 1.78 m, 1m78, 178 cm (a bare cm value over 120 is a height).
    for m in re.finditer(
        r"\b([3-7])\s*(?:'|ft\b|feet\b|foot\b)\s*(\d{1,2}(?:\.\d)?)?\s*(?:\"|''|in\b|inch(?:es)?\b)?", t
    ):
        if free(m) and not re.search(r"(?:foot|feet)\s*(?:length|is|are)?\s*$", t[: m.start()]):
            req.height_cm = round((int(m[1]) * 12 + float(m[2] or 0)) * 2.54, 1)
            take(m)
    for m in re.finditer(r"\b([12])(?:[.,](\d{1,2})\s*m\b|\s*m\s*(\d{2})\b)", t):
        if free(m):
            req.height_cm = float(f"{m[1]}.{m[2] or m[3]}") * 100
            take(m)
    # Measurements named by their word, in either order: "chest 40 inches", "40 inch chest", "waist of 81 cm".
    words = {
        "chest_cm": r"chest|bust",
        "waist_cm": r"waist",
        "hip_cm": r"hips?",
        "foot_cm": r"foot length|feet length|foot|feet",
        "height_cm": r"height|tall",
        "weight_kg": r"weight|weigh",
    }
    for name, word in words.items():
        patterns = [
            rf"(?:{word})\s*(?:size|measurement|length)?\s*(?:is|are|of|=|:|about|around|is about)?\s*(?:about\s+)?{_NUM}\s*(cm|mm|{_IN}|kg|kgs|kilos?|lbs?|pounds)?",
            rf"{_NUM}\s*(cm|mm|{_IN}|kg|kgs|kilos?|lbs?|pounds)?\s*(?:{word})",
        ]
        for pattern in patterns:
            for m in re.finditer(pattern, t):
                if not free(m):
                    continue
                value, unit = _number(m[1]), (m[2] or "").strip().rstrip(".")
                if name == "weight_kg":
                    value = value * 0.4536 if unit.startswith(("lb", "pound")) else value
                elif name == "height_cm" and not unit:
                    value = value * 100 if value < 3 else value
                elif unit in ("in", "inch", "inches", '"') or (
                    not unit and name != "height_cm" and value <= 60 and name != "foot_cm"
                ):
                    value *= 2.54  # "chest 40", "waist 32": inches (no one has a 40 cm chest)
                elif unit == "mm":
                    value /= 10
                elif name == "foot_cm" and not unit and value <= 12:
                    value *= 2.54
                setattr(req, name, round(value, 1))
                take(m)
    # Weight and height by their units alone: "72 kg", "160 lbs", "178 cm".
    for m in re.finditer(rf"{_NUM}\s*(kg|kgs|kilos?|kilograms?|lbs?|pounds)\b", t):
        if free(m) and req.weight_kg is None:
            value = _number(m[1])
            req.weight_kg = round(value * 0.4536 if m[2].startswith(("lb", "pound")) else value, 1)
            take(m)
    # A bare cm value is a height when it is over 120 cm, or said of a person ("she is 92 cm", "95 cm tall").
    for m in re.finditer(rf"(\b(?:is|am|i'm|im|he's|she's|hes|shes)\s+)?{_NUM}\s*cm\b(\s*tall)?", t):
        value = _number(m[2])
        if free(m) and req.height_cm is None and (value >= 120 or ((m[1] or m[3]) and value >= 45)):
            req.height_cm = value
            take(m)
    # Usual sizes: "UK 8 in shoes", "EU 42", "size 9 shoes", "I usually wear M", "I'm a medium", "32 in jeans".
    for m in re.finditer(rf"\b{_SYSTEM}\s*(?:size\s*)?(\d{{1,2}}(?:\.5)?)\b", t):
        if free(m) and not (m[1] == "in" and re.match(r"\s*(?:cm|inch)", t[m.end() :])):
            system = _SYSTEM_NAMES[m[1]]
            if system == "IN" and not re.search(r"\bsize\s*$|\bind", t[max(0, m.start() - 6) : m.end()]):
                continue  # "in 8" is mostly "in size 8", not the Indian system
            req.usual.append(UsualSize(m[2], system, _kind_near(t, m.start(), m.end())))
            take(m)
    for m in re.finditer(rf"\b(\d{{1,2}}(?:\.5)?)\s*{_SYSTEM}\b(?!\s*\d)", t):
        if free(m) and m[2] not in ("in",):
            req.usual.append(UsualSize(m[1], _SYSTEM_NAMES[m[2]], _kind_near(t, m.start(), m.end())))
            take(m)
    often = r"(?:usually|normally|always|typically|generally|mostly)"
    habit = (
        rf"(?:\bi\s*(?:{often}\s*)?(?:wear|take|buy|get|go for|fit(?:\s*in(?:to)?)?)|\bi'?m\s*(?:{often})?|\bi am\s*(?:{often})?"
        rf"|\b{often}(?:\s*(?:wear|take|buy|get))?)\s+(?:an?\s+|size\s+|a size\s+)?|\bsize\s*|\bin\s*size\s*"
    )
    for m in re.finditer(rf"(?:{habit}){_LETTERS}\b(?!['-]?\d)", t):
        if free(m) and not re.match(r"\s*(?:cm|kg|ft|m\b)", t[m.end() :]):
            req.usual.append(
                UsualSize(_LETTER[m[1].replace("-", " ")], "INT", _kind_near(t, m.start(), m.end()))
            )
            take(m)
    for m in re.finditer(
        rf"(?:{habit})(\d{{1,2}}(?:\.5)?)\b(?!\s*(?:cm|kg|ft|lbs?|pounds|'|\"|inch|in\b(?!\s+\w)|years?|y\b))",
        t,
    ):
        if free(m):
            req.usual.append(UsualSize(m[1], None, _kind_near(t, m.start(), m.end())))
            take(m)
    for m in re.finditer(
        rf"(?:{_KIND})\s*(?:size\s*)?(?:is\s*|are\s*|in\s*)?(\d{{1,2}}(?:\.5)?)\b(?!\s*(?:cm|kg|'|\"|inch))",
        t,
    ):
        if free(m):
            kind = next(k for k, v in m.groupdict().items() if v)
            req.usual.append(UsualSize(m[m.lastindex], None, kind))  # type: ignore[index]
            take(m)
    for m in re.finditer(rf"\b(\d{{1,2}}(?:\.5)?)\s*(?:in|for)\s*(?:{_KIND})\b", t):
        if free(m):
            kind = next(k for k, v in m.groupdict().items() if v)
            req.usual.append(UsualSize(m[1], None, kind))
            take(m)
    return req


# -- the advice ----------------------------------------------------------------------------------------


@dataclass
class SizeAdvice:
    """A size for one item. ``size`` is None when the chart cannot tell (``reason`` says why)."""

    size: str | None
    confidence: float
    in_stock: bool
    reason: str
    alternatives: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def product_kind(product: dict[str, Any]) -> str:
    """``footwear``, ``bottoms``, ``tops`` or ``other``: what a usual size "in shoes" applies to."""
    category = str(product.get("category") or "")
    sub = str(product.get("subcategory") or "")
    if category == "Footwear":
        return "footwear"
    if sub == "Bottomwear":
        return "bottoms"
    if category == "Apparel":
        return "tops"
    return "other"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _distance(value: float, low: float, high: float) -> float:
    """0 inside the range, else how far outside it, in range widths."""
    width = max(high - low, 1.0)
    if low <= value <= high:
        return 0.0
    return (low - value if value < low else value - high) / width


def _centrality(value: float, low: float, high: float) -> float:
    """How far from the middle of the range (0 at the middle, 1 at an edge)."""
    half = max((high - low) / 2, 0.5)
    return abs(value - (low + high) / 2) / half


def _usual_rank(row: ChartRow, usual: UsualSize) -> int:
    """2: ``row`` is the size the shopper named as the shop labels it; 1: named in a size system; 0: not."""
    label = usual.label.strip().lower()
    if usual.system in (None, "INT") and row.size.lower() == label:
        return 2
    systems = [usual.system] if usual.system else list(SYSTEMS)
    return 1 if any(str(row.systems.get(s, "")).lower() == label for s in systems) else 0


def advise(product: dict[str, Any], request: SizeRequest, chart: SizeChart | None) -> SizeAdvice:
    """The size to take of ``product`` for what the shopper said.

    Measurements decide (the primary one for the item: chest, waist, foot length, else height),
    a usual size confirms or is used when nothing was measured; height and weight alone give a
    rougher answer. Only sizes the catalog sells are considered; a size that fits but is sold out is
    still named (``in_stock`` false) with the nearest sizes in stock as ``alternatives``.
    """
    stock = {str(k): int(v) for k, v in (product.get("sizes") or {}).items()}
    in_stock = [s for s, n in stock.items() if n > 0]
    if stock and all(s.lower() == "one size" for s in stock):
        return SizeAdvice("One Size", 1.0, bool(in_stock), "it comes in one size", [])
    if not stock and product_kind(product) == "other":
        return SizeAdvice(None, 0.0, False, "this item is not sold in sizes", [])
    if request.empty():
        return SizeAdvice(
            None, 0.0, bool(in_stock), "the chart cannot tell without a measurement or a usual size", []
        )
    rows = chart.rows_for(product) if chart is not None else []
    if not rows:
        what = str(product.get("article_type") or product.get("category") or "this item").lower()
        return SizeAdvice(None, 0.0, bool(in_stock), f"the size chart has no sizes for {what}, so it cannot tell",
                          _ordered(stock, in_stock))  # fmt: skip
    measured = request.measures()
    kind = product_kind(product)
    usual = [u for u in request.usual if u.kind in (None, kind)]
    ranks = {r.size: max((_usual_rank(r, u) for u in usual), default=0) for r in rows}
    best_rank = max(ranks.values(), default=0)
    # A label as the shop writes it ("size 9") beats the same number in another system (US 9 = UK 8).
    usual_rows = [r for r in rows if best_rank and ranks[r.size] == best_rank]
    usual_said = ", ".join(str(u) for u in usual)

    primary = [m for m in PRIMARY if m in measured and any(m in r.ranges for r in rows)]
    # Height decides a kid's size (the chart sizes them by it); for adults it only helps.
    if not primary and "height_cm" in measured and not any(m in r.ranges for r in rows for m in PRIMARY):
        primary = ["height_cm"]
    helpers = [m for m in ("height_cm", "weight_kg") if m in measured and m not in primary
               and any(m in r.ranges for r in rows)]  # fmt: skip

    order = {r.size: i for i, r in enumerate(rows)}
    pick: ChartRow | None = None
    confidence = 0.0
    reason = ""
    if primary:

        def score(row: ChartRow) -> tuple[float, float, float]:
            main = sum(_distance(measured[m], *row.ranges[m]) for m in primary if m in row.ranges)
            helper = sum(_distance(measured[m], *row.ranges[m]) for m in helpers if m in row.ranges)
            centre = sum(_centrality(measured[m], *row.ranges[m]) for m in primary if m in row.ranges)
            return (main, helper, centre)

        ranked = sorted((r for r in rows if any(m in r.ranges for m in primary)), key=score)
        pick = ranked[0]
        main = primary[0] if primary[0] in pick.ranges else next(m for m in primary if m in pick.ranges)
        low, high = pick.ranges[main]
        value = measured[main]
        word = MEASURES[main][2]
        unit = main.rsplit("_", 1)[1]
        miss = score(pick)[0]
        if miss > 0.5:
            edge = "below the smallest" if value < low else "above the largest"
            return SizeAdvice(None, 0.0, bool(in_stock), f"your {word} {_fmt(value)} {unit} is {edge} size on the "
                              f"chart ({pick.size}: {_fmt(low)}-{_fmt(high)} {unit}), so the chart cannot tell",
                              _ordered(stock, in_stock))  # fmt: skip
        if miss == 0:
            reason = (
                f"your {word} {_fmt(value)} {unit} is inside {pick.size}'s {_fmt(low)}-{_fmt(high)} {unit}"
            )
            confidence = 0.9 if _centrality(value, low, high) < 0.8 else 0.7
        else:
            reason = f"your {word} {_fmt(value)} {unit} is just outside {pick.size}'s {_fmt(low)}-{_fmt(high)} {unit}, the closest"
            confidence = 0.5
        for m in primary[1:]:
            if m in pick.ranges and _distance(measured[m], *pick.ranges[m]) > 0:
                lo2, hi2 = pick.ranges[m]
                reason += (
                    f"; your {MEASURES[m][2]} {_fmt(measured[m])} is outside its {_fmt(lo2)}-{_fmt(hi2)}"
                )
                confidence = min(confidence, 0.5)
        if usual_rows:
            if pick in usual_rows:
                reason += f", and you usually wear {usual_said}"
                confidence = min(0.95, confidence + 0.05)
            else:
                reason += f"; you usually wear {usual_said}, but the measurement decides"
                confidence = min(confidence, 0.55)
    elif usual_rows:
        pick = usual_rows[0]
        said = usual_said
        reason = f"you usually wear {said}" + (
            "" if said.split(" in ")[0].endswith(pick.size) else f", which is {pick.size} here"
        )
        confidence = 0.75
        if helpers:
            off = [m for m in helpers if m in pick.ranges and _distance(measured[m], *pick.ranges[m]) > 0]
            if off:
                reason += (
                    "; your " + " and ".join(MEASURES[m][2] for m in off) + " would suggest another size"
                )
                confidence = 0.5
    elif helpers:

        def rough(row: ChartRow) -> tuple[float, float]:
            return (sum(_distance(measured[m], *row.ranges[m]) for m in helpers if m in row.ranges),
                    sum(_centrality(measured[m], *row.ranges[m]) for m in helpers if m in row.ranges))  # fmt: skip

        ranked = sorted((r for r in rows if any(m in r.ranges for m in helpers)), key=rough)
        pick = ranked[0]
        miss = rough(pick)[0]
        facts = " and ".join(f"{_fmt(measured[m])} {m.rsplit('_', 1)[1]}" for m in helpers)
        if miss > 0.5:
            return SizeAdvice(None, 0.0, bool(in_stock), f"{facts} is outside this chart's sizes, so it cannot tell",
                              _ordered(stock, in_stock))  # fmt: skip
        reason = f"for {facts}, {pick.size} is the usual size (a measurement would be surer)"
        confidence = 0.55 if miss == 0 else 0.35
    else:
        said = ", ".join(str(u) for u in request.usual) or "what you said"
        needs = sorted({MEASURES[m][2] for r in rows for m in r.ranges if m in PRIMARY or m == "height_cm"})
        hint = f" (this item is sized by {' or '.join(needs)})" if needs else ""
        return SizeAdvice(
            None, 0.0, bool(in_stock), f"the chart cannot tell from {said}{hint}", _ordered(stock, in_stock)
        )

    size = pick.size
    available = stock.get(size, 0) > 0 if stock else True
    neighbours = sorted((r for r in rows if r.size != size and stock.get(r.size, 0) > 0),
                        key=lambda r: abs(order[r.size] - order[size]))  # fmt: skip
    alternatives = [r.size for r in neighbours if abs(order[r.size] - order[size]) == 1]
    if not available:
        reason += f"; {size} is sold out" + (
            f", {' or '.join(alternatives)} in stock" if alternatives else ""
        )
        confidence = min(confidence, 0.9)
    return SizeAdvice(size, round(confidence, 2), available, reason, alternatives)


def _ordered(stock: dict[str, int], in_stock: list[str]) -> list[str]:
    return [s for s in stock if s in in_stock]


# -- the chart a shop uses -------------------------------------------------------------------------------


def chart_path(settings: Settings) -> Path | None:
    """The chart for ``settings``: STYLIST_SIZE_CHART_PATH, else ``size_chart.csv``/``.json`` in the
    catalog's folder, else the sample chart when the catalog is the sample (a folder with styles.csv)."""
    if settings.size_chart_path is not None:
        return Path(settings.size_chart_path)
    catalog = Path(settings.catalog_path)
    folder = catalog if catalog.is_dir() else catalog.parent
    for name in ("size_chart.csv", "size_chart.json"):
        if (folder / name).is_file():
            return folder / name
    if catalog.is_dir() and (catalog / "styles.csv").is_file():
        return SAMPLE_CHART
    return None


_CACHE: dict[tuple[str, float], SizeChart] = {}


def load_chart(settings: Settings) -> SizeChart | None:
    """The shop's chart (read once per file version), or None when the shop has none."""
    path = chart_path(settings)
    if path is None:
        return None
    key = (str(path), path.stat().st_mtime if path.is_file() else 0.0)
    if key not in _CACHE:
        _CACHE[key] = SizeChart.load(path)
    return _CACHE[key]


def advise_products(
    products: list[dict[str, Any]], text: str, chart: SizeChart | None, earlier: SizeRequest | None = None
) -> tuple[SizeRequest, dict[str, SizeAdvice]]:
    """For the agent: the shopper's size facts in ``text`` (on top of ``earlier`` ones) and a size for
    each product, by id; no advice at all when the shopper has said nothing about size."""
    request = (earlier or SizeRequest()).merged(parse_size_request(text))
    if request.empty():
        return request, {}
    try:
        request.check()
    except InputRejected:
        return request, {}
    return request, {str(p.get("id")): advise(p, request, chart) for p in products}
