"""The personal stylist behind one app: :class:`Personaliser` learns, applies, ranks and forgets.

The :class:`~stylist.agent.Stylist` holds one and calls it around each turn that carries a
shopper id; the API calls it for events, the profile and deletion. Nothing here logs what a
shopper said or what their profile holds (only counts and timings).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from stylist.grounding import and_list, describe_filters
from stylist.personal.apply import size_names
from stylist.personal.facts import FORGET, REMEMBER, learn
from stylist.personal.ranking import SIGNAL_WEIGHTS, ContentProfile, ModelCache, Scorer, signal_weights
from stylist.personal.store import ProfileStore, profile_db
from stylist.query import Filters, named_colours

if TYPE_CHECKING:
    from stylist.query import QueryParser
    from stylist.retrieval import Retriever
    from stylist.settings import Settings

log = logging.getLogger(__name__)

#: Event kinds ``POST /api/events`` accepts.
EVENT_KINDS = tuple(SIGNAL_WEIGHTS)
_MAX_ID = 128


class UnknownEvent(ValueError):
    """An event kind the personal stylist does not know."""


def clean_shopper_id(value: object) -> str | None:
    """A shopper id as sent (trimmed), None when absent; ValueError for one that cannot be an id."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if len(text) > _MAX_ID or not all(ch.isalnum() or ch in "-_.:@" for ch in text):
        raise ValueError(f"shopper_id must be at most {_MAX_ID} letters, digits or -_.:@")
    return text


class Personaliser:
    """Profiles, signals and personalised ranking for one app process.

    Args:
        settings: the configuration (``personal_*`` settings).
        retriever: the catalog (item lookups for the content profile, size names per kind of item).
        store: the profile store (default: :func:`~stylist.personal.store.profile_db`).
    """

    def __init__(
        self, settings: Settings, retriever: Retriever | Any, store: ProfileStore | None = None
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.enabled = settings.personal_enabled
        self._store = store
        self._store_lock = threading.Lock()
        self.models = ModelCache(settings.personal_model_path)
        self._names: tuple[str, dict] | None = None
        self._trainer: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def store(self) -> ProfileStore:
        with self._store_lock:
            if self._store is None:
                self._store = ProfileStore(profile_db(self.settings))
            return self._store

    # -- the catalog ------------------------------------------------------------------

    def parser(self) -> QueryParser:
        return self.retriever.parser

    def size_names(self) -> dict:
        """Size names per article type / subcategory / category of the live catalog (cached per build)."""
        snap = self.retriever.snapshot()
        build = getattr(snap, "build", "")
        if self._names is None or self._names[0] != build:
            self._names = (build, size_names(snap.metas))
        return self._names[1]

    def _item(self, product_id: str) -> Mapping[str, Any] | None:
        snap = self.retriever.snapshot()
        i = snap.index.get(str(product_id))
        return None if i is None else snap.metas[i]

    # -- around a turn ------------------------------------------------------------------

    def command(self, message: str) -> str | None:
        """ "remember" or "forget" when the message asks what is kept about the shopper or to forget them."""
        lowered = message.lower().replace("’", "'")
        if FORGET.search(lowered):
            return "forget"
        if REMEMBER.search(lowered):
            return "remember"
        return None

    def before_turn(
        self, shopper_id: str, thread_id: str, message: str, for_other: bool, kinds: list[str] | None = None
    ) -> dict[str, Any]:
        """Learn what ``message`` says about the shopper (``kinds``: the article types the thread
        was about), tie the thread to them, and return what the turn's graph needs
        (``{"shopper_id", "facts", "for_other"}``)."""
        store = self.store
        facts = store.facts(shopper_id)
        learned = learn(message, self.parser(), facts, for_other=for_other, kinds=kinds)
        if learned.changed:
            store.save_facts(shopper_id, learned.facts)
        store.link_thread(shopper_id, thread_id)
        return {
            "shopper_id": shopper_id,
            "facts": learned.facts,
            "for_other": for_other,
            "changed": learned.changed,
        }

    def noted(self, personal: Mapping[str, Any], message: str, asked_before: bool) -> str | None:
        """The answer to a message that only tells about the shopper ("I'm a size M, I hate yellow")
        when nothing was asked before in the thread; None when the message asks for something."""
        changed = set(personal.get("changed") or [])
        if not changed or asked_before:
            return None
        said = self.parser().parse(message).filters
        if said.article_type or said.category or said.subcategory or said.usage or said.season:
            return None
        if (said.price_max is not None or said.price_min is not None) and "budget" not in changed:
            return None
        facts = personal.get("facts") or {}
        bits = []
        if "sizes" in changed:
            bits += [
                f"size {v}" + {"shoes": " in shoes", "waist": " waist"}.get(k, "")
                for k, v in facts.get("sizes", {}).items()
            ]
        if "dislikes" in changed and facts.get("dislikes"):
            bits.append("no " + and_list([c.lower() for c in named_colours(facts["dislikes"])]))
        if "likes" in changed and facts.get("likes"):
            bits.append("you like " + and_list([c.lower() for c in facts["likes"]]))
        if "budget" in changed and facts.get("budget"):
            b = facts["budget"]
            bits.append(
                f"usually {b['min']:,.0f} to {b['max']:,.0f}" if b.get("min") and b.get("max")
                else f"usually up to {b['max']:,.0f}" if b.get("max") else f"usually over {b['min']:,.0f}"
            )  # fmt: skip
        if "shops_for" in changed:
            bits.append("you also shop for your " + and_list([e["who"] for e in facts.get("shops_for", [])]))
        if not bits:
            return None
        return (
            "Noted: " + ", ".join(bits) + ". I'll keep to that from now on, also next time. "
            "What are you looking for today?"
        )

    def scorer(self, shopper_id: str, facts: Mapping[str, Any] | None = None) -> Scorer | None:
        """The shopper's ranking, or None for a cold start (no signals, no stated likes or spend)."""
        if not self.enabled or self.settings.personal_weight <= 0:
            return None
        signals = self.store.signals(shopper_id)
        facts = facts if facts is not None else self.store.facts(shopper_id)
        content = ContentProfile.build(signals, self._item, facts)
        model = self.models.get(time.monotonic())
        user = model.user_vector(signal_weights(signals)) if model is not None and signals else None
        if content.empty() and user is None:
            return None
        return Scorer(content, model, user, self.settings.personal_weight)

    # -- signals --------------------------------------------------------------------------

    def record_event(
        self,
        shopper_id: str | None,
        kind: str,
        product_id: str | None = None,
        thread_id: str | None = None,
        size: str | None = None,
    ) -> None:
        """Store one event (``kind`` in :data:`EVENT_KINDS`); without a shopper id it is counted only."""
        if kind not in SIGNAL_WEIGHTS:
            raise UnknownEvent(f"unknown event kind {kind!r}; use one of {', '.join(EVENT_KINDS)}")
        self.store.add_signal(shopper_id, kind, SIGNAL_WEIGHTS[kind], product_id, thread_id, size)

    def record_answer_feedback(
        self, shopper_id: str, thread_id: str, product_ids: list[str], liked: bool | None
    ) -> None:
        """A thumb on a whole answer: a half-weight signal for each product it showed."""
        if liked is None or not product_ids:
            return
        kind = "thumb_up" if liked else "thumb_down"
        for pid in product_ids:
            self.store.add_signal(shopper_id, kind, SIGNAL_WEIGHTS[kind] / 2, pid, thread_id)

    # -- the shopper's view -------------------------------------------------------------

    def profile(self, shopper_id: str) -> dict[str, Any]:
        """What is kept about the shopper, as ``GET /api/shoppers/{id}/profile`` shows it."""
        store = self.store
        facts = store.facts(shopper_id)
        counts = store.signal_counts(shopper_id)
        signals = store.signals(shopper_id)
        content = ContentProfile.build(signals, self._item, facts)
        liked = sorted(((v, k) for k, v in content.colour.items() if v > 0), reverse=True)
        return {
            "shopper_id": shopper_id,
            "known": bool(facts or counts or store.threads(shopper_id)),
            "sizes": facts.get("sizes", {}),
            "gender": facts.get("gender"),
            "likes": {
                "colours": [k for _, k in liked[:5]],
                "occasions": [k for k, v in sorted(content.usage.items(), key=lambda kv: -kv[1]) if v > 0][
                    :3
                ],
                "brands": [k for k, v in sorted(content.brand.items(), key=lambda kv: -kv[1]) if v > 0][:3],
                "said": facts.get("likes", []),
            },
            "dislikes": {"colours": facts.get("dislikes", []), "by_kind": facts.get("kind_dislikes", {})},
            "budget": facts.get("budget"),
            "price_band": round(content.price) if content.price else None,
            "shops_for": facts.get("shops_for", []),
            "signals": counts,
            "conversations": len(store.threads(shopper_id)),
            "personalisation": "on" if self.enabled else "off",
        }

    def remember_text(self, shopper_id: str) -> str:
        """The chat answer to "what do you remember about me?"."""
        p = self.profile(shopper_id)
        bits: list[str] = []
        sizes = p["sizes"]
        if sizes:
            named = {"clothing": "size {} in clothes", "shoes": "size {} in shoes", "waist": "a {} waist"}
            bits.append("you wear " + and_list([named.get(k, "size {}").format(v) for k, v in sizes.items()]))
        if p["dislikes"]["colours"]:
            bits.append("you'd rather not have " + and_list([c.lower() for c in p["dislikes"]["colours"]]))
        for kind, colours in p["dislikes"]["by_kind"].items():
            bits.append(
                f"no {and_list([c.lower() for c in colours])} in {describe_filters(Filters(article_type=[kind]))}"
            )
        if p["likes"]["said"]:
            bits.append("you like " + and_list([c.lower() for c in p["likes"]["said"]]))
        if p["budget"]:
            low, high = p["budget"].get("min"), p["budget"].get("max")
            bits.append(
                f"you usually spend {low:,.0f} to {high:,.0f}" if low and high
                else f"you usually spend up to {high:,.0f}" if high else f"you usually spend over {low:,.0f}"
            )  # fmt: skip
        if p["shops_for"]:
            bits.append("you also shop for your " + and_list([e["who"] for e in p["shops_for"]]))
        n = sum(p["signals"].values())
        if n:
            taste = [c.lower() for c in p["likes"]["colours"][:2]] + [
                o.lower() for o in p["likes"]["occasions"][:1]
            ]
            bits.append(
                f"from {n} thing{'s' if n != 1 else ''} you clicked, liked or added to your cart"
                + (f", you seem to like {and_list(taste)}" if taste else "")
            )
        if not bits:
            return (
                "I don't remember anything about you yet. Tell me your size or colours you don't like, "
                "and I'll keep them for next time. Say 'forget me' any time to delete what I keep."
            )
        state = "" if self.enabled else " (personalisation is switched off in this shop, so I don't use it)"
        return (
            "Here's what I remember about you" + state + ": " + "; ".join(bits) + ". "
            "Say 'forget me' and I'll delete all of it, with our conversations."
        )

    def forget(self, shopper_id: str) -> list[str]:
        """Delete the shopper's profile and signals; returns their thread ids (see Stylist.forget_shopper)."""
        return self.store.forget(shopper_id)

    # -- background training ------------------------------------------------------------

    def start_trainer(self, train: Callable[[], Any] | None = None) -> None:
        """Retrain every ``personal_retrain_hours`` while new signals arrive (a daemon thread)."""
        hours = self.settings.personal_retrain_hours
        if not self.enabled or hours <= 0 or self._trainer is not None:
            return

        def loop() -> None:
            last = -1
            while not self._stop.wait(hours * 3600):
                try:
                    total = self.store.signal_total()
                    if total != last:
                        report = (train or self.train)()
                        last = total
                        log.info("collaborative model retrained on %d signals", getattr(report, "signals", 0))
                except Exception:  # noqa: BLE001 - the next round tries again; the app keeps serving
                    log.exception("background retraining of the collaborative model failed")

        self._trainer = threading.Thread(target=loop, name="personal-trainer", daemon=True)
        self._trainer.start()

    def train(self) -> Any:
        from stylist.personal.train import train

        report = train(self.store, self.settings.personal_model_path)
        self.models.reset()
        return report

    def close(self) -> None:
        self._stop.set()
        if self._store is not None:
            self._store.close()
