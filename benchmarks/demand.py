"""The merchandiser's side, measured (issue 17): forecasting the demand log, and the console's load time.

**Backtest** (``--backtest``): weekly request counts are simulated by :func:`simulate` (below; it
knows nothing of the forecaster), and the project's forecaster (``stylist.trends.forecast``, the
one ``stylist trends update`` runs on the demand log) is scored against seasonal naive by MASE
(seasonal period 52, scaled by the in-sample seasonal-naive error, as in ``benchmarks/trends.py``):

* 52 weeks ahead from 104 weeks of history (one origin), and
* 13 weeks ahead from 104, 117 and 130 weeks (three origins, averaged).

**Console load** (``--console``): a demand log of 100,000 turns spread over a year (attributes
drawn from the sample catalog's vocabulary), the app served for real (uvicorn, the real catalog
store, the stored trend forecasts) and the console opened N times in Debian's Chromium with the
staff cookie: the time from navigation until the trend chart and the rising table are drawn, and
the time from clicking the Demand gaps link until that page shows its table and chart (a page of
its own, computed when it is loaded).
The server-side time of the page's load handler is reported too. On this shared machine the
absolute times follow the load of other jobs, so each console load alternates with a load of a
reference page served by the same server: a bare Gradio page holding one Plotly chart of the
same trend (what any Gradio page with a Plotly chart costs); their ratio is measured in one run.

    python benchmarks/demand.py [--backtest] [--console] [--series 100] [--loads 40]

Prints the figures and writes benchmarks/results/demand.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "demand.json"
M = 52


# --- the generator ------------------------------------------------------------------------------


def simulate(n_series: int, weeks: int, seed: int = 0) -> np.ndarray:
    """Weekly request counts, one row per series (e.g. "women's kurtas" asked for in the chat).

    Per series, independently: a base level of ``exp(N(log 15, 0.9))`` requests a week (a few to a
    few hundred); a yearly shape of two harmonics, the first with relative amplitude ``U(0.1, 0.7)``
    and a random phase, the second a third of it; a log-linear growth of ``N(0, 0.3)`` a year; in
    a fifth of the series a step change (a launch or a delisting, level times ``U(0.5, 2)``) at a
    random week of the last two thirds; and gamma-Poisson (negative binomial) noise with dispersion
    ``k = 8`` around that mean. Counts are whole numbers >= 0.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(weeks)
    out = np.zeros((n_series, weeks))
    for i in range(n_series):
        level = np.exp(rng.normal(np.log(15), 0.9))
        amp, phase = rng.uniform(0.1, 0.7), rng.uniform(0, 2 * np.pi)
        season = amp * np.sin(2 * np.pi * t / 52 + phase) + amp / 3 * np.sin(4 * np.pi * t / 52 + 2 * phase)
        growth = rng.normal(0, 0.3) * t / 52
        mean = level * np.exp(season + growth)
        if rng.random() < 0.2:
            step = rng.integers(weeks // 3, weeks)
            mean[step:] *= rng.uniform(0.5, 2.0)
        k = 8.0
        out[i] = rng.poisson(rng.gamma(k, mean / k))
    return out


def mase(train: np.ndarray, test: np.ndarray, forecast: np.ndarray) -> float:
    scale = np.mean(np.abs(train[M:] - train[:-M]))
    scale = scale if scale > 0 else np.mean(np.abs(np.diff(train))) or 1.0
    return float(np.mean(np.abs(test - forecast)) / scale)


def backtest(n_series: int, seed: int) -> dict:
    from stylist.trends.forecast import TrendForecaster

    data = simulate(n_series, 156, seed)
    folds = {"52 weeks ahead from 104": [(104, 52)], "13 weeks ahead (origins 104, 117, 130)":
             [(104, 13), (117, 13), (130, 13)]}  # fmt: skip
    table: dict[str, dict[str, float]] = {}
    coverage: dict[str, float] = {}
    started = time.perf_counter()
    for fold, cuts in folds.items():
        scores = {"project forecaster": [], "seasonal naive": []}
        inside = []
        for y in data:
            for origin, h in cuts:
                train, test = y[:origin], y[origin : origin + h]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fc = TrendForecaster(M).fit(train).forecast(h)
                naive = train[-M:][:h]
                scores["project forecaster"].append(mase(train, test, fc.mean))
                scores["seasonal naive"].append(mase(train, test, naive))
                inside.append(float(np.mean((test >= fc.lo) & (test <= fc.hi))))
        table[fold] = {name: round(float(np.mean(v)), 4) for name, v in scores.items()}
        table[fold]["ratio"] = round(table[fold]["project forecaster"] / table[fold]["seasonal naive"], 4)
        table[fold]["wins"] = round(
            float(np.mean(np.array(scores["project forecaster"]) < np.array(scores["seasonal naive"]))), 3
        )
        coverage[fold] = round(float(np.mean(inside)), 3)
        print(f"{fold:42s} project {table[fold]['project forecaster']:.3f}  seasonal naive "
              f"{table[fold]['seasonal naive']:.3f}  ratio {table[fold]['ratio']:.3f}  "
              f"80% interval coverage {coverage[fold]:.2f}")  # fmt: skip
    return {
        "series": n_series,
        "weeks": 156,
        "seed": seed,
        "mase": table,
        "interval_80_coverage": coverage,
        "seconds": round(time.perf_counter() - started, 1),
    }


# --- the console's load time --------------------------------------------------------------------


def fill_log(path: str, turns: int, seed: int = 1) -> None:
    """``turns`` demand-log rows over the last 365 days, attributes from the sample catalog's words."""
    from stylist.admin.demand import DemandLog, demand_row
    from stylist.agent.service import TurnRecord

    rng = np.random.default_rng(seed)
    articles = ["Tshirts", "Shirts", "Kurtas", "Jeans", "Heels", "Casual Shoes", "Sarees", "Blazers", "Dresses",
                "Watches", "Handbags", "Trousers", "Sports Shoes", "Jackets", "Sweaters", "Shorts"]  # fmt: skip
    colours = [None, "Black", "Navy Blue", "White", "Blue", "Red", "Green", "Pink", "Grey", "Brown", "Olive"]
    usages = [None, None, "Casual", "Formal", "Ethnic", "Party", "Sports"]
    genders = ["Men", "Women", "Women", "Boys", "Girls"]
    sizes = [None, None, None, "S", "M", "L", "XL", "32", "8"]
    outcomes = ["products"] * 8 + ["no_match", "trend", "clarify", "refusal"]
    now = time.time()
    log = DemandLog(path, retention_days=400)
    rows = []
    for _ in range(turns):
        outcome = outcomes[rng.integers(len(outcomes))]
        constraints = {}
        if outcome in ("products", "no_match"):
            constraints = {"article_type": [articles[min(int(rng.zipf(1.6)) - 1, len(articles) - 1)]],
                           "gender": [genders[rng.integers(len(genders))]]}  # fmt: skip
            for key, values in (("colour", colours), ("usage", usages), ("size", sizes)):
                value = values[rng.integers(len(values))]
                if value:
                    constraints[key] = value if key == "size" else [value]
            if rng.random() < 0.5:
                constraints["price_max"] = float(rng.choice([500, 999, 1500, 2000, 3000, 6000]))
        record = TurnRecord(
            constraints=constraints, matching_items=int(rng.integers(0, 60)) if outcome != "no_match" else 0,
            outcome=outcome, answer_kind="search", latency_s=float(rng.gamma(4, 0.6)), thread_id="-",
            product_ids=["x"] * 5 if outcome == "products" else [], created=now - rng.uniform(0, 365) * 86400,
        )  # fmt: skip
        rows.append(demand_row(record, log.budget_edges))
        if len(rows) == 10_000:
            log.add(rows)
            rows = []
    log.add(rows)
    assert log.count() == turns, log.count()
    log.close()


SERVER = """
import sys, time, json
sys.path.insert(0, {root!r})
import uvicorn
from stylist.api import create_app, server_config
from stylist.retrieval import Retriever
from stylist.settings import Settings

class Offline:
    \"\"\"The console needs no model: a stylist stand-in with the real catalog store.\"\"\"
    def __init__(self, settings):
        self.retriever = Retriever(settings)
        self.retriever.snapshot()
        self.observers = []

settings = Settings(port={port}, admin_token="bench-token", demand_db={db!r}, rate_limit_per_minute=0)
app = create_app(settings, Offline(settings))
admin = app.state.admin
admin.catalog(); admin.trends()  # warm: the catalog snapshot and the stored trends are read once

# The reference: a bare Gradio page with one Plotly chart of the same trend, given at load time.
import gradio as gr
from stylist.trends.charts import forecast_figure
with gr.Blocks() as reference:
    plot = gr.Plot(elem_id="admin-trend-plot")
    reference.load(lambda: forecast_figure(admin.movers(10)["rising"][0]), None, plot, queue=False)
app = gr.mount_gradio_app(app, reference, path="/bench-reference")
app.router.routes.insert(0, app.router.routes.pop())  # before the chat's mount at "/"
uvicorn.Server(server_config(app, settings)).run()
"""


def console_load(loads: int, turns: int) -> dict:
    from playwright.sync_api import expect, sync_playwright

    from stylist.admin.auth import COOKIE, session_value
    from stylist.net import free_port
    from tests.integration.web.servers import CHROMIUM, CHROMIUM_ARGS, wait_http

    tmp = Path(tempfile.mkdtemp(prefix="stylist-demand-bench-"))
    db = str(tmp / "demand.sqlite")
    started = time.perf_counter()
    fill_log(db, turns)
    fill_s = time.perf_counter() - started
    print(f"demand log: {turns:,} turns written in {fill_s:.1f} s")

    # The load handler's own time, in this process, on the same log (what the server computes per page).
    from stylist.admin.console import build_console
    from stylist.admin.service import Admin
    from stylist.retrieval import Retriever
    from stylist.settings import Settings

    settings = Settings(demand_db=db)
    retriever = Retriever(settings)
    admin = Admin(settings, catalog=lambda: retriever.snapshot().metas)
    demo = build_console(admin)
    load = next(fn for fn in demo.fns.values() if fn.api_name == "load").fn
    load()  # warm
    server_s = []
    for _ in range(loads):
        t0 = time.perf_counter()
        load()
        server_s.append(time.perf_counter() - t0)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-c", SERVER.format(root=str(ROOT), port=port, db=db)],
                            env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    browser_s: list[float] = []
    reference_s: list[float] = []
    gaps_s: list[float] = []
    load_average = [os.getloadavg()[0]]
    try:
        wait_http(url + "/healthz", timeout=180)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies(
                [{"name": COOKIE, "value": session_value("bench-token"), "url": url + "/admin"}]
            )
            page = context.new_page()
            for i in range(loads + 1):
                t0 = time.perf_counter()
                page.goto(url + "/bench-reference/")
                page.locator("#admin-trend-plot .js-plotly-plot").first.wait_for(timeout=60_000)
                if i:
                    reference_s.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                page.goto(url + "/admin/")
                page.locator("#admin-trend-plot .js-plotly-plot").first.wait_for(timeout=60_000)
                expect(page.locator("#admin-movers")).to_contain_text("%", timeout=60_000)
                if i:  # the first load warms the browser's cache of Gradio's scripts
                    browser_s.append(time.perf_counter() - t0)
                    t1 = time.perf_counter()
                    page.get_by_role("link", name="Demand gaps").click()
                    expect(page.locator("#admin-gaps")).to_contain_text("requests", timeout=60_000)
                    expect(page.locator("#admin-gaps")).not_to_contain_text("Nothing", timeout=60_000)
                    page.locator("#admin-gaps-plot .js-plotly-plot").wait_for(timeout=60_000)
                    gaps_s.append(time.perf_counter() - t1)
            page.screenshot(path=str(tmp / "console.png"), full_page=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(20)

    def p95(v: list[float]) -> float:
        return sorted(v)[max(0, int(np.ceil(0.95 * len(v))) - 1)]

    result = {
        "turns": turns,
        "loads": loads,
        "server_load_handler_s": {
            "p50": round(statistics.median(server_s), 3),
            "p95": round(p95(server_s), 3),
        },
        "browser_page_load_s": {
            "p50": round(statistics.median(browser_s), 3),
            "p95": round(p95(browser_s), 3),
        },
        "browser_gaps_page_s": {"p50": round(statistics.median(gaps_s), 3), "p95": round(p95(gaps_s), 3)},
        "reference_page_load_s": {
            "p50": round(statistics.median(reference_s), 3),
            "p95": round(p95(reference_s), 3),
        },
        "ratio_to_reference_p50": round(statistics.median(browser_s) / statistics.median(reference_s), 2),
        "target_p95_s": 1.0,
        "load_average": [round(load_average[0], 1), round(os.getloadavg()[0], 1)],
    }
    print(f"console with {turns:,} logged turns: load handler p50 {result['server_load_handler_s']['p50']:.3f} s "
          f"p95 {result['server_load_handler_s']['p95']:.3f} s; page in Chromium until charts and tables are "
          f"drawn p50 {result['browser_page_load_s']['p50']:.3f} s p95 {result['browser_page_load_s']['p95']:.3f} s "
          f"; demand gaps page p50 {result['browser_gaps_page_s']['p50']:.3f} s p95 {result['browser_gaps_page_s']['p95']:.3f} s"
          f"; reference page (bare Gradio + one Plotly chart) p50 {result['reference_page_load_s']['p50']:.3f} s "
          f"p95 {result['reference_page_load_s']['p95']:.3f} s, console/reference p50 "
          f"{result['ratio_to_reference_p50']:.2f}x (load average at start, end: {result['load_average']})")  # fmt: skip
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backtest", action="store_true")
    parser.add_argument("--console", action="store_true")
    parser.add_argument("--series", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--loads", type=int, default=40)
    parser.add_argument("--turns", type=int, default=100_000)
    args = parser.parse_args()
    both = not (args.backtest or args.console)
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    results["commit"] = commit.stdout.strip()
    if args.backtest or both:
        results["backtest"] = backtest(args.series, args.seed)
    if args.console or both:
        results["console"] = console_load(args.loads, args.turns)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
