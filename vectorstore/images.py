"""Ingestion of the catalog photos into the image collection (visual similarity search).

Same pattern as :mod:`vectorstore.ingest`: a new build is made aside, unchanged
rows are copied with their stored embeddings, only new or changed photos are
embedded, and the registry pointer switches in one write. A photo's hash covers
the product record, the image file's size and modification time, and the image
model's embedding space, so a new model re-embeds everything.
"""

from __future__ import annotations

import hashlib
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vectorstore.client import REGISTRY, active_collection, connect, live_build, set_live_build
from vectorstore.ingest import (
    BATCH,
    IngestReport,
    _batches,
    _existing_hashes,
    _remove_stale_builds,
    product_metadata,
)

if TYPE_CHECKING:
    from stylist.catalog import Product
    from stylist.settings import Settings
    from stylist.vision.service import ImageService

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
    service: ImageService | None = None,
    progress: bool = True,
    log: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr, flush=True),
) -> IngestReport:
    """Make the live image collection hold an embedding of every usable product photo.

    Photos that cannot be decoded (or are remote URLs) are reported through ``log``
    and left out; the rest of the catalog is still indexed.

    Args:
        products: validated products (ids unique).
        settings: store, collection name (``image_collection``) and image model.
        service: the image service whose model embeds the photos.
        progress: show a progress bar while embedding.
        log: where to report the plan and skipped photos.

    Raises:
        stylist.vision.backends.WeightsMissing: no image model is available.
    """
    import numpy as np
    from tqdm import tqdm

    from stylist.vision.errors import ImageError
    from stylist.vision.service import ImageService

    started = time.perf_counter()
    service = service or ImageService(settings)
    backend = service.backend  # fails early (WeightsMissing) before touching the store
    client = connect(settings)
    name = settings.image_collection
    if name == REGISTRY or "__" in name or name == settings.collection:
        raise ValueError(
            f"image collection name {name!r} is reserved, contains '__' or is the text collection"
        )
    current = active_collection(client, name)
    existing = _existing_hashes(current) if current is not None else {}
    hashes = {p.id: photo_hash(p, backend.space) for p in products}
    fresh = [p for p in products if existing.get(p.id) != hashes[p.id]]
    kept = [p.id for p in products if p.id in existing and existing[p.id] == hashes[p.id]]
    wanted = set(hashes)
    removed = [pid for pid in existing if pid not in wanted]
    if current is not None and not fresh and not removed:
        log(f"{name}: up to date ({len(kept)} photos), nothing to do")
        return IngestReport(None, len(kept), 0, 0, 0, time.perf_counter() - started)

    build = f"{name}__{time.strftime('%Y%m%dT%H%M%S')}_{uuid.uuid4().hex[:6]}"
    log(
        f"{name}: building {build}: {len(fresh)} photos to embed, {len(kept)} unchanged, {len(removed)} to remove"
    )
    _remove_stale_builds(client, name, keep={current.name} if current is not None else set())
    target = client.create_collection(
        build, metadata={"hnsw:space": "cosine", "image_space": backend.space}, embedding_function=None
    )
    if current is not None:
        for ids in _batches(kept, BATCH):
            page = current.get(ids=list(ids), include=["embeddings", "metadatas"])
            target.add(ids=page["ids"], embeddings=page["embeddings"], metadatas=page["metadatas"])
    skipped = 0
    bar = tqdm(total=len(fresh), desc="embedding photos", unit="photo", disable=not progress, file=sys.stderr)
    for chunk in _batches(fresh, IMAGE_BATCH):
        good: list[Product] = []
        arrays = []
        for product in chunk:
            try:
                if product.image.startswith(("http://", "https://")):
                    raise ImageError("remote photos are not fetched during ingestion")
                arrays.append(service.decode(product.image))
                good.append(product)
            except ImageError as exc:
                skipped += 1
                log(f"{name}: skipped photo of {product.id}: {exc}")
        if good:
            _, embeddings = backend.analyse(np.stack(arrays))
            metadatas = []
            for product in good:
                meta = product_metadata(product)
                meta["content_hash"] = hashes[product.id]
                metadatas.append(meta)
            target.add(ids=[p.id for p in good], embeddings=embeddings.tolist(), metadatas=metadatas)
        bar.update(len(chunk))
    bar.close()
    expected = len(kept) + len(fresh) - skipped
    if target.count() != expected:
        raise RuntimeError(f"{build} holds {target.count()} photos, expected {expected}")
    previous = live_build(client, name)
    set_live_build(client, name, build)
    _remove_stale_builds(client, name, keep={build} | ({previous} if previous else set()))
    seconds = time.perf_counter() - started
    log(f"{name}: live build is now {build} ({expected} photos, {skipped} skipped, {seconds:.1f} s)")
    return IngestReport(build, expected, len(fresh) - skipped, len(kept), len(removed), seconds)
