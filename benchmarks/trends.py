"""Backtest of the trend forecasters on the 100 HERMES series (issue 5).

Train on all weeks but the last 52, forecast 52, score MASE (seasonal period 52,
scaled by the in-sample seasonal-naive error) for seasonal naive, ETS, a TBATS
model, MSTL and the project's forecaster (with and without the influencers'
weak signal). The project's fixed settings were chosen on an earlier fold
(origin week 105, forecasting weeks 105-156), which is reported too; the
headline fold is the last 52 weeks.

Also scored on the headline fold: the trend status (next 52 weeks' mean vs the
last 52 weeks', +-10% bands) against persistence, and the 80% interval coverage.

    python benchmarks/trends.py [--skip-tbats]

Prints a table and writes benchmarks/results/trends.json.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from stylist.settings import SAMPLE_DATA_DIR, Settings
from stylist.trends.data import align_signal, read_series
from stylist.trends.forecast import TrendForecaster, relative_change, trend_status

H = M = 52
STATUSES = ("rising", "steady", "declining")
RESULTS = Path(__file__).parent / "results" / "trends.json"
DECISION_BAND = Settings.model_fields["trends_band"].default


def mase(train: np.ndarray, test: np.ndarray, forecast: np.ndarray) -> float:
    scale = np.mean(np.abs(train[M:] - train[:-M]))
    return float(np.mean(np.abs(test - forecast)) / scale)


def statsforecast_model(name: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    from statsforecast.models import MSTL, AutoETS, AutoTBATS, SeasonalNaive

    make = {
        "seasonal naive": lambda: SeasonalNaive(season_length=M),
        "ETS (AutoETS, m=52)": lambda: AutoETS(season_length=M),
        "TBATS (AutoTBATS, m=52)": lambda: AutoTBATS(season_length=M),
        "MSTL (STL + AutoETS trend)": lambda: MSTL(season_length=M),
    }[name]

    def run(y: np.ndarray, _signal: np.ndarray) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(make().forecast(y=y, h=H)["mean"], dtype=float)

    return run


def project(with_signal: bool) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def run(y: np.ndarray, signal: np.ndarray) -> np.ndarray:
        return TrendForecaster(M).fit(y, signal if with_signal else None).forecast(H).mean

    return run


def macro_f1(truth: list[str], pred: list[str]) -> float:
    scores = []
    for label in STATUSES:
        tp = sum(t == p == label for t, p in zip(truth, pred, strict=True))
        fp = sum(p == label != t for t, p in zip(truth, pred, strict=True))
        fn = sum(t == label != p for t, p in zip(truth, pred, strict=True))
        if tp + fp + fn:
            scores.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SAMPLE_DATA_DIR / "trends")
    parser.add_argument(
        "--skip-tbats",
        action="store_true",
        help="TBATS took 6 min on 2 idle cores, 17 min on a loaded machine",
    )
    args = parser.parse_args()
    main_set = read_series(args.data / "f1_main_100_sequences.csv")
    signal = align_signal(main_set, read_series(args.data / "f1_fashion_forward_100_sequences.csv"))
    names = list(main_set.values)
    n = len(main_set.dates)
    folds = {"validation (origin 105)": n - 2 * H, "test (last 52 weeks)": n - H}
    models: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
        name: statsforecast_model(name)
        for name in (
            "seasonal naive",
            "ETS (AutoETS, m=52)",
            "TBATS (AutoTBATS, m=52)",
            "MSTL (STL + AutoETS trend)",
        )
        if not (args.skip_tbats and name.startswith("TBATS"))
    }
    models["project, no signal"] = project(False)
    models["project + influencer signal"] = project(True)
    table: dict[str, dict[str, float]] = {}
    seconds: dict[str, float] = {}
    forecasts: dict[str, np.ndarray] = {}
    for model, run in models.items():
        table[model] = {}
        for fold, origin in folds.items():
            if model.startswith("TBATS") and fold.startswith("validation"):
                continue  # too slow to run twice; it is a reference, not something we tune
            start = time.perf_counter()
            preds = [run(main_set.values[s][:origin], signal[s][:origin]) for s in names]
            seconds[f"{model} / {fold}"] = round(time.perf_counter() - start, 1)
            scores = [
                mase(main_set.values[s][:origin], main_set.values[s][origin : origin + H], p)
                for s, p in zip(names, preds, strict=True)
            ]
            table[model][fold] = round(float(np.mean(scores)), 4)
            if fold.startswith("test"):
                forecasts[model] = np.array(preds)
            print(
                f"{model:32s} {fold:26s} MASE {table[model][fold]:.4f}  ({seconds[f'{model} / {fold}']} s)",
                flush=True,
            )

    # Trend status on the test fold: next 52 weeks' mean vs last 52 weeks'.
    origin = folds["test (last 52 weeks)"]
    truth, persist, steady = [], [], []
    for s in names:
        y = main_set.values[s]
        truth.append(trend_status(relative_change(y[:origin], y[origin:], H)))
        persist.append(trend_status(relative_change(y[: origin - H], y[origin - H : origin], H)))
        steady.append("steady")
    status = {}
    # The forecasts shrink changes towards zero, so the project calls a trend from its forecast with
    # a narrower band (Settings.trends_band, chosen on the tuning fold) than the +-10% definition.
    candidates = [("persistence (last year's status)", persist), ("always steady", steady)]
    for m in forecasts:
        changes = [
            relative_change(main_set.values[s][:origin], f, H)
            for s, f in zip(names, forecasts[m], strict=True)
        ]
        for band in (0.10, DECISION_BAND):
            candidates.append((f"forecast: {m}, band {band:.2f}", [trend_status(c, band) for c in changes]))
    for label, pred in candidates:
        status[label] = {
            "accuracy": round(float(np.mean([t == p for t, p in zip(truth, pred, strict=True)])), 3),
            "macro_f1": round(macro_f1(truth, pred), 3),
        }
        print(
            f"status  {label:56s} acc {status[label]['accuracy']:.3f}  macro-F1 {status[label]['macro_f1']:.3f}"
        )
    truth_counts = {k: truth.count(k) for k in STATUSES}

    covered = []
    for s in names:
        y = main_set.values[s]
        f = TrendForecaster(M).fit(y[:origin], signal[s][:origin]).forecast(H)
        covered.append(np.mean((y[origin:] >= f.lo) & (y[origin:] <= f.hi)))
    coverage = round(float(np.mean(covered)), 3)
    print(f"80% interval coverage of the project forecaster on the test fold: {coverage}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "mase": table,
                "seconds": seconds,
                "status": status,
                "status_truth_counts": truth_counts,
                "interval80_coverage": coverage,
                "series": len(names),
                "weeks": n,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
