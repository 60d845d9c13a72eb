"""The full hostile walk (`make fuzz`): every route x every hostile value x every method x four identities,
with and without a CSRF token; prints the figures and fails (exit 1) on any 5xx.

    .venv/bin/python -m bench.hostile            # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/telar_bench .venv/bin/python -m bench.hostile

The quick walk of the same module (tests/system/test_hostile_walk.py) runs in every CI.
"""
import os
import sys
import tempfile
import time


def main(full=True):
    from flask_migrate import upgrade

    from storefront import create_app
    from storefront.backup import empty_public_schema
    from storefront.extensions import db
    from tests import factories, hostile

    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/hostile.sqlite3"
        app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
                          "SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": f"{tmp}/media",
                          "MAIL_OUTBOX": f"{tmp}/outbox", "MAIL_BACKEND": "outbox",
                          "RATELIMIT_STORAGE_URI": "memory://", "LOG_REQUESTS": False,
                          "STRIPE_WEBHOOK_SECRET": "whsec_" + "0" * 32})
        with app.app_context():
            if url.startswith("postgresql"):
                empty_public_schema(db.engine)
            upgrade()
            people = hostile.build_world(factories.Factories(app))
            db.session.remove()
        clients = hostile.logged_in_clients(app, people)
        started = time.monotonic()
        result = hostile.walk(app, clients, full=full)
        seconds = time.monotonic() - started
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    for failure in result.failures[:50]:
        print(failure, file=sys.stderr)
    return {"routes": result.rules, "identities": result.identities, "hostile values": result.values,
            "requests": result.requests, "answers 5xx": len(result.failures),
            "answers 4xx": sum(n for s, n in result.statuses.items() if 400 <= s < 500),
            "seconds": round(seconds, 1)}


if __name__ == "__main__":
    figures = main(full="--quick" not in sys.argv)
    for key, value in figures.items():
        print(f"{key:>16}  {value}")
    sys.exit(1 if figures["answers 5xx"] else 0)
