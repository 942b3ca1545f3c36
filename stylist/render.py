"""HTML for product cards and trend panels, built from the agent's structured reply.

Everything that comes from a shopper, the model or the catalog is escaped here, so
HTML or script in a message or a product title is shown as text and never runs.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any
from urllib.parse import quote

#: Bare web addresses Markdown would turn into links (GFM autolinks), and other URL schemes.
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|javascript|data|vbscript|file)(:)|\b(www)(\.)")


def chat_markdown(text: str) -> str:
    """Text for a Markdown chat bubble, shown as written: never as HTML, a link or an image.

    Answers name catalog titles verbatim and catalog text comes from suppliers: a title
    like ``Red Handbag [90% off](https://phish.example)`` must stay text. HTML is escaped,
    ``[`` and ``]`` are backslash-escaped (no ``[text](url)`` link, no ``![..](..)``
    image) and bare addresses lose their autolink (the ``:`` of ``https:`` and the ``.``
    after ``www`` become character references, which display the same).
    """
    text = escape(text, quote=False).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return _AUTOLINK.sub(lambda m: f"{m.group(1)}&#58;" if m.group(1) else f"{m.group(3)}&#46;", text)


def image_src(card: dict[str, Any], base: str = "") -> str:
    """Where a browser loads a product's photo: the app's image route, or the catalog's own URL."""
    image = str(card.get("image") or "")
    if image.startswith(("http://", "https://")):
        return image
    if not image:
        return ""
    return f"{base}/api/products/{quote(str(card.get('id', '')), safe='')}/image"


def format_price(price: Any, currency: str) -> str:
    try:
        amount = float(price)
    except (TypeError, ValueError):
        return ""
    text = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    return f"{text} {currency}".strip()


def product_cards(products: list[dict[str, Any]], base: str = "") -> str:
    """Escaped HTML for a row of product cards (photo, title, price, colour, reason)."""
    if not products:
        return ""
    cards = []
    for p in products:
        src = image_src(p, base)
        img = (
            f'<img src="{escape(src)}" alt="{escape(str(p.get("title", "")))}" loading="lazy">' if src else ""
        )
        title = escape(str(p.get("title", "")))
        url = str(p.get("url") or "")
        # Only absolute web links become anchors: a "javascript:" URL stays text, and a shop-relative
        # path would point into this app rather than the shop.
        if url.startswith(("http://", "https://")):
            title = f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
        cards.append(
            f'<div class="stylist-card" data-product-id="{escape(str(p.get("id", "")))}">'
            f"{img}"
            f'<div class="stylist-card-title">{title}</div>'
            f'<div class="stylist-card-price">{escape(format_price(p.get("price"), str(p.get("currency", ""))))}</div>'
            f'<div class="stylist-card-colour">{escape(str(p.get("colour", "")))}</div>'
            f'<div class="stylist-card-reason">{escape(str(p.get("reason", "")))}</div>'
            "</div>"
        )
    return f'<div class="stylist-cards">{"".join(cards)}</div>'


def reply_cards(reply: dict[str, Any], base: str = "") -> str:
    """The cards for a reply: its products, or, when nothing matched and the answer lists the
    closest items it found without one constraint (``relaxed``), those, under a label saying they
    are not an exact match (so the cards agree with the text that lists them)."""
    products = list(reply.get("products") or [])
    if products:
        return product_cards(products, base)
    relaxed = reply.get("relaxed") or {}
    items = list(relaxed.get("items") or []) if isinstance(relaxed, dict) else []
    if not items:
        return ""
    note = "Closest matches, not everything you asked for"
    return f'<div class="stylist-cards-note">{escape(note)}</div>' + product_cards(items, base)


def _values(trend: dict[str, Any]) -> list[float]:
    """Numbers of a trend's series/chart: a list of numbers or of {"value"/"y"/"forecast": n} points."""
    raw = trend.get("chart") or trend.get("series") or []
    values: list[float] = []
    for point in raw if isinstance(raw, list) else []:
        if isinstance(point, dict):
            point = next(
                (point[k] for k in ("value", "y", "forecast", "actual") if point.get(k) is not None), None
            )
        try:
            values.append(float(point))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
    return values


def sparkline(values: list[float], width: int = 160, height: int = 40) -> str:
    """A small inline SVG line chart (no script, no external resources)."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / (len(values) - 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}" for i, v in enumerate(values)
    )
    return (
        f'<svg class="stylist-spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="trend chart"><polyline fill="none" stroke="currentColor" stroke-width="2" '
        f'points="{points}"/></svg>'
    )


#: How the panel words a forecast's reading (what the answer says), and the fallback from a bare status.
READING_WORDS = {
    "rising": "rising",
    "steady": "holding steady",
    "fading": "fading",
    "unclear": "can't tell yet",
}
_STATUS_READING = {"rising": "rising", "steady": "steady", "declining": "fading", "falling": "fading"}


def trend_panel(trends: list[dict[str, Any]]) -> str:
    """Escaped HTML: each trend's label, how its forecast reads, the change and a small chart.

    The panel says what the answer says: it shows a trend's ``reading`` (rising, steady, fading
    or unclear, from the trend tool) rather than the raw forecast ``status``, and for an unclear
    reading it shows "can't tell yet" with no change or chart, so it never claims a direction the
    answer declined to give. ``label`` ("women's jeans, summer") names it in shopper words; the
    internal ``trend`` name is the fallback.
    """
    if not trends:
        return ""
    rows = []
    for t in trends:
        name = str(t.get("label") or t.get("trend") or "trend")
        name = escape(name[:1].upper() + name[1:])
        reading = str(t.get("reading") or _STATUS_READING.get(str(t.get("status", "")), "")).lower()
        if not reading and t.get("status"):
            reading = str(t["status"]).lower()
        status = escape(READING_WORDS.get(reading, reading))
        change_text = chart = ""
        if reading != "unclear":
            change = t.get("change")
            if isinstance(change, int | float):
                change_text = f"{change:+.0%}" if abs(change) < 10 else f"{change:+.0f}"
            elif change:
                change_text = escape(str(change))
            chart = sparkline(_values(t))
        rows.append(
            f'<div class="stylist-trend" data-reading="{escape(reading)}">'
            f'<span class="stylist-trend-name">{name}</span> '
            f'<span class="stylist-trend-status">{status}</span> '
            f'<span class="stylist-trend-change">{change_text}</span>{chart}</div>'
        )
    return (
        '<div class="stylist-trends"><div class="stylist-trends-title">Trend forecasts</div>'
        f"{''.join(rows)}</div>"
    )
