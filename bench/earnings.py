"""Earnings at scale: 1,000 artisans and 1,000,000 ledger entries on PostgreSQL.

Run: `.venv/bin/python -m bench.earnings`. Uses BENCH_DATABASE_URL, else TEST_DATABASE_URL, else a
throwaway database `telar_bench_earnings` it creates on postgres@127.0.0.1 (its schema is dropped and
rebuilt by the real migrations). Times `/coop/earnings?period=all` rendered through the test client
beside a plain `SELECT artisan_id, sum(amount) FROM ledger_entries GROUP BY artisan_id` in the same
run, best of RUNS each. Targets: page < 1 s, page within 2x of the plain GROUP BY.
"""
import os
import re
import statistics
import tempfile
import time

from sqlalchemy import text

from bench._postgres import create_database_if_missing, reset_schema

ARTISANS = 1_000
ENTRIES = 1_000_000
RUNS = 5
TARGET_SECONDS = 1.0
TARGET_RATIO = 2.0
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1/telar_bench_earnings"
PLAIN = "SELECT artisan_id, sum(amount) FROM ledger_entries GROUP BY artisan_id"


def database_url():
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgresql"):
        raise SystemExit("bench.earnings needs PostgreSQL (set BENCH_DATABASE_URL=postgresql+psycopg://…)")
    if url == DEFAULT_URL:
        create_database_if_missing(url)
    return url


FILL = [
    # 1,000 artisans who joined over the programme's first year, and their baselines.
    """INSERT INTO artisans (slug, display_name, community, municipality, languages, joined_on, active,
                             created_at)
       SELECT 'artesana-' || g, 'Artesana ' || lpad(g::text, 4, '0'), 'Chilil', 'Huixtán', 'tzo,es',
              DATE '2025-03-01' + (g % 365), true, now()
       FROM generate_series(1, :artisans) g""",
    """INSERT INTO income_baselines (artisan_id, survey_date, monthly_income_amount, currency, had_sales,
                                     kept_records, updated_at)
       SELECT id, DATE '2025-02-15', CASE WHEN id % 5 < 2 THEN 0 ELSE (id % 40) * 5000 END, 'MXN',
              id % 5 >= 2, id % 3 = 0, now() FROM artisans""",
    # 1,000,000 entries: 90 % sales, 3 % refunds, 6 % payouts, 1 % adjustments, over 20 months.
    """INSERT INTO ledger_entries (artisan_id, kind, amount, currency, reason, occurred_at, created_at)
       SELECT a, k, CASE k WHEN 'sale' THEN 20000 + (g % 400) * 100 WHEN 'refund' THEN -(g % 300) * 100
                           WHEN 'payout' THEN -(50000 + (g % 50) * 1000) ELSE (g % 21 - 10) * 500 END,
              'MXN', CASE WHEN k = 'adjustment' THEN 'Corrección de captura' END,
              TIMESTAMP '2025-03-01' + (g % 600) * INTERVAL '1 day' + (g % 86400) * INTERVAL '1 second', now()
       FROM (SELECT g, (1 + (g::bigint * 7919) % :artisans)::int AS a,
                    CASE WHEN g % 100 < 90 THEN 'sale' WHEN g % 100 < 93 THEN 'refund'
                         WHEN g % 100 < 99 THEN 'payout' ELSE 'adjustment' END AS k
             FROM generate_series(1, :entries) g) s""",
    "INSERT INTO exchange_rates (currency, rate, set_at) VALUES ('USD', 0.0550, now())",
]


def build(app):
    from flask_migrate import upgrade

    from storefront.accounts.passwords import hash_password
    from storefront.extensions import db
    from storefront.models import Role, User

    with app.app_context():
        upgrade()
        started = time.perf_counter()
        # Secondary indexes are rebuilt once after the bulk insert rather than row by row.
        indexes = db.session.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ledger_entries' "
            "AND indexname LIKE 'ix_%'")).all()
        for name, _definition in indexes:
            db.session.execute(text(f'DROP INDEX "{name}"'))
        for statement in FILL:
            db.session.execute(text(statement), {"artisans": ARTISANS, "entries": ENTRIES})
        db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # the data version event (0013) first
        for _name, definition in indexes:
            db.session.execute(text(definition))
        # A coordinator: admins must confirm logins with a second step, which is not what is measured.
        db.session.add(User(username="bench-coordinator", password_hash=hash_password("bench-password"),
                            role=Role.COORDINATOR.value))
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        return time.perf_counter() - started


def best_of(function, runs=RUNS):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main():
    from storefront import create_app
    from storefront.extensions import db

    url = database_url()
    reset_schema(url)
    with tempfile.TemporaryDirectory() as media:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40,
                          "MEDIA_ROOT": media, "RATELIMIT_STORAGE_URI": "memory://", "LOG_REQUESTS": False})
        build_seconds = build(app)
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post("/login", data={"login": "bench-coordinator", "password": "bench-password",
                                    "csrf_token": token})

        def render():
            response = client.get("/coop/earnings?period=all")
            assert response.status_code == 200 and "Artesana 1000" in response.get_data(as_text=True)

        def plain():
            with app.app_context():
                rows = db.session.execute(text(PLAIN)).all()
                assert len(rows) == ARTISANS

        render(), plain()  # warm caches and templates once
        page_best, page_median = best_of(render)
        plain_best, plain_median = best_of(plain)
        with app.app_context():
            entries = db.session.scalar(text("SELECT count(*) FROM ledger_entries"))
            db.session.remove()
            db.engine.dispose()
    figures = {"artisans": ARTISANS, "ledger_entries": entries, "build_s": round(build_seconds, 2),
               "page_s": round(page_best, 3), "page_median_s": round(page_median, 3),
               "group_by_s": round(plain_best, 3), "group_by_median_s": round(plain_median, 3),
               "ratio": round(page_best / plain_best, 2),
               "page_under_1s": page_best < TARGET_SECONDS,
               "within_2x": page_best / plain_best <= TARGET_RATIO}
    print(f"earnings bench on {url.rsplit('@', 1)[-1]}: {ARTISANS} artisans, {entries} ledger entries "
          f"(built in {build_seconds:.1f} s)")
    print(f"  /coop/earnings?period=all  best {page_best * 1000:.0f} ms  median {page_median * 1000:.0f} ms  "
          f"(target < {TARGET_SECONDS * 1000:.0f} ms)")
    print(f"  plain GROUP BY             best {plain_best * 1000:.0f} ms  "
          f"median {plain_median * 1000:.0f} ms")
    print(f"  ratio page / GROUP BY      {page_best / plain_best:.2f}x  (target <= {TARGET_RATIO:.0f}x)")
    return figures


if __name__ == "__main__":
    main()
