"""Reuse of passages: the Clough & Stevenson short answers and PAN 2013 text alignment."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from ..pipeline import Models, analyse, scan
from ..records import Pair
from ..settings import Settings
from ..stages.ingest import read_articles
from .baselines import document_vectors, minhash_jaccard, minhash_scores, tfidf_cosines
from .common import BINARY_HEADER, RELATIONS, REUSE, Log, binary_row, caching, say, threshold_rows
from .datasets import Case, load_clough, load_pan13, read_text, reanchor_cases
from .measures import binary_scores, plagdet_scores
from .results import Evaluation, Table

# --- Clough & Stevenson ----------------------------------------------------------------------------------------------


def evaluate_clough(
    path: str | Path, settings: Settings, models: Models, baselines: bool = True, log: Log | None = None
) -> Evaluation:
    """Scan all files together; an answer is detected when it is paired with its own task's source as reuse."""
    started = time.perf_counter()
    root = Path(path)
    files = load_clough(root)
    models = caching(models)
    say(log, f"clough: scanning {len(files)} files")
    result = scan([root / f.file for f in files], settings, models)
    pairs = {frozenset((p.a, p.b)): p for p in result.pairs}
    answers = [f for f in files if f.category != "orig"]
    stem = {f.file: Path(f.file).stem for f in answers}
    source = {f.file: Path(f.source or "").stem for f in answers}
    gold = [f.category != "non" for f in answers]
    found = [pairs.get(frozenset((stem[f.file], source[f.file]))) for f in answers]
    pred = [bool(p and p.relation in REUSE) for p in found]
    named = Counter(
        "right" if p.source == source[f.file] else "undecided" if p.source is None else "wrong"
        for f, p, hit in zip(answers, found, pred, strict=True)
        if hit and p is not None
    )
    detected = sum(pred)
    rows = [binary_row("sourcetrace", pred, gold, "packaged settings") + (f"{named['right']}/{detected}",)]
    if baselines:
        texts = [a.text for a in result.articles]
        index = {a.id: k for k, a in enumerate(result.articles)}
        keys = [(index[stem[f.file]], index[source[f.file]]) for f in answers]
        minhash = minhash_scores(texts)
        tfidf = tfidf_cosines(texts)
        docs = document_vectors([[s.text for s in a.sentences] for a in result.articles], models.sentence)
        scored = {
            "MinHash/LSH, estimated Jaccard": [minhash.get((min(i, j), max(i, j)), 0.0) for i, j in keys],
            "TF-IDF cosine": [float(tfidf[i, j]) for i, j in keys],
            "MiniLM document cosine": [float(docs[i] @ docs[j]) for i, j in keys],
        }
        rows += [row + ("—",) for row in threshold_rows(scored, gold)]

    confusion = []
    for category in ("cut", "light", "heavy", "non"):
        mine = [(f, p) for f, p in zip(answers, found, strict=True) if f.category == category]
        relations: Counter[str | None] = Counter(p.relation if p else None for _, p in mine)
        coverages = [(p.coverage_a if p.a == stem[f.file] else p.coverage_b) if p else 0.0 for f, p in mine]
        confusion.append(
            (
                category,
                len(mine),
                *(relations[r] for r in (*RELATIONS, None)),
                float(np.mean(coverages)) if mine else None,
            )
        )
    s = binary_scores(pred, gold)
    return Evaluation(
        "clough",
        f"{len(answers)} answers to {len(files) - len(answers)} source texts, scanned together",
        {"accuracy": s.accuracy, "f1": s.f1, "source_right": named["right"] / detected if detected else 0.0},
        [
            Table(
                "Clough & Stevenson: is an answer paired with its task's source as copy, rewrite or excerpt?",
                (*BINARY_HEADER, "source named right"),
                rows,
                "Positive: a `cut`, `light` or `heavy` answer; negative: a `non` answer. Source named right: the "
                "task's `orig_` file named as the source, among the answers detected (the others: "
                f"{named['wrong']} wrong, {named['undecided']} undecided).",
            ),
            Table(
                "Clough & Stevenson: our relation with the task's source, by category",
                ("category", "answers", *RELATIONS, "none", "mean coverage of the answer"),
                confusion,
            ),
        ],
        time.perf_counter() - started,
    )


# --- PAN 2013 text alignment -----------------------------------------------------------------------------------------


def evaluate_pan13(
    path: str | Path,
    settings: Settings,
    models: Models,
    limit: int | None = None,
    baselines: bool = True,
    log: Log | None = None,
) -> Evaluation:
    """Every listed (suspicious, source) pair, analysed with the other sources of its suspicious document.

    Pair recall: labelled pairs reported as reuse of any kind. Passages: PAN character measures of the reported
    passages against the labelled cases, re-anchored on the texts as the pipeline cleaned them.
    ``limit`` keeps the first N labelled pairs and the first N unlabelled ones.
    """
    started = time.perf_counter()
    corpus = load_pan13(path)
    labelled = set(corpus.labelled)
    listed = [p for p in corpus.pairs if corpus.susp_path(p[0]).is_file() and corpus.src_path(p[1]).is_file()]
    chosen_labelled = [p for p in listed if p in labelled][:limit]
    chosen_other = [p for p in listed if p not in labelled][:limit]
    chosen = chosen_labelled + chosen_other
    by_susp: dict[str, list[str]] = defaultdict(list)
    for susp, src in chosen:
        by_susp[susp].append(src)
    found: dict[tuple[str, str], Pair | None] = {}
    texts: dict[str, str] = {}
    say(log, f"pan13: {len(chosen)} pairs ({len(chosen_labelled)} labelled) in {len(by_susp)} groups")
    for n, (susp, sources) in enumerate(sorted(by_susp.items()), start=1):
        articles, _ = read_articles([corpus.susp_path(susp), *(corpus.src_path(s) for s in sources)], settings.ingest)
        result = analyse(articles, settings, models)
        texts.update({a.id: a.text for a in result.articles})
        reported = {frozenset((p.a, p.b)): p for p in result.pairs}
        for src in sources:
            found[(susp, src)] = reported.get(frozenset((Path(susp).stem, Path(src).stem)))
        if n % 50 == 0:
            say(log, f"pan13: {n}/{len(by_susp)} groups")

    def relation(pair: tuple[str, str]) -> str | None:
        p = found[pair]
        return p.relation if p else None

    hit = [relation(p) is not None for p in chosen_labelled]
    pair_recall = sum(hit) / len(hit) if hit else 0.0
    cases: dict[tuple[str, str], list[Case]] = {}
    detections: dict[tuple[str, str], list[Case]] = {}
    statuses: Counter[str] = Counter()
    for pair in chosen_labelled:
        susp_id, src_id = Path(pair[0]).stem, Path(pair[1]).stem
        if susp_id not in texts or src_id not in texts:
            continue
        anchored = reanchor_cases(texts[susp_id], texts[src_id], corpus.cases[pair]) if corpus.cases[pair] else []
        statuses.update(r.status for r in anchored)
        cases[pair] = [r.case for r in anchored if r.case is not None]
        p = found[pair]
        if p is not None and p.relation:
            flip = p.a != susp_id
            detections[pair] = [
                Case(*(q.b_span if flip else q.a_span), *(q.a_span if flip else q.b_span)) for q in p.passages
            ]
    plag = plagdet_scores(cases, detections)
    rows: list[tuple[object, ...]] = [
        ("sourcetrace", pair_recall, plag.recall, plag.precision, plag.granularity, plag.plagdet, "packaged settings")
    ]
    if baselines and chosen_other and chosen_labelled:
        flagged = sum(relation(p) is not None for p in chosen)
        docs = sorted({d for pair in chosen for d in pair})
        where = {d: k for k, d in enumerate(docs)}
        raw = [read_text(corpus.susp_path(d) if d in by_susp else corpus.src_path(d)) for d in docs]
        tfidf = tfidf_cosines(raw)
        scored = {
            "MinHash, estimated Jaccard": minhash_jaccard(raw, [(where[a], where[b]) for a, b in chosen]),
            "TF-IDF cosine": [float(tfidf[where[a], where[b]]) for a, b in chosen],
        }
        for name, scores in scored.items():
            # as many flagged pairs as sourcetrace: the other pairs carry no labels to choose a threshold on
            top = {chosen[i] for i in np.argsort(-np.asarray(scores), kind="stable")[:flagged]}
            recall = sum(p in top for p in chosen_labelled) / len(chosen_labelled)
            rows.append((name, recall, None, None, None, None, f"the {flagged} highest-scoring pairs"))
    relations: Counter[str | None] = Counter(relation(p) for p in chosen_labelled)
    other_relations: Counter[str | None] = Counter(relation(p) for p in chosen_other)
    return Evaluation(
        "pan13",
        f"{len(chosen)} listed pairs, {len(chosen_labelled)} labelled verbatim pairs, {sum(statuses.values())} cases",
        {
            "pair_recall": pair_recall,
            "passage_recall": plag.recall,
            "passage_precision": plag.precision,
            "plagdet": plag.plagdet,
        },
        [
            Table(
                "PAN 2013 verbatim pairs: reuse reported, and where",
                ("method", "pair recall", "passage recall", "passage precision", "granularity", "plagdet", "decision"),
                rows,
                "Pair recall: labelled no-obfuscation pairs reported with any relation. Passages: PAN character "
                "measures over the labelled pairs, gold spans re-anchored on the cleaned texts "
                f"({statuses['exact']} exact, {statuses['partial']} partial, {statuses['missing']} missing). "
                "Baselines flag as many of all the listed pairs as sourcetrace does, the highest scores first.",
            ),
            Table(
                "PAN 2013: relations reported",
                ("pairs", "count", *RELATIONS, "none"),
                [
                    ("labelled verbatim", len(chosen_labelled), *(relations[r] for r in (*RELATIONS, None))),
                    ("other listed (no labels)", len(chosen_other), *(other_relations[r] for r in (*RELATIONS, None))),
                ],
                "The other listed pairs mix documents without reuse with summarised, machine-translated and "
                "randomly obfuscated copies; their labels are not in the data set.",
            ),
        ],
        time.perf_counter() - started,
    )
