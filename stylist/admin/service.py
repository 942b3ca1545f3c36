"""What the console, the admin API and the report read: one :class:`Admin` per app (or command).

It holds the demand log (and subscribes it to the stylist's turns), the stored trend forecasts,
the feedback store's path and a way to the live catalog's metadata.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from stylist.admin.analytics import thumbs_by_answer_type
from stylist.admin.demand import DemandLog, label
from stylist.admin.trends import TrendReader, filter_rows, movers, outlook

if TYPE_CHECKING:
    from stylist.settings import Settings

log = logging.getLogger(__name__)


class Admin:
    """The merchandiser's data.

    Args:
        settings: the configuration (demand log, trend collection, feedback file).
        catalog: returns the live catalog's metadata (one dict per item; ``[]`` when not ready).
        demand: the demand log (default: the configured one).
    """

    def __init__(
        self,
        settings: Settings,
        catalog: Callable[[], Sequence[Mapping[str, Any]]] | None = None,
        demand: DemandLog | None = None,
    ) -> None:
        self.settings = settings
        self.demand = demand or DemandLog.from_settings(settings)
        self._catalog = catalog or (lambda: [])
        self._trends = TrendReader(settings)

    def attach(self, stylist: Any) -> Any:
        """Subscribe the demand log to ``stylist``'s turns (once); returns ``stylist``."""
        observers = getattr(stylist, "observers", None)
        if observers is not None and self.demand.observe not in observers:
            observers.append(self.demand.observe)
        return stylist

    def catalog(self) -> Sequence[Mapping[str, Any]]:
        try:
            return self._catalog()
        except Exception:  # noqa: BLE001 - the console still shows what it can without the catalog
            log.exception("the catalog could not be read for the console")
            return []

    def trends(self, **filters: str | None) -> list[dict[str, Any]]:
        """Stored forecasts as staff rows (see :func:`stylist.admin.trends.trend_row`), largest change first."""
        return filter_rows(self._trends.rows(), **filters)

    def trends_build(self) -> str | None:
        """The stored trends' build, looked up now: what is drawn from the trends may be kept until it changes."""
        self._trends.rows()
        return self._trends.build

    def movers(self, n: int = 10, **filters: str | None) -> dict[str, list[dict[str, Any]]]:
        return movers(self.trends(**filters), n)

    def outlook(self, **filters: str | None) -> list[dict[str, Any]]:
        return outlook(self.trends(**filters), self.catalog())

    def gaps(self, days: float = 7, max_items: int = 3) -> list[dict[str, Any]]:
        return [{"label": label(g["attributes"]), **g} for g in self.demand.gaps(days, max_items=max_items)]

    def analytics(self, days: float = 7) -> dict[str, Any]:
        data = self.demand.analytics(days)
        data["thumbs"] = thumbs_by_answer_type(self.settings.feedback_path, days)
        return data


def runtime_catalog(runtime: Any) -> Sequence[Mapping[str, Any]]:
    """The live catalog's metadata from a ``StylistRuntime``'s stylist; ``[]`` until it is ready."""
    if runtime.state != "ready":
        return []
    retriever = getattr(runtime.get(), "retriever", None)
    return retriever.snapshot().metas if retriever is not None else []
