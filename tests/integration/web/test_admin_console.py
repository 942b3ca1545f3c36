"""The staff console in a real browser (Debian's Chromium via Playwright) on a real server.

The stylist is the real one (the agent over the on-disk Chroma store of the subset, its demand log
subscribed by ``create_app``) with a scripted chat model; the trends shown are a shop's own weekly
series file forecast by ``update_trends`` with the real embedder. A chat turn for something the
shop does not carry must appear among the demand gaps; the outlook flags the rising series the
stock is thin for. Series names and demand-log rows carrying HTML and script must show as text and
never run. ``stylist report`` (the command) writes a page that draws its charts offline and CSVs
holding what the log holds.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import numpy as np
import pytest
from playwright.sync_api import expect

from stylist.settings import PROJECT_ROOT, Settings
from tests.integration.web.injection_data import EVIL, XSS_IMG, XSS_SCRIPT, XSS_SVG
from tests.integration.web.servers import AppServer, free_port, shot

TOKEN = "console-test-token"
#: A link in the data (Plotly would draw it live in a chart's text if it were read as markup).
LINK = f'<a href="https://{EVIL}/deal">90% off</a>'


@dataclass
class Console:
    url: str
    settings: Settings


@pytest.fixture(scope="module")
def console(store_settings, embedder, tmp_path_factory):
    from stylist.agent import Stylist
    from stylist.api import create_app
    from stylist.retrieval import Retriever
    from stylist.trends.service import TrendService, update_trends
    from tests.fakes import scripted

    tmp = tmp_path_factory.mktemp("console")
    settings = store_settings.model_copy(update={
        "admin_token": TOKEN, "demand_db": str(tmp / "demand.sqlite"), "checkpoint_db": ":memory:",
        "trends_collection": "trends_console_test", "rate_limit_per_minute": 0,
    })  # fmt: skip
    # A shop's own weekly series (the documented names): two years; in the last 12 weeks kurtas sell
    # twice as much, blazers half as much. Two more carry markup in their names (as a supplier's or
    # a careless export's might): one read as an article type, one as a free-named series.
    weeks = np.arange(104)
    base = 40 + 8 * np.sin(2 * np.pi * weeks / 52)
    series = {
        "Women/article_type=Kurtas": np.where(weeks >= 92, 2.0, 1.0) * base,
        "Men/article_type=Blazers": np.where(weeks >= 92, 0.5, 1.0) * base,
        f"Women/article_type={XSS_IMG}": np.where(weeks >= 92, 1.5, 1.0) * base,
        f"Men/colour={XSS_SCRIPT}": np.where(weeks >= 92, 0.5, 1.0) * base,
    }
    path = tmp / "shop_series.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["date", "series", "value"])
        for name, values in series.items():
            for week, value in zip(weeks, values, strict=True):
                day = np.datetime64("2024-01-01") + np.timedelta64(7 * int(week), "D")
                writer.writerow([str(day), name, f"{value:.1f}"])
    update_trends(settings, products=None, series_path=path, embedder=embedder)

    stylist = Stylist(settings, scripted(*["Here you go."] * 6), Retriever(settings, embedder=embedder),
                      trends=TrendService(settings, embedder=embedder))  # fmt: skip
    port = free_port()
    with AppServer(create_app(settings, stylist), port, settings) as server:
        yield Console(server.url, settings)


def sign_in(console: Console, page) -> None:
    page.goto(console.url + "/admin/")
    page.fill("#admin-token", TOKEN)
    page.click("#admin-login")
    page.locator("#admin-trend-plot .js-plotly-plot").wait_for(timeout=60_000)


def log_turn(
    settings: Settings, outcome: str, days_ago: float = 0.0, matching: int = 0, **constraints
) -> None:
    """One turn into the console's demand log, as the stylist's observer writes it."""
    from stylist.admin.demand import DemandLog, demand_row
    from stylist.agent.service import TurnRecord

    log = DemandLog(settings.demand_url)
    record = TurnRecord(
        constraints=constraints, matching_items=matching, outcome=outcome, answer_kind="search", latency_s=1.5,
        thread_id="t", product_ids=["p"] if outcome == "products" else [], created=time.time() - days_ago * 86400,
    )  # fmt: skip
    log.add([demand_row(record, log.budget_edges)])
    log.close()


def test_the_console_and_the_admin_api_are_refused_without_the_token(console, page):
    response = page.goto(console.url + "/admin/")
    assert response.status == 401
    assert page.locator("#admin-why").inner_text() == "Sign in with the staff token."
    page.fill("#admin-token", "not-the-token")
    page.click("#admin-login")
    page.wait_for_load_state()
    assert "wrong staff token" in page.locator("#admin-why").inner_text()
    shot(page, "admin-refused")
    assert page.locator("#admin-trend-plot").count() == 0

    assert httpx.get(console.url + "/api/admin/demand").status_code == 401
    assert (
        httpx.get(console.url + "/api/admin/trends", headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )
    # Gradio's own routes under /admin are closed too, not only the page.
    assert httpx.get(console.url + "/admin/gradio_api/info").status_code == 401
    assert httpx.get(console.url + "/admin/config").status_code == 401


def test_a_chat_turn_for_what_the_shop_lacks_shows_up_as_a_demand_gap(console, page):
    reply = httpx.post(
        console.url + "/api/chat", json={"message": "purple heels for men in size 9"}, timeout=120
    )
    assert reply.status_code == 200 and reply.json()["products"] == []
    httpx.post(console.url + "/api/chat", json={"message": "black tshirts for women"}, timeout=120)

    auth = {"Authorization": f"Bearer {TOKEN}"}
    demand = httpx.get(console.url + "/api/admin/demand?days=7", headers=auth).json()
    gap = next(d for d in demand if d["attributes"]["article_type"] == "Heels")
    assert gap == {"attributes": {"article_type": "Heels", "colour": "Purple", "usage": None, "gender": "Men",
                                  "budget_band": None, "size": "9"}, "requests": 1, "matching_items": 0}  # fmt: skip
    trends = {t["label"]: t for t in httpx.get(console.url + "/api/admin/trends", headers=auth).json()}
    assert all(
        set(t) == {"label", "status", "change", "probability", "history", "forecast"} for t in trends.values()
    )
    assert trends["women's kurtas (shop)"]["status"] == "rising"
    assert trends["men's blazers (shop)"]["status"] == "declining"

    sign_in(console, page)
    # The trends tab: the chart (history, forecast, interval) and the top rising trend with its probability.
    assert page.locator("#admin-trend-plot .scatterlayer .trace").count() == 4  # band (2), history, forecast
    movers = page.locator("#admin-movers")
    expect(movers.get_by_role("row").filter(has_text="women's kurtas (shop)")).to_contain_text(
        "rising", timeout=30_000
    )
    expect(movers.get_by_role("row").filter(has_text="men's blazers (shop)")).to_contain_text("falling")
    shot(page, "admin-trends")

    page.get_by_role("link", name="Demand gaps").click()
    gaps = page.locator("#admin-gaps")
    expect(gaps).to_contain_text("Purple Heels for Men, size 9", timeout=30_000)
    text = gaps.inner_text()  # nothing at all for the heels: first among requests asked as often
    assert text.index("Purple Heels for Men") < text.index("Black Tshirts for Women")
    page.locator("#admin-gaps-plot .js-plotly-plot").wait_for(timeout=30_000)
    shot(page, "admin-gaps")

    page.get_by_role("link", name="Conversations").click()
    summary = page.locator("#admin-summary")
    expect(summary).to_contain_text("no-match rate", timeout=30_000)
    assert "**" not in summary.inner_text() and "2 turns" in summary.inner_text().replace("\n", " ")
    page.locator("#admin-per-day .js-plotly-plot").wait_for(timeout=30_000)
    shot(page, "admin-analytics")


def test_the_outlook_flags_the_rising_series_the_stock_is_thin_for(console, page):
    sign_in(console, page)
    page.get_by_role("link", name="Demand outlook").click()
    outlook = page.locator("#admin-outlook")
    expect(outlook).to_contain_text("women's kurtas (shop)", timeout=30_000)
    # Kurtas are likely rising and their share of the women's stock is below their share of the
    # women's article-type series' forecast; flagged rows come first.
    kurtas = outlook.get_by_role("row").filter(has_text="women's kurtas (shop)")
    expect(kurtas).to_contain_text("likely short")
    expect(outlook.get_by_role("row").nth(1)).to_contain_text("likely short")
    shot(page, "admin-outlook")


#: What the page holds or ran of the markup in the data (elements made from it, and its flag).
NO_SCRIPT = """() => {
  const bad = [];
  document.querySelectorAll('*').forEach((el) => {
    for (const attr of el.getAttributeNames()) if (attr.startsWith('on')) bad.push(el.tagName + ' ' + attr);
    if (el.tagName === 'SCRIPT' && (el.textContent || '').trim().startsWith('window.__xss')) bad.push('script element');
    if (el.tagName === 'IMG' && el.getAttribute('src') === 'x') bad.push('img from the data');
    const href = el.getAttribute('href') || el.getAttribute('xlink:href') || '';
    if (href.includes('evil.example')) bad.push('link from the data');
  });
  return {xss: window.__xss || null, bad: bad};
}"""


def test_markup_in_series_names_and_demand_rows_shows_as_text_and_never_runs(console, page):
    log_turn(
        console.settings,
        "no_match",
        article_type=[XSS_IMG],
        colour=[XSS_SCRIPT],
        usage=[LINK],
        gender=["Men"],
        size=XSS_SVG,
    )
    sign_in(console, page)

    expect(page.locator("#admin-movers")).to_contain_text(
        "<script>window.__xss='script'</script>", timeout=30_000
    )
    # Draw the chart of the trend named with an <img>: its title carries the markup.
    page.locator("#admin-trend input").click()
    page.get_by_role("option", name=XSS_IMG.lower(), exact=False).first.click()
    page.locator("#admin-trend-plot .js-plotly-plot").wait_for(timeout=30_000)
    expect(page.locator("#admin-trend-plot .gtitle")).to_contain_text("onerror", timeout=30_000)
    assert page.evaluate(NO_SCRIPT) == {"xss": None, "bad": []}

    page.get_by_role("link", name="Demand gaps").click()
    gaps = page.locator("#admin-gaps")
    expect(gaps).to_contain_text(XSS_IMG, timeout=30_000)
    expect(gaps).to_contain_text(XSS_SCRIPT)
    page.locator("#admin-gaps-plot .js-plotly-plot").wait_for(timeout=30_000)
    expect(page.locator("#admin-gaps-plot .ytick").filter(has_text="90% off")).to_contain_text(LINK)
    page.get_by_role("link", name="Conversations").click()
    expect(page.locator("#admin-top")).to_contain_text(XSS_IMG, timeout=30_000)
    page.get_by_role("link", name="Demand outlook").click()
    expect(page.locator("#admin-outlook")).to_contain_text(XSS_IMG.lower(), timeout=30_000)
    page.wait_for_timeout(500)  # an onerror would fire once the broken image failed to load
    shot(page, "admin-injection")
    assert page.evaluate(NO_SCRIPT) == {"xss": None, "bad": []}


#: The CSV columns the README documents for ``stylist report``.
CSV_COLUMNS = {
    "demand.csv": ["request", "article_type", "colour", "usage", "gender", "budget_band", "size", "requests",
                   "matching_items"],
    "trends.csv": ["label", "status", "change", "probability", "interval_lo", "interval_hi", "source", "gender",
                   "category", "season", "kind", "value", "history", "forecast"],
    "analytics.csv": ["day", "turns", "with_products", "no_match"],
}  # fmt: skip


def read_csv(path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def test_stylist_report_writes_an_offline_page_and_csvs_holding_what_the_log_holds(console, page, tmp_path):
    settings = console.settings
    for _ in range(3):
        log_turn(
            settings, "no_match", days_ago=2, article_type=["Blazers"], colour=["Navy Blue"], gender=["Men"]
        )
    log_turn(
        settings, "products", days_ago=10, matching=14, article_type=["Kurtas"], gender=["Women"], size="XL"
    )
    log_turn(
        settings, "no_match", days_ago=40, article_type=["Trousers"], gender=["Men"]
    )  # before the 4 weeks
    log_turn(settings, "trend", days_ago=1)
    log_turn(settings, "no_match", days_ago=1, article_type=[XSS_IMG], usage=[LINK], gender=["Women"])

    out = tmp_path / "report"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "STYLIST_DATA_DIR": str(settings.data_dir),
           "STYLIST_DEMAND_DB": str(settings.demand_db), "STYLIST_TRENDS_COLLECTION": settings.trends_collection}  # fmt: skip
    proc = subprocess.run([sys.executable, "-m", "stylist.cli", "report", "--weeks", "4", "--out", str(out)],
                          env=env, capture_output=True, text=True, timeout=180, cwd=PROJECT_ROOT)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["weeks"] == 4
    assert sorted(p.name for p in out.iterdir()) == [
        "analytics.csv",
        "demand.csv",
        "report.html",
        "trends.csv",
    ]
    for name, columns in CSV_COLUMNS.items():
        assert read_csv(out / name)[0] == columns, name

    # The log itself, read here with plain SQL: requests for items in the last 28 days.
    since = time.time() - 28 * 86400
    with sqlite3.connect(settings.demand_db) as db:
        db.row_factory = sqlite3.Row
        rows = [dict(r) for r in db.execute("SELECT * FROM demand_log")]
    recent = [r for r in rows if r["created"] >= since]
    keys = ("article_type", "colour", "usage", "gender", "budget_band", "size")
    asked = Counter(
        tuple(r[k] or "" for k in keys) for r in recent if r["outcome"] in ("products", "no_match")
    )
    _, demand = read_csv(out / "demand.csv")
    assert {tuple(d[k] for k in keys): int(d["requests"]) for d in demand} == dict(asked)
    blazers = next(d for d in demand if d["article_type"] == "Blazers")
    assert (blazers["request"], blazers["requests"], blazers["matching_items"]) == (
        "Navy Blue Blazers for Men", "3", "0")  # fmt: skip
    assert not any(d["article_type"] == "Trousers" for d in demand)  # older than the report's weeks

    per_day = Counter(datetime.fromtimestamp(r["created"], UTC).date().isoformat() for r in recent)
    _, analytics = read_csv(out / "analytics.csv")
    assert {a["day"]: int(a["turns"]) for a in analytics} == dict(per_day)
    _, trends = read_csv(out / "trends.csv")
    api = httpx.get(console.url + "/api/admin/trends", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert sorted(t["label"] for t in trends) == sorted(t["label"] for t in api)

    # The console's Reports page offers the same files.
    sign_in(console, page)
    page.get_by_role("link", name="Reports").click()
    page.locator("#admin-build-report").click()
    files = page.locator("#admin-files")
    expect(files.get_by_role("row")).to_have_count(4, timeout=60_000)
    for name in ("report.html", "demand.csv", "trends.csv", "analytics.csv"):
        expect(files.get_by_role("row", name=name)).to_have_count(1)

    # Offline: every request the page makes other than for the file itself is refused and recorded.
    outside: list[str] = []

    def refuse(route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", refuse)
    page.goto((out / "report.html").as_uri())
    charts = page.locator(".js-plotly-plot")
    expect(charts.first).to_be_visible(timeout=30_000)
    assert charts.count() == page.locator("div[id^='chart-']").count() >= 3
    assert page.locator("#chart-requests .main-svg").count() >= 1
    expect(page.locator("#gaps")).to_contain_text("Navy Blue Blazers for Men")
    expect(page.locator("#gaps")).to_contain_text(XSS_IMG)  # the markup from the log, as text
    assert outside == []
    assert page.evaluate(NO_SCRIPT) == {"xss": None, "bad": []}
    shot(page, "admin-report")
