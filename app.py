"""Entry point of the web app: wiring only (see stylist/ for the parts).

``python app.py`` serves the UI, the API and the widget on STYLIST_HOST:STYLIST_PORT at
once, and prepares what is missing (the model, the catalog store, the trend forecasts)
behind the page, which shows the progress. Ctrl-C stops it all,
including the local vLLM server the stylist started.
"""

from __future__ import annotations

import os
import threading

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing is downloaded from a model hub at run time
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def main() -> None:
    import uvicorn

    from stylist.api import create_app, server_config
    from stylist.settings import Settings

    settings = Settings()
    # The page answers at once; the model, the catalog, its photos and the trends are prepared
    # behind it, with their progress shown there and on /readyz.
    app = create_app(settings, prepare=True)
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
        f"stylist: open {url}  (widget: {url}/widget.js, API docs: {url}/docs); getting ready...",
        flush=True,
    )
    threading.Thread(target=announce, daemon=True).start()
    uvicorn.Server(server_config(app, settings)).run()
    if runtime.state == "starting" and any(
        s.name == "server" and s.state == "running" for s in runtime.steps
    ):
        # Ctrl-C during the model start: let the start finish so the server it launched is stopped too.
        # (Earlier steps need no wait: an interrupted ingestion leaves the previous store live.)
        print("stopping: waiting for the model start to finish so it can be shut down...", flush=True)
        runtime.wait(settings.llm_start_timeout_s)


if __name__ == "__main__":
    main()
