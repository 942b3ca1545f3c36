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


INTEGRATION_DIR = Path(__file__).parent / "integration"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Everything under tests/integration uses real components: mark it ``integration``."""
    for item in items:
        if item.path.is_relative_to(INTEGRATION_DIR):
            item.add_marker(pytest.mark.integration)


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


class MemoEmbedder:
    """The real embedder with a memo, so the same document is embedded once per session.

    The server-mode store is filled with the documents the embedded store already
    embedded; the memo (seeded from that store) spares a second minute of embedding.
    Texts it has not seen go to the real model.
    """

    def __init__(self, embedder) -> None:
        self.inner = embedder
        self.memo: dict[str, list[float]] = {}
        self.computed = 0

    def seed(self, collection) -> None:
        page = collection.get(include=["documents", "embeddings"])
        for doc, vector in zip(page["documents"], page["embeddings"], strict=True):
            self.memo[doc] = [float(x) for x in vector]

    def embed(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if missing:
            self.computed += len(missing)
            self.memo.update(zip(missing, self.inner.embed(missing), strict=True))
        return [self.memo[t] for t in texts]

    def encode(self, texts: list[str]):
        import numpy as np

        return np.asarray(self.embed(texts), dtype=np.float32)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    """A real Chroma server (`chroma run`) on a free loopback port; yields its URL."""
    import subprocess
    import sys
    import time
    import urllib.request

    from stylist.net import free_port

    exe = Path(sys.executable).parent / "chroma"
    if not exe.is_file():
        pytest.fail(f"the chroma server script is missing beside {sys.executable}")
    port = free_port()
    folder = tmp_path_factory.mktemp("chroma-server")
    log = (folder.parent / "chroma-server.log").open("wb")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(folder / "data"), "--port", str(port), "--host", "127.0.0.1"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"chroma server did not start; see {log.name}")
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def memo_embedder(embedder, store_settings: Settings) -> MemoEmbedder:
    from vectorstore.client import active_collection, connect

    memo = MemoEmbedder(embedder)
    memo.seed(active_collection(connect(store_settings), store_settings.collection))
    return memo


@pytest.fixture(scope="session")
def server_store_settings(
    tmp_path_factory: pytest.TempPathFactory, chroma_server: str, subset_jsonl: Path, memo_embedder
) -> Settings:
    """Settings of a Chroma server holding the same subset, ingested through the server."""
    from stylist.catalog import load_catalog
    from vectorstore import ingest

    settings = Settings(data_dir=tmp_path_factory.mktemp("server-store"), chroma_url=chroma_server)
    ingest(load_catalog(subset_jsonl).products, settings, embedder=memo_embedder, progress=False)
    return settings


@pytest.fixture(scope="session", params=["embedded", "server"])
def any_store(request: pytest.FixtureRequest) -> Settings:
    """The subset store, once embedded on disk and once behind a `chroma run` server."""
    name = "store_settings" if request.param == "embedded" else "server_store_settings"
    return request.getfixturevalue(name)
