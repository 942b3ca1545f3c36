"""Indian scripts written in Latin letters, and what the parser then reads from them."""

from __future__ import annotations

import pytest

from stylist.query import QueryParser, translate_foreign
from stylist.scripts import has_indic, to_latin

PARSER = QueryParser.from_values(
    {
        "article_type": [
            "Kurtas",
            "Sarees",
            "Earrings",
            "Jeans",
            "Tshirts",
            "Watches",
            "Sports Shoes",
            "Stoles",
            "Shirts",
        ],
        "colour": ["Red", "Blue", "Black", "White", "Green", "Yellow", "Pink", "Cream", "Gold"],
        "usage": ["Casual", "Formal", "Ethnic", "Sports"],
    }
)


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        ("कमर", "kamar"),  # Hindi drops the final "a"
        ("पंद्रह सौ के अंदर", "pandrah sau ke andar"),
        ("हज़ार", "hazar"),  # the dot below: z
        ("১৫০০ er niche", "1500 er niche"),  # Bengali digits
        ("१५००", "1500"),
        ("குள்ள", "kulla"),  # Tamil keeps its final vowel
        ("સુધી", "sudhi"),
        ("ਤੋਂ ਘੱਟ", "ton ghat"),  # Gurmukhi: bindi is n, the addak leaves the letter single
        ("വേണം", "venam"),  # Malayalam anusvara at the end of a word is m
        ("S में", "S mein"),  # the postposition, not "men"
        ("shirt, white", "shirt, white"),  # Latin text is left alone
    ],
)
def test_indian_scripts_are_written_the_way_shoppers_romanise_them(text: str, latin: str) -> None:
    assert to_latin(text) == latin
    assert has_indic(text) == (text != latin)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("मुझे एक कुर्ता चाहिए पंद्रह सौ के अंदर, लेडीज़ वाला",
         {"gender": ["Women"], "article_type": ["Kurtas"], "price_max": 1500.0}),
        ("gents वाली जीन्स, १५०० तक, waist 32", {"gender": ["Men"], "article_type": ["Jeans"], "price_max": 1500.0}),
        ("দুর্গা পুজোর জন্য লাল শাড়ি চাই, ৩০০০ এর মধ্যে", {"article_type": ["Sarees"], "colour": ["Red"],
                                                       "price_max": 3000.0}),
        ("running shoes வேணும், ஆண்களுக்கு, size 9, 4000 குள்ள", {"gender": ["Men"], "price_max": 4000.0}),
        ("Rs 999 க்குள்ள ஒரு tshirt, பெண்களுக்கு", {"gender": ["Women"], "price_max": 999.0}),
        ("ਘਰਵਾਲੀ ਲਈ stole, 1000 ਤੋਂ ਘੱਟ", {"gender": ["Women"], "article_type": ["Stoles"], "price_max": 1000.0}),
        ("મારે running shoes જોઈએ છે, women, size 5, 3500 સુધી", {"gender": ["Women"], "price_max": 3500.0}),
        ("इनमें नीले रंग का?", {"colour": ["Blue"]}),
        ("इसके साथ कुछ झुमके?", {"article_type": ["Earrings"]}),  # "jhumke", the medial a left out
        ("बॉयफ्रेंड के बर्थडे के लिए perfume", {"gender": ["Men"]}),
    ],
)  # fmt: skip
def test_requests_in_indian_scripts_are_read_like_their_romanised_forms(message: str, expected: dict) -> None:
    parsed = PARSER.parse(translate_foreign(message)).filters
    for name, value in expected.items():
        assert getattr(parsed, name) == value, (name, parsed.active())


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        ("झुमके", "jhumke"),
        ("कपड़े", "kapre"),
        ("दूसरा", "dusra"),
        ("कमर", "kamar"),
        ("चप्पल", "chappal"),
        ("महिला", "mahila"),
        ("ঝুমকো", "jhumako"),
    ],  # fmt: skip
)
def test_hindi_leaves_out_the_inherent_a_between_a_vowel_and_a_consonant_with_its_own(
    text: str, latin: str
) -> None:
    # (Bengali keeps it: its inherent vowel is said)
    assert to_latin(text) == latin
