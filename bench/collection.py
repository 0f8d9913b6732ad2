"""Build a synthetic news collection with planted reuse pairs, for benchmarks.

Every sentence is real: background articles are assembled from newswire, news and web-page sentences, rewrites from
real paraphrase pairs, hard negatives from same-event sentence pairs that are not paraphrases. A background sentence
goes into one article only, and none repeats twelve words in a row of another, so two articles share text exactly
when truth.jsonl says so (unless the collection is larger than the sentence pool allows; the build then warns and
says by how much). The output is written at benchmark time and never committed, because some of the source data may
be used for evaluation only.

    python bench/collection.py --n 10000 --seed 0 --out DIR [--data DIR] [--rate 0.05]

writes DIR/articles.jsonl ({"id", "text", "published"} per line) and DIR/truth.jsonl ({"a", "b", "relation",
"source"} per planted pair; relation is copy, rewrite, excerpt, shared-quotes, or none for a hard negative).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import html
import itertools
import json
import random
import re
import sys
import time
import warnings
from collections import Counter, defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("copy", "rewrite", "excerpt", "shared-quotes", "none")
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEFAULT_RATE = 0.05

MIN_SENTENCES, MAX_SENTENCES = 25, 35
FEWEST_SENTENCES = 25  # news length: background articles shrink to this before a sentence goes into two of them
MIN_WORDS, MAX_WORDS = 600, 900
PAIRS_PER_REWRITE = (20, 30)
MIN_PAIRS_PER_REWRITE = 12  # below this a sentence-pair article is too short to stand for an article
YEAR_START = dt.date(2023, 1, 1)

NEWS_SOURCES = ("minhash-toy", "ecbplus")
WEB_SOURCE = "pan13-src"
PAIR_SOURCES = ("mrpc", "pan-paraphrase")

Draft = list[list[str]]  # paragraphs of sentences

# Naive splitting is enough here: this builds test data, it is not the product's segmenter.
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"(])|(?<=[.!?][\"'])\s+(?=[A-Z\"(])")
_ABBREVIATION_END = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Adm|Rev|Prof|Jr|Sr|Mt|Ft|No|Jan|Feb|Aug"
    r"|Sept|Sep|Oct|Nov|Dec|Calif|Ariz|Colo|Conn|Fla|Ga|Ill|Ind|Kan|Ky|La|Md|Mass|Mich|Minn|Miss|Mo|Neb|Nev"
    r"|Okla|Ore|Pa|Tenn|Tex|Va|Wash|Wis|vs))\.$"
)
# The toy set cuts long leads off mid-sentence and runs the next lead on: "... millions of people are Two car bombs".
_SPLICED_LEAD = re.compile(
    r"\b(?:the|a|an|of|to|in|on|at|for|and|are|is|was|were|be|by|with|from|that|their|his|her|its|as)"
    r" (?:The|A|An|He|She|It|They|We|This|These|Two|Three|Four|Five|Six|Police|Officials) "
)
# Spacing left by detokenised text ("about 1. 915 billion", "Co. , Ltd") or by pages that lost their line breaks
# ("the skin.The organs"): a segmenter splits such a sentence in two, or fails to split two.
_ARTEFACT = re.compile(r"\d\. \d| (?!\.\.\.)[,.;:!?)\]]|[(\[] |(?<=[a-z]{2})[.!?][A-Z]")
_QUOTATION = re.compile(r"[\"'“”‘’«»]\W|\W[\"'“”‘’«»]")
_INNER_END = re.compile(r"[.!?;:]\S*\s+\S")
_SENTENCE_END = re.compile(r"[.!?][\"')]?$")
_WORD = re.compile(r"\w+")

_BOILERPLATE = (
    "Copyright 2023 Metro Wire Service. All rights reserved.",
    "This article was updated with additional reporting.",
    "Subscribe to our newsletter for the day's top headlines.",
    "Additional reporting by wire services.",
    "Follow us for the latest breaking news and analysis.",
    "This story has been corrected to fix a typographical error.",
)
# fmt: off
_WORD_SWAPS = {
    "said": "stated", "says": "states", "told": "informed", "about": "around", "big": "large", "large": "big",
    "also": "further", "after": "following", "help": "assist", "start": "begin", "began": "started",
    "people": "residents", "but": "yet", "showed": "indicated", "buy": "purchase", "near": "close to",
    "government": "administration", "killed": "left dead", "officials": "authorities", "major": "key",
}
_FIRST_NAMES = (
    "Maria", "James", "Aisha", "Daniel", "Elena", "Thomas", "Priya", "Samuel", "Laura", "Omar",
    "Hannah", "Victor", "Grace", "Martin", "Sofia", "Peter", "Nadia", "Robert", "Julia", "Karim",
)
_LAST_NAMES = (
    "Alvarez", "Bennett", "Chen", "Dubois", "Evans", "Fischer", "Gupta", "Hansen", "Ito", "Jensen",
    "Kowalski", "Lopez", "Moreau", "Novak", "Okafor", "Petrov", "Quinn", "Rossi", "Silva", "Tanaka",
)
# Capitalised only because they open a sentence; safe to lower-case when two sentences are merged.
_LOWERABLE = {
    "the", "a", "an", "he", "she", "it", "they", "we", "this", "that", "these", "those", "his", "her", "their",
    "its", "in", "on", "at", "but", "and", "there", "some", "many", "most", "other", "one", "two", "three",
}
# fmt: on


@dataclass(frozen=True)
class Sources:
    """Sentence material read from the data folder, independent of seed and size."""

    docs: tuple[tuple[str, tuple[str, ...]], ...]  # (source, sentences in order), news before web pages
    mrpc_positive: tuple[tuple[str, str], ...]
    mrpc_negative: tuple[tuple[str, str], ...]
    pan_positive: tuple[tuple[str, str], ...]
    pan_negative: tuple[tuple[str, str], ...]


@dataclass
class BuildStats:
    """Figures about one build, for the summary printed by the command line."""

    pairs: Counter[str] = field(default_factory=Counter)
    rewrite_corpus: Counter[str] = field(default_factory=Counter)
    pool: Counter[str] = field(default_factory=Counter)  # background sentences by source, after deduplication
    background_articles: int = 0
    fresh_articles: int = 0  # made only of sentences that no other article carries
    background_sentences: int = 0
    background_words: int = 0
    missing_sentences: int = 0  # how many more the pool would need for every background article to be fresh


# --- reading the sources -------------------------------------------------------------------------------------------


def _tidy(sentence: str) -> str:
    """Normalise entities, TeX-style quotes and whitespace."""
    return " ".join(html.unescape(sentence).replace("``", '"').replace("''", '"').split())


def _key(sentence: str) -> str:
    return " ".join(_WORD.findall(sentence.lower()))


def split_sentences(text: str) -> list[str]:
    """Split running text into sentences, re-joining breaks after initials and abbreviations; line breaks are spaces."""
    out: list[str] = []
    for part in _SPLIT.split(_tidy(text)):
        # The tail is enough (no abbreviation is ten characters long) and much faster to search.
        if out and _ABBREVIATION_END.search(out[-1][-10:]):
            out[-1] += " " + part
        else:
            out.append(part)
    return out


def _usable(sentence: str, min_words: int = 6) -> bool:
    """A complete, news-like sentence: no fragments, headlines, URLs, unbalanced quotes or spacing artefacts."""
    words = sentence.split()
    return (
        min_words <= len(words) <= 60
        and bool(_SENTENCE_END.search(sentence[-3:]))
        and (sentence[0].isupper() or sentence[0] == '"')
        and sentence.count('"') % 2 == 0
        and not sentence.isupper()
        and "http" not in sentence
        and "www." not in sentence
        and ".com" not in sentence
        and not _ARTEFACT.search(sentence)
    )


def _finished(sentence: str) -> str:
    """A paraphrase-corpus sentence with final punctuation, so it splits cleanly inside an article."""
    sentence = _tidy(sentence)
    return sentence if _SENTENCE_END.search(sentence) else sentence + "."


def _minhash_docs(folder: Path) -> list[tuple[str, ...]]:
    """Toy newswire documents, minus those the truth files list as planted near-duplicates."""
    planted = {doc_id for path in folder.glob("articles_*.truth") for doc_id in path.read_text().split()}
    texts: dict[str, str] = {}
    # The smaller files are subsets of the largest; reading all of them costs little and assumes nothing.
    for path in sorted(folder.glob("articles_*.train")):
        for line in path.read_text(encoding="utf-8").splitlines():
            doc_id, _, text = line.partition(" ")
            if doc_id not in planted:
                texts.setdefault(doc_id, text)
    return [
        tuple(s for s in split_sentences(text) if _usable(s) and not _SPLICED_LEAD.search(s)) for text in texts.values()
    ]


def _ecb_docs(folder: Path) -> list[tuple[str, ...]]:
    """ECB+ news articles; scraped URL, title and date lines fail the usability test."""
    docs = []
    for path in sorted(folder.glob("*.txt")):
        # Mostly one sentence per line, but not always.
        sentences = (s for line in path.read_text(encoding="utf-8").splitlines() for s in split_sentences(line))
        docs.append(tuple(s for s in sentences if s and _usable(s)))
    return docs


def _web_docs(folder: Path) -> list[tuple[str, ...]]:
    """The web pages PAN 2013 plagiarism cases copy from; never the suspicious documents, which hold the copies."""
    docs = []
    for path in sorted(folder.glob("source-document*.txt")):
        # Lines are re-wrapped mid-sentence, and the first "sentence" runs the page title into the text.
        sentences = split_sentences(path.read_text(encoding="utf-8", errors="replace"))[1:]
        docs.append(tuple(s for s in sentences if _usable(s, min_words=8)))
    return docs


def _mrpc(path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    positive: list[tuple[str, str]] = []
    negative: list[tuple[str, str]] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        for quality, _, _, first, second in rows:
            (positive if quality == "1" else negative).append((_finished(first), _finished(second)))
    return positive, negative


def _pan(folder: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    firsts = (folder / "pan-train_s1.txt").read_text(encoding="utf-8").splitlines()
    seconds = (folder / "pan-train_s2.txt").read_text(encoding="utf-8").splitlines()
    labels = (folder / "pan-train.labels").read_text(encoding="utf-8").split()
    positive: list[tuple[str, str]] = []
    negative: list[tuple[str, str]] = []
    for first, second, label in zip(firsts, seconds, labels, strict=False):
        if first.strip() and second.strip():
            (positive if label == "1" else negative).append((_finished(first), _finished(second)))
    return positive, negative


@functools.lru_cache(maxsize=4)
def load_sources(data_dir: Path) -> Sources:
    """Read every sentence source once; cached because only the seed-dependent assembly differs between builds."""
    data_dir = Path(data_dir)
    missing = [
        name
        for name in ("minhash-toy", "ecbplus-dev/docs", "pan13-verbatim/src", "mrpc-train", "pan-paraphrase-train")
        if not (data_dir / name).is_dir()
    ]
    if missing:
        raise FileNotFoundError(f"{data_dir} lacks {', '.join(missing)}; pass the data folder with --data")
    mrpc_positive, mrpc_negative = _mrpc(data_dir / "mrpc-train" / "msr_paraphrase_train.txt")
    pan_positive, pan_negative = _pan(data_dir / "pan-paraphrase-train")
    docs = (
        [("minhash-toy", doc) for doc in _minhash_docs(data_dir / "minhash-toy")]
        + [("ecbplus", doc) for doc in _ecb_docs(data_dir / "ecbplus-dev" / "docs")]
        + [(WEB_SOURCE, doc) for doc in _web_docs(data_dir / "pan13-verbatim" / "src")]
    )
    return Sources(
        docs=tuple((source, doc) for source, doc in docs if doc),
        mrpc_positive=tuple(mrpc_positive),
        mrpc_negative=tuple(mrpc_negative),
        pan_positive=tuple(pan_positive),
        pan_negative=tuple(pan_negative),
    )


# --- the background pool ---------------------------------------------------------------------------------------


def _shingles(key: str) -> tuple[int, ...]:
    """The sentence's 5-word shingles, hashed: only compared within one process."""
    words = key.split()
    return tuple({hash(tuple(words[i : i + 5])) for i in range(max(1, len(words) - 4))})


def _runs(key: str) -> set[int]:
    """The sentence's runs of :data:`RUN` words, hashed: only compared within one process."""
    words = key.split()
    return {hash(tuple(words[i : i + RUN])) for i in range(len(words) - RUN + 1)}


RUN = 12  # words in a row that make a sentence a repeat of an earlier one, however long either is


class _SeenText:
    """Remembers sentences to turn away exact and near repeats: half their 5-word shingles in one earlier sentence,
    or :data:`RUN` words in a row of one (the newswire holds a sentence glued to the next one, beside it alone)."""

    def __init__(self) -> None:
        self._keys: set[str] = set()
        self._shingle_owner: dict[int, int] = {}
        self._runs: set[int] = set()

    def is_new(self, key: str, shingles: tuple[int, ...]) -> bool:
        if key in self._keys or not self._runs.isdisjoint(_runs(key)):
            return False
        owner = self._shingle_owner
        hits = [owner[s] for s in shingles if s in owner]
        return not hits or max(Counter(hits).values()) * 2 < len(shingles)

    def add(self, key: str, shingles: tuple[int, ...]) -> bool:
        """Remember the sentence; False when it duplicates one seen before."""
        if not self.is_new(key, shingles):
            return False
        self._keys.add(key)
        self._runs |= _runs(key)
        owner = len(self._keys)
        for shingle in shingles:
            self._shingle_owner.setdefault(shingle, owner)
        return True


@dataclass(frozen=True)
class _Material:
    """Every usable background sentence once, near repeats removed; the same for every seed and size."""

    sentences: tuple[str, ...]
    keys: tuple[str, ...]
    shingles: tuple[tuple[int, ...], ...]
    sources: tuple[str, ...]  # where each sentence comes from
    docs: tuple[tuple[int, ...], ...]  # news documents, then web pages: their sentence numbers in order
    paired: tuple[int, ...]  # sentences of the paraphrase corpora, those of paraphrase pairs first
    partners: dict[str, frozenset[str]]  # paraphrases of each paraphrase-corpus sentence, by key


@functools.lru_cache(maxsize=4)
def _material(data_dir: Path) -> _Material:
    """Deduplicate every source once; a build then only drops what echoes its planted sentences."""
    sources = load_sources(data_dir)
    seen = _SeenText()
    sentences: list[str] = []
    keys: list[str] = []
    shingles: list[tuple[int, ...]] = []
    origin: list[str] = []

    def keep(sentence: str, key: str, shingled: tuple[int, ...], source: str) -> int:
        sentences.append(sentence)
        keys.append(key)
        shingles.append(shingled)
        origin.append(source)
        return len(sentences) - 1

    docs: list[tuple[int, ...]] = []
    for source, doc in sources.docs:
        keyed = [(s, key, _shingles(key)) for s in doc for key in (_key(s),)]
        repeats = sum(not seen.is_new(key, shingled) for _, key, shingled in keyed)
        # A document repeating several known sentences is a reprint of a story already in the pool.
        if repeats >= 2 and repeats * 10 >= len(doc) * 3:
            continue
        kept = tuple(keep(*entry, source) for entry in keyed if seen.add(*entry[1:]))
        if kept:
            docs.append(kept)
    paired: list[int] = []
    partners: defaultdict[str, set[str]] = defaultdict(set)
    for source, pairs, positive in (
        ("mrpc", sources.mrpc_positive, True),
        ("pan-paraphrase", sources.pan_positive, True),
        ("mrpc", sources.mrpc_negative, False),
        ("pan-paraphrase", sources.pan_negative, False),
    ):
        for pair in pairs:
            keyed = [(s, key, _shingles(key)) for s in pair for key in (_key(s),)]
            if positive:
                partners[keyed[0][1]].add(keyed[1][1])
                partners[keyed[1][1]].add(keyed[0][1])
                # A side repeating a kept sentence makes the other side its paraphrase, which no key links to it.
                if not all(seen.is_new(key, shingled) for _, key, shingled in keyed):
                    continue
            for sentence, key, shingled in keyed:
                # Some lines hold two sentences; an article needs them whole and one at a time.
                if _usable(sentence) and len(split_sentences(sentence)) == 1 and seen.add(key, shingled):
                    paired.append(keep(sentence, key, shingled, source))
    return _Material(
        sentences=tuple(sentences),
        keys=tuple(keys),
        shingles=tuple(shingles),
        sources=tuple(origin),
        docs=tuple(docs),
        paired=tuple(paired),
        partners={key: frozenset(others) for key, others in partners.items()},
    )


@dataclass
class _Pool:
    """The background sentences of one build, by number in the material, with the documents they came from."""

    sentences: tuple[str, ...]
    docs: list[tuple[str, list[int]]] = field(default_factory=list)  # (source, sentence numbers in order)
    loose: list[int] = field(default_factory=list)  # single sentences from the paraphrase corpora
    by_source: Counter[str] = field(default_factory=Counter)


def _background_pool(material: _Material, planted: list[str]) -> _Pool:
    """The material minus every sentence echoing a planted one, and with one side of a paraphrase pair at most."""
    echoes = _SeenText()
    for sentence in planted:
        key = _key(sentence)
        echoes.add(key, _shingles(key))

    def fresh(i: int) -> bool:
        return echoes.is_new(material.keys[i], material.shingles[i])

    pool = _Pool(material.sentences)
    for doc in material.docs:
        kept = [i for i in doc if fresh(i)]
        if kept:
            pool.docs.append((material.sources[kept[0]], kept))
    # Both sides of a paraphrase pair would plant an unrecorded rewrite. A sentence can sit in several pairs, so every
    # paraphrase of a kept sentence is barred, whichever pair it comes in; both sides of a non-paraphrase pair may go
    # in, as distinct sentences that happen to share some words.
    barred: set[str] = set()
    for i in material.paired:
        key = material.keys[i]
        if key not in barred and fresh(i):
            pool.loose.append(i)
            barred.update(material.partners.get(key, ()))
    pool.by_source = Counter(material.sources[i] for i in itertools.chain(*(doc for _, doc in pool.docs), pool.loose))
    return pool


def _cut_by_words(sentences: Sequence[str], stream: deque[int], rng: random.Random) -> list[int]:
    """The next sentences of the stream up to a news article's length in words."""
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    chosen: list[int] = []
    words = 0
    while stream and (len(chosen) < MIN_SENTENCES or (words < target and len(chosen) < MAX_SENTENCES)):
        chosen.append(stream.popleft())
        words += len(sentences[chosen[-1]].split())
    return chosen


def _background(
    sentences: Sequence[str], stream: deque[int], count: int, hosts: int, rng: random.Random, stats: BuildStats
) -> tuple[list[list[str]], list[list[str]]]:
    """(hosts, others): count background articles cut from the stream, each sentence going into one article only.

    With too little text for full-length articles they shrink, down to FEWEST_SENTENCES; the articles that still
    cannot be filled reuse sentences of the others (never of hosts, which join planted pairs, and never quotations),
    any two articles sharing at most one: a single sentence in common, not a quotation, is not reuse.
    """
    available = len(stream)
    if available < 4 * MAX_SENTENCES:
        raise ValueError(f"only {available} background sentences: too few to build articles")
    fresh = min(count, available // FEWEST_SENTENCES)
    picked: list[list[int]] = []
    if available >= count * MAX_SENTENCES:
        picked = [_cut_by_words(sentences, stream, rng) for _ in range(count)]
    else:
        # Lengths vary around the mean the pool allows; the clamp keeps enough for the articles still to come.
        mean = available // fresh
        low = max(FEWEST_SENTENCES, mean - 5)
        high = min(MAX_SENTENCES, 2 * mean - low)
        for left in range(fresh - 1, -1, -1):
            size = max(FEWEST_SENTENCES, min(rng.randint(low, high), len(stream) - FEWEST_SENTENCES * left))
            picked.append([stream.popleft() for _ in range(min(size, len(stream)))])
    stats.fresh_articles = len(picked)
    rng.shuffle(picked)
    hosting, picked = picked[:hosts], picked[hosts:]
    stats.missing_sentences = max(0, FEWEST_SENTENCES * count - available)
    if fresh < count:
        warnings.warn(
            f"{available} sentences are left for {count} background articles, {stats.missing_sentences} short of "
            f"{FEWEST_SENTENCES} each: {count - fresh} articles reuse sentences, sharing at most one with any other",
            stacklevel=3,
        )

    owners: defaultdict[int, list[int]] = defaultdict(list)  # sentence -> articles carrying it
    for number, article in enumerate(picked):
        for i in article:
            owners[i].append(number)
    # A quotation in two articles is material they share: only the reporter's own sentences are reused, and only
    # those with no sentence end inside (two sentences in common would be an excerpt).
    reusable = [
        i
        for article in picked
        for i in article
        if not _QUOTATION.search(sentences[i]) and not _INNER_END.search(sentences[i])
    ]
    if len(reusable) < FEWEST_SENTENCES and len(picked) + len(hosting) < count:
        raise ValueError(f"only {available} background sentences: too few to build articles")
    queue: deque[int] = deque()
    reused: list[list[int]] = []
    for number in range(len(picked), count - len(hosting)):
        chosen: list[int] = []
        touched: set[int] = set()  # articles already sharing a sentence with this one
        skipped: list[int] = []
        while len(chosen) < FEWEST_SENTENCES:
            if not queue:
                order = reusable[:]
                rng.shuffle(order)
                queue.extend(order)
            i = queue.popleft()
            # Give up the one-shared-sentence rule rather than loop forever on a small pool.
            if i not in chosen and (touched.isdisjoint(owners[i]) or len(skipped) > len(reusable)):
                chosen.append(i)
                touched.update(owners[i])
            else:
                skipped.append(i)
        queue.extendleft(reversed(skipped))  # the least used come first next time
        for i in chosen:
            owners[i].append(number)
        reused.append(chosen)

    stats.background_articles = count
    articles = hosting + reused + picked  # a host from the reused ones only when fresh ones run out
    stats.background_sentences = sum(map(len, articles))
    stats.background_words = sum(len(sentences[i].split()) for article in articles for i in article)
    drafts = [[sentences[i] for i in article] for article in articles]
    return drafts[:hosts], drafts[hosts:]


# --- planting ----------------------------------------------------------------------------------------------------


def _plan(n: int, rate: float) -> dict[str, int]:
    """Pairs per kind: rate * n articles take part, two per pair, split evenly across the kinds."""
    if n < 1:
        raise ValueError(f"n must be positive, got {n}")
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must lie in [0, 1], got {rate}")
    base, extra = divmod(round(n * rate / 2), len(KINDS))
    return {kind: base + (i < extra) for i, kind in enumerate(KINDS)}


def _paragraphs(sentences: list[str], rng: random.Random) -> Draft:
    paragraphs, i = [], 0
    while i < len(sentences):
        size = rng.randint(1, 3)
        paragraphs.append(sentences[i : i + size])
        i += size
    return paragraphs


def _render(draft: Draft) -> str:
    return "\n\n".join(" ".join(paragraph) for paragraph in draft if paragraph)


def _merge(first: str, second: str, rng: random.Random) -> str | None:
    """Two sentences joined into one, or None when the first does not end in a plain full stop."""
    if not first.endswith(".") or first.endswith(('."', ".'", ".)")):
        return None
    head, *rest = second.split(" ", 1)
    if head.lower() in _LOWERABLE:
        second = " ".join([head.lower(), *rest])
    return first[:-1] + rng.choice((", and ", "; ")) + second


def _rewrite(pairs: list[tuple[str, str]], rng: random.Random) -> tuple[Draft, Draft]:
    """A = the first sentences; B = their partners, neighbours swapped, some dropped, some merged."""
    a = [first for first, _ in pairs]
    b = [second for _, second in pairs]
    i = 0
    while i < len(b) - 1:
        if rng.random() < 0.25:
            b[i], b[i + 1] = b[i + 1], b[i]
            i += 2
        else:
            i += 1
    b = [s for s in b if rng.random() >= 0.1] or b[:1]
    merged: list[str] = []
    i = 0
    while i < len(b):
        joined = _merge(b[i], b[i + 1], rng) if i + 1 < len(b) and rng.random() < 0.1 else None
        merged.append(joined or b[i])
        i += 2 if joined else 1
    return _paragraphs(a, rng), _paragraphs(merged, rng)


def _edit_words(sentence: str, rng: random.Random) -> str:
    """A small wording change: a synonym, a different figure, or a dropped word."""
    words = sentence.split(" ")
    inner = range(1, len(words) - 1)
    if not inner:
        return sentence
    swaps = [i for i in inner if _key(words[i]) in _WORD_SWAPS]
    figures = [i for i in inner if any(c.isdigit() for c in words[i])]
    if swaps:
        i = rng.choice(swaps)
        core = _key(words[i])
        words[i] = words[i].replace(core, _WORD_SWAPS[core], 1)
    elif figures:
        i = rng.choice(figures)
        digits = [j for j, c in enumerate(words[i]) if c.isdigit()]
        j = rng.choice(digits)
        words[i] = words[i][:j] + str((int(words[i][j]) + rng.randint(1, 8)) % 10) + words[i][j + 1 :]
    else:
        del words[rng.choice(inner)]
    return " ".join(words)


def _copy(draft: Draft, rng: random.Random) -> Draft:
    """A near-verbatim copy: a sentence or two dropped, a few words changed, a boilerplate line added."""
    copy = [list(paragraph) for paragraph in draft]
    for _ in range(rng.randint(1, 2)):
        # The lead stays: copies keep the opening.
        spots = [(p, s) for p, paragraph in enumerate(copy) for s in range(len(paragraph)) if (p, s) != (0, 0)]
        p, s = rng.choice(spots)
        del copy[p][s]
        copy = [paragraph for paragraph in copy if paragraph]
    for _ in range(rng.randint(2, 4)):
        paragraph = rng.choice(copy)
        s = rng.randrange(len(paragraph))
        paragraph[s] = _edit_words(paragraph[s], rng)
    boilerplate = [rng.choice(_BOILERPLATE)]
    if rng.random() < 0.5:
        copy.append(boilerplate)
    else:
        copy.insert(0, boilerplate)
    return copy


def _insert_excerpt(host: Draft, source: Draft, rng: random.Random) -> Draft:
    """The host article with a run of 3-6 consecutive source sentences put in between two of its paragraphs."""
    flat = [s for paragraph in source for s in paragraph]
    length = min(rng.randint(3, 6), len(flat))
    start = rng.randrange(len(flat) - length + 1)
    run = flat[start : start + length]
    if rng.random() < 0.5:
        s = rng.randrange(length)
        run[s] = _edit_words(run[s], rng)
    at = rng.randint(1, len(host))
    return host[:at] + _paragraphs(run, rng) + host[at:]


_ATTRIBUTION = frozenset(("said", "says", "saying", "told", "quoted", "according"))


def _quotable(sentence: str) -> bool:
    """A plain statement that reads naturally inside quotation marks."""
    words = sentence.split()
    return (
        8 <= len(words) <= 35
        and sentence.endswith(".")
        and '"' not in sentence
        and _ATTRIBUTION.isdisjoint(_key(sentence).split())
        and not words[0].isupper()
    )


def _quotation(sentence: str, name: str) -> str:
    return f'"{sentence[:-1]}," {name} said.'


def _insert_quotes(host: Draft, quotes: list[str], rng: random.Random) -> Draft:
    """The host article with each quotation as a paragraph of its own."""
    draft = [list(paragraph) for paragraph in host]
    for quote in quotes:
        draft.insert(rng.randint(1, len(draft)), [quote])
    return draft


class _PairSupply:
    """Hands out sentence pairs in seeded order, never reusing a sentence across planted articles."""

    def __init__(self, pairs: tuple[tuple[str, str], ...], used: set[str], rng: random.Random):
        order = list(pairs)
        rng.shuffle(order)
        # Pairs with spacing artefacts last: dropping them would leave too few hard negatives for large collections.
        order.sort(key=lambda pair: bool(_ARTEFACT.search(pair[0]) or _ARTEFACT.search(pair[1])))
        # MRPC reuses sentences across pairs: keep the first pair for each, so len() counts what can be handed out.
        seen: set[str] = set()
        self._queue: deque[tuple[str, str]] = deque()
        for pair in order:
            keys = {_key(pair[0]), _key(pair[1])}
            if seen.isdisjoint(keys):
                seen.update(keys)
                self._queue.append(pair)
        self._used = used

    def __len__(self) -> int:
        return len(self._queue)

    def take(self, k: int) -> list[tuple[str, str]] | None:
        taken: list[tuple[str, str]] = []
        while self._queue and len(taken) < k:
            pair = self._queue.popleft()
            keys = (_key(pair[0]), _key(pair[1]))
            if keys[0] not in self._used and keys[1] not in self._used:
                self._used.update(keys)
                taken.append(pair)
        return taken if len(taken) == k else None


# --- the collection ----------------------------------------------------------------------------------------------


def _build(n: int, seed: int, data_dir: Path, rate: float) -> tuple[list[dict], list[dict], BuildStats]:
    """Articles, truth pairs and build figures; see build_collection."""
    rng = random.Random(seed)
    sources = load_sources(Path(data_dir))
    plan = _plan(n, rate)
    stats = BuildStats()

    # 1. Rewrites and hard negatives come straight from the sentence-pair corpora.
    used: set[str] = set()
    supplies = {
        "mrpc": _PairSupply(sources.mrpc_positive, used, rng),
        "pan": _PairSupply(sources.pan_positive, used, rng),
        "negative": _PairSupply(sources.mrpc_negative, used, rng),
    }
    pair_drafts: list[tuple[str, Draft, Draft]] = []
    # Hard negatives first: the MRPC negatives are the scarcest material.
    for kind, corpora in (("none", ("negative",)), ("rewrite", ("mrpc", "pan"))):
        for i in range(plan[kind]):
            # Alternate between news (MRPC) and book (PAN) paraphrases; fall back when one runs dry.
            pairs = None
            for corpus in corpora[i % len(corpora) :] + corpora[: i % len(corpora)]:
                supply = supplies[corpus]
                # Scarce material is spread thinner rather than leaving the last pairs unplanted.
                share = len(supply) if len(corpora) > 1 else max(MIN_PAIRS_PER_REWRITE, len(supply) // (plan[kind] - i))
                k = min(rng.randint(*PAIRS_PER_REWRITE), share)
                if k >= MIN_PAIRS_PER_REWRITE and (pairs := supply.take(k)):
                    break
            if not pairs:
                warnings.warn(f"sentence pairs ran out: planted {i} of {plan[kind]} {kind} pairs", stacklevel=2)
                plan[kind] = i
                break
            if kind == "rewrite":
                stats.rewrite_corpus[corpus] += 1
            pair_drafts.append((kind, *_rewrite(pairs, rng)))

    # 2. The background pool: everything else, with no echo of a planted sentence.
    all_pairs = sources.mrpc_positive + sources.mrpc_negative + sources.pan_positive + sources.pan_negative
    # Partners of planted sentences too: they paraphrase them, so their near copies must stay out as well.
    planted_sentences = [s for pair in all_pairs if _key(pair[0]) in used or _key(pair[1]) in used for s in pair]
    pool = _background_pool(_material(Path(data_dir)), planted_sentences)
    sentences = pool.sentences
    stats.pool = pool.by_source

    # 3. Quotations appear only in their planted pair; web-page sentences seldom read as something someone said.
    quote_counts = [rng.randint(1, 2) for _ in range(plan["shared-quotes"])]
    said = [i for source, doc in pool.docs if source != WEB_SOURCE for i in doc] + pool.loose
    candidates = [i for i in said if _quotable(sentences[i])]
    rng.shuffle(candidates)
    quote_sentences = candidates[: sum(quote_counts)]
    reserved = set(quote_sentences)

    # 4. One stream of sentences, news documents first, each document in order; every article is cut from it, so no
    # sentence goes into two articles (copies and excerpts share theirs on purpose).
    news = [doc for source, doc in pool.docs if source != WEB_SOURCE]
    web = [doc for source, doc in pool.docs if source == WEB_SOURCE]
    loose = pool.loose[:]
    for group in (news, web, loose):
        rng.shuffle(group)
    stream = deque(i for i in itertools.chain(*news, *web, loose) if i not in reserved)

    def exclusive_article() -> Draft:
        chosen = _cut_by_words(sentences, stream, rng)
        if len(chosen) < MIN_SENTENCES:
            raise ValueError("too few background sentences for the planted copies and excerpts")
        return _paragraphs([sentences[i] for i in chosen], rng)

    copy_sources = [exclusive_article() for _ in range(plan["copy"])]
    excerpt_sources = [exclusive_article() for _ in range(plan["excerpt"])]

    # 5. Background articles; some host the excerpts and quotations.
    planted_articles = 2 * sum(plan.values())
    count = n - planted_articles + plan["excerpt"] + 2 * plan["shared-quotes"]
    hosting, others = _background(sentences, stream, count, plan["excerpt"] + 2 * plan["shared-quotes"], rng, stats)
    hosts = [_paragraphs(article, rng) for article in hosting]
    background = [_paragraphs(article, rng) for article in others]

    # 6. Pairs: (kind, source draft, other draft); the source is published first.
    planted: list[tuple[str, Draft, Draft]] = []
    planted += [("copy", source, _copy(source, rng)) for source in copy_sources]
    planted += [("excerpt", source, _insert_excerpt(hosts.pop(), source, rng)) for source in excerpt_sources]
    names = [f"{first} {last}" for first, last in itertools.product(_FIRST_NAMES, _LAST_NAMES)]
    rng.shuffle(names)
    quote_iter = iter(quote_sentences)
    for number, how_many in enumerate(quote_counts):
        name = names[number % len(names)]
        quotes = [_quotation(sentences[next(quote_iter)], name) for _ in range(how_many)]
        planted.append(
            (
                "shared-quotes",
                _insert_quotes(hosts.pop(), quotes, rng),
                _insert_quotes(hosts.pop(), quotes, rng),
            )
        )
    planted += pair_drafts
    rng.shuffle(background)

    # 7. Shuffle, number and date.
    entries: list[tuple[Draft, int]] = [(draft, rng.randrange(365)) for draft in background]
    links: list[tuple[int, int, str]] = []
    for kind, source, other in planted:
        earlier, later = sorted(rng.sample(range(365), 2))
        links.append((len(entries), len(entries) + 1, kind))
        entries += [(source, earlier), (other, later)]
        stats.pairs[kind] += 1
    order = list(range(len(entries)))
    rng.shuffle(order)
    width = max(5, len(str(len(entries))))
    ids = {}
    articles = []
    for position, entry in enumerate(order, start=1):
        ids[entry] = f"a{position:0{width}d}"
        draft, day = entries[entry]
        published = (YEAR_START + dt.timedelta(days=day)).isoformat()
        articles.append({"id": ids[entry], "text": _render(draft), "published": published})
    truth = [{"a": ids[a], "b": ids[b], "relation": kind, "source": ids[a]} for a, b, kind in links]
    truth.sort(key=lambda pair: (pair["a"], pair["b"]))
    return articles, truth, stats


def build_collection(
    n: int = 10_000, seed: int = 0, data_dir: Path | str = DEFAULT_DATA, rate: float = DEFAULT_RATE
) -> tuple[list[dict], list[dict]]:
    """Build n articles with planted pairs; return (articles, truth) as the JSON records written to disk.

    A truth pair's ``source`` is its earlier-published article: the original for copy, rewrite and excerpt, the
    first to carry the quotations for shared-quotes, the article of first sentences for a hard negative (none).
    """
    articles, truth, _ = _build(n, seed, Path(data_dir), rate)
    return articles, truth


def _write_jsonl(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="number of articles (default 10000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="output folder (default bench/out/collection-N)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument(
        "--rate",
        type=float,
        default=DEFAULT_RATE,
        help="fraction of articles taking part in a planted pair (default 0.05)",
    )
    args = parser.parse_args(argv)
    out = args.out or Path(__file__).resolve().parent / "out" / f"collection-{args.n}"

    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            articles, truth, stats = _build(args.n, args.seed, args.data, args.rate)
        except (FileNotFoundError, ValueError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    elapsed = time.perf_counter() - started
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    _write_jsonl(out / "articles.jsonl", articles)
    _write_jsonl(out / "truth.jsonl", truth)

    words = sum(len(article["text"].split()) for article in articles)
    print(
        f"{len(articles)} articles ({words / len(articles):.0f} words on average), {len(truth)} planted pairs, "
        f"built in {elapsed:.1f} s -> {out}"
    )
    for kind in KINDS:
        detail = ""
        if kind == "rewrite":
            corpora = stats.rewrite_corpus
            detail = f"  (news paraphrases {corpora['mrpc']}, book paraphrases {corpora['pan']})"
        if kind == "none":
            detail = "  (hard negatives: same event, not paraphrases)"
        print(f"  {kind:<14} {stats.pairs[kind]:>6} pairs{detail}")
    background = stats.background_articles
    reused = background - stats.fresh_articles
    print(
        f"  {'background':<14} {background:>6} articles, {stats.background_sentences / background:.1f} sentences "
        f"({stats.background_words / background:.0f} words) on average; "
        + (
            "no sentence in two of them"
            if not reused
            else f"{reused} reuse sentences, sharing at most one with any other "
            f"(the pool is {stats.missing_sentences} sentences short)"
        )
    )
    by_source = ", ".join(f"{source} {stats.pool[source]}" for source in (*NEWS_SOURCES, WEB_SOURCE, *PAIR_SOURCES))
    print(f"  {'pool':<14} {sum(stats.pool.values()):>6} sentences before the planted pairs take theirs: {by_source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
