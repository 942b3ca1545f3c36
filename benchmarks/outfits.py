"""What outfit planning costs: the search tool with and without it, on the benchmark's occasion turns.

An occasion request without an item ("a summer wedding outfit, budget 3000") is answered with an
outfit planned piece by piece (several catalog searches) instead of one search. This times
``search_catalog``'s work both ways on the same requests, interleaved in one run on the real store
(no model: the model's part of a turn is the same either way), and relates the extra time to the
p50 turn time the conversation benchmark measured (``benchmarks/results/conversations.json``).

    python benchmarks/outfits.py [--repeat 3] [--label NAME]

Writes ``benchmarks/results/outfits.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results" / "outfits.json"


def occasion_turns() -> list[str]:
    """The first turn of every occasion conversation of the conversation benchmark."""
    import yaml

    turns = []
    for path in sorted((ROOT / "benchmarks" / "data").glob("conversations*.yaml")):
        for conv in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if conv.get("category") == "occasion" and conv.get("turns"):
                turns.append(str(conv["turns"][0]["say"]))
    return turns


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="timings per request and way")
    ap.add_argument("--label", default="default")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    from stylist.retrieval import Retriever
    from stylist.settings import Settings
    from stylist.tools import SearchCatalogArgs, search_products

    retriever = Retriever(Settings())
    requests = occasion_turns()
    planned = 0
    on: list[float] = []
    off: list[float] = []
    search_products(retriever, SearchCatalogArgs(query="warm-up"))  # loads the store and the embedder
    for text in requests:
        for _ in range(args.repeat):
            for outfits, times in ((True, on), (False, off)):
                started = time.perf_counter()
                _, artifact = search_products(retriever, SearchCatalogArgs(query=text), outfits)
                times.append((time.perf_counter() - started) * 1000)
                planned += bool(outfits and artifact.get("outfit"))
    turn_p50 = None
    conv = ROOT / "benchmarks" / "results" / "conversations.json"
    if conv.is_file():
        runs = json.loads(conv.read_text(encoding="utf-8")).get("runs", {})
        for run in sorted(runs.values(), key=lambda r: r.get("measured_at", "")):  # the latest run wins
            total = (run.get("summary") or {}).get("total_ms_p50")
            if total:
                turn_p50 = float(total) / 1000
    extra_ms = statistics.median(on) - statistics.median(off)
    result = {
        "requests": len(requests),
        "repeat": args.repeat,
        "planned_outfits": planned // args.repeat,
        "search_ms_p50": {
            "outfit": round(statistics.median(on), 1),
            "one_search": round(statistics.median(off), 1),
        },
        "search_ms_p95": {
            "outfit": round(sorted(on)[int(0.95 * (len(on) - 1))], 1),
            "one_search": round(sorted(off)[int(0.95 * (len(off) - 1))], 1),
        },
        "extra_ms_p50": round(extra_ms, 1),
        "turn_p50_s": turn_p50,
        "extra_share_of_turn_p50": round(extra_ms / 1000 / turn_p50, 4) if turn_p50 else None,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "measured_at": time.strftime("%Y-%m-%d %H:%M"),
    }
    print(json.dumps(result, indent=2))
    data = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else {}
    data[args.label] = result
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
