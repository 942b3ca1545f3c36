"""The background start of the stylist: states, errors, and closing while it is still starting."""

from __future__ import annotations

import threading

import pytest

from stylist.runtime import NotReady, StylistRuntime


class Closable:
    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def test_given_stylist_is_ready_at_once():
    stylist = Closable()
    runtime = StylistRuntime(stylist)
    assert runtime.state == "ready" and runtime.get() is stylist and runtime.notice() == ""
    runtime.close()
    assert stylist.closed == 1
    with pytest.raises(NotReady):
        runtime.get()


def test_background_build_starting_then_ready():
    release, built = threading.Event(), Closable()
    runtime = StylistRuntime(factory=lambda: (release.wait(10), built)[1])
    runtime.start()
    assert runtime.state == "starting" and "starting" in runtime.notice()
    with pytest.raises(NotReady) as exc:
        runtime.get()
    assert exc.value.state == "starting"
    release.set()
    assert runtime.wait(10) and runtime.get() is built


def test_failed_build_is_reported():
    def boom():
        raise RuntimeError("vLLM did not start")

    runtime = StylistRuntime(factory=boom)
    runtime.start()
    assert not runtime.wait(10)
    assert runtime.state == "failed" and "vLLM did not start" in runtime.notice()
    with pytest.raises(NotReady, match="failed to start: RuntimeError: vLLM did not start"):
        runtime.get()


def test_closing_while_starting_closes_the_stylist_when_the_build_ends():
    release, built = threading.Event(), Closable()
    runtime = StylistRuntime(factory=lambda: (release.wait(10), built)[1])
    runtime.start()
    runtime.close()  # Ctrl-C while vLLM is still starting
    release.set()
    runtime.wait(10)
    assert built.closed == 1 and runtime.state == "starting"  # never handed out after close
    with pytest.raises(ValueError):
        StylistRuntime()
