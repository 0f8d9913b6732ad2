"""Stage 9: group articles that report the same real-world event.

Sharing people is not enough ("Putin meets Kim" happened more than once), so the evidence is:

1. shared material: a reported reuse pair is strong evidence of one event;
2. event terms: names, places, dates and numbers, weighted by how rare they are in the collection
   (a name every article mentions says nothing), compared by cosine;
3. publication dates: articles published far apart are not about the same event.

Articles are linked where the evidence clears a threshold, and each connected block is cut by
average-linkage clustering so that one bridging pair cannot chain two events together.
"""

from __future__ import annotations

import math
import os
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from .candidates import ranges
from .records import Article, Pair, Story
from .settings import StorySettings

_NAME = re.compile(r"\b[A-Z][\w’'.-]*(?:\s+(?:of\s+|de\s+|al-)?[A-Z][\w’'.-]*)*")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"(?:\s+\d{1,2})?\b"
)
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_LOWER_WORD = re.compile(r"\b[a-z][a-z’']+\b")
MATERIAL = {"copy": 1.0, "rewrite": 1.0, "excerpt": 0.8, "shared-quotes": 0.5}
MAX_DAYS_APART = 7
COMMON_TERM = 100  # a term in more articles than this does not make a pair worth a look on its own (term_links)
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


def mentions(article: Article) -> Mentions:
    """The names, dates and numbers ``article`` mentions (see :func:`event_terms`)."""
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
    return Mentions("\n".join(names), "\n".join(openers), "\n".join(terms))


def _counted(lines: str) -> Counter[str]:
    return Counter(lines.split("\n")) if lines else Counter()


def event_terms(found: Mentions, common: frozenset[str]) -> Counter[str]:
    """Names, dates and numbers an article mentions, as lower-case terms with counts.

    ``common``: words the collection also writes in lower case (see :func:`common_words`); a capitalised one
    opening a sentence is not taken for a name, and the words of a longer name count on their own unless common.
    """
    terms = _counted(found.terms)
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


def term_vectors(articles: Sequence[Article]) -> csr_matrix:
    """Rarity-weighted event-term vectors, one unit row per article (sparse)."""
    common = common_words(a.text for a in articles)
    return term_matrix(event_terms(mentions(a), common) for a in articles)


def term_matrix(counts: Iterable[Counter[str]]) -> csr_matrix:
    """:func:`term_vectors` from each article's :func:`event_terms` (found wherever the articles are), taken one
    at a time: terms are kept as numbers in compact arrays, not as a Python object per mention."""
    vocab: dict[str, int] = {}  # term -> id, in the order first seen
    ids, tfs, indptr = array("q"), array("d"), array("q", [0])
    for c in counts:
        ids.extend(vocab.setdefault(t, len(vocab)) for t in c)
        tfs.extend(c.values())
        indptr.append(len(ids))
    n, terms = len(indptr) - 1, np.frombuffer(ids, dtype=np.int64)
    df = np.bincount(terms, minlength=len(vocab))
    kept = sorted(t for t, k in vocab.items() if df[k] < n or n == 1)  # columns in term order: any input order
    column = np.full(len(vocab), -1, dtype=np.int64)
    column[[vocab[t] for t in kept]] = np.arange(len(kept))
    row = np.repeat(np.arange(n), np.diff(np.array(indptr, dtype=np.int64)).astype(np.int64))
    keep = column[terms] >= 0
    weights = (1 + np.log(np.frombuffer(tfs)[keep])) * np.log((1 + n) / (1 + df[terms[keep]]))
    x = csr_matrix((weights, (row[keep], column[terms[keep]])), shape=(n, max(len(kept), 1)), dtype=np.float64)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return csr_matrix(x.multiply(1 / np.maximum(norms, 1e-12)[:, None]))


def term_links(
    x: csr_matrix, threshold: float, block: int = 500, rows: range | None = None
) -> dict[tuple[int, int], float]:
    """Article pairs (i < j) whose event-term cosine reaches ``threshold``; rows in blocks to bound memory.

    Pairs are looked for through the terms at most :data:`COMMON_TERM` articles have (terms many articles share,
    a year or a leader's name, would pair everything with everything: the work grows with the square of their
    counts), then measured on all their terms. ``rows``: only pairs whose first article is among these (a share of
    the work, e.g. one task's). Without ``rows``, blocks run in threads, one per core (the sparse and array work
    releases the GIL), and are merged in order.
    """
    n = x.shape[0]
    common = np.bincount(x.indices, minlength=x.shape[1]) > COMMON_TERM
    rare, shared = x[:, ~common].tocsr(), x[:, common].tocsr()
    rare_t = rare.T.tocsr()
    bound = np.sqrt(np.asarray(shared.multiply(shared).sum(axis=1)).ravel())  # each row's norm on common terms
    share = rows if rows is not None else range(n)

    def links(start: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        stop = min(start + block, share.stop, n)
        found = (rare[start:stop] @ rare_t).tocoo()
        i, j = found.row + start, found.col
        # the common terms add at most the product of the two rows' norms over them (Cauchy-Schwarz)
        keep = (i < j) & (found.data + bound[i] * bound[j] >= threshold)
        i, j = i[keep], j[keep]
        cosine = found.data[keep] + _row_products(shared, shared[start:stop].toarray(), i - start, j)
        link = cosine >= threshold
        return i[link], j[link], cosine[link]

    starts = range(share.start, min(share.stop, n), block)
    edges: dict[tuple[int, int], float] = {}
    with ThreadPoolExecutor((os.cpu_count() or 1) if rows is None else 1) as pool:  # a share is one task's already
        for i, j, cosine in pool.map(links, starts):
            edges.update(zip(zip(i.tolist(), j.tolist(), strict=True), cosine.tolist(), strict=True))
    return edges


def _row_products(x: csr_matrix, dense: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """``dense[i[k]] . x[j[k]]`` for every k: over the stored entries of each row ``j[k]``, vectorised, a slice of
    the pairs at a time (memory stays at a slice's entries, whichever the block)."""
    out = np.zeros(len(j))
    stored = np.diff(x.indptr)
    for start in range(0, len(j), ROW_PAIRS):
        jj, ii = j[start : start + ROW_PAIRS], i[start : start + ROW_PAIRS]
        lengths = stored[jj]
        at = ranges(x.indptr[jj], lengths)
        pair = np.repeat(np.arange(len(jj)), lengths)
        out[start : start + len(jj)] = np.bincount(
            pair, weights=x.data[at] * dense[ii[pair], x.indices[at]], minlength=len(jj)
        )
    return out


ROW_PAIRS = 1 << 15  # pairs measured at once by _row_products: about a million stored entries


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
    articles: Sequence[Article], pairs: Sequence[Pair], settings: StorySettings, terms: csr_matrix | None = None
) -> list[Story]:
    """Group articles into stories; every article belongs to exactly one story.

    ``terms``: the articles' :func:`term_vectors` when already found (computed here otherwise).
    """
    n = len(articles)
    if n == 0:
        return []
    index = {a.id: k for k, a in enumerate(articles)}
    threshold = settings.link_threshold
    dates = [a.date for a in articles]
    # 1.-2. evidence: event terms (sparse, only pairs above the threshold kept), raised by shared material
    x = term_vectors(articles) if terms is None else terms
    edges = term_links(x, threshold)
    for pair in pairs:
        if pair.relation:
            i, j = sorted((index[pair.a], index[pair.b]))
            edges[(i, j)] = max(edges.get((i, j), 0.0), MATERIAL[pair.relation])
    # 3. far-apart publication dates veto a link
    edges = {(i, j): v for (i, j), v in edges.items() if is_link(v, dates[i], dates[j], threshold)}
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
        for group in cut_block(members, x, inside.get(int(block_of[members[0]]), {}), dates, threshold):
            labels[group] = next_label
            next_label += 1
    return name_stories(articles, labels)


def is_link(evidence: float, date_a: str | None, date_b: str | None, threshold: float) -> bool:
    """Evidence that clears the threshold links two articles, unless they were published far apart."""
    days = _days_apart(date_a, date_b)
    return evidence >= threshold and not (days is not None and days > MAX_DAYS_APART)


def cut_block(
    members: np.ndarray,
    x: csr_matrix,
    edges: Mapping[tuple[int, int], float],
    dates: Sequence[str | None],
    threshold: float,
) -> list[np.ndarray]:
    """The stories of one connected block of linked articles (``members``, sorted indexes), by average linkage.

    ``edges`` holds at least the links inside the block; ``x`` and ``dates`` are indexed like ``members``' values.
    """
    if len(members) <= 2 or len(members) > MAX_BLOCK:
        return [members]
    # average linkage inside the block, on the same evidence (absent edges count as unrelated)
    local = {int(m): k for k, m in enumerate(members)}
    block_sim = (x[members] @ x[members].T).toarray()
    for (i, j), v in edges.items():
        if i in local and j in local:
            block_sim[local[i], local[j]] = block_sim[local[j], local[i]] = v
    days = np.array([_day(dates[m]) for m in members], dtype=np.float64)  # NaN: no date, which vetoes nothing
    block_sim[np.abs(days[:, None] - days[None, :]) > MAX_DAYS_APART] = 0.0
    condensed = np.clip(1.0 - block_sim[np.triu_indices(len(members), k=1)], 0.0, 1.0)
    cut = fcluster(linkage(condensed, method="average"), t=1.0 - threshold, criterion="distance")
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
