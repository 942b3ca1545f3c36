"""The project's compact image network: a small residual CNN with one head per attribute
and a projection into the text embedding space (all-MiniLM-L6-v2, 384 dimensions).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from stylist.vision.data import Vocab


@dataclass
class ModelConfig:
    """Shape of the network; saved with the weights so a checkpoint rebuilds itself."""

    # Width and depth where the feature maps are small (10x8, 5x4) cost little time on a CPU.
    widths: tuple[int, ...] = (32, 64, 128, 256)
    blocks: tuple[int, ...] = (1, 1, 2, 2)
    embed_dim: int = 384
    dropout: float = 0.2
    heads: dict[str, int] = field(default_factory=dict)  # attribute -> number of labels

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ModelConfig:
        raw = dict(raw)
        raw["widths"] = tuple(raw["widths"])
        raw["blocks"] = tuple(raw["blocks"])
        return cls(**raw)


def to_input(images: torch.Tensor) -> torch.Tensor:
    """uint8 ``(B, H, W, 3)`` photos -> float ``(B, 3, H, W)`` network input.

    Inverted so the white studio background is 0: zero padding in the convolutions and
    in the augmentation's resampling then means "more background".
    """
    x = images.permute(0, 3, 1, 2).float()
    return (1.0 - x / 255.0).contiguous(memory_format=torch.channels_last)


class _Block(nn.Module):
    """A residual block of two 3x3 convolutions (the first may downsample)."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        # The last BN starts at zero so each block starts as the identity (trains faster).
        nn.init.zeros_(self.bn2.weight)
        self.skip: nn.Module = nn.Identity()
        if stride != 1 or cin != cout:
            self.skip = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)), inplace=True)
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.skip(x), inplace=True)


class CompactNet(nn.Module):
    """Attribute logits and a unit-length text-aligned embedding from one photo."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        w0 = config.widths[0]
        # A stride-2 stem: the 80x60 photo is processed at 40x30 from the start (4x cheaper).
        self.stem = nn.Sequential(
            nn.Conv2d(3, w0, 3, 2, 1, bias=False), nn.BatchNorm2d(w0), nn.ReLU(inplace=True)
        )
        layers: list[nn.Module] = []
        cin = w0
        for i, (width, n) in enumerate(zip(config.widths, config.blocks, strict=True)):
            for j in range(n):
                layers.append(_Block(cin, width, 2 if (j == 0 and i > 0) else 1))
                cin = width
        self.body = nn.Sequential(*layers)
        self.features = cin * 2  # average and max pooling concatenated
        self.dropout = nn.Dropout(config.dropout)
        self.heads = nn.ModuleDict({name: nn.Linear(self.features, n) for name, n in config.heads.items()})
        self.project = nn.Linear(self.features, config.embed_dim)
        # A learnable temperature for the contrastive loss (CLIP's recipe), started at 1/0.07.
        self.logit_scale = nn.Parameter(torch.tensor(2.659))

    def trunk(self, x: torch.Tensor) -> torch.Tensor:
        h = self.body(self.stem(x))
        return torch.cat([h.mean(dim=(2, 3)), h.amax(dim=(2, 3))], dim=1)

    def forward(self, x: torch.Tensor) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        """Returns ``({attribute: logits}, embedding)`` with the embedding L2-normalised."""
        f = self.trunk(x)
        d = self.dropout(f)
        logits = {name: head(d) for name, head in self.heads.items()}
        emb = F.normalize(self.project(f).float(), dim=-1)
        return logits, emb


@torch.no_grad()
def infer(
    model: CompactNet, images: torch.Tensor, *, flip: bool = True, batch_size: int = 256
) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """Attribute probabilities and embeddings for uint8 ``(B, H, W, 3)`` photos.

    With ``flip`` the mirrored photo is scored too and the two are averaged (garments
    are left-right symmetric in meaning; this steadies the prediction for a 2x cost).
    """
    model.eval()
    probs: dict[str, list[torch.Tensor]] = {}
    embs: list[torch.Tensor] = []
    for start in range(0, len(images), batch_size):
        x = to_input(images[start : start + batch_size])
        views = [x, x.flip(3)] if flip else [x]
        chunk_probs: dict[str, torch.Tensor] = {}
        chunk_emb = torch.zeros(len(x), model.config.embed_dim)
        for view in views:
            logits, emb = model(view)
            for name, z in logits.items():
                chunk_probs[name] = chunk_probs.get(name, 0) + z.float().softmax(-1) / len(views)
            chunk_emb += emb
        for name, p in chunk_probs.items():
            probs.setdefault(name, []).append(p)
        embs.append(F.normalize(chunk_emb, dim=-1))
    return {k: torch.cat(v) for k, v in probs.items()}, torch.cat(embs) if embs else torch.zeros(
        0, model.config.embed_dim
    )


# -- the weights file: written by training (stylist.vision.train), read by serving ---------------------
#: Marks a file as this network's weights.
CHECKPOINT_FORMAT = "stylist-compact-v1"


def save_checkpoint(model: CompactNet, vocab: Vocab, info: dict[str, Any], out: Path) -> None:
    """Write the weights (fp16, a few MB) with everything needed to rebuild the model."""
    state = {k: (v.half() if v.is_floating_point() else v) for k, v in model.state_dict().items()}
    payload = {
        "format": CHECKPOINT_FORMAT,
        "config": model.config.to_dict(),
        "labels": vocab.labels,
        "state_dict": state,
        "info": info,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    torch.save(payload, tmp)
    tmp.replace(out)


def load_checkpoint(path: Path) -> tuple[CompactNet, Vocab, dict[str, Any]]:
    """Rebuild a saved model (fp32 for inference) with its labels and training info."""
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if payload.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path} is not a stylist image model (format {payload.get('format')!r})")
    model = CompactNet(ModelConfig.from_dict(payload["config"]))
    model.load_state_dict(
        {k: v.float() if v.is_floating_point() else v for k, v in payload["state_dict"].items()}
    )
    model.eval()
    return model.to(memory_format=torch.channels_last), Vocab(payload["labels"]), payload.get("info", {})
