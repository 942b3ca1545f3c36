"""Hybrid catalog retrieval that never breaks an explicit constraint.

``Retriever.search(query, filters, k)``: the deterministic parser turns the
constraints stated in the query into :class:`Filters`; Chroma's metadata filter
applies them to a dense (MiniLM) search; a BM25 index over the same documents
adds the lexical signal (brand names, "kurta"); the two rankings are fused with
reciprocal-rank fusion. Every result is checked against the filters once more.
When nothing matches, the nearest relaxation (one constraint dropped) is
offered, labelled as such.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from stylist.query import Filters, ParsedQuery, QueryParser

if TYPE_CHECKING:
    from stylist.settings import Settings
    from vectorstore.client import Embedder

# Which constraint to give up first when nothing matches (least important first).
RELAX_ORDER = (
    "season", "size", "usage", "exclude_colour", "colour", "price_min", "price_max",
    "subcategory", "category", "article_type",
)  # fmt: skip
RRF_K = 60
_TOKEN = re.compile(r"[a-z0-9]+")


class StoreEmpty(RuntimeError):
    """Nothing has been ingested into the configured store yet."""


@dataclass
class Item:
    """A product as search returns it."""

    id: str
    title: str
    price: float
    currency: str
    gender: str
    article_type: str
    colour: str
    usage: str
    season: str
    category: str
    subcategory: str
    image: str
    url: str
    sizes: dict[str, int]
    score: float

    @classmethod
    def from_metadata(cls, pid: str, meta: dict[str, Any], score: float) -> Item:
        return cls(
            id=pid,
            title=str(meta.get("title", "")),
            price=float(meta.get("price", 0.0)),
            currency=str(meta.get("currency", "")),
            gender=str(meta.get("gender", "")),
            article_type=str(meta.get("article_type", "")),
            colour=str(meta.get("colour", "")),
            usage=str(meta.get("usage", "")),
            season=str(meta.get("season", "")),
            category=str(meta.get("category", "")),
            subcategory=str(meta.get("subcategory", "")),
            image=str(meta.get("image", "")),
            url=str(meta.get("url", "")),
            sizes=json.loads(meta.get("sizes") or "{}"),
            score=round(float(score), 6),
        )

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Relaxation:
    """Items found after dropping one constraint, offered when nothing matched."""

    dropped: str
    items: list[Item]

    def describe(self) -> str:
        return f"nothing matches every constraint; without the {self.dropped.replace('_', ' ')} constraint:"


@dataclass
class SearchResult:
    """What a search found, with the constraints it enforced."""

    query: str
    filters: Filters
    items: list[Item]
    notes: list[str] = field(default_factory=list)
    relaxation: Relaxation | None = None

    @property
    def message(self) -> str:
        if self.items:
            return f"{len(self.items)} item(s) match"
        if self.relaxation:
            return self.relaxation.describe()
        return "no items match these constraints"


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


class BM25:
    """A small in-memory Okapi BM25 index over the collection's documents."""

    def __init__(self, docs: list[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.n = len(docs)
        lengths = np.zeros(self.n, dtype=np.float32)
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, doc in enumerate(docs):
            counts = Counter(tokenize(doc))
            lengths[i] = sum(counts.values())
            for term, tf in counts.items():
                postings[term].append((i, tf))
        avg = float(lengths.mean()) if self.n else 1.0
        self.norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        self.postings = {
            t: (np.array([i for i, _ in p], dtype=np.int64), np.array([tf for _, tf in p], dtype=np.float32))
            for t, p in postings.items()
        }
        self.idf = {t: math.log(1 + (self.n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}

    def scores(self, query: str) -> dict[int, float]:
        total: dict[int, float] = defaultdict(float)
        for term in set(tokenize(query)):
            if term not in self.postings:
                continue
            idx, tf = self.postings[term]
            part = self.idf[term] * tf * (self.k1 + 1) / (tf + self.norm[idx])
            for i, s in zip(idx.tolist(), part.tolist(), strict=True):
                total[i] += s
        return total


class _Snapshot:
    """The live build's documents and metadata, for BM25 and the parser's vocabulary."""

    def __init__(self, build: str, collection: Any) -> None:
        self.build = build
        self.collection = collection
        ids: list[str] = []
        metas: list[dict[str, Any]] = []
        docs: list[str] = []
        offset = 0
        while True:
            page = collection.get(include=["metadatas", "documents"], limit=5000, offset=offset)
            ids += page["ids"]
            metas += [dict(m or {}) for m in page["metadatas"] or []]
            docs += [d or "" for d in page["documents"] or []]
            if len(page["ids"]) < 5000:
                break
            offset += len(page["ids"])
        for pid, meta in zip(ids, metas, strict=True):
            meta["id"] = pid
        self.ids, self.metas = ids, metas
        self.index = {pid: i for i, pid in enumerate(ids)}
        self.bm25 = BM25(docs)
        self.values: dict[str, set[str]] = defaultdict(set)
        for meta in metas:
            for key in ("article_type", "colour", "usage", "gender", "category", "subcategory"):
                if meta.get(key):
                    self.values[key].add(str(meta[key]))


class Retriever:
    """Search over the live catalog build.

    Args:
        settings: store location, collection name and retrieval weights.
        embedder: the text embedder (shared with ingestion; loaded lazily).
        client: a Chroma client (defaults to one built from ``settings``).
    """

    refresh_seconds = 5.0

    def __init__(self, settings: Settings, embedder: Embedder | None = None, client: Any = None) -> None:
        from vectorstore.client import Embedder, connect

        self.settings = settings
        self.embedder = embedder or Embedder(settings.resolved_embedding_model(), settings.embedding_batch_size)
        self.client = client if client is not None else connect(settings)
        self._snapshot: _Snapshot | None = None
        self._parser: QueryParser | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    # -- the live build ---------------------------------------------------------

    def snapshot(self) -> _Snapshot:
        """The live build, reloaded when ingestion switched to a new one."""
        from vectorstore.client import live_build

        with self._lock:
            now = time.monotonic()
            if self._snapshot is None or now - self._checked > self.refresh_seconds:
                self._checked = now
                build = live_build(self.client, self.settings.collection)
                if build is None:
                    raise StoreEmpty(
                        f"the catalog collection {self.settings.collection!r} is empty: run `stylist ingest`"
                    )
                if self._snapshot is None or self._snapshot.build != build:
                    collection = self.client.get_collection(build, embedding_function=None)
                    self._snapshot = _Snapshot(build, collection)
                    self._parser = QueryParser.from_values(
                        self._snapshot.values, currency=self.settings.currency, fx_rates=self.settings.fx_rates
                    )
            return self._snapshot

    @property
    def parser(self) -> QueryParser:
        self.snapshot()
        assert self._parser is not None
        return self._parser

    def parse(self, query: str) -> ParsedQuery:
        return self.parser.parse(query)

    def get(self, product_id: str) -> Item | None:
        snap = self.snapshot()
        i = snap.index.get(str(product_id))
        return None if i is None else Item.from_metadata(snap.ids[i], snap.metas[i], 1.0)

    def count(self) -> int:
        return len(self.snapshot().ids)

    # -- search -------------------------------------------------------------------

    def search(
        self,
        query: str,
        filters: Filters | None = None,
        k: int = 10,
        *,
        parse: bool = True,
        relax: bool = True,
    ) -> SearchResult:
        """Find up to ``k`` items for ``query`` that satisfy every constraint.

        Args:
            query: the shopper's words; explicit constraints in it become filters.
            filters: extra constraints; where they set a field it wins over the parsed one.
            k: how many items to return.
            parse: read constraints from ``query`` (off when the caller already did).
            relax: when nothing matches, look for the nearest relaxation.
        """
        parsed = self.parse(query) if parse else ParsedQuery(query, Filters(), query)
        active = parsed.filters.merged(filters)
        items = self._ranked(query, active, k)
        result = SearchResult(query=query, filters=active, items=items, notes=list(parsed.notes))
        if not items and relax:
            result.relaxation = self._relax(query, active, k)
        return result

    def _relax(self, query: str, filters: Filters, k: int) -> Relaxation | None:
        """The nearest relaxation: drop one constraint, else two, least important first."""
        from itertools import combinations

        present = [name for name in RELAX_ORDER if getattr(filters, name) not in (None, [])]
        for size in (1, 2):
            for names in combinations(present, size):
                items = self._ranked(query, filters.without(*names), k)
                if items:
                    return Relaxation(dropped=" and ".join(names), items=items)
        return None

    def _ranked(self, query: str, filters: Filters, k: int) -> list[Item]:
        snap = self.snapshot()
        where = filters.where()
        n_dense = max(self.settings.dense_candidates, 2 * k)
        vector = self.embedder.embed([query])[0]
        dense = snap.collection.query(
            query_embeddings=[vector], n_results=n_dense, where=where, include=["distances"]
        )
        dense_ids = dense["ids"][0]
        # Lexical candidates are filtered with the same constraints, in Python.
        lexical = sorted(snap.bm25.scores(query).items(), key=lambda kv: -kv[1])
        lex_ids: list[str] = []
        for i, _ in lexical:
            if not filters.violations(snap.metas[i]):
                lex_ids.append(snap.ids[i])
                if len(lex_ids) >= max(self.settings.lexical_candidates, 2 * k):
                    break
        fused: dict[str, float] = defaultdict(float)
        for rank, pid in enumerate(dense_ids):
            fused[pid] += 1.0 / (RRF_K + rank + 1)
        for rank, pid in enumerate(lex_ids):
            fused[pid] += self.settings.lexical_weight / (RRF_K + rank + 1)
        best = (1.0 + self.settings.lexical_weight) / (RRF_K + 1)
        items: list[Item] = []
        for pid, score in sorted(fused.items(), key=lambda kv: -kv[1]):
            i = snap.index.get(pid)
            if i is None or filters.violations(snap.metas[i]):
                continue  # belt and braces: never return an item that breaks a constraint
            items.append(Item.from_metadata(pid, snap.metas[i], score / best))
            if len(items) == k:
                break
        return items
