"""Measure quality on every labelled data set, beside the baselines, and write docs/quality.md.

    python bench/quality.py [--data ../shared/data] [--out docs/quality.md] [--only clough mrpc ...]
    python bench/quality.py --fast        # the quality gate's subset: prints the figures, writes nothing
    python bench/quality.py --fast --config FILE    # the same with other settings

Every figure comes from `sourcetrace.evaluation` (the same code as `sourcetrace eval`). The composed collection is built
with bench/collection.py at run time and never committed (it holds sentences of data sets that may not be
redistributed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "docs" / "quality.md"
sys.path.insert(0, str(ROOT / "bench"))

# The gate's subset: under a minute on two cores, large enough that one item more or less moves a figure little.
FAST = {
    "collection": {"n": 1000, "rate": 0.5, "seed": 0},
    "mrpc": {"limit": 2000},
    "pan-paraphrase": {"limit": 2000},
    "ecbplus": {"topics": None},
    "pan13": {"limit": 100},
}
FULL = {
    "collection": {"n": 2000, "rate": 0.25, "seed": 0},
    "mrpc": {"limit": None},
    "pan-paraphrase": {"limit": None},
    "ecbplus": {"topics": None},
    "pan13": {"limit": None},
}
ORDER = ("seeds", "clough", "mrpc", "pan-paraphrase", "ecbplus", "pan13", "collection", "llm-rewrites",
         "independent-reports", "newswcl50-stories", "gva-stories")  # fmt: skip
STORY_FILES = {"newswcl50-stories": "newswcl50.jsonl", "gva-stories": "gva.jsonl"}  # in news-stories-dev


def compose_collection(data: Path, out: Path, n: int, rate: float, seed: int) -> None:
    """Build the planted collection into ``out``; rewrites are grouped by where their paraphrases come from."""
    import collection  # bench/collection.py, on the path as for the other benchmarks

    articles, truth = collection.build_collection(n=n, seed=seed, data_dir=data, rate=rate)
    news = {first for first, _ in collection.load_sources(data).mrpc_positive}
    text_of = {a["id"]: a["text"] for a in articles}
    for pair in truth:
        if pair["relation"] == "rewrite":
            pair["group"] = "news paraphrases" if any(s in text_of[pair["a"]] for s in news) else "book paraphrases"
    out.mkdir(parents=True, exist_ok=True)
    for name, records in (("articles.jsonl", articles), ("truth.jsonl", truth)):
        with (out / name).open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def run(
    names: list[str],
    data: Path,
    sizes: dict,
    settings,
    models,
    baselines: bool = True,
    log: Callable | None = None,
    work: Path | None = None,
) -> dict:
    """Evaluate each named data set; returns name -> (Evaluation, the command that reproduces it).

    ``work`` is where the composed collection is written (default bench/out).
    """
    from sourcetrace.evaluation.collection import evaluate_collection
    from sourcetrace.evaluation.datasets import load_mrpc, load_pan_paraphrase
    from sourcetrace.evaluation.passages import evaluate_clough, evaluate_pan13
    from sourcetrace.evaluation.rewrites import evaluate_independent, evaluate_rewrites
    from sourcetrace.evaluation.runner import spread
    from sourcetrace.evaluation.seeds import evaluate_seeds
    from sourcetrace.evaluation.sentence_pairs import evaluate_sentence_pairs
    from sourcetrace.evaluation.stories import evaluate_ecbplus, evaluate_stories

    sentence_sets = {"mrpc": ("mrpc-train", load_mrpc), "pan-paraphrase": ("pan-paraphrase-train", load_pan_paraphrase)}
    results = {}
    for name in names:
        options = sizes.get(name, {})
        if name == "seeds":
            ev = evaluate_seeds(ROOT / "examples" / "seeds", settings, models, log)
            command = "sourcetrace eval seeds examples/seeds"
        elif name == "clough":
            path = data / "clough-stevenson-short-answers"
            ev = evaluate_clough(path, settings, models, baselines, log)
            command = "sourcetrace eval clough ../shared/data/clough-stevenson-short-answers"
        elif name in sentence_sets:
            folder, loader = sentence_sets[name]
            pairs = spread(loader(data / folder), options["limit"])
            ev = evaluate_sentence_pairs(name, pairs, settings, models, baselines, log)
            limit = f" --limit {options['limit']}" if options["limit"] else ""
            command = f"sourcetrace eval {name} ../shared/data/{folder}{limit}"
        elif name == "ecbplus":
            ev = evaluate_ecbplus(data / "ecbplus-dev", settings, models, baselines, log, options["topics"])
            command = "sourcetrace eval ecbplus ../shared/data/ecbplus-dev"
        elif name == "pan13":
            ev = evaluate_pan13(data / "pan13-verbatim", settings, models, options["limit"], baselines, log)
            limit = f" --limit {options['limit']}" if options["limit"] else ""
            command = f"sourcetrace eval pan13 ../shared/data/pan13-verbatim{limit}"
        elif name == "collection":
            n, rate, seed = options["n"], options["rate"], options["seed"]
            out = (work or ROOT / "bench" / "out") / f"quality-collection-{n}-{rate}-{seed}"
            compose_collection(data, out, n, rate, seed)
            ev = evaluate_collection(out, settings, models, baselines, log)
            shown = f"bench/out/{out.name}"
            command = (
                f"python bench/quality.py --only collection (it composes {shown} with bench/collection.py, "
                f"n={n}, rate={rate}, seed={seed}, then runs: sourcetrace eval collection {shown})"
            )
        elif name == "llm-rewrites":
            ev = evaluate_rewrites(data / "llm-rewrites-dev", settings, models, baselines, log)
            command = "sourcetrace eval llm-rewrites ../shared/data/llm-rewrites-dev"
        elif name == "independent-reports":
            ev = evaluate_independent(data / "news-stories-dev" / "newswcl50.jsonl", settings, models, log)
            command = "sourcetrace eval independent-reports ../shared/data/news-stories-dev/newswcl50.jsonl"
        elif name in STORY_FILES:
            ev = evaluate_stories(data / "news-stories-dev" / STORY_FILES[name], settings, models, baselines, log)
            command = f"sourcetrace eval stories ../shared/data/news-stories-dev/{STORY_FILES[name]}"
        else:
            raise ValueError(f"unknown data set {name}")
        results[name] = (ev, command)
        if log:
            log(f"{name}: {ev.seconds:.0f} s  " + "  ".join(f"{k} {v:.3f}" for k, v in ev.figures.items()))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only", nargs="+", choices=ORDER, help="these data sets only (the report is not written)")
    parser.add_argument("--fast", action="store_true", help="the quality gate's subset, without baselines")
    parser.add_argument("--config", type=Path, help="settings over the packaged ones (the report is not written)")
    args = parser.parse_args(argv)

    from sourcetrace import Models, Settings

    settings = Settings.load(args.config)
    models = Models.load(settings)
    names = list(args.only or ORDER)
    started = time.perf_counter()
    results = run(names, args.data, FAST if args.fast else FULL, settings, models, baselines=not args.fast,
                  log=lambda line: print(line, file=sys.stderr, flush=True))  # fmt: skip
    elapsed = time.perf_counter() - started
    figures = {name: ev.figures for name, (ev, _) in results.items()}
    print(json.dumps(figures, indent=2))
    print(f"{elapsed:.0f} s", file=sys.stderr)
    if args.fast or args.only or args.config:
        return 0
    write_report(args.out, render(results, elapsed))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


BEGIN, END = "<!-- generated by bench/quality.py: begin -->", "<!-- generated by bench/quality.py: end -->"
TITLES = {
    "seeds": "Seeds",
    "clough": "Clough & Stevenson short answers",
    "mrpc": "MRPC, training split",
    "pan-paraphrase": "PAN sentence paraphrases, training split",
    "ecbplus": "ECB+ odd topics: stories",
    "pan13": "PAN 2013 text alignment: verbatim subset",
    "collection": "Composed collection: rewrites from real paraphrases among unrelated articles",
    "llm-rewrites": "Language-model rewrites of real news (llm-rewrites-dev)",
    "independent-reports": "Independent reports of one event (NewsWCL50)",
    "newswcl50-stories": "NewsWCL50: stories",
    "gva-stories": "Gun Violence Archive news: stories",
}
# (data set, figure, goal, what it means)
TARGETS = (
    ("seeds", "checks_passed", 1.0, "seeds: share of expectations met"),
    ("clough", "accuracy", 0.97, "Clough & Stevenson: binary accuracy"),
    ("clough", "source_right", 1.0, "Clough & Stevenson: source named right, among detected answers"),
    ("mrpc", "accuracy", 0.76, "MRPC: accuracy (no setting chosen on these data)"),
    ("pan-paraphrase", "accuracy", 0.91, "PAN paraphrases: accuracy (no setting chosen on these data)"),
    ("ecbplus", "bcubed_f1", 0.90, "ECB+: story B-cubed F1"),
    ("gva-stories", "bcubed_f1", 0.90, "GVA news: story B-cubed F1"),
    ("newswcl50-stories", "bcubed_f1", 0.95, "NewsWCL50: story B-cubed F1"),
    ("collection", "recall_rewrite", 0.95, "composed collection: rewrite pairs found"),
    ("collection", "precision_rewrite", 0.95, "composed collection: pairs reported as rewrite that are planted"),
    ("pan13", "pair_recall", 0.98, "PAN 2013 verbatim: pairs found"),
    ("llm-rewrites", "found", 0.95, "language-model rewrites: pairs found as copy, rewrite or excerpt"),
    ("llm-rewrites", "as_rewrite", 0.80, "language-model rewrites: pairs found as rewrite"),
    ("independent-reports", "clear_share", 0.95, "independent reports: same-event pairs not called reuse"),
)


def render(results: dict, elapsed: float) -> str:
    """The generated part of docs/quality.md: goals against figures, then each data set's tables and command."""
    from sourcetrace.evaluation import evaluation_markdown

    lines = [
        BEGIN,
        "",
        f"Measured {dt.date.today().isoformat()} by `python bench/quality.py` (all data sets in one run: "
        f"{elapsed / 60:.0f} min on {os.cpu_count()} cores, Python {platform.python_version()}).",
        "",
        "## Goals",
        "",
        "| goal | measured | met |",
        "|---|---:|---|",
    ]
    for name, key, goal, label in TARGETS:
        if name in results:
            value = results[name][0].figures.get(key)
            shown = "—" if value is None else f"{value:.3f}"
            met = "—" if value is None else ("yes" if value >= goal else "no")
            lines.append(f"| {label} ≥ {goal:.2f} | {shown} | {met} |")
    lines.append("")
    for name in ORDER:
        if name not in results:
            continue
        ev, command = results[name]
        lines += [f"## {TITLES[name]}", "", f"{ev.description}. Reproduce: `{command}`", ""]
        lines.append(evaluation_markdown(ev))
    lines.append(END)
    return "\n".join(lines).rstrip() + "\n"


def write_report(path: Path, generated: str) -> None:
    """Replace the generated part of the report, keeping the hand-written text around it."""
    text = path.read_text(encoding="utf-8") if path.exists() else f"# Quality\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{path} lacks the markers {BEGIN} ... {END}")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    path.write_text(head + generated.rstrip("\n") + tail, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
