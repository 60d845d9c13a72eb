"""`make bench` prints one table even when a bench is missing or broken."""
import sys
import types

from bench import all as bench_all


def test_missing_and_failing_benches_are_rows_not_crashes(monkeypatch):
    broken = types.ModuleType("bench.broken_for_test")

    def main():
        raise RuntimeError("wrk is not installed")
    broken.main = main
    good = types.ModuleType("bench.good_for_test")
    good.main = lambda: {"req/s": 1234.5678, "products": 10000}
    monkeypatch.setitem(sys.modules, "bench.broken_for_test", broken)
    monkeypatch.setitem(sys.modules, "bench.good_for_test", good)

    statuses = bench_all.main(("good_for_test", "broken_for_test", "not_written_yet"))

    assert statuses["good_for_test"] == "ok"
    assert statuses["broken_for_test"].startswith("failed: RuntimeError: wrk is not installed")
    assert statuses["not_written_yet"] == "missing"


def test_the_table_lists_every_figure_and_every_status():
    text = bench_all.table({
        "load": ("ok", {"/ req/s": 812.25, "products": 10000}, 30.0),
        "lighthouse": ("missing", {}, 0.0),
        "webhooks": ("failed: ValueError: bad", {}, 1.0),
    })
    lines = text.splitlines()
    assert lines[0].split() == ["bench", "figure", "value"]
    assert any("load" in line and "/ req/s" in line and "812.25" in line for line in lines)
    assert any("products" in line and "10,000" in line for line in lines)
    assert any(line.startswith("lighthouse") and "missing" in line for line in lines)
    assert any(line.startswith("webhooks") and "failed: ValueError: bad" in line for line in lines)
