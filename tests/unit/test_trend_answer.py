"""Trend answers in shopper terms (stylist/trends/answer.py) and the trend tools' text.

Fixed forecast dicts: no store, no model, no clock (``today`` is pinned).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from stylist.trends.answer import (
    current_season,
    lookup_filters,
    nearest_seasons,
    pick_season,
    reading,
    season_order,
    shopper_trend_answer,
    summary_text,
    trend_request,
)
from stylist.trends.service import forecast_view

WINTER_DAY = date(2025, 12, 2)  # "now" is winter (the season 30 days ahead)
SUMMER_DAY = date(2025, 6, 15)
#: What must never reach a shopper: raw shares, zero percentages, the sample's years.
RAW = re.compile(r"share of listings|0\.0%|\b(19|20)\d\d\b|\d+\.\d+%|interval", re.IGNORECASE)


def fc(
    kind: str,
    value: str,
    *,
    gender: str = "Men",
    category: str = "Apparel",
    season: str = "Winter",
    status: str = "rising",
    change: float = 0.12,
    lo: float = 0.04,
    hi: float = 0.2,
    last: float = 0.2,
) -> dict[str, Any]:
    """A forecast view as TrendService returns it, built from stored metadata."""
    noun = {"article_type": "", "colour": " colour", "usage": " wear"}[kind]
    meta = {
        "trend": f"{value}{noun} in {gender}'s {category}, {season}", "source": "catalog", "gender": gender,
        "category": category, "season": season, "kind": kind, "value": value, "unit": "share",
        "status": status, "change": change, "interval_lo": lo, "interval_hi": hi, "last_mean": last,
        "next_mean": last * (1 + change), "last_period": "2017", "chart": "",
        "detail": f"{value}: {status}. Share of listings 0.0% in 2017 (0.0% in 2016); forecast for 2018: 9.0%",
    }  # fmt: skip
    return forecast_view("Share of listings 0.0% in 2017 (0.0% in 2016); forecast for 2018: 9.0%.", meta)


MEN_WINTER = [
    fc("article_type", "Jackets", change=0.12, lo=0.03, hi=0.22),
    fc("article_type", "Sweatshirts", change=0.08, lo=0.01, hi=0.15),
    fc("colour", "Navy Blue", status="steady", change=0.01, lo=-0.06, hi=0.08),
    fc("colour", "White", status="declining", change=-0.2, lo=-0.35, hi=-0.05),
    fc("article_type", "Jeans", status="rising", change=0.3, lo=-0.4, hi=0.9),  # spans rise and fall
]


def assert_shopper_words(text: str) -> None:
    assert text and not RAW.search(text), text
    assert "Apparel" not in text and "'s Accessories" not in text, text


def test_now_is_the_season_a_month_ahead() -> None:
    assert current_season(date(2025, 12, 2)) == "Winter"
    assert current_season(date(2025, 2, 10)) == "Spring"
    assert current_season(date(2025, 7, 1)) == "Summer"
    assert current_season(date(2025, 8, 5)) == "Fall"
    assert nearest_seasons("Winter") == ["Spring", "Fall", "Summer"]


def test_the_season_and_gender_asked_are_in_the_answer() -> None:
    text = shopper_trend_answer(
        "what's in fashion for men this winter?", MEN_WINTER, "Men", "Winter", today=WINTER_DAY
    )
    assert text.startswith("For men this winter, jackets and sweatshirts are on the rise")
    assert "up about 12% and 8% next winter" in text
    assert (
        "navy blue clothes is holding steady" not in text and "navy blue clothes are holding steady" in text
    )
    assert "white clothes are fading" in text
    assert "can't tell" in text  # jeans: the interval spans rise and fall
    assert_shopper_words(text)
    # A season that is not the current one reads "in summer", not "this summer".
    summer = [fc("article_type", "Shorts", season="Summer")]
    text = shopper_trend_answer("are shorts in for summer?", summer, "Men", "Summer", today=WINTER_DAY)
    assert text.startswith("For men in summer, shorts are on the rise") and "this summer" not in text


def test_no_raw_shares_or_years_even_from_old_summaries() -> None:
    for f in MEN_WINTER:
        assert_shopper_words(f["summary"])
        assert "Share of listings" in f["metadata"]["detail"]  # the analytic detail stays in metadata
    assert forecast_view("x", MEN_WINTER[0]["metadata"])["label"] == "men's jackets, winter"
    assert summary_text(MEN_WINTER[0]["metadata"]) == (
        "Men's jackets (winter): on the rise in our catalog, forecast up about 12% next winter."
    )
    assert "can't tell" in summary_text(MEN_WINTER[4]["metadata"])


@pytest.mark.parametrize(
    ("state", "forecast"),
    [
        ("rising", fc("article_type", "Jackets")),
        ("fading", fc("article_type", "Jackets", status="declining", change=-0.2, lo=-0.3, hi=-0.1)),
        ("steady", fc("article_type", "Jackets", status="steady", change=0.0, lo=-0.1, hi=0.1)),
        ("unclear", fc("article_type", "Jackets", change=0.3, lo=-0.4, hi=0.9)),  # both ways
        ("unclear", fc("article_type", "Jackets", status="steady", change=0.0, lo=-0.6, hi=0.7)),  # too wide
        (
            "unclear",
            fc("article_type", "Jackets", change=1.0, lo=0.0, hi=1.0, last=0.0),
        ),  # nothing listed lately
    ],
)
def test_reading_needs_the_whole_interval_on_one_side(state: str, forecast: dict[str, Any]) -> None:
    assert reading(forecast) == state == forecast["reading"]


def test_cannot_tell_is_said_plainly() -> None:
    jeans = [
        fc("article_type", "Jeans", change=0.3, lo=-0.4, hi=0.9),
        fc("article_type", "Jeans", gender="Women", status="steady", change=0.0, lo=0.0, hi=1.0, last=0.0),
    ]
    text = shopper_trend_answer("is denim still trending this year?", jeans, None, None, today=WINTER_DAY)
    assert text.startswith(
        "Our data can't tell yet whether men's jeans and women's jeans are trending this winter"
    )
    assert_shopper_words(text)
    # Nothing matches at all.
    text = shopper_trend_answer("are floral dresses in?", [], "Women", None, today=WINTER_DAY,
                                filters={"article_type": ["Dresses"]})  # fmt: skip
    assert text == (
        "Our data can't tell yet whether dresses are trending for women this winter: "
        "we have no forecast that covers it."
    )
    text = shopper_trend_answer("what's hot for boys?", [], "Boys", "Summer", today=WINTER_DAY)
    assert text.startswith("Our data can't tell yet what is trending for boys in summer")


def test_the_fallback_season_is_said() -> None:
    summer = [
        fc("article_type", "Shorts", season="Summer", change=0.18, lo=0.05, hi=0.3),
        fc("colour", "Green", season="Summer", status="declining", change=-0.76, lo=-1.0, hi=-0.13),
    ]
    text = shopper_trend_answer("what's in fashion for men this winter?", summer, "Men", "Winter")
    assert text.startswith("We don't have winter forecasts for men yet, so this is from our summer listings.")
    assert "shorts are on the rise in our catalog (forecast up about 18% next summer)" in text
    assert "green clothes are fading" in text and "next winter" not in text
    assert_shopper_words(text)


def test_an_item_without_a_forecast_says_so_and_gives_what_is_known() -> None:
    text = shopper_trend_answer(
        "are kurtas in for men this winter?", MEN_WINTER[:2], "Men", "Winter", filters={"article_type": ["Kurtas"]},
        today=WINTER_DAY,
    )  # fmt: skip
    assert text.startswith("Our data can't tell yet whether kurtas are trending for men this winter")
    assert "What we can see for men this winter: jackets and sweatshirts are on the rise" in text


def test_colour_questions_and_request_reading() -> None:
    request = trend_request(
        "what colours are trending for women?", filters={"gender": ["Women"]}, today=SUMMER_DAY
    )
    assert request.gender == ["Women"] and request.season == "Summer" and request.kind == "colour"
    assert not request.season_named
    assert lookup_filters(request) == [({"$and": [{"gender": "Women"}, {"kind": "colour"}]}, True)]
    assert season_order("Summer") == ["Summer", "", "Fall", "Spring", "Winter"]
    # The item asked is looked up first (denim is jeans), then anything for that shopper.
    denim = trend_request(
        "is denim still in for kids?", filters={"gender": ["Boys", "Girls"]}, today=SUMMER_DAY
    )
    (first, broad), (anything, also_broad) = lookup_filters(denim)
    assert not broad and also_broad and anything == {"gender": {"$in": ["Boys", "Girls"]}}
    assert first == {
        "$and": [
            {"gender": {"$in": ["Boys", "Girls"]}},
            {"$and": [{"kind": "article_type"}, {"value": "Jeans"}]},
        ]
    }
    # Without the season asked: all-season forecasts, then the nearest season.
    spring, fall = fc("colour", "Red", season="Spring"), fc("colour", "Red", season="Fall")
    assert pick_season("Winter", [fall, spring, fall]) == [spring]
    assert (
        pick_season("Winter", [fall, {**fall, "metadata": {**fall["metadata"], "season": ""}}])[0][
            "metadata"
        ]["season"]
        == ""
    )
    assert pick_season("Winter", []) == []
    # Explicit arguments win over the parser's filters.
    assert trend_request("x", gender="Men", season="Fall", filters={"gender": ["Women"]}).season == "Fall"


def test_trend_tools_speak_in_shopper_terms() -> None:
    from stylist.tools import GET_TREND_FORECAST, build_tools

    class FakeTrends:
        def __init__(self) -> None:
            self.requests: list[Any] = []

        def lookup(self, query: str, request: Any, k: int = 3) -> list[dict[str, Any]]:
            self.requests.append(request)
            return [f for f in MEN_WINTER if f["metadata"]["gender"] in (request.gender or ["Men"])]

        def classify(self, text: str) -> dict[str, Any]:
            top = {"article_type": "Jackets", "colour": "Black", "gender": "Men", "usage": "Casual",
                   "season": "Winter"}  # fmt: skip
            return {
                "attributes": {k: [{"label": v, "p": 0.9}] for k, v in top.items()},
                "trend": {"status": "rising", "change": 0.12, "interval": [0.03, 0.22], "confidence": 0.8},
            }

    class NoCatalog:
        @property
        def parser(self) -> Any:
            raise RuntimeError("no catalog yet")

    fake = FakeTrends()
    tools = {t.name: t for t in build_tools(NoCatalog(), fake)}  # type: ignore[arg-type]
    call = {"name": GET_TREND_FORECAST, "args": {"query": "what's in for men?", "gender": "Men", "season": "Winter"},
            "id": "c1", "type": "tool_call"}  # fmt: skip
    message = tools[GET_TREND_FORECAST].invoke(call)
    assert message.content.startswith("For men")
    assert "winter" in message.content and "jackets and sweatshirts are on the rise" in message.content
    assert_shopper_words(message.content)
    trends = message.artifact["trends"]
    assert [t["trend"] for t in trends][:2] == [
        "Jackets in Men's Apparel, Winter",
        "Sweatshirts in Men's Apparel, Winter",
    ]
    assert all({"trend", "label", "status", "change", "chart", "reading"} <= set(t) for t in trends)
    assert message.artifact["answer"] == message.content
    assert fake.requests[0].gender == ["Men"] and fake.requests[0].season == "Winter"

    text = tools["classify_trend"].invoke({"text": "black jacket for men"})
    assert text == "Reads as men's black jackets (casual, winter). Trend: on the rise in our catalog."

    # Without a trend service: say there is no forecast.
    none = {t.name: t for t in build_tools(NoCatalog(), None)}  # type: ignore[arg-type]
    assert "No trend forecasts" in none[GET_TREND_FORECAST].invoke({"query": "is denim in?"})
