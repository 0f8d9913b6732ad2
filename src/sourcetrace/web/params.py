"""What the service reads from a request: query parameters, ids, and articles sent as records or files.

Query parameter types live at module level: with postponed annotations, FastAPI resolves these names in the module
that uses them, which imports them from here.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path, PurePath
from typing import Annotated, Any

from fastapi import Query

from ..errors import InputError
from ..records import Article, FileError
from ..stages.ingest import MAX_ID_CHARS, read_bytes

PAGE_STORIES = 20
PAGE_ROWS = 50
CHECKED_ID = "(checked)"
UPLOAD_TYPES = (".txt", ".html", ".htm", ".jsonl")
RELATION = "^(copy|rewrite|excerpt|shared-quotes)$"

# query parameters (module level: with postponed annotations, FastAPI resolves these names in the module)
Offset = Annotated[int, Query(ge=0, le=10**9)]
Limit = Annotated[int, Query(ge=1, le=500)]
PageNo = Annotated[int, Query(alias="page", ge=1, le=10**6)]
Id = Annotated[str, Query(min_length=1, max_length=MAX_ID_CHARS)]
OptionalId = Annotated[str | None, Query(max_length=MAX_ID_CHARS)]
Relation = Annotated[str | None, Query(pattern=RELATION)]
Version = Annotated[int | None, Query(ge=1, le=10**9)]
MinArticles = Annotated[int, Query(ge=1, le=10**6)]
ReviewNote = Annotated[str | None, Query(pattern="^(saved|refused)$")]
ArticleOrder = Annotated[str, Query(pattern="^(id|date|title|outlet)$")]
SearchText = Annotated[str | None, Query(max_length=500)]
PairOrder = Annotated[str, Query(pattern="^(strength|date|id)$")]
PAIR_SORTS = (("strength", "strongest first"), ("date", "newest first"), ("id", "by id"))


def public_path(path: str) -> str:
    """The file name of an article's path, without the folders: responses never show the server's folders."""
    return PurePath(path.replace("\\", "/")).name or path


def nfc(ident: str) -> str:
    """Ids are stored NFC; a client may send either spelling."""
    return unicodedata.normalize("NFC", ident)


def read_records(records: list[dict[str, Any]], settings: Any) -> tuple[list[Article], list[FileError]]:
    """Articles from JSON records, read exactly as the lines of a .jsonl file would be (same checks, same errors).

    Escaped to ASCII, so that a lone surrogate sent in a string reaches ingest, which replaces it and says so.
    """
    data = b"".join(
        json.dumps({k: v for k, v in record.items() if v is not None}).encode("ascii") + b"\n" for record in records
    )
    return read_bytes(data, "request", "", settings.ingest, kind="jsonl")


def read_upload(name: str, data: bytes, settings: Any) -> tuple[list[Article], list[FileError]]:
    """Articles from an uploaded file, read as the same file on disk would be."""
    name = public_path(name or "upload")
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_TYPES:
        raise InputError(name, f"unsupported file type; upload one of {', '.join(UPLOAD_TYPES)}")
    return read_bytes(data, name, Path(name).stem or "upload", settings.ingest)
