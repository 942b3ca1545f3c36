"""Soak test: simulated shoppers (locust) against the real stack for many minutes, with every process watched.

    python benchmarks/soak.py --minutes 30            # 16 shoppers, the real stack started here
    python benchmarks/soak.py --minutes 10 --users 16 --url http://127.0.0.1:7860 --pid 1234

The stack (unless ``--url``): the app in a child process (no UI), owning its local vLLM
server, on a copy of the ingested 13k-item store (``.data/chroma``, copied so nothing else
shares it), conversations in a SQLite file, rate limit off (every shopper is 127.0.0.1).
Each simulated shopper holds multi-turn conversations: an opening request, follow-ups on
the same thread ("cheaper", "in black", "the first one", "something to go with it") and,
one conversation in four, a photo of a catalog item uploaded as multipart. Think time 1-3 s.

Reported per minute: requests, errors, p50/p95 latency; sampled every 10 s for the app and
each vLLM process: RSS, open file descriptors and threads. Memory growth compares the
median of the second minute with the median of the last (the first minute holds the
warm-up), and fits a slope. Written to benchmarks/results/soak.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "soak.json"

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


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def photos(n: int = 40) -> list[Path]:
    from stylist.settings import SAMPLE_DATA_DIR

    folder = SAMPLE_DATA_DIR / "catalog" / "images"
    return sorted(folder.glob("*.jpg"))[: n * 50 : 50]


# -- the stack -----------------------------------------------------------------------------------


def start_stack(work: Path, llm_url: str | None) -> tuple[subprocess.Popen, str]:
    from benchmarks.faults import wait_ready
    from stylist.net import free_port

    data = work / "data"
    shutil.copytree(ROOT / ".data" / "chroma", data / "chroma")
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(ROOT),
           "STYLIST_DATA_DIR": str(data), "STYLIST_MODEL_CACHE_DIR": str(ROOT / ".data" / "models"),
           "STYLIST_PORT": str(port), "STYLIST_RATE_LIMIT_PER_MINUTE": "0",
           "STYLIST_CHECKPOINT_DB": str(data / "threads.sqlite")}  # fmt: skip
    for name in ("STYLIST_CHROMA_URL", "STYLIST_LLM_URL"):
        env.pop(name, None)
    if llm_url:
        env["STYLIST_LLM_URL"] = llm_url
    out = (work / "app.log").open("ab")
    proc = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "faults.py"), "--serve"], env=env,
                            stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, 900, proc)
    return proc, url


def sample(pid: int) -> dict[str, dict]:
    """RSS (MB), open fds and threads of the app and each process below it."""
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


# -- the shoppers (locust) --------------------------------------------------------------------------


def run_locust(url: str, users: int, minutes: float, pid: int | None, seed: int) -> dict:
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
            if pid is not None:
                try:
                    samples.append((time.time() - began, sample(pid)))
                except Exception:  # noqa: BLE001 - the app may be gone; the requests will say so
                    pass
            gevent.sleep(10)

    watcher = gevent.spawn(sampler)
    runner.start(users, spawn_rate=max(1, users / 8))
    gevent.sleep(minutes * 60)
    runner.quit()
    watcher.kill()
    return {"records": records, "samples": samples}


# -- the report --------------------------------------------------------------------------------------


def report(records: list, samples: list, minutes: float) -> dict:
    per_minute = []
    for m in range(int(minutes + 0.999)):
        rows = [r for r in records if m * 60 <= r[0] < (m + 1) * 60]
        ok = [r[2] for r in rows if r[3]]
        per_minute.append({"minute": m + 1, "requests": len(rows), "errors": sum(1 for r in rows if not r[3]),
                           "p50_s": round(percentile(ok, 0.5), 2) if ok else None,
                           "p95_s": round(percentile(ok, 0.95), 2) if ok else None})  # fmt: skip
    processes: dict[str, dict] = {}
    names = sorted({k for _, s in samples for k in s})
    for name in names:
        series = [(t, s[name]) for t, s in samples if name in s]
        if len(series) < 3:
            continue
        second = [v["rss_mb"] for t, v in series if 60 <= t < 120] or [series[1][1]["rss_mb"]]
        last_start = series[-1][0] - 60
        last = [v["rss_mb"] for t, v in series if t >= last_start]
        base = statistics.median(second)
        xs, ys = [t / 60 for t, _ in series if t >= 60], [v["rss_mb"] for t, v in series if t >= 60]
        slope = statistics.linear_regression(xs, ys).slope if len(xs) >= 3 and len(set(xs)) > 1 else None
        processes[name] = {
            "rss_mb_minute2": round(base, 1),
            "rss_mb_last_minute": round(statistics.median(last), 1),
            "rss_growth_pct": round(100 * (statistics.median(last) - base) / base, 1) if base else None,
            "rss_slope_mb_per_min": round(slope, 2) if slope is not None else None,
            "fds_first_last": [series[0][1]["fds"], series[-1][1]["fds"]],
            "threads_first_last": [series[0][1]["threads"], series[-1][1]["threads"]],
            # After the warm-up (pools filled): a leak keeps climbing from here, a pool does not.
            "fds_minute2_last": [max(v["fds"] for t, v in series if t < 120), series[-1][1]["fds"]],
            "threads_minute2_last": [
                max(v["threads"] for t, v in series if t < 120),
                series[-1][1]["threads"],
            ],
            "series": [[round(t), v["rss_mb"], v["fds"], v["threads"]] for t, v in series],
        }
    ok = [r[2] for r in records if r[3]]
    errors = [r for r in records if not r[3]]
    return {
        "requests": len(records),
        "errors": len(errors),
        "error_samples": sorted({r[4] for r in errors})[:5],
        "by_kind": {
            name: {
                "requests": sum(1 for r in records if r[1] == name),
                "p50_s": round(percentile([r[2] for r in records if r[1] == name and r[3]], 0.5) or 0, 2),
                "p95_s": round(percentile([r[2] for r in records if r[1] == name and r[3]], 0.95) or 0, 2),
            }
            for name in ("opening", "follow-up", "photo")
        },  # fmt: skip
        "p50_s": round(percentile(ok, 0.5), 2) if ok else None,
        "p95_s": round(percentile(ok, 0.95), 2) if ok else None,
        "per_minute": per_minute,
        "processes": processes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--url", help="soak a running app instead of starting one")
    parser.add_argument("--pid", type=int, help="with --url: the app's pid, to sample its processes")
    parser.add_argument("--llm-url", help="use this vLLM server instead of one the app starts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--label", default="real-stack")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="stylist-soak-"))
    proc = None
    url, pid = args.url, args.pid
    if url is None:
        print("starting the stack (app + its vLLM, a copy of the 13k store) ...", flush=True)
        proc, url = start_stack(work, args.llm_url)
        pid = proc.pid
    started = time.time()
    try:
        print(f"{args.users} shoppers for {args.minutes} minutes against {url}", flush=True)
        raw = run_locust(url, args.users, args.minutes, pid, args.seed)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
    result = report(raw["records"], raw["samples"], args.minutes)
    load = os.getloadavg()
    result = {
        "label": args.label,
        "command": "python benchmarks/soak.py " + " ".join(sys.argv[1:]),
        "machine": f"{platform.node()}, {os.cpu_count()} cores (shared), load at the end {load[0]:.1f}",
        "date": time.strftime("%Y-%m-%d %H:%M", time.localtime(started)),
        "users": args.users,
        "minutes": args.minutes,
        **result,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    for row in result["per_minute"]:
        print(f"minute {row['minute']:>3}: {row['requests']:>4} requests, {row['errors']} errors, "
              f"p50 {row['p50_s']} s, p95 {row['p95_s']} s")  # fmt: skip
    for name, p in result["processes"].items():
        print(f"{name}: RSS {p['rss_mb_minute2']} -> {p['rss_mb_last_minute']} MB ({p['rss_growth_pct']}%), "
              f"fds {p['fds_first_last']}, threads {p['threads_first_last']}")  # fmt: skip
    print(f"{result['requests']} requests, {result['errors']} errors; written to {RESULTS}")


if __name__ == "__main__":
    main()
