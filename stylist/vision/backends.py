"""Image models behind one small interface: the project's compact model or a local CLIP.

A backend turns decoded photos into attribute probabilities and unit-length
embeddings, and texts into embeddings of the same space (for text-to-photo search).
Which backend runs is decided once, from the settings, in :func:`build_backend`.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from stylist.errors import ExtraMissing, WeightsMissing
from stylist.vision.data import ATTRIBUTES, IMAGE_H, IMAGE_W, decode_image

if TYPE_CHECKING:
    from stylist.settings import Settings

#: ``[{attribute: [(label, probability), ...sorted high to low]}, ...]`` one dict per photo.
Attributes = list[dict[str, list[tuple[str, float]]]]


class ImageBackend(Protocol):
    """What the image service needs from a model."""

    #: Identifies the embedding space; stored with the image index so spaces never mix.
    space: str
    #: ``(height, width)`` photos are decoded to.
    input_size: tuple[int, int]

    def analyse(self, images: np.ndarray) -> tuple[Attributes, np.ndarray]:
        """Attribute probabilities and unit embeddings ``(N, D)`` for uint8 ``(N, H, W, 3)`` photos."""
        ...

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """Unit embeddings ``(N, D)`` of texts in the same space as the photos."""
        ...


def _ranked(probs: np.ndarray, labels: list[str]) -> list[tuple[str, float]]:
    order = np.argsort(-probs)
    return [(labels[i], float(probs[i])) for i in order]


class CompactBackend:
    """The project's own model (:mod:`stylist.vision.model`), aligned to MiniLM text embeddings."""

    input_size = (IMAGE_H, IMAGE_W)

    def __init__(self, weights: Path, settings: Settings) -> None:
        if not Path(weights).is_file():
            raise WeightsMissing(
                f"no image model at {weights}: run `stylist vision train` (about 12 minutes on one CPU thread) "
                "or set STYLIST_VISION_WEIGHTS / STYLIST_CLIP_MODEL"
            )
        import torch

        from stylist.vision.model import load_checkpoint

        torch.set_num_threads(max(1, settings.vision_threads))
        self.model, self.vocab, self.info = load_checkpoint(Path(weights))
        self.settings = settings
        # The file's hash is part of the space: retrained weights under the same name must
        # not be searched against an index their predecessor built.
        digest = hashlib.sha1(Path(weights).read_bytes()).hexdigest()[:8]
        self.space = f"compact:{Path(weights).name}:{digest}:{self.model.config.embed_dim}"
        self._text: object = None
        self._lock = threading.Lock()

    @property
    def labels(self) -> dict[str, list[str]]:
        return self.vocab.labels

    def analyse(self, images: np.ndarray) -> tuple[Attributes, np.ndarray]:
        import torch

        from stylist.vision.model import infer

        probs, emb = infer(self.model, torch.from_numpy(np.ascontiguousarray(images)))
        rows: Attributes = [{} for _ in range(len(images))]
        for attr, p in probs.items():
            values = p.numpy()
            for i in range(len(images)):
                rows[i][attr] = _ranked(values[i], self.vocab.labels[attr])
        return rows, emb.numpy()

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        from vectorstore.client import Embedder

        with self._lock:
            if self._text is None:
                self._text = Embedder(
                    self.settings.resolved_embedding_model(), self.settings.embedding_batch_size
                )
        return np.asarray(self._text.embed(texts), dtype=np.float32)  # type: ignore[attr-defined]


#: CLIP's published normalisation, used when the checkpoint folder has no preprocessor config.
_CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
_CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
_PROMPTS = {
    "article_type": "a photo of {}",
    "colour": "a photo of a {} product",
    "gender": "a product for {}",
    "usage": "a {} style product",
    "season": "a product for {}",
}


class ClipBackend:
    """A local CLIP or FashionCLIP checkpoint (transformers ``CLIPModel`` folder).

    Attributes are read zero-shot: each catalog label becomes a prompt, and the
    photo's similarity to the prompts, softmaxed with the model's own logit scale,
    is the label's probability.

    Args:
        path: the checkpoint folder (``config.json`` + weights; a tokenizer for texts).
        labels: label names per attribute (the catalog's own values).
        threads: CPU threads for torch.
    """

    def __init__(self, path: Path, labels: dict[str, list[str]], threads: int = 2) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        path = Path(path)
        if not (path / "config.json").is_file():
            raise WeightsMissing(f"{path} is not a CLIP checkpoint folder (no config.json)")
        import torch
        from transformers import AutoTokenizer, CLIPModel

        torch.set_num_threads(max(1, threads))
        self.model = CLIPModel.from_pretrained(str(path)).eval()
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        size = int(self.model.config.vision_config.image_size)
        self.input_size = (size, size)
        mean, std = _CLIP_MEAN, _CLIP_STD
        pre = path / "preprocessor_config.json"
        if pre.is_file():
            raw = json.loads(pre.read_text(encoding="utf-8"))
            mean, std = tuple(raw.get("image_mean", mean)), tuple(raw.get("image_std", std))
        self.mean = torch.tensor(mean).view(1, 3, 1, 1)
        self.std = torch.tensor(std).view(1, 3, 1, 1)
        self.space = f"clip:{path.resolve()}:{self.model.config.projection_dim}"
        self.labels = {a: list(labels.get(a, [])) for a in ATTRIBUTES}
        self._prompt_emb = {
            attr: self.embed_texts([_PROMPTS[attr].format(v.lower()) for v in values])
            for attr, values in self.labels.items()
            if values
        }

    def _image_features(self, images: np.ndarray) -> np.ndarray:
        import torch

        x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float() / 255.0
        x = (x - self.mean) / self.std
        with torch.no_grad():
            out = self.model.get_image_features(pixel_values=x)
        feats = out if isinstance(out, torch.Tensor) else out.pooler_output
        return torch.nn.functional.normalize(feats.float(), dim=-1).numpy()

    def analyse(self, images: np.ndarray) -> tuple[Attributes, np.ndarray]:
        emb = self._image_features(images)
        scale = float(self.model.logit_scale.detach().exp())
        rows: Attributes = [{} for _ in range(len(images))]
        for attr, prompts in self._prompt_emb.items():
            logits = scale * emb @ prompts.T
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            probs /= probs.sum(axis=1, keepdims=True)
            for i in range(len(images)):
                rows[i][attr] = _ranked(probs[i], self.labels[attr])
        return rows, emb

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        import torch

        batch = self.tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
        with torch.no_grad():
            out = self.model.get_text_features(**batch)
        feats = out if isinstance(out, torch.Tensor) else out.pooler_output
        return torch.nn.functional.normalize(feats.float(), dim=-1).numpy()


def build_backend(settings: Settings) -> ImageBackend:
    """The backend the settings ask for: a local CLIP when ``clip_model`` is set, else the compact model.

    Raises:
        WeightsMissing: the configured weights do not exist (with the command that makes them).
        ExtraMissing: torch is not installed (it comes with the ``cpu`` or ``gpu`` extra).
    """
    try:
        import torch  # noqa: F401 - every backend runs on torch
    except ImportError as exc:
        raise ExtraMissing("image model", "cpu", exc) from exc
    if settings.clip_model is not None:
        labels: dict[str, list[str]] = {}
        weights = settings.resolved_vision_weights()
        if weights.is_file():
            # The compact checkpoint carries the catalog's label lists; reuse them as CLIP prompts.
            import torch

            labels = torch.load(weights, map_location="cpu", weights_only=True)["labels"]
        else:
            from stylist.catalog import GENDERS, SEASONS

            labels = {"gender": list(GENDERS), "season": list(SEASONS)}
        return ClipBackend(settings.clip_model, labels, settings.vision_threads)
    return CompactBackend(settings.resolved_vision_weights(), settings)


def decode_for(backend: ImageBackend, source: object, settings: Settings) -> np.ndarray:
    """Decode one photo at the backend's input size with the configured limits."""
    return decode_image(
        source,  # type: ignore[arg-type]
        size=backend.input_size,
        max_bytes=settings.max_image_bytes,
    )
