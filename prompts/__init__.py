"""The stylist's prompts and the chat template, shipped as package data beside ``stylist``.

Read them through this module (``importlib.resources``), never through a path relative to the
checkout, so an installed wheel finds them too.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: The chat template the model is served and fine-tuned with (ChatML + Hermes-style tool calls).
CHAT_TEMPLATE = "chat_template.jinja"


def text(name: str) -> str:
    """The text of the shipped file ``name`` (e.g. ``system.md``).

    Raises:
        FileNotFoundError: no such file ships with the package.
    """
    resource = files(__name__) / name
    if not resource.is_file():
        raise FileNotFoundError(f"no prompt file {name!r} in the {__name__} package ({resource})")
    return resource.read_text(encoding="utf-8")


def path(name: str) -> Path:
    """A file-system path of the shipped file ``name`` (vLLM's ``--chat-template`` needs a path).

    The package is installed as plain files (a checkout, an editable or a wheel install), so the
    resource is a real file; it is not checked for existence here.
    """
    return Path(str(files(__name__) / name))
