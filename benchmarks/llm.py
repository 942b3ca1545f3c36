"""Bare vLLM generation through the OpenAI API: the baseline the agent's overhead is measured against.

Measures, for a fixed prompt and a fixed output length (``ignore_eos`` so every request
writes exactly that many tokens):

- one stream: time to first token and total time, for 64 and 128 output tokens;
- 1, 4 and 16 concurrent requests: per-request time to first token and total (p50/p95),
  and the tokens/s of all requests together.

Starts and owns a local server (like the app's embedded default) unless ``--url`` is given.
Prints the figures and writes them to ``benchmarks/results/llm.json``.

    python benchmarks/llm.py [--url http://host:8000/v1] [--repeats 5] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stylist.llm import LLMServer, normalize_url, openai_client  # noqa: E402
from stylist.settings import PROJECT_ROOT, Settings  # noqa: E402

RESULTS = PROJECT_ROOT / "benchmarks" / "results" / "llm.json"
SYSTEM = (
    "You are a friendly stylist for an online fashion shop. Recommend only items from the "
    "catalog results you are given, mention their price, and keep answers short."
)
PROMPT = (
    "I need an outfit for a summer wedding in Goa. I'm a woman, my budget is 3000 rupees for "
    "everything, and I like light colours. What would you suggest?"
)


def one_request(client, model: str, max_tokens: int) -> dict[str, float]:
    """Stream one completion of exactly ``max_tokens`` tokens; time its first token and its end."""
    started = time.perf_counter()
    first = None
    tokens = 0
    stream = client.chat.completions.create(
        model=model,
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": PROMPT}],
        max_tokens=max_tokens,
        temperature=0.0,
        stream=True,
        stream_options={"include_usage": True},
        extra_body={"ignore_eos": True, "min_tokens": max_tokens},
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content and first is None:
            first = time.perf_counter()
        if chunk.usage is not None:
            tokens = chunk.usage.completion_tokens
    ended = time.perf_counter()
    return {"ttft_s": (first or ended) - started, "total_s": ended - started, "tokens": tokens}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summarize(samples: list[dict[str, float]]) -> dict[str, float]:
    ttft = [s["ttft_s"] for s in samples]
    total = [s["total_s"] for s in samples]
    return {
        "requests": len(samples),
        "ttft_p50_s": round(statistics.median(ttft), 4),
        "ttft_p95_s": round(percentile(ttft, 95), 4),
        "total_p50_s": round(statistics.median(total), 4),
        "total_p95_s": round(percentile(total, 95), 4),
        "tokens_per_request": round(statistics.mean(s["tokens"] for s in samples), 1),
    }


def single_stream(client, model: str, lengths: list[int], repeats: int) -> dict[str, dict]:
    out = {}
    for length in lengths:
        samples = [one_request(client, model, length) for _ in range(repeats)]
        summary = summarize(samples)
        summary["tokens_per_s"] = round(
            sum(s["tokens"] for s in samples) / sum(s["total_s"] for s in samples), 2
        )
        out[str(length)] = summary
        print(
            f"1 stream, {length:>3} tokens: TTFT p50 {summary['ttft_p50_s'] * 1000:.0f} ms, "
            f"total p50 {summary['total_p50_s']:.2f} s, {summary['tokens_per_s']:.1f} tokens/s",
            flush=True,
        )
    return out


def concurrent(client, model: str, levels: list[int], length: int, rounds: int) -> dict[str, dict]:
    out = {}
    for level in levels:
        samples: list[dict[str, float]] = []
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=level) as pool:
            for _ in range(rounds):
                samples += list(pool.map(lambda _: one_request(client, model, length), range(level)))
        wall = time.perf_counter() - started
        summary = summarize(samples)
        summary["wall_s"] = round(wall, 3)
        summary["tokens_per_s_total"] = round(sum(s["tokens"] for s in samples) / wall, 2)
        out[str(level)] = summary
        print(
            f"{level:>2} concurrent, {length} tokens: TTFT p50 {summary['ttft_p50_s'] * 1000:.0f} ms "
            f"p95 {summary['ttft_p95_s'] * 1000:.0f} ms, total p50 {summary['total_p50_s']:.2f} s "
            f"p95 {summary['total_p95_s']:.2f} s, {summary['tokens_per_s_total']:.1f} tokens/s in total",
            flush=True,
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="An OpenAI-compatible server to measure (default: start a local one).")
    parser.add_argument("--repeats", type=int, default=5, help="Single-stream requests per output length.")
    parser.add_argument("--rounds", type=int, default=2, help="Batches of N concurrent requests per level.")
    parser.add_argument("--lengths", type=int, nargs="+", default=[64, 128], help="Output lengths (tokens).")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 4, 16], help="Concurrency levels.")
    parser.add_argument("--out", type=Path, default=RESULTS, help="Where to write the JSON figures.")
    args = parser.parse_args()

    settings = Settings(llm_port=0) if not args.url else Settings(llm_url=args.url)
    startup_s = None
    with ExitStack() as stack:
        if args.url:
            url = normalize_url(args.url)
        else:
            server = LLMServer(settings, progress=True)
            stack.callback(server.stop)
            started = time.perf_counter()
            url = server.start()
            startup_s = round(time.perf_counter() - started, 1)
            print(f"local vLLM ready in {startup_s} s at {url}", flush=True)
        client = openai_client(url, settings.llm_api_key, timeout=600)
        model = settings.llm_served_name
        one_request(client, model, 8)  # warm-up: first request pays one-off set-up costs
        load_before = os.getloadavg()
        results = {
            "benchmark": "llm",
            "what": "bare vLLM generation via the OpenAI chat API, streaming, fixed output length (ignore_eos)",
            "url": url if args.url else "local (started by the benchmark)",
            "model": model,
            "startup_s": startup_s,
            "settings": {
                "max_model_len": settings.llm_max_model_len,
                "dtype": settings.llm_dtype,
                "enforce_eager": settings.llm_enforce_eager,
                "cpu_kvcache_gb": settings.llm_cpu_kvcache_gb,
            },
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "loadavg_1m_before": round(load_before[0], 2),
            },
            "prompt_chars": len(SYSTEM) + len(PROMPT),
            "single_stream": single_stream(client, model, args.lengths, args.repeats),
            "concurrent": {
                "output_tokens": max(args.lengths),
                "levels": concurrent(client, model, args.levels, max(args.lengths), args.rounds),
            },
        }
        results["machine"]["loadavg_1m_after"] = round(os.getloadavg()[0], 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
