"""The terminal view of a ScanResult: one line per pair, strongest first, as wide as the terminal.

Text from the articles is stripped of control characters and escape sequences before it is printed, and is never
read as console markup.
"""

from __future__ import annotations

import io
import re
import shutil
import textwrap
from collections import Counter
from collections.abc import Mapping, Sequence

from .describe import (
    Name,
    describe_change,
    describe_changes,
    directed,
    lookup,
    names_of,
    pair_summary,
    plural,
    short_id,
    shown_strength,
    source_of,
    taker_of,
)
from .digest import Digest, Report
from .records import FileError, Pair, ScanResult

DEFAULT_WIDTH = 100  # when the output is not a terminal
ERRORS_PER_FILE = 3  # problems listed per file before "and N more"

BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"  # overrides and isolates: they reorder what is shown after them

# C0 and C1 controls but tab and line feed, and the escape sequences that begin with them (colours, titles,
# hyperlinks, cursor moves): text from the articles must not drive the reader's terminal; nor reorder what is
# printed after it (bidi overrides and isolates)
_TERMINAL_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, ended by BEL or ST
    r"|\x9b[0-?]*[ -/]*[@-~]|\x9d[^\x07\x9c]*[\x07\x9c]?"  # the same in 8-bit form
    rf"|[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]"
)


def printable(text: str) -> str:
    """``text`` without control characters, terminal escape sequences or bidi overrides (tab and line feed kept)."""
    return _TERMINAL_CONTROL.sub("", text)


def terminal_width() -> int:
    return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns


def relation_counts(pairs: Sequence[Pair]) -> str:
    counts = Counter(p.relation or "topic only" for p in pairs)
    return ", ".join(f"{n} {rel}" for rel, n in counts.most_common())


def _cell(name: Name) -> str:
    label = " ".join(name.label.split())  # titles may hold line breaks
    return f"{name.date}  {label}" if name.date else label


_LINE_SUFFIX = re.compile(r":\d+$")  # the lines of a JSON-lines file are reported as FILE:LINE


def group_errors(errors: Sequence[FileError]) -> dict[str, list[FileError]]:
    """Problems by file, so that 300 bad lines of one file read as one file with 300 problems."""
    by_path: dict[str, list[FileError]] = {}
    for e in errors:
        by_path.setdefault(_LINE_SUFFIX.sub("", e.path), []).append(e)
    return by_path


def error_lines(errors: Sequence[FileError], per_file: int = ERRORS_PER_FILE) -> list[str]:
    """One line per problem, at most ``per_file`` per file and then how many more."""
    out = []
    for path, listed in group_errors(errors).items():
        for e in listed[:per_file]:
            out.append(printable(f"{e.level}: {e.path}: {e.reason}"))
        if len(listed) > per_file:
            out.append(printable(f"{listed[0].level}: {path}: and {len(listed) - per_file} more problems in this file"))
    return out


def to_table(result: ScanResult, details: bool = False, width: int | None = None) -> str:
    """The pairs one per line (strongest first as given), the stories, and the files not read; ``details`` adds
    each pair's summary, its aligned sentences and its changes."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(
        file=io.StringIO(), width=width or terminal_width(), force_terminal=False, color_system=None, highlight=False
    )
    names = names_of(result.articles)

    def text(value: str) -> Text:
        return Text(printable(value))

    if result.pairs:
        title = f"{plural(len(result.pairs), 'pair')} sharing material: {relation_counts(result.pairs)}"
    else:
        title = "no pair shares material"
    pairs = Table(title=title, title_justify="left", caption_justify="left", expand=True)
    pairs.add_column("strength", justify="right", no_wrap=True, width=8)
    pairs.add_column("relation", no_wrap=True, min_width=7)
    pairs.add_column("article", no_wrap=True, overflow="ellipsis", ratio=1)
    pairs.add_column("", no_wrap=True, width=1)
    pairs.add_column("took from", no_wrap=True, overflow="ellipsis", ratio=1)
    for p in result.pairs:
        taker, source = lookup(names, taker_of(p)), lookup(names, source_of(p))
        pairs.add_row(
            shown_strength(p.score),
            p.relation or "-",
            text(_cell(taker)),
            "←" if directed(p) else "~",
            text(_cell(source)),
        )
    if result.pairs:
        pairs.caption = "← took from; ~ share material, which came first undecided (or quote the same sources)"
    if not result.articles:
        console.print("no article was read")
    else:
        console.print(pairs if result.pairs else title)
        _stories(console, result, names, text)
    if details:
        for p in result.pairs:
            _details(console, result, p, names, text)
    if result.errors:
        for level, heading in (("error", "Not read"), ("warning", "Read with a warning")):
            listed = [e for e in result.errors if e.level == level]
            if listed:
                files = group_errors(listed)
                title = f"{heading}: {plural(len(listed), 'problem')} in {plural(len(files), 'file')}"
                errors = Table(title=title, title_justify="left", expand=True)
                errors.add_column("file", overflow="fold", ratio=1)
                errors.add_column("problem", overflow="fold", ratio=2)
                for path, problems in files.items():
                    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                    errors.add_row(text(path), text(problems[0].reason + more))
                console.print(errors)
    return str(console.file.getvalue())  # type: ignore[attr-defined]


def _stories(console, result: ScanResult, names: Mapping[str, Name], text) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    shared = [s for s in result.stories if len(s.articles) > 1]
    alone = len(result.stories) - len(shared)
    title = f"{plural(len(shared), 'story', 'stories')} with more than one article"
    if alone:
        title += f" ({plural(alone, 'article')} alone in {'its' if alone == 1 else 'their'} story not listed)"
    if not shared:
        console.print(title)
        return
    stories = Table(title=title, title_justify="left", expand=True)
    stories.add_column("articles", justify="right", width=8, no_wrap=True)
    stories.add_column("story", no_wrap=True, overflow="ellipsis", ratio=1)
    stories.add_column("titles", no_wrap=True, overflow="ellipsis", ratio=2)
    for s in sorted(shared, key=lambda s: -len(s.articles)):
        members = "; ".join(lookup(names, a).label for a in s.articles)
        stories.add_row(str(len(s.articles)), text(s.label or s.id), text(members))
    console.print(stories)


def _details(console, result: ScanResult, p: Pair, names: Mapping[str, Name], text) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    articles = {a.id: a for a in result.articles}
    a, b = articles.get(p.a), articles.get(p.b)
    console.print()
    console.print(text(pair_summary(p, names)))
    console.print(text(f"A: {lookup(names, p.a).full}  [{p.a}]"))
    console.print(text(f"B: {lookup(names, p.b).full}  [{p.b}]"))
    if p.source_reasons:
        console.print(text("which came first: " + "; ".join(p.source_reasons)))
    if a is None or b is None:
        return
    table = Table(show_lines=True, expand=True)
    table.add_column("A", overflow="fold", ratio=5)
    table.add_column("B", overflow="fold", ratio=5)
    table.add_column("similar", width=7, justify="right")
    taker_is_b = taker_of(p) == p.b
    for passage in p.passages:
        for link in passage.links:
            changes = [
                describe_change(d, taker_is_b)
                for d in p.divergences
                if d.a_sentence == link.a or d.b_sentence == link.b
            ]
            notes = "".join(f"\n  ▸ {c}" for c in changes)
            a_text, b_text = a.sentences[link.a].text, b.sentences[link.b].text
            if taker_is_b:
                b_text += notes
            else:
                a_text += notes
            table.add_row(text(a_text), text(b_text), f"{link.score:.2f}")
    console.print(table)
    changes = describe_changes(p, limit=50)
    if changes:
        lead = "Changes made by the taking text: " if directed(p) else "Changes, B against A: "
        console.print(text(lead + "; ".join(changes)))


def digest_text(digest: Digest, width: int | None = None) -> str:
    """A story's digest as plain lines for the terminal: timeline, who took from whom, what most reports carry,
    where versions diverge; long lines wrap. Article text is made printable first."""
    width = width or terminal_width()
    reports = {r.article: r for r in digest.timeline}

    def who(ident: str) -> str:
        r = reports.get(ident)
        return _who(r) if r else short_id(ident)

    def clip(line: str) -> str:
        """One digest line, made printable and wrapped under its own indent (quotations are never cut)."""
        indent = " " * (len(line) - len(line.lstrip(" ")))
        text = printable(" ".join(line.split()))
        return textwrap.fill(text, width, initial_indent=indent, subsequent_indent=indent + "    ")

    n = digest.size
    lines = [clip(f"Story {digest.story}: {digest.label} ({plural(n, 'report')})"), ""]
    lines.append("Timeline (publication order; reports without a date last)")
    for r in digest.timeline:
        mark = " (first report)" if r.article == digest.first else ""
        lines.append(clip(f"  {r.date or 'no date':<10}  {r.outlet or '-'}  {r.title or r.article}{mark}"))
    first = f"{who(digest.first)} ({digest.first_reason})" if digest.first else "not known from the dates or the reuse"
    lines.append(clip(f"First report: {first}"))
    if digest.takings:
        lines += ["", "Who took from whom"]
        for t in digest.takings:
            how = "took from" if t.decided else "shares material (source undecided) with"
            lines.append(clip(f"  {t.date or 'no date':<10}  {who(t.taker)} {how} {who(t.source)}: {t.relation}"))
    if digest.carried:
        lines += ["", "What most reports carry"]
        for s in digest.carried:
            said = f" — {s.speaker}" if s.speaker else ""
            text = f"“{s.text}”" if s.kind == "quotation" else s.text
            lines.append(clip(f"  {s.kind}, {len(s.articles)} of {n}: {text}{said}"))
    if digest.diverging:
        lines += ["", "Where versions diverge"]
        for d in digest.diverging:
            told = "; ".join(f"{v.text or '(left out)'} in {', '.join(who(a) for a in v.articles)}" for v in d.versions)
            lines.append(clip(f"  {d.kind}{'' if d.reuse else ' (independent reports)'}: {told}"))
            for v in d.versions:
                for article, sentence in v.sentences[:2]:
                    lines.append(clip(f"      {who(article)}: {sentence}"))
    return "\n".join(lines) + "\n"


def _who(report: Report) -> str:
    """How a report is named in a digest line: its outlet, else its title, else its id, kept short."""
    label = printable(report.outlet or report.title or short_id(report.article))  # before it is cut: no escape halved
    label = " ".join(label.split())
    return label if len(label) <= 40 else label[:39] + "…"
