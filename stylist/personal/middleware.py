"""The personal stylist inside the agent graph, as LangChain middleware around the lead's guards.

- :class:`ProfileDefaults` (``before_agent``, after the TurnPlanner): adds the profile's size and
  disliked colours to the turn's plan where the shopper said nothing else (see
  :mod:`stylist.personal.apply`); the guards then enforce them like any stated constraint.
- :class:`PersonalRanking` (``wrap_tool_call`` on ``search_catalog``): asks the search for more
  candidates and shows the shopper's best ones first. Outfits, "the cheapest" and "what goes
  with it" keep their own order.

Both read ``state["personal"]`` (``{"shopper_id", "facts", "for_other"}``), which
:meth:`stylist.agent.Stylist.stream` sets for each turn (None without a shopper id: no change).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NotRequired

from langchain.agents.middleware import AgentMiddleware, AgentState
from langchain_core.messages import ToolMessage

from stylist.personal.apply import before_agent_hook
from stylist.query import Filters
from stylist.tools import SEARCH_CATALOG, format_result


class PersonalState(AgentState):
    """Agent state plus the turn's shopper context (None without a shopper id)."""

    personal: NotRequired[dict[str, Any] | None]


class ProfileDefaults(AgentMiddleware[PersonalState]):
    """Adds the profile's hard facts to the plan the TurnPlanner made (must come after it)."""

    state_schema = PersonalState

    def __init__(self, parser: Callable[[], Any], size_names: Callable[[], Any]) -> None:
        super().__init__()
        self._hook = before_agent_hook(parser, size_names)

    def before_agent(self, state: PersonalState, runtime: Any) -> dict[str, Any] | None:
        return self._hook(state)  # type: ignore[arg-type]


class PersonalRanking(AgentMiddleware[PersonalState]):
    """Reorders a catalog search's products by the shopper's taste (:class:`~stylist.personal.ranking.Scorer`)."""

    state_schema = PersonalState

    def __init__(self, scorer: Callable[[str, Any], Any], candidates: int) -> None:
        super().__init__()
        self._scorer = scorer
        self.candidates = candidates

    def wrap_tool_call(self, request: Any, handler: Callable[[Any], Any]) -> Any:
        call = request.tool_call
        personal = (request.state or {}).get("personal") or {}
        if call["name"] != SEARCH_CATALOG or not personal.get("shopper_id") or call["args"].get("cheapest"):
            return handler(request)
        scorer = self._scorer(personal["shopper_id"], personal.get("facts"))
        if scorer is None:
            return handler(request)  # a cold start: the search's own order
        k = int(call["args"].get("k") or 5)
        wider = {**call, "args": {**call["args"], "k": max(k, self.candidates)}}
        result = handler(request.override(tool_call=wider))
        if not isinstance(result, ToolMessage) or not isinstance(result.artifact, dict):
            return result
        artifact = result.artifact
        items = list(artifact.get("items") or [])
        if artifact.get("outfit") or not items:
            return result
        # Items tagged for the season/occasion come before the closest others that topped them up.
        tagged = int(artifact.get("tagged", len(items)) or 0) if artifact.get("soft_dropped") else len(items)
        groups = [items[:tagged], items[tagged:]]
        ranked = [i for group in groups for i in scorer.rerank(group)][:k]
        artifact["items"] = ranked
        artifact["personalised"] = True
        result.content = _retold(str(result.content), ranked, artifact)
        return result


def _retold(content: str, items: list[dict[str, Any]], artifact: dict[str, Any]) -> str:
    """The tool's text for the model with the reordered products (the lines before the list kept)."""
    from stylist.retrieval import Item, SearchResult

    head, sep, _ = content.partition("Products found:")
    if not sep:
        return content
    fields = Item.__dataclass_fields__
    blank = {"price": 0.0, "score": 0.0, "sizes": {}}
    found = [Item(**{k: i.get(k, blank.get(k, "")) for k in fields}) for i in items]
    return head + format_result(SearchResult("", Filters(**artifact.get("filters", {})), found))
