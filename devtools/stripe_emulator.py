"""A local Stripe test-mode emulator: the part of Stripe's API the storefront uses, on loopback.

    python -m devtools.stripe_emulator --port 0 --webhook-url http://127.0.0.1:5000/stripe/webhook \
        --webhook-secret whsec_...

Standard library (http.server + json) and stripe-python's typed parameters: every request is checked
against the TypedDict stripe-python declares for that API method (devtools/stripe_params.py) — unknown
names at any depth, values outside an enum (a country Checkout does not ship to), a float where Stripe
wants an integer are refused as Stripe refuses them, 400 `invalid_request_error` naming the `param`.
It speaks Stripe's wire protocol: form-encoded requests
with bracketed keys, Bearer `sk_test_` keys, Idempotency-Key replay, JSON objects shaped like Stripe's
(see /work/shared/stripe/fixtures3.json), and SIGNED webhooks (`Stripe-Signature: t=…,v1=…`, HMAC-SHA256
of "{t}.{body}"). Its hosted payment page works without JavaScript and accepts the test card
4242 4242 4242 4242; 4000 0000 0000 0002 is declined. Charges settle in MXN with a fee of 3.6 % + 3 MXN.

Test-only controls live under /_emulator/ (e.g. POST /_emulator/webhooks deliver=0 to "lose" webhooks).
"""
import argparse
import hashlib
import hmac
import html
import json
import os
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request
from decimal import ROUND_HALF_UP, Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from stripe.params import (BalanceTransactionRetrieveParams, ChargeRetrieveParams, EventListParams,
                           EventRetrieveParams, PaymentIntentRetrieveParams, RefundCreateParams,
                           RefundListParams)
from stripe.params.checkout import (SessionCreateParams, SessionExpireParams, SessionListLineItemsParams,
                                    SessionListParams, SessionRetrieveParams)

from devtools.stripe_params import ParamError, check

API_VERSION = "2024-06-20"
ZERO_DECIMAL = {"jpy", "krw", "clp", "vnd"}
# Pesos per unit of the charge currency, used to settle every charge in MXN (the account's currency).
SETTLEMENT_RATES = {"mxn": Decimal(1), "usd": Decimal("18.20"), "eur": Decimal("19.60"),
                    "gbp": Decimal("22.90"), "cad": Decimal("13.10"), "jpy": Decimal("0.1200")}
FEE_PERCENT = Decimal("0.036")
FEE_FIXED_CENTAVOS = 300
CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_ASYNC = "4000000000000077"   # emulator-only: the payment completes later (async_payment_* events)
MIN_EXPIRY, MAX_EXPIRY = 30 * 60, 24 * 3600


class StripeError(Exception):
    def __init__(self, status, message, type_="invalid_request_error", code=None, param=None):
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = status, message, type_, code, param

    def body(self):
        error = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
        if self.param:
            error["param"] = self.param
        return {"error": error}


ID = object()   # a path segment that is an object id
# (method, path segments after /v1/) -> the TypedDict stripe-python declares for that API method.
ROUTES = [
    ("POST", ("checkout", "sessions"), SessionCreateParams),
    ("GET", ("checkout", "sessions"), SessionListParams),
    ("GET", ("checkout", "sessions", ID), SessionRetrieveParams),
    ("POST", ("checkout", "sessions", ID, "expire"), SessionExpireParams),
    ("GET", ("checkout", "sessions", ID, "line_items"), SessionListLineItemsParams),
    ("POST", ("refunds",), RefundCreateParams),
    ("GET", ("refunds",), RefundListParams),
    ("GET", ("payment_intents", ID), PaymentIntentRetrieveParams),
    ("GET", ("charges", ID), ChargeRetrieveParams),
    ("GET", ("balance_transactions", ID), BalanceTransactionRetrieveParams),
    ("GET", ("events",), EventListParams),
    ("GET", ("events", ID), EventRetrieveParams),
]


def params_class(method, segments):
    """The parameter TypedDict of the API method at `segments`, or None (an unknown URL)."""
    for route_method, pattern, found in ROUTES:
        if route_method == method and len(pattern) == len(segments) and all(
                part is ID or part == segment for part, segment in zip(pattern, segments)):
            return found
    return None


def validate(method, path, params):
    """Refuse, as Stripe does, a request whose parameters stripe-python's types do not allow."""
    found = params_class(method, path.split("/")[2:])
    if found is None:
        return
    try:
        check(found, params)
    except ParamError as error:
        raise StripeError(400, error.message, code=error.code, param=error.param) from None


def _id(prefix):
    return (f"{prefix}_test_{secrets.token_hex(12)}" if prefix in ("cs",)
            else f"{prefix}_{secrets.token_hex(12)}")


def parse_form(body: str) -> dict:
    """Stripe's form encoding (`a[b][0][c]=1`) into nested dicts and lists."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node = root
        for part, following in zip(parts, parts[1:] + [None]):
            if following is None:
                if isinstance(node.get(part), dict):
                    raise StripeError(400, f"Invalid object: {key}", param=key)
                node[part] = value
            else:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise StripeError(400, f"Invalid object: {key}", param=key)
    return _lists(root)


def _lists(node):
    """Dicts whose keys are all digits become lists (line_items[0], expand[0])."""
    if isinstance(node, dict):
        node = {k: _lists(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node


def _int(value, name):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StripeError(400, f"Invalid integer: {value}", param=name) from None


def settle_in_mxn(amount, currency):
    """(amount in MXN centavos, exchange rate or None) for a charge of `amount` minor units."""
    rate = SETTLEMENT_RATES.get(currency)
    if rate is None:
        raise StripeError(400, f"Invalid currency: {currency}", param="currency")
    major = Decimal(amount) if currency in ZERO_DECIMAL else Decimal(amount) / 100
    mxn = int((major * rate * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return mxn, (None if currency == "mxn" else float(rate))


class Store:
    """Every object the emulator knows, behind one lock."""

    def __init__(self, base_url, webhook_url, webhook_secret):
        self.base_url = base_url
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.deliver_webhooks = True
        self.lock = threading.RLock()
        self.objects: dict = {}
        self.sessions: list = []      # ids, newest last
        self.events: list = []
        self.idempotent: dict = {}
        self.deliveries: list = []
        self.outbox: list = []

    # -- objects ------------------------------------------------------------------------------
    def get(self, kind, object_id):
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != kind:
            raise StripeError(404, f"No such {kind.split('.')[-1]}: '{object_id}'", code="resource_missing",
                              param="id")
        return obj

    def create_session(self, params):
        if params.get("mode", "payment") != "payment":
            raise StripeError(400, "Only mode=payment is supported by the emulator", param="mode")
        items = params.get("line_items") or []
        if not items:
            raise StripeError(400, "line_items is required", param="line_items")
        currency = None
        subtotal = 0
        lines = []
        for index, item in enumerate(items):
            data = item.get("price_data") or {}
            item_currency = (data.get("currency") or "").lower()
            if currency and item_currency != currency:
                raise StripeError(400, "All line items must use the same currency",
                                  param=f"line_items[{index}][price_data][currency]")
            currency = item_currency
            unit = _int(data.get("unit_amount"), f"line_items[{index}][price_data][unit_amount]")
            quantity = _int(item.get("quantity", 1), f"line_items[{index}][quantity]")
            if unit < 0 or quantity < 1:
                raise StripeError(400, "Invalid amount or quantity", param=f"line_items[{index}]")
            name = (data.get("product_data") or {}).get("name", "")
            lines.append({"id": _id("li"), "object": "item", "amount_subtotal": unit * quantity,
                          "amount_total": unit * quantity, "currency": currency, "description": name,
                          "quantity": quantity, "price": {"unit_amount": unit, "currency": currency}})
            subtotal += unit * quantity
        settle_in_mxn(0, currency)
        shipping_options = []
        for index, option in enumerate(params.get("shipping_options") or []):
            data = option.get("shipping_rate_data") or {}
            fixed = data.get("fixed_amount") or {}
            if (fixed.get("currency") or "").lower() != currency:
                raise StripeError(400, "Shipping rate currency must match the line items",
                                  param=f"shipping_options[{index}]")
            shipping_options.append({"shipping_amount": _int(fixed.get("amount"), "fixed_amount[amount]"),
                                     "shipping_rate": _id("shr"),
                                     "display_name": data.get("display_name", "")})
        shipping = shipping_options[0]["shipping_amount"] if shipping_options else 0
        now = int(time.time())
        expires_at = _int(params.get("expires_at", now + MAX_EXPIRY), "expires_at")
        if not (now + MIN_EXPIRY - 60 <= expires_at <= now + MAX_EXPIRY + 60):
            raise StripeError(400, "The `expires_at` timestamp must be between 30 minutes and 24 hours "
                                   "from now", param="expires_at")
        session_id = _id("cs")
        allowed = (params.get("shipping_address_collection") or {}).get("allowed_countries") or []
        session = {
            "id": session_id, "object": "checkout.session", "after_expiration": None,
            "allow_promotion_codes": None, "amount_subtotal": subtotal, "amount_total": subtotal + shipping,
            "automatic_tax": {"enabled": False, "liability": None, "status": None},
            "billing_address_collection": None, "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"), "created": now, "currency": currency,
            "customer": None, "customer_creation": "if_required", "customer_details": None,
            "customer_email": params.get("customer_email"), "expires_at": expires_at, "livemode": False,
            "locale": params.get("locale"), "metadata": params.get("metadata") or {}, "mode": "payment",
            "payment_intent": None, "payment_method_types": ["card"], "payment_status": "unpaid",
            "shipping_address_collection": {"allowed_countries": allowed} if allowed else None,
            "shipping_cost": ({"amount_subtotal": shipping, "amount_tax": 0, "amount_total": shipping,
                               "shipping_rate": shipping_options[0]["shipping_rate"]}
                              if shipping_options else None),
            "shipping_details": None, "collected_information": None,
            "shipping_options": [{"shipping_amount": o["shipping_amount"],
                                  "shipping_rate": o["shipping_rate"]}
                                 for o in shipping_options],
            "status": "open", "submit_type": None, "success_url": params.get("success_url"),
            "total_details": {"amount_discount": 0, "amount_shipping": shipping, "amount_tax": 0},
            "ui_mode": "hosted", "url": f"{self.base_url}/pay/{session_id}",
            "_lines": lines, "_shipping_names": [o["display_name"] for o in shipping_options],
            "_payment_intent_data": params.get("payment_intent_data") or {},
        }
        self.objects[session_id] = session
        self.sessions.append(session_id)
        return session

    def expire_session(self, session_id):
        session = self.get("checkout.session", session_id)
        if session["status"] != "open":
            raise StripeError(400, f"Only Checkout Sessions with a status in [\"open\"] can be expired. "
                                   f"This Checkout Session has a status of \"{session['status']}\".")
        session["status"] = "expired"
        self.event("checkout.session.expired", session)
        return session

    def pay(self, session, form):
        """Charge a card on the hosted page; returns an error message or None."""
        card = "".join(ch for ch in form.get("card_number", "") if ch.isdigit())
        if session["status"] != "open":
            return "This checkout session is no longer open."
        if session["expires_at"] < time.time():
            self.expire_session(session["id"])
            return "This checkout session has expired."
        if card not in (CARD_OK, CARD_DECLINED, CARD_ASYNC):
            return "Your card number is invalid. In test mode, use 4242 4242 4242 4242."
        allowed = (session.get("shipping_address_collection") or {}).get("allowed_countries") or []
        country = form.get("country", "").upper()
        if allowed and country not in allowed:
            return "We cannot ship to that country."
        email = form.get("email") or session.get("customer_email") or ""
        if "@" not in email:
            return "Please enter your email."
        now = int(time.time())
        intent_id = session["payment_intent"] or _id("pi")
        metadata = dict((session["_payment_intent_data"] or {}).get("metadata") or {})
        intent = self.objects.get(intent_id) or {
            "id": intent_id, "object": "payment_intent", "amount": session["amount_total"],
            "amount_capturable": 0, "amount_received": 0, "capture_method": "automatic",
            "client_secret": f"{intent_id}_secret_x",
            "confirmation_method": "automatic", "created": now, "currency": session["currency"],
            "customer": None, "description": None, "last_payment_error": None, "latest_charge": None,
            "livemode": False, "metadata": metadata, "payment_method": None, "payment_method_types": ["card"],
            "receipt_email": email, "status": "requires_payment_method"}
        self.objects[intent_id] = intent
        session["payment_intent"] = intent_id
        if card == CARD_DECLINED:
            intent["last_payment_error"] = {"type": "card_error", "code": "card_declined",
                                            "decline_code": "generic_decline",
                                            "message": "Your card was declined."}
            return "Your card was declined."
        address = {"city": form.get("city") or None, "country": country or None,
                   "line1": form.get("line1") or None, "line2": None,
                   "postal_code": form.get("postal_code") or None, "state": None}
        session["customer_details"] = {"address": address, "email": email, "name": form.get("name") or None,
                                       "phone": None, "tax_exempt": "none", "tax_ids": []}
        shipping = {"address": address, "name": form.get("name") or ""}
        session["shipping_details"] = shipping
        session["collected_information"] = {"shipping_details": shipping}
        session["status"] = "complete"
        if card == CARD_ASYNC:
            intent["status"] = "processing"
            session["payment_status"] = "unpaid"
            self.event("checkout.session.completed", session)
            return None
        self._charge(intent, session)
        session["payment_status"] = "paid"
        self.event("checkout.session.completed", session)
        return None

    def settle_async(self, session_id, succeeded):
        session = self.get("checkout.session", session_id)
        intent = self.get("payment_intent", session["payment_intent"])
        if succeeded:
            self._charge(intent, session)
            session["payment_status"] = "paid"
            self.event("checkout.session.async_payment_succeeded", session)
        else:
            intent["status"] = "requires_payment_method"
            self.event("checkout.session.async_payment_failed", session)
        return session

    def _charge(self, intent, session):
        now = int(time.time())
        charge_id, txn_id = _id("ch"), _id("txn")
        amount, currency = intent["amount"], intent["currency"]
        mxn, rate = settle_in_mxn(amount, currency)
        fee = (int((Decimal(mxn) * FEE_PERCENT).quantize(Decimal(1), rounding=ROUND_HALF_UP))
               + FEE_FIXED_CENTAVOS)
        self.objects[txn_id] = {
            "id": txn_id, "object": "balance_transaction", "amount": mxn, "available_on": now + 7 * 86400,
            "created": now, "currency": "mxn", "description": None, "exchange_rate": rate, "fee": fee,
            "fee_details": [{"amount": fee, "application": None, "currency": "mxn",
                             "description": "Stripe processing fees", "type": "stripe_fee"}],
            "net": mxn - fee, "reporting_category": "charge",
            "source": charge_id, "status": "pending", "type": "charge"}
        details = session.get("customer_details") or {}
        self.objects[charge_id] = {
            "id": charge_id, "object": "charge", "amount": amount, "amount_captured": amount,
            "amount_refunded": 0, "balance_transaction": txn_id,
            "billing_details": {"address": details.get("address"), "email": details.get("email"),
                                "name": details.get("name"), "phone": None},
            "captured": True, "created": now, "currency": currency, "customer": None, "description": None,
            "disputed": False, "failure_code": None, "failure_message": None, "livemode": False,
            "metadata": dict(intent["metadata"]),
            "outcome": {"network_status": "approved_by_network", "reason": None,
                        "seller_message": "Payment complete.", "type": "authorized"},
            "paid": True, "payment_intent": intent["id"], "payment_method": _id("pm"),
            "payment_method_details": {"card": {"brand": "visa", "country": "US", "exp_month": 12,
                                                "exp_year": 2034, "funding": "credit", "last4": "4242"},
                                       "type": "card"},
            "receipt_email": details.get("email"), "refunded": False,
            "refunds": {"object": "list", "data": [], "has_more": False,
                        "url": f"/v1/charges/{charge_id}/refunds"},
            "status": "succeeded"}
        intent.update(status="succeeded", amount_received=amount, latest_charge=charge_id)

    def create_refund(self, params):
        charge_id = params.get("charge")
        if not charge_id and params.get("payment_intent"):
            intent = self.get("payment_intent", params["payment_intent"])
            charge_id = intent["latest_charge"]
        if not charge_id:
            raise StripeError(400, "One of `charge` or `payment_intent` is required.")
        charge = self.get("charge", charge_id)
        remaining = charge["amount"] - charge["amount_refunded"]
        amount = _int(params.get("amount", remaining), "amount")
        if amount <= 0 or amount > remaining:
            raise StripeError(400, f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                                   f"({remaining})", param="amount")
        now = int(time.time())
        refund_id, txn_id = _id("re"), _id("txn")
        mxn, rate = settle_in_mxn(amount, charge["currency"])
        self.objects[txn_id] = {"id": txn_id, "object": "balance_transaction", "amount": -mxn, "created": now,
                                "currency": "mxn", "exchange_rate": rate, "fee": 0, "fee_details": [],
                                "net": -mxn, "reporting_category": "refund", "source": refund_id,
                                "status": "pending", "type": "refund", "available_on": now,
                                "description": None}
        refund = {"id": refund_id, "object": "refund", "amount": amount, "balance_transaction": txn_id,
                  "charge": charge_id, "created": now, "currency": charge["currency"],
                  "metadata": params.get("metadata") or {}, "payment_intent": charge["payment_intent"],
                  "reason": params.get("reason"), "receipt_number": None, "status": "succeeded",
                  "destination_details": {"card": {"type": "reversal"}, "type": "card"}}
        self.objects[refund_id] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        charge["refunds"]["data"].insert(0, refund)
        self.event("charge.refunded", charge)
        return refund

    # -- events and webhooks ----------------------------------------------------------------------
    def event(self, type_, obj):
        event = {"id": _id("evt"), "object": "event", "api_version": API_VERSION, "created": int(time.time()),
                 "data": {"object": public(obj)}, "livemode": False, "pending_webhooks": 1,
                 "request": {"id": None, "idempotency_key": None}, "type": type_}
        self.events.append(event)
        if self.deliver_webhooks and self.webhook_url:
            self.outbox.append(event)
        return event

    def flush(self):
        """Deliver queued events, outside the lock: the app calls back into the API while handling them."""
        with self.lock:
            queued, self.outbox = self.outbox, []
        for event in queued:
            self.deliver(event)

    def sign(self, payload: bytes, timestamp=None):
        timestamp = int(time.time()) if timestamp is None else timestamp
        signed = f"{timestamp}.".encode() + payload
        digest = hmac.new(self.webhook_secret.encode(), signed, hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={digest}"

    def deliver(self, event):
        """POST the signed event to the app, as Stripe does (before the buyer is redirected)."""
        payload = json.dumps(event).encode()
        request = urllib.request.Request(self.webhook_url, data=payload, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "Stripe-Signature": self.sign(payload),
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError as error:
            status = f"unreachable: {error}"
        self.deliveries.append({"event": event["id"], "type": event["type"], "status": status})


def public(obj):
    """The object without the emulator's private fields (names starting with `_`)."""
    return json.loads(json.dumps({k: v for k, v in obj.items() if not k.startswith("_")}))


def expand(store, obj, paths):
    obj = public(obj)
    for path in paths:
        node = obj
        parts = path.split(".")
        for index, part in enumerate(parts):
            value = node.get(part) if isinstance(node, dict) else None
            if isinstance(value, str) and value in store.objects:
                node[part] = public(store.objects[value])
                value = node[part]
            if not isinstance(value, dict):
                break
            node = value
    return obj


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">\
<title>Pay · Stripe test mode (local emulator)</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f9fc;color:#1a1f36}}
main{{max-width:30rem;margin:0 auto;padding:1rem}}\
.test{{background:#ffde92;padding:.5rem 1rem;text-align:center}}
label{{display:block;margin:.6rem 0 .2rem;font-weight:600}}\
input,select{{width:100%;font-size:1rem;padding:.6rem;
box-sizing:border-box;border:1px solid #ccd;border-radius:.3rem}}\
button{{width:100%;margin:1rem 0;padding:.8rem;
font-size:1.1rem;background:#635bff;color:#fff;border:0;border-radius:.3rem}}.error{{color:#c00;font-weight:600}}
table{{width:100%}}td:last-child{{text-align:right}}</style></head><body>
<p class="test">TEST MODE — local Stripe emulator. Card 4242 4242 4242 4242 pays; \
4000 0000 0000 0002 is declined.</p>
<main><h1>Pay {total}</h1><table>{lines}</table>
{error}<form method="post" action="/pay/{id}">
<label for="email">Email</label><input id="email" name="email" type="email" value="{email}" required>
<label for="name">Name on card and shipping</label><input id="name" name="name" value="{name}" required>
<label for="line1">Address</label><input id="line1" name="line1" value="{line1}" required>
<label for="city">City</label><input id="city" name="city" value="{city}" required>
<label for="postal_code">Postal code</label><input id="postal_code" name="postal_code" value="{postal_code}">
<label for="country">Country</label><select id="country" name="country">{countries}</select>
<label for="card_number">Card number</label><input id="card_number" name="card_number" inputmode="numeric"
 autocomplete="cc-number" value="" required>
<label for="exp">Expiry (MM / YY)</label><input id="exp" name="exp" value="12 / 34" required>
<label for="cvc">CVC</label><input id="cvc" name="cvc" value="123" required>
<button type="submit">Pay {total}</button></form>
<p><a href="{cancel_url}">Cancel and go back</a></p></main></body></html>"""


def _format_amount(amount, currency):
    if currency in ZERO_DECIMAL:
        return f"{amount:,} {currency.upper()}"
    return f"{amount / 100:,.2f} {currency.upper()}"


def payment_page(session, error=None, form=None):
    form = form or {}
    esc = html.escape
    allowed = (session.get("shipping_address_collection") or {}).get("allowed_countries") or ["MX"]
    chosen = form.get("country") or allowed[0]
    countries = "".join(f'<option{" selected" if c == chosen else ""}>{esc(c)}</option>' for c in allowed)
    lines = "".join(f"<tr><td>{esc(line['description'])} × {line['quantity']}</td>"
                    f"<td>{_format_amount(line['amount_total'], line['currency'])}</td></tr>"
                    for line in session["_lines"])
    if session.get("shipping_cost"):
        names = ", ".join(session["_shipping_names"])
        lines += (
            f"<tr><td>Shipping ({esc(names)})</td>"
            f"<td>{_format_amount(session['shipping_cost']['amount_total'], session['currency'])}</td></tr>")
    return PAGE.format(
        id=esc(session["id"]), total=_format_amount(session["amount_total"], session["currency"]),
        lines=lines, error=f'<p class="error" role="alert">{esc(error)}</p>' if error else "",
        email=esc(form.get("email") or session.get("customer_email") or ""), name=esc(form.get("name", "")),
        line1=esc(form.get("line1", "")), city=esc(form.get("city", "")),
        postal_code=esc(form.get("postal_code", "")), countries=countries,
        cancel_url=esc(session.get("cancel_url") or "/"))


class Handler(BaseHTTPRequestHandler):
    server_version = "StripeEmulator/1.0"
    protocol_version = "HTTP/1.1"

    @property
    def store(self) -> Store:
        return self.server.store

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status, body, content_type="application/json", headers=None):
        data = body if isinstance(body, bytes) else (
            json.dumps(body).encode() if content_type == "application/json" else body.encode())
        self.send_response(status)
        self.send_header("Content-Type",
                         content_type + ("; charset=utf-8" if "charset" not in content_type else ""))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", "req_" + secrets.token_hex(8))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode() if length else ""

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802
        self._dispatch("POST")

    def _dispatch(self, method):
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/")
        body = self._body() if method == "POST" else ""
        try:
            query = parse_form(parts.query)
            if path.startswith("/pay/"):
                return self._payment_page(method, path.split("/")[2], body)
            if path.startswith("/_emulator/"):
                return self._control(method, path, parse_form(body), query)
            if not path.startswith("/v1/"):
                raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")
            self._authenticate()
            params = parse_form(body) if method == "POST" else query
            validate(method, path, params)
            key = self.headers.get("Idempotency-Key")
            with self.store.lock:
                if method == "POST" and key and key in self.store.idempotent:
                    status, saved = self.store.idempotent[key]
                    return self._send(status, saved, headers={"Idempotent-Replayed": "true"})
                result = self._api(method, path, params)
                if method == "POST" and key:
                    self.store.idempotent[key] = (200, result)
            self.store.flush()
            self._send(200, result)
        except StripeError as error:
            self._send(error.status, error.body())

    def _authenticate(self):
        header = self.headers.get("Authorization", "")
        key = header[7:] if header.startswith("Bearer ") else ""
        if not key.startswith(("sk_test_", "rk_test_")):
            raise StripeError(401, "Invalid API Key provided: the emulator takes test keys only (sk_test_…).",
                              type_="invalid_request_error")

    def _api(self, method, path, params):
        store = self.store
        segments = path.split("/")[2:]
        expand_paths = params.get("expand") or []
        if segments[:2] == ["checkout", "sessions"]:
            if len(segments) == 2 and method == "POST":
                return public(store.create_session(params))
            if len(segments) == 2 and method == "GET":
                return self._list_sessions(params)
            if len(segments) == 3 and method == "GET":
                return expand(store, store.get("checkout.session", segments[2]), expand_paths)
            if len(segments) == 4 and segments[3] == "expire" and method == "POST":
                return public(store.expire_session(segments[2]))
            if len(segments) == 4 and segments[3] == "line_items" and method == "GET":
                data = store.get("checkout.session", segments[2])["_lines"]
                return {"object": "list", "data": data, "has_more": False, "url": path}
        kinds = {"payment_intents": "payment_intent", "charges": "charge", "refunds": "refund",
                 "balance_transactions": "balance_transaction", "events": "event"}
        if segments and segments[0] in kinds:
            kind = kinds[segments[0]]
            if segments[0] == "refunds" and len(segments) == 1 and method == "POST":
                return public(store.create_refund(params))
            if segments[0] == "refunds" and len(segments) == 1 and method == "GET":
                refunds = [public(o) for o in store.objects.values() if o["object"] == "refund"
                           and (not params.get("charge") or o["charge"] == params["charge"])]
                refunds.sort(key=lambda r: r["created"], reverse=True)
                return {"object": "list", "data": refunds, "has_more": False, "url": "/v1/refunds"}
            if segments[0] == "events" and len(segments) == 1 and method == "GET":
                limit = min(_int(params.get("limit", 10), "limit"), 100)
                events = [e for e in reversed(store.events)
                          if not params.get("type") or e["type"] == params["type"]]
                return {"object": "list", "data": events[:limit], "has_more": len(events) > limit,
                        "url": "/v1/events"}
            if segments[0] == "events" and len(segments) == 2:
                for event in store.events:
                    if event["id"] == segments[1]:
                        return event
                raise StripeError(404, f"No such event: '{segments[1]}'", code="resource_missing")
            if len(segments) == 2 and method == "GET":
                return expand(store, store.get(kind, segments[1]), expand_paths)
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")

    def _list_sessions(self, params):
        limit = min(_int(params.get("limit", 10), "limit"), 100)
        created = params.get("created") or {}
        ids = list(reversed(self.store.sessions))
        if params.get("starting_after") in ids:
            ids = ids[ids.index(params["starting_after"]) + 1:]
        sessions = [self.store.objects[i] for i in ids]
        if params.get("payment_intent"):
            sessions = [s for s in sessions if s["payment_intent"] == params["payment_intent"]]
        if params.get("status"):
            sessions = [s for s in sessions if s["status"] == params["status"]]
        if isinstance(created, dict) and created.get("gte"):
            sessions = [s for s in sessions if s["created"] >= _int(created["gte"], "created[gte]")]
        return {"object": "list", "data": [public(s) for s in sessions[:limit]],
                "has_more": len(sessions) > limit, "url": "/v1/checkout/sessions"}

    def _payment_page(self, method, session_id, body):
        with self.store.lock:
            try:
                session = self.store.get("checkout.session", session_id)
            except StripeError:
                return self._send(404, "<h1>This checkout link is not valid.</h1>", "text/html")
            if session["status"] == "open" and session["expires_at"] < time.time():
                self.store.expire_session(session_id)
            if method == "GET":
                if session["status"] != "open":
                    return self._send(410, "<h1>This checkout session is no longer open.</h1>", "text/html")
                return self._send(200, payment_page(session), "text/html")
            form = dict(parse_qsl(body, keep_blank_values=True))
            error = self.store.pay(session, form)
            if error:
                return self._send(402, payment_page(session, error, form), "text/html")
            target = (session["success_url"] or "/").replace("{CHECKOUT_SESSION_ID}", session_id)
        self.store.flush()
        self._send(303, b"", "text/plain", headers={"Location": target})

    def _control(self, method, path, form, query):
        store = self.store
        with store.lock:
            if path == "/_emulator/webhooks" and method == "POST":
                store.deliver_webhooks = form.get("deliver", "1") not in ("0", "false")
                return self._send(200, {"deliver": store.deliver_webhooks})
            if path == "/_emulator/events":
                events = [e for e in store.events if not query.get("type") or e["type"] == query["type"]]
                return self._send(200, {"data": events})
            if path == "/_emulator/deliveries":
                return self._send(200, {"data": store.deliveries})
            if path.startswith("/_emulator/settle/") and method == "POST":
                session = public(store.settle_async(path.split("/")[3],
                                                    form.get("outcome", "succeeded") == "succeeded"))
            else:
                session = None
        if session is not None:
            store.flush()
            return self._send(200, session)
        with store.lock:
            if path.startswith("/_emulator/expire_now/") and method == "POST":
                session = store.get("checkout.session", path.split("/")[3])
                session["expires_at"] = int(time.time()) - 1
                return self._send(200, public(session))
        raise StripeError(404, "Unknown emulator control")


def make_server(port=0, host="127.0.0.1", webhook_url="", webhook_secret="", verbose=False):
    """A ready (not yet serving) emulator; `server.base_url` says where it listens."""
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    server.base_url = f"http://{host}:{server.server_address[1]}"
    server.store = Store(server.base_url, webhook_url, webhook_secret)
    server.verbose = verbose
    return server


def _exit_with_parent(server, parent_pid):
    """Stop when the process that started us is gone (the app or the test run), never orphaned."""
    while os.getppid() == parent_pid:
        time.sleep(1)
    server.shutdown()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Local Stripe test-mode emulator")
    parser.add_argument("--port", type=int, default=12111, help="0 picks a free port (printed on stdout)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--webhook-url", default="")
    parser.add_argument("--webhook-secret", default="")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the emulator listens on loopback only")
    if args.webhook_url and not args.webhook_secret.startswith("whsec_"):
        parser.error("--webhook-secret must be a whsec_… secret when --webhook-url is given")
    server = make_server(args.port, args.host, args.webhook_url, args.webhook_secret, args.verbose)
    print(f"EMULATOR_LISTENING {server.base_url}", flush=True)
    threading.Thread(target=_exit_with_parent, args=(server, os.getppid()), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
