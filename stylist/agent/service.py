"""The stylist service: the :class:`Stylist` facade the CLI, the HTTP API and the UI use, and its wiring.

``open_stylist`` / ``build_stylist`` connect to (or start) vLLM, open the catalog store and
the optional trend and image services, and build the agent graph over them.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage

from stylist import router
from stylist.agent.graph import build_agent, grounding_for
from stylist.agent.streaming import SentenceGate
from stylist.errors import ServiceUnavailable
from stylist.grounding import answer_lead, compose_answer
from stylist.guards import GUARD_PREFIX, turn_context, turn_messages, turn_products
from stylist.intent import SHOWN_FIELDS, TurnPlan
from stylist.llm.chat import chat_model, check_llm, unavailable_cause
from stylist.personal import Personaliser
from stylist.personal.apply import stated_filters, thread_for_other, with_profile_sentence
from stylist.prompts import load_prompt
from stylist.reply import Event, ProductCard, Reply, ToolCall
from stylist.trends.answer import reading

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from stylist.retrieval import Retriever
    from stylist.settings import Settings

log = logging.getLogger(__name__)

Outcome = Literal["products", "no_match", "refusal", "clarify", "trend", "error"]


@dataclass
class TurnRecord:
    """What one finished turn was about, for the stylist's observers (``Stylist.observers``).

    It carries no message text: the shop's demand log (issue 17) keeps the parsed request only, and
    it must not keep ``shopper_id`` either (the personal stylist may).
    """

    #: The parsed constraints (``Filters.active()``: gender, article_type, colour, usage, price_max, size...).
    constraints: dict[str, Any]
    #: Catalog items satisfying ``constraints``; None when not counted (not a search, or no count).
    matching_items: int | None
    outcome: Outcome
    #: The turn's plan intent: "search", "look", "trend", "chat", "refuse"; "error" when it failed.
    answer_kind: str
    latency_s: float
    thread_id: str
    shopper_id: str | None = None
    #: Ids of the products shown, in order.
    product_ids: list[str] = field(default_factory=list)
    #: The constraint dropped to find the offered items when nothing matched, if any.
    relaxed: str | None = None
    created: float = field(default_factory=time.time)


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
        personal: the personal stylist (default: one built from ``settings``; see stylist.personal).
    """

    def __init__(self, settings: Settings, model: BaseChatModel, retriever: Retriever, *, trends: Any = None,
                 images: Any = None, saver: Any = None, llm_url: str | None = None,
                 personal: Personaliser | None = None) -> None:  # fmt: skip
        self.settings = settings
        self.retriever = retriever
        self.trends = trends
        self.images = images
        self.llm_url = llm_url
        self.grounding = grounding_for(retriever)
        self.personal = personal or Personaliser(settings, retriever)
        self.graph = build_agent(
            settings,
            model,
            retriever,
            trends=trends,
            saver=saver,
            ground=self.grounding,
            personal=self.personal,
        )
        self._closers: list[Any] = [self.personal.close]
        self._lock = threading.Lock()
        #: Called with a :class:`TurnRecord` after every turn (also a failed one); an observer's
        #: exception is logged and never reaches the shopper.
        self.observers: list[Callable[[TurnRecord], None]] = []
        #: Called with a forgotten shopper's thread ids, to delete what else is kept per thread
        #: (the app adds the thumbs-feedback store's); an exception is logged.
        self.forget_hooks: list[Callable[[list[str]], Any]] = []

    # -- the facade ---------------------------------------------------------------------

    def respond(
        self,
        message: str,
        thread_id: str | None = None,
        image: bytes | None = None,
        *,
        shopper_id: str | None = None,
    ) -> Reply:
        """Answer one message (blocking).

        Raises:
            ServiceUnavailable: a part the turn needs does not answer; the class and the message
                name which (``LLMUnavailable``, ``StoreUnavailable``, ``PhotoSearchUnavailable``).
        """
        reply = None
        for event in self._turn(message, thread_id, image, shopper_id):
            if event.type == "final":
                reply = event.data["reply"]
        assert reply is not None
        return reply_from_dict(reply)

    def stream(
        self,
        message: str,
        thread_id: str | None = None,
        image: bytes | None = None,
        *,
        shopper_id: str | None = None,
    ) -> Iterator[Event]:
        """Answer one message as events: tool steps, answer text, then the final reply.

        Every observer hears about the turn once it ends (see :class:`TurnRecord`). With a
        ``shopper_id`` (and ``personal_enabled``) the personal stylist learns from the message,
        applies the shopper's profile and ranks by their taste; without one the turn is unchanged.
        A part that does not answer ends the stream with an ``error`` event whose message names it
        (the language model, the catalog store, the photo search).
        """
        try:
            yield from self._turn(message, thread_id, image, shopper_id)
        except ServiceUnavailable as exc:
            yield Event("error", {"message": str(exc)})

    def _turn(
        self, message: str, thread_id: str | None, image: bytes | None, shopper_id: str | None
    ) -> Iterator[Event]:
        """The turn's events; a part that is down raises its :class:`ServiceUnavailable`."""
        started = time.perf_counter()
        thread_id = thread_id or uuid.uuid4().hex
        outcome: dict[str, Any] = {}
        try:
            yield from self._stream(message, thread_id, image, started, outcome, shopper_id)
        except Exception:
            outcome.setdefault("error", True)
            raise
        finally:
            if self.observers:
                self._notify(self._record(outcome, thread_id, shopper_id, started))

    def _stream(
        self,
        message: str,
        thread_id: str,
        image: bytes | None,
        started: float,
        outcome: dict[str, Any],
        shopper_id: str | None = None,
    ) -> Iterator[Event]:
        config = {"configurable": {"thread_id": thread_id}}
        personal = None
        if shopper_id and self.personal.enabled:
            command = self.personal.command(message)
            if command is not None:
                yield from self._personal_command(command, shopper_id, thread_id, started, outcome)
                return
            values = self.graph.get_state(config).values
            before = bool((values.get("personal") or {}).get("for_other"))
            asked = (values.get("memory") or {}).get("filters") or {}
            personal = self.personal.before_turn(
                shopper_id, thread_id, message, thread_for_other(message, before), asked.get("article_type")
            )
            noted = self.personal.noted(personal, message, bool(asked))
            if noted and image is None:
                # "I'm a size M and I hate yellow" with nothing asked yet: say what was kept, ask what they need.
                yield from self._personal_reply(noted, "profile: noted", thread_id, started, outcome)
                return
        photo = self._describe(image) if image is not None else None
        text = message if photo is None else f"{message}\n" + load_prompt(
            "photo", caption=photo.get("caption", "unclear"),
            similar=", ".join(str(s["id"]) for s in photo.get("similar", [])[:5]) or "none",
        )  # fmt: skip
        # "personal" is set every turn (None without a shopper), so a thread never keeps an old one.
        inputs = {"messages": [HumanMessage(content=text)], "photo": photo, "personal": personal}
        emitted_tools: set[str] = set()
        first_token: float | None = None
        gate = SentenceGate(self.grounding)
        plan: TurnPlan | None = None
        tool_results: list[ToolMessage] = []
        led = False  # the answer's first line (known once the tools ran) has been streamed
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
                        if led and plan is not None and plan.intent == "trend":
                            continue  # the forecast's own reading was streamed; the final answer is it
                        for sentence in gate.feed(str(piece.content)):
                            first_token = first_token or time.perf_counter()
                            yield Event("token", {"text": sentence})
                    continue
                for update in (chunk or {}).values():
                    gate.observe(update)
                    if not isinstance(update, dict):
                        continue
                    if update.get("plan"):
                        plan = TurnPlan.from_state(update["plan"])
                    results = [m for m in update.get("messages", []) if isinstance(m, ToolMessage)]
                    tool_results.extend(results)
                    lead = None
                    if plan is not None and not led and plan.reply is not None:
                        lead = plan.reply  # a refusal: the whole answer, no model
                    elif plan is not None and not led and results:
                        lead = self._lead(plan, tool_results)
                    if lead:
                        lead = with_profile_sentence(lead, plan.notes) if plan is not None else lead
                        led = True
                        first_token = first_token or time.perf_counter()
                        yield Event("token", {"text": lead + "\n"})
                    for msg in (update or {}).get("messages", []) if isinstance(update, dict) else []:
                        if isinstance(msg, AIMessage):
                            for call in msg.tool_calls:
                                if call["id"] not in emitted_tools:
                                    emitted_tools.add(call["id"])
                                    yield Event("tool", {"name": call["name"], "args": call["args"],
                                                         "source": _source(call["id"])})  # fmt: skip
        except Exception as exc:
            # The model call and the stores raise their own ServiceUnavailable (naming what is down);
            # a connection failure that no part named is not blamed on any one of them.
            if isinstance(exc, ServiceUnavailable) or unavailable_cause(exc) is None:
                raise
            raise ServiceUnavailable.down(exc) from exc
        last = gate.flush()
        if last is not None:
            first_token = first_token or time.perf_counter()
            yield Event("token", {"text": last})
        state = self.graph.get_state(config).values
        reply = self._reply(state, thread_id, started)
        reply.ttft_ms = round(((first_token or time.perf_counter()) - started) * 1000, 1)
        data = reply.to_dict()
        outcome.update(plan=state.get("plan"), reply=reply)
        yield Event("final", {"reply": data})

    def forget_shopper(self, shopper_id: str) -> dict[str, Any]:
        """Delete everything kept about a shopper: profile, signals and their conversations.

        Returns ``{"conversations": deleted, "threads": [their thread ids]}`` (the caller deletes
        what it keeps per thread, such as thumbs feedback)."""
        threads = self.personal.forget(shopper_id)
        for hook in list(self.forget_hooks):
            try:
                hook(threads)
            except Exception:  # noqa: BLE001 - the profile is gone; the log says what was left
                log.exception("a forget hook failed")
        deleted = 0
        for thread_id in threads:
            with contextlib.suppress(Exception):  # a thread the checkpointer never saw
                self.graph.checkpointer.delete_thread(thread_id)
                deleted += 1
        return {"conversations": deleted, "threads": threads}

    def _personal_command(
        self, command: str, shopper_id: str, thread_id: str, started: float, outcome: dict[str, Any]
    ) -> Iterator[Event]:
        """ "what do you remember about me?" and "forget me": answered here, without the model."""
        if command == "forget":
            threads = self.forget_shopper(shopper_id)["threads"]
            if thread_id not in threads:  # this conversation too
                for hook in list(self.forget_hooks):
                    with contextlib.suppress(Exception):
                        hook([thread_id])
                with contextlib.suppress(Exception):
                    self.graph.checkpointer.delete_thread(thread_id)
            text = (
                "Done: I've forgotten everything I kept about you (sizes, likes, what you clicked) and "
                "deleted our conversations. Next time we start fresh."
            )
        else:
            self.personal.store.link_thread(shopper_id, thread_id)
            text = self.personal.remember_text(shopper_id)
        yield from self._personal_reply(text, f"profile: {command}", thread_id, started, outcome)

    def _personal_reply(
        self, text: str, note: str, thread_id: str, started: float, outcome: dict[str, Any]
    ) -> Iterator[Event]:
        yield Event("token", {"text": text})
        reply = Reply(
            answer=text,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            ttft_ms=round((time.perf_counter() - started) * 1000, 1),
            thread_id=thread_id,
            notes=[note],
        )
        outcome.update(plan={"intent": "chat", "filters": {}, "search_text": ""}, reply=reply)
        yield Event("final", {"reply": reply.to_dict()})

    def ready(self) -> dict[str, bool]:
        """Whether the model server and the catalog store answer (``/readyz``)."""
        llm_ok = bool(self.llm_url and check_llm(self.llm_url, api_key=self.settings.llm_api_key))
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

    def _record(
        self, outcome: dict[str, Any], thread_id: str, shopper_id: str | None, started: float
    ) -> TurnRecord:
        """The :class:`TurnRecord` of a finished (or failed, or abandoned) turn."""
        reply: Reply | None = outcome.get("reply")
        plan = TurnPlan.from_state(outcome["plan"]) if outcome.get("plan") else None
        # What the shopper asked, without what their profile added (profile data stays out of reports).
        stated = stated_filters(outcome["plan"]) if plan is not None else None
        constraints = stated.without("exclude_ids").active() if stated is not None else {}
        kind = plan.intent if plan is not None else "error"
        matching = None
        if plan is not None and stated is not None and plan.intent in ("search", "look"):
            with contextlib.suppress(Exception):  # a count is nice to have; the turn is done
                matching = int(self.retriever.snapshot().mask(stated.without("exclude_ids")).sum())
        products = [p.id for p in reply.products] if reply is not None else []
        state: Outcome
        if outcome.get("error") or reply is None or plan is None:
            state = "error"
        elif plan.intent == "refuse":
            state = "refusal"
        elif plan.intent == "trend":
            state = "trend"
        elif plan.intent == "chat":
            state = "clarify"
        else:
            state = "products" if products else "no_match"
        return TurnRecord(
            constraints=constraints,
            matching_items=matching,
            outcome=state,
            answer_kind=kind,
            latency_s=round(time.perf_counter() - started, 4),
            thread_id=thread_id,
            shopper_id=shopper_id,
            product_ids=products,
            relaxed=(reply.relaxed or {}).get("dropped") if reply is not None else None,
        )

    def _notify(self, record: TurnRecord) -> None:
        for observer in list(self.observers):
            try:
                observer(record)
            except Exception:  # noqa: BLE001 - an observer must never break a turn
                log.exception("turn observer %r failed", observer)

    def _describe(self, image: bytes) -> dict[str, Any] | None:
        if self.images is None:
            return None
        try:
            photo = self.images.describe(image, k=5)
        except ServiceUnavailable:
            raise  # the photo search's store is down: say so, not "unreadable photo"
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
            if anchor is not None:  # the photographed item, as "cheaper" and "what goes with it" read it
                photo["anchor"] = {k: getattr(anchor, k, None) for k in SHOWN_FIELDS}
        return photo

    def _lead(self, plan: TurnPlan, results: list[ToolMessage]) -> str | None:
        """The answer's first line, from the plan and the tools' results (see ``answer_lead``)."""
        context = turn_context(results, plan)
        if plan.intent == "trend":
            return context.get("trend_answer")
        if plan.intent not in ("search", "look"):
            return None
        products, relaxed = turn_products(results, plan, self.settings.agent_products)
        return answer_lead(products, plan.filters, relaxed, context)

    def _reply(self, state: dict[str, Any], thread_id: str, started: float) -> Reply:
        messages = state.get("messages", [])
        turn = turn_messages(messages)
        plan = TurnPlan.from_state(state.get("plan") or {"intent": "chat"})
        products, relaxed = turn_products(turn, plan, self.settings.agent_products)
        answer = next((m for m in reversed(turn) if isinstance(m, AIMessage) and not m.tool_calls), None)
        model_tokens = sum(
            (m.usage_metadata or {}).get("output_tokens", 0) for m in turn if isinstance(m, AIMessage)
        )
        if (
            answer is None
            or not str(answer.content).strip()
            or str(answer.content).startswith("Model call limits exceeded")  # ModelCallLimitMiddleware's note
        ):
            # The call cap ended the turn before a final answer: compose one from the tool results.
            text = compose_answer(
                "", products, plan.filters, None, relaxed, plan.intent, turn_context(turn, plan)
            )
        else:
            text = str(answer.content)
        if plan.intent in ("search", "look"):
            text = with_profile_sentence(text, plan.notes)  # "in your size M, skipping yellow, as you asked"
        calls: list[ToolCall] = []
        trends: list[dict[str, Any]] = []
        guard_merged = {
            m.tool_call_id: m.additional_kwargs.get("guard") for m in turn if isinstance(m, ToolMessage)
        }
        for message in turn:
            if isinstance(message, AIMessage):
                for call in message.tool_calls:
                    merged = guard_merged.get(call["id"])
                    both = {**call["args"], **(merged or {}).get("merged", {})}
                    args = {k: v for k, v in both.items() if v is not None}  # None: removed by the guard
                    calls.append(ToolCall(call["name"], args, "guard" if merged else _source(call["id"])))
            if isinstance(message, ToolMessage) and isinstance(message.artifact, dict):
                trends.extend(message.artifact.get("trends", []))
        cards = products or list((relaxed or {}).get("items") or [])  # the closest, when none matched
        shown = [{k: p.get(k) for k in SHOWN_FIELDS} for p in cards]
        remembered: dict[str, Any] = {"shown": shown} if shown else {}
        before = (state.get("memory") or {}).get("shown")
        if shown and before and before != shown:
            remembered["shown_before"] = before  # "another shoe like the first one" after the socks for them
        if plan.intent in ("search", "look"):
            remembered["unmatched"] = not products  # "what would you suggest instead then" after none
        if plan.intent == "trend":
            # "show me some of those" after a trend answer: what it said is rising.
            remembered["trend_rising"] = [
                {k: (f.get("metadata") or f).get(k) for k in ("kind", "value", "category")}
                for f in trends
                if reading(f) == "rising"
            ][:3]
        if remembered:
            # Remember what was shown so "cheaper" and "what goes with it" refer to it.
            memory = dict(state.get("memory") or {}) | remembered
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
    from stylist.trends.service import TrendService
    from stylist.vision.service import ImageService

    # Both load their models on first use, so building them here costs nothing.
    trends = TrendService(settings)
    images = ImageService(settings)
    router.route("hello")  # trains the turn router (about a second, once per process) before the first turn
    with llm_endpoint(settings) as url:
        retriever = Retriever(settings)
        stylist = Stylist(
            settings, chat_model(settings, url), retriever, trends=trends, images=images, llm_url=url
        )
        try:
            yield stylist
        finally:
            stylist.close()


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
