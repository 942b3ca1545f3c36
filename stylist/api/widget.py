"""The embeddable chat widget: ``/widget.js`` (one ``<script>`` tag on a shop's page)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

router = APIRouter(tags=["widget"])

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


@router.get("/widget.js", summary="The embeddable chat widget (one <script> tag).")
def widget() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "widget.js",
        media_type="application/javascript",
        headers={"Cache-Control": "max-age=300"},
    )
