"""Talking to an OpenAI-compatible vLLM server: readiness probe and clear errors when it is down."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx


class LLMUnavailable(Exception):
    """The language model server is down, unreachable or failed to start."""


def normalize_url(url: str) -> str:
    """The base URL of an OpenAI-compatible API without a trailing slash (``.../v1``)."""
    return url.strip().rstrip("/")


def _headers(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key and api_key != "EMPTY" else {}


def check_llm(url: str, timeout: float = 2.0, api_key: str | None = None) -> bool:
    """Whether the server at ``url`` answers ``GET {url}/models`` with a model list.

    Used by readiness probes; never raises.
    """
    try:
        response = httpx.get(f"{normalize_url(url)}/models", timeout=timeout, headers=_headers(api_key))
    except (httpx.HTTPError, ValueError):
        return False
    if response.status_code != 200:
        return False
    try:
        return isinstance(response.json().get("data"), list)
    except ValueError:
        return False


def served_models(url: str, timeout: float = 5.0, api_key: str | None = None) -> list[str]:
    """Names of the models the server at ``url`` serves (base model and LoRA adapters).

    Raises:
        LLMUnavailable: the server does not answer.
    """
    with llm_errors(url):
        response = httpx.get(f"{normalize_url(url)}/models", timeout=timeout, headers=_headers(api_key))
        response.raise_for_status()
        return [entry["id"] for entry in response.json()["data"]]


def unavailable_message(url: str, cause: object) -> str:
    """The message every 'server is down' error carries: what failed and what to do."""
    return (
        f"The language model server at {url} is unavailable ({cause}). Start one with "
        "`stylist llm serve`, or point STYLIST_LLM_URL at a running vLLM server; leave "
        "STYLIST_LLM_URL empty to let the stylist start its own."
    )


@contextmanager
def llm_errors(url: str) -> Iterator[None]:
    """Turn connection failures of the OpenAI client or httpx into ``LLMUnavailable``.

    Errors the server returns for a bad request (4xx) pass through unchanged: the server is
    up, the request is wrong. A 5xx (the engine died behind a live HTTP front end) counts
    as unavailable.
    """
    import openai

    try:
        yield
    except (openai.APIConnectionError, httpx.TransportError) as exc:
        # APITimeoutError is a subclass of APIConnectionError.
        raise LLMUnavailable(unavailable_message(url, _describe(exc))) from exc
    except openai.InternalServerError as exc:
        raise LLMUnavailable(unavailable_message(url, f"server error {exc.status_code}")) from exc
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code >= 500:
            raise LLMUnavailable(
                unavailable_message(url, f"server error {exc.response.status_code}")
            ) from exc
        raise


def openai_client(url: str, api_key: str = "EMPTY", timeout: float = 120.0, max_retries: int = 0) -> Any:
    """An ``openai.OpenAI`` client for the server at ``url``.

    Retries are off by default: a local server that is down stays down, and failing fast
    gives the shopper a clear message instead of a long wait.
    """
    import openai

    return openai.OpenAI(
        base_url=normalize_url(url), api_key=api_key, timeout=timeout, max_retries=max_retries
    )


def chat(url: str, model: str, messages: list[dict[str, Any]], api_key: str = "EMPTY", **params: Any) -> Any:
    """One chat completion; connection failures raise ``LLMUnavailable``.

    Args:
        url: base URL of the server (``.../v1``).
        model: served model name (or a LoRA adapter's name).
        messages: OpenAI chat messages.
        api_key: key sent to the server.
        **params: further ``chat.completions.create`` arguments (tools, tool_choice, ...).

    Returns:
        The ``ChatCompletion``.
    """
    with llm_errors(url):
        return openai_client(url, api_key).chat.completions.create(model=model, messages=messages, **params)


def _describe(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    text = str(exc) or type(exc).__name__
    if cause is not None and str(cause) and str(cause) not in text:
        text = f"{text}: {cause}"
    return text
