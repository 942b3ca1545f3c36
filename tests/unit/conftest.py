"""The unit tier: no model, no vector store built from the sample, no ``../shared``; runs in seconds.

Tests that need the real embedding model, a store of the sample catalog or a real server belong in
``tests/integration``; a unit test asking for one of those fixtures is refused at collection.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.tiny_catalog import write_tiny_catalog

#: Fixtures of tests/conftest.py that load the real model, embed the sample or start a server.
HEAVY_FIXTURES = {
    "sample_jsonl",
    "subset_jsonl",
    "subset_products",
    "embedder",
    "store_settings",
    "memo_embedder",
    "chroma_server",
    "server_store_settings",
    "any_store",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if not item.path.is_relative_to(here):
            continue
        heavy = HEAVY_FIXTURES & set(getattr(item, "fixturenames", ()))
        if heavy:
            raise pytest.UsageError(
                f"{item.nodeid} is a unit test but uses {sorted(heavy)} (real model, sample store or "
                "server): move it to tests/integration or use the tiny catalog and a fake"
            )


@pytest.fixture(scope="session")
def tiny_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dozen products in the sample format (``styles.csv`` + ``images/``): see tests/tiny_catalog.py."""
    return write_tiny_catalog(tmp_path_factory.mktemp("tiny") / "catalog")


@pytest.fixture(scope="session")
def tiny_products(tiny_catalog: Path) -> list[dict]:
    """The tiny catalog converted into the schema (dicts as in a JSONL catalog; absolute photo paths)."""
    from stylist.catalog import convert_sample

    out = tiny_catalog.parent / "tiny.jsonl"
    convert_sample(tiny_catalog, out)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
