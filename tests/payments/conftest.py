"""A real Stripe-compatible server and a real app server on loopback, per test.

The emulator runs as its own process (`python -m devtools.stripe_emulator`); the app is served by
werkzeug in a thread so the emulator's signed webhooks reach /stripe/webhook over HTTP. Nothing in
`stripe` is monkeypatched: the app's code path is the one it uses with real Stripe.
"""
import hashlib
import hmac
import json
import re
import secrets
import threading
import time

import pytest
import requests
from werkzeug.serving import make_server

from devtools.local_stripe import EmulatorProcess, free_port
from storefront.extensions import db

CSRF = re.compile(r'name="csrf[_-]token" (?:type="hidden" )?(?:value|content)="([^"]+)"')


class Emulator(EmulatorProcess):
    """The emulator process, with shortcuts for its API and its test-only controls."""

    def api(self, method, path, **params):
        response = requests.request(method, self.url + path, data=params if method == "POST" else None,
                                    params=params if method == "GET" else None,
                                    headers={"Authorization": "Bearer sk_test_emulator"}, timeout=30)
        return response.json()

    def control(self, path, **form):
        return requests.post(f"{self.url}/_emulator/{path}", data=form, timeout=30).json()

    def events(self, type_=None):
        return self.api("GET", "/v1/events", limit=100, **({"type": type_} if type_ else {}))["data"]


def sign(payload: bytes, secret: str, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class Shop:
    """What a buyer (or staff) does over HTTP against the live server."""

    def __init__(self, base_url, emulator, secret):
        self.base_url, self.emulator, self.secret = base_url, emulator, secret

    def browser(self):
        return requests.Session()

    def csrf(self, browser, path="/cart"):
        match = CSRF.search(browser.get(self.base_url + path, timeout=30).text)
        assert match, f"no csrf token on {path}"
        return match.group(1)

    def add(self, browser, product_id, quantity=1, currency=None):
        token = self.csrf(browser, "/cart" + (f"?currency={currency}" if currency else ""))
        return browser.post(f"{self.base_url}/cart/add", data={"product_id": product_id, "quantity": quantity,
                                                               "csrf_token": token}, timeout=30)

    def checkout(self, browser, country="US", email="buyer@example.com", **extra):
        token = self.csrf(browser, f"/cart?country={country}")
        return browser.post(f"{self.base_url}/checkout", data={"country": country, "email": email,
                                                               "csrf_token": token, **extra},
                            allow_redirects=False, timeout=60)

    def pay(self, browser, checkout_url, card="4242 4242 4242 4242", country="US"):
        page = browser.get(checkout_url, timeout=30)
        assert page.status_code == 200, page.text
        return browser.post(checkout_url, data={
            "email": "buyer@example.com", "name": "Ada Buyer", "line1": "1 Main St", "city": "Austin",
            "postal_code": "78701", "country": country, "card_number": card, "exp": "12 / 34", "cvc": "123"},
            allow_redirects=False, timeout=60)

    def buy(self, product_id, country="US", currency="USD", card="4242 4242 4242 4242"):
        browser = self.browser()
        self.add(browser, product_id, currency=currency)
        started = self.checkout(browser, country)
        assert started.status_code == 303, started.text
        return (browser, started.headers["Location"],
                self.pay(browser, started.headers["Location"], card, country))

    def post_event(self, event, secret=None, timestamp=None, signature=None):
        payload = json.dumps(event).encode()
        header = sign(payload, secret or self.secret, timestamp) if signature is None else signature
        return requests.post(f"{self.base_url}/stripe/webhook", data=payload, timeout=30,
                             headers={"Stripe-Signature": header, "Content-Type": "application/json"})


@pytest.fixture
def webhook_secret():
    return "whsec_" + secrets.token_hex(16)


@pytest.fixture
def app_port():
    return free_port()


@pytest.fixture
def emulator(app_port, webhook_secret):
    emulator = Emulator(f"http://127.0.0.1:{app_port}/stripe/webhook", webhook_secret)
    yield emulator
    emulator.stop()


@pytest.fixture
def app_config(app_config, emulator, webhook_secret, app_port):
    app_config.update({"STRIPE_SECRET_KEY": "sk_test_" + secrets.token_hex(12),
                       "STRIPE_API_BASE": emulator.url, "STRIPE_WEBHOOK_SECRET": webhook_secret,
                       "PUBLIC_BASE_URL": f"http://127.0.0.1:{app_port}", "WTF_CSRF_SSL_STRICT": False})
    return app_config


@pytest.fixture
def live(app, app_port, emulator, webhook_secret):
    """The app served on a real port; yields a Shop to drive it."""
    server = make_server("127.0.0.1", app_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with app.app_context():  # the test reads the database; requests go through the server's threads
        yield Shop(f"http://127.0.0.1:{app_port}", emulator, webhook_secret)
        db.session.remove()
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def fresh(app):
    """Read rows as they are now in the database (the server threads wrote them)."""
    def get(model, ident):
        db.session.rollback()
        db.session.expire_all()
        return db.session.get(model, ident)
    return get


class Snapshot:
    """Plain values of a row, usable after its app context is gone."""

    def __init__(self, row, *names):
        for name in names:
            setattr(self, name, getattr(row, name))


@pytest.fixture
def shop_data(make, app):
    """Two artisans, three garments, USD and EUR rates (plain values: no app context stays pushed,
    so test-client requests get their own `g`)."""
    class Data:
        pass
    data = Data()
    with app.app_context():
        data.usd = Snapshot(make.rate("USD", "0.0550"), "id", "rate", "currency")
        data.eur = Snapshot(make.rate("EUR", "0.0500"), "id", "rate", "currency")
        maria, rosa = make.artisan(name="María López"), make.artisan(name="Rosa Pérez")
        data.maria, data.rosa = Snapshot(maria, "id", "display_name"), Snapshot(rosa, "id", "display_name")
        fields = ("id", "slug", "price_amount", "artisan_id")
        data.huipil = Snapshot(make.product(artisan=maria, title="Huipil de rombos", price_mxn=1200,
                                            weight_grams=500), *fields)
        data.rebozo = Snapshot(make.product(artisan=rosa, title="Rebozo", price_mxn=800,
                                            weight_grams=300), *fields)
        data.blusa = Snapshot(make.product(artisan=maria, title="Blusa", price_mxn=450, stock=3,
                                           weight_grams=200), *fields)
    return data


@pytest.fixture(autouse=True)
def _english_interface(english_interface):
    """See tests/conftest.py: these tests read English messages unless marked spanish_interface."""
