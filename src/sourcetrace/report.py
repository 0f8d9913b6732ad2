"""Turn a ScanResult into the documented JSON schema, flat rows (jsonl, csv) or a terminal table.

The JSON schema is described in docs/schema.md; bump ``SCHEMA`` on any incompatible change.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from .describe import describe_changes, names_of
from .digest import build_digest
from .records import Article, Divergence, Pair, Passage, ScanResult, SentenceLink, Story
from .stages.classify import chance
from .terminal import BIDI_CONTROLS, printable, to_table

__all__ = [
    "FORMATS", "SORTS", "dumps", "printable", "select_pairs", "to_csv", "to_dict", "to_json", "to_jsonl", "to_table"
]  # fmt: skip

SCHEMA = 1
FLAT_FIELDS = [
    "a",
    "b",
    "relation",
    "score",
    "chance",
    "source",
    "a_title",
    "a_date",
    "b_title",
    "b_date",
    "story",
    "coverage_a",
    "coverage_b",
    "passages",
    "divergences",
    "source_reasons",
    "changes",
]
SORTS = ("strength", "relation", "date", "id")


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


def link_dict(k: SentenceLink, a: Article | None = None, b: Article | None = None) -> dict[str, Any]:
    """One sentence link; given the two articles, also each sentence's offsets and text, so that a reader of the JSON
    sees what was matched without looking the indexes up (null when an index is not in its article)."""
    out: dict[str, Any] = {"a": k.a, "b": k.b, "similarity": k.score, "verbatim": k.verbatim}
    if a is None and b is None:
        return out
    for side, article, index in (("a", a, k.a), ("b", b, k.b)):
        sentence = article.sentences[index] if article is not None and 0 <= index < len(article.sentences) else None
        out[f"{side}_start"] = sentence.start if sentence else None
        out[f"{side}_end"] = sentence.end if sentence else None
        out[f"{side}_text"] = sentence.text if sentence else None
    return out


def passage_dict(p: Passage, a: Article | None = None, b: Article | None = None) -> dict[str, Any]:
    return {
        "a_span": list(p.a_span),
        "b_span": list(p.b_span),
        "sentences": [link_dict(k, a, b) for k in p.links],
    }


def round_chance(strength: float) -> float:
    """:func:`classify.chance` to three significant digits."""
    return float(f"{chance(strength):.3g}")


def pair_chance(relation: str | None, score: float) -> float | None:
    """A pair's chance among independent reports (:func:`round_chance`); None for shared quotations, which reports
    of one event share anyway."""
    return None if relation == "shared-quotes" else round_chance(score)


def pair_dict(p: Pair, articles: Mapping[str, Article] | None = None) -> dict[str, Any]:
    """The pair; given the articles, its links carry their sentences' offsets and texts too."""
    a, b = (articles.get(p.a), articles.get(p.b)) if articles is not None else (None, None)
    return {
        "a": p.a,
        "b": p.b,
        "relation": p.relation,
        "score": p.score,
        "chance": pair_chance(p.relation, p.score),
        "source": p.source,
        "source_reasons": p.source_reasons,
        "coverage": {"a": p.coverage_a, "b": p.coverage_b},
        "passages": [passage_dict(x, a, b) for x in p.passages],
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


def story_dicts(result: ScanResult) -> list[dict[str, Any]]:
    """The stories, each of two or more articles with its digest (a lone article has nothing to compare)."""
    articles = {a.id: a for a in result.articles}
    pairs_of: dict[str, list[Pair]] = {}
    story_of = {ident: s.id for s in result.stories for ident in s.articles}
    for p in result.pairs:  # each pair goes to its story once, so all digests together cost one pass over the pairs
        if story_of.get(p.a) is not None and story_of.get(p.a) == story_of.get(p.b):
            pairs_of.setdefault(story_of[p.a], []).append(p)
    return [_story_dict(s, articles, pairs_of.get(s.id, [])) for s in result.stories]


def _story_dict(story: Story, articles: dict[str, Article], pairs: list[Pair]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": story.id, "articles": list(story.articles), "label": story.label}
    if len(story.articles) > 1:
        out["digest"] = build_digest(story, articles, pairs).as_dict()
    return out


def to_dict(result: ScanResult, with_sentences: bool = False) -> dict[str, Any]:
    """The versioned JSON document (schema 1)."""
    articles = {a.id: a for a in result.articles}
    return {
        "schema": SCHEMA,
        "articles": [article_dict(a, with_sentences) for a in result.articles],
        "pairs": [pair_dict(p, articles) for p in result.pairs],
        "stories": story_dicts(result),
        "errors": [{"path": e.path, "reason": e.reason, "level": e.level} for e in result.errors],
    }


# characters that JSON may carry raw but that would drive a terminal the JSON is printed to (8-bit controls such as
# CSI) or reorder what it shows (bidi overrides and isolates), or end a line in JavaScript: written as \u escapes
_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}]")


def dumps(value: Any, indent: int | None = None) -> str:
    """``value`` as JSON, UTF-8 text kept as it is but for :data:`_UNSAFE_IN_JSON`, escaped (the same strings
    to any JSON reader): article text must not act on the terminal of someone who prints a report."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def to_json(result: ScanResult, with_sentences: bool = False) -> str:
    return dumps(to_dict(result, with_sentences), indent=2) + "\n"


def _flat(p: Pair, articles: dict[str, Article], story_of: dict[str, str]) -> dict[str, Any]:
    a, b = articles.get(p.a), articles.get(p.b)
    story = story_of.get(p.a)
    return {
        "a": p.a,
        "b": p.b,
        "relation": p.relation,
        "score": p.score,
        "chance": pair_chance(p.relation, p.score),
        "source": p.source,
        "a_title": a.title if a else None,
        "a_date": a.date if a else None,
        "b_title": b.title if b else None,
        "b_date": b.date if b else None,
        "story": story if story is not None and story == story_of.get(p.b) else None,
        "coverage_a": p.coverage_a,
        "coverage_b": p.coverage_b,
        "passages": len(p.passages),
        "divergences": len(p.divergences),
        "source_reasons": "; ".join(p.source_reasons),
        "changes": "; ".join(describe_changes(p, limit=50)),
    }


def _rows(result: ScanResult) -> list[dict[str, Any]]:
    articles = {a.id: a for a in result.articles}
    story_of = {ident: s.id for s in result.stories for ident in s.articles}
    return [_flat(p, articles, story_of) for p in result.pairs]


def to_jsonl(result: ScanResult) -> str:
    """One JSON line per pair: the flat row, plus its sentence links with their offsets and texts (a list, which is
    why CSV, one cell per field, leaves them out)."""
    articles = {a.id: a for a in result.articles}
    out = []
    for row, p in zip(_rows(result), result.pairs, strict=True):
        a, b = articles.get(p.a), articles.get(p.b)
        row["sentences"] = [link_dict(k, a, b) for passage in p.passages for k in passage.links]
        out.append(dumps(row) + "\n")
    return "".join(out)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell without control characters, escape sequences or bidi overrides (:func:`printable`: they must
    not drive the terminal it is printed on), and quoted with a leading apostrophe when a spreadsheet would run it
    as a formula (=, +, -, @ first; checked after the cleaning, which could otherwise uncover one).

    Ids, titles and reasons come from the articles, so a crafted id could otherwise run in the reader's
    spreadsheet. Numbers are left alone.
    """
    if not isinstance(value, str):
        return value
    value = printable(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_csv(result: ScanResult) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FLAT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in _rows(result):
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    return buffer.getvalue()


def select_pairs(
    result: ScanResult,
    sort: str = "strength",
    min_score: float = 0.0,
    relations: Sequence[str] = (),
) -> ScanResult:
    """The result with its pairs filtered (score at least ``min_score``, relation among ``relations`` when given)
    and sorted: by ``strength`` (strongest first), ``relation`` (copy, rewrite, excerpt, shared quotes, then by
    strength), ``date`` (newest taker first) or ``id``."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(SORTS)}")
    pairs = [p for p in result.pairs if p.score >= min_score and (not relations or p.relation in relations)]
    order = {"copy": 0, "rewrite": 1, "excerpt": 2, "shared-quotes": 3}
    names = names_of(result.articles)
    if sort == "strength":
        pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    elif sort == "relation":
        pairs.sort(key=lambda p: (order.get(p.relation or "", 4), -p.score, p.a, p.b))
    elif sort == "date":

        def newest(p: Pair) -> str:
            dates = [d for d in (names[x].date if x in names else None for x in (p.a, p.b)) if d]
            return max(dates, default="")

        pairs.sort(key=lambda p: (p.a, p.b))
        pairs.sort(key=newest, reverse=True)
    else:
        pairs.sort(key=lambda p: (p.a, p.b))
    return replace(result, pairs=pairs)


FORMATS = {"json": to_json, "jsonl": to_jsonl, "csv": to_csv, "table": to_table}
