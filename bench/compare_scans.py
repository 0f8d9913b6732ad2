"""Two scans of one labelled collection compared pair by pair: which pairs changed relation, within or across stories.

    sourcetrace scan ../shared/data/news-stories-dev/gva.jsonl --format json -o before.json   # one version
    sourcetrace scan ../shared/data/news-stories-dev/gva.jsonl --format json -o after.json    # the other
    python bench/compare_scans.py before.json after.json --labels ../shared/data/news-stories-dev/gva.jsonl

Prints, for each scan, the copies, rewrites, excerpts and shared quotations within one story and across stories
(on GVA a story is an incident: reuse across incidents is mostly an error), then the pairs whose relation changed,
counted by change (a pair with an article the labels do not know counts as unlabelled), and with ``--show N`` the
first N of them with their first three sentence links, to read.
The GVA figures of docs/quality.md that compare two versions come from this script.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from sourcetrace.evaluation.datasets import load_story_labels

RELATIONS = ("copy", "rewrite", "excerpt", "shared-quotes")
REUSE = RELATIONS[:3]


def read_scan(path: Path) -> dict[frozenset[str], dict]:
    """The reported pairs of a scan's JSON report, by their two ids."""
    report = json.loads(path.read_text(encoding="utf-8"))
    return {frozenset((p["a"], p["b"])): p for p in report["pairs"] if p.get("relation")}


def counts(pairs: dict[frozenset[str], dict], labels: dict[str, str]) -> str:
    found = Counter(
        (p["relation"], labels[p["a"]] == labels[p["b"]])
        for p in pairs.values()
        if p["a"] in labels and p["b"] in labels
    )
    shown = "  ".join(f"{r} {found[(r, True)]}/{found[(r, False)]}" for r in RELATIONS)
    within, across = (sum(found[(r, side)] for r in REUSE) for side in (True, False))
    return f"{shown}  (within / across);  copies, rewrites and excerpts {within} / {across}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--labels", type=Path, required=True, help="the labelled JSON-lines file scanned")
    parser.add_argument("--show", type=int, default=0, help="print this many changed pairs with their passages")
    args = parser.parse_args()
    labels = load_story_labels(args.labels)
    before, after = read_scan(args.before), read_scan(args.after)
    print(f"before: {counts(before, labels)}\nafter:  {counts(after, labels)}")
    changes: Counter[tuple[str, str, str]] = Counter()
    changed = []
    for key in sorted(set(before) | set(after), key=sorted):
        old, new = (before.get(key) or {}).get("relation"), (after.get(key) or {}).get("relation")
        if old != new:
            a, b = sorted(key)
            side = "unlabelled" if a not in labels or b not in labels else ("within", "across")[labels[a] != labels[b]]
            changes[(str(old), str(new), side)] += 1
            changed.append((side, old, new, after.get(key) or before[key]))
    print("changed relations (before -> after, within or across stories):")
    for (old, new, side), n in sorted(changes.items()):
        print(f"  {old:>13} -> {new:<13} {side:<10} {n}")
    for side, old, new, pair in changed[: args.show]:
        print(f"\n{pair['a']}  {pair['b']}  {old} -> {new} ({side}); strength {pair.get('score')}")
        for link in [s for passage in pair.get("passages", []) for s in passage["sentences"]][:3]:
            print(f"  A: {(link['a_text'] or '')[:240]!r}\n  B: {(link['b_text'] or '')[:240]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
