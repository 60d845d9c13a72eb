"""Webhook handling time: median and p99 over 1,000 signed Stripe events POSTed to a running app.

    .venv/bin/python -m bench.webhooks            # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/telar_bench .venv/bin/python -m bench.webhooks

It starts the local Stripe emulator and the app (werkzeug, threaded, on loopback) like `make run` does,
makes 500 real purchases through the emulator's payment page with webhook delivery switched off,
then sends the 500 `checkout.session.completed` events (each a full fulfilment: balance transaction
fetched from the emulator before the order is locked, holds converted, ledger credited, two emails
queued in the outbox table — delivering them is the outbox worker's job, not the webhook's) followed by
the same 500 again (duplicates, answered from the processed-events table). Times are client-side, per
request.
"""
import hashlib
import hmac
import json
import os
import re
import secrets
import statistics
import tempfile
import threading
import time
from datetime import datetime
from decimal import Decimal

import requests
from werkzeug.serving import make_server
from devtools.local_stripe import EmulatorProcess, free_port

PURCHASES = 500


def _sign(payload, secret):
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _prepare_app(tmp, api_base, secret, port):
    from flask_migrate import upgrade

    from storefront import create_app
    from storefront.backup import empty_public_schema
    from storefront.extensions import db
    from storefront.models import Artisan, ExchangeRate, Product, ProductTranslation
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_hex(32),
                      "STRIPE_SECRET_KEY": "sk_test_bench", "STRIPE_API_BASE": api_base,
                      "STRIPE_WEBHOOK_SECRET": secret, "MAIL_OUTBOX": f"{tmp}/outbox",
                      "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "RATELIMIT_ENABLED": False})
    with app.app_context():
        if url.startswith("postgresql"):
            empty_public_schema(db.engine)
        upgrade()
        artisan = Artisan(slug="bench", display_name="Bench", community="Chilil", municipality="Huixtán",
                          joined_on=datetime(2025, 3, 1).date())
        product = Product(artisan=artisan, slug="bench-huipil", category="huipil", technique="backstrap_loom",
                          price_amount=120000, stock=PURCHASES, status="published", weight_grams=500,
                          published_at=datetime(2026, 1, 1))
        product.translations = [ProductTranslation(locale="en", title="Bench huipil")]
        db.session.add_all([artisan, product, ExchangeRate(currency="USD", rate=Decimal("0.055"))])
        db.session.commit()
        product_id = product.id
    return app, product_id


def _purchase(base, product_id):
    browser = requests.Session()
    cart = browser.get(f"{base}/cart?currency=USD&country=US", timeout=30).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', cart).group(1)
    browser.post(f"{base}/cart/add", data={"product_id": product_id, "quantity": 1, "csrf_token": token},
                 timeout=30)
    started = browser.post(f"{base}/checkout", data={"country": "US", "csrf_token": token},
                           allow_redirects=False, timeout=30)
    url = started.headers["Location"]
    paid = browser.post(url, allow_redirects=False, timeout=30, data={
        "email": "bench@example.com", "name": "Bench", "line1": "1 Main St", "city": "Austin",
        "postal_code": "78701", "country": "US", "card_number": "4242424242424242"})
    assert paid.status_code == 303, paid.text[:300]


def main():
    secret = "whsec_" + secrets.token_hex(16)
    port = free_port()
    emulator = EmulatorProcess(f"http://127.0.0.1:{port}/stripe/webhook", secret)
    api_base = emulator.url
    with tempfile.TemporaryDirectory() as tmp:
        try:
            app, product_id = _prepare_app(tmp, api_base, secret, port)
            server = make_server("127.0.0.1", port, app, threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{port}"
            requests.post(f"{api_base}/_emulator/webhooks", data={"deliver": "0"}, timeout=30)
            setup_started = time.monotonic()
            for _ in range(PURCHASES):
                _purchase(base, product_id)
            setup_seconds = time.monotonic() - setup_started
            events = requests.get(f"{api_base}/_emulator/events",
                                  params={"type": "checkout.session.completed"}, timeout=60).json()["data"]
            assert len(events) == PURCHASES, len(events)
            timings = {"first": [], "duplicate": []}
            outcomes = {}
            webhook = requests.Session()
            for kind in ("first", "duplicate"):
                for event in events:
                    payload = json.dumps(event).encode()
                    started = time.perf_counter()
                    response = webhook.post(f"{base}/stripe/webhook", data=payload, timeout=30,
                                            headers={"Stripe-Signature": _sign(payload, secret),
                                                     "Content-Type": "application/json"})
                    timings[kind].append((time.perf_counter() - started) * 1000)
                    outcome = (response.json().get("outcome") if response.status_code == 200
                               else response.status_code)
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1
            server.shutdown()
        finally:
            emulator.stop()
    every = timings["first"] + timings["duplicate"]
    figures = {
        "events": len(every),
        "median_ms": round(statistics.median(every), 2),
        "p99_ms": round(_percentile(every, 0.99), 2),
        "fulfilment_median_ms": round(statistics.median(timings["first"]), 2),
        "fulfilment_p99_ms": round(_percentile(timings["first"], 0.99), 2),
        "duplicate_median_ms": round(statistics.median(timings["duplicate"]), 2),
        "duplicate_p99_ms": round(_percentile(timings["duplicate"], 0.99), 2),
        "paid": outcomes.get("paid", 0), "duplicates": outcomes.get("duplicate", 0),
        "setup_purchases_s": round(setup_seconds, 1),
        "database": ("postgresql" if os.environ.get("BENCH_DATABASE_URL", "").startswith("postgresql")
                     else "sqlite"),
    }
    for key, value in figures.items():
        print(f"{key:24} {value}")
    return figures


if __name__ == "__main__":
    main()
