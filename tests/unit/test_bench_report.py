"""The benchmark's report: a column per size, the concurrent mix beside its /healthz floor, the
notes once and the sections other benchmarks keep in the file once (bench/run.py)."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

import pytest

from bench.run import Result, SizeRun, parse_sizes, parse_wrk, report, url_for_size

NOTES = "## What the results mean\n\nSome notes.\n\n## What the benchmark changed\n\n- a change\n"
MOVING_IN = "<!-- moving-in:start -->\n## Moving in (import)\n\nits figures\n<!-- moving-in:end -->\n"

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:40000
  4 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   150.10ms   40.00ms 400.00ms   70.00%
    Req/Sec    10.00      3.00    20.00     60.00%
  Latency Distribution
     50%  140.25ms
     75%  170.00ms
     90%  210.50ms
     99%    1.02s
  250 requests in 5.01s, 2.00MB read
  Socket errors: connect 0, read 0, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:     49.90
Transfer/sec:    408.00KB
"""


def test_each_size_has_a_database_named_after_the_one_given():
    assert (
        url_for_size("postgresql+psycopg://postgres@127.0.0.1:5432/ehc_bench", 10_000)
        == "postgresql+psycopg://postgres@127.0.0.1:5432/ehc_bench_10000"
    )
    assert url_for_size("sqlite:////tmp/x/bench.sqlite3", 300) == "sqlite:////tmp/x/bench_300.sqlite3"
    with pytest.raises(ValueError):
        url_for_size("sqlite://", 300)


def test_sizes_are_read_in_order_once_each():
    assert parse_sizes("10000,30000") == [10_000, 30_000]
    assert parse_sizes(" 2000 ") == [2000]
    assert parse_sizes("300,600,300") == [300, 600]
    for bad in ("", "0", "ten"):
        with pytest.raises(ValueError):
            parse_sizes(bad)


def test_wrk_figures_count_socket_errors_and_refused_responses_as_errors():
    figures = parse_wrk(WRK_OUTPUT)
    assert figures["rps"] == 49.9 and figures["requests"] == 250
    assert figures["non_2xx"] == 3 and figures["errors"] == 5
    assert figures["latency"] == {"50": "140.25ms", "75": "170.00ms", "90": "210.50ms", "99": "1.02s"}
    with pytest.raises(RuntimeError):
        parse_wrk("unable to connect to 127.0.0.1:40000 Connection refused")


def _result(name: str, kind: str, page_ms: float, in_mix: bool = True) -> Result:
    return Result(name, kind, in_mix=in_mix, page_ms=[page_ms] * 20, sql_ms=[page_ms / 2] * 20, queries=6)


def _run(children: int, dashboard_ms: float, mix_rps: float, floor_rps: float) -> SizeRun:
    wrk = {"requests": 1000, "non_2xx": 0, "socket_errors": "none", "errors": 0, "latency": {"50": "20ms"}}
    return SizeRun(
        children,
        f"sqlite:////tmp/bench_{children}.sqlite3",
        {"dialect": "postgresql", "server_version": "15", "counts": {"children": children}},
        [
            _result("Coordinator's caseload", "list", 40.0),
            _result("Compliance dashboard", "dashboard", dashboard_ms),
            _result("Team's overdue list, last page", "list", 60.0, in_mix=False),
        ],
        job={
            "seconds": 12.0,
            "peak_mb": 300.0,
            "output": ["succeeded"],
            "repeat_seconds": 3.0,
            "repeat_output": [],
            "dry_seconds": 4.0,
            "dry_peak_mb": 150.0,
        },
        conc={
            "floor": {**wrk, "rps": floor_rps},
            "mix": {**wrk, "rps": mix_rps},
            "share": mix_rps / floor_rps,
            "workers": 4,
            "seconds": 30,
            "coordinator_paths": ["/", "/cases/"],
            "manager_paths": ["/reports/dashboard"],
        },
    )


def _write(out: Path, notes: Path) -> str:
    runs = [_run(10_000, 90.0, 120.0, 800.0), _run(30_000, 110.0, 60.0, 800.0)]
    return report(out, runs, Namespace(requests=50, notes=str(notes)))


def test_the_report_puts_the_sizes_side_by_side_with_targets_and_results(tmp_path):
    notes = tmp_path / "NOTES.md"
    notes.write_text(NOTES)
    text = _write(tmp_path / "BENCHMARKS.md", notes)
    assert "`python -m bench.run --sizes 10000,30000`" in text
    assert "| measure | target | 10,000 children | 30,000 children |" in text
    # Mix and floor at each size: 120 of 800 is 15 % (met); 60 of 800 is 7.5 % and under 100 a second (missed).
    assert (
        "| Concurrent mix, requests/s | ≥ 100 with no errors | 120 (0 errors): met | 60 (0 errors): **missed** |"
        in text
    )
    assert "| `/healthz` floor, requests/s | – | 800 (0 errors) | 800 (0 errors) |" in text
    assert "| Mix as a share of the floor | ≥ 10% | 15.0%: met | 7.5%: **missed** |" in text
    # Every page of the mix at 100 ms, the dashboard included.
    assert "| Slowest page of the mix, p95 | every page ≤ 100 ms | Compliance dashboard 90.0 ms: met |" in text
    assert "Compliance dashboard 110.0 ms: **missed** |" in text
    assert "| Compliance dashboard | mix | p95 ≤ 100 ms | 90.0 | met | 110.0 | **missed** | 1.22 |" in text
    assert "| Team's overdue list, last page |  | p95 ≤ 100 ms, ratio ≤ 3 | 60.0 | met | 60.0 | met | 1.00 |" in text
    assert "| Coordinator's caseload | 40.0 | 20.0 | 2.0 | 6 | 40.0 | 20.0 | 2.0 | 6 |" in text
    assert "| Daily alert job | ≤ 60 s, ≤ 500 MB | 12.0 s, 300 MB: met | 12.0 s, 300 MB: met |" in text
    assert "| Mix latency | – | p50 20ms | p50 20ms |" in text


def test_rewriting_the_report_keeps_the_notes_once_and_other_benchmarks_sections_once(tmp_path):
    notes = tmp_path / "NOTES.md"
    notes.write_text(NOTES)
    out = tmp_path / "BENCHMARKS.md"
    # As committed: this benchmark's report and notes, then the moving-in benchmark's section.
    out.write_text("# Benchmarks\n\nold figures\n\n" + NOTES + "\n" + MOVING_IN)
    first = _write(out, notes)
    for text in (first, _write(out, notes)):
        assert "old figures" not in text
        assert text.count("## What the results mean") == 1 and text.count("## What the benchmark changed") == 1
        assert text.count("<!-- moving-in:start -->") == 1 and text.count("its figures") == 1
        # The notes stay where they were, before the kept section: a new run changes only the figures.
        assert text.index("## What the benchmark changed") < text.index("<!-- moving-in:start -->")
        assert text.endswith(MOVING_IN)
    assert _write(out, notes).split("\n", 3)[3] == first.split("\n", 3)[3]


def test_a_section_the_notes_bring_is_not_kept_from_the_old_report_as_well(tmp_path):
    notes = tmp_path / "NOTES.md"
    notes.write_text(NOTES + "\n<!-- caveats:start -->\nA caveat\n<!-- caveats:end -->\n")
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\n" + notes.read_text() + "\n" + MOVING_IN + MOVING_IN)
    text = _write(out, notes)
    assert text.count("A caveat") == 1 and text.count("its figures") == 1


def test_one_size_gives_one_column_and_no_growth(tmp_path):
    run = _run(2000, 90.0, 120.0, 800.0)
    run.conc = None
    text = report(tmp_path / "BENCHMARKS.md", [run], Namespace(requests=5, notes=None))
    assert "`python -m bench.run --sizes 2000`" in text and "at one size of authority (2,000 children)" in text
    assert "| page | mix | target | p95 ms, 2,000 children | result |\n" in text and "growth" not in text
    assert "| Concurrent mix, requests/s | ≥ 100 with no errors | not run |" in text
    assert text.rstrip().endswith("Not run (--no-concurrent, or wrk missing).")
