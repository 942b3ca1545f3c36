"""The one settings object: precedence and documentation of every field."""

from __future__ import annotations

from pathlib import Path

import pytest

from stylist import settings as settings_module
from stylist.settings import PROJECT_ROOT, Settings, source_checkout


def test_every_field_has_a_default_and_a_description() -> None:
    for name, info in Settings.model_fields.items():
        assert info.description and len(info.description) > 10, f"{name} has no description"
        assert not info.is_required(), f"{name} has no default"


def test_explicit_argument_beats_env_which_beats_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STYLIST_DENSE_CANDIDATES", raising=False)
    assert Settings().dense_candidates == Settings.model_fields["dense_candidates"].default == 60
    monkeypatch.setenv("STYLIST_DENSE_CANDIDATES", "80")
    assert Settings().dense_candidates == 80
    assert Settings(dense_candidates=25).dense_candidates == 25


def test_env_values_are_parsed_into_their_types(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STYLIST_CHROMA_URL", "http://127.0.0.1:8123")
    monkeypatch.setenv("STYLIST_CATALOG_PATH", str(tmp_path / "shop.csv"))
    monkeypatch.setenv("STYLIST_FX_RATES", '{"INR": 1, "EUR": 95.5}')
    settings = Settings()
    assert settings.chroma_url == "http://127.0.0.1:8123"
    assert settings.catalog_path == tmp_path / "shop.csv"
    assert settings.fx_rates == {"INR": 1.0, "EUR": 95.5}


def test_bad_env_value_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv("STYLIST_DENSE_CANDIDATES", "many")
    with pytest.raises(ValidationError, match="dense_candidates"):
        Settings()


def test_data_dir_defaults_outside_tracked_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STYLIST_DATA_DIR")
    assert source_checkout()
    default = Settings().data_dir
    assert default == PROJECT_ROOT / ".data"
    ignored = (PROJECT_ROOT / ".gitignore").read_text().split()
    assert ".data/" in ignored
    assert Settings(data_dir=Path("/x")).chroma_path == Path("/x/chroma")


def test_an_installed_package_keeps_its_data_in_the_user_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Installed from a wheel (no checkout around the code) the default is never inside site-packages."""
    site = tmp_path / "venv" / "lib" / "site-packages"
    (site / "stylist").mkdir(parents=True)
    monkeypatch.setattr(settings_module, "PROJECT_ROOT", site)
    monkeypatch.delenv("STYLIST_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert not source_checkout()

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings().data_dir == tmp_path / "xdg" / "stylist"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert Settings().data_dir == tmp_path / "home" / ".local" / "share" / "stylist"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")  # ignored, as the XDG spec says
    assert Settings().data_dir == tmp_path / "home" / ".local" / "share" / "stylist"
    monkeypatch.setenv("STYLIST_DATA_DIR", str(tmp_path / "mine"))
    assert Settings().data_dir == tmp_path / "mine"


def test_isolated_data_dir_fixture_points_at_tmp(tmp_path: Path) -> None:
    assert Settings().data_dir == tmp_path / "stylist-data"
