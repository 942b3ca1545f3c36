"""What every request passes before a route reads it: the body's size and encoding, and one error shape.

:class:`RequestGuard` is an ASGI middleware: a body larger than the limit is refused with
413 from its ``Content-Length`` before a byte is read, or as soon as a chunked body
passes the limit, so no route (nor Gradio's upload route) buffers or spools a 100 MB
upload; a compressed body (``Content-Encoding``) is refused with 415, since nothing here
inflates one; a client that hangs up mid-body ends the request quietly (400, no traceback).

:func:`error_body` is the one JSON shape of every error the app writes: OpenAI's ``error``
object under ``/v1/``, else ``{"detail": message}``.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse


def error_body(path: str, status: int, message: str) -> dict[str, Any]:
    """The JSON body of an error answer for a request to ``path``."""
    if path.startswith("/v1/"):
        kind = "invalid_request_error" if status < 500 else "server_error"
        return {"error": {"message": message, "type": kind, "code": status}}
    return {"detail": message}


def max_body_bytes(max_image_bytes: int) -> int:
    """Largest request body: one photo as base64 (4/3 of its bytes) plus 1 MB for text and form framing."""
    return max_image_bytes * 4 // 3 + 1024 * 1024


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body passes the limit (FastAPI re-raises HTTP exceptions)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit:,} bytes")


class RequestGuard:
    """ASGI middleware: refuses bodies over ``max_bytes`` (413) and compressed bodies (415).

    Args:
        app: the ASGI app it guards.
        max_bytes: the largest body accepted (see :func:`max_body_bytes`).
    """

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path = scope.get("path", "")
        encoding = headers.get("content-encoding", "").strip().lower()
        if encoding and encoding != "identity":
            await self._refuse(path, 415, f"compressed request bodies (Content-Encoding: {encoding[:40]}) "
                               "are not accepted; send the body uncompressed", send)  # fmt: skip
            return
        length = headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(
                path,
                413,
                f"the request body is {int(length):,} bytes; the limit is {self.max_bytes:,} bytes",
                send,
            )
            return
        received = 0
        started = False

        async def guarded_receive() -> dict[str, Any]:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracked_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, guarded_receive, tracked_send)
        except BodyTooLarge as exc:
            if not started:
                await self._refuse(path, 413, str(exc.detail), send)
        except ClientDisconnect:
            # The client hung up before its body arrived. Nobody reads the answer, but middleware
            # around this one (BaseHTTPMiddleware) fails without one.
            if not started:
                await self._refuse(path, 400, "the request body ended before it was complete", send)

    @staticmethod
    async def _refuse(path: str, status: int, message: str, send: Any) -> None:
        # ``Connection: close``: the unread body must not be taken for the next request.
        response = JSONResponse(error_body(path, status, message), status_code=status,
                                headers={"Connection": "close"})  # fmt: skip
        await response({"type": "http"}, _no_body, send)


async def _no_body() -> dict[str, Any]:
    return {"type": "http.disconnect"}


#: Methods the fallback routes answer (with 404, or 405 when another method has the path).
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]


def add_fallback_routes(app: Any) -> None:
    """JSON 404/405 for unknown paths under ``/api/`` and ``/v1/`` (add after every API router).

    Without them such requests fall through to the UI mounted at ``/``, which answers
    with its own page or a bare "Not Found".
    """
    from fastapi.routing import APIRoute

    async def unknown(request: Request) -> None:
        path = request.url.path
        allowed = sorted(
            {
                m
                for r in app.routes
                if isinstance(r, APIRoute) and r.endpoint is not unknown and r.path_regex.match(path)
                for m in r.methods
            }  # fmt: skip
        )
        if allowed:
            raise HTTPException(
                405,
                f"method {request.method} is not allowed on {path[:100]}; use {', '.join(allowed)}",
                headers={"Allow": ", ".join(allowed)},
            )
        raise HTTPException(
            404, f"not found: {request.method} {path[:100]} is not a route of this service (see /docs)"
        )

    for prefix in ("/api", "/v1"):
        app.add_api_route(prefix + "/{rest:path}", unknown, methods=_METHODS, include_in_schema=False)
