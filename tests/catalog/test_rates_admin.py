"""/coop/rates: only the cooperative admin records exchange rates; the shop uses the newest one."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import AuditEntry, ExchangeRate
from tests.conftest import csrf_token
from tests.factories import PASSWORD


def test_anonymous_visitors_are_sent_to_login(client, data):
    response = client.get("/coop/rates")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/coop/rates", data={"currency": "USD", "rate": "1"}).status_code in (302, 400)


@pytest.mark.parametrize("role", ["coordinator", "artisan"])
def test_other_roles_are_refused(client, auth, make, data, role):
    artisan = make.artisan() if role == "artisan" else None
    user = make.user(role=role, artisan=artisan)
    auth.login(user.username, PASSWORD)
    assert client.get("/coop/rates").status_code == 403


def test_admin_sets_a_rate_and_buyers_see_it(client, auth, make, data):
    admin = make.user(role="admin")
    product = data.garment(price_mxn=1000)
    auth.login(admin.username, PASSWORD)
    page = client.get("/coop/rates")
    assert page.status_code == 200 and '<html lang="es">' in page.get_data(as_text=True)
    response = client.post("/coop/rates", data={"currency": "USD", "rate": "0,0600",
                                                 "csrf_token": csrf_token(client, "/coop/rates")})
    assert response.status_code == 302
    row = db.session.execute(select(ExchangeRate)).scalar_one()
    assert row.rate == Decimal("0.06") and row.set_by_id == admin.id
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "exchange_rate.set")).scalar_one()
    assert entry.changes == {"rate": [None, "0.06000000"]} and entry.actor_id == admin.id
    html = client.get(f"/products/{product.slug}?lang=en&currency=USD").get_data(as_text=True)
    assert "$60.00" in html


@pytest.mark.parametrize("rate", ["", "abc", "-1", "0", "1e9", "NaN"])
def test_bad_rates_are_refused_with_a_message_and_nothing_saved(client, auth, make, data, rate):
    admin = make.user(role="admin")
    auth.login(admin.username, PASSWORD)
    response = client.post("/coop/rates", data={"currency": "USD", "rate": rate,
                                                 "csrf_token": csrf_token(client, "/coop/rates")})
    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExchangeRate)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "exchange_rate.set")) == 0


def test_unknown_currency_is_refused(client, auth, make, data):
    admin = make.user(role="admin")
    auth.login(admin.username, PASSWORD)
    response = client.post("/coop/rates", data={"currency": "MXN", "rate": "1",
                                                 "csrf_token": csrf_token(client, "/coop/rates")})
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ExchangeRate)) == 0
