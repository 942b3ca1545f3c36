"""Training and held-out dialogs for fine-tuning the chat model, generated from the catalog.

Every dialog is what the agent really sends the served model (``prompts/system.md``, the
four tools' schemas, the shopper's turn) followed by what the model should produce: the
right tool call with the right arguments, the tool's real result (the tools run against
the ingested catalog), and an answer that names only retrieved products, or says honestly
that nothing matched. Follow-ups ("in black", "for my wife", "cheaper") refine the previous
call; photos arrive as the agent's photo note; trend questions go to the trend tools.

Request wordings come in two disjoint sets: ``train`` and ``heldout``. Templates, budget
phrases and the words for who it is for differ between them, so the held-out figures
measure wordings the model never saw. A request is kept only when the deterministic
parser reads the same constraints the generator meant, so the agent's guards and the
ground truth agree.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from stylist.guards import constraint_args
from stylist.query import cheaper_ceiling
from stylist.tools import CLASSIFY_TREND, COMPLETE_THE_LOOK, GET_TREND_FORECAST, SEARCH_CATALOG, tool_schemas

SPLITS = ("train", "heldout")

# --- wordings: (train, held-out) --------------------------------------------------------

TEMPLATES = {
    "train": [
        "{a} {item} {who} {budget}",
        "i need {a} {item} {who} {budget}",
        "show me {item} {who} {budget}",
        "looking for {a} {item} {who}, {budget}",
        "can you find {a} {item} {who} {budget}?",
        "{item} {who} please, {budget}",
        "any {item} {who} {budget}?",
        "I want to buy {a} {item} {who} {budget}",
        "find me {a} {item} {who} {budget}",
        "do you sell {item} {who}? {budget}",
        "please suggest {a} {item} {who} {budget}",
        "I'm after {a} {item} {who}, {budget}",
        "shopping for {a} {item} {who} {budget}",
        "what {item} do you have {who} {budget}?",
        "{budget}, {a} {item} {who}",
        "hi, I'd like {a} {item} {who} {budget}",
    ],
    "heldout": [
        "do you have {a} {item} {who} {budget}",
        "help me pick {a} {item} {who}. {budget}",
        "recommend {a} {item} {who} {budget}",
        "searching for {item} {who} {budget}!",
        "got any {item} {who} {budget}",
    ],
}  # fmt: skip
BUDGETS = {
    "train": ["under {b}", "below {b}", "max {b}", "budget {b}", "under rs {b}", "within {b}", "{b} max",
              "cheaper than {b}", "budget of {b}", "maximum {b}", "under {b} inr", "{b} tops", "upto rs. {b}",
              "my budget is {b}"],
    "heldout": ["less than {b}", "up to {b} rupees", "no more than {b}", "{b} or less", "at most {b}"],
}  # fmt: skip
WHO = {
    "train": {
        "Men": ["for men", "for him", "for my husband", "for my boyfriend", "for a man", "for my father",
                "for gentlemen", "male", "for the groom", "for guys", "for a guy", "for my uncle",
                "for my grandpa", "for my fiance", "for a gentleman", "for my grandfather",
                "for my male friend", "for my hubby", "for a male colleague", "men's", "man's"],
        "Women": ["for women", "for her", "for my wife", "for ladies", "for a woman", "for my mother",
                  "female", "for a lady", "for the bride", "for my aunt", "for my grandma", "for my fiancee",
                  "for the ladies", "for my grandmother", "for my female friend", "for my missus",
                  "for a female colleague", "women's", "ladies'", "lady's"],
        "Boys": ["for boys", "for my son", "boys", "for my nephew", "for my grandson", "for my stepson",
                 "for a schoolboy", "boys'"],
        "Girls": ["for girls", "for my daughter", "girls", "for my niece", "for my granddaughter",
                  "for my stepdaughter", "for a schoolgirl", "girls'"],
    },
    "heldout": {
        "Men": ["for my brother", "for gents", "for my dad", "mens"],
        "Women": ["for my girlfriend", "womens", "for my mom", "for my sister"],
        "Boys": ["for a boy"],
        "Girls": ["for a girl"],
    },
}  # fmt: skip
USAGE_WORDS = {"Casual": ["casual", "everyday"], "Formal": ["office", "formal"], "Sports": ["gym", "sports"],
               "Ethnic": ["festive", "ethnic"], "Party": ["partywear"]}  # fmt: skip
SIZE_WORDS = {"train": ["in size {s}", "size {s}", "i wear size {s}", "size {s} please"], "heldout": ["in a size {s}", "my size is {s}"]}  # fmt: skip
FOLLOW_UPS = {
    "train": {"colour": ["in {c}?", "what about {c}?", "do you have it in {c}", "show me {c} ones",
                         "any in {c}?"],
              "gender": ["something for {w}", "what about for {w}?", "and for {w}?"],
              "budget": ["under {b}", "anything below {b}?", "max {b} please", "budget {b}"],
              "cheaper": ["cheaper", "something cheaper please", "those are too pricey", "lower price?"],
              "size": ["in size {s}", "size {s} please", "i need size {s}"]},
    "heldout": {"colour": ["and in {c}", "same but {c}"], "gender": ["now for {w}"],
                "budget": ["less than {b} please"], "cheaper": ["too expensive", "more affordable ones?"],
                "size": ["only size {s}"]},
}  # fmt: skip
LOOK_REQUESTS = {
    "train": [
        "what goes with item {id}?",
        "what can I wear with product {id}",
        "complete the look for item {id}",
        "what pairs well with item {id}?",
        "suggest something to go with product {id}",
        "I bought item {id}, what else should I get?",
        "outfit ideas around product {id}",
        "style item {id} for me",
    ],
    "heldout": ["what matches with item {id}", "how do I style product {id}? what to wear with it"],
}  # fmt: skip
PHOTO_LOOK = {
    "train": ["what goes with this?", "what should I wear with this", "complete the look", "style this for me",
              "what pairs with this?"],
    "heldout": ["what matches with this"],
}  # fmt: skip
TREND_REQUESTS = {
    "train": ["is {t} still in?", "are {t} trending?", "is {t} in fashion this season?", "{t}: in or out?",
              "what's the trend for {t}?", "are {t} going out of style?", "how are {t} doing this year?",
              "do people still wear {t}?", "trend forecast for {t}", "are {t} fashionable now?",
              "are {t} hot right now?"],
    "heldout": ["are {t} popular right now?", "will {t} be trending"],
}  # fmt: skip
TREND_TOPICS = ["wide-leg jeans", "kurtas", "sneakers", "floral dresses", "black heels", "polo t-shirts",
                "leather jackets", "sarees", "sports shoes", "handbags", "denim jackets", "white shirts",
                "crop tops", "ethnic wear", "sunglasses", "watches", "track pants", "flip flops"]  # fmt: skip
CHAT = {"train": ["hi", "hello", "thanks", "thank you", "hey", "hiya", "good evening", "thanks a lot", "cheers",
                  "great, thanks", "goodbye", "see you", "cool"], "heldout": ["good morning", "ok", "bye"]}  # fmt: skip

# Article types whose name says an occasion ("casual shoes"): the occasion is not asked for unless
# said on its own, a distinction the model learns only when it sees these often enough.
USAGE_NAMED_TYPES = ("Casual Shoes", "Sports Shoes", "Formal Shoes")

# Article types the generator asks for, with the words shoppers use (singular, plural).
ARTICLE_WORDS: dict[str, list[str]] = {
    "Tshirts": ["t-shirt", "tee", "t-shirts"], "Shirts": ["shirt", "shirts"], "Jeans": ["jeans"],
    "Kurtas": ["kurta", "kurtas"], "Tops": ["top", "tops"], "Watches": ["watch", "watches"],
    "Casual Shoes": ["casual shoes", "sneakers"], "Sports Shoes": ["sports shoes", "running shoes"],
    "Heels": ["heels"], "Handbags": ["handbag", "purse"], "Trousers": ["trousers", "pants"],
    "Dresses": ["dress", "dresses"], "Sunglasses": ["sunglasses"], "Flip Flops": ["flip flops"],
    "Sandals": ["sandals"], "Formal Shoes": ["formal shoes"], "Belts": ["belt", "belts"],
    "Backpacks": ["backpack"], "Shorts": ["shorts"], "Jackets": ["jacket"], "Sweatshirts": ["sweatshirt", "hoodie"],
    "Flats": ["flats"], "Wallets": ["wallet"], "Kurtis": ["kurti"], "Track Pants": ["track pants"],
    "Sarees": ["saree"], "Skirts": ["skirt"], "Sweaters": ["sweater"], "Clutches": ["clutch"],
    "Caps": ["cap"], "Leggings": ["leggings"], "Socks": ["socks"],
}  # fmt: skip

ANSWER_INTROS = ["Here are some picks for {desc} from our catalog:", "I found these options for {desc}:",
                 "Good news, we have {desc}:", "These fit what you asked ({desc}):"]  # fmt: skip
CHAT_ANSWERS = {
    "hi": "Hi! Tell me what you are looking for (an occasion, a budget, a colour) and I will find it in our catalog.",
    "thanks": "You're welcome! Ask me any time if you need another outfit idea.",
    "bye": "Goodbye, and happy shopping!",
}  # fmt: skip


@dataclass
class Dialog:
    """One conversation: OpenAI-format messages, the tools offered, and the ground truth."""

    messages: list[dict[str, Any]]
    kind: str
    truth: dict[str, Any] = field(default_factory=dict)

    def until_last_call(self) -> Dialog:
        """This dialog cut after its last tool call (no tool result, no answer)."""
        last = max(
            (i for i, m in enumerate(self.messages) if m.get("tool_calls")), default=len(self.messages) - 1
        )
        return Dialog(self.messages[: last + 1], self.kind, dict(self.truth, call_only=True))

    def to_json(self) -> str:
        return json.dumps({"messages": self.messages, "kind": self.kind, "truth": self.truth})


class DialogMaker:
    """Generates dialogs of one split from the live catalog, running the real tools.

    Args:
        retriever: the catalog retriever (the tools search it).
        trends: the trend service, or None.
        system: the agent's system prompt.
        split: ``train`` or ``heldout``.
        seed: random seed; the same seed gives the same dialogs.
    """

    def __init__(self, retriever: Any, trends: Any, system: str, split: str, seed: int = 0) -> None:
        from stylist.tools import build_tools

        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}")
        self.retriever = retriever
        self.parser = retriever.parser
        self.split = split
        self.rng = random.Random(f"{split}-{seed}")
        self.system = system
        self.tools = {t.name: t for t in build_tools(retriever, trends)}
        self.schemas = tool_schemas(list(self.tools.values()))
        metas = retriever.snapshot().metas
        ids = retriever.snapshot().ids
        self.products = [
            dict(m, id=i) for i, m in zip(ids, metas, strict=True) if m.get("article_type") in ARTICLE_WORDS
        ]
        self._usage_named = [
            p for p in self.products if p["article_type"] in USAGE_NAMED_TYPES
        ] or self.products
        self.currency = self.products[0].get("currency", "INR") if self.products else "INR"
        self._call = 0

    # -- public -------------------------------------------------------------------------

    def make(self, counts: dict[str, int], call_only: float = 0.0) -> list[Dialog]:
        """``counts[kind]`` dialogs of each kind: search, nomatch, followup, look, photo, trend, chat.

        A ``call_only`` share of them ends at the (last) tool call: the call is most of what the
        model must learn, and a dialog without the tool result and answer trains five times faster.
        """
        makers = {"search": self.search, "nomatch": self.nomatch, "followup": self.followup, "look": self.look,
                  "photo": self.photo, "trend": self.trend, "chat": self.chat}  # fmt: skip
        out: list[Dialog] = []
        for kind, n in counts.items():
            made, tries = 0, 0
            while made < n and tries < n * 20:
                tries += 1
                dialog = makers[kind]()
                if dialog is not None:
                    if self.rng.random() < call_only:
                        dialog = dialog.until_last_call()
                    out.append(dialog)
                    made += 1
        self.rng.shuffle(out)
        return out

    # -- kinds ----------------------------------------------------------------------------

    def search(self, nomatch: bool = False) -> Dialog | None:
        request = self._request(nomatch)
        if request is None:
            return None
        text, args = request
        messages = self._start(text)
        result = self._turn(messages, SEARCH_CATALOG, args)
        kind = "nomatch" if nomatch else "search"
        if not nomatch and not result.get("items"):
            return None
        return Dialog(messages, kind, {"tool": SEARCH_CATALOG, "args": args, "text": text})

    def nomatch(self) -> Dialog | None:
        return self.search(nomatch=True)

    def followup(self) -> Dialog | None:
        request = self._request(False)
        if request is None:
            return None
        text, args = request
        messages = self._start(text)
        first = self._turn(messages, SEARCH_CATALOG, args)
        if not first.get("items"):
            return None
        kinds = FOLLOW_UPS[self.split]
        what = self.rng.choice(sorted(kinds))
        new = dict(args)
        template = self.rng.choice(kinds[what])
        if what == "colour":
            colours = sorted(
                {p["colour"] for p in self.products if p["article_type"] == args.get("article_type")}
                - {args.get("colour")}
            )
            if not colours:
                return None
            colour = self.rng.choice(colours)
            follow, new["colour"] = template.format(c=colour.lower()), colour
        elif what == "gender":
            gender = {"Men": "Women", "Women": "Men"}.get(args.get("gender", ""))
            if gender is None:
                return None
            word = self.rng.choice(
                [w.removeprefix("for ") for w in WHO[self.split][gender] if w.startswith("for ")]
            )
            follow, new["gender"] = template.format(w=word), gender
        elif what == "budget":
            budget = _round_budget(min(i["price"] for i in first["items"]))
            follow, new["price_max"] = template.format(b=budget), float(budget)
        elif what == "cheaper":
            # The tool result names this budget ("For cheaper ones: price_max ..."): a copy, not a sum.
            follow, new["price_max"] = template, cheaper_ceiling([i["price"] for i in first["items"]])
        else:
            size = self.rng.choice(["S", "M", "L", "XL"])
            follow, new["size"] = template.format(s=size), size
        new["query"] = args["query"]
        if what == "colour":
            new["query"] = " ".join([new["colour"].lower()] + [w for w in args["query"].split() if w not in
                                     (args.get("colour") or "").lower().split()])  # fmt: skip
        if what != "cheaper" and not self._parser_agrees(
            follow, {k: v for k, v in new.items() if k != "query"}, base=args
        ):
            return None
        messages.append({"role": "user", "content": follow})
        self._turn(messages, SEARCH_CATALOG, new)
        return Dialog(
            messages, "followup", {"tool": SEARCH_CATALOG, "args": new, "text": follow, "what": what}
        )

    def look(self) -> Dialog | None:
        anchor = self.rng.choice(self.products)
        text = self.rng.choice(LOOK_REQUESTS[self.split]).format(id=anchor["id"])
        args: dict[str, Any] = {"product_id": anchor["id"]}
        if self.rng.random() < 0.3:
            budget = _round_budget(anchor["price"])
            text += f" {self.rng.choice(BUDGETS[self.split]).format(b=budget)}"
            args["price_max"] = float(budget)
        messages = self._start(text)
        result = self._turn(messages, COMPLETE_THE_LOOK, args)
        if not result.get("items"):
            return None
        return Dialog(messages, "look", {"tool": COMPLETE_THE_LOOK, "args": args, "text": text})

    def photo(self) -> Dialog | None:
        from stylist.prompts import load_prompt
        from stylist.vision.service import caption_for

        anchor = self.rng.choice(self.products)
        attrs = {
            k: [{"label": anchor.get(k, ""), "p": 0.9}] for k in ("colour", "article_type", "gender", "usage")
        }
        similar = [anchor["id"]] + [p["id"] for p in self.rng.sample(self.products, 4)]
        note = load_prompt("photo", caption=caption_for(attrs), similar=", ".join(similar))
        text = f"{self.rng.choice(PHOTO_LOOK[self.split])}\n{note}"
        args = {"product_id": anchor["id"]}
        messages = self._start(text)
        result = self._turn(messages, COMPLETE_THE_LOOK, args)
        if not result.get("items"):
            return None
        return Dialog(messages, "photo", {"tool": COMPLETE_THE_LOOK, "args": args, "text": text})

    def trend(self) -> Dialog:
        topic = self.rng.choice(TREND_TOPICS)
        text = self.rng.choice(TREND_REQUESTS[self.split]).format(t=topic)
        messages = self._start(text)
        self._turn(messages, GET_TREND_FORECAST, {"query": topic})
        return Dialog(messages, "trend", {"tool": GET_TREND_FORECAST, "args": {"query": topic}, "text": text})

    def chat(self) -> Dialog:
        text = self.rng.choice(CHAT[self.split])
        key = ("thanks" if text.startswith(("thank", "great", "cheers", "cool")) or text == "ok"
               else "bye" if text in ("bye", "goodbye", "see you") else "hi")  # fmt: skip
        messages = self._start(text) + [{"role": "assistant", "content": CHAT_ANSWERS[key]}]
        return Dialog(messages, "chat", {"tool": None, "args": {}, "text": text})

    # -- parts --------------------------------------------------------------------------

    def _start(self, text: str) -> list[dict[str, Any]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": text}]

    def _request(self, nomatch: bool) -> tuple[str, dict[str, Any]] | None:
        """A shopper request with explicit constraints, and the exact arguments it implies."""
        rng = self.rng
        p = rng.choice(self.products)
        if self.split == "train" and rng.random() < 0.12:
            p = rng.choice(self._usage_named)
        item_word = rng.choice(ARTICLE_WORDS[p["article_type"]])
        args: dict[str, Any] = {"article_type": p["article_type"]}
        words = [item_word]
        if rng.random() < 0.6:
            words.insert(0, p["colour"].lower())
            args["colour"] = p["colour"]
        # Not "casual casual shoes": a usage word the item's own name says is not an occasion.
        usage_words = [w for w in USAGE_WORDS.get(p.get("usage"), []) if w not in item_word.split()]
        if usage_words and rng.random() < 0.3:
            words.insert(0, rng.choice(usage_words))
            args["usage"] = p["usage"]
        who = ""
        # Half the requests name nobody: the model must not guess who it is for.
        if p["gender"] in WHO[self.split] and rng.random() < 0.5:
            who = rng.choice(WHO[self.split][p["gender"]])
            args["gender"] = p["gender"]
        budget = ""
        if nomatch or rng.random() < 0.7:
            same = [q["price"] for q in self.products if all(q.get(k) == v for k, v in args.items())]
            value = (
                _round_budget(min(same) * 0.5)
                if nomatch
                else _round_budget(p["price"] * rng.uniform(1.0, 1.6))
            )
            if nomatch and value >= min(same):
                return None
            budget = rng.choice(BUDGETS[self.split]).format(b=value)
            args["price_max"] = float(value)
        if rng.random() < 0.25 and p.get("sizes"):
            sizes = json.loads(p["sizes"]) if isinstance(p["sizes"], str) else p["sizes"]
            in_stock = [s for s, n in sizes.items() if n > 0 and s in ("S", "M", "L", "XL")]
            if in_stock:
                size = rng.choice(in_stock)
                budget = f"{budget} {rng.choice(SIZE_WORDS[self.split]).format(s=size)}".strip()
                args["size"] = size
        item = " ".join(words)
        # "men's black watch": a possessive or an adjective reads before the item too.
        if self.split == "train" and who and not who.startswith("for ") and rng.random() < 0.5:
            item, who = f"{who} {item}", ""
        a = "an" if item[0] in "aeiou" else "a"
        a = "" if item_word.endswith("s") and len(words) == 1 else a
        text = rng.choice(TEMPLATES[self.split]).format(a=a, item=item, who=who, budget=budget)
        text = " ".join(text.replace(" ,", ",").split()).strip(" ,")
        if not self._parser_agrees(text, args):
            return None
        return text, {"query": " ".join(words)} | args

    def _parser_agrees(self, text: str, args: dict[str, Any], base: dict[str, Any] | None = None) -> bool:
        from stylist.query import Filters

        parsed = self.parser.parse(text).filters
        if base is not None:
            parsed = Filters(**{k: [v] if isinstance(v, str) and k != "size" else v for k, v in base.items()
                                if k != "query"}).merged(parsed)  # fmt: skip
        return constraint_args(parsed) == {k: v for k, v in args.items() if k != "query"}

    def _turn(self, messages: list[dict[str, Any]], tool: str, args: dict[str, Any]) -> dict[str, Any]:
        """Append the model's call, the tool's real result and the answer; return the artifact."""
        self._call += 1
        call_id = f"call_{self._call}"
        messages.append({"role": "assistant", "content": "", "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": tool, "arguments": dict(args)}}]})  # fmt: skip
        content, artifact = self.tools[tool].func(**args)  # type: ignore[misc]
        messages.append({"role": "tool", "tool_call_id": call_id, "content": content})
        messages.append({"role": "assistant", "content": self._answer(tool, args, content, artifact)})
        return artifact

    def _answer(self, tool: str, args: dict[str, Any], content: str, artifact: dict[str, Any]) -> str:
        rng = self.rng
        if tool == GET_TREND_FORECAST:
            # The tool's text is already the answer in the shopper's terms (what the agent shows).
            if artifact.get("answer"):
                return str(artifact["answer"])
            return "I have no trend forecast for that yet, so I can't say whether it is in or out."
        if tool == CLASSIFY_TREND:
            return content
        items = artifact.get("items") or []
        if tool == COMPLETE_THE_LOOK:
            anchor = artifact.get("anchor") or {}
            picks = items[:3]
            names = _join([f"the {i['title']} ({i['price']:.0f} {i['currency']})" for i in picks])
            colours = _join(sorted({i["colour"].lower() for i in picks}))
            return (f"To complete the look, pair it with {names}. The {colours} sit well with the "
                    f"{anchor.get('colour', '').lower()} {anchor.get('article_type', 'piece').lower()}, for the same "
                    f"{str(anchor.get('usage', '')).lower()} occasion.")  # fmt: skip
        desc = _describe(args)
        if items:
            picks = items[: rng.choice([2, 2, 3])]
            lines = "\n".join(f"- {i['title']} ({i['price']:.0f} {i['currency']})" for i in picks)
            why = []
            if args.get("price_max") is not None:
                why.append(f"within your {args['price_max']:.0f} {self.currency} budget")
            if args.get("size"):
                why.append(f"size {args['size']} in stock")
            if args.get("usage"):
                why.append(f"made for {args['usage'].lower()} wear")
            tail = f"\nAll of them are {_join(why)}." if why else ""
            return rng.choice(ANSWER_INTROS).format(desc=desc) + "\n" + lines + tail
        relaxation = artifact.get("relaxation") or {}
        if relaxation.get("items"):
            dropped = str(relaxation["dropped"]).replace("_", " ")
            picks = relaxation["items"][:2]
            names = _join([f"the {i['title']} ({i['price']:.0f} {i['currency']})" for i in picks])
            return (f"Sorry, we don't carry any {desc} right now. Without the {dropped} constraint, "
                    f"the closest options are {names}.")  # fmt: skip
        return f"Sorry, we don't carry any {desc} right now. Would another colour or budget work for you?"


def _describe(args: dict[str, Any]) -> str:
    bits = [str(args.get("query") or args.get("article_type", "items"))]
    if args.get("gender"):
        bits.append(f"for {args['gender'].lower()}")
    if args.get("price_max") is not None:
        bits.append(f"under {args['price_max']:.0f}")
    return " ".join(bits)


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1] if parts else ""


def _round_budget(value: float) -> int:
    step = 100 if value < 2000 else 500
    return int(max(step, (value // step + 1) * step))


def iter_jsonl(path: Any) -> Iterator[Dialog]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                data = json.loads(line)
                yield Dialog(data["messages"], data["kind"], data.get("truth", {}))
