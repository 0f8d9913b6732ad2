"""Stage 6: name the kind of reuse between two aligned articles, or none.

* ``copy``: most of one text is there, with its facts, mostly in the same words;
* ``rewrite``: most of one text is there, with its facts, mostly reworded (a text retold keeps its names,
  dates and numbers; the same template filled with other facts, as crime briefs are, reports another event);
* ``excerpt``: a part is taken, beyond direct quotations;
* ``shared-quotes``: the only common material is direct quotations (both may quote the same speaker), not only
  stock phrases.

Pairs whose links are too few to be more than a shared topic are not reported (``None``). Links the aligner
made but that are neither quotations nor near word for word (as wholes, or by a long run of words: :func:`has_long_run`)
do not make an excerpt: they are the shared facts of two reports of one event.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Indel
from rapidfuzz.process import cdist

from ..records import Alignment, Relation, Sentence, SentenceLink
from ..settings import ClassifySettings
from .align import MIN_WORDS, has_long_run, lettered_words, normalise, own_chars, unquoted_text
from .boilerplate import is_call_for_tips, is_prompt
from .divergences.facts import sentence_facts

_FIRST_PERSON = re.compile(r"\b(?:I|me|my|myself)\b")
QUOTE_WORDING = 0.85  # character similarity at which two quotations are the same words


def is_substantial(sentence: Sentence) -> bool:
    """Long enough to count as evidence of reuse: headings, numbers and fragments ("Dr.", "7.") are not."""
    return lettered_words(sentence.text) >= MIN_WORDS


# a stock sentence is short (the longest of GVA's repeated ones, read, have 10 words); a change here changes
# relations: bump store.index.SCORING_VERSION with it
STOCK_WORDS = 10


def is_stock(sentence: Sentence) -> bool:
    """Stock phrasing: a short sentence that names nothing (no name, no number with a unit, no date: "No arrests
    have been made.", "The shooting remains under investigation.", or quoted, "I don't know."), or a prompt to the
    reader or call for tips (:func:`.boilerplate.is_prompt`), which every report of a crime in one city carries in
    the same words. Reports of unrelated events share it, so two articles that share only such sentences have not
    shown that one took from the other, nor that they quote one speaker; beside a sentence that names something, it
    is part of the passage taken."""
    return _stock_text(sentence.text)


@lru_cache(maxsize=1 << 16)
def _stock_text(text: str) -> bool:
    plain = lettered_words(text) <= STOCK_WORDS and not _sentence_facts(text)
    return plain or is_prompt(text)


def is_stock_pair(a: Sentence, b: Sentence) -> bool:
    """Whether a link between ``a`` and ``b`` is stock phrasing (:func:`is_stock` on either side)."""
    return is_stock(a) or is_stock(b)


def _quoted(article_text: str, sentence: Sentence) -> list[str]:
    return [normalise(article_text[s:e]) for s, e in sentence.quote_spans if sentence.start <= s < sentence.end]


def is_quote_link(link: SentenceLink, a: Sequence[Sentence], b: Sequence[Sentence], a_text: str, b_text: str) -> bool:
    """True when what two linked sentences share is a direct quotation, not the reporter's words.

    Two sentences that both speak in the first person outside quotation marks quote someone too: a memo, a letter
    or a statement set off as a block, which reports of one event quote as a matter of course.
    """
    if _first_person(a[link.a]) and _first_person(b[link.b]):
        return True
    qa, qb = _quoted(a_text, a[link.a]), _quoted(b_text, b[link.b])
    if not qa or not qb:  # one side quotes it, the other dropped the marks (or took the quotation whole)
        quoted, other = (qa, b[link.b]) if qa else (qb, a[link.a])
        whole = normalise(other.text)
        return any(Indel.normalized_similarity(q, whole) >= QUOTE_WORDING for q in quoted)
    if not any(Indel.normalized_similarity(x, y) >= QUOTE_WORDING for x in qa for y in qb):
        # mostly quotation on both sides, one speaker: two transcriptions (or translations) of what they said
        sa, sb = a[link.a], b[link.b]
        return sa.quote and sb.quote and sa.speaker is not None and sa.speaker == sb.speaker
    # the words around the quotation differ: each side reports the quote in its own way
    outside_a = normalise(unquoted_text(a[link.a]))
    outside_b = normalise(unquoted_text(b[link.b]))
    return Indel.normalized_similarity(outside_a, outside_b) < 0.8 or (a[link.a].quote and b[link.b].quote)


def quotation_pairs(a: Sequence[Sentence], b: Sequence[Sentence], a_text: str, b_text: str) -> np.ndarray:
    """Which sentence pairs (len(a) x len(b)) could be a quotation link (:func:`is_quote_link`) once linked: one
    quotes in nearly the same words what the other quotes or says, both are mostly the words of one speaker, or
    both speak in the first person outside quotation marks."""
    out = _quoting(a, a_text, b, b_text) | _quoting(b, b_text, a, a_text).T
    first = [np.array([_first_person(s) for s in side], dtype=bool) for side in (a, b)]
    out |= first[0][:, None] & first[1][None, :]
    for i, sa in enumerate(a):
        if sa.quote and sa.speaker is not None:
            out[i] |= np.array([sb.quote and sb.speaker == sa.speaker for sb in b], dtype=bool)
    return out


def _quoting(a: Sequence[Sentence], a_text: str, b: Sequence[Sentence], b_text: str) -> np.ndarray:
    """Sentence pairs (len(a) x len(b)) where a quotation in A's sentence is, in nearly the same words, B's sentence
    or a quotation in it."""
    out = np.zeros((len(a), len(b)), dtype=bool)
    mine = [(i, q) for i, s in enumerate(a) for q in _quoted(a_text, s)]
    if not mine:
        return out
    theirs = [(j, normalise(s.text)) for j, s in enumerate(b)] + [
        (j, q) for j, s in enumerate(b) for q in _quoted(b_text, s)
    ]
    close = cdist(
        [q for _, q in mine], [t for _, t in theirs], scorer=Indel.normalized_similarity, score_cutoff=QUOTE_WORDING
    )
    for k, t in zip(*np.nonzero(close > 0), strict=True):
        out[mine[k][0], theirs[t][0]] = True
    return out


def _first_person(sentence: Sentence) -> bool:
    """Whether the sentence speaks in the first person outside its quotation marks."""
    return bool(_FIRST_PERSON.search(unquoted_text(sentence)))


def _most_of_it_there(links: Sequence[SentenceLink], a: Sequence[Sentence], b: Sequence[Sentence]) -> bool:
    """Whether the linked sentences are half or more of either text, counted by their characters outside quotations
    (as for the strength). Two briefs that share only their appeal for witnesses and a sign-off line share those
    words word for word, and little else: no copy."""
    return any(
        bool(own.sum()) and own[sorted(linked)].sum() >= 0.5 * own.sum()
        for own, linked in ((own_chars(a), {k.a for k in links}), (own_chars(b), {k.b for k in links}))
    )


MIN_FACTS = 6  # fewer facts say too little about whether they were kept


def facts_kept(a: Sequence[Sentence], b: Sequence[Sentence]) -> float | None:
    """Of the specific facts of the text that has fewer (names; numbers with a unit, dates, sums of money, shares:
    :func:`~.divergences.facts.sentence_facts`; none from a call for tips, :func:`_facts`), the share that the
    other text has too; None when it has fewer than :data:`MIN_FACTS`. A rewrite keeps its source's facts
    (language-model rewrites keep nearly all); two briefs written to one template (a shooting, its time, the
    victim's age, the street) share the wording and little else."""
    fa, fb = _facts(a), _facts(b)
    few, many = (fa, fb) if len(fa) <= len(fb) else (fb, fa)
    return len(few & many) / len(few) if len(few) >= MIN_FACTS else None


def _keeps_facts(a: Sequence[Sentence], b: Sequence[Sentence], least: float) -> bool:
    kept = facts_kept(a, b)
    return kept is None or kept >= least


def _facts(sentences: Sequence[Sentence]) -> frozenset[tuple[object, ...]]:
    """The specific facts of the sentences but those that ask for tips or speak to the reader
    (:func:`~.boilerplate.is_call_for_tips`): an outlet's tip line, its crime-stoppers number and its name are in
    every brief it writes."""
    return frozenset().union(*(_sentence_facts(s.text) for s in sentences if not is_call_for_tips(s.text)))


@lru_cache(maxsize=1 << 16)
def _sentence_facts(text: str) -> frozenset[tuple[object, ...]]:
    return frozenset((f.kind, f.key) for f in sentence_facts(text) if f.specific)


# The strength (align.pair_strength) of pairs of independent reports of one event (NewsWCL50: 10 events, 5 outlets
# each, 100 pairs, aligned whole): its logit is close to normal with this mean and spread (bench/reuse_bar.py
# --chance). Two values fitted on data under CC BY-SA 4.0 and shared under it: see docs/quality.md for the notice.
INDEPENDENT_LOGIT_MEAN = -2.981
INDEPENDENT_LOGIT_SPREAD = 0.557


def chance(strength: float) -> float:
    """The share of pairs of independent reports of one event (same facts and quotations, no copying) whose strength
    reaches ``strength``: how often the pair's evidence would arise without reuse. Estimated from the fitted
    logit-normal (:data:`INDEPENDENT_LOGIT_MEAN`), so it goes below the 1 in 100 the data could show directly."""
    s = min(max(strength, 1e-6), 1 - 1e-6)
    z = (math.log(s / (1 - s)) - INDEPENDENT_LOGIT_MEAN) / INDEPENDENT_LOGIT_SPREAD
    return 0.5 * math.erfc(z / math.sqrt(2))


def classify(
    alignment: Alignment,
    a: Sequence[Sentence],
    b: Sequence[Sentence],
    a_text: str,
    b_text: str,
    settings: ClassifySettings,
) -> tuple[Relation | None, float]:
    """The relation of the pair and its strength in [0, 1], or (None, 0.0) when they merely share a topic.

    1. copy or rewrite: one text accounts for the other in order (``alignment.strength`` at ``reuse_strength`` or
       more), mostly in the same words (copy: ``verbatim_share`` of the linked characters word for word, the links
       half or more of one text) or not (rewrite), and keeps its facts (:func:`facts_kept` at ``facts_kept`` or
       more). Links mostly word for word that are less than half of either text go to step 2;
    2. excerpt: a part is taken, beyond direct quotations: sentences of the reporter's own, linked nearly word for
       word (``excerpt_score``; reports of one event share facts in their own words, not their sentences), or one
       sentence pair that shares a long run of words (:func:`has_long_run`), not all of them stock phrasing
       (:func:`is_stock`). A pair strong enough for step 1 that did not keep its facts
       comes here too: the sentences it took word for word (a template's fixed lines, a shared paragraph) are
       still an excerpt;
    3. shared quotations: all that is shared is what someone said, and not only stock phrases ("I don't know.",
       "He didn't deserve this.": what people say after any shooting).
    """
    links = alignment.links
    score = alignment.strength
    # 1.
    if score >= settings.reuse_strength and links and _keeps_facts(a, b, settings.facts_kept):
        verbatim_chars = sum(a[k.a].end - a[k.a].start for k in links if k.verbatim)
        linked_chars = sum(a[k.a].end - a[k.a].start for k in links)
        if verbatim_chars < settings.verbatim_share * linked_chars:
            return "rewrite", score
        if _most_of_it_there(links, a, b):
            return "copy", score
        # linked word for word, but less than half of either text: a part taken (an excerpt), or nothing
    # 2.
    evidence = [k for k in links if is_substantial(a[k.a]) and is_substantial(b[k.b])]
    quoted = [is_quote_link(k, a, b, a_text, b_text) for k in evidence]
    own = [k for k, q in zip(evidence, quoted, strict=True) if not q]
    long = [k for k in own if has_long_run(a[k.a], b[k.b])]
    strong = [k for k in own if k.score >= settings.excerpt_score or k in long]
    sentences = min(len({k.a for k in strong}), len({k.b for k in strong}))
    enough = sentences >= settings.min_excerpt_sentences or bool(long)
    if enough and not all(is_stock_pair(a[k.a], b[k.b]) for k in strong):
        return "excerpt", score
    # 3.
    if not all(is_stock_pair(a[k.a], b[k.b]) for k, q in zip(evidence, quoted, strict=True) if q):
        return "shared-quotes", score
    return None, 0.0
