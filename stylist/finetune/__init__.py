"""Fine-tuning the chat model on fashion dialogs and tool use (``stylist finetune``).

``data`` generates grounded dialogs from the catalog (train and held-out wordings),
``train`` trains a LoRA adapter. The trained adapter ships with serving, in
``stylist/llm/adapter`` (``SHIPPED_ADAPTER``); ``stylist.llm`` merges it into the base model
(``merge_adapter``) and serves that. Training depends on serving, never the reverse.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stylist.llm.model import SHIPPED_ADAPTER, merge_adapter

if TYPE_CHECKING:
    from stylist.finetune.train import TrainConfig
    from stylist.settings import Settings

__all__ = ["EVAL_COUNTS", "SHIPPED_ADAPTER", "TRAIN_COUNTS", "dialog_maker", "merge_adapter", "run_finetune"]

#: Dialogs per kind in the default training set.
TRAIN_COUNTS = {
    "search": 760,
    "nomatch": 100,
    "followup": 240,
    "look": 130,
    "photo": 50,
    "trend": 140,
    "chat": 80,
}
#: Held-out dialogs (other wordings) for the training report's eval loss.
EVAL_COUNTS = {"search": 12, "followup": 4, "look": 4, "trend": 4}


def dialog_maker(settings: Settings, split: str, seed: int = 0) -> Any:
    """A :class:`~stylist.finetune.data.DialogMaker` over the ingested catalog and the trend service."""
    from stylist.finetune.data import DialogMaker
    from stylist.prompts import load_prompt
    from stylist.retrieval import Retriever

    try:
        from stylist.trends.service import TrendService

        trends = TrendService(settings)
    except ImportError:
        trends = None
    system = load_prompt("system", shop_name=settings.shop_name, currency=settings.currency)
    return DialogMaker(Retriever(settings), trends, system, split, seed)


def run_finetune(settings: Settings, out_dir: Path, config: TrainConfig, scale: float = 1.0, call_only: float = 0.85,
                 resume: bool = True, progress: bool = True) -> dict[str, Any]:  # fmt: skip
    """Generate the dialogs, train the adapter, write ``out_dir/{adapter,report.json,*.jsonl}``."""
    from stylist.finetune.train import train
    from stylist.llm import prepare_model

    out_dir.mkdir(parents=True, exist_ok=True)
    base = settings.llm_model or prepare_model(settings, progress=progress)
    maker = dialog_maker(settings, "train", config.seed)
    dialogs = maker.make({k: max(1, round(v * scale)) for k, v in TRAIN_COUNTS.items()}, call_only=call_only)
    held = dialog_maker(settings, "heldout", config.seed).make(EVAL_COUNTS)
    for name, items in (("train.jsonl", dialogs), ("heldout.jsonl", held)):
        (out_dir / name).write_text("".join(d.to_json() + "\n" for d in items), encoding="utf-8")
    template = Path(settings.llm_chat_template).read_text(encoding="utf-8")
    report = train(
        Path(base), dialogs, held, maker.schemas, template, out_dir, config, resume=resume, progress=progress
    )
    report["kinds"] = {k: sum(1 for d in dialogs if d.kind == k) for k in TRAIN_COUNTS}
    report["call_only_share"] = call_only
    (out_dir / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    return report
