"""The cooperative's order pages: who may see them, the status flow, the slip, shipping zones."""
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event, select

from storefront.extensions import db
from storefront.models import Order, OrderLine, Role, ShippingRate, ShippingZone
from storefront.mail import deliver_due
from storefront.orders import actions
from tests.factories import PASSWORD

STAFF_PAGES = ["/coop/orders", "/coop/orders?status=paid", "/coop/orders/{id}", "/coop/orders/{id}/slip"]


@pytest.fixture
def paid_order(app, make):
    """A paid order of two garments by two artisans (as fulfilment leaves it)."""
    with app.app_context():
        maria, rosa = make.artisan(name="María López", community="Chilil"), make.artisan(name="Rosa Pérez")
        huipil = make.product(artisan=maria, title="Huipil de rombos")
        rebozo = make.product(artisan=rosa, title="Rebozo")
        order = Order(public_token="tok-paid", buyer_email="ada@example.com", buyer_name="Ada Buyer",
                      currency="USD", subtotal_amount=11000, shipping_amount=2475, total_amount=13475,
                      exchange_rate=Decimal("0.055"), status="paid", shipping_country="US",
                      shipping_address={"line1": "1 Main St", "city": "Austin", "postal_code": "78701"},
                      stripe_payment_intent_id="pi_x")
        for product, artisan in ((huipil, maria), (rebozo, rosa)):
            order.lines.append(OrderLine(product_id=product.id, artisan_id=artisan.id, title="x" if False else
                                         product.translations[0].title, quantity=1,
                                         unit_price_mxn=product.price_amount, unit_amount=5500,
                                         line_amount=5500))
        db.session.add(order)
        db.session.commit()
        return order.id


def _login(client, make, app, role, username):
    with app.app_context():
        artisan = make.artisan() if role == Role.ARTISAN.value else None
        make.user(username=username, role=role, artisan=artisan)
    from tests.conftest import AuthActions
    AuthActions(client).login(username, PASSWORD)  # an admin types her code too


def test_anonymous_is_sent_to_login_and_artisans_are_refused(client, make, app, paid_order):
    for page in STAFF_PAGES + ["/coop/shipping"]:
        response = client.get(page.format(id=paid_order))
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    _login(client, make, app, Role.ARTISAN.value, "artesana1")
    for page in STAFF_PAGES + ["/coop/shipping"]:
        assert client.get(page.format(id=paid_order)).status_code == 403


def test_coordinator_sees_orders_but_not_shipping_settings(client, make, app, paid_order):
    _login(client, make, app, Role.COORDINATOR.value, "coord")
    for page in STAFF_PAGES:
        assert client.get(page.format(id=paid_order)).status_code == 200
    assert client.get("/coop/shipping").status_code == 403
    assert client.get("/coop/orders/999999").status_code == 404


def test_status_flow_pack_ship_deliver_with_buyer_email(client, make, app, paid_order):
    _login(client, make, app, Role.COORDINATOR.value, "coord")
    from tests.conftest import csrf_token
    token = csrf_token(client, f"/coop/orders/{paid_order}")
    # Shipping before packing is refused with a sentence, nothing changes.
    client.post(f"/coop/orders/{paid_order}/ship", data={"csrf_token": token, "carrier": "DHL",
                                                         "tracking_number": "123"})
    with app.app_context():
        assert db.session.get(Order, paid_order).status == "paid"
    client.post(f"/coop/orders/{paid_order}/pack", data={"csrf_token": token})
    missing = client.post(f"/coop/orders/{paid_order}/ship", data={"csrf_token": token, "carrier": ""},
                          follow_redirects=True)
    assert missing.status_code == 200
    client.post(f"/coop/orders/{paid_order}/ship", data={"csrf_token": token, "carrier": "DHL",
                                                         "tracking_number": "JD0146"})
    shipped = client.get("/orders/tok-paid?lang=en").get_data(as_text=True)
    assert "Your parcel is on its way." in shipped and "preparing your parcel" not in shipped
    assert "Shipped" in client.get(f"/coop/orders/{paid_order}?lang=en").get_data(as_text=True)
    assert "Enviado" in client.get(f"/coop/orders/{paid_order}?lang=es").get_data(as_text=True)
    client.get("/?lang=en")
    client.post(f"/coop/orders/{paid_order}/deliver", data={"csrf_token": token})
    with app.app_context():
        order = db.session.get(Order, paid_order)
        assert (order.status, order.carrier, order.tracking_number) == ("delivered", "DHL", "JD0146")
        assert order.packed_at and order.shipped_at and order.delivered_at
        assert deliver_due()["sent"] == 1
    mails = list(Path(app.config["MAIL_OUTBOX"]).glob("order_shipped-*.eml"))
    assert len(mails) == 1 and "JD0146" in mails[0].read_text()
    page = client.get("/orders/tok-paid").get_data(as_text=True)
    assert "DHL" in page and "JD0146" in page
    assert "Your parcel was delivered." in page and "preparing your parcel" not in page
    assert client.post(f"/coop/orders/{paid_order}/explode", data={"csrf_token": token}).status_code == 404


def test_state_machine_refuses_what_is_not_allowed(ctx, paid_order):
    order = db.session.get(Order, paid_order)
    with pytest.raises(actions.TransitionRefused):
        actions.transition(order, "pending")
    with pytest.raises(actions.TransitionRefused):
        actions.transition(order, "delivered")
    assert not actions.can_transition(order, "expired")


def test_packing_slip_lists_each_garment_and_its_artisan(client, make, app, paid_order):
    _login(client, make, app, Role.COORDINATOR.value, "coord")
    slip = client.get(f"/coop/orders/{paid_order}/slip").get_data(as_text=True)
    assert "Huipil de rombos" in slip and "María López" in slip and "Rebozo" in slip and "Rosa Pérez" in slip
    assert "1 Main St" in slip


def test_order_list_filters_by_status_with_constant_queries(client, make, app, paid_order):
    _login(client, make, app, Role.ADMIN.value, "boss")
    assert "tok-paid" not in client.get("/coop/orders?status=expired").get_data(as_text=True)
    listing = client.get("/coop/orders?status=paid").get_data(as_text=True)
    assert f"/coop/orders/{paid_order}" in listing

    @contextmanager
    def counting():
        counter = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args, **kwargs: counter.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        yield counter
        event.remove(engine, "before_cursor_execute", listener)

    with counting() as few:
        client.get("/coop/orders")
    with app.app_context():
        for n in range(10):
            db.session.add(Order(public_token=f"t{n}", currency="MXN", subtotal_amount=1, total_amount=1,
                                 exchange_rate=Decimal(1), status="expired",
                                 lines=[OrderLine(product_id=1, artisan_id=1, title="x", quantity=1,
                                                  unit_price_mxn=1, unit_amount=1, line_amount=1)]))
        db.session.commit()
    with counting() as many:
        client.get("/coop/orders")
    assert len(few) == len(many)


def test_admin_edits_shipping_zones_and_bands(client, make, app):
    _login(client, make, app, Role.ADMIN.value, "boss")
    from tests.conftest import csrf_token
    token = csrf_token(client, "/coop/shipping")
    with app.app_context():
        zone_id = db.session.execute(select(ShippingZone.id).where(ShippingZone.code == "us-ca")).scalar_one()
    client.post("/coop/shipping", data={"csrf_token": token, "what": "add_rate", "zone_id": zone_id,
                                        "name": "Express", "basis": "items", "min_value": "1",
                                        "max_value": "", "amount": "399.50"})
    bad = client.post("/coop/shipping", follow_redirects=True, data={
        "csrf_token": token, "what": "add_rate", "zone_id": zone_id, "name": "Bad", "basis": "weight",
        "min_value": "500", "max_value": "100", "amount": "abc"})
    assert bad.status_code == 200
    client.post("/coop/shipping", data={"csrf_token": token, "what": "countries", "zone_id": zone_id,
                                        "countries": "US, CA, PR"})
    wrong = client.post("/coop/shipping", follow_redirects=True, data={
        "csrf_token": token, "what": "countries", "zone_id": zone_id, "countries": "US, Narnia"})
    assert wrong.status_code == 200
    with app.app_context():
        zone = db.session.get(ShippingZone, zone_id)
        assert zone.countries == "CA,PR,US"
        express = db.session.execute(select(ShippingRate).where(ShippingRate.name == "Express")).scalar_one()
        assert ((express.basis, express.min_value, express.max_value, express.amount)
                == ("items", 1, None, 39950))
        assert db.session.execute(select(ShippingRate).where(ShippingRate.name == "Bad")).first() is None
