"""The compact network, its checkpoint format and the training loop (on tiny synthetic data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from stylist.catalog import Product
from stylist.settings import Settings
from stylist.vision import train as train_module
from stylist.vision.data import is_held_out
from stylist.vision.model import CompactNet, ModelConfig, infer, to_input
from stylist.vision.train import augment, load_checkpoint, synthetic_negatives, train

COLOURS = {"Red": (220, 30, 30), "Blue": (30, 30, 220)}


def test_network_outputs_every_head_and_a_unit_embedding() -> None:
    torch.manual_seed(0)
    model = CompactNet(
        ModelConfig(widths=(8, 16, 16, 16), heads={"article_type": 7, "colour": 3}, embed_dim=12)
    )
    photos = torch.randint(0, 256, (4, 80, 60, 3), dtype=torch.uint8)
    logits, emb = model(to_input(photos))
    assert logits["article_type"].shape == (4, 7) and logits["colour"].shape == (4, 3)
    assert torch.allclose(emb.norm(dim=1), torch.ones(4), atol=1e-5)
    probs, emb2 = infer(model, photos)
    assert torch.allclose(probs["colour"].sum(1), torch.ones(4), atol=1e-5)
    # The mirrored view is part of inference: a mirrored photo gets the same answer.
    probs_flipped, _ = infer(model, photos.flip(2))
    assert torch.allclose(probs["article_type"], probs_flipped["article_type"], atol=1e-5)
    # Half-resolution input works too (global pooling), as used in the first epochs.
    logits_small, _ = model(to_input(photos[:, ::2, ::2].contiguous()))
    assert logits_small["article_type"].shape == (4, 7)


def test_white_background_is_zero_input() -> None:
    white = torch.full((1, 80, 60, 3), 255, dtype=torch.uint8)
    assert to_input(white).abs().max() == 0


def test_negatives_and_augmentation_keep_shape_and_range() -> None:
    gen = torch.Generator().manual_seed(0)
    neg = synthetic_negatives(40, 80, 60, gen)
    assert neg.shape == (40, 80, 60, 3) and neg.dtype == torch.uint8
    spatial_std = [float(n.float().std(dim=(0, 1)).max()) for n in neg]
    assert min(spatial_std) < 1 < max(spatial_std)  # some flat colours, some textures
    x = augment(to_input(neg), gen)
    assert x.shape == (40, 3, 80, 60) and 0 <= float(x.min()) and float(x.max()) <= 1


def _catalog(tmp_path: Path, n: int = 60) -> list[Product]:
    products = []
    for i in range(n):
        colour = "Red" if i % 2 else "Blue"
        article = "Shirts" if i % 3 else "Watches"
        img = np.full((80, 60, 3), 255, np.uint8)
        if article == "Shirts":
            img[10:70, 10:50] = COLOURS[colour]
        else:
            img[30:50, 20:40] = COLOURS[colour]
        path = tmp_path / f"{i}.png"
        Image.fromarray(img).save(path)
        products.append(Product(id=str(i), title=f"{colour} {article} {i}", gender="Men", category="Apparel",
                                article_type=article, colour=colour, usage="Casual", season="Summer",
                                price=10.0, currency="INR", image=str(path)))  # fmt: skip
    return products


def test_training_is_seeded_never_sees_held_out_items_and_saves_a_loadable_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[str]] = []

    def fake_titles(texts: list[str], settings: Settings) -> np.ndarray:
        seen.append(list(texts))
        rng = np.random.default_rng(len(texts))
        v = rng.normal(size=(len(texts), 16)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    monkeypatch.setattr(train_module, "_title_embeddings", fake_titles)
    products = _catalog(tmp_path)
    held = {p.title for p in products if is_held_out(p.id, 0.25)}
    assert held, "the synthetic catalog must have held-out items"
    settings = Settings(data_dir=tmp_path / "data", vision_threads=1)
    config = dict(widths=(8, 16, 16, 16), blocks=(1, 1, 1, 1))
    logs: list[str] = []
    a = train(products, settings, out=tmp_path / "a.pt", epochs=3, batch_size=16, seed=7, holdout=0.25,
              config=ModelConfig(**config), log=logs.append)  # fmt: skip
    b = train(products, settings, out=tmp_path / "b.pt", epochs=3, batch_size=16, seed=7, holdout=0.25,
              config=ModelConfig(**config), log=lambda m: None)  # fmt: skip

    assert not held & set(seen[0]), "a held-out title reached training"
    assert a["held_out_photos"] == len(held) and a["train_photos"] == len(products) - len(held)
    assert set(a["held_out"]) >= {
        "article_type_top1",
        "article_type_top5",
        "colour_top1",
        "similar_article_type_p5",
    }
    assert a["held_out"] == b["held_out"]  # same seed, same model
    assert any(line.startswith("epoch 1/3 (40x30)") for line in logs)
    assert any(line.startswith("epoch 3/3 (80x60)") for line in logs)

    model, vocab, info = load_checkpoint(tmp_path / "a.pt")
    model_b, _, _ = load_checkpoint(tmp_path / "b.pt")
    for (name, p), (_, q) in zip(model.state_dict().items(), model_b.state_dict().items(), strict=True):
        assert torch.equal(p, q), name
    assert vocab.labels["article_type"] == ["Shirts", "Watches"]
    assert info["epochs"] == 3 and info["seed"] == 7
    assert model.config.embed_dim == 16


def test_training_refuses_a_catalog_without_usable_photos(tmp_path: Path) -> None:
    product = _catalog(tmp_path, 1)[0].model_copy(update={"image": str(tmp_path / "missing.jpg")})
    with pytest.raises(ValueError, match="usable training photos"):
        train([product], Settings(data_dir=tmp_path), out=tmp_path / "x.pt", epochs=1)


def test_loading_something_else_is_refused(tmp_path: Path) -> None:
    torch.save({"format": "other"}, tmp_path / "w.pt")
    with pytest.raises(ValueError, match="not a stylist image model"):
        load_checkpoint(tmp_path / "w.pt")


def test_retrained_weights_under_the_same_name_are_another_embedding_space(tmp_path: Path) -> None:
    from stylist.vision.backends import CompactBackend
    from stylist.vision.data import Vocab
    from stylist.vision.train import save_checkpoint

    path = tmp_path / "compact.pt"
    vocab = Vocab({"article_type": ["Shirts", "Watches"], "colour": ["Red", "Blue", "Black"]})
    settings = Settings(data_dir=tmp_path)
    spaces = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        config = ModelConfig(widths=(8, 8, 8, 8), heads={"article_type": 2, "colour": 3}, embed_dim=12)
        save_checkpoint(CompactNet(config), vocab, {}, path)
        spaces.append(CompactBackend(path, settings).space)
    assert spaces[0] != spaces[1]
    assert all(s.startswith("compact:compact.pt:") and s.endswith(":12") for s in spaces)
    assert CompactBackend(path, settings).space == spaces[1]  # the same file, the same space


def test_the_first_epochs_are_at_half_resolution() -> None:
    from stylist.vision.train import _resolution_schedule

    assert _resolution_schedule(28) == [True] * 14 + [False] * 14
    assert _resolution_schedule(10, 0.4) == [True] * 4 + [False] * 6
    assert not any(_resolution_schedule(5, 0.0))
