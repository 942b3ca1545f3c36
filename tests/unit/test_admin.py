"""The merchandiser's side: the demand log, status probabilities, the outlook, the token, the charts."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from stylist.admin import auth
from stylist.admin.analytics import thumbs_by_answer_type
from stylist.admin.demand import DemandLog, budget_band, demand_row, label
from stylist.admin.trends import movers, outlook, status_probabilities, trend_row
from stylist.agent.service import TurnRecord
from stylist.feedback import FeedbackStore

NOW = 1_767_225_600.0  # 2026-01-01 00:00 UTC, a Thursday
DAY = 86400.0


def turn(outcome: str = "products", created: float = NOW, matching: int | None = 12, latency: float = 1.0,
         **constraints) -> TurnRecord:  # fmt: skip
    return TurnRecord(
        constraints=constraints, matching_items=matching, outcome=outcome,  # type: ignore[arg-type]
        answer_kind="search" if outcome in ("products", "no_match") else outcome, latency_s=latency,
        thread_id="thread-secret", shopper_id="shopper-secret", product_ids=["p1"] if outcome == "products" else [],
        created=created,
    )  # fmt: skip


@pytest.fixture
def log(tmp_path: Path) -> DemandLog:
    # A long retention: the rows are dated in the past, and each write may purge by the real clock.
    return DemandLog(str(tmp_path / "demand.sqlite"), retention_days=100_000)


def test_budget_bands_file_the_ceiling_else_the_floor() -> None:
    edges = [500, 1000, 2000]
    assert budget_band(None, None, edges) is None
    assert budget_band(None, 400, edges) == "under 500"
    assert budget_band(None, 500, edges) == "under 500"
    assert budget_band(1600, 2400, edges) == "2000+"
    assert budget_band(None, 1500, edges) == "1000-2000"
    assert budget_band(3000, None, edges) == "2000+"


def test_a_row_keeps_the_parsed_request_and_nothing_that_identifies_the_shopper() -> None:
    record = turn(gender=["Men"], article_type=["Blazers"], colour=["Navy Blue"], price_max=1800.0, size="XL")
    row = demand_row(record, [500, 1000, 2000])
    assert row["gender"] == "Men" and row["article_type"] == "Blazers" and row["colour"] == "Navy Blue"
    assert row["budget_band"] == "1000-2000" and row["size"] == "XL"
    assert row["day"] == "2026-01-01" and row["week"] == "2025-12-29"  # weeks start on Monday
    assert "secret" not in json.dumps(row)


def test_demand_groups_requests_most_requested_first_with_the_match_count(log: DemandLog) -> None:
    blazers = {"gender": ["Men"], "article_type": ["Blazers"], "colour": ["Navy Blue"]}
    for i in range(3):
        log.observe(turn("no_match", NOW - i * 3600, matching=0, **blazers))
    log.observe(turn("products", NOW, matching=40, gender=["Women"], article_type=["Kurtas"], size="XL"))
    log.observe(turn("trend", NOW, matching=None))  # a trend question is not a request for items
    log.observe(turn("no_match", NOW - 9 * DAY, matching=0, **blazers))  # outside the window

    demand = log.demand(7, now=NOW)
    assert demand == [
        {"attributes": {"article_type": "Blazers", "colour": "Navy Blue", "usage": None, "gender": "Men",
                        "budget_band": None, "size": None}, "requests": 3, "matching_items": 0},
        {"attributes": {"article_type": "Kurtas", "colour": None, "usage": None, "gender": "Women",
                        "budget_band": None, "size": "XL"}, "requests": 1, "matching_items": 40},
    ]  # fmt: skip
    assert [g["attributes"]["article_type"] for g in log.gaps(7, now=NOW)] == ["Blazers"]
    assert label(demand[0]["attributes"]) == "Navy Blue Blazers for Men"
    assert log.demand(30, now=NOW)[0]["requests"] == 4


def test_analytics_counts_outcomes_rates_and_latency_percentiles(log: DemandLog) -> None:
    for i in range(20):
        log.observe(turn("products", NOW - DAY, latency=float(i + 1), article_type=["Tshirts"]))
    for _ in range(5):
        log.observe(turn("no_match", NOW, matching=0, article_type=["Blazers"]))
    log.observe(turn("refusal", NOW, matching=None))
    data = log.analytics(7, now=NOW)
    assert data["turns"] == 26
    assert data["no_match_rate"] == 0.2  # 5 of 25 requests for items
    assert data["answers_with_products"] == round(20 / 26, 4)
    assert [(d["day"], d["turns"], d["no_match"]) for d in data["requests_per_day"]] == [
        ("2025-12-31", 20, 0), ("2026-01-01", 6, 5)]  # fmt: skip
    # Nearest rank over 26 latencies: seven of 1 s, then 2..20 s; the 13th is 7 s, the 25th 19 s.
    assert data["latency_ms"]["p50"] == 7000.0 and data["latency_ms"]["p95"] == 19000.0
    assert data["top_searches"][0]["label"] == "Tshirts" and data["top_searches"][0]["requests"] == 20


def test_weekly_series_are_named_like_a_shops_own(log: DemandLog) -> None:
    for week in range(3):
        for _ in range(week + 1):
            log.observe(turn(created=NOW - week * 7 * DAY, gender=["Men"], article_type=["Blazers"]))
    weekly = log.weekly("article_type", now=NOW)
    assert weekly == {"Men/article_type=Blazers": {"2025-12-29": 1, "2025-12-22": 2, "2025-12-15": 3}}
    with pytest.raises(ValueError, match="unknown attribute"):
        log.weekly("size")


def test_retention_deletes_old_rows_only(tmp_path: Path) -> None:
    log = DemandLog(str(tmp_path / "demand.sqlite"), retention_days=30)
    now = time.time()
    log.add([demand_row(turn(created=now - 31 * DAY), []), demand_row(turn(created=now - 29 * DAY), [])])
    assert log.count() == 1  # the write purged the expired row
    log.add([demand_row(turn(created=now - 20 * DAY), [])])
    assert log.purge(now=now + 15 * DAY) == 2  # both older than 30 days by then


def test_thumbs_are_counted_by_answer_type(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    store.record(thread_id="a", turn=1, message="m", answer="Here:", product_ids=["1"], liked=True)
    store.record(
        thread_id="a", turn=2, message="m", answer="Sorry, we don't carry that.", product_ids=[], liked=False
    )
    store.record(thread_id="b", turn=1, message="m", answer="Linen is rising.", product_ids=[], liked=True)
    assert thumbs_by_answer_type(tmp_path / "feedback.sqlite", 7, now=time.time()) == [
        {"answer_type": "no_match", "up": 0, "down": 1},
        {"answer_type": "other", "up": 1, "down": 0},
        {"answer_type": "products", "up": 1, "down": 0},
    ]
    assert thumbs_by_answer_type(tmp_path / "missing.sqlite") == []


def test_status_probabilities_follow_the_interval() -> None:
    sure = status_probabilities(0.5, 0.3, 0.7, 0.1)
    assert sure["rising"] > 0.99 and sure["declining"] < 0.01
    unsure = status_probabilities(0.05, -0.5, 0.6, 0.1)
    assert 0.2 < unsure["rising"] < 0.6 and 0.2 < unsure["declining"] < 0.6
    assert abs(sum(unsure.values()) - 1) < 1e-3
    # The 80% interval's ends are the 10th and 90th percentiles: change at lo + band is 90% "rising".
    assert status_probabilities(0.1 + 0.2, 0.1, 0.5, 0.1)["rising"] == pytest.approx(0.9, abs=1e-3)


def meta(value: str, change: float, status: str, **extra) -> dict:
    return {"source": "catalog", "gender": "Men", "category": "Apparel", "season": "Summer", "kind": "colour",
            "value": value, "unit": "share", "status": status, "change": change, "interval_lo": change - 0.1,
            "interval_hi": change + 0.1, "history": "0.1,0.2", "forecast": "0.3", "last_mean": 0.2,
            "next_mean": 0.2 * (1 + change), **extra}  # fmt: skip


def test_trend_rows_have_the_api_shape_and_movers_rank_by_probability() -> None:
    rows = [trend_row(meta("Navy Blue", 0.4, "rising"), 0.1), trend_row(meta("Olive", 0.15, "rising"), 0.1),
            trend_row(meta("Red", -0.4, "declining"), 0.1), trend_row(meta("Grey", 0.0, "steady"), 0.1)]  # fmt: skip
    assert {"label", "status", "change", "probability", "history", "forecast"} <= set(rows[0])
    assert rows[0]["label"] == "men's navy blue clothes, summer"
    assert rows[0]["history"] == [0.1, 0.2] and rows[0]["forecast"] == [0.3]
    top = movers(rows)
    assert [r["value"] for r in top["rising"]] == ["Navy Blue", "Olive"]
    assert [r["value"] for r in top["falling"]] == ["Red"]


def test_outlook_flags_rising_trends_with_little_stock_and_fading_ones_with_much() -> None:
    def item(colour: str, units: int) -> dict:
        return {"gender": "Men", "category": "Apparel", "season": "Summer", "colour": colour,
                "article_type": "Shirts", "usage": "Casual", "sizes": json.dumps({"M": units})}  # fmt: skip

    catalog = [item("Navy Blue", 2), item("Red", 50), item("Red", 50), item("Grey", 20)]
    rows = [trend_row(meta("Navy Blue", 0.5, "rising", next_mean=0.3), 0.1),
            trend_row(meta("Red", -0.5, "declining", next_mean=0.1), 0.1)]  # fmt: skip
    flagged = {o["label"]: o for o in outlook(rows, catalog)}
    navy, red = flagged["men's navy blue clothes, summer"], flagged["men's red clothes, summer"]
    assert navy["flag"] == "likely short" and navy["items"] == 1 and navy["stock"] == 2
    assert red["flag"] == "likely over-stocked" and red["items"] == 2 and red["stock"] == 100


def test_the_token_opens_nothing_when_unset_and_checks_header_and_cookie() -> None:
    assert auth.check(None, {"authorization": "Bearer x"}, {}) == auth.CLOSED
    assert auth.check("s3cret", {}, {}) == auth.MISSING
    assert auth.check("s3cret", {"authorization": "Bearer nope"}, {}) == auth.WRONG
    assert auth.check("s3cret", {"authorization": "Bearer s3cret"}, {}) is None
    assert auth.check("s3cret", {}, {auth.COOKIE: auth.session_value("s3cret")}) is None
    assert auth.check("s3cret", {}, {auth.COOKIE: auth.session_value("old")}) == auth.WRONG
    assert "s3cret" not in auth.session_value("s3cret")


def test_forecast_figure_draws_history_forecast_and_the_interval() -> None:
    from stylist.trends.charts import forecast_figure

    row = trend_row(meta("Navy Blue", 0.4, "rising", forecast_lo="0.25", forecast_hi="0.35",
                         periods="2016,2017,2018"), 0.1)  # fmt: skip
    fig = forecast_figure(row)
    names = [t.name for t in fig.data]
    assert names == ["80% high", "80% interval", "history", "forecast"]
    assert list(fig.data[2].x) == ["2016", "2017"] and list(fig.data[3].x) == ["2017", "2018"]
    assert list(fig.data[1].y) == [0.25] and fig.data[1].fill == "tonexty"
    assert "rising" in fig.layout.title.text


def stocked(
    gender: str, article_type: str, units: int, *, category: str = "Apparel", season: str = "Summer"
) -> dict:
    return {"gender": gender, "category": category, "season": season, "colour": "Black", "usage": "Casual",
            "article_type": article_type, "sizes": json.dumps({"M": units, "L": 0})}  # fmt: skip


def test_the_outlook_flags_only_likely_moves_against_the_stock() -> None:
    # Men's summer apparel stock: 100 units; shirts and socks 5 each, jeans 60, belts 30.
    catalog = [stocked("Men", "Shirts", 5), stocked("Men", "Jeans", 60), stocked("Men", "Belts", 30),
               stocked("Men", "Socks", 5)]  # fmt: skip

    def row(value: str, change: float, status: str, share: float, **extra) -> dict:
        return trend_row(meta(value, change, status, kind="article_type", next_mean=share, **extra), 0.1)

    rows = [
        row("Shirts", 0.5, "rising", 0.3),  # likely rising, stock share 0.05 < forecast share 0.3: short
        # rising, but an interval so wide that P(rising) < 0.6: no flag though there is no stock at all
        row("Ties", 0.12, "rising", 0.3, interval_lo=-0.9, interval_hi=1.1),
        row("Jeans", 0.5, "rising", 0.2),  # likely rising, stock share 0.6 > 0.2: enough stock
        row("Belts", -0.5, "declining", 0.1),  # likely falling, stock share 0.3 > 0.1: over-stocked
        row("Socks", -0.5, "declining", 0.2),  # likely falling, stock share 0.05 < 0.2: no flag
    ]
    assert rows[1]["probabilities"]["rising"] < 0.6
    assert all(r["probabilities"]["rising"] > 0.9 for r in (rows[0], rows[2]))
    got = outlook(rows, catalog)
    assert [(o["label"], o["flag"]) for o in got[:2]] == [
        ("men's shirts, summer", "likely short"), ("men's belts, summer", "likely over-stocked")]  # fmt: skip
    assert [o["flag"] for o in got[2:]] == ["", "", ""]  # flagged first, then by the size of the change
    assert {o["label"] for o in got[2:]} == {
        "men's jeans, summer",
        "men's ties, summer",
        "men's socks, summer",
    }
    shirts, belts = got[0], got[1]
    assert (shirts["items"], shirts["stock"], shirts["stock_share"], shirts["demand_share"]) == (
        1,
        5,
        0.05,
        0.3,
    )
    assert (belts["items"], belts["stock"], belts["stock_share"], belts["demand_share"]) == (1, 30, 0.3, 0.1)


def test_the_outlook_reads_a_shops_own_series_against_its_kind_and_the_genders_stock() -> None:
    # Women's stock: 100 units over two seasons and categories; kurtas hold 10 of them.
    catalog = [stocked("Women", "Kurtas", 10, category="Apparel", season="Fall"),
               stocked("Women", "Heels", 90, category="Footwear", season="Summer"),
               stocked("Men", "Kurtas", 500)]  # another gender's stock does not count  # fmt: skip
    shop = {
        "source": "shop",
        "category": "",
        "season": "",
        "kind": "article_type",
        "gender": "Women",
        "unit": "value",
    }
    rows = [
        # 30 of the 100 requests forecast for women's article types: share 0.3 > stock share 0.1
        trend_row({**meta("Kurtas", 0.4, "rising"), **shop, "value": "Kurtas", "next_mean": 30.0}, 0.1),
        trend_row({**meta("Heels", -0.4, "declining"), **shop, "value": "Heels", "next_mean": 70.0}, 0.1),
        # free-named series have no items to compare with: left out
        trend_row({**meta("x", 0.9, "rising"), "source": "shop", "kind": "series", "value": "promo"}, 0.1),
    ]
    got = {o["label"]: o for o in outlook(rows, catalog)}
    assert set(got) == {"women's kurtas (shop)", "women's heels (shop)"}
    kurtas, heels = got["women's kurtas (shop)"], got["women's heels (shop)"]
    assert (kurtas["demand_share"], kurtas["stock_share"], kurtas["flag"]) == (0.3, 0.1, "likely short")
    assert (kurtas["items"], kurtas["stock"]) == (1, 10)
    # falling, and its stock share 0.9 is above its forecast share 0.7: over-stocked
    assert (heels["demand_share"], heels["stock_share"], heels["flag"]) == (0.7, 0.9, "likely over-stocked")


def test_chart_texts_from_data_are_escaped_so_plotly_shows_them_as_written() -> None:
    from stylist.trends.charts import bar_figure, forecast_figure

    link = '<a href="https://evil.example/">90% off</a> & more'
    row = trend_row(meta("Navy Blue", 0.4, "rising", periods="<b>2016</b>,2017,2018"), 0.1)
    row["label"] = link
    fig = forecast_figure(row)
    assert fig.layout.title.text.startswith(
        '&lt;a href="https://evil.example/"&gt;90% off&lt;/a&gt; &amp; more'
    )
    history = next(t for t in fig.data if t.name == "history")
    assert list(history.x) == ["&lt;b&gt;2016&lt;/b&gt;", "2017"]
    bars = bar_figure([link], [3], title="<i>gaps</i>")
    assert list(bars.data[0].y) == ['&lt;a href="https://evil.example/"&gt;90% off&lt;/a&gt; &amp; more']
    assert bars.layout.title.text == "&lt;i&gt;gaps&lt;/i&gt;"
