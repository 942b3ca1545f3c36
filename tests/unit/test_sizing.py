"""Size advice: the shopper's words read into facts, the shop's chart, a size per item, the HTTP route.

The expected sizes in CASES were read off the sample chart (stylist/data/size_chart.sample.csv) by
hand, one range at a time; values on a boundary between two sizes are left out on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stylist.api import create_app
from stylist.errors import CatalogError, InputRejected
from stylist.settings import Settings
from stylist.sizing import (
    SAMPLE_CHART,
    SizeChart,
    SizeRequest,
    advise,
    advise_products,
    chart_path,
    parse_size_request,
)
from tests.fake_stylist import FakeStylist


def product(pid, title, gender, category, sub, article, sizes):
    return {"id": pid, "title": title, "gender": gender, "category": category, "subcategory": sub,
            "article_type": article, "sizes": {s: 2 for s in sizes}}  # fmt: skip


LETTERS = ["XS", "S", "M", "L", "XL", "XXL"]
SHIRT = product("1", "Turtle Check Men Navy Blue Shirt", "Men", "Apparel", "Topwear", "Shirts", LETTERS)
TOP = product("2", "Jealous 21 Women Purple Top", "Women", "Apparel", "Topwear", "Tops", LETTERS)
JEANS = product("3", "Peter England Men Blue Jeans", "Men", "Apparel", "Bottomwear", "Jeans",
                ["28", "30", "32", "34", "36", "38"])  # fmt: skip
SHOES = product("4", "Red Tape Men Brown Casual Shoes", "Men", "Footwear", "Shoes", "Casual Shoes",
                ["6", "7", "8", "9", "10", "11"])  # fmt: skip
PUMA = product("5", "Puma Men Future Cat Sports Shoes", "Men", "Footwear", "Shoes", "Sports Shoes",
               ["6", "7", "8", "9", "10", "11"])  # fmt: skip
HEELS = product(
    "6", "Catwalk Women Black Heels", "Women", "Footwear", "Shoes", "Heels", ["3", "4", "5", "6", "7", "8"]
)
DRESS = product("7", "Gini and Jony Girls Dress", "Girls", "Apparel", "Dress", "Dresses",
                ["2-3Y", "4-5Y", "6-7Y", "8-9Y", "10-11Y", "12-13Y"])  # fmt: skip
TEE = product("8", "Puma Unisex Grey T-shirt", "Unisex", "Apparel", "Topwear", "Tshirts", LETTERS)
SAREE = product("9", "Ishin Women Red Saree", "Women", "Apparel", "Saree", "Sarees", LETTERS)
WATCH = product("10", "Titan Women Silver Watch", "Women", "Accessories", "Watches", "Watches", ["One Size"])

CASES = [
    # men's shirts by chest (XS 84-90, S 90-96, M 96-102, L 102-108, XL 108-114, XXL 114-120 cm)
    (SHIRT, "chest 87 cm", "XS"), (SHIRT, "chest 93 cm", "S"), (SHIRT, "chest 100 cm", "M"),
    (SHIRT, "chest 105 cm", "L"), (SHIRT, "chest 110 cm", "XL"), (SHIRT, "chest 117 cm", "XXL"),
    (SHIRT, "chest 36 inches", "S"), (SHIRT, "chest 40 inches", "M"), (SHIRT, "chest 42 inches", "L"),
    (SHIRT, "chest 44 in", "XL"), (SHIRT, "my chest is 46 inches", "XXL"),
    (SHIRT, "I usually wear M", "M"), (SHIRT, "I'm a large", "L"), (SHIRT, "usually XL", "XL"),
    (SHIRT, "size S", "S"), (SHIRT, "EU 50", "L"), (SHIRT, "UK 42", "XL"),
    (SHIRT, "I'm 5'6\" and 58 kg", "S"), (SHIRT, "I'm 185 cm and 88 kg", "XL"), (SHIRT, "160 cm, 50 kg", "XS"),
    (SHIRT, "chest 100 cm, 5'10\"", "M"),
    # women's tops by bust (XS 76-81, S 81-86, M 86-92, L 92-98, XL 98-104, XXL 104-112 cm)
    (TOP, "bust 79 cm", "XS"), (TOP, "bust 84", "S"), (TOP, "bust 34 inches", "M"), (TOP, "bust 36 inches", "M"),
    (TOP, "bust 38 inches", "L"), (TOP, "bust 101 cm", "XL"), (TOP, "bust 108 cm", "XXL"),
    (TOP, "UK 8", "S"), (TOP, "UK 12", "L"), (TOP, "US 6", "M"), (TOP, "EU 40", "L"),
    (TOP, "I usually wear a small", "S"), (TOP, "waist 73 cm", "M"), (TOP, "hips 103 cm", "L"),
    # jeans by waist (28: 69-74, 30: 74-79, 32: 79-84, 34: 84-89, 36: 89-94, 38: 94-99 cm)
    (JEANS, "waist 72 cm", "28"), (JEANS, "waist 30", "30"), (JEANS, "waist 32 inches", "32"),
    (JEANS, "my waist is 86 cm", "34"), (JEANS, "waist 36", "36"), (JEANS, "waist 96 cm", "38"),
    (JEANS, "I wear 32 in jeans", "32"), (JEANS, "jeans 34", "34"), (JEANS, "EU 52", "36"),
    (JEANS, "I usually wear M", "32"),
    # men's shoes by foot length (UK 6: 23.9-24.7 ... 11: 28.1-29.0 cm) and other systems
    (SHOES, "foot length 24.2 cm", "6"), (SHOES, "foot 25.2 cm", "7"), (SHOES, "my feet are 26 cm", "8"),
    (SHOES, "foot length 26.8 cm", "9"), (SHOES, "foot 27.7 cm", "10"), (SHOES, "foot 28.5 cm", "11"),
    (SHOES, "UK 8 in shoes", "8"), (SHOES, "EU 44", "10"), (SHOES, "US 9 sneakers", "8"),
    (SHOES, "size 9 shoes", "9"), (SHOES, "foot length 25.7 cm", "8"),
    # the brand's own chart wins over the shop's: Puma runs small (UK 7: 25.0-25.8 cm, EU 44.5 = UK 10)
    (PUMA, "foot length 25.7 cm", "7"), (PUMA, "EU 44.5", "10"),
    # women's shoes (UK 3: 21.6-22.4 ... 8: 25.8-26.7 cm; EU 36-41, US 5-10)
    (HEELS, "foot 23.7 cm", "5"), (HEELS, "EU 39", "6"), (HEELS, "UK 4 in heels", "4"), (HEELS, "US 9", "7"),
    # children by height (2-3Y: 86-98 ... 12-13Y: 146-158 cm)
    (DRESS, "she is 92 cm", "2-3Y"), (DRESS, "she is 105 cm tall", "4-5Y"), (DRESS, "height 116 cm", "6-7Y"),
    (DRESS, "she is 128 cm", "8-9Y"), (DRESS, "140 cm", "10-11Y"), (DRESS, "she's 150 cm and 42 kg", "12-13Y"),
    # unisex tops (XS 82-88, S 88-94, M 94-100 ...)
    (TEE, "chest 97 cm", "M"), (TEE, "chest 90", "S"),
    # one size
    (WATCH, "chest 100 cm", "One Size"),
]  # fmt: skip


@pytest.fixture(scope="module")
def chart() -> SizeChart:
    return SizeChart.load(SAMPLE_CHART)


def test_the_table_has_enough_cases():
    assert len(CASES) >= 50


@pytest.mark.parametrize(
    ("item", "said", "expected"), CASES, ids=[f"{c[0]['article_type']}:{c[1]}" for c in CASES]
)
def test_size_from_body_facts_and_habits(chart, item, said, expected):
    advice = advise(item, parse_size_request(said), chart)
    assert advice.size == expected, advice
    assert advice.in_stock and 0 < advice.confidence <= 1 and advice.reason


@pytest.mark.parametrize(
    ("item", "said", "why"),
    [
        (SHIRT, "chest 130 cm", "above the largest size"),
        (SHIRT, "chest 70 cm", "below the smallest size"),
        (SHOES, "foot length 31 cm", "above the largest size"),
        (DRESS, "she is 175 cm", "above the largest size"),
        (SAREE, "bust 90 cm", "no sizes for sarees"),
        (SHIRT, "UK 8 in shoes", "cannot tell from UK 8 in shoes"),  # a shoe size says nothing of a shirt
        (SHIRT, "EU 42", "cannot tell"),  # no men's shirt is EU 42 on this chart
        (SHIRT, "I need a shirt for the office", "cannot tell without"),
        (SHIRT, "I'm 120 cm and 140 kg", "outside this chart"),
    ],
)
def test_the_chart_says_when_it_cannot_tell(chart, item, said, why):
    advice = advise(item, parse_size_request(said), chart)
    assert advice.size is None and advice.confidence == 0
    assert why in advice.reason


def test_without_a_chart_nothing_is_guessed():
    advice = advise(SHIRT, parse_size_request("chest 100 cm"), None)
    assert advice.size is None and "cannot tell" in advice.reason


def test_a_measurement_beats_a_usual_size_that_contradicts_it(chart):
    agree = advise(SHIRT, parse_size_request("chest 100 cm, I usually wear M"), chart)
    against = advise(SHIRT, parse_size_request("chest 100 cm, I usually wear S"), chart)
    assert agree.size == against.size == "M"
    assert agree.confidence >= 0.9 and against.confidence < 0.6
    assert "you usually wear S, but the measurement decides" in against.reason


def test_height_and_weight_that_contradict_a_usual_size_lower_the_confidence(chart):
    plain = advise(SHIRT, parse_size_request("I usually wear M"), chart)
    odd = advise(SHIRT, parse_size_request("I usually wear M, I'm 192 cm and 104 kg"), chart)
    assert plain.size == odd.size == "M" and odd.confidence < plain.confidence
    assert "would suggest another size" in odd.reason


def test_rough_advice_from_height_and_weight_only_is_marked_less_sure(chart):
    advice = advise(SHIRT, parse_size_request("I'm 178 cm and 72 kg"), chart)
    assert advice.size in ("M", "L") and advice.confidence <= 0.6
    assert "measurement would be surer" in advice.reason


def test_a_sold_out_size_is_named_with_the_neighbours_in_stock(chart):
    shirt = {**SHIRT, "sizes": {"XS": 1, "S": 0, "M": 0, "L": 4, "XL": 0, "XXL": 2}}
    advice = advise(shirt, parse_size_request("chest 100 cm"), chart)
    assert advice.size == "M" and not advice.in_stock
    assert advice.alternatives == ["L"]  # S is sold out too; XXL is not next to M
    assert "M is sold out, L in stock" in advice.reason
    fits = advise(shirt, parse_size_request("chest 105 cm"), chart)
    assert fits.size == "L" and fits.in_stock and fits.alternatives == []


def test_only_the_sizes_the_item_is_sold_in_count(chart):
    few = {**SHIRT, "sizes": {"S": 3, "M": 2}}
    advice = advise(few, parse_size_request("chest 110 cm"), chart)
    assert (
        advice.size is None
        and "above the largest size" in advice.reason
        and "(M: 96-102 cm)" in advice.reason
    )


@pytest.mark.parametrize(
    ("text", "measures", "usual"),
    [
        ("I'm 178 cm and 72 kg", {"height_cm": 178.0, "weight_kg": 72.0}, []),
        ("chest 40 inches", {"chest_cm": 101.6}, []),
        ("I usually wear M", {}, ["M"]),
        ("UK 8 in shoes", {}, ["UK 8 in shoes"]),
        ("EU 42", {}, ["EU 42"]),
        ("5'10\" and 160 lbs", {"height_cm": 177.8, "weight_kg": 72.6}, []),
        ("I am 1.78 m tall", {"height_cm": 178.0}, []),
        ("bust 34, usually a small", {"chest_cm": 86.4}, ["S"]),
        ("my feet are 10 inches long", {"foot_cm": 25.4}, []),
        ("waist 81 cm hips 99 cm", {"waist_cm": 81.0, "hip_cm": 99.0}, []),
        ("I wear 32 in jeans", {}, ["32 in bottoms"]),
        ("im a medium", {}, ["M"]),
        ("a navy shirt under 1500 for the office", {}, []),
        ("im going to a wedding in 2 weeks", {}, []),
        ("size 8 heels", {}, ["8 in shoes"]),
    ],
)
def test_parse_size_request(text, measures, usual):
    request = parse_size_request(text)
    assert request.measures() == measures
    assert [str(u) for u in request.usual] == usual


def test_impossible_values_are_rejected_with_what_is_wrong():
    with pytest.raises(InputRejected) as info:
        SizeRequest(height_cm=400, weight_kg=-3).check()
    assert info.value.http_status == 400
    assert "height 400 cm is impossible" in info.value.message and "weight -3 kg" in info.value.message
    SizeRequest(height_cm=178, weight_kg=72).check()


def test_a_later_message_corrects_an_earlier_one():
    first = parse_size_request("chest 100 cm, UK 8 in shoes")
    later = first.merged(parse_size_request("sorry, chest 104 cm"))
    assert later.chest_cm == 104 and [str(u) for u in later.usual] == ["UK 8 in shoes"]


def test_advise_products_for_the_agent(chart):
    request, advice = advise_products([SHIRT, JEANS, WATCH], "I'm a 40 inch chest and a 32 waist", chart)
    assert {k: a.size for k, a in advice.items()} == {"1": "M", "3": "32", "10": "One Size"}
    assert advise_products([SHIRT], "a blue shirt please", chart) == (SizeRequest(), {})
    assert advise_products([SHIRT], "I'm 900 cm tall", chart)[1] == {}  # impossible: no advice


# -- the chart file --------------------------------------------------------------------------------


def test_json_chart_and_brand_and_category_rows(tmp_path):
    path = tmp_path / "size_chart.json"
    path.write_text(json.dumps({"rows": [
        {"brand": "*", "gender": "*", "applies_to": "Apparel", "size": "M", "chest_cm": "90-100", "INT": "M"},
        {"brand": "*", "gender": "*", "applies_to": "Apparel", "size": "L", "chest_cm": [100, 110], "INT": "L"},
        {"brand": "Turtle", "gender": "Men", "applies_to": "Shirts", "size": "M", "chest_cm": "95-105"},
        {"brand": "Turtle", "gender": "Men", "applies_to": "Shirts", "size": "L", "chest_cm": "105-115"},
    ]}))  # fmt: skip
    chart = SizeChart.load(path)
    assert advise(SHIRT, parse_size_request("chest 102 cm"), chart).size == "M"  # the brand's rows
    assert advise(TOP, parse_size_request("chest 102 cm"), chart).size == "L"  # the category's rows


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("brand,gender,applies_to,size,chest_cm\n*,Men,Shirts,M,100-90\n", "row 1: chest_cm: '100-90'"),
        ("brand,gender,applies_to,size,chest_cm\n*,Men,Shirts,M,big\n", "is not a range LOW-HIGH"),
        ("brand,gender,applies_to,size,colour\n*,Men,Shirts,M,red\n", "unknown column(s) colour"),
        ("brand,gender,applies_to,size\n*,Men,Shirts,\n", "size: required"),
        ("brand,gender,applies_to,size\n", "the chart has no rows"),
    ],
)
def test_a_bad_chart_names_the_row_and_the_problem(tmp_path, content, problem):
    path = tmp_path / "size_chart.csv"
    path.write_text(content)
    with pytest.raises(CatalogError) as info:
        SizeChart.load(path)
    assert problem in str(info.value)


def test_which_chart_a_shop_uses(tmp_path, tiny_catalog):
    own = tmp_path / "mine.csv"
    assert chart_path(Settings(size_chart_path=own)) == own
    assert (
        chart_path(Settings(catalog_path=tiny_catalog)) == SAMPLE_CHART
    )  # the sample layout: the sample chart
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "catalog.jsonl").write_text("{}\n")
    assert chart_path(Settings(catalog_path=shop / "catalog.jsonl")) is None
    (shop / "size_chart.json").write_text("[]")
    assert chart_path(Settings(catalog_path=shop / "catalog.jsonl")) == shop / "size_chart.json"


def test_the_sample_chart_covers_every_sized_article_of_the_sample_but_sarees_and_innerwear(
    chart, tiny_products
):
    for item in tiny_products:
        rows = chart.rows_for(item)
        sold = set(item["sizes"])
        if sold == {"One Size"} or item["subcategory"] in ("Saree", "Innerwear", "Socks"):
            continue
        assert {r.size for r in rows} == sold, item["title"]


# -- GET /api/products/{id}/size ------------------------------------------------------------------------


@pytest.fixture
def client(tiny_products, tiny_catalog, tmp_path):
    settings = Settings(data_dir=tmp_path / "d", catalog_path=tiny_catalog, rate_limit_per_minute=0.0)
    with TestClient(create_app(settings, FakeStylist(tiny_products), ui=False)) as c:
        yield c


def test_size_route_answers_with_the_size_and_stock(client, tiny_products):
    shirt = next(p for p in tiny_products if p["id"] == "15970")
    r = client.get("/api/products/15970/size", params={"chest_cm": 100})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["size"] == "M" and body["in_stock"] == (shirt["sizes"]["M"] > 0)
    assert body["confidence"] == 0.9 and body["reason"].startswith(
        "your chest 100 cm is inside M's 96-102 cm"
    )
    assert set(body["alternatives"]) <= {s for s, n in shirt["sizes"].items() if n > 0}
    assert body["read"] == {"chest_cm": 100.0, "usual": []}
    words = client.get(
        "/api/products/15970/size", params={"text": "I'm 160 cm and 50 kg", "usual": "XS"}
    ).json()
    assert words["size"] == "XS" and words["read"]["usual"] == ["XS"] and words["read"]["height_cm"] == 160
    shoes = client.get("/api/products/18653/size", params={"usual": "EU 38"}).json()
    assert shoes["size"] == "5"
    watch = client.get("/api/products/59263/size", params={"height_cm": 170}).json()
    assert watch["size"] == "One Size"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"height_cm": 400}, "height 400 cm is impossible"),
        ({"weight_kg": -5}, "weight -5 kg is impossible"),
        ({"chest_cm": "wide"}, "chest_cm: 'wide' is not a number"),
        ({"height_cm": "nan"}, "height nan cm is impossible"),
        ({"usual": "banana"}, "usual: 'banana' is not a size"),
        ({}, "say something about the shopper"),
        ({"chest": 100}, "unknown parameter(s) chest"),
    ],
)
def test_size_route_rejects_impossible_values_clearly(client, params, message):
    r = client.get("/api/products/15970/size", params=params)
    assert r.status_code == 400 and message in r.json()["detail"], r.text


def test_size_route_unknown_product(client):
    r = client.get("/api/products/nope/size", params={"chest_cm": 100})
    assert r.status_code == 404 and "no product" in r.json()["detail"]


def test_widget_config_gives_the_cart_link_template(tiny_products, tmp_path):
    template = "https://shop.example/cart/add?id={id}&size={size}&qty={qty}"
    app = create_app(
        Settings(data_dir=tmp_path / "d", cart_url_template=template), FakeStylist(tiny_products), ui=False
    )
    with TestClient(app) as c:
        assert c.get("/api/widget/config").json() == {"cart_url_template": template, "size_advice": True}


def test_chart_path_is_a_path():
    assert isinstance(SAMPLE_CHART, Path) and SAMPLE_CHART.is_file()


def test_sizes_for_the_products_shown_from_the_conversation(client):
    r = client.post(
        "/api/sizes",
        json={
            "text": "a shirt and jeans\nI'm 40 inch chest, 32 waist",
            "product_ids": ["15970", "39386", "59263", "nope"],
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert {k: v["size"] for k, v in body["advice"].items()} == {
        "15970": "M",
        "39386": "32",
        "59263": "One Size",
    }
    assert body["read"] == {"chest_cm": 101.6, "waist_cm": 81.3, "usual": []}
    quiet = client.post("/api/sizes", json={"text": "a navy shirt please", "product_ids": ["15970"]}).json()
    assert quiet == {"read": {}, "advice": {}}
    too_many = client.post(
        "/api/sizes", json={"text": "chest 100 cm", "product_ids": [str(i) for i in range(21)]}
    )
    assert too_many.status_code == 422
