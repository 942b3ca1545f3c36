"""The one family of errors: what each error is, and the clear message of a missing extra."""

from __future__ import annotations

import sys

import pytest

from stylist.errors import (
    ExtraMissing,
    ImageError,
    InputRejected,
    LLMStartError,
    LLMUnavailable,
    NotReady,
    StoreEmpty,
    StylistError,
)
from stylist.settings import Settings


def test_every_error_is_a_stylist_error_and_keeps_its_builtin_base() -> None:
    assert isinstance(InputRejected(413, "too long"), StylistError | ValueError)
    assert isinstance(ImageError("corrupt"), ValueError)
    assert isinstance(NotReady("starting", "wait"), RuntimeError)
    assert isinstance(StoreEmpty("run stylist ingest"), RuntimeError)
    assert issubclass(LLMStartError, LLMUnavailable)


def test_statuses_the_api_answers_with() -> None:
    assert InputRejected(415, "send JSON").http_status == 415
    assert (LLMUnavailable("down").http_status, LLMUnavailable("down").retry) == (503, True)
    assert (NotReady("failed", "x").http_status, NotReady("failed", "x").retry) == (503, True)
    assert (ImageError("x").http_status, ImageError("x").retry) == (400, False)
    assert StylistError("x").http_status == 500


def test_a_missing_torch_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from stylist.vision.backends import build_backend

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(ExtraMissing, match=r"pip install 'stylist\[cpu\]'") as info:
        build_backend(Settings())
    assert isinstance(info.value, ImportError) and info.value.extra == "cpu"
