"""The demand log on a real PostgreSQL server (run from the ``pgserver`` wheel in a temporary folder).

The same turns go into a SQLite log and a PostgreSQL log: every reading (demand, gaps, weekly series,
analytics) must agree between the two and with counts made here from the turns themselves. A chat
turn of the real agent (scripted model, on-disk store) lands in PostgreSQL when the conversation
database is PostgreSQL, and nothing identifying the shopper is kept there.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pgserver
import psycopg
import pytest

from stylist.admin.demand import ATTRIBUTES, DemandLog, demand_row
from stylist.admin.service import Admin
from stylist.agent import Stylist
from stylist.agent.service import TurnRecord
from stylist.retrieval import Retriever
from tests.fakes import scripted

NOW = 1_767_225_600.0  # 2026-01-01 00:00 UTC
DAY = 86400.0
EDGES = [500, 1000, 2000, 5000]


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = pgserver.get_server(tmp_path_factory.mktemp("pg-demand"), cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def turns(n: int, seed: int = 7) -> list[TurnRecord]:
    """``n`` turns over the 60 days before NOW, with missing attributes, budgets, sizes and every outcome."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        outcome = rng.choice(["products"] * 5 + ["no_match"] * 2 + ["trend", "clarify", "refusal", "error"])
        constraints: dict = {}
        if outcome in ("products", "no_match"):
            constraints["article_type"] = [rng.choice(["Kurtas", "Blazers", "Heels"])]
            constraints["gender"] = [rng.choice(["Men", "Women"])]
            if rng.random() < 0.5:
                constraints["colour"] = [rng.choice(["Navy Blue", "Purple"])]
            if rng.random() < 0.3:
                constraints["size"] = rng.choice(["XL", "9"])
            if rng.random() < 0.4:
                constraints["price_max"] = float(rng.choice([400, 1500, 6000]))
        out.append(TurnRecord(
            constraints=constraints, matching_items=0 if outcome == "no_match" else rng.randint(0, 6),
            outcome=outcome, answer_kind="search", latency_s=rng.uniform(0.2, 9.0), thread_id="t",
            product_ids=["p"] if outcome == "products" else [], created=NOW - rng.uniform(0, 60) * DAY,
        ))  # fmt: skip
    return out


@pytest.fixture(scope="module")
def logs(
    postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DemandLog, DemandLog]]:
    sqlite = DemandLog(str(tmp_path_factory.mktemp("demand") / "demand.sqlite"), retention_days=100_000)
    postgres = DemandLog(postgres_url, retention_days=100_000)
    rows = [demand_row(t, EDGES) for t in turns(600)]
    for log in (sqlite, postgres):
        log.add(rows[:250])
        for row in rows[250:]:  # one row at a time too, as the observer writes
            log.add([row])
    yield sqlite, postgres
    sqlite.close()
    postgres.close()


def test_postgres_answers_every_reading_as_sqlite_does(logs):
    sqlite, postgres = logs
    assert postgres.count() == sqlite.count() == 600
    for days in (7, 30, 90):
        assert postgres.demand(days, now=NOW) == sqlite.demand(days, now=NOW)
        assert postgres.gaps(days, now=NOW) == sqlite.gaps(days, now=NOW)
        assert postgres.analytics(days, now=NOW) == sqlite.analytics(days, now=NOW)
    for kind in ("article_type", "colour", "usage"):
        assert postgres.weekly(kind, now=NOW) == sqlite.weekly(kind, now=NOW)


def test_postgres_counts_match_the_turns_themselves(logs):
    _, postgres = logs
    since = NOW - 30 * DAY
    wanted = [t for t in turns(600) if t.created >= since and t.outcome in ("products", "no_match")]
    expected: Counter = Counter()
    most: dict = {}
    for t in wanted:
        row = demand_row(t, EDGES)
        key = tuple(row[a] for a in ATTRIBUTES)
        expected[key] += 1
        most[key] = max(most.get(key, 0), t.matching_items or 0)

    demand = postgres.demand(30, now=NOW)
    assert {tuple(d["attributes"][a] for a in ATTRIBUTES): d["requests"] for d in demand} == dict(expected)
    assert all(d["matching_items"] == most[tuple(d["attributes"][a] for a in ATTRIBUTES)] for d in demand)
    assert [d["requests"] for d in demand] == sorted((d["requests"] for d in demand), reverse=True)

    weekly = postgres.weekly("article_type", now=NOW, weeks=5)
    by_week: Counter = Counter()
    for t in turns(600):
        when = datetime.fromtimestamp(t.created, UTC).date()
        if t.outcome in ("products", "no_match") and t.created >= NOW - 35 * DAY:
            name = f"{t.constraints['gender'][0]}/article_type={t.constraints['article_type'][0]}"
            by_week[(name, (when - timedelta(days=when.weekday())).isoformat())] += 1
    assert {(name, week): n for name, series in weekly.items() for week, n in series.items()} == dict(by_week)

    analytics = postgres.analytics(30, now=NOW)
    recent = [t for t in turns(600) if t.created >= since]
    assert analytics["turns"] == len(recent)
    assert analytics["outcomes"] == dict(Counter(t.outcome for t in recent))


def test_retention_deletes_expired_rows_on_postgres(postgres_url: str):
    log = DemandLog(postgres_url, retention_days=30)
    try:
        log.db.execute("DELETE FROM demand_log")
        now = time.time()
        old, fresh = turns(2, seed=3)
        old.created, fresh.created = now - 31 * DAY, now - 29 * DAY
        log.add([demand_row(old, EDGES), demand_row(fresh, EDGES)])
        assert log.count() == 1  # the write purged the expired row
        assert log.purge(now=now + 2 * DAY) == 1
        assert log.count() == 0
    finally:
        log.close()


def test_a_chat_turn_lands_in_postgres_without_anything_that_identifies_the_shopper(
    store_settings, embedder, postgres_url
):
    settings = store_settings.model_copy(update={"checkpoint_db": postgres_url, "demand_db": None})
    assert settings.demand_url == postgres_url  # the conversation database's server keeps the log too
    admin = Admin(settings)
    try:
        admin.demand.db.execute("DELETE FROM demand_log")
        stylist = admin.attach(Stylist(settings, scripted("Sorry."), Retriever(settings, embedder=embedder)))
        stylist.respond(
            "purple heels for men in size 9", thread_id="thread-secret", shopper_id="shopper-secret"
        )

        with psycopg.connect(postgres_url) as db:
            rows = db.execute(
                "SELECT article_type, colour, gender, size, outcome, matching_items FROM demand_log"
            ).fetchall()
            columns = {r[0] for r in db.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'demand_log'"
            )}  # fmt: skip
            stored = db.execute("SELECT * FROM demand_log").fetchall()
        assert rows == [("Heels", "Purple", "Men", "9", "no_match", 0)]
        assert not columns & {"thread_id", "shopper_id", "message", "text"}
        assert "secret" not in repr(stored)
        assert admin.gaps(7)[0]["label"] == "Purple Heels for Men, size 9"
    finally:
        admin.demand.close()


def test_an_unreachable_server_is_one_clear_error_without_the_password():
    log = DemandLog("postgresql://shop:secret@127.0.0.1:1/stylist")
    with pytest.raises(RuntimeError, match="cannot reach the demand log database") as caught:
        log.count()
    assert "secret" not in str(caught.value)
