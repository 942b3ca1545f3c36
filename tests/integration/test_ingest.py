"""Ingestion into a real on-disk Chroma store: idempotent, incremental, crash-safe."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stylist.catalog import load_catalog
from stylist.cli import app
from stylist.retrieval import Retriever
from stylist.settings import PROJECT_ROOT, Settings
from vectorstore import ingest
from vectorstore.client import active_collection, connect, live_build

pytestmark = pytest.mark.integration


def write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def builds(settings: Settings) -> set[str]:
    client = connect(settings)
    names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    return {n for n in names if n.startswith(f"{settings.collection}__")}


def stored(settings: Settings) -> dict[str, dict]:
    collection = active_collection(connect(settings), settings.collection)
    page = collection.get(include=["metadatas"])
    return dict(zip(page["ids"], page["metadatas"], strict=True))


@pytest.fixture
def records(subset_products: list[dict]) -> list[dict]:
    return [dict(p) for p in subset_products[:40]]


def test_ingest_is_idempotent_and_incremental(tmp_path: Path, records: list[dict], memo_embedder) -> None:
    settings = Settings()
    first = ingest(load_catalog(write(tmp_path / "a.jsonl", records)).products, settings,
                   embedder=memo_embedder, progress=False)  # fmt: skip
    assert (first.total, first.embedded, first.copied, first.removed) == (40, 40, 0, 0)
    build_1 = live_build(connect(settings), settings.collection)
    assert build_1 == first.build

    again = ingest(
        load_catalog(tmp_path / "a.jsonl").products, settings, embedder=memo_embedder, progress=False
    )
    assert (again.build, again.embedded, again.copied, again.removed) == (None, 0, 0, 0)
    assert live_build(connect(settings), settings.collection) == build_1

    changed = [dict(r) for r in records]
    for i in (3, 17, 29):  # three rows change: price, title, stock
        changed[i]["price"] = changed[i]["price"] + 100
    changed[17]["title"] += " Limited"
    changed[29]["sizes"] = {k: 0 for k in changed[29]["sizes"]}
    before = memo_embedder.computed
    third = ingest(load_catalog(write(tmp_path / "b.jsonl", changed)).products, settings,
                   embedder=memo_embedder, progress=False)  # fmt: skip
    assert (third.embedded, third.copied, third.removed) == (3, 37, 0)
    assert memo_embedder.computed - before <= 1  # only the new title text was new to the model
    meta = stored(settings)
    assert meta[changed[3]["id"]]["price"] == records[3]["price"] + 100
    assert meta[changed[17]["id"]]["title"].endswith(" Limited")
    assert meta[changed[29]["id"]]["in_stock"] is False

    kept = changed[:35]  # five rows removed from the file
    fourth = ingest(load_catalog(write(tmp_path / "c.jsonl", kept)).products, settings,
                    embedder=memo_embedder, progress=False)  # fmt: skip
    assert (fourth.total, fourth.embedded, fourth.copied, fourth.removed) == (35, 0, 35, 5)
    assert set(stored(settings)) == {r["id"] for r in kept}
    # The live build and the one before it are kept (readers may still hold it); older ones go.
    assert builds(settings) == {third.build, fourth.build}


def test_strict_cli_rejects_a_bad_file_and_leaves_the_store_untouched(
    tmp_path: Path, records: list[dict], memo_embedder
) -> None:
    settings = Settings()
    ingest(
        load_catalog(write(tmp_path / "good.jsonl", records)).products,
        settings,
        embedder=memo_embedder,
        progress=False,
    )
    build = live_build(connect(settings), settings.collection)
    bad = [dict(r) for r in records[:10]] + [
        dict(records[10], price="ask us"),
        dict(records[11], id=records[0]["id"]),
    ]
    path = write(tmp_path / "bad.jsonl", bad)

    result = CliRunner().invoke(app, ["ingest", "--catalog", str(path), "--strict"])
    assert result.exit_code == 2
    assert "strict mode rejects the file" in result.stderr
    assert f"{path}: row 11: price: not a number: 'ask us'" in result.stderr
    assert f"{path}: row 12: id: duplicate id '{records[0]['id']}' (first at row 1)" in result.stderr
    assert live_build(connect(settings), settings.collection) == build
    assert set(stored(settings)) == {r["id"] for r in records}
    assert builds(settings) == {build}


def test_cli_ingest_reports_bad_rows_and_keeps_the_good_ones(tmp_path: Path, records: list[dict]) -> None:
    rows = [dict(r) for r in records[:6]] + [dict(records[6], image="missing/photo.jpg")]
    path = write(tmp_path / "shop.jsonl", rows)
    result = CliRunner().invoke(app, ["ingest", "--catalog", str(path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert (report["items"], report["embedded"], report["rejected_rows"]) == (6, 6, 1)
    assert (
        f"rejected: {path}: row 7: image: file not found: {tmp_path / 'missing' / 'photo.jpg'}"
        in result.stderr
    )
    assert set(stored(Settings())) == {r["id"] for r in rows[:6]}


def test_cli_ingest_of_a_missing_file_fails_clearly(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", "--catalog", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "no such catalog file" in result.stderr


def test_killed_ingestion_leaves_the_previous_store_intact(
    tmp_path: Path, subset_products: list[dict], memo_embedder
) -> None:
    settings = Settings()
    small = [dict(p) for p in subset_products[:40]]
    bigger = small + [dict(p) for p in subset_products[40:440]]
    ingest(
        load_catalog(write(tmp_path / "small.jsonl", small)).products,
        settings,
        embedder=memo_embedder,
        progress=False,
    )
    client = connect(settings)
    previous = live_build(client, settings.collection)

    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "STYLIST_EMBEDDING_BATCH_SIZE": "16"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "stylist.cli", "ingest", "--catalog", str(write(tmp_path / "big.jsonl", bigger))],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=PROJECT_ROOT,
    )  # fmt: skip
    seen: list[str] = []

    def read() -> None:
        assert proc.stderr is not None
        while chunk := proc.stderr.read1(4096):  # type: ignore[attr-defined]
            seen.append(chunk.decode(errors="replace"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    progress = re.compile(r"embedding:.*?\|\s*([1-9]\d*)/400")
    deadline = time.monotonic() + 240
    while not progress.search("".join(seen)):
        assert proc.poll() is None, "".join(seen)
        assert time.monotonic() < deadline, "no embedding progress within 240 s"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)  # mid-way: some batches stored in the new build, not all
    assert proc.wait(timeout=30) == -signal.SIGKILL
    reader.join(timeout=5)
    done = max(int(n) for n in progress.findall("".join(seen)))
    assert 0 < done < 400

    # The previous build is still live, complete and searchable.
    client = connect(settings)
    assert live_build(client, settings.collection) == previous
    assert set(stored(settings)) == {p["id"] for p in small}
    orphans = builds(settings) - {previous}
    assert len(orphans) == 1  # the half-built collection of the killed run
    retriever = Retriever(settings, embedder=memo_embedder)
    assert retriever.count() == 40
    hit = retriever.search(small[0]["title"], k=3)
    assert small[0]["id"] in [i.id for i in hit.items]

    # The next run succeeds and removes the orphan.
    report = ingest(
        load_catalog(tmp_path / "big.jsonl").products, settings, embedder=memo_embedder, progress=False
    )
    assert (report.total, report.embedded, report.copied) == (440, 400, 40)
    assert builds(settings) == {previous, report.build}
    assert live_build(connect(settings), settings.collection) == report.build
