"""Ingestion of the catalog photos into the image collection (visual similarity search).

Same pattern as :mod:`vectorstore.ingest`: a new build is made aside
(:func:`vectorstore.builds.rebuild`), unchanged rows are copied with their stored
embeddings, only new or changed photos are embedded, and the registry pointer
switches in one write. A photo's hash covers the product record, the image file's
size and modification time, and the image model's embedding space, so a new model
re-embeds everything.

The store knows no image model: the caller passes a :class:`PhotoEmbedder`
(the vision service is one).
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from vectorstore.builds import batches, copy_rows, plan, rebuild
from vectorstore.client import active_collection, connect
from vectorstore.ingest import IngestReport, product_metadata

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from stylist.catalog import Product
    from stylist.settings import Settings


class PhotoEmbedder(Protocol):
    """What the photo collection needs from an image model."""

    @property
    def space(self) -> str:
        """Names the embedding space; stored with the collection so spaces never mix."""
        ...

    def decode(self, image: str) -> Any:
        """One photo file ready for :meth:`embed_decoded`; raises ``ValueError`` when it cannot be used."""
        ...

    def embed_decoded(self, photos: Sequence[Any]) -> Any:
        """Unit embeddings ``(N, D)`` of decoded photos, one model call."""
        ...


#: Photos decoded and embedded per model call.
IMAGE_BATCH = 256


def photo_hash(product: Product, space: str) -> str:
    """Changes when the product, its image file or the embedding space changes."""
    stamp = ""
    if not product.image.startswith(("http://", "https://")):
        try:
            st = Path(product.image).stat()
            stamp = f"{st.st_size}:{st.st_mtime_ns}"
        except OSError:
            stamp = "missing"
    return hashlib.sha1(f"{product.content_hash()}|{stamp}|{space}".encode()).hexdigest()[:16]


def ingest_images(
    products: Sequence[Product],
    settings: Settings,
    *,
    embedder: PhotoEmbedder,
    progress: bool = True,
    log: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr, flush=True),
) -> IngestReport:
    """Make the live image collection hold an embedding of every usable product photo.

    Photos that cannot be decoded (or are remote URLs) are reported through ``log``
    and left out; the rest of the catalog is still indexed.

    Args:
        products: validated products (ids unique).
        settings: store and collection name (``image_collection``).
        embedder: the image model that embeds the photos.
        progress: show a progress bar while embedding.
        log: where to report the plan and skipped photos.
    """
    from tqdm import tqdm

    started = time.perf_counter()
    space = embedder.space  # a missing model fails here, before the store is touched
    client = connect(settings)
    name = settings.image_collection
    if name == settings.collection:
        raise ValueError(f"image collection name {name!r} is the text collection")
    current = active_collection(client, name)
    hashes = {p.id: photo_hash(p, space) for p in products}
    by_id = {p.id: p for p in products}
    todo = plan(current, hashes)
    if todo.nothing_to_do(current):
        log(f"{name}: up to date ({len(todo.kept)} photos), nothing to do")
        return IngestReport(None, len(todo.kept), 0, 0, 0, time.perf_counter() - started)

    fresh = [by_id[pid] for pid in todo.fresh]
    skipped = 0

    def fill(target: Collection) -> None:
        nonlocal skipped
        log(
            f"{name}: building {target.name}: {len(fresh)} photos to embed, {len(todo.kept)} unchanged, "
            f"{len(todo.removed)} to remove"
        )
        if current is not None:
            copy_rows(current, target, todo.kept, documents=False)
        bar = tqdm(
            total=len(fresh), desc="embedding photos", unit="photo", disable=not progress, file=sys.stderr
        )
        for chunk in batches(fresh, IMAGE_BATCH):
            good: list[Product] = []
            photos = []
            for product in chunk:
                try:
                    if product.image.startswith(("http://", "https://")):
                        raise ValueError("remote photos are not fetched during ingestion")
                    photos.append(embedder.decode(product.image))
                    good.append(product)
                except ValueError as exc:
                    skipped += 1
                    log(f"{name}: skipped photo of {product.id}: {exc}")
            if good:
                embeddings = embedder.embed_decoded(photos)
                metadatas = []
                for product in good:
                    meta = product_metadata(product)
                    meta["content_hash"] = hashes[product.id]
                    metadatas.append(meta)
                target.add(ids=[p.id for p in good], embeddings=embeddings.tolist(), metadatas=metadatas)
            bar.update(len(chunk))
        bar.close()

    build = rebuild(
        client,
        name,
        fill,
        expected=lambda: len(todo.kept) + len(fresh) - skipped,
        metadata={"image_space": space},
    )
    expected = len(todo.kept) + len(fresh) - skipped
    seconds = time.perf_counter() - started
    log(f"{name}: live build is now {build} ({expected} photos, {skipped} skipped, {seconds:.1f} s)")
    return IngestReport(build, expected, len(fresh) - skipped, len(todo.kept), len(todo.removed), seconds)
