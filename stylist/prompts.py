"""Prompts are files of the ``prompts`` package; this loads and fills them, failing loudly on a missing variable."""

from __future__ import annotations

import string
from functools import lru_cache

import prompts as _files


class MissingVariables(KeyError):
    """A prompt was filled without all of its variables."""


@lru_cache(maxsize=32)
def _template(name: str) -> str:
    try:
        return _files.text(f"{name}.md").strip()
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"no prompt named {name!r} ({exc})") from exc


def variables(name: str) -> set[str]:
    """The variables a prompt expects."""
    return {field for _, field, _, _ in string.Formatter().parse(_template(name)) if field}


def load_prompt(name: str, **values: object) -> str:
    """Fill prompt ``name`` with ``values``.

    Raises:
        MissingVariables: when the prompt uses a variable not given.
    """
    missing = variables(name) - values.keys()
    if missing:
        raise MissingVariables(f"prompt {name!r} needs {sorted(missing)}")
    return _template(name).format(**values)
