"""Shared fixtures: the bundled seeds, the built encoder (tests that need it skip without it), the shared data."""

from __future__ import annotations

from pathlib import Path

import pytest

from sourcetrace.records import Article, Sentence
from sourcetrace.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.load()


@pytest.fixture(scope="session")
def models(settings: Settings):
    from sourcetrace.errors import ModelError
    from sourcetrace.pipeline import Models

    try:
        return Models.load(settings)
    except ModelError as exc:
        pytest.skip(f"encoder not built: {exc}")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("evaluation data folder ../shared/data is absent")
    return SHARED_DATA


def make_article(ident: str, sentences: list[str], date: str | None = None) -> Article:
    """An article whose text is its sentences joined by blank lines, with offsets filled in."""
    text, spans, pos = "", [], 0
    for k, s in enumerate(sentences):
        if k:
            text += "\n\n"
            pos += 2
        spans.append((pos, pos + len(s)))
        text += s
        pos += len(s)
    sentences = [Sentence(index=k, start=start, end=end, source=text) for k, (start, end) in enumerate(spans)]
    return Article(id=ident, path=f"{ident}.txt", text=text, date=date, sentences=sentences)


def seed_id(prefix: str) -> str:
    """The id of the bundled seed whose file name starts with ``prefix``."""
    return next(SEEDS.glob(f"{prefix}_*.txt")).stem


@pytest.fixture
def seeds_store(tmp_path, settings, models):
    """A store holding the bundled seeds."""
    from sourcetrace.stages.ingest import read_articles
    from sourcetrace.store import Store

    articles, _ = read_articles([SEEDS], settings.ingest)
    with Store(tmp_path / "seeds.db", settings, models) as store:
        store.add(articles)
        yield store


@pytest.fixture(scope="module")
def store_path(tmp_path_factory, settings: Settings, models):
    """A store holding the seeds, one per test module that asks for it."""
    from sourcetrace.stages.ingest import read_articles
    from sourcetrace.store import Store

    path = tmp_path_factory.mktemp("store") / "seeds.db"
    articles, _ = read_articles([SEEDS], settings.ingest)
    with Store(path, settings, models) as store:
        store.add(articles)
    return path


# a passage of 34 words, none of them a name: runs of any length up to that are taken from it
PASSAGE = (
    "the committee reviewed every contract signed by the port authority since the harbour expansion began and found "
    "that several of them had been awarded without any public tender or written justification from the board"
)
RUN = PASSAGE.split(" ")
