"""The project's forecaster: a signal-adjusted seasonal profile combined with statsforecast's MSTL.

Why this design (measured in ``benchmarks/trends.py``): fashion trend shares repeat
a yearly shape while their level drifts. The profile part averages the
normalised shape of the last two seasonal cycles (circularly smoothed, because
weekly shares are noisy), scales it to the recent level and, when a weak signal
(the influencers' series) is given, moves that level by a fraction of the
signal's year-on-year growth: influencers adopt a trend before the mass does.
The statsforecast MSTL model (STL decomposition + AutoETS on the trend) adds a
data-driven trend term; the two are averaged with fixed weights chosen on an
earlier backtest fold, never on the reported one.

Series shorter than two cycles get a non-seasonal fallback (statsforecast's
AutoETS without season, or a damped linear trend through the last points for very short ones).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

#: Damping of the short-series trend: the slope fades by this factor per period.
_PHI = 0.8


@dataclass
class Forecast:
    """Point forecasts with a central prediction interval (all arrays of length h)."""

    mean: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    method: str


def _circular_smooth(shape: np.ndarray, window: int) -> np.ndarray:
    if window <= 1:
        return shape
    half = window // 2
    padded = np.concatenate([shape[-half:], shape, shape[:half]])
    return np.convolve(padded, np.ones(window) / window, mode="valid")[: len(shape)]


class TrendForecaster:
    """``fit(y, signal)`` then ``forecast(h)``; one series at a time.

    Args:
        season_length: periods per seasonal cycle (52 for weekly data, 4 for seasons).
        cycles: how many recent cycles form the seasonal profile.
        smooth_weeks: width of the profile smoothing for weekly data (scaled for others).
        recent_weeks: recent periods whose deseasonalised mean is blended into the level.
        signal_weight: elasticity of the level to the weak signal's year-on-year growth.
        profile_weight: weight of the profile part against MSTL in the combination.
        level: coverage of the prediction interval, in percent.
    """

    def __init__(
        self,
        season_length: int = 52,
        *,
        cycles: int = 2,
        smooth_weeks: int = 7,
        recent_weeks: int = 8,
        signal_weight: float = 0.25,
        profile_weight: float = 0.8,
        level: int = 80,
    ) -> None:
        if season_length < 1:
            raise ValueError("season_length must be >= 1")
        self.m = season_length
        self.cycles = cycles
        scale = season_length / 52
        self.smooth = max(1, int(round(smooth_weeks * scale)) | 1) if season_length > 1 else 1
        self.recent = max(1, int(round(recent_weeks * scale)))
        self.signal_weight = signal_weight
        self.profile_weight = profile_weight
        self.z = _z(level)
        self._y: np.ndarray | None = None
        self._signal: np.ndarray | None = None

    @property
    def seasonal(self) -> bool:
        """Whether the fitted series is long enough for the seasonal model."""
        return self._y is not None and self.m > 1 and len(self._y) >= 2 * self.m

    def fit(self, y: np.ndarray, signal: np.ndarray | None = None) -> TrendForecaster:
        """Remember a checked series (finite, >= 0) and its optional aligned weak signal."""
        y = np.asarray(y, dtype=float)
        if y.ndim != 1 or len(y) < 3:
            raise ValueError("a series needs at least 3 values")
        if not np.isfinite(y).all() or (y < 0).any():
            raise ValueError("series values must be finite and >= 0")
        if signal is not None:
            signal = np.asarray(signal, dtype=float)
            if signal.shape != y.shape:
                raise ValueError(f"the signal has {len(signal)} values, the series {len(y)}")
        self._y, self._signal = y, signal
        return self

    def forecast(self, h: int) -> Forecast:
        """Forecast ``h`` periods ahead with an interval (lower bound clipped at 0)."""
        if self._y is None:
            raise RuntimeError("call fit() first")
        if h < 1:
            raise ValueError("the horizon must be >= 1")
        y = self._y
        if self.seasonal:
            mean = self._seasonal_point(y, self._signal, h)
            method = "profile+mstl"
            spread = self._seasonal_spread(y, h)
        else:
            mean, method = self._short_point(y, h)
            resid = np.diff(y)
            spread = np.full(h, np.std(resid) if len(resid) > 1 else np.abs(y).mean())
        steps = np.arange(1, h + 1)
        # Uncertainty grows with the horizon: about sqrt(1 + h/m) of the one-cycle-ahead error.
        width = self.z * spread * np.sqrt(1 + steps / max(self.m, 1)) / math.sqrt(2)
        return Forecast(mean=mean, lo=np.maximum(mean - width, 0.0), hi=mean + width, method=method)

    # --- the seasonal model --------------------------------------------------
    def _profile(self, y: np.ndarray, signal: np.ndarray | None, h: int) -> np.ndarray:
        m, n = self.m, len(y)
        k = min(self.cycles, n // m)
        cycles = np.array([y[n - m * (j + 1) : n - m * j] for j in range(k)])  # newest first
        levels = cycles.mean(axis=1, keepdims=True)
        shape = (cycles / np.maximum(levels, 1e-12)).mean(axis=0)
        shape = _circular_smooth(shape, self.smooth)
        level = float(levels[0, 0])
        recent = y[-self.recent :] / np.maximum(shape[-self.recent :], 1e-12)
        level = 0.5 * level + 0.5 * float(recent.mean())
        if signal is not None and self.signal_weight and n >= 2 * m:
            now, before = signal[-m:].mean(), signal[-2 * m : -m].mean()
            if now > 0 and before > 0:
                level *= math.exp(float(np.clip(self.signal_weight * math.log(now / before), -0.7, 0.7)))
        return np.resize(shape, h) * level  # the shape repeats for horizons beyond one cycle

    def _seasonal_point(self, y: np.ndarray, signal: np.ndarray | None, h: int) -> np.ndarray:
        profile = self._profile(y, signal, h)
        if self.profile_weight >= 1 or len(y) <= 2 * self.m:
            return np.maximum(profile, 0.0)
        from statsforecast.models import MSTL

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                mstl = np.asarray(MSTL(season_length=self.m).forecast(y=y, h=h)["mean"], dtype=float)
            except Exception:  # noqa: BLE001 - a degenerate series (e.g. constant); the profile alone is fine
                return np.maximum(profile, 0.0)
        if not np.isfinite(mstl).all():
            return np.maximum(profile, 0.0)
        w = self.profile_weight
        return np.maximum(w * profile + (1 - w) * mstl, 0.0)

    def _seasonal_spread(self, y: np.ndarray, h: int) -> np.ndarray:
        """Typical one-cycle-ahead error: from a holdout of the last cycle when there is room."""
        m = self.m
        if len(y) >= 3 * m:
            past = self._profile(y[:-m], None, m)
            errors = np.abs(y[-m:] - past)
        else:
            errors = np.abs(y[-m:] - y[-2 * m : -m])
        return np.full(h, float(np.sqrt(np.mean(errors**2))))

    # --- the fallback for short series ----------------------------------------
    def _short_point(self, y: np.ndarray, h: int) -> tuple[np.ndarray, str]:
        if len(y) >= 8:
            from statsforecast.models import AutoETS

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    mean = np.asarray(AutoETS(season_length=1, damped=True).forecast(y=y, h=h)["mean"])
                    if np.isfinite(mean).all():
                        return np.maximum(mean, 0.0), "ets-nonseasonal"
                except Exception:  # noqa: BLE001 - fall through to the plain mean
                    pass
        # Too short for ETS (statsforecast refuses tiny data): a damped linear trend through the
        # last few points, so a clear rise or fall is not flattened to a plain mean.
        tail = y[-6:]
        x = np.arange(len(tail), dtype=float)
        slope, intercept = np.polyfit(x, tail, 1)
        level = intercept + slope * x[-1]
        damping = np.cumsum(_PHI ** np.arange(1, h + 1))
        return np.maximum(level + slope * damping, 0.0), "damped-trend"


def _z(level: int) -> float:
    if not 50 <= level < 100:
        raise ValueError("the interval level must be in [50, 100)")
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 200)


def trend_status(change: float, band: float = 0.10) -> str:
    """rising / steady / declining for a relative change of the mean, with +-band."""
    if change > band:
        return "rising"
    if change < -band:
        return "declining"
    return "steady"


def relative_change(history: np.ndarray, future: np.ndarray, window: int) -> float:
    """Relative change of the next ``window`` periods' mean vs the last ``window``'s."""
    before = float(np.mean(history[-window:]))
    after = float(np.mean(future[:window]))
    if before <= 0:
        return 0.0 if after <= 0 else 1.0
    return after / before - 1.0
