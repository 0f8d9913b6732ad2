"""Stage 9: group articles that report the same real-world event.

Sharing people is not enough ("Putin meets Kim" happened more than once), so the evidence is:

1. the words of the two articles, each weighted by how rare it is in English (the encoder vocabulary's frequency
   order: the same weights whatever else the collection holds), compared by cosine;
2. event terms: names, places, dates and numbers, weighted the same way, compared by cosine;
3. shared material: a reported copy, rewrite or excerpt;
4. publication dates: articles published far apart are not about the same event.

The first three give the probability that two articles report one event, from a logistic model fitted on the ECB+
corpus (``bench/fit_stories.py``; settings ``[stories]``). Articles are linked where it reaches
``link_probability``, and each connected block is cut by average linkage on the same probability, so that one
bridging pair cannot chain two events together. A pair's probability depends on the two articles alone, so adding
unrelated articles to a collection changes no story.
"""

from __future__ import annotations

import heapq
import math
import os
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from ..encoder import word_ranks
from ..records import Article, Pair, Story
from ..settings import StorySettings, default_model_dir

_NAME = re.compile(r"\b[A-Z][\w’'.-]*(?:\s+(?:of\s+|de\s+|al-)?[A-Z][\w’'.-]*)*")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"(?:\s+\d{1,2})?\b"
)
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_LOWER_WORD = re.compile(r"\b[a-z][a-z’']+\b")
_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}")
MATERIAL = ("copy", "rewrite", "excerpt")  # relations that count as shared material (not shared quotations alone)
RETOLD = ("copy", "rewrite")  # one article retold by another: the same event, whatever the model says
MAX_DAYS_APART = 7
MAX_BLOCK = 3000  # larger linked blocks are kept as they are: average linkage is quadratic


@dataclass(frozen=True)
class Mentions:
    """What an article mentions, before the collection decides which capitalised words are names.

    ``names``: runs of capitalised words (casefolded, joined by a space) inside a sentence; ``openers``: those that
    open one; ``terms``: months, years and numbers, already terms. Found per article, anywhere (a worker process, a
    Spark partition). Each kind is one string, a line per mention (repeated as often as it occurs): a scan holds
    every article's mentions until the collection's common words are known, and three strings take a quarter of
    the memory of three counters of a hundred strings.
    """

    names: str
    openers: str
    terms: str
    words: str = ""


def mentions(article: Article, rarity: Rarity | None = None) -> Mentions:
    """The names, dates and numbers ``article`` mentions, and its :data:`MOST_WORDS` heaviest words (count x
    ``rarity``, by default the packaged encoder's): its keywords, which stand for it (the rest weigh little and
    would only make work). See :func:`event_terms`."""
    names: list[str] = []
    openers: list[str] = []
    for sentence in article.sentences or []:  # sentence by sentence: a name does not run on into the next one
        for match in _NAME.finditer(sentence.text):
            words = match.group().strip(".’'-").casefold().split()
            if words:
                (openers if match.start() == 0 else names).append(" ".join(words))
    text = " ".join(s.text for s in article.sentences or [])
    terms = ["d:" + " ".join(m.casefold().split()) for m in _MONTH.findall(text)]
    terms += ["y:" + m for m in _YEAR.findall(text)]
    terms += ["#:" + m.rstrip(".,") for m in _NUMBER.findall(text) if not _YEAR.fullmatch(m)]
    counts = Counter(w.casefold() for w in _CONTENT_WORD.findall(text))
    rarity = rarity or Rarity.load()
    heavy = heapq.nlargest(MOST_WORDS, counts, key=lambda w: ((1 + math.log(counts[w])) * rarity(w), w))
    words = [w for w in sorted(heavy) for _ in range(counts[w])]
    return Mentions("\n".join(names), "\n".join(openers), "\n".join(terms), "\n".join(words))


def _counted(lines: str) -> Counter[str]:
    return Counter(lines.split("\n")) if lines else Counter()


def event_terms(found: Mentions, common: frozenset[str]) -> Counter[str]:
    """Names, dates and numbers an article mentions, as lower-case terms with counts, and its words (``w:``).

    ``common``: words the collection also writes in lower case (see :func:`common_words`); a capitalised one
    opening a sentence is not taken for a name, and the words of a longer name count on their own unless common.
    """
    terms = _counted(found.terms)
    terms.update({"w:" + w: k for w, k in _counted(found.words).items()})
    for opens, names in ((False, found.names), (True, found.openers)):
        for name, count in _counted(names).items():
            words = name.split(" ")
            if opens and words[0] in common:
                words = words[1:]
            if words:
                terms["n:" + " ".join(words)] += count
                if len(words) > 1:
                    for word in words:
                        if word not in common:
                            terms["n:" + word] += count
    return terms


def common_words(texts: Iterable[str]) -> frozenset[str]:
    """Words that also appear in lower case: capitalised only at a sentence start, not names."""
    lower: set[str] = set()
    for text in texts:
        lower.update(_LOWER_WORD.findall(text))
    return frozenset(lower)


class Rarity:
    """How much a word says about which event an article reports: the log of its rank in the encoder vocabulary's
    frequency order (:func:`encoder.word_ranks`), the same for every collection. "the" weighs nothing, "shooting"
    little, "cosmodrome" (not a whole word of the vocabulary), numbers and dates the most."""

    def __init__(self, ranks: Mapping[str, int]) -> None:
        self._ranks = ranks
        self.most = self._of(max(ranks.values(), default=0) + 1)

    @classmethod
    def load(cls, model_dir: Path | None = None) -> Rarity:
        return _rarity(Path(model_dir) if model_dir else default_model_dir())

    @staticmethod
    def _of(rank: int) -> float:
        return math.log1p(rank / RANK_SCALE)

    def __call__(self, word: str) -> float:
        rank = self._ranks.get(word)
        return self.most if rank is None else self._of(rank)


RANK_SCALE = 1000  # ranks below this weigh little (function words, the commonest verbs and nouns)


@lru_cache(maxsize=4)
def _rarity(model_dir: Path) -> Rarity:
    return Rarity(word_ranks(model_dir))


def term_vectors(articles: Sequence[Article], settings: StorySettings, rarity: Rarity) -> csr_matrix:
    """The articles' story vectors (:func:`term_matrix`)."""
    common = common_words(a.text for a in articles)
    return term_matrix((event_terms(mentions(a, rarity), common) for a in articles), settings, rarity)


def term_matrix(counts: Iterable[Counter[str]], settings: StorySettings, rarity: Rarity) -> csr_matrix:
    """One sparse row per article such that the dot product of two rows is the evidence the model adds up:
    ``words`` x the cosine of their words + ``terms`` x the cosine of their event terms, each term weighted by
    (1 + log count) x :class:`Rarity` (of a name's rarest word). Rows come from each article's
    :func:`event_terms` (found wherever the articles are), one at a time; terms are kept as numbers in compact
    arrays, not as a Python object per mention. Columns are in term order, so any input order gives the same
    matrix."""
    vocab: dict[str, int] = {}  # term -> id, in the order first seen
    ids, tfs, indptr = array("q"), array("d"), array("q", [0])
    for c in counts:
        ids.extend(vocab.setdefault(t, len(vocab)) for t in c)
        tfs.extend(c.values())
        indptr.append(len(ids))
    n, terms = len(indptr) - 1, np.frombuffer(ids, dtype=np.int64)
    ordered = sorted(vocab)
    column = np.empty(len(vocab), dtype=np.int64)
    column[[vocab[t] for t in ordered]] = np.arange(len(ordered))
    weight = np.empty(len(vocab))
    is_word = np.zeros(len(vocab), dtype=bool)
    for t, k in vocab.items():
        prefix, text = t[0], t[2:]
        is_word[k] = prefix == "w"
        weight[k] = rarity(text) if prefix == "w" else max(map(rarity, text.split())) if prefix == "n" else rarity.most
    row = np.repeat(np.arange(n), np.diff(np.array(indptr, dtype=np.int64)).astype(np.int64))
    values = (1 + np.log(np.frombuffer(tfs))) * weight[terms]
    words = is_word[terms]
    # each kind normalised on its own, then scaled by its weight in the model
    scale = np.zeros(len(values))
    for mask, factor in ((words, settings.words), (~words, settings.terms)):
        norms = np.sqrt(np.bincount(row[mask], weights=values[mask] ** 2, minlength=n))
        scale[mask] = math.sqrt(factor) / np.maximum(norms[row[mask]], 1e-12)
    return csr_matrix((values * scale, (row, column[terms])), shape=(n, max(len(vocab), 1)), dtype=np.float64)


MOST_WORDS = 60  # words kept per article (mentions)


def link_evidence(settings: StorySettings) -> float:
    """The dot product of two :func:`term_matrix` rows at which two articles with no shared material are linked."""
    p = settings.link_probability
    return math.log(p / (1 - p)) - settings.bias


def probability(evidence: np.ndarray | float, material: np.ndarray | float, settings: StorySettings) -> np.ndarray:
    """P(same event) from the rows' dot product and whether the two share material (0 or 1)."""
    z = settings.bias + np.asarray(evidence) + settings.material * np.asarray(material)
    return np.asarray(1 / (1 + np.exp(-z)))


def term_links(
    x: csr_matrix, threshold: float, block: int = 100, rows: range | None = None
) -> dict[tuple[int, int], float]:
    """Article pairs (i < j) whose rows' dot product reaches ``threshold``; rows in blocks to bound memory.

    Pairs are looked for through each article's :data:`KEYS` heaviest terms among those at most
    :data:`COMMON_TERM` articles have (terms many articles share, a year, a leader's name, "police", would pair
    everything with everything: the work grows with the square of their counts): a pair is a candidate when one
    article's key is among the other's uncommon terms. Candidates are then measured on all their terms. Two
    reports of one event share the rare names and words that weigh most in each, so this misses few links
    (measured in docs/quality.md). ``rows``: only pairs whose first
    article is among these (a share of the work, e.g. one task's). Without ``rows``, blocks run in threads, one per
    core (the sparse and array work releases the GIL), and are merged in order.
    """
    n = x.shape[0]
    rare = np.bincount(x.indices, minlength=x.shape[1]) <= COMMON_TERM
    index = x[:, rare].tocsr()
    keys = heaviest(index, KEYS)
    index_t, keys_t = index.T.tocsr(), keys.T.tocsr()
    share = rows if rows is not None else range(n)

    def links(start: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        stop = min(start + block, share.stop, n)
        found = (keys[start:stop] @ index_t + index[start:stop] @ keys_t).tocoo()
        i, j = found.row + start, found.col
        keep = i < j
        i, j = i[keep], j[keep]
        products = _row_products(x, i, j)
        link = products >= threshold
        return i[link], j[link], products[link]

    starts = range(share.start, min(share.stop, n), block)
    edges: dict[tuple[int, int], float] = {}
    with ThreadPoolExecutor((os.cpu_count() or 1) if rows is None else 1) as pool:  # a share is one task's already
        for i, j, products in pool.map(links, starts):
            edges.update(zip(zip(i.tolist(), j.tolist(), strict=True), products.tolist(), strict=True))
    return edges


COMMON_TERM = 20  # a term in more articles than this does not make a pair worth a look on its own (term_links)
KEYS = 10  # an article's heaviest uncommon terms through which its pairs are looked for (term_links)


def heaviest(x: csr_matrix, keep: int) -> csr_matrix:
    """Each row's ``keep`` largest entries (ties: the first columns), the rest dropped."""
    x = x.tocsr()
    row = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    order = np.lexsort((x.indices, -x.data, row))  # by row, then largest first
    rank = np.arange(len(order)) - np.repeat(x.indptr[:-1], np.diff(x.indptr))
    kept = order[rank < keep]
    return csr_matrix((x.data[kept], (row[kept], x.indices[kept])), shape=x.shape)


def _row_products(x: csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """``x[i[k]] . x[j[k]]`` for every k: the two rows' entries multiplied where their columns meet (SciPy merges
    the sorted rows) and added up in column order, a slice of the pairs at a time (memory stays at a slice's
    rows)."""
    out = np.zeros(len(i))
    for at in range(0, len(i), ROW_PAIRS):
        ii, jj = i[at : at + ROW_PAIRS], j[at : at + ROW_PAIRS]
        both = x[ii].multiply(x[jj]).tocsr()
        pair = np.repeat(np.arange(len(ii)), np.diff(both.indptr))
        out[at : at + len(ii)] = np.bincount(pair, weights=both.data, minlength=len(ii))
    return out


ROW_PAIRS = 1 << 12  # pairs measured at once by _row_products: about a million stored entries


def _days_apart(a: str | None, b: str | None) -> int | None:
    day_a, day_b = _day(a), _day(b)
    return None if math.isnan(day_a) or math.isnan(day_b) else int(abs(day_a - day_b))


def _day(iso: str | None) -> float:
    """The day number of an ISO 8601 date, NaN when there is none."""
    try:
        return float(date.fromisoformat(iso[:10]).toordinal()) if iso else math.nan
    except ValueError:
        return math.nan


def cluster_stories(
    articles: Sequence[Article],
    pairs: Sequence[Pair],
    settings: StorySettings,
    terms: csr_matrix | None = None,
    rarity: Rarity | None = None,
) -> list[Story]:
    """Group articles into stories; every article belongs to exactly one story.

    ``terms``: the articles' :func:`term_vectors` when already found (computed here otherwise, with ``rarity``, by
    default the packaged encoder's).
    """
    n = len(articles)
    if n == 0:
        return []
    index = {a.id: k for k, a in enumerate(articles)}
    dates = [a.date for a in articles]
    x = term_vectors(articles, settings, rarity or Rarity.load()) if terms is None else terms
    # 1.-3. evidence: the rows' dot products (only pairs that could be linked), raised by shared material
    edges = {ij: float(probability(v, 0.0, settings)) for ij, v in term_links(x, link_evidence(settings)).items()}
    edges.update(material_links(x, [(index[p.a], index[p.b], p.relation) for p in pairs], settings))
    # 4. far-apart publication dates veto a link
    edges = {(i, j): v for (i, j), v in edges.items() if is_link(v, dates[i], dates[j], settings.link_probability)}
    rows = np.array([i for i, _ in edges], dtype=np.int64)
    cols = np.array([j for _, j in edges], dtype=np.int64)
    graph = csr_matrix((np.ones(len(edges)), (rows, cols)), shape=(n, n))
    _, block_of = connected_components(graph, directed=False)
    inside: dict[int, dict[tuple[int, int], float]] = {}  # each block's links
    for (i, j), v in edges.items():
        inside.setdefault(int(block_of[i]), {})[(i, j)] = v
    labels = np.zeros(n, dtype=np.int64)
    next_label = 0
    order = np.argsort(block_of, kind="stable")  # each block's members, in article order
    for members in np.split(order, np.flatnonzero(np.diff(block_of[order])) + 1):
        for group in cut_block(members, x, inside.get(int(block_of[members[0]]), {}), dates, settings):
            labels[group] = next_label
            next_label += 1
    return name_stories(articles, labels)


def material_links(
    x: csr_matrix, pairs: Iterable[tuple[int, int, str | None]], settings: StorySettings
) -> dict[tuple[int, int], float]:
    """The probability of the pairs that share material: 1 for a copy or rewrite (one article retold), the model's
    with material counted for an excerpt."""
    pairs = list(pairs)  # (row of A, row of B, relation)
    retold = {_ordered(i, j) for i, j, relation in pairs if relation in RETOLD}
    shared = sorted({_ordered(i, j) for i, j, relation in pairs if relation in MATERIAL} - retold)
    links = dict.fromkeys(sorted(retold), 1.0)
    if shared:
        i = np.array([ij[0] for ij in shared], dtype=np.int64)
        j = np.array([ij[1] for ij in shared], dtype=np.int64)
        evidence = np.asarray(x[i].multiply(x[j]).sum(axis=1)).ravel()
        links.update(zip(shared, probability(evidence, 1.0, settings).tolist(), strict=True))
    return links


def _ordered(i: int, j: int) -> tuple[int, int]:
    return (i, j) if i < j else (j, i)


def is_link(evidence: float, date_a: str | None, date_b: str | None, threshold: float) -> bool:
    """A probability that reaches the threshold links two articles, unless they were published far apart."""
    days = _days_apart(date_a, date_b)
    return evidence >= threshold and not (days is not None and days > MAX_DAYS_APART)


def cut_block(
    members: np.ndarray,
    x: csr_matrix,
    edges: Mapping[tuple[int, int], float],
    dates: Sequence[str | None],
    settings: StorySettings,
) -> list[np.ndarray]:
    """The stories of one connected block of linked articles (``members``, sorted indexes), by average linkage on
    the probability that two articles report one event, cut where it falls below ``link_probability``.

    ``edges`` holds at least the links inside the block (with shared material counted); ``x`` and ``dates`` are
    indexed like ``members``' values.
    """
    if len(members) <= 2 or len(members) > MAX_BLOCK:
        return [members]
    local = {int(m): k for k, m in enumerate(members)}
    block = x[members]
    block_p = probability((block @ block.T).toarray(), 0.0, settings)
    for (i, j), v in edges.items():
        if i in local and j in local:
            block_p[local[i], local[j]] = block_p[local[j], local[i]] = v
    days = np.array([_day(dates[m]) for m in members], dtype=np.float64)  # NaN: no date, which vetoes nothing
    block_p[np.abs(days[:, None] - days[None, :]) > MAX_DAYS_APART] = 0.0
    condensed = np.clip(1.0 - block_p[np.triu_indices(len(members), k=1)], 0.0, 1.0)
    cut = fcluster(linkage(condensed, method="average"), t=1.0 - settings.link_probability, criterion="distance")
    return [members[cut == c] for c in np.unique(cut)]


def name_stories(articles: Sequence[Article], labels: np.ndarray) -> list[Story]:
    """One story per label, biggest first (then by first id), named by its earliest title or first words."""
    groups: dict[int, list[Article]] = {}
    for article, label in zip(articles, labels, strict=True):
        groups.setdefault(int(label), []).append(article)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), min(a.id for a in g)))
    stories = []
    for k, group in enumerate(ordered, start=1):
        ids = tuple(sorted(a.id for a in group))
        titled = sorted((a.date or "9999", a.id, a.title) for a in group if a.title)
        label = titled[0][2] if titled else _first_words(group[0])
        stories.append(Story(id=f"s{k}", articles=ids, label=label or ""))
    return stories


def _first_words(article: Article, words: int = 12) -> str:
    text = article.sentences[0].text if article.sentences else article.text
    head = text.split()
    return " ".join(head[:words]) + ("…" if len(head) > words else "")
