"""The web app: the HTTP API, the OpenAI-compatible facade, /widget.js, product photos and the UI.

``create_app(settings, stylist=None)`` returns one FastAPI app. Without a stylist it
builds the real one (``stylist.agent.build_stylist``) in the background, so the
page and ``/healthz`` answer at once and ``/readyz`` says when chat works.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from stylist.capabilities import NO_PHOTOS, reads_photos
from stylist.limits import InputRejected, RateLimiter, check_image, check_message, decode_base64_image
from stylist.render import image_src
from stylist.reply import Reply
from stylist.runtime import NotReady, StylistRuntime
from stylist.settings import Settings

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
#: File types served as product photos; anything else in a catalog's image field is refused.
IMAGE_SUFFIXES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
OPENAI_MODEL = "stylist"


class ChatRequest(BaseModel):
    """One shopper message (JSON body of ``/api/chat`` and ``/api/chat/stream``)."""

    message: str = Field(description="What the shopper says.")
    thread_id: str | None = Field(
        default=None, description="Conversation to continue; omit to start one (the reply carries its id)."
    )
    image: str | None = Field(
        default=None, description="Optional photo: base64, or a data:image/...;base64 URL."
    )


class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class OpenAIChatRequest(BaseModel):
    """The subset of OpenAI's chat-completions request the facade reads (other fields are ignored)."""

    model_config = ConfigDict(extra="allow")
    model: str = Field(description=f"Must be {OPENAI_MODEL!r}.")
    messages: list[OpenAIMessage] = Field(description="The last message must be the shopper's (role user).")
    stream: bool = False
    thread_id: str | None = Field(
        default=None,
        description="Conversation to continue (the stylist keeps the history server-side; pass it with "
        "extra_body). Omitted: a new conversation; its id comes back in the `stylist` field.",
    )
    user: str | None = None


_CHAT_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ChatRequest.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {
                        "message": {"type": "string"},
                        "thread_id": {"type": "string"},
                        "image": {"type": "string", "format": "binary", "description": "A photo file."},
                    },
                }
            },
        },
    }
}


def _client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _publish(reply: dict[str, Any], base: str) -> dict[str, Any]:
    """Replace local photo paths by the app's image URL: clients never see server paths."""
    for card in reply.get("products") or []:
        card["image"] = image_src(card, base)
    relaxed = reply.get("relaxed")
    if isinstance(relaxed, dict):
        for card in relaxed.get("products") or relaxed.get("items") or []:
            if isinstance(card, dict):
                card["image"] = image_src(card, base)
    return reply


def _image_root(settings: Settings) -> Path:
    """The folder product photos must live in: the catalog folder (or the catalog file's folder)."""
    path = Path(settings.catalog_path).resolve()
    return path if path.is_dir() else path.parent


def server_config(app: FastAPI, settings: Settings) -> Any:
    """How uvicorn serves the app: behind trusted proxies, the client is the forwarded address."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


def create_app(settings: Settings | None = None, stylist: Any | None = None, *, ui: bool = True) -> FastAPI:
    """Build the web app.

    Args:
        settings: Configuration; defaults to ``Settings()`` (environment variables).
        stylist: A ready stylist (tests pass a scripted fake). None: build the real one
            in the background with ``stylist.agent.build_stylist(settings)``.
        ui: Mount the Gradio UI at ``/``.
    """
    settings = settings or Settings()
    if stylist is not None:
        runtime = StylistRuntime(stylist)
    else:

        def build() -> Any:
            from stylist.agent import build_stylist

            return build_stylist(settings)

        runtime = StylistRuntime(factory=build)
    limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    image_root = _image_root(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        runtime.start()
        yield
        runtime.close()

    app = FastAPI(
        title="stylist",
        version="0.1.0",
        description="A conversational AI stylist for fashion shops. `/api/chat` answers one message; "
        "`/api/chat/stream` streams it as server-sent events; `/v1/chat/completions` is an "
        "OpenAI-compatible facade (model `stylist`) whose responses carry the products in an extra "
        "`stylist` field.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.limiter = limiter
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Content-Type", "Authorization"],
        max_age=600,
    )

    # -- errors: one clear JSON shape per API family -----------------------------------------
    def _error(
        request: Request, status: int, message: str, headers: dict[str, str] | None = None
    ) -> JSONResponse:
        if request.url.path.startswith("/v1/"):
            kind = "invalid_request_error" if status < 500 else "server_error"
            body: dict[str, Any] = {"error": {"message": message, "type": kind, "code": status}}
        else:
            body = {"detail": message}
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(InputRejected)
    async def _rejected(request: Request, exc: InputRejected) -> JSONResponse:
        return _error(request, exc.status, exc.message)

    @app.exception_handler(NotReady)
    async def _not_ready(request: Request, exc: NotReady) -> JSONResponse:
        return _error(request, 503, str(exc), {"Retry-After": "5"})

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        return _error(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body') or 'body'}: {e.get('msg')}"
            for e in exc.errors()
        )
        return _error(request, 422, f"invalid request: {problems}")

    # -- shared steps ----------------------------------------------------------------------------
    def _admit(request: Request) -> None:
        wait = limiter.acquire(_client_key(request))
        if wait > 0:
            raise HTTPException(
                429,
                f"too many requests; try again in {wait:.0f} s",
                headers={"Retry-After": str(int(wait) + 1)},
            )

    async def _read_chat(request: Request) -> tuple[str, str, bytes | None]:
        """Message, thread id and photo from a JSON or multipart body, all limits checked."""
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("multipart/form-data"):
            form = await request.form()
            upload = form.get("image")
            image = None
            if upload is not None and not isinstance(upload, str):
                # Read one byte past the limit: enough to know it is too large without reading it all.
                raw = await upload.read(settings.max_image_bytes + 1)
                if raw or upload.filename:
                    image = check_image(raw, settings.max_image_bytes, upload.content_type)
            elif isinstance(upload, str) and upload:
                image = decode_base64_image(upload, settings.max_image_bytes)
            message, thread = form.get("message"), form.get("thread_id")
            thread = thread if isinstance(thread, str) else None
        elif ctype.startswith("application/json") or not ctype:
            try:
                body = ChatRequest.model_validate_json(await request.body())
            except ValueError as exc:
                raise InputRejected(422, f"invalid JSON body: {exc}") from None
            message, thread = body.message, body.thread_id
            image = decode_base64_image(body.image, settings.max_image_bytes) if body.image else None
        else:
            raise InputRejected(415, f"send application/json or multipart/form-data, not {ctype}")
        text = check_message(message, settings.max_message_chars)
        return text, (thread or "").strip() or uuid.uuid4().hex, image

    def _reply_dict(
        reply: Reply | dict[str, Any], thread_id: str, base: str, image: bytes | None
    ) -> dict[str, Any]:
        data = reply.to_dict() if isinstance(reply, Reply) else dict(reply)
        data["thread_id"] = data.get("thread_id") or thread_id
        if image is not None and not reads_photos(runtime.get()):
            data["notes"] = [*(data.get("notes") or []), NO_PHOTOS]
        return _publish(data, base)

    # -- the API ---------------------------------------------------------------------------------
    @app.get("/healthz", tags=["service"], summary="The process is up.")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["service"], summary="The language model and the catalog store are reachable.")
    def readyz() -> JSONResponse:
        try:
            checks = {k: bool(v) for k, v in runtime.get().ready().items()}
        except NotReady as exc:
            return JSONResponse(
                {"ready": False, "state": exc.state, "detail": str(exc), "llm": False, "chroma": False},
                status_code=503,
                headers={"Retry-After": "5"},
            )
        ok = bool(checks) and all(checks.values())
        return JSONResponse({"ready": ok, "state": "ready", **checks}, status_code=200 if ok else 503)

    @app.post("/api/chat", tags=["chat"], summary="Answer one message.", openapi_extra=_CHAT_BODY_DOC)
    async def chat(request: Request) -> dict[str, Any]:
        """Send JSON `{"message", "thread_id"?, "image"?}` or a multipart form with an image file.

        Returns the stylist's reply (`answer`, `products`, `tool_calls`, `trends`, ...) and the
        `thread_id` to send with a follow-up.
        """
        _admit(request)
        message, thread_id, image = await _read_chat(request)
        stylist = runtime.get()
        try:
            reply = await run_in_threadpool(stylist.respond, message, thread_id=thread_id, image=image)
        except Exception as exc:  # noqa: BLE001 - the shopper gets a message, the log the traceback
            raise _turn_failed(exc) from exc
        return _reply_dict(reply, thread_id, _base_url(request), image)

    @app.post(
        "/api/chat/stream",
        tags=["chat"],
        summary="Answer one message as server-sent events.",
        openapi_extra=_CHAT_BODY_DOC,
        response_class=StreamingResponse,
    )
    async def chat_stream(request: Request) -> StreamingResponse:
        """Same body as `/api/chat`. Events: `tool` (a tool step), `token` (answer text),
        `final` (`reply`: the full reply, as `/api/chat` returns it), `error` (`message`).
        Each is `event: TYPE` and `data: JSON` lines followed by a blank line."""
        _admit(request)
        message, thread_id, image = await _read_chat(request)
        stylist = runtime.get()
        base = _base_url(request)

        def events() -> Iterator[str]:
            try:
                for event in stylist.stream(message, thread_id=thread_id, image=image):
                    data = event.to_dict()
                    if event.type == "final":
                        data["reply"] = _reply_dict(data.get("reply") or {}, thread_id, base, image)
                    yield _sse(event.type, data)
            except Exception as exc:  # noqa: BLE001 - the stream is already open: report in-band
                log.exception("streamed chat turn failed")
                yield _sse("error", {"type": "error", "message": f"the stylist failed: {type(exc).__name__}"})

        return StreamingResponse(
            events(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.get("/api/products/{product_id}", tags=["catalog"], summary="One catalog item.")
    async def product(product_id: str, request: Request) -> dict[str, Any]:
        item = await run_in_threadpool(runtime.get().product, product_id)
        if item is None:
            raise HTTPException(404, f"no product with id {product_id!r}")
        item = dict(item)
        item["image"] = image_src(item, _base_url(request))
        return item

    @app.get(
        "/api/products/{product_id}/image",
        tags=["catalog"],
        summary="A product's photo (only photos of catalog items are served).",
        response_class=FileResponse,
    )
    async def product_image(product_id: str) -> Response:
        item = await run_in_threadpool(runtime.get().product, product_id)
        if item is None:
            raise HTTPException(404, f"no product with id {product_id!r}")
        image = str(item.get("image") or "")
        if image.startswith(("http://", "https://")):
            return RedirectResponse(image, status_code=307)
        path = Path(image).resolve() if image else None
        # Only a photo file inside the catalog's folder: a catalog row cannot make us serve other files.
        if (
            path is None
            or path.suffix.lower() not in IMAGE_SUFFIXES
            or not path.is_relative_to(image_root)
            or not path.is_file()
        ):
            raise HTTPException(404, f"product {product_id!r} has no photo")
        return FileResponse(
            path,
            media_type=IMAGE_SUFFIXES[path.suffix.lower()],
            headers={"Cache-Control": "public, max-age=86400"},
        )

    # -- OpenAI-compatible facade ------------------------------------------------------------------
    @app.post("/v1/chat/completions", tags=["openai"], summary="OpenAI-compatible chat completions.")
    async def completions(body: OpenAIChatRequest, request: Request) -> Response:
        """Model `stylist`. The answer is the assistant message; the stylist's structured reply rides
        in an extra top-level `stylist` field: `{thread_id, products, tool_calls, trends, relaxed, notes}`
        (on the last chunk when streaming; tool steps arrive as chunks with `stylist.tool`)."""
        if body.model != OPENAI_MODEL:
            raise HTTPException(404, f"model {body.model!r} does not exist; use {OPENAI_MODEL!r}")
        _admit(request)
        message, image = _openai_input(body, settings)
        thread_id = (body.thread_id or "").strip() or uuid.uuid4().hex
        stylist = runtime.get()
        base = _base_url(request)
        cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if not body.stream:
            try:
                reply = await run_in_threadpool(stylist.respond, message, thread_id=thread_id, image=image)
            except Exception as exc:  # noqa: BLE001
                raise _turn_failed(exc) from exc
            data = _reply_dict(reply, thread_id, base, image)
            return JSONResponse(
                {
                    "id": cid,
                    "object": "chat.completion",
                    "created": created,
                    "model": OPENAI_MODEL,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": data["answer"]},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                    "stylist": _extra(data),
                }
            )

        def chunk(
            delta: dict[str, Any], finish: str | None = None, extra: dict[str, Any] | None = None
        ) -> str:
            payload: dict[str, Any] = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": OPENAI_MODEL,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            if extra is not None:
                payload["stylist"] = extra
            return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

        def chunks() -> Iterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            streamed = False
            try:
                for event in stylist.stream(message, thread_id=thread_id, image=image):
                    if event.type == "token":
                        streamed = True
                        yield chunk({"content": event.data.get("text", "")})
                    elif event.type == "tool":
                        yield chunk({}, extra={"tool": event.data})
                    elif event.type == "error":
                        yield chunk({}, extra={"error": event.data.get("message", "")})
                    elif event.type == "final":
                        reply = _reply_dict(event.data.get("reply") or {}, thread_id, base, image)
                        if not streamed and reply.get("answer"):
                            yield chunk({"content": reply["answer"]})
                        yield chunk({}, "stop", _extra(reply))
            except Exception as exc:  # noqa: BLE001 - already streaming: report in-band
                log.exception("streamed chat turn failed")
                yield chunk(
                    {}, "stop", {"error": f"the stylist failed: {type(exc).__name__}", "thread_id": thread_id}
                )
            yield "data: [DONE]\n\n"

        return StreamingResponse(
            chunks(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )

    @app.get("/v1/models", tags=["openai"], summary="The one model the facade serves.")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": OPENAI_MODEL, "object": "model", "owned_by": "stylist"}]}

    # -- the widget --------------------------------------------------------------------------------
    @app.get("/widget.js", tags=["widget"], summary="The embeddable chat widget (one <script> tag).")
    def widget() -> FileResponse:
        return FileResponse(
            STATIC_DIR / "widget.js",
            media_type="application/javascript",
            headers={"Cache-Control": "max-age=300"},
        )

    if ui:
        import gradio as gr

        from stylist.feedback import FeedbackStore
        from stylist.ui import CSS, build_ui

        blocks = build_ui(runtime, settings, FeedbackStore(settings.feedback_path), limiter)
        blocks.queue(default_concurrency_limit=settings.ui_concurrency)
        app.state.blocks = blocks
        app = gr.mount_gradio_app(
            app, blocks, path="/", css=CSS, max_file_size=settings.max_image_bytes, footer_links=["api"]
        )
    return app


def _turn_failed(exc: Exception) -> HTTPException:
    """503 when the language model is unreachable (the agent's LLMUnavailable), else 500."""
    # Matched by name: importing stylist.agent here would pull LangChain into every API import.
    if type(exc).__name__ == "LLMUnavailable":
        return HTTPException(503, str(exc), headers={"Retry-After": "5"})
    log.exception("chat turn failed")
    return HTTPException(500, f"the stylist failed on this message: {type(exc).__name__}")


def _sse(event: str, data: dict[str, Any]) -> str:
    # json.dumps escapes newlines inside strings, so one data line always holds one event.
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _extra(reply: dict[str, Any]) -> dict[str, Any]:
    keys = ("thread_id", "products", "tool_calls", "trends", "relaxed", "notes", "latency_ms")
    return {k: reply.get(k) for k in keys}


def _openai_input(body: OpenAIChatRequest, settings: Settings) -> tuple[str, bytes | None]:
    """The shopper's last message (text and optional data-URL photo) from OpenAI-style messages."""
    if not body.messages or body.messages[-1].role != "user":
        raise InputRejected(400, "the last message must have role 'user'")
    content = body.messages[-1].content
    image = None
    if isinstance(content, list):
        texts = []
        for part in content:
            if part.get("type") == "text":
                texts.append(str(part.get("text", "")))
            elif part.get("type") == "image_url":
                url = (part.get("image_url") or {}).get("url", "")
                if not str(url).startswith("data:"):
                    raise InputRejected(400, "images must be sent inline as data:image/...;base64 URLs")
                image = decode_base64_image(url, settings.max_image_bytes)
        content = "\n".join(texts)
    return check_message(content or "", settings.max_message_chars), image
