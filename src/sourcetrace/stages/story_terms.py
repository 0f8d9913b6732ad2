"""What each article brings to stage 9 (see :mod:`.stories`): its words and event terms, weighted by rarity.

An article's terms are found wherever the article is (a worker process of ``scan``, a partition of the Spark job),
batch by batch (:class:`StoryTerms`): all but the conditions that only the whole collection settles (is a
capitalised word that opens a sentence a name, or a common word that the collection also writes in lower case?).
The main process brings the batches together by the hashes of their terms, settles those conditions and builds
the matrix whose row products are the model's evidence (:func:`term_matrix`), reading the text of each distinct
term once.
"""

from __future__ import annotations

import heapq
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

from ..encoder import word_ranks
from ..records import Article
from ..settings import StorySettings, default_model_dir

_NAME = re.compile(r"\b[A-Z][\w’'.-]*(?:\s+(?:of\s+|de\s+|al-)?[A-Z][\w’'.-]*)*")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)"
    r"(?:\s+\d{1,2})?\b"
)
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_POSSESSIVE = re.compile(r"'s?$")
_LOWER_WORD = re.compile(r"\b[a-z][a-z’']*\b")
_OPENING = " \"'“‘([—–-"  # what may stand before a sentence's first word
_PRONOUN = frozenset({"i", "i'm", "i've", "i'll", "i'd"})  # capitalised wherever they stand: never a name
_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True)
class Mentions:
    """What an article mentions, before the collection decides which capitalised words are names.

    ``names``: runs of capitalised words (casefolded, joined by a space) inside a sentence; ``openers``: those that
    open one; ``terms``: months, years and numbers, already terms; ``words``: the article's heaviest words. Found per
    article, anywhere (a worker process, a Spark partition), and made :class:`StoryTerms` there. Each kind is one
    string, a line per mention (repeated as often as it occurs).
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
            words = [w for w in map(_word, match.group().strip(".’'-").split()) if w not in _PRONOUN]
            if words:
                opens = not sentence.text[: match.start()].strip(_OPENING)
                (openers if opens else names).append(" ".join(words))
    text = " ".join(s.text for s in article.sentences or [])
    terms = ["d:" + " ".join(m.casefold().split()) for m in _MONTH.findall(text)]
    terms += ["y:" + m for m in _YEAR.findall(text)]
    terms += ["#:" + m.rstrip(".,") for m in _NUMBER.findall(text) if not _YEAR.fullmatch(m)]
    counts = Counter(w.casefold() for w in _CONTENT_WORD.findall(text))
    rarity = rarity or Rarity.load()
    heavy = heapq.nlargest(MOST_WORDS, counts, key=lambda w: ((1 + math.log(counts[w])) * rarity(w), w))
    words = [w for w in sorted(heavy) for _ in range(counts[w])]
    return Mentions("\n".join(names), "\n".join(openers), "\n".join(terms), "\n".join(words))


def _word(word: str) -> str:
    """A word as names and common words are compared: case folded, one apostrophe, no possessive ("Russia’s",
    "Russia's" and "Russia" are one name; "Jones'" is "Jones"; "Don’t" is "don't")."""
    return _POSSESSIVE.sub("", word.casefold().replace("’", "'"))


def _counted(lines: str) -> Counter[str]:
    return Counter(lines.split("\n")) if lines else Counter()


def event_terms(found: Mentions, common: frozenset[str]) -> Counter[str]:
    """Names, dates and numbers an article mentions, as lower-case terms with counts, and its words (``w:``).

    ``common``: words the collection also writes in lower case (see :func:`common_words`); a capitalised one
    opening a sentence is not taken for a name, and the words of a longer name count on their own unless common.
    """
    fixed, conditional = _article_terms(found, common)
    terms = Counter(fixed)
    for term, count, _, opener, opener_common in conditional:  # their words and openers are not common
        if not opener or not opener_common:
            terms[term] += count
    return terms


Conditional = tuple[str, int, str, str, bool]  # (term, count, word, opener, opener_common): see _article_terms


def _article_terms(found: Mentions, common: frozenset[str]) -> tuple[dict[str, int], list[Conditional]]:
    """The terms :func:`event_terms` counts, as far as ``common`` settles them: the terms that count, with their
    counts, and the mentions whose counting is left open, ``(term, count, word, opener, opener_common)``: one counts
    unless ``word`` is one of the collection's common words and, for a run of capitalised words that opens a
    sentence, only if its first word ``opener`` is common or not, as ``opener_common`` says ("": no such condition).

    ``common``: words known to be common, the collection's or those of the texts at hand (common in any collection
    that holds them)."""
    fixed = dict(_counted(found.terms))
    fixed.update({"w:" + word: count for word, count in _counted(found.words).items()})
    names = _counted(found.names)
    fixed.update({"n:" + name: count for name, count in names.items()})
    conditional = [("n:" + w, k, w, "", False) for name, k in names.items() if " " in name for w in name.split(" ")]
    for name, k in _counted(found.openers).items():
        opener, _, rest = name.partition(" ")
        # the opener not common: the whole run is a name, and its words unless common
        conditional.append(("n:" + name, k, "", opener, False))
        if rest:
            conditional += [("n:" + w, k, w, opener, False) for w in name.split(" ")]
            # the opener common: the rest is a name, and its words unless common
            conditional.append(("n:" + rest, k, "", opener, True))
            if " " in rest:
                conditional += [("n:" + w, k, w, opener, True) for w in rest.split(" ")]
    left = []
    for term, k, word, opener, opener_common in conditional:
        if word in common or (opener in common and not opener_common):
            continue  # never counts
        if opener in common:
            opener = ""  # its condition holds
        if word or opener:
            left.append((term, k, word, opener, opener_common))
        else:
            fixed[term] = fixed.get(term, 0) + k
    return fixed, left


def common_words(texts: Iterable[str]) -> frozenset[str]:
    """Words that also appear in lower case: capitalised only at a sentence start, not names."""
    lower: set[str] = set()
    for text in texts:
        lower.update(map(_word, _LOWER_WORD.findall(text)))
    return frozenset(lower)


class Rarity:
    """How much a word says about which event an article reports: the log of its rank in the encoder vocabulary's
    frequency order (:func:`encoder.word_ranks`), the same for every collection. "the" weighs nothing, "shooting"
    little, "cosmodrome" (not a whole word of the vocabulary), numbers and dates the most."""

    def __init__(self, ranks: Mapping[str, int]) -> None:
        self._weights = {word: self._of(rank) for word, rank in ranks.items()}  # looked up millions of times a scan
        self.most = self._of(max(ranks.values(), default=0) + 1)

    @classmethod
    def load(cls, model_dir: Path | None = None) -> Rarity:
        return _rarity(Path(model_dir) if model_dir else default_model_dir())

    @staticmethod
    def _of(rank: int) -> float:
        return math.log1p(rank / RANK_SCALE)

    def __call__(self, word: str) -> float:
        return self._weights.get(word, self.most)

    def of_term(self, term: str) -> float:
        """A term's weight: its word's, a name's rarest word's; dates and numbers weigh the most."""
        kind, text = term[0], term[2:]
        return self(text) if kind == "w" else max(map(self, text.split())) if kind == "n" else self.most


RANK_SCALE = 1000  # ranks below this weigh little (function words, the commonest verbs and nouns)


@lru_cache(maxsize=4)
def _rarity(model_dir: Path) -> Rarity:
    return Rarity(word_ranks(model_dir))


def term_vectors(articles: Sequence[Article], settings: StorySettings, rarity: Rarity) -> csr_matrix:
    """The articles' story vectors (:func:`term_matrix`)."""
    common = common_words(a.text for a in articles)
    return term_matrix([story_terms((mentions(a, rarity) for a in articles), common)], common, settings, rarity)


@dataclass(frozen=True)
class StoryTerms:
    """The terms some articles may count (:func:`event_terms`), found wherever the articles are (a worker process, a
    Spark partition), before the collection's common words are known, in compact arrays.

    ``texts``: the distinct terms, UTF-8, each closed by a newline, with their :func:`term_hashes` in ``hashes``.
    Each article has a slot per term it may count: ``slots`` holds (term, count) per slot, the count that of the
    mentions that count whatever the rest of the collection, and ``starts`` where each article's slots begin (and
    one past the last). ``extra`` holds the mentions that count only under a condition (:func:`_article_terms`),
    their words by hash (0: none). Made by :func:`story_terms`, brought together by :func:`term_matrix`.
    """

    texts: bytes
    hashes: np.ndarray
    starts: np.ndarray
    slots: np.ndarray
    extra: np.ndarray


SLOT = np.dtype([("term", np.int32), ("count", np.int32)])
EXTRA = np.dtype(
    [("slot", np.int32), ("count", np.int32), ("word", np.uint64), ("opener", np.uint64), ("opener_common", bool)]
)


def story_terms(found: Iterable[Mentions], common: frozenset[str] = frozenset()) -> StoryTerms:
    """The :class:`StoryTerms` of articles with these mentions, in their order. ``common``: words their texts write
    in lower case (:func:`common_words`), common in any collection that holds them: conditions on them are settled
    here."""
    lines: list[str] = []  # every article's terms, one after another: those that count, then the conditional ones
    counts, sizes, conditional = array("i"), array("q"), []
    for mentioned in found:
        fixed, more = _article_terms(mentioned, common)
        lines += [*fixed, *(c[0] for c in more)]
        counts.extend([*fixed.values(), *(c[1] for c in more)])
        sizes.extend((len(fixed), len(more)))
        conditional += more
    texts, hashes, term = _by_hash(lines)
    # a slot per distinct (article, term), in that order
    per_kind = np.frombuffer(sizes, dtype=np.int64)
    articles, width = len(per_kind) // 2, max(len(hashes), 1)
    article = np.repeat(np.arange(articles), per_kind[0::2] + per_kind[1::2])
    key, slot = np.unique(article * width + term, return_inverse=True)
    is_extra = np.repeat(np.tile([False, True], articles), per_kind)
    tf = np.frombuffer(counts, dtype=np.int32)
    slots = np.zeros(len(key), dtype=SLOT)
    slots["term"] = key % width
    slots["count"] = np.bincount(slot[~is_extra], tf[~is_extra], len(key))
    extra = np.zeros(len(conditional), dtype=EXTRA)
    extra["slot"], extra["count"] = slot[is_extra], tf[is_extra]
    extra["word"] = _word_hashes([c[2] for c in conditional])
    extra["opener"] = _word_hashes([c[3] for c in conditional])
    extra["opener_common"] = [c[4] for c in conditional]
    return StoryTerms(texts, hashes, np.searchsorted(key // width, np.arange(articles + 1)), slots, extra)


def _by_hash(lines: list[str]) -> tuple[bytes, np.ndarray, np.ndarray]:
    """The distinct lines in the order of their hashes (so that :func:`term_matrix` looks them up in order), as
    newline-closed UTF-8 text, their hashes, and each line's index among them."""
    index: dict[str, int] = {}
    found = np.array([index.setdefault(line, len(index)) for line in lines], dtype=np.int64)
    distinct = list(index)
    hashes = term_hashes(distinct)
    order = np.argsort(hashes)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    ordered = [distinct[k] for k in order.tolist()]
    return ("\n".join(ordered) + "\n" if ordered else "").encode(), hashes[order], rank[found]


def _word_hashes(words: list[str]) -> np.ndarray:
    """:func:`term_hashes`, 0 for no word."""
    return np.where([bool(w) for w in words], term_hashes(words), 0).astype(np.uint64)


def term_hashes(texts: Sequence[str]) -> np.ndarray:
    """A 64-bit hash of each text (without newlines): a polynomial over its UTF-8 bytes and a closing newline,
    modulo 2**64, the same in every process. Terms found in different places are brought together by these
    numbers; two different terms of a collection with one hash would be taken for one term (for a million terms,
    a chance in the order of one in ten million)."""
    return _hashes(("\n".join(texts) + "\n").encode() if texts else b"")


def _hashes(data: bytes) -> np.ndarray:
    """:func:`term_hashes` of the newline-closed lines of ``data``."""
    if not data:
        return np.zeros(0, dtype=np.uint64)
    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    starts = np.concatenate([[0], ends[:-1] + 1])
    position = np.arange(len(raw)) - np.repeat(starts, ends + 1 - starts)
    powers = np.cumprod(np.full(int(position.max()) + 1, _HASH_BASE, dtype=np.uint64))  # wraps modulo 2**64
    return np.add.reduceat(raw.astype(np.uint64) * powers[position], starts)


_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)  # odd


def term_matrix(
    batches: list[StoryTerms], common: frozenset[str], settings: StorySettings, rarity: Rarity
) -> csr_matrix:
    """The matrix of :func:`term_matrix_and_columns`."""
    return term_matrix_and_columns(batches, common, settings, rarity)[0]


def term_matrix_and_columns(
    batches: list[StoryTerms], common: frozenset[str], settings: StorySettings, rarity: Rarity
) -> tuple[csr_matrix, list[str]]:
    """One sparse row per article such that the dot product of two rows is the evidence the model adds up:
    ``words`` x the cosine of their words + ``terms`` x the cosine of their event terms, each term weighted by
    (1 + log count) x :class:`Rarity` (of a name's rarest word).

    The articles come in batches of :class:`StoryTerms`, in order; the list is emptied as they are read. Here the
    collection's ``common`` words decide the conditional mentions, the batches' terms are brought together by
    their hashes, and only the text of each distinct term is read (to weigh it and to order the columns).
    Columns are in term order and each row is added up in column order, so any input order and any batching give
    the same matrix; and since two rows' product is added up in that order too, it is the same, bit for bit, in
    any matrix that holds the two rows. Also returns each column's term."""
    known = np.sort(term_hashes(list(common)))
    rows, ids, tfs, hashes, texts = [], [], [], [], []
    batches.reverse()
    while batches:
        batch = batches.pop()
        extra = batch.extra
        opener = extra["opener"]
        holds = ~_among(extra["word"], known) & ((opener == 0) | (_among(opener, known) == extra["opener_common"]))
        counts = batch.slots["count"] + np.bincount(extra["slot"][holds], extra["count"][holds], len(batch.slots))
        kept = counts > 0
        rows.append(np.diff(np.concatenate([[0], np.cumsum(kept)])[batch.starts]))  # slots kept per article
        ids.append(batch.slots["term"][kept])
        tfs.append(counts[kept])
        hashes.append(batch.hashes)
        texts.append(batch.texts)
    # the distinct terms, by hash; those some article counts, and the text of one occurrence of each
    distinct = np.sort(np.concatenate([np.zeros(0, np.uint64), *hashes]))
    distinct = distinct[np.concatenate([[True], distinct[1:] != distinct[:-1]])] if len(distinct) else distinct
    occurrence = np.zeros((len(distinct), 2), dtype=np.int64)  # (batch, term), any one
    for k, (batch_hashes, batch_ids) in enumerate(zip(hashes, ids, strict=True)):
        found = np.searchsorted(distinct, batch_hashes)  # in order: each search starts where the last ended
        occurrence[found] = np.stack([np.full(len(found), k), np.arange(len(found))], axis=1)
        ids[k] = found[batch_ids]
    terms = np.concatenate([np.zeros(0, np.int64), *ids])
    used = np.bincount(terms, minlength=len(distinct)) > 0
    terms = (np.cumsum(used, dtype=np.int32) - 1)[terms]
    vocab = _texts(occurrence[used], texts)
    del hashes, texts, ids, occurrence
    column = np.empty(len(vocab), dtype=np.int32)
    by_column = sorted(range(len(vocab)), key=vocab.__getitem__)
    column[by_column] = np.arange(len(vocab))
    weight = np.array([rarity.of_term(t) for t in vocab], dtype=np.float64)
    is_word = np.zeros(len(vocab), dtype=bool)
    is_word[column] = [t.startswith("w:") for t in vocab]  # by column
    per_row = np.concatenate([np.zeros(0, np.int64), *rows])
    n = len(per_row)
    values = np.concatenate([np.zeros(0), *tfs])  # (1 + log count) x weight, in place: memory is the limit here
    del tfs
    np.log(values, out=values)
    values += 1
    values *= weight[terms]
    x = csr_matrix((values, column[terms], np.concatenate([[0], np.cumsum(per_row)])), shape=(n, max(len(vocab), 1)))
    del values, terms
    x.sum_duplicates()  # sorts each row by column (a term twice in a row only if two terms shared a hash)
    # each kind normalised on its own, then scaled by its weight in the model
    row, words = np.repeat(np.arange(n, dtype=np.int32), np.diff(x.indptr)), is_word[x.indices]
    for mask, factor in ((words, settings.words), (~words, settings.terms)):
        norms = np.sqrt(np.bincount(row[mask], weights=x.data[mask] ** 2, minlength=n))
        x.data[mask] *= math.sqrt(factor) / np.maximum(norms[row[mask]], 1e-12)
    return x, [vocab[k] for k in by_column]


def _among(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Which ``values`` are in ``known`` (sorted)."""
    if not len(known):
        return np.zeros(len(values), dtype=bool)
    return known[np.minimum(np.searchsorted(known, values), len(known) - 1)] == values


def _texts(at: np.ndarray, texts: Sequence[bytes]) -> list[str]:
    """The terms at ``at``, (batch, line) pairs, of the batches' ``texts`` (newline-closed UTF-8 lines)."""
    found = np.empty(len(at), dtype=object)
    by_batch = np.argsort(at[:, 0], kind="stable")
    bounds = np.searchsorted(at[by_batch, 0], np.arange(len(texts) + 1))
    for k, text in enumerate(texts):
        chosen = by_batch[bounds[k] : bounds[k + 1]]
        if len(chosen):
            ends = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == 10)
            found[chosen] = [text[ends[i - 1] + 1 if i else 0 : ends[i]].decode() for i in at[chosen, 1].tolist()]
    return found.tolist()


MOST_WORDS = 60  # words kept per article (mentions)
