"""The benchmark script runs end to end on a tiny data set (timings are not checked here)."""
from bench.run import main


def test_benchmark_runs_on_a_tiny_profile_and_writes_its_report(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    status = main([
        "--database-url", f"sqlite:///{tmp_path / 'bench.sqlite3'}", "--children", "40", "--requests", "2",
        "--no-concurrent", "--out", str(out), "--notes", str(tmp_path / "none.md"),
    ])
    assert status == 0
    text = out.read_text()
    assert "# Benchmarks" in text and "Database: sqlite" in text
    assert "| Coordinator's caseload |" in text and "| Case page |" in text
    assert "children 40" in text
