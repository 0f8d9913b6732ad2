"""spark-scan gives what scan gives: the same pairs, relations and stories, whatever the partitions or input order.

Runs Spark in local[2] mode, one session for the module; skipped when PySpark or Java is absent (``make test``
installs the spark extra).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sourcetrace.cli import main

from .conftest import SEEDS

pytest.importorskip("pyspark")
pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java, which is absent")

from sourcetrace import spark as job  # noqa: E402  (needs pyspark)


@pytest.fixture(scope="module")
def spark():
    session = job.session("local[2]", partitions=4)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _local(paths, settings, models) -> dict:
    from sourcetrace import scan, to_dict

    return json.loads(json.dumps(to_dict(scan(paths, settings, models))))


def _spark(spark, paths, out: Path, settings, **options) -> tuple[dict, dict]:
    summary = job.spark_scan([str(p) for p in paths], str(out), settings, spark, **options)
    return summary, job.load_report(str(out), spark)


def _relations(report: dict) -> list[tuple]:
    return sorted((p["a"], p["b"], p["relation"], p["source"]) for p in report["pairs"])


def assert_same(remote: dict, local: dict) -> None:
    """Relations, scores, sources, passages with their similarities, divergences; and the stories."""
    assert _relations(remote) == _relations(local)
    assert remote["pairs"] == sorted(local["pairs"], key=lambda p: (p["a"], p["b"]))
    # load_report's stories have no digest: the tables do not keep the sentences it is built from (docs/spark.md)
    assert remote["stories"] == [{k: v for k, v in s.items() if k != "digest"} for s in local["stories"]]


@pytest.fixture(scope="module")
def seeds(spark, settings, models, tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds") / "out"
    summary, remote = _spark(spark, [SEEDS], out, settings)
    return summary, remote, _local([SEEDS], settings, models), out


def test_seeds_same_as_scan(seeds):
    summary, remote, local, out = seeds
    assert_same(remote, local)
    assert [a["id"] for a in remote["articles"]] == sorted(a["id"] for a in local["articles"])
    assert remote["errors"] == local["errors"] == []
    assert "rewrite" in {p["relation"] for p in remote["pairs"]}
    assert summary["articles"] == 5 and summary["pairs"] == len(local["pairs"])
    written = json.loads((out / job.SUMMARY).read_text())
    assert written["relations"] == summary["relations"] and written["seconds"]


def test_order_partitions_and_formats_do_not_change_the_result(spark, seeds, settings, tmp_path):
    """The seeds as reversed JSON lines and Parquet, next to broken records, on three partitions."""
    _, folder, _, _ = seeds
    files = sorted(SEEDS.glob("*.txt"))
    mixed = tmp_path / "in"
    mixed.mkdir()
    lines = [json.dumps({"id": f.stem, "text": f.read_text(encoding="utf-8")}) for f in reversed(files[:3])]
    (mixed / "seeds.jsonl").write_text("\n".join([*lines, "not json", "", '{"text": "no id"}']) + "\n", "utf-8")
    rows = [(f.stem, f.read_text(encoding="utf-8"), "yesterday" if k else None) for k, f in enumerate(files[3:])]
    frame = spark.createDataFrame(rows[::-1], "id string, text string, published string")
    frame.coalesce(1).write.parquet(str(mixed / "more.parquet"))
    (mixed / "empty.txt").write_bytes(b"")
    _, remote = _spark(spark, [mixed], tmp_path / "out", settings, partitions=3)
    assert remote["pairs"] == folder["pairs"]
    assert remote["stories"] == folder["stories"]
    assert [a["id"] for a in remote["articles"]] == [a["id"] for a in folder["articles"]]
    paths = {a["id"]: a["path"] for a in remote["articles"]}
    assert paths[files[0].stem].endswith("seeds.jsonl:3") and ".parquet" in paths[files[4].stem]
    assert sorted(e["path"].rsplit("/", 1)[-1] for e in remote["errors"] if ".parquet" not in e["path"]) == [
        "empty.txt",
        "seeds.jsonl:4",
        "seeds.jsonl:6",
    ]
    (warning,) = [e for e in remote["errors"] if ".parquet" in e["path"]]  # a row's warning, as for a JSON line
    assert warning["level"] == "warning" and '"published" "yesterday" is not a date' in warning["reason"]


@pytest.mark.shared
def test_ecbplus_odd_topics_same_as_scan(spark, settings, models, shared_data, tmp_path):
    docs = shared_data / "ecbplus-dev" / "docs"
    local = _local([docs], settings, models)
    summary, remote = _spark(spark, [docs], tmp_path / "out", settings, partitions=5)
    assert len(remote["articles"]) == len(local["articles"]) > 400
    assert_same(remote, local)
    assert summary["candidates"] >= len(local["pairs"])


@pytest.mark.shared
def test_real_news_same_as_scan(spark, settings, models, shared_data, tmp_path):
    """Scraped local news (the first GVA_ARTICLES of gva.jsonl): syndicated copies, leftovers, many look-alike
    incidents. In id order: a scan's pair has as ``a`` the article it read first, the job's the id that sorts first."""
    lines = (shared_data / "news-stories-dev" / "gva.jsonl").read_text(encoding="utf-8").splitlines()[:GVA_ARTICLES]
    path = tmp_path / "gva.jsonl"
    path.write_text("\n".join(sorted(lines, key=lambda line: json.loads(line)["id"])) + "\n", encoding="utf-8")
    local = _local([path], settings, models)
    summary, remote = _spark(spark, [path], tmp_path / "out", settings, partitions=3)
    assert len(remote["articles"]) == len(local["articles"]) > GVA_ARTICLES * 0.9
    assert {p["relation"] for p in local["pairs"]} >= {"copy", "rewrite"}
    assert any(len(s["articles"]) > 2 for s in local["stories"])
    assert_same(remote, local)


GVA_ARTICLES = 800


def test_a_passage_taken_word_for_word_and_nothing_else_is_found_as_scan_finds_it(spark, settings, models, tmp_path):
    """Two unrelated reports, one of which holds a 33-word sentence of the other inside a longer one, each with two
    closer relatives (its own text again: its nearest by rare words): only the fingerprints of long runs make the
    two a candidate pair."""
    from .conftest import PASSAGE

    seed = (SEEDS / "001_adc2484d8ab1cf3c.txt").read_text(encoding="utf-8")
    port = " ".join(
        [
            "The harbour board met on Tuesday evening to discuss the budget for the coming year.",
            "Members argued for hours about the cost of dredging the northern channel.",
            "Several fishermen attended the meeting and asked for lower mooring fees.",
            "The board's chairman said the accounts would be published before the summer.",
            "A local shipyard has offered to repair the old lighthouse at no charge.",
            "The council expects the new ferry terminal to open in the autumn.",
            f"Reading from the report, a member said that {PASSAGE}, and the room fell silent.",
            "Officials promised a full inquiry and a public hearing next month.",
        ]
    )
    records = {"a": f"{seed}\n\n{PASSAGE.capitalize()}.", "b": port, "a1": seed, "a2": seed, "b1": port, "b2": port}
    path = tmp_path / "runs.jsonl"
    path.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in records.items()))
    local = _local([path], settings, models)
    _, remote = _spark(spark, [path], tmp_path / "out", settings, partitions=2)
    assert ("a", "b", "excerpt") in {(p["a"], p["b"], p["relation"]) for p in local["pairs"]}
    assert_same(remote, local)


def test_connected_components_give_each_vertex_its_smallest_neighbour(spark):
    edges = [(5, 9), (9, 12), (12, 30), (30, 31), (1, 2), (2, 3), (40, 41), (7, 6)]
    roots = dict(job._connected_components(spark.sparkContext.parallelize(edges, 3), 3).collect())
    assert roots == {5: 5, 9: 5, 12: 5, 30: 5, 31: 5, 1: 1, 2: 1, 3: 1, 40: 40, 41: 40, 6: 6, 7: 6}


def test_colliding_rows_pair_articles_in_buckets_of_two_to_max_bucket(spark):
    """Rows (of two bands) collide in the same band only, never with rows of their own article; an over-full
    bucket is skipped."""
    keyed = [
        (0, [1, 2, 3, 4], [True, False]),
        (1, [1, 5, 6, 4], [True, False]),
        (2, [2, 1], [False]),  # the same keys in other bands
        (3, [8, 8, 8, 8], [False, False]),  # one article's rows
        *[(k, [9, 100 + k], [False]) for k in range(4, 10)],  # six rows in one bucket
    ]
    rdd = spark.sparkContext.parallelize(keyed, 3)
    found = sorted(tuple(r) for r in job._colliding(spark, rdd, 2, 4).collect())
    assert found == [(0, 1, 0, 0, True), (0, 1, 1, 1, False)]


def test_command_needs_an_input_and_an_output():
    result = CliRunner().invoke(main, ["spark-scan", "only-one"])
    assert result.exit_code == 2 and "OUTPUT" in result.output


def test_command_refuses_to_overwrite(spark, tmp_path):
    (tmp_path / "out").mkdir()
    result = CliRunner().invoke(main, ["spark-scan", str(SEEDS), str(tmp_path / "out")])
    assert result.exit_code == 1 and "--overwrite" in result.output
