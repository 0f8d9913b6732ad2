"""Stage 1: read article files (plain text, HTML, JSON lines) into raw Articles, listing what cannot be read."""

from __future__ import annotations

import codecs
import datetime
import io
import json
import os
import re
import stat
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import charset_normalizer
import trafilatura

from ..errors import InputError
from ..records import Article, FileError
from ..settings import IngestSettings
from .dates import parse_date, publication_day

KINDS = {".txt": "text", ".html": "html", ".htm": "html", ".jsonl": "jsonl"}
MAX_ID_CHARS = 1000  # the longest id the web service takes (in its links and requests): longer ones are refused
_EXPECTED = ".txt, .html, .htm or .jsonl"


def read_articles(paths: Sequence[str | Path], settings: IngestSettings) -> tuple[list[Article], list[FileError]]:
    """Read every article under ``paths`` (files, or folders searched recursively in sorted order).

    Returns the articles read and one FileError per file or record that could not be; the rest goes on.
    Ids: the path under the folder given, without extension ('/'-separated); a file given directly: its stem;
    a JSON-lines record: its ``id`` field. The first article with an id wins; later ones are errors.
    """
    found = _Found()
    for given in paths:
        for path, shown, article_id in _files(given, found):
            try:
                if KINDS[path.suffix.lower()] == "jsonl":
                    _read_jsonl(path, shown, settings.max_file_bytes, found)
                else:
                    found.add(_read_file(path, shown, article_id, settings.max_file_bytes, found.notes))
            except InputError as exc:
                found.error(exc.path, exc.reason)
            except (RecursionError, MemoryError, ValueError, TypeError, LookupError) as exc:
                # one hostile file must not end the run: whatever it breaks, it is listed and the rest goes on
                found.error(shown, f"could not be read ({type(exc).__name__}: {_short(exc)}); check or remove it")
    return found.articles, found.errors


def read_bytes(
    data: bytes, name: str, article_id: str, settings: IngestSettings, kind: str | None = None
) -> tuple[list[Article], list[FileError]]:
    """Articles from bytes that did not come from a file here (a request body, an upload), read and checked as a
    file called ``name`` would be (or as ``kind``, one of ``KINDS``' values); ``article_id`` names a text or HTML
    article (records carry their own ids)."""
    found = _Found()
    kind = kind or KINDS.get(Path(name).suffix.lower())
    try:
        if kind is None:
            raise InputError(name, f"unsupported file type; give {_EXPECTED}")
        if kind == "jsonl":
            read_jsonl_stream(io.BytesIO(data), name, settings.max_file_bytes, found)
        else:
            check_size(len(data), name, settings.max_file_bytes)
            found.add(from_bytes(data, kind, name, article_id, found.notes))
    except InputError as exc:
        found.error(exc.path, exc.reason)
    except (RecursionError, MemoryError, ValueError, TypeError, LookupError) as exc:
        found.error(name, f"could not be read ({type(exc).__name__}: {_short(exc)})")
    return found.articles, found.errors


@dataclass
class _Found:
    """What a scan has read so far, with the first path seen for each id and each file."""

    articles: list[Article] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    files: set[Path] = field(default_factory=set)
    notes: list[FileError] = field(default_factory=list)  # warnings of the file being read, listed once it is

    def add(self, article: Article) -> None:
        _sanitise(article)
        if len(article.id) > MAX_ID_CHARS:
            self.error(
                article.path,
                f"id longer than {MAX_ID_CHARS:,} characters (a record's \"id\", or a file's path under the folder "
                "given); give a shorter id, or move the file",
            )
            return
        if _unprintable(article.id):
            self.error(
                article.path,
                f"id {article.id.encode('unicode_escape').decode('ascii')} holds control, invisible format or line "
                "separator characters, which no report can show (two ids would print alike); give an id of printable "
                "characters",
            )
            return
        self.errors.extend(self.notes)
        self.notes.clear()
        earlier = self.ids.get(article.id)
        if earlier is not None:
            self.error(
                article.path,
                f"duplicate id {article.id!r}: already read from {earlier}, which is kept; "
                "give each article a unique id (file name or 'id' field)",
            )
            return
        self.ids[article.id] = article.path
        self.articles.append(article)

    def error(self, path: str, reason: str, level: Literal["error", "warning"] = "error") -> None:
        self.notes.clear()  # the file was not read after all: its warnings no longer matter
        self.errors.append(FileError(clean_string(path), clean_string(reason), level))


def article_files(given: str | Path) -> Iterator[Path]:
    """The files a read of ``given`` reads (folders searched as :func:`read_articles` searches them), unread."""
    for path, _, _ in _files(given, _Found()):
        yield path


def _files(given: str | Path, found: _Found) -> Iterator[tuple[Path, str, str]]:
    """(path, path as shown, article id) for each readable file under ``given``; problems go to ``found.errors``."""
    shown = str(given)
    path = Path(given)
    if path.is_dir():
        for rel in _walk(path, shown, found):
            yield from _once(path / rel, os.path.join(shown, rel), Path(rel).with_suffix("").as_posix(), found)
    elif path.is_file():
        if path.suffix.lower() not in KINDS:
            kind = f"'{path.suffix}'" if path.suffix else "a file without extension"
            found.error(shown, f"unsupported file type {kind}; sourcetrace reads {_EXPECTED} files")
            return
        yield from _once(path, shown, path.stem, found)
    elif path.exists() or path.is_symlink():
        reason = "is a broken link" if not path.exists() else "is not a regular file or folder"
        found.error(shown, f"{reason}; give a path to an article file or a folder of them")
    else:
        found.error(shown, "does not exist; check the path")


def _once(path: Path, shown: str, article_id: str, found: _Found) -> Iterator[tuple[Path, str, str]]:
    """Each file once, even when it is reached through a folder and again by name."""
    key = path.resolve()
    if key not in found.files:
        found.files.add(key)
        yield path, shown, article_id


def _walk(root: Path, shown: str, found: _Found) -> list[str]:
    """Relative paths (native separators) of the article files under ``root``, sorted; hidden ones skipped.

    Every other path passed over goes to ``found.errors`` with its reason: unreadable folders, files of other
    types, special files, broken links. Symbolic links to folders are followed once: a folder reached again
    (a link loop, or a second link to it) is reported and not read twice.
    """
    out: list[str] = []
    walked: dict[str, str] = {}  # real path of each folder walked -> as shown

    def unreadable(exc: OSError) -> None:
        where = os.path.join(shown, os.path.relpath(exc.filename, root)) if exc.filename else shown
        found.error(where, f"folder not read: {exc.strerror or exc}; check its permissions")

    for folder, dirs, files in os.walk(root, onerror=unreadable, followlinks=True):
        rel = os.path.relpath(folder, root)
        here = os.path.realpath(folder)
        earlier = walked.get(here)
        if earlier is not None:
            dirs[:] = []
            found.error(
                os.path.join(shown, rel),
                f"folder skipped: it leads to {earlier}, read already (a symbolic link loop, or a second link)",
            )
            continue
        walked[here] = os.path.normpath(os.path.join(shown, rel))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if name.startswith("."):
                continue
            relative = name if rel == "." else os.path.join(rel, name)
            problem = _not_an_article_file(os.path.join(folder, name))
            if problem:
                found.error(os.path.join(shown, relative), problem)
            else:
                out.append(relative)
    return sorted(out, key=lambda p: Path(p).as_posix())


def _not_an_article_file(path: str) -> str | None:
    """Why a file found in a folder is skipped, or None to read it."""
    suffix = Path(path).suffix.lower()
    if suffix not in KINDS:
        kind = f"'{suffix}'" if suffix else "a file without extension"
        return f"skipped: unsupported file type {kind}; sourcetrace reads {_EXPECTED} files"
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        broken = os.path.islink(path) and not os.path.exists(path)
        return "skipped: a broken link" if broken else f"skipped: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        return "skipped: not a regular file (a device, pipe or socket); give article files"
    return None


# ---------------------------------------------------------------------------------------------------------------
# One file


def _read_file(path: Path, shown: str, article_id: str, limit: int, notes: list[FileError]) -> Article:
    return from_bytes(_read_bytes(path, shown, limit), KINDS[path.suffix.lower()], shown, article_id, notes)


def from_bytes(data: bytes, kind: str, shown: str, article_id: str, notes: list[FileError] | None = None) -> Article:
    """The article in a text or HTML file's bytes (``kind`` as in ``KINDS``), wherever they were read.

    ``notes`` receives a warning when the bytes were not clean UTF-8 (what was decided, and how sure it is).
    """
    text, note = decode_with_note(data, shown)
    if note is not None and notes is not None:
        notes.append(FileError(shown, note, "warning"))
    if kind == "text" and _HTML_PAGE.match(without_comments(text[:PAGE_OPENING]).lstrip()):  # a saved web page
        if notes is not None:
            notes.append(FileError(shown, "is a web page (it opens with an HTML tag): read as HTML", "warning"))
        kind = "html"
    if kind == "html":
        return _from_html(text, article_id, shown)
    text = normalise_text(text)
    if not text.strip():
        raise InputError(shown, "has no text (only white space); remove it or add the article text")
    return Article(id=article_id, path=shown, text=text)


_HTML_PAGE = re.compile(r"<(?:!doctype\s+html|html)[\s>]", re.I)


PAGE_OPENING = (
    1 << 16
)  # characters of a .txt file read for the opening of a web page (its comments do not run for pages)


def without_comments(text: str) -> str:
    """The text without its HTML comments; one left open runs to the end. Linear: each search goes on from the
    last (a pattern with a lazy middle rescans the rest of the text from every opening left unclosed)."""
    kept, pos = [], 0
    while (start := text.find("<!--", pos)) >= 0:
        kept.append(text[pos:start])
        end = text.find("-->", start + 4)
        if end < 0:
            return "".join(kept)
        pos = end + 3
    kept.append(text[pos:])
    return "".join(kept)


def _read_bytes(path: Path, shown: str, limit: int) -> bytes:
    try:
        check_size(path.stat().st_size, shown, limit)
        return path.read_bytes()
    except PermissionError as exc:
        raise InputError(shown, "cannot be read: permission denied; check the file's permissions") from exc
    except OSError as exc:
        raise InputError(shown, f"cannot be read: {exc.strerror or exc}") from exc


def check_size(size: int, shown: str, limit: int) -> None:
    """Raise InputError for an empty text or HTML file, or one over the size limit."""
    if size > limit:
        raise InputError(
            shown,
            f"is {size:,} bytes, over the limit of {limit:,} (ingest.max_file_bytes); "
            "split it into one file per article or raise the limit",
        )
    if size == 0:
        raise InputError(shown, "is empty; remove it or add the article text")


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode(data: bytes, shown: str) -> str:
    """Bytes to text (see :func:`decode_with_note`)."""
    return decode_with_note(data, shown)[0]


def decode_with_note(data: bytes, shown: str) -> tuple[str, str | None]:
    """Bytes to text, and a note when they were not clean UTF-8.

    1. A byte-order mark decides.
    2. UTF-8 when it fits: clean, or mostly valid with a few bad bytes (then replaced by U+FFFD, and the note
       gives their offsets). A French article with one stray Windows-1252 byte is still UTF-8: decoding it all
       as a legacy encoding would garble every accent, silently.
    3. Else the legacy encoding charset-normalizer finds, and the note says which, and how sure it is.

    Raises InputError for binary data and for bytes no encoding explains.
    """
    # 1.
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), None
            except UnicodeDecodeError as exc:
                raise InputError(
                    shown,
                    f"is not valid {encoding} although it starts with a byte-order mark ({exc.reason}); "
                    "re-save it as UTF-8",
                ) from exc
    if b"\x00" in data:
        raise InputError(
            shown,
            "is binary (it contains NUL bytes), or UTF-16 text without a byte-order mark; "
            "give text (preferably UTF-8), HTML or JSON-lines files",
        )
    # 2.
    note = None
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text, note = _mostly_utf8(data)
        # 3.
        if text is None:
            text, note = _legacy_decode(data)
    if text is None or len(_CONTROL.findall(text)) > max(2, len(text) // 100):
        raise InputError(shown, "is not text in any encoding sourcetrace recognises (binary?); re-save it as UTF-8")
    return text, note


_BAD_BYTE = re.compile("[\udc80-\udcff]")
_SHOWN_OFFSETS = 10


def _mostly_utf8(data: bytes) -> tuple[str | None, str | None]:
    """UTF-8 with its bad bytes replaced, when at least as many non-ASCII characters decode as fail to.

    A legacy-encoded file has almost no valid multi-byte sequences (an accent followed by ASCII is invalid), so
    the ratio separates the two well; text that is ASCII but for stray bytes goes to the legacy decoder, which
    reads a Windows-1252 apostrophe better than a replacement character would.
    """
    escaped = data.decode("utf-8", "surrogateescape")  # each bad byte becomes one lone surrogate
    bad = [m.start() for m in _BAD_BYTE.finditer(escaped)]
    good = sum(1 for ch in escaped if ch >= "\x80") - len(bad)
    if good < len(bad) or not good:
        return None, None
    offsets, position, previous = [], 0, 0
    for index in bad[:_SHOWN_OFFSETS]:
        position += len(escaped[previous:index].encode("utf-8", "surrogateescape"))
        offsets.append(position)
        previous = index
    more = f" and {len(bad) - _SHOWN_OFFSETS} more" if len(bad) > _SHOWN_OFFSETS else ""
    confidence = good / (good + len(bad))
    note = (
        f"read as UTF-8 (confidence {confidence:.2f}) with {len(bad)} invalid byte{'s' if len(bad) > 1 else ''} "
        f"replaced by U+FFFD, at byte offset{'s' if len(bad) > 1 else ''} {', '.join(map(str, offsets))}{more}; "
        "re-save the file as UTF-8 to silence this"
    )
    return _BAD_BYTE.sub("\ufffd", escaped), note


def _legacy_decode(data: bytes) -> tuple[str | None, str | None]:
    """Decode non-UTF-8 bytes, preferring Windows-1252 among the encodings that fit equally well.

    charset-normalizer often names a Central European or DOS code page for short Western text that decodes
    just as cleanly as Windows-1252 (and then turns "à" into "ŕ"); news in Western languages is far more common.
    """
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        return None, None
    least_chaos = min(m.chaos for m in matches)
    confidence = max(0.0, 1.0 - least_chaos)
    if any("cp1252" in m.could_be_from_charset for m in matches if m.chaos <= least_chaos + 0.01):
        try:
            return data.decode("cp1252"), _legacy_note("cp1252", confidence)
        except UnicodeDecodeError:
            pass
    best = matches[0] if matches[0].chaos <= least_chaos else min(matches, key=lambda m: m.chaos)
    return str(best), _legacy_note(best.encoding, confidence)


def _legacy_note(encoding: str, confidence: float) -> str:
    return (
        f"not UTF-8: read as {encoding} (confidence {confidence:.2f}); "
        "if the text looks wrong, re-save the file as UTF-8"
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_string(value: str) -> str:
    """``value`` with lone surrogates (from JSON escapes or undecodable file names) replaced by U+FFFD.

    They cannot be encoded, so one left in would crash writing the report after the whole analysis.
    """
    return _SURROGATE.sub("\ufffd", value)


def _unprintable(ident: str) -> bool:
    """Whether an id holds a control, format (bidi, invisible) or line-separator character: reports strip or cannot
    show them, so two ids would print alike."""
    return any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in ident)


def _sanitise(article: Article) -> None:
    """Every string of an article encodable, and its id NFC, so that two spellings of one id are one article."""
    article.id = unicodedata.normalize("NFC", clean_string(article.id))
    article.path = clean_string(article.path)
    article.text = clean_string(article.text)
    for name in ("title", "date", "outlet", "url"):
        value = getattr(article, name)
        if value is not None:
            setattr(article, name, clean_string(value))


def _short(exc: BaseException, most: int = 200) -> str:
    text = clean_string(str(exc))
    return text if len(text) <= most else text[:most] + "..."


_LINE_BREAK = re.compile(r"\r\n?|[\u2028\x85]")


def normalise_text(text: str) -> str:
    """NFC, '\\n' line ends, no byte-order mark."""
    text = _LINE_BREAK.sub("\n", text.lstrip("\ufeff")).replace("\u2029", "\n\n")
    return unicodedata.normalize("NFC", text)


def _from_html(html: str, article_id: str, shown: str) -> Article:
    """The main text of an HTML page (no comments or navigation), with its title, date, address and site."""
    try:
        doc = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True)
    except Exception as exc:  # the extractor can fail in many ways on broken markup; all mean "no text"
        raise InputError(
            shown, f"the HTML could not be parsed ({type(exc).__name__}); save the article text as .txt"
        ) from exc
    text = normalise_text(getattr(doc, "text", None) or "") if doc is not None else ""
    if not text.strip():
        raise InputError(
            shown, "no article text found in the HTML (malformed, or no main text); save the article text as .txt"
        )
    return Article(
        id=article_id,
        path=shown,
        text=text,
        title=_clean_field(getattr(doc, "title", None)),
        date=parse_date(getattr(doc, "date", None) or ""),
        url=_clean_field(getattr(doc, "url", None)),
        outlet=_clean_field(getattr(doc, "sitename", None)),
    )


def _clean_field(value: Any) -> str | None:
    """A metadata string, trimmed and NFC; None for anything else or an empty string."""
    if not isinstance(value, str):
        return None
    return unicodedata.normalize("NFC", value.strip()) or None


# ---------------------------------------------------------------------------------------------------------------
# JSON lines


def _read_jsonl(path: Path, shown: str, limit: int, found: _Found) -> None:
    """One article per line. The size limit applies to each record, so a large collection can be one file."""
    try:
        with path.open("rb") as lines:
            read_jsonl_stream(lines, shown, limit, found)
    except PermissionError as exc:
        raise InputError(shown, "cannot be read: permission denied; check the file's permissions") from exc
    except OSError as exc:
        raise InputError(shown, f"cannot be read: {exc.strerror or exc}") from exc


def read_jsonl_stream(lines: Any, shown: str, limit: int, found: _Found) -> None:
    """The records of an open JSON-lines file (binary), wherever it was opened, into ``found``."""
    records = 0
    for number, raw in _bounded_lines(lines, limit):
        where = f"{shown}:{number}"
        if raw is not None and not raw.removeprefix(codecs.BOM_UTF8).strip():
            continue
        records += 1
        try:
            if raw is None:
                raise InputError(
                    where,
                    f"line {number} is over the limit of {limit:,} bytes (ingest.max_file_bytes); "
                    "shorten the record or raise the limit",
                )
            record = _parse_record(raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw, number, where)
            dirty = [k for k, v in record.items() if isinstance(v, str) and _SURROGATE.search(v)]
            if dirty:
                record = {k: clean_string(v) if k in dirty else v for k, v in record.items()}
                found.notes.append(
                    FileError(
                        where,
                        f"line {number}: lone surrogate escapes in {', '.join(map(repr, dirty))} replaced by "
                        "U+FFFD; fix the record",
                        "warning",
                    )
                )
            found.add(_record_article(record, number, where, found.notes))
        except InputError as exc:
            found.error(exc.path, exc.reason)
        except (RecursionError, MemoryError, ValueError, TypeError, LookupError) as exc:
            found.error(where, f"line {number} could not be read ({type(exc).__name__}: {_short(exc)}); fix the line")
    if records == 0:
        raise InputError(shown, "is empty (no JSON records); remove it or add one article per line")


def _bounded_lines(stream: Any, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines, never holding more than ``limit`` bytes of one in memory (None for a longer line)."""
    number = 0
    while raw := stream.readline(limit + 1):
        number += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(1 << 20)
            yield number, None
        else:
            yield number, raw


def from_record(raw: bytes, number: int, where: str, notes: list[FileError] | None = None) -> Article:
    """One JSON-lines record read alone (a Parquet row in spark-scan); ``notes`` receives its warnings."""
    return _record_article(_parse_record(raw, number, where), number, where, notes)


def _parse_record(raw: bytes, number: int, where: str) -> dict[str, Any]:
    if raw.count(b"\x00") * 3 >= len(raw.strip(b"\x00\r\n")):  # every other byte: text in UTF-16 (no BOM)
        raise InputError(where, f"line {number} is UTF-16, not UTF-8 (JSON lines must be); re-save the file as UTF-8")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(where, f"line {number} is not UTF-8 (JSON lines must be); re-save the file as UTF-8") from exc
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        # some of json's messages end in "at" already ("Unterminated string starting at"): say it once
        at = "" if exc.msg.endswith(" at") else " at"
        where_in_line = f"{exc.msg}{at} column {exc.colno}"
        raise InputError(where, f"line {number} is not valid JSON ({where_in_line}); fix or remove the line") from exc
    except RecursionError as exc:
        raise InputError(
            where, f'line {number} is nested too deeply to read; a record is one flat object with "id" and "text"'
        ) from exc
    if not isinstance(record, dict):
        raise InputError(where, f'line {number} is a JSON {type(record).__name__}, not an object with "id" and "text"')
    return record


def _record_article(record: dict[str, Any], number: int, where: str, notes: list[FileError] | None = None) -> Article:
    """The article of one JSON-lines record; ``notes`` receives a warning for a "published" that is not a date."""
    article_id = record.get("id")
    if isinstance(article_id, int) and not isinstance(article_id, bool):
        article_id = str(article_id)
    if article_id is not None and not isinstance(article_id, str):
        raise InputError(where, f'line {number}: "id" must be a string or an integer, not {_as_json(article_id)}')
    if not article_id or not article_id.strip():
        raise InputError(where, f'line {number} has no "id" (a non-empty string); give every record a unique id')
    text, html = record.get("text"), record.get("html")
    if isinstance(text, str) and text.strip():
        article = Article(id=article_id.strip(), path=where, text=normalise_text(text))
    elif isinstance(html, str) and html.strip():
        article = _from_html(html, article_id.strip(), where)
    else:
        raise InputError(where, f'line {number} has no "text" or "html" (a non-empty string); add the article text')
    # the record's own metadata wins over what the HTML says
    article.title = _clean_field(record.get("title")) or article.title
    article.url = _clean_field(record.get("url")) or article.url
    article.outlet = _clean_field(record.get("outlet")) or article.outlet
    for name in ("title", "url", "outlet"):
        value = record.get(name)
        if value is not None and not isinstance(value, str) and notes is not None:
            notes.append(
                FileError(where, f'line {number}: "{name}" {_as_json(value)} is not a string; left out', "warning")
            )
    if isinstance(text, str) and text.strip() and isinstance(html, str) and html.strip() and notes is not None:
        notes.append(FileError(where, f'line {number} has both "text" and "html": "text" is read', "warning"))
    published = record.get("published")
    date = publication_day(published) if isinstance(published, str) else None
    bad = None
    if date is None and published not in (None, ""):
        bad = f'line {number}: "published" {_as_json(published)} is not a date (write YYYY-MM-DD)'
    elif date is not None and date > (datetime.date.today() + datetime.timedelta(days=1)).isoformat():
        bad, date = f'line {number}: "published" {_as_json(published)} is in the future', None
    if bad and notes is not None:
        notes.append(FileError(where, f"{bad}; a line of the text that is a date, if any, is used", "warning"))
    article.date = date or article.date
    return article


def _as_json(value: Any, most: int = 60) -> str:
    """A record's value as written in JSON, cut short, for a message."""
    text = clean_string(json.dumps(value, ensure_ascii=False))
    return text if len(text) <= most else text[:most] + "..."
