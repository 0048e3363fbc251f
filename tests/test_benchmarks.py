"""The benchmark runs end to end on the small demo warehouse and its numbers are sane (never timed)."""

from __future__ import annotations

from benchmarks.__main__ import measure_pages, print_report


def test_benchmark_measures_every_page_with_sane_numbers(demo_db, capsys):
    result = measure_pages(demo_db, runs=5, peer_runs=1)
    names = {r["page"] for r in result["pages"]}
    assert {"data_sources", "overview", "watchlist"} <= names
    for row in result["pages"]:
        assert row["queries"] >= 1
        assert row["work"]["median_ms"] > 0 and row["floor"]["median_ms"] > 0
        # Per page, timing noise on a shared 2-core machine can swap two close medians; bound it.
        assert row["floor"]["median_ms"] <= 2 * row["work"]["median_ms"]
        assert row["work"]["p95_ms"] >= row["work"]["median_ms"]
        if "peer" in row:
            assert row["peer"]["median_ms"] > 0
    # Over all pages the floor (same SQL, nothing around it) is below the page work.
    total_floor = sum(r["floor"]["median_ms"] for r in result["pages"])
    assert total_floor <= sum(r["work"]["median_ms"] for r in result["pages"])
    concurrency = result["concurrency"]
    assert concurrency["threads"] == 10 and concurrency["error_count"] == 0
    print_report({"scale": "test", "customers": 600, "machine": "test", **result})
    assert "concurrency: 10 sessions" in capsys.readouterr().out
