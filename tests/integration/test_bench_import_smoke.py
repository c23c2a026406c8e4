"""The moving-in benchmark runs end to end on a tiny data set (timings are not checked here)."""

import pytest

from bench.importing import main

# The benchmark makes its own SQLite databases, whichever database the suite runs on.
pytestmark = pytest.mark.once


def test_the_moving_in_benchmark_imports_a_tiny_profile_twice_and_writes_its_section(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\nThe main report.\n")
    assert main(["--children", "30", "--out", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("# Benchmarks\n\nThe main report.\n")
    assert "<!-- moving-in:start -->" in text and "<!-- moving-in:end -->" in text
    # The second run found every child the first brought in, and changed nothing.
    assert "| The same file again (nothing to change) |" in text and "| ok |" in text.split("same file again")[1]
    assert "children new: 30" in text and "errors: 0" in text
