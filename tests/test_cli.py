import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from sourcetrace.cli import main
from sourcetrace.report import FLAT_FIELDS

from .conftest import SEEDS

SEED_000 = next(SEEDS.glob("000_*.txt"))
SEED_001 = next(SEEDS.glob("001_*.txt"))


def test_scan_formats(models, tmp_path):
    runner = CliRunner()
    table = runner.invoke(main, ["scan", str(SEEDS)])
    assert table.exit_code == 0 and "rewrite" in table.stdout and re.search(r"\b\d+ stor(y|ies)\b", table.stdout)
    jsonl = runner.invoke(main, ["scan", str(SEEDS), "--format", "jsonl"])
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert rows and all(
        {"a", "b", "relation", "score", "source", "a_title", "b_date", "story"} <= row.keys() for row in rows
    )
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    taken = [r for r in rows if r["relation"] != "shared-quotes"]  # quotations shared: no chance told
    assert [r["chance"] for r in taken] == sorted(r["chance"] for r in taken)  # the stronger, the less by chance
    assert all(r["chance"] is None for r in rows if r["relation"] == "shared-quotes")
    rewrite = next(r for r in rows if r["a"].startswith("000") and r["b"].startswith("001"))
    assert rewrite["b_title"] == "Putin Accepts Kim's Invitation to Visit North Korea" and rewrite["story"]
    assert "dropped the attribution 'told AFP'" in rewrite["changes"]
    out = tmp_path / "pairs.csv"
    assert runner.invoke(main, ["scan", str(SEEDS), "--format", "csv", "-o", str(out)]).exit_code == 0
    assert len(list(csv.DictReader(io.StringIO(out.read_text())))) == len(rows)


def test_scan_goes_on_past_bad_files_and_lists_them(models, tmp_path):
    (tmp_path / "good.txt").write_text(SEED_000.read_text())
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "bad.jsonl").write_text('{"id": "x", "text": "fine text here."}\n{not json\n')
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    paths = " ".join(e["path"] for e in report["errors"])
    assert "empty.txt" in paths and "bad.jsonl" in paths
    assert {a["id"] for a in report["articles"]} >= {"good", "x"}
    assert "Traceback" not in result.output


def test_scan_exit_1_when_nothing_readable(models, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    result = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert result.exit_code == 1
    assert "empty.txt" in result.stderr


@pytest.mark.parametrize("command", [["scan", "--format", "json"], ["report"]])
def test_a_run_that_reads_nothing_leaves_the_earlier_report(models, tmp_path, command):
    (tmp_path / "empty.txt").write_text("")
    earlier = tmp_path / "earlier.out"
    earlier.write_text("the earlier report")
    result = CliRunner().invoke(main, [*command, str(tmp_path / "empty.txt"), "-o", str(earlier)])
    assert result.exit_code == 1
    assert "empty.txt" in result.stderr and "not written" in result.stderr
    assert earlier.read_text() == "the earlier report"


def test_csv_and_table_on_stdout_cannot_drive_the_terminal(models, tmp_path):
    text = SEED_000.read_text("utf-8")
    evil = "Title\x1b]0;pwned\x07 \u202eright to left\u202c \u2066isolated\u2069 \x9b31m"
    records = [{"id": "a", "text": text, "title": evil}, {"id": "b", "text": text + "\n\nOne more line."}]
    path = tmp_path / "evil.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    for fmt in ("csv", "table"):
        out = CliRunner().invoke(main, ["scan", str(path), "--format", fmt]).stdout
        assert "Title" in out and "right to left" in out
        assert not re.search("[\x1b\x07\x9b\u202a-\u202e\u2066-\u2069]", out), (fmt, out)
    story = CliRunner().invoke(main, ["story", "a", str(path)]).stdout
    assert "Title" in story and not re.search("[\x1b\x07\u202e\u2066]", story)
    as_json = CliRunner().invoke(main, ["scan", str(path), "--format", "json"]).stdout
    assert json.loads(as_json)["articles"][0]["title"] == evil  # JSON escapes; it keeps the text as read


def test_a_control_character_cannot_hide_a_formula_from_the_csv_guard():
    from sourcetrace.report import spreadsheet_safe

    assert spreadsheet_safe("\u202e=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert spreadsheet_safe("\x07@SUM(1+1)") == "'@SUM(1+1)"
    assert spreadsheet_safe("Plain \x1b[31mtitle") == "Plain title" and spreadsheet_safe(0.5) == 0.5


def test_usage_error_exit_2():
    assert CliRunner().invoke(main, ["scan"]).exit_code == 2
    assert CliRunner().invoke(main, ["scan", str(SEEDS), "--format", "xml"]).exit_code == 2


def test_compare_prints_the_full_alignment(models):
    result = CliRunner().invoke(main, ["compare", str(SEED_001), str(SEED_000), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    (pair,) = report["pairs"]
    links = [s for p in pair["passages"] for s in p["sentences"]]
    assert len(links) >= 10
    assert all(0.0 <= s["similarity"] <= 1.0 for s in links)
    assert "sentences" in report["articles"][0]


def test_json_links_carry_their_sentences(models):
    """Each link names its two sentences' offsets and texts, and they are the articles' own sentences."""
    result = CliRunner().invoke(main, ["compare", str(SEED_001), str(SEED_000), "--format", "json"])
    report = json.loads(result.stdout)
    (pair,) = report["pairs"]
    articles = {a["id"]: a for a in report["articles"]}
    for link in (s for p in pair["passages"] for s in p["sentences"]):
        for side in ("a", "b"):
            article = articles[pair[side]]
            sentence = article["sentences"][link[side]]
            assert (link[f"{side}_start"], link[f"{side}_end"]) == (sentence["start"], sentence["end"])
            assert link[f"{side}_text"] == article["text"][sentence["start"] : sentence["end"]]
            assert link[f"{side}_text"].strip()


def test_jsonl_rows_carry_the_linked_sentences(models):
    result = CliRunner().invoke(main, ["scan", str(SEEDS), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(row["sentences"] for row in rows)
    link = rows[0]["sentences"][0]
    assert link["a_text"] and link["b_text"] and link["a_end"] - link["a_start"] == len(link["a_text"])
    assert set(rows[0]) - {"sentences"} == set(FLAT_FIELDS)
    csv_header = CliRunner().invoke(main, ["scan", str(SEEDS), "--format", "csv"]).stdout.splitlines()[0]
    assert csv_header.split(",") == FLAT_FIELDS


def test_compare_unrelated_still_reports_the_pair(models):
    seed_002 = next(SEEDS.glob("002_*.txt"))
    result = CliRunner().invoke(main, ["compare", str(SEED_000), str(seed_002), "--format", "json"])
    assert result.exit_code == 0
    (pair,) = json.loads(result.stdout)["pairs"]
    assert pair["relation"] is None


def test_match_sentences(models, tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(
        "p1\tUnemployment rose to 5.2 percent in March.\tUnemployment fell to 5.2 percent in March.\n"
        "p2\tThe summit signals a seismic change in northeast Asian geopolitics, he said.\t"
        "The summit indicates a significant change in northeast Asian geopolitics, he said.\n"
        "p3\tThe summit signals a seismic change.\tHeavy rain is expected in Paris on Sunday.\n"
    )
    result = CliRunner().invoke(main, ["match-sentences", str(pairs)])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert rows["p1"]["match"] is False and rows["p1"]["divergences"]
    assert rows["p2"]["match"] is True
    assert rows["p3"]["match"] is False
    assert all(0.0 <= r["score"] <= 1.0 for r in rows.values())


def test_match_sentences_bad_row_names_the_line(models, tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("p1\tonly two fields\n")
    result = CliRunner().invoke(main, ["match-sentences", str(pairs)])
    assert result.exit_code == 1
    assert "pairs.tsv:1" in result.output


def test_match_sentences_lists_bad_lines_and_judges_the_others(models, tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_bytes(
        b"p1\tKim met Putin.\tPutin met Kim.\n"
        b"\xff\xfe\tbad\tbytes\n"
        b"p3\t" + b"x" * 200_000 + b"\ty\n"
        b"p4\tfour\tfields\there\n"
        b"p5\t\tempty sentence\n"
        b"p6\tThe summit signals a change.\tThe summit indicates a change.\n"
    )
    result = CliRunner().invoke(main, ["match-sentences", str(pairs)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["p1", "p6"]
    assert "Traceback" not in result.output
    for line, reason in ((2, "not UTF-8"), (3, "over 131,072 characters"), (4, "found 4"), (5, "empty")):
        assert re.search(rf"pairs\.tsv:{line}: .*{reason}", result.stderr), (line, result.stderr)


def test_match_sentences_with_no_pairs_leaves_the_output_alone(models, tmp_path):
    pairs, out = tmp_path / "pairs.tsv", tmp_path / "out.jsonl"
    pairs.write_text("")
    out.write_text("earlier\n")
    result = CliRunner().invoke(main, ["match-sentences", str(pairs), "-o", str(out)])
    assert result.exit_code == 1
    assert "no sentence pairs" in result.stderr and out.read_text() == "earlier\n"


def test_missing_model_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["scan", str(SEEDS), "--model-dir", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "model" in result.output.lower() and "Traceback" not in result.output


def test_the_table_fits_the_terminal_one_line_per_pair_strongest_first(models):
    result = CliRunner().invoke(main, ["scan", str(SEEDS)], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= 100
    assert "4 pairs sharing material: " in lines[0] and "2 shared-quotes" in lines[0] and "rewrite" in lines[0]
    rows = [line for line in lines if line.startswith("│") and any(r in line for r in ("rewrite", "excerpt", "quotes"))]
    scores = [float(row.split("│")[1]) for row in rows]
    assert len(rows) == 4 and scores == sorted(scores, reverse=True) and "←" in rows[0]
    assert "rewrite" in rows[0] and "000_" in rows[0]  # the AI rewrite of 001 is the strongest pair
    assert "Putin Accepts Kim" in rows[0]  # titles, not ids, where the article has one
    assert "2023-09-15" in result.stdout


def test_scan_filters_and_sorts_pairs(models):
    runner = CliRunner()
    only = runner.invoke(main, ["scan", str(SEEDS), "--format", "jsonl", "--relation", "rewrite", "--min-score", "0.5"])
    rows = [json.loads(line) for line in only.stdout.splitlines()]
    assert [(r["a"][:3], r["b"][:3]) for r in rows] == [("000", "001")]
    one = runner.invoke(main, ["scan", str(SEEDS), "--relation", "rewrite", "--min-score", "0.5"])
    assert "1 pair sharing material: 1 rewrite" in one.stdout
    by_id = runner.invoke(main, ["scan", str(SEEDS), "--format", "jsonl", "--sort", "id"])
    ids = [(r["a"], r["b"]) for r in map(json.loads, by_id.stdout.splitlines())]
    assert ids == sorted(ids)
    nan = runner.invoke(main, ["scan", str(SEEDS), "--min-score", "nan"])  # no strength reaches it: refused
    assert nan.exit_code == 2 and "not a number" in nan.output


def test_details_tell_the_changes_in_words(models):
    result = CliRunner().invoke(main, ["compare", str(SEED_000), str(SEED_001)], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "is a rewrite of “Putin Accepts Kim's Invitation to Visit North Korea”" in result.stdout
    assert "dropped the attribution 'told AFP'" in result.stdout
    assert "None" not in result.stdout and "->" not in result.stdout


def test_problems_of_one_file_are_grouped(models, tmp_path):
    (tmp_path / "good.txt").write_text(SEED_000.read_text())
    (tmp_path / "bad.jsonl").write_text("{not json\n" * 20)
    result = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert result.exit_code == 0
    assert "Not read: 20 problems in 1 file" in result.stdout and "no pair shares material" in result.stdout
    assert result.stderr.count("bad.jsonl") == 4 and "and 17 more problems in this file" in result.stderr


def test_match_sentences_skips_a_header_row(models, tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("id\tsentence_1\tsentence_2\np1\tRain is expected today.\tRain is expected today.\n")
    result = CliRunner().invoke(main, ["match-sentences", str(pairs)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["p1"]


def test_compare_two_copies_of_one_article_names_them_by_path(models, tmp_path):
    old, new = tmp_path / "old" / "story.txt", tmp_path / "new" / "story.txt"
    for path, seed in ((old, SEED_000), (new, SEED_001)):
        path.parent.mkdir()
        path.write_text(seed.read_text("utf-8"), "utf-8")
    result = CliRunner().invoke(main, ["compare", str(old), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "duplicate id" not in result.stderr
    (pair,) = json.loads(result.stdout)["pairs"]
    assert {pair["a"], pair["b"]} == {str(old), str(new)} and pair["relation"] == "rewrite"


def test_compare_of_one_file_twice_says_so():
    from sourcetrace.errors import InputError
    from sourcetrace.pipeline import compare

    result = CliRunner().invoke(main, ["compare", str(SEED_000), str(SEED_000)])
    assert result.exit_code == 2 and "same file" in result.stderr
    with pytest.raises(InputError, match="the same file"):  # the library's compare too
        compare(SEED_000, SEED_000.parent / ".." / SEEDS.name / SEED_000.name)


def test_compare_refuses_a_file_of_several_articles(tmp_path):
    # the pairs within one file are not the pair asked for, and all of them would be aligned whole
    many = tmp_path / "many.jsonl"
    many.write_text("".join(json.dumps({"id": f"r{k}", "text": SEED_000.read_text("utf-8")}) + "\n" for k in range(3)))
    result = CliRunner().invoke(main, ["compare", str(SEED_001), str(many)])
    assert result.exit_code == 1 and f"{many}: holds 3 articles" in result.stderr and not result.stdout
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps({"id": "r0", "text": SEED_000.read_text("utf-8")}) + "\n")
    result = CliRunner().invoke(main, ["compare", str(SEED_001), str(one), "--format", "json"])
    assert result.exit_code == 0 and len(json.loads(result.stdout)["pairs"]) == 1


def test_compare_refuses_a_folder():
    result = CliRunner().invoke(main, ["compare", str(SEEDS), str(SEED_000)])
    assert result.exit_code == 2 and "is a folder" in result.output


def test_serve_fails_before_serving_when_the_port_is_taken(tmp_path):
    import socket

    pytest.importorskip("uvicorn")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "s.db"), "--port", str(port)])
    assert result.exit_code == 1 and "cannot listen" in result.output and "serving" not in result.output
    assert not (tmp_path / "s.db").exists()


def test_top_level_help_shows_whole_descriptions():
    result = CliRunner().invoke(main, ["--help"], terminal_width=80)
    commands = result.stdout.split("Commands:")[1]
    assert "..." not in commands and "Find reuse among the articles under PATHS." in commands
