"""The chat API: ``/api/chat`` answers one message, ``/api/chat/stream`` streams it as server-sent events."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from stylist.api.deps import RuntimeDep, SettingsDep, admit, base_url, reply_dict, turn_failed
from stylist.errors import InputRejected, StylistError
from stylist.limits import check_image, check_message, decode_base64_image
from stylist.settings import Settings

log = logging.getLogger(__name__)

router = APIRouter(tags=["chat"])


class ChatRequest(BaseModel):
    """One shopper message (JSON body of ``/api/chat`` and ``/api/chat/stream``)."""

    message: str = Field(description="What the shopper says.")
    thread_id: str | None = Field(
        default=None, description="Conversation to continue; omit to start one (the reply carries its id)."
    )
    image: str | None = Field(
        default=None, description="Optional photo: base64, or a data:image/...;base64 URL."
    )


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


async def read_chat(request: Request, settings: Settings) -> tuple[str, str, bytes | None]:
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


@router.post("/api/chat", summary="Answer one message.", openapi_extra=_CHAT_BODY_DOC)
async def chat(request: Request, runtime: RuntimeDep, settings: SettingsDep) -> dict[str, Any]:
    """Send JSON `{"message", "thread_id"?, "image"?}` or a multipart form with an image file.

    Returns the stylist's reply (`answer`, `products`, `tool_calls`, `trends`, ...) and the
    `thread_id` to send with a follow-up.
    """
    admit(request)
    message, thread_id, image = await read_chat(request, settings)
    stylist = runtime.get()
    try:
        reply = await run_in_threadpool(stylist.respond, message, thread_id=thread_id, image=image)
    except StylistError:
        raise  # the app answers with its status and message
    except Exception as exc:  # noqa: BLE001 - the shopper gets a message, the log the traceback
        raise turn_failed(exc) from exc
    return reply_dict(reply, thread_id, base_url(request))


@router.post(
    "/api/chat/stream",
    summary="Answer one message as server-sent events.",
    openapi_extra=_CHAT_BODY_DOC,
    response_class=StreamingResponse,
)
async def chat_stream(request: Request, runtime: RuntimeDep, settings: SettingsDep) -> StreamingResponse:
    """Same body as `/api/chat`. Events: `tool` (a tool step), `token` (answer text),
    `final` (`reply`: the full reply, as `/api/chat` returns it), `error` (`message`).
    Each is `event: TYPE` and `data: JSON` lines followed by a blank line."""
    admit(request)
    message, thread_id, image = await read_chat(request, settings)
    stylist = runtime.get()
    base = base_url(request)

    def events() -> Iterator[str]:
        try:
            for event in stylist.stream(message, thread_id=thread_id, image=image):
                data = event.to_dict()
                if event.type == "final":
                    data["reply"] = reply_dict(data.get("reply") or {}, thread_id, base)
                yield sse(event.type, data)
        except Exception as exc:  # noqa: BLE001 - the stream is already open: report in-band
            log.exception("streamed chat turn failed")
            yield sse("error", {"type": "error", "message": f"the stylist failed: {type(exc).__name__}"})

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def sse(event: str, data: dict[str, Any]) -> str:
    """One server-sent event."""
    # json.dumps escapes newlines inside strings, so one data line always holds one event.
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
