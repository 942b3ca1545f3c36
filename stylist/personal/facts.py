"""What a shopper tells about themselves, read by rules (the catalog's constraint parser and the
phrases here), never by the language model.

- sizes: "I'm a size M", "I wear 9 in shoes", "jeans, 32 waist", or a size asked for oneself
  ("t-shirts for me, size M"); each kind of size (clothing, shoes, waist) is kept apart;
- colours they don't want: "I hate yellow", "yellow never suits me", or "no yellow" said about
  themselves with nothing asked for, are lasting; "no yellow" in a request for a kind of item
  ("tees for me, no yellow", "not pink pls" about running shoes) holds for that kind only (a
  passing "not pink" about shoes says nothing about tops); asking for a colour for themselves
  later ("yellow tees for me", "I like yellow now") takes it off the list;
- colours they like: "I love navy", "my favourite colour is green";
- their usual spend: "I usually spend about 2000", "normally under 1500";
- who they shop for: "I shop for my wife too", "buying for my son";
- who they are: "I'm a woman", "for me, a guy".

A request for someone else ("a shirt for my husband, size L", "a gift") teaches nothing about
the shopper's own size or colours. :func:`learn` returns the updated facts and what changed.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from stylist.query import QueryParser, named_colours

#: Size names that are clothing letters, and the kinds of size kept apart.
LETTER_SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL")
SIZE_KINDS = ("clothing", "shoes", "waist")

# Someone other than the shopper: relatives, friends, gifts (the request is then theirs).
_RELATION = (
    r"wife|husband|hubby|son|daughter|mom|mum|mother|dad|father|sister|brother|boyfriend|girlfriend|bf|gf"
    r"|fianc[ée]e?|partner|friend|friends|kids?|children|child|baby|niece|nephew|grandma|grandmother|grandpa"
    r"|grandfather|aunt|uncle|cousin|boss|colleague|missus|in-laws?|mother-in-law|father-in-law|family"
)
_FOR_OTHER = re.compile(
    rf"\bfor (?:my|our|a|his|her|their) (?:\w+ )?(?:{_RELATION})\b|\bfor (?:him|her|them)\b|\b(?:gift|present)s?\b"
    rf"|\bmy (?:{_RELATION})(?:'s)? (?:needs|wants|wears|is|birthday|size)\b|\b(?:he|she) (?:needs|wants|wears|is)\b"
)
FOR_SELF = re.compile(
    r"\b(?:for me|for myself|i'?m (?:a |an )?(?:size|small|medium|large)|i wear|my size|i am (?:a |an )?size)\b"
)
_SELF_GENDER = re.compile(
    r"\b(?:i'?m|i am|me,?|myself,?)\s+(?:a |an )?(woman|women|lady|girl|female|man|men|guy|gentleman|boy|male)\b"
)
_GENDER_OF = {"woman": "Women", "women": "Women", "lady": "Women", "girl": "Women", "female": "Women",
              "man": "Men", "men": "Men", "guy": "Men", "gentleman": "Men", "boy": "Men", "male": "Men"}  # fmt: skip
_HABIT = re.compile(
    r"\b(?:usually|normally|typically|generally|mostly|always|tend to|most of the time|on average)\b"
    r"[^.?!]{0,30}?\b(?:spend|spending|pay|paying|budget|go for|shop)\b"
    r"|\bmy (?:usual|normal|typical) (?:budget|spend)\b"
)
_SHOPS_FOR = re.compile(
    rf"\b(?:shop|shopping|buy|buying|get things|pick things)\b[^.?!]{{0,25}}?\bfor (?:my |our )?({_RELATION})\b"
)
_LIKE = re.compile(
    r"\b(?:i (?:really )?(?:love|like|adore|prefer)|my favou?rite colou?rs? (?:is|are)|i'?m into|i do like|"
    r"(?:\w+ )?(?:is|are) (?:fine|ok|okay) (?:now|actually|too))\b"
)
# A colour ruled out for good, not just for this item: "I hate pink", "pink never suits me".
_LASTING = re.compile(
    r"\b(?:hate|hates|dislike|detest|can'?t stand|cannot stand|not a (?:big )?fan of|never|allergic"
    r"|(?:don'?t|do not|dont) (?:really )?(?:like|wear|suit|do|look good in)|doesn'?t (?:really )?suit"
    r"|not my colou?r|i avoid|i always avoid|no more|anymore|ever again)\b"
)
_NOT_LIKE = re.compile(r"\b(?:don'?t|do not|never|not|doesn'?t|dont)\s+(?:really\s+)?(?:love|like|prefer)\b")
# "any size", "whatever colour": the shopper sets the profile's defaults aside for this request.
ANY_SIZE = re.compile(r"\b(?:any|whatever|all|other|different) sizes?\b|\bnot (?:in )?my size\b")
ANY_COLOUR = re.compile(r"\b(?:any|whatever|all) colou?rs?\b")
#: "what do you remember about me?", "forget me": handled by the personal stylist, not the agent.
REMEMBER = re.compile(
    r"\bwhat (?:do|did) you (?:remember|know|keep|store|have|save)\w* (?:about|on|of) me\b"
    r"|\bwhat have you (?:remembered|saved|stored|learned|learnt) about me\b|\b(?:show|see) my profile\b"
    r"|\bwhat'?s in my profile\b|\bwhat do you know of me\b"
)
FORGET = re.compile(
    r"\bforget (?:me|about me|everything (?:about|on) me|all about me|who i am|my (?:data|profile|details|history))\b"
    r"|\b(?:delete|erase|remove|wipe) (?:my (?:data|profile|details|history|account)|everything (?:about|on) me)\b"
)


def size_kind(size: str) -> str | None:
    """Which kind of size a name is: clothing letters, a shoe size (3 to 13) or a waist (24 to 46)."""
    value = size.upper().strip()
    if value in LETTER_SIZES:
        return "clothing"
    if value.isdigit():
        n = int(value)
        if 3 <= n <= 13:
            return "shoes"
        if 24 <= n <= 46:
            return "waist"
    return None


@dataclass
class Learned:
    """The facts after a message, and what the message changed (for tests and the profile view)."""

    facts: dict[str, Any]
    changed: list[str] = field(default_factory=list)


def for_someone_else(lowered: str) -> bool:
    """Whether a message is about someone other than the shopper (a relative, a friend, a gift)."""
    return bool(_FOR_OTHER.search(lowered)) and not re.search(r"\bfor me\b|\bfor myself\b", lowered)


def own_gender(lowered: str) -> str | None:
    """The shopper's own gender when they say it ("I'm a woman", "for me, a guy")."""
    m = _SELF_GENDER.search(lowered)
    return _GENDER_OF.get(m.group(1)) if m else None


def learn(
    message: str,
    parser: QueryParser,
    facts: dict[str, Any] | None = None,
    for_other: bool | None = None,
    kinds: list[str] | None = None,
) -> Learned:
    """Read what ``message`` says about the shopper into ``facts`` (a copy is returned).

    ``for_other``: the conversation is about someone else (None: judge from this message alone).
    ``kinds``: the article types the conversation was about before this message (a follow-up
    "not pink pls" is about them).

    Facts: ``sizes`` {kind: size}, ``dislikes`` [colour] (lasting), ``kind_dislikes`` {article
    type: [colour]}, ``likes`` [colour], ``budget`` {"min", "max"}, ``shops_for`` [{"who",
    "gender"}], ``gender``, ``updated``.
    """
    facts = {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
             for k, v in (facts or {}).items()}  # fmt: skip
    lowered = " " + message.lower().replace("’", "'") + " "
    changed: list[str] = []
    other = for_someone_else(lowered) if for_other is None else for_other
    parsed = parser.parse(message)
    said = parsed.filters

    gender = own_gender(lowered)
    if gender and facts.get("gender") != gender:
        facts["gender"] = gender
        changed.append("gender")
    self_gender = facts.get("gender")
    if (
        said.gender
        and self_gender
        and not gender
        and self_gender not in said.gender
        and not FOR_SELF.search(lowered)
    ):
        other = True  # "jeans for women" from a man: for someone else

    for m in _SHOPS_FOR.finditer(lowered):
        who = m.group(1)
        read = parser.parse(who).filters.gender
        entry = {"who": who, "gender": read[0] if read and len(read) == 1 else None}
        shops_for = facts.setdefault("shops_for", [])
        if all(e.get("who") != who for e in shops_for):
            shops_for.append(entry)
            changed.append("shops_for")

    if not other:
        if said.size and (kind := size_kind(said.size)) is not None:
            sizes = facts.setdefault("sizes", {})
            if sizes.get(kind) != said.size:
                sizes[kind] = said.size
                changed.append("sizes")
        dislikes: list[str] = facts.setdefault("dislikes", [])
        by_kind: dict[str, list[str]] = facts.setdefault("kind_dislikes", {})
        likes: list[str] = facts.setdefault("likes", [])
        scope = list(said.article_type or kinds or [])
        lasting = not scope or bool(_LASTING.search(lowered))
        for colour in named_colours(said.exclude_colour or []):  # "no yellow": yellow (its shades go with it)
            for kept in [dislikes] if lasting else [by_kind.setdefault(k, []) for k in scope]:
                if colour not in kept:
                    kept.append(colour)
                    changed.append("dislikes")
            if colour in likes:
                likes.remove(colour)
        liking = bool(_LIKE.search(lowered)) and not _NOT_LIKE.search(lowered)
        for colour in said.colour or []:
            # Asked for it now: no longer ruled out (for this kind, or at all when said for no kind).
            for kept in [dislikes, *(by_kind.get(k, []) for k in (scope or list(by_kind)))]:
                if colour in kept:
                    kept.remove(colour)
                    changed.append("dislikes")
            if liking and colour not in likes:
                likes.append(colour)
                changed.append("likes")
        for kind in [k for k, v in by_kind.items() if not v]:
            del by_kind[kind]
        for key in ("dislikes", "kind_dislikes", "likes"):
            if not facts[key]:
                facts.pop(key)
    if _HABIT.search(lowered) and (said.price_max is not None or said.price_min is not None):
        budget = {"min": said.price_min, "max": said.price_max}
        if facts.get("budget") != budget:
            facts["budget"] = budget
            changed.append("budget")
    if changed:
        facts["updated"] = time.time()
    return Learned(facts, sorted(set(changed)))
