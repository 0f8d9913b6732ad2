import math

import numpy as np
import pytest

from sourcetrace.evaluation.baselines import (
    average_linkage,
    document_vectors,
    minhash_jaccard,
    minhash_scores,
    tfidf_cosines,
    tfidf_matrix,
    word_jaccard,
)


def test_word_jaccard_hand_example():
    # {the, cat, sat} vs {the, cat, ran}: 2 shared of 4
    assert word_jaccard("The cat sat.", "the CAT ran") == 0.5
    assert word_jaccard("", "") == 0.0


def test_tfidf_follows_the_usual_definition():
    texts = ["apple apple banana", "banana cherry", "a"]  # "a" is one character: not a term
    x = tfidf_matrix(texts).toarray()
    idf = {"apple": math.log(4 / 2) + 1, "banana": math.log(4 / 3) + 1, "cherry": math.log(4 / 2) + 1}
    first = np.array([2 * idf["apple"], idf["banana"], 0.0])
    assert x[0] == pytest.approx(first / np.linalg.norm(first))
    assert not x[2].any()
    cos = tfidf_cosines(texts)
    assert cos[0, 0] == pytest.approx(1.0)
    assert cos[0, 1] == pytest.approx(float(x[0] @ x[1]))


def test_minhash_retrieves_near_duplicates_only():
    base = " ".join(f"word{k}" for k in range(200))
    texts = [base, base + " one more", " ".join(f"other{k}" for k in range(200))]
    scores = minhash_scores(texts)
    assert scores[(0, 1)] > 0.9
    assert (0, 2) not in scores and (1, 2) not in scores
    assert minhash_jaccard(texts, [(0, 2)]) == [pytest.approx(0.0, abs=0.05)]


class _Fixed:
    dim = 2

    def encode(self, texts):
        table = {"x": [1.0, 0.0], "y": [0.0, 1.0]}
        return np.array([table[t] for t in texts], dtype=np.float32)


def test_document_vector_is_the_normalised_mean_of_sentence_vectors():
    docs = document_vectors([["x", "y"], ["x"], []], _Fixed())
    assert docs[0] == pytest.approx([math.sqrt(0.5), math.sqrt(0.5)])
    assert docs[1] == pytest.approx([1.0, 0.0])
    assert not docs[2].any()


def test_average_linkage_cuts_between_blocks():
    sim = np.array([[1, 0.9, 0.1, 0.0], [0.9, 1, 0.2, 0.1], [0.1, 0.2, 1, 0.8], [0.0, 0.1, 0.8, 1]])
    labels = average_linkage(sim, 0.5)
    assert labels[0] == labels[1] and labels[2] == labels[3] and labels[0] != labels[2]
    assert len(set(average_linkage(sim, 0.05))) == 1
