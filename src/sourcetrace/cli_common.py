"""What the commands share: their options, how they write output and report progress, errors and exit codes."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import click

from . import report
from .errors import OutputError
from .output import check_writable, write_atomic
from .records import ScanResult
from .settings import Settings
from .store import Store
from .terminal import error_lines

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
        callback=_a_number,
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


def _a_number(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if math.isnan(value):  # NaN passes any range check, and no strength reaches it
        raise click.BadParameter("not a number; give a value from 0 to 1")
    return value


def load_settings(config: str | None, model_dir: str | None) -> Settings:
    """The packaged defaults, overridden by --config and --model-dir."""
    return Settings.load(config, model_dir=model_dir)


def check_output_path(output: str | None, inputs: Sequence[str] = ()) -> None:
    """Fail with a usage error (exit 2) before any work when the output file cannot be written, or would replace one
    of the ``inputs`` the command reads."""
    if output:
        try:
            check_writable(output, inputs)
        except OutputError as exc:
            raise click.BadParameter(str(exc), param_hint="'-o' / '--output'") from exc


def write_output(text: str, output: str | None) -> None:
    """Write the whole text, then rename it into place (a failed run leaves an earlier file as it was); or stdout."""
    if output:
        try:
            write_atomic(output, text)
        except OutputError as exc:
            raise click.ClickException(str(exc)) from exc
    else:
        click.echo(text, nl=False)


class StderrProgress:
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


def exit_code(result: ScanResult) -> int:
    """1 when no article could be read, so that scripts notice an empty run."""
    return EXIT_NO_ARTICLES if not result.articles else 0


def report_errors(result: ScanResult) -> None:
    """The files that could not be read, one line each on stderr, after the report."""
    for line in error_lines(result.errors):
        click.echo(line, err=True)


def store_option(help: str) -> Callable[..., Any]:
    """The --db option of the commands that work on a store."""
    return click.option("--db", required=True, type=click.Path(dir_okay=False), help=help)


def open_store(db: str, settings: Settings, create: bool) -> Store:
    """The store, with the library's errors (a damaged or missing file) left for the command to turn into messages."""
    return Store(db, settings, create=create)
