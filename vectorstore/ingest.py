"""Idempotent, incremental, crash-safe ingestion of a catalog into Chroma.

Each ingestion that changes anything builds a new collection aside
(:func:`vectorstore.builds.rebuild`), copies the unchanged rows with their stored
embeddings, embeds only new or changed rows, and then switches the registry
pointer in one write. A killed or failed run leaves the live build untouched; a
killed run's orphan is removed by the next run. The previous build is kept for
readers that still hold it; older ones are deleted.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stylist.catalog import size_key
from vectorstore.builds import batches, check_name, copy_rows, plan, rebuild
from vectorstore.client import Embedder, active_collection, connect

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from stylist.catalog import Product
    from stylist.settings import Settings


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
    check_name(name)
    current = active_collection(client, name)
    wanted = {p.id: p for p in products}
    todo = plan(current, {p.id: p.content_hash() for p in products})
    if todo.nothing_to_do(current):
        log(f"{name}: up to date ({len(todo.kept)} items), nothing to do")
        return IngestReport(None, len(todo.kept), 0, 0, 0, time.perf_counter() - started)

    fresh = [wanted[pid] for pid in todo.fresh]
    embedder = embedder or Embedder(
        settings.resolved_embedding_model(),
        settings.embedding_batch_size,
        threads=settings.embedding_threads or os.cpu_count(),
    )

    def fill(target: Collection) -> None:
        log(
            f"{name}: building {target.name}: {len(fresh)} to embed, {len(todo.kept)} unchanged, "
            f"{len(todo.removed)} to remove"
        )
        if current is not None:
            copy_rows(current, target, todo.kept)
        bar = tqdm(total=len(fresh), desc="embedding", unit="item", disable=not progress, file=sys.stderr)
        for chunk in batches(fresh, settings.embedding_batch_size):
            docs = [p.document() for p in chunk]
            target.add(
                ids=[p.id for p in chunk],
                embeddings=embedder.embed(docs),
                metadatas=[product_metadata(p) for p in chunk],
                documents=docs,
            )
            bar.update(len(chunk))
        bar.close()

    build = rebuild(client, name, fill, expected=len(wanted))
    seconds = time.perf_counter() - started
    log(f"{name}: live build is now {build} ({len(wanted)} items, {seconds:.1f} s)")
    return IngestReport(build, len(wanted), len(fresh), len(todo.kept), len(todo.removed), seconds)
