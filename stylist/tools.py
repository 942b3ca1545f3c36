"""The agent's tools: pydantic schemas whose descriptions are written for the model.

Each tool returns text for the model and an artifact (structured items) for the
app; products shown to the shopper come only from these artifacts.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Annotated, Any, get_args

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema

from stylist.catalog import Gender
from stylist.looks import Look, Occasion, complete_the_look, main_piece, occasion_in, plan_outfit
from stylist.query import GROWN_UP, NEAR_SHADES, Filters, cheaper_ceiling

if TYPE_CHECKING:
    from stylist.retrieval import Item, Retriever, SearchResult

SEARCH_CATALOG = "search_catalog"
COMPLETE_THE_LOOK = "complete_the_look"
GET_TREND_FORECAST = "get_trend_forecast"
CLASSIFY_TREND = "classify_trend"
CATALOG_TOOLS = (SEARCH_CATALOG, COMPLETE_THE_LOOK)


# The model sees (and was trained on) one value per field; the guards may send alternatives
# ("wedding" is Ethnic or Party wear), which the tool accepts as a list meaning any of them.
_ONE_VALUE = {"anyOf": [{"type": "string"}, {"type": "null"}]}
_Values = Annotated[str | list[str] | None, WithJsonSchema(_ONE_VALUE)]
_Genders = Annotated[
    Gender | list[Gender] | None,
    WithJsonSchema({"anyOf": [{"enum": list(get_args(Gender)), "type": "string"}, {"type": "null"}]}),
]


class SearchCatalogArgs(BaseModel):
    """Search the shop's catalog for products."""

    query: str = Field(description="What the shopper wants, in their words, e.g. 'navy linen shirt'.")
    gender: _Genders = Field(default=None, description="Who it is for, only if the shopper says so.")
    article_type: _Values = Field(
        default=None, description="Catalog article type, e.g. Tshirts, Kurtas, Heels."
    )
    colour: _Values = Field(default=None, description="Base colour, e.g. Black, Navy Blue.")
    usage: _Values = Field(default=None, description="Occasion: Casual, Formal, Ethnic, Sports, Party.")
    season: _Values = Field(default=None, description="Summer, Fall, Winter or Spring.")
    price_max: float | None = Field(default=None, description="Highest price in the shop currency.")
    price_min: float | None = Field(default=None, description="Lowest price in the shop currency.")
    size: str | None = Field(default=None, description="A size that must be in stock, e.g. M or 32.")
    k: int = Field(default=5, ge=1, le=20, description="How many products to return.")
    # Set by the guards from the shopper's words, never by the model (hidden from its schema).
    exclude_colour: SkipJsonSchema[list[str] | None] = None
    exclude_ids: SkipJsonSchema[list[str] | None] = None
    exclude_article_type: SkipJsonSchema[list[str] | None] = None
    exclude_gender: SkipJsonSchema[list[str] | None] = None
    category: SkipJsonSchema[list[str] | None] = None
    subcategory: SkipJsonSchema[list[str] | None] = None
    cheapest: SkipJsonSchema[bool] = False  # lowest prices first ("the cheapest you have")
    priciest: SkipJsonSchema[bool] = False  # highest prices first ("the most expensive you have")
    spread: SkipJsonSchema[bool] = False  # a spread of colours (things to go with an item)
    outfit: SkipJsonSchema[bool] = True  # an occasion may be answered with a whole look
    young: SkipJsonSchema[bool] = False  # a young child's age was said: never grown-ups' sizes instead
    assorted: SkipJsonSchema[bool] = False  # kinds suggested (a gift): some of each, not five of one
    # The guards planned every constraint: the query's words rank, they are not read again (the
    # planner may have dropped one they state, as for "doesn't have to be formal").
    planned: SkipJsonSchema[bool] = False

    def filters(self) -> Filters:
        """The constraints; a list of values means any of them (an occasion may be Ethnic or Party)."""

        def values(v: str | list[str] | None) -> list[str] | None:
            return ([v] if isinstance(v, str) else list(v)) if v else None

        return Filters(
            gender=values(self.gender),
            article_type=values(self.article_type),
            colour=values(self.colour),
            usage=values(self.usage),
            season=values(self.season),
            price_min=self.price_min,
            price_max=self.price_max,
            size=self.size,
            exclude_colour=self.exclude_colour,
            exclude_ids=self.exclude_ids,
            exclude_article_type=self.exclude_article_type,
            exclude_gender=self.exclude_gender,
            category=self.category,
            subcategory=self.subcategory,
        )


class CompleteTheLookArgs(BaseModel):
    """Find items that go with a product."""

    product_id: str = Field(description="Id of a catalog product the shopper has or likes, e.g. '15970'.")
    price_max: float | None = Field(default=None, description="Highest price per item in the shop currency.")
    k: int = Field(default=4, ge=1, le=8, description="How many complementary items.")
    # Set by the guards from the shopper's words ("grey or black only please"), never by the model.
    colour: SkipJsonSchema[list[str] | None] = None
    exclude_colour: SkipJsonSchema[list[str] | None] = None


class TrendForecastArgs(BaseModel):
    """Look up trend forecasts."""

    query: str = Field(description="The style, colour or item to check, e.g. 'wide-leg denim for women'.")
    gender: _Genders = Field(default=None, description="Who it is for, only if the shopper says so.")
    season: _Values = Field(default=None, description="Summer, Fall, Winter or Spring, only if asked.")


class ClassifyTrendArgs(BaseModel):
    """Classify fashion text and give its trend status."""

    text: str = Field(description="A product name, a shopper's phrase or a photo description.")


def item_line(item: Item) -> str:
    """How the model sees one product."""
    return (
        f"[{item.id}] {item.title} | {item.price:.0f} {item.currency} | {item.colour} | "
        f"{item.article_type} | {item.gender} | {item.usage or '-'}"
    )


def format_result(result: SearchResult) -> str:
    if result.items:
        # The budget a "cheaper" follow-up means, so the model copies it instead of doing sums.
        cheaper = cheaper_ceiling([i.price for i in result.items])
        return (
            "Products found:\n"
            + "\n".join(item_line(i) for i in result.items)
            + f"\nFor cheaper ones: price_max {cheaper:.0f}"
        )
    if result.relaxation:
        return (
            f"No product matches every constraint. Nearest alternatives {result.relaxation.describe()}\n"
            + "\n".join(item_line(i) for i in result.relaxation.items)
        )
    return "No product in the catalog matches. Say honestly that the shop does not carry it."


def search_artifact(result: SearchResult) -> dict[str, Any]:
    return {
        "items": [i.to_dict() for i in result.items],
        "filters": result.filters.active(),
        "notes": result.notes,
        "relaxation": (
            {"dropped": result.relaxation.dropped, "items": [i.to_dict() for i in result.relaxation.items]}
            if result.relaxation
            else None
        ),
    }


# --- searching with soft constraints and occasions -----------------------------

#: Constraints a search drops first (and says so) rather than answer "we don't carry it":
#: the catalog tags few items with a season or an occasion.
SOFT = ("season", "usage")
#: What is left out to ask whether the catalog has a kind of item for someone at all.
_SOFTER = ("price_min", "price_max", "colour", "exclude_colour", "size", "season", "usage", "exclude_ids",
           "exclude_gender")  # fmt: skip


def spread(items: list[Any], k: int, by: str = "colour") -> list[Any]:
    """The first ``k`` of ``items`` in rank order, taking the best of each value of ``by`` (each colour,
    each kind) before the second of any."""
    rounds: dict[str, list[Any]] = {}
    for item in items:
        rounds.setdefault(str(getattr(item, by)), []).append(item)
    picked = [group[i] for i in range(max(map(len, rounds.values()), default=0)) for group in rounds.values()
              if i < len(group)]  # fmt: skip
    chosen = {id(i) for i in picked[:k]}
    return [i for i in items if id(i) in chosen]


#: Kinds of item near enough to be the same thing to a shopper (kurtas for kurtis, stoles for scarves),
#: shown when the shop has none of the kind asked in that colour, size or budget, and said as such.
#: Other kinds (clutches for handbags) are different things: those stay labelled alternatives.
SIBLING_KINDS = {
    "Kurtis": ["Kurtas", "Tunics"], "Kurtas": ["Kurtis"], "Tunics": ["Kurtis", "Kurtas"],
    "Sandals": ["Sports Sandals"], "Sports Sandals": ["Sandals"], "Leggings": ["Jeggings", "Tights"],
    "Backpacks": ["Rucksacks"], "Scarves": ["Stoles", "Mufflers"], "Stoles": ["Scarves", "Dupatta"],
    "Dupatta": ["Stoles", "Scarves"], "Salwar and Dupatta": ["Kurta Sets"], "Kurta Sets": ["Salwar and Dupatta", "Kurtas"],
    "Mufflers": ["Scarves"], "Necklace and Chains": ["Pendant"], "Pendant": ["Necklace and Chains"],
    "Nehru Jackets": ["Waistcoat"], "Waistcoat": ["Nehru Jackets"],
    "Rain Jacket": ["Jackets"], "Jackets": ["Rain Jacket"], "Sweaters": ["Sweatshirts"], "Sweatshirts": ["Sweaters"],
    "Churidar": ["Leggings", "Salwar", "Patiala"], "Salwar": ["Patiala", "Churidar"], "Patiala": ["Salwar", "Churidar"],
}  # fmt: skip


# "mujhe kuch ethnic chahiye", "i need something traditional to wear": clothes of that style are the ask
_STYLE_ASKED = re.compile(r"\b(?:kuch|something|some|anything)\s+(?:ethnic|traditional|festive)\b")


def _main_pieces(retriever: Retriever, occasion: Occasion, filters: Filters, query: str) -> Filters:
    """``filters`` for the main pieces of ``occasion``'s outfit, with the occasion's usual tags (soft)."""
    gender = filters.gender[0] if len(filters.gender or []) == 1 else None
    kinds, usage = main_piece(occasion, gender)
    kinds = [a for a in kinds if a not in (filters.exclude_article_type or [])]
    filters = filters.model_copy(
        update={"article_type": kinds or None, "usage": filters.usage or usage or None}
    )
    if not filters.gender:
        # nobody named: as in a look, the first piece found says whose clothes these are
        first = retriever.search(query, filters, k=1, parse=False).items
        if first and first[0].gender in ("Men", "Women"):
            filters = filters.model_copy(update={"gender": [first[0].gender, "Unisex"]})
    return filters


#: Share of a kind's grown-up items one gender must hold to be whose it is when nobody was named.
USUAL_WEARER_SHARE = 0.8


def _usual_wearer(retriever: Retriever, filters: Filters) -> Filters:
    """ "a formal shirt, pale blue, size L" with nobody named: the shop's shirts are nearly all men's,
    so men's (and unisex) ones, not a mix with the few women's; kinds worn by both stay mixed."""
    counts = retriever.count_by("gender", Filters(article_type=filters.article_type))
    adults = {g: counts.get(g, 0) for g in ("Men", "Women")}
    top = max(adults, key=lambda g: adults[g])
    if not adults[top] or adults[top] < USUAL_WEARER_SHARE * sum(adults.values()):
        return filters
    return filters.model_copy(update={"gender": [top, "Unisex"], "exclude_gender": None})


def search_products(
    retriever: Retriever, args: SearchCatalogArgs, outfits: bool = True
) -> tuple[str, dict[str, Any]]:
    """What ``search_catalog`` does: an outfit for an occasion, else a search that relaxes
    the season, then the occasion, before it gives up on the shopper's request."""
    parsed = retriever.parse(args.query)
    filters = args.filters() if args.planned else parsed.filters.merged(args.filters())
    if filters.colour and filters.exclude_colour:
        # A colour read from the words (an item's title) gives way to one ruled out.
        kept = [c for c in filters.colour if c not in filters.exclude_colour]
        filters = filters.model_copy(update={"colour": kept or None})
    # "what clothes do i pack for goa": clothes in general still make an outfit
    names_item = (
        filters.article_type or filters.subcategory or (filters.category and filters.category != ["Apparel"])
    )
    kids = set(filters.gender or []) & {"Boys", "Girls"}
    lacking = bool(
        names_item
        and kids
        and set(filters.gender or []) <= {"Boys", "Girls", "Unisex"}
        and not retriever.search(args.query, filters.without(*_SOFTER), k=1, parse=False, relax=False).items
    )  # fmt: skip
    if lacking and "Unisex" not in filters.gender:
        # No caps for boys, but caps for anyone: those fit a child before the grown-ups' ones do
        anyone = filters.model_copy(update={"gender": sorted(kids) + ["Unisex"]})
        if retriever.search(args.query, anyone.without(*_SOFTER), k=1, parse=False, relax=False).items:
            filters, lacking = anyone, False
    grown_up = lacking and not args.young
    if grown_up:
        # No sarees or heels in children's sizes: a teenager wears the grown-ups' ones.
        filters = filters.model_copy(
            update={"gender": sorted({GROWN_UP[g] for g in kids}), "exclude_gender": None}
        )
    if (
        not filters.gender
        and filters.article_type
        and not args.young
        and not {"Men", "Women"} & set(filters.exclude_gender or [])
    ):
        filters = _usual_wearer(retriever, filters)
    # A price range ("between 2k and 3k for ethnic wear") is what one piece costs: pieces, not a look.
    ranged = (
        parsed.filters.price_min is not None  # said in these words, not carried from an earlier "around"
        and parsed.filters.price_max is not None
        and filters.price_min is not None
        and filters.price_max is not None
        and not any(n.startswith("around ") for n in parsed.notes)  # "a wedding look around 3000" is a look
    )
    occasion = (
        None
        if names_item or ranged or not (outfits and args.outfit)
        else occasion_in(args.query, filters.usage)
    )
    if occasion is not None and (
        (filters.colour and parsed.filters.colour) or _STYLE_ASKED.search(args.query.lower())
    ):
        # "something plain white for the funeral", "karwa chauth outfit, red preferred": the colour is
        # what the shopper asked of the clothes, so the occasion's main pieces in it, not a look
        # around one piece in that colour.
        filters, occasion = _main_pieces(retriever, occasion, filters, args.query), None
    if occasion is not None:
        look = plan_outfit(retriever, occasion, filters, args.query)
        if look.pieces:
            return format_look(look), look_artifact(look, filters, parsed.notes)
    # Several colours asked ("maroon or wine") or things to go with an item: a spread of colours to choose from.
    several = len(filters.colour or []) > 1 or (args.spread and len(filters.colour or []) != 1)
    # the things people give: some of each kind, not five perfumes
    kinds = args.assorted and len(filters.article_type or []) > 1
    # the cheapest of the relevant ones; things to go with an item from a wider pool, for more colours
    if args.cheapest or args.priciest:
        k = 400
    else:
        k = (5 if args.spread else 3) * args.k if several or kinds else args.k
    result = retriever.search(args.query, filters, k=k, parse=False)
    above_ceiling = None
    softened: list[str] = []
    if args.cheapest and not result.items:
        # The cheapest within the budget without the occasion first, then (said so) the cheapest there is:
        # "no sarees under 1000? what's the cheapest you have then".
        soft = [s for s in SOFT if getattr(filters, s)]
        attempts = [(filters.without(*soft), None)] if soft else []
        if filters.price_max is not None:
            attempts.append((filters.without(*soft, "price_max"), filters.price_max))
        for relaxed, ceiling in attempts:
            cheapest = retriever.search(args.query, relaxed, k=k, parse=False)
            if cheapest.items:
                result, softened, above_ceiling = cheapest, soft, ceiling
                break
    if args.cheapest or args.priciest:
        result.items = sorted(result.items, key=lambda i: i.price, reverse=args.priciest)[: args.k]
    elif several:
        result.items = spread(result.items, args.k)
    elif kinds:
        result.items = spread(result.items, args.k, by="article_type")
    result.notes = list(parsed.notes) + result.notes
    dropped: list[str] = list(softened)
    used: list[str] = list(softened)  # the soft constraints whose dropping found more items
    tagged = 0 if softened else len(result.items)

    def top_up(relaxed: Filters) -> bool:
        """Add the closest items ``relaxed`` finds to the few found; whether any were added."""
        seen = {i.id for i in result.items}
        retry = retriever.search(args.query, relaxed, k=args.k, parse=False)
        extra = [i for i in retry.items if i.id not in seen][: args.k - len(result.items)]
        if extra:
            result.items, result.relaxation = result.items + extra, None
        return bool(extra)

    for soft in SOFT + ("unisex",):
        if len(result.items) >= min(3, args.k):
            break
        if soft == "unisex":
            if filters.gender and "Unisex" not in filters.gender:
                # Few items for that person: unisex ones suit them too (a school backpack, sunglasses).
                top_up(filters.without(*dropped).model_copy(update={"gender": ["Unisex"]}))
        elif getattr(result.filters, soft):
            # Few or no items tagged for the season or occasion: the closest others follow them.
            dropped.append(soft)
            if top_up(filters.without(*dropped)):
                used = list(dropped)
    near_kind = None
    siblings = [
        s
        for a in filters.article_type or []
        for s in SIBLING_KINDS.get(a, [])
        if s not in filters.article_type
    ]
    if (
        not result.items
        and siblings
        and retriever.count_by("gender", Filters(article_type=filters.article_type, gender=filters.gender))
    ):
        # No yellow kurtis, but yellow kurtas: the nearest kind in the colour asked, and the answer says so
        # (a kind the shop has none of for that person at all, men's kurta sets, is said not to be carried).
        near = filters.without(*dropped).model_copy(update={"article_type": siblings})
        found = retriever.search(args.query, near, k=k, parse=False, relax=False)
        if found.items:
            near_kind, result = list(filters.article_type or []), found
            result.items = spread(result.items, args.k) if several else result.items[: args.k]
    near_colour = None
    if not result.items and filters.colour:
        # No tan handbags: brown, beige and khaki ones are the nearest, and the answer says so.
        ruled_out = set(filters.colour) | set(filters.exclude_colour or [])
        near = [
            s
            for s in dict.fromkeys(s for c in filters.colour for s in NEAR_SHADES.get(c, []))
            if s not in ruled_out
        ]
        shaded = filters.model_copy(update={"colour": near})
        attempts = [shaded, shaded.without("usage")] if shaded.usage else [shaded]
        if filters.gender and "Unisex" not in filters.gender and set(filters.gender) <= {"Men", "Women"}:
            # no brown backpacks for women, but unisex ones: they suit her too
            attempts += [a.model_copy(update={"gender": [*filters.gender, "Unisex"]}) for a in attempts]
        for attempt in attempts if near else []:
            found = retriever.search(args.query, attempt, k=k, parse=False, relax=False)
            if found.items:
                near_colour, result = list(filters.colour), found
                result.items = spread(result.items, args.k)
                break
    below_floor = None
    if not result.items and filters.price_min is not None:
        # "around 1500" and no flip-flops from 1,200 to 1,800: the cheaper ones are within the budget.
        cheaper = retriever.search(args.query, filters.without("price_min"), k=k, parse=False, relax=False)
        if cheaper.items:
            below_floor, result = filters.price_min, cheaper
            result.items = spread(result.items, args.k) if several else result.items[: args.k]
    artifact = search_artifact(result)
    artifact["soft_dropped"] = used
    artifact["grown_up"] = grown_up
    artifact["below_floor"] = below_floor
    artifact["above_ceiling"] = above_ceiling
    artifact["near_colour"] = near_colour
    artifact["near_kind"] = near_kind
    artifact["tagged"] = tagged
    text = format_result(result)
    if artifact["soft_dropped"]:
        what = " or ".join(artifact["soft_dropped"])
        text = (f"{tagged} tagged for that {what}; the rest are the closest matches without it:\n" if tagged
                else f"Nothing tagged for that {what}; closest matches without it:\n") + text  # fmt: skip
    return text, artifact


def format_look(look: Look) -> str:
    lines = [f"An outfit for {look.occasion}" + (f" ({look.gender.lower()})" if look.gender else "") + ":"]
    for piece in look.pieces:
        lines.append(f"{piece.role}: {item_line(piece.item)} | why: {piece.reason}")
    lines.append(f"Total {look.total:.0f}" + (f" (budget {look.budget:.0f})" if look.budget else ""))
    return "\n".join(lines)


def look_artifact(look: Look, filters: Filters, notes: list[str]) -> dict[str, Any]:
    return {
        "items": look.items(),
        "filters": filters.active(),
        "notes": notes,
        "relaxation": None,
        "outfit": {
            "occasion": look.occasion,
            "gender": look.gender,
            "total": look.total,
            "budget": look.budget,
            "pieces": [{"role": p.role, "id": p.item.id, "reason": p.reason} for p in look.pieces],
        },
    }


def build_tools(retriever: Retriever, trends: Any = None, *, outfits: bool = True) -> list[BaseTool]:
    """The stylist's tools over a retriever and (optionally) the trend service."""

    def search_catalog(**kwargs: Any) -> tuple[str, dict[str, Any]]:
        return search_products(retriever, SearchCatalogArgs(**kwargs), outfits)

    def complete_look(
        product_id: str,
        price_max: float | None = None,
        k: int = 4,
        colour: list[str] | None = None,
        exclude_colour: list[str] | None = None,
    ) -> tuple[str, dict]:
        said = Filters(colour=colour or None, exclude_colour=exclude_colour or None)
        look = complete_the_look(retriever, product_id, price_max, k, said)
        if look["anchor"] is None:
            return f"Unknown product id {product_id}.", look
        if not look["items"]:
            return "Nothing in the catalog completes this look within the constraints.", look
        lines = [
            f"[{i['id']}] {i['title']} | {i['price']:.0f} {i['currency']} | {i['colour']}"
            for i in look["items"]
        ]
        return "Items that go with it:\n" + "\n".join(lines), look

    def trend_forecast(
        query: str, gender: str | list[str] | None = None, season: str | list[str] | None = None
    ) -> tuple[str, dict]:
        """The shopper-terms answer (the text the model copies) and the trends it speaks about.

        ``gender``/``season`` are what the shopper asked (the planner passes the parser's);
        when absent they, and the item asked, are read from ``query`` by the catalog parser.
        """
        from stylist.trends.answer import trend_reply, trend_request

        if trends is None:
            return "No trend forecasts exist yet, so do not claim anything is trending.", {"trends": []}
        try:
            parsed = retriever.parser.parse(query).filters
        except Exception:  # noqa: BLE001 - no catalog yet: read only the trend words
            parsed = None
        request = trend_request(query, gender=gender, season=season, filters=parsed)
        found = trends.lookup(query, request) if hasattr(trends, "lookup") else trends.forecasts(query, k=3)
        answer, said = trend_reply(request, found)
        return answer, {
            "trends": list(said),
            "answer": answer,
            "asked": {"gender": request.gender, "season": request.season, "focus": request.focus},
        }

    def classify(text: str) -> tuple[str, dict]:
        from stylist.trends.answer import classify_text

        if trends is None:
            return "The trend classifier is not available.", {}
        out = trends.classify(text)
        return classify_text(out), out

    return [
        StructuredTool.from_function(
            search_catalog, name=SEARCH_CATALOG, args_schema=SearchCatalogArgs,
            description="Search the shop's catalog. Use it for every product request. Returns real products "
            "with id, title, price, colour, type, gender and occasion. Only recommend products it returns.",
            response_format="content_and_artifact",
        ),
        StructuredTool.from_function(
            complete_look, name=COMPLETE_THE_LOOK, args_schema=CompleteTheLookArgs,
            description="Given a product id, find items from other categories in harmonious colours for the "
            "same gender and occasion. Use it for 'what goes with this?'.",
            response_format="content_and_artifact",
        ),
        StructuredTool.from_function(
            trend_forecast, name=GET_TREND_FORECAST, args_schema=TrendForecastArgs,
            description="Get forecast-backed trend summaries (rising, steady or declining). Use it for "
            "questions like 'is wide-leg denim still in?'.",
            response_format="content_and_artifact",
        ),
        StructuredTool.from_function(
            classify, name=CLASSIFY_TREND, args_schema=ClassifyTrendArgs,
            description="Classify a fashion phrase into catalog attributes and give its trend status.",
            response_format="content_and_artifact",
        ),
    ]  # fmt: skip


def tool_schemas(tools: list[BaseTool]) -> list[dict[str, Any]]:
    """The tools as the OpenAI API (and so the chat template) sees them."""
    from langchain_core.utils.function_calling import convert_to_openai_tool

    return [convert_to_openai_tool(t) for t in tools]


# --- constrained tool calls ----------------------------------------------------

#: Arguments whose values come from the catalog; a call may only use the catalog's own values.
CATALOG_VALUED = ("article_type", "colour", "usage", "season")


def catalog_values(metas: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The values the catalog uses for each of :data:`CATALOG_VALUED`."""
    return {k: sorted({str(m[k]) for m in metas if m.get(k)}) for k in CATALOG_VALUED}


def tool_call_grammar(schemas: list[dict[str, Any]], values: dict[str, list[str]]) -> dict[str, Any]:
    """A vLLM ``response_format`` (an xgrammar structural tag) for Hermes-style tool calls.

    The model writes freely until it opens ``<tool_call>``; from there it must name one of the
    tools and give arguments that fit its schema, with catalog-valued arguments limited to
    ``values`` (no "Navy Pants" article type, no colour "KH"). Properties may come in any order,
    as the model was trained on. A model with another tool-call format never opens the trigger,
    so the grammar leaves it alone.
    """
    tags = []
    for schema in schemas:
        function = schema["function"]
        params = json.loads(json.dumps(function.get("parameters", {})))
        for key, allowed in values.items():
            prop = params.get("properties", {}).get(key)
            if prop is not None and allowed:
                params["properties"][key] = {"anyOf": [{"type": "string", "enum": allowed}, {"type": "null"}]}
        tags.append({
            "type": "tag",
            "begin": '<tool_call>\n{"name": ' + json.dumps(function["name"]) + ', "arguments": ',
            "content": {"type": "json_schema", "json_schema": params, "any_order": True},
            "end": "}\n</tool_call>",
        })  # fmt: skip
    return {
        "type": "structural_tag",
        "format": {"type": "triggered_tags", "triggers": ["<tool_call>"], "tags": tags},
    }


def catalog_tool_call_grammar(schemas: list[dict[str, Any]], retriever: Retriever) -> dict[str, Any]:
    """:func:`tool_call_grammar` with the live catalog's values (the schemas alone before ingestion)."""
    from stylist.retrieval import StoreEmpty

    try:
        values = catalog_values(retriever.snapshot().metas)
    except StoreEmpty:  # nothing ingested yet: searches say "run stylist ingest" anyway
        values = {}
    return tool_call_grammar(schemas, values)
