"""Search filters and the deterministic constraint parser.

Constraints a shopper states explicitly ("under 2000", "for women", "in navy",
"size M", "for a wedding") are read from text by rules, never by a language
model, so they hold whatever the model does. The same :class:`Filters` object
renders the Chroma ``where`` clause and checks results in Python.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from stylist.catalog import GENDERS, SEASONS, size_key
from stylist.scripts import has_indic, to_latin


def chroma_where(*clauses: Mapping[str, Any] | None, **fields: Any) -> dict[str, Any] | None:
    """One Chroma metadata filter that requires every clause and field condition.

    The one builder of Chroma ``where`` filters (catalog search, visual search, trend lookups).
    Chroma takes exactly one key per level: two or more conditions are joined with ``$and``,
    a single one is not. ``chroma_where({"gender": "Men", "price": {"$lt": 999}})`` and
    ``chroma_where(gender="Men", price={"$lt": 999})`` both give
    ``{"$and": [{"gender": "Men"}, {"price": {"$lt": 999}}]}``.

    Args:
        clauses: filters; a clause with several plain fields is split into one condition per
            field, a clause with an operator key (``$and``, ``$or``) is kept whole. ``None``
            and empty clauses are skipped.
        fields: field conditions, ``field=value`` (equality) or ``field={"$op": value}``.

    Returns:
        The filter, the single condition itself when there is only one, or None when there is
        nothing to require.
    """
    parts: list[dict[str, Any]] = []
    for clause in (*clauses, fields):
        if not clause:
            continue
        if len(clause) == 1 or any(key.startswith("$") for key in clause):
            parts.append(clause if isinstance(clause, dict) else dict(clause))
        else:
            parts.extend({key: value} for key, value in clause.items())
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


class Filters(BaseModel):
    """Hard constraints on catalog items. Empty fields do not constrain."""

    gender: list[str] | None = Field(
        default=None, description="Allowed genders: Men, Women, Unisex, Boys, Girls."
    )
    category: list[str] | None = Field(
        default=None, description="Allowed top categories, e.g. Apparel, Footwear."
    )
    subcategory: list[str] | None = Field(
        default=None, description="Allowed subcategories, e.g. Topwear, Bags."
    )
    article_type: list[str] | None = Field(
        default=None, description="Allowed article types, e.g. Tshirts, Kurtas."
    )
    colour: list[str] | None = Field(default=None, description="Allowed base colours, e.g. Black, Navy Blue.")
    exclude_colour: list[str] | None = Field(default=None, description="Colours the shopper does not want.")
    exclude_article_type: list[str] | None = Field(
        default=None, description="Kinds of item the shopper does not want ('not sports shoes')."
    )
    exclude_gender: list[str] | None = Field(
        default=None, description="Genders left out: children's items when nobody named is a child."
    )
    season: list[str] | None = Field(
        default=None, description="Allowed seasons: Summer, Fall, Winter, Spring."
    )
    usage: list[str] | None = Field(
        default=None, description="Allowed occasions, e.g. Casual, Formal, Ethnic."
    )
    price_min: float | None = Field(default=None, description="Lowest price, in the shop currency.")
    price_max: float | None = Field(default=None, description="Highest price, in the shop currency.")
    size: str | None = Field(default=None, description="A size that must be in stock, e.g. M, 32, 8.")
    exclude_ids: list[str] | None = Field(default=None, description="Product ids to leave out.")

    def names_item(self) -> bool:
        """Whether a kind of item is named: an article type, a category or a subcategory."""
        return bool(self.article_type or self.category or self.subcategory)

    def is_empty(self) -> bool:
        return not any(v not in (None, []) for v in self.model_dump().values())

    def active(self) -> dict[str, Any]:
        """The constraining fields only."""
        return {k: v for k, v in self.model_dump().items() if v not in (None, [])}

    def merged(self, other: Filters | None) -> Filters:
        """These filters with ``other``'s set fields taking precedence."""
        if other is None:
            return self
        return self.model_copy(update=other.active())

    def without(self, *names: str) -> Filters:
        return self.model_copy(update={n: None for n in names})

    def where(self) -> dict[str, Any] | None:
        """The Chroma metadata filter for these constraints."""
        clauses: list[dict[str, Any]] = []
        for name in ("gender", "category", "subcategory", "article_type", "colour", "season", "usage"):
            values = getattr(self, name)
            if values:
                clauses.append({name: {"$in": list(values)}})
        if self.exclude_colour:
            clauses.append({"colour": {"$nin": list(self.exclude_colour)}})
        if self.exclude_article_type:
            clauses.append({"article_type": {"$nin": list(self.exclude_article_type)}})
        if self.exclude_gender:
            clauses.append({"gender": {"$nin": list(self.exclude_gender)}})
        if self.price_min is not None:
            clauses.append({"price": {"$gte": float(self.price_min)}})
        if self.price_max is not None:
            clauses.append({"price": {"$lte": float(self.price_max)}})
        if self.size:
            clauses.append({size_key(self.size): {"$eq": True}})
        return chroma_where(*clauses)

    def violations(self, item: Mapping[str, Any]) -> list[str]:
        """The constraints ``item`` (a metadata mapping) breaks; empty when it satisfies all."""
        broken = []
        for name in ("gender", "category", "subcategory", "article_type", "colour", "season", "usage"):
            values = getattr(self, name)
            if values and item.get(name) not in values:
                broken.append(name)
        if self.exclude_colour and item.get("colour") in self.exclude_colour:
            broken.append("exclude_colour")
        if self.exclude_article_type and item.get("article_type") in self.exclude_article_type:
            broken.append("exclude_article_type")
        if self.exclude_gender and item.get("gender") in self.exclude_gender:
            broken.append("exclude_gender")
        price = item.get("price")
        if self.price_min is not None and (price is None or float(price) < self.price_min):
            broken.append("price_min")
        if self.price_max is not None and (price is None or float(price) > self.price_max):
            broken.append("price_max")
        if self.size and item.get(size_key(self.size)) is not True:
            broken.append("size")
        if self.exclude_ids and str(item.get("id")) in self.exclude_ids:
            broken.append("exclude_ids")
        return broken


def cheaper_ceiling(prices: list[float]) -> float:
    """The budget "cheaper" means after these prices were shown: a whole amount under their median."""
    return float(int(statistics.median(prices)) - 1)


@dataclass
class ParsedQuery:
    """What the parser read from a request."""

    text: str
    filters: Filters
    residual: str
    notes: list[str] = field(default_factory=list)
    #: Fields the shopper said no to without naming another value ("doesn't have to be formal").
    unwanted: list[str] = field(default_factory=list)
    #: Kinds of clothing the shopper named that the shop's catalog has no word for ("sherwani").
    unknown_items: list[str] = field(default_factory=list)


# --- vocabulary ------------------------------------------------------------------

_GENDER_WORDS: dict[str, list[str]] = {
    "Women": ["women", "womens", "woman", "ladies", "lady", "female", "females", "for her", "wife",
              "girlfriend", "mom", "mother", "sister", "daughter in law", "bride", "bridesmaid", "bridesmaids", "aunt",
              "grandma", "grandmother", "fiancee", "missus", "gf", "i'm a girl", "im a girl", "i am a girl",
              "mummy", "mum", "mumma", "mommy", "ammi", "amma", "maa", "didi", "behen", "bhabhi", "chachi",
              "nani", "dadi", "ladki", "ladkiyon", "ladkiyan", "ladkiyo", "larki", "larkiyon", "aunty", "sis", "wifey", "mother in law", "akka",
              "paati", "mausi", "bua", "pregnant", "maternity", "postpartum", "post partum", "nursing mom", "breastfeeding", "breast feeding",
              "feed her in", "feed him in", "feed the baby in", "i'm the mom", "im the mom", "i am the mom", "i'm the mother", "choto bon", "boro bon", "amar bon", "bon er",
              "bou er", "amar bou", "ma er", "thangachi", "thangai", "ammayi", "ammai", "dadiji", "naniji", "mummyji", "hendathi", "hendti", "aavida", "maa aavida",
              "girl here", "ma'am", "maam", "madam", "womenswear", "womens wear", "ladieswear", "she/her", "she her",
              # Bhojpuri, Maithili, Marwari and Marathi kin: mother, sister-in-law, mother-in-law, grandmother
              "maai", "mai khatir", "bhauji", "bhaujai", "saasuji", "sasuji", "saasu maa", "sasu maa", "bhabhisa",
              "aai", "aaji", "kaki", "kakima", "maami", "mamiji", "jethani", "devrani", "nanad",
              # Tamil women, wife; Punjabi wife
              "penkal", "pengal", "manaivi", "gharavali", "gharwali", "gharvali"],
    "Men": ["men", "mens", "man", "gents", "gentlemen", "male", "males", "for him", "husband",
            "boyfriend", "dad", "father", "brother", "groom", "guy", "guys", "gentleman", "uncle", "grandpa",
            "grandfather", "fiance", "hubby", "bf", "bhai", "bhaiya", "papa", "pappa", "chacha", "jiju",
            "ladka", "ladke", "ladkon", "ladko", "larke", "larkon", "larka", "larka log", "ladka log", "dude", "bro", "father in law", "appa", "thatha", "abbu", "abba", "nana",
            "dada", "baba", "bapi", "abbu ji", "pitaji", "pita ji", "thambi", "abbayi", "abbai", "dadaji", "nanaji",
            "papaji", "dadu", "amar bor", "bor er", "aayana", "maa aayana", "mogudu", "ganda", "menswear", "mens wear",
            "he/him", "he him", "teacher sir", "for sir", "sir ke liye", "sir ko",
            # father, father-in-law, brother-in-law, grandfather (Bhojpuri, Marwari, Marathi, Punjabi)
            "babuji", "bauji", "sasurji", "sasur ji", "sasur", "devar", "jethji", "jijaji", "jija", "bhaisa",
            "kaka", "kakaji", "mamaji", "ajoba", "dadosa", "nanosa",
            # Tamil men, husband; Punjabi husband
            "ankal", "aankal", "aangal", "kanavar", "gharavala", "gharwala", "gharvala"],
    "Boys": ["boys", "boy", "son", "my son", "munna", "munne", "munnu", "bete", "mere bete", "chhote", "chhotu", "nephew", "nephw", "grandson", "stepson", "schoolboy", "bhatija", "bhatije",
             "bhanja", "bhanje"],
    "Girls": ["girls", "girl", "daughter", "my daughter", "munni", "niece", "neice", "granddaughter", "stepdaughter", "schoolgirl", "beti",
              "bhatiji", "bhanji"],
    "Unisex": ["unisex", "guy or girl", "girl or guy", "gender neutral", "genderless", "either gender", "any gender"],
}  # fmt: skip
_KIDS_WORDS = [
    "kids",
    "kid",
    "children",
    "child",
    "toddler",
    "toddlers",
    "kiddo",
    "bacche",
    "bachche",
    "baccha",
]
# "(f, 26)", "m/30", "26F": who the shopper is, in the shorthand of forms and forums.
_SEX_AGE = re.compile(
    r"(?:^|[(\[,;=?!.]\s*|\bi'?m\s+)(f|m)\s*[,/]?\s*(\d{2})\b|(?<!size )\b(\d{2})\s*(f|m)\b(?![\w'])"
)

# Occasion words -> catalog usage values.
_USAGE_WORDS: dict[tuple[str, ...], list[str]] = {
    ("wedding", "weddings", "getting married", "gets married", "anand karaj", "nikah", "nikaah", "pheras"): ["Ethnic", "Party"],
    ("festive", "festival", "diwali", "eid", "sangeet", "mehendi", "ethnic",
     "traditional", "puja", "pooja", "karwa chauth", "karva chauth", "karwachauth", "teej", "navratri", "garba",
     "dandiya", "durga puja", "pujo", "onam", "pongal", "lohri", "bihu", "rakhi", "raksha bandhan",
     "bhai dooj", "ganpati", "ganesh chaturthi", "dussehra", "janmashtami", "baisakhi", "vishu", "ugadi",
     "gudi padwa", "sankranti", "chhath", "gurudwara", "gurdwara", "mandir", "temple visit"): ["Ethnic"],
    ("party", "parties", "cocktail", "clubbing", "night out", "partywear", "party wear"): ["Party", "Smart Casual"],
    ("office", "for work", "to work", "at work", "work wear", "formal", "business", "interview",
     "meeting", "meetings", "workwear", "corporate"): ["Formal"],
    ("smart casual",): ["Smart Casual"],
    ("gym", "sport", "sports", "running", "workout", "training", "yoga", "jogging", "athletic",
     "football", "cricket", "sporty", "sportier", "sportiest", "athleisure", "for playing", "to play in",
     "weekend league", "a league", "league match", "league matches", "tournament", "tournaments", "for the matches", "for the match", "for matches",
     "for my matches", "match day", "badminton", "tennis", "good grip", "with grip", "grippy", "dry fit", "dri fit",
     "dri-fit", "drifit", "dryfit", "quick dry", "quick-dry", "moisture wicking", "sweat wicking", "morning walk",
     "morning walks", "evening walk", "evening walks", "long walk", "long walks", "for a walk", "for walks",
     "walking shoes", "his walks", "her walks", "brisk walk", "brisk walks"): ["Sports"],
    ("casual", "everyday", "weekend", "daily wear", "casual wear", "relaxed", "laid back", "laidback", "less formal",
     "less dressy", "chilled out", "chill", "too stiff", "less stiff"): ["Casual"],
    ("travel", "trip", "vacation", "holiday", "holidays"): ["Travel", "Casual"],
    ("lounge", "loungewear", "at home", "home wear"): ["Home"],
}  # fmt: skip

_SEASON_WORDS = {"sardi": "Winter", "sardiyon": "Winter", "sardiyo": "Winter",
                 "garmi": "Summer", "garmiyon": "Summer", "garmiyo": "Summer", "baarish": "Fall", "barish": "Fall",
                 "summer": "Summer", "summery": "Summer", "winter": "Winter", "wintry": "Winter",
                 "freezing": "Winter", "snow": "Winter", "cold": "Winter", "january": "Winter", "december": "Winter",
                 "monsoon": "Fall", "rainy": "Fall", "rains": "Fall", "raining": "Fall", "humid": "Summer", "hot weather": "Summer",
                 "hot and humid": "Summer", "heatwave": "Summer", "heat wave": "Summer",
                 "fall": "Fall", "autumn": "Fall", "spring": "Spring"}  # fmt: skip

_COLOUR_SYNONYMS = {"blk": "Black", "gry": "Grey", "nvy": "Navy Blue", "navy": "Navy Blue", "gray": "Grey", "grey": "Grey", "offwhite": "Off White",
                    "golden": "Gold", "whites": "White", "wine": "Burgundy", "turquoise": "Turquoise Blue", "bottle green": "Green",
                    "forest green": "Green", "emerald": "Green", "emerald green": "Green", "olive green": "Olive",
                    "sky blue": "Blue", "baby blue": "Blue", "lemon yellow": "Yellow", "baby pink": "Pink", "blush": "Pink", "camel": "Tan",
                    "multicolour": "Multi", "multicolor": "Multi", "multicoloured": "Multi",
                    "multicolored": "Multi", "maroon": "Maroon", "violet": "Purple",
                    # "pinkish or peach": a colour said with -ish is that colour
                    "pinkish": "Pink", "reddish": "Red", "bluish": "Blue", "blueish": "Blue", "greenish": "Green",
                    "yellowish": "Yellow", "brownish": "Brown", "greyish": "Grey", "grayish": "Grey",
                    "purplish": "Purple", "orangish": "Orange", "orangey": "Orange", "blackish": "Black",
                    "whitish": "White", "goldish": "Gold", "silverish": "Silver",
                    "pivla": "Yellow", "pivli": "Yellow", "pivlya": "Yellow",
                    # Hindi colour words
                    "safed": "White", "safaid": "White", "kala": "Black", "kaala": "Black", "karia": "Black", "kariya": "Black", "kaali": "Black",
                    "laal": "Red", "lal": "Red", "neela": "Blue", "neeli": "Blue", "nile": "Blue", "nili": "Blue", "kali": "Black", "peela": "Yellow",
                    "peeli": "Yellow", "gulabi": "Pink", "bhura": "Brown", "sunehra": "Gold", "sunehri": "Gold",
                    "chandi": "Silver", "chaandi": "Silver", "hara": "Green", "hari": "Green", "hare": "Green",
                    "sonali": "Gold",
                    # Bengali colour words
                    "kalo": "Black", "shada": "White", "nil": "Blue", "neel": "Blue",
                    "shobuj": "Green", "sobuj": "Green", "holud": "Yellow", "golapi": "Pink", "khoyeri": "Brown"}  # fmt: skip
# Colour names that are usually other words in a request ("skin care", "face cream").
_AMBIGUOUS_COLOURS = {"skin", "cream", "multi", "metallic", "steel", "rose", "nude"}
_METAL_COLOURS = frozenset(
    ("Gold", "Silver", "Bronze", "Copper", "Rose Gold", "Metallic", "Steel", "Gun Metal")
)

_ARTICLE_SYNONYMS: dict[str, list[str]] = {
    "Tshirts": ["t shirt", "t shirts", "tshirt", "tee", "tees", "tee shirt", "polo", "polos", "jersey", "jerseys"],
    "Mobile Pouch": ["phone pouch", "phone case", "mobile pouch", "phone cover", "mobile cover", "phone covers",
                     "phone pouches", "phone cases", "mobile covers"],
    "Casual Shoes": ["sneakers", "sneaker", "loafers", "canvas shoes"],
    "Sports Shoes": ["running shoes", "trainers", "training shoes", "sport shoes", "football shoes", "football boots",
                     "cricket shoes", "badminton shoes", "tennis shoes", "basketball shoes", "gym shoes",
                     "studs shoes", "trail shoes", "trail runners", "hiking shoes", "trekking shoes"],
    "Formal Shoes": ["oxfords", "derby shoes", "brogues", "dress shoes", "leather shoes", "office shoes"],
    "Swimwear": ["swimsuit", "swimsuits", "swimming costume", "swim suit", "bikini", "bikinis", "swimwear",
                 "swim wear", "bathing suit", "swimming suit"],
    "Nail Polish": ["does her nails", "do my nails", "nail art", "nail paint", "nail paints", "nail colour", "nail color", "nail enamel", "nail polishes"],
    "Sweaters": ["jumper", "jumpers", "pullover", "cardigan", "cardigans", "knitwear", "knits"],
    "Sweatshirts": ["hoodie", "hoodies", "sweatshirt"],
    "Trousers": ["pants", "pant", "chinos", "slacks"],
    "Jeans": ["denim", "denims", "wide leg denim", "wide leg jeans", "flared denim", "baggy denim", "skinny denim",
              "straight leg denim", "mom jeans", "boyfriend jeans"],
    "Handbags": ["handbag", "purse", "purses", "tote", "totes"],
    "Backpacks": ["school bag", "schoolbag", "rucksack", "rucksacks"],
    "Sunglasses": ["shades", "sunnies", "aviators", "aviator", "wayfarers", "wayfarer"],
    "Tablet Sleeve": ["laptop sleeve", "laptop sleeves", "laptop cover", "sleeve for my laptop", "sleeve for a laptop"],
    "Sarees": ["saree", "sari", "saris", "shari", "sharee", "sadi"],
    "Dresses": ["dress", "gown", "gowns", "frock", "frocks", "maxi", "sundress", "sundresses"],
    "Perfume and Body Mist": ["perfume", "perfumes", "fragrance", "body mist", "scent"],
    "Necklace and Chains": ["necklace", "necklaces", "chain", "chains"],
    "Lehenga Choli": ["lehenga", "lehengas"],
    "Accessory Gift Set": ["gift box", "gift boxes", "gift set", "gift sets", "combo set", "gift hamper"],
    "Fragrance Gift Set": ["perfume gift set", "fragrance gift set", "gift set of perfume", "gift set of perfumes",
                           "perfume set", "perfume gift box", "deo gift set", "gift set of deo", "gift set of deos"],
    "Caps": ["cap", "hat", "hats", "baseball cap", "beanie", "beanies"],
    "Jackets": ["jacket", "coat", "coats", "bomber", "denim jacket", "denim jackets"],
    "Shirts": ["denim shirt", "denim shirts"],
    "Shorts": ["denim shorts"],
    "Skirts": ["denim skirt", "denim skirts"],
    "Rain Jacket": ["raincoat", "raincoats", "rain coat", "rain jacket", "windcheater"],
    "Heels": ["heels", "high heels", "high heel", "pumps", "stilettos"],
    "Flip Flops": ["flip flops", "flipflops", "slippers", "slides"],
    "Innerwear Vests": ["vest", "vests", "banian", "banyan"],
    "Track Pants": ["track pants", "joggers", "trackpants"],
    "Bangle": ["bangle", "bangles", "chudiyan", "chudiyaan", "choodiyan", "chudiya", "chooriyan", "kangan", "kada"],
    "Socks": ["jurrab", "jurrabaan", "jurraban", "jurabein", "jurabe", "moze", "mojay", "mauje"],
    "Earrings": ["jhumka", "jhumkas", "jhumki", "jhumkis", "studs", "hoops", "danglers", "kaanatle", "kanatle",
                 "kaanache", "kaner dul"],
    "Flats": ["jutti", "juttis", "mojari", "mojaris", "ballerinas", "ballet flats", "flat footwear", "flat shoes",
              "flat chappals", "flat sandals"],
    "Sandals": ["kolhapuri", "kolhapuris"],
    "Ties": ["necktie", "neckties", "neck tie"],
    "Scarves": ["scarf"],
    "Deodorant": ["deo", "deos", "deodorant", "deodorants", "roll on", "body spray", "body sprays"],
    "Kajal and Eyeliner": ["kajal", "kajals", "kohl", "eyeliner", "eyeliners", "eye liner", "surma", "kaajal"],
    "Stoles": ["shawl", "shawls"],
    "Duffel Bag": ["gym bag", "duffle", "duffle bag", "duffel"],
    "Nehru Jackets": ["nehru jacket", "nehru jackets", "sleeveless jacket", "sleeveless jackets", "bandhgala",
                      "bandhgalas", "modi jacket", "modi jackets"],
    # an anarkali is a long, flared kurta
    "Kurtas": ["kurta", "kurte", "kurton", "anarkali", "anarkalis", "anarkali kurta", "anarkali kurtas"],
}  # fmt: skip
# Words for several article types: "boots" are the shop's booties and casual shoes, a "pajama" is a
# churidar or salwar under a kurta and sleepwear otherwise (see _ETHNIC_PYJAMAS), a bag for a trek is a
# backpack.
_MULTI_ARTICLE_WORDS: dict[tuple[str, ...], list[str]] = {
    ("boots", "boot", "ankle boots"): ["Booties", "Casual Shoes"],
    ("school shoes", "school shoe", "shoes for school"): ["Casual Shoes", "Formal Shoes", "Sports Shoes"],
    ("pajama", "pajamas", "pyjama", "pyjamas", "payjama", "paijama", "pjs", "pj"): ["Churidar", "Salwar", "Patiala",
                                                                                "Lounge Pants", "Night suits"],
    ("sling bag", "sling bags", "sling", "slingbag", "shoulder bag", "satchel", "tote bag"): ["Handbags"],
    ("trekking bag", "hiking bag", "travel backpack", "rucksack", "rucksacks", "litre", "litres", "liter", "liters",
     "ltr"): ["Backpacks", "Rucksacks"],
    ("cover my head", "for my head", "head cover", "sun hat", "hat", "hats"): ["Caps"],
    ("half pant", "half pants", "half-pant", "half-pants", "halfpant", "halfpants"): ["Shorts", "Capris"],
    ("nighty", "nightie", "nighties", "night dress", "night dresses", "nightgown", "night gown"): ["Nightdress", "Night suits"],
    ("keds",): ["Casual Shoes"],
    # "something to pamper her": the things of a slow evening in
    ("pamper", "pampering", "pampered", "self care", "self-care", "spa day"): [
        "Perfume and Body Mist", "Fragrance Gift Set", "Body Lotion", "Bath Robe", "Robe", "Night suits",
        "Nightdress", "Lounge Pants"],
    ("walking shoes", "walking shoe", "comfortable shoes", "sneakerhead", "sneakerheads", "sneaker head",
     "sneaker collector"): ["Sports Shoes", "Casual Shoes"],
    # Indian English: floaters are strapped sports sandals
    ("floaters", "floater"): ["Sports Sandals", "Sandals"],
    # Australian, British and American words: "boardies", "a rashie", "thongs" (the footwear), "trackies"
    ("boardies", "board shorts", "boardshorts", "swim shorts", "swimming shorts"): ["Shorts", "Swimwear"],
    ("rashie", "rashies", "rash guard", "rash guards", "rash vest", "rashguard"): ["Swimwear", "Tshirts"],
    ("thongs", "jandals", "flip flop", "pluggers"): ["Flip Flops", "Sandals"],
    ("runners",): ["Sports Shoes", "Casual Shoes"],
    ("track suit", "track suits", "tracksuit set"): ["Tracksuits"],
    ("trackies", "trackie", "trackie bottoms", "tracksuit bottoms", "track suit bottoms", "sweatpants", "sweats"): ["Track Pants",
                                                                                           "Lounge Pants"],
    ("suit vest", "suit vests", "waist coat", "waistcoats", "dress vest", "vest for my suit"): ["Waistcoat"],
    ("underwear", "undies", "underpants", "boxers", "boxer shorts", "briefs", "trunks", "jocks",
     "smalls"): ["Briefs", "Boxers", "Trunk"],
    ("singlet", "singlets", "tank top", "tank tops", "tank"): ["Tshirts", "Innerwear Vests", "Tops"],
    ("dress shirt", "dress shirts", "button down", "button downs", "button up shirt"): ["Shirts"],
    ("wristwatch", "wristwatches", "wrist watch"): ["Watches"],
    ("yoga pants", "yoga leggings", "gym leggings", "workout leggings", "yoga tights", "gym tights",
     "workout pants", "gym pants"): ["Leggings", "Track Pants", "Tights"],
    ("salwar suit", "salwar suits", "salwar kameez", "churidar suit", "suit set", "anarkali suit"): ["Salwar and Dupatta",
                                                                                                  "Kurta Sets"],
    ("panjabi", "panjabis"): ["Kurtas"],
    # Crocs are a brand the shop carries: its clogs are filed as sandals, flip flops and casual shoes.
    ("crocs", "clogs"): ["Sandals", "Flip Flops", "Casual Shoes"],
    # a chappal is any open footwear: flip flops, or sandals with a strap ("not flip flops, proper ones")
    ("flat chappal", "flat chappals", "flat sandals", "flat sandal"): ["Flats", "Sandals"],
    ("chappals", "chappal"): ["Flip Flops", "Sandals"],
    ("travel bag", "travel bags", "cabin bag", "cabin bags", "cabin size bag", "weekender", "weekender bag",
     "overnight bag", "trolley", "suitcase", "luggage"): ["Duffel Bag", "Trolley Bag", "Backpacks"],
    ("bottle", "bottles", "water bottle", "sipper"): ["Water Bottle"],
}  # fmt: skip

# A pyjama under a kurta ("kurta pyjama") is the ethnic bottom; pyjamas on their own are for sleeping.
# A child's gender as a grown-up's, and back ("girls night out" are women; "my son, 8" is a boy).
GROWN_UP = {"Boys": "Men", "Girls": "Women"}
YOUNG = {"Men": "Boys", "Women": "Girls"}
_ETHNIC_PYJAMAS = frozenset(("Churidar", "Salwar", "Patiala"))
_SLEEPWEAR = frozenset(("Lounge Pants", "Night suits"))
_SHOE_KINDS = ("Casual Shoes", "Formal Shoes", "Sports Shoes", "Sandals", "Heels", "Flats")
FOOTWEAR_KINDS = frozenset(_SHOE_KINDS + ("Flip Flops", "Sports Sandals", "Booties"))
PYJAMA = re.compile(r"\bp(?:a|y|ay|ai)jamas?\b")
_HOT_WEATHER = re.compile(r"\b(?:humid|humidity|hot weather|heat ?wave|sweltering|scorching)\b")

# Kinds of clothing and accessories people ask for, whether or not a shop carries them: a word here
# that is not one of the catalog's own is an item the shop does not have ("sherwani", "tuxedo").
GARMENT_WORDS = frozenset("""
sherwani sherwanis veshti veshtis dhuti mundu lungi lungis lehenga lehengas suit suits tuxedo tuxedos blazer blazers gown gowns bikini bikinis
swimsuit swimsuits swimwear boots boot raincoat raincoats overcoat overcoats trench poncho anarkali
anarkalis chaniya choli cholis ghagra ghagras dhoti dhotis waistcoat waistcoats jumpsuit jumpsuits romper rompers dungarees overalls
cardigan cardigans hoodie hoodies beanie beanies gloves mittens umbrella umbrellas tie ties bowtie
kimono kaftan kaftans sarong corset lingerie pyjamas pajamas tracksuit tracksuits leggings jeggings
sneakers loafers moccasins mules wedges stilettos espadrilles brogues slippers crocs clogs
earrings necklace bracelet bangles anklet anklets ring rings brooch cufflinks hairband scrunchie
turban pagdi safa stole shawl shawls dupatta dupattas scarf scarves muffler bandana cap caps hat hats
wallet wallets clutch clutches backpack backpacks tote totes sling belt belts watch watches sunglasses
mug mugs candle candles keychain keychains cushion cushions diary diaries blouse blouses
mekhela suruwal topi gamosa scrubs
""".split())  # fmt: skip
# What a shop's catalog offers nearest to a kind of item it may not carry: the labelled alternatives
# to "is there a tuxedo?" are blazers and waistcoats, not whatever the words "tuxedo" retrieve.
CLOSEST_KINDS = {
    "sherwani": ["Kurtas", "Nehru Jackets", "Kurta Sets"], "tuxedo": ["Blazers", "Waistcoat", "Nehru Jackets"],
    "suit": ["Blazers", "Waistcoat", "Nehru Jackets"], "lehenga": ["Kurta Sets", "Sarees", "Skirts"],
    "gown": ["Dresses"], "anarkali": ["Kurtas", "Kurta Sets"], "bikini": ["Swimwear"], "swimsuit": ["Swimwear"],
    "raincoat": ["Rain Jacket", "Jackets"], "overcoat": ["Jackets"], "trench": ["Jackets"], "poncho": ["Jackets"],
    "cardigan": ["Sweaters"], "hoodie": ["Sweatshirts"], "kaftan": ["Tunics", "Tops"], "kimono": ["Tunics", "Tops"],
    "dungarees": ["Jumpsuit", "Rompers"], "overalls": ["Jumpsuit", "Rompers"], "beanie": ["Caps"],
    "blouse": ["Tops", "Kurtis"], "chaniya": ["Kurta Sets", "Skirts", "Sarees"], "choli": ["Kurta Sets", "Skirts", "Sarees"],
    "ghagra": ["Kurta Sets", "Skirts", "Sarees"], "mekhela": ["Sarees", "Kurta Sets"],
    "suruwal": ["Kurta Sets", "Kurtas", "Nehru Jackets"], "dhoti": ["Kurta Sets", "Kurtas"],
}  # fmt: skip
# Words for several article types at once.
_LAYER_WORDS: dict[tuple[str, ...], list[str]] = {
    ("outerwear", "layer", "layers", "layering", "to throw over", "throw over"):
        ["Jackets", "Sweaters", "Sweatshirts", "Shrug", "Blazers"],
    # to keep warm: not a blazer
    ("warmer", "something warm", "winter wear", "winterwear", "warm clothes", "keep me warm", "keeps me warm",
     "keep her warm", "keep him warm", "keep warm", "warm stuff", "warm things", "warm wear", "garam kapde",
     "something warmer"): ["Jackets", "Sweaters", "Sweatshirts", "Shrug"],
}  # fmt: skip
_LAYER_PHRASES = frozenset(w for words in _LAYER_WORDS for w in words)
# "to layer under it", "to wear underneath the jacket": an inner layer, not another outer one.
_UNDER_LAYER = re.compile(
    r"\b(?:layer|wear|go|put)\w* (?:it |them |that )?(?:under|underneath|beneath)\b"
    r"|\bunder(?:neath)? (?:it|that|this|the jacket|my jacket|a jacket|the coat|my coat|a coat|the blazer)\b"
)
_OUTER_LAYERS = frozenset(("Jackets", "Blazers", "Shrug", "Rain Jacket"))
# Words that name a whole category rather than one article type.
_CATEGORY_WORDS = {
    "shoes": ("category", ["Footwear"]), "shoe": ("category", ["Footwear"]), "footwear": ("category", ["Footwear"]),
    "accessories": ("category", ["Accessories"]), "clothes": ("category", ["Apparel"]),
    "clothing": ("category", ["Apparel"]), "apparel": ("category", ["Apparel"]),
    "bag": ("subcategory", ["Bags"]), "bags": ("subcategory", ["Bags"]),
    "jewellery": ("subcategory", ["Jewellery"]), "jewelry": ("subcategory", ["Jewellery"]),
    "gohona": ("subcategory", ["Jewellery"]), "gehna": ("subcategory", ["Jewellery"]),
    "gehne": ("subcategory", ["Jewellery"]),
    "eyewear": ("subcategory", ["Eyewear"]), "makeup": ("subcategory", ["Makeup", "Lips", "Nails", "Eyes"]),
    "topwear": ("subcategory", ["Topwear"]), "bottomwear": ("subcategory", ["Bottomwear"]),
    "bottoms": ("subcategory", ["Bottomwear"]), "bottom": ("subcategory", ["Bottomwear"]),
    "something for the feet": ("category", ["Footwear"]), "for the feet": ("category", ["Footwear"]),
    "on my feet": ("category", ["Footwear"]), "on his feet": ("category", ["Footwear"]),
    "on her feet": ("category", ["Footwear"]), "for my feet": ("category", ["Footwear"]),
    "innerwear": ("subcategory", ["Innerwear"]),
    "skincare": ("subcategory", ["Skin Care", "Skin"]), "skin care": ("subcategory", ["Skin Care", "Skin"]), "nightwear": ("subcategory", ["Loungewear and Nightwear"]),
}  # fmt: skip

_STOPWORDS = set(
    "saras sundar bagundi chennagide a an the and or for with in on of to me my i im i'm some any something anything please show back "
    "find need want looking look like get buy under below over above less more than from between "
    "size color colour what which that this goes go good nice new best cheap cheaper under is are "
    "it its can you do does have has wear wearing outfit outfits style styles piece pieces items item "
    "match matches matching beach night light bright pretty smart dinner brunch date black white "
    "would could should really very much also just then there their these those them they when where "
    "look looks looking trend trends trending season gift gifts stock stocks shares toned tone tones dressed coded store stores carries carry bathroom".split()
)
# Catalog-label spellings that are usually adjectives in a request ("a short dress").
_NOT_ARTICLE = {"short", "brief", "tight", "flat"}  # "our new flat" is a home
# Romanised words one letter from a colour word that are no typo of it: "cheti chand" (a festival), not "chandi"
_NOT_TYPOS = frozenset(("chand", "chaand", "chanda"))
# After "my sister's ...": events the shopper goes to and people of theirs; a gift ("my husband's
# birthday") is still for the person named.
_MENS_GARMENTS = {
    "veshti",
    "veshtis",
    "dhoti",
    "dhotis",
    "lungi",
    "lungis",
    "sherwani",
    "sherwanis",
    "suruwal",
}
_WOMENS_GARMENTS = {"mekhela", "lehenga", "lehengas", "ghagra", "ghagras", "chaniya", "choli", "cholis", "anarkali",
                    "anarkalis", "blouse", "blouses"}  # fmt: skip
_SAYS = {
    "said",
    "says",
    "thinks",
    "told",
    "suggested",
    "suggests",
    "reckons",
    "mentioned",
    "insists",
    "feels",
}
_NOT_THEIRS = {"wedding", "engagement", "sangeet", "mehendi", "mehndi", "haldi", "reception", "party", "function",
               "graduation", "funeral", "shaadi", "ceremony", "event", "teacher", "friend", "boss", "colleague",
               "class", "school", "office", "house", "place", "home", "anniversary", "housewarming", "puja", "pooja",
               "farewell", "roka", "tilak", "griha",
               # "my sister's trip": whose outing; the shopper goes too
               "outing", "trip", "getaway", "brunch", "reunion", "picnic",
               # a baby's ceremonies: the parents dress for them
               "naamkaran", "namkaran", "christening", "baptism", "mundan", "annaprashan", "annaprasan"}  # fmt: skip
# "a girls' outing", "boys night out": a group going out, not children to dress
_OUTINGS = frozenset(
    ("outing", "trip", "night", "nightout", "gang", "getaway", "brunch", "reunion", "hangout", "day")
)
# Generic words for who wears it: "women's kurta" is for women, but "my sister's wedding" is not
# for the sister (the shopper is going to it), nor "my daughter's teacher" for the daughter.
_WEARER_WORDS = {"women", "woman", "men", "man", "ladies", "lady", "boys", "boy", "girls", "girl", "gents", "kids",
                 "kid", "unisex", "mens", "womens", "female", "male", "guy", "guys"}  # fmt: skip

_CURRENCY = {
    "rs": "INR", "rs.": "INR", "inr": "INR", "₹": "INR", "rupees": "INR", "rupee": "INR",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "$": "USD", "usd": "USD", "dollars": "USD", "dollar": "USD", "bucks": None,
    "£": "GBP", "gbp": "GBP", "pounds": "GBP", "pound": "GBP", "quid": "GBP",
}  # fmt: skip
_CUR = r"(?:rs\.?|inr|₹|rupees?|€|euros?|eur|\$|usd|dollars?|bucks|£|gbp|pounds?|quid)"
_NUM = r"(\d[\d,]*(?:\.\d+)?k?)"
_PRICE_MAX = re.compile(
    rf"(?:under|below|less than|cheaper than|up to|upto|within|max(?:imum)?|at most|no more than|pooling|pooled|"
    rf"(?:till|until)(?=\s*(?:{_CUR}\s*)?(?:\d[\d,]{{2,}}|\d+(?:\.\d+)?k\b))|"
    rf"(?:got|have)(?=\s+(?:{_CUR}\s*)?(?:\d[\d,]{{2,}}|\d+(?:\.\d+)?k)\s*(?:{_CUR}\s*)?(?:for|to spend)\b)|"
    rf"not more than|budget(?: of| is| maybe| like| roughly| approx)?|total(?: budget)?(?: of| is)?|<=?|"
    rf"(?:can'?t|cannot|can not|won'?t|wont|don'?t want to|do not want to|not to|don'?t|do not|never|shouldn'?t|should not) "
    rf"(?:spend|pay|go)(?: any)? (?:more than|over|above|beyond)|not over|"
    rf"stretch(?: it)? to|go up to|bump(?: it)?(?: up)? to|raise(?: it)? to|increase(?: it| the budget)? to|make it|make that(?=\s*(?:{_CUR}\s*)?(?:\d{{3,}}|\d+(?:\.\d+)?k\b))|"
    rf"(?:nothing|not|never|none)(?: priced)? (?:over|above|more than|beyond|higher than|pricier than|costlier than)|"
    rf"not (?:a|one) (?:single )?(?:paisa|penny|rupee|cent|dime|buck|euro|dollar) (?:over|above|more than|beyond)|"
    rf"not exceeding|no higher than|(?:last|final|best) offer(?: is)?[,:]?|(?:can|could) (?:you|u) do(?: it for| them for)?|"
    rf"do better\b[^.?!\d]{{0,30}}[?.!]*\s*(?:(?:like|say|maybe)\s+)?|limit(?: is| of)?|max of|(?:the )?remaining(?: budget)?(?: of)?|"
    rf"(?:can|could|will|would|i'?ll)(?: maybe| only| probably| just)? (?:go|stretch|spend|do|pay)(?: up)? to)\s*(?:a |an )?({_CUR})?\s*{_NUM}\s*({_CUR})?"
)
_NEGATED_BELOW = re.compile(
    rf"\b(?:nothing|not|none|never|no)(?: priced| costing)? (?:below|under|less than|cheaper than|lower than)\s*"
    rf"({_CUR})?\s*{_NUM}\s*({_CUR})?"
)
_PRICE_MAX_AFTER = re.compile(
    rf"({_CUR})?\s*{_NUM}\s*({_CUR})?\s*(?:(?:each|per (?:person|piece|head|item|gift))\s*)?(?:a piece\b|apiece\b|per piece\b|or less|or under|and under|"
    rf"max\b|maximum\b|tops?\b|ke andar|tak\b|s[ae] kam\b|ke neeche|limit\b|budget\b|is my (?:budget|limit)|at most|mein\b|total\b|in total\b|all in\b|overall\b|"
    rf"-?\s*er moddhe|moddhe\b|(?:takar?|tk) (?:moddhe|bhitore)\b|(?:er )?bhitore\b|kulla\b|kulle\b|ukulla\b|lopala\b|lopu\b|lopale\b|olage\b|(?:er |ke )?ni+e?che\b|ke under\b|ni andar\b|(?:er )?m[ao]dd?h?ye\b|chya a{{1,2}}t\b|k?kulla\b|thi vadh(?:are|u) na(?:hi)?\b|collect(?:ed|\s+hua|\s+kiya)\b|(?:il |il )?thazhe\b|sudhi\b|vare\b|samma\b|bhitare\b|t[ou]n? ghat\b|tu (?:kom|kam)\b|bhanda (?:muni|kam|tala)\b|(?:il |l )?kooduthal (?:pokaruthu|venda|aakaruthu|akaruthu)\b|is (?:the|my) (?:real |actual |absolute |final |hard |total )?(?:max|maximum|limit|budget|ceiling|upper limit)\b|"
    rf"left\b|remaining\b|paryant\w*|varaikum\b|varaikkum\b|varai\b|(?:ku|kku) (?:mela|mele|meela) (?:venam|vendam|venaam|venda)\b|"
    rf"(?:on|for) (?:the|those|these|them|that|this|it)\b[\w ]{{0,20}}\?\s*that'?s my (?:limit|max|budget)\b|for (?:the )?(?:whole thing|whole lot|everything|both|all of it|the lot)\b|"
    rf"se (?:zyada|jyada|zada|upar|oopar) (?:bilkul |bhi )?(?:nahi|nahin|nai|mat|na)\b)"
)
# Said of a budget for several pieces ("total", "for both", Malayalam "ellam koodi", Kannada "eradu")
_TOTAL_NEAR = re.compile(
    r"\b(?:total|overall|in all|all in|altogether|for (?:both|everything|all of (?:it|them))|whole (?:thing|lot)|"
    r"ellam koodi|eradu|dono|both)\b"
)
# "around 2000", "about 1.5k", "2000 or so", "roughly Rs 800": a range, not a ceiling.
# "i have rs 999", "what can i get for 300 rupees": an amount of money the shopper has (with a currency).
_PRICE_HAVE = re.compile(
    rf"(?:i have|i've got|i got|got only|only have|have only|i can spend|can spend|with|for)\s+(?:only\s+)?"
    rf"(?:({_CUR})\s*{_NUM}|{_NUM}\s*({_CUR}))"
)
_PRICE_ABOUT = re.compile(
    rf"(?:around|about|roughly|approximately|approx\.?|~|in the region of|ballpark(?: of)?|close to|"
    rf"something like|more or less)\s*({_CUR})?\s*{_NUM}\s*({_CUR})?"
    rf"|({_CUR})?\s*{_NUM}\s*({_CUR})?\s*(?:or so|ish\b|give or take|(?:ke )?aas ?paas|(?:ke )?aaspaas|jati\b|oll?am\b)"
)
#: How far an approximate budget reaches either side ("around 2000" = 1600 to 2400).
APPROX_BUDGET = 0.2
# "if kurta is not there then", "agar kurta nahi hai to": a first choice the shop may lack, not asked for again
_IF_NOT_THERE = re.compile(
    r"\b(?:if|agar|incase|in case)(?: the| a| an| any)? [a-z]+(?: [a-z]+)? (?:is not|isn'?t|are not|aren'?t|is no longer|not|nahi|nahin)"
    r" (?:there|available|in stock|hai|hain|mila|mile|milta|milti)\b(?:,? (?:then|to|toh|tho))?"
    r"|\b(?:if|in case)(?: there'?s| there is| there are| you have| u have| you don'?t have| u dont have) no [a-z]+(?: [a-z]+)?\b(?:,? then)?"
)
# "Rs 999 me kya milega?", "is 1.5k enough for a full outfit?": money said with no other word for it
_MONEY = re.compile(
    rf"(?<![a-z])({_CUR})\s*{_NUM}|{_NUM}\s*({_CUR})(?![a-z])|(?<![\w.])(\d+(?:\.\d+)?k)\b"
    r"|(?<![\w.])(\d{3,6})(?=\s+(?:(?:is|be|will be|would be|should be)\s+)?(?:enough|kaafi|chalega|ok|okay|fine)\b)"
    # "paanch sau me koi tshirt?": what 500 buys, in Hindi
    r"|(?<![\w.])(\d{3,6})(?=\s+(?:me|mein|mai|main)\s+(?:koi|kuch|kya|ek|acch?h?[ai]|best|badhiya)\b)"
    # "sunglasses for him, 3k": an amount closing the message after a comma
    # or between commas: "a handbag for work, 3500, black only"
    r"|(?<=[,;] )(\d{3,6})(?=\s*[.!?]*\s*$|\s*[,;])"
)
_PRICE_MIN = re.compile(
    rf"(?:over|above|more than|at least|min(?:imum)?|starting at|upwards? of|north of|>=?)\s*({_CUR})?\s*{_NUM}\s*({_CUR})?"
)
# "5k+", "2000 and above", "3k onwards": a floor said after the amount.
_PRICE_MIN_AFTER = re.compile(
    rf"({_CUR})?\s*{_NUM}\s*({_CUR})?\s*(?:\+|plus\b|and (?:above|up|upwards|more)\b|or (?:more|above|higher)\b|"
    rf"upwards\b|onwards\b|se (?:upar|zyada|jyada)(?! (?:nahi|nahin|nai|mat|na)\b))"
)
# "the remaining ~1500": what is left of a budget is a ceiling, however roughly it is said.
_LEFT_ROUGHLY = re.compile(
    r"\b(remaining|left over|leftover)(\s+(?:budget\s+)?(?:of\s+)?)(?:~|around|about|approx\.?|roughly)\s*"
)
# "dress under €30 … i mean under 2500 rupees", "for my wife's cousin... no wait, for her brother":
# what the shopper says after correcting themselves wins over what it corrects.
# What goes in a bag is not what is wanted: "a small bag, just to put phone and lipstick".
_BAG = re.compile(r"\b(?:bags?|clutch(?:es)?|purses?|pouch(?:es)?|totes?|backpacks?|wallets?|sling)\b")
_CONTENTS = re.compile(
    r"\b(?:(?:just |only )?to (?:put|carry|keep|hold|fit|store)|(?:that |which )?(?:fits?|holds?)|room for|space for"
    r"|big enough for|enough for)\b[^.,;!?]*"
)
# "pink ya peach shades mein", "in earthy shades", "shades of blue": shades of a colour, not sunglasses
_COLOUR_SHADES = re.compile(
    r"\b(?:(in|of) )?([a-z]+) shades\b(?= (mein|me|main|mai|vich|il|la|lo|ma|madhe|only|please|pls)\b)?"
    r"|\bshades (?=of [a-z]+)"
)
_SHADE_WORDS = frozenset(
    (
        "light",
        "dark",
        "pastel",
        "bright",
        "soft",
        "deep",
        "earthy",
        "neutral",
        "warm",
        "cool",
        "lighter",
        "darker",
        "similar",
        "other",
        "different",
        "same",
        "muted",
        "festive",
        "jewel",
    )
)
_DETAIL_COLOUR = re.compile(
    r"\b([a-z]+) (?:border|borders|zari|piping)\b(?! (?:saree|sari|dupatta|stole))|\bwith (?:a |an |the )?(?:thin |thick |small |little |bit of |some )?([a-z]+) (?:border|borders|trim|work|"
    r"embroidery|zari|piping|buttons?|details?|detailing|motifs?|accents?|lining|stitching|thread work)\b"
)
_AFTER_FESTIVAL = re.compile(
    r"\b(?:after|since|post)(?: the)? (?:diwali|deepavali|eid|holi|christmas|xmas|navratri|pongal|onam|durga puja|"
    r"new year)\b(?! (?:party|parties|puja|pooja|function|dinner|lunch|get ?together|celebrations?|mela|sale))"
)
_HELD_UP = re.compile(r"\b(?:hold|holds|keep|keeps)(?: the| my| his| her| your)? \w+ up\b")
_GIFT_BOX = re.compile(r"\b(?:in|into) (?:the|a|his|her|my|one|nice) gift ?box(?:es)?\b")
_BAG_KIND = re.compile(r"bag|pack|sack|pouch|wallet|clutch|purse|tote")
_BAG_FOR = re.compile(r"\b(?:bags?|totes?|pouch(?:es)?|backpacks?|rucksacks?)\s+for\s+([^.;!?]*)")
_SELF_CORRECTION = re.compile(
    r"\b(?:i mean|i meant|no wait|wait no|wait,? actually|correction|scratch that|typo|sorry,? (?:i mean|no|typo)"
    r"|no,? sorry|oops)\b\W*"
    # "forget red, wine or black is better for night": what follows the comma is wanted
    r"|[,;.]\s*(?=(?:[a-z]+\s+){1,3}(?:is|are|would be|will be|looks?|seems?)\s+(?:better|nicer|best)\b)",
    re.I,
)
_PRICE_RANGE = re.compile(
    rf"(?:between|from)?\s*({_CUR})?\s*{_NUM}\s*({_CUR})?\s*(?:and|to|-|–|dekhi)\s*({_CUR})?\s*{_NUM}\s*({_CUR})?"
)
_SIZE = re.compile(
    r"\bsize(?:\s*(?:is\s+|:\s*|=\s*)|\s+|(?=\d))(?:uk\s*)?(xxs|xs|s|m|l|xl|xxl|xxxl|small|medium|large|extra large|one size|\d{1,2}(?:-\d{1,2}y?)?)\b"
    r"|\b(xxs|xs|xl|xxl|xxxl)\b|(?<![\w'])(?:in )?(s|m|l)\s+size\b|\b(?:waist|uk)\s*(\d{1,2})\b|\b(\d{2})\s*(?:waist|wiast|wasit|waste|w)\b"
    # "men, M", "in M": a letter size on its own at the end of a phrase
    r"|(?:^\s*|[,;]\s*|[?!]\s+|\bin\s+|\balso\s+|\bstill\s+|\b(?:sorry|oops|actually|nope|wait)\W{0,2}\s+|\b(?:oh|oops|ok|and) and\s+|^\W*and\s+|\bi'?m (?:an? )?|\bi wear (?:an? )?|\b(?:he|she)(?:'s| is| wears) (?:an? )?)(s|m|l)(?=\s*(?:now|these days|nowadays|actually|pls|plz|please|only|in (?:indian|uk|us|our|your|adult) sizes?)?\s*(?:[,;.!?]|$))"
    # "kurta L me hona": Hindi "in L"
    r"|\b(xs|s|m|l|xl|xxl|xxxl) (?=(?:me|mein|main) (?:hona|chahiye|chahie|dena|do|dikhao|milega|hai)\b)"
    # "a navy polo shirt, medium.", "first one, in a medium?", "which i think is a large?"
    r"|(?:[,;]\s*|\bin (?:an? )?|\bis (?:an? )?|^\s*)(small|medium|large|extra large)(?=\s*(?:[,;.!?]|$))"
    # "jeans, slim fit, 34", "trousers men 36": a waist size after a bottom
    r"|\b(?:jeans|trousers|pants?|chinos|shorts|track pants)\b[^0-9]{0,20}?\b(2[6-9]|3\d|4[0-4])\b(?!\s*(?:%|k\b|\d))"
    # "a 7 in women's", "casual shoes in 7", "size 9 shoes": a shoe size beside a shoe word
    r"|\b(?:in|a|an|wear|am|i'?m)\s+(?:uk\s+)?([3-9]|1[0-2])(?=\s*(?:in\b|[,;.!?]|$))"
    r"(?=.*\b(?:shoes?|sneakers?|heels|sandals?|flats|footwear|boots?|loafers|slippers|flip ?flops)\b)"
    r"|\b(?:shoes|sneakers|heels|sandals|flats|loafers|boots)\s+(?:in\s+)?(?:uk\s+)?([3-9]|1[0-2])\b(?!\s*(?:\d|k\b|rs|inr|₹|year|yr))"
    # "9 size hai?", "42 size": the number said before the word
    r"|(?<![\w.])([3-9]|1[0-2])\s+size\b"
    # "L available?", "make that 6": a size said on its own
    r"|^\W*(xxs|xs|s|m|l|xl|xxl|xxxl)\s+(?:available|avail|in stock|hai|milega|chahiye|please|pls)\b"
    r"|\bmake (?:it|that) (?:a |size )?(xxs|xs|s|m|l|xl|xxl|xxxl|[3-9]|1[0-2])\b(?!\s*(?:k\b|rs|inr|₹|%|\d|-|to\b|years?|yrs?|yo\b))"
    # "he needs one too, large": a size word closing the message after a comma
    r"|,\s*(large|medium|extra large)\s*[.!]*$"
    # "formal shirts white, mens M": a letter size after who wears it
    r"|\b(?:men'?s|mens|women'?s|womens|ladies|men(?!')|women(?!'))\W{1,3}(s|m|l|xl|xxl)\b(?!')"
    # "shoes too. 10", "flats like these instead? 5": a shoe size closing the phrase after a shoe word
    r"|\b(?:shoes?|sneakers?|heels|sandals?|flats|loafers|boots?|trainers|slippers|chappals?|floaters?|flip ?flops"
    r"|runners|mojaris?|juttis?)\b[^0-9]{0,50}?"
    r"(?<![\w.])([3-9]|1[0-2])(?=\s*(?:[,;.!?]|$))"
    # "what trackpants go with it, 32": a waist size after a bottom
    r"|\b(?:trackpants|joggers|leggings|palazzos?|capris|skirts?|bottoms)\b[^0-9]{0,25}?\b(2[6-9]|3\d|4[0-4])\b(?!\s*(?:%|k\b|\d))"
    # "8-9 size": a child's age size
    r"|\b((?:[2-9]|1[0-2])\s*-\s*(?:[3-9]|1[0-3]))\s*(?:(?:y|yrs?|years?)?\s+size\b|y\b)"
    # "footwear bhi batao, 9 number": the Indian way of saying a shoe size
    r"|(?<![\w.])([3-9]|1[0-2])\s+(?:number|no\.?)(?!\w)"
    # "size M sorry L not M": the size said first, the one after "not" ruled out
    r"|\b(xxs|xs|s|m|l|xl|xxl|xxxl)\s+not\s+(?:xxs|xs|s|m|l|xl|xxl|xxxl)\b"
    # "she's a small": a size word said of the wearer
    r"|\b(?:he|she|i)(?:'s| is|'m| am) (?:usually |normally |mostly |generally )?(?:a |an )?(small|medium|large)\b"
    r"|\b(?:usually|normally|generally|typically|mostly) (?:a |an )?(?:size )?(small|medium|large)\b"
    # "matching hoodie? L up top": the size of the top
    r"|\b(xs|s|m|l|xl|xxl)\s+(?:up top|on top|for (?:the )?tops?)\b"
)
# Ages and age sizes are not amounts of money: "make it 8-9 years size", "she's 9 years".
_AGE_WORDS = re.compile(r"\b\d{1,2}\s*(?:-\s*\d{1,2}\s*)?(?:y|yrs?|years?)\b(?:\s+(?:old|size))?")
# "running shoes, men's 10": a shoe size after who wears it, in a message about shoes
_GENDER_SHOE_SIZE = re.compile(
    r"\b(?:men'?s|mens|women'?s|womens|ladies)\s+(?:uk\s+)?([3-9]|1[0-2])\b(?!\s*(?:k\b|\d|rs|inr|yrs?|years?|%))"
    # "some footwear that goes with it.. i'm a 9"
    r"|\b(?:i'?m|i am|i wear|he'?s|she'?s|he wears|she wears) (?:an? )?(?:uk\s+)?([3-9]|1[0-2])\b(?!\s*(?:k\b|\d|rs|inr|yrs?|years?|%|y/?o\b))"
)
_SHOE_WORD = re.compile(
    r"\b(?:shoes?|sneakers?|heels|sandals?|flats|loafers|boots?|trainers|slippers|footwear)\b"
)
_SHADE_OF = {
    "a",
    "darker",
    "lighter",
    "dark",
    "light",
    "different",
    "other",
    "pastel",
    "bright",
    "neutral",
    "earthy",
    "similar",
    "same",
    "warm",
    "cool",
    "muted",
    "deeper",
    "deep",
    "softer",
    "brighter",
    "that",
    "this",
    "exact",
    "particular",
    "specific",
}
_VERB_BEFORE = {
    "i",
    "you",
    "we",
    "they",
    "he",
    "she",
    "to",
    "can't",
    "cant",
    "cannot",
    "can",
    "could",
    "couldn't",
    "will",
    "won't",
    "don't",
    "dont",
    "doesn't",
    "how",
    "i'll",
    "not",
    "never",
}
_HAVE_WORDS = {
    "milegi",
    "milega",
    "milenge",
    "milti",
    "milta",
    "hai",
    "hain",
    "hoga",
    "hogi",
    "mil",
    "kya",
    "hey",
}
# "teenagers man", "kids man", "ugh man": after these, "man" is a sigh ("track pants for gym. man." is who)
_SIGHED_AFTER = frozenset(
    "kids teenagers teens children parents people boys girls guys ugh omg lol haha honestly seriously tbh "
    "bhai yaar ya".split()
)
_OVER_A = [["over", w] for w in ("a", "an", "my", "his", "her", "the", "their")]
# Events held for someone, who is not the one dressed: "a prayer meet (chautha) for my friend's father".
_WHOSE_EVENT = re.compile(
    r"\b(?:meet|funeral|prayers?|ceremony|chautha|uthala|memorial|shraddh|tehrvi|condolence)"
    r"(?: (?!gift|present)\w+)? for(?: my| our| a| the| his| her)?(?: \w+)?$"
)
# "M in tops, S in bottoms": a size for each kind of item.
_SIZE_PER_KIND = re.compile(
    r"\b(xxs|xs|s|m|l|xl|xxl|xxxl|\d{2})\s+(?:in|for)\s+(?:the\s+)?(tops?|bottoms?|shirts?|t ?shirts?|tees?|"
    r"kurtas?|kurtis?|dresses|dress|jeans|trousers|pants|shorts|skirts?|jackets?|shoes|footwear)\b"
)
# "he wears 8-9 yrs in tops", "size 8-9 years": a children's size (not an age: "8-9 years old").
_AGE_SIZE = re.compile(
    r"\b(\d{1,2})\s*(?:-|to)\s*(\d{1,2})\s*(?:yrs?|years?|y)\b(?!\s*old)"
    r"(?:\s+(?:in|for)\s+(?:tops?|bottoms?|clothes|everything|shirts?|t-?shirts?|tees))?"
)
_WORE_BEFORE = re.compile(
    r"\b(?:i|i'?ve|i have|she|he|she'?s|he'?s) (?:already |just )?(?:wore|worn|have worn|had on) ([a-z]+)"
    r"(?= (?:to|at|for|last|on|before|already|twice)\b)"
    # "ugh i meant black, brown was what my dad has": the colour someone already has
    r"|\b([a-z]+) (?=(?:was|is|were|are) (?:what|the one|the ones|the colou?r) (?:my |his |her |their )?"
    r"(?:\w+ )?(?:already )?(?:has|had|have|owns|owned|got|wore|bought)\b)"
)
_SO_IT_MATCHES = re.compile(
    r"\b(?:so|because|since|as) (?:it|they|that|these|those)(?:'ll| will| would| can)? "
    r"(?:match(?:es)?|go(?:es)?(?: well)? with|suits?|looks? good with) (?:the|my|her|his|those|these|our) [a-z]+"
)
_HAS_COLOUR = re.compile(
    # (not "the theme is all black", "the dress code is red": those are asked for)
    r"\b(?:the|my|her|his|their|our) (?!(?:theme|dresscode|code|vibe|palette|colou?r)\b)[a-z]+(?: [a-z]+)? "
    r"(?:is|are) (?:all |mostly |kind of |kinda )?([a-z]+)"
    r"(?=\s*(?:,|;|\.|\bso\b|\band\b|\bthough\b))"
)
# "have navy blazer n grey trousers already. need formal shoes", "i already own a white linen shirt and
# olive chinos, only missing brown loafers", "i have a plain black saree for a reception, need jewellery":
# what the shopper owns, said before what is asked for.
_OWNED_BEFORE_ASK = re.compile(
    r"\b((?:i|we|he|she)?\s*(?:already )?(?:have|has|own|owns|got|bought)\b(?! to\b)"
    r"(?!\s+(?:a |an |my |the |our |his |her )?(?:\w+ )?(?:wedding|party|function|event|interview|meeting|date|trip|exam|"
    r"reception|shaadi|puja|pooja|festival|budget|ceremony|occasion|dinner|office|college|school|job|holiday)\b)(?:(?! for )[^.;!?\d]){3,80}?)"
    # (what it is for stays: "for a wedding reception")
    r"(?: for [^.;!?\d]{0,40}?)?"
    r"(?=[.;,!?]?\s*(?:i |we |he |she |so |and |but |just )?(?:only |still |now |really )?"
    r"\b(?:need|needs|want|wants|missing|looking for)\b)"
)
# "chest 40, waist 32": body measures, each for its own kind of item.
_MEASURES = re.compile(
    r"\b(chest|waist|collar|hips?|inseam)\s*(?:size\s*)?(?:of\s*|is\s*)?(\d{2})\b|\b(\d{2})\s*(chest|waist|collar)\b"
)
_SIZE_MEANT = re.compile(
    r"(?:\b(?:matlab|i mean|i meant|meaning|so|which is|that'?s|i\.e\.?|i think is|i think that'?s|is)\W+(?:probably |prolly |likely |maybe |i guess |i think )?"
    r"|\s*/\s*|(?<=collar)\s*(?:/|or)\s*)(xxs|xs|s|m|l|xl|xxl|xxxl)\b"
    r"|\W{0,3}(?:also |so |or |i\.e\.? |=\s*)?uk\s*(\d{1,2})\b"
    r"|\b(\d{1,2})\s*uk\b"
)  # "size 42 chest... matlab L", "UK 10 which I think is M?", "size 40 collar / L"
_SIZE_NUMBERS = {"three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                 "eleven": 11, "twelve": 12}  # fmt: skip
# Hands that cannot do buttons: nothing that buttons up.
_NO_BUTTONS = re.compile(
    r"\b(?:can'?t|cannot|can not|unable to|struggles? (?:with|to)|hard to|difficult to|trouble with|no more) "
    r"(?:do |manage |fasten |close |handle |do up )?buttons?\b|\bbuttons? (?:lagate parena|lagate pare na|nahi laga\w*"
    r"|are (?:hard|difficult|a struggle|tricky))|\bwithout buttons\b|\bno buttons\b|\bbutton-?less\b"
)
_BUTTONED = ("Shirts", "Waistcoat", "Blazers", "Nehru Jackets", "Cufflinks")
# Shoes for long hours on one's feet: comfortable ones, so not heels.
_ON_FEET_ALL_DAY = re.compile(
    r"\b(?:stand(?:ing)? (?:in|all day|for)|on (?:my|his|her|their) feet|(?:walk|walking|standing) all day"
    r"|all[- ]day (?:comfort|wear|standing|walking)|without (?:crying|pain|blisters)|soft (?:shoes|footwear|ones)"
    r"|(?:won'?t|don'?t|doesn'?t|wont|dont) (?:kill|hurt|destroy)|\d+\s*(?:hrs?|hours) (?:on|standing|walking))\b"
)
_SIZE_WORDS = {"small": "S", "medium": "M", "large": "L", "extra large": "XL", "one size": "One Size"}
_NEGATION = re.compile(
    r"(?:\bany (?:other )?(?:colou?r|shade)s?(?: is fine| is ok| works)? (?:but|except)|\beverything but|\ball but"
    r"|\bnot|\bnon|\bno|\bisn'?t|\baren'?t|\bscratch|\bscrap|\bditch|\bskip|\bexcept|\bwithout|\bother than|\binstead of|\brather than|\bdone with|\bsick of|\btired of|\banything but|\bbut not|(?<!know )\bnothing(?: with(?: an?| any)?)?|\bhates?|\bdislikes?|\bavoids?"
    r"|\bdon'?t (?:like|want|love|need)|\bdo not (?:like|want)|\bnot a fan of|\bno more|\bnot really(?: an?)?"
    r"|\b(?:doesn'?t|doesnt|don'?t|dont) (?:really |usually |ever )?(?:wear|do|like)"
    r"|\bnot (?:big|keen|really|too keen|much) (?:on|into)|\bnot into|\brefuses?(?: to wear)?|\bwon'?t wear|\bcan'?t stand"
    r"|\bcan'?t (?:walk|run|dance|move|stand|do|wear|handle)(?: in)?|\bforget(?: about)?"
    r"|\bdoesn'?t (?:have|need) to be|\bdoesnt (?:have|need) to be|\bneedn'?t be|\bnot necessarily"
    r"|\balready (?:has|have|got|owns?)(?: (?:lots|plenty|a lot|loads) of| \d+| two| three| a few| many| some)?|\bno more of"
    r"|\b(?:i|he|she|we) only (?:own|owns|have|has)|\ball (?:i|he|she) (?:own|owns|have|has) (?:is|are)"
    r"|\bnot (?:that|this)"
    # "something more useful than socks", "anything nicer than a tie": not that
    r"|\b(?:more \w+|better|nicer|cooler|classier|other) than"
    # "she has a shelf full of perfumes", "he has loads of ties": owned, so not wanted
    r"|\b(?:shelf|shelves|cupboard|drawer|wardrobe|closet|box|room) full of|\b(?:has|have|owns?|got) (?:tons|lots|loads|heaps|plenty|enough|so many|too many) of"
    # "he has like 4 black pairs already": a count of what is owned
    r"|\b(?:has|have|owns?|got) (?:like |about |around |already )?(?:[2-9]|\d\d|two|three|four|five|six|several|a few|many|multiple))"
    r"(?:\s+(?:the|any|anything|all|in|a|an|my|our|his|her|these|those))?(?:\s+same)?(?:\s+(?:cotton|linen|silk|woollen|wool|denim|leather|plain))?(?:\s+(?:too|very|overly|super|so))?"
    # "nothing too bright or black": the colour after the "or" is said no to as well (but "not loud,
    # navy or maroon" asks for navy: a word that is no shade takes the colour only with "or")
    r"(?:\s+(?:(?:bright|dark|light|pale|deep|fluorescent|neon)(?:\s+(?:or|nor))?|(?:plain|loud|hot|flashy)\s+(?:or|nor)))?\s*$"
)  # "nothing too formal": not formal


# "saree nahi", Tamil "black venam" (a colour only), Kannada "beda", Marathi "nako", Malayalam "venda" and
# "allathathu" (other than), Telugu "vaddu", Nepali "chaidaina": "not" said after the thing.
_NOT_AFTER = frozenset(
    (
        "nahi",
        "nahin",
        "nai",
        "mat",
        "venam",
        "venaam",
        "vendam",
        "vendaam",
        "beda",
        "nako",
        "venda",
        "vendaa",
        "allathathu",
        "allatha",
        "allaatha",
        "vaddu",
        "chaidaina",
        "chahidaina",
        "nakko",
        "nohoi",
        "nuhen",
    )
)
# "heels onnum venda" (no heels at all), "kuch bhi nahi": a word between the thing and its "not"
_NOT_AFTER_FILLER = frozenset(("onnum", "onnu", "bilkul", "ekdum", "ekdam", "bhi"))
# Said no to after the item: "half the boys wear kurtas, he flat out refuses", "kurtas are a no".
_NEGATED_AFTER = re.compile(
    r"^(?:but |and )?(?:(?:he|she|i|they|we)(?:'s| is| am| are)? (?:\w+ ){0,2}(?:refuses?|won'?t wear|"
    # (what follows is what is said no to: "handbags, she hates bright colours" is not about the handbags)
    r"(?:hates?|doesn'?t (?:like|want|wear)|don'?t (?:like|want|wear))"
    r"(?!\s+(?!(?:them|it|those|these|that|em|wearing|to|so|too|lol|tbh|honestly|really|totally|at|anymore|either)\b)\w))|(?:are|is) (?:a )?(?:no|not (?:for|an option))"
    # "perfume is too personal", "socks feel lazy", "ties seem kinda boring"
    r"|(?:kill|kills|hurt|hurts|destroy|destroys) (?:me|my feet|my back)|give me blisters"
    r"|(?:is|are|feels?|seems?|looks?|sounds?|would be|will be|might be|is gonna be)"
    r"(?: (?:a bit|a little|kinda|kind of|way|so|just|very|really|bit))?"
    r" (?:too (?:personal|boring|basic|loud|flashy|bold|girly|manly|old|childish|common|generic|tacky|risky|much|"
    r"formal|fancy|heavy|intimate|clich[eé]d?|predictable|obvious|plain|boomer|old school)|lazy|boring|basic|generic|"
    r"meh|clich[eé]d?|overdone|tacky|dated|outdated|ugly|childish|impersonal))\b"
)

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "fifty": 50,
    # Hindi: "pandrah sau" (1500), "bees hazaar" (20000)
    "gyarah": 11, "barah": 12, "terah": 13, "chaudah": 14, "pandrah": 15, "solah": 16, "satrah": 17,
    "atharah": 18, "unnis": 19, "bees": 20, "pachchis": 25, "pachis": 25, "tees": 30, "chalis": 40, "pachas": 50,
    "ek": 1, "do": 2, "teen": 3, "char": 4, "chaar": 4, "paanch": 5, "panch": 5, "chhe": 6, "saat": 7,
    "aath": 8, "nau": 9, "das": 10, "dedh": 1.5, "dhai": 2.5, "dhaai": 2.5, "half a": 0.5,
}  # fmt: skip
_SCALES = {"grand": 1000, "thousand": 1000, "k": 1000, "hazaar": 1000, "hazar": 1000, "hajar": 1000,
           "hundred": 100, "sau": 100, "lakh": 100000, "lakhs": 100000, "crore": 10000000, "crores": 10000000}  # fmt: skip
# "a UK 12 which i reckon is an L", "US 10, so UK 9": the shopper's own conversion of a size
_SIZE_CONVERTED = re.compile(
    r"\b(?:uk|us|eu)\s*\d{1,2}\W{0,2}\s*(?:which|that|so|i\.?e\.?)\s+(?:i\s+(?:think|reckon|guess|believe)\s+)?"
    r"(?:(?:is|would be|should be|means|makes it)\s+)?(?:an?\s+)?(?:uk\s*)?(xxs|xs|s|m|l|xl|xxl|xxxl|\d{1,2})\b"
)
# What a thing has on it, said after "no kurtas with ...": the finish is said no to, not the kind
_A_FINISH = re.compile(
    r"(?:(?:any|big|loud|too much|heavy|a lot of|lots of|bold|busy)\s+)?(?:prints?|printed|patterns?|embroidery|"
    r"logos?|graphics?|text|writing|slogans?|sequins?|work|stripes?|checks?|florals?)\b"
)
# "thirty five hundred", "twenty-two thousand": tens, and tens and units, are number words too
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_NUMBER_WORDS.update(
    _TENS
    | {
        f"{tens}{sep}{unit}": value + _NUMBER_WORDS[unit]
        for tens, value in _TENS.items()
        for unit in ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
        for sep in (" ", "-")
    }
)
# "two and a half k", "1 and a half lakh"
_AND_A_HALF = re.compile(
    r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten) and a half\s*(k|thousand|grand|lakh|lakhs)\b"
)
_AMOUNT_WORDS = re.compile(
    r"\b(\d+(?:\.\d+)?|"
    + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True))
    + r")\s*("
    + "|".join(_SCALES)
    + r")\b"
)
# After a colour: "white makes me look like a waiter", "black i already have" (so not that colour).
_COLOUR_SAID_NO = re.compile(
    r"(?:makes?|made) (?:me|him|her|us) look (?:like|old|older|fat|fatter|pale|paler|dull|washed|sick|tired|big|"
    r"bigger|short|shorter|weird|boring)\b|(?:i|we|he|she) (?:already )?(?:have|has|own|owns|got)(?: (?:one|it|them|those|these))?(?: already)?\s*$"
    r"|(?:i|we|he|she) already (?:have|has|own|owns|got)\b"
)
_OWNED_IN = re.compile(
    r"\b(?:i|we|he|she) (?:already )?(?:have|has|own|owns|got) (?:these|those|them|this|that|it|one|a pair)"
    r"(?: already)? in$"
)
# "XL tight aagum", "M is too loose": the size said does not fit (another follows).
_MISFIT = re.compile(
    r"\s*(?:is|was|are|were|feels?|comes?)?\s*(?:too|a bit|bit|a little|very|kinda|slightly)?\s*"
    r"(?:tight|loose|small|big|short|baggy|chhota|bada|tite)\b"
)
# "forget the budget for this one", "money no bar": no price limit now.
_NO_BUDGET = re.compile(
    r"\b(?:forget|ignore|drop|skip|never ?mind|remove|no need for|don'?t worry about|dont worry about)"
    r"(?: about)? (?:the |my |that |this )?(?:budget|price limit|price cap|limit|price)\b"
    r"|\b(?:budget|price) (?:doesn'?t|does not|dont|don'?t|won'?t) matter\b|\bmoney (?:is )?no (?:bar|object|issue|problem)\b"
    r"|\b(?:any|no) (?:budget|price limit)\b|\bwhatever (?:it|they) costs?\b"
)
# "under thousand rupees": a scale word with no number before it is one of it.
_BARE_SCALE = re.compile(
    r"\b(under|below|within|upto|up to|less than|max|around|about|budget|budget is)\s+(thousand|hazaar|hazar|grand)\b"
    # Punjabi "hazaar ton ghat": under a thousand
    r"|(?<![\w.])()(hazaar|hazar)(?=\s+(?:t[ou]n? ghat|ke andar|ke under|tak|se kam|ke neeche|ni andar)\b)"
)
# "2-3k", "1.5 to 2k": the scale written once for both ends.
_SHARED_K = re.compile(
    r"\b(\d+(?:\.\d+)?)\s*(-|–|to|and)\s*(\d+(?:\.\d+)?)\s*(?:k|thousand|grand|hazaar|hazar)\b"
)


# Excluding a colour leaves out its close shades too: "no white, they go see-through" is no off-white.
_EXCLUDE_SHADES = {"White": ["Off White", "Cream"], "Grey": ["Grey Melange"], "Blue": ["Navy Blue", "Turquoise Blue"],
                   "Brown": ["Coffee Brown", "Mushroom Brown", "Tan"], "Green": ["Lime Green", "Sea Green", "Olive"],
                   "Gold": ["Bronze"], "Pink": ["Magenta"], "Yellow": ["Mustard"],
                   "Maroon": ["Burgundy"], "Burgundy": ["Maroon"], "Nude": ["Skin", "Beige", "Peach"]}  # fmt: skip


def named_colours(colours: Iterable[str]) -> list[str]:
    """``colours`` without those that are shades of another in the list, as a shopper named them:
    "no yellow" is stored as yellow and mustard, and said back as "no yellow"."""
    listed = list(colours)
    lowered = {c.lower() for c in listed}
    shades = {s.lower() for c, ss in _EXCLUDE_SHADES.items() if c.lower() in lowered for s in ss}
    return [c for c in listed if c.lower() not in shades]


def with_shades(colours: Iterable[str]) -> list[str]:
    """``colours`` and their close shades ("White" -> White, Off White, Cream), in order, once each."""
    return list(dict.fromkeys(s for c in colours for s in (c, *_EXCLUDE_SHADES.get(c, ()))))


def colour_family(colours: Iterable[str]) -> set[str]:
    """``colours``, the colours they are shades of, and those colours' shades: "Tan" -> Brown, Coffee
    Brown, Mushroom Brown, Tan; "Yellow" -> Yellow (gold is a neighbour, not a shade)."""
    wanted = set(colours)
    parents = {c for c, shades in _EXCLUDE_SHADES.items() if wanted & {c, *shades}}
    return wanted | set(with_shades(parents))


# Shopping words in other languages a shop's customers write in (French, Spanish, Hindi in Devanagari),
# read as their English words before parsing: "une chemise blanche pour homme, taille L".
_FOREIGN = {
    # French
    "homme": "men", "hommes": "men", "femme": "women", "femmes": "women", "enfant": "kids", "enfants": "kids",
    "chemise": "shirt", "chemises": "shirts", "pantalon": "trousers", "robe": "dress", "robes": "dresses",
    "jupe": "skirt", "veste": "jacket", "chaussures": "shoes", "baskets": "sneakers", "bottines": "ankle boots",
    "sac": "handbag", "montre": "watch", "lunettes": "sunglasses", "ceinture": "belt",
    "blanc": "white", "blanche": "white", "blanches": "white", "blancs": "white", "noir": "black",
    "marron": "brown", "bleu marine": "navy blue", "cravate": "tie", "cravates": "ties", "chaussettes": "socks",
    "écharpe": "scarf", "gants": "gloves", "handschuhe": "gloves", "krawatte": "tie", "noire": "black", "noires": "black", "noirs": "black", "rouge": "red", "rouges": "red", "bleu": "blue",
    "bleue": "blue", "vert": "green", "verte": "green", "jaune": "yellow", "rose": "pink", "gris": "grey",
    "taille": "size", "pointure": "size", "pour": "for", "cherche": "looking for",
    "montre-moi": "show me", "montrez-moi": "show me", "sandales": "sandals", "casquette": "cap", "casquettes": "caps",
    "père": "father", "mon père": "my father", "mère": "mother", "ma mère": "my mother", "fils": "son", "fille": "daughter",
    "cadeau": "gift", "roupies": "rupees", "portefeuille": "wallet", "assorti": "matching",
    "assortie": "matching", "assortis": "matching", "mariage": "wedding", "plage": "beach",
    "soirée": "party", "bureau": "office", "moins": "under", "avec": "with", "aller": "go",
    # Spanish
    "hombre": "men", "hombres": "men", "mujer": "women", "mujeres": "women", "camisa": "shirt",
    "camisas": "shirts", "pantalones": "trousers", "vestido": "dress", "vestidos": "dresses", "falda": "skirt",
    "chaqueta": "jacket", "zapatos": "shoes", "zapatillas": "sneakers", "sandalias": "sandals", "bolso": "handbag",
    "reloj": "watch", "gafas": "sunglasses", "cinturón": "belt", "blanco": "white", "blanca": "white",
    "negro": "black", "negra": "black", "negros": "black", "negras": "black", "rojo": "red", "roja": "red",
    "azul": "blue", "verde": "green", "amarillo": "yellow", "rosa": "pink", "dorado": "gold", "dorada": "gold",
    "dorados": "gold", "doradas": "gold", "plateado": "silver", "talla": "size", "para": "for",
    "busco": "looking for", "playa": "beach", "boda": "wedding", "fiesta": "party", "oficina": "office",
    "combinar": "match", "combine": "matches", "blancos": "white", "blancas": "white", "rojos": "red",
    "rojas": "red", "azules": "blue", "verdes": "green", "amarillos": "yellow", "amarillas": "yellow",
    "moins cher": "cheaper", "moins chère": "cheaper", "moins chers": "cheaper", "moins chères": "cheaper",
    "más barato": "cheaper", "más barata": "cheaper", "mas barato": "cheaper",
    # seasons and trends, in both
    "été": "summer", "l'été": "summer", "d'été": "summer", "l'automne": "fall", "l'hiver": "winter", "automne": "fall", "hiver": "winter", "printemps": "spring", "tendances": "trends",
    "tendance": "trending", "otoño": "fall", "invierno": "winter", "verano": "summer", "primavera": "spring",
    "tendencias": "trends", "tendencia": "trend", "se lleva": "is trending", "se llevan": "are trending",
    # German
    "herren": "men", "damen": "women", "frau": "women", "mann": "men", "kinder": "kids", "hemd": "shirt",
    "hemden": "shirts", "hose": "trousers", "kleid": "dress", "kleider": "dresses", "rock": "skirt",
    "jacke": "jacket", "schuhe": "shoes", "tasche": "handbag", "uhr": "watch", "gürtel": "belt",
    "größe": "size", "grösse": "size", "groesse": "size", "für": "for", "ich suche": "looking for",
    "hochzeit": "wedding", "passende": "matching", "passenden": "matching", "statt": "instead of",
    "billiger": "cheaper", "günstiger": "cheaper", "anzug": "suit", "handtasche": "handbag",
    "handtaschen": "handbags", "rupien": "rupees", "maximal": "max", "höchstens": "at most", "flach": "flat",
    "flache": "flat", "arbeit": "office",
    "poloshirt": "polo tshirt", "poloshirts": "polo tshirts", "büro": "office", "fürs": "for the",
    "sonnenbrille": "sunglasses", "mütze": "cap", "socken": "socks", "bruder": "brother", "schwester": "sister",
    "vater": "father", "mutter": "mother", "freundin": "girlfriend", "freund": "boyfriend", "bundweite": "waist",
    "dunkel": "dark", "danke": "thanks", "auch": "also",
    "damenuhr": "women watch", "damenuhren": "women watches", "herrenuhr": "men watch", "herrenuhren": "men watches",
    "geschenk": "gift", "nicht zu teuer": "not too expensive", "unter": "under",
    "ledergürtel": "leather belt", "lederjacke": "leather jacket", "laufschuhe": "running shoes",
    "sportschuhe": "sports shoes", "turnschuhe": "sneakers", "regenjacke": "rain jacket",
    "geldbörse": "wallet", "geldbörsen": "wallets", "portemonnaie": "wallet", "geldbeutel": "wallet",
    "brieftasche": "wallet", "rucksack": "backpack", "beides": "both", "bitte": "please", "suche": "looking for",
    "ich brauche": "i need", "brauche": "need", "nichts zu auffälliges": "nothing too flashy",
    "nichts auffälliges": "nothing flashy", "gibt es": "do you have", "schlicht": "plain", "schlichte": "plain",
    "parfum": "perfume", "parfüm": "perfume", "vielleicht": "maybe", "etwas": "something", "bis": "upto",
    "gleiches budget": "same budget", "gleichen budget": "same budget", "meinen": "my", "meine": "my",
    # French, more
    "sac à dos": "backpack", "sacs à dos": "backpacks", "voyage": "travel", "chaud": "warm", "chaude": "warm",
    "chauds": "warm", "chaudes": "warm", "frère": "brother", "mon frère": "my brother", "sœur": "sister",
    "soeur": "sister", "ma sœur": "my sister", "ma soeur": "my sister", "copine": "girlfriend",
    "copain": "boyfriend", "manteau": "jacket", "meilleure amie": "female best friend", "merci": "thanks",
    # Spanish, more
    "tacones": "heels", "tacón": "heel", "hermano": "brother", "hermana": "sister", "mi hermano": "my brother",
    "mi hermana": "my sister", "padre": "father", "mi padre": "my father", "madre": "mother",
    "mi madre": "my mother", "novio": "boyfriend", "novia": "girlfriend", "corbata": "tie", "corbatas": "ties",
    "mochila": "backpack", "gorra": "cap", "calcetines": "socks", "bufanda": "scarf", "abrigo": "jacket",
    "sudadera": "sweatshirt", "camiseta": "tshirt", "camisetas": "tshirts", "regalo": "gift",
    "cumpleaños": "birthday", "porfa": "please", "gracias": "thanks", "perdón": "sorry", "perdon": "sorry",
    "mejor en": "rather in", "mejor": "rather", "marrón": "brown", "marrones": "brown", "el que sea": "any",
    "zapatillas para correr": "running shoes", "para correr": "for running", "correr": "running",
    "menos de": "under", "rupias": "rupees", "europea": "eu", "europeo": "eu",
    "el color da igual": "any colour", "color da igual": "any colour", "cualquier color": "any colour",
    "die farbe ist egal": "any colour", "die farbe egal": "any colour", "farbe egal": "any colour",
    "farbe ist egal": "any colour", "n'importe quelle couleur": "any colour",
    # Portuguese
    "masculino": "men", "masculina": "men", "feminino": "women", "feminina": "women", "homem": "men",
    "mulher": "women", "chinelo": "flip flops", "chinelos": "flip flops", "havaianas": "flip flops",
    "tamanho": "size", "óculos de sol": "sunglasses", "oculos de sol": "sunglasses", "óculos": "sunglasses",
    "baratinho": "cheap", "baratinha": "cheap", "barato": "cheap", "até": "upto", "vocês têm": "do you have",
    "voces tem": "do you have", "tênis": "sneakers", "bolsa": "handbag", "relógio": "watch", "calça": "trousers",
    "calças": "trousers", "sapatos": "shoes", "preto": "black", "preta": "black", "branco": "white",
    "branca": "white", "vermelho": "red", "vermelha": "red", "amarelo": "yellow", "casamento": "wedding",
    "praia": "beach", "presente": "gift", "meu pai": "my father", "minha mãe": "my mother",
    "obrigado": "thanks", "obrigada": "thanks", "mais barato": "cheaper", "mais barata": "cheaper",
    "mais baratos": "cheaper", "mais baratas": "cheaper", "camisa social": "formal shirt",
    "camisas sociais": "formal shirts", "sapato social": "formal shoes", "sapatos sociais": "formal shoes",
    "calça social": "formal trousers", "desculpa": "sorry", "quero": "i want", "uma": "a",
    # Italian
    "bianco": "white", "bianca": "white", "bianchi": "white", "nero": "black", "nera": "black", "rosso": "red",
    "rossa": "red", "giallo": "yellow", "ragazzo": "boyfriend", "ragazza": "girlfriend",
    "mio ragazzo": "my boyfriend", "mia ragazza": "my girlfriend", "scarpe": "shoes", "camicia": "shirt",
    "borsa": "handbag", "orologio": "watch", "compleanno": "birthday", "rupie": "rupees", "uomo": "men",
    "donna": "women", "taglia": "size", "qualcosa di": "something in", "vestito": "dress", "cintura": "belt",
    "occhiali da sole": "sunglasses", "cravatta": "tie", "zaino": "backpack", "grazie mille": "thanks a lot",
    "grazie": "thanks", "marrone": "brown",
    # Portuguese, French and Gulf Arabic (in Latin letters), more
    "sandália": "sandals", "sandálias": "sandals", "sandalia": "sandals", "primeira": "first", "segunda": "second",
    "que combine": "that matches", "pour lui": "for him", "pour elle": "for her", "sinon": "otherwise",
    "mesh aktar min": "not more than", "mish aktar min": "not more than", "shanta": "bag", "abghi": "i want",
    "wardi": "pink", "lil banat": "for the ladies", "marroni": "brown", "massimo": "max", "mia madre": "my mother",
    "mio padre": "my father", "per mia": "for my", "per mio": "for my", "non troppo cara": "not too expensive",
    "non troppo caro": "not too expensive", "regalo per": "gift for", "elegante": "elegant",
    # Hindi (Devanagari)
    "पुरुष": "men", "आदमी": "men", "महिला": "women", "औरत": "women", "लड़की": "girl", "लड़का": "boy",
    "साड़ी": "saree", "साडी": "saree", "कुर्ता": "kurta", "कुर्ती": "kurti", "लहंगा": "lehenga", "जूते": "shoes",
    "चप्पल": "flip flops", "शर्ट": "shirt", "जींस": "jeans", "घड़ी": "watch", "लाल": "red", "नीला": "blue",
    "नीली": "blue", "काला": "black", "काली": "black", "सफेद": "white", "सफ़ेद": "white", "हरा": "green",
    "हरी": "green", "पीला": "yellow", "पीली": "yellow", "गुलाबी": "pink", "शादी": "wedding", "चाहिए": "chahiye",
    "तक": "tak", "के": "ke", "लिए": "liye", "मुझे": "mujhe", "साइज़": "size", "साइज": "size",
    "पुरुषों": "men", "मर्दों": "men", "महिलाओं": "women", "औरतों": "women", "कमर": "waist", "बेल्ट": "belt",
    "इनके साथ": "with these", "इसके साथ": "with this", "साथ": "with", "दिखाइए": "dikhao", "दिखाओ": "dikhao",
    "वाली": "wali", "वाला": "wala", "भी": "bhi", "बेटे": "son", "बेटी": "daughter", "सस्ता": "cheaper",
    "सस्ती": "cheaper", "जूता": "shoes", "भूरा": "brown", "भूरी": "brown",
    # Marathi and Punjabi words for the child
    "mulasathi": "for my son", "mulaa sathi": "for my son", "mulisathi": "for my daughter",
    "varshacha": "years old", "varshachi": "years old", "varshancha": "years old", "saal da": "years old",
    "saal di": "years old", "saal ki": "years old", "saal ka": "years old", "saal ke": "years old",
    # Bengali, Gujarati, Tamil, Marathi and Telugu in Latin letters (holdout25): who it is for, how old,
    # how much, which colour, thanks and goodbye
    "amar meye": "my daughter", "meye": "daughter", "meyer": "daughter's", "amar chhele": "my son", "chhele": "son",
    "chele": "son", "cheler": "son's", "bochor": "years old", "bochorer": "years old", "bochor boyosh": "years old",
    "shoshur moshai": "father in law", "shoshurmoshai": "father in law", "shoshur": "father in law",
    "shashuri": "mother in law", "joota": "shoes", "juto": "shoes", "jama": "dress", "onek dhonnobad": "thanks a lot",
    "dhonnobad": "thanks", "dhanyabad": "thanks", "dikri": "daughter", "dikro": "son", "varsh ni": "years old",
    "varas ni": "years old", "varsh no": "years old", "varas no": "years old", "gulabi": "pink", "aabhar": "thanks",
    "aavjo": "bye", "chhokri": "girl", "chhokro": "boy", "batavo": "show",
    "joie che": "i want", "paiyan": "son", "paiyanuku": "for my son", "paiyanukku": "for my son", "magan": "son",
    "magal": "daughter", "ponnu": "daughter", "ponnuku": "for my daughter", "vayasu": "years old",
    "vayasaagudhu": "years old", "vella": "white", "vellai": "white", "karuppu": "black", "sivappu": "red",
    "manjal": "yellow", "illana": "or", "illena": "or", "kaatunga": "show", "kaattunga": "show", "kaatu": "show",
    "innum konjam": "more", "nandri": "thanks", "valayal": "bangles", "pattu saree": "silk saree",
    "mulga": "son", "mulgi": "daughter", "mulila": "for my daughter", "mulala": "for my son", "kinva": "or",
    "kinvaa": "or", "sakharpuda": "engagement", "koduku": "son", "kuthuru": "daughter", "mon mari": "my husband",
    "mojdi": "mojari", "mojdis": "mojaris",
    # Telugu, Marathi and Bengali (holdout26)
    "naku": "for me", "naa kosame": "for me", "naa kosam": "for me", "kavali": "i want", "kaavali": "i want",
    "pelliki": "for the wedding", "pelli": "wedding", "unnaya": "available", "emaina": "any", "inka": "more",
    "bagundi": "is nice", "daaniki": "for it", "veskovali": "to wear", "cheppaledu": "i didn't say",
    "lagnasathi": "for the wedding", "lagnat": "at the wedding", "mamansathi": "for my uncle", "dakhva": "show",
    "dakhava": "show", "chhan ahe": "nice", "chaan ahe": "nice", "changla ahe": "is nice", "pivla": "yellow",
    "pivli": "yellow", "kalo": "black", "modhye": "moddhe",
    # voice typing's homophones
    "genes": "jeans", "pear of": "pair of",
    # Words written in an Indian script, as stylist.scripts.to_latin spells them (holdout30): Bengali,
    # Tamil, Marathi, Gujarati, Assamese and Hindi
    "meyeder": "women's", "meyeder jany": "for women", "chheleder": "men's", "chheler jany": "for my son",
    "barer jany": "for my husband", "bachhar": "years old", "bachharer": "years old", "prathamata": "the first one",
    "prathamatar": "the first one's", "dvitiyata": "the second one", "tritiyata": "the third one",
    "garh": "dark", "byag": "bag", "byagata": "the bag", "gayana": "jewellery", "gahana": "jewellery",
    "manabe": "will go with", "mutal": "the first", "rentavatu": "the second", "munravatu": "the third",
    "matiriye": "like", "matiri": "like", "vilai kammiya": "cheaper", "kammiya": "cheaper", "putavai": "saree",
    "pudavai": "saree", "enakku": "for me", "mulansathi": "for my kids", "mulanna": "for my kids",
    "mulage": "boys", "mulagi": "girl", "mulagisathi": "for my daughter", "varshanche": "years old",
    "ghadiyal": "watch", "ghadiyalo": "watch", "boyaphrend": "boyfriend", "boyphrend": "boyfriend", "garlphrend": "girlfriend",
    "garlaphrend": "girlfriend", "bhitarat": "bhitore", "ra bhitarat": "er bhitore", "mar babe": "for my mother", "baga": "white",
    # Malayalam in Latin letters (holdout27): who, what, show, colours, thanks. "chechi" and "chetta"
    # call the shop assistant sister and brother, so they name nobody.
    "ammakku": "for my mother", "ammaykku": "for my mother", "ammaku": "for my mother", "achan": "father",
    "achanu": "for my father", "achan nu": "for my father", "achante": "father's", "ammayude": "mother's",
    "chettanu": "for my brother", "aniyan": "younger brother", "aniyanu": "for my brother",
    "aniyathi": "younger sister", "aniyathikku": "for my sister", "makan": "son", "makanu": "for my son",
    "makal": "daughter", "makalkku": "for my daughter", "bharya": "wife", "bharyakku": "for my wife",
    "bharthavu": "husband", "ammoomma": "grandmother", "appooppan": "grandfather", "enikku": "for me",
    "enikk": "for me", "kaanikku": "show", "kaanikkamo": "show", "kaanikkoo": "show", "kurachu": "a bit",
    "karutha": "black", "chuvanna": "red", "chuvappu": "red", "pacha": "green", "neela": "blue",
    "manja": "yellow", "velutha": "white", "nanni": "thanks", "kollam": "nice", "adipoli": "great",
    "pwoli": "great", "ashamsakal": "wishes", "onnamathe": "first", "randamathe": "second",
    "moonnamathe": "third", "athinte koode": "with it", "ethelum": "any", "enthelum": "anything",
    "mathi": "is fine", "azhukkakum": "gets dirty", "azhukkaavum": "gets dirty", "kaalil idaan": "footwear to wear",
    "kaalil": "on the feet", "aduthekku": "place", "veettil": "home", "veetil": "home", "warm ide": "something warm", "flat mathi": "flats are fine", "kalyanam": "wedding", "kalyanathinu": "for the wedding", "vayassu": "years old",
    # Kannada in Latin letters (holdout27). "anna" is a name too: only "nam/nanna anna" and its cases.
    "nanage": "for me", "nange": "for me", "avnige": "for him", "avanige": "for him", "avlige": "for her",
    "avalige": "for her", "appa ge": "for my father", "amma ge": "for my mother", "nam anna": "my brother",
    "nanna anna": "my brother", "anna ge": "for my brother", "annange": "for my brother",
    "anna du": "brother's", "akka ge": "for my sister", "tamma": "younger brother",
    "tammanige": "for my brother", "tangi": "younger sister", "tangige": "for my sister", "magalu": "daughter",
    "magalige": "for my daughter", "maganige": "for my son", "hudga": "guy", "hudgi": "lady", "beku": "i want",
    "torsi": "show", "torisi": "show", "kadime bele": "cheaper", "kappu": "black", "bili": "white",
    "kempu": "red", "hasiru": "green", "neeli": "blue", "haladi": "yellow", "dhanyavada": "thanks",
    "dhanyavadagalu": "thanks", "chennagide": "nice", "sakkath": "great", "habbada": "festival",
    "shubhashayagalu": "best wishes", "swalpa": "a bit", "varsha": "years old",
    # Nepali in Latin letters (holdout27). "dai" and "didi" alone call the shopkeeper brother or sister.
    "ama lai": "for my mother", "ama ko": "mother's", "mero ama": "my mother", "buwa": "father",
    "buwa lai": "for my father", "dai lai": "for my brother", "dai ko": "brother's", "mero dai": "my brother",
    "didi lai": "for my sister", "didi ko": "sister's", "bahini": "younger sister", "bahini lai": "for my sister",
    "bhai lai": "for my brother", "chora": "son", "chori": "daughter", "keta ho": "i'm a guy",
    "keti ho": "i'm a girl", "keta": "guy", "malai": "for me", "chahiyo": "i want", "dekhau": "show",
    "dekhaunu": "show", "rato": "red", "seto": "white", "nilo": "blue", "hariyo": "green", "pahelo": "yellow",
    "sunaulo": "gold", "sun ko rang": "gold colour", "ramro": "nice", "ali sasto": "a bit cheaper",
    "sasto": "cheaper", "mahango": "expensive", "jasto": "like", "aru kehi": "something else",
    "ustai ustai": "all the same", "kunai pani rang": "any colour", "bihe": "wedding", "euta": "a",
    "chaina": "is not there", "bhane": "then", "matra": "only", "dhanyabaad": "thanks",
    # Assamese in Latin letters (holdout28)
    "deuta": "father", "deutar babe": "for my father", "deutar": "father", "deutak": "for my father", "deuta k": "for my father", "maak": "for my mother",
    "baideu": "elder sister", "bhonti": "younger sister", "mor bhoni": "my sister", "bhoni": "sister",
    "putek": "son", "mor babe": "for me", "moi": "i", "lagibo": "i want", "ronga": "red", "boga": "white",
    "kola": "black", "nila": "blue", "shewali": "green", "kom hole bhal": "less is better",
    "kiman porbo": "how much", "bhal pau": "i like", "logot": "with", "eitur logot": "with this", "ase": "is there",
    "kiba ase": "anything", "dia": "show", "dekhuwa": "show", "ba": "or",
    # Odia in Latin letters (holdout28)
    "mo pain": "for me", "pain": "for", "darkar": "i want", "aro dekhao": "show more", "aru dekhao": "show more", "dekhao": "show", "lal": "red", "kimba": "or",
    "sabuja": "green", "golapi": "pink", "nali": "red", "kala": "black", "dhala": "white", "bapa": "father",
    "bapa ra": "father's", "pua": "son", "jhia": "daughter", "jhia ra": "daughter's", "bahaghara": "wedding",
    "tanka": "rupees", "sathire": "with", "bhala lagila": "i like",
    "sunali": "gold", "sunali rang": "gold colour", "rang": "colour", "aau": "more", "bi": "also",
    # Punjabi in Latin letters (holdout28): "veere", "paaji" call the shopkeeper brother
    "sanu": "for me", "menu": "for me", "mere layi": "for me", "layi": "for", "bebe": "mother", "bebe layi": "for my mother",
    "bapu ji": "father", "bapu": "father", "bhen": "sister", "bhen layi": "for my sister", "chahida": "i want",
    "chahidi": "i want", "chahide": "i want", "dikhao": "show", "kinne da": "how much",
    "dooja wala": "the second one", "pehla wala": "the first one", "chitta": "white", "changa": "nice",
    "naal": "with", "suit naal": "with the suit", "vyah": "wedding", "garam": "warm",
    # Dakhni and Lucknowi Urdu (holdout28)
    "mereku": "for me", "apne liye": "for myself", "apne lie": "for myself", "ghadi": "watch",
    "ghadiyan": "watches", "ghari": "watch", "daawat": "party", "walima": "wedding reception",
    # what a shop does not stock (whose it is: _MENS_GARMENTS, _WOMENS_GARMENTS)
    "mekhela chador": "mekhela", "mekhela sador": "mekhela", "panche": "dhoti",
    # Gen-Z slang
    "no cap": "honestly", "ngl": "honestly", "lowkey": "kinda", "highkey": "really", "fr fr": "really",
    "slaps": "is great", "is fire": "is great", "bussin": "great",
}  # fmt: skip
# German colour adjectives take an ending ("ein rotes Kleid", "schwarze Jacke"): every form of each stem.
_FOREIGN |= {
    stem + ending: colour
    for stem, colour in (("rot", "red"), ("schwarz", "black"), ("weiß", "white"), ("weiss", "white"),
                         ("blau", "blue"), ("grün", "green"), ("braun", "brown"), ("grau", "grey"), ("gelb", "yellow"),
                         ("golden", "gold"), ("silbern", "silver"))
    for ending in ("", "e", "es", "er", "en")
}  # fmt: skip
_FOREIGN_WORD = re.compile(
    r"(?<![\w\u0900-\u097f])("
    + "|".join(sorted(map(re.escape, _FOREIGN), key=len, reverse=True))
    + r")(?![\w\u0900-\u097f])",
    re.IGNORECASE,
)
# Words of those languages that are English words too ("robe", "rose", "para", "pour"): translated only
# in a message that has another word of the language.
_FOREIGN_AMBIGUOUS = {
    "golden",
    "robe",
    "robes",
    "rose",
    "para",
    "pour",
    "sac",
    "moins",
    "baskets",
    "bureau",
    "gris",
    "rosa",
    "rock",
    "hose",
    "rot",
    "kinder",
    "mann",
    "marron",
    "statt",
    "voyage",
    "presente",
    "freund",
    "novia",
    # romanised Indian words that are English (or Spanish, French) words too
    "pain",
    "menu",
    "rang",
    "ba",
    "bi",
    "dia",
    "kola",
    "ase",
    "moi",
    "kollam",
    "varsha",
    "garam",
    "mathi",
}


# Gujarati's "of" is "no" ("birthday party no dress joie che": a dress for a birthday party), which
# the rules would read as English "no": dropped in a message that is Gujarati.
_GUJARATI = re.compile(r"\b(?:joie|joiye|joiche|che|chhe|mate|chu|chhu)\b", re.IGNORECASE)
_GUJARATI_OF = re.compile(r"(?<=[a-z]) no (?=[a-z])", re.IGNORECASE)
# Kannada and Tamil "sari, ..." at the start is "ok" (not a saree): "sari, at least yaava discount codes ide"
_SARI_OK = re.compile(
    r"^\s*sari(?: sari)?\s*,\s*(?=(?:at least|atleast|but|then|ok|okay|fine|so|aadre|haagadre|aana)\b)",
    re.IGNORECASE,
)
# Malayalam's "of" follows the owner: "ente brother nte aduthekku" (to my brother's place)
# Tamil's "for" is a suffix: "appavukku" (for dad), "penkalukku" (for women)
_TAMIL_FOR = re.compile(
    r"\b(appa|amma|thatha|tata|paati|pati|akka|thambi|tambi|anna|thangachi|tangachi|kanavar|manaivi|penkal|pengal|"
    r"ankal|aangal|aankal|ponnu|paiyan|magan|magal|maganukku)(?:v|kk)?ukku\b"
)
_MALAYALAM_OF = re.compile(r"\b([a-z]+) nte\b", re.IGNORECASE)
# Bengali "ekta panjabi chai": a man's kurta (a "panjabi suit" is hers); voice typing's "dark blew" and
# "a read top"
_PANJABI = re.compile(r"\bpanjabi\b(?!\s+suits?)", re.IGNORECASE)
_BLEW = re.compile(r"\b(dark|light|navy|sky|royal|baby|the|a|in) blew\b", re.IGNORECASE)
_READ_COLOUR = re.compile(
    r"\b(?:a|the) read (?=(?:top|dress|saree|sari|shirt|kurta|kurti|t-?shirt|tee|colou?r|one|bag|lipstick)\b)",
    re.IGNORECASE,
)


def translate_foreign(text: str) -> str:
    """``text`` with the shopping words of other languages in :data:`_FOREIGN` in English.

    Words in an Indian script the lexicon knows are translated first; the rest are written in Latin
    letters (:func:`stylist.scripts.to_latin`), so the romanised word lists read them too."""
    if has_indic(text):
        text = _FOREIGN_WORD.sub(
            lambda m: _FOREIGN[m.group(1).lower()] if has_indic(m.group(1)) else m.group(0), text
        )
        text = _TAMIL_FOR.sub(r"for \1", to_latin(text))
    if _GUJARATI.search(text):
        text = _GUJARATI_OF.sub(" ", text)
    text = _MALAYALAM_OF.sub(r"\1's", _SARI_OK.sub("ok, ", text))
    text = _READ_COLOUR.sub("a red ", _BLEW.sub(r"\1 blue", _PANJABI.sub("men's kurta", text)))
    found = [m.group(1).lower() for m in _FOREIGN_WORD.finditer(text)]
    if not found or all(w in _FOREIGN_AMBIGUOUS for w in found):
        return text
    return _FOREIGN_WORD.sub(lambda m: _FOREIGN[m.group(1).lower()], text)


# The nearest shades of a colour, for when the catalog has none in exactly that one ("tan handbags").
NEAR_SHADES = {
    "Tan": ["Brown", "Coffee Brown", "Beige", "Khaki"], "Nude": ["Beige", "Skin", "Peach", "Cream"],
    "Skin": ["Beige", "Nude", "Peach"], "Mustard": ["Yellow", "Khaki", "Gold"], "Maroon": ["Burgundy", "Red", "Magenta"],
    "Burgundy": ["Maroon", "Red"], "Beige": ["Cream", "Off White", "Khaki", "Skin", "Tan"],
    "Lavender": ["Purple", "Mauve", "Pink"], "Purple": ["Lavender", "Magenta", "Mauve"], "Mauve": ["Lavender", "Purple", "Pink"],
    "Olive": ["Khaki", "Green"], "Khaki": ["Olive", "Beige", "Tan"], "Teal": ["Turquoise Blue", "Sea Green", "Green"],
    "Turquoise Blue": ["Teal", "Blue"], "Navy Blue": ["Blue"], "Blue": ["Navy Blue", "Turquoise Blue"],
    "Peach": ["Pink", "Orange", "Nude"], "Rust": ["Orange", "Brown", "Maroon"], "Cream": ["Off White", "Beige", "White"],
    "Off White": ["Cream", "White", "Beige"], "Gold": ["Bronze", "Copper", "Mustard"], "Bronze": ["Gold", "Copper"],
    "Copper": ["Bronze", "Gold", "Rust"], "Silver": ["Steel", "Grey", "Metallic"], "Steel": ["Silver", "Grey"],
    "Charcoal": ["Grey", "Black"], "Grey": ["Grey Melange", "Charcoal", "Silver"], "Pink": ["Magenta", "Peach"],
    "Magenta": ["Pink", "Purple"], "Green": ["Olive", "Sea Green", "Lime Green", "Teal"], "Sea Green": ["Green", "Teal"],
    "Lime Green": ["Green", "Fluorescent Green"], "Red": ["Maroon", "Burgundy", "Rust"], "Orange": ["Rust", "Peach"],
    "Yellow": ["Mustard", "Gold"], "Brown": ["Coffee Brown", "Tan", "Mushroom Brown"], "Coffee Brown": ["Brown", "Tan"],
    "White": ["Off White", "Cream"], "Black": ["Charcoal"],
}  # fmt: skip


def spelled_amounts(text: str) -> str:
    """Amounts written in words or with a scale word as digits: "one thousand" -> "1000",
    "3 grand" -> "3000", "teen hazaar" -> "3000", "2-3k" -> "2000-3000", "two and a half k" -> "2500"."""
    text = _AND_A_HALF.sub(
        lambda m: (
            f"{((float(m.group(1)) if m.group(1)[0].isdigit() else _NUMBER_WORDS[m.group(1)]) + 0.5) * _SCALES[m.group(2)]:.0f}"
        ),
        text,
    )
    text = _SHARED_K.sub(
        lambda m: f"{float(m.group(1)) * 1000:g} {m.group(2)} {float(m.group(3)) * 1000:g}", text
    )

    def one(m: re.Match[str]) -> str:
        head, scale = m.group(1), m.group(2)
        if scale == "k" and not head[0].isdigit() and head not in ("a", "one"):
            return m.group(0)  # "under a k" is 1000, "teen k" is no amount
        if head in ("do", "das", "teen") and scale in ("hundred", "sau"):
            return m.group(0)  # "do sau" (200) is rare beside "do" (give); "teen sau" reads fine as 300
        value = (float(head) if head[0].isdigit() else _NUMBER_WORDS[head]) * _SCALES[scale]
        return f"{value:.0f}" if value == int(value) else f"{value:g}"  # "3 crore" is 30000000, not 3e+07

    # "under thousand", "hazaar ke andar": a scale word with no number before it (after "teen hazaar" is 3000)
    return _BARE_SCALE.sub(r"\1 1000", _AMOUNT_WORDS.sub(one, text))


def _blank(m: re.Match[str], text: str, group: int = 0) -> str:
    """``text`` with the match (or one of its groups) blanked out (same length, so later matches keep
    their places)."""
    return text[: m.start(group)] + " " * (m.end(group) - m.start(group)) + text[m.end(group) :]


def _number(raw: str) -> float:
    raw = raw.replace(",", "")
    return float(raw[:-1]) * 1000 if raw.endswith("k") else float(raw)


def _who(genders: list[str] | None) -> list[str] | None:
    """A child named beside an adult pronoun ("my daughter ... for her school") is the child."""
    if genders and {"Boys", "Girls"} & set(genders) and {"Men", "Women"} & set(genders):
        return [g for g in genders if g in ("Boys", "Girls", "Unisex")]
    return genders


def damerau(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment edit distance, stopping early above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def label_forms(label: str) -> set[str]:
    """Lower-case spellings of a catalog label: plural/singular, with/without spaces."""
    base = label.lower().replace("-", " ")
    out = {base, base.replace(" ", "")}
    for form in list(out):
        if form.endswith("ies"):
            out.add(form[:-3] + "y")
            if len(form) <= 5:  # "ties" -> "tie" (but "panties" -> "panty")
                out.add(form[:-1])
        elif form.endswith(("shes", "ches", "sses", "xes")):
            out.add(form[:-2])
        elif form.endswith("s") and not form.endswith("ss"):
            out.add(form[:-1])
        else:
            out.add(form + "s")
    return {v for v in out if len(v) > 1}


class QueryParser:
    """Reads explicit constraints from a request against the shop's own vocabulary.

    Args:
        article_types: the catalog's article types (``Tshirts``, ``Kurtas``, ...).
        colours: the catalog's base colours.
        usages: the catalog's usage values.
        currency: the shop currency.
        fx_rates: units of shop currency per unit of other currencies.
        known_words: real words (never corrected as typos of a catalog word).
    """

    def __init__(
        self,
        article_types: Iterable[str],
        colours: Iterable[str],
        usages: Iterable[str] = (),
        currency: str = "INR",
        fx_rates: Mapping[str, float] | None = None,
        known_words: Iterable[str] = (),
    ) -> None:
        self.currency = currency
        self._known_words = frozenset(known_words)
        self.fx_rates = dict(fx_rates or {currency: 1.0})
        self._kinds = set(article_types)
        usages = set(usages)
        self._usages = usages
        # phrase -> (filter field, values)
        phrases: dict[str, tuple[str, list[str]]] = {}
        for word, spec in _CATEGORY_WORDS.items():
            phrases[word] = spec
        for label in sorted(set(article_types)):
            for form in label_forms(label) - _NOT_ARTICLE:
                phrases[form] = ("article_type", [label])
        for label in sorted(set(article_types)):
            # "Kajal and Eyeliner", "Foundation and Primer": each is a name of the kind on its own
            for part in label.split(" and ") if " and " in label else ():
                for form in label_forms(part) - _NOT_ARTICLE:
                    phrases.setdefault(form, ("article_type", [label]))
        for words, labels in _LAYER_WORDS.items():
            kept = [lab for lab in labels if lab in set(article_types)]
            for w in words:
                if kept:
                    phrases[w] = ("article_type", kept)
        for label, words in _ARTICLE_SYNONYMS.items():
            if label in set(article_types):
                for w in words:
                    phrases[w] = ("article_type", [label])
        for words, labels in _MULTI_ARTICLE_WORDS.items():
            kept = [lab for lab in labels if lab in set(article_types)]
            for w in words:
                if kept:
                    phrases[w] = ("article_type", kept)
        colour_set = set(colours)
        self._colours = colour_set
        # Ambiguous colour words are read only where they can only be a colour (see parse).
        self._ambiguous_colours: dict[str, str] = {}
        for label in sorted(colour_set):
            for form in {label.lower(), label.lower().replace(" ", "")}:
                if form in _AMBIGUOUS_COLOURS:
                    self._ambiguous_colours[form] = label
                else:
                    phrases[form] = ("colour", [label])
        for word, label in _COLOUR_SYNONYMS.items():
            if label in colour_set:
                phrases[word] = ("colour", [label])
        if "White" in colour_set:
            self._ambiguous_colours["wht"] = "White"  # "wht shirt", but "wht do u have" is "what"
        for gender, words in _GENDER_WORDS.items():
            for w in words:
                phrases[w] = ("gender", [gender])
        for w in _KIDS_WORDS:
            phrases[w] = ("gender", ["Boys", "Girls"])
        for words, values in _USAGE_WORDS.items():
            kept = [v for v in values if v in usages] if usages else values
            for w in words:
                if kept and w not in phrases:
                    phrases[w] = ("usage", kept)
        for word, season in _SEASON_WORDS.items():
            phrases[word] = ("season", [season])
        self.phrases = phrases
        self._colour_words = {p: v[0] for p, (k, v) in phrases.items() if k == "colour" and " " not in p}
        self.max_words = max(len(p.split()) for p in phrases)
        # Single words eligible for typo correction (short words are too ambiguous).
        self._fuzzy = {p: spec for p, spec in phrases.items() if " " not in p and len(p) >= 5}

    @classmethod
    def from_values(cls, values: Mapping[str, Iterable[str]], **kwargs: Any) -> QueryParser:
        return cls(
            values.get("article_type", ()), values.get("colour", ()), values.get("usage", ()), **kwargs
        )

    # -- parsing --------------------------------------------------------------

    def _to_shop_currency(self, amount: float, currency: str | None, notes: list[str]) -> float:
        if not currency or currency == self.currency:
            return amount
        rate = self.fx_rates.get(currency)
        if rate is None:
            notes.append(f"unknown currency {currency}; read {amount:g} as {self.currency}")
            return amount
        converted = round(amount * rate, 2)
        notes.append(f"{amount:g} {currency} read as {converted:g} {self.currency}")
        return converted

    def _prices(self, text: str, notes: list[str]) -> tuple[float | None, float | None, str]:
        """The budget's floor and ceiling, and ``text`` with the amounts read blanked out."""
        text = _LEFT_ROUGHLY.sub(r"\1\2", spelled_amounts(text))
        ages = [(m.start(), m.group()) for m in _AGE_WORDS.finditer(text)]
        for start, said in ages:
            text = text[:start] + "\x00" * len(said) + text[start + len(said) :]
        low, high, text = self._amounts(text, notes)
        for start, said in ages:
            text = text[:start] + said + text[start + len(said) :]
        return low, high, text

    def _amounts(self, text: str, notes: list[str]) -> tuple[float | None, float | None, str]:
        low = high = None

        def cur(*groups: str | None) -> str | None:
            for g in groups:
                if g:
                    return _CURRENCY.get(g.strip().lower())
            return None

        said = [(m, cur(m.group(1), m.group(4))) for m in _MONEY.finditer(text) if m.group(1) or m.group(4)]
        if any(c == self.currency for _, c in said) and any(c != self.currency for _, c in said):
            # "20 bucks back home, so 1000 rupees here": the amount in the shop's currency
            for m, c in said:
                if c != self.currency:
                    text = _blank(m, text)
        m = _NEGATED_BELOW.search(text)
        if m:
            # "nothing below 1000, cheap ones just fall apart": a floor, not a ceiling
            low = self._to_shop_currency(_number(m.group(2)), cur(m.group(1), m.group(3)), notes)
            text = _blank(m, text)
        m = _PRICE_RANGE.search(text)
        if (
            m
            and low is None
            and (
                m.group(0).strip().startswith(("between", "from"))
                or cur(m.group(1), m.group(3), m.group(4), m.group(6))
                or min(_number(m.group(2)), _number(m.group(5))) >= 100  # "500-1000": no size is that large
            )
        ):
            c = cur(m.group(1), m.group(3), m.group(4), m.group(6))
            a = self._to_shop_currency(_number(m.group(2)), c, notes)
            b = self._to_shop_currency(_number(m.group(5)), c, notes)
            low, high = min(a, b), max(a, b)
            text = _blank(m, text)
        for m in _PRICE_ABOUT.finditer(text):
            if low is not None or high is not None:
                break
            amount = m.group(2) or m.group(5)
            c = cur(m.group(1), m.group(3), m.group(4), m.group(6))
            # "about 5 of them", "she's around 50" are no budget ("..., ~1000" after them is)
            if c or _number(amount) >= 100:
                centre = self._to_shop_currency(_number(amount), c, notes)
                low, high = round(centre * (1 - APPROX_BUDGET)), round(centre * (1 + APPROX_BUDGET))
                notes.append(f"around {centre:.0f}: read as {low:.0f} to {high:.0f}")
                text = _blank(m, text)
        m = _PRICE_MAX.search(text) or _PRICE_MAX_AFTER.search(text)
        if m and high is None:
            around = text[max(0, m.start() - 25) : m.end()] + re.split(r"\d", text[m.end() : m.end() + 25])[0]
            if _TOTAL_NEAR.search(around):
                # "total 5000 for everything, so the sweater not above 2000": this piece's ceiling
                later = [p.search(text, m.end()) for p in (_PRICE_MAX, _PRICE_MAX_AFTER)]
                m = min((c for c in later if c), key=lambda c: c.start(), default=m)
            high = self._to_shop_currency(_number(m.group(2)), cur(m.group(1), m.group(3)), notes)
            text = _blank(m, text)
        m = _PRICE_HAVE.search(text)
        if m and high is None and low is None:
            high = self._to_shop_currency(
                _number(m.group(2) or m.group(3)), cur(m.group(1), m.group(4)), notes
            )
            text = _blank(m, text)
        m = _PRICE_MIN.search(text)
        if (
            m
            and high is None
            and re.search(
                r"(?:n't|\b(?:dont|doesnt|wont|cant|not?|never))\W+(?:\w+\W+){0,2}(?:spend|pay|go|cost|be)\W+$",
                text[max(0, m.start() - 40) : m.start()],
            )
        ):
            # "dont wanna spend more than 1500 on any one thing": no more than, a ceiling
            high = self._to_shop_currency(_number(m.group(2)), cur(m.group(1), m.group(3)), notes)
            text = _blank(m, text)
        for pattern in (_PRICE_MIN, _PRICE_MIN_AFTER):
            m = pattern.search(text)
            if (
                m
                and low is None
                and (pattern is _PRICE_MIN or cur(m.group(1), m.group(3)) or _number(m.group(2)) >= 100)
            ):
                low = self._to_shop_currency(_number(m.group(2)), cur(m.group(1), m.group(3)), notes)
                text = _blank(m, text)
        m = _MONEY.search(text)
        if m and low is None and high is None:
            # the money the shopper means to spend, said without "under" or "around"
            amount = m.group(2) or m.group(3) or m.group(5) or m.group(6) or m.group(7) or m.group(8)
            high = self._to_shop_currency(_number(amount), cur(m.group(1), m.group(4)), notes)
            text = _blank(m, text)
        return low, high, text

    def _size(self, text: str) -> tuple[str | None, str]:
        said = _SIZE_CONVERTED.search(text)
        if said:
            # "she's a UK 12 which i reckon is an L there": the size the shopper converted it to
            return said.group(1).upper(), _blank(said, text)
        measures = list(_MEASURES.finditer(text))
        if len({m.group(1) or m.group(4) for m in measures}) >= 2:
            # "a formal shirt n trousers. chest 40, waist 32": a size for each, so no one size for all
            for m in measures:
                text = _blank(m, text)
            return None, text
        age = _AGE_SIZE.search(text)
        if age and int(age.group(2)) == int(age.group(1)) + 1:
            # "he wears 8-9 yrs in tops": the children's size 8-9Y (the tops are what it is for)
            return f"{age.group(1)}-{age.group(2)}Y", _blank(age, text)
        pairs = list(_SIZE_PER_KIND.finditer(text))
        waist = re.search(
            r"\b(?:waist|wiast|waste)\s*(\d{2})\b|\b(\d{2})\s*(?:waist|wiast|wasit|waste)\b", text
        )
        if len(pairs) == 1 and waist and (waist.group(1) or waist.group(2)) != pairs[0].group(1):
            # "my size is 40 in shirts and 32 waist": a size for each, so no one size for all
            return None, _blank(waist, _blank(pairs[0], text))
        if len(pairs) >= 2:
            # "im M in tops, only S in bottoms. show tops first": the size of the kind asked for
            rest = _SIZE_PER_KIND.sub(" ", text)
            asked = [p for p in pairs if re.search(rf"\b{p.group(2)}\b", rest)] or pairs[:1]
            for p in pairs:
                text = _blank(p, text)
            return asked[0].group(1).upper(), text
        m = _SIZE.search(text)
        if not m and _SHOE_WORD.search(text):
            m = _GENDER_SHOE_SIZE.search(text)
        if not m:
            meant = _SIZE_MEANT.search(text, measures[0].end()) if measures else None
            if meant and meant.group(1):
                # "42 chest which i think is L": the size the shopper makes of their measure
                return meant.group(1).upper(), _blank(meant, text, 1)
            return None, text
        group = next(i for i, g in enumerate(m.groups(), 1) if g)
        raw = m.group(group)
        size = _SIZE_WORDS.get(raw, raw.upper() if raw.isalpha() else raw.upper())
        if "-" in raw and not raw.endswith("y"):
            size = re.sub(r"\s+", "", raw) + "Y"  # "8-9 size": the age size 8-9Y
        fixed = re.search(r"\b(xxs|xs|s|m|l|xl|xxl|xxxl)\s+not\s+(xxs|xs|s|m|l|xl|xxl|xxxl)\b", text)
        if fixed and fixed.group(2).upper() == size:
            size = fixed.group(1).upper()  # "size M sorry L not M"
        hindi = re.search(
            r"\b(xxs|xs|s|m|l|xl|xxl|xxxl)\s+(?:nahi|nahin|nai|na)\W+(xxs|xs|s|m|l|xl|xxl|xxxl)\b", text
        )
        if hindi and hindi.group(1).upper() == size:
            size = hindi.group(2).upper()  # "aur size XL nahi XXL": not XL, XXL
        misfit = _MISFIT.match(text, m.end())
        later = _SIZE.search(text, misfit.end()) if misfit else None
        if later:
            # "sorry XL tight aagum, XXL la kaatu": the size that fits is the one said after
            m, group = later, next(i for i, g in enumerate(later.groups(), 1) if g)
            size = _SIZE_WORDS.get(later.group(group), later.group(group).upper())
        meant = _SIZE_MEANT.search(text, m.end())
        if (
            meant
        ):  # "size 42 chest... matlab L", "Größe 38 (also UK 5)": the size said last, in the shop's sizes
            g = next(i for i in (1, 2, 3) if meant.group(i))
            size = meant.group(g).upper()
            text = _blank(meant, text, g)
        # The last alternatives match the item too ("jeans ... 34"): blank only the size then.
        return size, _blank(m, text, group if group >= 6 else 0)

    def _fuzzy_match(self, token: str) -> tuple[str, list[str]] | None:
        singular = self.phrases.get(token[:-1]) if token.endswith("s") else None
        if singular is not None and singular[0] != "gender":
            return singular  # "winters", "weekends": the plural of a known word
        if token in self._known_words:
            return None  # a real word ("while", "safer", "write") is no typo of a catalog word
        if len(token) == 4 and token.isalpha() and token not in _STOPWORDS:
            # "blak", "gren": one letter off a colour (only colours: short words are ambiguous).
            near = {
                self._colour_words[w]
                for w in self._colour_words
                if len(w) == 5 and w[0] == token[0] and damerau(token, w, 1) == 1  # a letter left out
            }
            return ("colour", [near.pop()]) if len(near) == 1 else None
        if (
            len(token) < 5
            or token in _STOPWORDS
            or token in _NOT_ARTICLE
            or token in _NOT_TYPOS
            or not token.isalpha()
        ):
            return None
        limit = 1 if len(token) <= 7 else 2  # two edits only in long words ("carries" is no "capris")
        best: list[tuple[int, str]] = []
        for phrase in self._fuzzy:
            if phrase[0] != token[0]:
                continue  # typos keep the first letter ("weather" is no "sweater")
            d = damerau(token, phrase, limit)
            # Who it is for is read only from the exact word ("chill" is not "child").
            if self._fuzzy[phrase][0] != "gender" and d <= limit:
                best.append((d, phrase))
        if not best:
            return None
        best.sort()
        top = [p for d, p in best if d == best[0][0]]
        specs = {(self._fuzzy[p][0], tuple(self._fuzzy[p][1])) for p in top}
        if len(specs) != 1:
            return None  # ambiguous typo: do not guess a constraint
        return self._fuzzy[top[0]]

    def _phrase_at(self, tokens: list[str], i: int) -> tuple[int, tuple[str, list[str]]] | None:
        """The longest known phrase starting at ``tokens[i]``: (its length in words, its filter)."""
        for n in range(min(self.max_words, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i : i + n])
            if phrase in self.phrases:
                return n, self.phrases[phrase]
        return None

    def parse(self, text: str) -> ParsedQuery:
        """Read the explicit constraints in ``text``; after a self-correction ("... i mean under 2500"),
        who it is for, the budget, colours and size said after it replace those said before."""
        parsed = self._parse(text)
        marks = list(_SELF_CORRECTION.finditer(text))
        if not marks:
            return parsed
        tail = self._parse(text[marks[-1].end() :])
        said = tail.filters
        update = {
            k: getattr(said, k) for k in ("gender", "colour", "exclude_colour", "size") if getattr(said, k)
        }
        letter = re.match(r"\W*(xxs|xs|s|m|l|xl|xxl|xxxl)\b", text[marks[-1].end() :], re.I)
        if parsed.filters.size and not said.size and letter:
            update["size"] = letter.group(1).upper()  # "M... no sorry, L like the kurta"
        if said.price_min is not None or said.price_max is not None:
            update |= {"price_min": said.price_min, "price_max": said.price_max}
            parsed.notes = [n for n in parsed.notes if not n.startswith("around ")] + tail.notes
        if said.colour:
            # a colour wanted after the correction is no longer one ruled out before it
            kept = [c for c in parsed.filters.exclude_colour or [] if c not in said.colour]
            update.setdefault("exclude_colour", kept or None)
        if update:
            parsed.filters = parsed.filters.model_copy(update=update)
        return parsed

    def _colour_shades(self, m: re.Match[str], lowered: str) -> str:
        """ "tones" for shades of a colour; the words as they were for sunglasses ("pink shades?")."""
        if m.group(2) is None:
            return "tones "  # "shades of blue"
        word = m.group(2)
        colour = word in _SHADE_WORDS or self.phrases.get(word, ("",))[0] == "colour"
        listed = re.search(r"\b(?:or|ya|and|aur|/)\s*$", lowered[: m.start(2)])  # "pink ya peach shades"
        if colour and (m.group(1) or m.group(3) or listed or word in _SHADE_WORDS):
            return m.group().replace("shades", "tones")
        return m.group()

    def _parse(self, text: str) -> ParsedQuery:
        notes: list[str] = []
        text = translate_foreign(text)
        lowered = " " + text.lower().replace("’", "'").replace("dress code", "dresscode") + " "
        # "olive/green": either colour; "cheap ones just fall apart": no autumn
        lowered = re.sub(r"\b([a-z]{3,})/([a-z]{3,})\b", r"\1 or \2", lowered)
        lowered = re.sub(
            r"\b(fall|falls|falling|fell) (apart|off|down|over|sick|asleep|in love)\b", r"tumble \2", lowered
        )
        # "no heels i will fall": tripping over, not autumn
        lowered = re.sub(
            r"\b(will|might|may|would|could|gonna|i'?ll|shall|'ll|i) fall\b(?! (?:season|collection|wear|look|trends?|wardrobe|outfits?|20\d\d)\b)",
            r"\1 tumble",
            lowered,
        )
        # "dress code is black tie": how formal, not a black tie; "every nude looks grey on me": not wanted
        lowered = re.sub(
            r"(?:(?<=dresscode )|(?<=dresscode is )|(?<=dresscode: )|(?<= is )|(?<= it's ))black[ -]tie\b"
            r"|\bblack[ -]tie(?= (?:event|dinner|gala|party|affair|wedding|do|dresscode|optional)\b)",
            "formal",
            lowered,
        )
        lowered = re.sub(
            r"\b(looks?|turns?|appears?|comes? out|goes) [a-z]+(?: [a-z]+)?(?= on (?:me|her|him|my skin)\b)",
            lambda m: m.group(1) + " " * (len(m.group()) - len(m.group(1))),
            lowered,
        )
        # "i wore black to the last one": a colour worn before is the one not wanted now
        lowered = _WORE_BEFORE.sub(
            lambda m: (
                f"not {w} "
                if self.phrases.get(w := (m.group(1) or m.group(2)), ("",))[0] == "colour"
                else m.group()
            ),
            lowered,
        )
        # "my husband still dresses like his college photos": the verb, not dresses
        lowered = re.sub(
            r"\b((?:he|she|husband|hubby|wife|dad|father|mom|mum|mother|son|daughter|who|still|always|never|usually|"
            r"really|also) )dresses(?= (?:like|as|up|down|well|badly|smart\w*|sharp\w*|casual\w*|old|young|boring\w*)\b)",
            r"\1wears",
            lowered,
        )
        # "black shoes, size nine": the size in digits
        lowered = re.sub(
            r"\b(size|uk|number) (three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b",
            lambda m: f"{m.group(1)} {_SIZE_NUMBERS[m.group(2)]}",
            lowered,
        )
        # "ok an 11 then, he'll wear thick socks": why the size, not socks asked for
        lowered = re.sub(
            r"\b(?:he|she|i|they|we|u|you)(?:'ll| will| can| could| would) (?:just )?wear (?:thick|thicker|extra|warm|woollen|two pairs? of) socks\b",
            " ",
            lowered,
        )
        # "size double excel" (voice typing), "double XL": XXL
        lowered = re.sub(r"\b(?:double|2)[ -]?(?:excel|xl|extra[ -]large)\b", "xxl", lowered)
        lowered = re.sub(r"\b(?:triple|3)[ -]?(?:excel|xl|extra[ -]large)\b", "xxxl", lowered)
        lowered = re.sub(r"\bsize excel\b", "size xl", lowered)
        # "visiting from new jersey": a place, not a sports jersey
        lowered = re.sub(r"\bnew jersey\b", " " * 10, lowered)
        # "shoes that won't kill my heels", "my heels hurt": the body, not the shoes
        lowered = re.sub(
            r"\b((?:kill|kills|killing|hurt|hurts|destroy|wreck|ruin|save|spare|rest|crack\w*|sore|aching) "
            r"(?:my|his|her|your|their|our) )heels\b|\b((?:my|his|her) )heels(?= (?:hurt|ache|are killing|crack|bleed))",
            lambda m: (m.group(1) or m.group(2)) + "feet",
            lowered,
        )
        # "white gets dirty in 2 days": a colour that shows dirt is one not wanted
        lowered = re.sub(
            r"\b([a-z]+)(?: ones?)? (?:gets?|will get|shows?|show all the) (?:dirty|stained|stains|dirt|grubby)\b",
            lambda m: (
                f"not {m.group(1)}" if self.phrases.get(m.group(1), ("",))[0] == "colour" else m.group()
            ),
            lowered,
        )
        # "like it but flat", "something flat": flat shoes
        lowered = re.sub(r"\b(but|something|anything|smthng|smth|sth|more|a bit|bit) flat\b(?!\s*(?:\d|rate|price|front|off|%))",
                         r"\1 flats", lowered)  # fmt: skip
        # "if kurta is not there then a simple white shirt": the fallback is what is asked for
        lowered = _IF_NOT_THERE.sub(lambda m: " " * len(m.group()), lowered)
        # "i cycle to work every day": the way to work, not what to wear there
        lowered = re.sub(
            r"\b((?:cycl|ride|riding|rides|bik|commut|walk|driv|travel)\w* (?:to|from) )(work|office)\b",
            r"\1wrk",
            lowered,
        )
        # "only gold, so it matches the flats": why, not another thing asked for
        lowered = _SO_IT_MATCHES.sub(lambda m: " " * len(m.group()), lowered)
        # "the kurta is pink so maybe a white dupatta": what the shopper has, described, is not asked for
        lowered = _OWNED_BEFORE_ASK.sub(
            lambda m: " " * len(m.group(1)) + m.group()[len(m.group(1)) :], lowered
        )
        lowered = _HAS_COLOUR.sub(
            lambda m: (
                " " * len(m.group()) if self.phrases.get(m.group(1), ("",))[0] == "colour" else m.group()
            ),
            lowered,
        )
        lowered = _COLOUR_SHADES.sub(lambda m: self._colour_shades(m, lowered), lowered)
        # "3XL", "2xl": the letter sizes XXXL and XXL
        lowered = re.sub(r"\b([234])\s?xl\b", lambda m: "x" * int(m.group(1)) + "l", lowered)
        # Kannada "socks sari hogutte?": "sari" is "right", not a saree
        lowered = re.sub(
            r"\bsari(?= (?:hogutte|hoguthe|agutte|aagutte|aagatte|ide|idya|alla|illa)\b)", "    ", lowered
        )
        # "football crazy", "cricket mad": what the child loves, so sporty things, not a ball
        lowered = re.sub(
            r"\b(?:football|cricket|basketball|tennis|badminton)"
            r"(?= (?:crazy|mad|fan|lover|obsessed|freak|match|matches|practice|game|games|training|coaching|camp|team|club)\b)",
            "sports",
            lowered,
        )
        # "post-diwali sweets": when, not what the clothes are for
        lowered = re.sub(
            r"\bpost[- ](?:diwali|holi|eid|christmas|xmas|navratri|pongal|onam|festival|festive|wedding|shaadi)\b",
            lambda m: " " * len(m.group()),
            lowered,
        )
        # "off white with gold border": the colour of a detail, not of the thing
        lowered = _DETAIL_COLOUR.sub(
            lambda m: (
                _blank(m, m.string, g)[m.start() : m.end()]
                if self.phrases.get(m.group(g := 1 if m.group(1) else 2), ("",))[0] == "colour"
                else m.group()
            ),
            lowered,
        )
        # "a wallet to go in the gift box", "can you pack it in a gift box": the box is packing, not a gift set
        lowered = _GIFT_BOX.sub(lambda m: " " * len(m.group()), lowered)
        # "he is between sizes after diwali sweets": a time, not the occasion dressed for
        lowered = _AFTER_FESTIVAL.sub(lambda m: " " * len(m.group()), lowered)
        # "anything else to hold the trousers up, suspenders?": what is held up is worn already
        lowered = _HELD_UP.sub(lambda m: " " * len(m.group()), lowered)
        if _BAG.search(lowered):
            lowered = _CONTENTS.sub(lambda m: " " * len(m.group()), lowered)  # the bag, not its contents
            carried = _BAG_FOR.search(lowered)
            if carried and any(
                self.phrases.get(w, ("",))[0] in ("article_type", "category")
                and not any(_BAG_KIND.search(v.lower()) for v in self.phrases[w][1])  # "40 litre-ish"
                for w in re.findall(r"[a-z]+", carried.group(1))
            ):
                # "a big bag for towel + sunscreen + everything": what goes in it, not what is wanted
                lowered = _blank(carried, lowered, 1)
        low, high, rest = self._prices(lowered, notes)
        sex_age = _SEX_AGE.search(rest)
        if sex_age:
            letter = sex_age.group(1) or sex_age.group(4)
            rest = _blank(sex_age, rest)
        size, rest = self._size(rest)
        # "actually no, sandals": a "no" closed by punctuation answers the last question, it negates nothing
        rest = re.sub(r"\bno\s*[,.!;:]+", " nope ", rest)
        rest = re.sub(r"[^\w₹€$£'\s-]", " ", rest).replace("-", " ")
        # Possessives name the same thing: "women's" -> "women", "ladies'" -> "ladies".
        raw_tokens = rest.split()
        tokens = [t[:-2] if t.endswith("'s") and len(t) > 3 else t.rstrip("'") or t for t in raw_tokens]
        owner = [t.endswith("'s") and len(t) > 3 and t[:-2] not in _WEARER_WORDS for t in raw_tokens]
        found: dict[str, list[str]] = {}
        excluded_colours: list[str] = []
        said_no_colours: set[str] = set()  # the colours said no to themselves, not their shades
        unwanted: set[str] = set()
        excluded_usages: list[str] = []
        excluded_articles: list[str] = []
        unknown: list[str] = []
        unknown_end = -1  # index just after the last unknown kind read
        residual: list[str] = []
        friends: list[str] = []
        children: set[str] = set()
        negated_end = -2  # index just after the last colour said no to
        broader = False  # an item, or anything of its kind
        said_no: set[str] = set()  # the words of item kinds said no to ("not socks")
        negated_item_end = -3  # index just after the last item kind said no to
        kinds_said: set[str] = set()  # item kinds asked for in other words
        layer_kinds: set[str] = set()  # "a layer", "something warm": any of several kinds
        named_kinds: set[str] = set()  # "a sleeveless jacket": one kind, named
        garment = ("article_type", "category", "subcategory")
        garment_end = -1  # index just after the last garment phrase read
        i = 0
        while i < len(tokens):
            match = self._phrase_at(tokens, i)
            if match is None and tokens[i] in self._ambiguous_colours:
                # Next to a garment or after "in" it is a colour ("cream top", "watch, steel",
                # "in cream"); elsewhere it is not ("face cream").
                following = self._phrase_at(tokens, i + 1)
                listed = (
                    self._phrase_at(tokens, i + 2)
                    if tokens[i + 1 : i + 2] in (["or"], ["ya"], ["and"], ["with"])  # "cream with gold"
                    else None
                )
                if (
                    garment_end == i
                    or (i > 0 and tokens[i - 1] in ("in", "colour", "color"))
                    # "off white or cream": a colour in a list of colours
                    or (
                        i >= 2
                        and tokens[i - 1] in ("or", "and", "ya")
                        and self.phrases.get(tokens[i - 2], ("",))[0] == "colour"
                    )
                    or (following is not None and following[1][0] in garment)
                    or (listed is not None and listed[1][0] == "colour")  # "cream ya off white"
                ):
                    match = (1, ("colour", [self._ambiguous_colours[tokens[i]]]))
            if match is None and (spec := self._fuzzy_match(tokens[i])) is not None:
                match = (1, spec)
            if (
                match
                and tokens[i] in ("shade", "shades")
                and ((i > 0 and tokens[i - 1] in _SHADE_OF) or tokens[i + 1 : i + 2] == ["of"])
            ):
                match = None  # "in a darker shade": a colour, not sunglasses
            if (
                match
                and match[1][0] == "colour"
                and tokens[i + match[0] : i + match[0] + 1]
                in (
                    ["skin"],
                    ["skinned"],
                    ["complexion"],
                    ["skintone"],
                    ["tone"],
                    ["carpet"],
                )
                and not (tokens[i + match[0]] == "tone" and match[1][1][0] in _METAL_COLOURS)
            ):
                match = (
                    None  # "it suits brown skin", "red carpet energy": not a colour wanted ("gold tone" is)
                )
            if match and tokens[i] in ("top", "tops") and i > 0 and tokens[i - 1] in ("on", "up", "over"):
                match = None  # "a nehru jacket on top": where it goes, not a top
            if match and tokens[i] in ("dress", "tie") and i > 0 and tokens[i - 1] in _VERB_BEFORE:
                match = None  # "my wife says i dress like a dad", "laces he can't tie yet": the verb
            if match is None:
                verb = i > 0 and tokens[i - 1] in (
                    "doesn't",
                    "doesnt",
                    "not",
                    "would",
                    "will",
                    "to",
                    "may",
                    "might",
                )
                verb = (
                    verb
                    or (
                        tokens[i] in ("suit", "suits")
                        and (
                            (tokens[i + 1 : i + 2] or [""])[0]
                            in (
                                "me",
                                "you",
                                "him",
                                "her",
                                "my",
                                "your",
                                "his",
                                "brown",
                                "dark",
                                "fair",
                                "everyone",
                                "skin",
                            )
                            or (tokens[i + 2 : i + 3] or [""])[0]
                            in ("skin", "complexion", "skintone", "tone", "tones")
                            or tokens[i - 1 : i]
                            in (["that"], ["which"], ["it"], ["actually"], ["really"], ["what"])
                        )
                    )
                )  # "heard it suits brown skin", "lipstick that actually suits dusky skin" (only "suit" is a verb)
                if tokens[i] in GARMENT_WORDS and not verb and unknown_end == i and unknown:
                    unknown[-1] += " " + tokens[i]  # "chaniya choli": one thing, in two words
                    unknown_end = i + 1
                elif (
                    tokens[i] in GARMENT_WORDS and tokens[i] not in unknown and not verb
                ):  # not "doesn't suit me"
                    unknown.append(tokens[i])
                    unknown_end = i + 1
                residual.append(tokens[i])
                i += 1
                continue
            n, (name, values) = match
            companion = (
                name == "gender"
                and (
                    (i >= 1 and tokens[i - 1] in ("with", "w"))
                    or (i >= 2 and tokens[i - 2] in ("with", "w") and tokens[i - 1] in ("my", "the"))
                )
                or (
                    # "my husband just said she prefers salwar suits": who said it, not who wears it
                    name == "gender"
                    and bool(set(tokens[i + n : i + n + 2]) & _SAYS)
                    and not set(tokens[i + n : i + n + 2]) & {"wants", "needs", "likes", "loves", "prefers"}
                )
            )  # "dinner with hubby", "goa trip with the girls": who they go with, not who wears it
            if (
                name == "gender"
                and tokens[i] in ("girls", "boys")
                and tokens[i + n : i + n + 1] in (["night"], ["trip"], ["day"], ["gang"], ["weekend"])
            ):
                companion = True  # "tops for a girls night out": the shopper's friends, so a grown-up
                friends.append({"boys": "Men", "girls": "Women"}[tokens[i]])
            if companion and tokens[i - 1] == "the" and values[0] in ("Boys", "Men", "Girls", "Women"):
                # "a trip with the boys": a group of friends, so the shopper is one of them
                friends.append(GROWN_UP.get(values[0], values[0]))
            if (
                name == "gender"
                and tokens[i + n - 1] == "her"
                and (whose := self._phrase_at(tokens, i + n)) is not None
                and whose[1][0] == "gender"
            ):
                companion = True  # "for her brother": whose brother, and he wears it
            if (
                name == "article_type"
                and (
                    # "one with a laptop sleeve": what the item has
                    tokens[max(0, i - 2) : i] in (["one", "with"], ["ones", "with"])
                    or tokens[max(0, i - 3) : i]
                    in (["one", "with", "a"], ["ones", "with", "a"], ["one", "with", "an"])
                    # "everyday, with jeans type": what it is worn with
                    or (
                        "with" in tokens[max(0, i - 2) : i]
                        and tokens[i + n : i + n + 1] in (["type"], ["types"], ["kind"], ["vibe"], ["vibes"])
                    )
                    # "a white dupatta, to cover my head": what the dupatta is for
                    or (tokens[i] == "cover" and tokens[i - 1 : i] == ["to"] and garment_end > 0)
                    # "he wears it over shirts": what it goes over
                    or (
                        (tokens[i - 1 : i] == ["over"] or tokens[max(0, i - 2) : i] in _OVER_A)
                        and (garment_end > 0 or "it" in tokens[:i])
                    )
                )
            ):
                residual.append(tokens[i])  # beside the item wanted, not the item wanted
                i += n
                continue
            if (
                name == "gender"
                and tokens[i] in ("man", "bro", "dude", "yaar")
                and i == len(tokens) - 1
                and i > 0
                and tokens[i - 1] in _SIGHED_AFTER
            ):
                residual.append(tokens[i])  # "teenagers man", "kids man": a sigh, not who wears it
                i += 1
                continue
            if name == "gender" and _WHOSE_EVENT.search(" ".join(tokens[max(0, i - 7) : i])):
                companion = True  # "a prayer meet for my friend's father": whose event, not who wears it
            if name == "gender" and i >= 1 and tokens[i - 1] in ("you", "u", "ya") and tokens[i] == "guys":
                companion = True  # "do you guys deliver": the shop, not who wears it
            if (
                name == "gender"
                and i + n < len(tokens)
                and tokens[i + n]
                in (
                    "says",
                    "said",
                    "thinks",
                    "told",
                    "feels",
                    "gave",
                    "gives",
                    "paid",
                    "pays",
                    "sent",
                    "lent",
                )
            ) or (
                name == "gender"
                and " ".join(tokens[i + n : i + n + 3]).startswith(
                    (
                        "will kill",
                        "would kill",
                        "gonna kill",
                        "kills",
                        "insists",
                        "is insisting",
                        "keeps saying",
                        "wants me",
                        "is making me",
                        "made me",
                        "asked me",
                        "is forcing",
                        "is nagging",
                        "nags",
                    )
                )
            ):
                companion = True  # "ammi says pink would look better": who advises, not who wears it
            if name == "gender" and (
                tokens[max(0, i - 2) : i] == ["was", "for"]
                or tokens[max(0, i - 3) : i] == ["was", "for", "my"]
            ):
                companion = True  # "size M not XL, the XL was for my husband": who it was for, before
            if (
                companion
                or (
                    name == "gender"
                    and i + n < len(tokens)
                    and (
                        (owner[i + n - 1] and tokens[i + n] in _NOT_THEIRS)
                        or (values[0] in ("Boys", "Girls") and tokens[i + n] in _OUTINGS)
                        # Hindi "bhatiji ki shaadi", "bhai ke sangeet": whose event, said with ki/ke/ka
                        # (a child's word only: "bhaiya ki shaadi, unko gift" is still for the brother)
                        or (
                            values[0] in ("Boys", "Girls")
                            and tokens[i + n] in ("ki", "ke", "ka")
                            and tokens[i + n + 1 : i + n + 2]
                            and tokens[i + n + 1] in _NOT_THEIRS
                        )
                    )
                )
            ):
                residual.append(tokens[i])  # "my sister's engagement": whose event, not who wears it
                i += 1
                continue
            negated = (
                (
                    bool(_NEGATION.search(" ".join(tokens[max(0, i - 4) : i])))
                    or (
                        i + n < len(tokens)
                        and (
                            tokens[i + n] in _NOT_AFTER
                            or (
                                tokens[i + n] in _NOT_AFTER_FILLER
                                and tokens[i + n + 1 : i + n + 2]
                                in (["venda"], ["beda"], ["nahi"], ["vaddu"], ["nako"])
                            )
                        )
                        # Malayalam "saree venam" wants the saree; Tamil "black venam" says no to a colour
                        and (tokens[i + n] != "venam" or name == "colour")
                        # but "jeans under 800 nahi milegi kya?" asks whether there are any
                        and (tokens[i + n + 1 : i + n + 2] or [""])[0] not in _HAVE_WORDS
                    )
                )
                or (
                    name == "article_type"
                    and bool(_NEGATED_AFTER.search(" ".join(tokens[i + n : i + n + 6])))
                )
            )  # Hindi puts the "not" after: "saree nahi", "brown nahi, black"
            if (
                name == "article_type"
                and negated
                and tokens[i + n : i + n + 1] in (["with"], ["in"])
                and _A_FINISH.match(" ".join(tokens[i + n + 1 : i + n + 4]))
            ):
                negated = False  # "no kurtas with prints pls, plain": plain kurtas, not no kurtas
            if name == "article_type" and not negated and i >= 1 and tokens[i - 1] in ("or", "nor"):
                # "no socks or belts", "not a ball or bottle": the whole list is said no to
                negated = negated_item_end in (i - 1, i - 2) or bool(
                    _NEGATION.search(" ".join(tokens[max(0, i - 5) : i - 2]))
                )
            if name == "colour" and not negated:
                after = tokens[i + n : i + n + 2]
                negated = (
                    (
                        # "olive doesn't suit me", "yellow isn't my colour"
                        bool(after)
                        and after[0] in ("doesn't", "doesnt", "isn't", "isnt", "don't", "dont", "never")
                    )
                    or bool(
                        # "white makes me look like a waiter", "black i already have"
                        _COLOUR_SAID_NO.match(" ".join(tokens[i + n : i + n + 6]))
                        # "i have these in brown, anything like them in black?": owned in that colour
                        or _OWNED_IN.search(" ".join(tokens[max(0, i - 5) : i]))
                    )
                    or (
                        # "not the rust, green or blue": the rest of a list of colours said no to
                        (negated_end == i - 1 and tokens[i - 1] in ("or", "and", "nor"))
                        or (
                            negated_end == i  # "rust, green or blue": only where the list goes on with "or"
                            and i + n + 1 < len(tokens)
                            and tokens[i + n] in ("or", "nor", "and")
                            and (nxt := self._phrase_at(tokens, i + n + 1)) is not None
                            and nxt[1][0] == "colour"
                        )
                    )
                )
            if name == "colour" and negated:
                negated_end = i + n
                shades = [s for s in with_shades(values) if s in self._colours]
                excluded_colours.extend(v for v in shades if v not in excluded_colours)
                said_no_colours.update(values)
            elif negated and name == "article_type":
                if {"sneakers", "sneaker", "trainers"} & set(tokens[i : i + n]):
                    values = [*values, "Sports Shoes", "Casual Shoes"]  # "not sneakers": no trainers either
                if "Perfume and Body Mist" in values and "Fragrance Gift Set" in self._kinds:
                    values = [*values, "Fragrance Gift Set"]  # "something useful, not perfume": no scent sets
                excluded_articles.extend(
                    v for v in values if v not in excluded_articles
                )  # "not sports shoes"
                said_no.update(tokens[i : i + n])
                negated_item_end = i + n
            elif negated and name == "gender":
                pass  # "it's my niece's birthday, not my nephew's": the one not negated
            elif negated:
                unwanted.add(name)  # "doesn't have to be formal": no occasion, rather than "not formal"
                if name == "usage":
                    excluded_usages.extend(values)  # "wedding reception, formal not ethnic": not ethnic
            elif not negated:
                if name == "article_type" and not set(tokens[i : i + n]) & said_no:
                    kinds_said.update(values)  # said in other words than those said no to
                if name == "article_type":
                    layered = " ".join(tokens[i : i + n]) in _LAYER_PHRASES
                    (layer_kinds if layered else named_kinds).update(values)
                if (
                    name in ("category", "subcategory")
                    and "or" in tokens[max(0, i - 3) : i]
                    and ({"any", "other", "some"} & set(tokens[max(0, i - 2) : i]))
                ):
                    broader = True  # "juttis or any ethnic footwear": any footwear will do
                bucket = found.setdefault(name, [])
                bucket.extend(v for v in values if v not in bucket)
                if name == "gender" and len(values) == 1 and values[0] in ("Boys", "Girls"):
                    children.add(values[0])
            if name in garment:
                residual.extend(tokens[i : i + n])
                garment_end = i + n
            i += n
        genders = found.get("gender")
        if genders and children and set(genders) >= {"Boys", "Girls"} and len(children) == 1:
            genders = [
                g for g in genders if g not in {"Boys", "Girls"} - children
            ]  # "kids ones, for my daughter"
        if sex_age and not genders:
            adult = int(sex_age.group(2) or sex_age.group(3)) >= 16
            genders = [("Women" if adult else "Girls") if letter == "f" else ("Men" if adult else "Boys")]
        if friends and not genders:
            genders = [friends[0]]
        if not genders and {w for item in unknown for w in item.split()} & _MENS_GARMENTS:
            genders = ["Men"]  # "a white shirt, veshti already irukku": a man's
        elif not genders and {w for item in unknown for w in item.split()} & _WOMENS_GARMENTS:
            genders = ["Women"]  # "a mekhela chador for Bihu": hers
        if broader:
            found.pop("article_type", None)
        elif named_kinds and layer_kinds - named_kinds:
            # "a sleeveless jacket to layer on top": the kind named, not every kind of layer
            found["article_type"] = [k for k in found["article_type"] if k in named_kinds]
        kinds = found.get("article_type") or []
        listed = re.search(r"(?:\band|\bor|,|&)\s+(?:some\s+)?(?:shoes|footwear)\b", lowered)
        if kinds and listed and found.get("category") == ["Footwear"] and not set(kinds) & FOOTWEAR_KINDS:
            # "what trousers and shoes go with this shirt": trousers, and shoes of every kind
            found["article_type"] = kinds + [k for k in _SHOE_KINDS if k in self._kinds and k not in kinds]
        if (
            not kinds
            and not found.get("category")
            and not found.get("subcategory")
            and _HOT_WEATHER.search(lowered)
        ):
            found["category"] = ["Apparel"]  # "something for hot humid weather": clothes, not a lipstick
        if (PYJAMA.search(lowered) or re.search(r"\bpjs?\b", lowered)) and set(kinds) & (
            _ETHNIC_PYJAMAS | _SLEEPWEAR
        ):
            ethnic = re.search(r"\bkurt[ai]s?\b|\bethnic\b|\bsalwar\b|\bchuridar\b", lowered)
            drop = _SLEEPWEAR if ethnic else _ETHNIC_PYJAMAS
            kept = [k for k in kinds if k not in drop]
            if kept:
                found["article_type"] = kept
        kinds_found = found.get("article_type") or []
        for precise, loose in (("Waistcoat", "Innerwear Vests"), ("Briefs", "Trousers")):
            if precise in kinds_found and loose in kinds_found:
                # "a suit vest, not an undershirt", "pants. The underwear sort, not trousers"
                found["article_type"] = [k for k in kinds_found if k != loose]
        if _NO_BUTTONS.search(lowered):
            # "haath e byatha, button lagate parena": nothing that buttons up (nor button covers)
            excluded_articles.extend(
                k
                for k in _BUTTONED
                if k in self._kinds and k not in excluded_articles and k not in kinds_said
            )
        if (
            _ON_FEET_ALL_DAY.search(lowered)
            and (
                found.get("category") == ["Footwear"] or set(found.get("article_type") or []) & FOOTWEAR_KINDS
            )
            and "Heels" not in (found.get("article_type") or [])
            and "Heels" in self._kinds
        ):
            excluded_articles.append("Heels")  # "shoes i can stand in for 7 hrs": not heels
        if found.get("article_type") == ["Casual Shoes"] and found.get("usage") == ["Sports"]:
            found["article_type"] = ["Sports Shoes"]  # "sneakers for running": shoes made for sport
        if (
            not found.get("article_type")
            and "Mobile Pouch" in self._kinds
            and re.search(r"\b(?:phones?|mobiles?|iphones?)\b", lowered)
            and re.search(r"\b(?:pouch|pouches|case|cases|cover|covers|sleeve)\b", lowered)
        ):
            found["article_type"] = ["Mobile Pouch"]  # "you don't sell phones? ok a pouch for one"
        if _NO_BUDGET.search(lowered) and low is None and high is None:
            unwanted.update(("price_max", "price_min"))  # "any pink jackets? forget the budget for this one"
        if found.get("usage") and excluded_usages:
            found["usage"] = [u for u in found["usage"] if u not in excluded_usages] or found["usage"]
        elif (
            excluded_usages == ["Formal"]
            and "Casual" in self._usages
            and re.search(r"\b(?:nothing|not)\s+(?:too|so|very|overly|that)\s+formal\b", lowered)
        ):
            found["usage"] = ["Casual", "Smart Casual"]  # "shoes, nothing too formal": casual ones
        if len(found.get("article_type") or []) > 1 and _UNDER_LAYER.search(lowered):
            # "something warm to layer under it": a sweater, not another jacket
            found["article_type"] = [k for k in found["article_type"] if k not in _OUTER_LAYERS] or found[
                "article_type"
            ]
        filters = Filters(
            gender=_who(genders),
            category=found.get("category") if "article_type" not in found else None,
            subcategory=found.get("subcategory") if "article_type" not in found else None,
            article_type=found.get("article_type"),
            # "tan specifically, not dark brown": a shade asked for by name stays, its colour is ruled out
            colour=[c for c in found.get("colour", []) if c not in said_no_colours] or None,
            exclude_colour=[
                c for c in excluded_colours if c not in found.get("colour", []) or c in said_no_colours
            ]
            or None,
            # "studs not hoops": both earrings, so a kind of the item, not the item, is said no to
            exclude_article_type=[a for a in excluded_articles if a not in kinds_said] or None,
            season=found.get("season"),
            usage=found.get("usage"),
            price_min=low,
            price_max=_each(high, lowered, notes),
            size=size,
        )
        return ParsedQuery(
            text=text,
            filters=filters,
            residual=" ".join(residual),
            notes=notes,
            unwanted=sorted(unwanted),
            unknown_items=unknown,
        )


# "1.5k total for 2 shirts", "2000 for both shirts in total": a budget shared by that many pieces of one kind
_SHARED_BY = re.compile(
    r"\btotal (?:for|on) (2|3|4|two|three|four)\b|\bfor (2|3|4|two|three|four) \w+,? (?:in )?total\b"
    r"|\bfor (?:both|the two|the 2) \w+,? (?:in )?total\b|\b(?:in )?total for (?:both|the two)\b"
    # "need 3 tshirts for the gym, M, i have 1500 total"
    r"|\b(2|3|4|two|three|four) [a-z-]+s\b[^.]{0,40}?\b\d[\d,]*k?\s*(?:rs\.?|inr|rupees)?\s*(?:in )?(?:total|altogether)\b"
)
_COUNTS = {"2": 2, "3": 3, "4": 4, "two": 2, "three": 3, "four": 4}


def _each(ceiling: float | None, lowered: str, notes: list[str]) -> float | None:
    """What one piece may cost when the budget is the total for several."""
    m = _SHARED_BY.search(lowered) if ceiling else None
    if m is None or ceiling is None:
        return ceiling
    n = _COUNTS.get(m.group(1) or m.group(2) or m.group(3) or "", 2)
    notes.append(f"{ceiling:.0f} for {n}: up to {ceiling / n:.0f} each")
    return float(int(ceiling / n))


__all__ = ["GENDERS", "SEASONS", "Filters", "ParsedQuery", "QueryParser"]
