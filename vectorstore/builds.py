"""Build a collection aside, then switch readers to it in one write.

Every logical collection (the catalog, its photos, the trend summaries) is stored
as builds named ``<name>__<stamp>``; the registry says which build is live.
:func:`rebuild` is the one way a build is made: orphans of killed runs are removed,
the new build is filled and checked aside, the registry pointer switches in one
metadata write, and builds older than the previous one are deleted (readers may
still hold the previous one). A failed fill deletes its half-built collection;
the live build is never touched.

The incremental writers (catalog, photos) also share :func:`plan` (what to embed,
copy or drop, from stored content hashes) and :func:`copy_rows`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from vectorstore.client import REGISTRY, live_build, set_live_build

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

T = TypeVar("T")
#: Rows read or copied per Chroma call.
BATCH = 1000


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of ``items``, ``size`` at most each."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def check_name(name: str) -> None:
    """Refuse a logical collection name that would clash with the registry or with build names."""
    if name == REGISTRY or "__" in name:
        raise ValueError(f"collection name {name!r} is reserved or contains '__'")


def stored_hashes(collection: Collection) -> dict[str, str]:
    """``{id: content_hash}`` of every row of ``collection``."""
    hashes: dict[str, str] = {}
    offset = 0
    while True:
        page = collection.get(include=["metadatas"], limit=BATCH * 5, offset=offset)
        for pid, meta in zip(page["ids"], page["metadatas"] or [], strict=True):
            hashes[pid] = str((meta or {}).get("content_hash", ""))
        if len(page["ids"]) < BATCH * 5:
            return hashes
        offset += len(page["ids"])


@dataclass
class Plan:
    """What an incremental build does with each id."""

    fresh: list[str]  #: new or changed: to embed
    kept: list[str]  #: unchanged: copied with their stored embeddings
    removed: list[str]  #: gone from the source: left out

    def nothing_to_do(self, current: Collection | None) -> bool:
        return current is not None and not self.fresh and not self.removed


def plan(current: Collection | None, wanted: Mapping[str, str]) -> Plan:
    """Compare the wanted ``{id: content_hash}`` (in source order) with the live build's rows."""
    existing = stored_hashes(current) if current is not None else {}
    return Plan(
        fresh=[pid for pid, h in wanted.items() if existing.get(pid) != h],
        kept=[pid for pid, h in wanted.items() if pid in existing and existing[pid] == h],
        removed=[pid for pid in existing if pid not in wanted],
    )


def copy_rows(source: Collection, target: Collection, ids: Sequence[str], *, documents: bool = True) -> None:
    """Copy rows with their stored embeddings and metadata (and documents) from one build to another."""
    include: list[Any] = ["embeddings", "metadatas"] + (["documents"] if documents else [])
    for chunk in batches(ids, BATCH):
        page = source.get(ids=list(chunk), include=include)
        target.add(
            ids=page["ids"],
            embeddings=page["embeddings"],
            metadatas=page["metadatas"],
            **({"documents": page["documents"]} if documents else {}),
        )


def remove_builds(client: ClientAPI, name: str, keep: set[str | None]) -> None:
    """Delete every build of ``name`` that is not in ``keep``."""
    for collection in client.list_collections():
        other = collection if isinstance(collection, str) else collection.name
        if other.startswith(f"{name}__") and other not in keep:
            client.delete_collection(other)


def rebuild(
    client: ClientAPI,
    name: str,
    fill: Callable[[Collection], None],
    *,
    expected: int | Callable[[], int] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> str:
    """Make a new build of ``name`` aside, fill it, and make it the live one.

    Args:
        client: the Chroma client.
        name: the logical collection.
        fill: writes the rows into the new (empty) collection.
        expected: how many rows the filled build must hold (or a function giving it
            once ``fill`` ran); a build that holds another number is not switched to.
        metadata: collection metadata besides the cosine space (e.g. the image space).

    Returns:
        The name of the new live build.

    Raises:
        RuntimeError: the build holds the wrong number of rows (it is deleted).
        Exception: whatever ``fill`` raised (the half-built collection is deleted).
    """
    check_name(name)
    live = live_build(client, name)
    remove_builds(client, name, keep={live})  # orphans of killed runs
    build = f"{name}__{time.strftime('%Y%m%dT%H%M%S')}_{uuid.uuid4().hex[:6]}"
    target = client.create_collection(
        build, metadata={"hnsw:space": "cosine", **(metadata or {})}, embedding_function=None
    )
    try:
        fill(target)
        want = expected() if callable(expected) else expected
        if want is not None and target.count() != want:
            raise RuntimeError(f"{build} holds {target.count()} rows, expected {want}")
    except BaseException:
        client.delete_collection(build)  # the live build stays as it was
        raise
    set_live_build(client, name, build)
    remove_builds(client, name, keep={build, live})
    return build
