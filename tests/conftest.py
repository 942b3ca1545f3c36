"""Shared fixtures: every test runs with its own data folder; stores live under tmp paths."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from stylist.settings import SAMPLE_DATA_DIR, Settings  # noqa: E402

SAMPLE_CATALOG = SAMPLE_DATA_DIR / "catalog"
#: Rows of the sample catalog used by the shared test store (every ~9th row + fixed picks).
SUBSET_STEP = 9


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point STYLIST_DATA_DIR at a fresh folder so no test touches the user's data."""
    data = tmp_path / "stylist-data"
    monkeypatch.setenv("STYLIST_DATA_DIR", str(data))
    for name in ("STYLIST_CHROMA_URL", "STYLIST_LLM_URL", "STYLIST_COLLECTION"):
        monkeypatch.delenv(name, raising=False)
    return data


@pytest.fixture(scope="session")
def sample_jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample catalog converted into the schema (all 13k rows)."""
    from stylist.catalog import convert_sample

    out = tmp_path_factory.mktemp("catalog") / "sample.jsonl"
    convert_sample(SAMPLE_CATALOG, out)
    return out


@pytest.fixture(scope="session")
def subset_jsonl(sample_jsonl: Path) -> Path:
    """About 1,500 sample products: enough variety for retrieval tests, quick to embed."""
    lines = sample_jsonl.read_text(encoding="utf-8").splitlines()
    keep = [line for i, line in enumerate(lines) if i % SUBSET_STEP == 0]
    out = sample_jsonl.parent / "subset.jsonl"
    out.write_text("\n".join(keep) + "\n", encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def embedder():
    """One embedding model for the whole session."""
    from vectorstore.client import Embedder

    return Embedder(Settings().resolved_embedding_model())


@pytest.fixture(scope="session")
def store_settings(tmp_path_factory: pytest.TempPathFactory, subset_jsonl: Path, embedder) -> Settings:
    """Settings of an embedded on-disk store holding the subset (built once per session)."""
    from stylist.catalog import load_catalog
    from vectorstore import ingest

    settings = Settings(data_dir=tmp_path_factory.mktemp("store"))
    ingest(load_catalog(subset_jsonl).products, settings, embedder=embedder, progress=False)
    return settings


@pytest.fixture(scope="session")
def subset_products(subset_jsonl: Path) -> list[dict]:
    return [json.loads(line) for line in subset_jsonl.read_text(encoding="utf-8").splitlines()]
