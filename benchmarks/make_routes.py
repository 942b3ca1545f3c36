"""Write the turn router's training data (``stylist/data/routes.jsonl``) from the conversation sets.

Each line is one shopper turn: its words, whether a photo came with it, the route of the turn
before (``start`` for the first) and its own route, read from the turn's expectations:

- ``injection``: an attempt on the stylist's rules that must be refused;
- ``offtopic``: a request the shop cannot help with, refused;
- ``trend``: a question about what is in fashion;
- ``chat``: small talk that shows no products;
- ``shop``: a request that must show products.

Turns whose expectations say none of these (products optional) are left out of training but
still give the next turn its ``previous`` route (``other``). The held-out sets named in
:data:`HELD_OUT` are never read, so the router is measured on wordings it was not trained on.

    python benchmarks/make_routes.py            # rewrite stylist/data/routes.jsonl
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
OUT = ROOT / "stylist" / "data" / "routes.jsonl"
#: Sets kept for measuring the stylist: never read here (holdout31 not measured or read yet).
HELD_OUT = ("holdout31_conversations",)


def route_of(turn: dict[str, Any], category: str) -> str | None:
    expect = turn.get("expect") or {}
    products = expect.get("products")
    if category == "injection" and expect.get("refusal"):
        return "injection"
    if category == "out-of-scope" and (expect.get("refusal") or products in (False, "no")):
        return "offtopic"
    if category == "trend" and products not in (True, "yes"):
        return "trend"
    if category == "smalltalk" and products in (False, "no"):
        return "chat"
    if products in (True, "yes"):
        return "shop"
    return None


def examples(path: Path) -> list[dict[str, Any]]:
    out = []
    for conv in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        previous = "start"
        for turn in conv["turns"]:
            route = route_of(turn, turn.get("category", conv["category"]))
            if route:
                out.append({"say": str(turn["say"]), "photo": bool(turn.get("photo")),
                            "previous": previous, "route": route})  # fmt: skip
            previous = route or "other"
    return out


def sources() -> list[Path]:
    return [p for p in sorted(DATA.glob("*conversations*.yaml")) if p.stem not in HELD_OUT]


def build() -> list[dict[str, Any]]:
    return [e for path in sources() for e in examples(path)]


def main() -> None:
    rows = build()
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} turns from {len(sources())} sets -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
