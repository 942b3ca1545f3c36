"""The stylist agent: LangChain ``create_agent`` over the vLLM chat model, with tools and guards.

``build_agent`` assembles the graph from parts (a test passes a scripted model);
``Stylist`` is the small facade the CLI, the HTTP API and the UI use.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from langchain.agents import create_agent
from langchain.agents.middleware import ModelCallLimitMiddleware
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage

from stylist.grounding import SENTENCE_BREAK, Grounding, compose_answer, may_show
from stylist.guards import (
    GUARD_PREFIX,
    ConstraintMerger,
    RetrievalGuard,
    TurnPlanner,
    turn_messages,
    turn_products,
)
from stylist.intent import TurnPlan
from stylist.prompts import load_prompt
from stylist.query import Filters
from stylist.reply import Event, ProductCard, Reply, ToolCall
from stylist.tools import build_tools, catalog_tool_call_grammar, tool_schemas

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from stylist.retrieval import Retriever
    from stylist.settings import Settings


from stylist.llm import LLMUnavailable  # noqa: E402 - one error type for "the model server is down"


def chat_model(settings: Settings, base_url: str) -> BaseChatModel:
    """``ChatOpenAI`` pointed at a vLLM OpenAI-compatible endpoint."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=base_url,
        api_key=settings.llm_api_key,  # type: ignore[arg-type]
        model=settings.llm_served_name,
        temperature=settings.agent_temperature,
        max_tokens=settings.agent_max_tokens,  # type: ignore[call-arg]
        timeout=120,
        max_retries=0,
        # vLLM reports token counts in streamed replies only when asked (Reply.model_tokens).
        stream_usage=True,
        extra_body={"repetition_penalty": settings.agent_repetition_penalty},
    )


def checkpointer(settings: Settings) -> Any:
    """The LangGraph checkpointer that keeps conversations.

    A SQLite file by default (one host); a ``postgresql://`` URL shares the conversations
    between app workers behind a load balancer, so a follow-up may land on any worker.
    """
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.checkpoint.sqlite import SqliteSaver

    if settings.checkpoint_db == ":memory:":
        return InMemorySaver()
    if settings.checkpoint_db.startswith(("postgresql://", "postgres://")):
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        pool = ConnectionPool(
            settings.checkpoint_db,
            max_size=settings.checkpoint_pool_size,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            open=False,
        )
        try:
            pool.open(wait=True, timeout=10)
        except Exception as exc:  # noqa: BLE001 - one clear line instead of a pool traceback
            pool.close()
            raise RuntimeError(
                f"cannot reach the conversation database {redact(settings.checkpoint_db)}: {exc}"
            ) from exc
        saver = PostgresSaver(pool)
        saver.setup()  # creates or migrates its tables; safe to run from every worker
        return saver
    path = settings.checkpoint_db or str(settings.data_dir / "threads.sqlite")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteSaver(sqlite3.connect(path, check_same_thread=False))


def redact(url: str) -> str:
    """A database URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


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
                saver: Any = None, ground: Any = None) -> Any:  # fmt: skip
    """The compiled agent graph."""
    ground = ground or grounding_for(retriever)
    tools = build_tools(retriever, trends)
    if uses_tool_call_grammar(settings):
        model = with_tool_call_grammar(model, tools, retriever)
    return create_agent(
        model,
        tools,
        system_prompt=load_prompt("system", shop_name=settings.shop_name, currency=settings.currency),
        middleware=[
            TurnPlanner(lambda: retriever.parser),
            ModelCallLimitMiddleware(run_limit=settings.agent_max_model_calls, exit_behavior="end"),
            RetrievalGuard(
                settings.agent_tool_mode, settings.agent_products, ground, lambda: retriever.parser
            ),
            ConstraintMerger(),
        ],
        checkpointer=saver if saver is not None else checkpointer(settings),
    )


def _is_connection_error(exc: BaseException) -> bool:
    import httpx
    import openai

    return isinstance(exc, (openai.APIConnectionError, openai.APITimeoutError, httpx.ConnectError,
                            ConnectionError))  # fmt: skip


class Stylist:
    """One object per app process: answers turns, streams them, reports readiness.

    Args:
        settings: the configuration.
        model: the chat model (``ChatOpenAI`` on vLLM, or a scripted fake in tests).
        retriever: catalog search.
        trends: the trend service (optional).
        images: the image service (optional).
        saver: a LangGraph checkpointer (defaults to the configured SQLite file).
        llm_url: the vLLM base URL, for readiness checks.
    """

    def __init__(self, settings: Settings, model: BaseChatModel, retriever: Retriever, *, trends: Any = None,
                 images: Any = None, saver: Any = None, llm_url: str | None = None) -> None:  # fmt: skip
        self.settings = settings
        self.retriever = retriever
        self.trends = trends
        self.images = images
        self.llm_url = llm_url
        self.grounding = grounding_for(retriever)
        self.graph = build_agent(
            settings, model, retriever, trends=trends, saver=saver, ground=self.grounding
        )
        self._closers: list[Any] = []
        self._lock = threading.Lock()

    # -- the facade ---------------------------------------------------------------------

    def respond(self, message: str, thread_id: str | None = None, image: bytes | None = None) -> Reply:
        """Answer one message (blocking)."""
        reply = None
        for event in self.stream(message, thread_id, image):
            if event.type == "final":
                reply = event.data["reply"]
            elif event.type == "error":
                raise LLMUnavailable(event.data["message"])
        assert reply is not None
        return reply_from_dict(reply)

    def stream(
        self, message: str, thread_id: str | None = None, image: bytes | None = None
    ) -> Iterator[Event]:
        """Answer one message as events: tool steps, answer text, then the final reply."""
        started = time.perf_counter()
        thread_id = thread_id or uuid.uuid4().hex
        config = {"configurable": {"thread_id": thread_id}}
        photo = self._describe(image) if image is not None else None
        text = message if photo is None else f"{message}\n" + load_prompt(
            "photo", caption=photo.get("caption", "unclear"),
            similar=", ".join(str(s["id"]) for s in photo.get("similar", [])[:5]) or "none",
        )  # fmt: skip
        inputs = {"messages": [HumanMessage(content=text)], "photo": photo}
        emitted_tools: set[str] = set()
        first_token: float | None = None
        allowed: list[dict[str, Any]] = []  # products retrieved so far this turn
        filters = Filters()  # the shopper's constraints, once the planner has read them
        pending = ""
        try:
            for mode, chunk in self.graph.stream(inputs, config, stream_mode=["updates", "messages"]):
                if mode == "messages":
                    piece, meta = chunk
                    if (
                        isinstance(piece, AIMessage | AIMessageChunk)
                        and meta.get("langgraph_node") == "model"
                        and piece.content
                    ):
                        if getattr(piece, "tool_call_chunks", None) or piece.tool_calls:
                            continue
                        # Stream whole sentences, each checked against what was retrieved, so
                        # the shopper never sees a product the guard will remove.
                        pending += str(piece.content)
                        # Split keeping each break, so a list keeps its lines.
                        parts = re.split(f"({SENTENCE_BREAK.pattern})", pending)
                        pending = parts.pop()
                        for sentence, gap in zip(parts[::2], parts[1::2], strict=True):
                            if may_show(sentence, self.grounding(), allowed, filters):
                                first_token = first_token or time.perf_counter()
                                yield Event(
                                    "token", {"text": sentence.strip() + ("\n" if "\n" in gap else " ")}
                                )
                    continue
                for update in (chunk or {}).values():
                    if isinstance(update, dict) and update.get("plan"):
                        filters = TurnPlan.from_state(update["plan"]).filters
                    for msg in (update or {}).get("messages", []) if isinstance(update, dict) else []:
                        if isinstance(msg, ToolMessage) and isinstance(msg.artifact, dict):
                            allowed.extend(msg.artifact.get("items", []))
                            allowed.extend((msg.artifact.get("relaxation") or {}).get("items", []))
                        if isinstance(msg, AIMessage):
                            for call in msg.tool_calls:
                                if call["id"] not in emitted_tools:
                                    emitted_tools.add(call["id"])
                                    yield Event("tool", {"name": call["name"], "args": call["args"],
                                                         "source": _source(call["id"])})  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - the shopper gets a clear message either way
            if _is_connection_error(exc) or _is_connection_error(exc.__cause__ or exc):
                yield Event("error", {"message": "The stylist's language model is not reachable right now "
                                      f"({type(exc).__name__}). Please try again in a moment."})  # fmt: skip
                return
            raise
        if may_show(pending, self.grounding(), allowed, filters):
            first_token = first_token or time.perf_counter()
            yield Event("token", {"text": pending.strip()})
        state = self.graph.get_state(config).values
        reply = self._reply(state, thread_id, started)
        reply.ttft_ms = round(((first_token or time.perf_counter()) - started) * 1000, 1)
        data = reply.to_dict()
        yield Event("final", {"reply": data})

    def ready(self) -> dict[str, bool]:
        llm_ok = False
        if self.llm_url:
            import httpx

            with contextlib.suppress(Exception):
                llm_ok = httpx.get(self.llm_url.rstrip("/") + "/models", timeout=2.0).status_code == 200
        chroma_ok = False
        with contextlib.suppress(Exception):
            self.retriever.client.heartbeat()
            chroma_ok = True
        return {"llm": llm_ok, "chroma": chroma_ok}

    def product(self, product_id: str) -> dict[str, Any] | None:
        item = self.retriever.get(product_id)
        return None if item is None else item.to_dict()

    def close(self) -> None:
        for closer in reversed(self._closers):
            with contextlib.suppress(Exception):
                closer()
        self._closers.clear()

    # -- internals -------------------------------------------------------------------------

    def _describe(self, image: bytes) -> dict[str, Any] | None:
        if self.images is None:
            return None
        try:
            photo = self.images.describe(image, k=5)
        except Exception as exc:  # noqa: BLE001 - a bad photo must not lose the text request
            return {
                "caption": f"unreadable photo ({exc})",
                "similar": [],
                "attributes": {},
                "confident": False,
            }
        if photo.get("similar"):
            anchor = self.retriever.get(str(photo["similar"][0]["id"]))
            photo["anchor_price"] = anchor.price if anchor else None
        return photo

    def _reply(self, state: dict[str, Any], thread_id: str, started: float) -> Reply:
        messages = state.get("messages", [])
        turn = turn_messages(messages)
        plan = TurnPlan.from_state(state.get("plan") or {"intent": "chat"})
        products, relaxed = turn_products(turn, plan, self.settings.agent_products)
        answer = next((m for m in reversed(turn) if isinstance(m, AIMessage) and not m.tool_calls), None)
        model_tokens = sum(
            (m.usage_metadata or {}).get("output_tokens", 0) for m in turn if isinstance(m, AIMessage)
        )
        if answer is None or not str(answer.content).strip():
            # The call cap ended the turn before a final answer: compose one from the tool results.
            text = compose_answer("", products, plan.filters, None, relaxed, plan.intent)
        else:
            text = str(answer.content)
        calls: list[ToolCall] = []
        trends: list[dict[str, Any]] = []
        guard_merged = {
            m.tool_call_id: m.additional_kwargs.get("guard") for m in turn if isinstance(m, ToolMessage)
        }
        for message in turn:
            if isinstance(message, AIMessage):
                for call in message.tool_calls:
                    merged = guard_merged.get(call["id"])
                    args = {**call["args"], **(merged or {}).get("merged", {})}
                    calls.append(ToolCall(call["name"], args, "guard" if merged else _source(call["id"])))
            if isinstance(message, ToolMessage) and isinstance(message.artifact, dict):
                trends.extend(message.artifact.get("trends", []))
        shown = [{"id": p["id"], "price": p["price"]} for p in products]
        if shown:
            # Remember what was shown so "cheaper" and "what goes with it" refer to it.
            memory = dict(state.get("memory") or {}) | {"shown": shown}
            self.graph.update_state({"configurable": {"thread_id": thread_id}}, {"memory": memory})
        return Reply(
            answer=text,
            products=[_card(p) for p in products],
            tool_calls=calls,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            thread_id=thread_id,
            trends=trends,
            relaxed=relaxed,
            notes=list(plan.notes),
            model_tokens=model_tokens,
        )


def _source(call_id: str | None) -> str:
    return "guard" if str(call_id or "").startswith(GUARD_PREFIX) else "model"


def _card(item: dict[str, Any]) -> ProductCard:
    fields = ProductCard.__dataclass_fields__
    return ProductCard(**{k: v for k, v in item.items() if k in fields})


def reply_from_dict(data: dict[str, Any]) -> Reply:
    return Reply(
        answer=data["answer"],
        products=[ProductCard(**p) for p in data.get("products", [])],
        tool_calls=[ToolCall(**c) for c in data.get("tool_calls", [])],
        latency_ms=data.get("latency_ms", 0.0),
        ttft_ms=data.get("ttft_ms", 0.0),
        model_tokens=data.get("model_tokens", 0),
        thread_id=data.get("thread_id", ""),
        trends=data.get("trends", []),
        relaxed=data.get("relaxed"),
        notes=data.get("notes", []),
    )


@contextlib.contextmanager
def open_stylist(settings: Settings) -> Iterator[Stylist]:
    """A ready :class:`Stylist` for ``settings``: connects to (or starts) vLLM, opens the store."""
    from stylist.llm import llm_endpoint
    from stylist.retrieval import Retriever

    trends = _optional_service("stylist.trends.service", "TrendService", settings)
    images = _optional_service("stylist.vision.service", "ImageService", settings)
    with llm_endpoint(settings) as url:
        retriever = Retriever(settings)
        stylist = Stylist(
            settings, chat_model(settings, url), retriever, trends=trends, images=images, llm_url=url
        )
        try:
            yield stylist
        finally:
            stylist.close()


def _optional_service(module: str, name: str, settings: Settings) -> Any:
    import importlib

    try:
        return getattr(importlib.import_module(module), name)(settings)
    except ImportError:
        return None


def build_stylist(settings: Settings) -> Stylist:
    """Like :func:`open_stylist`, for long-lived apps: ``Stylist.close()`` stops what it started."""
    stack = contextlib.ExitStack()
    try:
        stylist = stack.enter_context(open_stylist(settings))
    except BaseException:
        stack.close()
        raise
    stylist._closers.append(stack.close)
    return stylist
