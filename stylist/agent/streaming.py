"""The sentence gate of :meth:`Stylist.stream`: answer text is released whole sentences at a time.

Each sentence is checked against what the turn retrieved before the shopper sees it, so
the shopper never sees a product the guard will remove.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.messages import ToolMessage

from stylist.grounding import SENTENCE_BREAK, Grounding, may_show
from stylist.intent import TurnPlan
from stylist.query import Filters


class SentenceGate:
    """Holds streamed answer text until a sentence is complete, then lets through the ones it may show.

    Args:
        grounding: returns the :class:`Grounding` of the live catalog.
    """

    def __init__(self, grounding: Callable[[], Grounding]) -> None:
        self.grounding = grounding
        self.allowed: list[dict[str, Any]] = []  # products retrieved so far this turn
        self.filters = Filters()  # the shopper's constraints, once the planner has read them
        self._pending = ""

    def observe(self, update: Any) -> None:
        """Learn the turn's constraints and retrieved products from one graph node's update."""
        if not isinstance(update, dict):
            return
        if update.get("plan"):
            self.filters = TurnPlan.from_state(update["plan"]).filters
        for msg in update.get("messages", []):
            if isinstance(msg, ToolMessage) and isinstance(msg.artifact, dict):
                self.allowed.extend(msg.artifact.get("items", []))
                self.allowed.extend((msg.artifact.get("relaxation") or {}).get("items", []))

    def feed(self, text: str) -> Iterator[str]:
        """The complete sentences ``text`` finishes that may be shown, each with its break."""
        self._pending += text
        # Split keeping each break, so a list keeps its lines.
        parts = re.split(f"({SENTENCE_BREAK.pattern})", self._pending)
        self._pending = parts.pop()
        for sentence, gap in zip(parts[::2], parts[1::2], strict=True):
            if may_show(sentence, self.grounding(), self.allowed, self.filters):
                yield sentence.strip() + ("\n" if "\n" in gap else " ")

    def flush(self) -> str | None:
        """The unfinished last sentence once the answer is complete, or None when it may not be shown."""
        if may_show(self._pending, self.grounding(), self.allowed, self.filters):
            return self._pending.strip()
        return None
