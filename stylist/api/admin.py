"""The admin API and the staff console's door (issue 17).

``GET /api/admin/demand?days=7`` and ``GET /api/admin/trends`` need ``Authorization: Bearer
<STYLIST_ADMIN_TOKEN>``; without the setting they answer 401 to everyone. The console at ``/admin``
(mounted by ``create_app``) is guarded by :func:`guard_console`: a browser signs in on the login
page (``POST /admin/login``), which sets a cookie; scripts may send the bearer header instead.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from stylist.admin import auth
from stylist.admin.service import Admin
from stylist.api.deps import SettingsDep

router = APIRouter(tags=["admin"])
CONSOLE_PATH = "/admin"
LOGIN_PATH = "/admin/login"


def get_admin(request: Request) -> Admin:
    return request.app.state.admin


def require_admin(request: Request, settings: SettingsDep) -> None:
    """401 unless the request carries the staff token."""
    why = auth.check(settings.admin_token, request.headers, {})
    if why is not None:
        raise HTTPException(401, why, headers={"WWW-Authenticate": "Bearer"})


AdminDep = Annotated[Admin, Depends(get_admin)]


@router.get(
    "/api/admin/demand",
    summary="What shoppers asked for, grouped by parsed attributes, most requested first.",
    dependencies=[Depends(require_admin)],
)
def demand(
    admin: AdminDep,
    days: Annotated[float, Query(gt=0, le=3660, description="How many days back.")] = 7,
) -> list[dict[str, Any]]:
    return admin.demand.demand(days)


@router.get(
    "/api/admin/trends",
    summary="Trend forecasts with their status probability, history and forecast.",
    dependencies=[Depends(require_admin)],
)
def trends(
    admin: AdminDep,
    gender: Annotated[str | None, Query(description="Only this gender's trends, e.g. Women.")] = None,
    season: Annotated[str | None, Query(description="Only this season's (and all-season) trends.")] = None,
) -> list[dict[str, Any]]:
    keys = ("label", "status", "change", "probability", "history", "forecast")
    return [{k: row[k] for k in keys} for row in admin.trends(gender=gender, season=season)]


@router.post(LOGIN_PATH, include_in_schema=False)
def login(request: Request, settings: SettingsDep, token: Annotated[str, Form()] = "") -> Response:
    """Check the staff token from the sign-in form; set the session cookie and go to the console."""
    if not settings.admin_token:
        return HTMLResponse(auth.login_page(auth.CLOSED, closed=True), status_code=401)
    why = auth.check(settings.admin_token, {"authorization": f"Bearer {token}"}, {})
    if why is not None:
        return HTMLResponse(auth.login_page(auth.WRONG), status_code=401)
    response = RedirectResponse(CONSOLE_PATH + "/", status_code=303)
    response.set_cookie(
        auth.COOKIE, auth.session_value(settings.admin_token), httponly=True, samesite="strict",
        secure=request.url.scheme == "https", path=CONSOLE_PATH,
    )  # fmt: skip
    return response


def guard_console(app: Any) -> None:
    """Answer 401 (the sign-in page for a browser, JSON otherwise) to console requests without the token."""

    @app.middleware("http")
    async def _guard(request: Request, call_next: Any) -> Response:
        path = request.url.path
        if (path == CONSOLE_PATH or path.startswith(CONSOLE_PATH + "/")) and path != LOGIN_PATH:
            token = request.app.state.settings.admin_token
            why = auth.check(token, request.headers, request.cookies)
            if why is not None:
                if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
                    page = auth.login_page(why if why != auth.MISSING else "Sign in with the staff token.",
                                           closed=not token)  # fmt: skip
                    return HTMLResponse(page, status_code=401)
                return JSONResponse({"detail": why}, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return await call_next(request)
