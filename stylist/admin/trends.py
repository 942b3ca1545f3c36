"""Trends as the merchandiser sees them: forecasts with probabilities, and the demand outlook.

Reads the stored trend forecasts (``stylist trends update`` writes them, with their history,
forecast and 80% interval in the metadata) and the live catalog's metadata.

Probabilities: the forecast's 80% interval of the relative change is read as a normal
distribution (its ends are the 10th and 90th percentiles), so ``P(rising) = P(change > band)``,
``P(declining) = P(change < -band)`` and ``P(steady)`` the rest; ``probability`` is that of the
trend's own status.
"""

from __future__ import annotations

import json
import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stylist.settings import Settings

#: z of the 90th percentile: an 80% central interval spans +-Z80 standard deviations.
Z80 = 1.2815515655446004
#: A trend is flagged in the outlook only when its status is at least this likely.
FLAG_PROBABILITY = 0.6
#: Sources of a shop's own signals (its sales or searches file, and its demand log).
SHOP_SOURCES = ("shop", "demand")


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def status_probabilities(change: float, lo: float, hi: float, band: float) -> dict[str, float]:
    """P(rising), P(steady), P(declining) of a forecast change with 80% interval [lo, hi]."""
    sigma = max((hi - lo) / (2 * Z80), 1e-9)
    rising = 1.0 - _phi((band - change) / sigma)
    declining = _phi((-band - change) / sigma)
    return {
        "rising": round(rising, 4),
        "steady": round(max(0.0, 1.0 - rising - declining), 4),
        "declining": round(declining, 4),
    }


def _numbers(text: Any) -> list[float]:
    if isinstance(text, list | tuple):
        return [float(v) for v in text]
    return [float(v) for v in str(text or "").split(",") if v.strip()]


def trend_label(meta: Mapping[str, Any]) -> str:
    """A trend's name for staff: "men's brown shoes, summer" (the shop's series by their own name)."""
    from stylist.trends.named import item_words

    season = str(meta.get("season") or "").lower()
    words = item_words(meta, whose=True)
    source = str(meta.get("source") or "")
    if source in SHOP_SOURCES:
        words += " (requests)" if source == "demand" else " (shop)"
    return words + (f", {season}" if season else "")


def trend_row(meta: Mapping[str, Any], band: float) -> dict[str, Any]:
    """One trend in the admin API's shape (``label``, ``status``, ``change``, ``probability``,
    ``history``, ``forecast``), plus what the console filters and draws by."""
    change = float(meta.get("change") or 0.0)
    lo, hi = float(meta.get("interval_lo", change)), float(meta.get("interval_hi", change))
    status = str(meta.get("status") or "steady")
    probabilities = status_probabilities(change, lo, hi, band)
    return {
        "label": trend_label(meta),
        "status": status,
        "change": round(change, 4),
        "probability": probabilities.get(status, 0.0),
        "history": _numbers(meta.get("history")),
        "forecast": _numbers(meta.get("forecast")),
        # -- beyond the API's required fields --
        "probabilities": probabilities,
        "interval": [round(lo, 4), round(hi, 4)],
        "forecast_lo": _numbers(meta.get("forecast_lo")),
        "forecast_hi": _numbers(meta.get("forecast_hi")),
        "periods": [p for p in str(meta.get("periods") or "").split(",") if p],
        "unit": meta.get("unit", "share"),
        "source": meta.get("source", ""),
        "gender": meta.get("gender", ""),
        "category": meta.get("category", ""),
        "season": meta.get("season", ""),
        "kind": meta.get("kind", ""),
        "value": meta.get("value", ""),
        "name": meta.get("name", ""),
        "last_mean": float(meta.get("last_mean") or 0.0),
        "next_mean": float(meta.get("next_mean") or 0.0),
    }


def filter_rows(
    rows: Iterable[dict[str, Any]], *, gender: str | None = None, season: str | None = None,
    kind: str | None = None, source: str | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Trends for a gender / season / kind / source (None or "All": any); all-season trends count for
    every season."""

    def ok(value: str, wanted: str | None, *, blank_matches: bool = False) -> bool:
        return not wanted or wanted == "All" or value == wanted or (blank_matches and not value)

    return [
        r for r in rows
        if ok(r["gender"], gender) and ok(r["season"], season, blank_matches=True) and ok(r["kind"], kind)
        and ok(r["source"], source)
    ]  # fmt: skip


def movers(rows: Sequence[dict[str, Any]], n: int = 10) -> dict[str, list[dict[str, Any]]]:
    """The ``n`` likeliest rising and falling trends (by the probability of that direction)."""
    rising = sorted(rows, key=lambda r: (-r["probabilities"]["rising"], -r["change"]))
    falling = sorted(rows, key=lambda r: (-r["probabilities"]["declining"], r["change"]))
    return {
        "rising": [r for r in rising if r["status"] == "rising"][:n],
        "falling": [r for r in falling if r["status"] == "declining"][:n],
    }


class TrendReader:
    """The stored trend forecasts as admin rows; re-read only when ``stylist trends update`` made a
    new build (a page load costs one registry look-up)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._build: str | None = None
        self._rows: list[dict[str, Any]] = []

    @property
    def build(self) -> str | None:
        """The build the rows were last read from (None: no stored trends)."""
        return self._build

    def rows(self) -> list[dict[str, Any]]:
        from stylist.trends.store import all_trends

        with self._lock:
            build, metas = all_trends(self.settings, self._build)
            if build is None:
                self._build, self._rows = None, []
            elif metas is not None:
                band = self.settings.trends_band
                self._rows = sorted((trend_row(m, band) for m in metas), key=lambda r: -abs(r["change"]))
                self._build = build
            return self._rows


# --- the demand outlook --------------------------------------------------------------------------


def _stock(meta: Mapping[str, Any]) -> int:
    try:
        sizes = json.loads(meta.get("sizes") or "{}")
    except (TypeError, ValueError):
        sizes = {}
    return int(sum(int(v) for v in sizes.values() if isinstance(v, int | float) and v > 0))


def outlook(rows: Sequence[dict[str, Any]], catalog: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each trend's forecast change beside the catalog's items and stock for it, flagged.

    The trend's forecast share of demand is compared with its share of the stock in the same
    group: for a catalog trend, its share of the group's listings next period (gender x category x
    season) against its items' share of the group's stock units; for a shop or demand series, its
    forecast against the sum of the forecasts of its kind and gender, against its items' share of
    that gender's stock. "likely short": rising (probability >= 0.6) and its stock share below its
    demand share; "likely over-stocked": declining (probability >= 0.6) and its stock share above it.
    """
    group_stock: dict[tuple[str, str, str], int] = defaultdict(int)
    item_stock: dict[tuple[str, str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for meta in catalog:
        stock = _stock(meta)
        g, c, s = (
            str(meta.get("gender") or ""),
            str(meta.get("category") or ""),
            str(meta.get("season") or ""),
        )
        for key in ((g, c, s), (g, c, ""), (g, "", ""), ("", "", "")):
            group_stock[key] += stock
        for kind in ("article_type", "colour", "usage"):
            value = str(meta.get(kind) or "")
            for key in ((g, c, s), (g, c, ""), (g, "", ""), ("", "", "")):
                counts = item_stock[(*key, kind, value)]
                counts[0] += 1
                counts[1] += stock
    totals: dict[tuple[str, str, str], float] = defaultdict(float)
    for r in rows:
        if r["source"] != "catalog":
            totals[(r["source"], r["kind"], r["gender"])] += max(r["next_mean"], 0.0)
    out = []
    for r in rows:
        if r["kind"] not in ("article_type", "colour", "usage"):
            continue
        catalog_trend = r["source"] == "catalog"
        key = (r["gender"], r["category"], r["season"]) if catalog_trend else (r["gender"], "", "")
        items, stock = item_stock.get((*key, r["kind"], r["value"]), [0, 0])
        stock_share = stock / group_stock[key] if group_stock.get(key) else 0.0
        if catalog_trend:
            demand_share = max(r["next_mean"], 0.0)
        else:
            total = totals[(r["source"], r["kind"], r["gender"])]
            demand_share = max(r["next_mean"], 0.0) / total if total else 0.0
        p = r["probabilities"]
        flag = ""
        if r["status"] == "rising" and p["rising"] >= FLAG_PROBABILITY and stock_share < demand_share:
            flag = "likely short"
        elif r["status"] == "declining" and p["declining"] >= FLAG_PROBABILITY and stock_share > demand_share:
            flag = "likely over-stocked"
        out.append({
            "label": r["label"], "status": r["status"], "change": r["change"],
            "probability": r["probability"], "items": items, "stock": stock,
            "demand_share": round(demand_share, 4), "stock_share": round(stock_share, 4), "flag": flag,
            "source": r["source"], "gender": r["gender"], "season": r["season"],
        })  # fmt: skip
    order = {"likely short": 0, "likely over-stocked": 1, "": 2}
    return sorted(out, key=lambda o: (order[o["flag"]], -abs(o["change"])))
