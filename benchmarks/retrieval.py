"""Retrieval quality and speed on the full sample catalog.

Builds a query set from the catalog's own attributes (gender x colour x article type x
usage, sometimes a budget or a size) in varied natural wording, with paraphrases and
typos, and scores the retriever against it:

- relevance: an item is relevant when it has every attribute the query states
  (gender, colour, article type, usage; price within the budget; the size in stock);
- nDCG@10 with binary gains (ideal: min(10, #relevant) relevant items on top);
- Recall@10: relevant items in the top 10 / min(10, #relevant), so a query with more
  than 10 relevant items can reach 1.0;
- constraint violations: returned items that break a constraint the parser read from
  the query (the system's guarantee; must be 0), and, separately, returned items that
  break a constraint the query states (also counts constraints the parser missed);
- query latency p50/p95 over the whole set (one query at a time, warm process);
- ingestion rate of the sample catalog into a fresh embedded store.

    python benchmarks/retrieval.py [--queries 400] [--data-dir DIR] [--reuse]

Without ``--reuse`` it ingests the catalog into a fresh store (the ingestion figure);
with ``--reuse`` it searches the store already in ``--data-dir``.
Results: benchmarks/results/retrieval.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

RESULTS = Path(__file__).resolve().parent / "results"

GENDER_PHRASES = {
    "Men": ["for men", "men's", "mens", "for him", "for my husband", "gents"],
    "Women": ["for women", "women's", "ladies", "for her", "for my wife", "womens"],
    "Boys": ["for boys", "for my son", "boys"],
    "Girls": ["for girls", "for my daughter", "girls"],
    "Unisex": ["unisex"],
}
USAGE_PHRASES = {
    "Casual": ["casual", "for everyday", "for the weekend"],
    "Formal": ["for the office", "formal", "for work"],
    "Sports": ["for the gym", "for running", "sports"],
    "Ethnic": ["ethnic", "festive", "traditional"],
}
# Words a shopper uses for some article types (others: the label itself, singular or plural).
ARTICLE_WORDS = {
    "Tshirts": ["t-shirt", "tshirts", "tee", "t shirts"],
    "Casual Shoes": ["casual shoes", "sneakers"],
    "Sports Shoes": ["sports shoes", "running shoes", "trainers"],
    "Formal Shoes": ["formal shoes", "dress shoes"],
    "Sweatshirts": ["sweatshirt", "hoodie"],
    "Trousers": ["trousers", "pants", "chinos"],
    "Track Pants": ["track pants", "joggers"],
    "Perfume and Body Mist": ["perfume", "body mist"],
    "Flip Flops": ["flip flops", "flip-flops"],
}
COLOUR_WORDS = {"Navy Blue": ["navy", "navy blue"], "Grey": ["grey", "gray"], "Off White": ["off white"]}
# Colour labels that are usually other words in a request; the parser does not read them.
SKIP_COLOURS = {"Skin", "Cream", "Multi", "Metallic", "Steel", "Rose", "Nude", "Mushroom Brown",
                "Taupe", "Fluorescent Green", "Lime Green", "Sea Green", "Turquoise Blue", "Grey Melange",
                "Coffee Brown", "Rust", "Mauve", "Tan", "Teal", "Khaki", "Charcoal", "Bronze",
                "Copper", "Burgundy", "Magenta", "Lavender", "Peach", "Mustard", "Olive"}  # fmt: skip

TEMPLATES = [
    "{colour} {article} {gender}",
    "show me {colour} {article} {gender}",
    "i'm looking for {colour} {article} {gender} {usage}",
    "{gender} {article} in {colour} {usage}",
    "need some {article} {gender}, {colour} please",
    "{usage} {colour} {article} {gender}",
    "any {colour} {article}? {gender}",
    "{article} {gender} {colour} {usage}",
]


def article_word(label: str, rng: random.Random) -> str:
    if label in ARTICLE_WORDS:
        return rng.choice(ARTICLE_WORDS[label])
    word = label.lower()
    if rng.random() < 0.4 and word.endswith("s") and not word.endswith("ss"):
        # singular: "kurta", "watch", "dress"
        word = word[:-2] if word.endswith(("ches", "shes", "sses", "xes")) else word[:-1]
    return word


def typo(word: str, rng: random.Random) -> str:
    """One human-like slip in a longer word: swap two neighbours or drop a letter."""
    if len(word) < 6 or " " in word or "-" in word:
        return word
    i = rng.randrange(1, len(word) - 2)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i + 1 :]


def build_queries(products: list[dict[str, Any]], n: int, seed: int = 13) -> list[dict[str, Any]]:
    """``n`` attribute queries, each with its wording and the constraints it states."""
    rng = random.Random(seed)
    queries: list[dict[str, Any]] = []
    seen: set[str] = set()
    attempts = 0
    while len(queries) < n and attempts < n * 50:
        attempts += 1
        p = rng.choice(products)
        if p["colour"] in SKIP_COLOURS or p["gender"] not in GENDER_PHRASES:
            continue
        stated: dict[str, Any] = {"gender": p["gender"], "article_type": p["article_type"]}
        template = rng.choice(TEMPLATES)
        use_colour = rng.random() < 0.8
        use_usage = "{usage}" in template and p["usage"] in USAGE_PHRASES and rng.random() < 0.5
        if use_colour:
            stated["colour"] = p["colour"]
        if use_usage:
            stated["usage"] = p["usage"]
        article = article_word(p["article_type"], rng)
        with_typo = rng.random() < 0.15
        if with_typo:
            article = typo(article, rng)
        words = {
            "colour": rng.choice(COLOUR_WORDS.get(p["colour"], [p["colour"].lower()])) if use_colour else "",
            "article": article,
            "gender": rng.choice(GENDER_PHRASES[p["gender"]]),
            "usage": rng.choice(USAGE_PHRASES[p["usage"]]) if use_usage else "",
        }
        text = template.format(**words)
        extra = rng.random()
        if extra < 0.25:
            budget = int(math.ceil(p["price"] * rng.uniform(1.0, 1.6) / 100.0) * 100)
            text += rng.choice([f" under {budget}", f" below rs {budget}", f", budget {budget}"])
            stated["price_max"] = float(budget)
        elif extra < 0.35 and p["sizes"]:
            in_stock = [s for s, c in p["sizes"].items() if c > 0 and s != "One Size"]
            if in_stock:
                size = rng.choice(in_stock)
                text += f" size {size.lower() if size.isalpha() else size}"
                stated["size"] = size
        text = " ".join(text.replace(" ,", ",").split())
        if text in seen:
            continue
        seen.add(text)
        queries.append({"query": text, "stated": stated, "typo": with_typo})
    return queries


def relevant(item: dict[str, Any], stated: dict[str, Any]) -> bool:
    """Whether a catalog item (a product record or a search result) has every stated attribute."""
    for name in ("gender", "article_type", "colour", "usage"):
        if name in stated and item.get(name) != stated[name]:
            return False
    if "price_max" in stated and float(item["price"]) > stated["price_max"]:
        return False
    if "size" in stated and int((item.get("sizes") or {}).get(stated["size"], 0)) <= 0:
        return False
    return True


def ndcg_at(flags: list[bool], n_relevant: int, k: int = 10) -> float:
    dcg = sum(1.0 / math.log2(r + 2) for r, ok in enumerate(flags[:k]) if ok)
    ideal = sum(1.0 / math.log2(r + 2) for r in range(min(k, n_relevant)))
    return dcg / ideal if ideal else 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--data-dir", type=Path, default=None, help="store folder (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="search the store in --data-dir as it is")
    parser.add_argument("--out", type=Path, default=RESULTS / "retrieval.json")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from stylist.catalog import load_catalog, resolve_catalog
    from stylist.retrieval import Retriever
    from stylist.settings import SAMPLE_DATA_DIR, Settings
    from vectorstore import ingest

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="stylist-bench-"))
    settings = Settings(data_dir=data_dir)
    catalog, _ = resolve_catalog(SAMPLE_DATA_DIR / "catalog", data_dir)
    products = load_catalog(catalog, currency=settings.currency).products
    report: dict[str, Any] = {
        "benchmark": "retrieval",
        "catalog_items": len(products),
        "cpu_cores": os.cpu_count(),
    }

    if not args.reuse:
        started = time.perf_counter()
        result = ingest(products, settings, progress=False, log=lambda m: None)
        seconds = time.perf_counter() - started
        report["ingest"] = {
            "items": result.total,
            "embedded": result.embedded,
            "seconds": round(seconds, 1),
            "items_per_s": round(result.total / seconds, 1),
        }
        print(f"ingested {result.total} items in {seconds:.1f} s ({result.total / seconds:.1f} items/s)")

    records = [p.model_dump() for p in products]
    queries = build_queries(records, args.queries)
    retriever = Retriever(settings)
    retriever.search("warm up the model and the snapshot")
    # Time the query embedding separately, to show where a query's time goes.
    embed_ms: list[float] = []
    encode = retriever.embedder.encode

    def timed_encode(texts: list[str]) -> Any:
        t = time.perf_counter()
        out = encode(texts)
        embed_ms.append((time.perf_counter() - t) * 1000)
        return out

    retriever.embedder.encode = timed_encode  # type: ignore[method-assign]
    ndcgs, recalls, latencies = [], [], []
    parsed_violations = stated_violations = returned = empty = 0
    typo_ndcg: list[float] = []
    failures: list[dict[str, Any]] = []
    for q in queries:
        n_relevant = sum(relevant(r, q["stated"]) for r in records)
        t = time.perf_counter()
        result = retriever.search(q["query"], k=args.k)
        latencies.append((time.perf_counter() - t) * 1000)
        items = [item.to_dict() for item in result.items]
        returned += len(items)
        empty += not items
        snap = retriever.snapshot()
        parsed_violations += sum(
            bool(result.filters.violations(snap.metas[snap.index[i["id"]]])) for i in items
        )
        flags = [relevant(i, q["stated"]) for i in items]
        stated_violations += sum(not ok for ok in flags)  # every stated attribute is a constraint
        ndcg = ndcg_at(flags, n_relevant, args.k)
        ndcgs.append(ndcg)
        recalls.append(sum(flags[: args.k]) / min(args.k, n_relevant))
        if q["typo"]:
            typo_ndcg.append(ndcg)
        if ndcg < 0.5 and len(failures) < 15:
            failures.append({"query": q["query"], "stated": q["stated"], "parsed": result.filters.active(),
                             "ndcg": round(ndcg, 3)})  # fmt: skip
    report.update(
        queries=len(queries),
        queries_with_typo=len(typo_ndcg),
        ndcg_at_10=round(sum(ndcgs) / len(ndcgs), 4),
        ndcg_at_10_typo_queries=round(sum(typo_ndcg) / len(typo_ndcg), 4) if typo_ndcg else None,
        recall_at_10=round(sum(recalls) / len(recalls), 4),
        items_returned=returned,
        empty_results=empty,
        violations_of_parsed_constraints=parsed_violations,
        violation_rate_parsed=round(parsed_violations / max(returned, 1), 6),
        violations_of_stated_constraints=stated_violations,
        violation_rate_stated=round(stated_violations / max(returned, 1), 6),
        query_p50_ms=round(percentile(latencies, 50), 2),
        query_p95_ms=round(percentile(latencies, 95), 2),
        query_max_ms=round(max(latencies), 2),
        query_embedding_p50_ms=round(percentile(embed_ms, 50), 2),
        query_embedding_p95_ms=round(percentile(embed_ms, 95), 2),
        load_average_1m=round(os.getloadavg()[0], 2),
        examples=[q["query"] for q in queries[:12]],
        low_scoring=failures,
    )
    print(json.dumps({k: v for k, v in report.items() if k not in ("examples", "low_scoring")}, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    if args.data_dir is None:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
