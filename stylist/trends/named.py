"""Named trends derived from a shop's catalog, plus a shop's own series.

For every gender x category group and every season (the catalog's ``season``
field), the share of each colour, article type and usage among the group's
products listed in that season forms a yearly series over the catalog's ``year``
field: "the share of Navy Blue among Women's Apparel listed for Summer, per
year". Forecasting it gives next year's share for that season.

Why yearly per season rather than one quarterly series: the sample catalog lists
most years in only two or three seasons, so a quarterly grid would be mostly
gaps. A year in which a group lists fewer than ``min_group_items`` products for a
season counts as a missing period and is interpolated (up to
``MAX_CATALOG_MISSING`` of the series); values listed on fewer than
``min_value_items`` products of the group and season are too rare to call a
trend; series whose last listed year is more than ``max_staleness`` years older
than the catalog's newest are dropped (they describe nothing current).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stylist.trends.data import SeriesSet, TrendDataError, read_series, series_from_table

if TYPE_CHECKING:
    from stylist.catalog import Product

KINDS = ("article_type", "colour", "usage")
#: Sparse years are common in catalogs: allow more interpolation than for shop files.
MAX_CATALOG_MISSING = 0.5


@dataclass(frozen=True)
class TrendMeta:
    """What a named series measures; stored as filterable metadata with its forecast."""

    trend: str  # human label, e.g. "Navy Blue colour in Women's Apparel, Summer"
    source: str  # "catalog" or "shop"
    gender: str = ""
    category: str = ""
    season: str = ""
    kind: str = ""  # article_type, colour, usage, or "series" for a shop's own series
    value: str = ""
    unit: str = "share"  # "share" of the group's listings, or "value" for a shop's series

    def to_metadata(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class NamedSeries:
    """One named series ready to forecast."""

    name: str
    series: SeriesSet  # holds exactly this one series
    meta: TrendMeta
    signal: object = None  # an aligned weak signal (numpy array) or None

    @property
    def values(self):  # noqa: ANN201 - numpy array
        return self.series.values[self.name]


def _label(kind: str, value: str, gender: str, category: str, season: str) -> str:
    noun = {"article_type": "", "colour": " colour", "usage": " wear"}[kind]
    return f"{value}{noun} in {gender}'s {category}, {season}"


#: How the catalog's article types read in a sentence (lower case otherwise).
_ARTICLE_WORDS = {"Tshirts": "t-shirts", "Jewellery Set": "jewellery sets", "Kurta Sets": "kurta sets"}
#: What a colour or an occasion is worn on, by category.
_CATEGORY_NOUNS = {"Apparel": "clothes", "Footwear": "shoes", "Accessories": "accessories"}
_USAGE_APPAREL = {"Sports": "sportswear", "Home": "loungewear"}
#: Whose: "men's jeans"; Boys and Girls together are "kids'".
POSSESSIVE = {"Men": "men's", "Women": "women's", "Boys": "boys'", "Girls": "girls'", "Unisex": "unisex"}


def item_words(meta: dict[str, object], *, whose: bool = False) -> str:
    """A trend's subject in shopper words: "jeans", "navy blue clothes", "casual wear", "brown shoes".

    Args:
        meta: a trend's metadata (``kind``, ``value``, ``category``, ``gender``).
        whose: prefix who it is for ("men's jeans"), for answers that cover several genders.
    """
    kind, value = str(meta.get("kind") or ""), str(meta.get("value") or meta.get("trend") or "")
    category = str(meta.get("category") or "")
    noun = _CATEGORY_NOUNS.get(category, category.lower() or "items")
    if kind == "article_type":
        words = _ARTICLE_WORDS.get(value, value.lower())
    elif kind == "colour":
        words = f"{value.lower()} {noun}"
    elif kind == "usage":
        if category == "Apparel":
            words = _USAGE_APPAREL.get(value, f"{value.lower()} wear")
        else:
            words = f"{value.lower()} {noun}"
    else:  # a shop's own series: its own name
        words = value
    owner = POSSESSIVE.get(str(meta.get("gender") or ""))
    return f"{owner} {words}" if whose and owner else words


def catalog_trends(
    products: Iterable[Product],
    *,
    min_group_items: int = 10,
    min_value_items: int = 15,
    max_staleness: int = 3,
) -> tuple[list[NamedSeries], list[str]]:
    """Yearly share series per gender x category x season for each colour, article type, usage.

    Returns:
        The usable series and notes on what was skipped or filled in.

    Raises:
        TrendDataError: the catalog yields no usable series at all.
    """
    import pandas as pd

    totals: Counter[tuple[str, str, str, int]] = Counter()
    counts: Counter[tuple[str, str, str, int, str, str]] = Counter()
    overall: Counter[tuple[str, str, str, str, str]] = Counter()
    for p in products:
        if not p.season or p.year is None:
            continue
        totals[(p.gender, p.category, p.season, p.year)] += 1
        for kind in KINDS:
            value = getattr(p, kind)
            if value:
                counts[(p.gender, p.category, p.season, p.year, kind, value)] += 1
                overall[(p.gender, p.category, p.season, kind, value)] += 1
    if not totals:
        raise TrendDataError("the catalog has no products with a season and a year to derive trends from")
    years: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for (gender, category, season, year), n in totals.items():
        if n >= min_group_items:
            years[(gender, category, season)].append(year)
    if not years:
        raise TrendDataError(f"no gender x category lists {min_group_items}+ products in any season and year")
    # The newest year any group lists enough in; a stray late listing does not count.
    newest = max(max(listed) for listed in years.values())
    out: list[NamedSeries] = []
    notes: list[str] = []
    for (gender, category, season, kind, value), n in sorted(overall.items()):
        listed = sorted(years.get((gender, category, season), []))
        if n < min_value_items or len(listed) < 4:
            continue
        name = f"{gender}/{category}/{season}/{kind}={value}"
        if newest - listed[-1] > max_staleness:
            notes.append(f"skipped {name}: last listed in {listed[-1]}")
            continue
        table = pd.DataFrame(
            [
                (
                    f"{year}-01-01",
                    name,
                    repr(
                        counts[(gender, category, season, year, kind, value)]
                        / totals[(gender, category, season, year)]
                    ),
                )
                for year in listed
            ],
            columns=["date", "series", "value"],
        )
        try:
            series = series_from_table(table, Path(name), max_missing=MAX_CATALOG_MISSING)
        except TrendDataError as exc:
            notes.append(f"skipped {exc}")
            continue
        notes.extend(series.notes)
        meta = TrendMeta(
            trend=_label(kind, value, gender, category, season), source="catalog", gender=gender,
            category=category, season=season, kind=kind, value=value,
        )  # fmt: skip
        out.append(NamedSeries(name=name, series=series, meta=meta))
    if not out:
        raise TrendDataError("the catalog has too few products per season and year to derive trends")
    return out, notes


#: A shop's series named by what it counts: "[Gender/][Category/]kind=value", e.g. "Men/article_type=Blazers".
_GENDERS = ("Men", "Women", "Boys", "Girls", "Unisex")


def series_meta(name: str, source: str = "shop") -> TrendMeta:
    """What a shop's series measures, read from its name.

    A name ``[Gender/][Category/]kind=value`` (kind: article_type, colour or usage), such as
    ``Women/article_type=Kurtas``, ``Men/Apparel/colour=Navy Blue`` or ``usage=Party``, becomes a
    trend about that item for that gender, all seasons, which the chat's trend answers find like a
    catalog trend (and prefer). Any other name ("linen shirts sales") stays a free-named series.
    """
    parts = [p.strip() for p in name.split("/")]
    kind, _, value = parts[-1].partition("=")
    kind, value = kind.strip(), value.strip()
    rest = parts[:-1]
    gender = rest[0] if rest and rest[0] in _GENDERS else ""
    category = rest[-1] if rest and rest[-1] not in _GENDERS else ""
    if kind in KINDS and value and len(rest) <= 2 and (len(rest) < 2 or (gender and category)):
        label = f"{value} {'' if kind == 'article_type' else kind + ' '}" + (
            "searches" if source == "demand" else "(shop series)"
        )
        label += f" for {gender}" if gender else ""
        return TrendMeta(trend=label.replace("  ", " "), source=source, gender=gender, category=category,
                         kind=kind, value=value, unit="value")  # fmt: skip
    return TrendMeta(trend=name, source=source, kind="series", value=name, unit="value")


def shop_trends(
    path: Path | str, signal_path: Path | str | None = None
) -> tuple[list[NamedSeries], list[str]]:
    """A shop's own sales or mentions series (wide or long file, see :mod:`stylist.trends.data`;
    series named as :func:`series_meta` reads them)."""
    from stylist.trends.data import align_signal

    series = read_series(path)
    signals = align_signal(series, read_series(signal_path)) if signal_path else {}
    return _named(series, "shop", signals), list(series.notes)


def _named(series: SeriesSet, source: str, signals: dict | None = None) -> list[NamedSeries]:
    out = []
    for name, values in series.values.items():
        dates = series.dates[len(series.dates) - len(values) :]
        one = SeriesSet(
            dates=dates, values={name: values}, freq=series.freq, season_length=series.season_length
        )
        meta = series_meta(name, source)
        out.append(NamedSeries(name=name, series=one, meta=meta, signal=(signals or {}).get(name)))
    return out


def weekly_trends(
    counts: dict[str, dict[str, int]], *, min_requests: int = 20, min_weeks: int = 8, source: str = "demand"
) -> tuple[list[NamedSeries], list[str]]:
    """Weekly counts (``{series name: {week start "YYYY-MM-DD": n}}``, e.g. the demand log's) as named
    series on one weekly grid; a week without a count is 0. Series with fewer than ``min_requests``
    in all, or a grid shorter than ``min_weeks``, are left out (a note says so)."""
    import pandas as pd

    weeks = sorted({w for series in counts.values() for w in series})
    if not weeks:
        return [], ["no weekly counts yet"]
    grid = pd.date_range(weeks[0], weeks[-1], freq="7D")
    if len(grid) < min_weeks:
        return [], [f"only {len(grid)} weeks of counts; {min_weeks} are needed to forecast them"]
    notes, rows = [], []
    for name, series in sorted(counts.items()):
        if sum(series.values()) < min_requests:
            notes.append(f"skipped {name}: {sum(series.values())} requests (fewer than {min_requests})")
            continue
        rows += [
            (d.strftime("%Y-%m-%d"), name, repr(float(series.get(d.strftime("%Y-%m-%d"), 0)))) for d in grid
        ]
    if not rows:
        return [], notes
    table = pd.DataFrame(rows, columns=["date", "series", "value"])
    series_set = series_from_table(table, Path(source))
    return _named(series_set, source), notes + list(series_set.notes)
