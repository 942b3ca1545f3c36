"""The agent graph: LangChain ``create_agent`` over the chat model, with the tools and the guards.

``build_agent`` assembles the graph from parts, so a test passes a scripted model.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from langchain.agents import create_agent
from langchain.agents.middleware import AgentMiddleware, ModelCallLimitMiddleware

from stylist.agent.checkpoint import checkpointer
from stylist.errors import LLMUnavailable, ServiceUnavailable
from stylist.grounding import Grounding
from stylist.guards import ConstraintMerger, HistoryWindow, RetrievalGuard, TurnPlanner
from stylist.llm.chat import unavailable_cause
from stylist.personal.middleware import PersonalRanking, ProfileDefaults
from stylist.prompts import load_prompt
from stylist.tools import build_tools, catalog_tool_call_grammar, tool_schemas

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from stylist.retrieval import Retriever
    from stylist.settings import Settings


def grounding_for(retriever: Retriever) -> Any:
    """A callable returning the :class:`Grounding` of the live catalog build (rebuilt on re-ingest)."""
    cache: dict[str, Grounding] = {}
    lock = threading.Lock()

    def ground() -> Grounding:
        snap = retriever.snapshot()
        with lock:
            if snap.build not in cache:
                cache.clear()
                cache[snap.build] = Grounding(snap.metas)
            return cache[snap.build]

    return ground


class ModelServerDown(AgentMiddleware):
    """A model call that fails because the model server does not answer raises :class:`LLMUnavailable`.

    The error is typed where the model is called, so the shopper is told the language model is
    down only when it is (a catalog store that is down raises its own error in the tools)."""

    def wrap_model_call(self, request: Any, handler: Any) -> Any:
        try:
            return handler(request)
        except ServiceUnavailable:
            raise
        except Exception as exc:
            if unavailable_cause(exc) is None:
                raise
            raise LLMUnavailable.down(exc) from exc


def uses_tool_call_grammar(settings: Settings) -> bool:
    """Whether the agent holds the model's tool calls to the grammar (see agent_tool_call_grammar)."""
    grammar = settings.agent_tool_call_grammar
    return grammar == "always" or (grammar == "native" and settings.agent_tool_mode == "native")


def with_tool_call_grammar(model: BaseChatModel, tools: list[Any], retriever: Retriever) -> BaseChatModel:
    """``model`` asking vLLM to hold its tool calls to the tools' schemas and the catalog's values."""
    from langchain_openai import ChatOpenAI

    if not isinstance(model, ChatOpenAI):
        return model  # a scripted model in tests, or another provider
    grammar = catalog_tool_call_grammar(tool_schemas(tools), retriever)
    return model.model_copy(update={"extra_body": {**(model.extra_body or {}), "response_format": grammar}})


def build_agent(settings: Settings, model: BaseChatModel, retriever: Retriever, *, trends: Any = None,
                saver: Any = None, ground: Any = None, personal: Any = None) -> Any:  # fmt: skip
    """The compiled agent graph (``personal``: a :class:`~stylist.personal.Personaliser`, whose
    middleware adds the shopper's profile to the plan and ranks searches by their taste)."""
    ground = ground or grounding_for(retriever)
    tools = build_tools(retriever, trends, outfits=settings.agent_outfits)
    if uses_tool_call_grammar(settings):
        model = with_tool_call_grammar(model, tools, retriever)
    planner: list[Any] = [TurnPlanner(lambda: retriever.parser)]
    ranking: list[Any] = []
    if personal is not None:
        # After the planner: the profile fills in what the shopper did not say this turn.
        planner.append(ProfileDefaults(lambda: retriever.parser, personal.size_names))
        ranking.append(PersonalRanking(personal.scorer, settings.personal_candidates))
    return create_agent(
        model,
        tools,
        system_prompt=load_prompt("system", shop_name=settings.shop_name, currency=settings.currency),
        middleware=[
            ModelServerDown(),  # outermost: it sees the model call fail, whatever wraps it
            *planner,
            ModelCallLimitMiddleware(run_limit=settings.agent_max_model_calls, exit_behavior="end"),
            RetrievalGuard(
                settings.agent_tool_mode, settings.agent_products, ground, lambda: retriever.parser
            ),
            *ranking,
            ConstraintMerger(),
            HistoryWindow(settings.agent_history_turns),
        ],
        checkpointer=saver if saver is not None else checkpointer(settings),
    )
