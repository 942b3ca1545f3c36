"""Grounding: which product references in an answer were not retrieved."""

from __future__ import annotations

from stylist.grounding import Grounding, compose_answer
from stylist.query import Filters

CATALOG = [
    {"id": "1800", "title": "Peter England Men Navy Blue Shirt", "article_type": "Shirts"},
    {"id": "2900", "title": "Biba Women Cream Kurta", "article_type": "Kurtas"},
    {"id": "15970", "title": "Arrow Woman Red Top", "article_type": "Tops"},
    {"id": "15749", "title": "Highlander Men Solid Navy Blue Trousers", "article_type": "Trousers"},
    {"id": "22369", "title": "Highlander Men Solid Navy Blue Trouser", "article_type": "Trousers"},
    {
        "id": "9204",
        "title": "Puma Men Black Running Shoes",
        "article_type": "Sports Shoes",
        "colour": "Black",
        "category": "Footwear",
        "subcategory": "Shoes",
        "usage": "Sports",
        "season": "Summer",
    },
]


def test_a_budget_or_price_that_equals_a_product_id_is_not_a_product_reference() -> None:
    grounding = Grounding(CATALOG)
    allowed = [CATALOG[2]]
    assert grounding.ungrounded("Here are tops within your 1800 budget.", allowed) == []
    assert grounding.ungrounded("All of them cost less than 2900 rupees.", allowed) == []


def test_an_id_written_as_a_reference_must_have_been_retrieved() -> None:
    grounding = Grounding(CATALOG)
    allowed = [CATALOG[2]]
    assert grounding.ungrounded("Try item 1800 too.", allowed) == ["1800"]
    assert grounding.ungrounded("Or #2900.", allowed) == ["2900"]
    assert grounding.ungrounded("The top (id: 15970) is lovely.", allowed) == []


def test_titles_and_brands_not_retrieved_are_found() -> None:
    grounding = Grounding(CATALOG)
    allowed = [CATALOG[2]]
    assert grounding.ungrounded("The Arrow Woman Red Top is lovely.", allowed) == []
    assert "peter england men navy blue shirt" in grounding.ungrounded(
        "Pair it with the Peter England Men Navy Blue Shirt.", allowed
    )
    assert "Biba".lower() in grounding.ungrounded("Biba has nice ones.", allowed)


def test_a_title_inside_a_longer_retrieved_title_is_not_another_product() -> None:
    grounding = Grounding(CATALOG)
    allowed = [CATALOG[3]]  # "... Trousers"; the catalog also has "... Trouser" (another id)
    assert grounding.ungrounded("- Highlander Men Solid Navy Blue Trousers (1299 INR)", allowed) == []
    assert grounding.ungrounded("Or the Highlander Men Solid Navy Blue Trouser.", allowed) == [
        "highlander men solid navy blue trouser"
    ]


def test_a_kind_of_item_in_catalog_words_is_not_a_product_but_an_invented_name_is() -> None:
    grounding = Grounding(CATALOG)
    trend = "Sports Shoes in Men's Footwear, Summer: steady (+0%). Black Sports Shoes are rising."
    assert grounding.ungrounded(trend, []) == []
    assert grounding.ungrounded("Try the Velvet Dream Sports Shoes.", []) == ["velvet dream sports shoes"]
    assert grounding.ungrounded("The Puma Black Running Shoes are great.", []) != []  # a brand, not retrieved


def test_cleaning_keeps_the_lines_of_a_list_and_drops_only_the_bad_sentence() -> None:
    from stylist.grounding import compose_answer, dedupe_repetition
    from stylist.query import Filters

    text = "Here you go.\n- Arrow Woman Red Top (999 INR)\n- Peter England Men Navy Blue Shirt (1299 INR)\nEnjoy!"
    shown = [CATALOG[2] | {"price": 999, "currency": "INR"}]
    cleaned = compose_answer(text, shown, Filters(), Grounding(CATALOG))
    # The products come from the tool results; the model's own grounded remarks follow them.
    assert (
        cleaned == "Here's one pick from our catalog.\nHere you go. Enjoy!\n- Arrow Woman Red Top (999 INR)"
    )
    assert dedupe_repetition("Nice. Nice.\n- A top\n- A top\nBye.") == "Nice.\n- A top\nBye."


def test_a_budget_the_shopper_did_not_give_is_dropped_from_the_answer() -> None:
    from stylist.grounding import compose_answer, misstates_budget
    from stylist.query import Filters

    assert misstates_budget("All of them are within your 5750 INR budget.", Filters())
    assert misstates_budget("They fit a budget of 900.", Filters(price_max=1500))
    assert not misstates_budget("All of them are within your 1500 INR budget.", Filters(price_max=1500))
    assert not misstates_budget("Budget-friendly and smart.", Filters())
    text = (
        "Here are some picks:\n- Arrow Woman Red Top (999 INR)\nAll of them are within your 5750 INR budget."
    )
    answer = compose_answer(
        text, [CATALOG[2] | {"price": 999, "currency": "INR"}], Filters(), Grounding(CATALOG)
    )
    assert answer == "Here's one pick from our catalog.\n- Arrow Woman Red Top (999 INR)"


def test_a_sentence_that_loops_is_dropped_and_the_rest_of_the_answer_stays() -> None:
    from stylist.grounding import compose_answer, loops
    from stylist.query import Filters

    looping = "The black sit well with the black sit well with the black sit well with the black."
    assert loops(looping)
    assert not loops("Black goes with white, and white goes with black.")
    shoes = ["Puma Men Black Casual Shoes", "Nike Men Black Casual Shoes", "Fila Men Black Casual Shoes"]
    listing = "Try the Puma Men Black Casual Shoes, the Nike Men Black Casual Shoes or the Fila Men Black Casual Shoes."
    assert loops(listing) and not loops(listing, shoes)  # similar product names are not a loop
    top = CATALOG[2] | {"price": 999, "currency": "INR"}
    answer = compose_answer(
        f"Pair it with the Arrow Woman Red Top (999 INR). {looping}",
        [top],
        Filters(),
        Grounding(CATALOG),
        None,
        "look",
    )
    assert answer == "Here's one pick from our catalog.\n- Arrow Woman Red Top (999 INR)"
    assert "sit well" not in answer


def test_sentences_that_contradict_the_cards_are_dropped() -> None:
    from stylist.grounding import compose_answer, contradicts
    from stylist.query import Filters

    cards = [
        {"id": "1", "title": "Aa Women Black Bag", "price": 4599.0, "currency": "INR", "colour": "Black"},
        {"id": "2", "title": "Bb Women Tan Bag", "price": 1899.0, "currency": "INR", "colour": "Tan"},
    ]
    colours = ["Black", "Tan", "Green", "Navy Blue", "Blue"]
    assert contradicts("All of these are under 2000.", cards, Filters(), colours)  # a card is 4599
    assert contradicts("Here are three options.", cards, Filters(), colours)  # two are shown
    assert contradicts("The green ones are lovely.", cards, Filters(), colours)  # no green card
    assert contradicts("Prices start at 999.", cards, Filters(), colours)  # no card costs 999
    assert not contradicts("Both cost less than 5,000 INR, the tan one is 1,899.", cards, Filters(), colours)
    assert not contradicts("Two options in black and tan.", cards, Filters(), colours)
    answer = compose_answer("Here are three great picks. A classic choice.", cards, Filters(), None)
    assert "three" not in answer and answer.startswith(
        "Here are 2 picks from our catalog.\nA classic choice."
    )
    assert "- Aa Women Black Bag (4599 INR)" in answer


def test_a_colour_on_a_kind_shown_must_be_that_kinds_colour_whatever_the_palette() -> None:
    from stylist.grounding import contradicts
    from stylist.query import Filters

    # Things to go with red heels: the palette allows pink, but the top shown is black.
    cards = [
        {"id": "1", "price": 1399.0, "colour": "Black", "article_type": "Tops"},
        {"id": "2", "price": 1299.0, "colour": "Pink", "article_type": "Handbags"},
    ]
    palette = Filters(colour=["Pink", "Black", "Grey", "White"])
    colours = ["Pink", "Black", "Grey", "White", "Red"]
    assert contradicts("The pink top is made for casual wear.", cards, palette, colours)
    assert not contradicts("The black top and the pink handbag go with it.", cards, palette, colours)
    assert not contradicts("A pink accent lifts the look.", cards, palette, colours)
    dresses = [{"id": "3", "price": 1999.0, "colour": "Black", "article_type": "Dresses"}]
    assert contradicts("The pink dress is perfect.", dresses, palette, colours)  # "dresses" names a dress


def test_a_reason_keeps_the_size_as_written() -> None:
    from stylist.grounding import reason_for
    from stylist.query import Filters

    reason = reason_for({"colour": "Blue", "article_type": "Shirts"}, Filters(size="M"))
    assert reason == "Size M in stock"


def test_a_model_sentence_saying_nothing_is_carried_is_dropped_above_cards() -> None:
    from stylist.grounding import contradicts
    from stylist.query import Filters

    cards = [{"id": "1", "price": 599.0, "colour": "Black", "article_type": "Rain Jacket"}]
    assert contradicts("Sorry, we don't carry any raincoat for monsoon right now.", cards, Filters())
    assert not contradicts("These rain jackets keep you dry.", cards, Filters())


def test_the_lead_said_again_by_the_model_is_dropped() -> None:
    from stylist.grounding import contradicts
    from stylist.query import Filters

    cards = [{"id": "1", "price": 599.0, "colour": "Green", "article_type": "Kurtas"}]
    assert contradicts("I looked for green kurtas for women and found 7.", cards, Filters())


def test_model_remarks_cut_off_or_counting_other_cards_are_dropped() -> None:
    cards = [{"id": str(i), "title": f"Brand Men Brown Wallet {i}", "price": 999.0, "currency": "INR",
              "colour": "Brown", "article_type": "Wallets", "gender": "Men", "reason": ""} for i in range(3)]  # fmt: skip
    text = "To match the wallet, I picked 4.\nAll of them are within your\nBrown is easy to wear."
    answer = compose_answer(text, cards, Filters(article_type=["Wallets"]), None, None, "search", {})
    assert "I picked 4" not in answer and "within your\n" not in answer and "Brown is easy to wear." in answer


def test_a_look_under_a_ceiling_made_for_cheaper_does_not_call_it_the_shoppers_budget() -> None:
    from stylist.grounding import answer_lead

    items = [{"id": "1", "title": "Brand Men Blue Kurta", "price": 900.0, "currency": "INR"}]
    outfit = {"occasion": "a wedding", "gender": "Men", "total": 900.0, "budget": 2877.0, "currency": "INR"}
    own = answer_lead(items, Filters(price_max=2877), None, {"outfit": outfit})
    assert "within your 2,877 budget" in own
    derived = answer_lead(items, Filters(price_max=2877), None, {"outfit": outfit, "derived_ceiling": True})
    assert "your 2,877 budget" not in derived and "under 2,877 as you wanted it cheaper" in derived
