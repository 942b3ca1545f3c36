"""What the agent, the UI and the CLI call: describe a shopper's photo, find similar items.

``ImageService(settings)`` is cheap; the model loads on first use and is shared by
threads. ``describe`` returns exactly the object ``stylist describe-image --json``
prints; ``similar`` searches the catalog's image collection near a photo, with
an optional Chroma metadata filter (``{"price": {"$lt": 1000}}``) for
"like this but cheaper/in black".
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from stylist.errors import PhotoSearchUnavailable
from stylist.query import chroma_where
from stylist.vision.errors import ImageError

if TYPE_CHECKING:
    from stylist.settings import Settings
    from stylist.vision.backends import Attributes, ImageBackend

__all__ = ["ImageError", "ImageService", "caption_for"]

#: How many labels per attribute ``describe`` reports.
TOP_LABELS = {"article_type": 5, "colour": 3, "gender": 2, "usage": 2, "season": 2}
#: Visually similar items: how many times ``k`` nearest photos are re-ranked by article type.
RERANK_POOL = 10
_GENDER_WORDS = {"Men": "men", "Women": "women", "Boys": "boys", "Girls": "girls"}


#: A photo this close to a catalog photo, and this far ahead of the next one, is that product's.
SAME_PHOTO = 0.95
SAME_PHOTO_LEAD = 0.02


def _same_photo(hits: Sequence[tuple[str, float, Any]]) -> bool:
    """Whether the nearest hit (by cosine, ``(id, cosine, article_type)``, nearest first) is the
    photographed product itself."""
    if not hits or hits[0][1] < SAME_PHOTO:
        return False
    return len(hits) == 1 or hits[0][1] - hits[1][1] >= SAME_PHOTO_LEAD


def caption_for(attributes: dict[str, list[dict[str, Any]]]) -> str:
    """A short description from the top labels, e.g. ``navy blue shirts for men, casual``."""

    def top(attr: str) -> str:
        values = attributes.get(attr) or []
        return str(values[0]["label"]) if values else ""

    colour, article, gender, usage = top("colour"), top("article_type"), top("gender"), top("usage")
    text = " ".join(v.lower() for v in (colour, article) if v) or "item"
    if gender == "Unisex":
        text = f"unisex {text}"
    elif gender in _GENDER_WORDS:
        text = f"{text} for {_GENDER_WORDS[gender]}"
    if usage:
        text = f"{text}, {usage.lower()}"
    return text


class ImageService:
    """Photo understanding and visual search over the catalog.

    Args:
        settings: model choice (``clip_model`` / ``vision_weights``), limits, store.
        backend: an image backend to use instead of the configured one (tests).
        client: a Chroma client (defaults to one built from ``settings``).
    """

    def __init__(self, settings: Settings, backend: ImageBackend | None = None, client: Any = None) -> None:
        self.settings = settings
        self._backend = backend
        self._client = client
        self._lock = threading.Lock()
        self._warned = False

    # -- the model ------------------------------------------------------------------

    @property
    def backend(self) -> ImageBackend:
        """The image model, loaded on first use (raises WeightsMissing when there is none)."""
        with self._lock:
            if self._backend is None:
                from stylist.vision.backends import build_backend

                self._backend = build_backend(self.settings)
            return self._backend

    @property
    def space(self) -> str:
        """The model's embedding space (loads the model; raises WeightsMissing when there is none)."""
        return self.backend.space

    def decode(self, image: bytes | str | Path) -> np.ndarray:
        """Decode one photo for the model (raises :class:`ImageError`)."""
        from stylist.vision.backends import decode_for

        if not isinstance(image, (bytes, bytearray, str, Path)):
            raise ImageError(f"expected image bytes or a file path, got {type(image).__name__}")
        return decode_for(self.backend, image, self.settings)

    def analyse(self, images: Sequence[bytes | str | Path]) -> tuple[Attributes, np.ndarray]:
        """Attributes and embeddings of several photos in one model call."""
        arrays = np.stack([self.decode(img) for img in images])
        return self.backend.analyse(arrays)

    def embed_decoded(self, photos: Sequence[np.ndarray]) -> np.ndarray:
        """Unit embeddings ``(N, D)`` of photos already :meth:`decode`-d, in one model call.

        With :attr:`space` and :meth:`decode` this makes the service the photo embedder
        that :func:`vectorstore.images.ingest_images` takes.
        """
        _, embeddings = self.backend.analyse(np.stack(list(photos)))
        return embeddings

    # -- the image index --------------------------------------------------------------

    @property
    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                from vectorstore.client import connect

                self._client = connect(self.settings)
            return self._client

    def _collection(self) -> Any | None:
        from vectorstore.client import active_collection, store_errors

        with store_errors(PhotoSearchUnavailable):
            collection = active_collection(self.client, self.settings.image_collection)
        if collection is None:
            if not self._warned:
                self._warned = True
                print(
                    f"note: the image collection {self.settings.image_collection!r} is empty: run `stylist ingest` "
                    "to enable visual search",
                    file=sys.stderr,
                )
            return None
        space = (collection.metadata or {}).get("image_space")
        if space and space != self.backend.space:
            raise RuntimeError(
                f"the image collection was built with {space}, but the configured image model is "
                f"{self.backend.space}: run `stylist ingest` to rebuild it"
            )
        return collection

    def has_index(self) -> bool:
        """Whether visual search is available (an image collection was ingested)."""
        from vectorstore.client import live_build, store_errors

        with store_errors(PhotoSearchUnavailable):
            return live_build(self.client, self.settings.image_collection) is not None

    def search_embedding(
        self,
        embedding: np.ndarray,
        k: int = 10,
        where: dict | None = None,
        article_types: dict[str, float] | None = None,
    ) -> list[dict]:
        """Catalog items nearest to an embedding, ``[{"id", "score"}]`` with cosine scores.

        Args:
            embedding: a unit vector of the image collection's space.
            k: how many items.
            where: a Chroma metadata filter.
            article_types: the photo's article-type probabilities. When given, the nearest
                ``RERANK_POOL * k`` items are re-ranked by cosine plus ``vision_rerank_weight``
                times the probability of each item's catalog article type (a shirt's neighbours
                are shirts first, then the most shirt-like other items).
        """
        collection = self._collection()
        if collection is None or k < 1:
            return []
        from vectorstore.client import store_errors

        weight = self.settings.vision_rerank_weight if article_types else 0.0
        with store_errors(PhotoSearchUnavailable):
            result = collection.query(
                query_embeddings=[np.asarray(embedding, dtype=np.float32).tolist()],
                n_results=k * RERANK_POOL if weight else k,
                where=chroma_where(where),  # several plain keys are joined with $and
                include=["distances", "metadatas"],
            )
        hits = [
            (pid, 1.0 - float(d), (meta or {}).get("article_type"))
            for pid, d, meta in zip(
                result["ids"][0], result["distances"][0], result["metadatas"][0], strict=True
            )
        ]
        if weight and article_types:
            # The catalog's own photo of the item (mirrored or cropped: cosine 0.95 to 0.999 here, well
            # clear of the next one) stays first whatever the model calls it: measured on a heels photo
            # the model read as flats (p 0.51 against 0.40), re-ranking put three flats before the item.
            same = hits[0] if _same_photo(hits) else None
            hits = sorted(
                hits[bool(same) :], key=lambda hit: -(hit[1] + weight * article_types.get(str(hit[2]), 0.0))
            )
            hits = [same, *hits] if same else hits
        return [{"id": pid, "score": round(score, 4)} for pid, score, _ in hits[:k]]

    # -- the public interface -----------------------------------------------------------

    def describe(self, image: bytes | str | Path, k: int = 10) -> dict[str, Any]:
        """Attributes, a caption, a confidence flag and the ``k`` most similar catalog items.

        Raises:
            ImageError: corrupt file, not an image, too large.
            PhotoSearchUnavailable: the catalog store holding the photos does not answer.
        """
        return self.describe_many([image], k=k)[0]

    def describe_many(self, images: Sequence[bytes | str | Path], k: int = 10) -> list[dict[str, Any]]:
        """:meth:`describe` for several photos with one model call (all must decode)."""
        rows, embeddings = self.analyse(images)
        return [self._describe_row(row, emb, k) for row, emb in zip(rows, embeddings, strict=True)]

    def _describe_row(
        self, row: dict[str, list[tuple[str, float]]], embedding: np.ndarray, k: int
    ) -> dict[str, Any]:
        attributes = {
            attr: [{"label": label, "p": round(p, 4)} for label, p in values[: TOP_LABELS.get(attr, 3)]]
            for attr, values in row.items()
        }
        article = row.get("article_type") or []
        confident = bool(article) and article[0][1] >= self.settings.vision_confidence
        return {
            "attributes": attributes,
            "similar": self.search_embedding(embedding, k, article_types=dict(article)) if k > 0 else [],
            "caption": caption_for(attributes),
            "confident": confident,
        }

    def embed(self, image: bytes | str | Path) -> list[float]:
        """The photo's unit embedding (the space of the image collection)."""
        _, embeddings = self.analyse([image])
        return embeddings[0].tolist()

    def similar(self, image: bytes | str | Path, k: int = 10, where: dict | None = None) -> list[dict]:
        """Catalog items that look like the photo, ``[{"id", "score"}]``, filtered by ``where``.

        ``where`` is a Chroma metadata filter over the catalog fields (gender, colour,
        article_type, usage, price, in_stock, ...).

        Raises:
            ImageError: the photo cannot be used.
        """
        rows, embeddings = self.analyse([image])
        return self.search_embedding(
            embeddings[0], k, where, article_types=dict(rows[0].get("article_type") or [])
        )

    def search_text(self, text: str, k: int = 10, where: dict | None = None) -> list[dict]:
        """Catalog photos that match a text ("red floral dress"), ``[{"id", "score"}]``."""
        if not text.strip():
            return []
        return self.search_embedding(self.backend.embed_texts([text])[0], k, where)
