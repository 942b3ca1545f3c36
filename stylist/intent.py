"""Planning a turn deterministically: what the shopper wants and which constraints hold.

The plan carries the thread's memory so follow-ups ("cheaper", "in black",
"something for my husband") refine the previous request instead of starting over.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from stylist.query import Filters, QueryParser, cheaper_ceiling

Intent = Literal["search", "look", "trend", "chat"]

_TREND = re.compile(
    r"\b(trend\w*|in style|still in|in fashion|fashionable|popular|out of style|outdated|hot right now|in vogue|forecast)\b"
)
_LOOK = re.compile(
    r"\b(go(?:es)? with|goes well|match(?:es)? with|pair(?:s)? with|complete the look|wear (?:it |this )?with|style (?:it|this)|what to wear with)\b"
)
_CHEAPER = re.compile(
    r"\b(cheaper|less expensive|lower price|more affordable|budget option|on a budget|too expensive)\b"
)
_PRICIER = re.compile(r"\b(more expensive|pricier|premium|higher end|fancier|luxury)\b")
_CHAT = re.compile(r"^\s*(hi|hello|hey|thanks|thank you|ok|okay|bye|good (?:morning|evening))\b[\s!.]*$")
_REFINE_START = re.compile(
    r"^\s*(and|also|but|what about|how about|in|any|maybe|now|only|show me|something|anything|same|similar|like this)\b"
)
_PRODUCT_ID = re.compile(r"\b(?:id|item|product|#)\s*[:#]?\s*(\d{3,7})\b")
_LIKE_THIS = re.compile(r"\b(like this|similar|this one|like that)\b")


@dataclass
class TurnPlan:
    """What this turn should do."""

    intent: Intent
    filters: Filters
    search_text: str
    anchor_id: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_state(self) -> dict[str, Any]:
        data = asdict(self)
        data["filters"] = self.filters.active()
        return data

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> TurnPlan:
        return cls(
            intent=data["intent"],
            filters=Filters(**data.get("filters", {})),
            search_text=data.get("search_text", ""),
            anchor_id=data.get("anchor_id"),
            notes=list(data.get("notes", [])),
        )


def plan_turn(
    message: str,
    parser: QueryParser,
    memory: dict[str, Any] | None = None,
    photo: dict[str, Any] | None = None,
) -> tuple[TurnPlan, dict[str, Any]]:
    """Plan one turn and return the thread memory to keep.

    Args:
        message: the shopper's text.
        parser: the deterministic constraint parser.
        memory: what the previous turns left: ``filters``, ``search_text``, ``shown`` (ids and prices).
        photo: a described photo: ``caption``, ``similar`` ids, ``attributes``.
    """
    memory = dict(memory or {})
    text = message.strip()
    lowered = text.lower()
    parsed = parser.parse(text)
    new = parsed.filters
    shown: list[dict[str, Any]] = list(memory.get("shown", []))
    previous = Filters(**memory.get("filters", {})) if memory.get("filters") else None
    notes = list(parsed.notes)

    explicit_id = _PRODUCT_ID.search(lowered)
    anchor = explicit_id.group(1) if explicit_id else None
    if photo and photo.get("similar") and anchor is None:
        anchor = str(photo["similar"][0]["id"])

    if _TREND.search(lowered):
        intent: Intent = "trend"
    elif _LOOK.search(lowered) and (anchor or shown):
        intent = "look"
        anchor = anchor or str(shown[0]["id"])
    elif _CHAT.match(lowered) and new.is_empty():
        intent = "chat"
    else:
        intent = "search"

    names_item = bool(new.article_type or new.category or new.subcategory)
    refines = (
        previous is not None
        and not names_item
        and (len(text.split()) <= 8 or bool(_REFINE_START.match(lowered)) or bool(_CHEAPER.search(lowered)))
    )
    if photo and not names_item:
        # A photo stands for the item: search near it with the shopper's new constraints.
        attrs = photo.get("attributes", {})
        top = {k: v[0]["label"] for k, v in attrs.items() if v}
        base = Filters(
            article_type=[top["article_type"]]
            if top.get("article_type") and photo.get("confident")
            else None,
            gender=[top["gender"]] if top.get("gender") and photo.get("confident") else None,
        )
        filters = base.merged(new)
        search_text = f"{photo.get('caption', '')} {text}".strip()
    elif refines:
        filters = previous.merged(new)  # type: ignore[union-attr]
        search_text = f"{memory.get('search_text', '')} {text}".strip()
    elif previous is not None and intent == "search":
        # A new item: keep who it is for (and their size), not the old item's colour or budget.
        keep = Filters(gender=previous.gender)
        filters = keep.merged(new)
        search_text = text
    else:
        filters = new
        search_text = text

    prices = [float(p["price"]) for p in shown if p.get("price")]
    if photo and anchor and not prices and photo.get("anchor_price"):
        prices = [float(photo["anchor_price"])]
    if _CHEAPER.search(lowered) and new.price_max is None:
        if prices:
            ceiling = cheaper_ceiling(prices)
            filters = filters.model_copy(update={"price_max": ceiling})
            notes.append(f"cheaper: under {ceiling:.0f}")
    if _PRICIER.search(lowered) and new.price_min is None and prices:
        floor = statistics.median(prices) + 1
        update: dict[str, Any] = {"price_min": floor}
        if filters.price_max is not None and filters.price_max < floor:
            update["price_max"] = None
        filters = filters.model_copy(update=update)
    if intent == "look" and anchor:
        filters = filters.model_copy(update={"exclude_ids": [anchor]})

    plan = TurnPlan(intent=intent, filters=filters, search_text=search_text, anchor_id=anchor, notes=notes)
    if intent in ("search", "look"):
        memory["filters"] = filters.without("exclude_ids").active()
        memory["search_text"] = search_text
    return plan, memory
