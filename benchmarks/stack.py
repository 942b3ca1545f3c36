"""What the load, soak and faults benchmarks share: the app in a child process, readiness, percentiles,
and a look at every process of the stack.

    python benchmarks/stack.py --serve                     # the app as configured by STYLIST_* (internal)
    python benchmarks/stack.py --serve --stack canned-llm  # the real app, agent and store; a canned model

:class:`App` starts the app (no UI) in a child process on a free loopback port with the rate
limit off (every simulated shopper is 127.0.0.1), configured by environment; ``--serve`` is
what that child runs. :func:`processes` reads RSS, open file descriptors and threads of the app
and each process below it (its vLLM server); with ``STYLIST_BENCH_THREADS`` set, the served app
also writes its Python threads by name to that file every few seconds (:func:`thread_census`),
so a benchmark can say which pool the threads belong to.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Offline, no telemetry, this checkout first; no stylist setting inherited from the caller's shell.
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
       "PYTHONPATH": str(ROOT)}  # fmt: skip
for _name in ("STYLIST_LLM_URL", "STYLIST_CHROMA_URL", "STYLIST_CHECKPOINT_DB", "STYLIST_DATA_DIR"):
    ENV.pop(_name, None)


def percentile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (nearest rank) of ``values``; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def wait_ready(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    """Wait until ``url/readyz`` answers 200; fail early when the app exits or reports a failed start."""
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode}")
        try:
            r = httpx.get(url + "/readyz", timeout=3)
            if r.status_code == 200:
                return
            if r.json().get("state") == "failed":
                raise RuntimeError(f"the app could not start the stylist: {r.json().get('detail')}")
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(1)
    raise TimeoutError(f"{url} not ready in {timeout:.0f} s")


class App:
    """The app (no UI) in a child process, configured by ``env`` (``STYLIST_*``), on a free port.

    Args:
        env: settings for the app, over :data:`ENV`.
        log_path: where its output goes (None: inherited).
        stack: ``real``, or ``canned-llm`` (a canned chat model in the app's process).
    """

    def __init__(self, env: dict[str, str], log_path: Path | None = None, stack: str = "real") -> None:
        from stylist.net import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**ENV, **env, "STYLIST_PORT": str(self.port), "STYLIST_RATE_LIMIT_PER_MINUTE": "0"}
        self.log_path = log_path
        self.stack = stack
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def start(self, timeout: float = 600) -> float:
        """Start the app and wait until it is ready; returns the seconds it took."""
        began = time.monotonic()
        out = self.log_path.open("ab") if self.log_path is not None else None
        cmd = [sys.executable, __file__, "--serve", "--stack", self.stack]
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT if out else None)
        wait_ready(self.url, timeout, self.proc)
        return round(time.monotonic() - began, 1)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def tail(self, lines: int = 30) -> str:
        if self.log_path is None:
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def processes(pid: int) -> dict[str, dict]:
    """RSS (MB), open fds and threads of the app ``pid`` and each process below it, by name."""
    import psutil

    out = {}
    root = psutil.Process(pid)
    for proc in [root, *root.children(recursive=True)]:
        try:
            with proc.oneshot():
                cmd = " ".join(proc.cmdline())
                name = "app" if proc.pid == pid else ("vllm-api" if "api_server" in cmd else proc.name())
                key = name if name not in out else f"{name}-{proc.pid}"
                out[key] = {"rss_mb": round(proc.memory_info().rss / 2**20, 1), "fds": proc.num_fds(),
                            "threads": proc.num_threads()}  # fmt: skip
        except psutil.Error:
            continue
    return out


def thread_census() -> dict[str, int]:
    """This process's Python threads by name, numbers dropped ("ThreadPoolExecutor-12_3" -> "ThreadPoolExecutor")."""
    names = Counter(re.sub(r"[-_ ]?\d+(_\d+)?$", "", t.name) or t.name for t in threading.enumerate())
    return dict(names.most_common())


def _write_census(path: Path, every: float = 5.0) -> None:
    def loop() -> None:
        while True:
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"t": time.time(), "threads": thread_census()}))
            tmp.replace(path)
            time.sleep(every)

    threading.Thread(target=loop, name="bench-thread-census", daemon=True).start()


def serve(stack: str = "real") -> None:
    """Run the app in this process (``--serve``), configured by ``STYLIST_*``; a store left empty is built once."""
    import uvicorn

    from stylist.api import create_app, server_config
    from stylist.settings import Settings

    settings = Settings()
    if os.environ.get("STYLIST_BENCH_THREADS"):
        _write_census(Path(os.environ["STYLIST_BENCH_THREADS"]))
    stylist = None
    if stack == "canned-llm":
        from langchain_core.language_models.fake_chat_models import FakeListChatModel

        from stylist.agent import Stylist
        from stylist.ingestion import ingest_catalog
        from stylist.retrieval import Retriever, StoreEmpty

        class CannedChatModel(FakeListChatModel):
            """Always the same short answer: every other part of the turn is real."""

            def bind_tools(self, tools, **kwargs):  # noqa: ANN001, ANN003 - the agent binds tools; ignored
                return self

        class CannedStylist(Stylist):
            def ready(self) -> dict[str, bool]:
                # The canned model lives in this process: only the store needs checking.
                return {**super().ready(), "llm": True}

        try:
            Retriever(settings).snapshot()  # the benchmark uses the store as it is ...
        except StoreEmpty:
            ingest_catalog(settings)  # ... or builds it once
        model = CannedChatModel(
            responses=["Here are some pieces from the catalog that match what you asked for."]
        )
        stylist = CannedStylist(settings, model, Retriever(settings))
    app = create_app(settings, stylist, ui=False)
    uvicorn.Server(server_config(app, settings)).run()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--serve", action="store_true", help="run the app in this process")
    parser.add_argument("--stack", choices=["real", "canned-llm"], default="real")
    args = parser.parse_args()
    if not args.serve:
        parser.error("nothing to do: this module is what the benchmarks share (see --help)")
    serve(args.stack)


if __name__ == "__main__":
    main()
