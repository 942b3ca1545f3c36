"""The personal stylist on simulated shoppers (issue 16). THE SHOPPERS AND THEIR SIGNALS ARE SIMULATED.

Shoppers are seeded personas with hidden tastes, drawn from "style tribes" (favourite colours, an
occasion, brands, a price band per kind of item) plus personal noise, a gender, sizes (clothing,
shoes, waist) and a colour they dislike. What an item is worth to a shopper (its relevance) is
computed from those hidden tastes only, by this file, never by the stylist's code: 0 when the
shopper cannot use it (another gender, not in stock in their size, their disliked colour), else
one point for each of colour, occasion, brand and price band it matches.

1. **Population** (the collaborative model's data): ``--population`` shoppers (10,000) with about
   10 signals each (clicks and add-to-carts sampled by relevance) -> about 100k signals, written
   to a real profile store (SQLite). Training time and peak memory of the ALS model on them.
2. **The collaborative model alone**: 20% of each population shopper's products held out;
   recall@10 over the whole catalog against the most popular products.
3. **Sessions**: ``--shoppers`` new shoppers of the same tribes talk to the real stylist (the agent
   graph over the real 13k-item store; the chat model is a fixed stand-in, since the model's words
   do not change which products are shown). Session 1 (a new conversation): "I wear 9 in shoes"
   and a first request stating gender, clothing size and a disliked colour; sessions 2..5 (each a
   new conversation): "<item> for me". After each answer the shopper clicks what they like
   (relevance >= 2) and adds to cart what they love (>= 3), through the same calls as
   ``POST /api/events``. Three arms on the same messages: ``off`` (no shopper id: today's stylist),
   ``facts`` (the profile's hard facts only: ``personal_weight=0``), ``full``. Hit rate@5 (an item
   of relevance >= 2 among the five) and nDCG@5 (gain 2^rel - 1, ideal from every usable catalog
   item of that kind) in sessions 2..5, and violations of what each turn stated.
4. **Returning shopper**: "size M, no yellow", then in a new conversation "t-shirts for me":
   yellow items and items not in stock in M among those shown.
5. **Added latency** per turn with 10k shoppers in the store: the personal stylist's own work
   (learning, profile, ranking) and the wider search it asks for, p50; and whole turns with and
   without a shopper id, interleaved.

    python benchmarks/personal.py [--shoppers 60] [--population 10000] [--seed 7] [--weight 1.0]

Writes ``benchmarks/results/personal.json``. Machine: see the README (2 shared cores; ratios
measured in one run).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results" / "personal.json"

# Kinds of item each gender shops for, the words a shopper uses, and the size kind that fits them.
KINDS = {
    "Men": [("Tshirts", "t-shirts", "clothing"), ("Shirts", "shirts", "clothing"), ("Jeans", "jeans", "waist"),
            ("Casual Shoes", "sneakers", "shoes"), ("Sports Shoes", "running shoes", "shoes"),
            ("Sweatshirts", "sweatshirts", "clothing")],
    "Women": [("Tops", "tops", "clothing"), ("Kurtas", "kurtas", "clothing"), ("Tshirts", "t-shirts", "clothing"),
              ("Dresses", "dresses", "clothing"), ("Heels", "heels", "shoes"), ("Flats", "flats", "shoes")],
}  # fmt: skip
WORD = {"Men": "man", "Women": "woman"}
SHOE = {"Men": ["7", "8", "9", "10"], "Women": ["4", "5", "6", "7"]}


# -- the catalog as the simulation sees it ---------------------------------------------------------


def brand(title: str) -> str:
    # The simulation's own reading of a sample title's brand: the words before the gender word.
    words = title.split()
    for i, w in enumerate(words):
        if w in ("Men", "Women", "Men's", "Women's", "Unisex", "Boys", "Girls", "Kids") and i > 0:
            return " ".join(words[:i])
    return words[0] if words else ""


class Shop:
    def __init__(self, metas: list[dict[str, Any]]) -> None:
        self.metas = {str(m["id"]): m for m in metas}
        self.by_kind: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for m in metas:
            if m.get("gender") in ("Men", "Women", "Unisex"):
                for g in ("Men", "Women") if m["gender"] == "Unisex" else (m["gender"],):
                    self.by_kind[(g, str(m.get("article_type")))].append(m)
        self.tertiles = {}
        for key, items in self.by_kind.items():
            prices = sorted(float(i["price"]) for i in items)
            self.tertiles[key] = (
                (prices[len(prices) // 3], prices[2 * len(prices) // 3]) if prices else (0, 0)
            )


def relevance(shop: Shop, p: dict[str, Any], item: dict[str, Any]) -> int:
    """What ``item`` is worth to persona ``p`` (hidden tastes only)."""
    if item.get("gender") not in (p["gender"], "Unisex") or item.get("colour") == p["disliked"]:
        return 0
    kind = next((k for k in KINDS[p["gender"]] if k[0] == item.get("article_type")), None)
    if kind is not None:
        size = p["sizes"][kind[2]]
        if item.get(f"size_{size}") is not True:
            return 0
    rel = int(item.get("colour") in p["colours"]) + int(item.get("usage") == p["usage"])
    rel += int(brand(str(item.get("title", ""))) in p["brands"])
    low, high = shop.tertiles.get((p["gender"], str(item.get("article_type"))), (0, 0))
    band = 0 if float(item["price"]) <= low else 1 if float(item["price"]) <= high else 2
    return rel + int(band == p["band"])


def tribes(shop: Shop, rng: random.Random, n: int = 16) -> list[dict[str, Any]]:
    out = []
    for t in range(n):
        gender = "Men" if t % 2 == 0 else "Women"
        pool = [m for kind, *_ in KINDS[gender] for m in shop.by_kind[(gender, kind)]]
        colours = [c for c, _ in Counter(m.get("colour") for m in pool).most_common(12)]
        usages = [u for u, c in Counter(m.get("usage") for m in pool).most_common(4) if u]
        brands = [b for b, _ in Counter(brand(str(m.get("title", ""))) for m in pool).most_common(40)]
        out.append({"gender": gender, "colours": rng.sample(colours, 2), "usage": rng.choice(usages),
                    "brands": rng.sample(brands, 4), "band": rng.randrange(3),
                    "others": {"colours": colours, "brands": brands}})  # fmt: skip
    return out


def persona(tribe: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    colours = list(tribe["colours"])
    if rng.random() < 0.3:
        colours[1] = rng.choice(tribe["others"]["colours"])
    brands = list(tribe["brands"])
    if rng.random() < 0.3:
        brands[rng.randrange(len(brands))] = rng.choice(tribe["others"]["brands"])
    disliked = rng.choice([c for c in tribe["others"]["colours"] if c not in colours])
    g = tribe["gender"]
    return {"gender": g, "colours": set(colours), "usage": tribe["usage"], "brands": set(brands),
            "band": tribe["band"] if rng.random() < 0.8 else rng.randrange(3), "disliked": disliked,
            "sizes": {"clothing": rng.choice(["S", "M", "L", "XL"]), "shoes": rng.choice(SHOE[g]),
                      "waist": rng.choice(["30", "32", "34"])},
            "kinds": rng.sample(KINDS[g], 3), "tribe": id(tribe)}  # fmt: skip


def population_signals(shop: Shop, people: list[dict[str, Any]], rng: random.Random, per: int = 10):
    rows = []
    for i, p in enumerate(people):
        for _ in range(per):
            kind = rng.choice(p["kinds"])[0]
            items = shop.by_kind[(p["gender"], kind)]
            if not items:
                continue
            sample = rng.sample(items, min(40, len(items)))
            weights = [math.exp(1.2 * relevance(shop, p, m)) for m in sample]
            m = rng.choices(sample, weights)[0]
            rel = relevance(shop, p, m)
            kind_ = "add_to_cart" if rel >= 3 and rng.random() < 0.5 else "click"
            rows.append((f"pop-{i}", str(m["id"]), kind_, 3.0 if kind_ == "add_to_cart" else 1.0))
    return rows


# -- metrics --------------------------------------------------------------------------------------


def ndcg(rels: list[int], ideal: list[int], k: int = 5) -> float:
    dcg = sum((2**r - 1) / math.log2(i + 2) for i, r in enumerate(rels[:k]))
    best = sum((2**r - 1) / math.log2(i + 2) for i, r in enumerate(sorted(ideal, reverse=True)[:k]))
    return dcg / best if best else 0.0


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


# -- the parts under test -------------------------------------------------------------------------


class Fixed:
    """The chat model's stand-in: one short remark for every call."""

    @staticmethod
    def make() -> Any:
        from langchain_core.language_models.fake_chat_models import FakeListChatModel

        class Model(FakeListChatModel):
            def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
                return self

        return Model(responses=["Here are some options for you."])


def stylist_for(settings: Any, retriever: Any, store: Any) -> Any:
    from stylist.agent import Stylist
    from stylist.personal import Personaliser

    return Stylist(settings, Fixed.make(), retriever, personal=Personaliser(settings, retriever, store=store))


def shown(reply: Any, shop: Shop) -> list[dict[str, Any]]:
    return [shop.metas[p.id] for p in reply.products if p.id in shop.metas]


def stated_violations(item: dict[str, Any], stated: dict[str, Any]) -> list[str]:
    """What a shown item breaks of what the turn said (checked here, from the metadata)."""
    out = []
    if stated.get("article_type") and item.get("article_type") != stated["article_type"]:
        out.append("article_type")
    if stated.get("gender") and item.get("gender") not in (stated["gender"], "Unisex"):
        out.append("gender")
    if stated.get("size") and item.get(f"size_{stated['size']}") is not True:
        out.append("size")
    if stated.get("not_colour") and item.get("colour") == stated["not_colour"]:
        out.append("colour")
    return out


def run_sessions(
    args: argparse.Namespace, shop: Shop, people: list[dict[str, Any]], make: Any
) -> dict[str, Any]:
    arms: dict[str, dict[str, Any]] = {}
    for arm in ("off", "facts", "full"):
        stylist = make(arm)
        hits: list[float] = []
        gains: list[float] = []
        violations = profile_slips = shown_n = 0
        for n, p in enumerate(people):
            sid = f"{arm}-{n}" if arm != "off" else None
            kinds = p["kinds"]
            first = next((k for k in kinds if k[2] == "clothing"), kinds[0])
            size = p["sizes"][first[2]]
            sessions = [
                (f"{first[1]} for me, I'm a {WORD[p['gender']]}, size {size}, no {p['disliked'].lower()}",
                 {"article_type": first[0], "gender": p["gender"], "size": size, "not_colour": p["disliked"]}),
            ] + [(f"{k[1]} for me", {"article_type": k[0]}) for k in (kinds * 2)[1:5]]  # fmt: skip
            stylist.respond(
                f"I wear {p['sizes']['shoes']} in shoes", thread_id=f"{arm}-{n}-0", shopper_id=sid
            )
            for s, (message, stated) in enumerate(sessions, 1):
                reply = stylist.respond(message, thread_id=f"{arm}-{n}-{s}", shopper_id=sid)
                items = shown(reply, shop)
                rels = [relevance(shop, p, m) for m in items]
                for m in items:
                    violations += bool(stated_violations(m, stated))
                    shown_n += 1
                if s >= 2:
                    kind = next(k for k in p["kinds"] if k[0] == stated["article_type"])
                    ideal = [relevance(shop, p, m) for m in shop.by_kind[(p["gender"], kind[0])]]
                    hits.append(float(any(r >= 2 for r in rels)))
                    gains.append(ndcg(rels, ideal))
                    size_k = p["sizes"][kind[2]]
                    profile_slips += sum(
                        1
                        for m in items
                        if m.get("colour") == p["disliked"] or m.get(f"size_{size_k}") is not True
                    )
                if sid is not None:
                    for m, r in zip(items, rels, strict=True):
                        if r >= 2:
                            stylist.personal.record_event(sid, "click", str(m["id"]))
                        if r >= 3:
                            stylist.personal.record_event(sid, "add_to_cart", str(m["id"]))
        arms[arm] = {
            "hit_rate_at_5": round(statistics.mean(hits), 4),
            "ndcg_at_5": round(statistics.mean(gains), 4),
            "turns": len(people) * 5,
            "stated_constraint_violations": violations,
            "products_shown": shown_n,
            "profile_slips_sessions_2_5": profile_slips,
        }
        print(arm, arms[arm], flush=True)
    for arm in ("facts", "full"):
        for metric in ("hit_rate_at_5", "ndcg_at_5"):
            base = arms["off"][metric]
            arms[arm][f"{metric}_relative_to_off"] = (
                round((arms[arm][metric] - base) / base, 3) if base else None
            )
    base = arms["facts"]["ndcg_at_5"]
    arms["full"]["ndcg_at_5_relative_to_facts"] = (
        round((arms["full"]["ndcg_at_5"] - base) / base, 3) if base else None
    )
    base = arms["facts"]["hit_rate_at_5"]
    arms["full"]["hit_rate_at_5_relative_to_facts"] = (
        round((arms["full"]["hit_rate_at_5"] - base) / base, 3) if base else None
    )
    return arms


def cf_alone(signals: list[tuple[str, str, str, float]], rng: random.Random) -> dict[str, Any]:
    from stylist.personal.train import fit

    by_user: dict[str, dict[str, float]] = defaultdict(dict)
    for s, pid, _kind, w in signals:
        by_user[s][pid] = by_user[s].get(pid, 0.0) + w
    train, test = [], {}
    for s, items in by_user.items():
        pids = list(items)
        rng.shuffle(pids)
        n_test = max(1, len(pids) // 5) if len(pids) >= 4 else 0
        test[s] = set(pids[:n_test])
        train += [(s, pid, items[pid]) for pid in pids[n_test:]]
    cf, users, _ = fit(train)
    popular = [pid for pid, _ in Counter(pid for _, pid, _ in train).most_common(200)]
    seen: dict[str, set[str]] = defaultdict(set)
    for s, pid, _ in train:
        seen[s].add(pid)
    rec_cf, rec_pop = [], []
    for s, held in test.items():
        if not held or s not in users:
            continue
        top = cf.recommend(users[s], 10, exclude=seen[s])
        pop = [pid for pid in popular if pid not in seen[s]][:10]
        rec_cf.append(len(held & set(top)) / len(held))
        rec_pop.append(len(held & set(pop)) / len(held))
    return {"shoppers": len(rec_cf), "recall_at_10_cf": round(statistics.mean(rec_cf), 4),
            "recall_at_10_popularity": round(statistics.mean(rec_pop), 4),
            "catalog_items_in_model": len(cf.item_ids)}  # fmt: skip


def training_cost(signals: list[tuple[str, str, str, float]], folder: Path) -> dict[str, Any]:
    """Train once in a fresh process: seconds, and the memory the training itself takes (the peak
    resident set during ``fit`` over the resident set just before it; Linux ``clear_refs``)."""
    data = folder / "signals.json"
    data.write_text(json.dumps([(s, p, w) for s, p, _k, w in signals]))
    code = (
        f"import json,sys,time; sys.path.insert(0, {str(ROOT)!r})\n"
        "from stylist.personal.train import fit\n"
        f"rows=[tuple(r) for r in json.load(open({str(data)!r}))]\n"
        "def kb(key): return int(next(l for l in open('/proc/self/status') if l.startswith(key)).split()[1])\n"
        "open('/proc/self/clear_refs','w').write('5')\n"
        "before=kb('VmRSS:'); t=time.perf_counter(); cf,users,pairs=fit(rows); s=time.perf_counter()-t\n"
        "peak=kb('VmHWM:')\n"
        "print(json.dumps({'seconds':round(s,2),'pairs':pairs,'fit_peak_added_mb':round((peak-before)/1024,1),"
        "'process_peak_rss_mb':round(peak/1024,1),'model_mb':round(cf.factors.nbytes/2**20,2)}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1]) | {"signals": len(signals)}


def latency(
    args: argparse.Namespace, retriever: Any, stylist: Any, people: list[dict[str, Any]]
) -> dict[str, Any]:
    from stylist.personal.apply import apply_facts, thread_for_other
    from stylist.query import Filters

    personal = stylist.personal
    parser = retriever.parser
    own, wider, with_id, without_id = [], [], [], []
    for n in range(args.latency_turns):
        p = people[n % len(people)]
        sid = f"pop-{n * 37 % args.population}"
        kind = p["kinds"][0]
        message = f"{kind[1]} for me"
        filters = Filters(article_type=[kind[0]])
        items = [i.to_dict() for i in retriever.search(message, filters, k=20, parse=False).items]
        # The personal stylist's own work in a turn: learn from the message, apply the profile, rank.
        t = time.perf_counter()
        ctx = personal.before_turn(sid, f"lat-{n}", message, thread_for_other(message, False))
        plan = {"intent": "search", "filters": filters.active(), "notes": [], "reply": None}
        apply_facts(plan, message, parser, ctx["facts"], personal.size_names())
        scorer = personal.scorer(sid, ctx["facts"])
        if scorer is not None:
            scorer.rerank(items)
        own.append((time.perf_counter() - t) * 1000)
        # The wider search it asks for (20 candidates instead of 5), interleaved.
        t5 = time.perf_counter()
        retriever.search(message, filters, k=5, parse=False)
        t20 = time.perf_counter()
        retriever.search(message, filters, k=20, parse=False)
        wider.append(((time.perf_counter() - t20) - (t20 - t5)) * 1000)
        if n < args.turn_pairs:  # whole turns with and without the shopper id, interleaved
            order = ((sid, with_id), (None, without_id)) if n % 2 else ((None, without_id), (sid, with_id))
            for who, bucket in order:
                t = time.perf_counter()
                stylist.respond(message, thread_id=f"lt-{n}-{who}", shopper_id=who)
                bucket.append((time.perf_counter() - t) * 1000)
    return {
        "shoppers_in_store": args.population,
        "catalog_items": retriever.count(),
        "personal_work_p50_ms": round(statistics.median(own), 2),
        "personal_work_p95_ms": round(pct(own, 0.95), 2),
        "wider_search_k20_minus_k5_p50_ms": round(statistics.median(wider), 2),
        "added_per_turn_p50_ms": round(statistics.median(own) + statistics.median(wider), 2),
        "turn_with_id_p50_ms": round(statistics.median(with_id), 1) if with_id else None,
        "turn_without_id_p50_ms": round(statistics.median(without_id), 1) if without_id else None,
        "turn_pairs": len(with_id),
    }


def returning_check(stylist: Any, shop: Shop, n: int) -> dict[str, Any]:
    yellow = not_m = total = 0
    for i in range(n):
        sid = f"ret-{i}"
        stylist.respond("size M, no yellow", thread_id=f"{sid}-1", shopper_id=sid)
        reply = stylist.respond("t-shirts for me", thread_id=f"{sid}-2", shopper_id=sid)
        for m in shown(reply, shop):
            total += 1
            yellow += m.get("colour") == "Yellow"
            not_m += m.get("size_M") is not True
    return {"shoppers": n, "products_shown": total, "yellow": yellow, "not_in_stock_in_M": not_m,
            "answer_example": reply.answer.splitlines()[:2]}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shoppers", type=int, default=60, help="simulated shoppers in the session arms")
    ap.add_argument("--population", type=int, default=10000, help="simulated shoppers behind the CF model")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--weight", type=float, default=None, help="personal_weight (default: the setting's)")
    ap.add_argument("--latency-turns", type=int, default=200)
    ap.add_argument("--turn-pairs", type=int, default=40)
    ap.add_argument("--returning", type=int, default=20)
    ap.add_argument("--label", default="default")
    args = ap.parse_args()

    import subprocess as sp

    from stylist.personal.store import ProfileStore
    from stylist.personal.train import train
    from stylist.retrieval import Retriever
    from stylist.settings import Settings

    started = time.time()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="personal-bench-"))
    base = Settings()
    settings = base.model_copy(
        update={"checkpoint_db": ":memory:", "data_dir": work, "personal_retrain_hours": 0}
    )
    if args.weight is not None:
        settings = settings.model_copy(update={"personal_weight": args.weight})
    retriever = Retriever(base)
    shop = Shop(retriever.snapshot().metas)
    all_tribes = tribes(shop, rng)
    population = [persona(rng.choice(all_tribes), rng) for _ in range(args.population)]
    signals = population_signals(shop, population, rng)
    print(f"population: {len(population)} shoppers, {len(signals)} signals", flush=True)

    cf_report = cf_alone(signals, random.Random(args.seed + 1))
    print("cf alone", cf_report, flush=True)
    cost = training_cost(signals, work)
    print("training", cost, flush=True)

    store = ProfileStore(str(work / "personal.sqlite"))
    store.add_signals([(s, p, k, w) for s, p, k, w in signals])
    report = train(store, settings.personal_model_path)
    print(f"trained the served model on {report.signals} signals in {report.seconds:.1f} s", flush=True)

    people = [persona(rng.choice(all_tribes), rng) for _ in range(args.shoppers)]

    def make(arm: str) -> Any:
        s = settings.model_copy(update={"personal_weight": 0.0}) if arm == "facts" else settings
        return stylist_for(s, retriever, store)

    arms = run_sessions(args, shop, people, make)
    full = make("full")
    returning = returning_check(full, shop, args.returning)
    print("returning", returning, flush=True)
    lat = latency(args, retriever, full, people)
    print("latency", lat, flush=True)

    commit = sp.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    result = {
        "label": args.label,
        "data": "SIMULATED shoppers and signals (seeded personas with hidden tastes); the catalog and the "
        "stylist are real",
        "commit": commit,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, {platform.python_version()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "seed": args.seed,
        "personal_weight": settings.personal_weight,
        "population": {"shoppers": args.population, "signals": len(signals)},
        "sessions": arms,
        "cf_alone_heldout": cf_report,
        "training_100k": cost,
        "returning_size_m_no_yellow": returning,
        "latency": lat,
        "seconds": round(time.time() - started, 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    runs = [r for r in old.get("runs", []) if r.get("label") != args.label] + [result]
    RESULTS.write_text(json.dumps({"runs": runs}, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
