"""Loading the shop's data into the store: the catalog (text and photos) and the trend forecasts.

These are the library functions behind ``stylist ingest`` and ``stylist trends update``;
the app's first-run preparation, the benchmarks and the tests call them directly.
The storage layer (:mod:`vectorstore`) knows no model: the text and photo embedders
are chosen here (or passed in).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stylist.errors import DiskFull

if TYPE_CHECKING:
    from stylist.catalog import Product, RowError
    from stylist.settings import Settings
    from vectorstore.client import Embedder
    from vectorstore.images import PhotoEmbedder
    from vectorstore.ingest import IngestReport


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class CatalogIngestion:
    """What :func:`ingest_catalog` did."""

    catalog: Path  #: the catalog file that was read (a sample folder is converted first)
    text: IngestReport  #: the catalog collection
    photos: IngestReport | None  #: the photo collection; None when there is no image model
    rejected: list[RowError] = field(default_factory=list)  #: rows left out, with the reason
    notes: list[str] = field(default_factory=list)  #: e.g. why photos were not indexed

    def to_dict(self) -> dict[str, Any]:
        """The summary ``stylist ingest`` prints."""
        photos = self.photos
        return {
            "catalog": str(self.catalog),
            "items": self.text.total,
            "embedded": self.text.embedded,
            "copied": self.text.copied,
            "removed": self.text.removed,
            "rejected_rows": len(self.rejected),
            "build": self.text.build,
            "seconds": round(self.text.seconds, 2),
            "images": None
            if photos is None
            else {
                "photos": photos.total,
                "embedded": photos.embedded,
                "build": photos.build,
                "seconds": round(photos.seconds, 2),
            },
        }


def load_products(
    settings: Settings, catalog: Path | None = None, *, strict: bool = False
) -> tuple[Path, list[Product], list[RowError]]:
    """Read the catalog (default: ``settings.catalog_path``), converting a sample folder first.

    Returns:
        The catalog file, its valid products, and the rows that were rejected.

    Raises:
        stylist.catalog.CatalogError: the catalog cannot be used at all (or, with
            ``strict``, has any bad row).
    """
    from stylist.catalog import load_catalog, resolve_catalog

    path, convert_errors = resolve_catalog(catalog or settings.catalog_path, settings.data_dir)
    result = load_catalog(path, currency=settings.currency, strict=strict)
    return path, result.products, convert_errors + result.errors


def ingest_catalog(
    settings: Settings,
    catalog: Path | None = None,
    *,
    strict: bool = False,
    progress: bool = True,
    log: Callable[[str], None] = _stderr,
    embedder: Embedder | None = None,
    photo_embedder: PhotoEmbedder | None = None,
) -> CatalogIngestion:
    """Make the store hold the catalog: its text collection, then its photo collection.

    Incremental and crash-safe (see :mod:`vectorstore.ingest`): unchanged items are
    kept, and the live collections stay intact if anything fails.

    Args:
        settings: the store, the collections and the models.
        catalog: a catalog file or sample folder (default: ``settings.catalog_path``).
        strict: reject the whole file if any row is bad.
        progress: show progress bars while embedding.
        log: where rejected rows, the plan and notes are reported.
        embedder: the text embedder (default: the configured sentence model).
        photo_embedder: the image model for the photos (default: the configured one);
            without one the photos are not indexed and a note says why.

    Raises:
        stylist.catalog.CatalogError: the catalog cannot be used (nothing is written).
    """
    from vectorstore.ingest import ingest

    path, products, rejected = load_products(settings, catalog, strict=strict)
    for error in rejected:
        log(f"rejected: {error}")
    if rejected:
        log(f"{len(rejected)} problem(s) reported; {len(products)} valid rows kept")
    try:
        text = ingest(products, settings, embedder=embedder, progress=progress, log=log)
        photos, notes = ingest_photos(products, settings, embedder=photo_embedder, progress=progress, log=log)
    except Exception as exc:
        if (full := disk_full(settings)) is not None:
            raise full from exc
        raise
    return CatalogIngestion(path, text, photos, rejected, notes)


def disk_full(settings: Settings, min_free: int = 16 * 2**20) -> DiskFull | None:
    """A :class:`DiskFull` naming the folder when the store's disk has (almost) no room left, else None.

    Chroma reports a full disk in its own words ("Error in compaction: Failed to apply logs");
    the free space says what happened.
    """
    import shutil

    folder = settings.data_dir if settings.chroma_url is None else None
    if folder is None:
        return None  # a Chroma server: its disk is not ours to measure
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free >= min_free:
        return None
    return DiskFull(
        f"the disk holding {folder} is full ({free / 2**20:.1f} MB free): the ingestion stopped and the "
        "catalog that was live before is unchanged. Free some space and run `stylist ingest` again."
    )


def ingest_photos(
    products: Sequence[Product],
    settings: Settings,
    *,
    embedder: PhotoEmbedder | None = None,
    progress: bool = True,
    log: Callable[[str], None] = _stderr,
) -> tuple[IngestReport | None, list[str]]:
    """The photo collection after the text one; skipped with a note when there is no image model."""
    from stylist.vision.backends import WeightsMissing
    from vectorstore.images import ingest_images

    if embedder is None:
        from stylist.vision.service import ImageService

        embedder = ImageService(settings)
    try:
        return ingest_images(products, settings, embedder=embedder, progress=progress, log=log), []
    except WeightsMissing as exc:
        note = f"image search not indexed: {exc}"
        log(f"note: {note}")
        return None, [note]


def update_trend_forecasts(
    settings: Settings,
    *,
    catalog: Path | None = None,
    use_catalog: bool = True,
    series: Path | None = None,
    signal: Path | None = None,
    embedder: Embedder | None = None,
    demand: bool = True,
) -> dict[str, Any]:
    """Forecast the named trends and write one summary per trend into the trend collection.

    Args:
        settings: the store and the defaults (``trends_series``, ``trends_signal``).
        catalog: the catalog to derive named trends from (default: the configured one).
        use_catalog: False forecasts only the shop's own series.
        series: a shop's own series CSV (default: ``settings.trends_series``).
        signal: a weak signal aligned with ``series`` (default: ``settings.trends_signal``).
        embedder: the text embedder of the summaries (default: the configured one).
        demand: also forecast the demand log's weekly requests per article type, colour and usage
            (by gender), when it holds enough weeks (see :func:`stylist.admin.demand.demand_trends`).

    Returns:
        The report ``stylist trends update`` prints, with its ``notes``.

    Raises:
        stylist.catalog.CatalogError: the catalog cannot be read.
        stylist.trends.data.TrendDataError: an input cannot be used (nothing is written then).
    """
    from stylist.trends.service import update_trends

    extra, notes = [], []
    if demand:
        from stylist.admin.demand import DemandLog, demand_trends

        extra, notes = demand_trends(DemandLog.from_settings(settings))
    report = update_trends(
        settings,
        products=load_products(settings, catalog)[1] if use_catalog else None,
        series_path=series or settings.trends_series,
        signal_path=signal or settings.trends_signal,
        embedder=embedder,
        extra=extra,
    )
    report["notes"] = notes + report["notes"]
    return report
