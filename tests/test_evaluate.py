import math
import re
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sourcetrace.errors import InputError
from sourcetrace.evaluate import (
    Case,
    adjusted_rand_index,
    anchored_cases,
    bcubed_scores,
    best_threshold,
    binary_scores,
    cluster_scores,
    co_cluster_pair_scores,
    cross_validated_threshold,
    load_clough,
    load_ecbplus,
    load_mrpc,
    load_pan13,
    load_pan_paraphrase,
    pair_scores,
    plagdet_scores,
    read_pan13_pair,
    reanchor_cases,
    reanchor_pan13,
)

DATA = Path(__file__).parent / "data" / "eval"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


# --- pair scores -----------------------------------------------------------------------------------------------------


def test_pair_scores_hand_example():
    s = pair_scores([("a", "b"), ("c", "d"), ("e", "f")], [("b", "a"), ("c", "e")])
    assert (s.tp, s.fp, s.fn) == (1, 2, 1)
    assert s.precision == pytest.approx(1 / 3)
    assert s.recall == pytest.approx(1 / 2)
    assert s.f1 == pytest.approx(0.4)


def test_pair_scores_counts_duplicates_and_reversals_once():
    s = pair_scores([("a", "b"), ("b", "a"), ("a", "b")], [("a", "b")])
    assert (s.tp, s.fp, s.fn, s.f1) == (1, 0, 0, 1.0)


def test_pair_scores_empty_sets():
    assert pair_scores([], []).f1 == 1.0
    nothing_found = pair_scores([], [("a", "b")])
    assert (nothing_found.precision, nothing_found.recall, nothing_found.f1) == (0.0, 0.0, 0.0)
    nothing_there = pair_scores([("a", "b")], [])
    assert (nothing_there.precision, nothing_there.recall) == (0.0, 0.0)


names = st.sampled_from(list("abcdefg"))
pair_lists = st.lists(st.tuples(names, names), max_size=15)


@given(pair_lists, pair_lists, st.randoms())
def test_pair_scores_ignore_order_within_and_between_pairs(predicted, gold, rnd):
    flipped = [(b, a) if rnd.random() < 0.5 else (a, b) for a, b in predicted]
    rnd.shuffle(flipped)
    assert pair_scores(flipped, gold) == pair_scores(predicted, gold)
    s = pair_scores(predicted, gold)
    assert 0 <= s.precision <= 1 and 0 <= s.recall <= 1 and 0 <= s.f1 <= 1
    assert min(s.precision, s.recall) - 1e-12 <= s.f1 <= max(s.precision, s.recall) + 1e-12


# --- clustering ------------------------------------------------------------------------------------------------------


def test_identical_clusterings_score_one_even_with_other_label_names():
    gold = {"a": 1, "b": 1, "c": 2, "d": 3, "e": 3}
    pred = {"a": "x", "b": "x", "c": "y", "d": "z", "e": "z"}
    s = cluster_scores(pred, gold)
    assert s.ari == 1.0
    assert (s.bcubed_precision, s.bcubed_recall, s.bcubed_f1) == (1.0, 1.0, 1.0)
    assert s.pairwise.f1 == 1.0


def test_bcubed_of_everything_in_one_cluster():
    gold = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 2}
    pred = dict.fromkeys(gold, "all")
    precision, recall, f1 = bcubed_scores(pred, gold)
    # each of a,b,c: 3 of its 5 cluster mates are right; d,e: 2 of 5
    assert precision == pytest.approx((3 * 3 / 5 + 2 * 2 / 5) / 5)
    assert recall == 1.0
    assert f1 == pytest.approx(2 * 0.52 / 1.52)


def test_ari_hand_examples():
    # ARI = (index - expected) / (max - expected) with index 1, expected 2*1/6, max 3/2 -> 4/7
    assert adjusted_rand_index(dict(enumerate([0, 0, 1, 2])), dict(enumerate([0, 0, 1, 1]))) == pytest.approx(4 / 7)
    value = adjusted_rand_index(dict(enumerate([0, 0, 1, 1, 2, 2])), dict(enumerate([0, 0, 0, 1, 1, 1])))
    assert value == pytest.approx(0.24242424)


def test_ari_can_be_negative_for_worse_than_chance():
    assert adjusted_rand_index({"a": 1, "b": 2, "c": 1, "d": 2}, {"a": 1, "b": 1, "c": 2, "d": 2}) < 0


def test_co_clustered_pair_counts():
    gold = {"a": 1, "b": 1, "c": 1, "d": 2}
    pred = {"a": 1, "b": 1, "c": 2, "d": 2}
    s = co_cluster_pair_scores(pred, gold)
    # gold pairs ab ac bc; predicted pairs ab cd
    assert (s.tp, s.fp, s.fn) == (1, 1, 2)


def test_items_missing_from_prediction_are_singletons():
    gold = {"a": 1, "b": 1, "c": 2}
    s = cluster_scores({"a": 1, "zz": 1}, gold)  # b, c missing; zz is not a gold item and is ignored
    assert s.bcubed_precision == 1.0
    assert s.bcubed_recall == pytest.approx((1 / 2 + 1 / 2 + 1) / 3)
    assert s.pairwise.tp == 0 and s.pairwise.fn == 1 and s.pairwise.fp == 0
    assert cluster_scores({}, {"a": 1, "b": 2}).ari == 1.0  # all singletons on both sides


clusterings = st.dictionaries(st.integers(0, 12), st.integers(0, 3), min_size=1, max_size=13)


@given(clusterings, clusterings)
def test_cluster_scores_bounded_and_ari_symmetric(pred, gold):
    s = cluster_scores(pred, gold)
    for v in (s.bcubed_precision, s.bcubed_recall, s.bcubed_f1, s.pairwise.precision, s.pairwise.recall):
        assert 0 <= v <= 1 + 1e-12
    assert -1 <= s.ari <= 1 + 1e-12
    same_items = {k: pred.get(k, ("missing", k)) for k in gold}
    assert adjusted_rand_index(same_items, gold) == pytest.approx(adjusted_rand_index(gold, same_items))


# --- binary decisions and thresholds ---------------------------------------------------------------------------------


def test_binary_scores_hand_example():
    s = binary_scores([True, True, False, False, True], [True, False, True, False, True])
    assert (s.tp, s.fp, s.fn, s.tn) == (2, 1, 1, 1)
    assert s.accuracy == pytest.approx(3 / 5)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(2 / 3)


def test_binary_scores_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        binary_scores([True], [True, False])


def test_best_threshold_hand_example_ties_go_low():
    # sorted: 0.1 F, 0.35 T, 0.4 F, 0.8 T; thresholds 0.225 and 0.6 both get 3 of 4 right
    t = best_threshold([0.1, 0.4, 0.35, 0.8], [False, False, True, True])
    assert t.threshold == pytest.approx(0.225)
    assert t.accuracy == 0.75


def test_best_threshold_extremes():
    assert best_threshold([0.2, 0.9], [True, True]) == (0.2, 1.0)
    t = best_threshold([0.2, 0.9], [False, False])
    assert t.accuracy == 1.0 and t.threshold > 0.9
    assert best_threshold([0.1, 0.2, 0.7, 0.9], [False, False, True, True]) == (pytest.approx(0.45), 1.0)


@given(st.lists(st.tuples(st.floats(-5, 5), st.booleans()), min_size=1, max_size=40))
def test_best_threshold_accuracy_is_what_it_claims_and_beats_constant_rules(data):
    scores = [s for s, _ in data]
    labels = [y for _, y in data]
    t = best_threshold(scores, labels)
    achieved = binary_scores([s >= t.threshold for s in scores], labels).accuracy
    assert achieved == pytest.approx(t.accuracy)
    share = sum(labels) / len(labels)
    assert t.accuracy >= max(share, 1 - share) - 1e-12


def test_cross_validation_chooses_threshold_on_training_folds_only():
    # Leave-one-out: holding out the item at 1 (negative) leaves a training optimum of 1.0, which puts it on the
    # positive side. With the held-out item seen, the threshold would be 1.5 and every fold would be right.
    cv = cross_validated_threshold([0, 1, 2, 3], [False, False, True, True], k=4)
    assert cv.accuracy == pytest.approx(0.75)
    assert sorted(cv.fold_thresholds) == [1.0, 1.5, 1.5, 2.0]
    assert cv.threshold == 1.5


def test_cross_validation_separable_data_and_reproducibility():
    # a gap between the classes, so every training fold's threshold also separates its held-out fold
    scores = [i / 20 for i in range(10)] + [0.6 + i / 20 for i in range(10)]
    labels = [s >= 0.5 for s in scores]
    cv = cross_validated_threshold(scores, labels, k=5, seed=3)
    assert cv.accuracy == 1.0 and cv.f1 == 1.0 and cv.accuracy_std == 0.0
    assert all(0.45 < t <= 0.6 for t in cv.fold_thresholds)
    assert cross_validated_threshold(scores, labels, k=5, seed=3) == cv


def test_cross_validation_rejects_bad_k():
    with pytest.raises(ValueError):
        cross_validated_threshold([0.1, 0.2], [True, False], k=3)
    with pytest.raises(ValueError):
        cross_validated_threshold([0.1, 0.2], [True, False], k=1)


# --- PAN text-alignment measures -------------------------------------------------------------------------------------


def test_plagdet_perfect_detection():
    s = plagdet_scores({"p": [(0, 100, 10, 110)]}, {"p": [(0, 100, 10, 110)]})
    assert (s.precision, s.recall, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)


def test_plagdet_split_detection_is_penalised_by_granularity():
    s = plagdet_scores({"p": [(0, 100, 0, 100)]}, {"p": [(0, 50, 0, 50), (50, 100, 50, 100)]})
    assert (s.precision, s.recall, s.granularity) == (1.0, 1.0, 2.0)
    assert s.plagdet == pytest.approx(1 / math.log2(3))


def test_plagdet_half_overlap_counts_characters_of_both_documents():
    s = plagdet_scores({"p": [(0, 100, 0, 100)]}, {"p": [(50, 150, 50, 250)]})
    assert s.recall == pytest.approx(100 / 200)
    assert s.precision == pytest.approx(100 / 300)


def test_plagdet_needs_overlap_in_both_documents_and_the_same_pair():
    wrong_source_span = plagdet_scores({"p": [(0, 100, 0, 100)]}, {"p": [(0, 100, 500, 600)]})
    assert (wrong_source_span.recall, wrong_source_span.precision, wrong_source_span.plagdet) == (0.0, 0.0, 0.0)
    other_pair = plagdet_scores({"p": [(0, 100, 0, 100)]}, {"q": [(0, 100, 0, 100)]})
    assert other_pair.recall == 0.0 and other_pair.detected_cases == 0


def test_plagdet_macro_averages_over_cases():
    s = plagdet_scores({"p": [(0, 10, 0, 10)], "q": [(0, 1000, 0, 1000)]}, {"p": [(0, 10, 0, 10)]})
    assert s.recall == pytest.approx(0.5)  # one of two cases, whatever their lengths
    assert s.precision == 1.0


def test_plagdet_empty_inputs():
    assert plagdet_scores({}, {}).plagdet == 1.0
    assert plagdet_scores({"p": [(0, 5, 0, 5)]}, {}).plagdet == 0.0
    with pytest.raises(ValueError):
        plagdet_scores({"p": [(5, 1, 0, 5)]}, {})


spans = st.tuples(st.integers(0, 60), st.integers(1, 40), st.integers(0, 60), st.integers(1, 40)).map(
    lambda t: (t[0], t[0] + t[1], t[2], t[2] + t[3])
)
span_maps = st.dictionaries(st.sampled_from("pq"), st.lists(spans, max_size=4), max_size=2)


@given(span_maps, span_maps)
def test_plagdet_bounded(cases, detections):
    s = plagdet_scores(cases, detections)
    assert 0 <= s.precision <= 1 and 0 <= s.recall <= 1 and 0 <= s.plagdet <= 1
    assert s.granularity >= 1


# --- loaders ---------------------------------------------------------------------------------------------------------


def test_load_clough():
    records = load_clough(DATA / "clough")
    assert [r.category for r in records] == ["non", "cut", "heavy", "orig"]
    assert records[1].file == "g0pB_taska.txt" and records[1].task == "a"
    assert records[1].source == "orig_taska.txt" and records[3].source is None


def test_load_clough_rejects_unknown_category_and_missing_files(tmp_path):
    (tmp_path / "x.txt").write_text("text")
    (tmp_path / "file_information.csv").write_text("File,Task,Category\nx.txt,a,copied\n")
    with pytest.raises(InputError, match="copied"):
        load_clough(tmp_path)
    (tmp_path / "file_information.csv").write_text("File,Task,Category\ny.txt,a,cut\n")
    with pytest.raises(InputError, match="not found"):
        load_clough(tmp_path)


def test_load_mrpc_keeps_quotes_and_drops_bom_and_crlf():
    pairs = load_mrpc(DATA / "mrpc")
    assert len(pairs) == 3
    first = pairs[0]
    assert first.id == "101-202" and first.label is True
    assert first.s1 == 'The mayor called the plan "a good start.'
    assert first.s2 == 'Calling the plan "a good start", the mayor backed it.'
    assert [p.label for p in pairs] == [True, False, True]
    assert load_mrpc(DATA / "mrpc" / "msr_paraphrase_train.txt") == pairs


def test_load_mrpc_rejects_bad_rows(tmp_path):
    bad = tmp_path / "m.txt"
    bad.write_text("Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\nyes\t1\t2\ta\tb\n")
    with pytest.raises(InputError, match="line 2"):
        load_mrpc(bad)
    with pytest.raises(InputError, match="not found"):
        load_mrpc(tmp_path / "absent.txt")


def test_load_pan_paraphrase():
    pairs = load_pan_paraphrase(DATA / "pan-paraphrase")
    assert [(p.id, p.label) for p in pairs] == [("1", True), ("2", False), ("3", True)]
    assert pairs[2].s2 == "At dawn the ship sailed out of the harbour."


def test_load_pan_paraphrase_rejects_misaligned_files(tmp_path):
    (tmp_path / "pan-train_s1.txt").write_text("a\nb\n")
    (tmp_path / "pan-train_s2.txt").write_text("c\n")
    (tmp_path / "pan-train.labels").write_text("1\n0\n")
    with pytest.raises(InputError, match="line counts differ"):
        load_pan_paraphrase(tmp_path)


def test_load_ecbplus():
    stories = load_ecbplus(DATA / "ecbplus")
    assert stories == {
        "1_1ecb.txt": "1-ecb",
        "1_2ecb.txt": "1-ecb",
        "1_1ecbplus.txt": "1-ecbplus",
        "3_1ecb.txt": "3-ecb",
    }


def test_load_ecbplus_requires_the_documents(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "labels.csv").write_text("file,topic,story\n1_1ecb.txt,1,1-ecb\n")
    with pytest.raises(InputError, match="1_1ecb.txt"):
        load_ecbplus(tmp_path)


def test_load_pan13():
    corpus = load_pan13(DATA / "pan13")
    assert len(corpus.pairs) == 3 and len(corpus.labelled) == 2
    pair = ("suspicious-document00001.txt", "source-document00001.txt")
    assert corpus.cases[pair] == (Case(98, 98 + 183, 153, 153 + 183),)
    susp, src = read_pan13_pair(corpus, pair)
    assert susp.startswith("ncd wrds") and "Divers from the museum" in src


def _words(text: str) -> list[str]:
    return [w for w in (re.sub(r"[^0-9a-z]", "", t) for t in text.lower().split()) if w]


def test_reanchor_fixture_cases_land_on_the_copied_passages():
    corpus = load_pan13(DATA / "pan13")
    found = reanchor_pan13(corpus)
    passages = {
        "source-document00001.txt": "Divers from the museum mapped the wreck over three weeks. They found ballast "
        "stones, a copper kettle and the remains of a cargo of roof slates bound for the quarry towns up the coast.",
        "source-document00002.txt": "People simply drive on to the next town, one owner said. The council says the "
        "charges pay for the repair of the sea wall, which was damaged in the winter storms.",
    }
    for (susp_name, src_name), results in found.items():
        (r,) = results
        assert r.status == "exact"
        susp, src = read_pan13_pair(corpus, (susp_name, src_name))
        assert _words(susp[r.case.susp_start : r.case.susp_end]) == _words(passages[src_name])
        assert _words(src[r.case.src_start : r.case.src_end]) == _words(passages[src_name])
    gold = anchored_cases(found)
    assert sum(len(v) for v in gold.values()) == 2


FILLER = (
    "The committee met on a grey morning and went through the accounts line by line before lunch. "
    "Several members asked why the figures for the second quarter had been revised twice. "
    "The treasurer promised a written answer within the month and the meeting moved on. "
)


def _reextract(text: str) -> str:
    text = re.sub(r"[^\x00-\x7f]", "", text)
    return "\n".join(textwrap.fill(p, 64) for p in text.split("\n\n"))


def test_reanchor_finds_a_case_that_drifted_far_from_its_offsets():
    first = "Ferries to the island were cancelled for a third day as gales swept the western coast of the country."
    second = "Engineers will inspect the pier on Friday before any crossing is allowed to resume, the operator said."
    src = FILLER + first + "\n\n" + FILLER + FILLER + second + "\n\n" + FILLER
    # 600 non-ASCII characters between the two copies vanish on re-extraction: the second case drifts far.
    susp = "Intro text of our own. " + first + "\n\n" + "ΣΤΑΘΜΟΣ " * 75 + "\n\n" + second + " Nothing else followed."
    cases = [Case(susp.index(p), susp.index(p) + len(p), src.index(p), src.index(p) + len(p)) for p in (first, second)]
    new_susp, new_src = _reextract(susp), _reextract(src)
    results = reanchor_cases(new_susp, new_src, cases)
    assert [r.status for r in results] == ["exact", "exact"]
    for r, passage in zip(results, (first, second), strict=True):
        assert r.original in cases
        assert _words(new_susp[r.case.susp_start : r.case.susp_end]) == _words(passage)
        assert _words(new_src[r.case.src_start : r.case.src_end]) == _words(passage)
    assert cases[1].susp_start - results[1].case.susp_start > 500


def test_reanchor_reports_missing_when_the_passage_is_not_shared():
    src = FILLER * 2
    susp = "Nothing in this text was taken from the other one at all, not a single sentence of it. " * 3
    (r,) = reanchor_cases(susp, src, [(10, 60, 20, 70)])
    assert r.status == "missing" and r.case is None and r.coverage == 0.0
    assert anchored_cases({"p": [r]}) == {"p": []}


# --- the real data sets (skipped when they are not next to the repository) -------------------------------------------


def _shared(name: str) -> Path:
    path = SHARED / name
    if not path.is_dir():
        pytest.skip(f"evaluation data {name} not available")
    return path


@pytest.mark.shared
def test_shared_mrpc_counts():
    pairs = load_mrpc(_shared("mrpc-train"))
    assert len(pairs) == 4076
    assert sum(p.label for p in pairs) == 2753
    assert not any(p.s2.endswith("\r") for p in pairs)


@pytest.mark.shared
def test_shared_pan_paraphrase_counts():
    pairs = load_pan_paraphrase(_shared("pan-paraphrase-train"))
    assert len(pairs) == 10_000
    assert sum(p.label for p in pairs) == 5_000


@pytest.mark.shared
def test_shared_clough_counts():
    records = load_clough(_shared("clough-stevenson-short-answers"))
    assert len(records) == 100
    assert Counter(r.category for r in records)["orig"] == 5


@pytest.mark.shared
def test_shared_ecbplus_counts():
    stories = load_ecbplus(_shared("ecbplus-dev"))
    assert len(stories) == 496
    assert len(set(stories.values())) == 42


@pytest.mark.shared
def test_shared_pan13_counts_and_reanchoring():
    corpus = load_pan13(_shared("pan13-verbatim"))
    assert len(corpus.labelled) == 500
    assert len(corpus.pairs) == 2592
    assert sum(len(c) for c in corpus.cases.values()) == 624
    found = reanchor_pan13(corpus)
    statuses = Counter(r.status for results in found.values() for r in results)
    assert statuses["exact"] >= 600 and statuses["missing"] == 0
