"""What the agent calls: trend-forecast summaries and the classifier with trend status.

``TrendService(settings)`` is cheap; the embedding model, the classifier heads and
the Chroma client load on first use.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stylist.catalog import Product
    from stylist.settings import Settings
    from stylist.trends.answer import TrendRequest
    from stylist.trends.classifier import TextClassifier
    from stylist.trends.named import NamedSeries
    from vectorstore.client import Embedder

#: Heads whose top label is looked up among the named trends, most specific first.
TREND_KINDS = ("article_type", "colour", "usage")
NO_TRENDS_NOTE = "no trend forecasts yet; run `stylist trends update`"


def forecast_view(summary: str, meta: dict[str, Any]) -> dict[str, Any]:
    """The dict the agent gets for one stored trend forecast.

    ``summary`` is in shopper words (:func:`stylist.trends.answer.summary_text`, also for
    collections written before summaries were); ``label`` names it ("men's brown shoes,
    summer"); ``reading`` is what the answer says: rising, steady, fading or unclear.
    The analytic detail (shares, periods) stays in ``metadata``.
    """
    from stylist.trends.answer import reading, summary_text
    from stylist.trends.named import item_words

    season = str(meta.get("season") or "").lower()
    view = {
        "trend": meta.get("trend", ""),
        "label": item_words(meta, whose=True) + (f", {season}" if season else ""),
        "summary": summary_text(meta) if "status" in meta else summary,
        "status": meta.get("status", "steady"),
        "change": float(meta.get("change", 0.0)),
        "interval": [float(meta.get("interval_lo", 0.0)), float(meta.get("interval_hi", 0.0))],
        "metadata": meta,
        "chart": meta.get("chart", "") if meta.get("chart") and Path(meta["chart"]).is_file() else "",
    }
    view["reading"] = reading(view)
    return view


class _OnceEmbedder:
    """Embeds each text once: the fallback lookups of one question reuse its vector."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._seen: dict[str, list[float]] = {}

    def embed(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in texts if t not in self._seen]
        if missing:
            self._seen.update(zip(missing, self._embedder.embed(missing), strict=True))
        return [self._seen[t] for t in texts]


class TrendService:
    """Trend forecasts from the trend collection and the fashion-text classifier."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        classifier: TextClassifier | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._classifier = classifier
        self._lock = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                from vectorstore.client import Embedder

                self._embedder = Embedder(
                    self.settings.resolved_embedding_model(), self.settings.embedding_batch_size
                )
            return self._embedder

    @property
    def classifier(self) -> TextClassifier:
        embedder = self.embedder
        with self._lock:
            if self._classifier is None:
                from stylist.trends.classifier import TextClassifier

                self._classifier = TextClassifier.load(self.settings.resolved_classifier_dir(), embedder)
            return self._classifier

    # --- forecasts -------------------------------------------------------------
    def forecasts(
        self,
        query: str,
        k: int = 3,
        where: dict[str, Any] | None = None,
        *,
        gender: str | Sequence[str] | None = None,
        season: str | Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """The ``k`` trend summaries nearest to ``query``; [] before any update.

        Args:
            where: a Chroma metadata filter.
            gender, season: only trends for these (a list means any of them).
        """
        from stylist.query import chroma_where as all_of
        from stylist.trends.answer import field_filter
        from stylist.trends.store import query_trends

        where = all_of(where, field_filter("gender", gender), field_filter("season", season))
        return [
            forecast_view(s, m) for s, m, _ in query_trends(self.settings, self.embedder, query, k, where)
        ]

    def lookup(self, query: str, request: TrendRequest, k: int = 3) -> list[dict[str, Any]]:
        """Forecasts for a shopper's trend question (:func:`stylist.trends.answer.trend_request`).

        The shop's own series first (see :data:`~stylist.trends.answer.OWN_FILTER`), then the
        catalog's: the season and gender asked, the item asked first; when the season has no forecast,
        the all-season ones, then the nearest seasons (the answer says so). A broad question
        ("what's in for men?") looks at up to :data:`~stylist.trends.answer.BROAD_K` trends so
        the answer can pick the clearest. The query is embedded once.
        """
        from stylist.query import chroma_where as all_of
        from stylist.trends.answer import BROAD_K, OWN_FILTER, lookup_filters, pick_season
        from stylist.trends.store import query_trends

        embedder = _OnceEmbedder(self.embedder)

        def nearest(n: int, where: dict[str, Any] | None) -> list[dict[str, Any]]:
            found = query_trends(self.settings, embedder, query, n, where)  # type: ignore[arg-type]
            return [forecast_view(s, m) for s, m, _ in found]

        for where, broad in lookup_filters(request):
            n = max(k, BROAD_K) if broad else k
            # The shop's own series (its sales, its shoppers' requests) first, whatever the season.
            own = nearest(n, all_of(where, OWN_FILTER))
            if own:
                return own
            # The season asked; else every season's, the nearest season first (two queries at most).
            found = nearest(n, all_of(where, season=request.season))
            found = found or pick_season(request.season, nearest(4 * n, where))[:n]
            if found:
                return found
        return []

    # --- classification ----------------------------------------------------------
    def classify(self, text: str) -> dict[str, Any]:
        """Taxonomy labels with probabilities and the trend status of what ``text`` describes."""
        return self.classify_many([text])[0]

    def classify_many(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        """:meth:`classify` for many texts with one model load and one embedding batch."""
        predictions = self.classifier.predict(list(texts))
        return [{"attributes": p, "trend": self.trend_for(p)} for p in predictions]

    def trend_for(self, attributes: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        """Combine the stored forecasts of the predicted article type, colour and usage.

        The change is the mean of the matching trends' changes weighted by the label
        probabilities; confidence is the weighted mean probability times the weighted
        share of matching trends that agree with the combined status.
        """
        from stylist.query import chroma_where
        from stylist.trends.forecast import trend_status
        from stylist.trends.store import get_trends

        def top(head: str) -> dict[str, Any]:
            return (attributes.get(head) or [{"label": "", "p": 0.0}])[0]

        gender, season = top("gender"), top("season")
        article = top("article_type")
        category = self.classifier.info.get("article_category", {}).get(article["label"], "")
        components = []
        for kind in TREND_KINDS:
            label = top(kind)
            if not label["label"]:
                continue
            conditions = {"source": "catalog", "gender": gender["label"], "category": category,
                          "kind": kind, "value": label["label"]}  # fmt: skip
            # A condition whose label is unknown ("") does not constrain.
            found = get_trends(self.settings, chroma_where({k: v for k, v in conditions.items() if v}))
            if not found:
                continue
            # The predicted season's trend when there is one; else every season's, averaged.
            same = [(s, m) for s, m in found if m.get("season") == season["label"]] or found
            change = sum(float(m["change"]) for _, m in same) / len(same)
            lo = sum(float(m["interval_lo"]) for _, m in same) / len(same)
            hi = sum(float(m["interval_hi"]) for _, m in same) / len(same)
            components.append({
                "kind": kind, "label": label["label"], "p": label["p"], "trend": same[0][1].get("trend", ""),
                "status": trend_status(change, self.settings.trends_band), "change": round(change, 4),
                "interval": [round(lo, 4), round(hi, 4)], "summary": same[0][0],
                "chart": forecast_view(*same[0])["chart"],
            })  # fmt: skip
        if not components:
            exists = (
                bool(get_trends(self.settings, {"source": "catalog"})) if self._has_collection() else False
            )
            return {
                "status": "unknown", "change": None, "confidence": 0.0, "trend": "", "interval": None,
                "components": [], "note": "no stored trend matches this description" if exists else NO_TRENDS_NOTE,
            }  # fmt: skip
        total = sum(c["p"] for c in components) or 1.0
        change = sum(c["p"] * c["change"] for c in components) / total
        status = trend_status(change, self.settings.trends_band)
        agree = sum(c["p"] for c in components if c["status"] == status) / total
        return {
            "status": status,
            "change": round(change, 4),
            "confidence": round(total / len(components) * agree, 3),
            "trend": components[0]["trend"],
            "interval": [
                round(sum(c["p"] * c["interval"][i] for c in components) / total, 4) for i in (0, 1)
            ],
            "components": components,
        }

    def _has_collection(self) -> bool:
        from vectorstore.client import connect, live_build

        return live_build(connect(self.settings), self.settings.trends_collection) is not None


def update_trends(
    settings: Settings,
    *,
    products: Sequence[Product] | None,
    series_path: Path | None = None,
    signal_path: Path | None = None,
    embedder: Embedder | None = None,
    extra: Sequence[NamedSeries] = (),
) -> dict[str, Any]:
    """Forecast the catalog-derived and the shop's own trends; write their summaries.

    ``extra``: more named series to forecast with them (the demand log's weekly requests).

    Raises:
        TrendDataError: an input cannot be used (nothing is written then).
    """
    from stylist.trends.data import TrendDataError
    from stylist.trends.named import catalog_trends, shop_trends
    from stylist.trends.store import write_trends
    from stylist.trends.update import forecast_record
    from vectorstore.client import Embedder

    start = time.perf_counter()
    items, notes = [], []
    if products is not None:
        found, skipped = catalog_trends(products)
        items += found
        notes += skipped
    if series_path is not None:
        found, skipped = shop_trends(series_path, signal_path)
        items += found
        notes += skipped
    items += list(extra)
    if not items:
        raise TrendDataError("nothing to forecast: give a catalog or a series file")
    records = [forecast_record(item, settings.trends_band) for item in items]
    embedder = embedder or Embedder(settings.resolved_embedding_model(), settings.embedding_batch_size)
    build = write_trends(records, settings, embedder)
    return {
        "trends": len(records),
        "by_source": dict(Counter(r.metadata["source"] for r in records)),
        "by_status": dict(Counter(r.metadata["status"] for r in records)),
        "build": build,
        "seconds": round(time.perf_counter() - start, 1),
        "notes": notes,
    }
