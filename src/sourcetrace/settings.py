"""One typed settings object: packaged defaults, a user TOML file on top, explicit overrides on top of that."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ConfigError


@dataclass(frozen=True)
class IngestSettings:
    max_file_bytes: int = 5_000_000


@dataclass(frozen=True)
class CandidateSettings:
    shingle_words: int = 5
    num_perm: int = 128
    minhash_bands: int = 32
    vector_bits: int = 32
    vector_bands: int = 16
    max_bucket: int = 64
    min_sentence_hits: int = 2
    static_cosine: float = 0.50
    neighbours: int = 10
    document_cosine: float = -1.0


@dataclass(frozen=True)
class AlignSettings:
    judge_bias: float = -7.29
    judge_cosine: float = 9.54
    judge_words: float = 1.84
    match_probability: float = 0.50
    link_probability: float = 0.70
    partial_cosine: float = 0.65
    verbatim_ratio: float = 0.90
    static_strength: float = 0.24
    near_static: float = 0.75
    probes: int = 3


@dataclass(frozen=True)
class ClassifySettings:
    reuse_strength: float = 0.119
    excerpt_score: float = 0.90
    verbatim_share: float = 0.70
    min_excerpt_sentences: int = 2
    facts_kept: float = 0.4


@dataclass(frozen=True)
class StorySettings:
    bias: float = -7.1
    words: float = 15.7
    terms: float = 11.9
    material: float = 1.2
    link_probability: float = 0.5


@dataclass(frozen=True)
class ServiceSettings:
    check_max_chars: int = 100_000
    check_max_sentences: int = 2_000
    check_max_response_bytes: int = 8_000_000
    max_requests: int = 64
    check_processes: int = 0  # processes running checks in the service; 0 = one per core
    check_niceness: int = 10  # how far below the serving process's priority they run (0-19)


def default_model_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "sourcetrace" / "minilm-l6-v2"


@dataclass(frozen=True)
class Settings:
    ingest: IngestSettings = field(default_factory=IngestSettings)
    candidates: CandidateSettings = field(default_factory=CandidateSettings)
    align: AlignSettings = field(default_factory=AlignSettings)
    classify: ClassifySettings = field(default_factory=ClassifySettings)
    stories: StorySettings = field(default_factory=StorySettings)
    service: ServiceSettings = field(default_factory=ServiceSettings)
    model_dir: Path = field(default_factory=default_model_dir)
    workers: int = 0  # processes for the per-article stages; 0 = one per core

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> Settings:
        """Packaged defaults, then the TOML file at ``path``, then ``overrides`` like ``align__match_cosine=0.8``."""
        data = tomllib.loads(resources.files(__package__).joinpath("defaults.toml").read_text("utf-8"))
        if path is not None:
            try:
                user = tomllib.loads(Path(path).read_text("utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"cannot read settings file {path}: {exc}") from exc
            for section, values in user.items():
                if isinstance(values, dict):
                    data.setdefault(section, {}).update(values)
                else:
                    data[section] = values
        for key, value in overrides.items():
            if value is None:
                continue
            section, _, name = key.partition("__")
            if name:
                data.setdefault(section, {})[name] = value
            else:
                data[section] = value
        if "SOURCETRACE_MODEL_DIR" in os.environ and "model_dir" not in overrides:
            data.setdefault("model_dir", os.environ["SOURCETRACE_MODEL_DIR"])
        return _build(cls, data)


def _build(cls: type, data: dict[str, Any]) -> Any:
    known = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        if name not in known:
            raise ConfigError(f"unknown setting {name!r} in {cls.__name__}; known: {', '.join(sorted(known))}")
        spec = known[name]
        default = (
            spec.default_factory()  # type: ignore[misc]
            if spec.default_factory is not dataclasses.MISSING
            else spec.default
        )  # type: ignore[misc]
        if dataclasses.is_dataclass(default):
            if not isinstance(value, dict):
                raise ConfigError(f"setting {name!r} must be a table of values")
            kwargs[name] = _build(type(default), value)
        elif isinstance(default, Path):
            kwargs[name] = Path(value).expanduser()
        else:
            kind = type(default)
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, kind) or isinstance(value, bool) != (kind is bool):
                raise ConfigError(f"setting {name!r} must be {kind.__name__}, got {value!r}")
            kwargs[name] = value
    return cls(**kwargs)
