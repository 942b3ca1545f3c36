"""A local CLIP checkpoint works through the same ImageService interface.

No real CLIP can be downloaded here, so a tiny randomly initialised transformers
CLIPModel (and a character-level CLIP tokenizer) is saved to a tmp folder and
loaded from there exactly like a user's FashionCLIP folder would be.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from stylist.settings import Settings


def _byte_chars() -> list[str]:
    # CLIP's byte-level alphabet: printable bytes map to themselves, the rest above U+0100.
    keep = [*range(33, 127), *range(161, 173), *range(174, 256)]
    extra = [b for b in range(256) if b not in keep]
    mapping = {b: chr(b) for b in keep} | {b: chr(256 + i) for i, b in enumerate(extra)}
    return [mapping[b] for b in range(256)]


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import torch
    from transformers import CLIPConfig, CLIPModel, CLIPTokenizer

    out = tmp_path_factory.mktemp("tiny-clip")
    chars = _byte_chars()
    vocab = {c: i for i, c in enumerate(chars)}
    vocab.update({c + "</w>": len(chars) + i for i, c in enumerate(chars)})
    bos, eos = len(vocab), len(vocab) + 1
    vocab["<|startoftext|>"], vocab["<|endoftext|>"] = bos, eos
    (out / "vocab.json").write_text(json.dumps(vocab))
    (out / "merges.txt").write_text("#version: 0.2\n")
    CLIPTokenizer(str(out / "vocab.json"), str(out / "merges.txt")).save_pretrained(out)
    torch.manual_seed(0)
    config = CLIPConfig(
        text_config={"vocab_size": len(vocab), "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
                     "num_attention_heads": 2, "max_position_embeddings": 77, "bos_token_id": bos,
                     "eos_token_id": eos, "pad_token_id": eos},
        vision_config={"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
                       "num_attention_heads": 2, "image_size": 32, "patch_size": 8},
        projection_dim=16,
    )  # fmt: skip
    CLIPModel(config).save_pretrained(out)
    (out / "preprocessor_config.json").write_text(
        json.dumps({"image_mean": [0.5] * 3, "image_std": [0.25] * 3})
    )
    return out


LABELS = {
    "article_type": ["Shirts", "Jeans", "Watches"],
    "colour": ["Black", "Blue", "Red", "White"],
    "gender": ["Men", "Women"],
    "usage": ["Casual", "Formal"],
    "season": ["Summer", "Winter"],
}


def test_clip_backend_reads_the_catalog_labels_zero_shot(tiny_clip: Path) -> None:
    from stylist.vision.backends import ClipBackend

    backend = ClipBackend(tiny_clip, LABELS, threads=1)
    assert backend.input_size == (32, 32)
    assert backend.space.startswith("clip:") and backend.space.endswith(":16")
    photos = np.random.default_rng(0).integers(0, 255, (3, 32, 32, 3), dtype=np.uint8)
    rows, emb = backend.analyse(photos)
    assert emb.shape == (3, 16)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    for row in rows:
        assert set(row) == set(LABELS)
        for attr, ranked in row.items():
            assert sorted(label for label, _ in ranked) == sorted(LABELS[attr])
            probs = [p for _, p in ranked]
            assert probs == sorted(probs, reverse=True)
            assert abs(sum(probs) - 1.0) < 1e-4
    # The preprocessor's mean/std from the folder are used.
    assert np.allclose(backend.mean.flatten().numpy(), 0.5) and np.allclose(
        backend.std.flatten().numpy(), 0.25
    )
    texts = backend.embed_texts(["red shirt", "blue jeans"])
    assert texts.shape == (2, 16) and not np.allclose(texts[0], texts[1])


def test_service_and_ingestion_use_clip_when_configured(tiny_clip: Path, tmp_path: Path) -> None:
    from stylist.catalog import Product
    from stylist.vision.service import ImageService
    from vectorstore.images import ingest_images

    # No compact weights: CLIP still works, with the catalog's fixed gender/season labels.
    settings = Settings(data_dir=tmp_path / "d", clip_model=tiny_clip, vision_weights=tmp_path / "none.pt")
    service = ImageService(settings)
    products = []
    for i, rgb in enumerate([(250, 0, 0), (0, 0, 250), (0, 250, 0)]):
        path = tmp_path / f"{i}.png"
        Image.new("RGB", (300, 400), rgb).save(path)
        products.append(Product(id=str(i), title=f"item {i}", gender="Men", category="Apparel",
                                article_type="Shirts", colour="Red", price=10.0 + i, currency="INR",
                                image=str(path)))  # fmt: skip
    report = ingest_images(products, settings, embedder=service, progress=False, log=lambda m: None)
    assert report.embedded == 3
    out = service.describe(products[1].image, k=3)
    assert set(out) == {"attributes", "similar", "caption", "confident"}
    assert [a["label"] for a in out["attributes"]["gender"]][0] in {"Men", "Women", "Unisex", "Boys", "Girls"}
    assert out["similar"][0]["id"] == "1" and out["similar"][0]["score"] > 0.999
    assert len(service.search_text("blue shirt", k=2)) == 2
