"""Shopper events and the shopper's control over their profile.

- ``POST /api/events``: a card click, "more like this", an add-to-cart hand-off or a thumb, sent by
  the widget (or the shop) with the shopper id; the personal stylist learns from it.
- ``GET /api/shoppers/{id}/profile``: what is kept about the shopper.
- ``DELETE /api/shoppers/{id}``: forget them (profile, signals, conversations, feedback).

The shopper id works like a bearer secret: whoever knows it can read and delete the profile, so
clients send a random id (the widget's anonymous one) or a keyed hash, never a customer number.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from stylist.api.chat import read_shopper_id
from stylist.api.deps import RuntimeDep, SettingsDep, admit
from stylist.errors import InputRejected
from stylist.limits import check_thread_id
from stylist.personal import EVENT_KINDS, UnknownEvent
from stylist.settings import Settings

router = APIRouter(tags=["personal"])


class EventRequest(BaseModel):
    """One thing the shopper did with a product (JSON body of ``POST /api/events``)."""

    shopper_id: str | None = Field(
        default=None, description="The shopper's id; without one the event is counted, tied to no one."
    )
    kind: str = Field(description="One of: " + ", ".join(EVENT_KINDS) + ".")
    product_id: str | None = Field(default=None, description="The product the event is about.")
    thread_id: str | None = Field(default=None, description="The conversation it happened in.")
    size: str | None = Field(default=None, description="The size chosen (add_to_cart).")


def attach(stylist: Any, settings: Settings) -> Any:
    """Wire the personal stylist into the app: forgetting a shopper also deletes the thumbs feedback
    given in their conversations, and the collaborative model retrains in the background."""
    if hasattr(stylist, "forget_hooks"):
        from stylist.feedback import FeedbackStore

        stylist.forget_hooks.append(FeedbackStore(settings.feedback_path).delete_threads)
    personal = getattr(stylist, "personal", None)
    if personal is not None:
        personal.start_trainer()
    return stylist


def _personal(runtime: Any) -> Any:
    personal = getattr(runtime.get(), "personal", None)
    if personal is None:
        raise InputRejected(503, "the personal stylist is not available in this app")
    return personal


@router.post("/api/events", status_code=202, summary="Report what a shopper did with a product.")
async def events(request: Request, runtime: RuntimeDep, settings: SettingsDep) -> JSONResponse:
    """JSON `{"shopper_id"?, "kind", "product_id"?, "thread_id"?, "size"?}`; kind is one of
    `click`, `more_like`, `add_to_cart`, `thumb_up`, `thumb_down`. Answers 202 `{"ok": true}`;
    400 for an unknown kind, 404 for a product the catalog does not have."""
    admit(request)
    try:
        body = EventRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise InputRejected(422, f"invalid event: {problems}") from None
    if body.kind not in EVENT_KINDS:
        raise InputRejected(
            400, f"unknown event kind {body.kind[:40]!r}; use one of: {', '.join(EVENT_KINDS)}"
        )
    shopper = read_shopper_id(body.shopper_id)
    thread = check_thread_id(body.thread_id) if body.thread_id else None
    product = (body.product_id or "").strip() or None
    if body.kind != "thumb_down" and body.kind != "thumb_up" and product is None:
        raise InputRejected(400, f"a {body.kind} event needs the product_id it is about")
    if body.size is not None and len(body.size) > 20:
        raise InputRejected(400, "size must be at most 20 characters")
    stylist = runtime.get()
    if product is not None and await run_in_threadpool(stylist.product, product) is None:
        raise InputRejected(404, f"no product {product[:40]!r} in the catalog")
    personal = _personal(runtime)
    if not settings.personal_enabled:
        shopper = None  # personalisation off: counted, tied to no one
    try:
        await run_in_threadpool(personal.record_event, shopper, body.kind, product, thread, body.size)
    except UnknownEvent as exc:
        raise InputRejected(400, str(exc)) from None
    return JSONResponse({"ok": True}, status_code=202)


@router.get("/api/shoppers/{shopper_id}/profile", summary="What the stylist keeps about a shopper.")
async def profile(shopper_id: str, request: Request, runtime: RuntimeDep) -> JSONResponse:
    """Sizes, likes, dislikes, usual spend, who they shop for and counts of their signals."""
    admit(request)
    sid = read_shopper_id(shopper_id)
    if sid is None:
        raise InputRejected(400, "give a shopper id")
    data = await run_in_threadpool(_personal(runtime).profile, sid)
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


@router.delete("/api/shoppers/{shopper_id}", summary="Forget a shopper: profile, signals, conversations.")
async def forget(
    shopper_id: str, request: Request, runtime: RuntimeDep, settings: SettingsDep
) -> dict[str, Any]:
    """Deletes the profile, every signal, the shopper's conversations and the feedback given in them."""
    admit(request)
    sid = read_shopper_id(shopper_id)
    if sid is None:
        raise InputRejected(400, "give a shopper id")
    _personal(runtime)
    result = await run_in_threadpool(runtime.get().forget_shopper, sid)
    return {"deleted": True, "conversations": len(result.get("threads", []))}
