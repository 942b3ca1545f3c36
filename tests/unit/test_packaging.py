"""What the wheel needs: prompts as package data, and an installed package that is never written to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import prompts
import stylist.finetune
import stylist.settings
from stylist.cli import app
from stylist.prompts import load_prompt
from stylist.settings import Settings


def test_prompts_and_the_chat_template_are_read_from_the_prompts_package() -> None:
    assert Settings().llm_chat_template == prompts.path(prompts.CHAT_TEMPLATE)
    assert Settings().llm_chat_template.is_file()
    assert "<tool_call>" in prompts.text(prompts.CHAT_TEMPLATE)
    assert load_prompt("system", shop_name="Shop", currency="EUR").strip()
    with pytest.raises(FileNotFoundError, match="no prompt named 'nope'"):
        load_prompt("nope")


def test_the_package_data_lists_every_prompt_file() -> None:
    import tomllib

    config = tomllib.loads((stylist.settings.PROJECT_ROOT / "pyproject.toml").read_text())
    setuptools = config["tool"]["setuptools"]
    assert "prompts" in setuptools["packages"]["find"]["include"]
    patterns = setuptools["package-data"]["prompts"]
    folder = prompts.path("")
    shipped = {p.name for pattern in patterns for p in folder.glob(pattern)}
    assert shipped == {p.name for p in folder.iterdir() if p.suffix not in {".py", ""} and p.is_file()}
    assert {"system.md", "chat_template.jinja"} <= shipped


@pytest.fixture
def fake_training(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """``run_finetune`` replaced by one that writes an adapter and a report at once; returns the shipped folder."""

    def run_finetune(settings, out: Path, config, **kwargs) -> dict:
        (out / "adapter").mkdir(parents=True, exist_ok=True)
        (out / "adapter" / "adapter_config.json").write_text("{}")
        (out / "report.json").write_text(json.dumps({"steps": 1}))
        return {"steps": 1}

    shipped = tmp_path / "shipped-adapter"
    shipped.mkdir()
    (shipped / "old.bin").write_text("old")
    monkeypatch.setattr(stylist.finetune, "run_finetune", run_finetune)
    monkeypatch.setattr(stylist.finetune, "SHIPPED_ADAPTER", shipped)
    return shipped


def test_ship_in_a_checkout_replaces_the_shipped_adapter(
    fake_training: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(stylist.settings, "source_checkout", lambda: True)
    result = CliRunner().invoke(app, ["finetune", "--out", str(tmp_path / "run"), "--ship"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in fake_training.iterdir()) == ["adapter_config.json", "report.json"]


def test_ship_from_an_installed_package_is_refused_before_training(
    fake_training: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(stylist.settings, "source_checkout", lambda: False)
    result = CliRunner().invoke(app, ["finetune", "--out", str(tmp_path / "run"), "--ship"])
    assert result.exit_code == 2
    assert f"STYLIST_LLM_ADAPTER={tmp_path / 'run' / 'adapter'}" in result.output
    assert not (tmp_path / "run").exists()  # nothing trained
    assert [p.name for p in fake_training.iterdir()] == ["old.bin"]  # the package is untouched


def test_without_ship_an_installed_package_trains_into_out(
    fake_training: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(stylist.settings, "source_checkout", lambda: False)
    result = CliRunner().invoke(app, ["finetune", "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run" / "adapter" / "adapter_config.json").is_file()
    assert [p.name for p in fake_training.iterdir()] == ["old.bin"]


def test_this_checkout_is_a_source_checkout() -> None:
    assert stylist.settings.source_checkout()
