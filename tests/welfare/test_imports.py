"""Imports point down (DESIGN.md): welfare builds on roster and below; nothing below imports welfare, and
welfare imports nothing above or beside it (ledger, api)."""

from pathlib import Path

import pytest

from tests.roster.test_imports import imported_modules

ROOT = Path(__file__).resolve().parents[2]
BELOW = ("agencies", "missions", "roster", "notifications", "audit", "accounts", "privacy")


def python_files(*apps):
    return sorted(p for app in apps for p in (ROOT / app).rglob("*.py"))


@pytest.mark.parametrize("path", python_files(*BELOW), ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_below_imports_welfare(path):
    package = ".".join(path.relative_to(ROOT).parent.parts)
    assert not {m for m in imported_modules(path, package) if m == "welfare" or m.startswith("welfare.")}


@pytest.mark.parametrize("path", python_files("welfare"), ids=lambda p: str(p.relative_to(ROOT)))
def test_welfare_imports_nothing_above_or_beside_it(path):
    package = ".".join(path.relative_to(ROOT).parent.parts)
    others = ("ledger", "api", "planning")
    assert not {m for m in imported_modules(path, package) if m.split(".")[0] in others}
