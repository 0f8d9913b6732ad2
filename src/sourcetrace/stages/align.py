"""Stage 5: align two articles sentence by sentence, and judge single sentence pairs.

A link joins a sentence of A with a sentence of B when they carry the same material: the same wording
(character similarity) or the same meaning (transformer cosine). Links may be one-to-many in both
directions (rewrites merge and split sentences) and in any order. Neighbouring links become passages.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Indel

from ..records import Alignment, Divergence, Passage, Sentence, SentenceLink
from ..settings import AlignSettings
from .boilerplate import is_call_for_tips
from .divergences import find_divergences, is_contradiction, same_attribution

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "`": "'", "—": "-", "–": "-"})
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_LETTERED = re.compile(r"\w*[^\W\d_]\w*")  # a word with a letter in it: not a bare number or date part
MIN_WORDS = 4  # shorter sentences (headings, sign-offs, time stamps) link only when near-identical
# words in a row, outside quotations, that independent reports do not share: NewsWCL50's 100 same-event pairs share
# 13 at most (bench/reuse_bar.py --runs); a change here changes relations: bump store.index.SCORING_VERSION with it;
# and it shapes the fingerprints of candidates.run_keys, which the store keeps: a store migration must find them again
LONG_RUN = 25


@lru_cache(maxsize=1 << 17)
def normalise(text: str) -> str:
    """Fold case, quotes, dashes and spacing so that trivial edits do not count as rewording (remembered: a
    sentence is compared with many others)."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).translate(_QUOTES)).strip().casefold()


def wording_similarity(a: str, b: str) -> float:
    """Character-level similarity of two sentences in [0, 1] (1 = same wording)."""
    return float(Indel.normalized_similarity(normalise(a), normalise(b)))


@dataclass(frozen=True, slots=True)
class Judgement:
    """Whether two sentences say the same thing, and how they differ."""

    score: float  # similarity in [0, 1]
    verbatim: bool
    related: bool  # the same material on its own (match_probability), facts may differ
    similar: bool  # close enough to link in an article pair (link_probability)
    match: bool  # related and no contradicting fact
    divergences: tuple[Divergence, ...]


@lru_cache(maxsize=1 << 16)
def words_of(text: str) -> tuple[str, ...]:
    """The text's words, case-folded, in order (remembered: a sentence is compared with many others)."""
    return tuple(_WORD.findall(text.casefold()))


@lru_cache(maxsize=1 << 16)
def lettered_words(text: str) -> int:
    """Number of words with a letter in them."""
    return len(_LETTERED.findall(text))


def word_jaccard(a: str, b: str) -> float:
    """Share of the two sentences' distinct words (case-folded) that both use."""
    wa, wb = word_set(a), word_set(b)
    union = len(wa | wb)
    return len(wa & wb) / union if union else 0.0


def same_meaning(cosine: np.ndarray | float, jaccard: np.ndarray | float, settings: AlignSettings) -> np.ndarray:
    """P(two sentences say the same thing) from their transformer cosine and word Jaccard: a logistic model fitted
    on the STS benchmark (bench/fit_judge.py; the parameters are settings)."""
    z = settings.judge_bias + settings.judge_cosine * np.asarray(cosine) + settings.judge_words * np.asarray(jaccard)
    return 1.0 / (1.0 + np.exp(-z))


def judge(a: str, b: str, cosine: float, settings: AlignSettings) -> Judgement:
    """The aligner's decision for one sentence pair, given the transformer cosine of the two.

    Match: the same wording, or the same meaning with probability ``match_probability`` or more
    (:func:`same_meaning`), and no contradicting fact. Similar (a link in an article pair): the same wording, or
    probability ``link_probability`` or more. The link bar is higher because in an article pair nearly every
    sentence pair is unrelated: a sentence's best partner among many of the same topic is no paraphrase by
    default. A "sentence" without a word of letters (a stray quotation mark, a time stamp) is never similar to
    anything; fragments shorter than :data:`MIN_WORDS` only when in the same wording.
    """
    wording = wording_similarity(a, b)
    words = min(lettered_words(a), lettered_words(b))
    verbatim = wording >= settings.verbatim_ratio and words > 0
    probability = float(same_meaning(cosine, word_jaccard(a, b), settings))
    score = max(wording if verbatim else 0.0, probability)
    same = verbatim or (words >= MIN_WORDS and probability >= settings.match_probability)
    similar = verbatim or (words >= MIN_WORDS and probability >= settings.link_probability)
    divergences = tuple(find_divergences(a, b)) if same else ()
    return Judgement(score, verbatim, same, similar, same and not is_contradiction(divergences), divergences)


@lru_cache(maxsize=1 << 14)
def word_set(text: str) -> frozenset[str]:
    """The sentence's distinct words, case-folded (remembered: a sentence is compared with many others)."""
    return frozenset(_WORD.findall(text.casefold()))


@lru_cache(maxsize=1 << 16)
def word_ids(text: str) -> np.ndarray:
    """The sentence's distinct words (:func:`word_set`) as sorted 64-bit hashes, read-only (remembered, as the
    words are). Hashes are compared within one process only; two words of a pair of sentences sharing one is a
    chance of about 1 in 10^16."""
    ids = np.array(sorted({hash(w) for w in word_set(text)}), dtype=np.int64)
    ids.setflags(write=False)
    return ids


def jaccard_matrix(a: Sequence[Sentence], b: Sequence[Sentence]) -> np.ndarray:
    """Word Jaccard of every sentence pair (len(a) x len(b)), from binary word-incidence matrices over the words of
    the two texts."""
    ids_a, ids_b = [word_ids(s.text) for s in a], [word_ids(s.text) for s in b]
    if not a or not b:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    vocabulary = np.unique(np.concatenate(ids_a + ids_b))

    def incidence(ids: list[np.ndarray]) -> np.ndarray:
        out = np.zeros((len(ids), len(vocabulary)), dtype=np.float32)
        rows = np.repeat(np.arange(len(ids)), [len(x) for x in ids])
        out[rows, np.searchsorted(vocabulary, np.concatenate(ids))] = 1.0
        return out

    xa, xb = incidence(ids_a), incidence(ids_b)
    both = xa @ xb.T
    either = xa.sum(axis=1)[:, None] + xb.sum(axis=1)[None, :] - both
    return np.divide(both, either, out=np.zeros_like(both), where=either > 0)


def ordered_chain(probability: np.ndarray, weights: np.ndarray) -> tuple[float, np.ndarray]:
    """The best monotone chain through the sentence pairs: its value and each row's partner column.

    Each sentence of the text (rows, weighted by ``weights``, which sum to 1) is taken once, with the probability of
    its partner; partners (columns) come in non-decreasing order (a merge may use one partner twice). A rewrite
    follows its source sentence after sentence and scores its coverage; reports that share facts but not the
    sequence score less than their best matches would add up to. Dynamic programming over the rows,
    O(rows x columns), then a walk back.
    """
    rows, cols = probability.shape
    if not rows or not cols:
        return 0.0, np.zeros(rows, dtype=np.int64)
    ending = np.empty((rows, cols))  # best chain whose row i ends at column j
    best = np.zeros(cols)  # best chain ending at or before each column, over the rows seen so far
    for i in range(rows):
        ending[i] = best + weights[i] * probability[i]
        best = np.maximum.accumulate(ending[i])
    partners = np.empty(rows, dtype=np.int64)
    bound = cols - 1
    for i in range(rows - 1, -1, -1):
        bound = partners[i] = int(np.argmax(ending[i, : bound + 1]))
    return float(best[-1]), partners


CONTRADICTION_ROUNDS = 3  # times the chain is found again without its sentence pairs of other facts


def _other_facts(judgement: Judgement) -> bool:
    """Two sentences that say the same thing (word for word or not) but with a number or a name changed."""
    return judgement.related and any(
        d.kind in ("number", "name") and d.change == "changed" for d in judgement.divergences
    )


def align(
    a: Sequence[Sentence],
    b: Sequence[Sentence],
    cosines: np.ndarray,
    settings: AlignSettings,
    reuse_strength: float = 1.0,
    rarity: Callable[[str], float] | None = None,
) -> tuple[Alignment, list[Divergence]]:
    """Align sentences of A and B given their transformer cosine matrix (len(a) x len(b)).

    Entries of ``cosines`` may be NaN where the caller skipped a pair as clearly unrelated.
    Returns the alignment and the divergences of the linked sentence pairs, in article offsets.

    1. strength (:func:`pair_strength`; ``rarity`` weighs the words kept, every word 1 when None): the
       :func:`ordered_chain` of the text the other accounts for best, on graded sentence similarity, with the order
       and the words it keeps; the chain's sentence pairs that say the same thing (``match_probability``) are links
       when the pair as a whole is reuse (strength ``reuse_strength`` or more) or when they come in runs: in a pair
       that is not, a lone match is more likely two sentences of one topic than a sentence taken;
    2. every sentence's best partner on the other side, anywhere, when the two are similar (``link_probability``:
       the stricter bar, for partners out of the text's order);
    3. merged or split sentences: a weaker second link beside an existing partner;
    4. sentence pairs that share a long run of words (:func:`long_runs`), however alike they are as wholes.
    """
    judged: dict[tuple[int, int], Judgement] = {}

    def verdict(i: int, j: int) -> Judgement:
        if (i, j) not in judged:
            cos = float(np.nan_to_num(cosines[i, j], nan=0.0))
            judged[(i, j)] = judge(a[i].text, b[j].text, cos, settings)
        return judged[(i, j)]

    sim = np.nan_to_num(cosines, nan=0.0)
    # 1. (a chain's sentence pair that says the same but with another number or name is no evidence: the same
    # template filled with another event's facts; the chain is found again without it)
    probability = same_meaning(sim, jaccard_matrix(a, b), settings)
    strength, chain = pair_strength(a, b, probability, rarity)
    for _ in range(CONTRADICTION_ROUNDS):
        contradicted = [
            (i, j)
            for i, j in chain
            if probability[i, j] > 0 and not np.isnan(cosines[i, j]) and _other_facts(verdict(i, j))
        ]
        if not contradicted:
            break
        probability[tuple(np.array(contradicted).T)] = 0.0
        strength, chain = pair_strength(a, b, probability, rarity)
    related = {(i, j) for i, j in chain if not np.isnan(cosines[i, j]) and verdict(i, j).related}
    dense = strength >= reuse_strength
    chosen = {link for link in related if dense or verdict(*link).similar or _in_a_run(link, related)}
    # 2. (only pairs at partial_cosine or above can be similar: same wording implies a high cosine too)
    if sim.size:
        for i in np.flatnonzero(sim.max(axis=1) >= settings.partial_cosine):
            for j in np.argsort(-sim[i])[:2]:
                if sim[i, j] >= settings.partial_cosine and verdict(int(i), int(j)).similar:
                    chosen.add((int(i), int(j)))
                    break
        for j in np.flatnonzero(sim.max(axis=0) >= settings.partial_cosine):
            for i in np.argsort(-sim[:, j])[:2]:
                if sim[i, j] >= settings.partial_cosine and verdict(int(i), int(j)).similar:
                    chosen.add((int(i), int(j)))
                    break
    # 3.
    for ci, cj in list(chosen):
        for ni, nj in ((ci - 1, cj), (ci + 1, cj), (ci, cj - 1), (ci, cj + 1)):
            if (
                0 <= ni < len(a)
                and 0 <= nj < len(b)
                and (ni, nj) not in chosen
                and sim[ni, nj] >= settings.partial_cosine
                and min(lettered_words(a[ni].text), lettered_words(b[nj].text)) >= MIN_WORDS
            ):
                chosen.add((ni, nj))
    # 4.
    chosen |= long_runs(a, b)
    links = sorted(
        (SentenceLink(i, j, round(verdict(i, j).score, 4), verdict(i, j).verbatim) for i, j in chosen),
        key=lambda link: (link.a, link.b),
    )
    divergences = [
        _shift(d, a[link.a], b[link.b])
        for link in links
        for d in verdict(link.a, link.b).divergences
        if not _said_by_another_partner(d, link, links, a, b)
    ]
    return (
        Alignment(
            links=links,
            passages=passages(links, a, b),
            coverage_a=coverage(a, {link.a for link in links}),
            coverage_b=coverage(b, {link.b for link in links}),
            strength=strength,
        ),
        divergences,
    )


def coverage_in_order(
    a: Sequence[Sentence], b: Sequence[Sentence], cosines: np.ndarray, settings: AlignSettings
) -> float:
    """The ordered coverage of the text the other accounts for best, in [0, 1], given the cosines of every sentence
    pair: the static plan's first look at a pair (pipeline.py). Each text's is its :func:`ordered_chain` through
    the other, its sentences weighted by their characters outside quotations (what someone said is shared by
    independent reports of one event as a matter of course, so it is no evidence that one took from the other)."""
    weights_a, weights_b = _weights(a), _weights(b)
    if weights_a is None or weights_b is None:
        return 0.0
    probability = same_meaning(cosines, jaccard_matrix(a, b), settings)
    return max(ordered_chain(probability, weights_a)[0], ordered_chain(probability.T, weights_b)[0])


def pair_strength(
    a: Sequence[Sentence],
    b: Sequence[Sentence],
    probability: np.ndarray,
    rarity: Callable[[str], float] | None = None,
) -> tuple[float, list[tuple[int, int]]]:
    """The strength of a pair's evidence of reuse in [0, 1], and the chain it rests on (sentence pairs (i in A, j in
    B)), given each sentence pair's probability of saying the same thing (len(a) x len(b)).

    Each text's strength is the product of three shares of it, none of them fitted (:func:`text_strength`), or, for
    a text shorter than :data:`REFERENCE_SENTENCES`, the lower strength a text of that length would need to be as
    unlikely without reuse (:func:`calibrated`): a brief or a lead is accounted for by an independent report of its
    event more easily than a whole report. The pair's is that of the text the other accounts for best. Which text
    was derived is not known, and a condensed rewrite is accounted for by its source, not the other way round,
    whether or not it kept the source's quotations (by which the shorter text would be the wrong one to measure).
    """
    weights_a, weights_b = _weights(a), _weights(b)
    if weights_a is None or weights_b is None:  # either all quotation: nothing taken, only quoted
        return 0.0, []
    raw_a, chain_a = text_strength(a, b, probability, weights_a, rarity)
    raw_b, chain_b = text_strength(b, a, probability.T, weights_b, rarity)
    of_a = min(raw_a, calibrated(raw_a, effective_sentences(weights_a)))
    of_b = min(raw_b, calibrated(raw_b, effective_sentences(weights_b)))
    if of_b > of_a or (of_b == of_a and [s.text for s in b] < [s.text for s in a]):
        return of_b, [(i, j) for j, i in chain_b]  # on a tie, the same text whichever comes first
    return of_a, chain_a


# How strong the account of a text by an independent report of the same event is, by the text's length: a short text
# (a brief, a lead) is accounted for more easily than a long one. The logit of the strength (text_strength) of the
# first k sentences of each NewsWCL50 report, for every k, measured against each other outlet's report of its event,
# is close to normal with a mean and a spread linear in the log of the text's effective number of sentences
# (bench/reuse_bar.py --leads). Four values fitted on data under CC BY-SA 4.0 and shared under it (docs/quality.md).
NULL_MEAN = (-0.909, -0.841)  # intercept, slope on log(effective sentences)
NULL_SPREAD = (0.857, -0.080)
REFERENCE_SENTENCES = 10.0  # a shorter text's strength is that of a text of this many as unlikely by chance
_LEAST_SPREAD = 0.2


def null_logit(sentences: float) -> tuple[float, float]:
    """The mean and spread of the logit of the strength of a text of ``sentences`` effective sentences accounted for
    by an independent report of the same event."""
    x = math.log(max(sentences, 1.0))
    return NULL_MEAN[0] + NULL_MEAN[1] * x, max(NULL_SPREAD[0] + NULL_SPREAD[1] * x, _LEAST_SPREAD)


def calibrated(raw: float, sentences: float) -> float:
    """The strength ``raw`` of a text of ``sentences`` effective sentences (:func:`effective_sentences`) on the scale
    of a text of :data:`REFERENCE_SENTENCES`: the strength such a text would need to be as far above what
    independent reports reach (as many spreads of :func:`null_logit` above its mean). 0 and 1 stay as they are."""
    if raw <= 0.0 or raw >= 1.0:
        return float(min(max(raw, 0.0), 1.0))
    mean, spread = null_logit(sentences)
    ref_mean, ref_spread = null_logit(REFERENCE_SENTENCES)
    z = (math.log(raw / (1.0 - raw)) - mean) / spread
    return round(1.0 / (1.0 + math.exp(-(ref_mean + ref_spread * z))), 4)


def effective_sentences(weights: np.ndarray) -> float:
    """How many sentences a text's weights (shares of its characters outside quotations) amount to: the inverse of
    the sum of their squares (n for n sentences of one length; a stray fragment counts for little)."""
    return float(1.0 / np.square(weights).sum())


def _weights(sentences: Sequence[Sentence]) -> np.ndarray | None:
    """Each sentence's share of the text's characters outside quotations (:func:`own_chars`); None when it is all
    quotation."""
    own = own_chars(sentences)
    total = own.sum()
    return own / total if total else None


def text_strength(
    text: Sequence[Sentence],
    other: Sequence[Sentence],
    probability: np.ndarray,
    weights: np.ndarray,
    rarity: Callable[[str], float] | None = None,
) -> tuple[float, list[tuple[int, int]]]:
    """How strongly ``other`` accounts for ``text`` (``probability``: len(text) x len(other)), and the chain (i in
    text, j in other). The product of three shares of the text, each sentence weighted by its share of the text's
    characters outside quotations (``weights``, :func:`_weights`):

    1. ordered coverage: how much of it the other accounts for in order (:func:`ordered_chain`);
    2. order kept: of what the other accounts for in any order (each sentence with its likeliest partner), the
       share it accounts for in order. A rewrite follows its source; independent reports of one event share
       facts but tell them each in its own order;
    3. words kept (:func:`words_kept`): of its words outside quotations, weighted by ``rarity``, the share that its
       partners on the chain have, or a sentence within :data:`KEPT_NEAR` of them. A rewrite keeps its source's
       names, numbers and rarer words, sentence by sentence; independent reports share the names, not the
       vocabulary, and a long roundup holds the words of a short brief, but not beside the sentences that match it.
    """
    ordered, partners = ordered_chain(probability, weights)
    chain = [(i, int(j)) for i, j in enumerate(partners)]
    any_order = float(weights @ probability.max(axis=1))
    if not ordered or not any_order:
        return 0.0, chain
    in_order = min(1.0, ordered / any_order)
    return round(ordered * in_order * words_kept(text, other, partners.tolist(), rarity), 4), chain


_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}|\d+(?:[.,]\d+)*")  # words of three letters or more, and numbers
KEPT_NEAR = 2  # sentences on either side of a partner whose words count as kept (merges and splits), as in passages


def words_kept(
    text: Sequence[Sentence],
    other: Sequence[Sentence],
    partners: Sequence[int],
    rarity: Callable[[str], float] | None = None,
) -> float:
    """Of the words of ``text`` outside its quotations (:data:`_CONTENT_WORD`, case-folded), weighted by
    ``rarity`` (each 1 when None), the share that ``other`` has in each sentence's partner (``partners[i]``, an
    index into ``other``) or within :data:`KEPT_NEAR` sentences of it."""
    weigh = rarity or (lambda _: 1.0)
    words = [content_words(s.text) for s in other]
    total = kept = 0.0
    for sentence, j in zip(text, partners, strict=True):
        mine = content_words(unquoted_text(sentence))
        near = frozenset().union(*words[max(0, j - KEPT_NEAR) : j + KEPT_NEAR + 1])
        total += sum(map(weigh, mine))
        kept += sum(map(weigh, mine & near))
    return kept / total if total else 0.0


@lru_cache(maxsize=1 << 16)
def content_words(text: str) -> frozenset[str]:
    """The text's :data:`_CONTENT_WORD` words, case-folded (remembered: a sentence is compared with many others)."""
    return frozenset(w.casefold() for w in _CONTENT_WORD.findall(text))


def own_chars(sentences: Sequence[Sentence]) -> np.ndarray:
    """Each sentence's characters outside its quotations (:func:`unquoted_chars`): its weight in the strength."""
    return np.array([unquoted_chars(s) for s in sentences], dtype=np.float64)


def unquoted_parts(sentence: Sentence) -> tuple[str, ...]:
    """The parts of the sentence outside its quotations, in order."""
    out, pos = [], sentence.start
    for s, e in sorted(sentence.quote_spans):
        if sentence.start <= s < sentence.end:
            out.append(sentence.source[pos:s])
            pos = max(pos, e)
    out.append(sentence.source[pos : sentence.end])
    return tuple(out)


def unquoted_text(sentence: Sentence) -> str:
    """The sentence with its quotations left out."""
    return " ".join(unquoted_parts(sentence))


@lru_cache(maxsize=1 << 14)
def _runs_of(parts: tuple[str, ...]) -> frozenset[int]:
    """The hashes of every :data:`LONG_RUN` words in a row (:func:`words_of`) within one of the parts (hashes, not
    the runs: a run-on sentence of scraped text holds hundreds), but those of a few words repeated (half of them
    distinct at least: "amp amp amp ..." of markup escaped over and over is no passage)."""
    runs: set[int] = set()
    for part in parts:
        words = words_of(part)
        for k in range(len(words) - LONG_RUN + 1):
            run = words[k : k + LONG_RUN]
            if len(set(run)) * 2 >= LONG_RUN:
                runs.add(hash(run))
    return frozenset(runs)


def long_runs(a: Sequence[Sentence], b: Sequence[Sentence]) -> set[tuple[int, int]]:
    """The sentence pairs (i in A, j in B) that share :data:`LONG_RUN` words in a row outside their quotations
    (not across one: the words before a quotation and after it are not a run), neither of them a call for tips
    (:func:`~.boilerplate.is_call_for_tips`: an outlet's tip line is in every brief it writes).

    No independent report shares that many words in a row: it is a passage taken word for word, however each text
    was cut into sentences (a sentence of one may hold a short sentence of the other, or a part of a longer one, and
    not be like it as a whole). Found through the runs themselves: the cost follows the texts' words.
    """
    where: dict[int, list[int]] = {}
    for i, sentence in enumerate(a):
        for run in _runs_of(unquoted_parts(sentence)):
            where.setdefault(run, []).append(i)
    found = {(i, j) for j, s in enumerate(b) for run in _runs_of(unquoted_parts(s)) for i in where.get(run, ())}
    return {(i, j) for i, j in found if not (is_call_for_tips(a[i].text) or is_call_for_tips(b[j].text))}


def has_long_run(a: Sentence, b: Sentence) -> bool:
    """Whether the two sentences share a long run of words (:func:`long_runs`)."""
    return bool(long_runs((a,), (b,)))


def unquoted_chars(sentence: Sentence) -> int:
    """Characters of the sentence outside its quotations."""
    quoted = sum(min(e, sentence.end) - max(s, sentence.start) for s, e in sentence.quote_spans)
    return max(0, sentence.end - sentence.start - quoted)


def _in_a_run(link: tuple[int, int], chain: set[tuple[int, int]], gap: int = 2) -> bool:
    """A chain pair with a neighbour on the chain: taken material comes in runs, a lone weak match of the same
    topic does not."""
    i, j = link
    return any((ni, nj) in chain for ni in (i - 1, i + 1) for nj in range(j - gap, j + gap + 1)) or any(
        (ni, nj) in chain for nj in (j - 1, j + 1) for ni in range(i - gap, i + gap + 1)
    )


def _said_by_another_partner(
    d: Divergence, link: SentenceLink, links: Sequence[SentenceLink], a: Sequence[Sentence], b: Sequence[Sentence]
) -> bool:
    """A detail 'dropped' from one partner of a merged sentence may stand in its other partner; and an attribution
    may stand in a sentence near the partner, to the same source told another way ("KCNA said", "according to
    KCNA"): a rewrite moves attributions as it merges and splits sentences."""
    if d.kind == "attribution" and d.change in ("dropped", "added"):
        said = d.a_text if d.change == "dropped" else d.b_text
        at, other = (link.b, b) if d.change == "dropped" else (link.a, a)
        near = range(max(0, at - KEPT_NEAR), min(len(other), at + KEPT_NEAR + 1))
        if said and any(same_attribution(said, other[k].text) for k in near):
            return True
    if d.change == "dropped" and d.a_text:
        others = [b[k.b].text for k in links if k.a == link.a and k.b != link.b]
        return any(d.a_text.casefold() in text.casefold() for text in others)
    if d.change == "added" and d.b_text:
        others = [a[k.a].text for k in links if k.b == link.b and k.a != link.a]
        return any(d.b_text.casefold() in text.casefold() for text in others)
    return False


def _shift(d: Divergence, sa: Sentence, sb: Sentence) -> Divergence:
    """Move sentence-relative spans to article offsets."""
    return Divergence(
        kind=d.kind,
        change=d.change,
        a_sentence=sa.index,
        b_sentence=sb.index,
        a_span=(d.a_span[0] + sa.start, d.a_span[1] + sa.start) if d.a_span else None,
        b_span=(d.b_span[0] + sb.start, d.b_span[1] + sb.start) if d.b_span else None,
        a_text=d.a_text,
        b_text=d.b_text,
    )


def coverage(sentences: Sequence[Sentence], linked: set[int]) -> float:
    """Share of the characters of ``sentences`` that belong to linked sentences."""
    total = sum(s.end - s.start for s in sentences)
    if not total:
        return 0.0
    return sum(s.end - s.start for s in sentences if s.index in linked) / total


def passages(
    links: Sequence[SentenceLink], a: Sequence[Sentence], b: Sequence[Sentence], gap: int = 2
) -> list[Passage]:
    """Merge links that are neighbours on both sides (within ``gap`` sentences) into passages."""
    groups: list[list[SentenceLink]] = []
    for link in sorted(links, key=lambda k: (k.a, k.b)):
        for group in groups:
            last = group[-1]
            if 0 <= link.a - last.a <= gap and any(abs(link.b - g.b) <= gap for g in group[-3:]):
                group.append(link)
                break
        else:
            groups.append([link])
    result = []
    for group in groups:
        sa = [a[k.a] for k in group]
        sb = [b[k.b] for k in group]
        result.append(
            Passage(
                a_span=(min(s.start for s in sa), max(s.end for s in sa)),
                b_span=(min(s.start for s in sb), max(s.end for s in sb)),
                links=tuple(group),
            )
        )
    return sorted(result, key=lambda p: p.a_span)
