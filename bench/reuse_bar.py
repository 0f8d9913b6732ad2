"""How the reuse bar (classify.reuse_strength) was chosen: the strength of every dev rewrite pair and of every
same-event pair of independent reports, each pair aligned whole (no candidate search, no probes).

    python bench/reuse_bar.py [--data ../shared/data] [--alternatives] [--chance] [--leads] [--facts] [--runs]

Prints the bar that at most 5 of the 100 NewsWCL50 same-event pairs reach, and the share of the 485 dev rewrite
pairs above it (docs/quality.md). ``--alternatives``: the same for pair statistics that were tried in its place
(the ordered coverage alone, as the strength was before the order and the words kept joined it; the same less its
mean over shuffled sentence orders; the share of a text's words, weighted by rarity, found in the other;
the ordered coverage and that share added), each with its own bar at 5 of 100. ``--chance``: the logit-normal fit
of the same-event strengths behind ``classify.chance`` (its mean and spread), against the share counted.
``--leads``: the fit behind ``align.NULL_MEAN`` and ``align.NULL_SPREAD``: the strength of the first k sentences of
each NewsWCL50 report, for every k, measured against each other outlet's report of its event (a brief or a lead is
accounted for more easily than a whole report), by the text's effective number of sentences; and, by length, the
share of those leads that reach the packaged bar with the packaged strength, and the bar of the version before
(0.119) with the strength before it (a text's own, whatever its length).
``--facts``: how ``classify.facts_kept`` was chosen: the share of the dev rewrite pairs (and of the same-event
pairs) whose text with fewer facts has less than each share of them in the other; the setting is the largest
tenth that keeps 0.99 of the dev rewrites with enough facts to judge. ``--runs``: how ``align.LONG_RUN`` was
chosen: the longest run of words, outside quotations and across sentences, that each same-event pair of
independent reports shares. (Articles here are cleaned and segmented, not checked against their headlines.)
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import re
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np

from sourcetrace.pipeline import Models
from sourcetrace.records import Article
from sourcetrace.settings import Settings
from sourcetrace.stages.align import (
    LONG_RUN,
    NULL_MEAN,
    NULL_SPREAD,
    align,
    calibrated,
    effective_sentences,
    jaccard_matrix,
    null_logit,
    ordered_chain,
    own_chars,
    same_meaning,
    text_strength,
    unquoted_text,
    words_of,
)
from sourcetrace.stages.classify import (
    INDEPENDENT_LOGIT_MEAN,
    INDEPENDENT_LOGIT_SPREAD,
    chance,
    facts_kept,
)
from sourcetrace.stages.clean import clean
from sourcetrace.stages.ingest import read_articles
from sourcetrace.stages.segment import segment
from sourcetrace.stages.stories import Rarity

ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"\w+")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--alternatives", action="store_true", help="also the statistics tried in its place")
    parser.add_argument("--chance", action="store_true", help="also the fit behind classify.chance")
    parser.add_argument("--facts", action="store_true", help="also the choice of classify.facts_kept")
    parser.add_argument("--runs", action="store_true", help="also the choice of align.LONG_RUN")
    parser.add_argument("--leads", action="store_true", help="also the fit behind align.NULL_MEAN and NULL_SPREAD")
    args = parser.parse_args()
    settings = Settings.load()
    encoder = Models.load(settings).sentence

    def load(path: Path) -> dict:
        articles, _ = read_articles([path], settings.ingest)
        prepared = {a.id: segment(clean(a)) for a in articles}
        return {k: (a, encoder.encode([s.text for s in a.sentences])) for k, a in prepared.items() if a.sentences}

    rarity, shuffles = Rarity.load(settings.model_dir), np.random.default_rng(0)

    def pair_strength(x: tuple, y: tuple) -> float:
        return align(x[0].sentences, y[0].sentences, x[1] @ y[1].T, settings.align, rarity=rarity)[0].strength

    def alternatives(x: tuple, y: tuple) -> tuple[float, ...]:
        """(ordered coverage, the same less its mean over 30 shuffled orders of the text, rare-word containment),
        each for the text the other accounts for best, as the strength is"""
        a, b = x[0].sentences, y[0].sentences
        probability = same_meaning(x[1] @ y[1].T, jaccard_matrix(a, b), settings.align)
        words_a, words_b = (set(WORD.findall(side[0].text.casefold())) for side in (x, y))
        return tuple(map(max, zip(one_side(a, probability, words_a, words_b),
                                  one_side(b, probability.T, words_b, words_a), strict=True)))  # fmt: skip

    def one_side(text: list, probability: np.ndarray, words: set, other_words: set) -> tuple[float, ...]:
        own = own_chars(text)
        if not own.sum() or not probability.size:
            return 0.0, 0.0, 0.0
        weights = own / own.sum()
        value = ordered_chain(probability, weights)[0]
        shuffled = [shuffles.permutation(len(weights)) for _ in range(30)]
        null = np.mean([ordered_chain(probability[p], weights[p])[0] for p in shuffled])
        weight = {w: rarity(w) for w in words}
        contained = sum(v for w, v in weight.items() if w in other_words) / max(sum(weight.values()), 1e-9)
        return value, value - null, contained

    path = args.data / "news-stories-dev" / "newswcl50.jsonl"
    story = {r["id"]: r["story"] for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    reports = load(path)
    if args.leads:
        leads(reports, story, settings, rarity)
    rewrites = load(args.data / "llm-rewrites-dev" / "articles.jsonl")
    with (args.data / "llm-rewrites-dev" / "derived.csv").open(encoding="utf-8") as handle:
        gold = [(r["original"], r["derived"]) for r in csv.DictReader(handle)]
    positive = np.array([pair_strength(rewrites[o], rewrites[d]) if o in rewrites and d in rewrites else 0.0
                         for o, d in gold])  # fmt: skip
    same = sorted(
        pair_strength(reports[x], reports[y])
        for x, y in itertools.combinations(sorted(reports), 2)
        if story[x] == story[y]
    )
    bar = same[-6]  # at most 5 same-event pairs above it
    packaged = settings.classify.reuse_strength
    print(f"{len(same)} same-event pairs; sixth strongest {bar:.4f}, fifth {same[-5]:.4f}; dev rewrite pairs above "
          f"the sixth: {(positive > bar).mean():.3f} of {len(gold)}; at the packaged bar ({packaged}): dev "
          f"{(positive >= packaged).mean():.3f}, same-event {sum(s >= packaged for s in same)}")  # fmt: skip
    if args.chance:
        logits = np.log(np.clip(same, 1e-6, 1 - 1e-6) / (1 - np.clip(same, 1e-6, 1 - 1e-6)))
        mean, spread = logits.mean(), logits.std(ddof=1)
        print(f"logit of the same-event strengths: mean {mean:.3f}, spread {spread:.3f} "
              f"(packaged: {INDEPENDENT_LOGIT_MEAN}, {INDEPENDENT_LOGIT_SPREAD})")  # fmt: skip
        for cut in sorted({0.05, 0.08, 0.1, settings.classify.reuse_strength, 0.15, 0.2, 0.3}):
            fitted = 0.5 * math.erfc((math.log(cut / (1 - cut)) - mean) / spread / math.sqrt(2))
            print(f"  strength {cut:.3f}: {np.mean(np.array(same) >= cut):.2f} of the pairs reach it, "
                  f"the fit says {fitted:.3f}; packaged chance {chance(cut):.3f}")  # fmt: skip
    if args.runs:
        runs = sorted(
            longest_run(reports[x][0], reports[y][0])
            for x, y in itertools.combinations(sorted(reports), 2)
            if story[x] == story[y]
        )
        print(f"longest run of words outside quotations shared by the {len(runs)} same-event pairs: median "
              f"{runs[len(runs) // 2]}, longest {runs[-1]} (packaged LONG_RUN: {LONG_RUN})")  # fmt: skip
    if args.facts:
        kept_dev = [facts_kept(rewrites[o][0].sentences, rewrites[d][0].sentences)
                    for o, d in gold if o in rewrites and d in rewrites]  # fmt: skip
        kept_same = [facts_kept(reports[x][0].sentences, reports[y][0].sentences)
                     for x, y in itertools.combinations(sorted(reports), 2) if story[x] == story[y]]  # fmt: skip
        dev = np.array([k for k in kept_dev if k is not None])
        independent = np.array([k for k in kept_same if k is not None])
        print(f"facts: {len(dev)} of {len(kept_dev)} dev rewrite pairs and {len(independent)} of {len(kept_same)} "
              "same-event pairs have enough facts to judge")  # fmt: skip
        for cut in (0.2, 0.3, 0.4, 0.5, 0.6):
            print(f"  facts kept below {cut:.1f}: dev rewrites {np.mean(dev < cut):.3f}, "
                  f"same-event pairs {np.mean(independent < cut):.3f}")  # fmt: skip
        chosen = max((c / 10 for c in range(1, 10) if len(dev) and np.mean(dev >= c / 10) >= 0.99), default=0.0)
        print(f"  largest tenth that keeps 0.99 of the dev rewrites: {chosen:.1f} "
              f"(packaged: {settings.classify.facts_kept})")  # fmt: skip
    if args.alternatives:
        pos = np.array([alternatives(rewrites[o], rewrites[d]) if o in rewrites and d in rewrites else (0.0,) * 3
                        for o, d in gold])  # fmt: skip
        pairs = [(x, y) for x, y in itertools.combinations(sorted(reports), 2) if story[x] == story[y]]
        neg = np.array([alternatives(reports[x], reports[y]) for x, y in pairs])
        for name, p, n in (
            ("ordered coverage alone (the strength before the order and the words kept)", pos[:, 0], neg[:, 0]),
            ("ordered coverage less its shuffled-order mean", pos[:, 1], neg[:, 1]),
            ("rare-word containment of a text", pos[:, 2], neg[:, 2]),
            ("ordered coverage + containment", pos[:, 0] + pos[:, 2], neg[:, 0] + neg[:, 2]),
        ):
            cut = np.sort(n)[-6]
            print(f"{name}: bar {cut:.3f}; dev rewrite pairs above it: {(p > cut).mean():.3f}")
    return 0


OLD_BAR = 0.119  # the bar of the version whose strength did not depend on the text's length


def longest_run(a: Article, b: Article) -> int:
    """The longest run of words (``align.words_of``) that two articles share outside their quotations, across
    sentences."""
    wa, wb = (words_of(" ".join(unquoted_text(x) for x in side.sentences)) for side in (a, b))
    return int(SequenceMatcher(None, wa, wb, autojunk=False).find_longest_match(0, len(wa), 0, len(wb)).size)


def leads(reports: dict, story: dict[str, str], settings: Settings, rarity: Rarity) -> None:
    """Print the fit of the null model of ``align.calibrated`` and what each bar lets through (``--leads``):
    ``reports``, NewsWCL50's articles with their sentence vectors, and ``story``, the event of each."""
    rows = []  # (effective sentences, raw strength) of each lead against another outlet's report of its event
    for x, y in itertools.permutations(sorted(reports), 2):
        if story[x] != story[y]:
            continue
        (a, va), (b, vb) = reports[x], reports[y]
        probability = same_meaning(va @ vb.T, jaccard_matrix(a.sentences, b.sentences), settings.align)
        for k in range(2, len(a.sentences) + 1):  # texts of two sentences or more
            own = own_chars(a.sentences[:k])
            if own.sum():
                weights = own / own.sum()
                raw = text_strength(a.sentences[:k], b.sentences, probability[:k], weights, rarity)[0]
                rows.append((effective_sentences(weights), raw))
    n, raw = np.array(rows).T
    fitted = raw > 0  # a text with no match at all reaches no bar: left out of the fit (which it would lower)
    logit = np.log(np.clip(raw, 1e-4, 1 - 1e-4) / (1 - np.clip(raw, 1e-4, 1 - 1e-4)))
    x = np.column_stack([np.ones(len(n)), np.log(n)])
    mean = np.linalg.lstsq(x[fitted], logit[fitted], rcond=None)[0]
    deviation = np.sqrt(np.pi / 2) * np.abs(logit[fitted] - x[fitted] @ mean)  # the mean deviation, as a spread
    spread = np.linalg.lstsq(x[fitted], deviation, rcond=None)[0]
    print(f"{len(rows)} leads of {len(reports)} reports against another outlet's report of their event "
          f"({int(fitted.sum())} with a match); logit of the strength: mean {mean[0]:.3f} {mean[1]:+.3f} log(n), "
          f"spread {spread[0]:.3f} {spread[1]:+.3f} log(n) (packaged: {NULL_MEAN}, {NULL_SPREAD}); "
          "n = effective sentences")  # fmt: skip
    bar = settings.classify.reuse_strength
    strength = np.array([min(r, calibrated(r, k)) for k, r in rows])
    for low, high in ((1, 4), (4, 6), (6, 8), (8, 12), (12, 20), (20, 40), (40, 1000)):
        m = (n >= low) & (n < high)
        if m.any():
            fit_mean, fit_spread = null_logit(float(np.exp(np.log(n[m]).mean())))
            print(f"  n {low}-{high}: {m.sum()} leads, logit mean {logit[m & fitted].mean():.2f} (packaged fit "
                  f"{fit_mean:.2f}), spread {logit[m & fitted].std():.2f} ({fit_spread:.2f}); reach the bar "
                  f"{bar}: {np.mean(strength[m] >= bar):.2f}; reached the old bar {OLD_BAR} with their own "
                  f"strength: {np.mean(raw[m] >= OLD_BAR):.2f}")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
