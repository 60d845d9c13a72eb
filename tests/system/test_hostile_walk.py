"""Every route of the URL map, hostile values, four identities: nothing answers 5xx (tests/hostile.py).

The quick walk runs in every CI; `make fuzz` (bench/hostile.py) sends every value to every route.
"""
import pytest

from tests import hostile
from tests.conftest import csrf_token


@pytest.fixture
def app_config(app_config):
    app_config["STRIPE_WEBHOOK_SECRET"] = "whsec_" + "0" * 32  # the webhook verifies, then refuses
    return app_config


def test_no_route_answers_5xx_to_hostile_requests(app, make):
    with app.app_context():
        people = hostile.build_world(make)
    clients = hostile.logged_in_clients(app, people)
    result = hostile.walk(app, clients)
    assert result.rules >= 60 and result.requests >= 250
    assert result.failures == [], "\n".join(result.failures[:40])
    # The walk reached the views, not only the login redirect: refusals and answers of every kind.
    assert {200, 302, 404}.issubset(result.statuses) and any(s in result.statuses for s in (400, 405))


def test_ids_beyond_the_database_are_404_not_500(client, make, app, auth):
    with app.app_context():
        make.user(username="boss", role="admin")
    auth.login("boss", "correct horse battery")
    for path in ("/coop/orders/99999999999999999999", "/coop/orders/2147483648/slip",
                 "/coop/payouts/99999999999999999999/receipt",
                 "/coop/artisans/99999999999999999999/payouts/new",
                 "/coop/baselines/99999999999999999999/edit", "/studio/garments/99999999999999999999/edit",
                 "/coop/audit?page=99999999999999999999", "/studio/?artisan=99999999999999999999",
                 "/studio/earnings?artisan=99999999999999999999", "/studio/?artisan=-1"):
        assert client.get(path).status_code == 404, path
    assert client.get("/coop/audit?page=abc").status_code == 200
    token = csrf_token(client, "/coop/shipping")
    for value in ("99999999999999999999", "²", "-1"):
        response = client.post("/coop/shipping", data={"csrf_token": token, "what": "delete_rate",
                                                       "zone_id": value, "rate_id": value})
        assert response.status_code < 500, value
        response = client.post("/coop/shipping", data={"csrf_token": token, "what": "add_rate",
                                                       "zone_id": "1", "name": "DHL", "basis": "weight",
                                                       "min_value": value, "max_value": "", "amount": "100",
                                                       "days_min": value})
        assert response.status_code < 500, value


def test_cart_update_with_a_huge_product_id_is_404(client):
    token = csrf_token(client, "/login")
    for value in ("99999999999999999999", "²", "-1", "x" * 10_000):
        response = client.post("/cart/update",
                               data={"product_id": value, "quantity": "1", "csrf_token": token})
        assert response.status_code == 404, value
