"""The catalog API: one product (``/api/products/{id}``) and its photo (only photos of catalog items)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse, Response

from stylist.api.deps import ImageRootDep, RuntimeDep, base_url
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
