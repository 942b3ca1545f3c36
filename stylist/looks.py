"""Looks: colour harmony, outfit plans for occasions, and what goes with an item.

Every look is searched piece by piece in the catalog, so each piece is a real product
that meets the shopper's hard constraints (gender, budget, size, excluded colours).
Occasions and seasons are soft: a piece is searched with them first and without them
when the catalog has nothing so tagged, and the piece says so.

Colours follow one rule for every look: neutrals plus at most one accent (and colours
that sit well with that accent), never the same colour on every piece.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stylist.query import Filters

if TYPE_CHECKING:
    from stylist.retrieval import Item, Retriever

# --- colour harmony -------------------------------------------------------------------

NEUTRALS = frozenset({"Black", "White", "Grey", "Navy Blue", "Beige", "Cream", "Off White", "Brown", "Tan",
                      "Khaki", "Charcoal", "Grey Melange", "Silver", "Steel", "Gold", "Nude", "Skin",
                      "Coffee Brown", "Taupe", "Mushroom Brown", "Bronze", "Copper", "Metallic"})  # fmt: skip
# Accents that sit well with an accent (complementary or analogous pairings).
HARMONY = {
    "Blue": {"Pink", "Yellow", "Orange", "Peach"},
    "Red": {"Pink"},
    "Green": {"Peach", "Pink", "Olive", "Mustard"},
    "Olive": {"Mustard", "Rust", "Maroon", "Green"},
    "Pink": {"Blue", "Purple", "Red", "Lavender"},
    "Yellow": {"Blue", "Teal"},
    "Purple": {"Pink", "Lavender", "Magenta"},
    "Maroon": {"Olive", "Mustard", "Peach", "Pink"},
    "Orange": {"Blue", "Teal", "Turquoise Blue"},
    "Teal": {"Orange", "Peach", "Mustard", "Rust"},
    "Mustard": {"Teal", "Maroon", "Olive", "Blue"},
    "Peach": {"Teal", "Green", "Maroon"},
    "Rust": {"Teal", "Olive", "Mustard"},
    "Magenta": {"Purple", "Teal"},
    "Lavender": {"Purple", "Pink"},
    "Turquoise Blue": {"Orange", "Peach"},
    "Burgundy": {"Pink", "Mustard"},
}  # fmt: skip


def is_neutral(colour: str) -> bool:
    return colour in NEUTRALS or not colour


def harmonious(colour: str) -> list[str]:
    """Colours that go with ``colour``: the neutrals, its classic pairings and the colour itself."""
    return sorted(NEUTRALS | HARMONY.get(colour, set()) | {colour})


def next_colours(chosen: Sequence[str]) -> tuple[list[str] | None, list[str]]:
    """The colours the next piece of a look may have (None: any), and those it must avoid.

    Neutrals always fit. Without an accent yet, any colour may be the one accent; with one,
    only the neutrals and the colours that sit well with it. When every piece so far has one
    colour, the next must differ, so no look is a single colour.
    """
    accents = [c for c in chosen if not is_neutral(c)]
    allowed = sorted(NEUTRALS | HARMONY.get(accents[0], set())) if accents else None
    # The first piece's colour is not repeated, so no look is a single colour.
    avoid = [chosen[0]] if chosen and chosen[0] else []
    if allowed is not None:
        allowed = [c for c in allowed if c not in avoid]
    return allowed, avoid


def pairing_reason(colour: str, anchor_colour: str) -> str:
    """Why a colour goes with the anchor's, in plain words."""
    colour_l, anchor_l = colour.lower(), anchor_colour.lower()
    if colour_l == anchor_l:
        return f"it repeats the {anchor_l} for a matched look"
    if is_neutral(colour) and not is_neutral(anchor_colour):
        return f"{colour_l} is a neutral that lets the {anchor_l} stand out"
    if is_neutral(colour):
        return f"{colour_l} and {anchor_l} are easy neutrals together"
    if is_neutral(anchor_colour):
        return f"{_a(colour_l)} accent lifts the {anchor_l}"
    return f"{colour_l} sets off the {anchor_l} well"


# --- occasions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """One part of an outfit: what it may be and the occasions it should be tagged for (soft)."""

    role: str  # "outfit" (a complete garment or the top), "bottom", "footwear", "accessory"
    articles: tuple[str, ...]
    usage: tuple[str, ...] = ()
    share: float = 0.25  # of a total budget


#: Garments that need no separate bottom.
COMPLETE = {"Sarees", "Kurta Sets", "Lehenga Choli", "Dresses", "Jumpsuit", "Tracksuits",
            "Salwar and Dupatta", "Night suits", "Nightdress"}  # fmt: skip


@dataclass(frozen=True)
class Occasion:
    name: str  # how the answer names it: "a wedding"
    words: tuple[str, ...]
    pieces: dict[str, tuple[Piece, ...]]  # by gender; "*" for anyone else
    season: str | None = None  # the season it implies, if any (soft)


def _p(role: str, articles: str, usage: str = "", share: float = 0.25) -> Piece:
    return Piece(role, tuple(a.strip() for a in articles.split(",")),
                 tuple(u.strip() for u in usage.split(",") if u.strip()), share)  # fmt: skip


_KIDS = (_p("outfit", "Tshirts, Shirts, Tops, Dresses, Kurta Sets", share=0.45),
         _p("bottom", "Shorts, Jeans, Trousers, Skirts, Capris, Leggings", share=0.3),
         _p("footwear", "Casual Shoes, Sandals, Flip Flops, Flats, Sports Shoes", share=0.25))  # fmt: skip

OCCASIONS: tuple[Occasion, ...] = (
    Occasion("a wedding", ("wedding", "weddings", "sangeet", "mehendi", "mehndi", "reception", "shaadi",
                           "engagement", "haldi", "shadi", "getting married", "gets married", "anand karaj",
                           "nikah", "nikaah", "pheras"), {
        "Women": (_p("outfit", "Sarees, Kurta Sets, Lehenga Choli, Kurtas", "Ethnic, Party", 0.5),
                  _p("bottom", "Churidar, Salwar, Patiala, Leggings", "Ethnic", 0.15),
                  _p("footwear", "Heels, Flats, Sandals", share=0.2),
                  _p("accessory", "Earrings, Clutches, Necklace and Chains, Jewellery Set, Bangle", "Ethnic, Party", 0.15)),
        "Men": (_p("outfit", "Kurtas, Blazers, Nehru Jackets, Sherwani, Shirts", "Ethnic, Formal, Party", 0.4),
                _p("bottom", "Trousers, Churidar, Pyjamas", "Formal, Ethnic", 0.25),
                _p("footwear", "Formal Shoes, Sandals", "Formal, Ethnic", 0.25),
                _p("accessory", "Watches, Cufflinks, Ties", "Formal", 0.1)),
    }),
    Occasion("the festivities", ("diwali", "festival", "festive", "eid", "puja", "pooja", "navratri", "holi",
                                 "onam", "pongal", "durga", "rakhi", "garba", "karva", "karwa", "karwachauth", "teej",
                                 "dandiya", "pujo", "lohri", "bihu", "ganpati", "ganesh", "dussehra", "janmashtami",
                                 "baisakhi", "vishu", "ugadi", "sankranti", "chhath", "ethnic", "traditional"), {
        "Women": (_p("outfit", "Kurtas, Kurta Sets, Sarees, Kurtis", "Ethnic", 0.5),
                  _p("bottom", "Churidar, Salwar, Patiala, Leggings", "Ethnic", 0.15),
                  _p("footwear", "Flats, Heels, Sandals", share=0.2),
                  _p("accessory", "Earrings, Bangle, Necklace and Chains, Clutches", "Ethnic", 0.15)),
        "Men": (_p("outfit", "Kurtas, Nehru Jackets, Shirts", "Ethnic", 0.45),
                _p("bottom", "Pyjamas, Churidar, Trousers", "Ethnic", 0.2),
                _p("footwear", "Sandals, Casual Shoes, Formal Shoes", share=0.25),
                _p("accessory", "Watches", share=0.1)),
    }),
    Occasion("the beach", ("beach", "pool", "poolside", "goa", "resort", "cruise", "seaside", "island",
                           "swim", "swimming"), {
        "Women": (_p("outfit", "Dresses, Tops, Tshirts", "Casual", 0.4),
                  _p("bottom", "Shorts, Skirts, Capris", "Casual", 0.2),
                  _p("footwear", "Flip Flops, Sandals, Flats", share=0.2),
                  _p("accessory", "Sunglasses, Caps, Handbags", share=0.2)),
        "Men": (_p("outfit", "Shirts, Tshirts", "Casual", 0.35),
                _p("bottom", "Shorts", "Casual", 0.25),
                _p("footwear", "Flip Flops, Sandals", share=0.2),
                _p("accessory", "Sunglasses, Caps", share=0.2)),
    }, season="Summer"),
    Occasion("the trek", ("trek", "treks", "trekking", "hike", "hikes", "hiking", "camping", "mountaineering",
                          "trail run", "trail running"), {
        "Women": (_p("outfit", "Tshirts, Tops, Sweatshirts, Jackets", "Sports, Casual", 0.3),
                  _p("bottom", "Track Pants, Capris, Leggings, Shorts", "Sports, Casual", 0.2),
                  _p("footwear", "Sports Shoes", "Sports", 0.35),
                  _p("accessory", "Backpacks, Rucksacks, Caps, Sunglasses", share=0.15)),
        "Men": (_p("outfit", "Tshirts, Sweatshirts, Jackets", "Sports, Casual", 0.3),
                _p("bottom", "Track Pants, Shorts", "Sports, Casual", 0.2),
                _p("footwear", "Sports Shoes", "Sports", 0.35),
                _p("accessory", "Backpacks, Rucksacks, Caps, Sunglasses", share=0.15)),
    }),
    Occasion("your trip", ("holiday", "holidays", "vacation", "trip", "travel", "travelling", "traveling", "flying",
                           "pack", "packing", "getaway", "road trip"), {
        "Women": (_p("outfit", "Tops, Tshirts, Dresses, Shirts", "Casual, Travel", 0.35),
                  _p("bottom", "Jeans, Shorts, Capris, Trousers", "Casual", 0.25),
                  _p("footwear", "Casual Shoes, Sandals, Flats, Sports Shoes", share=0.25),
                  _p("accessory", "Sunglasses, Backpacks, Handbags, Caps", share=0.15)),
        "Men": (_p("outfit", "Tshirts, Shirts", "Casual, Travel", 0.3),
                _p("bottom", "Shorts, Jeans, Trousers", "Casual", 0.25),
                _p("footwear", "Casual Shoes, Sandals, Sports Shoes", share=0.3),
                _p("accessory", "Sunglasses, Backpacks, Caps", share=0.15)),
    }),
    Occasion("work", ("interview", "interviews", "office", "work", "meeting", "meetings", "presentation",
                      "corporate", "business", "workplace", "internship", "job"), {
        "Women": (_p("outfit", "Shirts, Tops, Kurtas, Dresses", "Formal", 0.4),
                  _p("bottom", "Trousers, Skirts", "Formal", 0.25),
                  _p("footwear", "Heels, Flats, Formal Shoes", share=0.2),
                  _p("accessory", "Handbags, Watches", share=0.15)),
        "Men": (_p("outfit", "Shirts, Blazers", "Formal", 0.35),
                _p("bottom", "Trousers", "Formal", 0.25),
                _p("footwear", "Formal Shoes", "Formal", 0.3),
                _p("accessory", "Ties, Belts, Watches", "Formal", 0.1)),
    }),
    Occasion("a night out", ("party", "parties", "date", "dinner", "club", "clubbing", "cocktail",
                             "night out", "birthday", "anniversary", "prom", "concert", "brunch", "farewell",
                             "graduation", "convocation"), {
        "Women": (_p("outfit", "Dresses, Tops", "Party, Casual", 0.45),
                  _p("bottom", "Jeans, Skirts, Trousers", "Casual", 0.2),
                  _p("footwear", "Heels, Flats", share=0.2),
                  _p("accessory", "Clutches, Earrings, Handbags", share=0.15)),
        "Men": (_p("outfit", "Shirts, Tshirts, Blazers", "Party, Casual, Smart Casual", 0.35),
                _p("bottom", "Jeans, Trousers", "Casual", 0.25),
                _p("footwear", "Casual Shoes, Formal Shoes", share=0.3),
                _p("accessory", "Watches, Belts", share=0.1)),
    }),
    Occasion("the gym", ("gym", "workout", "work out", "running", "run", "yoga", "training", "jogging",
                         "sports", "sport", "marathon", "fitness", "exercise", "football", "cricket",
                         "tennis", "badminton", "cycling"), {
        "Women": (_p("outfit", "Tshirts, Tops", "Sports", 0.3),
                  _p("bottom", "Track Pants, Capris, Leggings, Shorts", "Sports", 0.25),
                  _p("footwear", "Sports Shoes", "Sports", 0.35),
                  _p("accessory", "Caps, Backpacks, Socks, Watches", "Sports", 0.1)),
        "Men": (_p("outfit", "Tshirts", "Sports", 0.3),
                _p("bottom", "Track Pants, Shorts", "Sports", 0.25),
                _p("footwear", "Sports Shoes", "Sports", 0.35),
                _p("accessory", "Caps, Backpacks, Socks, Watches", "Sports", 0.1)),
    }),
    Occasion("a prayer meet", ("prayer meet", "prayer meeting", "memorial", "funeral", "condolence", "chautha",
                               "shraddh", "uthala", "besna", "last rites"), {
        "Women": (_p("outfit", "Kurtas, Kurta Sets, Sarees, Salwar and Dupatta", "Ethnic, Casual", 0.55),
                  _p("bottom", "Churidar, Salwar, Leggings, Patiala", "Ethnic", 0.2),
                  _p("footwear", "Flats, Sandals", share=0.25)),
        "Men": (_p("outfit", "Kurtas, Shirts", "Ethnic, Formal, Casual", 0.5),
                _p("bottom", "Trousers, Churidar", "Formal, Ethnic", 0.25),
                _p("footwear", "Formal Shoes, Sandals", share=0.25)),
    }),
    Occasion("everyday wear", ("college", "weekend", "everyday", "casual", "hangout", "hanging out", "school",
                               "mall", "movie", "movies", "daily"), {
        "Women": (_p("outfit", "Tops, Tshirts, Kurtis, Dresses", "Casual", 0.4),
                  _p("bottom", "Jeans, Capris, Skirts, Leggings", "Casual", 0.25),
                  _p("footwear", "Flats, Casual Shoes, Sandals", share=0.2),
                  _p("accessory", "Handbags, Sunglasses, Watches", share=0.15)),
        "Men": (_p("outfit", "Tshirts, Shirts", "Casual", 0.35),
                _p("bottom", "Jeans, Shorts, Trousers", "Casual", 0.25),
                _p("footwear", "Casual Shoes, Sandals", share=0.25),
                _p("accessory", "Watches, Sunglasses, Belts", share=0.15)),
    }),
)  # fmt: skip

_OUTFIT_WORDS = re.compile(
    r"\b(outfit|outfits|look|what (?:should|shall|can|do) i (?:wear|pack|take)|what to (?:wear|pack)|"
    r"dress (?:up )?for|wear (?:to|for)|pack|packing|something to wear|get ?up|attire|ensemble)\b"
)
_BEACH_WORDS = ("beach", "goa", "pool", "poolside", "resort", "seaside", "island", "maldives", "tropical")
_GIFT = re.compile(r"\b(gift|gifts|present|presents|secret santa|gifting|return gift)\b")
_USAGE_OCCASION = {"Ethnic": "the festivities", "Formal": "work", "Sports": "the gym", "Party": "a night out",
                   "Casual": "everyday wear", "Smart Casual": "a night out", "Travel": "your trip"}  # fmt: skip


def occasion_in(text: str, usage: Sequence[str] | None = None) -> Occasion | None:
    """The occasion a request is for, read from its words ("a friend's wedding", "packing for Goa")."""
    lowered = " " + re.sub(r"[^a-z ]+", " ", text.lower()).replace("work out", "workout") + " "
    if _GIFT.search(lowered):
        return None  # a gift is one thing for someone else, not an outfit for the shopper
    for occasion in OCCASIONS:
        if any(f" {w} " in lowered for w in occasion.words):
            if usage == ["Formal"] and occasion.name in ("a night out", "everyday wear"):
                # "his school farewell ... something formal": dressed as for work, not for a night out
                return next(o for o in OCCASIONS if o.name == "work")
            return occasion
    if usage and _OUTFIT_WORDS.search(text.lower()):
        name = _USAGE_OCCASION.get(usage[0])
        return next((o for o in OCCASIONS if o.name == name), None)
    if _OUTFIT_WORDS.search(text.lower()) and " outfit" in lowered:
        return next(o for o in OCCASIONS if o.name == "everyday wear")
    return None


# --- planning a look ------------------------------------------------------------------


@dataclass
class LookPiece:
    role: str
    item: Item
    reason: str
    relaxed: list[str] = field(default_factory=list)  # soft constraints left out for this piece


@dataclass
class Look:
    """An outfit: its pieces, in order, and how the request was read."""

    occasion: str
    gender: str | None
    pieces: list[LookPiece]
    budget: float | None = None  # the whole look's budget, when the shopper gave one
    anchor: Item | None = None  # the item the look is built around, when it is not one of the pieces

    @property
    def total(self) -> float:
        return sum(p.item.price for p in self.pieces)

    def items(self) -> list[dict[str, Any]]:
        return [p.item.to_dict() | {"reason": p.reason, "role": p.role} for p in self.pieces]


_CHILDS = re.compile(r"\b(?:kids?|kid's|boys?|boy's|girls?|girl's|infants?|toddlers?|junior)\b", re.I)


def _search_piece(
    retriever: Retriever,
    text: str,
    base: Filters,
    chosen: list[str],
    k: int = 1,
) -> tuple[list[Item], list[str]]:
    """Items for one piece with harmonious colours; soft constraints dropped one by one if needed."""
    allowed, avoid = next_colours(chosen)
    harmony = Filters(colour=None if base.colour else allowed,
                      exclude_colour=sorted(set(base.exclude_colour or []) | set(avoid)) or None)  # fmt: skip
    attempts: list[tuple[Filters, list[str]]] = [(base.merged(harmony), [])]
    for soft in ("season", "usage"):
        if getattr(base, soft):
            previous = attempts[-1]
            attempts.append((previous[0].without(soft), previous[1] + [soft]))
    # Last resort: any colour but the one already on every piece.
    attempts.append((attempts[-1][0].model_copy(update={"colour": base.colour}), attempts[-1][1]))
    grown = set(base.gender or []) & {"Men", "Women"}
    for filters, dropped in attempts:
        result = retriever.search(text, filters, k=k + 4 if grown else k, parse=False, relax=False)
        # A grown-up's look takes no "unisex" kids' clogs ("Crocs Kid's Baya Navy" in a man's wedding look).
        items = [i for i in result.items if not (grown and _CHILDS.search(i.title))][:k]
        if items:
            return items, dropped
    return [], []


def main_piece(occasion: Occasion, gender: str | None) -> tuple[list[str], list[str]]:
    """The kinds of the main piece of ``occasion``'s outfit for ``gender`` (either grown-up's if none)
    and the occasions it is usually tagged for."""
    if gender in ("Boys", "Girls"):
        return list(_KIDS[0].articles), []
    pieces = [occasion.pieces[g][0] for g in ([gender] if gender in occasion.pieces else ["Women", "Men"])]
    # as in plan_outfit, nobody named: the kinds may be anyone's, the tags the women's piece's
    return list(dict.fromkeys(a for p in pieces for a in p.articles)), list(pieces[0].usage)


def plan_outfit(
    retriever: Retriever,
    occasion: Occasion,
    filters: Filters,
    query: str = "",
) -> Look:
    """An outfit for ``occasion``: one searched product per piece, within the whole budget.

    Args:
        retriever: catalog search.
        occasion: what it is for.
        filters: the shopper's constraints. Gender picks the pieces; ``price_max`` is the budget
            for the whole look (split across the pieces by their usual share); a colour applies to
            the main piece; size to clothes; excluded colours to every piece.
        query: the shopper's words, to rank each piece.
    """
    gender = (filters.gender or [None])[0]
    pieces = occasion.pieces.get(gender or "", ()) or (
        _KIDS if gender in ("Boys", "Girls") else occasion.pieces.get("Women", ())
    )
    if gender is None:
        # Nobody named: the main piece may be anyone's; the rest follow whoever it is for.
        pieces = occasion.pieces["Women"][:1]
    season = filters.season or ([occasion.season] if occasion.season else None)
    if (
        season
        and "Winter" in season
        and pieces
        and pieces[0].role == "outfit"
        and occasion.name != "the beach"
        and not set(pieces[0].usage)
        & {"Ethnic", "Formal", "Party"}  # a winter wedding: the kurta, not a sweater
        and not any(
            f" {w} " in f" {query.lower()} " for w in _BEACH_WORDS
        )  # a December wedding in Goa is warm
    ):
        # A winter trip needs something warm first.
        first = pieces[0]
        warm = ("Jackets", "Sweaters", "Sweatshirts")
        pieces = (
            Piece(first.role, warm + tuple(a for a in first.articles if a not in warm), (), first.share),
        ) + tuple(pieces[1:])
        # Nothing for the heat on a cold trip: no shorts, flip-flops or sunglasses.
        summery = {"Shorts", "Capris", "Flip Flops", "Sunglasses", "Sandals", "Lounge Shorts"}
        pieces = tuple(
            Piece(p.role, kept, p.usage, p.share)
            for p in pieces
            if (kept := tuple(a for a in p.articles if a not in summery))
        )
    total_share = sum(p.share for p in pieces) or 1.0
    budget = filters.price_max
    look = Look(occasion=occasion.name, gender=gender, pieces=[], budget=budget)
    spent = 0.0
    chosen: list[str] = []
    main: LookPiece | None = None
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        i += 1
        if piece.role == "bottom" and main is not None and main.item.article_type in COMPLETE:
            continue
        genders = [gender, "Unisex"] if gender in ("Men", "Women") else ([gender] if gender else None)
        if gender is None and main is None:
            genders = None
            articles = sorted(main_piece(occasion, None)[0])
        else:
            articles = list(piece.articles)
        # "something under 2500, not a kurta": the kinds ruled out are left out of every piece.
        articles = [a for a in articles if a not in (filters.exclude_article_type or [])]
        if not articles:
            continue
        ceiling = None
        if budget is not None:
            remaining_share = sum(p.share for p in pieces[i - 1 :]) / total_share
            ceiling = max(0.0, budget - spent) * (piece.share / total_share) / max(remaining_share, 1e-9)
            if i == len(pieces):
                ceiling = budget - spent
        # "something ethnic to wear" to a wedding: of the occasion's usual ones, the one asked.
        asked = (
            [u for u in piece.usage if u in (filters.usage or [])] if len(filters.usage or []) == 1 else []
        )
        base = Filters(
            gender=genders,
            article_type=articles,
            usage=asked or list(piece.usage) or filters.usage or None,  # a child's look: the occasion asked
            season=season,
            # One colour is the main piece's; a palette ("black n gold", muted tones) is the whole look's.
            colour=filters.colour if main is None or len(filters.colour or []) > 1 else None,
            exclude_colour=filters.exclude_colour,
            exclude_gender=filters.exclude_gender if not genders else None,
            price_max=ceiling,
            size=filters.size if piece.role in ("outfit", "bottom") else None,
            exclude_ids=filters.exclude_ids,
        )
        text = f"{query} {' '.join(articles[:2])} {' '.join(piece.usage)}".strip()
        items, dropped = _search_piece(retriever, text, base, chosen)
        if not items and ceiling is not None and budget is not None and budget - spent > ceiling:
            # Nothing at this piece's share: let it use what the rest of the budget leaves.
            items, dropped = _search_piece(
                retriever, text, base.model_copy(update={"price_max": budget - spent}), chosen
            )
        if not items:
            continue
        item = items[0]
        if main is None and gender is None:
            gender = item.gender if item.gender in ("Men", "Women") else "Women"
            look.gender = gender
            pieces = (pieces[0],) + occasion.pieces.get(gender, occasion.pieces["Women"])[1:]
            total_share = sum(p.share for p in pieces) or 1.0
        spent += item.price
        chosen.append(item.colour)
        entry = LookPiece(piece.role, item, "", dropped)
        entry.reason = _piece_reason(entry, main, occasion)
        look.pieces.append(entry)
        main = main or entry
    return look


# Article types that are one thing in the plural ("the heels go").
_PAIRS = {"heels", "flats", "shoes", "sandals", "flip flops", "shorts", "trousers", "jeans", "sunglasses",
          "track pants", "capris", "leggings", "earrings", "socks", "cufflinks", "churidar", "pyjamas",
          "jeggings", "boxers", "briefs", "tracksuits", "lounge pants", "lounge shorts", "night suits"}  # fmt: skip
_SINGULAR = {"tshirts": "T-shirt", "kurta sets": "kurta set", "necklace and chains": "necklace",
             "lehenga choli": "lehenga", "perfume and body mist": "perfume", "dresses": "dress",
             "watches": "watch", "jewellery set": "jewellery set", "kurtis": "kurti"}  # fmt: skip


def noun(item: Item) -> tuple[str, bool]:
    """How an item reads in a sentence ("navy blue shirt", "black heels") and whether it is plural."""
    kind = item.article_type.lower()
    plural = any(kind.endswith(p) for p in _PAIRS)
    if not plural:
        kind = _SINGULAR.get(kind) or (kind[:-1] if kind.endswith("s") and not kind.endswith("ss") else kind)
    return f"{item.colour.lower()} {kind}".strip(), plural


def _a(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _piece_reason(piece: LookPiece, main: LookPiece | None, occasion: Occasion) -> str:
    item = piece.item
    what, plural = noun(item)
    verb = "go" if plural else "goes"
    if main is None:
        tag = f"{item.usage.lower()} wear" if item.usage else "a good base"
        reason = f"The {what} {'are' if plural else 'is'} the centrepiece, {tag} for {occasion.name}"
    else:
        reason = f"The {what} {verb} with it: {pairing_reason(item.colour, main.item.colour)}"
    if piece.relaxed:
        tags = " or ".join("season" if r == "season" else "occasion" for r in piece.relaxed)
        reason += f" (none are tagged for that {tags}, so this is the closest)"
    return reason + "."


# --- what goes with an item -------------------------------------------------------------

# What completes an outfit, by the anchor's subcategory (or category).
PAIRINGS = {
    "Topwear": [("Bottomwear", ["Jeans", "Trousers", "Shorts", "Skirts", "Capris", "Leggings", "Churidar",
                                "Salwar", "Patiala", "Jeggings", "Track Pants"]),
                ("Shoes", None), ("Watches", None)],
    "Bottomwear": [("Topwear", None), ("Shoes", None), ("Belts", None)],
    "Shoes": [("Topwear", None), ("Bottomwear", None), ("Bags", None)],
    "Dress": [("Shoes", ["Heels", "Flats", "Sandals"]), ("Bags", ["Handbags", "Clutches"]), ("Jewellery", None)],
    "Saree": [("Shoes", ["Heels", "Flats", "Sandals"]), ("Jewellery", None), ("Bags", ["Clutches", "Handbags"])],
    "Apparel Set": [("Shoes", ["Heels", "Flats", "Sandals"]), ("Jewellery", None), ("Bags", ["Clutches", "Handbags"])],
    "Watches": [("Topwear", None), ("Shoes", None), ("Belts", None)],
    "Bags": [("Topwear", None), ("Shoes", None), ("Jewellery", None)],
}  # fmt: skip


def pairing_articles(anchor: Mapping[str, Any], wanted: Filters) -> list[str] | None:
    """The article types that pair with an anchor when the shopper names only a category
    ("shoes" for a saree are heels, flats or sandals; for a wedding kurta, the wedding's footwear);
    None when any will do."""
    if wanted.article_type:
        return None
    names = set(wanted.subcategory or []) | set(wanted.category or [])
    if "Footwear" in names:
        names.add("Shoes")
    for subcategory, articles in PAIRINGS.get(str(anchor.get("subcategory") or ""), []):
        if articles and subcategory in names:
            return list(articles)
    if "Bags" in names and anchor.get("gender") in ("Women", "Girls"):
        return ["Handbags", "Clutches"]  # a bag to go with her heels or top: not a duffel or a laptop bag
    occasion = next(
        (o for o in OCCASIONS if o.name == _USAGE_OCCASION.get(str(anchor.get("usage") or ""))), None
    )
    if occasion is not None and "Shoes" in names and anchor.get("usage") not in ("Casual", ""):
        pieces = occasion.pieces.get(str(anchor.get("gender") or ""), ())
        footwear = next((p for p in pieces if p.role == "footwear"), None)
        if footwear is not None:
            return list(footwear.articles)
    return None


def complete_the_look(
    retriever: Retriever,
    product_id: str,
    price_max: float | None = None,
    k: int = 4,
    filters: Filters | None = None,
) -> dict[str, Any]:
    """Complementary items for a product: other categories, harmonious colours, same gender and occasion.

    ``filters`` carries the shopper's other hard constraints (colours asked for or excluded).
    """
    anchor = retriever.get(product_id)
    if anchor is None:
        return {"anchor": None, "items": [], "error": f"no product with id {product_id!r}"}
    slots = (
        PAIRINGS.get(anchor.subcategory)
        or PAIRINGS.get(anchor.category)
        or [("Topwear", None), ("Bottomwear", None), ("Shoes", None)]
    )
    genders = [anchor.gender] + (["Unisex"] if anchor.gender in ("Men", "Women") else [])
    chosen = [anchor.colour]
    items: list[dict[str, Any]] = []
    for subcategory, articles in slots:
        if subcategory == anchor.subcategory:
            continue
        base = Filters(
            gender=genders,
            subcategory=None if articles else [subcategory],
            article_type=articles,
            usage=[anchor.usage] if anchor.usage else None,
            colour=(filters.colour if filters else None),  # "grey or black only please"
            exclude_colour=(filters.exclude_colour if filters else None),
            price_max=price_max,
            exclude_ids=[anchor.id],
        )
        text = f"{anchor.usage} {subcategory} to wear with {anchor.colour} {anchor.article_type}"
        found, dropped = _search_piece(retriever, text, base, chosen)
        for item in found[:1]:
            chosen.append(item.colour)
            reason = f"{pairing_reason(item.colour, anchor.colour)}; completes the look".capitalize()
            if dropped:
                reason += f" (none tagged {anchor.usage.lower()}, so the closest)"
            items.append(item.to_dict() | {"reason": reason})
    return {"anchor": anchor.to_dict(), "items": items[:k]}


def matching(
    retriever: Retriever,
    anchor: Item,
    filters: Filters,
    query: str,
    k: int = 5,
) -> tuple[list[Item], list[str]]:
    """Items of another kind (``filters`` names it: "a tie", "shoes") to wear with ``anchor``.

    Same gender and occasion as the anchor (the occasion is soft), colours that go with it.
    """
    genders = filters.gender or ([anchor.gender] + (["Unisex"] if anchor.gender in ("Men", "Women") else []))
    base = filters.model_copy(update={"gender": genders, "exclude_ids": [anchor.id]})
    if not base.usage and anchor.usage:
        base = base.model_copy(update={"usage": [anchor.usage]})
    items: list[Item] = []
    dropped: list[str] = []
    chosen = [anchor.colour]
    found, dropped = _search_piece(
        retriever, f"{query} to go with {anchor.colour} {anchor.article_type}", base, chosen, k=k
    )
    items.extend(found)
    return items, dropped
