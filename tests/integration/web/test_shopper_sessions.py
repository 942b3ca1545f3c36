"""What the page shows while a turn streams and when it ends, on the real page in headless Chromium.

Found by holding shopper conversations on the live stack (docs/SHOPPER_SESSIONS.md): the model's
streamed draft (its product list, an "I found these:" line naming other items, a trend claim the
forecast does not support) was shown and then replaced by the final answer; the trend panel showed
"steady +0%" beside an answer saying the data can't tell; items the answer listed as the closest
matches had no cards. The stylist here is scripted to stream such a draft before its final reply.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import asdict

import pytest

from stylist.reply import Event, Reply, ToolCall
from stylist.settings import PROJECT_ROOT, Settings
from tests.fake_stylist import FakeStylist, card
from tests.integration.web.servers import AppServer, free_port, shot, wait_http

pytestmark = pytest.mark.integration


class DraftingStylist(FakeStylist):
    """Streams a scripted model draft (sentence by sentence, as the agent's gate does), then the final reply."""

    def __init__(self, products, delay_s: float = 0.08) -> None:
        super().__init__(products, delay_s)
        self.drafts: list[list[str]] = []

    def stream(self, message, thread_id=None, image=None, *, shopper_id=None):
        reply = self._next("stream", message, thread_id, image)
        draft = self.drafts.pop(0) if self.drafts else [reply.answer]
        for call in reply.tool_calls:
            yield Event("tool", {"name": call.name, "args": call.args, "source": call.source})
        for sentence in draft:
            time.sleep(self.delay_s)
            yield Event("token", {"text": sentence})
        time.sleep(self.delay_s)
        yield Event("final", {"reply": reply.to_dict()})


@pytest.fixture(scope="module")
def site(subset_products, tmp_path_factory):
    app_port, shop_port = free_port(), free_port()
    shop_url = f"http://127.0.0.1:{shop_port}"
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("sessions"), port=app_port, allowed_origins=[shop_url],
        rate_limit_per_minute=0,
    )  # fmt: skip
    from stylist.api import create_app

    fake = DraftingStylist(subset_products)
    shop = subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "examples/shop/serve.py"), "--port", str(shop_port),
         "--app", f"http://127.0.0.1:{app_port}"],
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )  # fmt: skip
    try:
        with AppServer(create_app(settings, fake), app_port) as server:
            wait_http(shop_url + "/")
            yield server.url, shop_url, fake
    finally:
        shop.terminate()
        shop.wait(10)


WATCH_CHAT = """() => {
  window.__seen = [];
  const root = document.querySelector('#stylist-chat');
  new MutationObserver(() => {
    const bots = root.querySelectorAll('.bot');
    if (!bots.length) return;
    const text = bots[bots.length - 1].innerText.trim();
    // "Loading content" is Gradio's own placeholder while the turn is pending, not answer text.
    if (text && text !== 'Loading content' && window.__seen[window.__seen.length - 1] !== text) window.__seen.push(text);
  }).observe(root, {subtree: true, childList: true, characterData: true});
}"""

DENIM_DRAFT = ["Our data says denim is trending in summer.", " Jeans are a must-have this season."]
DENIM_ANSWER = (
    "Our data can't tell yet whether women's jeans are trending in summer: recent listings are too few "
    "or too mixed to call it either way. Men's brown shoes are on the rise (forecast up about 18%)."
)
DENIM_TRENDS = [
    {"trend": "Jeans in Women's Apparel, Summer", "label": "women's jeans, summer", "status": "steady",
     "change": 0.0, "reading": "unclear", "chart": ""},
    {"trend": "Brown colour in Men's Footwear, Summer", "label": "men's brown shoes, summer",
     "status": "rising", "change": 0.18, "reading": "rising", "series": [1, 1.1, 1.2, 1.3]},
]  # fmt: skip


def shirt_picks(products):
    return [p for p in products if p["article_type"] == "Shirts"][:2]


def list_turn(products):
    """A product turn: the model streams its own list; the final answer keeps its remark, then lists."""
    a, b = shirt_picks(products)
    draft = [
        "Here are some picks for shirts for men from our catalog:",
        f"\n\n{a['title']} ({a['price']:.0f} INR)",
        f"\n{b['title']} ({b['price']:.0f} INR)",
        "\nBoth are easy to wear to the office.",
    ]
    answer = (
        "Both are easy to wear to the office.\nI looked for shirts for men and found these:\n"
        f"{a['title']} ({a['price']:.0f} INR): formal wear\n{b['title']} ({b['price']:.0f} INR): formal wear"
    )
    reply = Reply(answer, [card(a, "formal wear"), card(b, "formal wear")], [ToolCall("search_catalog", {})])
    return draft, reply


def ask_page(page, text):
    page.locator("#stylist-chat").wait_for()
    page.evaluate(WATCH_CHAT)
    page.locator("#stylist-input textarea").fill(text)
    page.locator("#stylist-send").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#stylist-chat .bot').length && "
        "!document.querySelector('#stylist-status').innerText.trim()",
        timeout=20000,
    )
    page.wait_for_timeout(300)
    return page.evaluate("window.__seen")


def test_page_trend_answer_is_not_preceded_by_the_models_claim_and_panel_agrees(page, site):
    app_url, _, fake = site
    fake.enqueue(
        Reply(DENIM_ANSWER, [], [ToolCall("get_trend_forecast", {"query": "denim"})], trends=DENIM_TRENDS)
    )
    fake.drafts.append(DENIM_DRAFT)
    page.goto(app_url + "/")
    seen = ask_page(page, "is denim still in?")
    assert seen and seen[-1] == DENIM_ANSWER
    assert not any("trending in summer." in s or "must-have" in s for s in seen), seen
    rows = page.locator("#stylist-trends .stylist-trend")
    assert rows.count() == 2
    assert rows.nth(0).locator(".stylist-trend-name").inner_text() == "Women's jeans, summer"
    assert rows.nth(0).locator(".stylist-trend-status").inner_text() == "can't tell yet"
    assert rows.nth(0).locator(".stylist-trend-change").inner_text() == ""  # no "+0%" beside "can't tell"
    assert rows.nth(1).locator(".stylist-trend-status").inner_text() == "rising"
    assert rows.nth(1).locator(".stylist-trend-change").inner_text() == "+18%"
    assert rows.nth(1).locator("svg polyline").count() == 1
    shot(page, "sessions-ui-trend")


def test_page_streamed_text_is_never_replaced_by_the_final_answer(page, site, subset_products):
    app_url, _, fake = site
    draft, reply = list_turn(subset_products)
    fake.enqueue(reply)
    fake.drafts.append(draft)
    page.goto(app_url + "/")
    seen = ask_page(page, "shirts for the office")
    assert seen[-1] == reply.answer
    assert all(reply.answer.startswith(s) for s in seen), seen  # it only grew
    assert "Here are some picks" not in "".join(seen)
    assert page.locator("#stylist-cards .stylist-card").count() == 2


def test_page_and_widget_show_the_closest_items_the_answer_lists_as_cards(page, site, subset_products):
    app_url, shop_url, fake = site
    items = [asdict(card(p)) for p in shirt_picks(subset_products)]
    answer = "Sorry, we don't carry purple shirts for men under 300 right now. The closest I have, without the price limit:"
    for _ in range(2):
        fake.enqueue(
            Reply(
                answer, [], [ToolCall("search_catalog", {})], relaxed={"dropped": "price_max", "items": items}
            )
        )
    page.goto(app_url + "/")
    ask_page(page, "purple shirt for men under 300")
    ids = page.locator("#stylist-cards .stylist-card").evaluate_all(
        "els => els.map(e => e.dataset.productId)"
    )
    assert ids == [i["id"] for i in items]
    assert "Closest matches" in page.locator("#stylist-cards").inner_text()
    assert page.locator("#stylist-cards .stylist-card-price").first.inner_text().endswith("INR")

    page.goto(shop_url + "/")
    page.locator(".launch").click()
    page.locator(".panel.open input[type=text]").fill("purple shirt for men under 300")
    page.locator(".panel .send").click()
    page.locator(".cards .card").first.wait_for(timeout=20000)
    assert page.locator(".cards .card").count() == 2
    assert page.locator(".msg.note", has_text="Closest matches").count() == 1


def test_widget_shows_neither_the_models_list_nor_its_trend_claim_before_the_answer(
    page, site, subset_products
):
    app_url, shop_url, fake = site
    draft, reply = list_turn(subset_products)
    fake.enqueue(reply, Reply(DENIM_ANSWER, [], [ToolCall("get_trend_forecast", {})], trends=DENIM_TRENDS))
    fake.drafts.extend([draft, DENIM_DRAFT])
    page.goto(shop_url + "/")
    page.locator(".launch").click()
    page.locator(".panel.open input[type=text]").wait_for()
    page.evaluate("""() => {
      window.__seen = []; window.__before = 0;
      const log = document.querySelector('#stylist-widget').shadowRoot.querySelector('.log');
      new MutationObserver(() => {
        const bots = log.querySelectorAll('.msg.bot');
        if (bots.length <= window.__before) return;  // the new answer's bubble only
        const t = bots[bots.length - 1].textContent;
        if (window.__seen[window.__seen.length - 1] !== t) window.__seen.push(t);
      }).observe(log, {subtree: true, childList: true, characterData: true});
    }""")
    for text, final in (("shirts for the office", reply.answer), ("is denim still in?", DENIM_ANSWER)):
        before = page.locator(".msg.bot").count()
        page.evaluate(f"window.__before = {before}")
        page.locator(".panel input[type=text]").fill(text)
        page.locator(".panel .send").click()
        page.wait_for_function(
            f"() => document.querySelector('#stylist-widget').shadowRoot.querySelectorAll('.msg.bot').length > {before}"
            " && !document.querySelector('#stylist-widget').shadowRoot.querySelector('.status')",
            timeout=20000,
        )
        seen = page.evaluate("window.__seen")
        page.evaluate("window.__seen = []")
        assert seen[-1] == final and all(final.startswith(s) for s in seen), seen
    shot(page, "sessions-widget")
