"""The stylist behind the web app: built in the background so the page is up while the model starts.

The API and the UI ask :class:`StylistRuntime` for the stylist; while it is still
starting they show a notice (UI) or answer 503 with Retry-After (API) instead of
blocking a request for minutes.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

from stylist.errors import NotReady

if TYPE_CHECKING:
    from stylist.agent import Stylist
    from stylist.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Step:
    """One step of getting ready (the model, the catalog, the photos, the trends, the model server)."""

    name: str
    label: str
    state: Literal["waiting", "running", "done", "skipped", "failed"] = "waiting"
    detail: str = ""
    started: float | None = None
    ended: float | None = None

    def line(self) -> str:
        mark = {"waiting": "·", "running": "⏳", "done": "✓", "skipped": "✓", "failed": "✗"}[self.state]
        took = ""
        if self.started is not None:
            took = f" ({(self.ended or time.monotonic()) - self.started:.0f} s)"
        detail = f": {self.detail}" if self.detail else ""
        return f"{mark} {self.label}{detail}{took if self.state in ('running', 'done') else ''}"


class StylistRuntime:
    """Holds a ready stylist, or builds one with ``factory`` in a background thread.

    A factory reports its progress with :meth:`step` (shown by :meth:`notice` and ``/readyz``).
    """

    def __init__(self, stylist: Any | None = None, factory: Callable[[], Any] | None = None) -> None:
        if stylist is None and factory is None:
            raise ValueError("give a stylist or a factory that builds one")
        self._stylist = stylist
        self._factory = factory
        self._error: str | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.steps: list[Step] = []

    def step(self, name: str, label: str | None = None, state: str = "running", detail: str = "") -> None:
        """Record the progress of step ``name`` (added on first report; also printed for the console)."""
        with self._lock:
            current = next((x for x in self.steps if x.name == name), None)
            if current is None:
                current = Step(name, label or name)
                self.steps.append(current)
            if label:
                current.label = label
            if state == "running" and current.started is None:
                current.started = time.monotonic()
            if state in ("done", "failed", "skipped") and current.ended is None:
                current.ended = time.monotonic()
            current.state = state  # type: ignore[assignment]
            current.detail = detail
        print(f"[{state}] {current.line()}", file=sys.stderr, flush=True)

    def progress(self) -> list[dict[str, Any]]:
        """The steps as plain dicts (for ``/readyz``)."""
        with self._lock:
            return [
                {k: v for k, v in asdict(x).items() if k in ("name", "label", "state", "detail")}
                | {"seconds": round((x.ended or time.monotonic()) - x.started, 1) if x.started else None}
                for x in self.steps
            ]

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
            for step in self.steps:
                if step.state == "running":
                    self.step(
                        step.name, state="failed", detail=str(exc).splitlines()[0][:200] if str(exc) else ""
                    )
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
        if not self.steps:
            return (
                "The stylist is starting: the language model is loading. "
                "This page works as soon as it is ready."
            )
        with self._lock:
            lines = "\n".join(f"- {x.line()}" for x in self.steps)
        return (
            "The stylist is getting ready (a first start prepares the model, the catalog and its photos; "
            f"later starts take about a minute). This page works as soon as it is ready.\n\n{lines}"
        )

    def close(self) -> None:
        """Close the stylist (stopping a vLLM server it owns); a build still running closes when done."""
        with self._lock:
            self._closed = True
            stylist, self._stylist = self._stylist, None
        if stylist is not None and hasattr(stylist, "close"):
            stylist.close()


def prepare(settings: Settings, runtime: StylistRuntime) -> None:
    """What a first start needs before the stylist can answer, each step reported on ``runtime``.

    The served model (converted once, then reused), the catalog and its photos in the store
    (incremental: unchanged items are kept), and the trend forecasts (made once). A catalog
    or trend problem is reported and the app starts on the store as it was.
    """
    from stylist.catalog import CatalogError
    from stylist.errors import DiskFull
    from stylist.trends.data import TrendDataError

    if settings.llm_url is None:
        runtime.step("model", "Language model", "running", "preparing (the first start converts it)")
        from stylist.llm import serving_model

        serving_model(settings)
        runtime.step("model", state="done", detail="ready")
    else:
        runtime.step("model", "Language model", "skipped", f"served at {settings.llm_url}")

    from stylist.ingestion import ingest_catalog, update_trend_forecasts
    from vectorstore.client import connect, live_build

    runtime.step("catalog", "Catalog and photos", "running", "loading into the vector store")
    runtime.step("trends", "Trend forecasts", "waiting")
    runtime.step("server", "Model server", "waiting")

    def note(line: str) -> None:
        print(line, file=sys.stderr, flush=True)
        runtime.step("catalog", state="running", detail=line.strip()[:120])

    try:
        report = ingest_catalog(settings, log=note).to_dict()
    except (CatalogError, DiskFull) as exc:  # the app still starts, on the store as it was
        runtime.step("catalog", state="failed", detail=str(exc).splitlines()[0][:200])
    else:
        print(json.dumps(report), flush=True)
        summary = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in report.items() if isinstance(v, int))
        runtime.step("catalog", state="done", detail=summary[:200])
    if live_build(connect(settings), settings.trends_collection) is not None:
        runtime.step("trends", state="skipped", detail="kept (`stylist trends update` refreshes them)")
        return
    runtime.step("trends", state="running", detail="forecasting the catalog's trends (first start only)")
    try:
        forecast = update_trend_forecasts(settings)
    except (CatalogError, TrendDataError) as exc:
        runtime.step("trends", state="failed", detail=str(exc).splitlines()[0][:200])
    else:
        for line in forecast.pop("notes", []):
            print(f"note: {line}", file=sys.stderr, flush=True)
        runtime.step("trends", state="done", detail=f"{len(forecast)} figures")
