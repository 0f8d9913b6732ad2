"""The outcome of one evaluation run (named figures and tables) and its text, Markdown and JSON forms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class Table:
    """One table of a report: rows of cells (floats are shown with three decimals, None as a dash)."""

    title: str
    header: tuple[str, ...]
    rows: Sequence[tuple[object, ...]]
    note: str = ""


@dataclass
class Evaluation:
    """The outcome of one run: named figures (what the quality gate checks) and the tables to read."""

    dataset: str
    description: str
    figures: dict[str, float]
    tables: list[Table]
    seconds: float = 0.0


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _numeric_columns(table: Table) -> list[bool]:
    """Columns holding only numbers (or blanks): they line up on the right, words on the left."""
    return [
        any(row[c] is not None for row in table.rows)
        and all(
            isinstance(row[c], int | float) and not isinstance(row[c], bool) or row[c] is None for row in table.rows
        )
        for c in range(len(table.header))
    ]


def evaluation_text(ev: Evaluation) -> str:
    """Plain-text tables for a terminal."""
    out = [f"{ev.dataset}: {ev.description}", ""]
    for table in ev.tables:
        cells = [list(table.header), *([_cell(v) for v in row] for row in table.rows)]
        widths = [max(len(row[c]) for row in cells) for c in range(len(table.header))]
        numeric = _numeric_columns(table)
        out.append(table.title)
        for k, row in enumerate(cells):
            out.append(
                "  ".join(
                    v.rjust(w) if numeric[c] else v.ljust(w) for c, (v, w) in enumerate(zip(row, widths, strict=True))
                ).rstrip()
            )
            if k == 0:
                out.append("  ".join("-" * w for w in widths))
        if table.note:
            out.append(table.note)
        out.append("")
    out.append(f"({ev.seconds:.0f} s)")
    return "\n".join(out) + "\n"


def evaluation_markdown(ev: Evaluation, level: int = 3) -> str:
    """Markdown tables, one per table of the run."""
    out = []
    for table in ev.tables:
        out += [f"{'#' * level} {table.title}", ""]
        out.append("| " + " | ".join(table.header) + " |")
        out.append("|" + "|".join("---:" if n else "---" for n in _numeric_columns(table)) + "|")
        out += ["| " + " | ".join(_cell(v).replace("|", "\\|") for v in row) + " |" for row in table.rows]
        out.append("")
        if table.note:
            out += [table.note, ""]
    return "\n".join(out)


def evaluation_dict(ev: Evaluation) -> dict[str, object]:
    """A JSON-ready dict: figures, and each table as a list of row objects keyed by the header."""
    return {
        "dataset": ev.dataset,
        "description": ev.description,
        "seconds": round(ev.seconds, 1),
        "figures": {k: round(v, 4) for k, v in ev.figures.items()},
        "tables": [
            {
                "title": t.title,
                "rows": [dict(zip(t.header, row, strict=True)) for row in t.rows],
                "note": t.note,
            }
            for t in ev.tables
        ],
    }
