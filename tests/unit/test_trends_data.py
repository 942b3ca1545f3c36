"""Reading series files: layouts, fallbacks and clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stylist.trends.data import TrendDataError, align_signal, read_series, write_wide


def weekly(n: int, start: str = "2020-01-06") -> list[str]:
    import pandas as pd

    return [d.strftime("%Y-%m-%d") for d in pd.date_range(start, periods=n, freq="7D")]


def write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    path.write_text("\n".join(",".join(str(v) for v in r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def test_wide_file_reads_dates_frequency_and_values(tmp_path: Path) -> None:
    dates = weekly(6)
    f = write(tmp_path / "w.csv", ["", "a", "b"], [[d, i, 2 * i] for i, d in enumerate(dates)])
    s = read_series(f)
    assert s.freq == "W" and s.season_length == 52
    assert list(s.values) == ["a", "b"]
    np.testing.assert_allclose(s.values["b"], [0, 2, 4, 6, 8, 10])
    assert [d.strftime("%Y-%m-%d") for d in s.next_dates(2)] == ["2020-02-17", "2020-02-24"]
    assert s.notes == []


def test_long_file_gives_the_same_series_as_wide(tmp_path: Path) -> None:
    dates = weekly(5)
    rows = [[d, name, v * (1 if name == "a" else 3)] for name in ("a", "b") for v, d in enumerate(dates)]
    s = read_series(write(tmp_path / "l.csv", ["Date", "Series", "Value"], rows[::-1]))
    np.testing.assert_allclose(s.values["a"], [0, 1, 2, 3, 4])
    np.testing.assert_allclose(s.values["b"], [0, 3, 6, 9, 12])


def test_missing_period_and_nan_are_interpolated_with_a_note(tmp_path: Path) -> None:
    dates = weekly(10)
    rows = [[d, float(i), float(i)] for i, d in enumerate(dates)]
    del rows[3]  # a missing week
    rows[5][2] = "NaN"  # a NaN cell (week 6 after the deletion shift)
    s = read_series(write(tmp_path / "m.csv", ["date", "a", "b"], rows))
    np.testing.assert_allclose(s.values["a"], np.arange(10.0))
    np.testing.assert_allclose(s.values["b"], np.arange(10.0))
    assert any("a: 1 missing" in n for n in s.notes) and any("b: 2 missing" in n for n in s.notes)


def test_trailing_gap_is_carried_forward_and_leading_gap_trimmed(tmp_path: Path) -> None:
    rows = [[d, "" if i < 2 else i, i if i < 9 else ""] for i, d in enumerate(weekly(10))]
    s = read_series(write(tmp_path / "t.csv", ["date", "late", "stops"], rows))
    np.testing.assert_allclose(s.values["late"], np.arange(2.0, 10.0))  # starts two weeks later
    assert s.values["stops"][-1] == 8.0
    assert any("late: starts 2 period(s)" in n for n in s.notes)


@pytest.mark.parametrize(
    ("cell", "message"),
    [("-1", "negative value"), ("abc", "not a number"), ("inf", "infinite")],
)
def test_bad_values_are_rejected_with_row_and_series(tmp_path: Path, cell: str, message: str) -> None:
    rows = [[d, 1.0] for d in weekly(6)]
    rows[4][1] = cell
    with pytest.raises(TrendDataError, match=rf"row 5, series 'a'.*{message}|row 5, series 'a': {message}"):
        read_series(write(tmp_path / "bad.csv", ["date", "a"], rows))


def test_too_many_missing_values_is_an_error(tmp_path: Path) -> None:
    rows = [[d, "" if 2 <= i < 6 else 1] for i, d in enumerate(weekly(10))]
    with pytest.raises(TrendDataError, match="misses 40% of its periods"):
        read_series(write(tmp_path / "gaps.csv", ["date", "a"], rows))


def test_too_short_series_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TrendDataError, match="at least 4"):
        read_series(write(tmp_path / "short.csv", ["date", "a"], [[d, 1] for d in weekly(3)]))


def test_unknown_format_and_layout_are_errors(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04")
    with pytest.raises(TrendDataError, match="unknown format '.xlsx'"):
        read_series(tmp_path / "x.xlsx")
    with pytest.raises(TrendDataError, match="unknown layout"):
        read_series(write(tmp_path / "one.csv", ["date"], [[d] for d in weekly(5)]))
    with pytest.raises(TrendDataError, match="no such file"):
        read_series(tmp_path / "absent.csv")


def test_bad_dates_duplicates_and_irregular_spacing_are_errors(tmp_path: Path) -> None:
    rows = [[d, 1] for d in weekly(6)]
    rows[2][0] = "someday"
    with pytest.raises(TrendDataError, match="row 3: not a date: 'someday'"):
        read_series(write(tmp_path / "d.csv", ["date", "a"], rows))
    rows = [[d, 1] for d in weekly(6)]
    rows[3][0] = rows[2][0]
    with pytest.raises(TrendDataError, match="duplicate date"):
        read_series(write(tmp_path / "dup.csv", ["date", "a"], rows))
    irregular = [
        ["2020-01-01", 1],
        ["2020-01-11", 1],
        ["2020-02-25", 1],
        ["2020-05-01", 2],
        ["2020-09-30", 3],
    ]
    with pytest.raises(TrendDataError, match="cannot infer the frequency"):
        read_series(write(tmp_path / "irr.csv", ["date", "a"], irregular))


def test_signal_must_cover_the_series_and_missing_names_are_noted(tmp_path: Path) -> None:
    dates = weekly(8)
    target = read_series(write(tmp_path / "t.csv", ["date", "a", "b"], [[d, 1, 2] for d in dates]))
    signal = read_series(write(tmp_path / "s.csv", ["date", "a"], [[d, i] for i, d in enumerate(dates)]))
    aligned = align_signal(target, signal)
    np.testing.assert_allclose(aligned["a"], np.arange(8.0))
    assert "b" not in aligned and any("b: no weak signal" in n for n in target.notes)
    short = read_series(write(tmp_path / "s2.csv", ["date", "a"], [[d, 1] for d in dates[:6]]))
    with pytest.raises(TrendDataError, match="covers"):
        align_signal(target, short)


def test_write_wide_round_trips(tmp_path: Path) -> None:
    import pandas as pd

    dates = pd.date_range("2021-01-04", periods=4, freq="7D")
    write_wide(tmp_path / "out.csv", dates, {"x": np.array([1.0, 2, 3, 4])})
    back = read_series(tmp_path / "out.csv")
    np.testing.assert_allclose(back.values["x"], [1, 2, 3, 4])
    assert back.dates[0] == dates[0]
