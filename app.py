"""Entry point of the web app: wiring only (see stylist/ for the parts).

``python app.py`` prepares what is missing (the model, the catalog store), then serves
the UI, the API and the widget on STYLIST_HOST:STYLIST_PORT. Ctrl-C stops it all,
including the local vLLM server the stylist started.
"""

from __future__ import annotations

import json
import os
import sys
import threading

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing is downloaded from a model hub at run time
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def prepare(settings) -> None:
    """First-run preparation with visible progress: the served model and the catalog store."""
    if settings.llm_url is None:
        print("[1/3] preparing the language model (first run converts it; later runs reuse it)", flush=True)
        from stylist.llm import serving_model

        serving_model(settings)
    else:
        print(f"[1/3] using the language model at {settings.llm_url}", flush=True)
    print(
        "[2/3] loading the catalog into the vector store (incremental; unchanged items are kept)", flush=True
    )
    from stylist.catalog import CatalogError
    from stylist.ingestion import ingest_catalog, update_trend_forecasts
    from stylist.trends.data import TrendDataError
    from vectorstore.client import connect, live_build

    try:
        print(json.dumps(ingest_catalog(settings).to_dict()), flush=True)
    except CatalogError as exc:  # the app still starts, on the store as it was
        print(f"error: {exc}", file=sys.stderr, flush=True)
    if live_build(connect(settings), settings.trends_collection) is None:
        print(
            "[3/3] forecasting the catalog's trends (first run only; `stylist trends update` redoes it)",
            flush=True,
        )
        try:
            report = update_trend_forecasts(settings)
        except (CatalogError, TrendDataError) as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
        else:
            for note in report.pop("notes"):
                print(f"note: {note}", file=sys.stderr, flush=True)
            print(json.dumps(report), flush=True)
    else:
        print("[3/3] trend forecasts: kept (`stylist trends update` refreshes them)", flush=True)


def main() -> None:
    import uvicorn

    from stylist.api import create_app, server_config
    from stylist.settings import Settings

    settings = Settings()
    prepare(settings)
    app = create_app(settings)
    url = f"http://{settings.host}:{settings.port}"
    runtime = app.state.runtime

    def announce() -> None:
        ready = runtime.wait()
        print(
            f"stylist ready at {url}" if ready else f"the stylist failed to start: {runtime.error}",
            flush=True,
        )

    runtime.start()  # the model starts while the page is already up (the app's startup is a no-op then)
    print(
        f"stylist: open {url}  (widget: {url}/widget.js, API docs: {url}/docs); starting the model...",
        flush=True,
    )
    threading.Thread(target=announce, daemon=True).start()
    uvicorn.Server(server_config(app, settings)).run()
    if runtime.state == "starting":
        # Ctrl-C during the model start: let the start finish so the server it launched is stopped too.
        print("stopping: waiting for the model start to finish so it can be shut down...", flush=True)
        runtime.wait(settings.llm_start_timeout_s)


if __name__ == "__main__":
    main()
