"""First start (`python app.py` on an empty data folder): the page answers at once and shows the progress.

The app runs as a child process, as ``make run`` starts it, on the tiny catalog with an empty
data folder: the catalog, its photos and the trends must be prepared behind the page. The
language model is the session's vLLM server (``STYLIST_LLM_URL``), so no second server starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from stylist.net import free_port
from stylist.settings import PROJECT_ROOT
from tests.tiny_catalog import write_tiny_catalog

pytestmark = pytest.mark.integration


def test_the_page_answers_at_once_and_shows_the_preparation(vllm_url, tmp_path):
    catalog = write_tiny_catalog(tmp_path / "catalog")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "STYLIST_DATA_DIR": str(tmp_path / "data"), "STYLIST_CATALOG_PATH": str(catalog),
           "STYLIST_LLM_URL": vllm_url, "STYLIST_PORT": str(port), "PYTHONPATH": str(PROJECT_ROOT)}  # fmt: skip
    log = (tmp_path / "app.log").open("wb")
    began = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "app.py")], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        page = None
        while time.monotonic() - began < 60 and page is None:
            try:
                page = httpx.get(url + "/", timeout=5)
            except httpx.HTTPError:
                time.sleep(0.2)
        first_answer_s = time.monotonic() - began
        assert page is not None and page.status_code == 200, (tmp_path / "app.log").read_text()[-2000:]
        seen_states: set[tuple[str, str]] = set()
        while time.monotonic() - began < 300:
            try:
                r = httpx.get(url + "/readyz", timeout=10)
            except httpx.HTTPError as exc:
                log.flush()
                pytest.fail(
                    f"{exc!r}; app exit code {proc.poll()}:\n" + (tmp_path / "app.log").read_text()[-3000:]
                )
            if r.status_code == 200:
                break
            body = r.json()
            assert body["state"] == "starting", body
            seen_states |= {(s["name"], s["state"]) for s in body["progress"]}
            time.sleep(0.3)
        else:
            pytest.fail("not ready within 300 s:\n" + (tmp_path / "app.log").read_text()[-2000:])
        ready_s = time.monotonic() - began
        # The page answered while the catalog was still being prepared, and said so.
        assert ("catalog", "running") in seen_states, seen_states
        assert first_answer_s < ready_s
        reply = httpx.post(url + "/api/chat", json={"message": "a navy shirt for men"}, timeout=180)
        assert reply.status_code == 200 and reply.json()["products"], reply.text
        print(f"page answered after {first_answer_s:.1f} s, ready after {ready_s:.1f} s")
    finally:
        proc.terminate()
        proc.wait(60)
        log.close()
