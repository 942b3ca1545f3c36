"""HTML for product cards and trend panels, built from the agent's structured reply.

Everything that comes from a shopper, the model or the catalog is escaped here, so
HTML or script in a message or a product title is shown as text and never runs.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote


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


def trend_panel(trends: list[dict[str, Any]]) -> str:
    """Escaped HTML: each trend's name, status (rising/stable/falling), change and a small chart."""
    if not trends:
        return ""
    rows = []
    for t in trends:
        name = escape(str(t.get("trend") or t.get("label") or "trend"))
        status = escape(str(t.get("status", "")))
        change = t.get("change")
        change_text = ""
        if isinstance(change, int | float):
            change_text = f"{change:+.0%}" if abs(change) < 10 else f"{change:+.0f}"
        elif change:
            change_text = escape(str(change))
        rows.append(
            f'<div class="stylist-trend"><span class="stylist-trend-name">{name}</span> '
            f'<span class="stylist-trend-status">{status}</span> '
            f'<span class="stylist-trend-change">{change_text}</span>{sparkline(_values(t))}</div>'
        )
    return f'<div class="stylist-trends">{"".join(rows)}</div>'
