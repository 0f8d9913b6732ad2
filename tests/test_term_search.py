import numpy as np
import pytest
from scipy.sparse import csr_matrix

from sourcetrace.stages import term_search


def _collection(seed: int, monkeypatch: pytest.MonkeyPatch) -> tuple[np.ndarray, np.ndarray]:
    """60 random unit rows, three terms nearly all have, and which pairs meet through their two keys."""
    rng = np.random.default_rng(seed)
    dense = rng.random((60, 12)) * (rng.random((60, 12)) < 0.25)
    dense[:, :3] = rng.random((60, 3)) * (rng.random((60, 3)) < 0.9)  # three terms nearly every article has
    dense[seed] = 0.0  # an article with no terms
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    unit = np.divide(dense, norms, out=np.zeros_like(dense), where=norms > 0)
    monkeypatch.setattr(term_search, "COMMON_TERM", 20)
    monkeypatch.setattr(term_search, "KEYS", 2)
    rare = (unit > 0).sum(axis=0) <= 20
    assert not rare[:3].any() and rare.any()
    uncommon = np.where(rare, unit, 0.0)
    keys = np.zeros_like(uncommon)  # each article's two heaviest uncommon terms
    for k, row in enumerate(uncommon):
        top = [c for c in np.argsort(-row, kind="stable")[:2] if row[c] > 0]
        keys[k, top] = row[top]
    met = ((keys > 0).astype(int) @ (uncommon > 0).T.astype(int)) > 0
    return unit, met | met.T


@pytest.mark.parametrize("seed", range(6))
def test_term_links_are_the_pairs_at_the_threshold_found_through_their_keys(seed, monkeypatch):
    unit, met = _collection(seed, monkeypatch)
    cosine = unit @ unit.T
    expected = {(i, j) for i in range(60) for j in range(i + 1, 60) if cosine[i, j] >= 0.35 and met[i, j]}
    assert expected and any(cosine[i, j] >= 0.35 and not met[i, j] for i in range(60) for j in range(i))
    for block, pairs_at_once in ((7, 3), (500, 1 << 15)):  # small blocks in threads, pairs measured a few at a time
        monkeypatch.setattr(term_search, "ROW_PAIRS", pairs_at_once)
        links = term_search.term_links(csr_matrix(unit), 0.35, block=block)
        assert set(links) == expected
        assert all(abs(v - cosine[i, j]) < 1e-9 for (i, j), v in links.items())
    halves = {**term_search.term_links(csr_matrix(unit), 0.35, rows=range(0, 25)),
              **term_search.term_links(csr_matrix(unit), 0.35, rows=range(25, 60))}  # fmt: skip
    assert set(halves) == expected


@pytest.mark.parametrize("seed", range(6))
def test_term_neighbours_are_each_rows_nearest_among_those_it_meets(seed, monkeypatch):
    unit, met = _collection(seed, monkeypatch)
    cosine = unit @ unit.T
    expected = set()
    for i in range(60):
        met_by_i = [j for j in range(60) if j != i and met[i, j]]
        nearest = sorted(met_by_i, key=lambda j: (-cosine[i, j], j))[:2]
        expected |= {(i, j) for j in nearest}
    assert any(met[i].sum() > 2 for i in range(60))  # some rows have more to choose from than they keep
    for block in (7, 500):
        found = term_search.term_neighbours(csr_matrix(unit), 2, block=block)
        assert {(int(i), int(j)) for i, j in found} == expected
        assert len(found) == len(expected)
    halves = np.concatenate([term_search.term_neighbours(csr_matrix(unit), 2, rows=range(0, 25)),
                             term_search.term_neighbours(csr_matrix(unit), 2, rows=range(25, 60))])  # fmt: skip
    assert {(int(i), int(j)) for i, j in halves} == expected


def test_term_neighbours_keep_ties_whatever_the_order_of_the_rows(monkeypatch):
    """Syndicated copies tie: all copies tied with the k-th nearest are kept (up to MOST_TIED), so that the order of
    the rows changes nothing; when more tie, none of them is kept."""
    monkeypatch.setattr(term_search, "MOST_TIED", 4)
    story = np.zeros(10)
    story[[1, 2]] = 1.0
    near = story.copy()
    near[3] = 0.4
    rows = [r / np.linalg.norm(r) for r in (story, story, story, near, np.eye(1, 10, 9)[0])]
    # three copies, one close to them, one apart

    def nearest(matrix: np.ndarray, names: list[int]) -> set[tuple[int, int]]:
        return {(names[i], names[j]) for i, j in term_search.term_neighbours(csr_matrix(matrix), 1)}

    found = nearest(np.array(rows), [0, 1, 2, 3, 4])
    assert found == {(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)}
    flipped = [3, 2, 4, 0, 1]
    assert nearest(np.array([rows[k] for k in flipped]), flipped) == found
    crowd = np.array([story] * 6)  # each has 5 tied: more than MOST_TIED, so none is kept
    assert term_search.term_neighbours(csr_matrix(crowd), 1).shape == (0, 2)
