"""Fixtures for the web tests: the app (scripted stylist) and the demo shop on another port, Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from stylist.settings import PROJECT_ROOT, Settings
from tests.integration.web.servers import CHROMIUM, CHROMIUM_ARGS, AppServer, free_port, wait_http


@dataclass
class Web:
    app_url: str
    shop_url: str
    fake: object
    settings: Settings


@pytest.fixture(scope="module")
def web(subset_products, tmp_path_factory):
    """The app (scripted stylist, real server, real UI) and the demo shop on a different port."""
    from stylist.api import create_app
    from tests.fake_stylist import FakeStylist

    app_port, shop_port = free_port(), free_port()
    shop_url = f"http://127.0.0.1:{shop_port}"
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("web"),
        port=app_port,
        allowed_origins=[shop_url],
        rate_limit_per_minute=0,
    )
    fake = FakeStylist(subset_products, delay_s=0.06)
    shop = subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "examples/shop/serve.py"), "--port", str(shop_port),
         "--app", f"http://127.0.0.1:{app_port}"],
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )  # fmt: skip
    try:
        with AppServer(create_app(settings, fake), app_port) as server:
            wait_http(shop_url + "/")
            yield Web(server.url, shop_url, fake, settings)
    finally:
        shop.terminate()
        shop.wait(10)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    yield page
    context.close()
