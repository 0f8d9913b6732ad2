"""The quality gate: the fast subset of bench/quality.py on the real data; every figure must reach its floor.

The floors (tests/quality_floors.toml) sit a little below what the subset measured when they were pinned, so a
regression fails the suite. Raise a floor when quality improves; lower one only with a reason in the commit.
"""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.shared

FLOORS: dict[str, dict[str, float]] = tomllib.loads((Path(__file__).parent / "quality_floors.toml").read_text("utf-8"))


def _quality_module():
    # bench/ is a folder of scripts, not a package.
    spec = importlib.util.spec_from_file_location("bench_quality", ROOT / "bench" / "quality.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def figures(shared_data, settings, models, tmp_path_factory) -> dict[str, dict[str, float]]:
    quality = _quality_module()
    names = [name for name in quality.ORDER if name in FLOORS]
    work = tmp_path_factory.mktemp("quality")
    results = quality.run(names, shared_data, quality.FAST, settings, models, baselines=False, work=work)
    return {name: ev.figures for name, (ev, _) in results.items()}


def test_every_floor_names_a_measured_figure():
    quality = _quality_module()
    assert set(FLOORS) <= set(quality.ORDER)
    assert all(0.0 <= floor <= 1.0 for table in FLOORS.values() for floor in table.values())


@pytest.mark.parametrize("dataset, figure", [(d, f) for d, table in FLOORS.items() for f in table])
def test_figure_reaches_its_floor(figures, dataset, figure):
    measured = figures[dataset][figure]
    assert measured >= FLOORS[dataset][figure], f"{dataset} {figure}: {measured:.4f} < floor {FLOORS[dataset][figure]}"
