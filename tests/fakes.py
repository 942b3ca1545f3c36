"""Scripted fakes for unit tests: they record what they were sent and replay what they were told."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult


class ScriptedChatModel(BaseChatModel):
    """A chat model that answers from a script, one entry per call, and records every call.

    Script entries are AIMessages, or exceptions to raise.
    """

    script: list[Any]
    history: list[list[BaseMessage]] = []
    bound_tools: list[str] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def enqueue(self, *entries: Any) -> ScriptedChatModel:
        self.script.extend(entries)
        return self

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:
        self.bound_tools = [getattr(t, "name", str(t)) for t in tools]
        return self

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kwargs: Any
    ) -> ChatResult:
        self.history.append(list(messages))
        if not self.script:
            raise AssertionError(
                f"scripted model called more often than scripted ({len(self.history)} calls)"
            )
        entry = self.script.pop(0)
        if isinstance(entry, BaseException):
            raise entry
        message = entry if isinstance(entry, AIMessage) else AIMessage(content=str(entry))
        return ChatResult(generations=[ChatGeneration(message=message.model_copy())])


def scripted(*entries: Any) -> ScriptedChatModel:
    return ScriptedChatModel(script=list(entries), history=[])


class CatalogFake:
    """A retriever over a list of products: filters exactly like the real one, ranks by list
    order (no embeddings), and records every search it was asked for (``searches``)."""

    def __init__(self, products: list[dict[str, Any]]) -> None:
        from stylist.query import QueryParser

        self.products = products
        self.searches: list[dict[str, Any]] = []
        values = {k: {str(p[k]) for p in products if p.get(k)} for k in ("article_type", "colour", "usage")}
        self.parser = QueryParser.from_values(values)

    def parse(self, text: str) -> Any:
        return self.parser.parse(text)

    def _item(self, p: dict[str, Any]) -> Any:
        from stylist.retrieval import Item

        fields = Item.__dataclass_fields__
        return Item(**{k: p.get(k, "" if k not in ("price", "score", "sizes") else {} if k == "sizes" else 0.0)
                       for k in fields if k != "score"}, score=1.0)  # fmt: skip

    def count_by(self, field: str, filters: Any) -> dict[str, int]:
        from collections import Counter

        return dict(
            Counter(str(p[field]) for p in self.products if p.get(field) and not filters.violations(p))
        )

    def get(self, product_id: str) -> Any:
        return next((self._item(p) for p in self.products if str(p["id"]) == str(product_id)), None)

    def search(
        self, query: str, filters: Any = None, k: int = 10, *, parse: bool = True, relax: bool = True
    ) -> Any:
        from stylist.query import Filters
        from stylist.retrieval import SearchResult

        active = (self.parser.parse(query).filters if parse else Filters()).merged(filters)
        self.searches.append({"query": query, "filters": active.active(), "k": k})
        items = [self._item(p) for p in self.products if not active.violations(p)][:k]
        return SearchResult(query=query, filters=active, items=items)


def product(pid: str, article_type: str, colour: str, gender: str = "Women", price: float = 999,
            usage: str = "Casual", subcategory: str = "", category: str = "Apparel", season: str = "Summer") -> dict:  # fmt: skip
    """A catalog product for :class:`CatalogFake`."""
    return {"id": pid, "title": f"Brand {gender} {colour} {article_type}", "price": float(price), "currency": "INR",
            "gender": gender, "article_type": article_type, "colour": colour, "usage": usage, "season": season,
            "category": category, "subcategory": subcategory or article_type, "image": "", "url": "", "sizes": {}}  # fmt: skip
