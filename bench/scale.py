"""Scale: sourcetrace (local and on Spark) against the usual tools, on 10,000 and 100,000 synthetic articles.

For each size, one collection (bench/collection.py: real sentences, planted copies, rewrites, excerpts, shared
quotations and hard negatives) and, on that same data in the same run, each engine in a fresh process:

* ``local``     ``sourcetrace scan``;
* ``spark``     ``sourcetrace spark-scan --master local[2]`` (JVM start-up included);
* ``minhash``   datasketch MinHashLSH over word 5-shingles, 128 permutations, Jaccard threshold 0.5, the usual
  near-duplicate set-up, pairs kept when their estimated Jaccard reaches the threshold;
* ``embedding`` document-embedding nearest neighbours the sentence-transformers way, with the same MiniLM encoder:
  one vector per article (its first 128 tokens, the encoder's limit), each article's 10 nearest, kept at
  cosine >= 0.9.

Each run reports wall seconds, articles/s, peak memory (proportional set size of the whole process tree, so a
JVM and its Python workers count once each), and per planted kind: recall, and for sourcetrace the share found
with the right relation; precision is the share of reported pairs that are planted related pairs; rewrite precision the
share of pairs reported as rewrites that are planted rewrites.

    python bench/scale.py [--sizes 10000 100000] [--engines local spark minhash embedding] [--runs 1]
                          [--plot docs/scale.svg] [--memory-cap-gb 16]

Results go to bench/out/scale.json (one record per run, appended) and a Markdown table on stdout. The planting
rate is 5 % of the articles up to 10,000 and 1,000 articles above that (the paraphrase corpora run out).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "bench"))


ENGINES = ("local", "spark", "minhash", "embedding")
RELATED = ("copy", "rewrite", "excerpt", "shared-quotes")
MINHASH_THRESHOLD, MINHASH_PERM, SHINGLE = 0.5, 128, 5
NEIGHBOURS, EMBEDDING_COSINE = 10, 0.9


def rate_for(n: int) -> float:
    return 0.05 if n <= 10_000 else 1000 / n


def ensure_collection(n: int, seed: int, rate: float, data: Path, rebuild: bool) -> Path:
    """The collection for one size, built once by bench/collection.py (again with ``rebuild``)."""
    out = OUT / "scale" / f"collection-{n}-{seed}-{rate:g}"
    if rebuild or not (out / "truth.jsonl").exists():
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "collection.py"), "--n", str(n), "--seed", str(seed),
             "--rate", str(rate), "--data", str(data), "--out", str(out)],
            check=True,
        )  # fmt: skip
    return out


# ---------------------------------------------------------------------------------------------------------------
# Measuring a child process tree


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def _pss_mb(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total / 1024


def run_measured(command: list[str], cap_mb: float, log: Path) -> tuple[float, float, int]:
    """Wall seconds, peak memory (MB, summed PSS of the process tree) and exit code; killed above ``cap_mb``."""
    peak = 0.0
    with log.open("w") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.wait(0.5):
                peak = max(peak, _pss_mb(_tree(child.pid)))
                if peak > cap_mb:
                    os.killpg(child.pid, signal.SIGKILL)
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = child.wait()
        wall = time.perf_counter() - start
        stop.set()
        sampler.join()
    return wall, peak, code


# ---------------------------------------------------------------------------------------------------------------
# Engines: each writes pairs.jsonl ({"a", "b", "relation" or null, "source" or null}) in its work folder


def command_for(engine: str, collection: Path, work: Path) -> list[str]:
    articles = str(collection / "articles.jsonl")
    if engine == "local":
        return [sys.executable, "-m", "sourcetrace.cli", "scan", articles, "--format", "json", "-o",
                str(work / "report.json"), "--timings"]  # fmt: skip
    if engine == "spark":
        return [sys.executable, "-m", "sourcetrace.cli", "spark-scan", articles, str(work / "spark"),
                "--master", "local[2]", "--overwrite"]  # fmt: skip
    return [sys.executable, __file__, "--baseline", engine, "--collection", str(collection), "--work", str(work)]


def pairs_of(engine: str, work: Path) -> list[dict]:
    if engine == "local":
        report = json.loads((work / "report.json").read_text())
        return [{k: p[k] for k in ("a", "b", "relation", "source")} for p in report["pairs"]]
    if engine == "spark":
        from sourcetrace.spark import session

        spark = session("local[1]")
        spark.sparkContext.setLogLevel("ERROR")
        rows = spark.read.parquet(str(work / "spark" / "pairs")).select("a", "b", "relation", "source").collect()
        spark.stop()
        return [r.asDict() for r in rows]
    return [json.loads(line) for line in (work / "pairs.jsonl").read_text().splitlines()]


def _write_pairs(work: Path, pairs: set[tuple[str, str]]) -> None:
    with (work / "pairs.jsonl").open("w") as out:
        for a, b in sorted(pairs):
            out.write(json.dumps({"a": a, "b": b, "relation": None, "source": None}) + "\n")


def _articles(collection: Path) -> list[dict]:
    with (collection / "articles.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def baseline_minhash(collection: Path, work: Path) -> None:
    import re

    from datasketch import MinHash, MinHashLSH

    word = re.compile(r"\w+")
    articles = _articles(collection)
    lsh = MinHashLSH(threshold=MINHASH_THRESHOLD, num_perm=MINHASH_PERM)
    signatures = {}
    for article in articles:
        words = word.findall(article["text"].casefold())
        shingles = {" ".join(words[i : i + SHINGLE]).encode() for i in range(max(1, len(words) - SHINGLE + 1))}
        m = MinHash(num_perm=MINHASH_PERM, seed=1)
        m.update_batch(list(shingles))
        signatures[article["id"]] = m
        lsh.insert(article["id"], m)
    pairs = set()
    for ident, m in signatures.items():
        for other in lsh.query(m):
            if other != ident and m.jaccard(signatures[other]) >= MINHASH_THRESHOLD:
                pairs.add(tuple(sorted((ident, other))))
    _write_pairs(work, pairs)


def baseline_embedding(collection: Path, work: Path) -> None:
    import numpy as np

    from sourcetrace.encoder import SentenceEncoder
    from sourcetrace.settings import Settings

    articles = _articles(collection)
    encoder = SentenceEncoder.load(Settings.load().model_dir)
    vectors = np.concatenate(
        [encoder.encode([a["text"] for a in articles[k : k + 1024]]) for k in range(0, len(articles), 1024)]
    )
    ids = [a["id"] for a in articles]
    pairs = set()
    for start in range(0, len(ids), 1024):
        sims = vectors[start : start + 1024] @ vectors.T
        rows = np.arange(start, min(start + 1024, len(ids)))
        sims[rows - start, rows] = -1.0
        top = np.argpartition(-sims, NEIGHBOURS, axis=1)[:, :NEIGHBOURS]
        for r, row in enumerate(top):
            for c in row:
                if sims[r, c] >= EMBEDDING_COSINE:
                    pairs.add(tuple(sorted((ids[start + r], ids[c]))))
    _write_pairs(work, pairs)


# ---------------------------------------------------------------------------------------------------------------
# Scoring


def score(pairs: list[dict], truth: list[dict]) -> dict:
    """Per planted kind: found (any relation), right (same relation); overall precision and the hard negatives."""
    found = {frozenset((p["a"], p["b"])): p for p in pairs}
    related = {frozenset((t["a"], t["b"])) for t in truth if t["relation"] in RELATED}
    out: dict = {}
    for kind in (*RELATED, "none"):
        planted = [t for t in truth if t["relation"] == kind]
        hits = [found.get(frozenset((t["a"], t["b"]))) for t in planted]
        c = {"planted": len(planted), "found": sum(h is not None for h in hits)}
        if kind != "none":
            c["right relation"] = sum(h is not None and h["relation"] == kind for h in hits)
            c["right source"] = sum(
                h is not None and h["source"] == t["source"] for h, t in zip(hits, planted, strict=True)
            )
            labelled = [p for p in pairs if p["relation"] == kind]
            c["labelled"] = len(labelled)
            c["labelled correctly"] = sum(
                frozenset((p["a"], p["b"])) in {frozenset((t["a"], t["b"])) for t in planted} for p in labelled
            )
        out[kind] = c
    out["all"] = {
        "reported": len(found),
        "planted related found": len(set(found) & related),
        "precision": round(len(set(found) & related) / max(len(found), 1), 4),
        "recall": round(len(set(found) & related) / max(len(related), 1), 4),
    }
    return out


# ---------------------------------------------------------------------------------------------------------------
# Report


def table(records: list[dict]) -> str:
    lines = [
        "| articles | engine | seconds | articles/s | peak memory | copy | rewrite | excerpt | shared quotes "
        "| hard negatives reported | precision | rewrite precision |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in records:
        if r.get("failed"):
            lines.append(f"| {r['n']:,} | {r['engine']} | {r['failed']} | | | | | | | | | |")
            continue
        s = r["score"]
        kinds = []
        for kind in RELATED:
            c = s[kind]
            cell = f"{c['found'] / max(c['planted'], 1):.2f}"
            if r["engine"] in ("local", "spark"):
                cell += f" ({c['right relation'] / max(c['planted'], 1):.2f})"
            kinds.append(cell)
        rewrites = s["rewrite"]
        labelled = rewrites["labelled"] and f"{rewrites['labelled correctly'] / rewrites['labelled']:.2f}"
        lines.append(
            f"| {r['n']:,} | {r['engine']} | {r['seconds']:.0f} | {r['n'] / r['seconds']:.0f} | "
            f"{r['peak_mb'] / 1024:.1f} GB | {' | '.join(kinds)} | {s['none']['found']}/{s['none']['planted']} | "
            f"{s['all']['precision']:.2f} | {labelled or ''} |"
        )
    return "\n".join(lines)


def plot(records: list[dict], target: Path) -> None:
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    for engine in ENGINES:
        done = sorted((r["n"], r["seconds"], r["peak_mb"] / 1024) for r in records if r["engine"] == engine
                      and not r.get("failed"))  # fmt: skip
        if done:
            left.plot([d[0] for d in done], [d[1] for d in done], marker="o", label=engine)
            right.plot([d[0] for d in done], [d[2] for d in done], marker="o", label=engine)
    for axis, label in ((left, "seconds, end to end"), (right, "peak memory, GB")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("articles")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
    left.legend()
    fig.tight_layout()
    fig.savefig(target, format="svg", metadata={"Date": None})


# ---------------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--runs", type=int, default=1, help="runs per engine and size; the median is reported")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--memory-cap-gb", type=float, default=16.0, help="kill a run whose memory passes this")
    parser.add_argument("--plot", type=Path, help="write time and memory against size here (SVG)")
    parser.add_argument("--from-results", action="store_true", help="only print and plot bench/out/scale.json")
    parser.add_argument("--rebuild", action="store_true", help="build the collections again")
    parser.add_argument("--baseline", choices=("minhash", "embedding"), help=argparse.SUPPRESS)
    parser.add_argument("--collection", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:  # a child run of one baseline
        (baseline_minhash if args.baseline == "minhash" else baseline_embedding)(args.collection, args.work)
        return
    results = OUT / "scale.json"
    records = json.loads(results.read_text()) if results.exists() else []
    if not args.from_results:
        for n in args.sizes:
            rate = rate_for(n)
            collection = ensure_collection(n, args.seed, rate, args.data, args.rebuild)
            truth = [json.loads(line) for line in (collection / "truth.jsonl").read_text().splitlines()]
            print(f"{n} articles, {Counter(t['relation'] for t in truth)}", file=sys.stderr)
            for engine in args.engines:
                work = OUT / "scale" / f"{n}-{engine}"
                work.mkdir(parents=True, exist_ok=True)
                runs = []
                for _ in range(args.runs):
                    wall, peak, code = run_measured(
                        command_for(engine, collection, work), args.memory_cap_gb * 1024, work / "log.txt"
                    )
                    runs.append((wall, peak, code))
                    print(f"  {engine}: {wall:.0f} s, {peak / 1024:.1f} GB, exit {code}", file=sys.stderr)
                record = {"n": n, "rate": rate, "engine": engine, "runs": runs, "when": time.strftime("%Y-%m-%d")}
                if any(code != 0 for _, _, code in runs):
                    capped = any(peak > args.memory_cap_gb * 1024 for _, peak, _ in runs)
                    record["failed"] = f"over {args.memory_cap_gb:.0f} GB" if capped else "failed (see log)"
                else:
                    record["seconds"] = statistics.median(w for w, _, _ in runs)
                    record["peak_mb"] = max(p for _, p, _ in runs)
                    record["score"] = score(pairs_of(engine, work), truth)
                records = [r for r in records if (r["n"], r["engine"]) != (n, engine)] + [record]
                results.write_text(json.dumps(records, indent=1) + "\n")
    records.sort(key=lambda r: (r["n"], ENGINES.index(r["engine"])))
    print(table(records))
    if args.plot:
        plot(records, args.plot)


if __name__ == "__main__":
    main()
