"""Readers of the labelled data sets, and re-anchoring PAN cases on re-extracted texts."""

import re
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from sourcetrace.errors import InputError
from sourcetrace.evaluation.datasets import (
    Case,
    PlantedPair,
    StoryLabel,
    load_clough,
    load_collection,
    load_ecbplus,
    load_mrpc,
    load_pan13,
    load_pan_paraphrase,
    read_text,
    reanchor_cases,
)

from .conftest import SHARED_DATA

DATA = Path(__file__).parent / "data" / "eval"


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
    labels = load_ecbplus(DATA / "ecbplus")
    assert labels == {
        "1_1ecb.txt": StoryLabel("1", "1-ecb"),
        "1_2ecb.txt": StoryLabel("1", "1-ecb"),
        "1_1ecbplus.txt": StoryLabel("1", "1-ecbplus"),
        "3_1ecb.txt": StoryLabel("3", "3-ecb"),
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
    susp, src = read_text(corpus.susp_path(pair[0])), read_text(corpus.src_path(pair[1]))
    assert susp.startswith("ncd wrds") and "Divers from the museum" in src


def _words(text: str) -> list[str]:
    return [w for w in (re.sub(r"[^0-9a-z]", "", t) for t in text.lower().split()) if w]


def test_reanchor_fixture_cases_land_on_the_copied_passages():
    corpus = load_pan13(DATA / "pan13")
    passages = {
        "source-document00001.txt": "Divers from the museum mapped the wreck over three weeks. They found ballast "
        "stones, a copper kettle and the remains of a cargo of roof slates bound for the quarry towns up the coast.",
        "source-document00002.txt": "People simply drive on to the next town, one owner said. The council says the "
        "charges pay for the repair of the sea wall, which was damaged in the winter storms.",
    }
    for susp_name, src_name in corpus.labelled:
        susp, src = read_text(corpus.susp_path(susp_name)), read_text(corpus.src_path(src_name))
        (r,) = reanchor_cases(susp, src, corpus.cases[(susp_name, src_name)])
        assert r.status == "exact"
        assert _words(susp[r.case.susp_start : r.case.susp_end]) == _words(passages[src_name])
        assert _words(src[r.case.src_start : r.case.src_end]) == _words(passages[src_name])


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


def test_load_collection(tmp_path):
    (tmp_path / "articles.jsonl").write_text('{"id": "x", "text": "t"}\n', "utf-8")
    (tmp_path / "truth.jsonl").write_text(
        '{"a": "x", "b": "y", "relation": "rewrite", "source": "x", "group": "news"}\n\n'
        '{"a": "x", "b": "z", "relation": "none"}\n',
        "utf-8",
    )
    path, pairs = load_collection(tmp_path)
    assert path == tmp_path / "articles.jsonl"
    assert pairs == [PlantedPair("x", "y", "rewrite", "x", "news"), PlantedPair("x", "z", "none", None, None)]
    (tmp_path / "truth.jsonl").write_text('{"a": "x", "b": "y", "relation": "copied"}\n', "utf-8")
    with pytest.raises(InputError, match="line 1"):
        load_collection(tmp_path)


# --- the real data sets (skipped when they are not next to the repository) -------------------------------------------


def _shared(name: str) -> Path:
    path = SHARED_DATA / name
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
    labels = load_ecbplus(_shared("ecbplus-dev"))
    assert len(labels) == 496
    assert len({label.story for label in labels.values()}) == 42


@pytest.mark.shared
def test_shared_pan13_counts_and_reanchoring():
    corpus = load_pan13(_shared("pan13-verbatim"))
    assert len(corpus.labelled) == 500
    assert len(corpus.pairs) == 2592
    assert sum(len(c) for c in corpus.cases.values()) == 624
    statuses: Counter[str] = Counter()
    for (susp, src), cases in corpus.cases.items():
        if cases:
            found = reanchor_cases(read_text(corpus.susp_path(susp)), read_text(corpus.src_path(src)), cases)
            statuses.update(r.status for r in found)
    assert statuses["exact"] >= 600 and statuses["missing"] == 0
