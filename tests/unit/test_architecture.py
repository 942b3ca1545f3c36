"""The layering of docs/ARCHITECTURE.md, checked on the source: every import, also inside functions.

Each module belongs to one layer and may import only from its own layer and the layers below.
Training sits beside the stack: it may use storage and serving, and only the CLI (and other
training code) imports it. A rule that fails names the importing module, the line and the import.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("stylist", "vectorstore", "prompts")

#: Layers, lowest first: module prefix -> layer (the longest matching prefix wins).
LAYERS: dict[str, int] = {
    # 0. configuration, errors and prompt files
    "prompts": 0, "stylist": 0, "stylist.settings": 0, "stylist.errors": 0, "stylist.net": 0,
    "stylist.prompts": 0,
    # 1. the catalog schema and the deterministic query parser
    "stylist.catalog": 1, "stylist.query": 1, "stylist.scripts": 1, "stylist.sizing": 1,
    # 2. storage: the Chroma store and its ingestion
    "vectorstore": 2,
    # 3. retrieval over the store: text search, photos, trends
    "stylist.retrieval": 3, "stylist.vector_index": 3, "stylist.vision": 3, "stylist.trends": 3,
    # 4. serving the language model
    "stylist.llm": 4,
    # 5. the stylist: tools, guards, grounding, the agent
    "stylist.reply": 5, "stylist.grounding": 5, "stylist.intent": 5, "stylist.router": 5, "stylist.looks": 5, "stylist.tools": 5,
    "stylist.guards": 5, "stylist.agent": 5, "stylist.personal": 5,
    # 6. interfaces: HTTP API, UI, CLI and what only they use
    "stylist.runtime": 6, "stylist.feedback": 6, "stylist.limits": 6, "stylist.render": 6,
    "stylist.ingestion": 6, "stylist.ui": 6, "stylist.api": 6, "stylist.cli": 6, "stylist.admin": 6,
    # 7. wiring
    "app": 7,
}  # fmt: skip
LAYER_NAMES = ["config", "catalog/query", "storage", "retrieval", "serving", "agent", "interfaces", "app"]
#: Training, beside the stack: builds on layers 0-5, imported only by the CLI and other training code.
TRAINING = ("stylist.finetune", "stylist.vision.train", "stylist.vision.evaluate")


@dataclass(frozen=True)
class Import:
    importer: str
    target: str
    where: str  # file:line

    def __str__(self) -> str:
        return f"{self.where}: {self.importer} imports {self.target}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> list[Import]:
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")] + [ROOT / "app.py"]
    found = []
    for path in files:
        module = _module_name(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, node.module] if node.module else anchor)
                # "from stylist.vision import train" imports the module stylist.vision.train
                targets = [f"{base}.{alias.name}" for alias in node.names] or [base]
            else:
                continue
            for target in targets:
                if target.split(".")[0] in (*PACKAGES, "app"):
                    found.append(Import(module, target, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return found


IMPORTS = _imports()


def _match(module: str, prefixes) -> str | None:
    hits = [p for p in prefixes if module == p or module.startswith(p + ".")]
    return max(hits, key=len) if hits else None


def layer(module: str) -> int | None:
    prefix = _match(module, LAYERS)
    return None if prefix is None else LAYERS[prefix]


def is_training(module: str) -> bool:
    return _match(module, TRAINING) is not None


def _project_module(target: str) -> str:
    """The longest prefix of an import target that is a module of the project (drops imported names)."""
    parts = target.split(".")
    for n in range(len(parts), 0, -1):
        name = ".".join(parts[:n])
        path = ROOT.joinpath(*parts[:n])
        if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
            return name
    return parts[0]


def upward(from_layer: int) -> list[Import]:
    """Imports by modules of ``from_layer`` (not training) of a module in a higher layer."""
    bad = []
    for imp in IMPORTS:
        target = _project_module(imp.target)
        if is_training(imp.importer) or layer(imp.importer) != from_layer:
            continue
        to = layer(target)
        if to is not None and to > from_layer and not is_training(target):
            bad.append(imp)
    return bad


# -- rules --------------------------------------------------------------------------------------------
# A rule the code still breaks is xfail(strict=True): once fixed, the xpass fails and the mark goes.
KNOWN_VIOLATIONS: dict[str, str] = {}  # rule name -> the offending import (none left)


def _rules() -> dict[str, callable]:
    rules = {
        f"layer {n} ({name}) imports nothing from the layers above": (lambda n=n: upward(n))
        for n, name in enumerate(LAYER_NAMES)
    }
    rules["storage never imports the image model, the agent or serving"] = lambda: [
        imp for imp in IMPORTS
        if imp.importer.startswith("vectorstore")
        and _match(_project_module(imp.target), ("stylist.vision", "stylist.agent", "stylist.llm", "stylist.tools"))
    ]  # fmt: skip
    rules["serving (stylist.llm) never imports training (stylist.finetune)"] = lambda: [
        imp for imp in IMPORTS if imp.importer.startswith("stylist.llm") and is_training(_project_module(imp.target))
    ]  # fmt: skip
    rules["only the CLI and other training code import training"] = lambda: [
        imp for imp in IMPORTS
        if is_training(_project_module(imp.target))
        and not is_training(imp.importer) and imp.importer != "stylist.cli"
    ]  # fmt: skip
    rules["only app.py and the CLI import stylist.api"] = lambda: [
        imp for imp in IMPORTS
        if _match(_project_module(imp.target), ("stylist.api",))
        and not _match(imp.importer, ("stylist.api", "stylist.cli", "app"))
    ]  # fmt: skip
    rules["training never imports the interfaces or app.py"] = lambda: [
        imp for imp in IMPORTS
        if is_training(imp.importer) and (layer(_project_module(imp.target)) or 0) >= 6
    ]  # fmt: skip
    return rules


RULES = _rules()


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_VIOLATIONS[name]))
        if name in KNOWN_VIOLATIONS
        else name
        for name in RULES
    ],
)
def test_rule(rule: str) -> None:
    broken = RULES[rule]()
    assert not broken, f"{rule}:\n" + "\n".join(f"  {imp}" for imp in broken)


def test_every_module_has_a_layer() -> None:
    modules = {imp.importer for imp in IMPORTS} | {
        _module_name(p) for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")
    }
    unplaced = sorted(
        m
        for m in modules
        if not is_training(m)
        and (layer(m) is None or (m.startswith("stylist.") and _match(m, LAYERS) == "stylist"))
    )
    assert not unplaced, f"add these modules to a layer (docs/ARCHITECTURE.md and LAYERS): {unplaced}"


def test_the_checker_sees_imports_inside_functions_and_relative_ones() -> None:
    targets = {(imp.importer, imp.target) for imp in IMPORTS}
    assert any(i == "stylist.cli" and t.startswith("stylist.finetune") for i, t in targets)  # a lazy import
    assert layer("stylist.vision.service") == 3 and is_training("stylist.vision.train")
    assert _project_module("stylist.settings.Settings") == "stylist.settings"
