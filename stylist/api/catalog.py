"""The catalog API: one product (``/api/products/{id}``) and its photo (only photos of catalog items)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from stylist.api.deps import ImageRootDep, RuntimeDep, SettingsDep, base_url
from stylist.errors import InputRejected
from stylist.limits import check_message
from stylist.render import image_src
from stylist.settings import Settings

router = APIRouter(tags=["catalog"])

#: File types served as product photos; anything else in a catalog's image field is refused.
IMAGE_SUFFIXES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}


def image_root(settings: Settings) -> Path:
    """The folder product photos must live in: the catalog folder (or the catalog file's folder)."""
    path = Path(settings.catalog_path).resolve()
    return path if path.is_dir() else path.parent


def shown(product_id: str) -> str:
    """An id as error messages quote it: at most 60 characters, so a 10 kB id is not echoed back."""
    return repr(product_id[:60] + ("..." if len(product_id) > 60 else ""))


@router.get("/api/products/{product_id}", summary="One catalog item.")
async def product(product_id: str, request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    item = await run_in_threadpool(runtime.get().product, product_id)
    if item is None:
        raise HTTPException(404, f"no product with id {shown(product_id)}")
    item = dict(item)
    item["image"] = image_src(item, base_url(request))
    return item


@router.get(
    "/api/products/{product_id}/image",
    summary="A product's photo (only photos of catalog items are served).",
    response_class=FileResponse,
)
async def product_image(product_id: str, runtime: RuntimeDep, root: ImageRootDep) -> Response:
    item = await run_in_threadpool(runtime.get().product, product_id)
    if item is None:
        raise HTTPException(404, f"no product with id {shown(product_id)}")
    image = str(item.get("image") or "")
    if image.startswith(("http://", "https://")):
        return RedirectResponse(image, status_code=307)
    path = Path(image).resolve() if image else None
    # Only a photo file inside the catalog's folder: a catalog row cannot make us serve other files.
    if (
        path is None
        or path.suffix.lower() not in IMAGE_SUFFIXES
        or not path.is_relative_to(root)
        or not path.is_file()
    ):
        raise HTTPException(404, f"product {shown(product_id)} has no photo")
    return FileResponse(
        path,
        media_type=IMAGE_SUFFIXES[path.suffix.lower()],
        headers={"Cache-Control": "public, max-age=86400"},
    )


#: The body measurements ``/size`` takes as query parameters (``stylist.sizing.MEASURES``).
SIZE_PARAMS = ("height_cm", "weight_kg", "chest_cm", "waist_cm", "hip_cm", "foot_cm")


@router.get("/api/products/{product_id}/size", summary="The size to take of one product.")
async def product_size(
    product_id: str, request: Request, runtime: RuntimeDep, settings: SettingsDep
) -> dict[str, Any]:
    """Query: any of `height_cm`, `weight_kg`, `chest_cm`, `waist_cm`, `hip_cm`, `foot_cm` (numbers),
    `usual` (a size the shopper usually wears: `M`, `UK 8`, `EU 42`, `32`) and `text` (the shopper's
    own words: "I'm 178 cm and 72 kg, usually M").

    Returns `{"size", "confidence", "in_stock", "reason", "alternatives"}` from the shop's size chart:
    `size` is null when the chart cannot tell (`reason` says why), `alternatives` are the sizes next to it
    that are in stock. Impossible or unreadable values: 400 with what is wrong.
    """
    from stylist.sizing import SizeRequest, advise, load_chart, parse_size_request

    query = request.query_params
    unknown = sorted(set(query) - {*SIZE_PARAMS, "usual", "text"})
    if unknown:
        raise InputRejected(
            400, f"unknown parameter(s) {', '.join(unknown)}; use {', '.join(SIZE_PARAMS)}, usual, text"
        )
    facts = SizeRequest()
    if query.get("text"):
        facts = parse_size_request(check_message(query["text"], settings.max_message_chars, "text"))
    usual = (query.get("usual") or "").strip()
    if usual:
        said = parse_size_request(f"I usually wear {usual[:40]}").usual
        if not said:
            raise InputRejected(
                400, f"usual: {usual[:40]!r} is not a size I can read (e.g. M, UK 8, EU 42, 32)"
            )
        facts.usual = said + facts.usual
    for name in SIZE_PARAMS:
        raw = (query.get(name) or "").strip()
        if not raw:
            continue
        try:
            value = float(raw)
        except ValueError:
            raise InputRejected(400, f"{name}: {raw[:40]!r} is not a number") from None
        setattr(facts, name, value)
    if facts.empty():
        raise InputRejected(
            400,
            f"say something about the shopper: one of {', '.join(SIZE_PARAMS)}, usual or text (none was read)",
        )
    facts.check()
    item = await run_in_threadpool(runtime.get().product, product_id)
    if item is None:
        raise HTTPException(404, f"no product with id {shown(product_id)}")
    advice = advise(item, facts, await run_in_threadpool(load_chart, settings))
    return {
        "product_id": str(item.get("id", product_id)),
        **advice.to_dict(),
        "read": {**facts.measures(), "usual": [str(u) for u in facts.usual]},
    }


class SizesRequest(BaseModel):
    """What the shopper said in this conversation and the products shown (``POST /api/sizes``)."""

    text: str = Field(description="The shopper's messages (the widget sends those of the conversation).")
    product_ids: list[str] = Field(max_length=20, description="The products to size (at most 20).")


@router.post("/api/sizes", summary="Sizes for the products shown, from what the shopper said.")
async def sizes(body: SizesRequest, runtime: RuntimeDep, settings: SettingsDep) -> dict[str, Any]:
    """Reads body facts and usual sizes in `text` ("I'm 178 cm and 72 kg, UK 8 in shoes") and advises a
    size for each product, as `/api/products/{id}/size` does. `read` is empty and `advice` too when the
    text says nothing about size (or only impossible values); unknown ids are left out."""
    from stylist.sizing import advise_products, load_chart

    text = check_message(body.text, settings.max_message_chars * 3, "text") if body.text.strip() else ""
    stylist = runtime.get()
    items = [await run_in_threadpool(stylist.product, pid) for pid in dict.fromkeys(body.product_ids)]
    chart = await run_in_threadpool(load_chart, settings)
    facts, advice = advise_products([i for i in items if i is not None], text, chart)
    read = {**facts.measures(), "usual": [str(u) for u in facts.usual]} if advice else {}
    return {"read": read, "advice": {pid: a.to_dict() for pid, a in advice.items()}}
