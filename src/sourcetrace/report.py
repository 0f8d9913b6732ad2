"""Turn a ScanResult into the documented JSON schema, flat rows (jsonl, csv) or a terminal table.

The JSON schema is described in docs/schema.md; bump ``SCHEMA`` on any incompatible change.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from .records import Article, Divergence, Pair, Passage, ScanResult

SCHEMA = 1
FLAT_FIELDS = [
    "a",
    "b",
    "relation",
    "score",
    "source",
    "coverage_a",
    "coverage_b",
    "passages",
    "divergences",
    "source_reasons",
]


def divergence_dict(d: Divergence) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "change": d.change,
        "a_sentence": d.a_sentence,
        "b_sentence": d.b_sentence,
        "a_span": list(d.a_span) if d.a_span else None,
        "b_span": list(d.b_span) if d.b_span else None,
        "a_text": d.a_text,
        "b_text": d.b_text,
    }


def passage_dict(p: Passage) -> dict[str, Any]:
    return {
        "a_span": list(p.a_span),
        "b_span": list(p.b_span),
        "sentences": [{"a": k.a, "b": k.b, "similarity": k.score, "verbatim": k.verbatim} for k in p.links],
    }


def pair_dict(p: Pair) -> dict[str, Any]:
    return {
        "a": p.a,
        "b": p.b,
        "relation": p.relation,
        "score": p.score,
        "source": p.source,
        "source_reasons": p.source_reasons,
        "coverage": {"a": p.coverage_a, "b": p.coverage_b},
        "passages": [passage_dict(x) for x in p.passages],
        "divergences": [divergence_dict(d) for d in p.divergences],
    }


def article_dict(a: Article, with_sentences: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": a.id,
        "path": a.path,
        "title": a.title,
        "date": a.date,
        "outlet": a.outlet,
        "url": a.url,
        "removed": [{"text": r.text, "reason": r.reason} for r in a.removed],
        "sentence_count": len(a.sentences),
    }
    if with_sentences:
        out["text"] = a.text
        out["sentences"] = [
            {"index": s.index, "start": s.start, "end": s.end, "quote": s.quote, "speaker": s.speaker}
            for s in a.sentences
        ]
    return out


def to_dict(result: ScanResult, with_sentences: bool = False) -> dict[str, Any]:
    """The versioned JSON document (schema 1)."""
    return {
        "schema": SCHEMA,
        "articles": [article_dict(a, with_sentences) for a in result.articles],
        "pairs": [pair_dict(p) for p in result.pairs],
        "stories": [{"id": s.id, "articles": list(s.articles), "label": s.label} for s in result.stories],
        "errors": [{"path": e.path, "reason": e.reason, "level": e.level} for e in result.errors],
    }


def to_json(result: ScanResult, with_sentences: bool = False) -> str:
    return json.dumps(to_dict(result, with_sentences), ensure_ascii=False, indent=2) + "\n"


def _flat(p: Pair) -> dict[str, Any]:
    return {
        "a": p.a,
        "b": p.b,
        "relation": p.relation,
        "score": p.score,
        "source": p.source,
        "coverage_a": p.coverage_a,
        "coverage_b": p.coverage_b,
        "passages": len(p.passages),
        "divergences": len(p.divergences),
        "source_reasons": "; ".join(p.source_reasons),
    }


def to_jsonl(result: ScanResult) -> str:
    return "".join(json.dumps(_flat(p), ensure_ascii=False) + "\n" for p in result.pairs)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula (=, +, -, @ first), quoted with a leading apostrophe.

    Ids, titles and reasons come from the articles, so a crafted id could otherwise run in the reader's
    spreadsheet. Numbers are left alone.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(result: ScanResult) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FLAT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for p in result.pairs:
        writer.writerow({k: spreadsheet_safe(v) for k, v in _flat(p).items()})
    return buffer.getvalue()


# C0 and C1 controls but tab and line feed, and the escape sequences that begin with them (colours, titles,
# hyperlinks, cursor moves): text from the articles must not drive the reader's terminal
_TERMINAL_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, ended by BEL or ST
    r"|\x9b[0-?]*[ -/]*[@-~]|\x9d[^\x07\x9c]*[\x07\x9c]?"  # the same in 8-bit form
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)


def printable(text: str) -> str:
    """``text`` without control characters or terminal escape sequences (tab and line feed kept)."""
    return _TERMINAL_CONTROL.sub("", text)


def to_table(result: ScanResult, alignment: bool = False, width: int = 120) -> str:
    """A readable terminal view; ``alignment`` adds every linked sentence pair and divergence."""
    from rich.console import Console
    from rich.markup import escape as rich_escape
    from rich.table import Table

    console = Console(file=io.StringIO(), width=width, force_terminal=False, color_system=None)

    def escape(text: str) -> str:
        return rich_escape(printable(text))

    texts = {a.id: a for a in result.articles}
    pairs = Table(title=f"{len(result.pairs)} pairs sharing material", show_lines=False)
    for column in ("a", "b", "relation", "score", "coverage a/b", "source", "why"):
        pairs.add_column(column, overflow="fold")
    for p in result.pairs:
        pairs.add_row(
            escape(p.a),
            escape(p.b),
            p.relation or "-",
            f"{p.score:.2f}",
            f"{p.coverage_a:.2f} / {p.coverage_b:.2f}",
            escape(p.source or "undecided"),
            escape("; ".join(p.source_reasons)),
        )
    console.print(pairs)
    stories = Table(title=f"{len(result.stories)} stories")
    stories.add_column("story")
    stories.add_column("articles", overflow="fold")
    stories.add_column("label", overflow="fold")
    for s in result.stories:
        stories.add_row(escape(s.id), escape(", ".join(s.articles)), escape(s.label))
    console.print(stories)
    if alignment:
        for p in result.pairs:
            a, b = texts[p.a], texts[p.b]
            table = Table(title=f"alignment {escape(p.a)} ~ {escape(p.b)}", show_lines=True)
            table.add_column(escape(p.a), overflow="fold", ratio=5)
            table.add_column(escape(p.b), overflow="fold", ratio=5)
            table.add_column("similarity", ratio=1)
            for passage in p.passages:
                for link in passage.links:
                    mark = " (verbatim)" if link.verbatim else ""
                    table.add_row(
                        escape(a.sentences[link.a].text), escape(b.sentences[link.b].text), f"{link.score:.2f}{mark}"
                    )
            console.print(table)
            for d in p.divergences:
                console.print(f"  {d.kind} {d.change}: {escape(repr(d.a_text))} -> {escape(repr(d.b_text))}")
    for level, title in (("error", "files not read"), ("warning", "files read with a warning")):
        listed = [e for e in result.errors if e.level == level]
        if listed:
            errors = Table(title=f"{len(listed)} {title}")
            errors.add_column("path", overflow="fold")
            errors.add_column("reason", overflow="fold")
            for e in listed:
                errors.add_row(escape(e.path), escape(e.reason))
            console.print(errors)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return str(out)


FORMATS = {"json": to_json, "jsonl": to_jsonl, "csv": to_csv, "table": to_table}
