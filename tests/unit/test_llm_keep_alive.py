"""The local vLLM server is restarted when it dies (``LLMServer.keep_alive``), with a scripted stand-in."""

from __future__ import annotations

import os
import signal
import time

import pytest

from stylist.llm import LLMServer, check_llm
from stylist.settings import Settings
from tests.unit.test_llm_server import fake_model, use_fake_server  # noqa: F401 - fixture


def wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_killed_server_is_restarted_on_the_same_port(monkeypatch: pytest.MonkeyPatch, fake_model) -> None:  # noqa: F811
    calls = use_fake_server(monkeypatch, "ok")
    server = LLMServer(Settings(llm_port=0), model_dir=fake_model)
    url = server.start(timeout=20)
    server.keep_alive(interval=0.2)
    try:
        first = server.process.pid
        os.killpg(first, signal.SIGKILL)  # the whole group, as the OOM killer or kill -9 would
        assert wait_for(lambda: server.restarts == 1 and check_llm(url)), server.log_tail()
        assert server.url == url and server.process.pid != first
        assert [port for _, port in calls] == [server.port, server.port]
    finally:
        server.stop()
    assert not check_llm(url)
    time.sleep(0.6)  # a stopped server stays stopped: the watcher ended with stop()
    assert server.process is None and server.restarts == 1
