"""Real servers for the web tests: the app under uvicorn, the demo shop on another port, Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from stylist.settings import PROJECT_ROOT, Settings

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


class AppServer:
    """The FastAPI app under a real uvicorn server, in a thread of the test process."""

    def __init__(self, app, port: int) -> None:
        import uvicorn

        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> AppServer:
        self.thread.start()
        wait_http(self.url + "/healthz")
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(15)


@dataclass
class Web:
    app_url: str
    shop_url: str
    fake: object
    settings: Settings


@pytest.fixture(scope="module")
def web(subset_products, tmp_path_factory):
    """The app (scripted stylist, real server, real UI) and the demo shop on a different port."""
    from fake_stylist import FakeStylist

    from stylist.api import create_app

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


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
