"""The one error a caller of the image service needs to handle (it lives in :mod:`stylist.errors`)."""

from __future__ import annotations

from stylist.errors import ImageError

__all__ = ["ImageError"]
