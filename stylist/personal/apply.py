"""Using the profile's hard facts in a turn: the shopper's size and the colours they ruled out.

The turn planner (``stylist.intent.plan_turn``) reads the request first; :func:`apply_facts` then
adds what the profile knows where the shopper said nothing else this turn:

- an explicit constraint in the current message always wins ("size L", "in yellow", "any size");
- a colour ruled out for one kind of item is ruled out only when that kind is asked for;
- a size is added only for items measured in that kind of size (a clothing size for t-shirts,
  a shoe size for shoes; none for an outfit of several kinds of item);
- nothing is added to a request for someone else ("a shirt for my husband", a gift), also in
  its follow-ups ("cheaper").

What was added is noted in the plan (``profile: ...`` notes) and the answer says so:
"From what you told me before: in your size M, skipping yellow, as you asked."
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from stylist.grounding import and_list
from stylist.personal.facts import ANY_COLOUR, ANY_SIZE, FOR_SELF, for_someone_else, size_kind
from stylist.query import Filters, QueryParser, named_colours

#: Plan notes written for the facts used ("profile: size M", "profile: not Yellow").
NOTE_PREFIX = "profile: "
_FOR_ME = re.compile(r"\bfor (?:me|myself)\b")
_PHOTO_NOTE = re.compile(r"\n?\[The shopper attached a photo\..*?\]", re.DOTALL)


def size_names(metas: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], set[str]]:
    """The size names used by each article type, subcategory and category of a catalog:
    ``{("article_type", "Tshirts"): {"XS", "S", ...}, ("category", "Footwear"): {"6", ...}}``."""
    names: dict[tuple[str, str], set[str]] = {}
    for meta in metas:
        sizes = [k[len("size_") :].replace("_", " ") for k in meta if k.startswith("size_")]
        if not sizes:
            continue
        for field in ("article_type", "subcategory", "category"):
            if meta.get(field):
                names.setdefault((field, str(meta[field])), set()).update(sizes)
    return names


def fitting_size(
    sizes: Mapping[str, str], filters: Filters, names: Mapping[tuple[str, str], set[str]]
) -> str | None:
    """The profile size that measures every kind of item ``filters`` asks for, if exactly one does."""
    groups = [("article_type", v) for v in filters.article_type or []]
    if not groups:
        groups = [("subcategory", v) for v in filters.subcategory or []] or [
            ("category", v) for v in filters.category or []
        ]
    if not groups:
        return None  # nothing named (an outfit, "something nice"): no one size fits it
    fits = [s for s in sizes.values() if all(s in names.get(g, ()) for g in groups)]
    return fits[0] if len(fits) == 1 else None


def disliked_colours(facts: Mapping[str, Any], filters: Filters) -> list[str]:
    """The colours the shopper ruled out for what ``filters`` asks: the lasting ones, and those
    said for a kind of item when every kind asked for is that kind ("no pink" said about running
    shoes holds for running shoes, not for a look that also has a top)."""
    colours = list(facts.get("dislikes") or [])
    by_kind = facts.get("kind_dislikes") or {}
    kinds = filters.article_type or []
    if kinds and by_kind:
        shared = set.intersection(*(set(by_kind.get(k, ())) for k in kinds))
        colours += [c for c in by_kind.get(kinds[0], []) if c in shared and c not in colours]
    return colours


def apply_facts(
    plan: dict[str, Any],
    message: str,
    parser: QueryParser,
    facts: Mapping[str, Any],
    names: Mapping[tuple[str, str], set[str]],
    for_other: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The plan (``TurnPlan.to_state()``) with the profile's size and dislikes added where the
    shopper did not say otherwise this turn, and what was added (``{"size", "exclude_colour"}``)."""
    if plan.get("intent") not in ("search", "look") or plan.get("reply") is not None or for_other:
        return plan, {}
    if plan.get("intent") == "look" and plan.get("anchor_id"):
        return plan, {}  # what goes with an item: its kind is the item's, not what the shopper's size fits
    text = _PHOTO_NOTE.sub("", message)
    lowered = text.lower().replace("’", "'")
    said = parser.parse(text).filters
    filters = Filters(**plan.get("filters", {}))
    added: dict[str, Any] = {}
    if facts.get("gender") and not filters.gender and not said.gender and _FOR_ME.search(lowered):
        filters = filters.model_copy(update={"gender": [facts["gender"]]})  # "t-shirts for me"
        added["gender"] = facts["gender"]
    sizes = facts.get("sizes") or {}
    if sizes and filters.size is None and not said.size and not ANY_SIZE.search(lowered):
        size = fitting_size(sizes, filters, names)
        if size is not None:
            filters = filters.model_copy(update={"size": size})
            added["size"] = size
    dislikes = [
        c
        for c in disliked_colours(facts, filters)
        if c not in (said.colour or [])
        and c not in (filters.colour or [])
        and c not in (filters.exclude_colour or [])
    ]
    if dislikes and not ANY_COLOUR.search(lowered):
        filters = filters.model_copy(update={"exclude_colour": [*(filters.exclude_colour or []), *dislikes]})
        added["exclude_colour"] = dislikes
    if not added:
        return plan, {}
    notes = list(plan.get("notes", []))
    if "gender" in added:
        notes.append(f"{NOTE_PREFIX}for {added['gender']}")
    if "size" in added:
        notes.append(f"{NOTE_PREFIX}size {added['size']}")
    for colour in added.get("exclude_colour", []):
        notes.append(f"{NOTE_PREFIX}not {colour}")
    return {**plan, "filters": filters.active(), "notes": notes, "profile_added": added}, added


def stated_filters(plan: Mapping[str, Any]) -> Filters:
    """The plan's constraints without what the profile added: what the shopper asked this turn."""
    filters = Filters(**plan.get("filters", {}))
    added = plan.get("profile_added") or {}
    if added.get("gender"):
        filters = filters.without("gender")
    if added.get("size"):
        filters = filters.without("size")
    if added.get("exclude_colour"):
        kept = [c for c in filters.exclude_colour or [] if c not in added["exclude_colour"]]
        filters = filters.model_copy(update={"exclude_colour": kept or None})
    return filters


def thread_for_other(message: str, previous: bool) -> bool:
    """Whether this thread's request is for someone else now: said so in this message, or said
    earlier and not turned back to the shopper ("for me", "I'm a size M")."""
    lowered = " " + message.lower().replace("’", "'") + " "
    if for_someone_else(lowered):
        return True
    if FOR_SELF.search(lowered):
        return False
    return previous


def profile_sentence(notes: Iterable[str]) -> str | None:
    """What the answer says about the facts it used: "From what you told me before: in your
    size M, skipping yellow, as you asked." (None when none were used)."""
    size = None
    colours: list[str] = []
    for note in notes:
        if not note.startswith(NOTE_PREFIX):
            continue
        rest = note[len(NOTE_PREFIX) :]
        if rest.startswith("size "):
            size = rest[len("size ") :]
        elif rest.startswith("not "):
            colours.append(rest[len("not ") :].lower())
    parts = []
    if size:
        kind = size_kind(size)
        parts.append(
            f"in your {'shoe ' if kind == 'shoes' else 'waist ' if kind == 'waist' else ''}size {size}"
        )
    colours = named_colours(colours)
    if colours:
        parts.append(f"skipping {and_list(colours)}, as you asked")
    if not parts:
        return None
    return "From what you told me before: " + ", ".join(parts) + "."


def with_profile_sentence(answer: str, notes: Iterable[str]) -> str:
    """``answer`` with :func:`profile_sentence` as its second line (after what was looked for)."""
    sentence = profile_sentence(notes)
    if not sentence or sentence in answer:
        return answer
    first, _, rest = answer.partition("\n")
    return "\n".join(x for x in (first, sentence, rest) if x)


def before_agent_hook(
    parser: Callable[[], QueryParser], names: Callable[[], Mapping[tuple[str, str], set[str]]]
) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    """The state update the :class:`~stylist.personal.middleware.ProfileDefaults` middleware makes."""

    def hook(state: dict[str, Any]) -> dict[str, Any] | None:
        personal = state.get("personal") or {}
        if not personal.get("facts") or not state.get("plan"):
            return None
        from langchain_core.messages import HumanMessage

        message = next(
            (m.text for m in reversed(state.get("messages", [])) if isinstance(m, HumanMessage)), ""
        )
        plan, added = apply_facts(
            state["plan"], message, parser(), personal["facts"], names(), bool(personal.get("for_other"))
        )
        return {"plan": plan} if added else None

    return hook
