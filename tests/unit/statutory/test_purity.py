"""The deadline engine stays pure: standard library, dateutil and holidays only, and no clock."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

STATUTORY = Path(__file__).resolve().parents[3] / "ehc_tracker" / "statutory"
ALLOWED_THIRD_PARTY = {"dateutil", "holidays"}
MODULES = sorted(STATUTORY.rglob("*.py"))


def _imports(tree: ast.AST) -> list[tuple[str, int]]:
    """(absolute module name or '.relative', level) for every import in the module."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return found


def test_the_package_has_modules() -> None:
    names = {p.name for p in MODULES}
    assert {
        "__init__.py",
        "calendar.py",
        "rules.py",
        "milestones.py",
        "exceptions.py",
        "status.py",
        "years.py",
        "errors.py",
    } <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_imports_only_stdlib_dateutil_holidays_and_itself(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = []
    for module, level in _imports(tree):
        if level == 1:
            continue  # a sibling module inside ehc_tracker.statutory
        if level > 1:
            bad.append("." * level + module)
            continue
        top = module.split(".")[0]
        if module == "ehc_tracker.statutory" or module.startswith("ehc_tracker.statutory."):
            continue
        if top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY:
            continue
        bad.append(module)
    assert not bad, f"{path.name} imports {bad}: statutory/ may use only stdlib, dateutil, holidays"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_never_reads_the_clock(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    calls = [
        f"{node.func.value.id}.{node.func.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in {"date", "datetime", "time"}
        and node.func.attr in {"today", "now", "utcnow", "time"}
    ]
    assert not calls, f"{path.name} reads the clock ({calls}); pass 'today' in instead"


def test_the_checker_catches_a_framework_import() -> None:
    tree = ast.parse("import flask\nfrom sqlalchemy import select\nfrom ..models import Case\n")
    assert _imports(tree) == [("flask", 0), ("sqlalchemy", 0), ("models", 2)]
    assert "flask" not in sys.stdlib_module_names
