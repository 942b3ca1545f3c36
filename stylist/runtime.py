"""The stylist behind the web app: built in the background so the page is up while the model starts.

The API and the UI ask :class:`StylistRuntime` for the stylist; while it is still
starting they show a notice (UI) or answer 503 with Retry-After (API) instead of
blocking a request for minutes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from stylist.errors import NotReady

if TYPE_CHECKING:
    from stylist.agent import Stylist

log = logging.getLogger(__name__)


class StylistRuntime:
    """Holds a ready stylist, or builds one with ``factory`` in a background thread."""

    def __init__(self, stylist: Any | None = None, factory: Callable[[], Any] | None = None) -> None:
        if stylist is None and factory is None:
            raise ValueError("give a stylist or a factory that builds one")
        self._stylist = stylist
        self._factory = factory
        self._error: str | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def start(self) -> None:
        """Begin building the stylist (no-op when it was given or is already building)."""
        with self._lock:
            if self._stylist is not None or self._thread is not None:
                return
            self._thread = threading.Thread(target=self._build, name="stylist-start", daemon=True)
            self._thread.start()

    def _build(self) -> None:
        assert self._factory is not None
        try:
            stylist = self._factory()
        except Exception as exc:  # noqa: BLE001 - any start failure is reported on /readyz and in the UI
            log.exception("the stylist failed to start")
            self._error = f"{type(exc).__name__}: {exc}"
            return
        with self._lock:
            closed = self._closed
            self._stylist = None if closed else stylist
        if closed:
            # The app stopped while the model was starting: stop what the build started.
            stylist.close()

    @property
    def state(self) -> Literal["ready", "starting", "failed"]:
        if self._stylist is not None:
            return "ready"
        return "failed" if self._error else "starting"

    @property
    def error(self) -> str | None:
        return self._error

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the build finished (or ``timeout``); True when ready."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.state == "ready"

    def get(self) -> Stylist:
        """The ready stylist, or :class:`NotReady`."""
        if self._stylist is not None:
            return self._stylist
        if self._error:
            raise NotReady("failed", f"the stylist failed to start: {self._error}")
        raise NotReady(
            "starting", "the stylist is starting (the language model is loading); try again shortly"
        )

    def notice(self) -> str:
        """A line for the UI: empty when ready."""
        if self.state == "ready":
            return ""
        if self.state == "failed":
            return f"The stylist could not start: {self._error}"
        return (
            "The stylist is starting: the language model is loading. This page works as soon as it is ready."
        )

    def close(self) -> None:
        """Close the stylist (stopping a vLLM server it owns); a build still running closes when done."""
        with self._lock:
            self._closed = True
            stylist, self._stylist = self._stylist, None
        if stylist is not None and hasattr(stylist, "close"):
            stylist.close()
