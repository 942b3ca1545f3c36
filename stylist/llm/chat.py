"""The one door to the model server: the chat model, the readiness probe and what its errors mean.

The stylist talks to vLLM's OpenAI-compatible API through :func:`chat_model` (``ChatOpenAI``);
:func:`check_llm` is the readiness probe (with the API key, like every request);
:func:`unavailable_cause` decides whether a failure means "the server is down", and
:func:`llm_errors` turns such failures into :class:`~stylist.errors.LLMUnavailable`.
:func:`openai_client` is the raw OpenAI client, for measuring the server itself (benchmarks).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx

from stylist.errors import LLMUnavailable

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from stylist.settings import Settings


def normalize_url(url: str) -> str:
    """The base URL of an OpenAI-compatible API without a trailing slash (``.../v1``)."""
    return url.strip().rstrip("/")


def chat_model(settings: Settings, base_url: str) -> BaseChatModel:
    """``ChatOpenAI`` pointed at a vLLM OpenAI-compatible endpoint."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=base_url,
        api_key=settings.llm_api_key,  # type: ignore[arg-type]
        model=settings.llm_served_name,
        temperature=settings.agent_temperature,
        max_tokens=settings.agent_max_tokens,  # type: ignore[call-arg]
        timeout=120,
        max_retries=0,
        # vLLM reports token counts in streamed replies only when asked (Reply.model_tokens).
        stream_usage=True,
        extra_body={"repetition_penalty": settings.agent_repetition_penalty},
    )


def _headers(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key and api_key != "EMPTY" else {}


def check_llm(url: str, timeout: float = 2.0, api_key: str | None = None) -> bool:
    """Whether the server at ``url`` answers ``GET {url}/models`` with a model list.

    Used by readiness probes; never raises. Pass the API key a keyed server requires,
    or it answers 401 and counts as down.
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


def unavailable_cause(exc: BaseException) -> str | None:
    """Why ``exc`` means the model server is down (a short cause), or None when it does not.

    Connection failures and timeouts of the OpenAI client, httpx or the OS count, and so
    does a 5xx (the engine died behind a live HTTP front end). Errors the server returns for
    a bad request (4xx) do not: the server is up, the request is wrong. The exception's
    ``__cause__`` is looked at too (LangChain wraps some failures).
    """
    import openai

    for error in (exc, exc.__cause__):
        # APITimeoutError is a subclass of APIConnectionError.
        if isinstance(error, openai.APIConnectionError | httpx.TransportError | ConnectionError):
            return _describe(error)
        if isinstance(error, openai.InternalServerError):
            return f"server error {error.status_code}"
        if isinstance(error, httpx.HTTPStatusError) and error.response.status_code >= 500:
            return f"server error {error.response.status_code}"
    return None


@contextmanager
def llm_errors(url: str) -> Iterator[None]:
    """Turn failures that mean the server at ``url`` is down into ``LLMUnavailable``; others pass."""
    try:
        yield
    except LLMUnavailable:
        raise
    except Exception as exc:
        cause = unavailable_cause(exc)
        if cause is None:
            raise
        raise LLMUnavailable(unavailable_message(url, cause)) from exc


def openai_client(url: str, api_key: str = "EMPTY", timeout: float = 120.0, max_retries: int = 0) -> Any:
    """The raw ``openai.OpenAI`` client for the server at ``url``, for measuring the server itself.

    The stylist talks through :func:`chat_model`; benchmarks use this to time the server.
    Retries are off by default: a local server that is down stays down, and failing fast
    gives a clear message instead of a long wait.
    """
    import openai

    return openai.OpenAI(
        base_url=normalize_url(url), api_key=api_key, timeout=timeout, max_retries=max_retries
    )


def _describe(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    text = str(exc) or type(exc).__name__
    if cause is not None and str(cause) and str(cause) not in text:
        text = f"{text}: {cause}"
    return text
