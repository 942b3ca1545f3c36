"""The OpenAI-compatible facade: ``/v1/chat/completions`` with model ``stylist``, and ``/v1/models``.

The answer is the assistant message; the stylist's structured reply (products, tool calls,
trends, ...) rides in an extra top-level ``stylist`` field.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from stylist.api.chat import read_shopper_id
from stylist.api.deps import (
    RuntimeDep,
    SettingsDep,
    admit,
    base_url,
    reply_dict,
    require_json,
    stream_failure,
    turn_failed,
)
from stylist.errors import InputRejected, StylistError
from stylist.limits import check_message, check_thread_id, decode_base64_image, message_token_budget
from stylist.settings import Settings

log = logging.getLogger(__name__)

router = APIRouter(tags=["openai"])

OPENAI_MODEL = "stylist"


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
    user: str | None = Field(
        default=None,
        description="OpenAI's end-user id: the stylist's shopper id (the personal stylist remembers their "
        "size, dislikes and taste under it). Omitted: no profile is read or kept.",
    )


@router.post(
    "/v1/chat/completions",
    summary="OpenAI-compatible chat completions.",
    dependencies=[Depends(require_json)],
)
async def completions(
    body: OpenAIChatRequest, request: Request, runtime: RuntimeDep, settings: SettingsDep
) -> Response:
    """Model `stylist`. The answer is the assistant message; the stylist's structured reply rides
    in an extra top-level `stylist` field: `{thread_id, products, tool_calls, trends, relaxed, notes}`
    (on the last chunk when streaming; tool steps arrive as chunks with `stylist.tool`)."""
    if body.model != OPENAI_MODEL:
        raise HTTPException(404, f"model {body.model!r} does not exist; use {OPENAI_MODEL!r}")
    admit(request)
    check_openai_request(body)
    message, image = openai_input(body, settings)
    thread_id = check_thread_id(body.thread_id) or uuid.uuid4().hex
    shopper_id = read_shopper_id(body.user)
    stylist = runtime.get()
    base = base_url(request)
    cid, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if not body.stream:
        try:
            reply = await run_in_threadpool(
                stylist.respond, message, thread_id=thread_id, image=image, shopper_id=shopper_id
            )
        except StylistError:
            raise  # the app answers with its status and message
        except Exception as exc:  # noqa: BLE001
            raise turn_failed(exc) from exc
        data = reply_dict(reply, thread_id, base)
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

    def chunk(delta: dict[str, Any], finish: str | None = None, extra: dict[str, Any] | None = None) -> str:
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
            for event in stylist.stream(message, thread_id=thread_id, image=image, shopper_id=shopper_id):
                if event.type == "token":
                    streamed = True
                    yield chunk({"content": event.data.get("text", "")})
                elif event.type == "tool":
                    yield chunk({}, extra={"tool": event.data})
                elif event.type == "error":
                    yield chunk({}, extra={"error": event.data.get("message", "")})
                elif event.type == "final":
                    reply = reply_dict(event.data.get("reply") or {}, thread_id, base)
                    if not streamed and reply.get("answer"):
                        yield chunk({"content": reply["answer"]})
                    yield chunk({}, "stop", _extra(reply))
        except Exception as exc:  # noqa: BLE001 - already streaming: report in-band
            yield chunk({}, "stop", {"error": stream_failure(exc), "thread_id": thread_id})
        yield "data: [DONE]\n\n"

    return StreamingResponse(chunks(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


@router.get("/v1/models", summary="The one model the facade serves.")
def models() -> dict[str, Any]:
    return {"object": "list", "data": [{"id": OPENAI_MODEL, "object": "model", "owned_by": "stylist"}]}


def _extra(reply: dict[str, Any]) -> dict[str, Any]:
    keys = ("thread_id", "products", "tool_calls", "trends", "relaxed", "notes", "latency_ms")
    return {k: reply.get(k) for k in keys}


#: Roles an OpenAI client may send; only the last (user) message is read, the history lives server-side.
OPENAI_ROLES = {"system", "developer", "user", "assistant", "tool", "function"}
#: Most messages a request may carry (clients resend their history; the stylist reads the last one).
MAX_OPENAI_MESSAGES = 500
#: Largest max_tokens accepted (and ignored: the stylist's own answers are short and capped).
MAX_OPENAI_TOKENS = 1_000_000


def check_openai_request(body: OpenAIChatRequest) -> None:
    """Refuse (400/413) what the facade cannot honour, instead of silently doing something else.

    The stylist calls its own tools with its own rules, answers once, as text: client tools,
    ``tool_choice``, ``n`` other than 1 and structured ``response_format`` are refused;
    ``max_tokens`` is accepted (and ignored) only as a sane positive integer.
    """
    extra = body.model_extra or {}
    for name in ("tools", "tool_choice", "functions", "function_call"):
        if extra.get(name) not in (None, [], "none", "auto"):
            raise InputRejected(
                400, f"{name} is not supported: the stylist calls its own catalog tools; send only messages"
            )
    n = extra.get("n", 1)
    if n is not None and (type(n) is not int or n != 1):
        raise InputRejected(400, f"n must be 1 (the stylist gives one answer per message), not {str(n)[:20]}")
    for name in ("max_tokens", "max_completion_tokens"):
        value = extra.get(name)
        if value is not None and (type(value) is not int or not 1 <= value <= MAX_OPENAI_TOKENS):
            raise InputRejected(
                400, f"{name} must be a whole number from 1 to {MAX_OPENAI_TOKENS:,}, not {str(value)[:24]}"
            )
    fmt = extra.get("response_format")
    if fmt is not None and (not isinstance(fmt, dict) or fmt.get("type") != "text"):
        raise InputRejected(400, "response_format is not supported: the stylist answers in text")
    if len(body.messages) > MAX_OPENAI_MESSAGES:
        raise InputRejected(
            413,
            f"{len(body.messages):,} messages; the limit is {MAX_OPENAI_MESSAGES} (only the last is read)",
        )
    for i, message in enumerate(body.messages):
        if message.role not in OPENAI_ROLES:
            raise InputRejected(
                400,
                f"messages[{i}] has an unknown role {message.role[:30]!r}; use one of: user, assistant, system",
            )
    if body.user is not None:
        check_message(body.user, 256, field="user")


def openai_input(body: OpenAIChatRequest, settings: Settings) -> tuple[str, bytes | None]:
    """The shopper's last message (text and optional data-URL photo) from OpenAI-style messages."""
    if not body.messages:
        raise InputRejected(400, "messages is empty: send the shopper's message with role 'user'")
    if body.messages[-1].role != "user":
        raise InputRejected(400, "the last message must have role 'user'")
    content = body.messages[-1].content
    image = None
    if isinstance(content, list):
        texts = []
        for part in content:
            kind = part.get("type")
            if kind == "text":
                texts.append(str(part.get("text", "")))
            elif kind == "image_url":
                if image is not None:
                    raise InputRejected(400, "send one photo per message (this message has several)")
                spec = part.get("image_url")
                url = spec.get("url") if isinstance(spec, dict) else None
                if not isinstance(url, str) or not url:
                    raise InputRejected(400, 'an image_url part needs {"url": "data:image/...;base64,..."}')
                if not url.startswith("data:"):
                    raise InputRejected(400, "images must be sent inline as data:image/...;base64 URLs")
                image = decode_base64_image(url, settings.max_image_bytes)
            else:
                raise InputRejected(
                    400,
                    f"content part type {str(kind)[:30]!r} is not supported; send text and image_url parts",
                )
        content = "\n".join(texts)
    budget = message_token_budget(settings.llm_max_model_len)
    return check_message(content or "", settings.max_message_chars, max_tokens=budget), image
