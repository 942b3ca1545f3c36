"""The one error a caller of the image service needs to handle."""

from __future__ import annotations


class ImageError(ValueError):
    """A photo cannot be used: unreadable, not an image, corrupt or too large.

    The message is written for the shopper or operator and names the problem.
    """
