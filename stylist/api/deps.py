"""What the routers share: the app's state as dependencies, admission, and the reply as clients see it.

``create_app`` puts the runtime, the settings, the rate limiter and the photo folder on
``app.state``; routers read them from the request instead of a closure.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from stylist.limits import RateLimiter
from stylist.render import image_src
from stylist.reply import Reply
from stylist.runtime import StylistRuntime
from stylist.settings import Settings

log = logging.getLogger(__name__)


def get_runtime(request: Request) -> StylistRuntime:
    """The :class:`StylistRuntime` holding (or building) the stylist."""
    return request.app.state.runtime


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    return request.app.state.settings


def get_image_root(request: Request) -> Path:
    """The folder product photos must live in."""
    return request.app.state.image_root


RuntimeDep = Annotated[StylistRuntime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ImageRootDep = Annotated[Path, Depends(get_image_root)]


def client_key(request: Request) -> str:
    """Who is asking, for the rate limit (the forwarded address behind trusted proxies)."""
    return request.client.host if request.client else "unknown"


def base_url(request: Request) -> str:
    """The app's own base URL, for links to product photos."""
    return str(request.base_url).rstrip("/")


def admit(request: Request) -> None:
    """Take one request from the client's rate budget, or answer 429 with Retry-After."""
    limiter: RateLimiter = request.app.state.limiter
    wait = limiter.acquire(client_key(request))
    if wait > 0:
        raise HTTPException(
            429,
            f"too many requests; try again in {wait:.0f} s",
            headers={"Retry-After": str(int(wait) + 1)},
        )


def publish(reply: dict[str, Any], base: str) -> dict[str, Any]:
    """Replace local photo paths by the app's image URL: clients never see server paths."""
    for card in reply.get("products") or []:
        card["image"] = image_src(card, base)
    relaxed = reply.get("relaxed")
    if isinstance(relaxed, dict):
        for card in relaxed.get("products") or relaxed.get("items") or []:
            if isinstance(card, dict):
                card["image"] = image_src(card, base)
    return reply


def reply_dict(reply: Reply | dict[str, Any], thread_id: str, base: str) -> dict[str, Any]:
    """The reply as the API returns it: its thread id set, photo links published."""
    data = reply.to_dict() if isinstance(reply, Reply) else dict(reply)
    data["thread_id"] = data.get("thread_id") or thread_id
    return publish(data, base)


def validation_message(errors: Sequence[Any]) -> str:
    """One sentence for pydantic/FastAPI validation errors: which field, what is wrong; no input echoed.

    A body that is not JSON at all says so (with the parser's reason and position) instead of
    listing fields.
    """
    problems = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ()) if p != "body"]
        if e.get("type") == "json_invalid":
            reason = (e.get("ctx") or {}).get("error") or e.get("msg", "")
            where = f" (at character {loc[-1]})" if loc and loc[-1].isdigit() else ""
            return f"the body is not valid JSON: {str(reason).removeprefix('Invalid JSON: ')}{where}"
        if e.get("type") == "missing" and not loc:
            return "the body is empty: send a JSON object"
        if e.get("type") in ("model_attributes_type", "dict_type", "model_type") and not loc:
            return 'the body must be a JSON object, e.g. {"message": "a navy shirt"}'
        problems.append(f"{'.'.join(loc) or 'body'}: {e.get('msg')}")
    return "invalid request: " + "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")


def require_json(request: Request) -> None:
    """Dependency of JSON-only routes: 415 for any other declared content type."""
    ctype = request.headers.get("content-type", "")
    main = ctype.split(";")[0].strip().lower()
    if main and main != "application/json" and not main.endswith("+json"):
        raise HTTPException(415, f"send the body as application/json, not {ctype[:80]}")


#: What the shopper is told when the conversation no longer fits in the model's context.
TOO_LONG = (
    "this conversation is too long for the language model to read (its context is full): "
    "say it in fewer words, or start a new conversation"
)


def context_overflow(exc: BaseException) -> bool:
    """Whether ``exc`` is the model server refusing a prompt longer than its context (a 400 from vLLM)."""
    import openai
    from langchain_core.exceptions import ContextOverflowError

    for error in (exc, exc.__cause__, exc.__context__):
        if isinstance(error, ContextOverflowError):
            return True
        if isinstance(error, openai.BadRequestError) and "context length" in str(error.message):
            return True
    return False


#: What the shopper is told when the conversation store (PostgreSQL, SQLite) cannot be reached.
STORE_DOWN = "the conversation store is not reachable right now; please try again in a moment"


def store_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the conversation database is down or unusable (not the request's fault)."""
    import sqlite3

    kinds: list[type] = [sqlite3.OperationalError]
    try:
        import psycopg
        import psycopg_pool

        kinds += [psycopg.OperationalError, psycopg.InterfaceError, psycopg_pool.PoolTimeout]
    except ImportError:  # pragma: no cover - psycopg is a dependency; SQLite-only installs still work
        pass
    return any(isinstance(error, tuple(kinds)) for error in (exc, exc.__cause__, exc.__context__))


def turn_failed(exc: Exception) -> HTTPException:
    """The answer for a turn that failed on something other than a :class:`~stylist.errors.StylistError`.

    413 when the prompt outgrew the model's context (:func:`context_overflow`), 503 with
    Retry-After when the conversation store is down (:func:`store_unavailable`), else 500.
    A ``StylistError`` is re-raised by the routes instead: the app maps it to its own status.
    """
    if context_overflow(exc):
        log.warning("chat turn refused by the model: the prompt is longer than its context")
        return HTTPException(413, TOO_LONG)
    if store_unavailable(exc):
        log.warning(
            "chat turn failed: the conversation store is unreachable (%s: %s)", type(exc).__name__, exc
        )
        return HTTPException(503, STORE_DOWN, headers={"Retry-After": "5"})
    log.exception("chat turn failed")
    return HTTPException(500, f"the stylist failed on this message: {type(exc).__name__}")


def stream_failure(exc: Exception) -> str:
    """The in-band error message of a streamed turn that failed (logged like :func:`turn_failed`)."""
    if context_overflow(exc):
        log.warning("streamed chat turn refused by the model: the prompt is longer than its context")
        return TOO_LONG
    if store_unavailable(exc):
        log.warning(
            "streamed turn failed: the conversation store is unreachable (%s: %s)", type(exc).__name__, exc
        )
        return STORE_DOWN
    log.exception("streamed chat turn failed")
    return f"the stylist failed: {type(exc).__name__}"
