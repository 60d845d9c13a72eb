"""Who may see and do what on commissions: the buyer by token only, the artisan her own, staff all."""
import pytest
from sqlalchemy import select

from storefront.orders import commissions as actions
from storefront.extensions import db
from storefront.models import Artisan, Commission, User
from tests.conftest import AuthActions
from tests.factories import PASSWORD


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = False
    return app_config


@pytest.fixture
def commission(app, make):
    """A commission to María (quoted), another artisan Rosa, a coordinator and an admin."""
    with app.app_context():
        make.rate("EUR", "0.05")
        maria = make.artisan(name="María", slug="maria", with_login=True)
        make.artisan(name="Rosa", slug="rosa", with_login=True)
        make.user(username="coord", role="coordinator")
        make.user(username="boss", role="admin")
        maria = db.session.get(Artisan, maria.id)
        maria.accepts_commissions = True
        db.session.commit()
        commission = actions.request_commission(maria, "M", "indigo", "", "ada@example.com", "DE", "en",
                                                "EUR")
        user = db.session.scalar(select(User).where(User.username == "maria"))
        actions.send_quote(commission, user, 60000, 40, 6000, 6, 5000)
        return commission.id, commission.public_token


def client_for(app, who):
    client = app.test_client()
    if who != "anonymous":
        # Staff confirm with the code from their authenticator app (AuthActions types it).
        response = AuthActions(client).login(who, PASSWORD)
        assert response.status_code == 302 and not response.headers["Location"].startswith("/login"), who
    return client


STUDIO = ["/studio/commissions/{id}", "/studio/commissions/{id}/quote", "/studio/commissions/{id}/decline",
          "/studio/commissions/{id}/progress", "/studio/commissions/{id}/finished",
          "/studio/commissions/{id}/cannot-finish"]


def test_another_artisan_gets_404_on_every_route_of_a_commission_not_hers(app, commission):
    commission_id, _token = commission
    rosa = client_for(app, "rosa")
    for path in STUDIO:
        method = rosa.get if path.endswith("{id}") else rosa.post
        assert method(path.format(id=commission_id)).status_code == 404, path
    assert "indigo" not in rosa.get("/studio/commissions").text
    with app.app_context():
        assert db.session.get(Commission, commission_id).status == "quoted"


def test_owner_and_staff_see_it_anonymous_is_sent_to_login(app, commission):
    commission_id, _token = commission
    for who in ("maria", "coord", "boss"):
        page = client_for(app, who).get(f"/studio/commissions/{commission_id}")
        assert page.status_code == 200 and "indigo" in page.text, who
    anonymous = client_for(app, "anonymous")
    for path in STUDIO + ["/studio/commissions", "/coop/commissions"]:
        method = anonymous.get if "{id}/" not in path else anonymous.post
        response = method(path.format(id=commission_id))
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path


def test_cooperative_pages_are_staff_only(app, commission):
    commission_id, _token = commission
    for who, status in (("maria", 403), ("coord", 200), ("boss", 200)):
        assert client_for(app, who).get("/coop/commissions").status_code == status, who
    maria = client_for(app, "maria")
    assert maria.post(f"/coop/commissions/{commission_id}/decision",
                      data={"decision": "sell", "reason": "x"}).status_code == 403
    assert maria.post("/coop/commissions/settings", data={"deposit_min_percent": "50"}).status_code == 403


def test_the_buyer_page_needs_the_exact_token(app, commission):
    _id, token = commission
    anonymous = client_for(app, "anonymous")
    assert anonymous.get(f"/commissions/{token}").status_code == 200
    for guess in (token[:-1], token + "x", "1", "0" * 43):
        assert anonymous.get(f"/commissions/{guess}").status_code == 404
        assert anonymous.post(f"/commissions/{guess}/accept",
                              data={"specification_understood": "yes"}).status_code == 404
        assert anonymous.post(f"/commissions/{guess}/cancel").status_code == 404
        assert anonymous.post(f"/commissions/{guess}/balance").status_code == 404


def test_balance_link_refused_before_the_garment_is_finished(app, commission):
    commission_id, token = commission
    response = client_for(app, "anonymous").post(f"/commissions/{token}/balance", follow_redirects=True)
    assert "not possible at this stage" in response.text
    with app.app_context():
        assert db.session.get(Commission, commission_id).balance_session_id is None


def test_an_artisan_sets_only_her_own_commission_settings(app, commission):
    maria = client_for(app, "maria")
    assert maria.post("/studio/commissions/settings?artisan=999", data={"accepts": "y", "cap": "3"}
                      ).status_code == 303
    with app.app_context():
        rows = dict(db.session.execute(select(Artisan.slug, Artisan.commission_cap)).all())
    assert rows == {"maria": 3, "rosa": 2}
    assert client_for(app, "boss").post("/studio/commissions/settings?artisan=999",
                                        data={"cap": "3"}).status_code == 404


def test_the_cooperative_rules_refuse_a_deposit_under_half(app, commission):
    boss = client_for(app, "boss")
    boss.post("/coop/commissions/settings", data={"deposit_min_percent": "40", "advance_policy": "reverse",
                                                  "balance_decision_days": "30", "quote_valid_days": "14"})
    boss.post("/coop/commissions/settings", data={"deposit_min_percent": "60", "advance_policy": "nonsense",
                                                  "balance_decision_days": "30", "quote_valid_days": "14"})
    from storefront.models import CooperativeSettings
    with app.app_context():
        settings = db.session.get(CooperativeSettings, 1)
        assert (settings.commission_deposit_min_bp, settings.advance_cancellation_policy) == (5000, "reverse")
    boss.post("/coop/commissions/settings", data={"deposit_min_percent": "60", "advance_policy": "write_off",
                                                  "balance_decision_days": "20", "quote_valid_days": "7"})
    with app.app_context():
        settings = db.session.get(CooperativeSettings, 1)
        assert (settings.commission_deposit_min_bp, settings.advance_cancellation_policy,
                settings.balance_decision_days) == (6000, "write_off", 20)
