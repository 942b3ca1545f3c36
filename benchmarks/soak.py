"""Soak test: simulated shoppers (locust) against the real stack for many minutes, with every process watched.

    python benchmarks/soak.py --minutes 30            # 16 shoppers, the real stack started here
    python benchmarks/soak.py --minutes 10 --users 16 --url http://127.0.0.1:7860 --pid 1234

The stack (unless ``--url``): the app (``benchmarks/stack.py``, no UI) owning its local vLLM
server, on a copy of the ingested 13k-item store (``.data/chroma``, copied so nothing else
shares it), conversations in a SQLite file, rate limit off (every shopper is 127.0.0.1).
Each simulated shopper holds multi-turn conversations: an opening request, follow-ups on
the same thread ("cheaper", "in black", "the first one", "something to go with it") and,
one conversation in four, a photo of a catalog item uploaded as multipart. Think time 1-3 s.

Reported per minute: requests, errors, p50/p95 latency. Sampled every 10 s for the app and
each vLLM process: RSS, open file descriptors and threads, and the app's Python threads by
name. RSS growth compares the median of the minute after the warm-up (``--warmup``) with the
median of the last minute (the issue's limit: 10%), with slopes over the whole run after the
warm-up and over its last third (a cache that fills up flattens there, a leak does not).
After the shoppers stop, the stack is sampled until it is idle: a pool that grew with the
load gives its threads back then, a leak keeps them. Written to benchmarks/results/soak.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.stack import ROOT, App, percentile, processes  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "soak.json"
GROWTH_LIMIT_PCT = 10.0

OPENINGS = [
    "a navy blue shirt for men for the office under 1500",
    "casual summer t-shirts for women",
    "sports shoes for men under 3000",
    "a black handbag for a party",
    "white sneakers for boys",
    "an ethnic kurta for a wedding, I'm a woman, budget 2500",
    "a watch for my father under 5000",
    "blue jeans for women",
    "a summer wedding outfit for women under 4000",
    "formal shoes for men in brown",
    "is wide-leg denim still in for women?",
    "something for my husband's birthday under 2000",
]
FOLLOW_UPS = ["cheaper", "in black", "the first one but in blue", "something to go with it", "show me other ones",
              "what about shoes for it?", "any under 1000?"]  # fmt: skip


def photos(n: int = 40) -> list[Path]:
    from stylist.settings import SAMPLE_DATA_DIR

    return sorted((SAMPLE_DATA_DIR / "catalog" / "images").glob("*.jpg"))[: n * 50 : 50]


def snapshot(pid: int | None, census: Path | None) -> dict:
    """One sample: every process of the stack, and the app's Python threads by name when known."""
    out: dict = {"processes": processes(pid) if pid is not None else {}}
    if census is not None and census.exists():
        try:
            out["app_threads_by_name"] = json.loads(census.read_text())["threads"]
        except (ValueError, KeyError, OSError):
            pass
    return out


# -- the shoppers (locust) --------------------------------------------------------------------------


def run_locust(url: str, users: int, minutes: float, sample, seed: int) -> dict:
    import gevent
    from locust import HttpUser, between, events, task
    from locust.env import Environment

    rng = random.Random(seed)
    pictures = [p.read_bytes() for p in photos()]
    records: list[tuple[float, str, float, bool, str]] = []
    samples: list[tuple[float, dict]] = []
    began = time.time()

    @events.request.add_listener
    def on_request(request_type, name, response_time, response_length, exception=None, **_kw):  # noqa: ANN001
        records.append((time.time() - began, name, response_time / 1000.0, exception is None,
                        "" if exception is None else str(exception)[:160]))  # fmt: skip

    class Shopper(HttpUser):
        wait_time = between(1, 3)
        host = url

        def turn(self, name: str, thread: str | None, message: str, photo: bytes | None = None) -> str | None:
            data = {"message": message, **({"thread_id": thread} if thread else {})}
            kwargs = (
                {"data": data, "files": {"image": ("photo.jpg", photo, "image/jpeg")}}
                if photo
                else {"json": data}
            )
            with self.client.post("/api/chat", name=name, timeout=300, catch_response=True, **kwargs) as r:
                if r.status_code != 200:
                    r.failure(f"HTTP {r.status_code}: {r.text[:120]}")
                    return thread
                body = r.json()
                if not str(body.get("answer") or "").strip():
                    r.failure("empty answer")
                return body.get("thread_id") or thread

        @task
        def conversation(self) -> None:
            photo = rng.choice(pictures) if rng.random() < 0.25 else None
            if photo is not None:
                thread = self.turn("photo", None, "something like this", photo)
            else:
                thread = self.turn("opening", None, rng.choice(OPENINGS))
            for _ in range(rng.randint(1, 3)):
                gevent.sleep(rng.uniform(1, 3))
                thread = self.turn("follow-up", thread, rng.choice(FOLLOW_UPS))

    env = Environment(user_classes=[Shopper], events=events)
    runner = env.create_local_runner()

    def sampler() -> None:
        while True:
            try:
                samples.append((time.time() - began, sample()))
            except Exception:  # noqa: BLE001 - the app may be gone; the requests will say so
                pass
            gevent.sleep(10)

    watcher = gevent.spawn(sampler)
    runner.start(users, spawn_rate=max(1, users / 8))
    gevent.sleep(minutes * 60)
    runner.quit()
    watcher.kill()
    return {"records": records, "samples": samples}


def idle_after(sample, seconds: float = 180.0) -> dict:
    """Sample every 5 s after the shoppers stopped until the app is idle, or ``seconds``.

    Idle: no turn's thread pool left (from the app's thread census; AnyIO's request workers stay,
    a pool of at most 40 reused by the next requests and pruned only when one comes), or, without
    a census, the same thread count for 20 s after the first minute. Turns cut off by the stop
    still finish in the app first.
    """
    rows, began = [], time.monotonic()
    while time.monotonic() - began < seconds:
        time.sleep(5)
        rows.append(sample())
        named = rows[-1].get("app_threads_by_name")
        if named is not None and "ThreadPoolExecutor" not in named:
            break
        threads = [r["processes"].get("app", {}).get("threads") for r in rows[-4:]]
        if named is None and len(threads) == 4 and len(set(threads)) == 1 and time.monotonic() - began > 60:
            break
    return {"seconds": round(time.monotonic() - began), **rows[-1]} if rows else {}


# -- the report --------------------------------------------------------------------------------------


def slope(points: list[tuple[float, float]]) -> float | None:
    xs, ys = [t for t, _ in points], [v for _, v in points]
    if len(xs) < 3 or len(set(xs)) < 2:
        return None
    return round(statistics.linear_regression(xs, ys).slope, 2)


def report(records: list, samples: list, minutes: float, warmup: float, idle: dict) -> dict:
    per_minute = []
    for m in range(int(minutes + 0.999)):
        rows = [r for r in records if m * 60 <= r[0] < (m + 1) * 60]
        ok = [r[2] for r in rows if r[3]]
        per_minute.append({"minute": m + 1, "requests": len(rows), "errors": sum(1 for r in rows if not r[3]),
                           "p50_s": round(percentile(ok, 0.5), 2) if ok else None,
                           "p95_s": round(percentile(ok, 0.95), 2) if ok else None})  # fmt: skip
    procs: dict[str, dict] = {}
    w0 = warmup * 60
    for name in sorted({k for _, s in samples for k in s["processes"]}):
        series = [(t, s["processes"][name]) for t, s in samples if name in s["processes"]]
        after = [(t, v) for t, v in series if t >= w0]
        if len(series) < 3 or len(after) < 3:
            continue
        base = statistics.median([v["rss_mb"] for t, v in after if t < w0 + 60])
        last = statistics.median([v["rss_mb"] for t, v in series if t >= series[-1][0] - 60])
        rss = [(t / 60, v["rss_mb"]) for t, v in after]
        third = [(m, v) for m, v in rss if m >= rss[-1][0] - (rss[-1][0] - rss[0][0]) / 3]
        growth = round(100 * (last - base) / base, 1) if base else None
        quiet = (idle.get("processes") or {}).get(name, {})
        procs[name] = {
            "rss_mb_after_warmup": round(base, 1),
            "rss_mb_last_minute": round(last, 1),
            "rss_growth_pct": growth,
            "within_10pct": growth is not None and growth <= GROWTH_LIMIT_PCT,
            "rss_slope_mb_per_min": slope(rss),
            "rss_slope_last_third_mb_per_min": slope(third),
            # A pool that grows with the load is full after the warm-up and gives threads back when idle;
            # a leak keeps climbing and keeps them.
            "fds": {"start": series[0][1]["fds"], "after_warmup": max(v["fds"] for t, v in series if t < w0 + 60),
                    "end": series[-1][1]["fds"], "idle_after": quiet.get("fds")},
            "threads": {"start": series[0][1]["threads"],
                        "after_warmup": max(v["threads"] for t, v in series if t < w0 + 60),
                        "max": max(v["threads"] for _, v in series), "end": series[-1][1]["threads"],
                        "idle_after": quiet.get("threads")},
            "series": [[round(t), v["rss_mb"], v["fds"], v["threads"]] for t, v in series],
        }  # fmt: skip
    named = [s.get("app_threads_by_name") for _, s in samples if s.get("app_threads_by_name")]
    busiest = max(named, key=lambda n: sum(n.values()), default=None)
    ok = [r[2] for r in records if r[3]]
    errors = [r for r in records if not r[3]]
    by_kind = {}
    for kind in ("opening", "follow-up", "photo"):
        lat = [r[2] for r in records if r[1] == kind and r[3]]
        by_kind[kind] = {"requests": sum(1 for r in records if r[1] == kind),
                         "p50_s": round(percentile(lat, 0.5) or 0, 2), "p95_s": round(percentile(lat, 0.95) or 0, 2)}  # fmt: skip
    return {
        "requests": len(records),
        "errors": len(errors),
        "error_samples": sorted({r[4] for r in errors})[:5],
        "by_kind": by_kind,
        "p50_s": round(percentile(ok, 0.5), 2) if ok else None,
        "p95_s": round(percentile(ok, 0.95), 2) if ok else None,
        "per_minute": per_minute,
        "processes": procs,
        "app_threads_by_name": {"busiest": busiest, "idle_after": idle.get("app_threads_by_name")},
        "idle_after_s": idle.get("seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=2.0, help="minutes left out of the growth figures")
    parser.add_argument("--url", help="soak a running app instead of starting one")
    parser.add_argument("--pid", type=int, help="with --url: the app's pid, to sample its processes")
    parser.add_argument("--llm-url", help="use this vLLM server instead of one the app starts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--label", default="real-stack")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="stylist-soak-"))
    app, census = None, None
    url, pid = args.url, args.pid
    if url is None:
        print("starting the stack (app + its vLLM, a copy of the 13k store) ...", flush=True)
        data, census = work / "data", work / "threads.json"
        shutil.copytree(ROOT / ".data" / "chroma", data / "chroma")
        env = {"STYLIST_DATA_DIR": str(data), "STYLIST_MODEL_CACHE_DIR": str(ROOT / ".data" / "models"),
               "STYLIST_CHECKPOINT_DB": str(data / "threads.sqlite"), "STYLIST_BENCH_THREADS": str(census),
               **({"STYLIST_LLM_URL": args.llm_url} if args.llm_url else {})}  # fmt: skip
        app = App(env, work / "app.log")
        app.start(900)
        url, pid = app.url, app.pid
    started = time.time()

    def sample() -> dict:
        return snapshot(pid, census)

    try:
        print(f"{args.users} shoppers for {args.minutes} minutes against {url}", flush=True)
        raw = run_locust(url, args.users, args.minutes, sample, args.seed)
        (work / "raw.json").write_text(json.dumps(raw))  # kept in case the report fails
        print(
            f"shoppers stopped (raw figures in {work}); sampling the stack until it is idle ...", flush=True
        )
        idle = idle_after(sample) if pid is not None else {}
    finally:
        if app is not None:
            app.stop()
    load = os.getloadavg()
    result = {
        "label": args.label,
        "command": "python benchmarks/soak.py " + " ".join(sys.argv[1:]),
        "machine": f"{platform.node()}, {os.cpu_count()} cores (shared), load at the end {load[0]:.1f}",
        "date": time.strftime("%Y-%m-%d %H:%M", time.localtime(started)),
        "users": args.users,
        "minutes": args.minutes,
        "warmup_minutes": args.warmup,
        **report(raw["records"], raw["samples"], args.minutes, args.warmup, idle),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    for row in result["per_minute"]:
        print(f"minute {row['minute']:>3}: {row['requests']:>4} requests, {row['errors']} errors, "
              f"p50 {row['p50_s']} s, p95 {row['p95_s']} s")  # fmt: skip
    for name, p in result["processes"].items():
        print(f"{name}: RSS {p['rss_mb_after_warmup']} -> {p['rss_mb_last_minute']} MB ({p['rss_growth_pct']}%, "
              f"slope {p['rss_slope_mb_per_min']} MB/min, last third {p['rss_slope_last_third_mb_per_min']}), "
              f"fds {p['fds']}, threads {p['threads']}")  # fmt: skip
    print(f"app threads by name: {result['app_threads_by_name']}")
    print(f"{result['requests']} requests, {result['errors']} errors; written to {args.out}")


if __name__ == "__main__":
    main()
