"""Load benchmark of ``POST /api/chat``: requests/s and p50/p95 latency at 1, 4 and 16 clients.

    python benchmarks/load.py                      # the real stack (vLLM + agent + Chroma)
    python benchmarks/load.py --stack canned-llm   # the real app, agent and Chroma; a canned chat model
    python benchmarks/load.py --url http://host:7860   # a server that is already running

Unless ``--url`` is given, the app is started in a separate process (``benchmarks/stack.py``,
so the load generator does not share its interpreter), on loopback, with the per-client rate
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
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.stack import App, percentile  # noqa: E402

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
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
    }


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
    args = parser.parse_args()

    # The app on the store as it is (.data, or STYLIST_DATA_DIR), built once when empty.
    app = None if args.url else App({k: v for k, v in os.environ.items() if k.startswith("STYLIST_")},
                                    stack=args.stack)  # fmt: skip
    url = args.url or app.url
    try:
        if app is not None:
            print(f"starting the app ({args.stack}) on {url} ...", flush=True)
            app.start(args.start_timeout)
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
        if app is not None:
            app.stop()
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
