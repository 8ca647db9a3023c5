"""Imports point down (DESIGN.md): roster -> missions -> agencies, and inside roster the dashboard
builds on the selectors, never the other way round (not even inside a function)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path, package: str) -> set[str]:
    """Every module `path` imports, at any level of the file, relative imports resolved."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_the_roster_selectors_do_not_import_the_dashboard():
    imported = imported_modules(ROOT / "roster" / "selectors.py", "roster")
    assert not {m for m in imported if m.startswith("roster.dashboard")}


@pytest.mark.parametrize("path", sorted((ROOT / "missions").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_missions_never_import_roster(path):
    package = ".".join(path.relative_to(ROOT).parent.parts)
    assert not {m for m in imported_modules(path, package) if m == "roster" or m.startswith("roster.")}
