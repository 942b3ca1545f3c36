"""Idempotent, incremental, crash-safe ingestion of a catalog into Chroma.

Each ingestion that changes anything builds a new collection aside
(``<name>__<build>``), copies the unchanged rows with their stored embeddings,
embeds only new or changed rows, and then switches the registry pointer in one
write. A killed or failed run leaves the live build untouched; its orphan is
removed by the next run. The previous build is kept for readers that still hold
it; older ones are deleted.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from stylist.catalog import size_key
from vectorstore.client import REGISTRY, Embedder, active_collection, connect, live_build, set_live_build

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from stylist.catalog import Product
    from stylist.settings import Settings

T = TypeVar("T")
BATCH = 1000


@dataclass
class IngestReport:
    """What an ingestion did."""

    build: str | None
    total: int
    embedded: int
    copied: int
    removed: int
    seconds: float

    @property
    def changed(self) -> bool:
        return self.embedded > 0 or self.removed > 0 or self.build is not None


def product_metadata(product: Product) -> dict[str, Any]:
    """Flat Chroma metadata for a product (Chroma cannot store None or nested values)."""
    meta: dict[str, Any] = {
        "title": product.title,
        "gender": product.gender,
        "category": product.category,
        "subcategory": product.subcategory,
        "article_type": product.article_type,
        "colour": product.colour,
        "season": product.season,
        "usage": product.usage,
        "price": float(product.price),
        "currency": product.currency,
        "image": product.image,
        "url": product.url,
        "sizes": json.dumps(product.sizes),
        "in_stock": bool(product.sizes_in_stock()) or not product.sizes,
        "content_hash": product.content_hash(),
    }
    if product.year is not None:
        meta["year"] = product.year
    for size in product.sizes_in_stock():
        meta[size_key(size)] = True
    return meta


def _batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_hashes(collection: Any) -> dict[str, str]:
    hashes: dict[str, str] = {}
    offset = 0
    while True:
        page = collection.get(include=["metadatas"], limit=BATCH * 5, offset=offset)
        for pid, meta in zip(page["ids"], page["metadatas"] or [], strict=True):
            hashes[pid] = str((meta or {}).get("content_hash", ""))
        if len(page["ids"]) < BATCH * 5:
            return hashes
        offset += len(page["ids"])


def _remove_stale_builds(client: ClientAPI, name: str, keep: set[str]) -> None:
    for collection in client.list_collections():
        cname = collection if isinstance(collection, str) else collection.name
        if cname.startswith(f"{name}__") and cname not in keep:
            client.delete_collection(cname)


def ingest(
    products: Sequence[Product],
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    progress: bool = True,
    log: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr, flush=True),
) -> IngestReport:
    """Make the live collection hold exactly ``products``.

    Args:
        products: validated products (ids unique).
        settings: picks the store and the collection name.
        embedder: embeddings for new or changed rows (defaults to the configured model).
        progress: show a progress bar while embedding.
        log: where to report the plan.

    Returns:
        An :class:`IngestReport`; ``build`` is None when nothing changed.
    """
    from tqdm import tqdm

    started = time.perf_counter()
    client = connect(settings)
    name = settings.collection
    if name == REGISTRY or "__" in name:
        raise ValueError(f"collection name {name!r} is reserved or contains '__'")
    current = active_collection(client, name)
    existing = _existing_hashes(current) if current is not None else {}
    wanted = {p.id: p for p in products}
    fresh = [p for p in products if existing.get(p.id) != p.content_hash()]
    kept = [pid for pid in wanted if pid in existing and existing[pid] == wanted[pid].content_hash()]
    removed = [pid for pid in existing if pid not in wanted]
    if current is not None and not fresh and not removed:
        log(f"{name}: up to date ({len(kept)} items), nothing to do")
        return IngestReport(None, len(kept), 0, 0, 0, time.perf_counter() - started)

    build = f"{name}__{time.strftime('%Y%m%dT%H%M%S')}_{uuid.uuid4().hex[:6]}"
    log(f"{name}: building {build}: {len(fresh)} to embed, {len(kept)} unchanged, {len(removed)} to remove")
    # Orphans of killed runs are removed before the new build starts.
    _remove_stale_builds(client, name, keep={current.name} if current is not None else set())
    target = client.create_collection(build, metadata={"hnsw:space": "cosine"}, embedding_function=None)
    if current is not None:
        for ids in _batches(kept, BATCH):
            page = current.get(ids=list(ids), include=["embeddings", "metadatas", "documents"])
            target.add(
                ids=page["ids"],
                embeddings=page["embeddings"],
                metadatas=page["metadatas"],
                documents=page["documents"],
            )
    embedder = embedder or Embedder(
        settings.resolved_embedding_model(),
        settings.embedding_batch_size,
        threads=settings.embedding_threads or os.cpu_count(),
    )
    bar = tqdm(total=len(fresh), desc="embedding", unit="item", disable=not progress, file=sys.stderr)
    for chunk in _batches(fresh, settings.embedding_batch_size):
        docs = [p.document() for p in chunk]
        target.add(
            ids=[p.id for p in chunk],
            embeddings=embedder.embed(docs),
            metadatas=[product_metadata(p) for p in chunk],
            documents=docs,
        )
        bar.update(len(chunk))
    bar.close()
    if target.count() != len(wanted):
        raise RuntimeError(f"{build} holds {target.count()} items, expected {len(wanted)}")
    previous = live_build(client, name)
    set_live_build(client, name, build)
    _remove_stale_builds(client, name, keep={build} | ({previous} if previous else set()))
    seconds = time.perf_counter() - started
    log(f"{name}: live build is now {build} ({len(wanted)} items, {seconds:.1f} s)")
    return IngestReport(build, len(wanted), len(fresh), len(kept), len(removed), seconds)
