"""The demand log: what shoppers asked for, parsed, with how many catalog items matched.

One row per chat turn, written by a :class:`~stylist.agent.service.Stylist` observer
(:meth:`DemandLog.observe`). A row holds the parsed request only (article type, colour,
usage, gender, season, budget band, size), the number of catalog items matching it, the
outcome, the answer kind and the latency: never the message text, the thread or the shopper.
Rows older than ``demand_retention_days`` are deleted (at most once an hour, on write).

The store is a SQLite file by default and PostgreSQL when ``demand_url`` is a ``postgresql://``
URL (the same SQL runs on both; days and weeks are stored as ``YYYY-MM-DD`` text so grouping
needs no date functions).
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stylist.agent.service import TurnRecord
    from stylist.settings import Settings

#: The attributes a request is filed under (the API's ``attributes`` keys), in display order.
ATTRIBUTES = ("article_type", "colour", "usage", "gender", "budget_band", "size")
#: Outcomes that are requests for items (the demand), as opposed to trend questions, refusals...
SEARCH_OUTCOMES = ("products", "no_match")
_COLUMNS = (
    "created", "day", "week", "article_type", "colour", "usage", "gender", "season", "budget_band",
    "size", "outcome", "answer_kind", "matching_items", "products_shown", "latency_ms", "relaxed",
)  # fmt: skip
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS demand_log (
        id             {pk},
        created        DOUBLE PRECISION NOT NULL,
        day            TEXT NOT NULL,
        week           TEXT NOT NULL,
        article_type   TEXT,
        colour         TEXT,
        usage          TEXT,
        gender         TEXT,
        season         TEXT,
        budget_band    TEXT,
        size           TEXT,
        outcome        TEXT NOT NULL,
        answer_kind    TEXT NOT NULL,
        matching_items INTEGER,
        products_shown INTEGER NOT NULL,
        latency_ms     DOUBLE PRECISION NOT NULL,
        relaxed        TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS demand_log_created ON demand_log (created)",
)
#: Seconds between two retention purges.
PURGE_EVERY_S = 3600.0


def budget_band(price_min: float | None, price_max: float | None, edges: Sequence[float]) -> str | None:
    """The band a budget falls in: "under 500", "500-1000", ..., "5000+"; None without a budget.

    The ceiling decides (a range "around 2000" is filed by its top); a floor alone ("from 3000")
    is filed by the floor.
    """
    amount = price_max if price_max is not None else price_min
    if amount is None:
        return None
    edges = sorted(float(e) for e in edges)
    if not edges:
        return "any"
    if amount <= edges[0]:
        return f"under {edges[0]:g}"
    for low, high in zip(edges, edges[1:], strict=False):
        if amount <= high:
            return f"{low:g}-{high:g}"
    return f"{edges[-1]:g}+"


def _joined(values: Any) -> str | None:
    if values in (None, [], ""):
        return None
    if isinstance(values, str):
        return values
    return " or ".join(sorted(str(v) for v in values))


def demand_row(record: TurnRecord, edges: Sequence[float]) -> dict[str, Any]:
    """The row the log keeps for one turn: the parsed request and how it went, nothing else."""
    c = record.constraints
    when = datetime.fromtimestamp(record.created, UTC).date()
    return {
        "created": float(record.created),
        "day": when.isoformat(),
        "week": (when - timedelta(days=when.weekday())).isoformat(),
        "article_type": _joined(c.get("article_type")),
        "colour": _joined(c.get("colour")),
        "usage": _joined(c.get("usage")),
        "gender": _joined(c.get("gender")),
        "season": _joined(c.get("season")),
        "budget_band": budget_band(c.get("price_min"), c.get("price_max"), edges),
        "size": _joined(c.get("size")),
        "outcome": record.outcome,
        "answer_kind": record.answer_kind,
        "matching_items": record.matching_items,
        "products_shown": len(record.product_ids),
        "latency_ms": round(record.latency_s * 1000, 1),
        "relaxed": record.relaxed,
    }


def label(attributes: dict[str, Any]) -> str:
    """A request in words: "Navy Blue Blazers for Men, size XL, 1000-2000"."""
    what = " ".join(v for v in (attributes.get("colour"), attributes.get("usage")) if v)
    item = attributes.get("article_type") or "anything"
    text = f"{what} {item}".strip() if what else item
    if attributes.get("gender"):
        text += f" for {attributes['gender']}"
    if attributes.get("size"):
        text += f", size {attributes['size']}"
    if attributes.get("budget_band"):
        text += f", {attributes['budget_band']}"
    return text


class _Database:
    """One door to the log's database: SQLite (a file, one connection, a lock) or PostgreSQL (a pool)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith(("postgresql://", "postgres://"))
        self._lock = threading.Lock()
        if self.postgres:
            from psycopg_pool import ConnectionPool

            self._pool = ConnectionPool(url, min_size=1, max_size=4, kwargs={"autocommit": True}, open=False)
            try:
                self._pool.open(wait=True, timeout=10)
            except Exception as exc:
                self._pool.close()
                from stylist.agent.checkpoint import redact

                raise RuntimeError(f"cannot reach the demand log database {redact(url)}: {exc}") from exc
        else:
            from pathlib import Path

            if url != ":memory:":
                Path(url).parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(url, check_same_thread=False, timeout=10, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
        pk = "BIGSERIAL PRIMARY KEY" if self.postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
        for statement in _SCHEMA:
            self.execute(statement.format(pk=pk))

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        if self.postgres:
            with self._pool.connection() as conn, conn.cursor() as cur:
                yield cur
        else:
            with self._lock:
                cur = self._conn.cursor()
                try:
                    yield cur
                finally:
                    cur.close()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._cursor() as cur:
            cur.execute(self._sql(sql), tuple(params))
            return cur.rowcount

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._cursor() as cur:
            if not self.postgres:
                cur.execute("BEGIN")
            cur.executemany(self._sql(sql), list(rows))
            if not self.postgres:
                cur.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._cursor() as cur:
            cur.execute(self._sql(sql), tuple(params))
            return list(cur.fetchall())

    def close(self) -> None:
        if self.postgres:
            self._pool.close()
        else:
            self._conn.close()


class DemandLog:
    """The demand log: written by :meth:`observe` (a Stylist observer), read by the console and reports.

    Args:
        url: a SQLite path (``:memory:`` for none on disk) or a ``postgresql://`` URL.
        retention_days: rows older than this are deleted.
        budget_edges: upper edges of the budget bands (see :func:`budget_band`).
    """

    def __init__(
        self, url: str, *, retention_days: int = 400, budget_edges: Sequence[float] = (500, 1000, 2000, 5000)
    ) -> None:
        self.url = url
        self.retention_days = retention_days
        self.budget_edges = list(budget_edges)
        self._purged = 0.0
        self._db: _Database | None = None
        self._open = threading.Lock()

    @property
    def db(self) -> _Database:
        """The database, opened (and its table created) on first use."""
        with self._open:
            if self._db is None:
                self._db = _Database(self.url)
            return self._db

    @classmethod
    def from_settings(cls, settings: Settings) -> DemandLog:
        return cls(
            settings.demand_url,
            retention_days=settings.demand_retention_days,
            budget_edges=settings.demand_budget_bands,
        )

    # -- writing ------------------------------------------------------------------------------

    def observe(self, record: TurnRecord) -> None:
        """Log one turn (a :class:`~stylist.agent.service.Stylist` observer)."""
        self.add([demand_row(record, self.budget_edges)])

    def add(self, rows: Iterable[dict[str, Any]]) -> None:
        """Append rows (as :func:`demand_row` makes them); purges expired rows at most hourly."""
        sql = f"INSERT INTO demand_log ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
        self.db.executemany(sql, ([row.get(c) for c in _COLUMNS] for row in rows))
        if time.time() - self._purged > PURGE_EVERY_S:
            self.purge()

    def purge(self, now: float | None = None) -> int:
        """Delete rows older than the retention; returns how many."""
        now = time.time() if now is None else now
        self._purged = now
        return self.db.execute(
            "DELETE FROM demand_log WHERE created < ?", (now - self.retention_days * 86400,)
        )

    # -- reading ------------------------------------------------------------------------------

    @staticmethod
    def _since(days: float, now: float | None) -> float:
        return (time.time() if now is None else now) - days * 86400

    def count(self) -> int:
        return int(self.db.query("SELECT COUNT(*) FROM demand_log")[0][0])

    def demand(
        self, days: float = 7, *, now: float | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Requests for items in the last ``days``, grouped by their attributes, most requested first.

        Each entry: ``{"attributes": {article_type, colour, usage, gender, budget_band, size},
        "requests": N, "matching_items": N}``; ``matching_items`` is the most catalog items any of
        these requests matched (0: the shop had nothing for any of them).
        """
        keys = ", ".join(ATTRIBUTES)
        # Ties in the same order on SQLite and PostgreSQL (they sort NULLs at opposite ends).
        ties = ", ".join(f"COALESCE({a}, '')" for a in ATTRIBUTES)
        rows = self.db.query(
            f"SELECT {keys}, COUNT(*), MAX(matching_items) FROM demand_log "
            "WHERE created >= ? AND outcome IN ('products', 'no_match') "
            f"GROUP BY {keys} ORDER BY COUNT(*) DESC, COALESCE(MAX(matching_items), 0) ASC, {ties}"
            + (f" LIMIT {int(limit)}" if limit else ""),
            (self._since(days, now),),
        )
        return [
            {
                "attributes": dict(zip(ATTRIBUTES, row[: len(ATTRIBUTES)], strict=True)),
                "requests": int(row[len(ATTRIBUTES)]),
                "matching_items": int(row[len(ATTRIBUTES) + 1] or 0),
            }
            for row in rows
        ]

    def gaps(
        self, days: float = 7, *, now: float | None = None, max_items: int = 3, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Demand the catalog barely serves: requested groups matching at most ``max_items`` items."""
        return [d for d in self.demand(days, now=now) if d["matching_items"] <= max_items][:limit]

    def weekly(
        self,
        kind: str,
        *,
        weeks: int = 104,
        now: float | None = None,
        gender: bool = True,
    ) -> dict[str, dict[str, int]]:
        """Weekly request counts per value of one attribute: ``{series name: {week: requests}}``.

        Series are named like the shop's own series (:mod:`stylist.trends.named`):
        ``"Men/article_type=Blazers"`` (``gender=False``: ``"article_type=Blazers"``).
        """
        if kind not in ("article_type", "colour", "usage"):
            raise ValueError(f"unknown attribute {kind!r}: article_type, colour or usage")
        rows = self.db.query(
            f"SELECT week, gender, {kind}, COUNT(*) FROM demand_log "
            f"WHERE created >= ? AND outcome IN ('products', 'no_match') AND {kind} IS NOT NULL "
            f"GROUP BY week, gender, {kind}",
            (self._since(weeks * 7, now),),
        )
        out: dict[str, dict[str, int]] = {}
        for week, who, value, n in rows:
            name = f"{who}/{kind}={value}" if gender and who else f"{kind}={value}"
            series = out.setdefault(name, {})
            series[week] = series.get(week, 0) + int(n)
        return out

    def analytics(self, days: float = 7, *, now: float | None = None, top: int = 10) -> dict[str, Any]:
        """Conversation analytics over the last ``days``: requests per day, outcomes, latency, top searches."""
        since = self._since(days, now)
        per_day = self.db.query(
            "SELECT day, COUNT(*), SUM(CASE WHEN outcome = 'no_match' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN outcome = 'products' THEN 1 ELSE 0 END) FROM demand_log "
            "WHERE created >= ? GROUP BY day ORDER BY day",
            (since,),
        )
        outcomes = dict(
            self.db.query(
                "SELECT outcome, COUNT(*) FROM demand_log WHERE created >= ? GROUP BY outcome", (since,)
            )
        )
        kinds = dict(
            self.db.query(
                "SELECT answer_kind, COUNT(*) FROM demand_log WHERE created >= ? GROUP BY answer_kind",
                (since,),
            )
        )
        latencies = sorted(
            r[0] for r in self.db.query("SELECT latency_ms FROM demand_log WHERE created >= ?", (since,))
        )
        turns = sum(int(v) for v in outcomes.values())
        searches = int(outcomes.get("products", 0)) + int(outcomes.get("no_match", 0))
        return {
            "days": days,
            "turns": turns,
            "requests_per_day": [
                {"day": d, "turns": int(n), "no_match": int(nm or 0), "with_products": int(wp or 0)}
                for d, n, nm, wp in per_day
            ],
            "outcomes": {k: int(v) for k, v in outcomes.items()},
            "answer_kinds": {k: int(v) for k, v in kinds.items()},
            "no_match_rate": round(int(outcomes.get("no_match", 0)) / searches, 4) if searches else None,
            "answers_with_products": round(int(outcomes.get("products", 0)) / turns, 4) if turns else None,
            "latency_ms": {"p50": _quantile(latencies, 0.5), "p95": _quantile(latencies, 0.95)},
            "top_searches": [
                {"label": label(d["attributes"]), **d} for d in self.demand(days, now=now, limit=top)
            ],
        }

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _quantile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile of sorted ``values`` (nearest rank); None when empty."""
    if not values:
        return None
    index = min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))
    return round(float(values[index]), 1)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week (the log's weeks start on Mondays)."""
    return day - timedelta(days=day.weekday())


def demand_trends(log: DemandLog, *, weeks: int = 156, min_requests: int = 20) -> tuple[list[Any], list[str]]:
    """The log's weekly requests per article type, colour and usage (by gender) as named series
    (``stylist.trends.named.weekly_trends``), ready for the trend forecaster; notes on what was left out."""
    from stylist.trends.named import weekly_trends

    counts: dict[str, dict[str, int]] = {}
    for kind in ("article_type", "colour", "usage"):
        counts.update(log.weekly(kind, weeks=weeks))
    if not counts:
        return [], ["demand log: no requests yet"]
    found, notes = weekly_trends(counts, min_requests=min_requests)
    return found, [f"demand log: {n}" for n in notes]
