"""Encoder benchmark: load time, sentences/s of both encoders, and how well static cosine tracks the transformer's.

Run after `make model`: `python bench/encoder_speed.py [--model-dir DIR] [--threads N]`.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from pathlib import Path

import numpy as np

from sourcetrace.encoder import SentenceEncoder, StaticEncoder
from sourcetrace.settings import default_model_dir

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"
# naive splitting is enough for a benchmark: after . ! ? or a closing quote, before whitespace
SENTENCE_END = re.compile(r"(?<=[.!?\u201d\"])\s+")


def seed_sentences(path: Path) -> list[str]:
    """Sentences of one seed article, naively split, keeping those of four words or more."""
    lines = path.read_text("utf-8").splitlines()
    return [s for line in lines for s in SENTENCE_END.split(line.strip()) if len(s.split()) >= 4]


def rate(encode, texts: list[str], runs: int = 5) -> float:
    """Median sentences per second over ``runs`` timed calls, after one warm-up call."""
    encode(texts[:64])
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        encode(texts)
        times.append(time.perf_counter() - start)
    return len(texts) / statistics.median(times)


def ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks, ties shared (for Spearman's rho without scipy)."""
    order = np.argsort(values, kind="stable")
    sorted_vals = values[order]
    out = np.empty(len(values))
    start = 0
    while start < len(values):
        end = start
        while end + 1 < len(values) and sorted_vals[end + 1] == sorted_vals[start]:
            end += 1
        out[order[start : end + 1]] = (start + end) / 2
        start = end + 1
    return out


def agreement(sentence: SentenceEncoder, static: StaticEncoder, a: list[str], b: list[str]) -> None:
    """Spearman of static vs transformer cosine over all pairs, and top-3 recall of each best transformer partner."""
    trans = sentence.encode(a) @ sentence.encode(b).T
    stat = static.encode(a) @ static.encode(b).T
    rho = np.corrcoef(ranks(trans.ravel()), ranks(stat.ravel()))[0, 1]
    best = trans.argmax(axis=1)
    top3 = np.argsort(-stat, axis=1)[:, :3]
    hits = np.array([best[i] in top3[i] for i in range(len(a))])
    strong = trans.max(axis=1) >= 0.70
    print(f"  {len(a)} x {len(b)} = {trans.size} pairs: Spearman(static, transformer) = {rho:.3f}")
    print(f"  best transformer partner in static top-3: {hits.sum()}/{len(a)}", end="")
    print(f"  (partners at cosine >= 0.70: {hits[strong].sum()}/{strong.sum()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=default_model_dir())
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    start = time.perf_counter()
    sentence = SentenceEncoder.load(args.model_dir, args.threads)
    loaded_sentence = time.perf_counter() - start
    start = time.perf_counter()
    static = StaticEncoder.load(args.model_dir)
    loaded_static = time.perf_counter() - start
    print(f"load: transformer {loaded_sentence:.2f} s, static {loaded_static:.2f} s (first load in this process)")

    per_file = [seed_sentences(p) for p in sorted(SEEDS.glob("*.txt"))]
    pool = [s for sents in per_file for s in sents]
    texts = (pool * (2000 // len(pool) + 1))[:2000]
    mean_tokens = statistics.mean(len(s.split()) for s in pool)
    print(f"{len(texts)} seed sentences ({len(pool)} distinct, {mean_tokens:.0f} words on average)")
    print(f"  transformer (int8 ONNX): {rate(sentence.encode, texts):8.0f} sentences/s (median of 5)")
    print(f"  static table:            {rate(static.encode, texts):8.0f} sentences/s (median of 5)")

    print("static vs transformer on seed 000 x seed 001:")
    agreement(sentence, static, per_file[0], per_file[1])


if __name__ == "__main__":
    main()
