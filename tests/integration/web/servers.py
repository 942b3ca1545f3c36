"""Real servers for the web tests: the app under uvicorn in a thread, free ports, screenshots."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from stylist.net import free_port  # noqa: F401 - the web tests import it from here
from stylist.settings import PROJECT_ROOT, Settings

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


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

    def __init__(self, app, port: int, settings: Settings | None = None) -> None:
        import uvicorn

        from stylist.api import server_config

        self.url = f"http://127.0.0.1:{port}"
        served = (settings or Settings()).model_copy(update={"host": "127.0.0.1", "port": port})
        self.server = uvicorn.Server(server_config(app, served))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> AppServer:
        self.thread.start()
        wait_http(self.url + "/healthz")
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(15)


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
