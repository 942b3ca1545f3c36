"""The Chroma collection of trend-forecast summaries.

Written as a whole by ``stylist trends update``: a new build is filled aside and
switched to with the registry pointer the catalog uses
(:func:`vectorstore.builds.rebuild`), so readers never see a half-written set;
older builds are removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vectorstore.builds import rebuild
from vectorstore.client import Embedder, active_collection, connect, live_build, store_errors

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from stylist.settings import Settings
    from stylist.trends.update import TrendRecord


def write_trends(records: list[TrendRecord], settings: Settings, embedder: Embedder) -> str:
    """Embed the summaries and make them the live trend collection; returns the build name."""
    if not records:
        raise ValueError("no trend records to write")
    ids = [r.id for r in records]
    if len(set(ids)) != len(ids):
        raise ValueError("trend ids must be unique")

    def fill(collection: Collection) -> None:
        vectors = embedder.embed([r.summary for r in records])
        for start in range(0, len(records), 500):
            part = records[start : start + 500]
            collection.add(
                ids=[r.id for r in part],
                documents=[r.summary for r in part],
                metadatas=[r.metadata for r in part],
                embeddings=vectors[start : start + 500],
            )

    return rebuild(connect(settings), settings.trends_collection, fill)


def query_trends(
    settings: Settings, embedder: Embedder, query: str, k: int, where: dict[str, Any] | None = None
) -> list[tuple[str, dict[str, Any], float]]:
    """The ``k`` summaries nearest to ``query`` as (summary, metadata, distance); [] without a collection."""
    with store_errors():
        collection = active_collection(connect(settings), settings.trends_collection)
        if collection is None or k < 1:
            return []
        found = collection.query(
            query_embeddings=embedder.embed([query]), n_results=k, where=where or None,
            include=["documents", "metadatas", "distances"],
        )  # fmt: skip
    docs = (found.get("documents") or [[]])[0]
    metas = (found.get("metadatas") or [[]])[0]
    dists = (found.get("distances") or [[]])[0]
    return [(d, dict(m or {}), float(x)) for d, m, x in zip(docs, metas, dists, strict=True)]


def get_trends(settings: Settings, where: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """All summaries whose metadata match ``where`` (no ranking); [] without a collection."""
    with store_errors():
        collection = active_collection(connect(settings), settings.trends_collection)
        if collection is None:
            return []
        found = collection.get(where=where, include=["documents", "metadatas"])
    return [
        (d, dict(m or {})) for d, m in zip(found["documents"] or [], found["metadatas"] or [], strict=True)
    ]


def all_trends(
    settings: Settings, known_build: str | None = None
) -> tuple[str | None, list[dict[str, Any]] | None]:
    """The live build's name and every stored trend's metadata; ``None`` metadata when the live
    build is still ``known_build`` (nothing to re-read) or there is no collection."""
    client = connect(settings)
    build = live_build(client, settings.trends_collection)
    if build is None or build == known_build:
        return build, None
    collection = active_collection(client, settings.trends_collection)
    if collection is None:
        return None, None
    metas: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = collection.get(include=["metadatas"], limit=5000, offset=offset)
        metas += [dict(m or {}) for m in page["metadatas"] or []]
        if len(page["ids"]) < 5000:
            return build, metas
        offset += len(page["ids"])
