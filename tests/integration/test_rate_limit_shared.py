"""The rate limit shared by app workers through a real PostgreSQL server (``pgserver``), and failing open."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pgserver
import pytest

from stylist.limits import RateLimiter, SharedRateLimiter, rate_limiter
from stylist.settings import Settings


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = pgserver.get_server(tmp_path_factory.mktemp("pg-limit"), cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def test_two_workers_share_one_bucket_per_client(postgres_url):
    workers = [SharedRateLimiter(postgres_url, per_minute=60, burst=3) for _ in range(2)]
    try:
        # Alternating workers, one client: the burst of 3 is spent across both, then refused.
        waits = [workers[i % 2].acquire("203.0.113.7") for i in range(4)]
        assert waits[:3] == [0.0, 0.0, 0.0]
        assert 0.0 < waits[3] <= 1.05  # one token a second at 60/minute
        assert workers[1].acquire("198.51.100.1") == 0.0  # another client has its own bucket
        time.sleep(1.1)
        assert workers[0].acquire("203.0.113.7") == 0.0  # refilled on the database's clock
    finally:
        for w in workers:
            w.close()


def test_the_app_picks_the_shared_limit_with_postgres_and_memory_otherwise(postgres_url, tmp_path):
    shared = rate_limiter(Settings(data_dir=tmp_path, checkpoint_db=postgres_url))
    assert isinstance(shared, SharedRateLimiter)
    shared.close()
    assert isinstance(rate_limiter(Settings(data_dir=tmp_path)), RateLimiter)


def test_an_unreachable_database_lets_requests_through(tmp_path):
    from stylist.net import free_port

    limiter = SharedRateLimiter(f"postgresql://nobody@127.0.0.1:{free_port()}/x", per_minute=1, burst=1)
    started = time.monotonic()
    assert [limiter.acquire("c") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert time.monotonic() - started < 30
