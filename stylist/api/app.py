"""The app factory: one FastAPI app with the routers, the error mapping, CORS and the UI.

``create_app(settings, stylist=None)`` returns the app. Without a stylist it builds the
real one (``stylist.agent.build_stylist``) in the background, so the page and ``/healthz``
answer at once and ``/readyz`` says when chat works.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from stylist.admin.service import Admin, runtime_catalog
from stylist.api import admin as admin_api
from stylist.api import catalog, chat, events, openai_facade, service, widget
from stylist.api.deps import validation_message
from stylist.api.guard import RequestGuard, add_fallback_routes, error_body, max_body_bytes
from stylist.errors import InputRejected, StylistError
from stylist.limits import rate_limiter
from stylist.runtime import StylistRuntime
from stylist.runtime import prepare as prepare_first_start
from stylist.settings import Settings

log = logging.getLogger(__name__)


def server_config(app: FastAPI, settings: Settings) -> Any:
    """How uvicorn serves the app: behind trusted proxies, the client is the forwarded address."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        # An open page keeps a connection alive; Ctrl-C still stops the app within seconds.
        timeout_graceful_shutdown=5,
    )


def create_app(
    settings: Settings | None = None, stylist: Any | None = None, *, ui: bool = True, prepare: bool = False
) -> FastAPI:
    """Build the web app.

    Args:
        settings: Configuration; defaults to ``Settings()`` (environment variables).
        stylist: A ready stylist (tests pass a scripted fake). None: build the real one
            in the background with ``stylist.agent.build_stylist(settings)``.
        ui: Mount the Gradio UI at ``/``.
        prepare: Before building the stylist, prepare what a first start needs (the model, the
            catalog and photos, the trend forecasts; ``stylist.runtime.prepare``), in the
            background too: the page answers at once and shows the progress.
    """
    settings = settings or Settings()
    # The merchandiser's console (issue 17): its demand log hears every turn of the stylist.
    admin = Admin(settings, catalog=lambda: runtime_catalog(runtime))
    if stylist is not None:
        runtime = StylistRuntime(events.attach(admin.attach(stylist), settings))
    else:

        def build() -> Any:
            from stylist.agent import build_stylist

            if prepare:
                prepare_first_start(settings, runtime)
                where = settings.llm_url or "starting a local vLLM server (about a minute)"
                runtime.step("server", "Model server", "running", where)
            stylist = events.attach(admin.attach(build_stylist(settings)), settings)
            if prepare:
                runtime.step("server", state="done", detail="ready")
            return stylist

        runtime = StylistRuntime(factory=build)
    limiter = rate_limiter(settings)  # shared by the workers when conversations are in PostgreSQL

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        runtime.start()
        yield
        runtime.close()
        if hasattr(limiter, "close"):
            limiter.close()

    app = FastAPI(
        title="stylist",
        version="0.1.0",
        description="A conversational AI stylist for fashion shops. `/api/chat` answers one message; "
        "`/api/chat/stream` streams it as server-sent events; `/v1/chat/completions` is an "
        "OpenAI-compatible facade (model `stylist`) whose responses carry the products in an extra "
        "`stylist` field.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.limiter = limiter
    app.state.admin = admin
    app.state.image_root = catalog.image_root(settings)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Content-Type", "Authorization"],
        max_age=600,
    )
    # Outermost: an oversized or compressed body is refused before any route or the UI reads it.
    app.add_middleware(RequestGuard, max_bytes=max_body_bytes(settings.max_image_bytes))
    add_error_handlers(app)
    admin_api.guard_console(app)
    for router in (
        service.router,
        chat.router,
        catalog.router,
        openai_facade.router,
        widget.router,
        admin_api.router,
        events.router,
    ):
        app.include_router(router)
    add_fallback_routes(app)  # after every API router: unknown /api/ and /v1/ paths get JSON 404/405

    if ui:
        import gradio as gr

        from stylist.admin.console import build_console
        from stylist.feedback import FeedbackStore
        from stylist.ui import CSS, build_ui

        # The staff console first: the chat's mount at "/" would take /admin too.
        app = gr.mount_gradio_app(app, build_console(admin).queue(), path=admin_api.CONSOLE_PATH)
        blocks = build_ui(runtime, settings, FeedbackStore(settings.feedback_path), limiter)
        blocks.queue(default_concurrency_limit=settings.ui_concurrency)
        app.state.blocks = blocks
        app = gr.mount_gradio_app(
            app, blocks, path="/", css=CSS, max_file_size=settings.max_image_bytes, footer_links=["api"]
        )
    return app


def error_response(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """One clear JSON shape per API family: OpenAI's ``error`` object under ``/v1/``, else ``detail``."""
    return JSONResponse(error_body(request.url.path, status, message), status_code=status, headers=headers)


def add_error_handlers(app: FastAPI) -> None:
    """Map the stylist's errors (by class, with ``isinstance``) and FastAPI's own to JSON answers."""

    @app.exception_handler(StylistError)
    async def _stylist_error(request: Request, exc: StylistError) -> JSONResponse:
        message = exc.message if isinstance(exc, InputRejected) else str(exc)
        headers = {"Retry-After": "5"} if exc.retry else None
        return error_response(request, exc.http_status, message, headers)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        return error_response(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(request, 422, validation_message(exc.errors()))
