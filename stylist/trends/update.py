"""Forecast named trends and turn each into a short summary record.

The stored summary is in shopper words (:func:`stylist.trends.answer.summary_text`); the
analytic one (shares of listings per period, the 80% interval) is kept in ``metadata["detail"]``.
The metadata also holds what a chart needs (the history, the forecast, its 80% interval and
the period labels); the staff console and the report draw them with :mod:`stylist.trends.charts`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from stylist.trends.answer import summary_text
from stylist.trends.forecast import TrendForecaster, trend_status
from stylist.trends.named import NamedSeries


@dataclass
class TrendRecord:
    """One forecast trend as stored in the trend collection."""

    id: str
    summary: str
    metadata: dict[str, Any]


def _period(date, freq: str) -> str:  # noqa: ANN001 - a pandas Timestamp
    return {
        "YS": f"{date.year}",
        "QS": f"{date.year}-Q{(date.month - 1) // 3 + 1}",
        "MS": date.strftime("%Y-%m"),
    }.get(freq, date.strftime("%Y-%m-%d"))


def _fmt(value: float, unit: str) -> str:
    return f"{value:.1%}" if unit == "share" else f"{value:.4g}"


def slug(name: str) -> str:
    """A file- and id-safe name (a hash keeps distinct names distinct)."""
    text = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:60]
    return f"{text}-{hashlib.sha1(name.encode()).hexdigest()[:8]}"


def forecast_record(item: NamedSeries, band: float = 0.10) -> TrendRecord:
    """Forecast one named series for one seasonal cycle and summarise it."""
    series = item.series
    y = item.values
    m = series.season_length
    window = m if m > 1 and len(y) >= 2 * m else 1 if m == 1 else min(m, len(y) // 2)
    horizon = max(m, 2)
    fc = TrendForecaster(m).fit(y, item.signal).forecast(horizon)
    last = float(np.mean(y[-window:]))
    prev = float(np.mean(y[-2 * window : -window])) if len(y) >= 2 * window else float("nan")
    nxt, lo, hi = (float(np.mean(a[:window])) for a in (fc.mean, fc.lo, fc.hi))
    if item.meta.unit == "share":
        hi = min(hi, 1.0)  # a share cannot exceed all listings
    if last > 0:
        change, interval = nxt / last - 1, [lo / last - 1, hi / last - 1]
    else:  # nothing in the last cycle: any forecast mass is "new", report it as +100%
        change, interval = (1.0 if nxt > 0 else 0.0), [0.0, 1.0 if hi > 0 else 0.0]
    status = trend_status(change, band)
    meta = item.meta
    dates = series.dates[len(series.dates) - len(y) :]
    future = series.next_dates(horizon)
    unit = meta.unit
    if window == 1:
        now_label, next_label = _period(dates[-1], series.freq), _period(future[0], series.freq)
        prev_label = _period(dates[-2], series.freq)
    else:
        now_label, next_label = f"the last {window} periods", f"the next {window}"
        prev_label = f"the {window} before"
    what = "share of listings" if unit == "share" else "value"
    recent = f"{what} {_fmt(last, unit)} in {now_label}"
    if prev == prev:
        recent += f" ({_fmt(prev, unit)} in {prev_label})"
    detail = (
        f"{meta.trend}: {status}. {recent[0].upper()}{recent[1:]}; forecast for {next_label}: "
        f"{_fmt(nxt, unit)} (80% interval {_fmt(lo, unit)}-{_fmt(hi, unit)}), {change:+.0%} vs {now_label}."
    )
    shown = y[-3 * max(m, 4) :]
    periods = [_period(d, series.freq) for d in list(dates[len(dates) - len(shown) :]) + list(future)]
    metadata: dict[str, Any] = {
        **meta.to_metadata(),
        "name": item.name,
        "status": status,
        "change": round(change, 4),
        "interval_lo": round(interval[0], 4),
        "interval_hi": round(interval[1], 4),
        "last_mean": last,
        "next_mean": nxt,
        "method": fc.method,
        "chart": "",  # charts are drawn from the numbers below (stylist.trends.charts), not stored
        "last_period": _period(dates[-1], series.freq),
        "history": ",".join(f"{v:.5g}" for v in shown),
        "forecast": ",".join(f"{v:.5g}" for v in fc.mean),
        "forecast_lo": ",".join(f"{v:.5g}" for v in fc.lo),
        "forecast_hi": ",".join(
            f"{v:.5g}" for v in (np.minimum(fc.hi, 1.0) if item.meta.unit == "share" else fc.hi)
        ),
        "periods": ",".join(periods),
        "detail": detail,  # the analytic summary (shares, periods): for analysts, not shoppers
    }
    # What is embedded and shown is in shopper words: no shares of listings, no years.
    return TrendRecord(id=slug(item.name), summary=summary_text(metadata), metadata=metadata)
