"""The forecaster's behaviour on known series, and the `trends forecast` command."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from stylist.cli import app
from stylist.trends.forecast import TrendForecaster, relative_change, trend_status


def seasonal(
    n: int, level: float = 1.0, growth: float = 0.0, noise: float = 0.0, seed: int = 0
) -> np.ndarray:
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    shape = 1 + 0.5 * np.sin(2 * np.pi * t / 52)
    return np.maximum(level * (1 + growth) ** (t / 52) * shape + noise * rng.standard_normal(n), 0)


def test_recovers_a_clean_seasonal_pattern() -> None:
    y = seasonal(208)
    fc = TrendForecaster(52).fit(y[:156]).forecast(52)
    assert fc.method == "profile+mstl" and fc.mean.shape == (52,)
    # Smoothing flattens the peaks slightly; the error stays a few percent of the level.
    assert np.mean(np.abs(fc.mean - y[156:])) < 0.05
    assert np.all(fc.lo <= fc.mean) and np.all(fc.mean <= fc.hi) and np.all(fc.lo >= 0)


def test_beats_seasonal_naive_on_noisy_seasonal_series() -> None:
    wins = 0
    for seed in range(10):
        y = seasonal(208, noise=0.3, seed=seed)
        ours = TrendForecaster(52).fit(y[:156]).forecast(52).mean
        naive = y[104:156]
        wins += np.mean(np.abs(ours - y[156:])) < np.mean(np.abs(naive - y[156:]))
    assert wins >= 9


def test_weak_signal_moves_the_level_by_its_elasticity() -> None:
    y = seasonal(156)
    signal = np.concatenate([np.ones(104), 2 * np.ones(52)])  # the influencers doubled last year
    plain = TrendForecaster(52, profile_weight=1.0).fit(y).forecast(52).mean
    lifted = TrendForecaster(52, profile_weight=1.0).fit(y, signal).forecast(52).mean
    np.testing.assert_allclose(lifted / plain, math.exp(0.25 * math.log(2)), rtol=1e-9)


def test_short_series_fall_back_to_non_seasonal_models() -> None:
    assert TrendForecaster(52).fit(np.linspace(1, 2, 30)).forecast(5).method == "ets-nonseasonal"
    fc = TrendForecaster(52).fit(np.array([1.0, 2.0, 3.0, 6.0])).forecast(3)
    assert fc.method == "damped-trend"
    # Least-squares line: slope 1.6, level 5.4 at the last point; the slope fades by 0.8 a period.
    np.testing.assert_allclose(fc.mean, [5.4 + 1.6 * 0.8, 5.4 + 1.6 * 1.44, 5.4 + 1.6 * 1.952])


@pytest.mark.parametrize(
    "bad", [np.array([1.0, -1.0, 2.0]), np.array([1.0, np.nan, 2.0]), np.array([1.0, 2.0])]
)
def test_fit_rejects_invalid_series(bad: np.ndarray) -> None:
    with pytest.raises(ValueError):
        TrendForecaster(4).fit(bad)


def test_status_bands_and_relative_change() -> None:
    assert [trend_status(c) for c in (0.11, 0.1, -0.1, -0.11)] == ["rising", "steady", "steady", "declining"]
    assert relative_change(np.array([1.0, 1.0, 2.0, 2.0]), np.array([3.0, 3.0]), 2) == pytest.approx(0.5)
    assert relative_change(np.zeros(4), np.ones(2), 2) == 1.0


def _weekly_csv(path: Path, columns: dict[str, np.ndarray], start: str = "2015-01-05") -> Path:
    import pandas as pd

    dates = pd.date_range(start, periods=len(next(iter(columns.values()))), freq="7D")
    frame = pd.DataFrame(columns)
    frame.insert(0, "", dates.strftime("%Y-%m-%d"))
    frame.to_csv(path, index=False)
    return path


def test_cli_forecast_writes_the_input_wide_format(tmp_path: Path) -> None:
    src = _weekly_csv(tmp_path / "in.csv", {"a": seasonal(120), "b": seasonal(120, level=3)})
    sig = _weekly_csv(tmp_path / "sig.csv", {"a": seasonal(120), "b": seasonal(120)})
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        app,
        [
            "trends",
            "forecast",
            "--input",
            str(src),
            "--signal",
            str(sig),
            "--horizon",
            "10",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0] == "date,a,b" and len(lines) == 11
    assert lines[1].startswith("2017-04-24,")  # the week after the last of 120 weeks from 2015-01-05
    values = np.array([[float(v) for v in line.split(",")[1:]] for line in lines[1:]])
    assert np.all(values >= 0) and np.all(values[:, 1] > values[:, 0])  # b is three times a


def test_cli_forecast_bad_input_exits_2_with_the_reason(tmp_path: Path) -> None:
    rows = seasonal(20)
    rows[5] = -1
    src = _weekly_csv(tmp_path / "neg.csv", {"a": rows})
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        app, ["trends", "forecast", "--input", str(src), "--horizon", "4", "--output", str(out)]
    )
    assert result.exit_code == 2
    assert "negative value" in result.output and not out.exists()
