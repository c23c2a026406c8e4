"""The benchmark script runs end to end at two tiny sizes (timings are not checked here)."""

import pytest

from bench.run import main

# The benchmark makes its own SQLite databases, whichever database the suite runs on.
pytestmark = pytest.mark.once


def test_benchmark_runs_at_two_tiny_sizes_and_writes_its_report(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    notes = tmp_path / "notes.md"
    notes.write_text("## What the results mean\n")
    # The moving-in benchmark's section (bench/importing.py) survives this report being written again.
    out.write_text("An old report\n<!-- moving-in:start -->\n## Moving in\nits figures\n<!-- moving-in:end -->\n")
    status = main(
        [
            "--database-url",
            f"sqlite:///{tmp_path / 'bench.sqlite3'}",
            "--sizes",
            "40,50",
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
    # Each size in a database of its own, named after --database-url.
    assert (tmp_path / "bench_40.sqlite3").exists() and (tmp_path / "bench_50.sqlite3").exists()
    text = out.read_text()
    assert "An old report" not in text
    assert text.count("## What the results mean") == 1 and text.count("<!-- moving-in:start -->") == 1
    assert text.rstrip().endswith(
        "## What the results mean\n\n<!-- moving-in:start -->\n## Moving in\nits figures\n<!-- moving-in:end -->"
    )
    assert "# Benchmarks" in text and "Database: sqlite" in text
    assert "Data at 40 children: children 40," in text and "Data at 50 children: children 50," in text
    # The pages: a column per size, every page of the mix in the table with its target.
    assert "| page | mix | target | p95 ms, 40 children | result | p95 ms, 50 children | result | growth |" in text
    for page in (
        "Coordinator's home page",
        "Coordinator's caseload",
        "Case page",
        "Coordinator's overdue list",
        "Manager's home page",
        "Team's caseload",
        "Team's overdue list, first page",
        "Team's overdue list, page 2",
        "Compliance dashboard",
    ):
        assert f"| {page} | mix | p95 ≤ 100 ms" in text, page
    assert "| Team's overdue list, last page |  | p95 ≤ 100 ms, ratio ≤ 3 |" in text and "(last page " in text
    assert "| page | median ms, 40 children | SQL ms | page/SQL | queries | median ms, 50 children |" in text
    # A review step was recorded for real at each size (a refused form would have stopped the run).
    step = text.split("| Record a review step (meeting scheduled or invitations sent) |")[1].split("\n")[0]
    assert "not measured" not in step
    # The alert job ran for real (ledger and outbox), again for the same day, and as a dry run, at each size.
    assert "`flask alerts run --no-send`" in text and "Run again for the same day" in text and "As a dry run" in text
    job = text.split("(`flask alerts run --no-send`) |")[1].split("\n")[0]
    assert job.count("MB: met") == 2
    assert "| Concurrent mix, requests/s | ≥ 100 with no errors | not run | not run |" in text
    assert "Not run (--no-concurrent, or wrk missing)." in text
