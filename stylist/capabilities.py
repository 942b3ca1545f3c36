"""What the web layer tells shoppers about the stylist's abilities (shared by the API, UI and widget)."""

from __future__ import annotations

from typing import Any

NO_PHOTOS = "I cannot read photos yet, so I answered from your words only."


def reads_photos(stylist: Any) -> bool:
    """Whether the stylist understands photos (the agent has an image service once that part lands)."""
    flag = getattr(stylist, "supports_images", None)
    return bool(flag) if flag is not None else getattr(stylist, "images", None) is not None
