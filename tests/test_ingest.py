"""Stage 1: reading text, HTML and JSON-lines files, and every kind of bad input."""

from __future__ import annotations

import random
import shutil
import unicodedata
from pathlib import Path

import pytest

from sourcetrace.records import FileError
from sourcetrace.settings import IngestSettings
from sourcetrace.stages.ingest import read_articles

DATA = Path(__file__).resolve().parent / "data"
SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"
DEFAULT = IngestSettings()


def read(*paths: str | Path, limit: int = DEFAULT.max_file_bytes):
    return read_articles(list(paths), IngestSettings(max_file_bytes=limit))


def only_error(errors: list[FileError]) -> FileError:
    assert len(errors) == 1, errors
    return errors[0]


# --- good input ----------------------------------------------------------------------------------------------------


def test_seed_folder_reads_in_sorted_order() -> None:
    articles, errors = read(SEEDS)
    assert errors == []
    assert [a.id for a in articles] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    first = articles[0]
    assert first.path == str(SEEDS / f"{first.id}.txt")
    assert first.text == (SEEDS / f"{first.id}.txt").read_text("utf-8")


def test_folder_ids_are_relative_paths_hidden_files_skipped_and_foreign_ones_listed(tmp_path: Path) -> None:
    root = tmp_path / "collection"
    shutil.copytree(DATA / "collection", root)
    (root / ".drafts").mkdir()
    (root / ".drafts" / "draft.txt").write_text("A draft.", "utf-8")
    (root / ".hidden.txt").write_text("Hidden.", "utf-8")
    articles, errors = read(root)
    # hidden files are passed over silently; notes.md is listed as skipped
    assert [(e.path, e.level) for e in errors] == [(str(root / "notes.md"), "error")]
    assert "skipped: unsupported file type '.md'" in errors[0].reason
    assert [a.id for a in articles] == ["festival", "world/ferries", "world/port"]
    assert articles[1].path == str(root / "world" / "ferries.txt")
    assert articles[2].title == "Port traffic rises"
    assert "Container traffic through the port rose" in articles[2].text


def test_file_given_directly_uses_its_stem_and_path_as_given() -> None:
    articles, errors = read(str(DATA / "collection" / "festival.txt"))
    assert errors == []
    (article,) = articles
    assert article.id == "festival"
    assert article.path == str(DATA / "collection" / "festival.txt")


def test_same_file_reached_twice_is_read_once() -> None:
    articles, errors = read(DATA / "collection", DATA / "collection" / "festival.txt")
    assert [e.path for e in errors] == [str(DATA / "collection" / "notes.md")]
    assert [a.id for a in articles] == ["festival", "world/ferries", "world/port"]


def test_html_main_text_and_metadata() -> None:
    (article,), errors = read(DATA / "article.html")
    assert errors == []
    assert article.id == "article"
    assert article.title == "Harbour bridge reopens after repairs"
    assert article.date == "2024-03-08"
    assert article.url == "https://courier.example/news/harbour-bridge-reopens"
    assert article.outlet == "Coastal Courier"
    assert "eleven weeks of repairs" in article.text
    assert "“The bridge is safe," in article.text
    for clutter in ("We use cookies", "Share this article", "All rights reserved", "News > Local"):
        assert clutter not in article.text


def test_jsonl_records_with_text_or_html() -> None:
    articles, errors = read(DATA / "articles.jsonl")
    one, two, three = articles
    shown = str(DATA / "articles.jsonl")
    assert [(e.path, e.level) for e in errors] == [(f"{shown}:4", "warning")]  # its "published" is not a date
    assert [a.id for a in articles] == ["courier-1", "courier-2", "courier-3"]
    assert [a.path for a in articles] == [f"{shown}:1", f"{shown}:2", f"{shown}:4"]  # line 3 is blank
    assert one.text.startswith("The central library will open")
    assert "\n\nThe change follows" in one.text
    assert (one.title, one.outlet, one.url, one.date) == (
        "Library extends opening hours",
        "Coastal Courier",
        "https://courier.example/library",
        "2024-03-09",
    )
    assert two.title == "Tram line delayed"
    assert two.date == "2024-03-10"
    assert "supply problems" in two.text and "<p>" not in two.text
    assert three.date is None  # "not a date" is not guessed at


def test_line_ends_and_unicode_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes(unicodedata.normalize("NFD", "Café one.\r\nTwo.\rThree.").encode("utf-8"))
    (article,), _ = read(path)
    assert article.text == "Café one.\nTwo.\nThree."
    assert unicodedata.is_normalized("NFC", article.text)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_text_with_byte_order_mark(tmp_path: Path, encoding: str) -> None:
    text = "Kim said “we will always be with Russia” — café."
    data = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):  # these codecs write no mark: add it as a file would carry it
        data = ("\ufeff" + text).encode(encoding)
    path = tmp_path / "marked.txt"
    path.write_bytes(data)
    (article,), errors = read(path)
    assert errors == []
    assert article.text == text


def test_cp1252_with_smart_quotes_and_accents(tmp_path: Path) -> None:
    text = "Le président a dit “à bientôt” à l’été — café crème, naïve."
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode("cp1252"))
    (article,), errors = read(path)
    assert article.text == text
    (note,) = errors  # the guess is listed, with how sure it is
    assert note.level == "warning" and "not UTF-8: read as cp1252 (confidence" in note.reason


def test_short_cp1252_text(tmp_path: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_bytes("naïve café".encode("cp1252"))
    (article,), _ = read(path)
    assert article.text == "naïve café"


def test_other_legacy_encoding_is_detected(tmp_path: Path) -> None:
    text = "Путин принял приглашение Ким Чен Ына посетить Северную Корею в удобное время."
    path = tmp_path / "russian.txt"
    path.write_bytes(text.encode("cp1251"))
    (article,), _ = read(path)
    assert article.text == text


# --- bad input -----------------------------------------------------------------------------------------------------


def test_bad_files_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("A good article.", "utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    articles, errors = read(tmp_path)
    assert [a.id for a in articles] == ["good"]
    assert only_error(errors).path == str(tmp_path / "empty.txt")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    articles, errors = read(path)
    assert articles == []
    error = only_error(errors)
    assert error.path == str(path)
    assert "empty" in error.reason


def test_white_space_only_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text(" \n\n\t\n", "utf-8")
    articles, errors = read(path)
    assert articles == []
    assert "no text" in only_error(errors).reason


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    articles, errors = read(path)
    assert articles == []
    assert "binary" in only_error(errors).reason


def test_undecodable_bytes(tmp_path: Path) -> None:
    noise = bytes(b or 1 for b in random.Random(7).randbytes(4000))  # no NUL bytes, no encoding fits
    path = tmp_path / "noise.txt"
    path.write_bytes(noise)
    articles, errors = read(path)
    assert articles == []
    assert "not text in any encoding" in only_error(errors).reason


def test_file_over_the_size_limit_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 100, "utf-8")

    def must_not_read(self: Path) -> bytes:
        raise AssertionError("the size is checked before reading")

    monkeypatch.setattr(Path, "read_bytes", must_not_read)
    articles, errors = read(path, limit=100)
    assert articles == []
    reason = only_error(errors).reason
    assert "500 bytes" in reason and "max_file_bytes" in reason


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("Secret.", "utf-8")

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    articles, errors = read(path)
    assert articles == []
    assert "permission denied" in only_error(errors).reason


def test_missing_path() -> None:
    articles, errors = read("no/such/folder")
    assert articles == []
    error = only_error(errors)
    assert error.path == "no/such/folder"
    assert "does not exist" in error.reason


def test_unknown_extension_given_directly(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7")
    articles, errors = read(path)
    assert articles == []
    reason = only_error(errors).reason
    assert "'.pdf'" in reason and ".jsonl" in reason


def test_html_without_text(tmp_path: Path) -> None:
    path = tmp_path / "broken.html"
    path.write_text("<html><head><script>var x = 1;</script></head><body><div></div></body></html>", "utf-8")
    articles, errors = read(path)
    assert articles == []
    assert "no article text found in the HTML" in only_error(errors).reason


def write_jsonl(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_malformed_json_line_names_the_line(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path, '{"id": "a", "text": "One."}', '{"id": "b", "text": "Two."', '{"id": "c", "text": "3."}'
    )
    articles, errors = read(path)
    assert [a.id for a in articles] == ["a", "c"]
    error = only_error(errors)
    assert error.path == f"{path}:2"
    assert "line 2" in error.reason and "not valid JSON" in error.reason


def test_a_json_error_message_reads_without_a_doubled_word(tmp_path: Path) -> None:
    """json's own message may end in "at" ("Invalid control character at"); the column follows it once."""
    path = write_jsonl(tmp_path, '{"id": "a", "text": "never closed}', '{"id": "b", "text": "Two." "x"}')
    _, errors = read(path)
    reasons = [e.reason for e in errors]
    assert len(reasons) == 2
    assert "(Invalid control character at column 35)" in reasons[0]  # the line's end, inside the string
    assert "(Expecting ',' delimiter at column 28)" in reasons[1]
    assert not [r for r in reasons if " at at " in r]


def test_record_without_id_or_text(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path,
        '{"text": "No id."}',
        '{"id": "", "text": "Empty id."}',
        '{"id": "no-text"}',
        '{"id": "blank", "text": "  "}',
        '["not", "an", "object"]',
    )
    articles, errors = read(path)
    assert articles == []
    assert [e.path for e in errors] == [f"{path}:{n}" for n in range(1, 6)]
    assert 'no "id"' in errors[0].reason and 'no "id"' in errors[1].reason
    assert 'no "text" or "html"' in errors[2].reason and 'no "text" or "html"' in errors[3].reason
    assert "not an object" in errors[4].reason


def test_numeric_id_is_accepted(tmp_path: Path) -> None:
    (article,), _ = read(write_jsonl(tmp_path, '{"id": 7, "text": "Seven."}'))
    assert article.id == "7"


def test_duplicate_id_keeps_the_first(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "story.txt").write_text("First story.", "utf-8")
    jsonl = write_jsonl(tmp_path, '{"id": "a/story", "text": "Second story."}', '{"id": "x", "text": "X."}')
    articles, errors = read(tmp_path / "a", jsonl)
    assert errors == []  # ids are relative to the folder given: "story" and "a/story" differ
    assert [a.id for a in articles] == ["story", "a/story", "x"]

    articles, errors = read(tmp_path)
    assert [(a.id, a.text) for a in articles] == [("a/story", "First story."), ("x", "X.")]
    error = only_error(errors)
    assert error.path == f"{jsonl}:1"
    assert "duplicate id 'a/story'" in error.reason
    assert str(tmp_path / "a" / "story.txt") in error.reason


def test_jsonl_record_over_the_limit(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path, '{"id": "long", "text": "' + "x" * 300 + '"}', '{"id": "short", "text": "Short."}')
    articles, errors = read(path, limit=200)
    assert [a.id for a in articles] == ["short"]
    error = only_error(errors)
    assert error.path == f"{path}:1"
    assert "over the limit" in error.reason


def test_empty_jsonl(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path, "", "  ")
    articles, errors = read(path)
    assert articles == []
    assert "no JSON records" in only_error(errors).reason


def test_jsonl_with_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": "a", "text": "With a mark."}\n')
    (article,), errors = read(path)
    assert errors == []
    assert article.text == "With a mark."


@pytest.mark.parametrize("published", ['"yesterday"', '"2023-13-45"', "12345"])
def test_a_published_value_that_is_not_a_date_is_a_warning(tmp_path: Path, published: str) -> None:
    path = write_jsonl(
        tmp_path,
        '{"id": "a", "text": "Seoul, 2 March 2024. Kim met Putin.", "published": ' + published + "}",
        '{"id": "b", "text": "Fine.", "published": "2024-03-01"}',
    )
    articles, errors = read(path)
    assert [(a.id, a.date) for a in articles] == [("a", None), ("b", "2024-03-01")]  # no line of "a" is a date
    warning = only_error(errors)
    assert (warning.path, warning.level) == (f"{path}:1", "warning")
    assert f'"published" {published} is not a date' in warning.reason


def test_a_published_time_with_an_offset_is_taken_as_its_day_in_utc(tmp_path: Path) -> None:
    # New York's evening is Seoul's next morning: the local days would put the later report first
    path = write_jsonl(
        tmp_path,
        '{"id": "ny", "text": "Kim arrived.", "published": "2023-09-14T23:30:00-05:00"}',
        '{"id": "seoul", "text": "Kim arrived.", "published": "2023-09-15T01:00:00+09:00"}',
        '{"id": "utc", "text": "Kim arrived.", "published": "2023-09-14T20:00:00Z"}',
        '{"id": "local", "text": "Kim arrived.", "published": "2023-09-14T23:30:00"}',
        '{"id": "words", "text": "Kim arrived.", "published": "Sept. 14, 2023"}',
    )
    articles, errors = read(path)
    assert errors == []
    assert [(a.id, a.date) for a in articles] == [
        ("ny", "2023-09-15"), ("seoul", "2023-09-14"), ("utc", "2023-09-14"), ("local", "2023-09-14"),
        ("words", "2023-09-14"),
    ]  # fmt: skip


def test_a_published_date_in_the_future_is_a_warning(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path, '{"id": "a", "text": "Seoul, 2 March 2024. Kim met Putin.", "published": "2099-01-01"}'
    )
    (article,), errors = read(path)
    assert article.date is None  # not a later article than every other: no date (no line of the text is one)
    assert "is in the future" in only_error(errors).reason and only_error(errors).level == "warning"


def test_an_id_longer_than_the_service_takes_is_refused(tmp_path: Path) -> None:
    from sourcetrace.stages.ingest import MAX_ID_CHARS

    path = write_jsonl(
        tmp_path,
        '{"id": "' + "x" * (MAX_ID_CHARS + 1) + '", "text": "Too long."}',
        '{"id": "' + "y" * MAX_ID_CHARS + '", "text": "Long enough."}',
    )
    articles, errors = read(path)
    assert [a.text for a in articles] == ["Long enough."]
    error = only_error(errors)
    assert error.path == f"{path}:1"
    assert error.reason.startswith(f"id longer than {MAX_ID_CHARS:,} characters")


@pytest.mark.parametrize("ident", ["true", "1.5", "[1]"])
def test_an_id_of_another_type_is_named(tmp_path: Path, ident: str) -> None:
    path = write_jsonl(tmp_path, '{"id": ' + ident + ', "text": "Text."}')
    _, errors = read(path)
    assert f'"id" must be a string or an integer, not {ident}' in only_error(errors).reason


def test_a_web_page_saved_as_text_is_read_as_html(tmp_path: Path) -> None:
    body = "Russian President Vladimir Putin has accepted an invitation to visit North Korea, state media said."
    page = tmp_path / "page.txt"
    page.write_text(
        f"<!-- saved -->\n<!DOCTYPE html><html><head><title>Putin accepts</title><script>var x = 1;</script></head>"
        f"<body><article><p>{body}</p><p>{body.replace('Russian', 'The')}</p></article></body></html>",
        "utf-8",
    )
    plain = tmp_path / "plain.txt"
    plain.write_text(f"{body}\n\nA page opens with <html> and <script> tags.", "utf-8")
    (article, other), errors = read(page, plain)
    assert "<" not in article.text and "var x" not in article.text and body in article.text
    assert "is a web page" in only_error(errors).reason and only_error(errors).path == str(page)
    assert "<html>" in other.text  # text that only mentions a tag is text


def test_json_lines_in_utf16_without_a_mark_are_named_so(tmp_path: Path) -> None:
    path = tmp_path / "u16.jsonl"
    path.write_bytes('{"id": "a", "text": "Hello there."}\n'.encode("utf-16-le"))
    articles, errors = read(path)
    assert articles == [] and errors and all("is UTF-16, not UTF-8" in e.reason for e in errors)


def test_record_fields_of_the_wrong_type_are_warnings(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path,
        '{"id": "a", "text": "Kim met Putin.", "html": "<p>Other</p>", "title": 7, "url": ["x"], "outlet": "Daily"}',
    )
    (article,), errors = read(path)
    assert (article.text, article.title, article.url, article.outlet) == ("Kim met Putin.", None, None, "Daily")
    reasons = sorted(e.reason for e in errors)
    assert all(e.level == "warning" for e in errors) and len(reasons) == 3
    assert '"title" 7 is not a string' in reasons[1] and '"url" ["x"] is not a string' in reasons[2]
    assert 'both "text" and "html"' in reasons[0]
