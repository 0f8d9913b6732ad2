"""Readers for the labelled data sets ``sourcetrace eval`` accepts (formats: docs/datasets.md).

Each reader takes a path the user gives and returns plain records; a malformed file raises InputError naming the
file and the line. Also here: re-anchoring PAN cases on re-extracted texts whose offsets no longer match.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple
from xml.etree import ElementTree as ET

import numpy as np

from ..errors import InputError


class Case(NamedTuple):
    """A text-alignment case or detection: a span of the suspicious text and one of the source, end exclusive."""

    susp_start: int
    susp_end: int
    src_start: int
    src_end: int


def check_case(c: tuple[int, int, int, int]) -> Case:
    """The span as a Case; ValueError when a start is negative or past its end, or both spans are empty."""
    case = Case(*c)
    if not (0 <= case.susp_start <= case.susp_end and 0 <= case.src_start <= case.src_end):
        raise ValueError(f"bad span {tuple(case)}: starts must be >= 0 and <= ends")
    if case.susp_end == case.susp_start and case.src_end == case.src_start:
        raise ValueError(f"empty span {tuple(case)}")
    return case


def read_text(path: Path) -> str:
    """A UTF-8 file's characters exactly as stored (offsets index this string)."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        raise InputError(str(path), "file not found") from None
    except UnicodeDecodeError as e:
        raise InputError(str(path), f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    except OSError as e:
        raise InputError(str(path), e.strerror or str(e)) from None


def _require_dir(folder: str | Path) -> Path:
    path = Path(folder)
    if not path.is_dir():
        raise InputError(str(path), "not a folder")
    return path


def _in_folder(path: str | Path, name: str) -> Path:
    """``path`` itself if it is a file, else the file ``name`` inside the folder ``path``."""
    p = Path(path)
    return p / name if p.is_dir() else p


def _csv_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(read_text(path).lstrip("\ufeff"), newline=""))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(str(path), f"missing column(s) {', '.join(missing)}; expected header {','.join(columns)}")
    rows = []
    for n, row in enumerate(reader, start=2):
        if any(not (row.get(c) or "").strip() for c in columns):
            raise InputError(str(path), f"line {n}: empty field")
        rows.append({c: row[c].strip() for c in columns})
    return rows


CLOUGH_CATEGORIES: tuple[str, ...] = ("non", "cut", "light", "heavy", "orig")


class CloughFile(NamedTuple):
    """One file of the Clough & Stevenson short-answer corpus and how it was written."""

    file: str
    task: str
    category: str  # one of CLOUGH_CATEGORIES; "orig" marks the source text of a task
    source: str | None  # the task's source file, None for the source itself


def load_clough(folder: str | Path) -> list[CloughFile]:
    """Read file_information.csv (File,Task,Category) of a Clough & Stevenson folder; every listed file must exist."""
    root = _require_dir(folder)
    index = root / "file_information.csv"
    records = []
    for n, row in enumerate(_csv_rows(index, ("File", "Task", "Category")), start=2):
        category = row["Category"].lower()
        if category not in CLOUGH_CATEGORIES:
            raise InputError(str(index), f"line {n}: category {row['Category']!r} is not one of {CLOUGH_CATEGORIES}")
        if not (root / row["File"]).is_file():
            raise InputError(str(root / row["File"]), "listed in file_information.csv but not found")
        source = None if category == "orig" else f"orig_task{row['Task']}.txt"
        records.append(CloughFile(row["File"], row["Task"], category, source))
    return records


class SentencePair(NamedTuple):
    """Two sentences and whether they are paraphrases of each other."""

    id: str
    s1: str
    s2: str
    label: bool


_MRPC_HEADER = ["Quality", "#1 ID", "#2 ID", "#1 String", "#2 String"]


def load_mrpc(path: str | Path, split: str = "train") -> list[SentencePair]:
    """Read an MRPC file (or the msr_paraphrase_<split>.txt in a folder); the id is "<#1 ID>-<#2 ID>"."""
    file = _in_folder(path, f"msr_paraphrase_{split}.txt")
    text = read_text(file).lstrip("\ufeff")
    # The strings contain unbalanced double quotes, so quoting must be off.
    rows = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(rows, None)
    if header != _MRPC_HEADER:
        raise InputError(str(file), f"expected header {'<TAB>'.join(_MRPC_HEADER)}")
    pairs = []
    for n, row in enumerate(rows, start=2):
        if not row:
            continue
        if len(row) != 5 or row[0] not in ("0", "1"):
            raise InputError(str(file), f"line {n}: expected Quality (0/1) and four tab-separated fields")
        pairs.append(SentencePair(f"{row[1]}-{row[2]}", row[3], row[4], row[0] == "1"))
    return pairs


def _lines(path: Path) -> list[str]:
    """The lines of a text file; only LF or CRLF end a line (str.splitlines would also split on rarer breaks)."""
    lines = read_text(path).split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def load_pan_paraphrase(folder: str | Path, split: str = "train") -> list[SentencePair]:
    """Read pan-<split>_s1.txt, pan-<split>_s2.txt and pan-<split>.labels (aligned lines); the id is the line number."""
    root = _require_dir(folder)
    s1 = _lines(root / f"pan-{split}_s1.txt")
    s2 = _lines(root / f"pan-{split}_s2.txt")
    labels_path = root / f"pan-{split}.labels"
    labels = _lines(labels_path)
    if not len(s1) == len(s2) == len(labels):
        raise InputError(str(root), f"line counts differ: s1 {len(s1)}, s2 {len(s2)}, labels {len(labels)}")
    pairs = []
    for n, (a, b, label) in enumerate(zip(s1, s2, labels, strict=True), start=1):
        if label.strip() not in ("0", "1"):
            raise InputError(str(labels_path), f"line {n}: label {label!r} is not 0 or 1")
        pairs.append(SentencePair(str(n), a, b, label.strip() == "1"))
    return pairs


class StoryLabel(NamedTuple):
    """The gold story of an article, and its topic (two stories of events of one kind share a topic)."""

    topic: str
    story: str


def load_ecbplus(folder: str | Path) -> dict[str, StoryLabel]:
    """Read labels.csv (file,topic,story) of an ECB+-style folder into file -> label; each file must be in docs/."""
    root = _require_dir(folder)
    labels: dict[str, StoryLabel] = {}
    for row in _csv_rows(root / "labels.csv", ("file", "topic", "story")):
        if not (root / "docs" / row["file"]).is_file():
            raise InputError(str(root / "docs" / row["file"]), "listed in labels.csv but not found")
        if row["file"] in labels:
            raise InputError(str(root / "labels.csv"), f"{row['file']} is listed twice")
        labels[row["file"]] = StoryLabel(row["topic"], row["story"])
    return labels


def load_story_labels(path: str | Path) -> dict[str, str]:
    """``id`` -> ``story`` of a JSON-lines file of labelled articles (one JSON object per line)."""
    labels: dict[str, str] = {}
    for number, line in enumerate(read_text(Path(path)).splitlines(), start=1):
        if line.strip():
            record = json.loads(line)
            if "id" not in record or "story" not in record:
                raise InputError(f"{path}:{number}", "a labelled article needs an id and a story")
            labels[str(record["id"])] = str(record["story"])
    return labels


PLANTED_RELATIONS: tuple[str, ...] = ("copy", "rewrite", "excerpt", "shared-quotes", "none")


class PlantedPair(NamedTuple):
    """A labelled article pair of a collection: how B reuses A (``none``: a hard negative that must not be reported)."""

    a: str
    b: str
    relation: str  # one of PLANTED_RELATIONS
    source: str | None  # the original, when known
    group: str | None  # optional label to break the figures down by (e.g. where the paraphrases came from)


def load_collection(folder: str | Path) -> tuple[Path, list[PlantedPair]]:
    """Read a collection folder: the path of its articles.jsonl and the labelled pairs of its truth.jsonl."""
    root = _require_dir(folder)
    articles = root / "articles.jsonl"
    if not articles.is_file():
        raise InputError(str(articles), "file not found")
    truth_path = root / "truth.jsonl"
    pairs = []
    for n, line in enumerate(_lines(truth_path), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as e:
            raise InputError(str(truth_path), f"line {n}: not JSON ({e})") from None
        if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in ("a", "b", "relation")):
            raise InputError(str(truth_path), f"line {n}: expected an object with string fields a, b, relation")
        if record["relation"] not in PLANTED_RELATIONS:
            raise InputError(str(truth_path), f"line {n}: relation {record['relation']!r} not in {PLANTED_RELATIONS}")
        source, group = record.get("source"), record.get("group")
        pairs.append(
            PlantedPair(
                record["a"],
                record["b"],
                record["relation"],
                source if isinstance(source, str) else None,
                group if isinstance(group, str) else None,
            )
        )
    return articles, pairs


@dataclass(frozen=True)
class Pan13Corpus:
    """A PAN 2013 text-alignment folder: document pairs and, for the labelled subset, the cases at original offsets."""

    root: Path
    pairs: tuple[tuple[str, str], ...]  # every (suspicious, source) pair in the top-level ``pairs`` file
    labelled: tuple[tuple[str, str], ...]  # the pairs of the labelled subset
    cases: Mapping[tuple[str, str], tuple[Case, ...]]  # labelled pair -> cases (empty: no plagiarism)

    def susp_path(self, name: str) -> Path:
        return self.root / "susp" / name

    def src_path(self, name: str) -> Path:
        return self.root / "src" / name


def _read_pairs(path: Path) -> tuple[tuple[str, str], ...]:
    pairs = []
    for n, line in enumerate(_lines(path), start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2:
            raise InputError(str(path), f"line {n}: expected 'suspicious-file source-file'")
        pairs.append((fields[0], fields[1]))
    return tuple(pairs)


def _int_attr(el: ET.Element, name: str, path: Path) -> int:
    value = el.get(name)
    if value is None or not value.isdigit():
        raise InputError(str(path), f"plagiarism feature without a valid {name}")
    return int(value)


def _read_truth(path: Path) -> tuple[str, list[tuple[str, Case]]]:
    try:
        root = ET.fromstring(read_text(path))
    except ET.ParseError as e:
        raise InputError(str(path), f"malformed XML ({e})") from None
    susp = root.get("reference")
    if not susp:
        raise InputError(str(path), "document element has no reference attribute")
    found = []
    for feature in root.iter("feature"):
        if feature.get("name") != "plagiarism":
            continue
        src = feature.get("source_reference")
        if not src:
            raise InputError(str(path), "plagiarism feature without source_reference")
        t_off, t_len = _int_attr(feature, "this_offset", path), _int_attr(feature, "this_length", path)
        s_off, s_len = _int_attr(feature, "source_offset", path), _int_attr(feature, "source_length", path)
        found.append((src, Case(t_off, t_off + t_len, s_off, s_off + s_len)))
    return susp, found


def load_pan13(folder: str | Path, subset: str = "02-no-obfuscation") -> Pan13Corpus:
    """Read a PAN 2013 text-alignment folder: ``pairs``, ``<subset>/pairs`` and the truth XMLs of the subset."""
    root = _require_dir(folder)
    sub = _require_dir(root / subset)
    labelled = _read_pairs(sub / "pairs")
    cases: dict[tuple[str, str], list[Case]] = {pair: [] for pair in labelled}
    for xml_path in sorted(sub.glob("*.xml")):
        susp, found = _read_truth(xml_path)
        for src, case in found:
            cases.setdefault((susp, src), []).append(case)
    return Pan13Corpus(
        root,
        _read_pairs(root / "pairs"),
        labelled,
        {pair: tuple(sorted(c)) for pair, c in cases.items()},
    )


# ---------------------------------------------------------------------------------------------------------------------
# Re-anchoring PAN cases on re-extracted texts
# ---------------------------------------------------------------------------------------------------------------------
#
# The copy of the corpus we have was re-extracted: lines re-wrapped, non-ASCII characters dropped, and in a few
# documents pieces of lines reordered. The truth offsets point into the original texts, which we do not have, and
# the labelled passage is not stored either, so it cannot be searched for. What we do know: the cases are verbatim
# copies, so the passage is still shared word for word by the two re-extracted texts, and it lies near its labelled
# offsets (the drift is the number of characters dropped before it, usually well under 3% of the offset).
# So: find every verbatim passage the two texts share (runs of identical words, compared without case and
# punctuation), and give each case the cluster of shared runs near its offsets whose total length best matches the
# labelled length. Cases found close to their offsets with the full length are trusted first; their positions then
# narrow the search for the others of the pair (passages keep their order within a document).

_WORD = re.compile(r"\S+")
_NOT_ALNUM = re.compile(r"[\W_]+")
_SEED_WORDS = 5  # shared runs shorter than this are ignored: they occur by chance
_MAX_SEED_REPEATS = 20  # word 5-grams repeated more often than this are boilerplate and seed nothing
_NEAR_SLACK = 0.03  # first pass: passage must lie within 3% of its offset (+150 chars)
_SPAN_SLACK = 0.15  # a case's hull may exceed the labelled length by 15% (+50 chars)
_DISTANCE_COST = 0.1  # second pass: one char of matched passage is worth ten chars of distance from the expectation

ReanchorStatus = Literal["exact", "partial", "missing"]


@dataclass(frozen=True, slots=True)
class Reanchored:
    """A labelled case and where its passage was found in the re-extracted texts."""

    original: Case  # offsets into the original texts
    case: Case | None  # offsets into the re-extracted texts; None when nothing was found
    coverage: float  # characters of shared verbatim text found, over the labelled suspicious length
    status: ReanchorStatus  # exact: coverage >= 0.9 and both spans within 10% of the labelled length


class _Run(NamedTuple):
    s0: int  # suspicious start, end (characters)
    s1: int
    r0: int  # source start, end
    r1: int


def _words(text: str) -> list[tuple[str, int, int]]:
    out = []
    for m in _WORD.finditer(text):
        key = _NOT_ALNUM.sub("", m.group().lower())
        if key:
            out.append((key, m.start(), m.end()))
    return out


def _shared_runs(susp: str, src: str) -> list[_Run]:
    """Maximal runs of consecutive words (normalised) that the two texts share, as character spans."""
    a, b = _words(susp), _words(src)
    wa, wb = [w for w, _, _ in a], [w for w, _, _ in b]
    n = _SEED_WORDS
    where: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for j in range(len(wb) - n + 1):
        where[tuple(wb[j : j + n])].append(j)
    seen: set[tuple[int, int]] = set()
    runs = []
    for i in range(len(wa) - n + 1):
        starts = where.get(tuple(wa[i : i + n]), ())
        if len(starts) > _MAX_SEED_REPEATS:
            continue
        for j in starts:
            if (i, j) in seen:
                continue
            k = 0
            while i + k < len(wa) and j + k < len(wb) and wa[i + k] == wb[j + k]:
                seen.add((i + k, j + k))
                k += 1
            runs.append(_Run(a[i][1], a[i + k - 1][2], b[j][1], b[j + k - 1][2]))
    return runs


def _near(run: _Run, case: Case, slack: float) -> bool:
    ms = slack * case.susp_start + 150
    mr = slack * case.src_start + 150
    return (
        run.s1 > case.susp_start - ms
        and run.s0 < case.susp_end + ms
        and run.r1 > case.src_start - mr
        and run.r0 < case.src_end + mr
    )


def _grow(core: _Run, runs: list[_Run], limit: float) -> list[_Run]:
    """The core run plus the longest other runs that keep both hulls within ``limit`` chars and overlap nothing."""
    chosen = [core]
    s_lo, s_hi, r_lo, r_hi = core
    for run in sorted(runs, key=lambda r: r.s0 - r.s1):
        if run is core:
            continue
        if max(s_hi, run.s1) - min(s_lo, run.s0) > limit or max(r_hi, run.r1) - min(r_lo, run.r0) > limit:
            continue
        if any(run.s0 < c.s1 and c.s0 < run.s1 or run.r0 < c.r1 and c.r0 < run.r1 for c in chosen):
            continue
        chosen.append(run)
        s_lo, s_hi, r_lo, r_hi = min(s_lo, run.s0), max(s_hi, run.s1), min(r_lo, run.r0), max(r_hi, run.r1)
    return chosen


def _hull(runs: list[_Run]) -> Case:
    return Case(min(r.s0 for r in runs), max(r.s1 for r in runs), min(r.r0 for r in runs), max(r.r1 for r in runs))


def _best_cluster(runs: list[_Run], case: Case, expected: tuple[float, float] | None) -> tuple[list[_Run], float]:
    """The cluster of runs (and its matched length) that best explains the case; nearest wins when ``expected``."""
    length = case.susp_end - case.susp_start
    limit = length * (1 + _SPAN_SLACK) + 50
    best: list[_Run] = []
    best_score = -math.inf
    best_matched = 0.0
    for core in sorted(runs, key=lambda r: r.s0 - r.s1)[:30]:
        cluster = _grow(core, runs, limit)
        matched = min(sum(r.s1 - r.s0 for r in cluster), length)
        score = float(matched)
        if expected is not None:
            hull = _hull(cluster)
            score -= _DISTANCE_COST * (abs(hull.susp_start - expected[0]) + abs(hull.src_start - expected[1]))
        if score > best_score:
            best, best_score, best_matched = cluster, score, matched
    return best, best_matched


def _status(case: Case, found: Case, coverage: float) -> ReanchorStatus:
    length = case.susp_end - case.susp_start
    s_ratio = (found.susp_end - found.susp_start) / length
    r_ratio = (found.src_end - found.src_start) / max(case.src_end - case.src_start, 1)
    return "exact" if coverage >= 0.9 and 0.9 <= s_ratio <= 1.1 and 0.9 <= r_ratio <= 1.1 else "partial"


def _map_offset(offset: int, anchors: list[tuple[int, int]]) -> float:
    """Where an original offset lands now, interpolating between trusted (original, new) positions."""
    points = sorted([(0, 0), *anchors])
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    if offset >= xs[-1]:
        # Beyond the last anchor, assume the drift rate seen so far.
        return offset * (ys[-1] / xs[-1]) if xs[-1] else float(offset)
    return float(np.interp(offset, xs, ys))


def _between(value: int, anchors: list[tuple[int, int]]) -> tuple[float, float]:
    """New positions of the trusted anchors just before and after an original offset (drift keeps order)."""
    lo = max((new for old, new in anchors if old < value), default=-math.inf)
    hi = min((new for old, new in anchors if old > value), default=math.inf)
    return lo, hi


def reanchor_cases(susp_text: str, src_text: str, cases: Sequence[tuple[int, int, int, int]]) -> list[Reanchored]:
    """Find each labelled verbatim case of a document pair in re-extracted texts whose offsets no longer match.

    Returns one Reanchored per case, in the given order. A case is first looked for within 3% (+150 chars) of its
    labelled offsets; cases found there at full length become anchors, and the remaining cases are searched for
    between and around the anchors, preferring the passage nearest the position the anchors predict.
    """
    originals = [check_case(c) for c in cases]
    if any(c.susp_end == c.susp_start for c in originals):
        raise ValueError("a case to re-anchor needs a non-empty suspicious span")
    runs = _shared_runs(susp_text, src_text)
    results: dict[int, Reanchored] = {}
    used: set[_Run] = set()

    # Pass 1: near the labelled offsets; longest cases first so a short case cannot take a long one's passage.
    for idx in sorted(range(len(originals)), key=lambda i: originals[i].susp_start - originals[i].susp_end):
        case = originals[idx]
        near = [r for r in runs if r not in used and _near(r, case, _NEAR_SLACK)]
        cluster, matched = _best_cluster(near, case, None)
        if not cluster:
            continue
        found = _hull(cluster)
        coverage = matched / (case.susp_end - case.susp_start)
        if _status(case, found, coverage) == "exact":
            results[idx] = Reanchored(case, found, coverage, "exact")
            used.update(cluster)

    # Pass 2: the rest, guided by the anchors; order is preserved within each document.
    susp_anchors = [(r.original.susp_start, r.case.susp_start) for r in results.values() if r.case]
    src_anchors = [(r.original.src_start, r.case.src_start) for r in results.values() if r.case]
    for idx, case in enumerate(originals):
        if idx in results:
            continue
        s_lo, s_hi = _between(case.susp_start, susp_anchors)
        r_lo, r_hi = _between(case.src_start, src_anchors)
        free = [r for r in runs if r not in used and s_lo <= r.s0 < s_hi and r_lo <= r.r0 < r_hi]
        expected = (_map_offset(case.susp_start, susp_anchors), _map_offset(case.src_start, src_anchors))
        cluster, matched = _best_cluster(free, case, expected)
        if not cluster:
            results[idx] = Reanchored(case, None, 0.0, "missing")
            continue
        found = _hull(cluster)
        coverage = matched / (case.susp_end - case.susp_start)
        results[idx] = Reanchored(case, found, coverage, _status(case, found, coverage))
        used.update(cluster)
    return [results[i] for i in range(len(originals))]
