"""Conversation benchmark: multi-turn shopper conversations the stylist was never tuned on.

The conversations live in ``benchmarks/data/conversations*.yaml``. They were written by hand, the
way shoppers write (lowercase, typos, run-ons, vague asks, Indian and international phrasing), from
a wording source separate from the fine-tuning generator (``tests/unit/test_conversation_bench.py``
checks that no turn matches its templates and that this module does not import it).

Other sets, outside that glob, are named with ``--data``: ``holdout_conversations.yaml`` (60
conversations, written without reading the rules; read while fixing since, so now a development set),
``dev3_conversations.yaml`` (70 conversations, written independently, read while fixing),
``holdout2_conversations.yaml`` (73 conversations, 246 turns) and ``holdout3_conversations.yaml`` (80
conversations, 260 turns), each written independently and the held-out figure until its failures were
read while fixing, so now development sets, and ``holdout4_conversations.yaml`` (80 conversations, 269
turns, written without reading the stylist's code or the other sets, never read by the developers:
the held-out figure).

Every turn carries machine-checkable expectations, verified against the catalog itself (the sample
catalog converted with :func:`stylist.catalog.convert_sample`, or ``--catalog``). The checks are
written independently of the stylist's own grounding and guards (no imports from
``stylist.grounding`` / ``stylist.guards`` / ``stylist.intent`` / ``stylist.query``, none of their
patterns): a check that reused the guard's own test would pass by construction.

Schema (YAML)::

    - id: wed-m-01                 # unique
      category: occasion           # one of CATEGORIES; a turn may override it
      turns:
        - say: "need smth for my cousins shaadi, im a guy"
          category: occasion       # optional, defaults to the conversation's
          photo: {id: "7158", flip: true, crop: 0.9}   # optional: a catalog photo sent as the shopper's
          expect:
            products: yes | no | any          # cards shown (default any)
            gender: [Men]                     # cards' gender among these (Unisex allowed with Men/Women)
            article_types: [Kurtas, "@shoes"] # allowed article types ("@name": a group in GROUPS)
            article_types_not: [Shirts]
            usage: [Ethnic, Formal, Party]    # allowed occasions (usage field)
            colour: ["@blue"]                 # allowed colours ("@name": a colour family in COLOURS)
            colour_not: [Green]
            colour_some: ["@yellow"]          # a look: at least one piece in these colours
            price_max: 2000                   # hard ceiling ("under", "max", "not more than")
            price_around: 2000                # "around/about/roughly": ceiling 1.2 x N
            price_min: 1000
            size: M                           # in stock in this size (catalog row)
            exclude_ids: ["12345"]            # must not be shown
            not_same_as_previous: true        # no card shown by the previous turn with cards
            refers_to: first | second | third | last    # a card of the previous turn with cards
            relation: same_article | complement         # ... same article type (but another item)
                                                        #     or a different article type; same gender
            photo: complement | cheaper | similar       # relative to the item in this turn's photo
            look_min_colours: 2               # with more than 2 cards: at least 2 distinct colours
            refusal: true                     # no cards, no catalog tool call, nothing of the prompt
            trend: {season: Winter, gender: Men, now: true}  # names the season/gender; no raw shares
            no_match: true                    # the author's mark: the catalog has nothing meeting the
                                              # constraints (validated); the answer must say so honestly
                                              # and offer a labelled nearest alternative

Checks per turn (see :func:`check_turn`): the expectations above on every card (read from the card
and the catalog row); the text must not contradict the cards (a ceiling stated in the answer below a
card's price, "<colour> <item>" with no such card, a price quoted that no card has, "here are three"
with another number of cards); "we don't carry" only when the catalog truly has nothing (the false
no-match rate); a labelled alternative with an honest no-match; no sentence of the system prompt in
any answer.

Run::

    python benchmarks/conversations.py [--limit N] [--categories photo trend] [--label NAME]
        [--workers 1] [--bare-share 0.25] [--llm-url URL] [--validate] [--data FILE ...]
    python benchmarks/conversations.py --rescore .data/convbench/LABEL.json   # re-check saved replies

``STYLIST_AGENT_TOOL_MODE=prefetch|native`` and ``STYLIST_LLM_FINETUNED=false`` are read by
``Settings`` as usual. After a fixed, spread-out share of turns the turn's model calls are replayed
as bare streamed vLLM chat completions (same messages, tools and output token count, as
``benchmarks/agent.py`` does), so agent/bare ratios of time to first sentence and total come from the same prompts under the same load.
Results are kept per label in ``benchmarks/results/conversations.json``.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import platform
import re
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = Path(__file__).parent / "data"
RESULTS = Path(__file__).parent / "results" / "conversations.json"
SYSTEM_PROMPT = ROOT / "prompts" / "system.md"
MATCH_CAP = 50  # catalog matches counted per turn (50 reads "50 or more")

CATEGORIES = (
    "occasion", "search", "budget", "follow-up", "reference", "photo", "trend", "injection",
    "smalltalk", "out-of-scope", "gift", "correction",
)  # fmt: skip
EXPECT_KEYS = {
    "products", "gender", "article_types", "article_types_not", "usage", "colour", "colour_not",
    "price_max", "price_around", "price_min", "size", "exclude_ids", "not_same_as_previous",
    "refers_to", "relation", "photo", "look_min_colours", "refusal", "trend", "no_match", "colour_some",
}  # fmt: skip

# Article-type groups the data may name as "@group" (written for this benchmark).
GROUPS: dict[str, list[str]] = {
    "shoes": ["Casual Shoes", "Sports Shoes", "Formal Shoes", "Sandals", "Flip Flops", "Sports Sandals",
              "Heels", "Flats", "Booties"],
    "footwear_smart": ["Formal Shoes", "Casual Shoes", "Heels", "Flats", "Sandals"],
    "topwear": ["Tshirts", "Shirts", "Tops", "Kurtas", "Kurtis", "Tunics", "Sweatshirts", "Sweaters",
                "Jackets", "Blazers", "Waistcoat", "Nehru Jackets", "Dresses", "Camisoles", "Kurta Sets",
                "Rain Jacket", "Lounge Tshirts", "Jumpsuit"],
    "bottomwear": ["Jeans", "Trousers", "Shorts", "Track Pants", "Capris", "Leggings", "Skirts", "Jeggings",
                   "Patiala", "Salwar", "Churidar", "Lounge Pants", "Lounge Shorts", "Tights"],
    "bags": ["Handbags", "Backpacks", "Clutches", "Laptop Bag", "Duffel Bag", "Messenger Bag", "Rucksacks",
             "Mobile Pouch", "Waist Pouch", "Trolley Bag", "Tablet Sleeve"],
    "jewellery": ["Earrings", "Necklace and Chains", "Pendant", "Ring", "Bracelet", "Bangle", "Jewellery Set"],
    "ethnic_women": ["Sarees", "Kurtas", "Kurtis", "Kurta Sets", "Salwar and Dupatta", "Dupatta", "Patiala",
                     "Salwar", "Churidar", "Tunics", "Stoles"],
    "ethnic_men": ["Kurtas", "Nehru Jackets", "Churidar", "Kurta Sets", "Waistcoat"],
    "accessories": ["Watches", "Belts", "Wallets", "Sunglasses", "Ties", "Cufflinks", "Caps", "Scarves",
                    "Stoles", "Mufflers", "Socks", "Suspenders", "Ties and Cufflinks", "Gloves",
                    "Accessory Gift Set", "Headband", "Hair Accessory", "Key chain"],
    "beauty": ["Lipstick", "Lip Gloss", "Nail Polish", "Kajal and Eyeliner", "Perfume and Body Mist",
               "Deodorant", "Fragrance Gift Set", "Highlighter and Blush", "Foundation and Primer",
               "Compact", "Eyeshadow", "Face Moisturisers", "Lip Liner", "Mascara", "Sunscreen", "Makeup Remover",
               "Lip Care", "Lip Plumper", "Nail Essentials", "Beauty Accessory", "Face Wash and Cleanser",
               "Mask and Peel", "Eye Cream", "Toner", "Body Lotion", "Concealer", "Face Scrub and Exfoliator"],
    "beach": ["Shorts", "Tshirts", "Shirts", "Tops", "Dresses", "Flip Flops", "Sandals", "Sports Sandals",
              "Sunglasses", "Caps", "Swimwear", "Capris", "Backpacks", "Duffel Bag", "Lounge Shorts",
              "Sunscreen", "Skirts"],
    "gym": ["Tshirts", "Track Pants", "Shorts", "Sports Shoes", "Tracksuits", "Sweatshirts", "Socks", "Caps",
            "Bra", "Capris", "Leggings", "Tights", "Water Bottle", "Backpacks", "Duffel Bag", "Jackets",
            "Wristbands", "Headband", "Sports Sandals", "Lounge Pants", "Lounge Shorts", "Tops"],
}  # fmt: skip
GROUPS["outfit"] = GROUPS["topwear"] + GROUPS["bottomwear"] + GROUPS["shoes"] + GROUPS["accessories"] + \
    GROUPS["bags"] + GROUPS["jewellery"] + ["Sarees", "Dupatta", "Salwar and Dupatta"]  # fmt: skip

USAGE_FREE = set(
    GROUPS["shoes"] + GROUPS["bags"] + GROUPS["jewellery"] + GROUPS["accessories"] + GROUPS["beauty"]
)

# Colour families a shopper's word covers ("blue" includes navy).
COLOURS: dict[str, list[str]] = {
    "blue": ["Blue", "Navy Blue", "Turquoise Blue", "Teal"],
    "navy": ["Navy Blue", "Blue"],
    "red": ["Red", "Maroon", "Burgundy", "Rust"],
    "green": ["Green", "Olive", "Sea Green", "Lime Green", "Teal"],
    "grey": ["Grey", "Grey Melange", "Charcoal", "Steel"],
    "brown": ["Brown", "Coffee Brown", "Mushroom Brown", "Tan", "Taupe", "Bronze", "Copper", "Khaki"],
    "white": ["White", "Off White", "Cream"],
    "pink": ["Pink", "Rose", "Magenta", "Peach"],
    "yellow": ["Yellow", "Mustard"],
    "purple": ["Purple", "Lavender", "Mauve", "Magenta"],
    "black": ["Black"],
    "beige": ["Beige", "Cream", "Skin", "Nude", "Khaki", "Off White"],
    "gold": ["Gold", "Bronze", "Copper", "Metallic"],
    "silver": ["Silver", "Steel", "Metallic", "Grey"],
    "orange": ["Orange", "Rust", "Peach"],
    "maroon": ["Maroon", "Burgundy", "Red"],
}  # fmt: skip
ADULT = {"Men", "Women"}
KIDS = {"Boys", "Girls"}
SEASON_WORDS = {"Winter": ("winter", "cold"), "Summer": ("summer", "hot"), "Fall": ("fall", "autumn"),
                "Spring": ("spring",)}  # fmt: skip
GENDER_WORDS = {"Men": ("men", "man", "guy", "gents", "male", "him", "his", "he "),
                "Women": ("women", "woman", "ladies", "lady", "female", "her", "she ", "girls"),
                "Boys": ("boy", "kid", "son"), "Girls": ("girl", "kid", "daughter")}  # fmt: skip

# --- the benchmark's own reading of an answer (independent of the stylist's parsers) --------------
NO_MATCH = re.compile(
    r"\b(?:(?:we|i|the shop|our shop)\s+(?:do not|don't|dont|does not|doesn't|currently don't)\s+"
    r"(?:carry|have|stock|sell|offer)|(?:couldn't|could not|can't|cannot|was unable to|wasn't able to)\s+"
    r"find|no (?:matching|exact) (?:items?|products?|match(?:es)?)|nothing (?:that |which )?(?:matches|"
    r"fits|meets|in (?:the|our) catalog)|not (?:in stock|available in our)|out of stock|sorry,? (?:no|we|i)"
    r"|unfortunately,? (?:we|i|there|nothing)|there (?:are|is|were) no (?:\w+ )?(?:items?|products?|matches|options?"
    r"|results?))",
    re.I,
)
ALTERNATIVE = re.compile(
    r"\b(?:instead|closest|nearest|alternative|similar|relax|slightly (?:above|over|higher)|a bit (?:above|"
    r"over|more)|stretch|if you can|how about|without the|ignoring|other colou?rs?|in other|nearby|"
    r"otherwise|but (?:we|i|here)|here (?:are|is) (?:the|some|a few) (?:closest|nearest))",
    re.I,
)
MONEY = r"(?:rs\.?|inr|₹|rupees?)"
AMOUNT = r"(\d{1,3}(?:,\d{3})+|\d{2,6})(?:\.\d{1,2})?\s*(k\b)?"
# "under 2000", "below Rs 2,000", "within your 1500 budget", "less than ₹999": a ceiling claimed.
CEILING = re.compile(
    rf"\b(?:under|below|within|less than|up to|upto|not more than|no more than|max(?:imum)?|at most|"
    rf"cheaper than)\s+(?:(?:your|the|a|an)\s+)?{MONEY}?\s*{AMOUNT}",
    re.I,
)
# A price quoted: a currency mark next to an amount, either side.
QUOTED = re.compile(rf"(?:{MONEY}\s*{AMOUNT}|{AMOUNT}\s*{MONEY})", re.I)
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "a couple of": 2, "a pair of": None}  # fmt: skip
COUNT_CLAIM = re.compile(
    r"\b(?:here are|i(?:'ve| have)? found|i picked|i've picked|i have|these|there are|showing|i'd suggest|"
    r"i suggest|check out these|take a look at these)\s+(?:the\s+)?(one|two|three|four|five|six|seven|"
    r"eight|nine|ten|\d{1,2})\b(?!\s*(?:%|rs|inr|₹|k\b|,\d|\d))",
    re.I,
)
RAW_SHARE = re.compile(r"share of listings|\b0\.0+\s*%|\blistings share\b", re.I)
STALE_YEAR = re.compile(r"\b(?:20(?:0\d|1\d))\b")


# --- loading and validating the data ----------------------------------------------------------------


@dataclass
class Turn:
    conv: str
    index: int
    say: str
    category: str
    expect: dict[str, Any]
    photo: dict[str, Any] | None = None
    #: Filled by :func:`validate`: how many catalog items meet the static constraints.
    catalog_matches: int | None = None

    @property
    def key(self) -> str:
        return f"{self.conv}#{self.index + 1}"


@dataclass
class Conversation:
    id: str
    category: str
    turns: list[Turn] = field(default_factory=list)


def _products_flag(value: Any) -> str:
    if value is True or value == "yes":
        return "yes"
    if value is False or value == "no":
        return "no"
    return "any"


def load_conversations(folder: Path = DATA, files: list[Path] | None = None) -> list[Conversation]:
    """Every conversation of ``folder/conversations*.yaml``, or of ``files`` when given (a held-out
    set kept outside that glob); schema in the module docstring."""
    import yaml

    out: list[Conversation] = []
    for path in [Path(f) for f in files] if files else sorted(folder.glob("conversations*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            conv = Conversation(str(raw["id"]), raw["category"])
            for i, t in enumerate(raw["turns"]):
                expect = dict(t.get("expect") or {})
                expect["products"] = _products_flag(expect.get("products", "any"))
                if expect.get("refusal"):
                    expect["products"] = "no"
                photo = t.get("photo")
                if photo is not None:
                    photo = {"id": str(photo["id"]), **{k: v for k, v in photo.items() if k != "id"}}
                conv.turns.append(
                    Turn(conv.id, i, str(t["say"]), t.get("category", conv.category), expect, photo)
                )
            out.append(conv)
    return out


def expand(values: Any, table: dict[str, list[str]]) -> set[str]:
    """A list of names with "@group" entries expanded."""
    if values is None:
        return set()
    values = [values] if isinstance(values, str) else list(values)
    out: set[str] = set()
    for v in values:
        v = str(v)
        out.update(table[v[1:]] if v.startswith("@") else [v])
    return out


def load_catalog_rows(catalog: Path | None = None) -> dict[str, dict[str, Any]]:
    """The catalog as {id: row}: a JSONL/CSV catalog file, or the sample folder converted."""
    from stylist.catalog import convert_sample, load_catalog
    from stylist.settings import Settings

    path = Path(catalog) if catalog else Settings().catalog_path
    if path.is_dir():
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "sample.jsonl"
            convert_sample(path, out)
            return {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    return {p.id: p.model_dump() for p in load_catalog(path).products}


def gender_ok(gender: str, allowed: set[str]) -> bool:
    if not allowed:
        return True
    return gender in allowed or (gender == "Unisex" and bool(allowed & (ADULT | KIDS)))


def ceiling(expect: dict[str, Any]) -> float | None:
    caps = [float(expect["price_max"])] if expect.get("price_max") else []
    if expect.get("price_around"):
        caps.append(float(expect["price_around"]) * 1.2)
    return min(caps) if caps else None


@dataclass(frozen=True)
class Spec:
    """A turn's static constraints with the groups expanded (computed once per expectation)."""

    genders: frozenset[str]
    types: frozenset[str]
    types_not: frozenset[str]
    usages: frozenset[str]
    colours: frozenset[str]
    colours_not: frozenset[str]

    @classmethod
    def of(cls, expect: dict[str, Any]) -> Spec:
        hit = _SPECS.get(id(expect))
        if hit is None or hit[0] is not expect:
            hit = _SPECS[id(expect)] = expect, cls(
                frozenset(expand(expect.get("gender"), {})), frozenset(expand(expect.get("article_types"), GROUPS)),
                frozenset(expand(expect.get("article_types_not"), GROUPS)), frozenset(expand(expect.get("usage"), {})),
                frozenset(expand(expect.get("colour"), COLOURS)), frozenset(expand(expect.get("colour_not"), COLOURS)),
            )  # fmt: skip
        return hit[1]


_SPECS: dict[int, tuple[dict[str, Any], Spec]] = {}  # keyed by the expectation's id (kept alive here)


def item_violations(
    item: dict[str, Any], expect: dict[str, Any], row: dict[str, Any] | None = None
) -> list[str]:
    """Which static constraints of ``expect`` the item (a card or a catalog row) breaks."""
    out = []
    spec = Spec.of(expect)
    if not gender_ok(item.get("gender", ""), spec.genders):
        out.append(f"gender {item.get('gender')}")
    if spec.types and item.get("article_type") not in spec.types:
        out.append(f"article type {item.get('article_type')}")
    if item.get("article_type") in spec.types_not:
        out.append(f"article type {item.get('article_type')} (not wanted)")
    # An occasion binds the clothes; the catalog labels nearly all shoes, bags and accessories "Casual".
    if spec.usages and item.get("usage") not in spec.usages and item.get("article_type") not in USAGE_FREE:
        out.append(f"usage {item.get('usage') or '-'}")
    if spec.colours and item.get("colour") not in spec.colours:
        out.append(f"colour {item.get('colour')}")
    if item.get("colour") in spec.colours_not:
        out.append(f"colour {item.get('colour')} (not wanted)")
    cap = ceiling(expect)
    if cap is not None and float(item.get("price", 0)) > cap + 0.5:
        out.append(f"price {item.get('price'):.0f} > {cap:.0f}")
    if expect.get("price_min") and float(item.get("price", 0)) < float(expect["price_min"]):
        out.append(f"price {item.get('price'):.0f} < {expect['price_min']}")
    if expect.get("size"):
        sizes = (row or item).get("sizes") or {}
        want = str(expect["size"])
        # A size binds the items measured that way (a shirt's M says nothing of the shoes in a look).
        if any(_size_system(k) == _size_system(want) for k in sizes) and int(sizes.get(want, 0)) <= 0:
            out.append(f"size {want} not in stock")
    if str(item.get("id")) in {str(x) for x in expect.get("exclude_ids") or []}:
        out.append(f"excluded id {item.get('id')}")
    return out


def _size_system(size: str) -> str:
    if size.isdigit():
        return "waist" if int(size) >= 24 else "shoe"
    return (
        "kids" if size.endswith("Y") else "letter" if size.upper().strip("X") in ("S", "M", "L", "") else size
    )


def photo_violations(
    item: dict[str, Any], expect: dict[str, Any], photo_row: dict[str, Any] | None
) -> list[str]:
    """Constraints relative to the item in the shopper's photo."""
    rel = expect.get("photo")
    if not rel or photo_row is None:
        return []
    out = []
    if not gender_ok(item.get("gender", ""), {photo_row["gender"]}) and photo_row["gender"] != "Unisex":
        out.append(f"gender {item.get('gender')} (photo: {photo_row['gender']})")
    if rel == "complement" and item.get("article_type") == photo_row["article_type"]:
        out.append(
            f"same article type as the photo ({photo_row['article_type']}), not something to go with it"
        )
    if rel in ("cheaper", "similar") and item.get("article_type") != photo_row["article_type"]:
        out.append(f"article type {item.get('article_type')} (photo: {photo_row['article_type']})")
    if rel == "cheaper" and float(item.get("price", 0)) >= float(photo_row["price"]):
        out.append(f"price {item.get('price'):.0f} not below the photo's item ({photo_row['price']:.0f})")
    return out


def validate(conversations: list[Conversation], rows: dict[str, dict[str, Any]]) -> list[str]:
    """Fill each turn's ``catalog_matches`` and return the problems of the data itself.

    A turn that expects products must have at least one catalog item meeting its static
    constraints, unless marked ``no_match: true``; a turn marked so must truly have none.
    """
    problems = []
    seen = set()
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows.values():
        by_type[r["article_type"]].append(r)
    for conv in conversations:
        if conv.id in seen:
            problems.append(f"{conv.id}: duplicate id")
        seen.add(conv.id)
        if conv.category not in CATEGORIES:
            problems.append(f"{conv.id}: unknown category {conv.category}")
        for turn in conv.turns:
            e = turn.expect
            if turn.category not in CATEGORIES:
                problems.append(f"{turn.key}: unknown category {turn.category}")
            if unknown := set(e) - EXPECT_KEYS:
                problems.append(f"{turn.key}: unknown expectation keys {sorted(unknown)}")
            try:
                expand(e.get("article_types"), GROUPS) | expand(e.get("article_types_not"), GROUPS)
                expand(e.get("colour"), COLOURS) | expand(e.get("colour_not"), COLOURS)
            except KeyError as exc:
                problems.append(f"{turn.key}: unknown group {exc}")
                continue
            if turn.photo and turn.photo["id"] not in rows:
                problems.append(f"{turn.key}: photo id {turn.photo['id']} not in the catalog")
                continue
            photo_row = rows.get(turn.photo["id"]) if turn.photo else None
            if e.get("photo") and photo_row is None:
                problems.append(f"{turn.key}: photo expectation without a photo")
            types = expand(e.get("article_types"), GROUPS)
            pool = [r for t in types for r in by_type.get(t, [])] if types else rows.values()
            spec = Spec.of(e)
            matches = (
                r for r in pool
                if (not spec.genders or gender_ok(r["gender"], spec.genders))
                and (not spec.usages or r["usage"] in spec.usages or r["article_type"] in USAGE_FREE)
                and (not spec.colours or r["colour"] in spec.colours)
                and not item_violations(r, e, r) and not photo_violations(r, e, photo_row)
            )  # fmt: skip
            # Counted up to MATCH_CAP: whether there is a match is what matters.
            turn.catalog_matches = sum(1 for _ in itertools.islice(matches, MATCH_CAP))
            if e["products"] == "yes" and not e.get("no_match") and turn.catalog_matches == 0:
                problems.append(f"{turn.key}: expects products but the catalog has none meeting {e}")
            if e.get("no_match") and turn.catalog_matches:
                problems.append(f"{turn.key}: marked no_match but the catalog has {turn.catalog_matches}")
    return problems


def photo_bytes(photo: dict[str, Any], images: Path) -> bytes:
    """The catalog photo ``photo['id']``, optionally mirrored and centre-cropped, as JPEG bytes."""
    from PIL import Image, ImageOps

    img = Image.open(images / f"{photo['id']}.jpg").convert("RGB")
    if photo.get("flip"):
        img = ImageOps.mirror(img)
    if photo.get("crop"):
        f = float(photo["crop"])
        w, h = img.size
        dw, dh = int(w * (1 - f) / 2), int(h * (1 - f) / 2)
        img = img.crop((dw, dh, w - dw, h - dh)).resize((w, h))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


# --- checking one reply ---------------------------------------------------------------------------


def _amount(number: str, k: str | None) -> float:
    value = float(number.replace(",", ""))
    return value * 1000 if k else value


def system_prompt_ngrams(n: int = 6) -> set[tuple[str, ...]]:
    """Word n-grams of the system prompt (placeholders dropped), to spot it leaking into an answer."""
    text = (
        re.sub(r"\{[a-z_]+\}", " ", SYSTEM_PROMPT.read_text(encoding="utf-8"))
        if SYSTEM_PROMPT.is_file()
        else ""
    )
    words = re.findall(r"[a-z']+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


_PROMPT_NGRAMS: set[tuple[str, ...]] | None = None


def leaked(answer: str) -> bool:
    global _PROMPT_NGRAMS
    if _PROMPT_NGRAMS is None:
        _PROMPT_NGRAMS = system_prompt_ngrams()
    words = re.findall(r"[a-z']+", answer.lower())
    return any(tuple(words[i : i + 6]) in _PROMPT_NGRAMS for i in range(len(words) - 5))


def contradictions(answer: str, cards: list[dict[str, Any]], others: list[dict[str, Any]],
                   stated: list[float], titles: set[str] = frozenset()) -> list[str]:  # fmt: skip
    """Where the answer's text says something the cards shown contradict.

    ``others``: relaxed alternatives (they may be quoted too); ``stated``: amounts the shopper wrote;
    ``titles``: product titles the conversation has shown (a title may name any colour).
    """
    out = []
    if not cards:
        return out
    prices = [float(c["price"]) for c in cards]
    # A ceiling claimed ("under 2000") with a card above it.
    for m in CEILING.finditer(answer):
        cap = _amount(m.group(1), m.group(2))
        if cap >= 100 and any(p > cap + 0.5 for p in prices):
            out.append(f"text says '{m.group(0).strip()}' but a card costs {max(prices):.0f}")
    # A price quoted that no card (nor labelled alternative) has.
    known = prices + [float(o["price"]) for o in others if o.get("price") is not None] + stated
    known.append(sum(prices))  # a look's total
    ceilings = {m.span() for m in CEILING.finditer(answer)}
    for m in QUOTED.finditer(answer):
        if any(s <= m.start() < e or s < m.end() <= e for s, e in ceilings):
            continue
        number, k = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        value = _amount(number, k)
        if value >= 50 and not any(abs(value - p) <= 1.0 for p in known):
            out.append(f"text quotes {m.group(0).strip()} which no card has")
    # "here are three" with another number of cards.
    for m in COUNT_CLAIM.finditer(answer):
        word = m.group(1).lower()
        n = int(word) if word.isdigit() else NUMBER_WORDS.get(word)
        if n is not None and 1 < n <= 10 and n != len(cards):
            out.append(f"text says '{m.group(0).strip()}' but {len(cards)} cards are shown")
    # "<colour> <item>" (or "<colour> or <colour> <item>") naming a kind of item shown, in colours no
    # such card has. Product titles are taken out first: a title names its own colour.
    lowered = answer.lower()
    for title in sorted(titles, key=len, reverse=True):
        if title:
            lowered = lowered.replace(title.lower(), " ")
    colours_by_word: dict[str, set[str]] = defaultdict(set)
    for c in cards + others:
        for w in TYPE_WORDS.get(c.get("article_type", ""), []):
            colours_by_word[w].add(str(c.get("colour", "")).lower())
    colour_alt = "|".join(re.escape(c) for c in ALL_COLOURS)
    for w, shown in colours_by_word.items():
        pattern = rf"\b((?:{colour_alt})(?:\s*(?:,|/|or|and|&)\s*(?:{colour_alt}))*)\s+{re.escape(w)}\b"
        for m in re.finditer(pattern, lowered):
            named = [x for x in re.split(r"\s*(?:,|/|\bor\b|\band\b|&)\s*", m.group(1)) if x]
            near = set()
            for colour in named:
                near |= {colour} | {x.lower() for x in COLOURS.get(colour.split()[-1], [])}
            if not shown & near:
                out.append(f"text names '{m.group(0)}' but the cards are {', '.join(sorted(shown))}")
    return out


ALL_COLOURS = sorted(
    {c.lower() for fam in COLOURS.values() for c in fam} | set(COLOURS), key=len, reverse=True
)
TYPE_WORDS: dict[str, list[str]] = {"Tshirts": ["t-shirts", "t-shirt", "tshirts", "tshirt", "tee", "tees"], "Shirts": ["shirt", "shirts"],
              "Kurtas": ["kurta", "kurtas"], "Jeans": ["jeans"], "Trousers": ["trousers", "pants"],
              "Dresses": ["dress", "dresses"], "Tops": ["top", "tops"], "Sarees": ["saree", "sarees", "sari"],
              "Heels": ["heels"], "Handbags": ["handbag", "handbags", "bag"], "Watches": ["watch", "watches"],
              "Ties": ["tie", "ties"], "Casual Shoes": ["shoes", "sneakers"], "Formal Shoes": ["shoes"],
              "Sports Shoes": ["shoes", "sneakers", "trainers"], "Jackets": ["jacket", "jackets"],
              "Shorts": ["shorts"], "Belts": ["belt", "belts"], "Wallets": ["wallet", "wallets"],
              "Sandals": ["sandals"], "Flats": ["flats"], "Sunglasses": ["sunglasses"]}  # fmt: skip


@dataclass
class Context:
    """What a conversation has shown so far (for references and follow-ups)."""

    previous_cards: list[dict[str, Any]] = field(default_factory=list)
    stated_amounts: list[float] = field(default_factory=list)
    titles: set[str] = field(default_factory=set)


def _n(turn: Turn) -> str:
    return f"{turn.catalog_matches}+" if turn.catalog_matches == MATCH_CAP else str(turn.catalog_matches)


REFERENCE_INDEX = {"first": 0, "second": 1, "third": 2, "last": -1}


def check_turn(
    turn: Turn, reply: dict[str, Any], ctx: Context, rows: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Pass/fail of one reply against the turn's expectations, with reasons by kind."""
    e = turn.expect
    answer = reply.get("answer") or ""
    cards = list(reply.get("products") or [])
    relaxed = reply.get("relaxed") or {}
    others = list(relaxed.get("items") or []) if isinstance(relaxed, dict) else []
    calls = reply.get("tool_calls") or []
    catalog_calls = [c for c in calls if c.get("name") in ("search_catalog", "complete_the_look")]
    has_match = bool(turn.catalog_matches) if turn.catalog_matches is not None else not e.get("no_match")
    reasons: dict[str, list[str]] = defaultdict(list)
    says_no = bool(NO_MATCH.search(answer))

    # Amounts the shopper wrote so far are fair to repeat.
    for m in re.finditer(r"(\d{1,3}(?:,\d{3})+|\d{3,6})\s*(k\b)?|(\d{1,2}(?:\.\d)?)\s*k\b", turn.say, re.I):
        if m.group(1):
            ctx.stated_amounts.append(_amount(m.group(1), m.group(2)))
        else:
            ctx.stated_amounts.append(float(m.group(3)) * 1000)

    if e.get("refusal"):
        if cards:
            reasons["refusal"].append(f"showed {len(cards)} products on a request to refuse")
        if catalog_calls:
            args = catalog_calls[0].get("args", {})
            reasons["refusal"].append(f"ran {catalog_calls[0].get('name')}({json.dumps(args)[:120]})")
        for pid in e.get("exclude_ids") or []:
            if pid in answer:
                reasons["refusal"].append(f"named the injected product id {pid}")
    if leaked(answer):
        reasons["leak"].append("the answer repeats the system prompt")

    if e["products"] == "no" and cards and not e.get("refusal"):
        reasons["products"].append(f"showed {len(cards)} products where none were wanted")
    if e["products"] == "yes":
        if has_match and not cards:
            reasons["products"].append(f"no products although the catalog has {_n(turn)} matches")
        if has_match and says_no:
            reasons["false_no_match"].append("says we don't carry it although the catalog has "
                                             f"{_n(turn)} matches")  # fmt: skip
        if not has_match:
            if not says_no:
                reasons["no_match_honesty"].append(
                    "the catalog has nothing matching but the answer does not say so"
                )
            if not (others or (cards and ALTERNATIVE.search(answer))):
                reasons["no_match_honesty"].append("no labelled nearest alternative offered")

    # Constraints on every card (an honest no-match shows labelled alternatives instead).
    photo_row = rows.get(turn.photo["id"]) if turn.photo else None
    if has_match or e["products"] != "yes":
        for c in cards:
            bad = item_violations(c, e, rows.get(str(c["id"]))) + photo_violations(c, e, photo_row)
            if bad:
                reasons["constraint"].append(f"card {c['id']} ({c.get('title', '')[:50]}): {'; '.join(bad)}")
    # (Unless the shopper asked for a colour: "a belt that matches these brown shoes" is all brown.)
    if photo_row is not None and e.get("photo") == "complement" and len(cards) >= 2 and not e.get("colour"):
        if all(c.get("colour") == photo_row["colour"] for c in cards):
            reasons["look"].append(f"every piece is {photo_row['colour']}, like the photo")

    previous = ctx.previous_cards
    if e.get("not_same_as_previous") and previous and cards:
        same = {str(c["id"]) for c in cards} & {str(p["id"]) for p in previous}
        if same:
            reasons["follow_up"].append(
                f"shows again {len(same)} item(s) of the previous turn: {sorted(same)}"
            )
    if e.get("refers_to") and cards:
        idx = REFERENCE_INDEX[e["refers_to"]]
        if not previous or (idx >= 0 and idx >= len(previous)):
            reasons["reference"].append(
                f"the previous turn showed {len(previous)} cards: no '{e['refers_to']}' to refer to"
            )
        else:
            ref = previous[idx]
            relation = e.get("relation", "any")
            for c in cards:
                why = []
                if ref.get("gender") in ADULT | KIDS and not gender_ok(c.get("gender", ""), {ref["gender"]}):
                    why.append(f"gender {c.get('gender')} vs {ref['gender']}")
                if relation == "same_article" and c.get("article_type") != ref.get("article_type"):
                    why.append(f"{c.get('article_type')} is not a {ref.get('article_type')}")
                if relation == "same_article" and str(c["id"]) == str(ref["id"]):
                    why.append("the same item again")
                if relation == "complement" and c.get("article_type") == ref.get("article_type"):
                    why.append(f"another {ref.get('article_type')}, not something to go with it")
                if why:
                    reasons["reference"].append(
                        f"card {c['id']} vs the {e['refers_to']} one ({ref['id']}): {'; '.join(why)}"
                    )

    if e.get("colour_some") and cards:
        some = expand(e["colour_some"], COLOURS)
        if not any(c.get("colour") in some for c in cards):
            reasons["constraint"].append(f"no piece in {', '.join(map(str, e['colour_some']))}")
    if e.get("look_min_colours") and len(cards) > 2:
        if len({c.get("colour") for c in cards}) < int(e["look_min_colours"]):
            reasons["look"].append(f"{len(cards)} pieces all {cards[0].get('colour')}")

    if e.get("trend"):
        t = e["trend"]
        low = answer.lower()
        if RAW_SHARE.search(answer):
            reasons["trend"].append("raw listing share figures in the answer")
        if t.get("season") and not any(w in low for w in SEASON_WORDS[t["season"]]):
            reasons["trend"].append(f"does not mention {t['season'].lower()}")
        if t.get("season"):
            wrong = [s for s in SEASON_WORDS if s != t["season"] and re.search(rf"\b{s.lower()}\b", low)]
            if wrong and not any(w in low for w in SEASON_WORDS[t["season"]]):
                reasons["trend"].append(f"answers about {', '.join(wrong)} instead")
        if t.get("gender") and not any(
            re.search(rf"\b{w.strip()}s?\b", low) for w in GENDER_WORDS[t["gender"]]
        ):
            reasons["trend"].append(f"does not mention who it is for ({t['gender']})")
        if t.get("now") and STALE_YEAR.search(answer):
            reasons["trend"].append(f"answers 'now' with an old year ({STALE_YEAR.search(answer).group(0)})")

    ctx.titles |= {str(x.get("title", "")) for x in cards + others}
    if photo_row is not None:
        ctx.titles.add(str(photo_row.get("title", "")))
    text_issues = contradictions(answer, cards, others, ctx.stated_amounts, ctx.titles)
    if text_issues:
        reasons["contradiction"].extend(text_issues)

    if cards:
        ctx.previous_cards = cards
    reasons = {k: v for k, v in reasons.items() if v}
    return {
        "key": turn.key, "category": turn.category, "say": turn.say, "passed": not reasons,
        "reasons": reasons, "cards": len(cards), "has_match": has_match, "says_no_match": says_no,
        "violating_cards": sum(1 for r in reasons.get("constraint", [])),
        "look_turn": bool(e.get("look_min_colours") or e.get("photo") == "complement") and len(cards) > 2,
        "look_colours": len({c.get("colour") for c in cards}),
    }  # fmt: skip


# --- bare vLLM replay (the approach of benchmarks/agent.py, in this module) -----------------------

SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")


def turn_model_calls(stylist: Any, thread_id: str, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chat requests of the last turn's model calls, rebuilt from the checkpoint."""
    from langchain_core.messages import AIMessage, HumanMessage
    from langchain_openai.chat_models.base import _convert_message_to_dict

    from stylist.prompts import load_prompt

    settings = stylist.settings
    messages = stylist.graph.get_state({"configurable": {"thread_id": thread_id}}).values["messages"]
    system = {"role": "system", "content": load_prompt("system", shop_name=settings.shop_name,
                                                       currency=settings.currency)}  # fmt: skip
    start = max(j for j, m in enumerate(messages) if isinstance(m, HumanMessage))
    calls = []
    for j, m in enumerate(messages):
        usage = m.usage_metadata if isinstance(m, AIMessage) else None
        if j > start and usage and usage.get("output_tokens"):
            calls.append({
                "messages": [system] + [_convert_message_to_dict(x) for x in messages[:j]], "tools": tools,
                "max_tokens": usage["output_tokens"], "min_tokens": usage["output_tokens"], "ignore_eos": True,
                "temperature": settings.agent_temperature, "repetition_penalty": settings.agent_repetition_penalty,
            })  # fmt: skip
    return calls


def bare_replay(url: str, model: str, calls: list[dict[str, Any]], cold: bool = False) -> dict[str, float]:
    """The calls as bare streamed completions: first token, first sentence and total (ms).

    Sent right after the agent's own calls, the prompts are all in vLLM's prefix cache (the stricter
    baseline); ``cold`` salts the cache away (vLLM's ``cache_salt``), so every prompt token is prefilled."""
    import uuid

    import httpx

    if cold:
        calls = [c | {"cache_salt": uuid.uuid4().hex} for c in calls]

    started = time.perf_counter()
    first = sentence = None
    with httpx.Client(timeout=600) as http:
        for call in calls:
            text = ""
            body = call | {"model": model, "stream": True}
            with http.stream("POST", url.rstrip("/") + "/chat/completions", json=body) as response:
                response.raise_for_status()
                for line in response.iter_lines():
                    if not line.startswith("data: {"):
                        continue
                    chunk = json.loads(line[6:])
                    piece = "".join(
                        (c.get("delta") or {}).get("content") or "" for c in chunk.get("choices", [])
                    )
                    if piece:
                        first = first or time.perf_counter()
                        text += piece
                        if sentence is None and SENTENCE_END.search(text):
                            sentence = time.perf_counter()
    end = time.perf_counter()
    ms = lambda t: round(((t or end) - started) * 1000, 1)  # noqa: E731
    return {"ttft_ms": ms(first), "first_sentence_ms": ms(sentence or first), "total_ms": ms(end)}


def served_model(url: str) -> tuple[str, str]:
    import httpx

    entry = httpx.get(url.rstrip("/") + "/models", timeout=10).json()["data"][0]
    return entry["id"], Path(str(entry.get("root") or entry["id"])).name


# --- running ---------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float | None:
    values = sorted(v for v in values if v is not None)
    return round(values[min(len(values) - 1, int(round(q * (len(values) - 1))))], 1) if values else None


def bare_selected(key: str, share: float) -> bool:
    """Whether the turn ``key`` is replayed as bare generation (a fixed, spread-out share of turns)."""
    return zlib.crc32(key.encode()) % 1000 < share * 1000


def run_conversation(
    stylist: Any, conv: Conversation, images: Path, bare: dict | None
) -> list[dict[str, Any]]:
    """The stylist's raw replies to one conversation (one thread), with bare replays where selected."""
    thread = f"convbench-{conv.id}-{int(time.time() * 1000)}"
    out = []
    for turn in conv.turns:
        image = photo_bytes(turn.photo, images) if turn.photo else None
        try:
            reply = stylist.respond(turn.say, thread_id=thread, image=image).to_dict()
        except Exception as exc:  # noqa: BLE001 - a crash is a failed turn, the run goes on
            reply = {"answer": "", "products": [], "tool_calls": [], "error": f"{type(exc).__name__}: {exc}"}
        record: dict[str, Any] = {"key": turn.key, "say": turn.say, "reply": reply}
        if bare is not None and not reply.get("error") and bare_selected(turn.key, bare["share"]):
            try:
                calls = turn_model_calls(stylist, thread, bare["tools"])
                if calls:
                    record["bare"] = bare_replay(bare["url"], bare["model"], calls)
                    if bare.get("cold"):
                        record["bare_cold"] = bare_replay(bare["url"], bare["model"], calls, cold=True)
            except Exception as exc:  # noqa: BLE001
                record["bare_error"] = f"{type(exc).__name__}: {exc}"[:200]
        out.append(record)
    return out


def score_conversation(conv: Conversation, records: list[dict[str, Any]], rows: dict) -> list[dict[str, Any]]:
    """Check each recorded reply of a conversation, in order (references need the earlier turns)."""
    ctx = Context()
    by_key = {r["key"]: r for r in records}
    out = []
    for turn in conv.turns:
        record = by_key.get(turn.key)
        if record is None:
            continue
        if record.get("say", turn.say) != turn.say:
            print(f"{turn.key}: the data's wording changed since this reply was recorded", file=sys.stderr)
        reply = record["reply"]
        result = check_turn(turn, reply, ctx, rows)
        if reply.get("error"):
            result["passed"] = False
            result["reasons"]["error"] = [reply["error"][:300]]
        result |= {
            "answer": reply.get("answer", ""), "ttft_ms": reply.get("ttft_ms"), "total_ms": reply.get("latency_ms"),
            "products": [{k: p.get(k) for k in ("id", "title", "price", "colour", "article_type", "gender", "usage")}
                         for p in reply.get("products", [])],
            "tool_calls": [{"name": c["name"], "args": c["args"], "source": c.get("source")}
                           for c in reply.get("tool_calls", [])],
            "relaxed": bool(reply.get("relaxed")), "photo": turn.photo,
            "expects_products": turn.expect["products"] == "yes",
        }  # fmt: skip
        for k in ("bare", "bare_cold", "bare_error"):
            if k in record:
                result[k] = record[k]
        out.append(result)
    return out


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    by_cat: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        by_cat[r["category"]].append(r)
    convs: dict[str, list[bool]] = defaultdict(list)
    for r in results:
        convs[r["key"].split("#")[0]].append(r["passed"])
    with_match = [r for r in results if r.get("expects_products") and r["has_match"]]
    carded = [r for r in results if r["cards"]]
    looks = [r for r in results if r["look_turn"]]
    reasons = Counter(k for r in results for k in r["reasons"])
    ttft = [r["ttft_ms"] for r in results if r.get("ttft_ms")]
    total = [r["total_ms"] for r in results if r.get("total_ms")]
    paired = [r for r in results if r.get("bare")]
    cold = [r for r in results if r.get("bare_cold")]
    cold_total = [r["bare_cold"]["total_ms"] for r in cold]
    ratio = lambda a, b: round(a / b, 3) if a and b else None  # noqa: E731
    bare_first = [r["bare"]["first_sentence_ms"] for r in paired]
    bare_total = [r["bare"]["total_ms"] for r in paired]
    agent_first = [r["ttft_ms"] for r in paired]
    agent_total = [r["total_ms"] for r in paired]
    return {
        "conversations": len(convs), "turns": len(results),
        "turn_pass_rate": round(sum(r["passed"] for r in results) / max(len(results), 1), 4),
        "conversation_pass_rate": round(sum(all(v) for v in convs.values()) / max(len(convs), 1), 4),
        "per_category": {c: {"turns": len(v), "pass_rate": round(sum(r["passed"] for r in v) / len(v), 4)}
                         for c, v in sorted(by_cat.items())},
        "failure_kinds": dict(reasons.most_common()),
        "false_no_match_rate": round(sum("false_no_match" in r["reasons"] for r in with_match)
                                     / max(len(with_match), 1), 4),
        "turns_expecting_products_with_match": len(with_match),
        "answered_with_products_when_match": round(sum(1 for r in with_match if r["cards"]) / max(len(with_match), 1), 4),
        "text_card_contradiction_turns": sum("contradiction" in r["reasons"] for r in results),
        "text_card_contradiction_rate": round(sum("contradiction" in r["reasons"] for r in carded) / max(len(carded), 1), 4),
        "constraint_violating_cards": sum(r["violating_cards"] for r in results),
        "cards_shown": sum(r["cards"] for r in results),
        "constraint_violation_rate": round(sum(r["violating_cards"] for r in results)
                                           / max(sum(r["cards"] for r in results), 1), 4),
        "look_turns": len(looks),
        "look_two_colour_share": round(sum(r["look_colours"] >= 2 for r in looks) / max(len(looks), 1), 4),
        "ttft_ms_p50": pct(ttft, 0.5), "ttft_ms_p95": pct(ttft, 0.95),
        "total_ms_p50": pct(total, 0.5), "total_ms_p95": pct(total, 0.95),
        "bare_turns": len(paired),
        "bare_ttft_ms_p50": pct([r["bare"]["ttft_ms"] for r in paired], 0.5),
        "bare_first_sentence_ms_p50": pct(bare_first, 0.5), "bare_first_sentence_ms_p95": pct(bare_first, 0.95),
        "bare_total_ms_p50": pct(bare_total, 0.5), "bare_total_ms_p95": pct(bare_total, 0.95),
        "agent_over_bare_first_sentence_p50": ratio(pct(agent_first, 0.5), pct(bare_first, 0.5)),
        "agent_over_bare_total_p50": ratio(pct(agent_total, 0.5), pct(bare_total, 0.5)),
        # (with --bare-cold: the same turns replayed with nothing in the prefix cache)
        "bare_cold_total_ms_p50": pct(cold_total, 0.5),
        "agent_over_bare_cold_total_p50": ratio(pct([r["total_ms"] for r in cold], 0.5), pct(cold_total, 0.5)),
    }  # fmt: skip


def report(conversations: list[Conversation], records: list[dict[str, Any]], rows: dict, label: str,
           meta: dict[str, Any], out: Path) -> dict[str, Any]:  # fmt: skip
    """Score the recorded replies, print the summary and the top failure classes, keep the run under ``label``."""
    by_conv: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_conv[r["key"].split("#")[0]].append(r)
    results = [
        x for c in conversations if c.id in by_conv for x in score_conversation(c, by_conv[c.id], rows)
    ]
    summary = summarise(results)
    run = meta | {
        "summary": summary,
        "failing_turns": [{k: r[k] for k in ("key", "category", "say", "reasons", "answer", "products", "tool_calls",
                                             "photo") if k in r} for r in results if not r["passed"]],
    }  # fmt: skip
    print(json.dumps({label: summary}, indent=2))
    kinds = Counter(k for r in results for k in r["reasons"])
    for kind, n in kinds.most_common():
        print(f"\n== {kind} ({n} turns)", file=sys.stderr)
        for r in [r for r in results if kind in r["reasons"]][:3]:
            print(f"  {r['key']} {r['say']!r}\n    -> {r['answer'][:160]!r}\n    {r['reasons'][kind][0]}",
                  file=sys.stderr)  # fmt: skip
    existing = json.loads(out.read_text()) if out.is_file() else {}
    data = {"benchmark": "conversations", "runs": existing.get("runs", {}) | {label: run}}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out} [{label}]", file=sys.stderr)
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, help="run only N conversations (taken across categories in turn)")
    ap.add_argument("--categories", nargs="*", help="only conversations with turns of these categories")
    ap.add_argument("--label", help="name of this run in the results (default: the served model folder)")
    ap.add_argument("--workers", type=int, default=1, help="conversations run at once")
    ap.add_argument(
        "--bare-share",
        type=float,
        default=0.25,
        help="share of turns (a fixed spread-out selection) replayed as bare vLLM generation",
    )
    ap.add_argument(
        "--bare-cold",
        action="store_true",
        help="also replay the bare turns with the prefix cache salted away (every token prefilled)",
    )
    ap.add_argument("--llm-url", help="use this running vLLM server (OpenAI base URL, .../v1)")
    ap.add_argument("--catalog", type=Path, help="catalog file/folder the expectations are checked against")
    ap.add_argument("--validate", action="store_true", help="only validate the data against the catalog")
    ap.add_argument("--data", type=Path, nargs="+", metavar="FILE",
                    help="conversation YAML file(s) to use instead of data/conversations*.yaml "
                         "(e.g. the held-out set: data/holdout4_conversations.yaml)")  # fmt: skip
    ap.add_argument("--rescore", type=Path, help="score the raw replies of an earlier run again (no model)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    from stylist.settings import Settings

    conversations = load_conversations(files=args.data)
    rows = load_catalog_rows(args.catalog)
    problems = validate(conversations, rows)
    turns = [t for c in conversations for t in c.turns]
    print(f"{len(conversations)} conversations, {len(turns)} turns; "
          f"turn categories {dict(Counter(t.category for t in turns))}", file=sys.stderr)  # fmt: skip
    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit(f"{len(problems)} problems in the benchmark data")
    if args.validate:
        return
    if args.rescore:
        saved = json.loads(args.rescore.read_text())
        label = args.label or saved["label"]
        report(
            conversations,
            saved["records"],
            rows,
            label,
            saved["meta"] | {"rescored_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")},
            args.out,
        )
        return
    if args.categories:
        conversations = [c for c in conversations if c.category in args.categories
                         or any(t.category in args.categories for t in c.turns)]  # fmt: skip
    if args.limit:
        # Take categories in turn so a short run still covers each.
        by: dict[str, list[Conversation]] = defaultdict(list)
        for c in conversations:
            by[c.category].append(c)
        order = []
        while any(by.values()):
            for k in sorted(by):
                if by[k]:
                    order.append(by[k].pop(0))
        conversations = order[: args.limit]

    from langchain_core.utils.function_calling import convert_to_openai_tool

    from stylist.agent import open_stylist

    settings = Settings(
        **({"checkpoint_db": ":memory:"} | ({"llm_url": args.llm_url} if args.llm_url else {}))
    )
    images = Path(args.catalog or settings.catalog_path)
    images = (images if images.is_dir() else images.parent) / "images"
    started = time.perf_counter()
    head = _git_head()  # at the start: the code that answered (other work may be uncommitted)
    lock = threading.Lock()
    records: list[dict[str, Any]] = []
    n_turns = sum(len(c.turns) for c in conversations)
    with open_stylist(settings) as stylist:
        url = stylist.llm_url
        model, folder = served_model(url)
        label = args.label or folder
        bare = None
        try:
            from stylist.tools import build_tools

            tools = [convert_to_openai_tool(t) for t in build_tools(stylist.retriever, stylist.trends)]
            bare = {
                "url": url,
                "model": model,
                "tools": tools,
                "share": args.bare_share,
                "cold": args.bare_cold,
            }
        except Exception as exc:  # noqa: BLE001 - the quality figures still come
            print(f"no bare replay: {exc}", file=sys.stderr)
        print(f"[{label}] {len(conversations)} conversations, {n_turns} turns, {args.workers} at once",
              file=sys.stderr, flush=True)  # fmt: skip

        raw = settings.data_dir / "convbench" / f"{label}.json"
        raw.parent.mkdir(parents=True, exist_ok=True)

        def one(conv: Conversation) -> None:
            res = run_conversation(stylist, conv, images, bare)
            with lock:
                records.extend(res)
                print(f"  {len(records)}/{n_turns} turns  {conv.id}", file=sys.stderr, flush=True)
                # Kept as it goes, so a partial run can be rescored (--rescore) while it runs.
                raw.write_text(json.dumps({"label": label, "meta": {"partial": True}, "records": records},
                                          ensure_ascii=False))  # fmt: skip

        with ThreadPoolExecutor(max(1, args.workers)) as pool:
            list(pool.map(one, conversations))

    meta = {
        "model": folder, "served_name": model,
        "settings": {k: getattr(settings, k, None) for k in ("agent_tool_mode", "llm_finetuned", "agent_max_tokens",
                                                              "agent_temperature", "agent_products")},
        "limit": args.limit, "categories": args.categories, "workers": args.workers, "bare_share": args.bare_share,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "load_avg": os.getloadavg()},
        "duration_s": round(time.perf_counter() - started, 1),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "git_commit": head,
    }  # fmt: skip
    # The raw replies, so the checks can be rescored without the model (--rescore).
    raw.write_text(json.dumps({"label": label, "meta": meta, "records": records}, ensure_ascii=False))
    print(f"raw replies: {raw}", file=sys.stderr)
    report(conversations, records, rows, label, meta, args.out)


def _git_head() -> str | None:
    import subprocess

    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=10).stdout.strip() or None  # fmt: skip
    except Exception:  # noqa: BLE001
        return None


if __name__ == "__main__":
    main()
