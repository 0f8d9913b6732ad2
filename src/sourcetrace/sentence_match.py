"""Sentences of a story's reports that say the same thing, found by the content words they share.

The digest counts a sentence as carried by the reports that have a sentence saying the same, and compares the
facts of such sentences across reports written independently. Words are indexed and each sentence meets a bounded
number of others, so the cost follows the story's sentences, not their pairs. Helpers on sentence text that the
digest's parts share (words, stems, headlines, web addresses) live here too.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from .records import Article, Pair, Sentence

MIN_SHARED_WORDS = 4  # two sentences of independent reports say the same thing: this many content words in common
MIN_DICE = 0.6  # ... and this share of their content words
POSTINGS_BUDGET = 400  # word postings followed for one sentence, its rarest words first
MAX_CANDIDATES = 64  # sentences compared in full with one sentence, those sharing most of its rare words
# web addresses: their numbers are no facts
ADDRESS = re.compile(r"https?:|www\.|\w\.\s?(?:com|org|net|co\.uk)\b|\w/\w")

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
STOP = frozenset(
    """a about after again against all also an and any are as at be been before being between both but by can could
    did do does during each for from had has have he her here him his how if in into is it its just more most no nor
    not now of off on once one only or other our out over own said says same she should so some such than that the
    their them then there these they this those through to too told under until up very was we were what when where
    which while who whom why will with would you your according added reported""".split()  # noqa: SIM905
)

SentenceKey = tuple[str, int]  # (article, sentence index)


def stem(word: str) -> str:
    """A crude stem that equates the inflections met across reports (killed/kills, reports/report)."""
    word = word.lower().replace("’", "'")
    for ending in ("'s", "ing", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def content_words(sentence: Sentence) -> frozenset[str]:
    """The stems of a sentence's words that carry its content (no stop words, no words of two letters)."""
    return frozenset(stem(w) for w in WORD.findall(sentence.text) if w.lower() not in STOP and len(w) > 2)


def same_sentences(members: Sequence[Article], pairs: Sequence[Pair]) -> dict[SentenceKey, set[SentenceKey]]:
    """For each sentence, the sentences of other reports that say the same thing: the sentence links of the reuse
    pairs, and, between any two reports, sentences sharing most of their content words.

    Words are indexed, and each sentence meets a bounded number of others (:func:`_partners`).
    """
    matches: dict[SentenceKey, set[SentenceKey]] = defaultdict(set)
    for p in pairs:
        for passage in p.passages:
            for link in passage.links:
                matches[(p.a, link.a)].add((p.b, link.b))
                matches[(p.b, link.b)].add((p.a, link.a))
    words: dict[SentenceKey, frozenset[str]] = {}
    index: dict[str, list[SentenceKey]] = defaultdict(list)
    for article in members:
        for s in article.sentences:
            content = content_words(s)
            if len(content) >= MIN_SHARED_WORDS:
                words[(article.id, s.index)] = content
                for w in content:
                    index[w].append((article.id, s.index))
    for key, content in words.items():
        for other in _partners(key, content, words, index):
            matches[key].add(other)
            matches[other].add(key)
    return matches


def _partners(
    key: SentenceKey,
    content: frozenset[str],
    words: Mapping[SentenceKey, frozenset[str]],
    index: Mapping[str, list[SentenceKey]],
) -> list[SentenceKey]:
    """The best sentence of each other report that shares most of this one's content words.

    Candidates come from the sentence's rarest words first, within a budget of postings, and only the most
    promising are compared in full: each sentence costs a bounded amount whatever the story's size (a story of
    syndicated copies, where every word is everywhere, gets its matches from the reuse pairs' links instead).
    """
    shared: Counter[SentenceKey] = Counter()
    budget = POSTINGS_BUDGET
    for w in sorted(content, key=lambda w: len(index[w])):
        postings = index[w]
        if len(postings) > budget:
            break
        budget -= len(postings)
        shared.update(o for o in postings if o[0] != key[0])
    best: dict[str, tuple[int, SentenceKey]] = {}
    for other, _ in shared.most_common(MAX_CANDIDATES):
        n = len(content & words[other])
        close = n >= MIN_SHARED_WORDS and 2 * n >= MIN_DICE * (len(content) + len(words[other]))
        if close and (other[0] not in best or (n, other) > best[other[0]]):
            best[other[0]] = (n, other)
    return [other for _, other in best.values()]


def headline(sentence: str) -> bool:
    """A headline in title case: most of its longer words capitalised, and no full stop at its end."""
    words = [w for w in WORD.findall(sentence) if len(w) > 3]
    capitals = sum(w[0].isupper() for w in words)
    return len(words) >= 3 and 2 * capitals > len(words) and not sentence.rstrip().endswith((".", '."', ".”"))


def is_address(sentence: Sentence) -> bool:
    return bool(ADDRESS.search(sentence.text))


class UnionFind:
    """Groups joined by any link between their members (joined mentions, grouped quotations)."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, n: int) -> int:
        while self.parent[n] != n:
            self.parent[n] = self.parent[self.parent[n]]
            n = self.parent[n]
        return n

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)

    def sets(self) -> list[list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for n in range(len(self.parent)):
            out[self.find(n)].append(n)
        return list(out.values())
