"""The `histkg` command: thin over the core. Bad input is one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import functools
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from service.config import STORAGES, Settings
from service.errors import DataFileError, HistkgError, InconsistencyError, NotFound, QueryError, UnsupportedOntology
from service.features import saved_queries as queries
from service.features.export import Part, export
from service.query.sparql import Dataset, QueryResult, prepare, run, write_result
from service.rdf import formats
from service.rdf.display import show
from service.rdf.namespaces import shorten
from service.store.graph import KnowledgeGraph

OUTPUT_FORMATS = ["table", *[f.name for f in formats.FORMATS]]


def dataset_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--data / --ontology / --no-cache, turned into a `settings` argument."""
    @click.option("--data", "data_files", multiple=True, type=click.Path(path_type=Path),
                  help="Data file (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML); repeatable. "
                       "Default: the shipped data/belenko.ttl.")
    @click.option("--ontology", "ontology_files", multiple=True, type=click.Path(path_type=Path),
                  help="Ontology file; repeatable. Default: the shipped ontology.")
    @click.option("--no-cache", is_flag=True, help="Reason from scratch; neither read nor write the closure cache "
                  "(nor a store snapshot).")
    @click.option("--storage", type=click.Choice(STORAGES), default=None,
                  help="Where the store is kept: memory, disk (a snapshot in the cache folder, reopened in "
                       "milliseconds at the next start) or auto (disk for large datasets). Default: HISTKG_STORAGE "
                       "or auto.")
    @functools.wraps(command)
    def wrapper(data_files: tuple[Path, ...], ontology_files: tuple[Path, ...], no_cache: bool,
                storage: str | None, **kwargs: Any) -> Any:
        overrides: dict[str, object] = {"storage": storage}
        if data_files:
            overrides["data_files"] = tuple(data_files)
        if ontology_files:
            overrides["ontology_files"] = tuple(ontology_files)
        try:
            settings = Settings.from_env(**overrides)
        except ValueError as error:
            fail(f"bad setting: {error}")
        if no_cache:
            settings = settings.with_(cache_dir=None)
        return command(settings=settings, **kwargs)
    return wrapper


def fail(message: str, code: int = 2) -> None:
    click.echo(f"histkg: error: {message}", err=True)
    sys.exit(code)


def load_graph(settings: Settings) -> KnowledgeGraph:
    try:
        return KnowledgeGraph.load(settings)
    except (DataFileError, InconsistencyError, UnsupportedOntology) as error:
        fail(str(error))
        raise  # unreachable: fail() exits


def connect_graph(settings: Settings, store_url: str) -> KnowledgeGraph:
    if not store_url.startswith(("sparql+http://", "sparql+https://")):
        fail(f"--store takes sparql+http://HOST:PORT/PATH (the server's SPARQL query URL), not {store_url!r}")
    try:
        return KnowledgeGraph.connect(settings, store_url.removeprefix("sparql+"))
    except (DataFileError, HistkgError) as error:
        fail(str(error))
        raise  # unreachable: fail() exits


@click.group()
@click.version_option(package_name="histkg")
@click.option("-v", "--verbose", is_flag=True, help="Log each loading phase with its timing.")
def main(verbose: bool) -> None:
    """histkg: a historical knowledge graph with sources, claims and explained reasoning."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")


@main.command()
@dataset_options
@click.option("--reasoner", type=click.Choice(["auto", "owlrl", "fast"]), default=None,
              help="owlrl (the reference), fast (service.reasoning.materialise, same closure) or auto: fast from "
                   "reasoner_threshold input triples on. Default: HISTKG_REASONER or auto.")
def check(settings: Settings, reasoner: str | None) -> None:
    """Parse, reason (OWL 2 RL) and SHACL-validate; exit 1 on any violation, 2 on unreadable or inconsistent data."""
    from service.features.validate import validate

    kg = load_graph(settings.with_(reasoner=reasoner) if reasoner else settings)
    for phase, seconds in kg.report.phases:
        click.echo(f"ok   {phase} ({seconds:.2f} s)")
    if settings.shapes_file is None or not settings.shapes_file.is_file():
        click.echo("skip SHACL validation: no shapes file")
        return
    try:
        report = validate(kg, settings.shapes_file)
    except DataFileError as error:
        fail(str(error))
    for v in report.violations:
        click.echo(f"{v.severity.upper():9} {shorten(v.focus)} {shorten(v.path)}: {v.message}")
    errors = len(report.errors)
    click.echo(f"{'FAIL' if errors else 'ok  '} SHACL: {errors} violation(s), "
               f"{len(report.violations) - errors} warning(s)")
    if errors:
        sys.exit(1)


@main.command("export")
@dataset_options
@click.option("--graph", "part", type=click.Choice([p.value for p in Part]), default="all", show_default=True)
@click.option("--format", "format_name", type=click.Choice([f.name for f in formats.rdf_formats()]),
              default="turtle", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write (atomically); default stdout.")
def export_command(settings: Settings, part: str, format_name: str, output: Path | None) -> None:
    """Export the whole dataset: asserted, inferred or all."""
    kg = load_graph(settings)
    fmt = formats.by_name(format_name)
    assert fmt is not None
    write_output(export(kg, Part(part), fmt), output)


def write_output(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = output.resolve()
    if not target.parent.is_dir():
        fail(f"{output}: the folder does not exist")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@main.command("query")
@dataset_options
@click.argument("text", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(path_type=Path), help="Read the query from a file.")
@click.option("-s", "--saved", help="Run a saved query (its name in queries/).")
@click.option("-p", "--param", "params", multiple=True, help="NAME=VALUE for a saved query's parameter.")
@click.option("--format", "format_name", type=click.Choice(OUTPUT_FORMATS), default="table", show_default=True)
@click.option("--infer/--no-infer", default=True, show_default=True, help="Include inferred triples.")
@click.option("--endpoint", help="Run against this remote SPARQL endpoint instead of the local graph.")
def query_command(settings: Settings, text: str | None, query_file: Path | None, saved: str | None,
                  params: tuple[str, ...], format_name: str, infer: bool, endpoint: str | None) -> None:
    """Run SPARQL (TEXT, --file or --saved) and print the result."""
    query_text, bindings = _query_source(settings, text, query_file, saved, params)
    try:
        if endpoint:
            from service.query.endpoint import query_endpoint
            result = query_endpoint(endpoint, query_text, bindings, infer=infer)
        else:
            kg = load_graph(settings)
            prepared = prepare(query_text, set(kg.graph_names()), settings.max_query_length)
            result = run(kg, prepared, Dataset(infer=infer), substitutions=bindings)
    except (QueryError, HistkgError) as error:
        fail(str(error))
        return
    click.echo(render(result, format_name), nl=False)


def _query_source(settings: Settings, text: str | None, query_file: Path | None, saved: str | None,
                  params: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    if sum(x is not None for x in (text, query_file, saved)) != 1:
        fail("give exactly one of: a query TEXT, --file FILE, --saved NAME")
    if query_file is not None:
        try:
            return query_file.read_text(encoding="utf-8"), {}
        except (OSError, UnicodeDecodeError) as error:
            fail(f"{query_file}: {error}")
    if saved is not None:
        values = dict(p.partition("=")[::2] for p in params)
        try:
            saved_query = queries.get(queries.load_saved_queries(settings.queries_dir), saved)
            return saved_query.text, saved_query.bind(values)
        except (NotFound, QueryError, DataFileError) as error:
            fail(str(error))
    return text or "", {}


def render(result: QueryResult, format_name: str) -> str:
    if format_name == "table":
        return _table(result)
    fmt = formats.by_name(format_name)
    assert fmt is not None
    if result.form in ("ASK", "SELECT") and fmt.kind is not formats.Kind.RESULTS:
        fail(f"a {result.form} result cannot be written as {fmt.name}; use table, json, xml, csv or tsv")
    if result.form not in ("ASK", "SELECT") and fmt.kind is formats.Kind.RESULTS:
        fail(f"a {result.form} result is RDF; use table or an RDF format (turtle, jsonld, ...)")
    return write_result(result, fmt).decode()


def _table(result: QueryResult) -> str:
    if result.form == "ASK":
        return f"{'yes' if result.boolean else 'no'}\n"
    if result.form == "SELECT":
        header, rows = result.variables, [[_cell(t) for t in row] for row in result.rows]
    else:
        header = ["subject", "predicate", "object"]
        rows = [[_cell(t.subject), _cell(t.predicate), _cell(t.object)] for t in result.triples]
    widths = [min(60, max([len(h), *(len(r[i]) for r in rows)])) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c[:w].ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _cell(term: Any) -> str:
    return show(term).text


@main.command("load")
@dataset_options
@click.option("--into", "update_url", required=True, metavar="URL",
              help="The SPARQL server's Update URL, e.g. http://127.0.0.1:7878/update.")
def load_command(settings: Settings, update_url: str) -> None:
    """Reason locally, then load ontology, facts, statements and the inferred graph into a SPARQL server."""
    from service.store.remote import RemoteStore

    kg = load_graph(settings)
    try:
        pushed = kg.push(RemoteStore(update_url, update_url, timeout=600))
    except HistkgError as error:
        fail(str(error))
        return
    for name, count in pushed:
        click.echo(f"loaded {count} triples into <{name}>")


@main.command()
@dataset_options
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="HTTP worker processes.")
@click.option("--dev", is_flag=True, help="Flask's development server with the reloader, instead of granian.")
@click.option("--store", "store_url", metavar="sparql+URL",
              help="Serve the graph a SPARQL server holds (loaded there by `histkg load`), e.g. "
                   "sparql+http://127.0.0.1:7878/query. Default: the files, in memory.")
@click.option("--worker-class", type=click.Choice(["gthread", "sync"]), default="gthread", show_default=True,
              help="gunicorn's worker type, with --server gunicorn (gthread measured better: bench/results.md).")
@click.option("--access-log", is_flag=True,
              help="One line per request on stdout (off by default: it costs about a third of the throughput "
                   "on cached answers, bench/results.md).")
@click.option("--server", type=click.Choice(["granian", "gunicorn"]), default="granian", show_default=True,
              help="The HTTP server in front of the app: granian (Rust; measured 2.5-3x gunicorn's throughput, "
                   "bench/results.md) or gunicorn.")
def serve(settings: Settings, host: str, port: int, workers: int, dev: bool, store_url: str | None,
          worker_class: str, access_log: bool, server: str) -> None:
    """Serve the knowledge graph over HTTP (SPARQL, entity pages, exports)."""
    from service.web import create_app
    from service.web.serving import run_production

    # The serving processes share the query processes' memory budget (service.query.executor.pool_size).
    try:
        settings = settings.with_(serving_processes=1 if dev else max(1, workers))
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    kg = connect_graph(settings, store_url) if store_url else load_graph(settings)
    for phase, seconds in kg.report.phases:
        click.echo(f"histkg: {phase} in {seconds:.3f} s", err=True)
    app = create_app(kg)
    if dev:
        # The reloader, never the interactive debugger: it would run code for anyone who can reach the port.
        app.run(host=host, port=port, debug=False, use_reloader=True)
    else:
        run_production(app, host, port, workers, worker_class, access_log, server)


if __name__ == "__main__":
    main()
