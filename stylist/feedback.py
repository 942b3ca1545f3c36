"""Thumbs up/down from shoppers, stored with the turn they judged (a SQLite file under data_dir)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created     REAL    NOT NULL,
    thread_id   TEXT    NOT NULL,
    turn        INTEGER NOT NULL,
    message     TEXT    NOT NULL,
    answer      TEXT    NOT NULL,
    product_ids TEXT    NOT NULL,
    liked       INTEGER NOT NULL,
    UNIQUE (thread_id, turn)
)
"""


class FeedbackStore:
    """Stores one judgement per turn; a later click on the same turn replaces it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def record(
        self,
        *,
        thread_id: str,
        turn: int,
        message: str,
        answer: str,
        product_ids: list[str],
        liked: bool | None,
    ) -> None:
        """Save (or replace) the judgement of one turn; ``liked=None`` removes it (the shopper un-clicked)."""
        with self._lock, self._connect() as db:
            if liked is None:
                db.execute("DELETE FROM feedback WHERE thread_id = ? AND turn = ?", (thread_id, turn))
                return
            db.execute(
                "INSERT INTO feedback (created, thread_id, turn, message, answer, product_ids, liked) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (thread_id, turn) DO UPDATE SET created = excluded.created, liked = excluded.liked",
                (time.time(), thread_id, turn, message, answer, json.dumps(product_ids), int(liked)),
            )

    def all(self) -> list[dict[str, Any]]:
        """Every stored judgement, oldest first."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        return [
            {**dict(r), "liked": bool(r["liked"]), "product_ids": json.loads(r["product_ids"])} for r in rows
        ]

    def delete_threads(self, thread_ids: list[str]) -> int:
        """Delete the judgements given in these conversations (a shopper asked to be forgotten)."""
        with self._lock, self._connect() as db:
            return sum(
                db.execute("DELETE FROM feedback WHERE thread_id = ?", (t,)).rowcount for t in thread_ids
            )
