"""Service probes: ``/healthz`` (the process is up) and ``/readyz`` (chat works)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from stylist.api.deps import RuntimeDep
from stylist.errors import NotReady

router = APIRouter(tags=["service"])


@router.get("/healthz", summary="The process is up.")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The language model and the catalog store are reachable.")
def readyz(runtime: RuntimeDep) -> JSONResponse:
    try:
        checks = {k: bool(v) for k, v in runtime.get().ready().items()}
    except NotReady as exc:
        return JSONResponse(
            {
                "ready": False,
                "state": exc.state,
                "detail": str(exc),
                "llm": False,
                "chroma": False,
                "progress": runtime.progress(),
            },
            status_code=503,
            headers={"Retry-After": "5"},
        )
    ok = bool(checks) and all(checks.values())
    return JSONResponse({"ready": ok, "state": "ready", **checks}, status_code=200 if ok else 503)
