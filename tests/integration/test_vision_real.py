"""The shipped image model on real catalog photos, a real Chroma image index and the real CLI.

Uses held-out photos only (never trained on). Needs the sample catalog beside the
checkout (or STYLIST_CATALOG_PATH) and the shipped weights.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from stylist.settings import PROJECT_ROOT, Settings
from stylist.vision.data import is_held_out

pytestmark = pytest.mark.integration

CATALOG = Settings().catalog_path
WEIGHTS = Settings().resolved_vision_weights()
if not (CATALOG / "styles.csv").is_file() or not WEIGHTS.is_file():
    pytest.skip("needs the sample catalog and the shipped image weights", allow_module_level=True)


@pytest.fixture(scope="module")
def held_out(tmp_path_factory: pytest.TempPathFactory) -> list:
    """Every 6th held-out product of the sample catalog (about 225)."""
    from stylist.catalog import convert_sample, load_catalog

    out = tmp_path_factory.mktemp("vision-catalog") / "sample.jsonl"
    convert_sample(CATALOG, out)
    products = load_catalog(out).products
    return [p for p in products if is_held_out(p.id)][::6]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory):
    from stylist.vision.service import ImageService

    return ImageService(Settings(data_dir=tmp_path_factory.mktemp("vision-data")))


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def test_held_out_photos_are_recognised(service, held_out) -> None:
    out = service.describe_many([p.image for p in held_out], k=0)
    article = np.mean(
        [
            o["attributes"]["article_type"][0]["label"] == p.article_type
            for o, p in zip(out, held_out, strict=True)
        ]
    )
    colour = np.mean(
        [o["attributes"]["colour"][0]["label"] == p.colour for o, p in zip(out, held_out, strict=True)]
    )
    confident = np.mean([o["confident"] for o in out])
    # Loose floors (the benchmark reports the exact figures on all held-out photos).
    assert article >= 0.75, article
    assert colour >= 0.55, colour
    assert confident >= 0.8, confident
    first = out[0]
    assert first["caption"] and first["caption"].startswith(first["attributes"]["colour"][0]["label"].lower())


def test_non_fashion_images_are_not_confident(service) -> None:
    rng = np.random.default_rng(3)
    noise = _png(Image.fromarray(rng.integers(0, 256, (300, 300, 3), dtype=np.uint8)))
    ramp = np.linspace(0, 255, 240)[:, None, None].repeat(180, axis=1).repeat(3, axis=2)
    gradient = _png(Image.fromarray(ramp.astype(np.uint8)))
    plain = _png(Image.new("RGB", (200, 200), (40, 160, 90)))
    for data in (noise, gradient, plain):
        assert service.describe(data, k=0)["confident"] is False


def test_transformed_photos_are_handled(service, held_out) -> None:
    product = next(p for p in held_out if p.article_type in {"Tshirts", "Shirts", "Casual Shoes", "Watches"})
    original = Image.open(product.image).convert("RGB")
    base = service.describe(product.image, k=0)["attributes"]["article_type"][0]["label"]
    rgba = original.convert("RGBA")
    alpha = np.array(rgba)
    alpha[..., 3] = np.where(
        np.asarray(original).min(axis=2) > 245, 0, 255
    )  # white background made transparent
    variants = {
        "scaled": original.resize((600, 800), Image.Resampling.BICUBIC),
        "alpha": Image.fromarray(alpha, "RGBA"),
        "very_large": original.resize((4000, 4000), Image.Resampling.BILINEAR),
        "rotated": original.rotate(90, expand=True, fillcolor=(255, 255, 255)),
        "cropped": original.crop((5, 5, 55, 75)),
        "grayscale": original.convert("L"),
        "tiny": original.resize((4, 4)),
    }
    out = {name: service.describe(_png(img), k=0) for name, img in variants.items()}
    for name, result in out.items():
        assert set(result) == {"attributes", "similar", "caption", "confident"}, name
        assert isinstance(result["confident"], bool)
        probs = [a["p"] for a in result["attributes"]["article_type"]]
        assert probs == sorted(probs, reverse=True) and 0 < probs[0] <= 1
    # Resizing or a transparent background must not change what the item is.
    for name in ("scaled", "alpha", "very_large"):
        assert out[name]["attributes"]["article_type"][0]["label"] == base, name
    assert out["tiny"]["confident"] is False


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "stylist.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=900,
    )


def test_ingest_builds_the_image_index_and_describe_image_prints_one_line_per_photo(
    tmp_path: Path, held_out
) -> None:
    from stylist.catalog import load_catalog

    subset = tmp_path / "subset.jsonl"
    subset.write_text("".join(p.model_dump_json() + "\n" for p in held_out[:80]), encoding="utf-8")
    env = {**os.environ, "STYLIST_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(PROJECT_ROOT)}
    ingest = _cli("ingest", "--catalog", str(subset), env=env)
    assert ingest.returncode == 0, ingest.stderr
    summary = json.loads(ingest.stdout.strip().splitlines()[-1])
    assert summary["images"]["photos"] == 80 and summary["images"]["embedded"] == 80

    products = load_catalog(subset).products
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(Path(products[0].image).read_bytes()[:200])
    run = _cli(
        "describe-image", products[0].image, str(corrupt), products[1].image, "--json", "--k", "3", env=env
    )
    assert run.returncode == 1  # one photo could not be used
    lines = [json.loads(line) for line in run.stdout.strip().splitlines()]
    assert len(lines) == 3
    assert lines[0]["similar"][0]["id"] == products[0].id  # a catalog photo finds itself first
    assert lines[2]["similar"][0]["id"] == products[1].id
    assert len(lines[0]["similar"]) == 3
    assert "corrupt" in lines[1]["error"] and lines[1]["path"] == str(corrupt)
    assert "corrupt" in run.stderr

    # Nothing changed: the image index is left as it is.
    again = _cli("ingest", "--catalog", str(subset), env=env)
    assert json.loads(again.stdout.strip().splitlines()[-1])["images"]["embedded"] == 0

    # "Like this but cheaper": a price filter near the photo.
    from stylist.vision.service import ImageService

    service = ImageService(Settings(data_dir=tmp_path / "data"))
    cap = products[0].price
    cheaper = service.similar(products[0].image, k=5, where={"price": {"$lt": cap}})
    by_id = {p.id: p for p in products}
    assert cheaper and all(by_id[h["id"]].price < cap for h in cheaper)
