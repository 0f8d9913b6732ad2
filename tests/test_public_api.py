"""The public surface: what __init__ exports exists, and every CLI command is documented."""

import re

import sourcetrace
from sourcetrace.cli import main

from .conftest import ROOT


def test_all_names_are_exported_and_sorted():
    assert sorted(sourcetrace.__all__) == sourcetrace.__all__
    for name in sourcetrace.__all__:
        assert getattr(sourcetrace, name) is not None


def test_no_private_or_module_names_leak_into_all():
    assert not [n for n in sourcetrace.__all__ if n.startswith("_")]


def _commands(group, prefix=""):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}"


def test_every_cli_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text("utf-8")
    missing = [c for c in _commands(main) if not re.search(rf"sourcetrace {re.escape(c)}\b", readme)]
    assert not missing, f"commands not documented in README.md: {missing}"


def test_schema_doc_names_every_pair_field(models):
    from click.testing import CliRunner

    from .conftest import SEEDS

    report = CliRunner().invoke(main, ["scan", str(SEEDS), "--format", "json"]).stdout
    import json

    pair = json.loads(report)["pairs"][0]
    schema = (ROOT / "docs" / "schema.md").read_text("utf-8")
    assert all(f"`{field}`" in schema for field in pair)
