"""The benchmark script runs end to end on a tiny data set (timings are not checked here)."""

import pytest

from bench.run import main

# The benchmark makes its own SQLite database, whichever database the suite runs on.
pytestmark = pytest.mark.once


def test_benchmark_runs_on_a_tiny_profile_and_writes_its_report(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    notes = tmp_path / "notes.md"
    notes.write_text("## What the results mean\n")
    # The moving-in benchmark's section (bench/importing.py) survives this report being written again.
    out.write_text("An old report\n<!-- moving-in:start -->\n## Moving in\nits figures\n<!-- moving-in:end -->\n")
    status = main(
        [
            "--database-url",
            f"sqlite:///{tmp_path / 'bench.sqlite3'}",
            "--children",
            "40",
            "--requests",
            "2",
            "--no-concurrent",
            "--out",
            str(out),
            "--notes",
            str(notes),
        ]
    )
    assert status == 0
    text = out.read_text()
    assert "An old report" not in text and "## Moving in\nits figures\n<!-- moving-in:end -->" in text
    assert "# Benchmarks" in text and "Database: sqlite" in text
    assert "| Coordinator's caseload |" in text and "| Case page |" in text
    assert "children 40" in text
    assert "| Team's overdue list, last page |" in text and "(last page " in text
    # A review step was recorded for real (a refused form would have stopped the run).
    assert "| Record a review step (meeting scheduled or invitations sent) |" in text
    assert "not measured" not in text.split("| Record a review step")[1].split("\n")[0]
    # The alert job ran for real (ledger and outbox), again for the same day, and as a dry run.
    assert text.rstrip().endswith("## What the results mean")
    assert "`flask alerts run --no-send`" in text and "Run again for the same day" in text and "As a dry run" in text
