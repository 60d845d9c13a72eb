"""Who may call what: anonymous, artisan A, artisan B, coordinator, admin x every /studio and /coop route.

Routes are read from `app.url_map`, so pages other helpers add under /studio or /coop later are covered
too. CSRF is off here so that refusals come from the authorization check, not from a missing token.
"""
import pytest
from werkzeug.routing import IntegerConverter

from storefront.accounts.permissions import PUBLIC
from storefront.extensions import db
from storefront.models import Artisan
from tests.conftest import AuthActions
from tests.factories import PASSWORD

PREFIXES = ("/studio", "/coop")
IDENTITIES = ("anonymous", "rosa", "maria", "coord", "boss")
ROLE_OF = {"rosa": "artisan", "maria": "artisan", "coord": "coordinator", "boss": "admin"}


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = False
    return app_config


@pytest.fixture
def world(app, make):
    """Artisan A (rosa) with a garment, artisan B (maria), a coordinator and an admin, each logged in."""
    with app.app_context():
        rosa = make.artisan(name="Rosa", slug="rosa", with_login=True)
        make.artisan(name="María", slug="maria", with_login=True)
        make.user(username="coord", role="coordinator")
        make.user(username="boss", role="admin")
        # Password resets in the matrix hit a third artisan, so no logged-in identity is sent to
        # "choose a new password" half-way through.
        petrona = make.artisan(name="Petrona", slug="petrona", with_login=True)
        garment = make.product(artisan=rosa)
        ids = {"product_id": garment.id, "artisan_id": rosa.id,
               "user_id": db.session.get(Artisan, petrona.id).user.id}
    clients = {}
    for who in IDENTITIES:
        client = app.test_client()
        if who != "anonymous":
            response = client.post("/login", data={"login": who, "password": PASSWORD})
            if response.headers.get("Location") == "/login/code":  # the admin confirms with a code
                response = AuthActions(client).confirm_code(who)
            assert response.status_code == 302, who
        clients[who] = client
    return ids, clients


def guarded_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules() if rule.rule.startswith(PREFIXES)),
                  key=lambda rule: rule.rule)


def url_for_rule(rule, ids):
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, IntegerConverter):
            values[name] = ids.get(name, 1)
        else:
            values[name] = "0" * 32
    return rule.build(values, append_unknown=False)[1]


def test_every_studio_and_coop_view_declares_who_may_call_it_and_none_is_public(app):
    rules = guarded_rules(app)
    assert len(rules) >= 10  # studio and cooperative pages exist
    for rule in rules:
        roles = getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
        assert roles, f"{rule.endpoint} declares no roles"
        assert PUBLIC not in roles, f"{rule.endpoint} is public"


def test_matrix(app, world):
    ids, clients = world
    checked = 0
    for rule in guarded_rules(app):
        roles = app.view_functions[rule.endpoint].allowed_roles
        url = url_for_rule(rule, ids)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for who in IDENTITIES:
                response = clients[who].open(url, method=method, headers={"Accept": "text/html"})
                where = f"{who} {method} {url}"
                if who == "anonymous":
                    assert response.status_code == 302, where
                    assert response.headers["Location"].startswith("/login"), where
                elif ROLE_OF[who] not in roles:
                    assert response.status_code == 403, where
                else:
                    assert response.status_code not in (401, 403), where
                    assert not response.headers.get("Location", "").startswith("/login"), where
                    assert response.status_code < 500, where
                checked += 1
    assert checked >= 5 * 15


def test_garment_routes_are_404_for_the_other_artisan_and_open_to_owner_and_staff(app, world):
    ids, clients = world
    # Staff-only garment pages (/coop/translations/garments/…) are checked by role in the matrix above.
    garment_rules = [rule for rule in guarded_rules(app)
                     if "product_id" in rule.arguments and not rule.rule.startswith("/coop/")]
    assert garment_rules
    for rule in garment_rules:
        url = url_for_rule(rule, ids)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            assert clients["maria"].open(url, method=method).status_code == 404, f"maria {method} {url}"
            for who in ("rosa", "coord", "boss"):
                assert clients[who].open(url, method=method).status_code not in (403, 404), f"{who} {url}"
