"""Sessions end when they should; staff confirm logins with a code; private pages are never stored."""
import re

import pyotp
import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Artisan, AuditEntry, User
from tests.conftest import AuthActions, csrf_token
from tests.factories import PASSWORD, TOTP_SECRET


def user_id_of(app, username):
    with app.app_context():
        return db.session.execute(select(User.id).where(User.username == username)).scalar_one()


def give_one_time_code(client, user_id):
    token = csrf_token(client, "/coop/people")
    return client.post(f"/coop/people/{user_id}/reset", data={"csrf_token": token})


def code_on(response):
    """The one-time code shown on the page, without its dash."""
    return "".join(re.search(r'class="code"[^>]*>(\w{4})-(\w{4})<', response.get_data(as_text=True)).groups())


def password_step(client, username):
    """The first step of a login only (user name and password)."""
    token = csrf_token(client)
    return client.post("/login", data={"login": username, "password": PASSWORD, "csrf_token": token})


def second_phone(app, username):
    """Another phone logged in as `username` (the attacker who kept a cookie, or a shared phone)."""
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "203.0.113.5"
    assert AuthActions(other).login(username, PASSWORD).status_code == 302
    return other


class TestSessionsEnd:
    def test_an_old_cookie_kept_across_a_reset_is_refused(self, app, client, people, login):
        stolen = second_phone(app, "rosa")
        assert stolen.get("/account/password").status_code == 200
        login("coord")
        rosa = user_id_of(app, "rosa")
        response = give_one_time_code(client, rosa)
        assert response.status_code == 200
        code = code_on(response)
        # The kept cookie opens nothing: not the password page, not the studio.
        response = stolen.get("/account/password")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
        assert stolen.get("/studio/").status_code == 302
        # So it cannot set a password of its choosing either, and her code still works.
        response = stolen.post("/account/password", data={
            "password": "attacker pw 1", "confirm": "attacker pw 1", "csrf_token": "anything"})
        assert response.status_code in (302, 400)
        her_phone = app.test_client()
        assert AuthActions(her_phone).login("rosa", code).headers["Location"].endswith("/account/password")

    def test_changing_her_password_ends_her_other_sessions_but_keeps_this_one(self, app, client, people,
                                                                              login):
        stolen = second_phone(app, "rosa")
        login("rosa")
        token = csrf_token(client, "/account/password")
        response = client.post("/account/password", data={"csrf_token": token, "password": "nuevo secreto 2",
                                                          "confirm": "nuevo secreto 2"})
        assert response.status_code == 302
        assert client.get("/studio/").status_code == 200  # this phone goes on
        assert stolen.get("/studio/").status_code == 302  # the other one is logged out

    def test_an_admin_logs_a_person_out_everywhere(self, app, client, people, login):
        stolen = second_phone(app, "rosa")
        login("boss")
        rosa = user_id_of(app, "rosa")
        response = client.post(f"/coop/people/{rosa}/logout-everywhere",
                               data={"csrf_token": csrf_token(client, "/coop/people")})
        assert response.status_code == 302
        assert stolen.get("/studio/").status_code == 302
        assert AuthActions(app.test_client()).login("rosa", PASSWORD).status_code == 302  # she logs in again
        with app.app_context():
            entry = db.session.execute(select(AuditEntry).where(
                AuditEntry.action == "user.logout_everywhere")).scalar_one()
            assert entry.entity_id == rosa and entry.actor.username == "boss"

    def test_only_admins_log_people_out_everywhere(self, app, client, people, login):
        login("coord")
        rosa = user_id_of(app, "rosa")
        response = client.post(f"/coop/people/{rosa}/logout-everywhere",
                               data={"csrf_token": csrf_token(client, "/coop/people")})
        assert response.status_code == 403

    def test_a_cookie_with_a_forged_or_missing_token_is_no_session(self, app, client, people, login):
        login("rosa")
        rosa = user_id_of(app, "rosa")
        for forged in (str(rosa), f"{rosa}:", f"{rosa}:{'0' * 32}", f"{'9' * 30}:abc", "x:y"):
            with client.session_transaction() as session:
                session["_user_id"] = forged
            assert client.get("/studio/").status_code == 302, forged


class TestTwoFactor:
    def test_an_admin_confirms_her_login_with_a_code(self, app, client, people):
        auth = AuthActions(client)
        token = csrf_token(client, "/login")
        response = client.post("/login", data={"login": "boss", "password": PASSWORD, "csrf_token": token})
        assert response.headers["Location"] == "/login/code"
        # Not logged in yet: the password alone opens nothing.
        assert client.get("/coop/earnings").status_code == 302
        assert client.get("/login/code").headers["Cache-Control"] == "no-store"
        response = auth.confirm_code("boss", "000000")
        assert response.status_code == 200 and "not right" in response.get_data(as_text=True)
        code = pyotp.TOTP(TOTP_SECRET).now()
        assert auth.confirm_code("boss", code).status_code == 302
        assert client.get("/coop/earnings").status_code == 200
        # The same code does not work twice.
        auth.logout()
        password_step(client, "boss")
        assert auth.confirm_code("boss", code).status_code == 200

    def test_an_admin_without_two_factor_sets_it_up_before_anything_else(self, app, client, make):
        with app.app_context():
            make.user(username="newadmin", role="admin", two_factor=False)
        auth = AuthActions(client)
        response = auth.login("newadmin", PASSWORD)
        assert response.headers["Location"] == "/account/two-factor"
        assert client.get("/coop/earnings").headers["Location"] == "/account/two-factor"
        page = client.get("/account/two-factor")
        html = page.get_data(as_text=True)
        assert page.headers["Cache-Control"] == "no-store"
        secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html).group(1)
        assert "otpauth://totp/Telar:newadmin?secret=" + secret in html
        assert 'src="data:image/svg+xml' in html  # the QR code, drawn without script
        token = csrf_token(client, "/account/two-factor")
        response = client.post("/account/two-factor", data={"code": "123456", "csrf_token": token})
        assert "not right" in response.get_data(as_text=True)
        response = client.post("/account/two-factor",
                               data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
        codes = re.findall(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</code>",
                           response.get_data(as_text=True))
        assert len(codes) == 10
        assert client.get("/coop/earnings").status_code == 200
        with app.app_context():
            user = db.session.execute(select(User).where(User.username == "newadmin")).scalar_one()
            assert user.totp_secret == secret and codes[0] not in str(user.recovery_code_hashes)
        # A recovery code works once, instead of the app's code.
        auth.logout()
        password_step(client, "newadmin")
        assert auth.confirm_code("newadmin", codes[0].lower()).status_code == 302
        auth.logout()
        password_step(client, "newadmin")
        assert auth.confirm_code("newadmin", codes[0]).status_code == 200

    def test_a_coordinator_may_turn_it_on_and_off_and_an_artisan_never_sees_it(self, app, client, people,
                                                                               login):
        login("coord")
        html = client.get("/account/two-factor").get_data(as_text=True)
        assert "You may confirm every login" in html
        assert client.get("/coop/earnings").status_code == 200  # not forced
        secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', html).group(1)
        token = csrf_token(client, "/account/two-factor")
        client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
        token = csrf_token(client, "/account/two-factor")
        assert client.post("/account/two-factor/off", data={"csrf_token": token}).status_code == 302
        with app.app_context():
            assert db.session.scalar(select(User.totp_secret).where(User.username == "coord")) is None
        AuthActions(client).logout()
        login("rosa")
        assert client.get("/account/two-factor").status_code == 403
        assert client.get("/studio/").status_code == 200

    def test_an_admin_cannot_turn_it_off(self, client, people, login):
        login("boss")
        token = csrf_token(client, "/account/two-factor")
        assert client.post("/account/two-factor/off", data={"csrf_token": token}).status_code == 403

    def test_the_password_step_is_forgotten_after_ten_minutes(self, client, people):
        password_step(client, "boss")
        assert client.get("/login/code").status_code == 200
        with client.session_transaction() as session:
            session["two_factor_at"] -= 601
        assert client.get("/login/code").headers["Location"] == "/login"

    def test_the_code_step_is_throttled(self, app, client, people):
        auth = AuthActions(client)
        password_step(client, "boss")
        statuses = [auth.confirm_code("boss", "000000").status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]

    def test_a_one_time_code_lets_an_admin_who_lost_her_phone_enrol_again(self, app, client, make, people,
                                                                          login):
        with app.app_context():
            make.user(username="other", role="admin")
        login("boss")
        other = user_id_of(app, "other")
        response = give_one_time_code(client, other)
        code = code_on(response)
        phone = app.test_client()
        response = AuthActions(phone).login("other", code)
        assert response.headers["Location"] == "/account/password"
        token = csrf_token(phone, "/account/password")
        response = phone.post("/account/password", data={"csrf_token": token, "password": "new secret 12",
                                                         "confirm": "new secret 12"})
        assert phone.get("/coop/earnings").headers["Location"] == "/account/two-factor"


PRIVATE_PAGES = {
    "rosa": ("/studio/", "/studio/garments/new", "/studio/earnings", "/account/password"),
    "boss": ("/coop/people", "/coop/earnings", "/coop/earnings.csv", "/coop/earnings.xlsx", "/coop/audit",
             "/account/two-factor", "/coop/people/login-blocks"),
}


@pytest.mark.parametrize("who", sorted(PRIVATE_PAGES))
def test_private_pages_and_files_say_no_store(client, people, login, who):
    login(who)
    for path in PRIVATE_PAGES[who]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_the_cart_says_no_store(client):
    assert client.get("/cart").headers["Cache-Control"] == "no-store"


def test_public_pages_keep_their_own_caching(client):
    for path in ("/", "/products/", "/about"):
        assert "no-store" not in client.get(path).headers.get("Cache-Control", "")


def test_a_one_time_code_page_and_an_order_page_say_no_store(app, client, people, login, make):
    login("coord")
    with app.app_context():
        rosa = db.session.get(Artisan, people.a).user.id
    response = give_one_time_code(client, rosa)
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/orders/" + "a" * 32).headers["Cache-Control"] == "no-store"  # even its 404
