"""The staff console in a real browser (Debian's Chromium via Playwright) on a real server.

The stylist is the real one (the agent over the on-disk Chroma store of the subset, its demand log
subscribed by ``create_app``) with a scripted chat model; the trends shown are a shop's own weekly
series file forecast by ``update_trends`` with the real embedder. A chat turn for something the
shop does not carry must appear among the demand gaps.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

import httpx
import numpy as np
import pytest
from playwright.sync_api import expect

from stylist.settings import Settings
from tests.integration.web.servers import AppServer, free_port, shot

TOKEN = "console-test-token"


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
    # twice as much, blazers half as much.
    weeks = np.arange(104)
    base = 40 + 8 * np.sin(2 * np.pi * weeks / 52)
    series = {
        "Women/article_type=Kurtas": np.where(weeks >= 92, 2.0, 1.0) * base,
        "Men/article_type=Blazers": np.where(weeks >= 92, 0.5, 1.0) * base,
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
    trends = httpx.get(console.url + "/api/admin/trends", headers=auth).json()
    assert {t["label"] for t in trends} == {"women's kurtas (shop)", "men's blazers (shop)"}
    assert all(set(t) == {"label", "status", "change", "probability", "history", "forecast"} for t in trends)
    assert {t["label"]: t["status"] for t in trends} == {"women's kurtas (shop)": "rising",
                                                         "men's blazers (shop)": "declining"}  # fmt: skip

    page.goto(console.url + "/admin/")
    page.fill("#admin-token", TOKEN)
    page.click("#admin-login")
    # The trends tab: the chart (history, forecast, interval) and the top rising trend with its probability.
    plot = page.locator("#admin-trend-plot .js-plotly-plot")
    plot.wait_for(timeout=60_000)
    assert page.locator("#admin-trend-plot .scatterlayer .trace").count() == 4  # band (2), history, forecast
    rising = page.locator("#admin-rising")
    expect(rising).to_contain_text("women's kurtas (shop)", timeout=30_000)
    shot(page, "admin-trends")

    page.get_by_role("tab", name="Demand gaps").click()
    gaps = page.locator("#admin-gaps")
    expect(gaps).to_contain_text("Purple Heels for Men, size 9", timeout=30_000)
    text = gaps.inner_text()  # nothing at all for the heels: first among requests asked as often
    assert text.index("Purple Heels for Men") < text.index("Black Tshirts for Women")
    page.locator("#admin-gaps-plot .js-plotly-plot").wait_for(timeout=30_000)
    shot(page, "admin-gaps")

    page.get_by_role("tab", name="Conversations").click()
    summary = page.locator("#admin-summary")
    expect(summary).to_contain_text("no-match rate", timeout=30_000)
    assert "**" not in summary.inner_text() and "2 turns" in summary.inner_text().replace("\n", " ")
    page.locator("#admin-per-day .js-plotly-plot").wait_for(timeout=30_000)
    shot(page, "admin-analytics")
