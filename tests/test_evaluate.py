import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sourcetrace.evaluation.collection import evaluate_collection
from sourcetrace.evaluation.datasets import load_mrpc
from sourcetrace.evaluation.measures import (
    adjusted_rand_index,
    bcubed_per_item,
    bcubed_scores,
    best_threshold,
    binary_scores,
    cluster_scores,
    co_cluster_pair_scores,
    held_out_decisions,
    pair_scores,
    plagdet_scores,
)
from sourcetrace.evaluation.passages import evaluate_clough, evaluate_pan13
from sourcetrace.evaluation.results import Evaluation, Table, evaluation_dict, evaluation_markdown, evaluation_text
from sourcetrace.evaluation.runner import spread
from sourcetrace.evaluation.sentence_pairs import evaluate_sentence_pairs
from sourcetrace.evaluation.stories import evaluate_ecbplus

DATA = Path(__file__).parent / "data" / "eval"
ROOT = Path(__file__).resolve().parents[1]


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
    assert best_threshold([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == pytest.approx(0.225)


def test_best_threshold_extremes():
    assert best_threshold([0.2, 0.9], [True, True]) == 0.2
    assert best_threshold([0.2, 0.9], [False, False]) > 0.9
    assert best_threshold([0.1, 0.2, 0.7, 0.9], [False, False, True, True]) == pytest.approx(0.45)


@given(st.lists(st.tuples(st.floats(-5, 5), st.booleans()), min_size=1, max_size=40))
def test_best_threshold_beats_constant_rules(data):
    scores = [s for s, _ in data]
    labels = [y for _, y in data]
    t = best_threshold(scores, labels)
    achieved = binary_scores([s >= t for s in scores], labels).accuracy
    share = sum(labels) / len(labels)
    assert achieved >= max(share, 1 - share) - 1e-12
    f1 = binary_scores([s >= best_threshold(scores, labels, "f1") for s in scores], labels).f1
    assert f1 >= binary_scores([True] * len(labels), labels).f1 - 1e-12


def test_best_f1_threshold_hand_example():
    # sorted: 0.1 F, 0.2 T, 0.3 F, 0.9 T. Calling >= 0.15 positive: tp 2, fp 1 -> F1 0.8; >= 0.6: tp 1 -> F1 2/3.
    assert best_threshold([0.3, 0.1, 0.9, 0.2], [False, False, True, True], "f1") == pytest.approx(0.15)


def test_held_out_decisions_choose_on_training_folds_only():
    # Leave-one-out: holding out the item at 1 (negative) leaves a training optimum of 1.0, which puts it on the
    # positive side. With the held-out item seen, the threshold would be 1.5 and every fold would be right.
    loo = held_out_decisions([0, 1, 2, 3], [False, False, True, True], k=4)
    assert loo.decisions.tolist() == [False, True, True, True]
    assert sorted(loo.fold_choices) == [1.0, 1.5, 1.5, 2.0] and loo.choice == 1.5
    # a gap between the classes, so every training fold's threshold also separates its held-out fold
    scores = [i / 20 for i in range(10)] + [0.6 + i / 20 for i in range(10)]
    labels = [s >= 0.5 for s in scores]
    held = held_out_decisions(scores, labels, k=5, seed=3)
    assert held.decisions.tolist() == labels
    assert all(0.45 < t <= 0.6 for t in held.fold_choices)
    with pytest.raises(ValueError):
        held_out_decisions([0.1, 0.2], [True, False], k=3)


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


# --- reports ---------------------------------------------------------------------------------------------------------


def test_evaluation_renderings_show_every_row():
    ev = Evaluation(
        "demo",
        "two methods",
        {"accuracy": 0.5},
        [Table("Scores", ("method", "accuracy", "note"), [("ours", 0.5, None), ("theirs", 0.25, "tuned")], "A note.")],
        3.0,
    )
    text = evaluation_text(ev)
    assert "ours       0.500  —\n" in text and "theirs     0.250  tuned\n" in text and "A note." in text
    md = evaluation_markdown(ev)
    assert "| ours | 0.500 | — |" in md and "|---|---:|---|" in md
    assert evaluation_dict(ev)["tables"][0]["rows"][1] == {"method": "theirs", "accuracy": 0.25, "note": "tuned"}


@given(
    st.dictionaries(st.integers(0, 12), st.integers(0, 3), min_size=1),
    st.dictionaries(st.integers(0, 12), st.integers(0, 3)),
)
def test_bcubed_per_item_averages_to_bcubed(gold, predicted):
    per_item = bcubed_per_item(predicted, gold)
    precision, recall, _ = bcubed_scores(predicted, gold)
    assert sum(p for p, _ in per_item.values()) / len(gold) == pytest.approx(precision)
    assert sum(r for _, r in per_item.values()) / len(gold) == pytest.approx(recall)


# --- runs on the small fixtures (need the encoder) -------------------------------------------------------------------


def test_run_clough_fixture(settings, models):
    ev = evaluate_clough(DATA / "clough", settings, models)
    # the cut answer is the source sentence word for word, the non answer shares only the topic
    assert ev.figures["accuracy"] >= 2 / 3
    confusion = {row[0]: row for row in ev.tables[1].rows}
    assert confusion["cut"][1] == 1 and confusion["cut"][-2] == 0  # found, not "none"
    assert confusion["non"][-2] == 1


def test_run_sentence_pairs_fixture_and_cli(settings, models):
    from click.testing import CliRunner

    from sourcetrace.cli import main

    ev = evaluate_sentence_pairs("mrpc", load_mrpc(DATA / "mrpc"), settings, models)
    assert ev.figures["accuracy"] == 1.0  # two clear paraphrases and an unrelated pair
    result = CliRunner().invoke(main, ["eval", "mrpc", str(DATA / "mrpc"), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["figures"]["accuracy"] == 1.0
    # three pairs are too few to cross-validate a baseline's threshold
    assert [row["method"] for row in report["tables"][0]["rows"]] == ["sourcetrace match-sentences", "always yes"]


def test_spread_keeps_the_mix_of_a_sorted_list():
    assert spread(list(range(10)), 4) == [0, 2, 5, 7]
    assert spread([1, 2], None) == [1, 2] and spread([1, 2], 5) == [1, 2]


def test_run_ecbplus_and_pan13_fixtures(settings, models):
    ev = evaluate_ecbplus(DATA / "ecbplus", settings, models)
    assert 0 <= ev.figures["bcubed_f1"] <= 1
    assert ev.description.startswith("4 articles, 3 stories in 2 topics")
    pan = evaluate_pan13(DATA / "pan13", settings, models)
    assert set(pan.figures) == {"pair_recall", "passage_recall", "passage_precision", "plagdet"}
    assert pan.tables[1].rows[0][1] == 2  # the labelled pairs


def test_run_collection_from_the_seeds(tmp_path, settings, models):
    seeds = {p.name[:3]: p.read_text("utf-8") for p in (ROOT / "examples" / "seeds").glob("*.txt")}
    (tmp_path / "articles.jsonl").write_text(
        "".join(json.dumps({"id": k, "text": seeds[k]}) + "\n" for k in ("000", "001", "002")), "utf-8"
    )
    (tmp_path / "truth.jsonl").write_text(
        '{"a": "001", "b": "000", "relation": "rewrite", "source": "001"}\n'
        '{"a": "001", "b": "002", "relation": "none"}\n',
        "utf-8",
    )
    ev = evaluate_collection(tmp_path, settings, models)
    assert ev.figures["recall_rewrite"] == 1.0
    assert ev.figures["hard_negatives_clear"] == 1.0
    assert ev.figures["precision"] == 1.0
    assert ev.tables[0].rows[0][-1] == "1/1"  # the source named right


def test_markdown_escapes_the_cell_separator():
    ev = Evaluation("demo", "", {}, [Table("T", ("method", "found"), [("ours", "a | b")])])
    assert "| ours | a \\| b |" in evaluation_markdown(ev)
