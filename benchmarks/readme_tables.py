"""README figure tables, generated from ``benchmarks/results/*.json``.

Each table in README.md sits between ``<!-- table:NAME -->`` and ``<!-- /table -->``; this script
rewrites that region from the result file, so a rerun benchmark updates the README and the README
cannot drift from the files (``--check``, run by the unit tests, fails when it has).
Columns that are not measurements (targets, published figures, an earlier model's figures) are kept
here beside the code that formats the measured ones.

    python benchmarks/readme_tables.py           # rewrite README.md
    python benchmarks/readme_tables.py --check   # exit 1 when README.md differs from the files
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
README = ROOT / "README.md"
REGION = re.compile(r"(<!-- table:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /table -->)", re.S)


def _load(name: str) -> dict:
    return json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = [
        "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|\n" for cells in (header, *rows)
    ]
    return lines[0] + "|" + "---|" * len(header) + "\n" + "".join(lines[1:])


def _seconds(s: float) -> str:
    """216 ms below a second, else three significant digits in seconds (3.44 s, 16.7 s)."""
    if s < 1:
        return f"{s * 1000:.0f} ms"
    return f"{s:.2f} s" if s < 10 else f"{s:.1f} s"


def _ms(x: float) -> str:
    """Whole milliseconds, halves rounded up (2770.5 -> 2,771), with thousands separators."""
    return f"{int(Decimal(str(x)).quantize(Decimal(1), ROUND_HALF_UP)):,}"


def retrieval() -> str:
    r = _load("retrieval")
    return _table(
        ["measured (`python benchmarks/retrieval.py`, full 13k sample catalog)", ""],
        [
            [f"nDCG@10 / Recall@10, {r['queries']} attribute queries with paraphrases and typos",
             f"{r['ndcg_at_10']:.3f} / {r['recall_at_10']:.3f}"],
            ["constraint violations (constraints the parser read)",
             f"{r['violations_of_parsed_constraints']} of {r['items_returned']:,} results"],
            ["results missing an attribute the query states (parser missed an ambiguous typo)",
             f"{r['violation_rate_stated']:.2%}"],
            ["query p50 / p95 at 13k items",
             f"{r['query_p50_ms']:.1f} / {r['query_p95_ms']:.1f} ms (load {r['load_average_1m']}); "
             "62 / 95 ms at load 10"],  # the second figure: an earlier run at load 10
            ["ingestion of the sample catalog", f"{r['ingest']['items_per_s']} items/s (load about 9)"],
        ],
    )  # fmt: skip


def llm() -> str:
    r = _load("llm")
    rows = []
    for tokens, m in r["single_stream"].items():
        rows.append([f"1 stream, {tokens} tokens", _seconds(m["ttft_p50_s"]), _seconds(m["total_p50_s"]),
                     f"{m['tokens_per_s']:.1f}"])  # fmt: skip
    out = r["concurrent"]["output_tokens"]
    for level, m in r["concurrent"]["levels"].items():
        if level == "1":
            continue  # one stream is the row above
        rows.append([f"{level} concurrent, {out} tokens", _seconds(m["ttft_p50_s"]), _seconds(m["total_p50_s"]),
                     f"{m['tokens_per_s_total']:.1f} total"])  # fmt: skip
    return _table(["", "TTFT p50", "total p50", "tokens/s"], rows)


def load() -> str:
    runs = _load("load")["runs"]
    real, canned = runs["real"]["levels"], runs["canned-llm"]["levels"]
    rows = []
    for a, b in zip(real, canned, strict=True):
        assert a["clients"] == b["clients"]
        rows.append([str(a["clients"])] + [
            cell
            for m in (a, b)
            for cell in (f"{m['requests_per_s']:.2f}", f"{_ms(m['p50_ms'])} / {_ms(m['p95_ms'])}", str(m["errors"]))
        ])  # fmt: skip
    header = [
        "clients",
        "real stack: req/s",
        "p50 / p95 ms",
        "errors",
        "canned model: req/s",
        "p50 / p95 ms",
        "errors",
    ]
    return _table(header, rows)


#: README label, key in trends.json, the published figure (Hyndman/HERMES papers; not measured here).
TREND_MODELS = [
    ("seasonal naive", "seasonal naive", "0.881 (10k set)"),
    ("ETS (statsforecast AutoETS; non-seasonal because m > 24)", "ETS (AutoETS, m=52)", "0.807 (10k set)"),
    ("TBATS (AutoTBATS, m=52)", "TBATS (AutoTBATS, m=52)", "0.745"),
    ("MSTL", "MSTL (STL + AutoETS trend)", ""),
    ("project, no signal", "project, no signal", ""),
    ("**project + influencer signal**", "project + influencer signal", "HERMES 0.7368"),
]


def trends() -> str:
    mase = _load("trends")["mase"]
    rows = []
    for label, key, published in TREND_MODELS:
        value = f"{mase[key]['test (last 52 weeks)']:.4f}"
        rows.append([label, f"**{value}**" if label.startswith("**") else value, published])
    return _table(["model", "MASE", "published"], rows)


def classifier() -> str:
    heads = _load("classifier")["heads"]
    rows = [[name, f"{h['accuracy']:.3f}", f"{h['macro_f1']:.3f}"] for name, h in heads.items()]
    return _table(["head", "accuracy", "macro-F1"], rows)


#: The previous image model's figures (1.1M parameters, 16 epochs) and the targets: not in vision.json.
VISION_BEFORE = {
    "article": "0.794 / 0.957", "colour": "0.639", "gender": "0.863", "similar": "0.724", "text": "0.89",
    "time": "16.6 ms", "unsure": "100%",
}  # fmt: skip


def vision() -> str:
    f = _load("vision")["figures"]
    unsure = min(v for k, v in f.items() if k.startswith("non_fashion_") and k.endswith("_flagged"))
    b = VISION_BEFORE
    rows = [
        ["article type top-1 / top-5", f"{f['article_type_top1']:.3f} / {f['article_type_top5']:.3f}", b["article"],
         "≥ 0.85 (missed)" if f["article_type_top1"] < 0.85 else "≥ 0.85 (met)"],
        ["colour top-1", f"{f['colour_top1']:.3f}", b["colour"],
         "≥ 0.65 (met, with no margin)" if f["colour_top1"] < 0.655 else "≥ 0.65"],
        ["gender top-1", f"{f['gender_top1']:.3f}", b["gender"], ""],
        ["similar items with the same article type (precision@5)", f"{f['similar_article_type_p5']:.3f}",
         b["similar"], "≥ 0.80"],
        ["text to photo, article type precision@10", f"{f['text_to_photo_article_type_p10']:.3f}", b["text"], ""],
        ["time to describe one photo (median)", f"{f['ms_per_image']:.1f} ms", b["time"], "< 100 ms"],
        ["non-fashion images marked unsure", f"{unsure:.0%}", b["unsure"], ""],
    ]  # fmt: skip
    return _table(["figure", "value", "before", "target"], rows)


#: How many of the latest conversation runs the README table shows beside the baseline.
RECENT_RUNS = 8


def conversations() -> str:
    """The conversation benchmark's runs, one column each, in the order they were measured: the first
    (``baseline``) and the latest :data:`RECENT_RUNS`; the runs between are a line under the table."""
    every = sorted(_load("conversations")["runs"].items(), key=lambda kv: kv[1].get("measured_at", ""))
    runs = every[:1] + every[1:][-RECENT_RUNS:]
    between = every[1:][:-RECENT_RUNS]
    header = ["conversation benchmark"]
    for label, run in runs:
        st = run.get("settings") or {}
        model = "tuned" if st.get("llm_finetuned", True) else "base"
        scope = f"{run['summary']['turns']} turns"
        header.append(
            f"`{label}`: {model}, {st.get('agent_tool_mode', 'prefetch')}, {scope}, commit {run.get('git_commit', '?')}"
        )
    rows: list[list[str]] = []

    def row(name: str, fmt: Callable[[dict], str]) -> None:
        cells = []
        for _, run in runs:
            try:
                cells.append(fmt(run["summary"]))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("")
        rows.append([name, *cells])

    row("**turn pass rate** (target >= 0.95)", lambda s: f"**{s['turn_pass_rate']:.3f}**")
    row("conversation pass rate", lambda s: f"{s['conversation_pass_rate']:.3f}")
    categories = sorted({c for _, r in runs for c in r["summary"].get("per_category", {})})
    for cat in categories:
        row(
            f"- {cat}",
            lambda s, c=cat: f"{s['per_category'][c]['pass_rate']:.2f} ({s['per_category'][c]['turns']})",
        )
    row('false "we don\'t carry" rate (target 0)', lambda s: f"{s['false_no_match_rate']:.3f}")
    row("text/card contradictions (target 0)", lambda s: f"{s['text_card_contradiction_turns']}")
    row(
        "cards breaking a stated constraint (target 0)",
        lambda s: f"{s['constraint_violating_cards']} of {s['cards_shown']:,}",
    )
    row(
        "looks with >= 2 colours (target >= 0.95)",
        lambda s: f"{s['look_two_colour_share']:.2f} of {s['look_turns']}",
    )
    row(
        "first sentence p50 / p95",
        lambda s: f"{_seconds(s['ttft_ms_p50'] / 1000)} / {_seconds(s['ttft_ms_p95'] / 1000)}",
    )
    row(
        "end of turn p50 / p95",
        lambda s: f"{_seconds(s['total_ms_p50'] / 1000)} / {_seconds(s['total_ms_p95'] / 1000)}",
    )
    row(
        "agent / bare vLLM, p50: first sentence, end of turn",
        lambda s: f"{s['agent_over_bare_first_sentence_p50']:.2f}, {s['agent_over_bare_total_p50']:.2f}",
    )
    table = _table(header, rows)
    if between:
        earlier = ", ".join(f"`{label}` {run['summary']['turn_pass_rate']:.3f}" for label, run in between)
        table += f"\nTurn pass rate of the runs in between (all figures in `benchmarks/results/conversations.json`): {earlier}.\n"
    return table


def _survived(ok: bool | None) -> str:
    return "**yes**" if ok else ("skipped" if ok is None else "**no**")


def faults() -> str:
    f = _load("faults")["scenarios"]
    rows = []
    if (v := f.get("vllm_killed_mid_stream")) is not None:
        rows.append(
            [
                "vLLM killed (SIGKILL to its process group) while a turn streams",
                f'error event: "{str(v.get("stream_error_event"))[:70]}..."; '
                f"{v.get('turn_while_restarting', {}).get('status')} with Retry-After while down; the app "
                f"restarted vLLM on the same port in {v.get('vllm_restarted_by_the_app_s')} s; "
                f"the thread's next turn {v.get('next_turn_status')}, answered from the thread: "
                f"{'yes' if v.get('next_turn_refines_the_thread') else 'no'}",
                _survived(v.get("survived")),
            ]
        )
    if (a := f.get("app_killed_mid_conversation")) is not None:
        rows.append(
            [
                "the app killed (kill -9) while a turn streams, started again",
                f"back in {a.get('restart_s')} s; its orphaned vLLM stopped and replaced: "
                f"{'yes' if a.get('orphaned_vllm_replaced') else 'no'}; SQLite integrity "
                f"{a.get('sqlite_integrity')}; the thread's next turn {a.get('next_turn_status')}, "
                f"answered from the thread: {'yes' if a.get('next_turn_keeps_who_it_is_for') else 'no'}",
                _survived(a.get("survived")),
            ]
        )
    if (g := f.get("postgres_down_and_back")) is not None:
        rows.append(
            [
                "PostgreSQL (conversations) stopped, then started",
                f'{g["while_down"]["status"]} "{g["while_down"]["detail"]}" while down; after: '
                f"{g['after']['status']}, the thread from before continues: "
                f"{'yes' if g['after'].get('refines_the_thread_from_before') else 'no'}",
                _survived(g.get("survived")),
            ]
        )
    if (c := f.get("chroma_down_and_back")) is not None:
        rows.append(
            [
                "Chroma server stopped, then started",
                f"`/readyz` {c['readyz_while_down']['status']} (chroma: false); chat while down: "
                f"{c['turn_while_down']['status']} with {c['turn_while_down']['products']} cards (the build "
                f"in memory)"
                + (
                    f'; a photo while down: error event "{c["photo_turn_while_down"]["error_event"]}"'
                    if (c.get("photo_turn_while_down") or {}).get("error_event")
                    else ""
                )
                + f"; after: {c['after']['status']}"
                + (
                    ""
                    if "photo_turn_answered" not in c["after"]
                    else f", photo turn answered: {'yes' if c['after']['photo_turn_answered'] else 'no'}"
                ),  # fmt: skip
                _survived(c.get("survived")),
            ]
        )
    if (r := f.get("reingest_while_chatting")) is not None:
        rows.append(
            [
                f"catalog re-ingested (every price +1) while {r['shoppers']} shoppers chat",
                f"{r['turns']} turns, {r['errors']} errors, {r['mixed_replies']} replies mixing old and new "
                f"items; ingestion {r['ingest_s']} s; replies after it on the new catalog: "
                f"{r['replies_after_ingest_on_v2']}",
                _survived(r.get("survived")),
            ]
        )
    if (d := f.get("disk_full_while_ingesting")) is not None and not d.get("skipped"):
        rows.append(
            [
                "disk full (tmpfs) during a re-ingestion",
                f'exit {d.get("ingest_on_a_full_disk_exit")}: "{str(d.get("its_last_line"))[:90]}..."; '
                f"the previous store answers with its own items: "
                f"{'yes' if d.get('previous_store_answers_with_its_own_items') else 'no'}; with space again: "
                f"exit {d.get('ingest_with_space_again_exit')}",
                _survived(d.get("survived")),
            ]
        )
    return _table(["fault", "what the shopper and the operator saw", "survived"], rows)  # fmt: skip


def soak() -> str:
    s = _load("soak")
    rows = [[str(m["minute"]), str(m["requests"]), str(m["errors"]),
             _seconds(m["p50_s"]) if m["p50_s"] is not None else "-",
             _seconds(m["p95_s"]) if m["p95_s"] is not None else "-"] for m in s["per_minute"]]  # fmt: skip
    table = _table(["minute", "requests", "errors", "p50", "p95"], rows)

    def slope(value: float | None) -> str:
        return f"{value:+.2f}" if value is not None else "-"

    def counts(c: dict) -> str:
        return " / ".join(
            "-" if c.get(k) is None else str(c[k]) for k in ("start", "after_warmup", "end", "idle_after")
        )

    procs = [[name, f"{p['rss_mb_after_warmup']:,.0f} -> {p['rss_mb_last_minute']:,.0f} MB",
              f"{p['rss_growth_pct']:+.1f}%" + ("" if p["within_10pct"] else " (over 10%)"),
              f"{slope(p['rss_slope_mb_per_min'])} / {slope(p['rss_slope_last_third_mb_per_min'])}",
              counts(p["fds"]), counts(p["threads"])]
             for name, p in s["processes"].items()]  # fmt: skip
    warm = f"{s['warmup_minutes']:g}"
    head = [
        "process",
        f"RSS after the {warm}-min warm-up -> last minute",
        "growth",
        "slope MB/min (run / last third)",
        "open fds (start / warm / end / idle)",
        "threads (start / warm / end / idle)",
    ]
    return table + "\n" + _table(head, procs)


TABLES: dict[str, Callable[[], str]] = {
    "faults": faults,
    "soak": soak,
    "conversations": conversations,
    "retrieval": retrieval,
    "llm": llm,
    "load": load,
    "trends": trends,
    "classifier": classifier,
    "vision": vision,
}


def render(text: str) -> str:
    """``text`` with every marked table region regenerated."""

    def fill(match: re.Match) -> str:
        name = match["name"]
        if name not in TABLES:
            raise SystemExit(f"README.md has a table marker for {name!r}, which this script does not know")
        return match.group(1) + TABLES[name]() + match.group(4)

    return REGION.sub(fill, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when README.md differs from the results")
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    new = render(text)
    found = {m["name"] for m in REGION.finditer(text)}
    if args.check:
        if new != text:
            print(
                f"{args.readme}: tables differ from benchmarks/results; run python benchmarks/readme_tables.py"
            )
            return 1
        print(f"{args.readme}: {len(found)} tables match the results ({', '.join(sorted(found))})")
        return 0
    args.readme.write_text(new, encoding="utf-8")
    print(f"{args.readme}: {len(found)} tables written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
