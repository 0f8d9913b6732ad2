"""The command-line tool: parse, call one library function, format. Library errors become messages here."""

from __future__ import annotations

import csv
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from . import evaluation as evaluate
from . import report
from .describe import plural
from .digest import build_digest, store_digest
from .errors import OutputError, SourcetraceError
from .evaluation import DATASETS
from .ingest import read_articles
from .integrity import full_check, salvage
from .output import check_writable, write_atomic
from .pipeline import Timings, compare, match_sentences, scan
from .records import ScanResult
from .reviews import all_reviews
from .settings import Settings
from .store import Store
from .terminal import digest_text, error_lines

STAGE_NAMES = {  # the pipeline's stage names, as a reader would say them
    "clean, segment, vectors": "reading articles",
    "align": "comparing candidate pairs",
    "store": "saving to the store",
}

EXIT_NO_ARTICLES = 1
HEADER_IDS = ("id", "pair", "pair_id", "pairid")


def settings_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options every command shares."""
    func = click.option(
        "--config", type=click.Path(exists=True, dir_okay=False), help="TOML file overriding the packaged defaults."
    )(func)
    func = click.option(
        "--model-dir",
        type=click.Path(file_okay=False),
        help="Built encoder files (default: the user cache; see `make model`).",
    )(func)
    return func


def pair_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """How the pairs are chosen and ordered (scan, report)."""
    func = click.option(
        "--relation",
        multiple=True,
        type=click.Choice(["copy", "rewrite", "excerpt", "shared-quotes"]),
        help="Only pairs of this relation; repeat for several.",
    )(func)
    func = click.option(
        "--min-score",
        type=click.FloatRange(0.0, 1.0),
        default=0.0,
        show_default=True,
        help="Only pairs whose strength is at least this.",
    )(func)
    func = click.option(
        "--sort",
        type=click.Choice(report.SORTS),
        default="strength",
        show_default=True,
        help="Order of the pairs: strongest first, by relation, newest first, or by id.",
    )(func)
    return func


def _settings(config: str | None, model_dir: str | None) -> Settings:
    return Settings.load(config, model_dir=model_dir)


def _check_output(output: str | None) -> None:
    """Fail with a usage error (exit 2) before any work when the output file cannot be written."""
    if output:
        try:
            check_writable(output)
        except OutputError as exc:
            raise click.BadParameter(str(exc), param_hint="'-o' / '--output'") from exc


def _write(text: str, output: str | None) -> None:
    if output:
        try:
            write_atomic(output, text)
        except OutputError as exc:
            raise click.ClickException(str(exc)) from exc
    else:
        click.echo(text, nl=False)


class _StderrProgress:
    """Stage progress on stderr with the time left, shown only once a run has taken a couple of seconds."""

    def __init__(self, after: float = 2.0) -> None:
        self.start = time.monotonic()
        self.after = after
        self.last = 0.0
        self.stage = ""
        self.stage_start = self.start

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage != self.stage:
            self.stage, self.stage_start = stage, now
        if now - self.start >= self.after and (now - self.last >= 1.0 or done == total):
            self.last = now
            name = STAGE_NAMES.get(stage, stage)
            left = ""
            if 0 < done < total:
                seconds = (now - self.stage_start) * (total - done) / done
                if seconds >= 1:
                    left = f", about {seconds:.0f} s left" if seconds < 120 else f", about {seconds / 60:.0f} min left"
            click.echo(f"{name}: {done:,} of {total:,}{left}", err=True)


def _exit_code(result: ScanResult) -> int:
    return EXIT_NO_ARTICLES if not result.articles else 0


def _report_errors(result: ScanResult) -> None:
    for line in error_lines(result.errors):
        click.echo(line, err=True)


@click.group(context_settings={"max_content_width": 120})
@click.version_option(package_name="sourcetrace")
def main() -> None:
    """Find which news articles were copied or rewritten from which, sentence by sentence."""


@main.command("scan", short_help="Find reuse among the articles under PATHS.")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv"]), default="table", show_default=True
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here instead of stdout.")
@click.option(
    "--timings", is_flag=True, help="Print the seconds spent in each stage and the peak memory (MB) on stderr, as JSON."
)
@pair_options
@click.option("--details", is_flag=True, help="Table: add each pair's summary, aligned sentences and changes.")
@settings_options
def scan_command(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    timings: bool,
    sort: str,
    min_score: float,
    relation: tuple[str, ...],
    details: bool,
    config: str | None,
    model_dir: str | None,
) -> None:
    """Report reuse pairs and stories among the articles under PATHS (.txt, .html, .jsonl; folders recurse).

    Pairs come strongest first; the table fits the terminal (--details for the evidence).
    """
    _check_output(output)
    try:
        spent = Timings()
        result = scan(list(paths), _settings(config, model_dir), progress=_StderrProgress(), timings=spent)
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    shown = report.select_pairs(result, sort, min_score, relation)
    _write(report.to_table(shown, details=details) if fmt == "table" else report.FORMATS[fmt](shown), output)
    _report_errors(result)
    if timings:
        figures = {k: round(v, 3) for k, v in spent.seconds.items()}
        figures["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        click.echo(json.dumps(figures), err=True)
    if not result.articles:
        where = "the warnings above" if result.errors else "that they hold .txt, .html or .jsonl files"
        click.echo(f"error: no article could be read; check the paths and {where}", err=True)
    sys.exit(_exit_code(result))


@main.command("compare", short_help="Align two articles, sentence by sentence.")
@click.argument("file_a", type=click.Path())
@click.argument("file_b", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@settings_options
def compare_command(file_a: str, file_b: str, fmt: str, config: str | None, model_dir: str | None) -> None:
    """Align two articles sentence by sentence and print the full alignment, whatever their relation."""
    for path, hint in ((file_a, "FILE_A"), (file_b, "FILE_B")):
        if Path(path).is_dir():
            raise click.BadParameter(
                f"{path} is a folder; compare takes two files (scan compares a folder)", param_hint=hint
            )
    try:
        result = compare(file_a, file_b, _settings(config, model_dir))
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    text = report.to_json(result, with_sentences=True) if fmt == "json" else report.to_table(result, details=True)
    click.echo(text, nl=False)
    _report_errors(result)
    if len(result.articles) < 2:
        click.echo("error: both files must be readable articles", err=True)
        sys.exit(EXIT_NO_ARTICLES)


def _read_pairs(path: str) -> Iterator[tuple[str, str, str]]:
    stream = sys.stdin if path == "-" else open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    with stream:
        for number, row in enumerate(csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
            if not row or not any(row):
                continue
            if number == 1 and row[0].strip().lower().lstrip("#") in HEADER_IDS:  # a header row, not a pair
                continue
            if len(row) != 3:
                raise click.ClickException(
                    f"{path}:{number}: expected 3 tab-separated fields (id, sentence_1, sentence_2), found {len(row)}"
                )
            yield row[0], row[1], row[2]


@main.command("match-sentences", short_help="Judge sentence pairs from a TSV file.")
@click.argument("pairs", type=click.Path(allow_dash=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write JSON lines here instead of stdout.")
@settings_options
def match_sentences_command(pairs: str, output: str | None, config: str | None, model_dir: str | None) -> None:
    """Judge sentence pairs from a TSV of `id<TAB>sentence_1<TAB>sentence_2`; one JSON line per pair."""
    if pairs != "-" and not Path(pairs).is_file():
        raise click.BadParameter(f"{pairs}: no such file", param_hint="PAIRS")
    _check_output(output)
    try:
        verdicts = match_sentences(_read_pairs(pairs), _settings(config, model_dir))
        if output:  # whole, then renamed into place: a failed run leaves an earlier file as it was
            _write("".join(json.dumps(v, ensure_ascii=False) + "\n" for v in verdicts), output)
        else:
            for verdict in verdicts:
                sys.stdout.write(json.dumps(verdict, ensure_ascii=False) + "\n")
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("story", short_help="The digest of one story: timeline, what reports share, where they differ.")
@click.argument("story_id")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--db", type=click.Path(dir_okay=False), help="Read the story from this store instead of scanning PATHS.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@settings_options
def story_command(
    story_id: str, paths: tuple[str, ...], db: str | None, fmt: str, config: str | None, model_dir: str | None
) -> None:
    """Print the digest of story STORY_ID (a story id such as s1, or the id of one of its articles), from a store
    (--db) or from a scan of PATHS: its reports in publication order and who took from whom, what most reports
    carry, and where versions diverge."""
    if bool(db) == bool(paths):
        raise click.UsageError("give either --db FILE or PATH..., not both")
    settings = _settings(config, model_dir)
    try:
        if db:
            with _open_store(db, settings, create=False) as store:
                found = store.story(story_id) or store.story_of(story_id)
                result = store_digest(store, found) if found else None
        else:
            scanned = scan(list(paths), settings, progress=_StderrProgress())
            _report_errors(scanned)
            found = next((s for s in scanned.stories if s.id == story_id or story_id in s.articles), None)
            result = build_digest(found, {a.id: a for a in scanned.articles}, scanned.pairs) if found else None
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    if result is None:
        raise click.ClickException(f"no story or article {story_id!r}; `sourcetrace scan` lists the stories")
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(digest_text(result), nl=False)


# --- a collection that persists: index add, check, report, serve ---------------------------------------------


def store_option(help: str) -> Callable[..., Any]:
    """The --db option of the commands that work on a store."""
    return click.option("--db", required=True, type=click.Path(dir_okay=False), help=help)


def _open_store(db: str, settings: Settings, create: bool) -> Store:
    return Store(db, settings, create=create)


@main.group("index", short_help="Keep a collection in a store file.")
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
    settings = _settings(config, model_dir)
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
        with _open_store(db, settings, create=True) as store:
            result = store.add(raw, progress=_StderrProgress())
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
        with _open_store(db, Settings.load(), create=False) as store:
            reviews = all_reviews(store)
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    for review in reviews.values():
        click.echo(json.dumps(review.as_dict(), ensure_ascii=False))


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


@index_group.command("rebuild", short_help="Build a new store from a damaged one.")
@store_option("The (damaged) store to read the articles from; it is not changed.")
@click.option("--to", "target", required=True, type=click.Path(dir_okay=False), help="The new store to build.")
@settings_options
def index_rebuild_command(db: str, target: str, config: str | None, model_dir: str | None) -> None:
    """Build a new store from the articles still readable in DB: pairs, vectors and stories are worked out again."""
    if Path(target).exists():
        raise click.BadParameter(f"{target} exists; give the path of a new file", param_hint="'--to'")
    try:
        articles, lost = salvage(Path(db))
        if not articles:
            raise click.ClickException(f"no article could be read from {db}; add the original files to a new store")
        with _open_store(target, _settings(config, model_dir), create=True) as store:
            result = store.add(articles, progress=_StderrProgress())
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in error_lines(result.errors):
        click.echo(line, err=True)
    click.echo(
        f"rebuilt {target}: {plural(result.total, 'article')}, {plural(len(result.pairs), 'pair')}"
        + (f"; {lost} stored versions could not be read (add their files again)" if lost else "")
    )


@main.command("check", short_help="Reuse of one article against a store.")
@click.argument("file", type=click.Path())
@store_option("The store to check against.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@settings_options
def check_command(file: str, db: str, fmt: str, config: str | None, model_dir: str | None) -> None:
    """Report the reuse of the article in FILE against the store, without storing it (as `compare` shows a pair)."""
    try:
        with _open_store(db, _settings(config, model_dir), create=False) as store:
            result = store.check_paths([file])
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    text = report.to_json(result, with_sentences=True) if fmt == "json" else report.to_table(result, details=True)
    click.echo(text, nl=False)
    _report_errors(result)
    sys.exit(_exit_code(result))


@main.command("report", short_help="Write a self-contained HTML report.")
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
    _check_output(output)
    try:
        from .html_report import render_report
    except ImportError as exc:
        raise click.ClickException(str(exc)) from exc
    settings = _settings(config, model_dir)
    try:
        if db:
            with _open_store(db, settings, create=False) as store:
                result = store.collection()
        else:
            result = scan(list(paths), settings, progress=_StderrProgress())
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    _write(render_report(result), output)
    _report_errors(result)
    click.echo(
        f"wrote {output}: {plural(len(result.articles), 'article')}, {plural(len(result.pairs), 'pair')}, "
        f"{plural(len(result.stories), 'story', 'stories')}"
    )
    sys.exit(_exit_code(result))


@main.command("serve", short_help="Serve a store: web pages and a REST API.")
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
        store = _open_store(db, _settings(config, model_dir), create=True)
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        store.models  # noqa: B018 -- load the encoder now rather than on the first check
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


@main.command("spark-scan", short_help="Scan on Spark into Parquet files.")
@click.argument("paths", nargs=-1, required=True, type=str)
@click.option("--master", help="Spark master URL, e.g. local[2] (default: what spark-submit set, else local[*]).")
@click.option("--partitions", type=click.IntRange(1), help="Partitions per shuffle (default: two per core).")
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists.")
@settings_options
def spark_scan_command(
    paths: tuple[str, ...],
    master: str | None,
    partitions: int | None,
    overwrite: bool,
    config: str | None,
    model_dir: str | None,
) -> None:
    """Scan INPUT... (folders, .txt/.html/.jsonl/.parquet, any path Spark reads) on Spark into OUTPUT (Parquet).

    Needs the optional extra: pip install 'sourcetrace[spark]'. Prints the summary (also OUTPUT/summary.json).
    """
    if len(paths) < 2:
        raise click.UsageError("give at least one INPUT and then the OUTPUT folder")
    try:
        from . import spark as spark_job
    except ImportError as exc:
        raise click.ClickException(
            f"spark-scan needs the spark extra: pip install 'sourcetrace[spark]' ({exc})"
        ) from exc
    settings = _settings(config, model_dir)
    try:
        spark = spark_job.session(master, partitions)
        summary = spark_job.spark_scan(
            list(paths[:-1]), paths[-1], settings, spark, partitions, overwrite, lambda line: click.echo(line, err=True)
        )
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps({k: v for k, v in summary.items() if k != "settings"}, indent=2))
    sys.exit(0 if summary["articles"] else EXIT_NO_ARTICLES)


@main.command("eval", short_help="Measure quality on a labelled data set.")
@click.argument("dataset", type=click.Choice(DATASETS))
@click.argument("path", type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help="Only N sentence pairs, evenly spread (pan13: the first N labelled and N other pairs).",
)
@click.option("--no-baselines", is_flag=True, help="Measure sourcetrace only (faster).")
@settings_options
def eval_command(
    dataset: str, path: str, fmt: str, limit: int | None, no_baselines: bool, config: str | None, model_dir: str | None
) -> None:
    """Measure quality on a labelled DATASET at PATH (formats: docs/datasets.md), beside the usual baselines."""
    try:
        result = evaluate.run_evaluation(
            dataset, path, _settings(config, model_dir), baselines=not no_baselines, limit=limit,
            log=lambda line: click.echo(line, err=True),
        )  # fmt: skip
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(evaluate.evaluation_dict(result), indent=2, ensure_ascii=False))
    else:
        click.echo(evaluate.evaluation_text(result), nl=False)


if __name__ == "__main__":
    main()
