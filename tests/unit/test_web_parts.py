"""Pieces of the web layer: input limits, the rate limiter, escaped rendering, the feedback store."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from stylist.feedback import FeedbackStore
from stylist.limits import InputRejected, RateLimiter, check_image, check_message
from stylist.render import image_src, product_cards, sparkline, trend_panel


def png(size=(10, 10)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size).save(buf, format="PNG")
    return buf.getvalue()


def test_check_message_strips_and_limits():
    assert check_message("  hello \n", 10) == "hello"
    with pytest.raises(InputRejected) as exc:
        check_message("x" * 11, 10)
    assert exc.value.status == 413 and "11 characters" in exc.value.message
    with pytest.raises(InputRejected) as exc:
        check_message(None, 10)
    assert exc.value.status == 400


def test_check_image_formats_and_bombs(monkeypatch):
    assert check_image(png(), 10_000) == png()
    bmp = io.BytesIO()
    Image.new("RGB", (4, 4)).save(bmp, format="BMP")
    with pytest.raises(InputRejected) as exc:
        check_image(bmp.getvalue(), 10_000)
    assert exc.value.status == 415 and "BMP" in exc.value.message
    monkeypatch.setattr("stylist.vision.data.MAX_IMAGE_PIXELS", 50)
    with pytest.raises(InputRejected) as exc:
        check_image(png((10, 10)), 10_000)
    assert exc.value.status == 413 and "10x10" in exc.value.message


def test_rate_limiter_bucket_refills_per_client():
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    assert [limiter.acquire("a") for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire("a") == pytest.approx(1.0)  # one token per second at 60/min
    assert limiter.acquire("b") == 0.0  # another client has its own bucket
    now[0] = 0.5
    assert limiter.acquire("a") == pytest.approx(0.5)
    now[0] = 1.0
    assert limiter.acquire("a") == 0.0
    assert RateLimiter(per_minute=0, burst=1).acquire("a") == 0.0  # disabled


XSS = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_product_cards_escape_catalog_text_and_drop_script_urls():
    html = product_cards(
        [
            {"id": '1"><b>', "title": XSS, "price": 1299.0, "currency": "INR", "colour": "<i>Navy</i>",
             "reason": "it's <u>great</u>", "image": "/data/1.jpg", "url": "javascript:alert(3)"},
            {"id": "2", "title": "Blue Shirt", "price": 999.5, "currency": "EUR", "colour": "Blue",
             "image": "https://cdn.example/2.jpg?a=1&b=2", "url": "https://shop.example/p/2"},
        ]
    )  # fmt: skip
    assert "<script" not in html and "<img src=x" not in html and "<i>" not in html and "<u>" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html and "&lt;i&gt;Navy&lt;/i&gt;" in html
    assert 'data-product-id="1&quot;&gt;&lt;b&gt;"' in html
    assert "javascript:" not in html  # not turned into a link
    assert 'src="/api/products/1%22%3E%3Cb%3E/image"' in html  # local photo through the app's route
    assert 'src="https://cdn.example/2.jpg?a=1&amp;b=2"' in html
    assert (
        '<a href="https://shop.example/p/2" target="_blank" rel="noopener noreferrer">Blue Shirt</a>' in html
    )
    assert "1,299 INR" in html and "999.50 EUR" in html
    assert product_cards([]) == ""


def test_image_src():
    assert image_src({"id": "7", "image": "/x/7.jpg"}, "http://h") == "http://h/api/products/7/image"
    assert image_src({"id": "7", "image": "https://c/7.jpg"}, "http://h") == "https://c/7.jpg"
    assert image_src({"id": "7", "image": ""}) == ""


def test_trend_panel_escapes_and_draws_a_chart():
    html = trend_panel(
        [{"trend": XSS, "status": "rising", "change": 0.25, "chart": [{"value": 1}, {"value": 3}, {"y": 2}]}]
    )
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "rising" in html and "+25%" in html
    assert html.count("<polyline") == 1 and 'points="0.0,' in html
    assert sparkline([1.0]) == ""  # one point is not a line
    assert trend_panel([]) == ""


def test_feedback_store_records_replaces_and_removes(tmp_path):
    store = FeedbackStore(tmp_path / "fb" / "feedback.sqlite")
    store.record(
        thread_id="t", turn=1, message="red dress", answer="Here", product_ids=["1", "2"], liked=True
    )
    store.record(thread_id="t", turn=2, message="cheaper", answer="These", product_ids=[], liked=False)
    store.record(
        thread_id="t", turn=1, message="red dress", answer="Here", product_ids=["1", "2"], liked=False
    )
    rows = FeedbackStore(tmp_path / "fb" / "feedback.sqlite").all()  # persisted: a new store reads it back
    assert [(r["turn"], r["liked"], r["product_ids"]) for r in rows] == [
        (1, False, ["1", "2"]),
        (2, False, []),
    ]
    assert rows[0]["message"] == "red dress" and rows[0]["thread_id"] == "t"
    store.record(thread_id="t", turn=2, message="cheaper", answer="These", product_ids=[], liked=None)
    assert [r["turn"] for r in store.all()] == [1]
