"""The stylist's image understanding: a compact model trained on the catalog's own photos.

- :mod:`stylist.vision.data`: decoding shoppers' photos safely, the photo cache, the split;
- :mod:`stylist.vision.model`: the network (attribute heads + a text-aligned embedding);
- :mod:`stylist.vision.train`: the reproducible CPU training recipe;
- :mod:`stylist.vision.backends`: the project's model or a local CLIP checkpoint, one interface;
- :mod:`stylist.vision.service`: :class:`ImageService`, what the agent, UI and CLI call.

Nothing here imports torch at import time.
"""

from stylist.vision.errors import ImageError

__all__ = ["ImageError"]
