"""The embeddable chat widget: ``/widget.js`` (one ``<script>`` tag on a shop's page) and the server-side
settings it reads (``/api/widget/config``: the shop's add-to-cart link template)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse

from stylist.api.deps import SettingsDep

router = APIRouter(tags=["widget"])

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


@router.get("/widget.js", summary="The embeddable chat widget (one <script> tag).")
def widget() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "widget.js",
        media_type="application/javascript",
        headers={"Cache-Control": "max-age=300"},
    )


@router.get("/api/widget/config", summary="What the widget needs from the server's settings.")
def widget_config(settings: SettingsDep) -> dict[str, Any]:
    """`cart_url_template`: the shop's add-to-cart link (`STYLIST_CART_URL_TEMPLATE`, with `{id}`,
    `{size}` and `{qty}`), or null: then product cards get no cart link unless the page asks for the
    button itself. `size_advice`: whether `/api/products/{id}/size` is there."""
    return {"cart_url_template": settings.cart_url_template, "size_advice": True}
