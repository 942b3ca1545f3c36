"""Agent benchmark: grounding, constraint respect and latency through a real vLLM server.

Requests are generated from catalog attributes (gender x colour x article type x budget) in varied
wording; the ground truth is the generator's constraints, not the parser's reading. About one
request in ten has a budget below every matching item (the right answer then shows no product).

    python benchmarks/agent.py [--requests 120] [--concurrency 4 16] [--llm-url URL] [--label NAME]

The quality pass runs the requests one conversation at a time; its turns are the latency figures
at 1 conversation. Each further level runs ``--latency-turns`` turns in waves of that many
conversations at once. The first ``--bare-turns`` turns of each level are each followed (wave by
wave, at the same concurrency, so under the same machine load) by bare vLLM generation of the same
work: every model call of the turn replayed as one streamed ``/v1/chat/completions`` request with
the same messages and tools (rebuilt from the checkpoint) and ``ignore_eos``/``min_tokens`` set to
the tokens the call generated. ``overhead`` is agent turn time / bare generation time; the replay
hits vLLM's prefix cache at least as well as the agent did, so it errs towards a larger overhead.
TTFT of the agent is the time to its first streamed (grounded) sentence; bare TTFT is the first token.

Without ``--llm-url`` a local vLLM server is started (``STYLIST_LLM_PORT``) and stopped at the end.
Results are kept per label (default: the served model folder's name) in benchmarks/results/agent.json,
so a fine-tuned model's run sits beside the base model's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RESULTS = Path(__file__).parent / "results" / "agent.json"
TEMPLATES = [
    "{colour} {article} for {gender_word} under {budget}",
    "I need a {colour} {article} for {gender_word}, budget {budget} rupees max",
    "show me {article} in {colour} for {gender_word} below {budget}",
    "{gender_adj} {article}, {colour}, less than {budget}",
    "looking for a {colour} {article} for my {relative} under Rs {budget}",
]
GENDER_WORDS = {"Men": ["men", "him", "gents"], "Women": ["women", "her", "ladies"]}
GENDER_ADJ = {"Men": ["men's", "mens", "gents"], "Women": ["women's", "womens", "ladies"]}
RELATIVES = {"Men": "husband", "Women": "wife"}
SINGULAR = {"Tshirts": "t-shirt", "Shirts": "shirt", "Jeans": "jeans", "Kurtas": "kurta", "Tops": "top",
            "Watches": "watch", "Casual Shoes": "casual shoes", "Sports Shoes": "sports shoes",
            "Heels": "heels", "Handbags": "handbag", "Trousers": "trousers", "Dresses": "dress"}  # fmt: skip


def make_requests(metas: list[dict], n: int, seed: int = 0, no_match_share: float = 0.1) -> list[dict]:
    """``n`` shopping requests with explicit gender, colour, article type and budget."""
    rng = random.Random(seed)
    combos: dict[tuple, list[float]] = {}
    for m in metas:
        if m.get("gender") in GENDER_WORDS and m.get("article_type") in SINGULAR:
            combos.setdefault((m["gender"], m["colour"], m["article_type"]), []).append(float(m["price"]))
    keys = sorted(k for k, prices in combos.items() if len(prices) >= 3)
    out = []
    for _ in range(n):
        gender, colour, article = rng.choice(keys)
        prices = sorted(combos[(gender, colour, article)])
        if rng.random() < no_match_share and prices[0] >= 200:
            budget = int(prices[0] // 100 * 100 - 100)  # below the cheapest match
        else:
            budget = int(prices[len(prices) // 2] // 100 * 100 + 100)
        text = rng.choice(TEMPLATES).format(
            colour=colour.lower(), article=SINGULAR[article], gender_word=rng.choice(GENDER_WORDS[gender]),
            gender_adj=rng.choice(GENDER_ADJ[gender]), relative=RELATIVES[gender], budget=budget,
        )  # fmt: skip
        out.append({"text": text, "gender": gender, "colour": colour, "article_type": article, "budget": budget,
                    "has_match": any(p <= budget for p in prices)})  # fmt: skip
    return out


def score(reply: dict, request: dict, retriever, grounding) -> dict:
    """Violations among the products shown, and product names in the answer that were not retrieved."""
    violations = []
    for card in reply["products"]:
        item = retriever.get(card["id"])
        wanted = (request["gender"], request["colour"], request["article_type"])
        if (
            item is None
            or (item.gender, item.colour, item.article_type) != wanted
            or item.price > request["budget"]
        ):
            violations.append(card["id"])
    # Relaxed items are listed (labelled) in the answer when nothing matched: they were retrieved.
    allowed = reply["products"] + list((reply.get("relaxed") or {}).get("items", []))
    hallucinated = grounding.ungrounded(reply["answer"], allowed)
    sources = [c.get("source") for c in reply["tool_calls"] if c["name"] == "search_catalog"]
    return {"violations": violations, "shown": len(reply["products"]), "hallucinated": hallucinated,
            "model_called": "model" in sources}  # fmt: skip


def model_calls(stylist, thread_id: str, tools: list[dict]) -> list[dict]:
    """The chat requests of the model calls of the thread's last turn, as the agent sent them.

    Each is rebuilt from the checkpointed messages (system prompt, the turn so far, the tools)
    and asks for exactly the tokens the call generated, so a bare replay does the same work.
    """
    from langchain_core.messages import AIMessage, HumanMessage
    from langchain_openai.chat_models.base import _convert_message_to_dict

    from stylist.prompts import load_prompt

    settings = stylist.settings
    messages = stylist.graph.get_state({"configurable": {"thread_id": thread_id}}).values["messages"]
    system = {"role": "system", "content": load_prompt("system", shop_name=settings.shop_name,
                                                       currency=settings.currency)}  # fmt: skip
    turn_start = max(j for j, m in enumerate(messages) if isinstance(m, HumanMessage))
    calls = []
    for j, m in enumerate(messages):
        usage = m.usage_metadata if isinstance(m, AIMessage) else None
        if j > turn_start and usage and usage.get("output_tokens"):
            calls.append({
                "messages": [system] + [_convert_message_to_dict(x) for x in messages[:j]], "tools": tools,
                "max_tokens": usage["output_tokens"], "min_tokens": usage["output_tokens"], "ignore_eos": True,
                "temperature": settings.agent_temperature, "repetition_penalty": settings.agent_repetition_penalty,
                "prompt_tokens": usage.get("input_tokens", 0),
            })  # fmt: skip
    return calls


def agent_turn(stylist, text: str, tools: list[dict]) -> dict:
    reply = stylist.respond(text).to_dict()
    return reply | {"calls": model_calls(stylist, reply["thread_id"], tools)}


def bare_turn(url: str, model: str, calls: list[dict]) -> dict:
    """The turn's model calls as bare streamed chat completions: time to first token and total (s)."""
    import httpx

    started = time.perf_counter()
    first = None
    prompt_tokens = 0
    with httpx.Client(timeout=600) as http:
        for call in calls:
            body = {k: v for k, v in call.items() if k != "prompt_tokens"} | {
                "model": model, "stream": True, "stream_options": {"include_usage": True}}  # fmt: skip
            with http.stream("POST", url.rstrip("/") + "/chat/completions", json=body) as response:
                response.raise_for_status()
                for line in response.iter_lines():
                    if not line.startswith("data: {"):
                        continue
                    chunk = json.loads(line[6:])
                    if first is None and any(
                        (c.get("delta") or {}).get("content") for c in chunk.get("choices", [])
                    ):
                        first = time.perf_counter()
                    if chunk.get("usage"):
                        prompt_tokens += chunk["usage"]["prompt_tokens"]
    end = time.perf_counter()
    return {"ttft_s": (first or end) - started, "total_s": end - started, "prompt_tokens": prompt_tokens}


def pct(values: list[float], q: float) -> float | None:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(q * (len(values) - 1))))], 1) if values else None


def level_figures(replies: list[dict], bare: list[dict], wall_s: float) -> dict:
    ttft = [r["ttft_ms"] for r in replies]
    total = [r["latency_ms"] for r in replies]
    bare_ttft = [b["ttft_s"] * 1000 for b in bare]
    bare_total = [b["total_s"] * 1000 for b in bare]
    paired = replies[: len(bare)]  # the first turns were replayed as bare generation
    ratios = [
        r["latency_ms"] / (b["total_s"] * 1000) for r, b in zip(paired, bare, strict=True) if b["total_s"]
    ]
    return {
        "turns": len(replies), "wall_s": round(wall_s, 1), "turns_per_s": round(len(replies) / wall_s, 3),
        "ttft_ms_p50": pct(ttft, 0.5), "ttft_ms_p95": pct(ttft, 0.95),
        "total_ms_p50": pct(total, 0.5), "total_ms_p95": pct(total, 0.95),
        "model_calls_mean": round(statistics.mean(len(r["calls"]) for r in replies), 2),
        "model_tokens_mean": round(statistics.mean(r["model_tokens"] for r in replies), 1),
        "bare_ttft_ms_p50": pct(bare_ttft, 0.5), "bare_ttft_ms_p95": pct(bare_ttft, 0.95),
        "bare_total_ms_p50": pct(bare_total, 0.5), "bare_total_ms_p95": pct(bare_total, 0.95),
        "bare_turns": len(bare),
        # The replay's prompt tokens as the server counted them / the agent's (1.0: the same prompts).
        "bare_prompt_token_ratio": round(sum(b["prompt_tokens"] for b in bare)
                                         / max(sum(c["prompt_tokens"] for r in paired for c in r["calls"]), 1), 3),
        "overhead_ratio_total": round(sum(r["latency_ms"] for r in paired) / max(sum(bare_total), 1e-9), 3),
        "overhead_ratio_p50": round(statistics.median(ratios), 3) if ratios else None,
    }  # fmt: skip


def run_level(stylist, url: str, model: str, texts: list[str], level: int, bare_turns: int,
              on_reply=None) -> tuple[list, dict]:  # fmt: skip
    """``texts`` in waves of ``level`` concurrent conversations; the first waves each followed by
    the same turns as bare generation, so both see the same machine load."""
    from langchain_core.utils.function_calling import convert_to_openai_tool

    from stylist.tools import build_tools

    tools = [convert_to_openai_tool(t) for t in build_tools(stylist.retriever, stylist.trends)]
    replies: list[dict] = []
    bare: list[dict] = []
    wall = 0.0
    with ThreadPoolExecutor(level) as pool:
        for start in range(0, len(texts), level):
            began = time.perf_counter()
            wave = list(pool.map(lambda t: agent_turn(stylist, t, tools), texts[start : start + level]))
            wall += time.perf_counter() - began
            for reply in wave:
                replies.append(reply)
                if on_reply:
                    on_reply(len(replies), reply)
            if len(bare) < bare_turns:
                bare += pool.map(lambda r: bare_turn(url, model, r["calls"]), wave)
    return replies, level_figures(replies, bare, wall)


def served_folder(url: str) -> tuple[str, str]:
    """(served model name, name of the folder it was loaded from) of the server at ``url``."""
    import httpx

    entry = httpx.get(url.rstrip("/") + "/models", timeout=10).json()["data"][0]
    return entry["id"], Path(str(entry.get("root") or entry["id"])).name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=120, help="requests of the quality pass (1 conversation)")
    ap.add_argument("--concurrency", type=int, nargs="*", default=[4, 16], help="further concurrency levels")
    ap.add_argument("--latency-turns", type=int, default=32, help="turns per further concurrency level")
    ap.add_argument(
        "--bare-turns",
        type=int,
        default=24,
        help="turns per level replayed as bare generation (rounded up to whole waves)",
    )
    ap.add_argument("--llm-url", help="use this running vLLM server (OpenAI base URL, .../v1)")
    ap.add_argument("--label", help="name of this run in the results (default: the served model folder)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    from stylist.agent import open_stylist
    from stylist.settings import Settings

    overrides = {"checkpoint_db": ":memory:"} | ({"llm_url": args.llm_url} if args.llm_url else {})
    settings = Settings(**overrides)
    started = time.perf_counter()
    with open_stylist(settings) as stylist:
        url = stylist.llm_url
        model, folder = served_folder(url)
        label = args.label or folder
        retriever = stylist.retriever
        grounding = stylist.grounding()
        requests = make_requests(retriever.snapshot().metas, args.requests)
        rows = []

        def progress(i: int, reply: dict) -> None:
            req = requests[i - 1]
            rows.append(
                score(reply, req, retriever, grounding) | {"has_match": req["has_match"], "text": req["text"]}
            )
            if i % 10 == 0:
                print(f"  {i}/{len(requests)} turns", file=sys.stderr, flush=True)

        print(
            f"[{label}] quality pass: {len(requests)} requests, 1 conversation", file=sys.stderr, flush=True
        )
        replies, one = run_level(
            stylist, url, model, [r["text"] for r in requests], 1, args.bare_turns, progress
        )
        latency = {"1": one}
        for level in args.concurrency:
            print(f"[{label}] {level} conversations: {args.latency_turns} turns", file=sys.stderr, flush=True)
            texts = [requests[i % len(requests)]["text"] for i in range(max(args.latency_turns, level))]
            latency[str(level)] = run_level(stylist, url, model, texts, level, args.bare_turns)[1]

    shown = sum(r["shown"] for r in rows)
    with_match = [r for r in rows if r["has_match"]]
    without = [r for r in rows if not r["has_match"]]
    quality = {
        "requests": len(rows),
        "requests_with_match": len(with_match),
        "products_shown": shown,
        "constraint_violation_rate": round(sum(len(r["violations"]) for r in rows) / max(shown, 1), 4),
        "hallucinated_product_rate": round(sum(1 for r in rows if r["hallucinated"]) / len(rows), 4),
        "answered_with_product_rate_when_match": round(sum(1 for r in with_match if r["shown"]) / max(len(with_match), 1), 4),
        "products_shown_when_no_match": sum(r["shown"] for r in without),
        # Turns whose catalog search the model called itself, arguments unchanged by the guards (native mode).
        "model_search_call_rate": round(sum(r["model_called"] for r in rows) / len(rows), 4),
        "examples_failed": [r for r in rows if r["violations"] or r["hallucinated"] or (r["has_match"] and not r["shown"])][:10],
    }  # fmt: skip
    run = {
        "model": folder, "served_name": model, "llm_url": args.llm_url or "local server started by the benchmark",
        "quality": quality, "latency": latency,
        "sample_answer": {"request": requests[0]["text"], "answer": replies[0]["answer"]},
        "settings": {k: getattr(settings, k) for k in ("agent_tool_mode", "agent_max_tokens", "agent_temperature",
                                                        "agent_repetition_penalty", "agent_max_model_calls",
                                                        "agent_products")},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load_avg": os.getloadavg()},
        "duration_s": round(time.perf_counter() - started, 1),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }  # fmt: skip
    print(json.dumps({label: run}, indent=2))
    results = json.loads(args.out.read_text()) if args.out.is_file() else {}
    results = {"benchmark": "agent", "runs": results.get("runs", {}) | {label: run}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out} [{label}]", file=sys.stderr)


if __name__ == "__main__":
    main()
