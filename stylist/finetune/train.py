"""LoRA fine-tuning of the chat model on the generated dialogs (PEFT, plain PyTorch), and merging.

Every dialog starts with the same system prompt and tool schemas (about 1,200 tokens of a
1,500-token dialog). Training computes that shared prefix once per step without gradients
(under the current adapter weights) and trains on the rest of each dialog against it, which
makes a step about three times cheaper on a CPU. Only the assistant's tokens (what the served
model generates: tool calls and answers) carry loss; the chat template marks them.

The run is seeded, shows progress, checkpoints every ``checkpoint_every`` steps and resumes
from the last checkpoint, and writes the adapter (bf16 safetensors) and ``report.json``.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass
class TrainConfig:
    """Knobs of one fine-tuning run (recorded in the report)."""

    epochs: float = 1.0
    batch_size: int = 16
    batch_tokens: int = 2048  # a batch holds at most this many (padded) dialog tokens besides the prefix
    lr: float = 1e-3
    warmup_steps: int = 10
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    max_suffix_tokens: int = 1024
    seed: int = 0
    threads: int = 0  # 0: torch's default
    checkpoint_every: int = 20
    bf16: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Example:
    ids: list[int]
    labels: list[int]


def tokenize_dialogs(dialogs: list[Any], tokenizer: Any, tools: list[dict], template: str, max_suffix: int) -> tuple[list[int], list[Example], int]:  # fmt: skip
    """The shared prefix's ids, each dialog's remaining ids with labels, and how many were cut.

    Labels are -100 except on assistant tokens. Dialogs whose remainder is longer than
    ``max_suffix`` tokens are left out (counted in the third value).
    """
    rendered = []
    for dialog in dialogs:
        out = tokenizer.apply_chat_template(
            dialog.messages, tools=tools, chat_template=template, tokenize=True, return_dict=True,
            return_assistant_tokens_mask=True,
        )  # fmt: skip
        rendered.append((list(out["input_ids"]), list(out["assistant_masks"])))
    prefix = rendered[0][0]
    for ids, _ in rendered[1:]:
        n = 0
        while n < min(len(prefix), len(ids)) and prefix[n] == ids[n]:
            n += 1
        prefix = prefix[:n]
    # Stop the shared prefix at the end of the system turn, a clean cut between turns.
    end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    cut = max(i for i, t in enumerate(prefix) if t == end) + 2 if end in prefix else 0
    prefix = prefix[:cut]
    examples, dropped = [], 0
    for ids, mask in rendered:
        ids_rest, mask_rest = ids[cut:], mask[cut:]
        if len(ids_rest) > max_suffix:
            dropped += 1
            continue
        labels = [t if m else -100 for t, m in zip(ids_rest, mask_rest, strict=True)]
        examples.append(Example(ids_rest, labels))
    return prefix, examples, dropped


def batches(examples: list[Example], batch_size: int, rng: random.Random, max_tokens: int | None = None) -> list[list[int]]:  # fmt: skip
    """Shuffled batches of similar lengths (less padding), as lists of example indexes.

    A batch holds at most ``batch_size`` examples and, with ``max_tokens``, at most that many
    padded tokens: short call-only dialogs share a batch by the dozen, long ones come a few at a
    time, so memory stays bounded whatever the mix.
    """
    order = list(range(len(examples)))
    rng.shuffle(order)
    pool = batch_size * 8
    out: list[list[int]] = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda i: len(examples[i].ids))
        batch: list[int] = []
        for i in chunk:
            width = len(examples[i].ids)  # sorted: the newest is the longest
            if batch and (len(batch) == batch_size or (max_tokens and width * (len(batch) + 1) > max_tokens)):
                out.append(batch)
                batch = []
            batch.append(i)
        if batch:
            out.append(batch)
    rng.shuffle(out)
    return out


def collate(examples: list[Example], index: list[int], pad_id: int) -> tuple[Any, Any, Any]:
    import torch

    width = max(len(examples[i].ids) for i in index)
    ids = torch.full((len(index), width), pad_id, dtype=torch.long)
    labels = torch.full((len(index), width), -100, dtype=torch.long)
    mask = torch.zeros((len(index), width), dtype=torch.long)
    for row, i in enumerate(index):
        n = len(examples[i].ids)
        ids[row, :n] = torch.tensor(examples[i].ids)
        labels[row, :n] = torch.tensor(examples[i].labels)
        mask[row, :n] = 1
    return ids, labels, mask


def forward_loss(model: Any, prefix: Any, ids: Any, labels: Any, mask: Any) -> Any:
    """Causal-LM loss on ``ids`` continuing ``prefix`` (prefix computed without gradients)."""
    import torch

    batch, width = ids.shape
    plen = prefix.shape[1]
    with torch.no_grad():
        cache = model(input_ids=prefix, use_cache=True).past_key_values
    cache.batch_repeat_interleave(batch)
    attention = torch.cat([torch.ones((batch, plen), dtype=mask.dtype), mask], dim=1)
    positions = torch.arange(plen, plen + width).unsqueeze(0).expand(batch, -1)
    causal_lm = model.get_base_model() if hasattr(model, "get_base_model") else model
    hidden = causal_lm.model(input_ids=ids, attention_mask=attention, position_ids=positions,
                             past_key_values=cache, use_cache=False).last_hidden_state  # fmt: skip
    # The vocabulary projection only where there is a label: most positions have none.
    target = labels[:, 1:]
    keep = target != -100
    logits = causal_lm.lm_head(hidden[:, :-1][keep]).float()
    return torch.nn.functional.cross_entropy(logits, target[keep])


def train(base_dir: Path, train_dialogs: list[Any], eval_dialogs: list[Any], tools: list[dict], template: str,
          out_dir: Path, config: TrainConfig, *, resume: bool = True, progress: bool = True) -> dict[str, Any]:  # fmt: skip
    """Train a LoRA adapter on ``train_dialogs``; write ``out_dir/adapter`` and ``out_dir/report.json``."""
    import torch
    from peft import LoraConfig, get_peft_model, set_peft_model_state_dict
    from tqdm import tqdm
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(config.seed)
    # Explicitly: the catalog's query path pins torch to one thread for serving.
    torch.set_num_threads(config.threads or os.cpu_count() or 1)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    prefix_ids, examples, cut = tokenize_dialogs(
        train_dialogs, tokenizer, tools, template, config.max_suffix_tokens
    )
    _, eval_examples, _ = tokenize_dialogs(eval_dialogs, tokenizer, tools, template, config.max_suffix_tokens)
    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    model = get_peft_model(model, LoraConfig(r=config.rank, lora_alpha=config.alpha, lora_dropout=config.dropout,
                                             target_modules=TARGET_MODULES, task_type="CAUSAL_LM"))  # fmt: skip
    prefix = torch.tensor([prefix_ids])
    rng = random.Random(config.seed)
    epochs = math.ceil(config.epochs)
    plan = [b for _ in range(epochs) for b in batches(examples, config.batch_size, rng, config.batch_tokens)]
    plan = plan[: max(1, round(len(plan) * config.epochs / epochs))]
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=0.0)
    total = len(plan)

    def lr_at(step: int) -> float:
        if step < config.warmup_steps:
            return (step + 1) / config.warmup_steps
        return 0.5 * (
            1 + math.cos(math.pi * (step - config.warmup_steps) / max(1, total - config.warmup_steps))
        )

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_at)
    ckpt = out_dir / "checkpoint"
    state = {"step": 0, "losses": [], "seconds": 0.0, "tokens": 0}
    if resume and (ckpt / "state.json").is_file():
        from safetensors.torch import load_file

        state = json.loads((ckpt / "state.json").read_text())
        set_peft_model_state_dict(model, load_file(ckpt / "adapter.safetensors"))
        optimizer.load_state_dict(torch.load(ckpt / "optimizer.pt", weights_only=True))
        scheduler.load_state_dict(torch.load(ckpt / "scheduler.pt", weights_only=True))
        torch.set_rng_state(torch.load(ckpt / "torch_rng.pt", weights_only=True))
    model.train()
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    bar = tqdm(total=total, initial=state["step"], desc="fine-tuning", unit="step", disable=not progress)
    started = time.perf_counter() - state["seconds"]
    for step in range(state["step"], total):
        ids, labels, mask = collate(examples, plan[step], pad)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=config.bf16):
            loss = forward_loss(model, prefix, ids, labels, mask)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        state["losses"].append(round(float(loss), 4))
        state["tokens"] += int(mask.sum()) + prefix.shape[1]
        state["step"] = step + 1
        state["seconds"] = time.perf_counter() - started
        bar.set_postfix(loss=f"{float(loss):.3f}")
        bar.update(1)
        if state["step"] % config.checkpoint_every == 0 and state["step"] < total:
            _checkpoint(model, optimizer, scheduler, state, ckpt)
    bar.close()
    model.eval()
    eval_loss = evaluate(model, prefix, eval_examples, pad, config)
    adapter = out_dir / "adapter"
    save_adapter(model, adapter)
    report = {
        "base_model": Path(base_dir).name,  # a folder name: the report ships with the adapter
        "config": asdict(config),
        "train_dialogs": len(train_dialogs),
        "train_examples": len(examples),
        "left_out_too_long": cut,
        "eval_dialogs": len(eval_examples),
        "prefix_tokens": len(prefix_ids),
        "suffix_tokens_mean": round(sum(len(e.ids) for e in examples) / max(1, len(examples)), 1),
        "steps": total,
        "train_seconds": round(state["seconds"], 1),
        "train_tokens_per_s": round(state["tokens"] / max(state["seconds"], 1e-9), 1),
        "loss_first10": round(sum(state["losses"][:10]) / max(1, len(state["losses"][:10])), 4),
        "loss_last10": round(sum(state["losses"][-10:]) / max(1, len(state["losses"][-10:])), 4),
        "eval_loss": round(eval_loss, 4),
        "adapter_bytes": sum(f.stat().st_size for f in adapter.iterdir()),
        "threads": int(torch.get_num_threads()),
    }
    (out_dir / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    shutil.rmtree(ckpt, ignore_errors=True)
    return report


def evaluate(model: Any, prefix: Any, examples: list[Example], pad: int, config: TrainConfig) -> float:
    """Mean loss on held-out dialogs (assistant tokens only)."""
    import torch

    if not examples:
        return float("nan")
    losses = []
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=config.bf16):
        for start in range(0, len(examples), config.batch_size):
            index = list(range(start, min(start + config.batch_size, len(examples))))
            losses.append(float(forward_loss(model, prefix, *collate(examples, index, pad))))
    return sum(losses) / len(losses)


def _checkpoint(model: Any, optimizer: Any, scheduler: Any, state: dict[str, Any], ckpt: Path) -> None:
    """Write a resumable checkpoint aside, then swap it in (a kill mid-write keeps the last one)."""
    import torch
    from peft import get_peft_model_state_dict
    from safetensors.torch import save_file

    tmp = ckpt.with_name(ckpt.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_file(
        {k: v.contiguous() for k, v in get_peft_model_state_dict(model).items()}, tmp / "adapter.safetensors"
    )
    torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
    torch.save(scheduler.state_dict(), tmp / "scheduler.pt")
    torch.save(torch.get_rng_state(), tmp / "torch_rng.pt")
    (tmp / "state.json").write_text(json.dumps(state))
    old = ckpt.with_name(ckpt.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if ckpt.exists():
        os.replace(ckpt, old)
    os.replace(tmp, ckpt)
    shutil.rmtree(old, ignore_errors=True)


def save_adapter(model: Any, path: Path) -> None:
    """The adapter as PEFT (and vLLM) read it, in bf16 (half the size of fp32)."""
    import torch

    tmp = path.with_name(path.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    from safetensors.torch import load_file, save_file

    (tmp / "README.md").unlink(missing_ok=True)  # PEFT's empty model-card template
    weights = tmp / "adapter_model.safetensors"
    save_file({k: v.to(torch.bfloat16) for k, v in load_file(weights).items()}, weights)
    config = json.loads((tmp / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = "SmolLM2-135M-Instruct"  # not a local path: the adapter ships
    (tmp / "adapter_config.json").write_text(json.dumps(config, indent=2) + "\n")
    shutil.rmtree(path, ignore_errors=True)
    os.replace(tmp, path)
