"""Where shopper profiles live: SQLite by default, PostgreSQL when several workers share them.

Three tables hold everything kept about a shopper, and :meth:`ProfileStore.forget` empties all
three for one shopper in one transaction:

- ``shopper_profiles``: the facts read from what the shopper said (JSON: sizes, dislikes, ...);
- ``shopper_signals``: clicks, "more like this", add-to-cart hand-offs and thumbs, one row each
  (``shopper_id`` is NULL for events sent without one: counted, tied to no one);
- ``shopper_threads``: the conversations a shopper had, so forgetting them deletes those too.

``personal_schema`` records the schema version; :data:`MIGRATIONS` lists every change in order
and a store opened on an older database applies the missing ones (under a lock, so two workers
starting at once apply each change once).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stylist.settings import Settings

#: Schema changes in order: (version, statements). ``{id}`` is the auto-increment key column and
#: ``{real}`` a double-precision float in each dialect. Never edit a released entry; append one.
MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        1,
        [
            "CREATE TABLE shopper_profiles (shopper_id TEXT PRIMARY KEY, facts TEXT NOT NULL, "
            "created {real} NOT NULL, updated {real} NOT NULL)",
            "CREATE TABLE shopper_signals (id {id}, shopper_id TEXT, product_id TEXT, kind TEXT NOT NULL, "
            "weight {real} NOT NULL, thread_id TEXT, size TEXT, created {real} NOT NULL)",
            "CREATE INDEX shopper_signals_shopper ON shopper_signals (shopper_id, id)",
            "CREATE TABLE shopper_threads (shopper_id TEXT NOT NULL, thread_id TEXT NOT NULL, "
            "created {real} NOT NULL, PRIMARY KEY (shopper_id, thread_id))",
        ],
    ),
]
#: The tables that hold data about shoppers (every one is emptied by :meth:`ProfileStore.forget`).
SHOPPER_TABLES = ("shopper_profiles", "shopper_signals", "shopper_threads")


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def profile_db(settings: Settings) -> str:
    """The profile database: ``personal_db``, else checkpoint_db's Postgres, else a SQLite file."""
    if settings.personal_db:
        return settings.personal_db
    if is_postgres(settings.checkpoint_db):
        return settings.checkpoint_db
    return str(settings.data_dir / "personal.sqlite")


class ProfileStore:
    """Shopper facts, signals and threads in SQLite (a path) or PostgreSQL (a URL).

    Args:
        url: a SQLite file path, ``:memory:``, or a ``postgresql://`` URL.
        migrations: the schema changes to apply (tests pass a longer list to try a migration).
        pool_size: connections kept to Postgres.
    """

    def __init__(
        self, url: str, migrations: Sequence[tuple[int, list[str]]] = MIGRATIONS, pool_size: int = 4
    ) -> None:
        self.url = url
        self.postgres = is_postgres(url)
        self._lock = threading.Lock()
        self._pool: Any = None
        self._memory: sqlite3.Connection | None = None
        if self.postgres:
            from psycopg_pool import ConnectionPool

            self._pool = ConnectionPool(url, max_size=pool_size, kwargs={"autocommit": False}, open=False)
            try:
                self._pool.open(wait=True, timeout=10)
            except Exception as exc:  # noqa: BLE001 - one clear line instead of a pool traceback
                self._pool.close()
                from stylist.agent.checkpoint import redact

                raise RuntimeError(f"cannot reach the profile database {redact(url)}: {exc}") from exc
        elif url == ":memory:":
            self._memory = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            Path(url).parent.mkdir(parents=True, exist_ok=True)
        self.version = self._migrate(list(migrations))

    # -- connections -----------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        """One transaction; yields an object with ``run(sql, params)`` (``?`` placeholders)."""
        if self.postgres:
            with self._pool.connection() as conn, conn.transaction():
                yield _Cursor(conn, postgres=True)
            return
        with self._lock:
            conn = self._memory or sqlite3.connect(self.url, timeout=10)
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield _Cursor(conn, postgres=False)
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            finally:
                if conn is not self._memory:
                    conn.close()

    def _migrate(self, migrations: list[tuple[int, list[str]]]) -> int:
        id_col = "BIGSERIAL PRIMARY KEY" if self.postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
        real = "DOUBLE PRECISION" if self.postgres else "REAL"
        with self._tx() as db:
            if self.postgres:
                db.run("SELECT pg_advisory_xact_lock(16016)")  # one worker migrates at a time
            db.run("CREATE TABLE IF NOT EXISTS personal_schema (version INTEGER NOT NULL)")
            row = db.run("SELECT MAX(version) FROM personal_schema").fetchone()
            version = int(row[0] or 0)
            for number, statements in sorted(migrations):
                if number <= version:
                    continue
                for sql in statements:
                    db.run(sql.format(id=id_col, real=real))
                db.run("INSERT INTO personal_schema (version) VALUES (?)", (number,))
                version = number
        return version

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        if self._memory is not None:
            self._memory.close()

    # -- facts ------------------------------------------------------------------------

    def facts(self, shopper_id: str) -> dict[str, Any]:
        """The shopper's stored facts (empty for a stranger)."""
        with self._tx() as db:
            row = db.run("SELECT facts FROM shopper_profiles WHERE shopper_id = ?", (shopper_id,)).fetchone()
        return json.loads(row[0]) if row else {}

    def save_facts(self, shopper_id: str, facts: dict[str, Any]) -> None:
        now = time.time()
        with self._tx() as db:
            db.run(
                "INSERT INTO shopper_profiles (shopper_id, facts, created, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (shopper_id) DO UPDATE SET facts = excluded.facts, updated = excluded.updated",
                (shopper_id, json.dumps(facts, sort_keys=True), now, now),
            )

    # -- signals ----------------------------------------------------------------------

    def add_signal(
        self,
        shopper_id: str | None,
        kind: str,
        weight: float,
        product_id: str | None = None,
        thread_id: str | None = None,
        size: str | None = None,
    ) -> None:
        with self._tx() as db:
            db.run(
                "INSERT INTO shopper_signals (shopper_id, product_id, kind, weight, thread_id, size, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (shopper_id, product_id, kind, float(weight), thread_id, size, time.time()),
            )

    def add_signals(self, rows: Sequence[tuple[str | None, str | None, str, float]]) -> None:
        """Many signals at once: ``(shopper_id, product_id, kind, weight)`` rows (benchmarks, imports)."""
        now = time.time()
        with self._tx() as db:
            db.many(
                "INSERT INTO shopper_signals (shopper_id, product_id, kind, weight, created) VALUES (?, ?, ?, ?, ?)",
                [(s, p, k, float(w), now) for s, p, k, w in rows],
            )

    def signals(self, shopper_id: str, limit: int = 500) -> list[tuple[str, str, float]]:
        """The shopper's latest signals, newest first: ``(product_id, kind, weight)``."""
        with self._tx() as db:
            rows = db.run(
                "SELECT product_id, kind, weight FROM shopper_signals WHERE shopper_id = ? "
                "ORDER BY id DESC LIMIT ?",
                (shopper_id, limit),
            ).fetchall()
        return [(str(p) if p is not None else "", str(k), float(w)) for p, k, w in rows]

    def signal_counts(self, shopper_id: str) -> dict[str, int]:
        with self._tx() as db:
            rows = db.run(
                "SELECT kind, COUNT(*) FROM shopper_signals WHERE shopper_id = ? GROUP BY kind", (shopper_id,)
            ).fetchall()
        return {str(k): int(n) for k, n in rows}

    def training_signals(self) -> list[tuple[str, str, float]]:
        """Every signal tied to a shopper and a product: ``(shopper_id, product_id, weight)``."""
        with self._tx() as db:
            rows = db.run(
                "SELECT shopper_id, product_id, weight FROM shopper_signals "
                "WHERE shopper_id IS NOT NULL AND product_id IS NOT NULL"
            ).fetchall()
        return [(str(s), str(p), float(w)) for s, p, w in rows]

    def signal_total(self) -> int:
        """How many signals are stored (the background trainer retrains when this grew)."""
        with self._tx() as db:
            return int(db.run("SELECT COUNT(*) FROM shopper_signals").fetchone()[0])

    # -- threads and forgetting ---------------------------------------------------------

    def link_thread(self, shopper_id: str, thread_id: str) -> None:
        with self._tx() as db:
            db.run(
                "INSERT INTO shopper_threads (shopper_id, thread_id, created) VALUES (?, ?, ?) "
                "ON CONFLICT (shopper_id, thread_id) DO NOTHING",
                (shopper_id, thread_id, time.time()),
            )

    def threads(self, shopper_id: str) -> list[str]:
        with self._tx() as db:
            rows = db.run(
                "SELECT thread_id FROM shopper_threads WHERE shopper_id = ? ORDER BY created", (shopper_id,)
            ).fetchall()
        return [str(r[0]) for r in rows]

    def known(self, shopper_id: str) -> bool:
        """Whether anything at all is kept about the shopper."""
        with self._tx() as db:
            return any(
                db.run(f"SELECT 1 FROM {table} WHERE shopper_id = ? LIMIT 1", (shopper_id,)).fetchone()
                for table in SHOPPER_TABLES
            )

    def forget(self, shopper_id: str) -> list[str]:
        """Delete everything kept about the shopper; returns their thread ids (whose conversations
        the caller deletes from the conversation store)."""
        with self._tx() as db:
            rows = db.run(
                "SELECT thread_id FROM shopper_threads WHERE shopper_id = ?", (shopper_id,)
            ).fetchall()
            # Signals sent in the shopper's threads without the id are theirs too.
            threads = [str(r[0]) for r in rows]
            for table in SHOPPER_TABLES:
                db.run(f"DELETE FROM {table} WHERE shopper_id = ?", (shopper_id,))
            for thread_id in threads:
                db.run("DELETE FROM shopper_signals WHERE thread_id = ?", (thread_id,))
        return threads


class _Cursor:
    """``run``/``many`` with ``?`` placeholders on a SQLite or psycopg connection."""

    def __init__(self, conn: Any, postgres: bool) -> None:
        self.conn = conn
        self.postgres = postgres

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    def run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self._sql(sql), tuple(params))

    def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if self.postgres:
            with self.conn.cursor() as cur:
                cur.executemany(self._sql(sql), rows)
        else:
            self.conn.executemany(sql, rows)
