"""Fine-tuning logic on a tiny random Llama: prefix caching, batching, checkpoints, merging, serving choice."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import torch
from peft import LoraConfig, get_peft_model
from transformers import LlamaConfig, LlamaForCausalLM

from stylist.finetune.data import Dialog
from stylist.finetune.train import (
    TARGET_MODULES,
    Example,
    _checkpoint,
    batches,
    collate,
    forward_loss,
    save_adapter,
)
from stylist.llm import ModelError, merge_adapter, serving_model
from stylist.settings import Settings

sys_path = Path(__file__).resolve().parents[2] / "benchmarks"


def tiny_llama() -> LlamaForCausalLM:
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128)  # fmt: skip
    return LlamaForCausalLM(config).eval()


def test_prefix_cached_loss_equals_the_full_sequence_loss() -> None:
    model = tiny_llama()
    prefix = torch.randint(0, 64, (1, 9))
    examples = [Example([5, 6, 7, 8, 9], [-100, -100, 7, 8, 9]), Example([10, 11, 12], [-100, 11, 12])]
    ids, labels, mask = collate(examples, [0, 1], pad_id=0)
    with torch.no_grad():
        cached = forward_loss(model, prefix, ids, labels, mask)
        total, count = 0.0, 0
        for e in examples:
            full = torch.cat([prefix, torch.tensor([e.ids])], dim=1)
            lab = torch.tensor([[-100] * prefix.shape[1] + e.labels])
            n = sum(1 for x in e.labels[1:] if x != -100)
            total += float(model(input_ids=full, labels=lab).loss) * n
            count += n
    assert float(cached) == pytest.approx(total / count, rel=1e-5)


def test_collate_pads_right_and_masks_padding_out_of_the_loss() -> None:
    ids, labels, mask = collate([Example([1, 2, 3], [-100, 2, 3]), Example([4], [4])], [0, 1], pad_id=0)
    assert ids.tolist() == [[1, 2, 3], [4, 0, 0]]
    assert labels.tolist() == [[-100, 2, 3], [4, -100, -100]]
    assert mask.tolist() == [[1, 1, 1], [1, 0, 0]]


def test_batches_cover_every_example_once_and_group_similar_lengths() -> None:
    rng = random.Random(0)
    examples = [Example([0] * n, [0] * n) for n in [rng.randint(1, 500) for _ in range(200)]]
    plan = batches(examples, 8, random.Random(1))
    assert sorted(i for b in plan for i in b) == list(range(200))
    spread = [max(len(examples[i].ids) for i in b) - min(len(examples[i].ids) for i in b) for b in plan]
    assert sum(spread) / len(spread) < 100  # random batches of 8 would spread ~390 tokens
    assert batches(examples, 8, random.Random(1)) == plan  # seeded


def test_batches_keep_to_the_token_budget_and_fill_up_with_short_dialogs() -> None:
    examples = [Example([0] * n, [0] * n) for n in [60] * 64 + [450] * 16]
    plan = batches(examples, 16, random.Random(0), max_tokens=2048)
    assert sorted(i for b in plan for i in b) == list(range(80))
    widths = [(len(b), max(len(examples[i].ids) for i in b)) for b in plan]
    assert all(n * w <= 2048 for n, w in widths)
    assert max(n for n, w in widths if w == 60) == 16  # short ones fill a batch
    assert max(n for n, w in widths if w == 450) == 4  # long ones come four at a time


def lora(model: LlamaForCausalLM):
    peft_model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=TARGET_MODULES))
    with torch.no_grad():  # a trained adapter: B is no longer zero
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.5)
    return peft_model


def test_a_merged_model_answers_like_base_plus_adapter(tmp_path: Path) -> None:
    base_dir, adapter_dir, merged_dir = tmp_path / "base", tmp_path / "adapter", tmp_path / "merged"
    tiny_llama().save_pretrained(base_dir)
    _save_tokenizer(base_dir)
    peft_model = lora(LlamaForCausalLM.from_pretrained(base_dir))
    save_adapter(peft_model, adapter_dir)
    assert json.loads((adapter_dir / "adapter_config.json").read_text())["r"] == 4
    merge_adapter(base_dir, adapter_dir, merged_dir)
    ids = torch.randint(0, 64, (1, 12))
    merged = LlamaForCausalLM.from_pretrained(merged_dir, dtype=torch.float32).eval()
    base = LlamaForCausalLM.from_pretrained(base_dir).eval()
    with torch.no_grad():
        want = peft_model.eval()(input_ids=ids).logits
        got = merged(input_ids=ids).logits
        plain = base(input_ids=ids).logits
    assert (got - want).abs().max() < 0.05  # bf16 weights
    assert (plain - want).abs().max() > 0.1  # the adapter changed something


def test_a_checkpoint_is_swapped_in_whole(tmp_path: Path) -> None:
    model = lora(tiny_llama())
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad])
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 1.0)
    ckpt = tmp_path / "checkpoint"
    _checkpoint(model, optimizer, scheduler, {"step": 3}, ckpt)
    _checkpoint(model, optimizer, scheduler, {"step": 6}, ckpt)
    assert json.loads((ckpt / "state.json").read_text()) == {"step": 6}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint"]  # no .tmp or .old left


def test_dialog_until_last_call_drops_the_result_and_the_answer() -> None:
    call = {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"function": {"name": "search_catalog", "arguments": {}}}],
    }
    dialog = Dialog([{"role": "system", "content": "s"}, {"role": "user", "content": "u"}, call,
                     {"role": "tool", "content": "r"}, {"role": "assistant", "content": "a"}], "search", {"tool": "x"})  # fmt: skip
    cut = dialog.until_last_call()
    assert cut.messages[-1] is call and len(cut.messages) == 3
    assert cut.truth == {"tool": "x", "call_only": True}


def test_serving_model_merges_the_adapter_once_and_can_serve_the_base(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import stylist.llm.model as model_module

    base_dir = tmp_path / "base"
    tiny_llama().save_pretrained(base_dir)
    _save_tokenizer(base_dir)
    adapter = tmp_path / "adapter"
    save_adapter(lora(LlamaForCausalLM.from_pretrained(base_dir)), adapter)
    monkeypatch.setattr(model_module, "prepare_model", lambda settings, progress=True: base_dir)
    monkeypatch.setattr(model_module, "check_model_dir", lambda path: path)
    settings = Settings(data_dir=tmp_path / "data", llm_adapter=adapter)
    first = serving_model(settings, progress=False)
    assert first != base_dir and (first / "config.json").is_file() and "-tuned-" in first.name
    stamp = (first / "config.json").stat().st_mtime_ns
    assert serving_model(settings, progress=False) == first
    assert (first / "config.json").stat().st_mtime_ns == stamp  # merged once
    assert serving_model(settings.model_copy(update={"llm_finetuned": False}), progress=False) == base_dir
    with pytest.raises(ModelError, match="STYLIST_LLM_FINETUNED=false"):
        serving_model(settings.model_copy(update={"llm_adapter": tmp_path / "nothing"}), progress=False)


def test_the_benchmark_compares_constraint_arguments_as_values() -> None:
    import sys

    sys.path.insert(0, str(sys_path))
    from finetune import exact_args, repeats, score_call  # benchmarks/finetune.py

    want = {"query": "black dress", "gender": "Women", "price_max": 2000.0}
    assert exact_args({"query": "a dress", "gender": "women", "price_max": 2000}, want)
    assert exact_args({"gender": "Women", "price_max": "2000"}, want)
    assert not exact_args({"gender": "Women"}, want)  # the budget was dropped
    assert not exact_args(
        {"gender": "Women", "price_max": 2000, "colour": "Red"}, want
    )  # an invented constraint
    assert repeats("Nice shirt. Nice shirt.") and not repeats("Nice shirt. Good jeans.")
    # An invented occasion fails the strict figure, not the one on the five constraints.
    call = {
        "name": "search_catalog",
        "arguments": '{"gender": "Women", "price_max": 2000, "usage": "Casual"}',
    }
    assert score_call(call, {"name": "search_catalog", "arguments": want}) == {
        "exact_args": False, "exact_named_args": True}  # fmt: skip
    assert score_call(dict(call, name="complete_the_look"), {"name": "search_catalog", "arguments": want}) == {
        "exact_args": False, "exact_named_args": False}  # fmt: skip
    assert score_call(None, {"name": "search_catalog", "arguments": want})["exact_named_args"] is False


def _save_tokenizer(folder: Path) -> None:
    """merge_adapter copies the base model's tokenizer; a tiny word-level one stands in."""
    from tokenizers import Tokenizer, models
    from transformers import PreTrainedTokenizerFast

    vocab = {f"t{i}": i for i in range(64)}
    fast = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.WordLevel(vocab, unk_token="t0")))
    fast.save_pretrained(folder)


def test_trend_dialogs_answer_with_the_trend_tools_own_answer() -> None:
    """The trained answer is what the agent shows: the tool's shopper-terms answer, nothing raw."""
    from types import SimpleNamespace

    from stylist.finetune.data import DialogMaker
    from stylist.trends.service import forecast_view
    from tests.fakes import CatalogFake, product

    products = [
        product("1", "Jeans", "Blue", "Men"),
        product("2", "Kurtas", "White"),
        product("3", "Tops", "Red"),
    ]

    class Retriever(CatalogFake):
        def snapshot(self) -> SimpleNamespace:
            return SimpleNamespace(ids=[p["id"] for p in products], metas=products)

    meta = {"trend": "Jeans in Men's Apparel, Winter", "source": "catalog", "gender": "Men", "category": "Apparel",
            "season": "Winter", "kind": "article_type", "value": "Jeans", "unit": "share", "status": "rising",
            "change": 0.12, "interval_lo": 0.04, "interval_hi": 0.2, "last_mean": 0.2, "next_mean": 0.224,
            "last_period": "2017", "chart": "", "detail": "Jeans: rising."}  # fmt: skip
    forecast = forecast_view(
        "Share of listings 20.0% in 2017 (18.0% in 2016); forecast for 2018: 22.4%.", meta
    )

    class Trends:
        def lookup(self, query: str, request: Any, k: int = 3) -> list[dict[str, Any]]:
            return [forecast]

    for split in ("train", "heldout"):
        dialogs = DialogMaker(Retriever(products), Trends(), "system", split, seed=1).make({"trend": 4})
        assert len(dialogs) == 4
        for dialog in dialogs:
            result, answer = dialog.messages[-2], dialog.messages[-1]
            assert result["role"] == "tool" and answer["role"] == "assistant"
            assert answer["content"] == result["content"]  # the tool's text is the answer
            assert "men's jeans are on the rise" in answer["content"]
            assert "share of listings" not in answer["content"].lower() and "Apparel" not in answer["content"]
    # Without a trend service the dialog says so instead of claiming a trend.
    dialog = DialogMaker(Retriever(products), None, "system", "train", seed=1).make({"trend": 1})[0]
    assert "no trend forecast" in dialog.messages[-1]["content"]
