"""Where conversations are kept: the LangGraph checkpointer (SQLite, memory or PostgreSQL)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from stylist.settings import Settings


def checkpointer(settings: Settings) -> Any:
    """The LangGraph checkpointer that keeps conversations.

    A SQLite file by default (one host); a ``postgresql://`` URL shares the conversations
    between app workers behind a load balancer, so a follow-up may land on any worker.
    """
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.checkpoint.sqlite import SqliteSaver

    if settings.checkpoint_db == ":memory:":
        return InMemorySaver()
    if settings.checkpoint_db.startswith(("postgresql://", "postgres://")):
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool

        pool = ConnectionPool(
            settings.checkpoint_db,
            max_size=settings.checkpoint_pool_size,
            kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
            # A connection is checked before each use: after the server restarts, the pool's dead
            # connections are replaced at once instead of failing one turn each.
            check=ConnectionPool.check_connection,
            open=False,
        )
        try:
            pool.open(wait=True, timeout=10)
        except Exception as exc:  # noqa: BLE001 - one clear line instead of a pool traceback
            pool.close()
            raise RuntimeError(
                f"cannot reach the conversation database {redact(settings.checkpoint_db)}: {exc}"
            ) from exc
        saver = PostgresSaver(pool)
        saver.setup()  # creates or migrates its tables; safe to run from every worker
        return saver
    path = settings.checkpoint_db or str(settings.data_dir / "threads.sqlite")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteSaver(sqlite3.connect(path, check_same_thread=False))


def redact(url: str) -> str:
    """A database URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
