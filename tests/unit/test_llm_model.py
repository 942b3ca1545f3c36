"""prepare_model: a configured folder is checked and used as-is; the bundled one is converted once, atomically."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from stylist.llm import ModelError, bundled_gguf, check_model_dir, prepare_model
from stylist.llm import model as model_module
from stylist.settings import Settings


def write_model(folder: Path, config: object = None) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps(config or {"architectures": ["LlamaForCausalLM"]}))
    (folder / "model.safetensors").write_bytes(b"\0")
    (folder / "tokenizer.json").write_text("{}")
    return folder


@pytest.fixture
def conversions(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, Path]]:
    """Replace the slow GGUF conversion with one that writes a minimal model folder."""
    calls: list[tuple[Path, Path]] = []

    def fake_convert(gguf: Path, out: Path, progress: bool) -> None:
        calls.append((gguf, out))
        write_model(out)

    monkeypatch.setattr(model_module, "_convert_gguf", fake_convert)
    return calls


def test_the_bundled_gguf_is_found() -> None:
    path = bundled_gguf()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.stat().st_size > 50_000_000


def test_a_configured_model_folder_is_used_as_is(tmp_path: Path, conversions: list) -> None:
    folder = write_model(tmp_path / "llama")
    assert prepare_model(Settings(llm_model=folder)) == folder.resolve()
    assert conversions == []


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.mkdir(), "no config.json"),
        (lambda p: (p.mkdir(), (p / "config.json").write_text("{oops")), "not readable JSON"),
        (lambda p: (p.mkdir(), (p / "config.json").write_text("{}")), "names no model architecture"),
        (
            lambda p: (p.mkdir(), (p / "config.json").write_text('{"architectures": ["LlamaForCausalLM"]}')),
            "has no weights",
        ),
        (
            lambda p: (
                p.mkdir(),
                (p / "config.json").write_text('{"architectures": ["LlamaForCausalLM"]}'),
                (p / "model.safetensors").write_bytes(b"\0"),
            ),
            "has no tokenizer",
        ),
    ],
)
def test_a_bad_configured_folder_is_a_clear_error(
    tmp_path: Path, setup, message: str, conversions: list
) -> None:
    folder = tmp_path / "llama"
    setup(folder)
    with pytest.raises(ModelError, match=message):
        prepare_model(Settings(llm_model=folder))
    assert conversions == []


def test_the_bundled_model_is_converted_once_into_the_models_dir(tmp_path: Path, conversions: list) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = prepare_model(settings, progress=False)
    second = prepare_model(settings, progress=False)
    assert first == second == (tmp_path / "data" / "models" / "smollm2-135m-instruct-bf16").resolve()
    assert len(conversions) == 1
    gguf, written_to = conversions[0]
    assert gguf == bundled_gguf()
    # Written aside, then renamed into place.
    assert written_to.parent == first.parent and written_to.name.startswith(
        ".smollm2-135m-instruct-bf16.tmp-"
    )
    assert not written_to.exists()
    assert check_model_dir(first) == first


def test_model_cache_dir_overrides_the_data_dir(tmp_path: Path, conversions: list) -> None:
    settings = Settings(data_dir=tmp_path / "data", model_cache_dir=tmp_path / "cache")
    assert prepare_model(settings, progress=False).parent == (tmp_path / "cache").resolve()


def test_a_failed_conversion_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def half_then_fail(gguf: Path, out: Path, progress: bool) -> None:
        out.mkdir(parents=True)
        (out / "config.json").write_text("{}")
        raise ModelError("disk full")

    monkeypatch.setattr(model_module, "_convert_gguf", half_then_fail)
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(ModelError, match="disk full"):
        prepare_model(settings, progress=False)
    assert list((tmp_path / "models").iterdir()) == []


def test_leftovers_of_a_killed_conversion_are_removed(tmp_path: Path, conversions: list) -> None:
    models = tmp_path / "models"
    dead = write_model(models / ".smollm2-135m-instruct-bf16.tmp-999999999-abcd")  # no such pid
    prepare_model(Settings(data_dir=tmp_path), progress=False)
    assert not dead.exists()
    assert sorted(p.name for p in models.iterdir()) == ["smollm2-135m-instruct-bf16"]


def test_cli_model_prepare_prints_the_folder_and_shows_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from stylist.cli import app

    def fake_convert(gguf: Path, out: Path, progress: bool) -> None:
        assert progress is True
        print("[1/3] loading", file=sys.stderr)
        write_model(out)

    monkeypatch.setattr(model_module, "_convert_gguf", fake_convert)
    monkeypatch.setenv("STYLIST_MODEL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("STYLIST_LLM_FINETUNED", "false")  # the merge is tested in test_finetune.py
    result = CliRunner().invoke(app, ["model", "prepare"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str((tmp_path / "cache" / "smollm2-135m-instruct-bf16").resolve())
    assert "[1/3] loading" in result.stderr


def test_cli_model_prepare_rejects_a_bad_configured_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from stylist.cli import app

    monkeypatch.setenv("STYLIST_LLM_MODEL", str(tmp_path / "missing"))
    result = CliRunner().invoke(app, ["model", "prepare"])
    assert result.exit_code == 2
    assert "missing does not exist" in result.stderr
