"""Hostile and unlucky input: never a silent wrong answer, never a lost run. Every file is made in the test."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sourcetrace.cli import main
from sourcetrace.errors import OutputError
from sourcetrace.output import write_atomic
from sourcetrace.records import FileError, Pair, ScanResult
from sourcetrace.report import printable, to_csv, to_json, to_table
from sourcetrace.settings import IngestSettings
from sourcetrace.stages.ingest import decode_with_note, read_articles

FRENCH = (
    "Première réunion à Paris : Élisabeth a déclaré que l’été serait chaud. "
    "Les élèves de l’école ont répondu présent à la fête du quartier. "
)


def read(*paths: str | Path) -> tuple[list, list[FileError]]:
    return read_articles(list(paths), IngestSettings())


def errors_only(errors: list[FileError]) -> list[FileError]:
    return [e for e in errors if e.level == "error"]


# --- decoding ------------------------------------------------------------------------------------------------------


def test_one_stray_byte_keeps_a_utf8_file_utf8_and_names_the_offset(tmp_path: Path) -> None:
    data = (FRENCH * 3).encode("utf-8")
    path = tmp_path / "stray.txt"
    path.write_bytes(data[:40] + b"\x92" + data[40:])
    (article,), errors = read(path)
    assert "Première" in article.text and "Élisabeth" in article.text and "\ufffd" in article.text
    (note,) = errors
    assert note.level == "warning" and note.path == str(path)
    assert "UTF-8" in note.reason and "byte offset 40" in note.reason


def test_many_bad_bytes_list_the_first_offsets_and_a_count() -> None:
    chunk = FRENCH.encode("utf-8")
    spoilt = (chunk + b"\xff") * 40
    text, note = decode_with_note(spoilt, "many.txt")
    assert note is not None and "40 invalid bytes" in note and " and 30 more" in note
    assert f"byte offsets {len(chunk)}, {2 * len(chunk) + 1}, " in note
    assert text.count("\ufffd") == spoilt.count(b"\xff")


def test_a_legacy_file_is_read_in_its_encoding_and_the_guess_listed(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(FRENCH.encode("cp1252"))
    (article,), errors = read(path)
    assert article.text.strip() == FRENCH.strip()
    assert [e.level for e in errors] == ["warning"] and "cp1252 (confidence" in errors[0].reason


def test_clean_utf8_has_no_note() -> None:
    assert decode_with_note(FRENCH.encode("utf-8"), "x") == (FRENCH, None)


# --- one bad record never ends the run -------------------------------------------------------------------------------


def jsonl(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_lone_surrogates_are_replaced_and_listed(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "s.jsonl",
        '{"id": "text", "text": "A lone \\ud800 surrogate."}',
        '{"id": "id-\\udc00", "text": "In the id.", "title": "T\\ud83d"}',
        '{"id": "pair", "text": "A real pair \\ud83d\\ude00 stays."}',
    )
    articles, errors = read(path)
    assert [a.id for a in articles] == ["text", "id-\ufffd", "pair"]
    assert articles[1].title == "T\ufffd" and "\U0001f600" in articles[2].text
    assert [(e.path, e.level) for e in errors] == [(f"{path}:1", "warning"), (f"{path}:2", "warning")]
    for a in articles:  # nothing left that cannot be written
        json.dumps([a.id, a.text, a.title], ensure_ascii=False).encode("utf-8")


def test_deep_nesting_wrong_types_and_garbage_are_listed_per_line(tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "bad.jsonl",
        '{"id": "deep", "text": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"id": ["list"], "text": "Wrong id type."}',
        '{"id": "t", "text": 5}',
        '{"id": "meta", "text": "Odd metadata.", "title": 7, "url": {"a": 1}, "published": []}',
        "\xff\xfe garbage",
        '{"id": "good", "text": "A good record."}',
    )
    articles, errors = read(path)
    assert [a.id for a in articles] == ["meta", "good"]
    assert articles[0].title is None and articles[0].url is None
    bad = errors_only(errors)
    assert [e.path for e in bad] == [f"{path}:{n}" for n in (1, 2, 3, 5)]
    assert "nested too deeply" in bad[0].reason


def test_nfc_and_nfd_spellings_of_an_id_are_one_article(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Café")
    path = jsonl(tmp_path / "ids.jsonl", json.dumps({"id": nfd, "text": "One."}), '{"id": "Café", "text": "Two."}')
    articles, errors = read(path)
    assert [a.id for a in articles] == ["Café"] and "duplicate id" in errors_only(errors)[0].reason


def test_undecodable_file_names_give_encodable_ids(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, b"caf\xe9.txt"), "wb") as f:
        f.write(b"A file whose name is not UTF-8.")
    (article,), _ = read(tmp_path)
    article.id.encode("utf-8")
    article.path.encode("utf-8")


# --- every skipped path is reported ------------------------------------------------------------------------------


def test_unsupported_types_unreadable_folders_and_link_loops_are_listed(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("A good article.", "utf-8")
    (tmp_path / "letter.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "paper.pdf").write_bytes(b"%PDF-1.7")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.txt").write_text("Inner article.", "utf-8")
    os.symlink(tmp_path, tmp_path / "sub" / "loop")  # a loop back to the top
    os.symlink(tmp_path / "sub", tmp_path / "again")  # a second way into sub
    os.symlink(tmp_path / "nowhere.txt", tmp_path / "broken.txt")
    os.mkfifo(tmp_path / "pipe.txt")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "secret.txt").write_text("Secret.", "utf-8")
    locked.chmod(0)
    try:
        articles, errors = read(tmp_path)
    finally:
        locked.chmod(0o755)
    ids = sorted(a.id for a in articles if not a.id.startswith("locked/"))  # root reads any folder
    assert ids == ["again/inner", "good"]  # sub is reached first through the link "again", and read once
    reasons = {Path(e.path).name: e.reason for e in errors}
    assert "read already" in reasons["sub"]
    assert "'.docx'" in reasons["letter.docx"] and "'.pdf'" in reasons["paper.pdf"]
    assert "read already" in reasons["loop"] or "read already" in reasons.get("again", "")
    assert "broken link" in reasons["broken.txt"]
    assert "not a regular file" in reasons["pipe.txt"]
    if os.geteuid() != 0:  # root reads any folder
        assert "permission" in reasons["locked"].lower() or "denied" in reasons["locked"].lower()


def test_linked_folder_is_followed_once(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.txt").write_text("Article a.", "utf-8")
    top = tmp_path / "top"
    top.mkdir()
    os.symlink(real, top / "linked")
    articles, errors = read(top)
    assert [a.id for a in articles] == ["linked/a"] and errors == []


# --- outputs --------------------------------------------------------------------------------------------------------


def pair(a: str, b: str, reasons: list[str]) -> Pair:
    return Pair(a, b, "copy", 0.9, 0.8, 0.7, [], [], a, reasons)


def test_csv_formula_cells_are_neutralised() -> None:
    result = ScanResult([], [pair("=HYPERLINK(1)", "+b", ["@cmd", "-x"])], [], [])
    row = to_csv(result).splitlines()[1]
    assert re.match(r"'=HYPERLINK\(1\),'\+b,copy,0\.9,[0-9.e-]+,'=HYPERLINK\(1\)", row)
    assert "'@cmd; -x" in row


def test_terminal_escapes_are_stripped_from_the_table() -> None:
    evil = "id\x1b]8;;http://x\x07link\x1b]8;;\x07\x1b[2J\x9b31m\x07"
    result = ScanResult([], [pair(evil, "b", [])], [], [FileError(evil, "reason\x1b[31m")])
    table = to_table(result)
    assert "\x1b" not in table and "\x9b" not in table and "\x07" not in table
    assert printable("a\tb\nc\x00d\x1b[0m") == "a\tb\ncd"


def test_json_reports_escape_what_would_act_on_a_terminal(tmp_path: Path) -> None:
    # JSON may carry 8-bit controls and bidi overrides raw; printed to a terminal, \x9b is a control sequence
    from sourcetrace.report import to_jsonl

    text = "Kim arrived\x9b2J in Vladivostok \u202eon Tuesday\u2028and met Putin.\x85"
    path = jsonl(
        tmp_path / "c.jsonl", json.dumps({"id": "a\x9b31m", "text": text}), json.dumps({"id": "b", "text": text})
    )
    articles, errors = read(path)
    result = ScanResult(articles, [pair(articles[0].id, "b", [text])], [], errors)
    for written in (to_json(result, with_sentences=True), to_jsonl(result)):
        assert not any(c in written for c in "\x9b\x85\u202e\u2028")
        assert "\\u009b" in written and "\\u202e" in written
    assert json.loads(to_json(result, with_sentences=True))["articles"][0]["id"] == articles[0].id  # the same string


def test_json_report_of_sanitised_input_is_always_writable(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "s.jsonl", '{"id": "x\\ud800", "text": "T\\udfff.", "title": "\\ud800"}')
    articles, errors = read(path)
    write_atomic(tmp_path / "out.json", to_json(ScanResult(articles, [], [], errors)))


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("earlier report", "utf-8")
    with pytest.raises(OutputError):  # an unencodable string fails the write: the earlier file stays
        write_atomic(target, "bad \ud800")
    assert target.read_text("utf-8") == "earlier report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary left behind
    write_atomic(target, "new report")
    assert target.read_text("utf-8") == "new report"


@pytest.mark.parametrize("command", [["scan", "-o"], ["report", "-o"], ["match-sentences", "-", "-o"]])
def test_output_place_is_checked_before_the_work(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "no" / "such" / "out.json"
    args = [*command, str(missing)] + ([] if "match-sentences" in command else [str(tmp_path)])
    result = CliRunner().invoke(main, args, input="")
    assert result.exit_code == 2, result.output
    assert "does not exist" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("inside", [True, False])
def test_a_report_never_replaces_an_article_it_reads(tmp_path: Path, inside: bool) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    article = folder / "a.txt"
    article.write_text("An article that must survive the run.", "utf-8")
    given = [str(folder)] if inside else [str(article), str(tmp_path / "b.txt")]
    for output in (article, tmp_path / "articles" / ".." / "articles" / "a.txt"):
        result = CliRunner().invoke(main, ["scan", *given, "--format", "csv", "-o", str(output)])
        assert result.exit_code == 2 and "is one of the files read" in result.output, result.output
        assert article.read_text("utf-8") == "An article that must survive the run."
    result = CliRunner().invoke(main, ["report", *given, "-o", str(article)])
    assert result.exit_code == 2 and "is one of the files read" in result.output, result.output
    assert article.read_text("utf-8") == "An article that must survive the run."
    if inside:  # a folder linked into the input folder is read too: its files are inputs
        other = tmp_path / "elsewhere"
        other.mkdir()
        (other / "c.txt").write_text("Another article read through a link.", "utf-8")
        (folder / "more").symlink_to(other, target_is_directory=True)
        result = CliRunner().invoke(main, ["scan", str(folder), "-o", str(other / "c.txt")])
        assert result.exit_code == 2 and "is one of the files read" in result.output, result.output


def test_index_add_of_a_missing_path_creates_no_store(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    result = CliRunner().invoke(main, ["index", "add", str(tmp_path / "missing"), "--db", str(db)])
    assert result.exit_code == 1 and "does not exist" in result.output
    assert not db.exists()


# --- fuzz: random bytes and random JSON lines ------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
records = st.dictionaries(
    st.sampled_from(["id", "text", "html", "title", "url", "outlet", "published", "other"]), json_values, max_size=6
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".txt", ".html", ".jsonl"]))
def test_fuzz_random_bytes_never_raise(tmp_path_factory, data: bytes, suffix: str) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / f"random{suffix}").write_bytes(data)
    (folder / "good.txt").write_text("A good article that is always read.", "utf-8")
    articles, errors = read(folder)
    assert "good" in [a.id for a in articles]
    for a in articles:
        json.dumps([a.id, a.text, a.title, a.path], ensure_ascii=False).encode("utf-8")
    for e in errors:
        (e.path + e.reason).encode("utf-8")


@FUZZ
@given(lines=st.lists(records | json_values, max_size=6))
def test_fuzz_random_json_lines_keep_the_good_records(tmp_path_factory, lines: list) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    body = [json.dumps(x) for x in lines] + ['{"id": "always-good", "text": "A good record."}']
    (folder / "records.jsonl").write_text("\n".join(body) + "\n", "utf-8")
    articles, errors = read(folder)
    ids = [a.id for a in articles]
    assert "always-good" in ids
    numbered = {int(e.path.rsplit(":", 1)[1]) for e in errors if e.level == "error"}
    read_lines = {int(a.path.rsplit(":", 1)[1]) for a in articles}
    blank = {n for n, x in enumerate(body, start=1) if not x.strip()}
    assert numbered | read_lines | blank == set(range(1, len(body) + 1))  # each line read or listed
    for a in articles:
        json.dumps([a.id, a.text, a.title, a.url, a.outlet], ensure_ascii=False).encode("utf-8")


def test_an_id_no_report_can_show_is_refused(tmp_path: Path) -> None:
    # reports strip control and bidi characters from what they show: "a" and "a\u202e" would print as one id
    path = jsonl(
        tmp_path / "ids.jsonl",
        json.dumps({"id": "a", "text": "One."}),
        json.dumps({"id": "a\u202e", "text": "Two."}),
        json.dumps({"id": "b\u200bc", "text": "Three."}),
        json.dumps({"id": "ok id", "text": "Four."}),
    )
    articles, errors = read(path)
    assert [a.id for a in articles] == ["a", "ok id"]
    assert [e.path.rsplit(":", 1)[1] for e in errors] == ["2", "3"]
    assert all("control, invisible format or line separator" in e.reason and e.level == "error" for e in errors)


def test_a_name_cut_short_in_a_digest_line_is_made_printable_first() -> None:
    from sourcetrace.digest import Report
    from sourcetrace.terminal import _who

    title = "A" * 37 + "\x1b[2J" + "B" * 10
    assert _who(Report("a", None, None, title)) == "A" * 37 + "BB…"  # not "AAA…\x1b[2…" with the escape halved
