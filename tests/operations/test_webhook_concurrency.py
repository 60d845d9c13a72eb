"""Production shape: two app instances (gunicorn, 2 workers × 4 threads each) on one PostgreSQL database
receive concurrent duplicate signed deliveries of the same paid order's webhook — and `flask stripe
reconcile` runs at the same moment. Exactly one fulfilment must come out of it: one paid order, one
set of ledger entries, one confirmation email.

Everything is real: gunicorn processes, the local Stripe emulator process speaking Stripe's protocol,
Stripe-style signatures, PostgreSQL row locks and unique constraints.
"""
import hashlib
import hmac
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from storefront.config import REPO_ROOT
from storefront.extensions import db
from storefront.mail import deliver_due
from devtools.local_stripe import free_port
from storefront.models import LedgerEntry, Order, OrderLine, Product, WebhookEvent
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.postgres_only

DELIVERIES_PER_INSTANCE = 8
CSRF = re.compile(r'name="csrf[_-]token" (?:type="hidden" )?(?:value|content)="([^"]+)"')


def wait_until_up(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def sign(payload: bytes, secret: str) -> str:
    """Stripe's scheme: t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<raw body>")."""
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@pytest.fixture
def emulator():
    """The Stripe emulator, delivering no webhook itself: the test delivers them, all at once."""
    process = subprocess.Popen([sys.executable, "-m", "devtools.stripe_emulator", "--port", "0"],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    assert line.startswith("EMULATOR_LISTENING"), line
    yield line.split()[1]
    stop(process)
    process.stdout.close()


@pytest.fixture
def instances(app, emulator, tmp_path):
    """Two gunicorn instances of the app on the test's PostgreSQL database; yields (urls, env)."""
    ports = [free_port(), free_port()]
    env = {**os.environ, "DATABASE_URL": TEST_DATABASE_URL, "FLASK_ENV": "development",
           "SECRET_KEY": "shared-secret-key-of-both-instances-0123456789",
           "STRIPE_SECRET_KEY": "sk_test_" + secrets.token_hex(12), "STRIPE_API_BASE": emulator,
           "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16), "MEDIA_ROOT": str(tmp_path / "media"),
           "MAIL_BACKEND": "outbox", "MAIL_OUTBOX": str(tmp_path / "outbox"), "LOG_REQUESTS": "false",
           "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports[0]}", "FLASK_APP": "storefront"}
    processes = [subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-k", "gthread", "--threads", "4",
         "-b", f"127.0.0.1:{port}", "storefront.wsgi:app"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url, process in zip(urls, processes):
            wait_until_up(url + "/healthz", process)
        yield urls, env
    finally:
        for process in processes:
            stop(process)


def buy_over_http(shop, product_id, emulator):
    """A buyer on instance A: cart, checkout, pays 4242… on the emulator's page; returns the session id."""
    browser = requests.Session()
    token = CSRF.search(browser.get(f"{shop}/cart?currency=USD", timeout=30).text).group(1)
    added = browser.post(f"{shop}/cart/add", timeout=30,
                         data={"product_id": product_id, "quantity": 1, "csrf_token": token})
    assert added.status_code == 200
    token = CSRF.search(browser.get(f"{shop}/cart?country=US", timeout=30).text).group(1)
    started = browser.post(f"{shop}/checkout", data={"country": "US", "email": "ada@example.com",
                                                     "csrf_token": token}, allow_redirects=False, timeout=60)
    assert started.status_code == 303 and started.headers["Location"].startswith(emulator), started.text[:500]
    paid = browser.post(started.headers["Location"], data={
        "email": "ada@example.com", "name": "Ada Buyer", "line1": "1 Main St", "city": "Austin",
        "postal_code": "78701", "country": "US", "card_number": "4242 4242 4242 4242", "exp": "12 / 34",
        "cvc": "123"}, allow_redirects=False, timeout=60)
    assert paid.status_code in (302, 303), paid.text[:500]
    return started.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def completed_event(emulator, session_id):
    events = requests.get(f"{emulator}/v1/events", timeout=30,
                          params={"type": "checkout.session.completed", "limit": 100},
                          headers={"Authorization": "Bearer sk_test_reader"}).json()["data"]
    [event] = [e for e in events if e["data"]["object"]["id"] == session_id]
    return event


def test_concurrent_duplicate_webhooks_on_two_instances_fulfil_once(app, make, instances, emulator, tmp_path):
    (shop_a, shop_b), env = instances
    with app.app_context():
        make.rate("USD", "0.0550")
        product = make.product(title="Huipil de rombos", price_mxn=1200, weight_grams=500)
        product_id = product.id
    session_id = buy_over_http(shop_a, product_id, emulator)
    event = completed_event(emulator, session_id)
    payload = json.dumps(event).encode()
    # Stripe may also send the same completion as a different event (a retry after a timeout looks the
    # same; a re-created event does not): a copy with its own id goes to both instances too.
    twin = json.dumps({**event, "id": "evt_" + secrets.token_hex(12)}).encode()
    secret = env["STRIPE_WEBHOOK_SECRET"]
    deliveries = [(url, body) for url in (shop_a, shop_b)
                  for body in [payload] * DELIVERIES_PER_INSTANCE + [twin]]

    start = threading.Barrier(len(deliveries) + 1)
    answers, lock = [], threading.Lock()

    def deliver(url, body):
        start.wait()
        headers = {"Stripe-Signature": sign(body, secret), "Content-Type": "application/json"}
        response = requests.post(f"{url}/stripe/webhook", data=body, headers=headers, timeout=60)
        with lock:
            answers.append((response.status_code, response.json().get("outcome")))

    def reconcile():
        start.wait()
        return subprocess.run([sys.executable, "-m", "flask", "stripe", "reconcile", "--hours", "1"],
                              cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)

    threads = [threading.Thread(target=deliver, args=d) for d in deliveries]
    reconciled = {}
    threads.append(threading.Thread(target=lambda: reconciled.update(result=reconcile())))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert reconciled["result"].returncode == 0, reconciled["result"].stderr[-2000:]
    assert len(answers) == len(deliveries)
    assert all(status == 200 for status, _ in answers), answers
    outcomes = [outcome for _, outcome in answers]
    print("outcomes:", {o: outcomes.count(o) for o in set(outcomes)},
          "reconcile:", reconciled["result"].stdout.strip())
    fulfilled_by_reconcile = "paid: 1" in reconciled["result"].stdout
    assert outcomes.count("paid") + fulfilled_by_reconcile == 1, (outcomes, reconciled["result"].stdout)
    assert set(outcomes) <= {"paid", "duplicate", "already_fulfilled"}, outcomes

    with app.app_context():
        order = db.session.scalar(select(Order).where(Order.stripe_checkout_session_id == session_id))
        lines = db.session.scalars(select(OrderLine.id).where(OrderLine.order_id == order.id)).all()
        entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.order_line_id.in_(lines))).all()
        seen = db.session.scalar(select(func.count()).select_from(WebhookEvent)
                                 .where(WebhookEvent.stripe_event_id == event["id"]))
        assert order.status == "paid"
        assert len(lines) == 1 and [e.kind for e in entries] == ["sale"], "exactly one set of ledger entries"
        assert seen == 1
        assert db.session.get(Product, product_id).stock == 0
        deliver_due()
    confirmations = [p for p in Path(tmp_path / "outbox").glob("*.eml") if "ada@example.com" in p.read_text()]
    assert len(confirmations) == 1, [p.name for p in confirmations]
