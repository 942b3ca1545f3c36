"""The ingestion library (catalog text + photos, trend forecasts) and the one build-aside helper.

Real on-disk Chroma under tmp_path, the tiny catalog, and scripted fakes for the models.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from stylist.settings import Settings
from stylist.vision.service import ImageService
from tests.unit.test_vision_service import FakeBackend
from vectorstore.builds import rebuild
from vectorstore.client import active_collection, connect, live_build


class HashEmbedder:
    """A fake text encoder: a unit vector from the text's hash; records how many texts it embedded."""

    def __init__(self) -> None:
        self.texts = 0

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.texts += len(texts)
        out = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha1(text.encode()).digest()[:4], "big")
            v = np.random.default_rng(seed).standard_normal(8)
            out.append((v / np.linalg.norm(v)).tolist())
        return out


def builds(settings: Settings, name: str) -> set[str]:
    names = {c if isinstance(c, str) else c.name for c in connect(settings).list_collections()}
    return {n for n in names if n.startswith(f"{name}__")}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def test_ingest_catalog_fills_text_and_photos_and_reports_both(
    settings: Settings, tiny_catalog: Path
) -> None:
    from stylist.ingestion import ingest_catalog

    text, backend, logged = HashEmbedder(), FakeBackend(), []
    photos = ImageService(settings, backend=backend)
    result = ingest_catalog(
        settings, tiny_catalog, progress=False, log=logged.append, embedder=text, photo_embedder=photos
    )
    report = result.to_dict()
    assert set(report) == {"catalog", "items", "embedded", "copied", "removed", "rejected_rows", "build",
                           "seconds", "images"}  # fmt: skip
    assert (report["items"], report["embedded"], report["rejected_rows"]) == (12, 12, 0)
    assert report["images"]["photos"] == 12 and report["images"]["embedded"] == 12
    assert text.texts == 12 and sum(backend.calls) == 12
    client = connect(settings)
    assert live_build(client, settings.collection) == report["build"]
    assert live_build(client, settings.image_collection) == report["images"]["build"]
    assert active_collection(client, settings.image_collection).metadata["image_space"] == "fake:v1"
    assert any("building" in line for line in logged)

    again = ingest_catalog(settings, tiny_catalog, progress=False, log=logged.append, embedder=text,
                           photo_embedder=photos).to_dict()  # fmt: skip
    assert again["build"] is None and again["images"]["build"] is None
    assert text.texts == 12 and sum(backend.calls) == 12  # nothing embedded twice


def test_ingest_catalog_without_an_image_model_indexes_the_text_and_says_why(
    settings: Settings, tiny_catalog: Path
) -> None:
    from stylist.ingestion import ingest_catalog

    no_model = settings.model_copy(
        update={"vision_weights": settings.data_dir / "none.pt", "clip_model": None}
    )
    logged: list[str] = []
    result = ingest_catalog(
        no_model, tiny_catalog, progress=False, log=logged.append, embedder=HashEmbedder()
    )
    assert result.photos is None and result.to_dict()["images"] is None
    assert result.text.total == 12
    assert result.notes and "stylist vision train" in result.notes[0]
    assert any(line.startswith("note: image search not indexed") for line in logged)
    assert live_build(connect(settings), settings.image_collection) is None


def test_ingest_catalog_reports_rejected_rows_and_strict_refuses(settings: Settings, tmp_path: Path,
                                                                 tiny_products: list[dict]) -> None:  # fmt: skip
    import json

    from stylist.catalog import CatalogError
    from stylist.ingestion import ingest_catalog

    rows = [dict(p) for p in tiny_products[:5]] + [dict(tiny_products[5], price="ask us")]
    path = tmp_path / "shop.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    photos = ImageService(settings, backend=FakeBackend())
    with pytest.raises(CatalogError, match="strict"):
        ingest_catalog(settings, path, strict=True, progress=False, log=lambda m: None,
                       embedder=HashEmbedder(), photo_embedder=photos)  # fmt: skip
    assert live_build(connect(settings), settings.collection) is None  # nothing written

    logged: list[str] = []
    result = ingest_catalog(settings, path, progress=False, log=logged.append, embedder=HashEmbedder(),
                            photo_embedder=photos)  # fmt: skip
    assert (result.text.total, len(result.rejected)) == (5, 1)
    assert any(line.startswith("rejected: ") and "price" in line for line in logged)
    assert "1 problem(s) reported; 5 valid rows kept" in logged


def test_rebuild_switches_only_to_a_complete_build_and_keeps_one_previous(settings: Settings) -> None:
    client = connect(settings)

    def rows(n: int):
        def fill(collection) -> None:
            collection.add(ids=[str(i) for i in range(n)], embeddings=[[1.0, float(i)] for i in range(n)])

        return fill

    first = rebuild(client, "things", rows(3), expected=3)
    second = rebuild(client, "things", rows(4), expected=4)
    assert live_build(client, "things") == second
    assert builds(settings, "things") == {first, second}

    def broken(collection) -> None:
        rows(2)(collection)
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        rebuild(client, "things", broken)
    with pytest.raises(RuntimeError, match="expected 5"):
        rebuild(client, "things", rows(4), expected=5)
    # Failed builds are gone at once and the live one is untouched (a new build first clears
    # everything but the live one: the predecessor has had a whole run to be let go).
    assert live_build(client, "things") == second
    assert builds(settings, "things") == {second}
    assert active_collection(client, "things").count() == 4

    client.create_collection("things__orphan_of_a_killed_run", embedding_function=None)
    third = rebuild(client, "things", rows(1), expected=lambda: 1, metadata={"note": "x"})
    assert builds(settings, "things") == {second, third}  # orphan and oldest removed
    assert active_collection(client, "things").metadata == {"hnsw:space": "cosine", "note": "x"}

    for bad in ("stylist_registry", "a__b"):
        with pytest.raises(ValueError, match="reserved"):
            rebuild(client, bad, rows(1))


def test_trend_update_goes_through_the_library_and_rebuilds_aside(settings: Settings, tmp_path: Path) -> None:
    from stylist.ingestion import update_trend_forecasts

    series = tmp_path / "series.csv"
    months = [f"{2020 + m // 12}-{m % 12 + 1:02d}-01" for m in range(36)]
    series.write_text(
        "date,linen,wool\n" + "".join(f"{d},{10 + m},{50 - m}\n" for m, d in enumerate(months)),
        encoding="utf-8",
    )
    report = update_trend_forecasts(settings, use_catalog=False, series=series, embedder=HashEmbedder())
    client = connect(settings)
    assert report["trends"] == 2 and report["by_source"] == {"shop": 2}
    assert live_build(client, settings.trends_collection) == report["build"]
    assert active_collection(client, settings.trends_collection).count() == 2
    again = update_trend_forecasts(settings, use_catalog=False, series=series, embedder=HashEmbedder())
    assert builds(settings, settings.trends_collection) == {report["build"], again["build"]}


def test_first_start_prepares_through_the_library_and_reports_progress(
    settings: Settings, monkeypatch, capsys
) -> None:
    import sys

    import stylist.ingestion as ingestion
    from stylist.runtime import StylistRuntime, prepare

    calls: list[str] = []

    class Result:
        def to_dict(self) -> dict:
            return {"items": 12}

    def fake_ingest(s: Settings, **kwargs) -> Result:
        calls.append("ingest")
        kwargs["log"]("plan: 12 new")
        return Result()

    def fake_trends(s: Settings) -> dict:
        calls.append("trends")
        return {"trends": 3, "notes": ["a note"]}

    monkeypatch.setattr(ingestion, "ingest_catalog", fake_ingest)
    monkeypatch.setattr(ingestion, "update_trend_forecasts", fake_trends)
    monkeypatch.delitem(sys.modules, "stylist.cli", raising=False)
    runtime = StylistRuntime(factory=lambda: None)
    prepare(settings.model_copy(update={"llm_url": "http://127.0.0.1:9/v1"}), runtime)
    assert calls == ["ingest", "trends"]
    assert "stylist.cli" not in sys.modules
    out = capsys.readouterr()
    assert '{"items": 12}' in out.out and "note: a note" in out.err
    steps = {s["name"]: s for s in runtime.progress()}
    assert steps["model"]["state"] == "skipped" and steps["catalog"]["state"] == "done"
    assert steps["catalog"]["detail"] == "items 12" and steps["trends"]["state"] == "done"
    assert steps["server"]["state"] == "waiting"
    notice = runtime.notice()
    assert "✓ Catalog and photos: items 12" in notice and "· Model server" in notice
