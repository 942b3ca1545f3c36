"""Conversation memory in a real Postgres server, shared by two app workers (STYLIST_CHECKPOINT_DB).

The server is PostgreSQL itself, run from the ``pgserver`` wheel in a temporary folder; the
workers are two :class:`Stylist` objects, each with its own connection pool, as two processes
behind a load balancer would have. The chat model is scripted: this is about where the thread
lives, not what the model says.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator

import pgserver
import psycopg
import pytest

from stylist.agent import Stylist, checkpointer
from stylist.retrieval import Retriever
from stylist.settings import Settings
from tests.fakes import scripted


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


@pytest.fixture(scope="module")
def retriever(store_settings: Settings, embedder) -> Retriever:
    return Retriever(store_settings, embedder=embedder)


def worker(retriever: Retriever, url: str, *answers: str) -> Stylist:
    settings = retriever.settings.model_copy(update={"checkpoint_db": url})
    return Stylist(settings, scripted(*answers), retriever)


def test_a_follow_up_on_another_worker_refines_the_first_workers_request(retriever, postgres_url):
    first = worker(retriever, postgres_url, "Here are some tees.").respond(
        "tshirts for women under 1500", thread_id="shared-1"
    )
    median = statistics.median(p.price for p in first.products)

    cheaper = worker(retriever, postgres_url, "Cheaper ones.").respond("cheaper", thread_id="shared-1")

    assert cheaper.products
    assert all(p.gender == "Women" and p.article_type == "Tshirts" for p in cheaper.products)
    assert all(p.price < median for p in cheaper.products)
    with psycopg.connect(postgres_url) as db:  # the thread lives in Postgres, not in a local file
        rows = db.execute("select count(*) from checkpoints where thread_id = 'shared-1'").fetchone()
    assert rows[0] >= 2


def test_threads_outlive_the_worker_and_stay_apart(retriever, postgres_url):
    worker(retriever, postgres_url, "Shirts.").respond("shirts for men", thread_id="shared-2")
    worker(retriever, postgres_url, "Heels.").respond("heels for women", thread_id="shared-3")

    again = worker(retriever, postgres_url, "In black.").respond("in black", thread_id="shared-2")

    assert again.products
    assert all(
        p.article_type == "Shirts" and p.gender == "Men" and p.colour == "Black" for p in again.products
    )


def test_an_unreachable_database_is_one_clear_error_without_the_password():
    settings = Settings(checkpoint_db="postgresql://shop:secret@127.0.0.1:1/stylist")

    with pytest.raises(RuntimeError, match="cannot reach the conversation database") as caught:
        checkpointer(settings)
    assert "secret" not in str(caught.value) and "shop:***@" in str(caught.value)
