"""A commission end to end over HTTP, on the real emulator: request, quote, deposit, advance, progress,
balance, shipping; then the same webhooks replayed and reordered."""
import re
from decimal import Decimal

from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Commission, LedgerEntry, Order, OutboxEmail
from tests.factories import PASSWORD
from tests.photos import jpeg

CSRF = re.compile(r'<(?:input|meta)[^>]*name="csrf[_-]token"[^>]*(?:value|content)="([^"]+)"')


def csrf(browser, url):
    """The session's CSRF token, from `url` (or from the cart page when `url` has no form any more)."""
    match = CSRF.search(browser.get(url, timeout=30).text)
    if match is None:
        match = CSRF.search(browser.get(url.split("/", 3)[0] + "//" + url.split("/", 3)[2] + "/cart").text)
    assert match, f"no csrf token on {url}"
    return match.group(1)


def login(live, username):
    browser = live.browser()
    token = csrf(browser, f"{live.base_url}/login")
    response = browser.post(f"{live.base_url}/login", data={"login": username, "password": PASSWORD,
                                                            "csrf_token": token}, allow_redirects=False)
    assert response.status_code == 302, response.text
    return browser


def current(commission_id):
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Commission, commission_id)


def ledger(commission_id):
    db.session.rollback()
    return [(e.kind, e.amount) for e in db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.commission_id == commission_id).order_by(LedgerEntry.id))]


def request_one(live, weaver, photo=None, country="DE"):
    buyer = live.browser()
    url = (f"{live.base_url}/artisans/{weaver.slug}/commission"
           f"?garment={weaver.garment_slug}&currency=EUR&lang=en")
    token = csrf(buyer, url)
    files = {"photo": ("ref.jpg", photo, "image/jpeg")} if photo else None
    response = buyer.post(url, data={"size": "M, 96 cm bust", "colours": "indigo and white",
                                     "notes": "Long sleeves", "email": "ada@example.com", "country": country,
                                     "csrf_token": token},
                          files=files, allow_redirects=False, timeout=60)
    assert response.status_code == 303, response.text
    token = response.headers["Location"].rsplit("/", 1)[1]
    db.session.rollback()
    commission = db.session.scalar(select(Commission).where(Commission.public_token == token))
    return buyer, commission.id, token


def quote(live, artisan_browser, commission_id, **fields):
    page = f"{live.base_url}/studio/commissions/{commission_id}"
    data = {"materials_cost": "600", "hours": "40", "hourly_rate": "60", "weeks": "6",
            "deposit_percent": "50", "message": "Lo tejo en telar de cintura.", **fields}
    data["csrf_token"] = csrf(artisan_browser, page)
    return artisan_browser.post(f"{page}/quote", data=data, allow_redirects=False, timeout=60)


def accept_and_pay(live, buyer, token, part="deposit"):
    page = f"{live.base_url}/commissions/{token}"
    action = "accept" if part == "deposit" else "balance"
    data = {"csrf_token": csrf(buyer, page)}
    if part == "deposit":
        data["specification_understood"] = "yes"
    started = buyer.post(f"{page}/{action}", data=data, allow_redirects=False, timeout=60)
    assert started.status_code == 303 and "/pay/" in started.headers["Location"], started.headers
    paid = live.pay(buyer, started.headers["Location"], country="DE")
    assert paid.status_code == 303, paid.text
    return started.headers["Location"], buyer.get(paid.headers["Location"], timeout=30)


def test_commission_from_request_to_shipping(live, weaver, app):
    buyer, commission_id, token = request_one(live, weaver, photo=jpeg(exif=b"Exif\x00\x00MM\x00*"))
    commission = current(commission_id)
    assert (commission.status, commission.currency, commission.locale, commission.buyer_country) == \
        ("requested", "EUR", "en", "DE")
    assert commission.reference_photo_hash and commission.reference_product_id == weaver.garment_id

    maria = login(live, weaver.slug)
    assert quote(live, maria, commission_id, deposit_percent="40").status_code == 422  # under the 50 % floor
    assert quote(live, maria, commission_id).status_code == 303
    commission = current(commission_id)
    # The fair-price calculator: 600 MXN materials + 40 h x 60 MXN + 10 % overhead = 3,300 MXN to cover,
    # over (1 - 15 % - 4.4 %) with the 6 MXN card fee, rounded up to 10 MXN: 4,110 MXN.
    assert (commission.status, commission.price_mxn, commission.deposit_bp) == ("quoted", 411_000, 5000)

    page = buyer.get(f"{live.base_url}/commissions/{token}", timeout=30).text
    assert "€205.50" in page and "2011/83/EU" in page
    refused = buyer.post(f"{live.base_url}/commissions/{token}/accept",
                         data={"csrf_token": csrf(buyer, f"{live.base_url}/commissions/{token}")},
                         allow_redirects=True, timeout=30)
    assert "made to your specification" in refused.text and current(commission_id).status == "quoted"

    _url, back = accept_and_pay(live, buyer, token)
    assert back.status_code == 200 and "She is making it" in back.text
    commission = current(commission_id)
    assert commission.status == "in_progress" and commission.exchange_rate == Decimal("0.05")
    assert (commission.total_amount, commission.deposit_amount, commission.balance_amount) == \
        (20_550, 10_275, 10_275)
    assert commission.artisan_share_mxn == 411_000 - 61_650 - (18_084 + 600)
    assert ledger(commission_id) == [("advance", commission.advance_mxn)]
    assert commission.advance_mxn == 165_333

    earnings = maria.get(f"{live.base_url}/studio/earnings?lang=en", timeout=30).text
    assert "1,653.33" in earnings  # the advance is owed to her now

    progress = f"{live.base_url}/studio/commissions/{commission_id}"
    posted = maria.post(f"{progress}/progress",
                        data={"note": "Ya urdí el telar.", "csrf_token": csrf(maria, progress)},
                        files={"photo": ("p.jpg", jpeg(), "image/jpeg")}, allow_redirects=False, timeout=60)
    assert posted.status_code == 303
    page = buyer.get(f"{live.base_url}/commissions/{token}", timeout=30).text
    assert "Ya urdí el telar." in page and "/media/" in page
    assert "Cancel before she starts" not in page  # work has started

    finished = maria.post(f"{progress}/finished", data={"csrf_token": csrf(maria, progress)},
                          allow_redirects=False)
    assert finished.status_code == 303 and current(commission_id).status == "finished"

    _url, back = accept_and_pay(live, buyer, token, part="balance")
    assert back.status_code == 200 and "Paid in full" in back.text
    commission = current(commission_id)
    order = db.session.get(Order, commission.order_id)
    # The balance is an order of the lifecycle: paid, then shipped like any other.
    assert (order.status, order.total_amount, order.currency) == ("paid", 10_275, "EUR")
    assert order.lines[0].unit_price_mxn == 205_500 and order.shipping_address["country"] == "DE"
    entries = ledger(commission_id)
    assert entries == [("advance", 165_333), ("sale", 165_333)]
    assert sum(amount for _kind, amount in entries) == commission.artisan_share_mxn

    coord = login(live, "coord")
    detail = f"{live.base_url}/coop/orders/{order.id}"
    for action, extra in (("pack", {}), ("ship", {"carrier": "DHL", "tracking_number": "JD0001"})):
        response = coord.post(f"{detail}/{action}", data={"csrf_token": csrf(coord, detail), **extra},
                              allow_redirects=False)
        assert response.status_code == 303
    db.session.rollback()
    assert db.session.get(Order, order.id).status == "shipped"
    mails = set(db.session.scalars(select(OutboxEmail.template)))
    for expected in ("commission_requested", "commission_quoted", "commission_deposit_paid",
                     "commission_progress", "commission_finished", "commission_balance_paid",
                     "order_confirmation", "sale_notice", "order_shipped"):
        assert expected in mails


def test_webhooks_replayed_and_reordered_change_nothing(live, weaver):
    buyer, commission_id, token = request_one(live, weaver)
    maria = login(live, weaver.slug)
    quote(live, maria, commission_id)
    accept_and_pay(live, buyer, token)
    page = f"{live.base_url}/studio/commissions/{commission_id}"
    maria.post(f"{page}/finished", data={"csrf_token": csrf(maria, page)})
    accept_and_pay(live, buyer, token, part="balance")
    before = ledger(commission_id)
    completed = live.emulator.events("checkout.session.completed")
    assert len(completed) == 2
    # Every event again, newest first (balance before deposit), then with new event ids (Stripe retries
    # of a different delivery): nothing moves.
    for event in completed:
        assert live.post_event(event).json()["outcome"] == "duplicate"
    for event in completed:
        event = dict(event, id=event["id"] + "_again")
        assert live.post_event(event).json()["outcome"] in ("already_paid", "already_fulfilled")
    commission = current(commission_id)
    assert commission.status == "completed" and ledger(commission_id) == before
    assert db.session.scalars(select(Order).where(Order.note.like(f"commission {commission_id}:%"))).all() \
        == [db.session.get(Order, commission.order_id)]


def test_a_deposit_for_another_amount_is_held_for_review(live, weaver):
    buyer, commission_id, token = request_one(live, weaver)
    quote(live, login(live, weaver.slug), commission_id)
    url, _back = accept_and_pay(live, buyer, token)
    event = live.emulator.events("checkout.session.completed")[0]
    commission = current(commission_id)
    # A forged/old session claiming this commission with a different amount, on a fresh commission:
    second_buyer, second_id, second_token = request_one(live, weaver)
    quote(live, login(live, weaver.slug), second_id)
    obj = dict(event["data"]["object"], id="cs_forged", amount_total=1,
               metadata={"commission_id": str(second_id), "part": "deposit"})
    outcome = live.post_event(dict(event, id="evt_forged", data={"object": obj})).json()["outcome"]
    assert outcome == "needs_review"
    assert current(second_id).status == "quoted" and ledger(second_id) == []
    assert commission.status == "in_progress"
