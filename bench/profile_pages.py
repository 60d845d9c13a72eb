"""Where a rendered page spends its time: cProfile over the buyer pages, on bench.load's database.

    .venv/bin/python -m bench.profile_pages [path ...]

Uses the database bench.load builds (BENCH_DATABASE_URL, else telar_bench): run bench.load once first.
Each page is rendered RUNS times for a visitor with a session cookie (never from a cache); prints the
server time per page, the SQL statements per page and the functions that take the most time.
Not part of `make bench`: a tool for the next person who makes a page faster.
"""
import cProfile
import io
import pstats
import statistics
import sys
import time

from sqlalchemy import event

from bench.load import DATABASE_URL, SECRET, WORKDIR

RUNS = int(__import__("os").environ.get("PROFILE_RUNS", 30))


def main(paths=None):
    from storefront import create_app
    from storefront.extensions import db
    app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "SECRET_KEY": SECRET, "LOG_REQUESTS": False,
                      "MEDIA_ROOT": str(WORKDIR / "media"), "RATELIMIT_ENABLED": False,
                      "RATELIMIT_STORAGE_URI": "memory://"})
    client = app.test_client()
    client.get("/?currency=USD")  # a session cookie: every page below is rendered for her
    if not paths:
        html = client.get("/products/?available=1").get_data(as_text=True)
        product = html.split('href="/products/', 2)[1].split('"', 1)[0]
        paths = ["/", "/products/", f"/products/{product}"]
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(1))
    for path in paths:
        client.get(path)
        statements.clear()
        times = []
        profile = cProfile.Profile()
        for _ in range(RUNS):
            started = time.perf_counter()
            profile.enable()
            response = client.get(path)
            profile.disable()
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        print(f"\n{path}: p50 {statistics.median(times):.1f} ms (profiled), {len(statements) / RUNS:.0f} SQL "
              "statements per page")
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(18)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:4000])


if __name__ == "__main__":
    main(sys.argv[1:])
