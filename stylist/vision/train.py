"""The reproducible CPU training recipe of the project's image model.

Why this recipe fits two CPU cores: every photo is decoded once into one uint8
array; the first epochs run at half resolution (4x fewer pixels, progressive
resizing), the last ones at full resolution; a residual network with batch norm
and a stride-2 stem; bf16 autocast; one-cycle learning rate; label smoothing.
Besides the attribute heads, the image embedding is trained contrastively
(CLIP's symmetric InfoNCE) against the frozen MiniLM embeddings of the product
titles, so photos land in the catalog's text space. Synthetic non-fashion images
(noise, gradients, stripes, solid colours) are trained towards uniform
predictions, so they get low confidence (outlier exposure).

The held-out split (a hash of the product id, see :func:`is_held_out`) is never
trained on; its figures are measured at the end and stored with the weights.
"""

from __future__ import annotations

import math
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch.nn import functional as F

from stylist.vision.data import ATTRIBUTES, PhotoSet, Vocab, is_held_out, load_photos
from stylist.vision.evaluate import evaluate_photos
from stylist.vision.model import CompactNet, ModelConfig, save_checkpoint, to_input
from stylist.vision.model import load_checkpoint as load_checkpoint  # re-exported: the format lives in model

if TYPE_CHECKING:
    from stylist.catalog import Product
    from stylist.settings import Settings

#: Weight of each loss term (article type and colour are what shoppers ask about most).
LOSS_WEIGHTS = {"article_type": 1.0, "colour": 1.0, "gender": 0.5, "usage": 0.3, "season": 0.2}
CONTRASTIVE_WEIGHT = 0.5
OUTLIER_WEIGHT = 0.5


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def synthetic_negatives(n: int, h: int, w: int, generator: torch.Generator) -> torch.Tensor:
    """``n`` uint8 non-fashion images: noise, smooth blobs, gradients, stripes, solid colours."""
    out = torch.empty(n, h, w, 3, dtype=torch.uint8)
    for i in range(n):
        kind = int(torch.randint(0, 5, (1,), generator=generator))
        if kind == 0:
            img = torch.randint(0, 256, (h, w, 3), generator=generator).float()
        elif kind == 1:
            small = torch.rand(1, 3, 4, 3, generator=generator)
            img = (
                F.interpolate(small, size=(h, w), mode="bilinear", align_corners=False)[0].permute(1, 2, 0)
                * 255
            )
        elif kind == 2:
            a, b = torch.rand(3, generator=generator) * 255, torch.rand(3, generator=generator) * 255
            angle = float(torch.rand(1, generator=generator)) * math.tau
            ys, xs = torch.meshgrid(torch.linspace(-1, 1, h), torch.linspace(-1, 1, w), indexing="ij")
            t = ((xs * math.cos(angle) + ys * math.sin(angle)) + 1.5) / 3.0
            img = a * (1 - t[..., None]) + b * t[..., None]
        elif kind == 3:
            period = int(torch.randint(2, 12, (1,), generator=generator))
            a, b = torch.rand(3, generator=generator) * 255, torch.rand(3, generator=generator) * 255
            ys, xs = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
            mask = (((xs // period) + (ys // period)) % 2 == 0) if period % 2 else ((xs // period) % 2 == 0)
            img = torch.where(mask[..., None], a, b)
        else:
            img = (torch.rand(3, generator=generator) * 255).expand(h, w, 3)
        out[i] = img.clamp(0, 255).round().to(torch.uint8)
    return out


def augment(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random flip, scale, shift and a mild brightness change of a float input batch.

    No hue or saturation change: the colour label must stay true.
    """
    b = x.shape[0]
    flip = torch.rand(b, generator=generator) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    scale = 0.9 + 0.25 * torch.rand(b, generator=generator)  # >1 zooms out (more background)
    shift = (torch.rand(b, 2, generator=generator) - 0.5) * 0.16
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0] = scale
    theta[:, 1, 1] = scale
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    # Input is inverted (background = 0), so zero padding adds white studio background.
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    gain = 1.0 + (torch.rand(b, 1, 1, 1, generator=generator) - 0.5) * 0.2
    return (x * gain).clamp(0, 1).contiguous(memory_format=torch.channels_last)


def half_resolution(images: np.ndarray) -> torch.Tensor:
    """uint8 ``(N, H, W, 3)`` -> uint8 ``(N, H/2, W/2, 3)`` by 2x2 averaging."""
    t = torch.from_numpy(images).permute(0, 3, 1, 2).float()
    t = F.avg_pool2d(t, 2)
    return t.round().to(torch.uint8).permute(0, 2, 3, 1).contiguous()


def _title_embeddings(texts: list[str], settings: Settings) -> np.ndarray:
    """MiniLM embeddings of the titles, cached under data_dir (they never change for a text)."""
    import hashlib

    from vectorstore.client import Embedder

    model = settings.resolved_embedding_model()
    key = hashlib.sha1("\n".join([str(model), *texts]).encode()).hexdigest()[:16]
    cache = settings.data_dir / "vision" / f"titles-{key}.npy"
    if cache.is_file():
        return np.load(cache)
    vectors = np.asarray(Embedder(model, settings.embedding_batch_size).embed(texts), dtype=np.float32)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache.with_suffix(".tmp.npy"), vectors)
    cache.with_suffix(".tmp.npy").replace(cache)
    return vectors


def _resolution_schedule(epochs: int, low_share: float = 0.5) -> list[bool]:
    """True for the epochs trained at half resolution (the first ``low_share`` of them)."""
    low = int(round(epochs * low_share))
    return [i < low for i in range(epochs)]


def train(
    products: list[Product],
    settings: Settings,
    *,
    out: Path,
    epochs: int = 28,
    batch_size: int = 128,
    lr: float = 6e-3,
    seed: int = 0,
    holdout: float = 0.1,
    config: ModelConfig | None = None,
    limit: int | None = None,
    low_res_share: float = 0.5,
    log: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr, flush=True),
) -> dict[str, Any]:
    """Train the image model on the catalog photos and save it to ``out``.

    Args:
        products: the catalog (the held-out split is removed here, never trained on).
        settings: for the text embedder and thread count.
        out: the weights file to write (written aside, then renamed).
        epochs: passes over the training photos.
        batch_size: photos per step.
        lr: peak learning rate of the one-cycle schedule.
        seed: makes the split-independent randomness (init, order, augmentation) repeatable.
        holdout: share of products held out (by a hash of the id).
        config: the network shape (defaults to :class:`ModelConfig`).
        limit: train on at most this many photos (for quick checks and tests).
        low_res_share: share of the epochs trained at half resolution (the first ones).
        log: progress lines.

    Returns:
        The held-out figures, the training time and the sizes, as stored in the weights.
    """
    started = time.perf_counter()
    torch.set_num_threads(max(1, settings.vision_threads))
    seed_everything(seed)
    held = np.array([is_held_out(p.id, holdout) for p in products])
    train_products = [p for p, h in zip(products, held, strict=True) if not h]
    if limit is not None:
        train_products = train_products[:limit]
    test_products = [p for p, h in zip(products, held, strict=True) if h]
    vocab = Vocab.build(train_products)
    train_set, problems = load_photos(train_products, vocab)
    test_set, test_problems = load_photos(test_products, vocab)
    for problem in problems + test_problems:
        log(f"skipped photo: {problem}")
    if len(train_set) < 2:
        raise ValueError(f"only {len(train_set)} usable training photos; need at least 2")
    log(f"photos: {len(train_set)} train, {len(test_set)} held out ({time.perf_counter() - started:.0f} s)")

    text_emb = torch.from_numpy(_title_embeddings(train_set.texts, settings))
    log(f"title embeddings: {tuple(text_emb.shape)} ({time.perf_counter() - started:.0f} s)")

    config = config or ModelConfig()
    config.embed_dim = int(text_emb.shape[1])
    config.heads = {attr: max(1, len(vocab.labels[attr])) for attr in ATTRIBUTES}
    model = CompactNet(config).to(memory_format=torch.channels_last)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model: {n_params / 1e6:.2f} M parameters, heads {config.heads}")

    full = torch.from_numpy(train_set.images)
    low = half_resolution(train_set.images)
    targets = {k: torch.from_numpy(v) for k, v in train_set.targets.items()}
    steps_per_epoch = math.ceil(len(train_set) / batch_size)
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}], lr=lr
    )
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=epochs * steps_per_epoch, pct_start=0.25
    )
    gen = torch.Generator().manual_seed(seed)
    n_neg = max(2, batch_size // 16)
    schedule = _resolution_schedule(epochs, low_res_share)
    for epoch in range(epochs):
        model.train()
        images = low if schedule[epoch] else full
        h, w = images.shape[1], images.shape[2]
        order = torch.randperm(len(train_set), generator=gen)
        totals: dict[str, float] = {}
        t0 = time.perf_counter()
        for step in range(steps_per_epoch):
            idx = order[step * batch_size : (step + 1) * batch_size]
            if len(idx) < 2:
                continue
            negatives = synthetic_negatives(n_neg, h, w, gen)
            x = augment(to_input(torch.cat([images[idx], negatives])), gen)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits, emb = model(x)
            n = len(idx)
            losses: dict[str, torch.Tensor] = {}
            for attr, weight in LOSS_WEIGHTS.items():
                y = targets[attr][idx]
                z = logits[attr].float()
                if (y >= 0).any():
                    losses[attr] = weight * F.cross_entropy(z[:n], y, ignore_index=-1, label_smoothing=0.1)
                # Outlier exposure: non-fashion images should spread probability evenly.
                losses[f"ood_{attr}"] = OUTLIER_WEIGHT * weight * -F.log_softmax(z[n:], dim=1).mean()
            img, txt = emb[:n], text_emb[idx]
            sim = model.logit_scale.exp().clamp(max=100) * img @ txt.T
            labels = torch.arange(n)
            losses["contrastive"] = (
                CONTRASTIVE_WEIGHT * 0.5 * (F.cross_entropy(sim, labels) + F.cross_entropy(sim.T, labels))
            )
            loss = sum(losses.values())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[union-attr]
            optimizer.step()
            scheduler.step()
            for k, v in losses.items():
                totals[k] = totals.get(k, 0.0) + float(v.detach())
        summary = " ".join(
            f"{k}={v / steps_per_epoch:.3f}" for k, v in totals.items() if not k.startswith("ood_")
        )
        log(
            f"epoch {epoch + 1}/{epochs} ({h}x{w}) {time.perf_counter() - t0:.0f} s: {summary} "
            f"(total {time.perf_counter() - started:.0f} s)"
        )
    train_seconds = time.perf_counter() - started
    model.eval()
    metrics = evaluate_photos(model, test_set, vocab, gallery=train_set) if len(test_set) else {}
    result = {
        "train_seconds": round(train_seconds, 1),
        "train_photos": len(train_set),
        "held_out_photos": len(test_set),
        "epochs": epochs,
        "seed": seed,
        "low_res_share": low_res_share,
        "parameters": n_params,
        "held_out": metrics,
    }
    save_checkpoint(model, vocab, result, out)
    result["weights_bytes"] = out.stat().st_size
    log(f"held out: {metrics}")
    log(f"saved {out} ({out.stat().st_size / 1e6:.2f} MB) after {train_seconds:.0f} s")
    return result


def split_photos(photos: PhotoSet, holdout: float = 0.1) -> tuple[PhotoSet, PhotoSet]:
    """(train, held-out) parts of a photo set by the id hash."""
    mask = np.array([is_held_out(pid, holdout) for pid in photos.ids], dtype=bool)
    return photos.subset(~mask), photos.subset(mask)
