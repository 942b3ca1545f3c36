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
    strict: Annotated[bool, typer.Option("--strict", help="Reject the whole file if any row is bad.")] = False,
) -> None:
    """Load a catalog into the vector store (incremental; the live store stays intact on failure)."""
    from stylist.catalog import CatalogError, load_catalog, resolve_catalog
    from vectorstore import ingest as run_ingest

    settings = Settings()
    source = catalog or settings.catalog_path
    try:
        path, convert_errors = resolve_catalog(source, settings.data_dir)
        result = load_catalog(path, currency=settings.currency, strict=strict)
    except CatalogError as exc:
        _fail(str(exc), code=2)
        return
    errors = convert_errors + result.errors
    for error in errors:
        typer.echo(f"rejected: {error}", err=True)
    if errors:
        typer.echo(f"{len(errors)} problem(s) reported; {len(result.products)} valid rows kept", err=True)
    report = run_ingest(result.products, settings)
    typer.echo(
        json.dumps(
            {
                "catalog": str(path),
                "items": report.total,
                "embedded": report.embedded,
                "copied": report.copied,
                "removed": report.removed,
                "rejected_rows": len(errors),
                "build": report.build,
                "seconds": round(report.seconds, 2),
            }
        )
    )


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
                    typer.echo(f"{item.score:.3f}  {item.id:>8}  {item.price:>8.0f} {item.currency}  {item.title}")
            if not result.items:
                typer.echo(f"{q!r}: {result.message}", err=True)
                if result.relaxation:
                    for item in result.relaxation.items:
                        typer.echo(f"  relaxed: {item.id} {item.title} ({item.price:.0f} {item.currency})", err=True)
            for note in result.notes:
                typer.echo(f"note: {note}", err=True)
    except StoreEmpty as exc:
        _fail(str(exc), code=3)


@app.command()
def chat(
    message: Annotated[str | None, typer.Argument(help="The shopper's message.")] = None,
    thread: Annotated[str | None, typer.Option("--thread", help="Conversation id to continue.")] = None,
    batch: Annotated[Path | None, typer.Option(help="One message per line, each a fresh conversation.")] = None,
    image: Annotated[Path | None, typer.Option(help="A photo to send with the message.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Talk to the stylist (starts a local vLLM server unless STYLIST_LLM_URL is set)."""
    from stylist.agent import LLMUnavailable, open_stylist

    if (message is None) == (batch is None):
        _fail("give a MESSAGE or --batch FILE", code=2)
    messages = [message] if message is not None else [m for m in _lines(batch) if m.strip()]  # type: ignore[arg-type]
    photo = image.read_bytes() if image is not None else None
    settings = Settings()
    with open_stylist(settings) as stylist:
        for text in messages:
            try:
                reply = stylist.respond(text, thread_id=thread if batch is None else None, image=photo)
            except LLMUnavailable as exc:
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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
