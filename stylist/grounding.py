"""Keeping answers grounded: only retrieved products may be named.

A sentence of the model's answer that names a catalog product (by title or id)
or a brand that was not retrieved this turn is removed; when the remaining text
does not present the retrieved products, a plain list of them (with a one-line
reason each) is appended. The same check scores answers in the benchmarks.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from stylist.catalog import GENDERS
from stylist.query import Filters, label_forms

# A sentence ends at . ! or ? and a space, but not after an initial or a brand's abbreviation
# ("U.S. Polo Assn. Men Shirt").
SENTENCE_BREAK = re.compile(r"(?<=[.!?])(?<![A-Z]\.)(?<!Assn\.)(?<!\bNo\.)(?<!\bCo\.)\s+|\n+")
_SENTENCE_IN_LINE = re.compile(r"(?<=[.!?])(?<![A-Z]\.)(?<!Assn\.)(?<!\bNo\.)(?<!\bCo\.)\s+")


def _by_line(text: str, keep: Any) -> str:
    """``text`` with only the sentences ``keep`` accepts, its line breaks (lists) kept."""
    lines = []
    for line in text.strip().splitlines():
        kept = [x.strip() for x in _SENTENCE_IN_LINE.split(line) if x.strip() and keep(x.strip())]
        if kept:
            lines.append(" ".join(kept))
    return "\n".join(lines)


# "within your 5750 INR budget", "a budget of 2000": a claim about what the shopper asked.
_BUDGET_CLAIM = re.compile(
    r"\byour\s+(?:rs\.?\s*|inr\s*|₹\s*)?(\d[\d,]*)\s*(?:[a-z]{3}\s+|rupees\s+)?budget\b"
    r"|\bbudget\s+of\s+(?:rs\.?\s*|inr\s*|₹\s*)?(\d[\d,]*)",
    re.IGNORECASE,
)


def misstates_budget(sentence: str, filters: Filters) -> bool:
    """Whether ``sentence`` claims a budget the shopper did not give (the small model invents one)."""
    for match in _BUDGET_CLAIM.finditer(sentence):
        amount = float((match.group(1) or match.group(2)).replace(",", ""))
        if filters.price_max is None or abs(amount - filters.price_max) > 0.5:
            return True
    return False


# A product id written as a reference ("item 15970", "#15970", "id: 15970"). A bare number is
# read as a price or a budget: sample ids are numbers too, and "under 1800" names no product.
_ID_REF = re.compile(r"(?:\b(?:id|item|product|sku)\s*[:#]?\s*|#\s*)(\d{3,7})\b", re.IGNORECASE)
# Sentence-initial words that often precede a garment without naming a product ("The Shirt").
_COMMON_LEADS = {
    "the",
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "our",
    "your",
    "my",
    "any",
    "some",
    "each",
    "every",
    "both",
    "men",
    "women",
    "mens",
    "womens",
    "casual",
    "formal",
    "classic",
}
_GENDER_WORDS = set(GENDERS) | {"Kids", "Men's", "Women's", "Mens", "Womens"}


def _has_phrase(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole words ("... Trouser" is not in "... Trousers")."""
    start = text.find(phrase)
    while start != -1:
        end = start + len(phrase)
        if (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            return True
        start = text.find(phrase, start + 1)
    return False


def brand_of(title: str) -> str:
    """The brand part of a sample-style title ("Peter England Men Blue Jeans" -> "Peter England")."""
    words = title.split()
    for i, word in enumerate(words):
        if word in _GENDER_WORDS and i > 0:
            return " ".join(words[:i])
    return words[0] if words else ""


class Grounding:
    """Knows the catalog's titles, ids and brands, to spot products that were not retrieved."""

    def __init__(self, catalog: Iterable[Mapping[str, Any]]) -> None:
        catalog_list = list(catalog)
        catalog = catalog_list
        self.titles: dict[str, str] = {}
        self.brands: set[str] = set()
        self.ids: set[str] = set()
        self.colours: set[str] = {str(i.get("colour")) for i in catalog_list if i.get("colour")}
        for item in catalog:
            title = str(item.get("title", ""))
            self.ids.add(str(item.get("id")))
            if len(title) >= 12:
                self.titles[title.lower()] = str(item.get("id"))
            brand = brand_of(title)
            if len(brand) >= 3 and brand[0].isupper():
                self.brands.add(brand)
        # Capitalised names ending in a garment word ("Zara Linen Blazer"): product names.
        nouns: set[str] = set()
        # The catalog's own attribute words ("Sports Shoes", "Navy Blue", "Men's Footwear"): a name
        # made only of these describes a kind of item, as trend summaries do, not a product.
        self._generic: set[str] = {w.lower() for w in _GENDER_WORDS} | {"kids", "men's", "women's"}
        for item in catalog_list:
            article = str(item.get("article_type", "")).lower()
            if article:
                nouns.update(
                    {article, article.rstrip("s"), article.split()[-1], article.split()[-1].rstrip("s")}
                )
            for key in ("article_type", "colour", "usage", "season", "category", "subcategory"):
                self._generic.update(str(item.get(key) or "").lower().split())
        nouns.update(
            {"blazer", "jacket", "dress", "shirt", "shoe", "sneaker", "boot", "coat", "bag", "skirt", "top"}
        )
        self._named = re.compile(
            r"\b((?:[A-Z][\w'&-]*\s+){1,5}(?:"
            + "|".join(re.escape(n.title()) for n in sorted(nouns, key=len, reverse=True) if n)
            + r")s?)\b"
        )
        self._brand_re = (
            re.compile(
                r"\b(" + "|".join(re.escape(b) for b in sorted(self.brands, key=len, reverse=True)) + r")\b"
            )
            if self.brands
            else None
        )

    def ungrounded(self, text: str, allowed: Iterable[Mapping[str, Any]]) -> list[str]:
        """Product references in ``text`` that are not among the ``allowed`` items."""
        allowed = list(allowed)
        allowed_ids = {str(i["id"]) for i in allowed}
        allowed_titles = {str(i.get("title", "")).lower() for i in allowed}
        allowed_brands = {brand_of(str(i.get("title", ""))).lower() for i in allowed}
        lowered = text.lower()
        found = []
        for title, pid in self.titles.items():
            if title not in allowed_titles and pid not in allowed_ids and _has_phrase(lowered, title):
                found.append(title)
        for number in _ID_REF.findall(text):
            if number in self.ids and number not in allowed_ids:
                found.append(number)
        if self._brand_re is not None:
            # Case-sensitive: brands are capitalised ("Classic" the brand, not "a classic look").
            for match in self._brand_re.finditer(text):
                brand = match.group(1).lower()
                if brand not in allowed_brands and not any(brand in t for t in allowed_titles):
                    found.append(brand)
        for match in self._named.finditer(text):
            name = match.group(1).lower()
            words = name.split()
            # Two or more capitalised words naming a garment must come from a retrieved title.
            if len(words) >= 2 and not any(name in t or name.rstrip("s") in t for t in allowed_titles):
                generic = all(w in self._generic or w.rstrip("s") in self._generic for w in words)
                if words[0] not in _COMMON_LEADS and not generic:
                    found.append(name)
        return found


def dedupe_repetition(text: str) -> str:
    """Drop repeated sentences (small models loop); line breaks are kept."""
    seen: set[str] = set()

    def keep(sentence: str) -> bool:
        key = re.sub(r"\W+", " ", sentence.lower()).strip()
        if not key or key in seen:
            return False
        seen.add(key)
        return True

    return _by_line(text, keep)


def loops(text: str, names: Iterable[str] = ()) -> bool:
    """A run of four words said three times outside the product ``names``: the small model
    looping inside a sentence (a list of similar products is not a loop)."""
    text = text.lower()
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name.lower(), " | ")
    words = re.findall(r"\w+|\|", text)
    grams = [" ".join(words[i : i + 4]) for i in range(len(words) - 3)]
    return any(n >= 3 for g, n in Counter(grams).items() if "|" not in g)


# Amounts written in an answer ("1,299", "Rs 800", "2.5k"); ids are written as references (_ID_REF).
_AMOUNT = re.compile(
    r"(?<![\w#])(?:rs\.?\s*|inr\s*|₹\s*)?(\d{1,3}(?:,\d{3})+|\d{3,6})(?:\.\d+)?(?![\w%])", re.I
)
# "under 2000", "below Rs 1,500", "within 3000": a ceiling the products must bear out.
_CEILING_CLAIM = re.compile(
    r"\b(?:under|below|less than|within|up to|upto|at most|max(?:imum)?|not more than|no more than)\s+"
    r"(?:rs\.?\s*|inr\s*|₹\s*|your\s+)?(\d[\d,]*)",
    re.IGNORECASE,
)
# An amount with its currency, however small ("1 rupee", "Rs 5", "₹ 99").
_MONEY = re.compile(r"(?:\brs\.?\s*|\binr\s*|₹\s*)(\d[\d,]*)|\b(\d[\d,]*)\s*(?:rupees?|inr\b|rs\b)", re.I)
_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10}  # fmt: skip


def _count_of(word: str) -> int | None:
    """A number said in digits or words ("4", "four"); None for another word."""
    word = word.lower()
    return int(word) if word.isdigit() else _COUNT_WORDS.get(word)


_COUNT_CLAIM = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+(?:\w+\s+)?"
    r"(options|items|picks|products|pieces|choices|suggestions|styles|looks|ideas)\b",
    re.IGNORECASE,
)


# Colour names that are often other words ("skin care", "rose gold", "multi-purpose").
_LOOSE_COLOURS = {"skin", "cream", "multi", "metallic", "steel", "rose", "nude", "tan"}


_NONE_CLAIM = re.compile(
    r"\b(?:don'?t|do not|doesn'?t|does not) (?:carry|have|stock|sell)\b|\bnot available\b|\bout of stock\b"
    r"|\b(?:couldn'?t|could not|can'?t|cannot) find\b|\bno (?:such|matching) (?:items?|products?)\b",
    re.IGNORECASE,
)


_USAGE_CLAIM = re.compile(r"\ball (?:of them|of these|these) are (?:made )?for (\w+(?: \w+)?) wear\b", re.I)
_SIZE_CLAIM = re.compile(r"\bsize (\d{1,2}(?:-\d{1,2}Y)?|XXS|XS|S|M|L|XL|XXL|XXXL)\b", re.IGNORECASE)


def contradicts(sentence: str, allowed: list[Mapping[str, Any]], filters: Filters,
                colours: Iterable[str] = ()) -> bool:  # fmt: skip
    """Whether ``sentence`` states something the shown products or the request do not bear out:
    an amount that is no product's price and no budget the shopper gave, a count of options
    other than the number shown, or a colour no product has and the shopper did not ask for."""
    if not allowed:
        return False
    if _NONE_CLAIM.search(sentence) or re.match(r"\s*I looked for\b", sentence):
        return True  # "Sorry, we don't carry any raincoat" above five rain jackets; the lead said again
    ids = {str(i.get("id")) for i in allowed}
    amounts = {round(float(i.get("price") or 0)) for i in allowed}
    amounts |= {round(v) for v in (filters.price_min, filters.price_max) if v is not None}
    amounts.add(round(sum(float(i.get("price") or 0) for i in allowed)))
    for match in _MONEY.finditer(sentence):  # "every price is now 1 rupee"
        value = round(float((match.group(1) or match.group(2)).replace(",", "")))
        if not any(abs(value - a) <= 1 for a in amounts) and not _CEILING_CLAIM.search(sentence):
            return True
    ceilings = [m.span(1) for m in _CEILING_CLAIM.finditer(sentence)]
    for match in _AMOUNT.finditer(sentence):
        raw = match.group(1).replace(",", "")
        if raw in ids or any(a <= match.start(1) < b for a, b in ceilings):
            continue  # a reference, or a ceiling (checked below)
        if not any(abs(int(raw) - a) <= 1 for a in amounts):
            return True
    prices = [float(i.get("price") or 0) for i in allowed]
    for match in _CEILING_CLAIM.finditer(sentence):
        ceiling = float(match.group(1).replace(",", ""))
        if ceiling < max(prices) - 0.5 or (
            filters.price_max is not None and abs(ceiling - filters.price_max) > 0.5
        ):
            return True
    for match in _COUNT_CLAIM.finditer(sentence):
        count = _count_of(match.group(1))
        if count is not None and count != len(allowed):
            return True
    for match in _USAGE_CLAIM.finditer(sentence):
        # "all of them are made for formal wear" over party and casual wear
        if not all(str(i.get("usage") or "").lower() == match.group(1).lower() for i in allowed):
            return True
    for match in _SIZE_CLAIM.finditer(sentence):
        # "all of them are size 40 in stock" on shirts sized S to XXL
        size = match.group(1).upper()
        if not all(int((i.get("sizes") or {}).get(size, 0) or 0) > 0 for i in allowed):
            return True
    lowered = sentence.lower()
    shown = {str(i.get("colour") or "").lower() for i in allowed} | {c.lower() for c in filters.colour or []}
    for colour in colours:
        name = colour.lower()
        if name in _LOOSE_COLOURS:
            continue
        if name and name not in shown and _has_phrase(lowered, name):
            if not any(name in s or s in name for s in shown if s):
                return True
        # "the pink top" over a black top: a colour on a kind shown, which no card of that kind has
        for kind_word in re.findall(rf"\b{re.escape(name)} (\w+)", lowered) if name else ():
            kind = [i for i in allowed if kind_word in _kind_words(str(i.get("article_type") or ""))]
            if kind and not any(
                name in str(i.get("colour") or "").lower() or str(i.get("colour") or "").lower() in name
                for i in kind
            ):
                return True
    return False


def _kind_words(article_type: str) -> set[str]:
    """How a sentence names an article type: "Tops" -> top, tops; "Casual Shoes" -> shoe, shoes;
    "Dresses" -> dress, dresses."""
    return label_forms(article_type.split()[-1]) if article_type else set()


def may_show(sentence: str, grounding: Grounding | None, allowed: list[Mapping[str, Any]], filters: Filters) -> bool:  # fmt: skip
    """Whether a sentence of the model's answer may reach the shopper: it names only ``allowed``
    products, claims no budget but the one the shopper gave, contradicts none of the products
    and does not loop. The final answer and the stream both ask this."""
    if not sentence.strip() or misstates_budget(sentence, filters):
        return False
    if loops(sentence, [str(p.get("title", "")) for p in allowed if p.get("title")]):
        return False
    if contradicts(sentence, allowed, filters, grounding.colours if grounding is not None else ()):
        return False
    return grounding is None or not grounding.ungrounded(sentence, allowed)


def reason_for(item: Mapping[str, Any], filters: Filters, budget_given: bool = True) -> str:
    """One line on why an item fits the request (``budget_given``: the ceiling is the shopper's
    own, not one the stylist derived, as for "cheaper")."""
    parts = []
    if filters.colour and len(filters.colour) <= 2:  # more are colours that go with a look, not asked
        parts.append(f"in {item.get('colour', '').lower()} as asked")
    if filters.usage and item.get("usage") in filters.usage:
        parts.append(f"{str(item.get('usage', '')).lower()} wear")
    if filters.price_max is not None:
        parts.append(
            f"within your {filters.price_max:.0f} budget"
            if budget_given
            else f"under {filters.price_max:.0f}"
        )
    if filters.size:
        parts.append(f"size {filters.size} in stock")
    if not parts:
        parts.append(
            f"{str(item.get('colour', '')).lower()} {str(item.get('article_type', '')).lower()}".strip()
        )
        if item.get("usage"):
            parts.append(f"for {str(item['usage']).lower()} wear")
    line = ", ".join(p for p in parts if p)
    return line[:1].upper() + line[1:]  # not .capitalize(): "size M" stays "size M"


def product_list(items: list[Mapping[str, Any]]) -> str:
    return "\n".join(
        f"- {i['title']} ({i['price']:.0f} {i['currency']}){': ' + i['reason'] if i.get('reason') else ''}"
        for i in items
    )


def mentions(text: str, items: Iterable[Mapping[str, Any]]) -> int:
    lowered = text.lower()
    return sum(1 for i in items if str(i.get("title", "")).lower() in lowered or str(i["id"]) in text)


# How article types read in a sentence ("Tshirts" -> "T-shirts").
_ARTICLE_WORDS = {"tshirts": "T-shirts", "kurta sets": "kurta sets", "perfume and body mist": "perfumes",
                  "necklace and chains": "necklaces", "flip flops": "flip-flops", "lehenga choli": "lehengas",
                  "innerwear vests": "vests", "salwar and dupatta": "salwar sets"}  # fmt: skip
_WHO = {"Men": "men", "Women": "women", "Boys": "boys", "Girls": "girls", "Unisex": "anyone"}


def and_list(words: list[str], conjunction: str = "and") -> str:
    """ "a", "a and b", "a, b and c" (or "a, b or c")."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def _or(words: list[str]) -> str:
    return and_list(words, "or")


def _money(value: float) -> str:
    return f"{value:,.0f}"


def describe_filters(filters: Filters) -> str:
    """The request in plain words: "navy blue kurtas for women in size M under 2,000"."""
    colours = [c.lower() for c in filters.colour or []]
    if filters.article_type:
        kinds = [_ARTICLE_WORDS.get(a.lower(), a.lower()) for a in filters.article_type[:3]]
        thing = _or(kinds)
        if filters.usage and len(filters.usage) <= 2 and not any(u.lower() in thing for u in filters.usage):
            thing = f"{_or([u.lower() for u in filters.usage])} {thing}"
    elif filters.subcategory or filters.category:
        thing = _or([c.lower() for c in (filters.subcategory or filters.category or [])[:3]])
        if filters.usage and len(filters.usage) <= 2:
            thing = f"{_or([u.lower() for u in filters.usage])} {thing}"
    elif filters.usage:
        thing = f"{_or([u.lower() for u in filters.usage[:3]])} wear"
    else:
        thing = "pieces"
    bits = [(_or(colours[:3]) + " " if colours and len(colours) <= 3 else "") + thing]
    if filters.gender:
        who = [_WHO.get(g, g.lower()) for g in filters.gender if g != "Unisex"] or ["anyone"]
        bits.append("for " + _or(who))
    if filters.season:
        bits.append("for " + _or([s.lower() for s in filters.season]))
    if filters.size:
        bits.append(f"in size {filters.size}")
    if filters.exclude_colour and len(filters.exclude_colour) <= 3:
        bits.append("not in " + _or([c.lower() for c in filters.exclude_colour]))
    if filters.price_min is not None and filters.price_max is not None:
        bits.append(f"between {_money(filters.price_min)} and {_money(filters.price_max)}")
    elif filters.price_max is not None:
        bits.append(f"under {_money(filters.price_max)}")
    elif filters.price_min is not None:
        bits.append(f"over {_money(filters.price_min)}")
    return " ".join(bits)


def _found(n: int) -> str:
    return f"found {n}" if n != 1 else "found one"


IGNORED_INSTRUCTIONS = "I'll leave the instructions in your message aside and stick to shopping."


def answer_lead(
    products: list[dict[str, Any]],
    filters: Filters,
    relaxed: dict[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
) -> str:
    """The answer's first line (see :func:`_lead`), after a word on instructions it did not follow."""
    lead = _lead(products, filters, relaxed, context)
    return f"{IGNORED_INSTRUCTIONS} {lead}" if (context or {}).get("ignored_instructions") else lead


def _shade_names(items: list[dict[str, Any]]) -> str:
    """The items' colours in words, once each, in order: "brown, beige"."""
    return ", ".join(dict.fromkeys(str(p.get("colour", "")).lower() for p in items if p.get("colour")))


def _nearest_shades(wanted: list[str], products: list[dict[str, Any]]) -> str:
    shades = _shade_names(products)
    asked = " or ".join(str(c).lower() for c in wanted)
    return f"Nothing in {asked} exactly, so these are the nearest shades ({shades})."


def _nearest_kind(wanted: list[str], products: list[dict[str, Any]]) -> str:
    asked = " or ".join(str(k).lower() for k in wanted)
    kinds = ", ".join(
        dict.fromkeys(str(p.get("article_type", "")).lower() for p in products if p.get("article_type"))
    )
    return f"No {asked} like that right now, so these are {kinds}, the nearest kind."


#: Constraints a search may set aside (context key, filter fields lifted, context cleared with it, the
#: sentence that says so): shades of the colour asked ("tan" -> brown), cheaper than the range's floor,
#: a size system the items lack, the kind asked (kurtas for kurtis). (Other colours near the one asked, "yellow" -> gold, are labelled
#: alternatives instead: see guards.turn_products.)
_SET_ASIDE: tuple[tuple[str, tuple[str, ...], tuple[str, ...], Callable[[Any, list[dict[str, Any]]], str]], ...] = (
    ("near_colour", ("colour",), (), _nearest_shades),
    ("near_kind", ("article_type",), (), _nearest_kind),
    ("below_floor", ("price_min",), ("approximate",),
     lambda _, __: "There were none at the low end of your range, so these cost less."),
    ("sized_otherwise", ("size",), (), lambda note, _: f"{str(note)[0].upper()}{str(note)[1:]}."),
    ("above_ceiling", ("price_max",), ("approximate",),
     lambda _, __: "None fit the budget, so these are the cheapest there are."),
)  # fmt: skip


def _lead(
    products: list[dict[str, Any]],
    filters: Filters,
    relaxed: dict[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
) -> str:
    """The answer's first line: what the stylist looked for and found, in plain words.

    It is known as soon as the tools have run, so it is streamed before the model writes
    anything, and the final answer starts with the same line.
    """
    context = dict(context or {})
    if context.get("grown_up"):
        filters = filters.model_copy(update={"gender": context["grown_up"], "exclude_gender": None})
    currency = context.get("currency") or (products[0]["currency"] if products else "")
    for key, lifted, cleared, said in _SET_ASIDE:
        if context.get(key) and products:
            # What the search set aside is said after the rest: the lead without it, then why.
            rest = context | {k: None for k in (key, *cleared)}
            return (
                f"{_lead(products, filters.without(*lifted), relaxed, rest)} {said(context[key], products)}"
            )
    if not products:
        what = context.get("not_carried") or describe_filters(filters)
        if relaxed and relaxed.get("items") and context.get("not_carried"):
            return f"Sorry, we don't carry {what} right now. The closest I have:"
        if relaxed and relaxed.get("items") and context.get("near_colour"):
            shades = _shade_names(relaxed["items"])
            return (
                f"Sorry, we don't carry {what} right now. The closest I have are in nearby shades ({shades}):"
            )
        if relaxed and relaxed.get("items"):
            dropped = and_list(
                [_DROPPED.get(d, d.replace("_", " ")) for d in str(relaxed["dropped"]).split(" and ")]
            )
            return f"Sorry, we don't carry {what} right now. The closest I have, without {dropped}:"
        return (
            f"Sorry, we don't carry {what} right now. Try another colour, type or budget and I'll look again."
        )
    n = len(products)
    outfit = context.get("outfit")
    if outfit:
        who = f" for {_WHO.get(outfit.get('gender') or '', 'you')}" if outfit.get("gender") else ""
        lead = f"Here's a look for {outfit['occasion']}{who}, one piece each, {_money(outfit['total'])} {currency} in all"
        if outfit.get("budget") and context.get("derived_ceiling"):
            lead += f", under {_money(outfit['budget'])} as you wanted it cheaper"
        elif outfit.get("budget"):
            lead += f", within your {_money(outfit['budget'])} budget"
        lead += "."
        if not outfit.get("gender"):
            lead += " Tell me who it's for and I'll tailor it."
        return lead
    if context.get("anchor"):
        title = context["anchor"].get("title") or "that"
        return f"To go with the {title}, I picked {n}."
    if filters.without("exclude_ids").is_empty():
        return "Here's one pick from our catalog." if n == 1 else f"Here are {n} picks from our catalog."
    lead = f"I looked for {describe_filters(filters)}"
    if context.get("grown_up"):
        lead = "We have none in children's sizes, so " + lead[0].lower() + lead[1:]
    if context.get("approximate"):
        lead += f" (you said {context['approximate']}, so I kept within 20% either side)"
    dropped = context.get("soft_dropped") or []
    if dropped:
        what = " or ".join("season" if d == "season" else "occasion" for d in dropped)
        tagged = int(context.get("tagged") or 0)
        if tagged:
            lead += f" and {_found(tagged)} tagged for that {what}, so the rest are the closest matches."
        else:
            lead += f". None are tagged for that {what}, so here are the closest {n}."
    else:
        lead += f" and {_found(n)}."
    return lead


_COUNT = re.compile(
    r"\b(?:i(?:'ve| have)? (?:picked|found|chose|selected)|here are|there are|these)\s+(\d{1,2}|one|two|three|four|five|six)\b",
    re.I,
)


def _wrong_count(line: str, shown: int) -> bool:
    """Whether ``line`` claims a number of picks other than the ``shown`` cards."""
    m = _COUNT.search(line)
    return bool(m) and _count_of(m.group(1)) != shown


def compose_answer(
    model_text: str,
    products: list[dict[str, Any]],
    filters: Filters,
    grounding: Grounding | None,
    relaxed: dict[str, Any] | None = None,
    intent: str = "search",
    context: Mapping[str, Any] | None = None,
) -> str:
    """The final answer: what the stylist looked for (:func:`answer_lead`, streamed first), the
    model's own remarks where they are grounded and agree with the products, then the products
    with a reason each.

    ``context`` carries what the tools reported: ``outfit`` (a planned look), ``anchor`` (the
    item a look goes with), ``soft_dropped`` (season/occasion left out), ``approximate``
    (an "around N" budget as the shopper said it), ``not_carried``, ``trend_answer``, ``currency``.
    """
    context = dict(context or {})
    text = _by_line(dedupe_repetition(model_text or ""), lambda x: may_show(x, grounding, products, filters))
    if intent == "trend" and context.get("trend_answer"):
        # The forecast read in shopper terms (stylist.trends.answer); the small model's retelling
        # of it lost the season, the gender or the doubt.
        return str(context["trend_answer"])
    if intent not in ("search", "look"):
        return text or "I'm here to help you find something from our catalog."
    lead = answer_lead(products, filters, relaxed, context)
    if not products:
        listed = product_list(relaxed["items"]) if relaxed and relaxed.get("items") else ""
        return "\n".join(x for x in (lead, listed) if x)
    # The model's remarks: sentences that name no product and agree with what is shown.
    remarks = [
        line
        for line in text.splitlines()
        if line.strip()
        and not line.lstrip().startswith(("-", "*", "•"))
        and not re.match(r"\s*\d+[.)]", line)
        and not mentions(line, products)
        and not line.rstrip().endswith(":")  # an introduction to a list the answer does not use
        and "budget" not in line.lower()  # the lead says the budget
        and re.search(r"[.!?)\"'…]\s*$", line)  # not a sentence cut off by the token limit
        and not _wrong_count(line, len(products))  # "To match the wallet, I picked 4." beside 3 cards
    ][:2]
    parts = [lead] + ([" ".join(remarks)] if remarks else []) + [product_list(products)]
    return "\n".join(parts)


_DROPPED = {"price_max": "the price limit", "price_min": "the lowest price", "size": "the size",
            "colour": "the colour", "exclude_colour": "the colours you ruled out", "usage": "the occasion",
            "season": "the season", "gender": "who it's for", "article_type": "the type of item",
            "category": "the category", "subcategory": "the kind of item"}  # fmt: skip
