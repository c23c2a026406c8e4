"""The module-level imports of ehc_tracker form no cycle (bench/code_shape.py reports the rest)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _code_shape():
    spec = importlib.util.spec_from_file_location("code_shape", ROOT / "bench" / "code_shape.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("code_shape", module)
    spec.loader.exec_module(module)
    return module


def test_the_cycle_finder_finds_a_ring_and_ignores_a_chain():
    shape = _code_shape()
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert shape.cycles(graph) == [["a", "b", "c", "a"]]
    assert shape.cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_level_import_cycle():
    # services/cases -> family_mail -> family -> cases is broken only by cases importing
    # family_mail inside its functions; the report lists such imports, but they are no cycle here.
    shape = _code_shape()
    found = shape.cycles(shape.import_graph(shape.load_modules()))
    assert found == [], "module-level import cycles: " + "; ".join(" -> ".join(ring) for ring in found)


def test_the_report_runs():
    text = _code_shape().report(top=5)
    assert "Longest functions (top 5" in text and "Module-level import cycles: 0" in text
