"""The personal stylist through the real app (issue 16): a returning shopper over HTTP, on the real
on-disk catalog store and real SQLite files, and forgetting them checked in every table of every
database the app keeps; the profile store on a real PostgreSQL server (from the ``pgserver`` wheel).

The chat model is scripted: which products are shown does not depend on its words.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stylist.agent import Stylist
from stylist.api import create_app
from stylist.feedback import FeedbackStore
from stylist.personal.store import MIGRATIONS, SHOPPER_TABLES, ProfileStore, profile_db
from stylist.retrieval import Retriever
from stylist.settings import Settings
from tests.fakes import scripted


@pytest.fixture(scope="module")
def retriever(store_settings: Settings, embedder) -> Retriever:
    return Retriever(store_settings, embedder=embedder)


def rows_mentioning(db_file: Path, needles: list[str]) -> list[str]:
    """Every row of every table in ``db_file`` that contains one of ``needles`` (text or bytes)."""
    found = []
    db = sqlite3.connect(db_file)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for row in db.execute(f'SELECT * FROM "{table}"'):
            blob = b" ".join(v if isinstance(v, bytes) else str(v).encode() for v in row)
            if any(n.encode() in blob for n in needles):
                found.append(f"{db_file.name}:{table}")
    db.close()
    return found


def test_a_returning_shopper_over_http_then_forgotten_everywhere(retriever: Retriever, tmp_path: Path):
    data = tmp_path / "app-data"
    settings = retriever.settings.model_copy(
        update={"data_dir": data, "checkpoint_db": "", "personal_db": ""}
    )
    model = scripted(*["Here are some ideas."] * 6)
    stylist = Stylist(settings, model, retriever)
    with TestClient(create_app(settings, stylist, ui=False)) as c:
        first = c.post(
            "/api/chat", json={"message": "size M, no yellow", "shopper_id": "shopper-ret-1"}
        ).json()
        assert first["answer"].startswith("Noted: size M, no yellow.")

        reply = c.post("/api/chat", json={"message": "t-shirts for me", "shopper_id": "shopper-ret-1"}).json()

        products = reply["products"]
        assert products, reply["answer"]
        assert all(p["article_type"] == "Tshirts" for p in products)
        assert all(p["colour"] != "Yellow" for p in products)
        assert all(p["sizes"].get("M", 0) > 0 for p in products), [p["sizes"] for p in products]
        assert reply["answer"].splitlines()[1] == (
            "From what you told me before: in your size M, skipping yellow, as you asked."
        )
        # The same words without an id: today's stylist (no size, nothing remembered).
        stranger = c.post("/api/chat", json={"message": "t-shirts for me"}).json()
        assert "From what you told me" not in stranger["answer"]

        click = {"shopper_id": "shopper-ret-1", "kind": "click", "product_id": products[0]["id"],
                 "thread_id": reply["thread_id"]}  # fmt: skip
        assert c.post("/api/events", json=click).status_code == 202
        FeedbackStore(settings.feedback_path).record(
            thread_id=reply["thread_id"], turn=1, message="t-shirts for me", answer=reply["answer"],
            product_ids=[p["id"] for p in products], liked=True,
        )  # fmt: skip
        profile = c.get("/api/shoppers/shopper-ret-1/profile").json()
        assert profile["sizes"] == {"clothing": "M"} and profile["dislikes"] == {
            "colours": ["Yellow"],
            "by_kind": {},
        }
        assert profile["signals"] == {"click": 1} and profile["conversations"] == 2

        needles = ["shopper-ret-1", first["thread_id"], reply["thread_id"]]
        databases = sorted(data.glob("*.sqlite"))
        assert {"personal.sqlite", "threads.sqlite", "feedback.sqlite"} <= {d.name for d in databases}
        assert rows_mentioning(data / "threads.sqlite", needles)  # the check can see what it looks for

        assert c.delete("/api/shoppers/shopper-ret-1").json() == {"deleted": True, "conversations": 2}

        for database in sorted(data.glob("*.sqlite")):
            assert rows_mentioning(database, needles) == [], database
        assert c.get("/api/shoppers/shopper-ret-1/profile").json()["known"] is False
    # The stranger's conversation is still there.
    assert rows_mentioning(data / "threads.sqlite", [stranger["thread_id"]])


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import pgserver

    server = pgserver.get_server(tmp_path_factory.mktemp("pg-personal"), cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def test_profiles_live_in_postgres_shared_by_workers_and_migrate_once(postgres_url: str):
    import psycopg

    assert profile_db(Settings(checkpoint_db=postgres_url)) == postgres_url  # shared with the conversations
    first, second = ProfileStore(postgres_url), ProfileStore(postgres_url)  # two workers start
    first.save_facts("ana", {"sizes": {"clothing": "M"}, "dislikes": ["Yellow"]})
    second.add_signal("ana", "add_to_cart", 3.0, "1163", "t-ana")
    second.link_thread("ana", "t-ana")
    first.add_signal("bo", "click", 1.0, "1164")

    assert second.facts("ana")["dislikes"] == ["Yellow"] and first.signals("ana") == [
        ("1163", "add_to_cart", 3.0)
    ]
    newer = [*MIGRATIONS, (2, ["ALTER TABLE shopper_signals ADD COLUMN source TEXT"])]
    assert ProfileStore(postgres_url, migrations=newer).version == 2
    assert ProfileStore(postgres_url, migrations=newer).version == 2  # applied once

    assert first.forget("ana") == ["t-ana"]
    with psycopg.connect(postgres_url) as db:
        for table in SHOPPER_TABLES:
            assert db.execute(f"SELECT count(*) FROM {table} WHERE shopper_id = 'ana'").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM shopper_signals WHERE shopper_id = 'bo'").fetchone()[0] == 1
        assert db.execute("SELECT array_agg(version ORDER BY version) FROM personal_schema").fetchone()[
            0
        ] == [1, 2]
    for store in (first, second):
        store.close()
