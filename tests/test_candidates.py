from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.sparse import csr_matrix

from sourcetrace.settings import CandidateSettings
from sourcetrace.stages import buckets, candidates, term_search
from sourcetrace.stages.align import LONG_RUN
from sourcetrace.stages.buckets import band_keys, colliding_rows, owner_pairs, unique
from sourcetrace.stages.candidates import (
    RUN_SHINGLE,
    centre,
    find_candidates,
    fingerprints,
    nearest_documents,
    run_keys,
    shared_runs,
    shared_sentences,
    shingles,
    simhash_keys,
    supported,
)

from .conftest import make_article


def test_shingles_are_word_ngrams_case_folded_and_order_sensitive():
    assert len(shingles("A b c", 2)) == 2
    assert np.array_equal(shingles("A b c", 2), shingles("a B, c.", 2))
    assert not set(shingles("a b c", 2).tolist()) & set(shingles("b a c", 2).tolist())
    assert set(shingles("x a b y", 2).tolist()) >= set(shingles("a b", 2).tolist())
    assert len(shingles("short", 5)) == 1
    assert len(shingles("", 5)) == 0


def test_minhash_signatures_estimate_shingle_jaccard():
    rng = np.random.default_rng(3)
    vocab = [f"w{k}" for k in range(500)]
    base = [vocab[i] for i in rng.integers(0, 500, 400)]
    changed = base[:200] + [vocab[i] for i in rng.integers(0, 500, 200)]
    sig = fingerprints([" ".join(base), " ".join(changed), " ".join(base)], CandidateSettings())[0]
    a, b = set(shingles(" ".join(base), 5).tolist()), set(shingles(" ".join(changed), 5).tolist())
    estimate = float((sig[0] == sig[1]).mean())
    assert abs(estimate - len(a & b) / len(a | b)) < 0.12
    assert (sig[0] == sig[2]).all()


def test_owner_pairs_pair_rows_sharing_a_key_across_owners_only():
    keys = np.array([[1, 7], [1, 8], [2, 9], [3, 9]], dtype=np.uint64)
    owners = np.array([0, 1, 2, 2])
    codes = colliding_rows(keys, max_bucket=10)
    assert owner_pairs(codes, 4, owners).tolist() == [[0, 1]]  # rows 2 and 3 share a key, but one owner
    assert owner_pairs(codes, 4, owners, min_rows=2).tolist() == []


def test_owner_pairs_count_distinct_rows_on_the_side_with_fewer():
    keys = np.array([[5], [6], [5], [5], [6]], dtype=np.uint64)
    owners = np.array([0, 0, 1, 1, 1])  # row 0 echoes rows 2 and 3; rows 1 and 4 are a second shared sentence
    codes = colliding_rows(keys, max_bucket=10)
    assert owner_pairs(codes, 5, owners, min_rows=2).tolist() == [[0, 1]]
    assert owner_pairs(codes, 5, owners, min_rows=3).tolist() == []


def test_owner_pairs_refuse_owners_out_of_order():
    with pytest.raises(ValueError, match="owners in order"):
        owner_pairs(np.array([1], dtype=np.int64), 2, np.array([1, 0]))


def test_colliding_rows_skip_oversized_buckets():
    keys = np.zeros((5, 1), dtype=np.uint64)
    assert len(colliding_rows(keys, max_bucket=4)) == 0
    assert len(colliding_rows(keys, max_bucket=5)) == 10


def test_band_keys_equal_for_equal_bands_only():
    sig = np.array([[1, 2, 3, 4], [1, 2, 9, 9]], dtype=np.uint64)
    keys = band_keys(sig, bands=2)
    assert keys[0, 0] == keys[1, 0] and keys[0, 1] != keys[1, 1]


@given(st.integers(min_value=2, max_value=40), st.integers(min_value=0, max_value=10_000))
def test_simhash_keys_are_deterministic_and_identical_for_identical_vectors(n, seed):
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, 16)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    v[1] = v[0]
    k1, k2 = simhash_keys(v, 8, 4), simhash_keys(v, 8, 4)
    assert np.array_equal(k1, k2)
    assert np.array_equal(k1[0], k1[1])


def test_centre_gives_unit_rows():
    v = np.random.default_rng(0).standard_normal((10, 8)).astype(np.float32) + 5
    c = centre(v)
    assert np.allclose(np.linalg.norm(c, axis=1), 1, atol=1e-5)


def test_find_candidates_needs_several_close_sentences():
    rng = np.random.default_rng(1)
    base = rng.standard_normal((6, 32)).astype(np.float32)
    noise = rng.standard_normal((6, 32)).astype(np.float32)
    other = rng.standard_normal((6, 32)).astype(np.float32)
    unit = lambda m: m / np.linalg.norm(m, axis=1, keepdims=True)  # noqa: E731
    vectors = [unit(base), unit(base + 0.1 * noise), unit(other)]
    articles = [make_article(f"a{k}", [f"sentence {k} {i} " * 3 for i in range(6)]) for k in range(3)]
    signatures = fingerprints([a.text for a in articles], CandidateSettings())[0]
    found = find_candidates(signatures, vectors, CandidateSettings())
    assert [(c.a, c.b) for c in found] == [(0, 1)]
    assert found[0].sentence_hits >= 2


def test_find_candidates_finds_verbatim_copies_lexically():
    text = " ".join(f"word{i}" for i in range(300))
    articles = [make_article("x", [text]), make_article("y", [text + " extra words here"])]
    vectors = [np.eye(1, 8, k, dtype=np.float32) for k in (0, 3)]  # semantic side sees nothing
    signatures = fingerprints([a.text for a in articles], CandidateSettings())[0]
    found = find_candidates(signatures, vectors, CandidateSettings())
    assert [(c.a, c.b, c.vouched) for c in found] == [(0, 1, True)]


@given(
    st.integers(LONG_RUN, 60),
    st.integers(0, 300),
    st.integers(0, 300),
    st.integers(0, 300),
    st.integers(0, 300),
    st.integers(0, 2**31),
)
def test_texts_sharing_a_long_run_of_words_share_a_fingerprint_and_others_none(run, a0, a1, b0, b1, seed):
    rng = np.random.default_rng(seed)
    words = lambda n, tag: [f"{tag}{x}" for x in rng.integers(0, 50, n)]  # noqa: E731  (repeats words)
    shared = words(run, "s")
    a, b = words(a0, "a"), words(b0, "b")
    a_text, b_text = " ".join(a + shared + words(a1, "a")), " ".join(b + [w.upper() for w in shared] + words(b1, "b"))
    assert np.intersect1d(run_keys(a_text), run_keys(b_text)).size  # case folded
    assert not np.intersect1d(run_keys(a_text), run_keys(" ".join(b + shared[: RUN_SHINGLE - 1] + b))).size


def test_a_pair_sharing_one_long_passage_and_nothing_else_is_a_vouched_candidate():
    from .conftest import RUN

    rng = np.random.default_rng(3)
    filler = lambda tag: [" ".join(f"{tag}{x}" for x in rng.integers(0, 10**6, 12)) + "." for _ in range(40)]  # noqa: E731
    passage = " ".join(RUN[:LONG_RUN]).capitalize() + "."
    texts = [filler("first") + [passage], [passage] + filler("second"), filler("third")]
    articles = [make_article(f"a{k}", t) for k, t in enumerate(texts)]
    vectors = [centre(rng.standard_normal((len(t), 64)).astype(np.float32)) for t in texts]  # nothing close
    signatures = fingerprints([a.text for a in articles], CandidateSettings())[0]
    assert find_candidates(signatures, vectors, CandidateSettings()) == []  # MinHash of whole texts misses it
    runs = [run_keys(a.text) for a in articles]
    found = find_candidates(signatures, vectors, CandidateSettings(), runs=runs)
    assert [(c.a, c.b, c.vouched) for c in found] == [(0, 1, True)]
    alone = run_keys(passage)
    assert len(shared_runs([alone] * 5, max_bucket=5)) == 10
    assert shared_runs([alone] * 6, max_bucket=5) == set()  # in more texts than a bucket holds: generic, skipped


@given(st.integers(0, 2**31), st.integers(2, 6))
def test_shared_runs_are_the_pairs_of_every_bucket_small_enough(seed, max_bucket):
    rng = np.random.default_rng(seed)
    runs = [np.unique(rng.integers(0, 40, rng.integers(0, 6)).astype(np.uint64)) for _ in range(30)]
    runs += [runs[3]] * 3  # copies share all their fingerprints
    holders: dict[int, list[int]] = {}
    for k, keys in enumerate(runs):
        for key in keys.tolist():
            holders.setdefault(key, []).append(k)
    expected = {(i, j) for group in holders.values() if len(group) <= max_bucket for i in group for j in group if i < j}
    assert shared_runs(runs, max_bucket) == expected


def test_shared_runs_tell_apart_buckets_whose_members_add_up_alike():
    runs = [np.zeros(0, dtype=np.uint64) for _ in range(700)]
    runs[223] = runs[667] = np.array([1], dtype=np.uint64)
    runs[427] = runs[463] = np.array([2], dtype=np.uint64)  # 223 + 667 == 427 + 463
    assert shared_runs(runs, 64) == {(223, 667), (427, 463)}


def test_one_shared_sentence_makes_a_candidate_only_when_it_is_a_quotation():
    rng = np.random.default_rng(2)
    unit = lambda m: m / np.linalg.norm(m, axis=1, keepdims=True)  # noqa: E731
    a, b = unit(rng.standard_normal((6, 32)).astype(np.float32)), unit(rng.standard_normal((6, 32)).astype(np.float32))
    b[3] = a[2]  # one sentence in common, nothing else
    articles = [make_article(f"a{k}", [f"text {k} {i} " * 3 for i in range(6)]) for k in range(2)]
    signatures = fingerprints([x.text for x in articles], CandidateSettings())[0]
    plain = [np.zeros(6, dtype=bool), np.zeros(6, dtype=bool)]
    quoted = [np.eye(1, 6, 2, dtype=bool)[0], np.eye(1, 6, 3, dtype=bool)[0]]
    assert find_candidates(signatures, [a, b], CandidateSettings(), plain) == []
    assert [(c.a, c.b) for c in find_candidates(signatures, [a, b], CandidateSettings(), quoted)] == [(0, 1)]


def _support_one_pair(a, b, qa, qb, min_cosine):
    """The support of one pair, written out plainly: mutual best partners, near-copy quotations among them."""
    if not len(a) or not len(b):
        return 0, 0
    sims = a @ b.T
    hits = quoted = 0
    for i in range(len(a)):
        j = int(sims[i].argmax())
        if int(sims[:, j].argmax()) == i:
            hits += sims[i, j] >= min_cosine
            quoted += sims[i, j] >= 0.9 and qa[i] and qb[j]
    return hits, quoted


@given(st.integers(0, 2**16))
def test_supported_measures_each_pair_like_the_plain_definition(seed):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 6, 7)
    vectors = [centre(rng.standard_normal((int(k), 8)).astype(np.float32)) for k in sizes]
    vectors[3] = np.vstack([vectors[0], vectors[0][:1]]) if len(vectors[0]) else vectors[3]  # copies and a tie
    quotes = [rng.random(len(v)) < 0.5 for v in vectors]
    settings = CandidateSettings(static_cosine=0.3, min_sentence_hits=2)
    found = [(a, b, bool(rng.random() < 0.2)) for a in range(7) for b in range(a + 1, 7)]
    got = {(c.a, c.b): c for c in supported(reversed(found), vectors, quotes, settings)}
    for a, b, lexical in found:
        hits, quoted = _support_one_pair(vectors[a], vectors[b], quotes[a], quotes[b], 0.3)
        keep = lexical or quoted or hits >= min(2, len(vectors[a]), len(vectors[b]))
        assert ((a, b) in got) == bool(keep)
        if keep:
            assert got[(a, b)].sentence_hits == hits and got[(a, b)].vouched == lexical
    assert list(got) == sorted(got)


@given(st.lists(st.integers(-(2**62), 2**62), max_size=50))
def test_unique_is_numpy_unique(values):
    array = np.array(values, dtype=np.int64)
    assert np.array_equal(unique(array), np.unique(array))


def test_nearest_documents_from_the_index_agree_with_exact_search_on_clear_neighbours(monkeypatch):
    rng = np.random.default_rng(5)
    topics = centre(rng.standard_normal((300, 32)).astype(np.float32))
    docs = np.repeat(topics, 2, axis=0) + 0.05 * rng.standard_normal((600, 32)).astype(np.float32)
    docs /= np.linalg.norm(docs, axis=1, keepdims=True)  # 300 pairs of near-identical articles among noise
    exact = nearest_documents(docs, 3)
    monkeypatch.setattr(candidates, "EXACT_DOCUMENTS", 100)
    indexed = nearest_documents(docs, 3)
    twins = {(2 * t, 2 * t + 1) for t in range(300)}
    assert twins <= set(map(tuple, exact.tolist())) and twins <= set(map(tuple, indexed.tolist()))
    assert (indexed[:, 0] < indexed[:, 1]).all() and len(np.unique(indexed, axis=0)) == len(indexed)
    assert np.bincount(indexed.ravel(), minlength=600).min() >= 1


def _colliding_rows_plainly(keys, max_bucket):
    pairs = set()
    for band in range(keys.shape[1]):
        buckets = {}
        for row, key in enumerate(keys[:, band].tolist()):
            buckets.setdefault(key, []).append(row)
        for rows in buckets.values():
            if len(rows) <= max_bucket:
                pairs |= {(a, b) for k, a in enumerate(rows) for b in rows[k + 1 :]}
    return sorted(pairs)


@given(st.integers(0, 2**16), st.integers(1, 6))
def test_colliding_rows_are_the_pairs_of_every_small_bucket(seed, max_bucket):
    rng = np.random.default_rng(seed)
    distinct = rng.integers(0, 4, (int(rng.integers(1, 12)), 3)).astype(np.uint64)
    keys = distinct[rng.integers(0, len(distinct), int(rng.integers(0, 30)))]  # many rows equal in every band
    plain = [list(p) for p in _colliding_rows_plainly(keys, max_bucket)]
    assert [list(divmod(c, len(keys))) for c in colliding_rows(keys, max_bucket).tolist()] == plain
    with patch.object(buckets, "PAIR_BLOCK", 3):  # pairs made and made distinct a few at a time give the same
        assert [list(divmod(c, len(keys))) for c in colliding_rows(keys, max_bucket).tolist()] == plain


@given(st.integers(0, 2**16), st.integers(1, 5))
def test_owner_pairs_are_the_owner_pairs_with_enough_distinct_rows(seed, min_rows):
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 3, (int(rng.integers(0, 40)), 2)).astype(np.uint64)
    owners = np.sort(rng.integers(0, 6, len(keys)))
    codes = colliding_rows(keys, max_bucket=64)
    sides = {}  # (lo, hi) -> distinct rows of lo, of hi
    for i, j in _colliding_rows_plainly(keys, 64):
        if owners[i] != owners[j]:
            (a, i), (b, j) = sorted([(owners[i], i), (owners[j], j)])
            rows = sides.setdefault((int(a), int(b)), (set(), set()))
            rows[0].add(i)
            rows[1].add(j)
    plain = sorted(p for p, (x, y) in sides.items() if min(len(x), len(y)) >= min_rows)
    assert owner_pairs(codes, len(keys), owners, min_rows).tolist() == [list(p) for p in plain]
    with patch.object(buckets, "PAIR_BLOCK", 4):  # pairs taken a few at a time give the same
        assert owner_pairs(codes, len(keys), owners, min_rows).tolist() == [list(p) for p in plain]


@given(st.integers(0, 2**16))
def test_shared_sentences_do_not_depend_on_how_many_pairs_are_made_at_once(seed):
    rng = np.random.default_rng(seed)
    pool = centre(rng.standard_normal((6, 16)).astype(np.float32))  # few distinct sentences: many collisions
    vectors = [pool[rng.integers(0, 6, int(rng.integers(0, 6)))] for _ in range(12)]
    vectors[0], vectors[1] = pool[[0, 1]], pool[[1, 0, 2]]  # two articles sharing two sentences
    quotes = [rng.random(len(v)) < 0.3 for v in vectors]
    settings = CandidateSettings(max_bucket=64)
    whole = shared_sentences(vectors, quotes, settings)
    with patch.object(candidates, "PAIRS_AT_ONCE", 3):  # many shares of the rows, cut between articles
        assert shared_sentences(vectors, quotes, settings) == whole
    assert (0, 1) in whole


def test_single_precision_by_table_is_astype_for_every_half_precision_value():
    every = np.arange(1 << 16, dtype=np.uint16).view(np.float16).reshape(256, 256)
    assert np.array_equal(candidates.single(every), every.astype(np.float32), equal_nan=True)
    assert candidates.single(every).dtype == np.float32 and candidates.single(every).shape == (256, 256)


def test_articles_each_others_nearest_by_rare_words_need_no_sentence_support(monkeypatch):
    monkeypatch.setattr(term_search, "COMMON_TERM", 5)
    rng = np.random.default_rng(5)
    n = 12
    vectors = [centre(rng.standard_normal((5, 128)).astype(np.float32)) for _ in range(n)]  # no two sentences close
    articles = [make_article(f"a{k:02d}", [f"unrelated words {k} {i}" for i in range(5)]) for k in range(n)]
    signatures = fingerprints([a.text for a in articles], CandidateSettings())[0]
    terms = np.zeros((n, 40))
    terms[:, 0] = 1.0  # a term every article has: never a key
    terms[np.arange(n), 1 + np.arange(n)] = 1.0  # each its own
    terms[[0, 7], 30] = 3.0  # 0 and 7 share a rare term: each is the other's nearest
    terms[[4, 9, 11], 31] = 2.0  # three share one: each has the two others as its nearest
    terms[[1, 2], 32] = terms[[1, 3], 33] = 3.0  # 1 is the nearest of 2, 3 and 5, and has 2 and 3 as its own
    terms[[1, 5], 34] = 1.0
    settings = CandidateSettings(neighbours=1, document_cosine=0.99)  # the document vectors find nothing
    assert find_candidates(signatures, vectors, settings) == []
    found = {(c.a, c.b): c for c in find_candidates(signatures, vectors, settings, terms=csr_matrix(terms))}
    assert set(found) == {(0, 7), (4, 9), (4, 11), (9, 11), (1, 2), (1, 3)}  # 1 does not choose 5 back
    assert all(c.vouched and c.sentence_hits == 0 for c in found.values())


def test_nearest_documents_count_copies_of_one_text_once_and_pair_each():
    rng = np.random.default_rng(7)
    noise = rng.standard_normal((40, 16)).astype(np.float32)
    story = rng.standard_normal(16).astype(np.float32)
    rewrite = story + 0.3 * rng.standard_normal(16).astype(np.float32)
    docs = np.vstack([noise[:20], np.repeat(story[None], 15, axis=0), rewrite[None], noise[20:]])
    docs /= np.linalg.norm(docs, axis=1, keepdims=True)
    copies, rewritten = set(range(20, 35)), 35

    def partners(found, of):
        return {int(i + j - of) for i, j in found.tolist() if of in (i, j)}

    # fifteen copies would fill the rewrite's three places; as one text, every copy is paired with it
    assert copies <= partners(nearest_documents(docs, 3), rewritten)
    capped = partners(nearest_documents(docs, 3, most_copies=10), rewritten)
    others = [r for r in np.argsort(-(docs @ docs[rewritten])).tolist() if r not in copies and r != rewritten]
    assert not copies & capped and set(others[:3]) <= capped  # a site's page is not searched: 3 other texts instead
    # shares of the distinct texts find together what the whole search finds, and row order does not matter
    whole = {tuple(p) for p in nearest_documents(docs, 3).tolist()}
    shares = set()
    for start in range(0, len(docs), 8):
        shares |= {tuple(p) for p in nearest_documents(docs, 3, block=8, texts=range(start, start + 8)).tolist()}
    assert shares == whole
    assert len(nearest_documents(docs, 3)) == len(nearest_documents(docs, 3, texts=range(0, 100)))
    for edge in (docs[:0], docs[:1], np.repeat(docs[:1], 5, axis=0)):  # nothing, one text, one text five times
        assert len(nearest_documents(edge, 3)) == 0
    order = rng.permutation(len(docs))
    moved = {tuple(sorted((int(order[i]), int(order[j])))) for i, j in nearest_documents(docs[order], 3).tolist()}
    assert moved == whole
