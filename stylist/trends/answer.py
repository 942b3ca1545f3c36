"""Trend answers in shopper terms: the season and who it is for, and plainly when the data cannot tell.

Pure functions over forecast dicts (:func:`stylist.trends.service.forecast_view`), so
the tool text, the stored summaries and the tests all speak the same way:

- :func:`trend_request` reads what a trend question asks: who it is for, which
  season, and which item, colour or occasion (the parser's filters plus a few
  trend words such as "denim").
- :func:`lookup_filters` lists the Chroma filters to try in order (the item asked
  first, then anything for that shopper) and :func:`season_order` the seasons: the
  season asked, then the all-season forecasts (a shop's own series), then the
  nearest seasons.
- :func:`shopper_trend_answer` writes one to three sentences from the forecasts
  found. It never prints shares of listings or years, only the forecast change
  ("up about 18% next summer"), and says so when the data cannot tell.

"This year", "right now", "still in" or no season at all mean the current or
upcoming season: the (northern-hemisphere, meteorological) season of the date
:data:`LEAD_DAYS` days from today, since shoppers buy a little ahead. Dec-Feb is
winter, Mar-May spring, Jun-Aug summer, Sep-Nov fall; on 2 December that is
winter, on 10 February spring.

A forecast is read (:func:`reading`) as rising or fading only when its whole 80%
interval lies on that side of zero, and as steady only when the interval stays
within +-:data:`STEADY_SPAN`; an interval that spans both rise and fall, or a
trend with no listings in its last period, is "unclear": the data cannot tell.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from stylist.trends.named import POSSESSIVE, item_words

SEASONS = ("Winter", "Spring", "Summer", "Fall")
_MONTH_SEASON = {12: "Winter", 1: "Winter", 2: "Winter", 3: "Spring", 4: "Spring", 5: "Spring",
                 6: "Summer", 7: "Summer", 8: "Summer", 9: "Fall", 10: "Fall", 11: "Fall"}  # fmt: skip
#: Shoppers ask about what they will wear soon: "now" is the season this many days ahead.
LEAD_DAYS = 30
#: A steady trend's whole interval stays within this relative change.
STEADY_SPAN = 0.2
#: How many forecasts a broad question ("what's in for men?") looks at.
BROAD_K = 100
#: Focus kinds: the parser's filter fields that name what a trend is about.
FOCUS_KINDS = ("article_type", "colour", "usage")
#: Trend words the catalog parser does not know.
_FOCUS_WORDS: dict[str, tuple[str, str]] = {
    "denim": ("article_type", "Jeans"),
    "denims": ("article_type", "Jeans"),
    "jeans": ("article_type", "Jeans"),
}
_COLOUR_QUESTION = re.compile(r"\b(colou?rs?|shades?|hues?)\b")
_WHO = {"Men": "men", "Women": "women", "Boys": "boys", "Girls": "girls", "Unisex": "everyone"}
CANT_TELL = "our data can't tell yet"


def current_season(today: date | None = None) -> str:
    """The current or upcoming season: the one :data:`LEAD_DAYS` days from ``today``."""
    return _MONTH_SEASON[((today or date.today()) + timedelta(days=LEAD_DAYS)).month]


def nearest_seasons(season: str) -> list[str]:
    """The other seasons, nearest first: the next one, the previous one, then the opposite."""
    if season not in SEASONS:
        return list(SEASONS)
    i = SEASONS.index(season)
    return [SEASONS[(i + 1) % 4], SEASONS[(i - 1) % 4], SEASONS[(i + 2) % 4]]


def _values(value: str | Iterable[str] | None) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else [v for v in value if v]


@dataclass
class TrendRequest:
    """What a trend question asks about."""

    gender: list[str] = field(default_factory=list)  # [] = anyone
    season: str = ""  # the season asked, or the current one when none was named
    season_named: bool = False  # the shopper named the season
    focus: dict[str, list[str]] = field(default_factory=dict)  # e.g. {"article_type": ["Jeans"]}
    kind: str = ""  # "colour" for "what colours are in?"
    category: list[str] = field(default_factory=list)  # e.g. ["Footwear"] for "which shoes"


def trend_request(
    question: str,
    *,
    gender: str | Sequence[str] | None = None,
    season: str | Sequence[str] | None = None,
    filters: Any = None,
    today: date | None = None,
) -> TrendRequest:
    """Read a trend question; explicit ``gender``/``season`` win over the parser's ``filters``.

    Args:
        question: the shopper's words.
        gender, season: what the planner (or the model) passed to the tool.
        filters: the deterministic parser's filters for ``question`` (a ``Filters`` or a dict of lists).
        today: the date "now" means (tests pin it).
    """
    parsed: Mapping[str, Any] = filters.active() if hasattr(filters, "active") else dict(filters or {})
    genders = _values(gender) or _values(parsed.get("gender"))
    seasons = [s for s in _values(season) or _values(parsed.get("season")) if s in SEASONS]
    focus = {kind: _values(parsed.get(kind)) for kind in FOCUS_KINDS if _values(parsed.get(kind))}
    for word in re.findall(r"[a-z]+", question.lower()):
        if word in _FOCUS_WORDS:
            kind, value = _FOCUS_WORDS[word]
            if value not in focus.setdefault(kind, []):
                focus[kind].append(value)
    kind = "colour" if _COLOUR_QUESTION.search(question.lower()) and "colour" not in focus else ""
    return TrendRequest(
        gender=genders,
        season=seasons[0] if seasons else current_season(today),
        season_named=bool(seasons),
        focus=focus,
        kind=kind,
        category=_values(parsed.get("category")),
    )


# --- the Chroma filters to try --------------------------------------------------


def field_filter(name: str, values: str | Sequence[str] | None) -> dict[str, Any] | None:
    """``{name: value}``, ``{name: {"$in": values}}`` for several, None for none."""
    vals = _values(values)
    if not vals:
        return None
    return {name: vals[0]} if len(vals) == 1 else {name: {"$in": list(vals)}}


def _all(*parts: dict[str, Any] | None) -> dict[str, Any] | None:
    from stylist.query import chroma_where

    return chroma_where(*parts)


def focus_filter(focus: Mapping[str, Sequence[str]]) -> dict[str, Any] | None:
    """Trends about any of the asked values: ``kind`` and ``value`` together."""
    parts = [_all({"kind": kind}, field_filter("value", values)) for kind, values in focus.items() if values]
    kept = [p for p in parts if p]
    return None if not kept else kept[0] if len(kept) == 1 else {"$or": kept}


def lookup_filters(request: TrendRequest) -> list[tuple[dict[str, Any] | None, bool]]:
    """(where, broad) pairs to try in order until one finds forecasts; without the season.

    The asked item (if any) before anything for that shopper. ``broad`` says the filter
    does not require an asked item. The season is added per try: see :func:`season_order`.
    """
    who = _all(field_filter("gender", request.gender), field_filter("category", request.category))
    narrow = focus_filter(request.focus)
    tries = [(_all(who, narrow), False)] if narrow else []
    return [*tries, (_all(who, field_filter("kind", request.kind)), True)]


def season_order(season: str) -> list[str]:
    """Which forecasts answer for ``season``: its own, then all-season ones ("": a shop's own
    series have no season), then the nearest seasons."""
    return [season, "", *nearest_seasons(season)]


def pick_season(season: str, forecasts: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The forecasts of the first season in :func:`season_order` that has any."""
    present = {str(_meta(f).get("season") or "") for f in forecasts}
    best = next((s for s in season_order(season) if s in present), None)
    return [f for f in forecasts if str(_meta(f).get("season") or "") == best]


# --- reading one forecast -------------------------------------------------------


def reading(forecast: Mapping[str, Any]) -> str:
    """How to read a forecast: "rising", "steady", "fading" or "unclear" (the data cannot tell).

    Takes a forecast view (``status``, ``change``, ``interval``, ``metadata``) or stored metadata
    (``status``, ``change``, ``interval_lo``, ``interval_hi``, ``last_mean``).
    """
    meta = forecast.get("metadata") or forecast
    last = meta.get("last_mean")
    if last is not None and float(last) <= 0:
        return "unclear"  # nothing listed lately: any "change" is noise
    change = forecast.get("change")
    if change is None:
        return "unclear"
    change = float(change)
    interval = forecast.get("interval") or [meta.get("interval_lo", change), meta.get("interval_hi", change)]
    lo = min(float(interval[0]), float(interval[1]), change)
    hi = max(float(interval[0]), float(interval[1]), change)
    status = forecast.get("status", "")
    if status == "rising" and lo >= 0:
        return "rising"
    if status == "declining" and hi <= 0:
        return "fading"
    if status == "steady" and -STEADY_SPAN <= lo and hi <= STEADY_SPAN:
        return "steady"
    return "unclear"


def _meta(forecast: Mapping[str, Any]) -> Mapping[str, Any]:
    return forecast.get("metadata") or forecast


def _verb(words: str) -> str:
    return "is" if words.endswith("wear") or not words.endswith("s") else "are"


def _join(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" and {parts[-1]}"


def _amount(change: float) -> str:
    if change >= 0.95:
        return "to more than double"
    if change <= -0.9:
        return "to all but disappear"
    return f"{'up' if change > 0 else 'down'} about {max(1, round(abs(change) * 100))}%"


def who_words(gender: Sequence[str]) -> str:
    """Who, in words: "men", "women", "kids" (boys and girls), ... or "" for anyone."""
    if set(gender) == {"Boys", "Girls"}:
        return "kids"
    return " and ".join(_WHO.get(g, g.lower()) for g in gender)


def when_words(season: str, today: date | None = None) -> str:
    """When, in words: "this winter" for the current or upcoming season, else "in summer"."""
    if not season:
        return "all year round"
    return f"this {season.lower()}" if season == current_season(today) else f"in {season.lower()}"


def summary_text(meta: Mapping[str, Any]) -> str:
    """One stored trend in shopper words, e.g. "Men's brown shoes (summer): on the rise in our catalog,
    forecast up about 18% next summer." No shares, no years."""
    words = item_words(dict(meta), whose=True)
    season = str(meta.get("season") or "").lower()
    head = f"{words[0].upper()}{words[1:]}" + (f" ({season})" if season else "")
    state = reading(meta)
    change = float(meta.get("change") or 0.0)
    nxt = f" next {season}" if season else " next period"
    return _own_words([meta], head + ": " + {
        "rising": f"on the rise in our catalog, forecast {_amount(change)}{nxt}.",
        "fading": f"fading in our catalog, forecast {_amount(change)}{nxt}.",
        "steady": "holding steady in our catalog.",
        "unclear": f"{CANT_TELL} whether {'they are' if _verb(words) == 'are' else 'it is'} rising or fading.",
    }[state])  # fmt: skip


# --- the answer -------------------------------------------------------------------


def _asked_words(request: TrendRequest) -> str:
    words = []
    for kind, values in request.focus.items():
        for value in values:
            words.append(item_words({"kind": kind, "value": value, "category": "Apparel"}))
    if not words:
        return ""
    return _join(words)


def shopper_trend_answer(
    question: str,
    forecasts: Sequence[Mapping[str, Any]],
    gender: str | Sequence[str] | None = None,
    season: str | Sequence[str] | None = None,
    *,
    filters: Any = None,
    today: date | None = None,
) -> str:
    """One to three sentences for the shopper from the forecasts a trend question found.

    Args:
        question: the shopper's words (read for "denim", "colours", ...).
        forecasts: forecast views (``trend``, ``status``, ``change``, ``interval``, ``metadata``
            with ``kind``, ``value``, ``category``, ``gender``, ``season``).
        gender, season: who and which season were asked (None: anyone; the current season).
        filters: the parser's filters for ``question`` (item, colour, occasion asked).
        today: the date "now" means.
    """
    request = trend_request(question, gender=gender, season=season, filters=filters, today=today)
    return answer_for(request, forecasts, today=today)


def answer_for(
    request: TrendRequest, forecasts: Sequence[Mapping[str, Any]], *, today: date | None = None
) -> str:
    """:func:`shopper_trend_answer` for a request already read."""
    return trend_reply(request, forecasts, today=today)[0]


def trend_reply(
    request: TrendRequest, forecasts: Sequence[Mapping[str, Any]], *, today: date | None = None
) -> tuple[str, list[Mapping[str, Any]]]:
    """The answer and the forecasts it speaks about (for the trend card), in that order."""
    who = who_words(request.gender)
    for_who = f" for {who}" if who else ""
    when = when_words(request.season, today)
    asked = _asked_words(request)
    if not forecasts:
        if asked:
            return (
                f"Our data can't tell yet whether {asked} {_verb(asked)} trending{for_who} {when}: "
                "we have no forecast that covers it."
            ), []
        return (
            f"Our data can't tell yet what is trending{for_who} {when}: we have no forecasts for that yet.",
            [],
        )

    sentences: list[str] = []
    used = Counter(str(_meta(f).get("season") or "") for f in forecasts)
    if request.season in used:
        season_used = request.season
    else:
        season_used = used.most_common(1)[0][0]
        source = f"our {season_used.lower()} listings" if season_used else "our all-season forecasts"
        if season_used or not own_source(forecasts):  # the shop's own series cover every season
            sentences.append(
                f"We don't have {request.season.lower()} forecasts{for_who} yet, so this is from {source}."
            )
        when = when_words(season_used, today)
    forecasts = [f for f in forecasts if str(_meta(f).get("season") or "") == season_used]
    genders = {str(_meta(f).get("gender") or "") for f in forecasts}
    whose = len(genders) > 1 or not request.gender
    intro = f"For {who} {when}" if who else f"{when[0].upper()}{when[1:]}"
    nxt = f" next {season_used.lower()}" if season_used else ""

    wanted = {(k, v) for k, vals in request.focus.items() for v in vals}
    hits = [f for f in forecasts if (_meta(f).get("kind"), _meta(f).get("value")) in wanted]
    if wanted and not hits:
        sentences.append(
            f"Our data can't tell yet whether {asked} {_verb(asked)} trending{for_who} {when}: "
            "we have no forecast for them."
        )
    if hits:
        said, mentioned = _focus_sentences(hits, intro, who, when, nxt, whose)
        sentences.extend(said)
    else:
        text, mentioned = _broad_sentence(forecasts, intro, who, when, nxt, whose, bool(wanted))
        sentences.append(text)
    return _own_words(forecasts, " ".join(s for s in sentences if s)), mentioned


# --- the shop's own series (issue 17, a separate addition) ---------------------------------------
# A shop's own weekly series (its sales file, "shop", or the chat's demand log, "demand") speak
# for the shop better than shares of catalog listings: TrendService.lookup tries them first
# (OWN_FILTER), and an answer from them says where it comes from instead of "in our catalog".

#: Sources of the shop's own signals.
OWN_SOURCES = ("shop", "demand")
#: The Chroma filter of the shop's own series.
OWN_FILTER: dict[str, Any] = {"source": {"$in": list(OWN_SOURCES)}}


def own_source(forecasts: Sequence[Mapping[str, Any]]) -> str:
    """Where the forecasts come from, in words, when all are the shop's own series; else ""."""
    sources = {str(_meta(f).get("source") or "") for f in forecasts}
    if not sources or not sources <= set(OWN_SOURCES):
        return ""
    return "in what our shoppers ask for" if sources == {"demand"} else "in our own sales"


def _own_words(forecasts: Sequence[Mapping[str, Any]], text: str) -> str:
    own = own_source(forecasts)
    return text.replace("in our catalog", own) if own else text


def _focus_sentences(
    hits: Sequence[Mapping[str, Any]], intro: str, who: str, when: str, nxt: str, whose: bool
) -> tuple[list[str], list[Mapping[str, Any]]]:
    """What the data says about the item asked (one sentence per reading)."""
    by: dict[str, list[Mapping[str, Any]]] = {}
    for f in hits[:3]:
        by.setdefault(reading(f), []).append(f)
    out: list[str] = []
    introduced = False
    for state in ("rising", "steady", "fading", "unclear"):
        group = by.get(state)
        if not group:
            continue
        words = _join([item_words(dict(_meta(f)), whose=whose) for f in group])
        verb = "are" if len(group) > 1 else _verb(words)
        if state == "unclear":
            for_who = f" for {who}" if who else ""
            out.append(
                f"Our data can't tell yet whether {words} {verb} trending{for_who} {when}: "
                "recent listings are too few or too mixed to call it either way."
            )
            continue
        changes = [float(f.get("change") or 0.0) for f in group]
        what = {
            "rising": f"{verb} on the rise in our catalog (forecast {_amounts(changes)}{nxt})",
            "steady": f"{verb} holding steady in our catalog",
            "fading": f"{verb} fading in our catalog (forecast {_amounts(changes)}{nxt})",
        }[state]
        out.append(f"{_cap(words)} {what}." if introduced else f"{intro}, {words} {what}.")
        introduced = True
    return out, list(hits[:3])


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _amounts(changes: Sequence[float]) -> str:
    if len(changes) == 1:
        return _amount(changes[0])
    parts = [_amount(c) for c in changes]
    if all(p.startswith(("up about", "down about")) and p.split()[0] == parts[0].split()[0] for p in parts):
        return f"{parts[0].split()[0]} about " + _join([p.split()[-1] for p in parts])
    return _join(parts)


def _broad_sentence(
    forecasts: Sequence[Mapping[str, Any]],
    intro: str,
    who: str,
    when: str,
    nxt: str,
    whose: bool,
    after_miss: bool,
) -> tuple[str, list[Mapping[str, Any]]]:
    """What is rising, steady and fading among the forecasts found (the clearest few)."""
    read = [(reading(f), f) for f in forecasts]
    rising = sorted((f for r, f in read if r == "rising"), key=lambda f: -float(f.get("change") or 0))[:3]
    fading = sorted((f for r, f in read if r == "fading"), key=lambda f: float(f.get("change") or 0))[:2]
    steady = [f for r, f in read if r == "steady"][:2]
    unclear = sum(r == "unclear" for r, _ in read)
    kinds = {_meta(f).get("kind") for f in forecasts}
    for_who = f" for {who}" if who else ""
    if not (rising or fading or steady):
        return (
            f"Our data can't tell yet what is trending{for_who} {when}: "
            "recent listings are too few or too mixed to call it either way."
        ), list(forecasts[:3])

    def names(group: Sequence[Mapping[str, Any]]) -> str:
        return _join([item_words(dict(_meta(f)), whose=whose) for f in group])

    def verb(group: Sequence[Mapping[str, Any]]) -> str:
        return "are" if len(group) > 1 else _verb(names(group))

    parts = []
    if rising:
        changes = [float(f.get("change") or 0) for f in rising]
        parts.append(
            f"{names(rising)} {verb(rising)} on the rise in our catalog (forecast {_amounts(changes)}{nxt})"
        )
    if steady:
        parts.append(f"{names(steady)} {verb(steady)} holding steady")
    if fading:
        parts.append(f"{names(fading)} {verb(fading)} fading")
    text = f"What we can see{for_who} {when}: " if after_miss else f"{intro}, "
    text += "; ".join(parts) + "."
    if unclear:
        text += f" For other {'colours' if kinds == {'colour'} else 'styles'} our data can't tell yet."
    return text, [*rising, *steady, *fading]


# --- tool text for the classifier -------------------------------------------------


def classify_text(result: Mapping[str, Any]) -> str:
    """The classify tool's text in shopper words: what the phrase reads as and its trend."""
    attrs = result.get("attributes") or {}

    def top(head: str) -> str:
        values = attrs.get(head) or []
        return str(values[0]["label"]) if values and values[0].get("label") else ""

    article, colour = top("article_type"), top("colour")
    owner = POSSESSIVE.get(top("gender"), "")
    thing = item_words({"kind": "article_type", "value": article}) if article else "this style"
    words = " ".join(w for w in (owner, colour.lower(), thing) if w)
    extra = ", ".join(w.lower() for w in (top("usage"), top("season")) if w)
    described = f"Reads as {words}" + (f" ({extra})" if extra else "") + "."
    trend = result.get("trend") or {}
    if trend.get("status") in (None, "unknown") or trend.get("change") is None:
        return f"{described} We have no trend forecast for it, so don't say whether it is in or out."
    state = reading(trend)
    return described + " " + {
        "rising": "Trend: on the rise in our catalog.",
        "steady": "Trend: holding steady in our catalog.",
        "fading": "Trend: fading in our catalog.",
        "unclear": f"Trend: {CANT_TELL} whether it is rising or fading.",
    }[state]  # fmt: skip
