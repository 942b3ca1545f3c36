"""ImageService and image ingestion logic with a scripted fake model and a real on-disk Chroma."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from stylist.catalog import Product
from stylist.settings import Settings
from stylist.vision.errors import ImageError
from stylist.vision.service import ImageService, _same_photo, caption_for
from vectorstore.images import ingest_images

COLOURS = {"Red": (220, 20, 20), "Green": (20, 200, 20), "Blue": (20, 20, 220), "Black": (10, 10, 10)}


class FakeBackend:
    """A scripted model: the embedding is the photo's mean colour; attributes are fixed.

    It records every batch it was asked to analyse, so tests can assert what was embedded.
    """

    input_size = (80, 60)

    def __init__(self, space: str = "fake:v1", article_p: float = 0.9) -> None:
        self.space = space
        self.article_p = article_p
        self.calls: list[int] = []
        self.texts: list[list[str]] = []

    def analyse(self, images: np.ndarray):
        self.calls.append(len(images))
        mean = images.reshape(len(images), -1, 3).mean(axis=1) / 255.0
        emb = np.concatenate([mean, np.full((len(images), 1), 0.05)], axis=1).astype(np.float32)
        emb /= np.linalg.norm(emb, axis=1, keepdims=True)
        rest = (1 - self.article_p) / 5
        rows = [
            {
                "article_type": [("Shirts", self.article_p)] + [(f"T{i}", rest) for i in range(5)],
                "colour": [("Navy Blue", 0.7), ("Blue", 0.2), ("Black", 0.05), ("White", 0.05)],
                "gender": [("Men", 0.8), ("Women", 0.2)],
                "usage": [("Casual", 0.6), ("Formal", 0.4)],
                "season": [("Summer", 0.5), ("Fall", 0.5)],
            }
            for _ in range(len(images))
        ]
        return rows, emb

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        self.texts.append(list(texts))
        out = []
        for text in texts:
            rgb = next((c for name, c in COLOURS.items() if name.lower() in text.lower()), (128, 128, 128))
            v = np.array([*np.array(rgb) / 255.0, 0.05], dtype=np.float32)
            out.append(v / np.linalg.norm(v))
        return np.stack(out)


def _photo(tmp: Path, name: str, rgb: tuple[int, int, int]) -> Path:
    path = tmp / f"{name}.png"
    Image.new("RGB", (60, 80), rgb).save(path)
    return path


def _products(tmp: Path) -> list[Product]:
    rows = []
    for i, (colour, rgb) in enumerate(COLOURS.items()):
        for j in range(3):
            shade = tuple(max(0, min(255, c + 10 * j)) for c in rgb)
            rows.append(
                Product(
                    id=f"{colour.lower()}-{j}",
                    title=f"{colour} shirt {j}",
                    gender="Men" if j < 2 else "Women",
                    category="Apparel",
                    article_type="Shirts",
                    colour=colour,
                    price=100.0 * (i + 1) + j,
                    currency="INR",
                    image=str(_photo(tmp, f"{colour}{j}", shade)),
                )  # fmt: skip
            )
    return rows


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def test_caption_reads_the_top_labels() -> None:
    attrs = {
        "article_type": [{"label": "Shirts", "p": 0.9}],
        "colour": [{"label": "Navy Blue", "p": 0.7}],
        "gender": [{"label": "Men", "p": 0.8}],
        "usage": [{"label": "Casual", "p": 0.6}],
    }
    assert caption_for(attrs) == "navy blue shirts for men, casual"
    attrs["gender"] = [{"label": "Unisex", "p": 0.5}]
    assert caption_for(attrs) == "unisex navy blue shirts, casual"
    assert caption_for({}) == "item"


def test_describe_returns_the_contract_without_an_index(tmp_path: Path, settings: Settings, capsys) -> None:
    backend = FakeBackend()
    service = ImageService(settings, backend=backend)
    out = service.describe(_photo(tmp_path, "q", (200, 10, 10)), k=5)
    assert set(out) == {"attributes", "similar", "caption", "confident"}
    assert set(out["attributes"]) == {"article_type", "colour", "gender", "usage", "season"}
    assert len(out["attributes"]["article_type"]) == 5  # top 5 article types
    assert len(out["attributes"]["colour"]) == 3
    assert out["attributes"]["article_type"][0] == {"label": "Shirts", "p": 0.9}
    assert out["caption"] == "navy blue shirts for men, casual"
    assert out["confident"] is True
    assert out["similar"] == []
    assert "run `stylist ingest`" in capsys.readouterr().err
    assert backend.calls == [1]


def test_low_article_probability_is_not_confident(tmp_path: Path, settings: Settings) -> None:
    service = ImageService(
        settings.model_copy(update={"vision_confidence": 0.5}), backend=FakeBackend(article_p=0.3)
    )
    assert service.describe(_photo(tmp_path, "q", (1, 2, 3)), k=0)["confident"] is False


def test_bad_inputs_raise_image_error_and_never_reach_the_model(tmp_path: Path, settings: Settings) -> None:
    backend = FakeBackend()
    service = ImageService(settings, backend=backend)
    bad = tmp_path / "notes.txt"
    bad.write_text("not an image")
    for source in (bad, b"", b"garbage", tmp_path / "missing.jpg"):
        with pytest.raises(ImageError):
            service.describe(source)
    with pytest.raises(ImageError, match="expected image bytes"):
        service.describe(12345)  # type: ignore[arg-type]
    assert backend.calls == []


def test_ingest_then_similar_finds_the_same_colour_and_respects_filters(
    tmp_path: Path, settings: Settings
) -> None:
    backend = FakeBackend()
    service = ImageService(settings, backend=backend)
    products = _products(tmp_path)
    report = ingest_images(products, settings, embedder=service, progress=False, log=lambda m: None)
    assert (report.total, report.embedded) == (12, 12)
    assert sum(backend.calls) == 12
    assert service.has_index()

    query = io.BytesIO()
    Image.new("RGB", (60, 80), (225, 25, 25)).save(query, format="JPEG")
    hits = service.similar(query.getvalue(), k=3)
    assert [h["id"].split("-")[0] for h in hits] == ["red", "red", "red"]
    assert hits[0]["score"] >= hits[-1]["score"] > 0.9

    cheap = service.similar(query.getvalue(), k=3, where={"price": {"$lt": 300}})
    assert cheap and all(h["id"].split("-")[0] in {"red", "green"} for h in cheap)
    women = service.similar(query.getvalue(), k=5, where={"gender": "Women", "colour": "Blue"})
    assert [h["id"] for h in women] == ["blue-2"]

    described = service.describe(query.getvalue(), k=2)
    assert [h["id"].split("-")[0] for h in described["similar"]] == ["red", "red"]
    text_hits = service.search_text("a black shirt", k=2)
    assert [h["id"].split("-")[0] for h in text_hits] == ["black", "black"]
    assert backend.texts == [["a black shirt"]]
    assert service.search_text("   ") == []


def test_ingest_images_is_incremental_and_skips_bad_photos(tmp_path: Path, settings: Settings) -> None:
    backend = FakeBackend()
    service = ImageService(settings, backend=backend)
    products = _products(tmp_path)
    ingest_images(products, settings, embedder=service, progress=False, log=lambda m: None)
    backend.calls.clear()

    again = ingest_images(products, settings, embedder=service, progress=False, log=lambda m: None)
    assert again.build is None and again.embedded == 0 and backend.calls == []

    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 definitely not a full jpeg")
    changed = [p.model_copy(update={"price": 1.0}) if p.id == "red-0" else p for p in products[:-1]]
    changed.append(products[-1].model_copy(update={"id": "broken-1", "image": str(broken)}))
    logged: list[str] = []
    report = ingest_images(changed, settings, embedder=service, progress=False, log=logged.append)
    assert report.embedded == 1 and report.copied == 10 and report.removed == 1
    assert report.total == 11
    assert any("skipped photo of broken-1" in line and "corrupt" in line for line in logged)
    assert sum(backend.calls) == 1  # only the changed photo went through the model

    # Another image model means another embedding space: everything is embedded again.
    other = FakeBackend(space="fake:v2")
    report = ingest_images(changed, settings, embedder=ImageService(settings, backend=other),
                           progress=False, log=lambda m: None)  # fmt: skip
    assert report.embedded == 11 and report.copied == 0


def test_a_different_model_refuses_to_query_an_index_built_by_another(
    tmp_path: Path, settings: Settings
) -> None:
    products = _products(tmp_path)
    ingest_images(products, settings, embedder=ImageService(settings, backend=FakeBackend()),
                  progress=False, log=lambda m: None)  # fmt: skip
    other = ImageService(settings, backend=FakeBackend(space="fake:v2"))
    with pytest.raises(RuntimeError, match="rebuild"):
        other.similar(Path(products[0].image))


def test_missing_weights_name_the_command_that_makes_them(tmp_path: Path) -> None:
    from stylist.vision.backends import WeightsMissing

    service = ImageService(Settings(data_dir=tmp_path, vision_weights=tmp_path / "none.pt"))
    with pytest.raises(WeightsMissing, match="stylist vision train"):
        service.describe(b"whatever")


def test_similar_items_of_the_recognised_article_type_come_first(tmp_path: Path, settings: Settings) -> None:
    def item(pid: str, article: str, rgb: tuple[int, int, int]) -> Product:
        return Product(id=pid, title=f"{article} {pid}", gender="Men", category="Apparel", article_type=article,
                       colour="Red", price=100.0, currency="INR", image=str(_photo(tmp_path, pid, rgb)))  # fmt: skip

    # The fake model calls every photo a shirt (p=0.9); the closest photo is jeans.
    products = [item("jeans", "Jeans", (222, 22, 22)), item("shirt", "Shirts", (200, 70, 70)),
                item("far-shirt", "Shirts", (20, 200, 20)), item("watch", "Watches", (210, 40, 40))]  # fmt: skip
    service = ImageService(settings, backend=FakeBackend())
    ingest_images(products, settings, embedder=service, progress=False, log=lambda m: None)
    query = _photo(tmp_path, "query", (225, 25, 25))

    assert [h["id"] for h in service.similar(query, k=2)] == ["shirt", "far-shirt"]
    assert [h["id"] for h in service.describe(query, k=3)["similar"]] == ["shirt", "far-shirt", "jeans"]
    plain = ImageService(settings.model_copy(update={"vision_rerank_weight": 0.0}), backend=FakeBackend())
    assert [h["id"] for h in plain.similar(query, k=2)] == ["jeans", "watch"]
    hits = service.similar(query, k=3)
    assert hits[-1]["id"] == "jeans" and hits[-1]["score"] > hits[0]["score"]  # scores stay cosines


def test_the_catalog_photo_of_the_item_itself_stays_first(tmp_path: Path, settings: Settings) -> None:
    def item(pid: str, article: str, rgb: tuple[int, int, int]) -> Product:
        return Product(id=pid, title=f"{article} {pid}", gender="Men", category="Apparel", article_type=article,
                       colour="Red", price=100.0, currency="INR", image=str(_photo(tmp_path, pid, rgb)))  # fmt: skip

    # The fake model calls every photo a shirt (p=0.9); the photo sent is the jeans' own (cosine 1.0,
    # the next 0.94), so the jeans lead although the model would put a shirt first.
    products = [item("jeans", "Jeans", (225, 25, 25)), item("shirt", "Shirts", (180, 80, 60)),
                item("watch", "Watches", (150, 100, 100))]  # fmt: skip
    service = ImageService(settings, backend=FakeBackend())
    ingest_images(products, settings, embedder=service, progress=False, log=lambda m: None)
    query = _photo(tmp_path, "query", (225, 25, 25))

    assert [h["id"] for h in service.similar(query, k=3)] == ["jeans", "shirt", "watch"]
    # Not clear of the next one (the first test's jeans 0.9999, a watch 0.9943): the model's order.
    assert _same_photo([("a", 0.9999, "Jeans"), ("b", 0.9943, "Watches")]) is False
    assert _same_photo([("a", 0.93, "Jeans"), ("b", 0.80, "Watches")]) is False
