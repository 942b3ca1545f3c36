"""The whole stack through the web layer: real vLLM, the real agent, a real Chroma store, a real browser.

Uses the session's vLLM server (``vllm_url``, from the LLM tests' fixtures) and the
shared 1.5k-item sample store.
"""

from __future__ import annotations

import httpx
import pytest

from stylist.api import create_app
from tests.integration.web.servers import AppServer, free_port, shot

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def real_app(vllm_url, store_settings):
    port = free_port()
    settings = store_settings.model_copy(
        update={"llm_url": vllm_url, "checkpoint_db": ":memory:", "port": port, "rate_limit_per_minute": 0}
    )
    app = create_app(settings)  # no stylist given: the app builds the real one, as `python app.py` does
    with AppServer(app, port) as server:
        assert app.state.runtime.wait(settings.llm_start_timeout_s), app.state.runtime.error
        yield server.url


def test_real_stack_api_answers_with_catalog_items_and_follows_up(real_app, subset_products):
    ids = {str(p["id"]) for p in subset_products}
    ready = httpx.get(real_app + "/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json()["llm"] and ready.json()["chroma"]
    first = httpx.post(
        real_app + "/api/chat", json={"message": "a blue shirt for men under 2000 rupees"}, timeout=180
    )
    assert first.status_code == 200, first.text
    reply = first.json()
    assert reply["answer"].strip() and reply["products"]
    assert {p["id"] for p in reply["products"]} <= ids
    assert all(p["price"] <= 2000 and p["gender"] in ("Men", "Unisex") for p in reply["products"])
    assert all(p["image"].startswith(real_app + "/api/products/") for p in reply["products"])
    photo = httpx.get(reply["products"][0]["image"], timeout=10)
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    follow = httpx.post(
        real_app + "/api/chat",
        json={"message": "cheaper ones?", "thread_id": reply["thread_id"]},
        timeout=180,
    )
    assert follow.status_code == 200 and follow.json()["thread_id"] == reply["thread_id"]
    assert {p["id"] for p in follow.json()["products"]} <= ids


def test_real_stack_in_the_browser(browser, real_app, subset_products):
    ids = {str(p["id"]) for p in subset_products}
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    try:
        page.goto(real_app + "/")
        page.locator("#stylist-input textarea").fill("black casual shoes for men")
        page.locator("#stylist-send").click()
        page.locator("#stylist-cards .stylist-card").first.wait_for(timeout=180_000)
        shown = page.locator("#stylist-cards .stylist-card").evaluate_all(
            "els => els.map(e => e.dataset.productId)"
        )
        assert shown and set(shown) <= ids
        assert page.locator("#stylist-chat .bot").last.inner_text().strip()
        shot(page, "ui-real-stack")
    finally:
        page.close()
