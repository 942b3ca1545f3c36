"""Load benchmark of ``POST /api/chat``: requests/s and p50/p95 latency at 1, 4 and 16 clients.

    python benchmarks/load.py                      # the real stack (vLLM + agent + Chroma)
    python benchmarks/load.py --stack canned-llm   # the real app, agent and Chroma; a canned chat model
    python benchmarks/load.py --url http://host:7860   # a server that is already running

Unless ``--url`` is given, the app is started in a separate process (so the load
generator does not share its interpreter), on loopback, with the per-client rate
limit off (every simulated client comes from 127.0.0.1). Each level runs for
``--seconds`` after a short warm-up; every request is a fresh conversation with a
message drawn from a fixed list. Figures are printed and written to
benchmarks/results/load.json (one entry per stack).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "load.json"

MESSAGES = [
    "a navy blue shirt for the office under 1500 rupees",
    "casual summer t-shirts for women",
    "sports shoes for men under 3000",
    "a black handbag for a party",
    "white sneakers for boys",
    "an ethnic kurta for a wedding",
    "a watch for my father under 5000",
    "blue jeans for women",
]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def _level(
    url: str, clients: int, seconds: float, warmup: float, timeout: float, min_requests: int = 0
) -> dict:
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    counter = 0
    async with httpx.AsyncClient(
        base_url=url, timeout=timeout, limits=httpx.Limits(max_connections=clients)
    ) as http:

        async def worker(stop_at: float, record: bool) -> None:
            nonlocal counter
            # Measured levels also run until ``min_requests`` were sent (slow real-model turns).
            while time.perf_counter() < stop_at or (record and counter - sent_before < min_requests):
                counter += 1
                body = {"message": MESSAGES[counter % len(MESSAGES)]}
                started = time.perf_counter()
                try:
                    r = await http.post("/api/chat", json=body)
                    ok = r.status_code == 200 and bool(r.json().get("answer"))
                    problem = "" if ok else f"HTTP {r.status_code}: {r.text[:120]}"
                except httpx.HTTPError as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                if record:
                    if problem:
                        errors.append(problem)
                    else:
                        latencies.append(time.perf_counter() - started)

        if warmup > 0:
            await asyncio.gather(*(worker(time.perf_counter() + warmup, False) for _ in range(clients)))
        sent_before = counter
        began = time.perf_counter()
        await asyncio.gather(*(worker(began + seconds, True) for _ in range(clients)))
        elapsed = time.perf_counter() - began
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "requests_per_s": round(len(latencies) / elapsed, 2),
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1) if latencies else None,
        "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
    }


def _wait_ready(url: str, process: subprocess.Popen, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with code {process.returncode} before it was ready")
        try:
            ready = httpx.get(url + "/readyz", timeout=3)
            if ready.status_code == 200:
                return
            if ready.json().get("state") == "failed":
                raise RuntimeError(f"the app could not start the stylist: {ready.json().get('detail')}")
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(1.0)
    raise TimeoutError(f"{url}/readyz not ready within {timeout:.0f} s")


def serve(stack: str, port: int) -> None:
    """Run the app in this process (the benchmark starts it as a child process)."""
    import uvicorn

    from stylist.api import create_app
    from stylist.ingestion import ingest_catalog
    from stylist.retrieval import Retriever, StoreEmpty
    from stylist.settings import Settings

    settings = Settings(rate_limit_per_minute=0, port=port)
    try:
        Retriever(settings).snapshot()  # the benchmark uses the store as it is ...
    except StoreEmpty:
        ingest_catalog(settings)  # ... or builds it once
    stylist = None
    if stack == "canned-llm":
        from langchain_core.language_models.fake_chat_models import FakeListChatModel

        from stylist.agent import Stylist

        class CannedChatModel(FakeListChatModel):
            """Always the same short answer: every other part of the turn is real."""

            def bind_tools(self, tools, **kwargs):  # the agent binds its tools; a canned model ignores them
                return self

        class CannedStylist(Stylist):
            def ready(self) -> dict[str, bool]:
                # The canned model lives in this process: only the store needs checking.
                return {**super().ready(), "llm": True}

        model = CannedChatModel(
            responses=["Here are some pieces from the catalog that match what you asked for."]
        )
        stylist = CannedStylist(settings, model, Retriever(settings))
    uvicorn.run(create_app(settings, stylist, ui=False), host="127.0.0.1", port=port, log_level="warning")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="benchmark a running server instead of starting one")
    parser.add_argument("--stack", choices=["real", "canned-llm"], default="real")
    parser.add_argument("--levels", default="1,4,16", help="concurrent clients per level")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per level")
    parser.add_argument(
        "--min-requests",
        type=int,
        default=0,
        help="measured requests per level at least (default: 20 on the real stack, else 0)",
    )
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each level")
    parser.add_argument("--timeout", type=float, default=120.0, help="per-request timeout (s)")
    parser.add_argument("--start-timeout", type=float, default=600.0, help="seconds to wait for the app")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # internal: run the app on this port
    args = parser.parse_args()
    if args.serve:
        serve(args.stack, args.serve)
        return

    process = None
    url = args.url
    if url is None:
        from stylist.net import free_port

        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
        cmd = [sys.executable, __file__, "--stack", args.stack, "--serve", str(port)]
        process = subprocess.Popen(cmd, env=env)
    try:
        if process is not None:
            print(f"starting the app ({args.stack}) on {url} ...", flush=True)
            _wait_ready(url, process, args.start_timeout)
        levels = []
        for clients in (int(n) for n in args.levels.split(",")):
            min_requests = args.min_requests or (20 if args.stack == "real" else 0)
            result = asyncio.run(_level(url, clients, args.seconds, args.warmup, args.timeout, min_requests))
            levels.append(result)
            print(
                f"{clients:>3} clients: {result['requests_per_s']:>7.2f} req/s  p50 {result['p50_ms']} ms  "
                f"p95 {result['p95_ms']} ms  ({result['requests']} ok, {result['errors']} errors)",
                flush=True,
            )
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
    run = {
        "target": args.url or f"app started by the benchmark, stack={args.stack}",
        "levels": levels,
        "zero_errors_at_16": next((lv["errors"] == 0 for lv in levels if lv["clients"] == 16), None),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "settings": {
            "seconds": args.seconds,
            "warmup": args.warmup,
            "min_requests": args.min_requests or (20 if args.stack == "real" else 0),
        },
        "load_avg": os.getloadavg(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    # One entry per stack ("real", "canned-llm", or "url" for --url), so runs sit side by side.
    name = "url" if args.url else args.stack
    runs = json.loads(RESULTS.read_text()).get("runs", {}) if RESULTS.is_file() else {}
    report = {"benchmark": "load", "endpoint": "POST /api/chat", "runs": runs | {name: run}}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS} [{name}]")


if __name__ == "__main__":
    main()
