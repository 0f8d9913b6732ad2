"""The commands on a collection that persists: index add/reviews/check/rebuild, check, report and serve."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import report
from .cli_common import (
    EXIT_NO_ARTICLES,
    StderrProgress,
    check_output_path,
    exit_code,
    load_settings,
    open_store,
    report_errors,
    settings_options,
    store_option,
    write_output,
)
from .describe import plural
from .encoder import check_built
from .errors import SourcetraceError
from .integrity import full_check, salvage
from .pipeline import scan
from .reviews import all_reviews
from .settings import Settings
from .stages.ingest import read_articles
from .terminal import error_lines


@click.group("index", short_help="Keep a collection in a store file.")
def index_group() -> None:
    """Keep a collection in a store file and add to it incrementally."""


@index_group.command("add", short_help="Add articles to the store.")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@store_option("The store file (created when missing).")
@settings_options
def index_add_command(paths: tuple[str, ...], db: str, config: str | None, model_dir: str | None) -> None:
    """Add the articles under PATHS to the store, comparing them with what it holds.

    Unchanged articles are skipped; an article whose id is stored with other text becomes a new version.
    """
    settings = load_settings(config, model_dir)
    # read first: paths that give no article must not leave a new, empty store behind
    raw, errors = read_articles(list(paths), settings.ingest)
    if not raw:
        for line in error_lines(errors):
            click.echo(line, err=True)
        click.echo(
            "error: no article could be read; check the paths and the warnings above (store unchanged)", err=True
        )
        sys.exit(EXIT_NO_ARTICLES)
    try:
        with open_store(db, settings, create=True) as store:
            result = store.add(raw, progress=StderrProgress())
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    result.errors[:0] = errors
    for line in error_lines(result.errors):
        click.echo(line, err=True)
    click.echo(
        f"added {len(result.added)}, new versions {len(result.updated)}, unchanged {len(result.unchanged)}; "
        f"{plural(len(result.pairs), 'pair')} found; the store holds {plural(result.total, 'article')}"
    )
    if not (result.added or result.updated or result.unchanged):
        click.echo("error: no article could be read; check the paths and the warnings above", err=True)
        sys.exit(EXIT_NO_ARTICLES)


@index_group.command("reviews", short_help="Export the reviews of pairs as JSON lines.")
@store_option("The store whose reviews to export.")
def index_reviews_command(db: str) -> None:
    """Print the reviews readers gave on pairs (confirmed or rejected, with notes) as JSON lines, newest first."""
    try:
        with open_store(db, Settings.load(), create=False) as store:
            reviews = all_reviews(store)
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    for review in reviews.values():
        click.echo(report.dumps(review.as_dict()))


@index_group.command("check", short_help="Run the full integrity check.")
@store_option("The store to check.")
def index_check_command(db: str) -> None:
    """Run SQLite's full integrity check on the store (opening a store runs only the quick one)."""
    try:
        problems = full_check(Path(db))
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    if problems:
        for problem in problems:
            click.echo(report.printable(f"problem: {problem}"), err=True)
        click.echo(
            f"error: {db} is damaged; recover its articles with `sourcetrace index rebuild --db {db} --to NEW.db`"
        )
        sys.exit(1)
    click.echo(f"{db}: ok (full integrity check)")


@index_group.command("rebuild", short_help="Build a new store from the articles of another.")
@store_option("The store to read the articles from (damaged, or scored by an earlier version); it is not changed.")
@click.option("--to", "target", required=True, type=click.Path(dir_okay=False), help="The new store to build.")
@settings_options
def index_rebuild_command(db: str, target: str, config: str | None, model_dir: str | None) -> None:
    """Build a new store from the articles still readable in DB (a damaged store, or one whose pairs were scored by
    an earlier version or other settings): pairs, vectors and stories are worked out again."""
    if Path(target).exists():
        raise click.BadParameter(f"{target} exists; give the path of a new file", param_hint="'--to'")
    try:
        articles, lost = salvage(Path(db))
        if not articles:
            raise click.ClickException(f"no article could be read from {db}; add the original files to a new store")
        with open_store(target, load_settings(config, model_dir), create=True) as store:
            result = store.add(articles, progress=StderrProgress())
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in error_lines(result.errors):
        click.echo(line, err=True)
    click.echo(
        f"rebuilt {target}: {plural(result.total, 'article')}, {plural(len(result.pairs), 'pair')}"
        + (f"; {lost} stored versions could not be read (add their files again)" if lost else "")
    )


@click.command("check", short_help="Reuse of one article against a store.")
@click.argument("file", type=click.Path())
@store_option("The store to check against.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@settings_options
def check_command(file: str, db: str, fmt: str, config: str | None, model_dir: str | None) -> None:
    """Report the reuse of the article in FILE against the store, without storing it (as `compare` shows a pair)."""
    try:
        with open_store(db, load_settings(config, model_dir), create=False) as store:
            result = store.check_paths([file])
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    text = report.to_json(result, with_sentences=True) if fmt == "json" else report.to_table(result, details=True)
    click.echo(text, nl=False)
    report_errors(result)
    sys.exit(exit_code(result))


@click.command("report", short_help="Write a self-contained HTML report.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--db", type=click.Path(dir_okay=False), help="Report on this store instead of scanning PATHS.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML file to write.")
@settings_options
def report_command(
    paths: tuple[str, ...], db: str | None, output: str, config: str | None, model_dir: str | None
) -> None:
    """Write one self-contained HTML file: stories, who took from whom, every pair side by side."""
    if bool(db) == bool(paths):
        raise click.UsageError("give either --db FILE or PATH..., not both")
    check_output_path(output, [db] if db else paths)
    try:
        from .html_report import render_report
    except ImportError as exc:
        raise click.ClickException(str(exc)) from exc
    settings = load_settings(config, model_dir)
    try:
        if db:
            with open_store(db, settings, create=False) as store:
                result = store.collection()
        else:
            result = scan(list(paths), settings, progress=StderrProgress())
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    report_errors(result)
    if not result.articles:  # a run that read nothing leaves an earlier report as it was
        what = f"{db} holds no article" if db else "no article could be read; check the paths and the warnings above"
        click.echo(f"error: {what} ({output} not written)", err=True)
        sys.exit(EXIT_NO_ARTICLES)
    write_output(render_report(result), output)
    click.echo(
        f"wrote {output}: {plural(len(result.articles), 'article')}, {plural(len(result.pairs), 'pair')}, "
        f"{plural(len(result.stories), 'story', 'stories')}"
    )


@click.command("serve", short_help="Serve a store: web pages and a REST API.")
@store_option("The store to serve (created when missing).")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind; keep the default unless a proxy fronts it."
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token-file",
    type=click.Path(exists=True, dir_okay=False),
    help="Allow adding articles to clients sending the token in this file (its first line) as a Bearer token. "
    "Or set SOURCETRACE_TOKEN. Without a token the service is read-only.",
)
@click.option("--token", help="The token itself: visible to other users in the process list; prefer --token-file.")
@click.option(
    "--public-name",
    multiple=True,
    help="A host name clients use to reach the service (e.g. behind a proxy); requests naming any other host "
    "than the bound address and these get 400. Repeat for several.",
)
@click.option(
    "--max-request-bytes",
    type=click.IntRange(1024),
    help="Larger request bodies get 413 (default: ingest.max_file_bytes + 64 KiB).",
)
@settings_options
def serve_command(
    db: str,
    host: str,
    port: int,
    token_file: str | None,
    token: str | None,
    public_name: tuple[str, ...],
    max_request_bytes: int | None,
    config: str | None,
    model_dir: str | None,
) -> None:
    """Serve the store: a REST API (OpenAPI at /api/openapi.json) and pages to browse and check articles."""
    try:
        import uvicorn

        from .web.app import create_app
        from .web.middleware import allowed_hosts
    except ImportError as exc:
        raise click.ClickException(
            f"the web service needs the web extra: pip install 'sourcetrace[web]' ({exc})"
        ) from exc
    token = _token(token, token_file)
    hosts = allowed_hosts(host, public_name)
    _check_port(host, port)
    try:
        store = open_store(db, load_settings(config, model_dir), create=True)
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    try:  # checks load the encoder in their own processes, and adds here when they come: not loaded now
        check_built(store.settings.model_dir)
    except SourcetraceError as exc:
        click.echo(f"warning: checks and adds will fail until this is fixed: {exc}", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: binding {host}: the service is reachable from other machines", err=True)
    if hosts is None:
        click.echo(
            "warning: the Host header is not checked: give --public-name NAME for each name clients use", err=True
        )
    click.echo(
        f"serving {store.count()} articles from {db} on http://{host}:{port}/ "
        f"({'adding needs the token' if token else 'read-only'})",
        err=True,
    )
    app = create_app(store, token=token or None, max_request_bytes=max_request_bytes, hosts=hosts)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _check_port(host: str, port: int) -> None:
    """Fail before saying "serving" when the address cannot be bound (most often: another service holds the port)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); is another service using the port? "
            "Choose another with --port"
        ) from exc


def _token(given: str | None, path: str | None) -> str | None:
    """The write token: from --token-file, --token (with a warning) or SOURCETRACE_TOKEN, in that order."""
    if path:
        try:
            lines = Path(path).read_text("utf-8").splitlines()
        except (OSError, UnicodeError) as exc:
            raise click.BadParameter(f"cannot read {path}: {exc}", param_hint="'--token-file'") from exc
        if not lines or not lines[0].strip():
            raise click.BadParameter(f"{path} is empty; put the token on its first line", param_hint="'--token-file'")
        return lines[0].strip()
    if given:
        click.echo("warning: a token given with --token is visible in the process list; prefer --token-file", err=True)
        return given
    return os.environ.get("SOURCETRACE_TOKEN") or None
