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
from pydantic import BaseModel, Field, ValidationError
from starlette.exceptions import HTTPException

from stylist.api.deps import (
    RuntimeDep,
    SettingsDep,
    admit,
    base_url,
    reply_dict,
    stream_failure,
    turn_failed,
    validation_message,
)
from stylist.errors import InputRejected, StylistError
from stylist.limits import (
    check_image,
    check_message,
    check_thread_id,
    decode_base64_image,
    message_token_budget,
)
from stylist.personal import clean_shopper_id
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
    shopper_id: str | None = Field(
        default=None,
        description="A stable id of the shopper (the widget keeps an anonymous one): the personal stylist "
        "remembers their size, dislikes and taste under it. Treat it as a secret (random, not a customer "
        "number). Omitted: no profile is read or kept.",
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
                        "shopper_id": {"type": "string"},
                        "image": {"type": "string", "format": "binary", "description": "A photo file."},
                    },
                }
            },
        },
    }
}


#: Form limits: the message, a thread id, one photo and a few extra fields (Starlette's defaults are 1000).
FORM_MAX_FIELDS = 20
FORM_MAX_FILES = 4
FORM_MAX_PART_BYTES = 256 * 1024


async def read_chat(request: Request, settings: Settings) -> tuple[str, str, bytes | None, str | None]:
    """Message, thread id, photo and shopper id from a JSON or multipart body, all limits checked."""
    ctype = request.headers.get("content-type", "")
    main = ctype.split(";")[0].strip().lower()
    if main == "multipart/form-data":
        try:
            form = await request.form(
                max_files=FORM_MAX_FILES, max_fields=FORM_MAX_FIELDS, max_part_size=FORM_MAX_PART_BYTES
            )
        except HTTPException as exc:
            if exc.status_code == 413:
                raise
            if "maximum size" in str(exc.detail):
                raise InputRejected(
                    413, f"a form field is larger than the limit of {FORM_MAX_PART_BYTES // 1024} kB"
                ) from None
            raise InputRejected(400, f"invalid multipart form: {str(exc.detail).splitlines()[0]}") from None
        uploads = form.getlist("image")
        if len(uploads) > 1:
            raise InputRejected(400, "send one photo per message (the form has several image fields)")
        upload = uploads[0] if uploads else None
        image = None
        if upload is not None and not isinstance(upload, str):
            # Read one byte past the limit: enough to know it is too large without reading it all.
            raw = await upload.read(settings.max_image_bytes + 1)
            if raw or upload.filename:
                image = check_image(raw, settings.max_image_bytes, upload.content_type)
        elif isinstance(upload, str) and upload:
            image = decode_base64_image(upload, settings.max_image_bytes)
        message, thread, shopper = form.get("message"), form.get("thread_id"), form.get("shopper_id")
        if message is None:
            raise InputRejected(400, "the form has no message field: say what you are looking for")
    elif main in ("application/json", "") or main.endswith("+json"):
        try:
            body = ChatRequest.model_validate_json(await request.body())
        except ValidationError as exc:
            raise InputRejected(422, validation_message(exc.errors())) from None
        message, thread, shopper = body.message, body.thread_id, body.shopper_id
        image = decode_base64_image(body.image, settings.max_image_bytes) if body.image else None
    else:
        raise InputRejected(415, f"send application/json or multipart/form-data, not {ctype[:80]}")
    text = check_message(
        message, settings.max_message_chars, max_tokens=message_token_budget(settings.llm_max_model_len)
    )
    return text, check_thread_id(thread) or uuid.uuid4().hex, image, read_shopper_id(shopper)


def read_shopper_id(value: object) -> str | None:
    """The shopper id sent (None when absent or empty); a clear 400 for one that cannot be an id."""
    try:
        return clean_shopper_id(value)
    except ValueError as exc:
        raise InputRejected(400, str(exc)) from None


@router.post("/api/chat", summary="Answer one message.", openapi_extra=_CHAT_BODY_DOC)
async def chat(request: Request, runtime: RuntimeDep, settings: SettingsDep) -> dict[str, Any]:
    """Send JSON `{"message", "thread_id"?, "image"?, "shopper_id"?}` or a multipart form with an image file.

    Returns the stylist's reply (`answer`, `products`, `tool_calls`, `trends`, ...) and the
    `thread_id` to send with a follow-up.
    """
    admit(request)
    message, thread_id, image, shopper_id = await read_chat(request, settings)
    stylist = runtime.get()
    try:
        reply = await run_in_threadpool(
            stylist.respond, message, thread_id=thread_id, image=image, shopper_id=shopper_id
        )
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
    message, thread_id, image, shopper_id = await read_chat(request, settings)
    stylist = runtime.get()
    base = base_url(request)

    def events() -> Iterator[str]:
        try:
            for event in stylist.stream(message, thread_id=thread_id, image=image, shopper_id=shopper_id):
                data = event.to_dict()
                if event.type == "final":
                    data["reply"] = reply_dict(data.get("reply") or {}, thread_id, base)
                yield sse(event.type, data)
        except Exception as exc:  # noqa: BLE001 - the stream is already open: report in-band
            yield sse("error", {"type": "error", "message": stream_failure(exc)})

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def sse(event: str, data: dict[str, Any]) -> str:
    """One server-sent event."""
    # json.dumps escapes newlines inside strings, so one data line always holds one event.
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
