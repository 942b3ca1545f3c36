"""Base against fine-tuned model, on held-out requests, through a real vLLM server.

The requests are dialogs generated in the held-out wordings (templates, budget phrases and
words for who it is for that training never saw; see stylist/finetune/data.py). For each
model, a local vLLM server is started (the product's own command line) and sent:

- the call step: the agent's system prompt, the four tools and the shopper's turn(s); the
  reply's parsed ``tool_calls`` are scored: parsed at all, right tool, exact constraint
  arguments (gender, article type, colour, usage, season, budget, size; product id for looks), and
  exact on the five the issue names (budget, gender, colour, article type, size; product id);
- the answer step: the same dialog with the real tool result; the answer is scored for
  naming only retrieved products (raw, and after the agent's grounding guard) and for
  repetition; tokens per second come from these answers.

Sampling is the agent's (greedy by default), or with ``--sampled`` temperature 0.3 and
repetition penalty 1.15 (what the base model needs), seeded. Like the agent in native mode, every
request carries the tool-call grammar (``stylist.tools.tool_call_grammar``: calls must fit the tools'
schemas and the catalog's values); ``STYLIST_AGENT_TOOL_CALL_GRAMMAR=off`` measures the model
unconstrained (``-free`` in the key). Results are kept per model and sampling (``tuned-greedy``,
``base-sampled``, ``tuned-greedy-free``, ...).

    python benchmarks/finetune.py [--requests 120] [--models base tuned] [--sampled] [--label KEY]

``STYLIST_LLM_ADAPTER=folder`` measures another adapter than the shipped one as ``tuned``.

Writes benchmarks/results/finetune.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RESULTS = Path(__file__).resolve().parent / "results"
CONSTRAINTS = (
    "gender",
    "article_type",
    "colour",
    "usage",
    "season",
    "price_max",
    "price_min",
    "size",
    "product_id",
)
# The constraints the fine-tuning issue names (budget, gender, colour, article type, size), and the
# product id of a look: the second, looser exact figure (the first also counts usage and season).
NAMED = ("gender", "article_type", "colour", "price_max", "size", "product_id")
COUNTS = {
    "search": 0.45,
    "nomatch": 0.08,
    "followup": 0.17,
    "look": 0.08,
    "photo": 0.07,
    "trend": 0.09,
    "chat": 0.06,
}


def exact_args(got: dict, want: dict, constraints: tuple[str, ...] = CONSTRAINTS) -> bool:
    """The ``constraints`` the model sent equal the request's (numbers compared as numbers)."""

    def norm(value: object) -> object:
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                return value.strip().lower()
        return value

    keys = [k for k in constraints if k in want or got.get(k) not in (None, "", [])]
    return all(norm(got.get(k)) == norm(want.get(k)) for k in keys)


def repeats(text: str, names: list[str] = ()) -> bool:
    """A sentence said twice, or a 4-word run said three times outside product names: loops."""
    from stylist.grounding import SENTENCE_BREAK, loops

    sentences = [re.sub(r"\W+", " ", x.lower()).strip() for x in SENTENCE_BREAK.split(text) if x.strip()]
    return len(set(sentences)) < len(sentences) or loops(text, names)


def call_step(dialog) -> tuple[list[dict], dict | None]:
    """Messages up to the last tool call, and that call (None for chit-chat)."""
    last = max((i for i, m in enumerate(dialog.messages) if m.get("tool_calls")), default=None)
    if last is None:
        return dialog.messages[:-1], None
    return dialog.messages[:last], dialog.messages[last]["tool_calls"][0]["function"]


def answer_step(dialog) -> tuple[list[dict], list[dict]]:
    """Messages up to the final answer, and the products the last tool result listed."""
    messages = dialog.messages[:-1]
    tool = next((m for m in reversed(messages) if m["role"] == "tool"), None)
    items = []
    for line in (tool or {}).get("content", "").splitlines():
        match = re.match(r"\[(\w+)\] (.+?) \| (\d+) (\w+)", line)
        if match:
            items.append({"id": match.group(1), "title": match.group(2), "price": float(match.group(3)),
                          "currency": match.group(4)})  # fmt: skip
    return messages, items


def wire(messages: list[dict]) -> list[dict]:
    """OpenAI wire format: tool-call arguments as JSON strings."""
    out = []
    for m in messages:
        if m.get("tool_calls"):
            m = dict(m, tool_calls=[dict(c, function=dict(c["function"], arguments=json.dumps(c["function"]["arguments"])))
                                    for c in m["tool_calls"]])  # fmt: skip
        out.append(m)
    return out


def evaluate(url: str, settings, dialogs, schemas, grounding, grammar: dict | None = None) -> dict:
    from stylist.llm import openai_client

    client = openai_client(url)
    extra = {"repetition_penalty": settings.agent_repetition_penalty}
    if grammar is not None:
        extra["response_format"] = grammar  # as the agent sends it (agent_tool_call_grammar)
    rows = []
    for i, dialog in enumerate(dialogs):
        row = {"kind": dialog.kind}
        messages, want = call_step(dialog)
        reply = client.chat.completions.create(
            model=settings.llm_served_name, messages=wire(messages), tools=schemas, temperature=settings.agent_temperature,
            max_tokens=settings.agent_max_tokens, seed=i, extra_body=extra,
        )  # fmt: skip
        calls = reply.choices[0].message.tool_calls or []
        row["parsed"] = bool(calls)
        got_name = calls[0].function.name if calls else None
        row["right_tool"] = got_name == (want["name"] if want else None)
        row["want"] = want
        row["got"] = {"name": got_name, "arguments": calls[0].function.arguments} if calls else None
        row |= score_call(row["got"], want)
        if want:
            messages, items = answer_step(dialog)
            started = time.perf_counter()
            reply = client.chat.completions.create(
                model=settings.llm_served_name, messages=wire(messages), tools=schemas,
                temperature=settings.agent_temperature, max_tokens=settings.agent_max_tokens, seed=i, extra_body=extra,
            )  # fmt: skip
            seconds = time.perf_counter() - started
            text = reply.choices[0].message.content or ""
            row["tokens"] = reply.usage.completion_tokens if reply.usage else 0
            row["seconds"] = seconds
            row |= score_answer(text, items, dialog.kind, grounding)
        rows.append(row)
    return summarize(rows)


def score_call(got: dict | None, want: dict | None) -> dict:
    """The call's exact-argument figures (strict, and on the issue's named constraints)."""
    if not want:
        return {}
    if not got:
        return {"exact_args": False, "exact_named_args": False}
    try:
        args = json.loads(got["arguments"] or "{}")
    except json.JSONDecodeError:
        args = {}
    right = got["name"] == want["name"]
    return {"exact_args": right and exact_args(args, want["arguments"]),
            "exact_named_args": right and exact_args(args, want["arguments"], NAMED)}  # fmt: skip


def score_answer(text: str, items: list[dict], kind: str, grounding) -> dict:
    """The answer's figures, raw and after the agent's grounding guard."""
    from stylist.grounding import compose_answer
    from stylist.query import Filters

    intent = "trend" if kind == "trend" else "search"
    guarded = compose_answer(text, items, Filters(), grounding, None, intent) if items else text
    names = [i["title"] for i in items]
    return {"grounded_raw": not grounding.ungrounded(text, items),
            "grounded_guarded": not grounding.ungrounded(guarded, items),
            "repeats": repeats(text, names), "repeats_guarded": repeats(guarded, names), "answer": text}  # fmt: skip


def rescore(result: dict, dialogs, grounding) -> None:
    """Score the stored calls and answers again with the current scoring code (no model calls)."""
    for key, model in result["models"].items():
        rows = model["rows"]
        if len(rows) != len(dialogs):
            raise SystemExit(f"{key}: {len(rows)} rows for {len(dialogs)} dialogs: not the same held-out set")
        for row, dialog in zip(rows, dialogs, strict=True):
            row |= score_call(row["got"], row["want"])
            if "answer" in row:
                row |= score_answer(row["answer"], answer_step(dialog)[1], dialog.kind, grounding)
        model |= {k: v for k, v in summarize(rows).items() if k not in ("by_kind", "sample_answers")}


def summarize(rows: list[dict]) -> dict:
    def rate(key: str, subset: list[dict]) -> float | None:
        values = [r[key] for r in subset if key in r]
        return round(sum(values) / len(values), 4) if values else None

    tooled = [r for r in rows if r["kind"] != "chat"]
    answers = [r for r in rows if "tokens" in r]
    tokens, seconds = sum(r["tokens"] for r in answers), sum(r["seconds"] for r in answers)
    out = {
        "requests": len(rows),
        "tool_call_parse_rate": rate("parsed", tooled),
        "right_tool_rate": rate("right_tool", tooled),
        "parsed_and_right_tool_rate": round(
            sum(r["parsed"] and r["right_tool"] for r in tooled) / max(1, len(tooled)), 4
        ),
        "exact_constraint_args_rate": rate("exact_args", tooled),
        "exact_named_constraint_args_rate": rate("exact_named_args", tooled),
        "no_tool_for_chit_chat_rate": rate("right_tool", [r for r in rows if r["kind"] == "chat"]),
        "grounded_answer_rate_raw": rate("grounded_raw", answers),
        "grounded_answer_rate_after_guards": rate("grounded_guarded", answers),
        "repetition_rate": rate("repeats", answers),
        "repetition_rate_after_guards": rate("repeats_guarded", answers),
        "answer_tokens_per_s": round(tokens / seconds, 1) if seconds else None,
        "by_kind": {},
        "sample_answers": [r["answer"] for r in answers[:3]],
        "rows": rows,
    }
    for kind in sorted({r["kind"] for r in rows}):
        subset = [r for r in rows if r["kind"] == kind]
        out["by_kind"][kind] = {"n": len(subset), "right_tool": rate("right_tool", subset),
                                "exact_args": rate("exact_args", subset)}  # fmt: skip
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=120)
    ap.add_argument("--models", nargs="+", default=["base", "tuned"], choices=["base", "tuned"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--sampled",
        action="store_true",
        help="temperature 0.3, repetition penalty 1.15 (what the base model needs) instead of the agent's greedy",
    )
    ap.add_argument("--out", type=Path, default=RESULTS / "finetune.json")
    ap.add_argument("--label", help="key for this run's results (default: model-sampling, e.g. tuned-greedy)")
    ap.add_argument("--rescore", action="store_true", help="score the stored answers again, call no model")
    args = ap.parse_args()

    from stylist.finetune import dialog_maker
    from stylist.llm import LLMServer, free_port, serving_model
    from stylist.settings import Settings

    settings = Settings()
    maker = dialog_maker(settings, "heldout", args.seed)
    dialogs = maker.make({k: max(1, round(v * args.requests)) for k, v in COUNTS.items()})
    from stylist.agent import grounding_for

    grounding = grounding_for(maker.retriever)()
    # Models measured before (another --models run) stay in the file beside this run's.
    before = json.loads(args.out.read_text()).get("models", {}) if args.out.is_file() else {}
    result = {"benchmark": "finetune", "heldout_dialogs": len(dialogs),
              "kinds": {k: sum(d.kind == k for d in dialogs) for k in COUNTS}, "models": before}  # fmt: skip
    if args.rescore:
        rescore(result, dialogs, grounding)
    grammar = None
    if settings.agent_tool_call_grammar != "off":  # measures the model's own calls, as native mode uses them
        from stylist.tools import catalog_tool_call_grammar

        grammar = catalog_tool_call_grammar(maker.schemas, maker.retriever)
    for name in [] if args.rescore else args.models:
        sampling = {"agent_temperature": 0.3, "agent_repetition_penalty": 1.15} if args.sampled else {}
        model_settings = Settings(llm_finetuned=(name == "tuned"), llm_port=free_port(), **sampling)
        model_dir = serving_model(model_settings)
        server = LLMServer(model_settings, model_dir=model_dir)
        server.start()
        try:
            started = time.perf_counter()
            key = args.label or name + ("-sampled" if args.sampled else "-greedy") + (
                "" if grammar else "-free"
            )
            result["models"][key] = evaluate(
                server.url, model_settings, dialogs, maker.schemas, grounding, grammar
            )
            result["models"][key]["model_dir"] = model_dir.name
            result["models"][key]["seconds"] = round(time.perf_counter() - started, 1)
        finally:
            server.stop()
        print(json.dumps({key: result["models"][key]}, indent=2), flush=True)
    report = Path(__file__).resolve().parents[1] / "stylist" / "finetune" / "adapter" / "report.json"
    if report.is_file():
        result["training"] = json.loads(report.read_text())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "models"}, indent=2))


if __name__ == "__main__":
    main()
