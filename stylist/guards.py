"""The agent's guards, as LangChain middleware.

- :class:`TurnPlanner` reads the shopper's constraints deterministically (and the
  thread's memory) before the agent runs.
- :class:`RetrievalGuard` makes sure the catalog is searched when the request
  needs it (before the first model call in ``prefetch`` mode, or when the model
  answers without a tool in ``native`` mode), validates and repairs the model's
  tool calls once, and grounds the final answer in what was retrieved.
- :class:`ConstraintMerger` merges the parsed constraints into every catalog tool
  call, so a budget, size or gender the shopper stated holds whatever the model sent.
Model calls per turn are capped by LangChain's ``ModelCallLimitMiddleware``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any, NotRequired

from langchain.agents.middleware import AgentMiddleware, AgentState, hook_config
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from pydantic import ValidationError

from stylist.grounding import Grounding, compose_answer, reason_for
from stylist.intent import GIFT_NOTE, LOOK_IN_COLOURS, PIECE_RANGE, TurnPlan, plan_turn
from stylist.looks import pairing_reason
from stylist.query import Filters, QueryParser, colour_family, damerau
from stylist.tools import (
    CLASSIFY_TREND,
    COMPLETE_THE_LOOK,
    GET_TREND_FORECAST,
    SEARCH_CATALOG,
    CompleteTheLookArgs,
    SearchCatalogArgs,
)

GUARD_PREFIX = "guard-"
_LIST_FIELDS = ("gender", "article_type", "colour", "usage", "season")


class StylistState(AgentState):
    """Agent state plus the turn's plan and the thread's memory (checkpointed)."""

    plan: NotRequired[dict[str, Any]]
    memory: NotRequired[dict[str, Any]]
    photo: NotRequired[dict[str, Any] | None]


def turn_messages(messages: list[BaseMessage]) -> list[BaseMessage]:
    """The messages of the current turn (after the last shopper message)."""
    for i in range(len(messages) - 1, -1, -1):
        if isinstance(messages[i], HumanMessage):
            return messages[i + 1 :]
    return list(messages)


def last_human(messages: list[BaseMessage]) -> str:
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return message.text if hasattr(message, "text") else str(message.content)
    return ""


def _look_args(plan: TurnPlan) -> dict[str, Any]:
    """The shopper's constraints a look around an item keeps: the budget per piece, and colours when
    the look is asked again in them ("only black or grey please"; a colour carried from the search
    before, as the red of red heels, is not the colour of what goes with them)."""
    said: dict[str, Any] = {"price_max": plan.filters.price_max}
    if LOOK_IN_COLOURS in plan.notes:
        said |= {"colour": plan.filters.colour, "exclude_colour": plan.filters.exclude_colour}
    return {k: v for k, v in said.items() if v not in (None, [])}


def guard_calls(plan: TurnPlan, k: int) -> list[dict[str, Any]]:
    """The tool calls the plan needs, made by the guard."""
    call_id = f"{GUARD_PREFIX}{uuid.uuid4().hex[:8]}"
    if plan.intent == "look" and plan.anchor_id:
        args: dict[str, Any] = {"product_id": plan.anchor_id, "k": 4} | _look_args(plan)
        return [{"name": COMPLETE_THE_LOOK, "args": args, "id": call_id, "type": "tool_call"}]
    if plan.intent == "trend":
        # Who and which season as the planner read them across turns ("and spring, for my son who is 25?").
        asked = {
            name: getattr(plan.filters, name) for name in ("gender", "season") if getattr(plan.filters, name)
        }
        return [
            {
                "name": GET_TREND_FORECAST,
                "args": {"query": plan.search_text} | asked,
                "id": call_id,
                "type": "tool_call",
            },
            {
                "name": CLASSIFY_TREND,
                "args": {"text": plan.search_text},
                "id": call_id + "c",
                "type": "tool_call",
            },
        ]
    if plan.intent == "search":
        args = {"query": plan.search_text, "k": k} | constraint_args(plan.filters) | plan_args(plan)
        return [{"name": SEARCH_CATALOG, "args": args, "id": call_id, "type": "tool_call"}]
    return []


def constraint_args(filters: Filters) -> dict[str, Any]:
    """Tool arguments for the constraints in ``filters``."""
    out: dict[str, Any] = {}
    for name in _LIST_FIELDS:
        values = getattr(filters, name)
        if values:
            out[name] = values[0] if len(values) == 1 else list(values)
    for name in ("price_min", "price_max", "size"):
        if getattr(filters, name) is not None:
            out[name] = getattr(filters, name)
    # The tool takes these from the guards only (the model's schema does not show them).
    for name in (
        "exclude_colour",
        "exclude_ids",
        "exclude_article_type",
        "exclude_gender",
        "category",
        "subcategory",
    ):
        if getattr(filters, name):
            out[name] = list(getattr(filters, name))
    return out


#: Search arguments that constrain what is found (the rest, query and k, only rank and count).
_CONSTRAINT_KEYS = frozenset(
    ("gender", "article_type", "colour", "usage", "season", "price_min", "price_max", "size", "exclude_colour",
     "exclude_ids", "exclude_article_type", "exclude_gender", "category", "subcategory", "cheapest", "priciest",
     "spread", "outfit", "young")
)  # fmt: skip


def plan_args(plan: TurnPlan) -> dict[str, Any]:
    """Search arguments the plan adds beyond constraints ("the cheapest you have")."""
    pairing = any(n.startswith("to go with ") for n in plan.notes)
    missing = any(
        n.startswith("not carried: ") for n in plan.notes
    )  # "a veshti for pongal": no outfit instead
    return (
        {"planned": True}
        | ({"cheapest": True} if "cheapest first" in plan.notes else {})
        | ({"priciest": True} if "priciest first" in plan.notes else {})
        | ({"spread": True} if pairing else {})
        | ({"outfit": False} if missing or PIECE_RANGE in plan.notes else {})
        | ({"young": True} if "a young child" in plan.notes else {})
        | ({"assorted": True} if GIFT_NOTE in plan.notes else {})
    )


class TurnPlanner(AgentMiddleware[StylistState]):
    """Plans the turn before the agent runs (deterministic; no model involved)."""

    state_schema = StylistState

    def __init__(self, parser: Callable[[], QueryParser]) -> None:
        super().__init__()
        self._parser = parser

    def before_agent(self, state: StylistState, runtime: Any) -> dict[str, Any] | None:
        message = last_human(state["messages"])
        plan, memory = plan_turn(message, self._parser(), state.get("memory"), state.get("photo"))
        return {"plan": plan.to_state(), "memory": memory}


class ConstraintMerger(AgentMiddleware[StylistState]):
    """Merges the shopper's explicit constraints into every catalog tool call."""

    state_schema = StylistState

    def wrap_tool_call(self, request: Any, handler: Callable[[Any], Any]) -> Any:
        call = request.tool_call
        plan = TurnPlan.from_state(request.state.get("plan") or {"intent": "chat"})
        merged: dict[str, Any] = {}
        removed: list[str] = []
        if call["name"] == SEARCH_CATALOG:
            wanted = constraint_args(plan.filters) | plan_args(plan)
            merged = {k: v for k, v in wanted.items() if call["args"].get(k) != v}
            if plan.intent == "search":
                # The plan owns a search's constraints: one the model added on its own (a season, a
                # second occasion) would only narrow the shopper's request into "we don't carry it".
                removed = [k for k in call["args"] if k in _CONSTRAINT_KEYS and k not in wanted]
        elif call["name"] == COMPLETE_THE_LOOK:
            merged = {k: v for k, v in _look_args(plan).items() if call["args"].get(k) != v}
        if merged or removed:
            args = {k: v for k, v in call["args"].items() if k not in removed} | merged
            request = request.override(tool_call={**call, "args": args})
        # "planned" only says the constraints come from the plan; it changes nothing the model asked.
        changed = {k: v for k, v in merged.items() if k != "planned"} | {k: None for k in removed}
        result = handler(request)
        if changed and isinstance(result, ToolMessage):
            result.additional_kwargs["guard"] = {"merged": changed, "model_args": call["args"]}
        return result


#: The answer to small talk when the model only tried to call a tool.
CHAT_FALLBACK = (
    "I'm the shop's AI stylist: tell me what you're looking for, who it's for and a budget, "
    "and I'll pick options from the catalog."
)


class RetrievalGuard(AgentMiddleware[StylistState]):
    """Runs retrieval when the model does not, repairs tool calls, grounds the final answer."""

    state_schema = StylistState

    def __init__(
        self,
        mode: str,
        products: int,
        grounding: Callable[[], Grounding | None],
        parser: Callable[[], QueryParser],
    ) -> None:
        super().__init__()
        if mode not in ("prefetch", "native"):
            raise ValueError(f"agent_tool_mode must be 'prefetch' or 'native', not {mode!r}")
        self.mode = mode
        self.products = products
        self._grounding = grounding
        self._parser = parser

    # -- before the model: prefetch --------------------------------------------------

    @hook_config(can_jump_to=["tools", "end"])
    def before_model(self, state: StylistState, runtime: Any) -> dict[str, Any] | None:
        plan = TurnPlan.from_state(state.get("plan") or {"intent": "chat"})
        if plan.reply is not None:
            # Injected instructions and off-topic requests: a fixed, friendly answer; no model, no tools.
            return {"messages": [AIMessage(content=plan.reply)], "jump_to": "end"}
        if self.mode != "prefetch":
            return None
        turn = turn_messages(state["messages"])
        if any(isinstance(m, ToolMessage) for m in turn):
            return None
        calls = guard_calls(plan, self.products)
        if not calls:
            return None
        return {"messages": [AIMessage(content="", tool_calls=calls)], "jump_to": "tools"}

    # -- after the model: repair, fallback, grounding ---------------------------------------

    @hook_config(can_jump_to=["tools", "model"])
    def after_model(self, state: StylistState, runtime: Any) -> dict[str, Any] | None:
        messages = state["messages"]
        last = messages[-1]
        if not isinstance(last, AIMessage):
            return None
        plan = TurnPlan.from_state(state.get("plan") or {"intent": "chat"})
        turn = turn_messages(messages)
        ran_tools = any(isinstance(m, ToolMessage) for m in turn)
        if (last.tool_calls or last.invalid_tool_calls) and plan.intent == "chat":
            # Small talk looks nothing up: a call the model makes on its own ("are you a bot?" answered
            # with complete_the_look for some product) is dropped, and what it wrote is kept.
            last = AIMessage(content=last.content or CHAT_FALLBACK, id=last.id,
                             usage_metadata=last.usage_metadata, response_metadata=last.response_metadata)  # fmt: skip
        elif last.tool_calls or last.invalid_tool_calls:
            repaired = self.repair(last)
            if self.mode == "native" and not ran_tools and plan.intent in ("search", "look", "trend"):
                # The plan owns which tool answers the turn: a look for "product 55" or for "sarees"
                # when the shopper asked to search is replaced by the plan's own call.
                planned = guard_calls(plan, self.products)
                names = {c["name"] for c in planned}
                if planned and any(
                    c["name"] not in names
                    or (
                        c["name"] == COMPLETE_THE_LOOK
                        and str(c["args"].get("product_id")) != str(plan.anchor_id)
                    )
                    for c in repaired
                ):
                    repaired = planned
            if self.mode == "prefetch" and ran_tools:
                # The plan's tools have answered: a tool the turn already ran is not run again (the
                # model asking for the trend forecast four times ran into the model-call limit).
                done = {m.name for m in turn if isinstance(m, ToolMessage)}
                repaired = [c for c in repaired if c["name"] not in done]
            if repaired == last.tool_calls and not last.invalid_tool_calls:
                return None
            if not repaired:
                repaired = guard_calls(plan, self.products) if not ran_tools else []
            if repaired:
                fixed = AIMessage(content=last.content, tool_calls=repaired, id=last.id)
                return {"messages": [fixed], "jump_to": "tools"}
            last = AIMessage(content=last.content, id=last.id)
        elif not ran_tools and plan.intent in ("search", "look", "trend"):
            calls = guard_calls(plan, self.products)
            if calls:
                # The model answered without looking anything up: look it up, then ask again.
                return {"messages": [AIMessage(content="", tool_calls=calls, id=last.id)], "jump_to": "tools"}
        answer = self.final_answer(str(last.text if hasattr(last, "text") else last.content), plan, turn)
        final = AIMessage(content=answer, id=last.id, usage_metadata=last.usage_metadata,
                          response_metadata=last.response_metadata)  # fmt: skip
        return {"messages": [final]}

    def repair(self, message: AIMessage) -> list[dict[str, Any]]:
        """One repair pass over the model's tool calls; calls that stay invalid are dropped."""
        known = {SEARCH_CATALOG: SearchCatalogArgs, COMPLETE_THE_LOOK: CompleteTheLookArgs,
                 GET_TREND_FORECAST: None, CLASSIFY_TREND: None}  # fmt: skip
        fixed: list[dict[str, Any]] = []
        raw = list(message.tool_calls) + [
            {"name": c.get("name") or "", "args": c.get("args") or {}, "id": c.get("id")}
            for c in message.invalid_tool_calls
        ]
        for call in raw:
            name = str(call.get("name") or "")
            args = call.get("args")
            if isinstance(args, str):
                import json

                try:
                    args = json.loads(args)
                except json.JSONDecodeError:
                    continue
            if not isinstance(args, dict):
                continue
            changed = False
            if name not in known:
                guess = min(known, key=lambda n: damerau(name.lower(), n, 4))
                if damerau(name.lower(), guess, 4) > 3:
                    continue
                name, changed = guess, True
            schema = known[name]
            if schema is not None:
                try:
                    schema(**args)
                except (ValidationError, TypeError):
                    args, changed = self._coerce(name, args), True
                    try:
                        schema(**args)
                    except (ValidationError, TypeError):
                        continue
            call_id = str(call.get("id") or uuid.uuid4().hex[:8])
            if changed and not call_id.startswith(GUARD_PREFIX):
                call_id = f"{GUARD_PREFIX}repair-{call_id}"
            fixed.append({"name": name, "args": args, "id": call_id, "type": "tool_call"})
        return fixed

    def _coerce(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """Best-effort repair: known fields only, numbers from strings, labels via the parser."""
        schema = SearchCatalogArgs if name == SEARCH_CATALOG else CompleteTheLookArgs
        fields = schema.model_fields
        out: dict[str, Any] = {}
        parser = self._parser()
        for key, value in args.items():
            key = str(key).lower().replace("-", "_").replace(" ", "_")
            key = {"max_price": "price_max", "budget": "price_max", "min_price": "price_min", "color": "colour",
                   "type": "article_type", "occasion": "usage", "id": "product_id", "q": "query"}.get(key, key)  # fmt: skip
            if key not in fields:
                continue
            if key in ("price_max", "price_min") and isinstance(value, str):
                digits = "".join(ch for ch in value if ch.isdigit() or ch == ".")
                value = float(digits) if digits else None
            elif key in _LIST_FIELDS and isinstance(value, str):
                read = parser.parse(value).filters
                value = (getattr(read, key) or [value])[0]
            elif key == "k":
                try:
                    value = max(1, min(20, int(value)))
                except (TypeError, ValueError):
                    continue
            elif key in ("query", "product_id"):
                value = str(value)
            out[key] = value
        return out

    def final_answer(self, model_text: str, plan: TurnPlan, turn: list[BaseMessage]) -> str:
        products, relaxed = turn_products(turn, plan, self.products)
        context = turn_context(turn, plan)
        return compose_answer(
            model_text, products, plan.filters, self._grounding(), relaxed, plan.intent, context
        )


def turn_products(
    turn: list[BaseMessage], plan: TurnPlan, limit: int
) -> tuple[list[dict[str, Any]], dict | None]:
    """Products this turn's tools returned (the only ones that may be shown), and any relaxation."""
    products: list[dict[str, Any]] = []
    relaxed = None
    near_colour = False
    seen: set[str] = set()
    for message in turn:
        if not isinstance(message, ToolMessage) or not isinstance(message.artifact, dict):
            continue
        artifact = message.artifact
        # Reasons say only what holds: not the size set aside, nor a colour the nearest shades replaced.
        unmet = [name for name, off in (
            ("size", any(str(n).startswith("sized otherwise: ") for n in artifact.get("notes") or [])),
            ("colour", bool(artifact.get("near_colour"))), ("price_min", bool(artifact.get("below_floor"))),
            ("article_type", bool(artifact.get("near_kind"))), ("price_max", bool(artifact.get("above_ceiling"))),
        ) if off]  # fmt: skip
        met = plan.filters.without(*unmet) if unmet else plan.filters
        for item in artifact.get("items", []):
            if item["id"] in seen:
                continue
            seen.add(item["id"])
            given = not any(n.startswith("cheaper") for n in plan.notes)
            pairs = next((n[len("pairs with ") :] for n in plan.notes if n.startswith("pairs with ")), None)
            reason = item.get("reason") or (
                pairing_reason(str(item.get("colour") or ""), pairs).capitalize() if pairs
                else reason_for(item, met, given)
            )  # fmt: skip
            products.append(item | {"reason": reason})
        if artifact.get("relaxation") and not artifact.get("items"):
            relaxed = artifact["relaxation"]
        if artifact.get("near_colour"):
            # "tan" -> brown is a shade of the colour asked; "yellow" -> gold is another colour.
            family = colour_family(artifact["near_colour"])
            near_colour = near_colour or all(i.get("colour") not in family for i in artifact.get("items", []))
    products = products[:limit]
    not_carried = any(n.startswith("not carried: ") for n in plan.notes)
    if products and (near_colour or not_carried):
        # Colours near one the shop lacks, or the closest things to a kind of item it does not
        # carry: not what was asked, so shown as labelled alternatives, never as matches.
        return [], {"dropped": "colour" if near_colour else "article_type", "items": products}
    return products, relaxed


def _still_around(note: str, filters: dict[str, Any]) -> bool:
    """Whether the range an "around N" was read as is still the budget ("under 3000" said since is not)."""
    m = re.search(r"read as (\d+) to (\d+)", note)
    return m is None or (filters.get("price_min"), filters.get("price_max")) == (float(m[1]), float(m[2]))


def turn_context(turn: list[BaseMessage], plan: TurnPlan) -> dict[str, Any]:
    """What the answer should say about how the turn went: a planned outfit, the item a look
    goes with, soft constraints the search left out, an approximate budget as the shopper said it."""
    context: dict[str, Any] = {}
    for message in turn:
        if not isinstance(message, ToolMessage) or not isinstance(message.artifact, dict):
            continue
        artifact = message.artifact
        if artifact.get("outfit"):
            context["outfit"] = artifact["outfit"]
        if artifact.get("anchor"):
            context["anchor"] = artifact["anchor"]
        if artifact.get("soft_dropped"):
            context["soft_dropped"] = artifact["soft_dropped"]
            context["tagged"] = artifact.get("tagged", 0)
        if artifact.get("near_colour"):
            context["near_colour"] = artifact["near_colour"]
        if artifact.get("near_kind"):
            context["near_kind"] = artifact["near_kind"]
        if artifact.get("below_floor"):
            context["below_floor"] = artifact["below_floor"]
        if artifact.get("above_ceiling"):
            context["above_ceiling"] = artifact["above_ceiling"]
        if artifact.get("grown_up"):
            context["grown_up"] = artifact["filters"].get("gender")
        if artifact.get("answer") and "trends" in artifact:
            context["trend_answer"] = artifact["answer"]
        for note in artifact.get("notes") or []:
            if str(note).startswith("around ") and _still_around(str(note), artifact.get("filters") or {}):
                context["approximate"] = str(note).split(":")[0]
            if str(note).startswith("sized otherwise: "):
                context["sized_otherwise"] = str(note)[len("sized otherwise: ") :]
    for note in plan.notes:
        if note == "instructions in the message ignored":
            context["ignored_instructions"] = True
        if note.startswith("cheaper"):
            context["derived_ceiling"] = True  # the stylist's ceiling for "cheaper", not the shopper's budget
        if note.startswith("not carried: "):
            context["not_carried"] = note[len("not carried: ") :]
        if note.startswith("around ") and _still_around(note, plan.filters.active()):
            context["approximate"] = note.split(":")[0]
        elif note.startswith("to go with ") and "anchor" not in context:
            context["anchor"] = {"title": note[len("to go with ") :]}
    return context


def recent_turns(messages: list[BaseMessage], turns: int) -> list[BaseMessage]:
    """The messages of the last ``turns`` shopper turns (the planner's memory keeps the rest)."""
    starts = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    if len(starts) <= turns:
        return list(messages)
    return list(messages[starts[-turns] :])


class HistoryWindow(AgentMiddleware[StylistState]):
    """Sends the model only the last few turns, so a long conversation never outgrows its context
    (the bundled model has 4,096 tokens); what earlier turns settled lives in the plan's memory."""

    state_schema = StylistState

    def __init__(self, turns: int) -> None:
        super().__init__()
        self.turns = max(1, turns)

    def wrap_model_call(self, request: Any, handler: Callable[[Any], Any]) -> Any:
        kept = recent_turns(list(request.messages), self.turns)
        if len(kept) != len(request.messages):
            request = request.override(messages=kept)
        return handler(request)
