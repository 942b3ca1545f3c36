"""Thumbs up/down by answer type, from the feedback store (``feedback.sqlite``).

A judged turn's answer type is read from what the feedback store kept of it: products were shown
("products"), the answer said the shop does not carry it ("no_match"), or neither ("other": trend
answers, questions back, refusals). The demand log cannot be joined to feedback: it keeps no thread.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

#: The grounded answer's words when nothing matched (stylist.grounding).
NO_MATCH_WORDS = ("don't carry", "do not carry", "couldn't find", "could not find")


def answer_type(answer: str, product_ids: list[str]) -> str:
    if product_ids:
        return "products"
    lowered = answer.lower()
    return "no_match" if any(w in lowered for w in NO_MATCH_WORDS) else "other"


def thumbs_by_answer_type(path: Path, days: float = 7, now: float | None = None) -> list[dict[str, Any]]:
    """``[{"answer_type", "up", "down"}]`` over the last ``days`` (none when there is no store)."""
    import json

    if not Path(path).is_file():
        return []
    since = (time.time() if now is None else now) - days * 86400
    with sqlite3.connect(path, timeout=10) as db:
        rows = db.execute(
            "SELECT answer, product_ids, liked FROM feedback WHERE created >= ?", (since,)
        ).fetchall()
    counts: dict[str, list[int]] = {}
    for answer, ids, liked in rows:
        kind = answer_type(str(answer or ""), list(json.loads(ids or "[]")))
        counts.setdefault(kind, [0, 0])[0 if liked else 1] += 1
    return [{"answer_type": k, "up": v[0], "down": v[1]} for k, v in sorted(counts.items())]
