"""Hybrid catalog retrieval that never breaks an explicit constraint.

``Retriever.search(query, filters, k)``: the deterministic parser turns the
constraints stated in the query into :class:`Filters`; they restrict a dense
(MiniLM) search, in memory (:mod:`stylist.vector_index`: exact for small catalogs,
an IVF index for large ones) or through Chroma's metadata filter; a BM25 index over the same documents
adds the lexical signal (brand names, "kurta"); the two rankings are fused with
reciprocal-rank fusion. Every result is checked against the filters once more.
When nothing matches, the nearest relaxation (one constraint dropped) is
offered, labelled as such.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from stylist.catalog import size_key, size_system
from stylist.errors import StoreEmpty
from stylist.query import Filters, ParsedQuery, QueryParser
from stylist.vector_index import ExactIndex, IVFIndex

log = logging.getLogger(__name__)

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
            sizes=meta_sizes(meta),
            score=round(float(score), 6),
        )

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Relaxation:
    """Items found after dropping one or two constraints, offered when nothing matched."""

    dropped: str  # the dropped constraint names, joined with " and "
    items: list[Item]

    @property
    def fields(self) -> list[str]:
        """The names of the dropped constraints."""
        return self.dropped.split(" and ")

    def describe(self) -> str:
        return f"nothing matches every constraint; without the {self.dropped.replace('_', ' ')} constraint:"


def meta_sizes(meta: dict[str, Any]) -> dict[str, int]:
    """An item's stock per size from its store metadata (a JSON string there); {} when unreadable."""
    raw = meta.get("sizes") or "{}"
    try:
        return dict(json.loads(raw) if isinstance(raw, str) else raw)
    except (ValueError, TypeError):
        return {}


def _known_words(settings: Settings) -> frozenset[str]:
    """Whole words of the embedding model's vocabulary: real words, never read as typos ("while" is
    no "white"); empty when the model folder has no WordPiece vocabulary."""
    try:
        vocab = (settings.resolved_embedding_model() / "vocab.txt").read_text(encoding="utf-8")
    except (OSError, RuntimeError):
        return frozenset()
    return frozenset(w for w in vocab.split() if w.isalpha() and w.islower())


def _size_range(sizes: set[str]) -> str:
    """Sizes in words: "28 to 38" for a run of numbers, else "L, M, S"."""
    ordered = sorted(sizes, key=lambda s: (not s.isdigit(), int(s) if s.isdigit() else s))
    if len(ordered) > 3 and all(s.isdigit() for s in ordered):
        return f"{ordered[0]} to {ordered[-1]}"
    return ", ".join(ordered[:8])


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
    """A small in-memory Okapi BM25 index over the collection's documents.

    Each term's per-document weight does not depend on the query, so it is computed
    once here; scoring a query is one vectorised add per query term.
    """

    def __init__(self, docs: list[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.n = len(docs)
        lengths = np.zeros(self.n, dtype=np.float32)
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, doc in enumerate(docs):
            counts = Counter(tokenize(doc))
            lengths[i] = sum(counts.values())
            for term, tf in counts.items():
                postings[term].append((i, tf))
        avg = float(lengths.mean()) if self.n else 1.0
        norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, plist in postings.items():
            idx = np.fromiter((i for i, _ in plist), dtype=np.int64, count=len(plist))
            tf = np.fromiter((t for _, t in plist), dtype=np.float32, count=len(plist))
            idf = math.log(1 + (self.n - len(plist) + 0.5) / (len(plist) + 0.5))
            self.postings[term] = (idx, (idf * tf * (k1 + 1) / (tf + norm[idx])).astype(np.float32))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (0 where no term occurs)."""
        total = np.zeros(self.n, dtype=np.float32)
        for term in set(tokenize(query)):
            posting = self.postings.get(term)
            if posting is not None:
                # Indices within one posting list are unique, so fancy-index add is exact.
                total[posting[0]] += posting[1]
        return total


_CATEGORICAL = ("gender", "category", "subcategory", "article_type", "colour", "season", "usage")


class _Snapshot:
    """The live build's documents and metadata, for BM25, filter masks and the parser's vocabulary."""

    def __init__(self, build: str, collection: Any, settings: Settings) -> None:
        self.build = build
        self.collection = collection
        # Small catalogs keep their vectors here and are searched exactly; large ones keep
        # them in an IVF index unless Chroma's filtered query was chosen (see Settings).
        exact = collection.count() <= settings.exact_search_max_items
        with_vectors = exact or settings.large_catalog_search == "ivf"
        include = ["metadatas", "documents"] + (["embeddings"] if with_vectors else [])
        ids: list[str] = []
        metas: list[dict[str, Any]] = []
        docs: list[str] = []
        vectors: list[np.ndarray] = []
        offset = 0
        while True:
            page = collection.get(include=include, limit=5000, offset=offset)
            ids += page["ids"]
            metas += [dict(m or {}) for m in page["metadatas"] or []]
            docs += [d or "" for d in page["documents"] or []]
            if with_vectors and len(page["ids"]):
                vectors.append(np.asarray(page["embeddings"], dtype=np.float32))
            if len(page["ids"]) < 5000:
                break
            offset += len(page["ids"])
        self.dense: ExactIndex | IVFIndex | None = None  # None: Chroma's filtered query
        if with_vectors:
            matrix = np.concatenate(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
            del vectors
            if exact:
                self.dense = ExactIndex(matrix, threads=settings.query_threads)
            else:
                # Within a list, rows of one gender and article type sit together: the
                # filters shoppers state most often then allow one short span per list.
                kinds: dict[tuple[Any, Any], int] = {}
                groups = np.fromiter(
                    (kinds.setdefault((m.get("gender"), m.get("article_type")), len(kinds)) for m in metas),
                    dtype=np.int64,
                    count=len(metas),
                )
                self.dense, order = IVFIndex.build(
                    matrix,
                    groups=groups,
                    exact_max_matches=settings.ivf_exact_max_matches,
                    probe_lists=settings.ivf_probe_lists,
                    threads=settings.query_threads,
                )
                # Rows numbered in list order, so a filter mask lines up with the index's lists.
                ids, metas, docs = ([seq[i] for i in order.tolist()] for seq in (ids, metas, docs))
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
        # Column views of the metadata so a filter is checked on every item at once:
        # categorical fields as integer codes, prices as floats (NaN when missing).
        self._codes: dict[str, tuple[dict[Any, int], np.ndarray]] = {}
        for name in _CATEGORICAL:
            vocabulary: dict[Any, int] = {}
            codes = np.fromiter(
                (vocabulary.setdefault(m.get(name), len(vocabulary)) for m in metas),
                dtype=np.int32,
                count=len(metas),
            )
            self._codes[name] = (vocabulary, codes)
        self._price = np.fromiter(
            (float(m["price"]) if isinstance(m.get("price"), (int, float)) else np.nan for m in metas),
            dtype=np.float64,
            count=len(metas),
        )
        self._sizes: dict[str, np.ndarray] = {}
        self._size_lock = threading.Lock()

    def _in(self, name: str, values: list[str]) -> np.ndarray:
        vocabulary, codes = self._codes[name]
        wanted = [vocabulary[v] for v in values if v in vocabulary]
        if len(wanted) == 1:  # one comparison; np.isin took about 30 times longer at 1M items
            return codes == wanted[0]
        return np.isin(codes, wanted) if wanted else np.zeros(len(codes), dtype=bool)

    def sizes_in(self, mask: np.ndarray) -> set[str]:
        """The sizes the items in ``mask`` come in (the first 2,000 of them are enough to tell)."""
        return {s for i in np.flatnonzero(mask)[:2000] for s in meta_sizes(self.metas[int(i)])}

    def _size(self, size: str) -> np.ndarray:
        key = size_key(size)
        with self._size_lock:
            if key not in self._sizes:
                self._sizes[key] = np.fromiter(
                    (m.get(key) is True for m in self.metas), dtype=bool, count=len(self.metas)
                )
            return self._sizes[key]

    def mask(self, filters: Filters) -> np.ndarray:
        """Items that satisfy every constraint; the vectorised twin of ``Filters.violations``."""
        ok = np.ones(len(self.ids), dtype=bool)
        for name in _CATEGORICAL:
            values = getattr(filters, name)
            if values:
                ok &= self._in(name, values)
        if filters.exclude_colour:
            ok &= ~self._in("colour", filters.exclude_colour)
        if filters.exclude_article_type:
            ok &= ~self._in("article_type", filters.exclude_article_type)
        if filters.exclude_gender:
            ok &= ~self._in("gender", filters.exclude_gender)
        # NaN compares False, so items without a price fail any price bound (as in violations).
        if filters.price_min is not None:
            ok &= self._price >= filters.price_min
        if filters.price_max is not None:
            ok &= self._price <= filters.price_max
        if filters.size:
            ok &= self._size(filters.size)
        for pid in filters.exclude_ids or ():
            i = self.index.get(str(pid))
            if i is not None:
                ok[i] = False
        return ok


class Retriever:
    """Search over the live catalog build.

    Args:
        settings: store location, collection name and retrieval weights.
        embedder: the text embedder (shared with ingestion; loaded lazily).
        client: a Chroma client (defaults to one built from ``settings``).
    """

    refresh_seconds = 5.0

    def __init__(self, settings: Settings, embedder: Embedder | None = None, client: Any = None) -> None:
        from vectorstore.client import Embedder, connect, store_errors

        self.settings = settings
        self.embedder = embedder or Embedder(
            settings.resolved_embedding_model(), settings.embedding_batch_size, threads=settings.query_threads
        )
        with store_errors():  # a Chroma server down at start: StoreUnavailable, naming it
            self.client = client if client is not None else connect(settings)
        self._snapshot: _Snapshot | None = None
        self._parser: QueryParser | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    # -- the live build ---------------------------------------------------------

    def snapshot(self) -> _Snapshot:
        """The live build, reloaded when ingestion switched to a new one."""
        from vectorstore.client import live_build, store_errors

        with self._lock:
            now = time.monotonic()
            if self._snapshot is None or now - self._checked > self.refresh_seconds:
                self._checked = now
                try:
                    with store_errors():  # StoreUnavailable when the Chroma server does not answer
                        build = live_build(self.client, self.settings.collection)
                except Exception as exc:  # noqa: BLE001 - a Chroma server down: keep answering from memory
                    if self._snapshot is None:
                        raise
                    log.warning("the catalog store is unreachable (%s); searching the build in memory",
                                type(exc).__name__)  # fmt: skip
                    return self._snapshot
                if build is None:
                    raise StoreEmpty(
                        f"the catalog collection {self.settings.collection!r} is empty: run `stylist ingest`"
                    )
                if self._snapshot is None or self._snapshot.build != build:
                    with store_errors():
                        collection = self.client.get_collection(build, embedding_function=None)
                        self._snapshot = _Snapshot(build, collection, self.settings)
                    self._parser = QueryParser.from_values(
                        self._snapshot.values,
                        currency=self.settings.currency,
                        fx_rates=self.settings.fx_rates,
                        known_words=_known_words(self.settings),
                    )
            return self._snapshot

    @property
    def parser(self) -> QueryParser:
        self.snapshot()
        assert self._parser is not None
        return self._parser

    def parse(self, query: str) -> ParsedQuery:
        return self.parser.parse(query)

    def count_by(self, field: str, filters: Filters) -> dict[str, int]:
        """How many items meeting ``filters`` have each value of ``field`` ("gender": {"Men": 858, ...})."""
        snap = self.snapshot()
        vocabulary, codes = snap._codes[field]
        counts = np.bincount(codes[snap.mask(filters)], minlength=len(vocabulary))
        return {str(v): int(counts[c]) for v, c in vocabulary.items() if v is not None and counts[c]}

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
        snap = self.snapshot()
        vector: list[float] | None = None
        mask = snap.mask(active)
        if active.size and not mask.any():
            # "track pants, L": track pants come in waist sizes, so a letter size says nothing of them.
            loose = snap.mask(active.without("size"))
            sizes = snap.sizes_in(loose)
            one_size = (
                bool(active.article_type)
                and active.size != "One Size"
                and not (snap.sizes_in(snap.mask(Filters(article_type=active.article_type))) - {"One Size"})
            )  # a watch for a 9-year-old: watches come in one size, at any price
            if one_size:
                parsed.notes.append(
                    f"sized otherwise: these come in one size, so size {active.size} does not apply"
                )
                active, mask = active.without("size"), loose
            elif not sizes and loose.any():
                active, mask = active.without("size"), loose
            elif sizes and size_system(active.size) not in {size_system(s) for s in sizes}:
                parsed.notes.append(
                    f"sized otherwise: size {active.size} is not how these are sized ({_size_range(sizes)}), "
                    "so I kept every size"
                )
                active, mask = active.without("size"), loose
        items: list[Item] = []
        if mask.any():  # no store round trip (nor embedding) when nothing can match
            vector = self._embed(query)
            items = self._ranked(snap, query, vector, active, mask, k)
        result = SearchResult(query=query, filters=active, items=items, notes=list(parsed.notes))
        if not items and relax:
            from itertools import combinations

            # The nearest relaxation: give up the least important constraints first. A set of
            # them ranks by its most important member, then by size: a rain jacket in yellow for
            # work in the monsoon drops season, occasion and colour before it drops rain jackets.
            present = [name for name in RELAX_ORDER if getattr(active, name) not in (None, [])]
            drops = [c for size in (1, 2, 3) for c in combinations(present, size)]
            drops.sort(key=lambda c: (max(present.index(n) for n in c), len(c)))
            for names in drops:
                relaxed_filters = active.without(*names)
                if "article_type" in names and not (active.category or active.subcategory):
                    # "mojari for men" when there are none: other footwear, not any item at all
                    kinds = set(active.article_type or ())
                    cats = sorted(
                        {str(m.get("category")) for m in snap.metas if m.get("article_type") in kinds}
                    )
                    relaxed_filters = relaxed_filters.model_copy(update={"category": cats or None})
                relaxed_mask = snap.mask(relaxed_filters)
                if not relaxed_mask.any():
                    continue
                vector = vector or self._embed(query)
                if "price_max" in names:
                    # Over the budget: of the relevant ones, those nearest to it (not a 14,299 watch
                    # for "under 1500" when there is one at 1,599).
                    pool = self._ranked(snap, query, vector, relaxed_filters, relaxed_mask, 20 * k)
                    relaxed = sorted(pool, key=lambda i: i.price)[:k]
                else:
                    relaxed = self._ranked(snap, query, vector, relaxed_filters, relaxed_mask, k)
                if relaxed:
                    result.relaxation = Relaxation(dropped=" and ".join(names), items=relaxed)
                    break
        return result

    def _embed(self, query: str) -> list[float]:
        return [float(x) for x in self.embedder.encode([query])[0]]

    def _dense(
        self, snap: _Snapshot, vector: list[float], filters: Filters, mask: np.ndarray, n: int
    ) -> list[str]:
        """Ids of the ``n`` nearest items that satisfy ``filters``, nearest first."""
        if snap.dense is not None:
            # In memory (stylist.vector_index): a 13k x 384 exact product takes about a
            # millisecond, while Chroma's metadata pre-filter took 30-100 ms per query here
            # (it grows with the number of matching items).
            rows = snap.dense.nearest(np.asarray(vector, dtype=np.float32), mask, n)
            return [snap.ids[i] for i in rows.tolist()]
        from vectorstore.client import store_errors

        # exclude_ids has no Chroma where clause; asking for that many more keeps n usable.
        with store_errors():
            dense = snap.collection.query(
                query_embeddings=[vector],
                n_results=n + len(filters.exclude_ids or ()),
                where=filters.where(),
                include=["distances"],
            )
        return list(dense["ids"][0])

    def _ranked(
        self, snap: _Snapshot, query: str, vector: list[float], filters: Filters, mask: np.ndarray, k: int
    ) -> list[Item]:
        """Fuse the filtered dense and lexical rankings; ``mask`` is ``snap.mask(filters)``."""
        n_dense = max(self.settings.dense_candidates, 2 * k)
        dense_ids = self._dense(snap, vector, filters, mask, n_dense)
        # Lexical candidates: BM25 over every document, restricted by the same constraints.
        n_lex = max(self.settings.lexical_candidates, 2 * k)
        scores = np.where(mask, snap.bm25.scores(query), 0.0)
        hits = np.flatnonzero(scores > 0)
        if len(hits) > n_lex:
            hits = hits[np.argpartition(-scores[hits], n_lex - 1)[:n_lex]]
        # Stable order: score descending, then catalog order for ties.
        hits = hits[np.lexsort((hits, -scores[hits]))]
        lex_ids = [snap.ids[i] for i in hits.tolist()]
        fused: dict[str, float] = defaultdict(float)
        for rank, pid in enumerate(dense_ids):
            fused[pid] += 1.0 / (RRF_K + rank + 1)
        for rank, pid in enumerate(lex_ids):
            fused[pid] += self.settings.lexical_weight / (RRF_K + rank + 1)
        best = (1.0 + self.settings.lexical_weight) / (RRF_K + 1)
        items: list[Item] = []
        for pid, score in sorted(fused.items(), key=lambda kv: (-kv[1], kv[0])):
            i = snap.index.get(pid)
            if i is None or not mask[i] or filters.violations(snap.metas[i]):
                continue  # belt and braces: never return an item that breaks a constraint
            items.append(Item.from_metadata(pid, snap.metas[i], score / best))
            if len(items) == k:
                break
        return items
