"""The ``stylist`` command line.

Heavy libraries are imported inside the commands so that ``stylist --help`` is fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from stylist.settings import Settings

app = typer.Typer(help="A conversational AI stylist for fashion shops.", no_args_is_help=True)
catalog_app = typer.Typer(help="Work with catalog files.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")
model_app = typer.Typer(help="Prepare the chat model.", no_args_is_help=True)
app.add_typer(model_app, name="model")
llm_app = typer.Typer(help="Serve the chat model with vLLM.", no_args_is_help=True)
app.add_typer(llm_app, name="llm")
trends_app = typer.Typer(help="Trend forecasts and the fashion-text classifier.", no_args_is_help=True)
app.add_typer(trends_app, name="trends")
personalise_app = typer.Typer(
    help="The personal stylist: train its model, show or forget a shopper.", no_args_is_help=True
)
app.add_typer(personalise_app, name="personalise")
vision_app = typer.Typer(help="The image model: train it, check it.", no_args_is_help=True)
app.add_typer(vision_app, name="vision")


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _lines(path: Path) -> list[str]:
    if str(path) == "-":
        return [line.rstrip("\n") for line in sys.stdin]
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {path}: {exc}")
        raise  # unreachable; keeps type checkers happy


@app.command()
def ingest(
    catalog: Annotated[Path | None, typer.Option(help="Catalog file (.csv/.jsonl) or sample folder.")] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Reject the whole file if any row is bad.")
    ] = False,
) -> None:
    """Load a catalog into the vector store (incremental; the live store stays intact on failure)."""
    from stylist.catalog import CatalogError
    from stylist.errors import DiskFull
    from stylist.ingestion import ingest_catalog

    try:
        result = ingest_catalog(Settings(), catalog, strict=strict)
    except CatalogError as exc:
        _fail(str(exc), code=2)
        return
    except DiskFull as exc:
        _fail(str(exc), code=1)
        return
    typer.echo(json.dumps(result.to_dict()))


@app.command()
def search(
    query: Annotated[str | None, typer.Argument(help="What the shopper asks for.")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=200, help="How many items.")] = 10,
    batch: Annotated[Path | None, typer.Option(help="File with one query per line ('-' for stdin).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search the catalog; explicit constraints in the query are always respected."""
    from stylist.retrieval import Retriever, StoreEmpty

    if (query is None) == (batch is None):
        _fail("give a QUERY or --batch FILE", code=2)
    settings = Settings()
    retriever = Retriever(settings)
    queries = [query] if query is not None else _lines(batch)  # type: ignore[arg-type]
    try:
        for q in queries:
            result = retriever.search(q, k=k)
            if as_json:
                typer.echo(json.dumps([item.to_dict() for item in result.items], ensure_ascii=False))
            else:
                typer.echo(f"# {q}  [{', '.join(f'{a}={v}' for a, v in result.filters.active().items())}]")
                for item in result.items:
                    typer.echo(
                        f"{item.score:.3f}  {item.id:>8}  {item.price:>8.0f} {item.currency}  {item.title}"
                    )
            if not result.items:
                typer.echo(f"{q!r}: {result.message}", err=True)
                if result.relaxation:
                    for item in result.relaxation.items:
                        typer.echo(
                            f"  relaxed: {item.id} {item.title} ({item.price:.0f} {item.currency})", err=True
                        )
            for note in result.notes:
                typer.echo(f"note: {note}", err=True)
    except StoreEmpty as exc:
        _fail(str(exc), code=3)


@app.command()
def chat(
    message: Annotated[str | None, typer.Argument(help="The shopper's message.")] = None,
    thread: Annotated[str | None, typer.Option("--thread", help="Conversation id to continue.")] = None,
    batch: Annotated[
        Path | None, typer.Option(help="One message per line, each a fresh conversation.")
    ] = None,
    image: Annotated[Path | None, typer.Option(help="A photo to send with the message.")] = None,
    shopper: Annotated[
        str | None,
        typer.Option("--shopper", help="Shopper id: the personal stylist remembers their size and taste."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Talk to the stylist (starts a local vLLM server unless STYLIST_LLM_URL is set)."""
    from stylist.agent import open_stylist
    from stylist.errors import ServiceUnavailable

    if (message is None) == (batch is None):
        _fail("give a MESSAGE or --batch FILE", code=2)
    if shopper is not None:
        from stylist.personal import clean_shopper_id

        try:
            shopper = clean_shopper_id(shopper)
        except ValueError as exc:
            _fail(str(exc), code=2)
    messages = [message] if message is not None else [m for m in _lines(batch) if m.strip()]  # type: ignore[arg-type]
    photo = image.read_bytes() if image is not None else None
    settings = Settings()
    with open_stylist(settings) as stylist:
        for text in messages:
            try:
                reply = stylist.respond(
                    text, thread_id=thread if batch is None else None, image=photo, shopper_id=shopper
                )
            except ServiceUnavailable as exc:  # the model, the catalog store or the photo search: named
                if as_json:
                    typer.echo(json.dumps({"error": str(exc)}))
                    continue
                _fail(str(exc), code=4)
                return
            if as_json:
                typer.echo(json.dumps(reply.to_dict(), ensure_ascii=False))
            else:
                typer.echo(reply.answer)
                typer.echo(f"[thread {reply.thread_id}, {reply.latency_ms:.0f} ms]", err=True)


@catalog_app.command("validate")
def catalog_validate(
    path: Annotated[Path, typer.Argument(help="Catalog file (.csv or .jsonl).")],
    strict: Annotated[bool, typer.Option("--strict")] = False,
) -> None:
    """Check a catalog file and report every problem with file, row, field and reason."""
    from stylist.catalog import CatalogError, load_catalog

    try:
        result = load_catalog(path, currency=Settings().currency, strict=strict)
    except CatalogError as exc:
        _fail(str(exc), code=2)
        return
    for error in result.errors:
        typer.echo(str(error))
    typer.echo(f"{len(result.products)} valid, {len(result.errors)} problem(s)", err=True)
    raise typer.Exit(1 if result.errors else 0)


@catalog_app.command("convert-sample")
def catalog_convert(
    source: Annotated[Path, typer.Argument(help="Folder with styles.csv and images/.")],
    out: Annotated[Path, typer.Argument(help="JSONL file to write.")],
) -> None:
    """Convert the sample data into the catalog schema (derived sample prices and stock)."""
    from stylist.catalog import CatalogError, convert_sample

    try:
        written, errors = convert_sample(source, out)
    except CatalogError as exc:
        _fail(str(exc), code=2)
        return
    for error in errors:
        typer.echo(f"rejected: {error}", err=True)
    typer.echo(json.dumps({"written": written, "rejected_rows": len(errors), "out": str(out)}))


@model_app.command("prepare")
def model_prepare(
    quiet: Annotated[bool, typer.Option("--quiet", help="Do not show the conversion steps.")] = False,
) -> None:
    """Convert the bundled SmolLM2-135M-Instruct GGUF into a bf16 folder and merge the fine-tuned adapter (once).

    With STYLIST_LLM_MODEL set, that folder is checked instead. Prints the model folder.
    """
    from stylist.llm import ModelError, serving_model

    try:
        path = serving_model(Settings(), progress=not quiet)
    except ModelError as exc:
        _fail(str(exc), code=2)
        return
    typer.echo(str(path))


@llm_app.command("serve")
def llm_serve(
    port: Annotated[
        int | None, typer.Option(help="Port (default STYLIST_LLM_PORT; 0: any free port).")
    ] = None,
    host: Annotated[str | None, typer.Option(help="Host (default STYLIST_LLM_HOST).")] = None,
    timeout: Annotated[float | None, typer.Option(help="Seconds to wait for readiness.")] = None,
) -> None:
    """Run the vLLM OpenAI-compatible server in the foreground; Ctrl-C stops it cleanly.

    Prints the base URL once the server answers; use it as STYLIST_LLM_URL elsewhere.
    """
    import signal

    from stylist.llm import LLMServer, LLMUnavailable, ModelError

    overrides: dict[str, object] = {}
    if port is not None:
        overrides["llm_port"] = port
    if host is not None:
        overrides["llm_host"] = host
    settings = Settings(**overrides)  # type: ignore[arg-type]
    server = LLMServer(settings, progress=True)

    def _terminate(signum: int, frame: object) -> None:
        # SIGTERM (docker stop, systemd) takes the same clean path as Ctrl-C.
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    # A shell starts background jobs with SIGINT ignored; Ctrl-C must still stop the server.
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        typer.echo("starting vLLM (logs in the data folder) ...", err=True)
        url = server.start(timeout=timeout)
        typer.echo(url)
        typer.echo(f"ready; log: {server.log_path}; Ctrl-C to stop", err=True)
        code = server.wait()
        _fail(f"the vLLM server exited with code {code}. End of its log:\n{server.log_tail()}", code=1)
    except KeyboardInterrupt:
        typer.echo("stopping ...", err=True)
    except ModelError as exc:
        _fail(str(exc), code=2)
    except LLMUnavailable as exc:
        _fail(str(exc), code=3)
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)


@app.command()
def finetune(
    out: Annotated[Path | None, typer.Option(help="Output folder (default: DATA_DIR/finetune).")] = None,
    epochs: Annotated[float, typer.Option(help="Passes over the training dialogs.")] = 2.0,
    scale: Annotated[float, typer.Option(help="Multiplier on the number of training dialogs.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed (dialogs, order, initialisation).")] = 0,
    threads: Annotated[int, typer.Option(help="Torch threads (0: all cores).")] = 0,
    resume: Annotated[
        bool, typer.Option("--resume/--restart", help="Continue from the last checkpoint.")
    ] = True,
    ship: Annotated[
        bool,
        typer.Option(
            "--ship",
            help="Source checkouts only: copy the adapter into the source tree as the shipped default. "
            "Elsewhere serve OUT/adapter with STYLIST_LLM_ADAPTER.",
        ),
    ] = False,
) -> None:
    """Fine-tune the chat model (LoRA) on dialogs generated from the ingested catalog.

    Writes the adapter, the dialogs and report.json to OUT; about 65 minutes on two CPU threads (the
    shipped run). Serve the result with STYLIST_LLM_ADAPTER=OUT/adapter; in a source checkout,
    --ship replaces the adapter the package ships (to be committed). An installed package is never
    written to.
    """
    import shutil

    from stylist.finetune import SHIPPED_ADAPTER, run_finetune
    from stylist.finetune.train import TrainConfig
    from stylist.llm import ModelError
    from stylist.retrieval import StoreEmpty
    from stylist.settings import source_checkout

    settings = Settings()
    out = out or settings.data_dir / "finetune"
    if ship and not source_checkout():
        _fail(
            "--ship replaces the adapter in a source checkout, and this stylist is an installed package; "
            f"train without --ship and serve the result with STYLIST_LLM_ADAPTER={out / 'adapter'}",
            code=2,
        )
    config = TrainConfig(epochs=epochs, seed=seed, threads=threads)
    try:
        report = run_finetune(settings, out, config, scale=scale, resume=resume)
    except (ModelError, StoreEmpty) as exc:
        _fail(f"{exc} (run `stylist model prepare` and `stylist ingest` first)", code=2)
        return
    if ship:
        shutil.rmtree(SHIPPED_ADAPTER, ignore_errors=True)
        shutil.copytree(out / "adapter", SHIPPED_ADAPTER)
        shutil.copy(out / "report.json", SHIPPED_ADAPTER / "report.json")
    typer.echo(json.dumps(report, indent=2))


def _catalog_products(settings: Settings, catalog: Path | None) -> list:
    from stylist.catalog import CatalogError
    from stylist.ingestion import load_products

    try:
        return load_products(settings, catalog)[1]
    except CatalogError as exc:
        _fail(str(exc), code=2)
        raise


@trends_app.command("forecast")
def trends_forecast(
    input: Annotated[
        Path,
        typer.Option(
            "--input", help="Series CSV: wide (date + one column per series) or long (date, series, value)."
        ),
    ],
    horizon: Annotated[int, typer.Option("--horizon", min=1, max=1000, help="Periods to forecast.")],
    output: Annotated[
        Path, typer.Option("--output", help="CSV to write (wide: date + one column per series).")
    ],
    signal: Annotated[
        Path | None, typer.Option("--signal", help="Aligned weak-signal CSV (same series names).")
    ] = None,
    intervals: Annotated[
        bool, typer.Option("--intervals", help="Also write <series>_lo80 and <series>_hi80 columns.")
    ] = False,
) -> None:
    """Forecast every series of a file; writes N rows in the input's wide format."""
    from stylist.trends.data import TrendDataError, align_signal, read_series, write_wide
    from stylist.trends.forecast import TrendForecaster

    try:
        series = read_series(input)
        signals = align_signal(series, read_series(signal)) if signal else {}
    except TrendDataError as exc:
        _fail(str(exc), code=2)
        return
    columns = {}
    methods = {}
    for name, values in series.values.items():
        fc = TrendForecaster(series.season_length).fit(values, signals.get(name)).forecast(horizon)
        columns[name] = fc.mean
        if intervals:
            columns[f"{name}_lo80"], columns[f"{name}_hi80"] = fc.lo, fc.hi
        methods[fc.method] = methods.get(fc.method, 0) + 1
    for note in series.notes:
        typer.echo(f"note: {note}", err=True)
    write_wide(output, series.next_dates(horizon), columns)
    typer.echo(
        json.dumps(
            {
                "output": str(output),
                "series": len(series.values),
                "horizon": horizon,
                "frequency": series.freq,
                "season_length": series.season_length,
                "methods": methods,
                "signal": bool(signals),
            }
        )
    )


@trends_app.command("update")
def trends_update(
    catalog: Annotated[
        Path | None, typer.Option(help="Catalog to derive named trends from (default: the configured one).")
    ] = None,
    series: Annotated[
        Path | None, typer.Option(help="A shop's own series CSV (default: STYLIST_TRENDS_SERIES).")
    ] = None,
    signal: Annotated[Path | None, typer.Option(help="Weak signal aligned with --series.")] = None,
    no_catalog: Annotated[bool, typer.Option("--no-catalog", help="Only the shop's own series.")] = False,
    no_demand: Annotated[
        bool, typer.Option("--no-demand", help="Leave out the demand log's weekly requests.")
    ] = False,
) -> None:
    """Forecast the named trends and write one summary per trend (with a chart) into Chroma."""
    from stylist.catalog import CatalogError
    from stylist.ingestion import update_trend_forecasts
    from stylist.trends.data import TrendDataError

    try:
        report = update_trend_forecasts(
            Settings(), catalog=catalog, use_catalog=not no_catalog, series=series, signal=signal,
            demand=not no_demand,
        )  # fmt: skip
    except (CatalogError, TrendDataError) as exc:
        _fail(str(exc), code=2)
        return
    for note in report.pop("notes"):
        typer.echo(f"note: {note}", err=True)
    typer.echo(json.dumps(report))


@trends_app.command("train-classifier")
def trends_train_classifier(
    catalog: Annotated[
        Path | None, typer.Option(help="Catalog to train on (default: the configured one).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the heads (default: STYLIST_CLASSIFIER_DIR or the shipped folder)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the held-out split by product id.")] = 0,
) -> None:
    """Train the classifier heads on the catalog's training split; print held-out accuracy/macro-F1."""
    from stylist.trends.classifier import train_classifier
    from vectorstore.client import Embedder

    settings = Settings()
    products = _catalog_products(settings, catalog)
    embedder = Embedder(settings.resolved_embedding_model(), settings.embedding_batch_size)
    classifier, report = train_classifier(products, embedder, seed=seed)
    target = out or settings.resolved_classifier_dir()
    classifier.save(target)
    typer.echo(json.dumps({"out": str(target), **report}))


@app.command()
def classify(
    text: Annotated[
        str | None,
        typer.Argument(help="Fashion text: a product name, a shopper's phrase, a photo description."),
    ] = None,
    batch: Annotated[
        Path | None, typer.Option(help="File with one text per line ('-' for stdin); the model loads once.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (one line per input).")] = False,
) -> None:
    """Map fashion text to the catalog taxonomy with probabilities, and its trend status."""
    from stylist.trends.classifier import ClassifierMissing
    from stylist.trends.service import TrendService

    if (text is None) == (batch is None):
        _fail("give a TEXT or --batch FILE", code=2)
    texts = [text] if text is not None else _lines(batch)  # type: ignore[arg-type]
    service = TrendService(Settings())
    try:
        results = service.classify_many(texts)
    except ClassifierMissing as exc:
        _fail(str(exc), code=3)
        return
    for t, result in zip(texts, results, strict=True):
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False))
        else:
            top = {h: f"{v[0]['label']} ({v[0]['p']:.2f})" for h, v in result["attributes"].items() if v}
            trend = result["trend"]
            typer.echo(
                f"# {t}\n  "
                + ", ".join(f"{h}={v}" for h, v in top.items())
                + f"\n  trend: {trend['status']} {trend.get('trend', '')}"
            )


@app.command("describe-image")
def describe_image(
    paths: Annotated[list[Path], typer.Argument(help="Photo files (JPEG, PNG, WebP, ...).")],
    k: Annotated[int, typer.Option("--k", min=0, max=100, help="How many similar catalog items.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line per photo.")] = False,
) -> None:
    """Describe photos: attribute probabilities, a caption and visually similar catalog items.

    The model is loaded once for all photos. A photo that cannot be used prints
    ``{"error": ...}`` on its line (and to stderr) and the exit code is 1.
    """
    from stylist.vision.backends import WeightsMissing
    from stylist.vision.service import ImageError, ImageService

    service = ImageService(Settings())
    failed = 0
    for path in paths:
        try:
            result = service.describe(path, k=k)
        except ImageError as exc:
            failed += 1
            typer.echo(f"error: {path}: {exc}", err=True)
            if as_json:
                typer.echo(json.dumps({"error": str(exc), "path": str(path)}))
            continue
        except WeightsMissing as exc:
            _fail(str(exc), code=3)
            return
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False))
        else:
            sure = "" if result["confident"] else "  (not sure this is a fashion item)"
            typer.echo(f"# {path}: {result['caption']}{sure}")
            for attr, values in result["attributes"].items():
                typer.echo(f"  {attr:<12} " + ", ".join(f"{v['label']} {v['p']:.2f}" for v in values))
            typer.echo(
                "  similar      " + " ".join(f"{s['id']} ({s['score']:.2f})" for s in result["similar"])
            )
    raise typer.Exit(1 if failed else 0)


@vision_app.command("info")
def vision_info() -> None:
    """Which image model is configured, its size, and the held-out figures stored with it."""
    settings = Settings()
    weights = settings.resolved_vision_weights()
    info: dict = {
        "weights": str(weights),
        "exists": weights.is_file(),
        "clip_model": str(settings.clip_model or ""),
    }
    if weights.is_file():
        import torch

        payload = torch.load(weights, map_location="cpu", weights_only=True)
        info.update(bytes=weights.stat().st_size, **payload.get("info", {}))
    typer.echo(json.dumps(info))
    raise typer.Exit(0 if weights.is_file() or settings.clip_model else 3)


@vision_app.command("train")
def vision_train(
    out: Annotated[
        Path | None, typer.Option(help="Weights file to write (default: the vision_weights setting).")
    ] = None,
    catalog: Annotated[
        Path | None, typer.Option(help="Catalog file or sample folder (default: the catalog_path setting).")
    ] = None,
    epochs: Annotated[int, typer.Option(min=1, help="Passes over the training photos.")] = 28,
    seed: Annotated[int, typer.Option(help="Random seed (init, order, augmentation).")] = 0,
    limit: Annotated[
        int | None, typer.Option(min=2, help="Train on at most this many photos (quick checks).")
    ] = None,
) -> None:
    """Train the project's image model on the catalog photos (CPU; held-out split never trained on)."""
    from stylist.catalog import CatalogError, load_catalog, resolve_catalog
    from stylist.vision.train import train

    settings = Settings()
    try:
        path, _ = resolve_catalog(catalog or settings.catalog_path, settings.data_dir)
        products = load_catalog(path, currency=settings.currency).products
    except CatalogError as exc:
        _fail(str(exc), code=2)
        return
    target = out or settings.resolved_vision_weights()
    try:
        result = train(products, settings, out=target, epochs=epochs, seed=seed, limit=limit)
    except ValueError as exc:
        _fail(str(exc), code=2)
        return
    typer.echo(json.dumps({"weights": str(target), **result}))


@trends_app.command("demand")
def trends_demand(
    out: Annotated[Path, typer.Option("--out", help="CSV to write: date, series, value (weekly).")],
    weeks: Annotated[int, typer.Option("--weeks", min=1, help="Weeks back.")] = 156,
) -> None:
    """Write the demand log's weekly requests per article type, colour and usage (by gender) as named
    series ("Men/article_type=Blazers"), the file `stylist trends forecast --input` and `update --series` read."""
    import csv

    from stylist.admin.demand import DemandLog

    log = DemandLog.from_settings(Settings())
    counts: dict[str, dict[str, int]] = {}
    for kind in ("article_type", "colour", "usage"):
        counts.update(log.weekly(kind, weeks=weeks))
    grid = sorted({w for series in counts.values() for w in series})
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["date", "series", "value"])
        if grid:
            from datetime import date, timedelta

            first, last = date.fromisoformat(grid[0]), date.fromisoformat(grid[-1])
            weeks_all = [
                (first + timedelta(days=7 * i)).isoformat() for i in range((last - first).days // 7 + 1)
            ]
            for name in sorted(counts):
                writer.writerows([w, name, counts[name].get(w, 0)] for w in weeks_all)
    typer.echo(json.dumps({"out": str(out), "series": len(counts), "weeks": len(grid) and len(weeks_all)}))


@app.command()
def report(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for report.html, demand.csv, trends.csv, analytics.csv.")
    ],
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=520, help="Weeks the report covers.")] = 4,
) -> None:
    """The merchandiser's report: report.html (charts embedded; opens offline) and CSVs."""
    from stylist.admin.report import write_report
    from stylist.admin.service import Admin

    settings = Settings()

    def catalog() -> list:
        from stylist.retrieval import Retriever

        return Retriever(settings).snapshot().metas

    typer.echo(
        json.dumps(write_report(Admin(settings, catalog=catalog), weeks, out, shop=settings.shop_name))
    )


@personalise_app.command("train")
def personalise_train() -> None:
    """Train the collaborative model on every stored signal (a running app reloads it within 30 s)."""
    from stylist.personal.store import ProfileStore, profile_db
    from stylist.personal.train import train

    settings = Settings()
    store = ProfileStore(profile_db(settings))
    try:
        report = train(store, settings.personal_model_path)
    except ValueError as exc:
        _fail(str(exc), code=3)
        return
    finally:
        store.close()
    typer.echo(
        f"trained on {report.signals} signals from {report.shoppers} shoppers over {report.items} products "
        f"in {report.seconds:.1f} s -> {report.path}"
    )


@personalise_app.command("show")
def personalise_show(shopper: Annotated[str, typer.Argument(help="The shopper id.")]) -> None:
    """Print what is kept about a shopper (JSON, as GET /api/shoppers/{id}/profile)."""
    from stylist.personal import Personaliser
    from stylist.retrieval import Retriever

    settings = Settings()
    personal = Personaliser(settings, Retriever(settings))
    try:
        typer.echo(json.dumps(personal.profile(shopper), ensure_ascii=False, indent=2))
    finally:
        personal.close()


@personalise_app.command("forget")
def personalise_forget(shopper: Annotated[str, typer.Argument(help="The shopper id.")]) -> None:
    """Delete a shopper's profile, signals, conversations and thumbs feedback."""
    from stylist.agent.checkpoint import checkpointer
    from stylist.feedback import FeedbackStore
    from stylist.personal.store import ProfileStore, profile_db

    settings = Settings()
    store = ProfileStore(profile_db(settings))
    try:
        threads = store.forget(shopper)
    finally:
        store.close()
    saver = checkpointer(settings)
    for thread_id in threads:
        saver.delete_thread(thread_id)
    FeedbackStore(settings.feedback_path).delete_threads(threads)
    typer.echo(f"forgot {shopper}: {len(threads)} conversation(s) deleted")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
