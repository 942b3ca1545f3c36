"""Agent benchmark: grounding, constraint respect and latency through the real vLLM server.

Requests are generated from catalog attributes (gender x colour x article type x budget) in varied
wording; the ground truth is the generator's constraints, not the parser's reading.

    python benchmarks/agent.py [--requests 120] [--concurrency 1 4 16] [--llm-url URL]

Writes benchmarks/results/agent.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TEMPLATES = [
    "{colour} {article} for {gender_word} under {budget}",
    "I need a {colour} {article} for {gender_word}, budget {budget} rupees max",
    "show me {article} in {colour} for {gender_word} below {budget}",
    "{gender_word} {article}, {colour}, less than {budget}",
    "looking for a {colour} {article} for my {relative} under Rs {budget}",
]
GENDER_WORDS = {"Men": ["men", "him", "gents"], "Women": ["women", "her", "ladies"]}
RELATIVES = {"Men": "husband", "Women": "wife"}
SINGULAR = {"Tshirts": "t-shirt", "Shirts": "shirt", "Jeans": "jeans", "Kurtas": "kurta", "Tops": "top",
            "Watches": "watch", "Casual Shoes": "casual shoes", "Sports Shoes": "sports shoes",
            "Heels": "heels", "Handbags": "handbag", "Trousers": "trousers", "Dresses": "dress"}  # fmt: skip


def make_requests(metas: list[dict], n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    combos: dict[tuple, list[float]] = {}
    for m in metas:
        if m.get("gender") in GENDER_WORDS and m.get("article_type") in SINGULAR:
            combos.setdefault((m["gender"], m["colour"], m["article_type"]), []).append(float(m["price"]))
    keys = sorted(k for k, prices in combos.items() if len(prices) >= 3)
    out = []
    for i in range(n):
        gender, colour, article = rng.choice(keys)
        prices = sorted(combos[(gender, colour, article)])
        budget = int(prices[len(prices) // 2] // 100 * 100 + 100)
        text = rng.choice(TEMPLATES).format(
            colour=colour.lower(), article=SINGULAR[article], gender_word=rng.choice(GENDER_WORDS[gender]),
            relative=RELATIVES[gender], budget=budget,
        )  # fmt: skip
        out.append({"text": text, "gender": gender, "colour": colour, "article_type": article, "budget": budget,
                    "has_match": any(p <= budget for p in prices)})  # fmt: skip
    return out


def score(reply: dict, request: dict, retriever, grounding) -> dict:
    violations = 0
    for card in reply["products"]:
        item = retriever.get(card["id"])
        if item is None:
            violations += 1
            continue
        if (item.gender, item.colour, item.article_type) != (request["gender"], request["colour"], request["article_type"]) or item.price > request["budget"]:
            violations += 1
    hallucinated = grounding.ungrounded(reply["answer"], reply["products"])
    return {"violations": violations, "shown": len(reply["products"]), "hallucinated": len(hallucinated)}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=120)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--latency-requests", type=int, default=16, help="turns per concurrency level")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "agent.json")
    args = ap.parse_args()

    from stylist.agent import open_stylist
    from stylist.settings import Settings

    settings = Settings(checkpoint_db=":memory:")
    with open_stylist(settings) as stylist:
        retriever = stylist.retriever
        metas = retriever.snapshot().metas
        requests = make_requests(metas, args.requests)
        rows = []
        for req in requests:
            reply = stylist.respond(req["text"]).to_dict()
            rows.append(score(reply, req, retriever, stylist.grounding()) | {"has_match": req["has_match"]})
        shown = sum(r["shown"] for r in rows)
        with_match = [r for r in rows if r["has_match"]]
        quality = {
            "requests": len(rows),
            "products_shown": shown,
            "constraint_violation_rate": sum(r["violations"] for r in rows) / max(shown, 1),
            "hallucinated_product_rate": sum(1 for r in rows if r["hallucinated"]) / len(rows),
            "answered_with_product_rate_when_match": sum(1 for r in with_match if r["shown"]) / max(len(with_match), 1),
        }
        latency = {}
        for level in args.concurrency:
            texts = [requests[i % len(requests)]["text"] for i in range(max(args.latency_requests, level))]
            started = time.perf_counter()
            with ThreadPoolExecutor(level) as pool:
                replies = list(pool.map(lambda t: stylist.respond(t).to_dict(), texts))
            wall = time.perf_counter() - started
            ttft = [r["ttft_ms"] for r in replies]
            total = [r["latency_ms"] for r in replies]
            latency[str(level)] = {
                "turns": len(replies), "wall_s": round(wall, 2),
                "ttft_ms_p50": pct(ttft, 0.5), "ttft_ms_p95": pct(ttft, 0.95),
                "total_ms_p50": pct(total, 0.5), "total_ms_p95": pct(total, 0.95),
                "model_tokens_mean": statistics.mean(r["model_tokens"] for r in replies),
            }  # fmt: skip
    result = {"benchmark": "agent", "quality": quality, "latency": latency}
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
