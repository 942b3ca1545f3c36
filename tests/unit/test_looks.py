"""Outfit plans, colour harmony and soft constraints, over a scripted catalog (no store, no model)."""

from __future__ import annotations

import pytest

from stylist.looks import complete_the_look, next_colours, occasion_in, plan_outfit
from stylist.query import Filters
from stylist.tools import SearchCatalogArgs, search_products
from tests.fakes import CatalogFake, product

CATALOG = [
    product("1", "Kurtas", "Green", usage="Ethnic", price=1500, subcategory="Topwear"),
    product("2", "Kurtas", "Maroon", usage="Ethnic", price=900, subcategory="Topwear", season="Fall"),
    product("3", "Heels", "Green", price=1200, category="Footwear", subcategory="Shoes"),
    product("4", "Heels", "Gold", price=800, category="Footwear", subcategory="Shoes"),
    product("5", "Earrings", "Green", usage="Ethnic", price=300, category="Accessories", subcategory="Jewellery"),
    product("6", "Earrings", "Silver", usage="Ethnic", price=400, category="Accessories", subcategory="Jewellery"),
    product("7", "Shirts", "Green", gender="Men", price=1100, subcategory="Topwear"),
    product("8", "Trousers", "Green", gender="Men", price=1300, subcategory="Bottomwear"),
    product("9", "Trousers", "Beige", gender="Men", price=1400, subcategory="Bottomwear"),
    product("10", "Casual Shoes", "Green", gender="Men", price=2000, category="Footwear", subcategory="Shoes"),
    product("11", "Casual Shoes", "Brown", gender="Men", price=2100, category="Footwear", subcategory="Shoes"),
    product("12", "Ties", "Green", gender="Men", usage="Formal", price=500, category="Accessories", subcategory="Ties"),
    product("13", "Ties", "Navy Blue", gender="Men", usage="Formal", price=550, category="Accessories", subcategory="Ties"),
    product("14", "Handbags", "Black", price=4599, category="Accessories", subcategory="Bags"),
    product("15", "Handbags", "Tan", price=1900, category="Accessories", subcategory="Bags"),
]  # fmt: skip


@pytest.fixture
def catalog() -> CatalogFake:
    return CatalogFake(CATALOG)


@pytest.mark.parametrize(
    ("text", "occasion"),
    [
        ("I have a summer wedding to attend, I'm a woman", "a wedding"),
        ("what should I pack for Goa?", "the beach"),
        ("going on a trip next week, what to wear", "your trip"),
        ("job interview on monday", "work"),
        ("a navy shirt", None),
    ],
)
def test_occasions_are_read_from_the_shoppers_words(text: str, occasion: str | None) -> None:
    found = occasion_in(text)
    assert (found.name if found else None) == occasion


def test_a_look_is_never_one_colour_and_keeps_at_most_one_accent() -> None:
    allowed, avoid = next_colours(["Green"])
    assert avoid == ["Green"] and "Green" not in allowed
    assert set(allowed) >= {"Beige", "Brown", "White"} and "Red" not in allowed
    allowed, avoid = next_colours(["Black"])
    assert allowed is None and avoid == ["Black"]  # a neutral leaves the one accent free
    allowed, avoid = next_colours(["Black", "Red"])
    assert avoid == ["Black"] and "Black" not in allowed and "Red" not in allowed  # one accent at most
    assert {"White", "Pink"} <= set(allowed)


def test_wedding_outfit_for_women_is_one_piece_per_role_within_the_total(catalog: CatalogFake) -> None:
    look = plan_outfit(catalog, occasion_in("wedding"), Filters(gender=["Women"], price_max=3000), "wedding")
    roles = [p.role for p in look.pieces]
    assert roles == ["outfit", "footwear", "accessory"]  # no bottom: none in the catalog
    assert look.total <= 3000
    colours = [p.item.colour for p in look.pieces]
    assert len(set(colours)) >= 2, colours
    assert all(p.item.gender in ("Women", "Unisex") for p in look.pieces)
    assert all(p.reason.endswith(".") and p.item.colour.lower() in p.reason for p in look.pieces)


def test_a_grown_ups_look_takes_no_unisex_kids_shoes() -> None:
    kids_clogs = {**product("20", "Sandals", "Navy Blue", gender="Unisex", price=300, category="Footwear",
                            subcategory="Shoes"), "title": "Crocs Kid's Baya Navy Kidswear"}  # fmt: skip
    shop = CatalogFake([*CATALOG, kids_clogs])
    look = plan_outfit(shop, occasion_in("wedding"), Filters(gender=["Men"]), "wedding")
    assert look.pieces and "20" not in [p.item.id for p in look.pieces]


def test_a_season_that_empties_a_piece_is_relaxed_and_said(catalog: CatalogFake) -> None:
    # Only a Fall kurta fits a 1000 budget share: the season is dropped for it, and the reason says so.
    look = plan_outfit(
        catalog,
        occasion_in("wedding"),
        Filters(gender=["Women"], season=["Summer"], price_max=1900),
        "wedding",
    )
    main = look.pieces[0]
    assert main.item.id == "2" and main.relaxed == ["season"]
    assert "none are tagged for that season" in main.reason


def test_search_catalog_with_an_occasion_and_no_item_plans_an_outfit(catalog: CatalogFake) -> None:
    text, artifact = search_products(
        catalog, SearchCatalogArgs(query="a wedding outfit, I'm a woman, budget 3000")
    )
    assert artifact["outfit"]["occasion"] == "a wedding" and artifact["outfit"]["budget"] == 3000
    assert [i["role"] for i in artifact["items"]] == ["outfit", "footwear", "accessory"]
    assert "Total" in text


def test_alternatives_in_a_call_are_or_not_an_empty_intersection(catalog: CatalogFake) -> None:
    args = SearchCatalogArgs(query="kurta", article_type="Kurtas", usage=["Party", "Ethnic"], gender="Women")
    _, artifact = search_products(catalog, args)
    assert [i["id"] for i in artifact["items"]] == ["1", "2"]


def test_an_empty_season_is_dropped_before_giving_up(catalog: CatalogFake) -> None:
    args = SearchCatalogArgs(query="heels", article_type="Heels", season="Winter")
    text, artifact = search_products(catalog, args)
    assert artifact["soft_dropped"] == ["season"] and [i["id"] for i in artifact["items"]] == ["3", "4"]
    assert text.startswith("Nothing tagged for that season")


def test_complete_the_look_of_a_green_shirt_is_not_all_green(catalog: CatalogFake) -> None:
    look = complete_the_look(catalog, "7")
    colours = [i["colour"] for i in look["items"]]
    assert colours and "Green" not in colours, colours
    assert all("green" in i["reason"].lower() for i in look["items"])


def test_hidden_guard_arguments_reach_the_search(catalog: CatalogFake) -> None:
    args = SearchCatalogArgs(query="ties", article_type="Ties", exclude_colour=["Green"])
    _, artifact = search_products(catalog, args)
    assert [i["id"] for i in artifact["items"]] == ["13"]
    schema = SearchCatalogArgs.model_json_schema()
    assert "exclude_colour" not in schema["properties"] and "exclude_ids" not in schema["properties"]


def test_few_items_tagged_for_the_occasion_are_topped_up_with_the_closest(catalog: CatalogFake) -> None:
    args = SearchCatalogArgs(query="kurta", article_type="Kurtas", usage="Ethnic", season="Summer", k=5)
    text, artifact = search_products(catalog, args)
    assert [i["id"] for i in artifact["items"]] == ["1", "2"]  # the Fall kurta follows the Summer one
    assert artifact["tagged"] == 1 and artifact["soft_dropped"] == ["season"]
    assert text.startswith("1 tagged for that season")


def test_shoes_for_a_dress_are_heels_flats_or_sandals() -> None:
    from stylist.looks import pairing_articles

    dress = {"subcategory": "Dress", "usage": "Casual", "gender": "Women"}
    assert pairing_articles(dress, Filters(category=["Footwear"])) == ["Heels", "Flats", "Sandals"]
    assert pairing_articles(dress, Filters(article_type=["Casual Shoes"])) is None  # the shopper said
    casual_top = {"subcategory": "Topwear", "usage": "Casual", "gender": "Men"}
    assert pairing_articles(casual_top, Filters(category=["Footwear"])) is None
    wedding_kurta = {"subcategory": "Topwear", "usage": "Ethnic", "gender": "Women"}
    assert pairing_articles(wedding_kurta, Filters(category=["Footwear"])) == ["Flats", "Heels", "Sandals"]


def test_outfit_planning_can_be_turned_off(catalog: CatalogFake) -> None:
    args = SearchCatalogArgs(query="a wedding outfit, I'm a woman", gender="Women")
    _, artifact = search_products(catalog, args, outfits=False)
    assert "outfit" not in artifact and len(catalog.searches) == 1


@pytest.mark.parametrize(
    "text", ["a gift for my dad's wedding anniversary", "secret santa at work, something neutral"]
)
def test_a_gift_is_one_thing_not_an_outfit(text: str) -> None:
    assert occasion_in(text) is None


def test_a_palette_dresses_every_piece_and_one_colour_only_the_main_one(catalog: CatalogFake) -> None:
    occasion = occasion_in("office party")
    palette = plan_outfit(catalog, occasion, Filters(gender=["Men"], colour=["Green", "Beige"]), "party")
    assert palette.pieces and all(p.item.colour in ("Green", "Beige") for p in palette.pieces)
    one = plan_outfit(catalog, occasion, Filters(gender=["Men"], colour=["Green"]), "party")
    assert one.pieces[0].item.colour == "Green" and len({p.item.colour for p in one.pieces}) >= 2


def test_spread_takes_each_colours_best_first() -> None:
    from types import SimpleNamespace

    from stylist.tools import spread

    items = [
        SimpleNamespace(id=i, colour=c)
        for i, c in enumerate(["Black", "Black", "Black", "Red", "Blue", "Red"])
    ]
    assert [i.id for i in spread(items, 3)] == [0, 3, 4]  # rank order kept among those chosen
    assert [i.id for i in spread(items, 5)] == [0, 1, 3, 4, 5]


def test_an_item_made_only_for_grown_ups_is_found_in_their_sizes_for_a_teenager() -> None:
    shop = CatalogFake([product("1", "Sarees", "Yellow", price=2000, usage="Ethnic"),
                        product("2", "Tshirts", "Red", gender="Girls", price=500)])  # fmt: skip
    args = SearchCatalogArgs(
        query="sarees for the farewell", gender="Girls", article_type="Sarees", planned=True
    )
    _, artifact = search_products(shop, args)
    assert [i["id"] for i in artifact["items"]] == ["1"] and artifact["grown_up"]
    # A young child's age was said: no grown-ups' sarees, an honest no-match instead.
    _, artifact = search_products(shop, args.model_copy(update={"young": True}))
    assert not artifact["items"] and not artifact["grown_up"]
    # Children's T-shirts exist: they are the answer.
    _, artifact = search_products(
        shop, SearchCatalogArgs(query="tee", gender="Girls", article_type="Tshirts")
    )
    assert [i["id"] for i in artifact["items"]] == ["2"] and not artifact["grown_up"]


def test_a_winter_wedding_look_asked_in_ethnic_wear_stays_ethnic() -> None:
    shop = CatalogFake([product("1", "Kurtas", "Cream", gender="Men", usage="Ethnic", price=1500, season="Winter"),
                        product("2", "Sweaters", "Green", gender="Men", price=1200, season="Winter"),
                        product("3", "Shirts", "White", gender="Men", usage="Formal", price=1000, season="Winter")])  # fmt: skip
    filters = Filters(gender=["Men"], usage=["Ethnic"], season=["Winter"])
    look = plan_outfit(
        shop, occasion_in("shaadi in december"), filters, "shaadi in december, something ethnic"
    )
    assert look.pieces[0].item.id == "1"
