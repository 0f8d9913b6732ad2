"""The command-line tool: parse, call one library function, format. Library errors become messages here."""

from __future__ import annotations

import json
import resource
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import click

from . import evaluation as evaluate
from . import report
from .cli_common import (
    EXIT_NO_ARTICLES,
    HEADER_IDS,
    StderrProgress,
    check_output_path,
    exit_code,
    load_settings,
    open_store,
    pair_options,
    report_errors,
    settings_options,
    write_output,
)
from .cli_store import check_command, index_group, report_command, serve_command
from .digest import build_digest, store_digest
from .errors import SourcetraceError
from .evaluation import DATASETS
from .pipeline import Timings, compare, match_sentences, scan
from .records import FileError
from .terminal import digest_text, error_lines

MAX_FIELD_CHARS = 131_072  # a field of a sentence pair: one sentence, not an article
MAX_LINE_BYTES = 4 * 3 * MAX_FIELD_CHARS + 2  # a line of three such fields in UTF-8, and its tabs


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
    check_output_path(output, paths)
    try:
        spent = Timings()
        result = scan(list(paths), load_settings(config, model_dir), progress=StderrProgress(), timings=spent)
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    shown = report.select_pairs(result, sort, min_score, relation)
    text = report.to_table(shown, details=details) if fmt == "table" else report.FORMATS[fmt](shown)
    if result.articles or not output:  # a run that read nothing leaves an earlier report as it was
        write_output(text, output)
    report_errors(result)
    if timings:
        figures = {k: round(v, 3) for k, v in spent.seconds.items()}
        figures["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        click.echo(json.dumps(figures), err=True)
    if not result.articles:
        where = "the warnings above" if result.errors else "that they hold .txt, .html or .jsonl files"
        kept = f" ({output} not written)" if output else ""
        click.echo(f"error: no article could be read; check the paths and {where}{kept}", err=True)
    sys.exit(exit_code(result))


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
    if Path(file_a).resolve() == Path(file_b).resolve():
        raise click.UsageError(f"FILE_A and FILE_B are the same file ({file_b}); give two files to compare")
    try:
        result = compare(file_a, file_b, load_settings(config, model_dir))
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    text = report.to_json(result, with_sentences=True) if fmt == "json" else report.to_table(result, details=True)
    click.echo(text, nl=False)
    report_errors(result)
    if len(result.articles) < 2:
        click.echo("error: both files must be readable articles", err=True)
        sys.exit(EXIT_NO_ARTICLES)


def _read_pairs(stream: BinaryIO, shown: str, errors: list[FileError]) -> Iterator[tuple[str, str, str]]:
    """The pairs of a TSV file in order; a line that is not one goes to ``errors`` as FILE:LINE."""
    with stream:
        number = 0
        while raw := stream.readline(MAX_LINE_BYTES + 1):  # bounded: a line is read whole only up to its limit
            number += 1
            where = f"{shown}:{number}"
            if len(raw) > MAX_LINE_BYTES:
                rest = raw
                while rest and not rest.endswith(b"\n"):  # the rest of the line, unread
                    rest = stream.readline(MAX_LINE_BYTES + 1)
                errors.append(FileError(where, f"is over {MAX_LINE_BYTES:,} bytes; give one sentence per field"))
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                errors.append(FileError(where, f"is not UTF-8 (byte {exc.start + 1} of the line); re-save as UTF-8"))
                continue
            row = (line.removeprefix("\ufeff") if number == 1 else line).rstrip("\r\n").split("\t")
            if not any(row):
                continue
            if number == 1 and row[0].strip().lower().lstrip("#") in HEADER_IDS:  # a header row, not a pair
                continue
            if len(row) != 3:
                reason = f"expected 3 tab-separated fields (id, sentence_1, sentence_2), found {len(row)}"
            elif not all(field.strip() for field in row):
                reason = "a field is empty; give an id and two sentences"
            elif max(map(len, row)) > MAX_FIELD_CHARS:
                reason = f"a field is over {MAX_FIELD_CHARS:,} characters; give one sentence per field"
            else:
                yield row[0], row[1], row[2]
                continue
            errors.append(FileError(where, reason))


@main.command("match-sentences", short_help="Judge sentence pairs from a TSV file.")
@click.argument("pairs", type=click.Path(allow_dash=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write JSON lines here instead of stdout.")
@settings_options
def match_sentences_command(pairs: str, output: str | None, config: str | None, model_dir: str | None) -> None:
    """Judge sentence pairs from a TSV of `id<TAB>sentence_1<TAB>sentence_2`; one JSON line per pair.

    Lines that are not pairs are listed on stderr and the others judged; exit 1 when no line held a pair.
    """
    if pairs != "-" and not Path(pairs).is_file():
        raise click.BadParameter(f"{pairs}: no such file", param_hint="PAIRS")
    check_output_path(output, [] if pairs == "-" else [pairs])
    shown = "stdin" if pairs == "-" else pairs
    try:
        stream = sys.stdin.buffer if pairs == "-" else open(pairs, "rb")  # noqa: SIM115
    except OSError as exc:
        raise click.ClickException(f"cannot read {pairs}: {exc.strerror or exc}") from exc
    errors: list[FileError] = []
    judged = 0
    try:
        verdicts = match_sentences(_read_pairs(stream, shown, errors), load_settings(config, model_dir))
        lines = (report.dumps(v) + "\n" for v in verdicts)
        if output:  # whole, then renamed into place: a failed run leaves an earlier file as it was
            written = list(lines)
            judged = len(written)
            if written:
                write_output("".join(written), output)
        else:
            for line in lines:
                sys.stdout.write(line)
                judged += 1
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in error_lines(errors, per_file=len(errors)):
        click.echo(line, err=True)
    if not judged:
        what = "no line of it could be read" if errors else "it holds no sentence pairs"
        kept = f"; {output} left as it was" if output else ""
        click.echo(f"error: {shown}: {what}{kept}", err=True)
        sys.exit(EXIT_NO_ARTICLES)


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
    settings = load_settings(config, model_dir)
    try:
        if db:
            with open_store(db, settings, create=False) as store:
                found = store.story(story_id) or store.story_of(story_id)
                result = store_digest(store, found) if found else None
        else:
            scanned = scan(list(paths), settings, progress=StderrProgress())
            report_errors(scanned)
            found = next((s for s in scanned.stories if s.id == story_id or story_id in s.articles), None)
            result = build_digest(found, {a.id: a for a in scanned.articles}, scanned.pairs) if found else None
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    if result is None:
        raise click.ClickException(f"no story or article {story_id!r}; `sourcetrace scan` lists the stories")
    if fmt == "json":
        click.echo(report.dumps(result.as_dict(), indent=2))
    else:
        click.echo(digest_text(result), nl=False)


# the commands on a store live in cli_store
for _command in (index_group, check_command, report_command, serve_command):
    main.add_command(_command)


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
    settings = load_settings(config, model_dir)
    try:
        spark = spark_job.session(master, partitions)
        summary = spark_job.spark_scan(
            list(paths[:-1]), paths[-1], settings, spark, partitions, overwrite, lambda line: click.echo(line, err=True)
        )
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps({k: v for k, v in summary.items() if k != "settings"}, indent=2))
    sys.exit(0 if summary["articles"] else EXIT_NO_ARTICLES)


@main.command("eval", short_help="Measure quality on a labelled data set, or on a store's reviews.")
@click.argument("dataset", type=click.Choice([*DATASETS, "reviews"]))
@click.argument("path", type=click.Path(exists=True), required=False)
@click.option(
    "--db",
    type=click.Path(exists=True, dir_okay=False),
    help="reviews: the store whose pairs to score against its reviews (or give it as PATH).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help="Only N sentence pairs, evenly spread (pan13: the first N labelled and N other pairs).",
)
@click.option("--no-baselines", is_flag=True, help="Measure sourcetrace only (faster).")
@settings_options
def eval_command(
    dataset: str,
    path: str | None,
    db: str | None,
    fmt: str,
    limit: int | None,
    no_baselines: bool,
    config: str | None,
    model_dir: str | None,
) -> None:
    """Measure quality on a labelled DATASET at PATH (formats: docs/datasets.md), beside the usual baselines.

    `eval reviews --db STORE` scores the store's current pairs against the reviews readers gave them: confirmed
    pairs still reported are true positives, rejected ones false positives; with precision and the disagreements.
    """
    if dataset == "reviews":
        if bool(db) == bool(path):
            raise click.UsageError("eval reviews: give the store as --db FILE (or as PATH), once")
    elif db:
        raise click.UsageError("--db is for `eval reviews`; other data sets are read from PATH")
    elif not path:
        raise click.UsageError(f"give the PATH of the {dataset} data set (formats: docs/datasets.md)")
    try:
        if dataset == "reviews":
            with open_store(db or path or "", load_settings(config, model_dir), create=False) as store:
                result = evaluate.evaluate_reviews(store)
        else:
            result = evaluate.run_evaluation(
                dataset, path or "", load_settings(config, model_dir), baselines=not no_baselines, limit=limit,
                log=lambda line: click.echo(line, err=True),
            )  # fmt: skip
    except SourcetraceError as exc:
        raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        click.echo(report.dumps(evaluate.evaluation_dict(result), indent=2))
    else:
        click.echo(evaluate.evaluation_text(result), nl=False)


if __name__ == "__main__":
    main()
