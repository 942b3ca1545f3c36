"""The widget on the demo shop page and the Gradio UI in headless Chromium (scripted stylist).

Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import csv
import io
import sqlite3
import time

import pytest
from PIL import Image

from stylist.reply import Reply, ToolCall
from stylist.settings import SAMPLE_DATA_DIR
from tests.fake_stylist import card
from tests.integration.web.servers import shot

pytestmark = pytest.mark.integration

XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
LONG_ANSWER = (
    "For a formal office day I would pick this navy shirt: it is smart, breathable and within "
    "your budget, and the second one is a good alternative in a lighter colour."
)


@pytest.fixture(scope="module")
def catalog_ids() -> set[str]:
    with (SAMPLE_DATA_DIR / "catalog" / "styles.csv").open(encoding="utf-8", newline="") as fh:
        return {row["id"] for row in csv.DictReader(fh)}


def shirts(products: list[dict]) -> list[dict]:
    return [p for p in products if p["article_type"] == "Shirts"][:3]


def open_widget(page, web) -> None:
    page.goto(web.shop_url + "/")
    page.locator(".product").first.wait_for()
    page.locator(".launch").click()  # Playwright's CSS pierces the widget's open shadow root
    page.locator(".panel.open input[type=text]").wait_for()
    page.evaluate(RECORD_ANSWER_TEXTS)


def send(page, text: str) -> None:
    page.locator(".panel input[type=text]").fill(text)
    page.locator(".panel .send").click()


RECORD_ANSWER_TEXTS = """() => {
  // Record every text the newest answer bubble shows, in the page itself: polling from the test
  // could miss intermediate states on a busy machine.
  window.__answers = [];
  const log = document.querySelector('#stylist-widget').shadowRoot.querySelector('.log');
  new MutationObserver(() => {
    const bots = log.querySelectorAll('.msg.bot');
    if (!bots.length) return;
    const text = bots[bots.length - 1].textContent;
    if (window.__answers[window.__answers.length - 1] !== text) window.__answers.push(text);
  }).observe(log, {subtree: true, childList: true, characterData: true});
}"""


def watch_answer(page, timeout: float = 30.0) -> list[str]:
    """Texts of the last answer bubble as it grew, once the turn finished (its status line is gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.locator(".msg.err").count():
            raise AssertionError(page.locator(".msg.err").last.text_content())
        if page.locator(".status").count() == 0 and page.locator(".msg.bot").count():
            return page.evaluate("window.__answers || []")
        time.sleep(0.05)
    raise AssertionError(f"no complete answer within {timeout} s")


def test_widget_on_shop_page_streams_answer_cards_and_follow_up(page, web, subset_products, catalog_ids):
    picks = shirts(subset_products)
    web.fake.calls.clear()
    web.fake.enqueue(
        Reply(
            LONG_ANSWER,
            [card(p, "smart and within budget") for p in picks],
            [ToolCall("search_catalog", {"query": "navy shirt"})],
        ),
        Reply("Here is a cheaper one.", [card(picks[-1], "the cheapest of the three")]),
    )
    open_widget(page, web)
    assert page.evaluate("location.origin") != web.app_url  # the shop is another origin than the app
    send(page, "a navy shirt for the office under 1500")
    seen = watch_answer(page)
    assert len(seen) >= 3, seen  # the answer grew token by token in the page
    assert seen[-1] == LONG_ANSWER and all(LONG_ANSWER.startswith(s) for s in seen)
    cards = page.locator(".cards").last.locator(".card")
    ids = [cards.nth(i).get_attribute("data-product-id") for i in range(cards.count())]
    assert ids == [str(p["id"]) for p in picks] and set(ids) <= catalog_ids
    assert cards.first.locator(".t").text_content() == picks[0]["title"]
    # Photos load cross-origin from the app's image route.
    page.wait_for_function(
        "() => [...document.querySelector('#stylist-widget').shadowRoot.querySelectorAll('.card img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    shot(page, "widget-desktop")

    send(page, "cheaper please")
    watch_answer(page)
    assert page.locator(".msg.bot").last.text_content() == "Here is a cheaper one."
    assert page.locator(".cards").last.locator(".card").get_attribute("data-product-id") == str(
        picks[-1]["id"]
    )
    first, second = web.fake.calls[-2:]
    assert second["message"] == "cheaper please" and second["thread_id"] == first["thread_id"]
    shot(page, "widget-follow-up")


def test_widget_photo_upload(page, web, tmp_path):
    photo = tmp_path / "look.png"
    Image.new("RGB", (64, 80), (20, 40, 160)).save(photo)
    web.fake.calls.clear()
    open_widget(page, web)
    page.locator(".panel input[type=file]").set_input_files(str(photo))
    assert "has" in (page.locator(".photo").get_attribute("class") or "")
    send(page, "something like this")
    watch_answer(page)
    assert web.fake.calls[-1]["image"] == photo.read_bytes()
    shot(page, "widget-photo")


def test_widget_on_a_phone(browser, web, subset_products):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    try:
        web.fake.enqueue(Reply("Two picks for you.", [card(p, "fits") for p in shirts(subset_products)[:2]]))
        open_widget(page, web)
        box = page.locator(".panel").bounding_box()
        assert box is not None and box["width"] == 390 and box["height"] == 844  # full screen on a phone
        send(page, "shirts for work")
        watch_answer(page)
        assert page.locator(".card").count() == 2
        card_box = page.locator(".card").first.bounding_box()
        assert card_box is not None and card_box["x"] >= 0 and card_box["x"] + card_box["width"] <= 390
        shot(page, "widget-phone")
        page.locator(".close").click()
        assert not page.locator(".panel").is_visible()
    finally:
        context.close()


def test_widget_never_executes_html_from_messages_or_catalog(page, web, subset_products):
    evil = {**subset_products[0], "title": XSS, "colour": "<b>bold</b>"}
    web.fake.enqueue(Reply("Answer " + XSS, [card(evil, XSS)]))
    open_widget(page, web)
    send(page, "probe " + XSS)
    watch_answer(page)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None and page.dialogs == []
    assert page.locator(".msg.user").last.text_content() == "probe " + XSS  # shown as text
    assert page.locator(".msg.bot").last.text_content() == "Answer " + XSS
    assert page.locator(".card .t").last.text_content() == XSS
    assert page.locator(".card script").count() == 0 and page.locator(".msg img").count() == 0
    shot(page, "widget-xss")


def test_gradio_ui_chat_cards_feedback_and_escaping(page, web, subset_products, catalog_ids):
    picks = shirts(subset_products)
    evil = {**picks[1], "title": XSS}
    web.fake.calls.clear()
    web.fake.enqueue(Reply(LONG_ANSWER + " " + XSS, [card(picks[0], "navy, formal"), card(evil, XSS)],
                           trends=[{"trend": "eu_male_shirt_3", "status": "rising", "change": 0.18,
                                    "series": [0.2, 0.25, 0.22, 0.3, 0.34, 0.4]}]))  # fmt: skip
    page.goto(web.app_url + "/")
    page.locator("#stylist-input textarea").fill("shirts for the office " + XSS)
    page.locator("#stylist-send").click()
    page.locator("#stylist-cards .stylist-card").first.wait_for(timeout=20000)
    page.wait_for_function("() => document.querySelector('#stylist-status') && "
                           "!document.querySelector('#stylist-status').innerText.includes('Thinking')")  # fmt: skip
    ids = page.locator("#stylist-cards .stylist-card").evaluate_all(
        "els => els.map(e => e.dataset.productId)"
    )
    assert ids == [str(picks[0]["id"]), str(picks[1]["id"])] and set(ids) <= catalog_ids
    assert page.locator("#stylist-cards .stylist-card-title").nth(1).inner_text() == XSS
    assert page.locator("#stylist-trends .stylist-trend-status").inner_text() == "rising"
    assert page.locator("#stylist-trends svg polyline").count() == 1
    bot = page.locator("#stylist-chat .bot").last.inner_text()
    assert "<script>window.__xss=2</script>" in bot  # shown as text
    assert page.evaluate("window.__xss") is None and page.dialogs == []
    page.wait_for_function(
        "() => [...document.querySelectorAll('#stylist-cards img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    shot(page, "ui-desktop")

    # Thumbs up is stored with the turn.
    page.locator("#stylist-chat button[aria-label='Like']").last.click()
    page.locator("#stylist-thanks", has_text="Thanks").wait_for(timeout=10000)
    with sqlite3.connect(web.settings.feedback_path) as db:
        rows = db.execute("SELECT thread_id, turn, message, liked, product_ids FROM feedback").fetchall()
    assert rows == [(web.fake.calls[-1]["thread_id"], 1, "shirts for the office " + XSS, 1,
                     f'["{picks[0]["id"]}", "{picks[1]["id"]}"]')]  # fmt: skip

    page.locator("#stylist-clear").click()
    page.wait_for_function("() => document.querySelectorAll('#stylist-cards .stylist-card').length === 0")
    assert page.locator("#stylist-chat .bot").count() == 0


def test_gradio_ui_photo_upload_sends_the_photo(page, web, tmp_path):
    photo = tmp_path / "look.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (60, 80), (120, 20, 20)).save(buf, format="JPEG")
    photo.write_bytes(buf.getvalue())
    web.fake.calls.clear()
    page.goto(web.app_url + "/")
    page.locator("#stylist-photo input[type=file]").set_input_files(str(photo))
    page.locator("#stylist-photo img").first.wait_for(timeout=10000)
    page.locator("#stylist-input textarea").fill("something like this")
    page.locator("#stylist-send").click()
    page.locator("#stylist-chat .bot", has_text="ideas for: something like this").wait_for(timeout=20000)
    image = web.fake.calls[-1]["image"]
    assert image is not None and Image.open(io.BytesIO(image)).size == (60, 80)
    shot(page, "ui-photo")


def test_gradio_ui_on_a_phone(browser, web):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2
    )
    page = context.new_page()
    try:
        page.goto(web.app_url + "/")
        page.locator("#stylist-input textarea").fill("sports shoes for men")
        page.locator("#stylist-send").click()
        page.locator("#stylist-cards .stylist-card").first.wait_for(timeout=20000)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390  # nothing forces sideways scrolling
        shot(page, "ui-phone")
    finally:
        context.close()


def test_gradio_ui_shows_a_notice_while_the_model_starts(page, subset_products, tmp_path, monkeypatch):
    import threading

    import stylist.agent
    from stylist.api import create_app
    from stylist.settings import Settings
    from tests.fake_stylist import FakeStylist
    from tests.integration.web.servers import AppServer, free_port

    release = threading.Event()

    def slow_build(settings):
        release.wait(60)
        return FakeStylist(subset_products)

    monkeypatch.setattr(stylist.agent, "build_stylist", slow_build)
    port = free_port()
    with AppServer(create_app(Settings(data_dir=tmp_path / "d", port=port), None), port) as server:
        page.goto(server.url + "/")
        notice = page.locator("#stylist-notice")
        notice.get_by_text("starting").wait_for(timeout=15000)
        shot(page, "ui-starting")
        page.locator("#stylist-input textarea").fill("shirts")
        page.locator("#stylist-send").click()
        page.get_by_text("is starting").last.wait_for(timeout=10000)  # a clear message, not a hang
        release.set()
        notice.wait_for(state="hidden", timeout=15000)  # the page polls and hides the notice once ready
        page.locator("#stylist-send").click()
        page.locator("#stylist-cards .stylist-card").first.wait_for(timeout=20000)
