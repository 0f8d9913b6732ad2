"""Report files: their place checked before the work starts, and written atomically.

A report is written to a temporary file in the same folder and renamed over the target only once complete, so a
run that fails or is killed part-way never truncates the report of an earlier run.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .errors import OutputError
from .stages.ingest import article_files


def check_writable(path: str | Path, inputs: Sequence[str | Path] = ()) -> None:
    """Raise OutputError when ``path`` cannot be written, so that a run fails before its work, not after; or when
    writing it would replace one of the files the run reads (``inputs``: files, and folders whose article files are
    read: :func:`~.stages.ingest.article_files`)."""
    target = Path(path)
    read = _read_by(target, inputs)
    if read is not None:
        raise OutputError(f"{path} is one of the files read ({read}); write the report elsewhere")
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputError(f"{path} is a folder; give the path of a file to write")
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: the folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: the folder {folder} is not writable; check its permissions")
    if target.exists() and not os.access(target, os.W_OK):
        raise OutputError(f"cannot write {path}: the file is read-only; check its permissions")


def _read_by(target: Path, inputs: Sequence[str | Path]) -> Path | None:
    """The input by which the run would read ``target``, if it would (through links too: the files themselves are
    compared)."""
    if not target.is_file():
        return None
    for given in map(Path, inputs):
        if given.is_file() and os.path.samefile(given, target):
            return given
        if given.is_dir() and any(os.path.samefile(path, target) for path in article_files(given)):
            return given
    return None


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file renamed over it; raise OutputError on failure."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, _mode(target))
        os.replace(temporary, target)
    except (OSError, UnicodeError) as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise OutputError(f"cannot write {path}: {getattr(exc, 'strerror', None) or exc}") from exc


def _mode(target: Path) -> int:
    """The permissions a plain write would give: the existing file's, else the default under the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
