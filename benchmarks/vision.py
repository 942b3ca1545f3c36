"""Image model benchmark on held-out catalog photos (never trained on).

Measures article-type top-1/top-5, colour top-1, gender/usage/season accuracy,
the article-type precision@5 of visually similar catalog items (a real Chroma
image index of the training photos, queried per held-out photo as the image
service does, re-ranked by the photo's predicted article type), text-to-photo
precision@10, milliseconds to describe one photo end to end, and how the model
treats non-fashion images. Prints the figures and writes
benchmarks/results/vision.json.

    PYTHONPATH=. python benchmarks/vision.py [--catalog PATH] [--limit N]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stylist.catalog import load_catalog, resolve_catalog  # noqa: E402
from stylist.settings import Settings  # noqa: E402
from stylist.vision.data import is_held_out  # noqa: E402
from stylist.vision.service import ImageService  # noqa: E402
from vectorstore.images import ingest_images  # noqa: E402

TARGETS = {
    "article_type_top1": 0.85,
    "colour_top1": 0.65,
    "similar_article_type_p5": 0.80,
    "ms_per_image": 100.0,
}


def non_fashion_images(n: int, seed: int = 0) -> dict[str, list[bytes]]:
    """Synthetic non-fashion photos; 'shapes' and 'blur' are families never used in training."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng(seed)
    out: dict[str, list[bytes]] = {"noise": [], "gradient": [], "shapes": [], "blur": []}
    for _ in range(n):
        noise = Image.fromarray(rng.integers(0, 256, (240, 180, 3), dtype=np.uint8))
        t = np.linspace(0, 1, 180)[None, :, None]
        a, b = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
        grad = Image.fromarray(np.repeat((a * (1 - t) + b * t).astype(np.uint8), 240, axis=0))
        shapes = Image.new("RGB", (180, 240), tuple(int(v) for v in rng.integers(0, 256, 3)))
        draw = ImageDraw.Draw(shapes)
        for _ in range(6):
            x0, y0 = rng.integers(0, 150), rng.integers(0, 210)
            box = (int(x0), int(y0), int(x0 + rng.integers(10, 80)), int(y0 + rng.integers(10, 80)))
            fill = tuple(int(v) for v in rng.integers(0, 256, 3))
            (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=fill)
        blur = noise.filter(ImageFilter.GaussianBlur(6))
        for name, img in (("noise", noise), ("gradient", grad), ("shapes", shapes), ("blur", blur)):
            buf = io.BytesIO()
            img.save(buf, format="PNG")
            out[name].append(buf.getvalue())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=None, help="catalog file or sample folder")
    parser.add_argument("--limit", type=int, default=None, help="at most this many held-out photos")
    parser.add_argument("--gallery-limit", type=int, default=None, help="at most this many gallery photos")
    parser.add_argument("--timed", type=int, default=200, help="photos described one by one for the timing")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "vision.json")
    args = parser.parse_args()

    base = Settings()
    work = Path(tempfile.mkdtemp(prefix="stylist-vision-bench-"))
    settings = base.model_copy(update={"data_dir": work})
    path, _ = resolve_catalog(args.catalog or base.catalog_path, work)
    products = load_catalog(path, currency=settings.currency).products
    held = [p for p in products if is_held_out(p.id)]
    gallery = [p for p in products if not is_held_out(p.id)]
    if args.limit:
        held = held[: args.limit]
    if args.gallery_limit:
        gallery = gallery[: args.gallery_limit]
    service = ImageService(settings)
    backend = service.backend
    print(
        f"image model: {backend.space}; {len(held)} held-out photos, {len(gallery)} gallery photos",
        flush=True,
    )

    # 1. Attributes on the held-out photos (one batched model call per 256 photos).
    started = time.perf_counter()
    rows, embeddings = [], []
    for start in range(0, len(held), 256):
        chunk_rows, chunk_emb = service.analyse([p.image for p in held[start : start + 256]])
        rows += chunk_rows
        embeddings.append(chunk_emb)
    emb = np.concatenate(embeddings)
    batch_ms = (time.perf_counter() - started) * 1000 / len(held)

    def accuracy(attr: str, k: int = 1) -> float:
        scored = [
            (row[attr], getattr(p, attr)) for row, p in zip(rows, held, strict=True) if getattr(p, attr)
        ]
        return sum(truth in [label for label, _ in ranked[:k]] for ranked, truth in scored) / len(scored)

    figures: dict[str, float] = {
        "article_type_top1": accuracy("article_type"),
        "article_type_top5": accuracy("article_type", 5),
        "colour_top1": accuracy("colour"),
        "colour_top3": accuracy("colour", 3),
        "gender_top1": accuracy("gender"),
        "usage_top1": accuracy("usage"),
        "season_top1": accuracy("season"),
    }
    confident = [row["article_type"][0][1] >= settings.vision_confidence for row in rows]
    figures["held_out_confident_share"] = float(np.mean(confident))
    right = [row["article_type"][0][0] == p.article_type for row, p in zip(rows, held, strict=True)]
    figures["article_type_top1_when_confident"] = float(
        np.mean([r for r, c in zip(right, confident, strict=True) if c]) if any(confident) else float("nan")
    )

    # 2. Visual similarity through a real Chroma image index of the gallery photos.
    t0 = time.perf_counter()
    ingest_images(gallery, settings, embedder=service, progress=False, log=lambda m: None)
    figures["index_seconds"] = time.perf_counter() - t0
    by_id = {p.id: p for p in gallery}
    shares = []
    for vector, row, product in zip(emb, rows, held, strict=True):
        # As describe() and similar() search: re-ranked by the photo's article-type probabilities.
        hits = service.search_embedding(vector, k=5, article_types=dict(row["article_type"]))
        shares.append(np.mean([by_id[h["id"]].article_type == product.article_type for h in hits]))
    figures["similar_article_type_p5"] = float(np.mean(shares))
    plain = []  # the nearest photos alone, for comparison
    for vector, product in zip(emb, held, strict=True):
        hits = service.search_embedding(vector, k=5)
        plain.append(np.mean([by_id[h["id"]].article_type == product.article_type for h in hits]))
    figures["similar_article_type_p5_plain"] = float(np.mean(plain))

    # 3. Text to photo: the article type's name finds photos of that type.
    types = sorted(
        {p.article_type for p in gallery}, key=lambda t: -sum(p.article_type == t for p in gallery)
    )[:20]
    text_shares = []
    for name in types:
        hits = service.search_text(name, k=10)
        text_shares.append(np.mean([by_id[h["id"]].article_type == name for h in hits]))
    figures["text_to_photo_article_type_p10"] = float(np.mean(text_shares))

    # 4. End-to-end time to describe one photo (decode + model + similar-item query), one at a time.
    timed = held[: args.timed]
    service.describe(timed[0].image, k=10)  # warm-up
    times = []
    for product in timed:
        t = time.perf_counter()
        service.describe(product.image, k=10)
        times.append((time.perf_counter() - t) * 1000)
    figures["ms_per_image"] = statistics.median(times)
    figures["ms_per_image_p95"] = float(np.percentile(times, 95))
    figures["ms_per_image_batched"] = batch_ms

    # 5. Non-fashion photos: share described as not confident, per family.
    fakes = non_fashion_images(50)
    for family, images in fakes.items():
        results, _ = service.backend.analyse(np.stack([service.decode(img) for img in images]))
        flagged = [r["article_type"][0][1] < settings.vision_confidence for r in results]
        figures[f"non_fashion_{family}_flagged"] = float(np.mean(flagged))

    figures = {k: (None if v != v else round(v, 4)) for k, v in figures.items()}  # NaN is not JSON
    info = getattr(backend, "info", {})
    result = {
        "model": backend.space,
        "weights_bytes": settings.resolved_vision_weights().stat().st_size
        if settings.resolved_vision_weights().is_file() else None,
        "train_seconds": info.get("train_seconds"),
        "held_out_photos": len(held),
        "gallery_photos": len(gallery),
        "confidence_threshold": settings.vision_confidence,
        "threads": settings.vision_threads,
        "rerank_weight": settings.vision_rerank_weight,
        "figures": figures,
        "targets": TARGETS,
        "meets": {
            k: figures[k] is not None and (figures[k] <= v if k.startswith("ms") else figures[k] >= v)
            for k, v in TARGETS.items()
        },
        "load_average": os.getloadavg()[0],
    }  # fmt: skip
    for key, value in figures.items():
        target = TARGETS.get(key)
        print(f"{key:36} {value:>10}" + (f"   target {target}" if target is not None else ""))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
