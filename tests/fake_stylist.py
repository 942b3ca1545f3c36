"""A scripted stand-in for ``stylist.agent.Stylist`` (unit tests and browser tests of the web layer).

Replies are queued with :meth:`FakeStylist.enqueue`; every call is recorded in
``calls`` so tests assert what the web layer sent. Products come from the real
sample catalog, so ids shown in the UI exist there.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from typing import Any

from stylist.reply import Event, ProductCard, Reply, ToolCall


def card(product: dict[str, Any], reason: str = "") -> ProductCard:
    """A product card for a catalog row (as the agent builds it from a tool result)."""
    return ProductCard(
        id=str(product["id"]),
        title=product["title"],
        price=float(product["price"]),
        currency=product["currency"],
        colour=product.get("colour", ""),
        article_type=product.get("article_type", ""),
        gender=product.get("gender", ""),
        usage=product.get("usage", ""),
        image=product.get("image", ""),
        url=product.get("url", ""),
        reason=reason,
        sizes=dict(product.get("sizes") or {}),
    )


class FakeStylist:
    """Answers from a script; without one, picks catalog items whose title shares a word with the message."""

    def __init__(self, products: list[dict[str, Any]], delay_s: float = 0.0) -> None:
        self.catalog = {str(p["id"]): p for p in products}
        self.script: deque[Reply | Exception] = deque()
        self.calls: list[dict[str, Any]] = []
        self.ready_state = {"llm": True, "chroma": True}
        self.delay_s = delay_s  # per streamed token: makes streaming observable in a browser
        self.closed = False
        self._lock = threading.Lock()

    def enqueue(self, *replies: Reply | Exception) -> None:
        self.script.extend(replies)

    def _next(
        self,
        method: str,
        message: str,
        thread_id: str | None,
        image: bytes | None,
        shopper_id: str | None = None,
    ) -> Reply:
        with self._lock:
            self.calls.append(
                {"method": method, "message": message, "thread_id": thread_id, "image": image,
                 "shopper_id": shopper_id}
            )  # fmt: skip
            scripted = self.script.popleft() if self.script else None
        if isinstance(scripted, Exception):
            raise scripted
        if scripted is None:
            words = {w for w in message.lower().split() if len(w) > 3}
            hits = [p for p in self.catalog.values() if words & set(p["title"].lower().split())]
            picks = (hits or list(self.catalog.values()))[:3]
            scripted = Reply(
                answer=f"Here are {len(picks)} ideas for: {message}",
                products=[card(p, f"matches your request for {p['article_type'].lower()}") for p in picks],
                tool_calls=[ToolCall("search_catalog", {"query": message})],
            )
        scripted.thread_id = scripted.thread_id or (thread_id or "")
        return scripted

    def respond(
        self,
        message: str,
        thread_id: str | None = None,
        image: bytes | None = None,
        *,
        shopper_id: str | None = None,
    ) -> Reply:
        return self._next("respond", message, thread_id, image, shopper_id)

    def stream(
        self,
        message: str,
        thread_id: str | None = None,
        image: bytes | None = None,
        *,
        shopper_id: str | None = None,
    ) -> Iterator[Event]:
        reply = self._next("stream", message, thread_id, image, shopper_id)
        for call in reply.tool_calls:
            yield Event("tool", {"name": call.name, "args": call.args, "source": call.source})
        for i, word in enumerate(reply.answer.split(" ")):
            if self.delay_s:
                time.sleep(self.delay_s)
            yield Event("token", {"text": word if i == 0 else " " + word})
        yield Event("final", {"reply": reply.to_dict()})

    def ready(self) -> dict[str, bool]:
        return dict(self.ready_state)

    def product(self, product_id: str) -> dict[str, Any] | None:
        item = self.catalog.get(str(product_id))
        return dict(item) if item else None

    def close(self) -> None:
        self.closed = True
