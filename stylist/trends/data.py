"""Reading time-series files: wide or long CSV, checked, regularised, with documented fallbacks.

Accepted layouts (``.csv`` or ``.tsv``):

* **wide**: the first column holds the period start dates, every other column is one
  series (the HERMES files' layout);
* **long**: exactly three columns named ``date``, ``series`` and ``value`` (any case).

What happens to imperfect input:

==========================  =====================================================
problem                     behaviour
==========================  =====================================================
unknown extension/layout    :class:`TrendDataError`
unparseable date            :class:`TrendDataError` naming the row
duplicate date (per series) :class:`TrendDataError`
irregular spacing           :class:`TrendDataError` (frequency cannot be inferred)
non-numeric or infinite     :class:`TrendDataError` naming row and series
negative value              :class:`TrendDataError` (shares and counts are >= 0)
missing periods / NaN       fallback: linear interpolation inside the series,
                            last value carried forward at the end, leading gaps
                            trimmed (the series starts later); a note says so.
                            More than 20% of a series missing: error.
too short                   fewer than ``MIN_POINTS`` observations: error; fewer
                            than two seasonal cycles: non-seasonal fallback in
                            the forecaster (a note says so).
==========================  =====================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from stylist.errors import TrendDataError

if TYPE_CHECKING:
    import pandas as pd

#: The fewest observations a series may have.
MIN_POINTS = 4
#: The largest share of a series that may be filled in by interpolation.
MAX_MISSING = 0.2
#: Median spacing in days -> (pandas frequency, seasonal period).
_FREQUENCIES = (
    ((1, 1), "D", 7),
    ((7, 7), "W", 52),
    ((28, 31), "MS", 12),
    ((89, 92), "QS", 4),
    ((365, 366), "YS", 1),
)


@dataclass
class SeriesSet:
    """Regular series on a common date grid.

    ``values[name]`` is aligned to the last ``len(values[name])`` entries of ``dates``
    (a series with a leading gap starts later).
    """

    dates: pd.DatetimeIndex
    values: dict[str, np.ndarray]
    freq: str
    season_length: int
    notes: list[str] = field(default_factory=list)

    def next_dates(self, horizon: int) -> pd.DatetimeIndex:
        """The ``horizon`` period start dates after the last one."""
        import pandas as pd

        return pd.date_range(self.dates[-1], periods=horizon + 1, freq=self._offset())[1:]

    def _offset(self) -> str:
        if self.freq == "W":
            return f"W-{self.dates[-1].day_name()[:3].upper()}"
        if self.freq in ("MS", "QS", "YS"):
            # Keep the input's anchor (e.g. quarters starting in March).
            return {
                "MS": "MS",
                "QS": f"QS-{self.dates[-1].month_name()[:3].upper()}",
                "YS": f"YS-{self.dates[-1].month_name()[:3].upper()}",
            }[self.freq]
        return self.freq


def _read_table(path: Path) -> pd.DataFrame:
    import pandas as pd

    if not path.is_file():
        raise TrendDataError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".tsv"):
        raise TrendDataError(f"{path}: unknown format {suffix or '(none)'!r}; use a .csv or .tsv file")
    try:
        table = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise TrendDataError(f"{path}: not a readable CSV table ({exc})") from None
    if table.shape[1] < 2 or table.empty:
        raise TrendDataError(
            f"{path}: unknown layout; expected wide (date column + one column per series) "
            "or long (date, series, value) with at least one row"
        )
    return table


def _number(raw: str, where: str) -> float:
    text = raw.strip()
    if text.lower() in ("", "nan", "na", "null", "none"):
        return math.nan
    try:
        value = float(text)
    except ValueError:
        raise TrendDataError(f"{where}: not a number: {raw!r}") from None
    if math.isinf(value):
        raise TrendDataError(f"{where}: infinite value")
    if value < 0:
        raise TrendDataError(f"{where}: negative value {value} (series must be shares or counts >= 0)")
    return value


def _dates(raw: list[str], path: Path, first_row: int = 1) -> pd.DatetimeIndex:
    import pandas as pd

    parsed = pd.to_datetime(pd.Series(raw), errors="coerce")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if len(bad):
        row = int(bad[0])
        raise TrendDataError(f"{path}: row {row + first_row}: not a date: {raw[row]!r}")
    return pd.DatetimeIndex(parsed)


def _frequency(dates: pd.DatetimeIndex, path: Path) -> tuple[str, int]:
    if len(dates) < 2:
        raise TrendDataError(f"{path}: at least {MIN_POINTS} periods are needed")
    step = float(np.median(np.diff(dates.values).astype("timedelta64[D]").astype(float)))
    for (low, high), freq, season in _FREQUENCIES:
        if low <= step <= high:
            return freq, season
    raise TrendDataError(
        f"{path}: cannot infer the frequency (median spacing {step:g} days); use daily, weekly, "
        "monthly, quarterly or yearly periods"
    )


def _grid(dates: pd.DatetimeIndex, freq: str) -> pd.DatetimeIndex:
    import pandas as pd

    if freq == "W":
        return pd.date_range(dates[0], dates[-1], freq="7D")
    if freq == "D":
        return pd.date_range(dates[0], dates[-1], freq="D")
    months = {"MS": 1, "QS": 3, "YS": 12}[freq]
    out = [dates[0]]
    while out[-1] < dates[-1]:
        out.append(out[-1] + pd.DateOffset(months=months))
    return pd.DatetimeIndex(out)


def read_series(path: Path | str, *, max_missing: float = MAX_MISSING) -> SeriesSet:
    """Read a wide or long series file into regular, checked series (see the module table)."""
    path = Path(path)
    table = _read_table(path)
    return series_from_table(table, path, max_missing=max_missing)


def series_from_table(table: pd.DataFrame, path: Path, *, max_missing: float = MAX_MISSING) -> SeriesSet:
    """Check and regularise a table of strings in the wide or long layout (``path`` names it in errors)."""
    cols = [c.strip().lower() for c in table.columns]
    if len(cols) == 3 and set(cols) == {"date", "series", "value"}:
        table.columns = cols
        dates = _dates(table["date"].tolist(), path)
        long: dict[str, dict] = {}
        for i, (date, name, raw) in enumerate(zip(dates, table["series"], table["value"], strict=True), 1):
            name = name.strip()
            if not name:
                raise TrendDataError(f"{path}: row {i}: empty series name")
            per = long.setdefault(name, {})
            if date in per:
                raise TrendDataError(f"{path}: row {i}: duplicate date {date.date()} for series {name!r}")
            per[date] = _number(raw, f"{path}: row {i}, series {name!r}")
        all_dates = sorted({d for per in long.values() for d in per})
        index = {d: j for j, d in enumerate(all_dates)}
        matrix = {n: np.full(len(all_dates), np.nan) for n in long}
        for n, per in long.items():
            for d, v in per.items():
                matrix[n][index[d]] = v
        import pandas as pd

        raw_dates = pd.DatetimeIndex(all_dates)
    else:
        dates = _dates(table.iloc[:, 0].tolist(), path)
        if dates.has_duplicates:
            dup = dates[dates.duplicated()][0]
            raise TrendDataError(f"{path}: duplicate date {dup.date()}")
        names = [str(c).strip() for c in table.columns[1:]]
        if any(not n or n.lower().startswith("unnamed:") for n in names):
            raise TrendDataError(f"{path}: every series column needs a name in the header")
        order = np.argsort(dates.values, kind="stable")
        raw_dates = dates[order]
        matrix = {}
        for j, name in enumerate(names, start=1):
            col = table.iloc[:, j].tolist()
            matrix[name] = np.array(
                [_number(col[i], f"{path}: row {i + 1}, series {name!r}") for i in order], dtype=float
            )
    freq, season = _frequency(raw_dates, path)
    grid = _grid(raw_dates, freq)
    position = {d: i for i, d in enumerate(grid)}
    off_grid = [d for d in raw_dates if d not in position]
    if off_grid:
        raise TrendDataError(
            f"{path}: date {off_grid[0].date()} is off the regular {freq} grid starting {grid[0].date()}"
        )
    notes: list[str] = []
    values: dict[str, np.ndarray] = {}
    for name, column in matrix.items():
        full = np.full(len(grid), np.nan)
        full[[position[d] for d in raw_dates]] = column
        values[name] = _fill(full, name, path, notes, max_missing)
    return SeriesSet(dates=grid, values=values, freq=freq, season_length=season, notes=notes)


def _fill(series: np.ndarray, name: str, path: Path, notes: list[str], max_missing: float) -> np.ndarray:
    """Apply the missing-value fallback to one series on the grid."""
    known = np.flatnonzero(~np.isnan(series))
    if len(known) < MIN_POINTS:
        raise TrendDataError(
            f"{path}: series {name!r} has {len(known)} observation(s); at least {MIN_POINTS} are needed"
        )
    series = series[known[0] :]  # a leading gap: the series starts later
    if known[0]:
        notes.append(f"{name}: starts {known[0]} period(s) after the file's first date")
    missing = np.isnan(series)
    if missing.any():
        share = missing.mean()
        if share > max_missing:
            raise TrendDataError(
                f"{path}: series {name!r} misses {share:.0%} of its periods (at most {max_missing:.0%} "
                "can be interpolated)"
            )
        idx = np.arange(len(series))
        # np.interp holds the last known value beyond the end: a trailing gap is carried forward.
        series = np.interp(idx, idx[~missing], series[~missing])
        notes.append(f"{name}: {int(missing.sum())} missing period(s) filled by linear interpolation")
    return series


def align_signal(target: SeriesSet, signal: SeriesSet) -> dict[str, np.ndarray]:
    """The weak-signal series that match target series by name, cut to each target's dates.

    Raises:
        TrendDataError: the signal has another frequency or does not cover the target's end.
    """
    if signal.freq != target.freq:
        raise TrendDataError(f"the signal is {signal.freq} but the series are {target.freq}")
    out: dict[str, np.ndarray] = {}
    for name, values in target.values.items():
        if name not in signal.values:
            target.notes.append(f"{name}: no weak signal with this name; forecast without it")
            continue
        sig = signal.values[name]
        sig_dates = signal.dates[len(signal.dates) - len(sig) :]
        start = target.dates[len(target.dates) - len(values)]
        if sig_dates[0] > start or signal.dates[-1] < target.dates[-1]:
            raise TrendDataError(
                f"the signal for {name!r} covers {sig_dates[0].date()}..{signal.dates[-1].date()}, "
                f"not the series' {start.date()}..{target.dates[-1].date()}"
            )
        lo = sig_dates.get_loc(start)
        out[name] = sig[lo : lo + len(values)]
    return out


def write_wide(path: Path | str, dates: pd.DatetimeIndex, columns: dict[str, np.ndarray]) -> None:
    """Write series in the wide layout: first column the dates, one column per series."""
    import pandas as pd

    frame = pd.DataFrame({name: np.asarray(v, dtype=float) for name, v in columns.items()})
    frame.insert(0, "date", [d.strftime("%Y-%m-%d") for d in dates])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
