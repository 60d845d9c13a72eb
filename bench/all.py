"""`make bench`: run every bench module present and print their figures in one table.

Each bench is a module `bench.<name>` with `main()` returning a dict of figures. A bench that is
missing or fails is reported as such in the table; the others still run.
"""
import importlib
import sys
import time
import traceback

BENCHES = ("catalog", "page_weight", "studio_weight", "lighthouse", "images", "webhooks", "earnings",
           "impact", "load")


def run(name):
    """(status, figures, seconds) of one bench."""
    started = time.monotonic()
    try:
        module = importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as error:
        if error.name == f"bench.{name}":
            return "missing", {}, 0.0
        return f"failed: {error}", {}, time.monotonic() - started
    if not hasattr(module, "main"):
        return "failed: no main()", {}, 0.0
    try:
        figures = module.main() or {}
    except Exception as error:  # noqa: BLE001 - one broken bench must not hide the others' figures
        traceback.print_exc()
        return f"failed: {type(error).__name__}: {str(error)[:80]}", {}, time.monotonic() - started
    if not isinstance(figures, dict):
        return "failed: main() did not return a dict", {}, time.monotonic() - started
    return "ok", figures, time.monotonic() - started


def _format(value):
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def table(results):
    """The one table: bench, figure, value (a bench without figures gets one row with its status)."""
    rows = []
    for name, (status, figures, seconds) in results.items():
        if status != "ok" or not figures:
            rows.append((name, status if status != "ok" else "ok (no figures)", ""))
            continue
        for key, value in figures.items():
            rows.append((name, str(key), _format(value)))
    widths = [max(len(row[i]) for row in rows + [("bench", "figure", "value")]) for i in range(3)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(("bench", "figure", "value"), widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join((row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].rjust(widths[2])))
              for row in rows]
    return "\n".join(lines)


def main(names=BENCHES):
    results = {}
    for name in names:
        print(f"\n=== bench.{name}", flush=True)
        results[name] = run(name)
        status, _, seconds = results[name]
        print(f"=== bench.{name}: {status} ({seconds:.0f} s)", flush=True)
    print("\n" + table(results))
    return {name: status for name, (status, _, _) in results.items()}


if __name__ == "__main__":
    main(tuple(sys.argv[1:]) or BENCHES)
