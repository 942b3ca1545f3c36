"""The widget as a shop embeds it (issue 18), in headless Chromium on the demo shop (another origin):
settings honoured, the public API and its events, the cart hand-off, size advice on cards, keyboard-only
use, a phone with the keyboard up, a strict Content-Security-Policy page and an axe-core audit.

The app runs a scripted stylist (tests/fake_stylist.py) with STYLIST_CART_URL_TEMPLATE pointing at the
demo shop's /cart/add page. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

import pytest

from stylist.reply import Reply, ToolCall
from stylist.settings import PROJECT_ROOT, Settings
from tests.fake_stylist import card
from tests.integration.web.servers import AppServer, free_port, shot, wait_http

pytestmark = pytest.mark.integration

SHADOW = "document.querySelector('#stylist-widget').shadowRoot"
#: Records every stylist:* DOM event on the page, and the chat and event requests the widget sends.
RECORD = """
window.__events = [];
for (const name of ['ready', 'open', 'close', 'message', 'add-to-cart']) {
  document.addEventListener('stylist:' + name, (e) => window.__events.push({name, detail: e.detail}));
}
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@dataclass
class Shop:
    app_url: str
    shop_url: str
    fake: object


@pytest.fixture(scope="module")
def shop(subset_products, tmp_path_factory):
    from stylist.api import create_app
    from tests.fake_stylist import FakeStylist

    app_port, shop_port = free_port(), free_port()
    shop_url = f"http://127.0.0.1:{shop_port}"
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("widget-shop"),
        port=app_port,
        allowed_origins=[shop_url],
        rate_limit_per_minute=0,
        cart_url_template=shop_url + "/cart/add?id={id}&size={size}&qty={qty}",
    )
    fake = FakeStylist(subset_products, delay_s=0.03)
    server = subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "examples/shop/serve.py"), "--port", str(shop_port),
         "--app", f"http://127.0.0.1:{app_port}"],
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )  # fmt: skip
    try:
        with AppServer(create_app(settings, fake, ui=False), app_port) as app:
            wait_http(shop_url + "/")
            yield Shop(app.url, shop_url, fake)
    finally:
        server.terminate()
        server.wait(10)


def sized(products: list[dict], article: str, size: str) -> list[dict]:
    """Products of one article type that have ``size`` in stock (and at least one other size)."""
    return [p for p in products if p["article_type"] == article and p["sizes"].get(size, 0) > 0]


def requests_to(page, path: str) -> list[dict]:
    """The JSON bodies of the requests the page sends to ``path`` (recorded from now on)."""
    seen: list[dict] = []
    page.on(
        "request", lambda r: seen.append(json.loads(r.post_data or "{}")) if r.url.endswith(path) else None
    )
    return seen


def wait_turn(page, timeout: float = 30.0) -> None:
    page.wait_for_function(
        f"() => {SHADOW}.querySelector('.msg.bot') && !{SHADOW}.querySelector('.status')",
        timeout=timeout * 1000,
    )


def active(page) -> str:
    """What has focus inside the widget: tag.class, or 'outside'."""
    return page.evaluate(
        f"""() => {{ const a = {SHADOW}.activeElement; if (!a) return 'outside';
        return a.tagName.toLowerCase() + '.' + (a.className || '') + (a.closest('.panel') ? '@panel' : ''); }}"""
    )


def test_settings_object_api_and_events(browser, shop, subset_products):
    shirts = sized(subset_products, "Shirts", "M")[:2]
    shop.fake.enqueue(
        Reply("Two shirts for work.", [card(p, "office") for p in shirts], [ToolCall("search_catalog", {})])
    )
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    try:
        page.add_init_script(
            RECORD
            + """
          window.stylistSettings = {
            title: 'Style desk', greeting: 'Hello there!', position: 'left', primaryColor: '#fde047',
            strings: {send: 'Go', placeholder: 'Ask me'}, openOnLoad: true, lang: 'en-IN',
            shopperId: () => Promise.resolve('cust-42'),
          };"""
        )
        chats = requests_to(page, "/api/chat/stream")
        page.goto(shop.shop_url + "/")
        page.locator(".panel.open").wait_for()
        assert page.locator("#stylist-title").text_content() == "Style desk"
        assert page.locator(".msg.greeting").text_content() == "Hello there!"
        assert page.locator(".send").text_content() == "Go"
        assert page.locator(".panel input[type=text]").get_attribute("placeholder") == "Ask me"
        assert page.locator(".panel").bounding_box()["x"] < 100  # bottom left
        # A light primary colour gets dark text (contrast), applied to the header.
        head = page.evaluate(f"() => getComputedStyle({SHADOW}.querySelector('.head')).color")
        assert head == "rgb(17, 24, 39)"
        assert active(page) == "input.@panel"  # opened on load, focus in the input
        assert [e["name"] for e in page.evaluate("window.__events")] == ["ready", "open"]

        # The public API: on() listeners and send() resolving with the reply.
        page.evaluate(
            "window.__api = []; for (const n of ['message', 'close']) window.stylist.on(n, d => window.__api.push([n, d])); null"
        )
        reply = page.evaluate("window.stylist.send('shirts for work')")
        assert reply["answer"] == "Two shirts for work." and [p["id"] for p in reply["products"]] == [
            str(p["id"]) for p in shirts
        ]
        assert chats[-1]["message"] == "shirts for work" and chats[-1]["shopper_id"] == "cust-42"
        assert shop.fake.calls[-1]["shopper_id"] == "cust-42"
        page.evaluate("window.stylist.close()")
        api = page.evaluate("window.__api")
        assert [a[0] for a in api] == ["message", "message", "close"]
        assert api[0][1] == {"role": "user", "text": "shirts for work"}
        assert api[1][1]["role"] == "assistant" and api[1][1]["text"] == "Two shirts for work."
        names = [e["name"] for e in page.evaluate("window.__events")]
        assert names == ["ready", "open", "message", "message", "close"]
        assert not page.locator(".panel").is_visible()
    finally:
        context.close()


def test_add_to_cart_with_size_advice_event_report_and_cart_link(page, shop, subset_products):
    shirt = sized(subset_products, "Shirts", "M")[0]
    jeans = sized(subset_products, "Jeans", "32")[0]
    shop.fake.enqueue(Reply("A shirt and jeans.", [card(shirt, "smart"), card(jeans, "goes with it")]))
    # The page's stylist:add-to-cart listener logs what it got (the page is left right after).
    page.add_init_script(
        RECORD
        + "document.addEventListener('stylist:add-to-cart', e => console.log('cart ' + JSON.stringify(e.detail)));"
    )
    logged: list[dict] = []
    page.on(
        "console", lambda m: logged.append(json.loads(m.text[5:])) if m.text.startswith("cart ") else None
    )
    events = requests_to(page, "/api/events")
    page.goto(shop.shop_url + "/")
    page.locator(".launch").click()
    page.locator(".panel input[type=text]").fill("a shirt and jeans, my chest is 100 cm and waist 32")
    page.locator(".panel input[type=text]").press("Enter")
    wait_turn(page)
    cards = page.locator(".cards .card")
    assert cards.count() == 2
    # Size advice from the conversation: M for the shirt (chest 100 cm), 32 for the jeans; pickers start there.
    page.locator(".card .fit", has_text="Your size: M").wait_for(timeout=10000)
    jeans_fit = cards.nth(1).locator(".fit").text_content()
    assert jeans_fit.startswith("Your size: 32 (your waist 81.3 cm is inside 32's 79-84 cm"), jeans_fit
    assert cards.nth(0).locator("select").input_value() == "M"
    assert cards.nth(0).locator("select").get_attribute("aria-label") == f"Size for {shirt['title']}"
    in_stock = [s for s, n in shirt["sizes"].items() if n > 0]
    options = cards.nth(0).locator("select option").evaluate_all("os => os.map(o => o.value)")
    assert options == ["", *in_stock]  # only sizes in stock
    # The product link is the catalog's (shop-relative) URL on the shop's origin.
    assert cards.nth(0).locator(".t a").get_attribute("href") == f"{shop.shop_url}/products/{shirt['id']}"
    shot(page, "widget-cart-cards")

    link = cards.nth(0).locator(".cart")
    assert link.get_attribute("href") == f"{shop.shop_url}/cart/add?id={shirt['id']}&size=M&qty=1"
    with page.expect_navigation():
        link.click()
    assert page.url == f"{shop.shop_url}/cart/add?id={shirt['id']}&size=M&qty=1"
    assert page.locator("#size").inner_text() == "size: M"
    # The page got the DOM event before leaving, and the hand-off was reported to POST /api/events.
    assert logged == [{"id": str(shirt["id"]), "size": "M", "title": shirt["title"], "price": shirt["price"],
                       "currency": shirt["currency"], "url": f"{shop.shop_url}/products/{shirt['id']}"}]  # fmt: skip
    assert events and events[-1]["kind"] == "add_to_cart" and events[-1]["product_id"] == str(shirt["id"])
    assert events[-1]["size"] == "M" and events[-1]["shopper_id"] and events[-1]["thread_id"]


def test_add_the_whole_look_and_a_page_that_adds_items_itself(page, shop, subset_products):
    top = sized(subset_products, "Tshirts", "L")[0]
    shoes = [
        p for p in subset_products if p["category"] == "Footwear" and any(n > 0 for n in p["sizes"].values())
    ][0]
    watch = next(p for p in subset_products if p["sizes"].get("One Size", 0) > 0)
    look = [card(top, "top"), card(shoes, "shoes"), card(watch, "finishes it")]
    for c, role in zip(look, ("top", "footwear", "accessory"), strict=True):
        c.role = role
    shop.fake.enqueue(Reply("Here's a look for a party.", look, [ToolCall("search_catalog", {})]))
    page.add_init_script(
        RECORD + "document.addEventListener('stylist:add-to-cart', e => e.preventDefault());"
    )
    page.goto(shop.shop_url + "/")
    page.locator(".launch").click()
    page.locator(".panel input[type=text]").fill("party look")
    page.locator(".panel .send").click()
    wait_turn(page)
    whole = page.locator(".look")
    assert whole.inner_text() == "Add the whole look"
    whole.click()  # sizes not chosen yet: it asks for them, adds nothing
    assert page.locator(".msg.note", has_text=f"Choose a size for {top['title']} first").count() == 1
    assert not [e for e in page.evaluate("window.__events") if e["name"] == "add-to-cart"]
    shoe_size = next(s for s, n in shoes["sizes"].items() if n > 0)
    page.locator(".card").nth(0).locator("select").select_option("L")
    page.locator(".card").nth(1).locator("select").select_option(shoe_size)
    whole.click()
    added = [e["detail"] for e in page.evaluate("window.__events") if e["name"] == "add-to-cart"]
    ids = [str(top["id"]), str(shoes["id"]), str(watch["id"])]
    assert [a["id"] for a in added] == ids and [a["size"] for a in added] == ["L", shoe_size, "One Size"]
    assert all(a["look"] == ids for a in added)
    assert page.url.startswith(shop.shop_url + "/") and "/cart" not in page.url  # the page handled it
    shot(page, "widget-look")


def test_keyboard_only(page, shop, subset_products):
    shirts = sized(subset_products, "Shirts", "M")[:2]
    shop.fake.enqueue(Reply("Two picks.", [card(p, "fits") for p in shirts]))
    page.add_init_script(
        RECORD
        + """
      window.__changes = [];  // the answer bubble's text, and whether the log was busy then
      document.addEventListener('stylist:ready', () => {
        const log = document.querySelector('#stylist-widget').shadowRoot.querySelector('.log');
        new MutationObserver(() => {
          const bot = log.querySelector('.msg.bot');
          const text = bot ? bot.textContent : '';
          const last = window.__changes[window.__changes.length - 1];
          if (!last || last[0] !== text || last[1] !== log.getAttribute('aria-busy'))
            window.__changes.push([text, log.getAttribute('aria-busy')]);
        }).observe(log, {subtree: true, childList: true, characterData: true, attributes: true});
      });"""
    )
    page.goto(shop.shop_url + "/")
    page.locator(".product").first.wait_for()
    for _ in range(6):  # the shop page has no other focusable element before the widget
        page.keyboard.press("Tab")
        if active(page) == "button.launch":
            break
    assert active(page) == "button.launch"
    assert page.locator(".launch").get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    assert active(page) == "input.@panel"
    assert page.locator(".panel").get_attribute("role") == "dialog"
    page.keyboard.type("shirts for work")
    page.keyboard.press("Enter")
    wait_turn(page)
    # The streamed answer changed only while the log was aria-busy; it was announced once, finished.
    changes = page.evaluate("window.__changes")
    texts = [c for c in changes if c[0]]
    assert texts[-1] == ["Two picks.", "false"] and all(c[1] == "true" for c in texts[:-1])
    assert sum(1 for c in texts if c[1] == "false") == 1

    # Tab goes round inside the panel, through the cards' links, size pickers and cart links.
    seen = []
    for _ in range(14):
        page.keyboard.press("Tab")
        seen.append(active(page))
    assert all(s.endswith("@panel") for s in seen), seen
    assert (
        seen.count("a.@panel") >= 2 and seen.count("select.@panel") >= 2 and seen.count("a.cart@panel") >= 2
    )
    assert "button.new@panel" in seen and "button.close@panel" in seen and "button.send@panel" in seen
    page.keyboard.press("Shift+Tab")
    assert active(page).endswith("@panel")
    shot(page, "widget-keyboard")
    page.keyboard.press("Escape")
    assert not page.locator(".panel").is_visible()
    assert active(page) == "button.launch"  # focus back on the launcher


def test_phone_with_the_keyboard_up(browser, shop, subset_products):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    try:
        shop.fake.enqueue(
            Reply("Two picks.", [card(p, "fits") for p in sized(subset_products, "Shirts", "M")[:2]])
        )
        page.goto(shop.shop_url + "/")
        page.locator(".launch").click()
        page.locator(".panel input[type=text]").fill("shirts")
        page.locator(".panel .send").click()
        wait_turn(page)
        box = page.locator(".panel").bounding_box()
        assert box == {"x": 0, "y": 0, "width": 390, "height": 844}
        # The on-screen keyboard takes the lower part of the screen: the visual viewport shrinks (here the
        # window, as headless Chromium has no keyboard) and the panel with its input stays in view.
        page.set_viewport_size({"width": 390, "height": 460})
        page.wait_for_function("() => window.visualViewport.height === 460")
        page.locator(".panel input[type=text]").focus()
        page.wait_for_function(
            f"() => {SHADOW}.querySelector('.panel').getBoundingClientRect().height === 460"
        )
        field = page.locator(".panel input[type=text]").bounding_box()
        assert field is not None and field["y"] + field["height"] <= 460
        assert page.locator(".launch").is_hidden()  # no launcher over the full-screen panel
        # No zoom lock: the widget leaves the page's viewport tag alone, and its input is 16 px (no
        # zoom-on-focus in iOS Safari).
        viewport = page.evaluate("document.querySelector('meta[name=viewport]').content")
        assert "user-scalable=no" not in viewport and "maximum-scale" not in viewport
        assert (
            page.evaluate(f"() => getComputedStyle({SHADOW}.querySelector('.form input')).fontSize") == "16px"
        )
        shot(page, "widget-phone-keyboard")
    finally:
        context.close()


def test_strict_csp_page_and_accessibility_audit(page, shop, subset_products):
    from axe_playwright_python.sync_playwright import Axe

    shirts = sized(subset_products, "Shirts", "M")[:2]
    shop.fake.enqueue(Reply("Two shirts for the office.", [card(p, "office") for p in shirts]))
    page.add_init_script(RECORD)
    response = page.goto(shop.shop_url + "/plain/")
    assert "script-src 'self' " + shop.app_url in response.headers["content-security-policy"]
    page.locator(".launch").wait_for()
    # data-* attributes honoured; the constructed stylesheet applies under style-src 'self'.
    assert (
        page.evaluate(f"() => getComputedStyle({SHADOW}.querySelector('.launch')).backgroundColor")
        == "rgb(124, 45, 18)"
    )
    assert page.locator(".launch").bounding_box()["x"] < 100
    page.locator("#ask").click()  # the page's own button calls window.stylist.send()
    wait_turn(page)
    assert page.locator(".card .cart").first.inner_text() == "Add to bag"  # strings from the page's settings
    page.locator(".card").first.locator("select").select_option("M")
    page.locator(".card .cart").first.click()  # the page adds it itself (preventDefault): no navigation
    page.locator("#cart-count", has_text="1").wait_for()
    assert page.url.endswith("/plain/")
    assert page.locator("#cart-lines li").first.inner_text().startswith(f"{shirts[0]['title']} (M)")
    assert page.evaluate("window.__csp") == []  # nothing the widget did was blocked
    shot(page, "widget-csp")

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious
    # The audit looked inside the widget's shadow root (such a target is [[host, inner selector]]).
    inside = {
        v["id"]
        for v in results.response["passes"]
        for n in v["nodes"]
        if n["target"][0][0] == "#stylist-widget"
    }
    assert {"button-name", "select-name", "label", "link-name", "color-contrast"} <= inside, sorted(inside)


def test_a_missing_events_endpoint_or_app_never_breaks_the_shop_page(page, shop):
    """The widget's config and analytics calls fail quietly; the launcher still works."""
    page.add_init_script(
        RECORD + "window.stylistSettings = {api: 'http://127.0.0.1:9', title: 'Offline stylist'};"
    )
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(shop.shop_url + "/")
    page.locator(".launch", has_text="Offline stylist").click()
    page.locator(".panel input[type=text]").fill("hello")
    page.locator(".panel .send").click()
    page.locator(".msg.err", has_text="cannot be reached").wait_for(timeout=15000)
    assert errors == []
