"""The stylist's one family of errors.

Every error the stylist raises on purpose derives from :class:`StylistError`; its message
says what went wrong and what to do next. ``http_status`` is the HTTP status the web layer
answers with (the API maps errors with ``isinstance``, never by a class's name).
Subclasses keep the built-in base they had (``ValueError``, ``RuntimeError``), so code that
catches those still catches them.

Importing this module is cheap: it imports nothing.
"""

from __future__ import annotations

from typing import Any


class StylistError(Exception):
    """Base of the stylist's errors; the message names the problem and the next step."""

    #: The HTTP status the API answers with when a request ends in this error.
    http_status: int = 500
    #: Whether a client should retry later (the API then sends ``Retry-After``).
    retry: bool = False


class InputRejected(StylistError, ValueError):
    """A request the service will not run, with the HTTP status that says why (400, 413, 415, 422)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def http_status(self) -> int:  # type: ignore[override]
        return self.status


class NotReady(StylistError, RuntimeError):
    """The stylist is still starting, or failed to start (``state``: ``starting`` or ``failed``)."""

    http_status = 503
    retry = True

    def __init__(self, state: str, message: str) -> None:
        super().__init__(message)
        self.state = state


class ServiceUnavailable(StylistError):
    """A part the stylist needs does not answer; ``component`` names it in the shopper's words.

    Raised where that part is called (the model call, the catalog store, the photo search), so
    the message names what is actually down. :meth:`down` builds the message a shopper reads.
    """

    http_status = 503
    retry = True
    #: What is down, as the shopper reads it ("the catalog store (its Chroma server)").
    component = "a service the stylist needs"
    #: What the shopper can do meanwhile.
    advice = "Please try again in a moment."

    @classmethod
    def down(cls, cause: BaseException | str) -> ServiceUnavailable:
        """The error for ``component`` being unreachable, ``cause`` the failure's class (or a word)."""
        why = cause if isinstance(cause, str) else type(cause).__name__
        what = cls.component[:1].upper() + cls.component[1:]
        return cls(f"{what} is not reachable right now ({why}). {cls.advice}")


class LLMUnavailable(ServiceUnavailable):
    """The language model server is down, unreachable or failed to start."""

    component = "the stylist's language model"


class StoreUnavailable(ServiceUnavailable):
    """The catalog store (a Chroma server) does not answer."""

    component = "the catalog store (its Chroma server)"


class PhotoSearchUnavailable(StoreUnavailable):
    """The photo search cannot reach the image collection in the catalog store."""

    component = "the photo search's catalog store (its Chroma server)"
    advice = "Please try again in a moment, or describe the item in words."


class LLMStartError(LLMUnavailable):
    """The local vLLM server could not be started; the message carries the end of its log."""


class ModelError(StylistError):
    """The model cannot be found, checked or converted; the message says what to do."""


class StoreEmpty(StylistError, RuntimeError):
    """Nothing has been ingested into the configured store yet (run ``stylist ingest``)."""

    http_status = 503
    retry = True


class CatalogError(StylistError):
    """The catalog cannot be used at all (empty file, strict mode with errors, ...).

    Args:
        message: what is wrong.
        errors: the rows that failed (``catalog.RowError``); the first 50 join the message.
    """

    def __init__(self, message: str, errors: list[Any] | None = None) -> None:
        self.errors = errors or []
        detail = "".join(f"\n  {e}" for e in self.errors[:50])
        more = f"\n  ... and {len(self.errors) - 50} more" if len(self.errors) > 50 else ""
        super().__init__(message + detail + more)


class DiskFull(StylistError, OSError):
    """The disk holding the store filled up while writing; what was live before is unchanged."""

    http_status = 507


class ImageError(StylistError, ValueError):
    """A photo cannot be used: unreadable, not an image, corrupt or too large.

    The message is written for the shopper or operator and names the problem.
    """

    http_status = 400


class WeightsMissing(StylistError, RuntimeError):
    """The image model has not been trained or installed yet."""


class ClassifierMissing(StylistError, RuntimeError):
    """No trained trend classifier heads were found where the settings point."""


class TrendDataError(StylistError, ValueError):
    """A trend series file cannot be used; the message says where and why."""


class ExtraMissing(StylistError, ImportError):
    """An optional part needs packages that are not installed; the message names the extra."""

    def __init__(self, part: str, extra: str, cause: BaseException | None = None) -> None:
        detail = f" ({cause})" if cause else ""
        super().__init__(
            f"The {part} needs packages that are not installed{detail}. "
            f"Install them with `pip install 'stylist[{extra}]'`."
        )
        self.part = part
        self.extra = extra


__all__ = [
    "CatalogError",
    "ClassifierMissing",
    "DiskFull",
    "ExtraMissing",
    "ImageError",
    "InputRejected",
    "LLMStartError",
    "LLMUnavailable",
    "ModelError",
    "NotReady",
    "PhotoSearchUnavailable",
    "ServiceUnavailable",
    "StoreEmpty",
    "StoreUnavailable",
    "StylistError",
    "TrendDataError",
    "WeightsMissing",
]
