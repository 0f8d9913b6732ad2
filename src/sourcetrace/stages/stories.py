"""Stage 9: group articles that report the same real-world event.

Sharing people is not enough ("Putin meets Kim" happened more than once), so the evidence is:

1. the words of the two articles, each weighted by how rare it is in English (the encoder vocabulary's frequency
   order: the same weights whatever else the collection holds), compared by cosine;
2. event terms: names, places, dates and numbers, weighted the same way, compared by cosine;
3. shared material: a reported copy, rewrite or excerpt;
4. publication dates: articles published far apart are not about the same event, unless a day one of them names
   ("on Sunday", "the Dec. 27 shooting", resolved against its publication date) is a day the other names
   (:mod:`.story_dates`): a follow-up weeks later tells the event it refers to.

The first three give the probability that two articles report one event, from a logistic model fitted on the ECB+
corpus (``bench/fit_stories.py``; settings ``[stories]``). Articles are linked where it reaches
``link_probability``, and each connected block is cut by average linkage on the same probability, so that one
bridging pair cannot chain two events together; an article the cut leaves alone then joins the story of its strongest
link, where that reaches ``link_probability`` (:func:`join_lone`). A pair's probability depends on the two articles
alone, so adding unrelated articles to a collection changes no story. Each article's words and event terms:
:mod:`.story_terms`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from ..records import Article, Pair, Story
from ..settings import StorySettings
from .story_dates import NO_DAYS, Days, days_meet, meeting_pairs, told_days
from .story_terms import Rarity, term_vectors
from .term_search import links_of, term_links

MATERIAL = ("copy", "rewrite", "excerpt")  # relations that count as shared material (not shared quotations alone)
RETOLD = ("copy", "rewrite")  # one article retold by another: the same event, whatever the model says
MAX_DAYS_APART = 7
MAX_BLOCK = 3000  # larger linked blocks are kept as they are: average linkage is quadratic


def link_evidence(settings: StorySettings) -> float:
    """The dot product of two :func:`term_matrix` rows at which two articles with no shared material are linked."""
    p = settings.link_probability
    return math.log(p / (1 - p)) - settings.bias


def probability(evidence: np.ndarray | float, material: np.ndarray | float, settings: StorySettings) -> np.ndarray:
    """P(same event) from the rows' dot product and whether the two share material (0 or 1)."""
    z = settings.bias + np.asarray(evidence) + settings.material * np.asarray(material)
    return np.asarray(1 / (1 + np.exp(-z)))


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
    if not articles:
        return []
    index = {a.id: k for k, a in enumerate(articles)}
    x = term_vectors(articles, settings, rarity or Rarity.load()) if terms is None else terms
    material = [(index[p.a], index[p.b], p.relation) for p in pairs]
    told = [told_days(a.text, a.date) for a in articles]
    found = cluster_labels(x, [a.date for a in articles], material, settings, told=told)
    return name_stories(articles, found.labels)


class Clustering(NamedTuple):
    """A story label per row (equal labels: one story), the block of linked articles of each row, and the links
    (i < j: probability, dates applied)."""

    labels: np.ndarray
    blocks: np.ndarray
    links: dict[tuple[int, int], float]


@dataclass(frozen=True)
class Earlier:
    """What the clustering of an earlier collection left, given per row of the present one (``-1``: not there).

    A pair's link depends on the two rows alone (and on which of their terms are keys), so the links between two
    ``unchanged`` rows are those found before, and a block of linked articles that is exactly an earlier block, all
    unchanged, is cut as it was: its stories are the earlier ones. ``block_size`` counts the earlier blocks'
    members, those no longer there included, so that a block that lost one is cut again.
    """

    unchanged: np.ndarray  # bool per row: there before, with the same row of the matrix and the same keys
    links: Mapping[tuple[int, int], float]  # the earlier links between unchanged rows (i < j), dates applied
    block: np.ndarray  # the earlier block of each row
    block_size: np.ndarray  # by earlier block
    story: np.ndarray  # the earlier story of each row (distinct numbers >= 0)


def cluster_labels(
    x: csr_matrix,
    dates: Sequence[str | None],
    material: Sequence[tuple[int, int, str | None]],
    settings: StorySettings,
    earlier: Earlier | None = None,
    told: Sequence[Days] | None = None,
) -> Clustering:
    """The stories of the rows of ``x`` (articles).

    ``material``: (row of A, row of B, relation) of the reported pairs. With ``earlier``, links are looked for
    only from the rows that changed, and only the blocks that changed are cut again; the labels are those of one
    clustering of everything (tested). ``told``: the days each row's text tells (:func:`.story_dates.told_days`),
    which lift the veto of far-apart publication dates where they meet (none given: the veto holds).
    """
    n = x.shape[0]
    threshold = link_evidence(settings)
    if earlier is None:
        found = term_links(x, threshold)
    else:
        changed = ~earlier.unchanged
        found = links_of(x, threshold, np.flatnonzero(changed))
        material = [(i, j, r) for i, j, r in material if changed[i] or changed[j]]
    # 1.-3. evidence: the rows' dot products (only pairs that could be linked), raised by shared material
    edges = {ij: float(probability(v, 0.0, settings)) for ij, v in found.items()}
    edges.update(material_links(x, material, settings))
    # 4. far-apart publication dates veto a link
    edges = {
        (i, j): v
        for (i, j), v in edges.items()
        if is_link(v, dates[i], dates[j], settings.link_probability, *((told[i], told[j]) if told else (NO_DAYS,) * 2))
    }
    if earlier is not None:
        edges.update(earlier.links)
    rows = np.array([i for i, _ in edges], dtype=np.int64)
    cols = np.array([j for _, j in edges], dtype=np.int64)
    graph = csr_matrix((np.ones(len(edges)), (rows, cols)), shape=(n, n))
    _, block_of = connected_components(graph, directed=False)
    sizes = np.bincount(block_of)
    order = np.argsort(block_of, kind="stable")  # each block's members, in article order
    ends = np.cumsum(sizes)
    labels, next_label = block_of.copy(), len(sizes)  # a block of one or two articles is one story
    todo = sizes > 2
    if earlier is not None:
        kept = _kept_blocks(block_of, sizes, order, earlier)
        labels[kept[block_of]] = next_label + earlier.story[kept[block_of]]
        next_label += int(earlier.story.max(initial=-1)) + 1
        todo &= ~kept
    inside: dict[int, dict[tuple[int, int], float]] = {}  # the links of each block to cut
    for (i, j), v in edges.items():
        if todo[block_of[i]]:
            inside.setdefault(int(block_of[i]), {})[(i, j)] = v
    for block in np.flatnonzero(todo).tolist():
        members = order[ends[block] - sizes[block] : ends[block]]
        for group in cut_block(members, x, inside.get(block, {}), dates, settings, told):
            labels[group] = next_label
            next_label += 1
    return Clustering(labels, block_of, edges)


def _kept_blocks(block_of: np.ndarray, sizes: np.ndarray, order: np.ndarray, earlier: Earlier) -> np.ndarray:
    """By block: whether it is an earlier block, every member unchanged (its stories are then the earlier ones)."""
    starts = np.cumsum(sizes) - sizes
    unchanged = np.bincount(block_of, weights=~earlier.unchanged, minlength=len(sizes)) == 0
    old = earlier.block[order]  # by block, in blocks' order
    low, high = np.minimum.reduceat(old, starts), np.maximum.reduceat(old, starts)
    same = (low == high) & (low >= 0)
    same[same] &= earlier.block_size[low[same]] == sizes[same]
    return unchanged & same


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


def is_link(
    evidence: float,
    date_a: str | None,
    date_b: str | None,
    threshold: float,
    told_a: Days = NO_DAYS,
    told_b: Days = NO_DAYS,
) -> bool:
    """A probability that reaches the threshold links two articles, unless they were published far apart and no day
    one names is one of the other's own days (``told_a``, ``told_b``: :func:`.story_dates.days_meet`)."""
    days = _days_apart(date_a, date_b)
    far = days is not None and days > MAX_DAYS_APART and not days_meet(told_a, told_b)
    return evidence >= threshold and not far


def cut_block(
    members: np.ndarray,
    x: csr_matrix,
    edges: Mapping[tuple[int, int], float],
    dates: Sequence[str | None],
    settings: StorySettings,
    told: Sequence[Days] | None = None,
) -> list[np.ndarray]:
    """The stories of one connected block of linked articles (``members``, sorted indexes): average linkage on the
    probability that two articles report one event, cut where it falls below ``link_probability``
    (:func:`average_cut`), then each article left alone joined to the story of its strongest link
    (:func:`join_lone`). Arguments: :func:`block_probability`.
    """
    if len(members) <= 2 or len(members) > MAX_BLOCK:
        return [members]
    p = block_probability(members, x, edges, dates, settings, told)
    cut = join_lone(average_cut(p, settings.link_probability), p, settings.link_probability)
    return [members[cut == c] for c in np.unique(cut)]


def block_probability(
    members: np.ndarray,
    x: csr_matrix,
    edges: Mapping[tuple[int, int], float],
    dates: Sequence[str | None],
    settings: StorySettings,
    told: Sequence[Days] | None = None,
) -> np.ndarray:
    """The probability that two ``members`` report one event, for every two of them, far-apart dates applied.

    ``edges`` holds at least the links inside the block (with shared material counted); ``x`` and ``dates`` are
    indexed like ``members``' values, and so is ``told`` (the days each text tells, which lift the date veto
    where they meet).
    """
    local = {int(m): k for k, m in enumerate(members)}
    block = x[members]
    p = probability((block @ block.T).toarray(), 0.0, settings)
    for (i, j), v in edges.items():
        if i in local and j in local:
            p[local[i], local[j]] = p[local[j], local[i]] = v
    days = np.array([_day(dates[m]) for m in members], dtype=np.float64)  # NaN: no date, which vetoes nothing
    far = np.abs(days[:, None] - days[None, :]) > MAX_DAYS_APART
    if told:
        for a, b in meeting_pairs([told[m] for m in members]):
            far[a, b] = far[b, a] = False
    p[far] = 0.0
    return p


def average_cut(p: np.ndarray, threshold: float) -> np.ndarray:
    """A story label per member: average linkage on the probabilities ``p``, cut where the mean falls below
    ``threshold``."""
    condensed = np.clip(1.0 - p[np.triu_indices(len(p), k=1)], 0.0, 1.0)
    return np.asarray(fcluster(linkage(condensed, method="average"), t=1.0 - threshold, criterion="distance"))


def join_lone(cut: np.ndarray, p: np.ndarray, threshold: float) -> np.ndarray:
    """The cut (a label per member) with each member it left alone moved to the story of its strongest link (``p``:
    the members' probabilities, dates applied) where that link reaches ``threshold``.

    Average linkage keeps an article out of a story when its mean probability with the members is low, which is
    what a report of one side of an event has: a strong link to the member that tells that side, weak ones to the
    rest. A story of two or more is left as it is: that is how a second event of the same kind looks.
    """
    size = np.bincount(cut)
    lone, grouped = np.flatnonzero(size[cut] == 1), np.flatnonzero(size[cut] > 1)
    if not len(lone) or not len(grouped):
        return cut
    links = p[np.ix_(lone, grouped)]
    strong = links.max(axis=1) >= threshold
    joined = cut.copy()
    joined[lone[strong]] = cut[grouped[links[strong].argmax(axis=1)]]
    return joined


def name_stories(articles: Sequence[Article], labels: np.ndarray) -> list[Story]:
    """One story per label, biggest first (then by first id), named by its earliest title or first words."""
    groups: dict[int, list[Article]] = {}
    for article, label in zip(articles, labels, strict=True):
        groups.setdefault(int(label), []).append(article)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), min(a.id for a in g)))
    return [
        Story(id=f"s{k}", articles=tuple(sorted(a.id for a in group)), label=story_label(group))
        for k, group in enumerate(ordered, start=1)
    ]


def story_label(group: Sequence[Article]) -> str:
    """A story's name: the earliest title of its articles (``group``, in article order), or the first words of the
    first article when none has a title."""
    titled = sorted((a.date or "9999", a.id, a.title) for a in group if a.title)
    return titled[0][2] if titled else _first_words(group[0]) or ""


# a dateline opening a report ("WEST PALM BEACH, Fla. —", "LONDON (Reuters) -"): where, not what. Words in capitals
# of two letters or more, then a dash set off by a space ("US-led", "COVID-19" and "A US-" are no dateline)
_CAPS = r"[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ.'’]+(?:-[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ.'’]*)*"  # PORT-AU-PRINCE
_DATELINE = re.compile(
    rf"{_CAPS}(?:\s+{_CAPS})*(?:\s*,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)?(?:\s*\([^)]{{1,40}}\))?\s*(?:[—–]|\s-)\s*"
)


def _first_words(article: Article, words: int = 12) -> str:
    """The first words of the article's first sentence after a dateline, or of its second when the first is only a
    dateline (a story's name when no article has a title)."""
    first = [s.text for s in article.sentences[:2]] or [article.text]
    text = first[0]
    dateline = _DATELINE.match(text)
    if dateline:
        text = text[dateline.end() :] or (first[1] if len(first) > 1 else text)
    head = text.split(maxsplit=words)  # the words wanted, and the rest if any
    return " ".join(head[:words]) + ("…" if len(head) > words else "")
