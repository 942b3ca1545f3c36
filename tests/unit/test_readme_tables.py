"""The README's figure tables are what benchmarks/results/*.json hold (benchmarks/readme_tables.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _module():
    spec = importlib.util.spec_from_file_location("readme_tables", ROOT / "benchmarks" / "readme_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_tables_match_the_result_files() -> None:
    tables = _module()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert {m["name"] for m in tables.REGION.finditer(text)} == set(tables.TABLES)
    assert tables.main(["--check"]) == 0, "run: python benchmarks/readme_tables.py"


def test_a_changed_figure_is_caught_and_rewritten(tmp_path: Path) -> None:
    tables = _module()
    readme = tmp_path / "README.md"
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    readme.write_text(text.replace("| 0.993 / 0.993 |", "| 0.999 / 0.993 |"), encoding="utf-8")
    assert tables.main(["--check", "--readme", str(readme)]) == 1
    assert tables.main(["--readme", str(readme)]) == 0
    assert readme.read_text(encoding="utf-8") == text
