"""Photos in, fixed-size uint8 arrays out; the catalog photo set and its held-out split.

Every photo, a catalog image at training time or a shopper's upload at serving
time, goes through :func:`decode_image`, so the model always sees the same kind
of input: RGB, 80x60 (the sample catalog's portrait size), the garment fitted
inside with white padding (catalog photos are shot on white).
"""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from stylist.vision.errors import ImageError

if TYPE_CHECKING:
    from PIL import Image

    from stylist.catalog import Product

IMAGE_H, IMAGE_W = 80, 60
#: Photo formats the stylist accepts (what Pillow reports after reading the header).
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
#: Larger images are refused before they are decoded (decompression bombs).
MAX_IMAGE_PIXELS = 40_000_000
#: The attributes the model predicts, in the catalog's own field names.
ATTRIBUTES = ("article_type", "colour", "gender", "usage", "season")
ImageSource = bytes | bytearray | str | Path


def _refused(status: int, message: str) -> ImageError:
    error = ImageError(message)
    error.http_status = status  # the web layer answers with it (413 too large, 415 not an image)
    return error


def _read(source: ImageSource, max_bytes: int) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    path = Path(source)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if size > max_bytes:  # refused before reading it
        raise _refused(413, f"{path} is {size} bytes; the limit is {max_bytes}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImageError(f"cannot read {path}: {exc.strerror or exc}") from None


def open_image(data: bytes, max_bytes: int, max_pixels: int | None = None) -> Image.Image:
    """The one image check: a photo's bytes opened by Pillow, checked before any pixel is decoded.

    Every photo goes through it: a shopper's upload (:func:`stylist.limits.check_image`) and
    every photo the model sees (:func:`decode_image`), with the same limits.

    Args:
        data: the encoded photo.
        max_bytes: larger files are refused (the ``max_image_bytes`` setting).
        max_pixels: larger images are refused (decompression bombs); default :data:`MAX_IMAGE_PIXELS`.

    Returns:
        The opened (not yet decoded) image.

    Raises:
        ImageError: with ``http_status`` 400 empty, 413 too large, 415 not an image or an
            unsupported format.
    """
    from PIL import Image, UnidentifiedImageError

    max_pixels = MAX_IMAGE_PIXELS if max_pixels is None else max_pixels
    if not data:
        raise _refused(400, "image is empty")
    if len(data) > max_bytes:
        raise _refused(413, f"image is {len(data)} bytes; the limit is {max_bytes}")
    try:
        img = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise _refused(415, "upload is not an image Pillow can read (JPEG, PNG, WebP or GIF)") from None
    except Image.DecompressionBombError:
        raise _refused(413, "image has too many pixels") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageError(f"image is corrupt: {exc}") from None
    if (img.format or "") not in IMAGE_FORMATS:
        raise _refused(
            415, f"unsupported image format {img.format or 'unknown'}; send JPEG, PNG, WebP or GIF"
        )
    w, h = img.size
    if w < 1 or h < 1:
        raise ImageError("the image has no pixels")
    if w * h > max_pixels:
        raise _refused(413, f"image is {w}x{h} pixels; the limit is {max_pixels} pixels")
    return img


def decode_image(
    source: ImageSource,
    *,
    size: tuple[int, int] = (IMAGE_H, IMAGE_W),
    max_bytes: int | None = None,
    max_pixels: int | None = None,
) -> np.ndarray:
    """Decode a photo into an ``(H, W, 3)`` uint8 RGB array of the model's size.

    EXIF rotation is applied, transparency is flattened onto white, grayscale and
    palette images become RGB, and the photo is scaled to fit ``size`` keeping its
    aspect ratio, padded with white.

    Args:
        source: encoded bytes or a file path.
        size: ``(height, width)`` of the result.
        max_bytes: larger files are refused (default: the ``max_image_bytes`` setting's default).
        max_pixels: larger images are refused before decoding (default :data:`MAX_IMAGE_PIXELS`).

    Raises:
        ImageError: unreadable, empty, not an image (or not JPEG, PNG, WebP, GIF),
            corrupt or too large (:func:`open_image`).
    """
    from PIL import Image, ImageOps

    if max_bytes is None:
        from stylist.settings import Settings

        max_bytes = int(Settings.model_fields["max_image_bytes"].default)
    img = open_image(_read(source, max_bytes), max_bytes, max_pixels)
    target_h, target_w = size
    try:
        if img.format == "JPEG":
            # JPEG can decode at 1/2..1/8 scale directly, which makes 4000x4000 uploads cheap.
            img.draft("RGB", (target_w * 2, target_h * 2))
        img.load()
        img = ImageOps.exif_transpose(img) or img
        if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
            rgba = img.convert("RGBA")
            white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            img = Image.alpha_composite(white, rgba)
        img = img.convert("RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImageError(f"image is corrupt: {exc}") from None
    if img.size != (target_w, target_h):
        scale = min(target_w / img.width, target_h / img.height)
        new_w = max(1, round(img.width * scale))
        new_h = max(1, round(img.height * scale))
        img = img.resize((new_w, new_h), Image.Resampling.BICUBIC, reducing_gap=3.0)
        canvas = Image.new("RGB", (target_w, target_h), (255, 255, 255))
        canvas.paste(img, ((target_w - new_w) // 2, (target_h - new_h) // 2))
        img = canvas
    return np.asarray(img, dtype=np.uint8)


def is_held_out(product_id: str, fraction: float = 0.1) -> bool:
    """Whether a product belongs to the held-out split (stable: a hash of the id)."""
    digest = hashlib.sha1(f"stylist-vision/{product_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


@dataclass
class Vocab:
    """Label names per attribute; index order is the order of the model's outputs."""

    labels: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, products: Sequence[Product], min_count: int = 2) -> Vocab:
        """Labels seen at least ``min_count`` times (rarer ones cannot be learned from photos)."""
        labels: dict[str, list[str]] = {}
        for attr in ATTRIBUTES:
            counts = Counter(getattr(p, attr) for p in products if getattr(p, attr))
            labels[attr] = sorted(v for v, n in counts.items() if n >= min_count)
        return cls(labels)

    def index(self, attr: str, value: str) -> int:
        """Position of ``value`` in the attribute's labels; -1 (ignored by the loss) if unknown."""
        try:
            return self.labels[attr].index(value)
        except ValueError:
            return -1


@dataclass
class PhotoSet:
    """Decoded catalog photos as one uint8 array plus their labels and texts."""

    ids: list[str]
    images: np.ndarray  # (N, H, W, 3) uint8
    targets: dict[str, np.ndarray]  # attribute -> (N,) int64, -1 where unknown
    texts: list[str]
    products: list[Product]

    def subset(self, mask: np.ndarray) -> PhotoSet:
        idx = np.flatnonzero(mask)
        return PhotoSet(
            ids=[self.ids[i] for i in idx],
            images=self.images[idx],
            targets={k: v[idx] for k, v in self.targets.items()},
            texts=[self.texts[i] for i in idx],
            products=[self.products[i] for i in idx],
        )

    def __len__(self) -> int:
        return len(self.ids)


def alignment_text(product: Product) -> str:
    """The text an image embedding is pulled towards: the product title (what shoppers type)."""
    return product.title


def load_photos(products: Sequence[Product], vocab: Vocab) -> tuple[PhotoSet, list[str]]:
    """Decode every product photo once.

    Returns:
        The photo set and a list of problems (products whose photo could not be used;
        they are left out, never silently).
    """
    ids: list[str] = []
    arrays: list[np.ndarray] = []
    kept: list[Product] = []
    problems: list[str] = []
    for product in products:
        if product.image.startswith(("http://", "https://")):
            problems.append(f"{product.id}: remote image not fetched ({product.image})")
            continue
        try:
            arrays.append(decode_image(product.image))
        except ImageError as exc:
            problems.append(f"{product.id}: {exc}")
            continue
        ids.append(product.id)
        kept.append(product)
    images = np.stack(arrays) if arrays else np.zeros((0, IMAGE_H, IMAGE_W, 3), np.uint8)
    targets = {
        attr: np.array([vocab.index(attr, getattr(p, attr)) for p in kept], dtype=np.int64)
        for attr in ATTRIBUTES
    }
    texts = [alignment_text(p) for p in kept]
    return PhotoSet(ids, images, targets, texts, kept), problems
