"""Logging in (rate-limited), one-time codes, people, the audit log and the cooperative's settings."""
import json
import re
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import select

from storefront.accounts.passwords import verify_password
from storefront.extensions import db
from storefront.models import Artisan, AuditEntry, CooperativeSettings, LoginBlock, User
from storefront.config import REPO_ROOT
from tests.conftest import AuthActions, csrf_token
from tests.factories import PASSWORD


def audit_actions(app, logins=True):
    """Actions of the audit log in order; `logins=False` leaves out the login.* records."""
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    return actions if logins else [a for a in actions if not a.startswith("login.")]


def from_address(app, address):
    """A second phone or computer: its own cookies and its own client address."""
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = address
    return other, AuthActions(other)


class TestRateLimit:
    """Failed logins block the pair (user name, address) and the address, never the account for all."""

    @pytest.fixture
    def app_config(self, app_config):
        app_config.update(LOGIN_LIMITS_PER_PAIR="2 per minute; 3 per 15 minutes",
                          LOGIN_LIMITS_PER_ADDRESS="5 per 15 minutes")
        return app_config

    def test_wrong_passwords_block_the_pair_not_her_account(self, app, client, auth, people):
        for _ in range(2):
            assert auth.login("rosa", "wrong password").status_code == 200
        response = auth.login("rosa", "wrong password")
        assert response.status_code == 429  # slowed down: the minute's window is full
        assert "Too many failed attempts from this phone or computer" in response.get_data(as_text=True)
        # The attacker's own guesses wait, the right one included: the pair is blocked.
        assert auth.login("rosa", PASSWORD).status_code == 429
        # She logs in from her own phone, with her own address, at once.
        _, her_phone = from_address(app, "198.51.100.7")
        assert her_phone.login("rosa", PASSWORD).status_code == 302
        # Another account from the attacker's address is not blocked by rosa's pair.
        assert auth.login("maria", PASSWORD).status_code == 302
        with app.app_context():
            blocks = db.session.scalars(select(LoginBlock)).all()
            assert [(b.kind, b.username, b.address) for b in blocks] == [("pair", "rosa", "127.0.0.1")]
            # The limiter gives its window's reset in whole seconds: up to one more than the minute.
            assert 0 < (blocks[0].blocked_until - blocks[0].blocked_at).total_seconds() <= 61
        actions = audit_actions(app)
        assert actions.count("login.failed") == 2 and actions.count("login.blocked") == 1
        assert actions.count("login.success") == 2

    def test_attempts_from_one_address_are_limited_across_names(self, app, client, auth, people):
        for name in ("a1", "a2", "a3", "a4", "a5"):
            assert auth.login(name, "nope").status_code == 200
        response = auth.login("maria", PASSWORD)
        assert response.status_code == 429
        _, elsewhere = from_address(app, "198.51.100.8")
        assert elsewhere.login("maria", PASSWORD).status_code == 302

    def test_successful_logins_do_not_count(self, client, auth, people):
        for _ in range(4):
            assert auth.login("rosa", PASSWORD).status_code == 302
            auth.logout()

    def test_staff_see_the_block_and_lift_it(self, app, client, auth, people, login):
        for _ in range(3):
            auth.login("rosa", "wrong password")
        assert auth.login("rosa", PASSWORD).status_code == 429
        coordinator, coordinator_auth = from_address(app, "198.51.100.9")
        assert coordinator_auth.login("coord", PASSWORD).status_code == 302
        page = coordinator.get("/coop/people/login-blocks")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "rosa" in html and "127.0.0.1" in html
        assert page.headers["Cache-Control"] == "no-store"
        with app.app_context():
            block_id = db.session.scalars(select(LoginBlock.id)).one()
        token = csrf_token(coordinator, "/coop/people/login-blocks")
        response = coordinator.post(f"/coop/people/login-blocks/{block_id}/clear", data={"csrf_token": token})
        assert response.status_code == 302
        assert "rosa" not in coordinator.get("/coop/people/login-blocks").get_data(as_text=True)
        assert auth.login("rosa", PASSWORD).status_code == 302  # lifted at once
        assert "login.unblocked" in audit_actions(app)

    def test_an_artisan_cannot_see_or_lift_blocks(self, client, people, login):
        login("rosa")
        assert client.get("/coop/people/login-blocks").status_code == 403


REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_answers():
    import redis
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
class TestRateLimitAcrossInstances:
    """With REDIS_URL, two app instances count the same failed attempts (docs/deployment.md §4)."""

    @pytest.fixture
    def app_config(self, app_config):
        prefix = f"telar-test-{uuid.uuid4().hex}"
        app_config.update(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix,
                          LOGIN_LIMITS_PER_PAIR="3 per 15 minutes",
                          LOGIN_LIMITS_PER_ADDRESS="50 per 15 minutes")
        yield app_config
        import redis
        connection = redis.Redis.from_url(REDIS_URL)
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)

    def test_failed_attempts_on_two_instances_add_up(self, app, app_config, auth, people):
        """Two failures here, then two in another process that shares only the database and Redis."""
        for _ in range(2):
            assert auth.login("rosa", "wrong password").status_code == 200
        other_instance = subprocess.run(
            [sys.executable, "-c", OTHER_INSTANCE, json.dumps(app_config)], cwd=REPO_ROOT,
            capture_output=True, text=True, timeout=120)
        assert other_instance.returncode == 0, other_instance.stderr[-2000:]
        # Its first attempt is the third failure; its second is refused, in Spanish as the page is.
        assert other_instance.stdout.split() == ["200", "429", "refused-plainly"]
        assert auth.login("rosa", PASSWORD).status_code == 429
        assert auth.login("maria", PASSWORD).status_code == 302
        # The staff page lifts a block recorded by the other instance, in the shared Redis too.
        with app.app_context():
            assert db.session.scalars(select(LoginBlock.kind)).all() == ["pair"]


OTHER_INSTANCE = """
import json, sys
from storefront import create_app
from tests.conftest import AuthActions
app = create_app(json.loads(sys.argv[1]))
auth = AuthActions(app.test_client())
for _ in range(2):
    response = auth.login("rosa", "wrong password")
    print(response.status_code)
print("refused-plainly" if "Demasiados intentos fallidos" in response.get_data(as_text=True) else "unclear")
"""


def test_login_renews_the_session_and_logout_ends_it(client, auth, people):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login("rosa", PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session and session["_user_id"]
    auth.logout()
    assert client.get("/studio/").status_code == 302


def test_a_coordinator_gives_a_one_time_code_and_she_chooses_a_new_password(app, client, auth, people,
                                                                            login):
    login("coord")
    with app.app_context():
        rosa_user = db.session.get(Artisan, people.a).user.id
    response = client.post(f"/coop/people/{rosa_user}/reset",
                           data={"csrf_token": csrf_token(client, "/coop/people")})
    assert response.status_code == 200
    code = re.search(r'class="code"[^>]*>([A-Z0-9]{4})-([A-Z0-9]{4})<', response.get_data(as_text=True))
    code = code.group(1) + code.group(2)
    auth.logout()
    assert auth.login("rosa", PASSWORD).status_code == 200  # the old password no longer works
    response = auth.login("rosa", code.lower()[:4] + "-" + code[4:])  # typed loosely, it still works
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    # Until she chooses a password, every page leads her there.
    assert client.get("/studio/").headers["Location"].endswith("/account/password")
    token = csrf_token(client, "/account/password")
    response = client.post("/account/password", data={"csrf_token": token, "password": "nuevo secreto 1",
                                                      "confirm": "nuevo secreto 1"})
    assert response.status_code == 302
    auth.logout()
    assert auth.login("rosa", code).status_code == 200  # the code worked once only
    assert auth.login("rosa", "nuevo secreto 1").status_code == 302
    assert audit_actions(app, logins=False) == ["user.password_reset", "user.password_changed"]
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == "user.password_reset")).scalars().first()
        assert entry.actor.username == "coord" and entry.artisan_id == people.a
        assert code not in str(entry.changes) + (entry.note or "")


def test_a_coordinator_cannot_reset_staff_passwords(app, client, people, login):
    login("coord")
    token = csrf_token(client, "/coop/people")
    assert client.post(f"/coop/people/{people.admin}/reset", data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert verify_password(db.session.get(User, people.admin).password_hash, PASSWORD)


def test_the_admin_adds_an_artisan_with_a_login_and_one_without(app, client, people, login):
    login("boss")
    path = "/coop/people/artisans/new"
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "display_name": "Juana Gómez Ruiz",
                                       "community": "Chamula", "municipality": "San Juan Chamula",
                                       "languages": ["tzo", "es"], "story": "Bordo desde niña.",
                                       "username": "juana", "password": "su secreto 123",
                                       "phone": "967 123 4567"})
    assert response.status_code == 302
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "display_name": "Juana Gómez Ruiz",
                                       "community": "Chamula", "municipality": "San Juan Chamula",
                                       "languages": ["tzo"]})
    assert response.status_code == 302
    with app.app_context():
        juanas = db.session.scalars(select(Artisan).where(Artisan.display_name == "Juana Gómez Ruiz")
                                    .order_by(Artisan.id)).all()
        assert [j.slug for j in juanas] == ["juana-gomez-ruiz", "juana-gomez-ruiz-2"]
        assert juanas[0].user.username == "juana" and juanas[0].user.phone == "9671234567"
        assert juanas[0].languages == "tzo,es" and juanas[1].user is None
    assert audit_actions(app, logins=False) == ["artisan.create", "user.create", "artisan.create"]
    # She can log in with her phone number.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = client.post("/login", data={"csrf_token": csrf_token(client), "login": "967-123-4567",
                                           "password": "su secreto 123"})
    assert response.status_code == 302


def test_a_taken_user_name_is_said_next_to_the_field(app, client, people, login):
    login("boss")
    path = "/coop/people/staff/new"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "username": "rosa",
                                       "role": "coordinator", "password": "long enough 1"})
    assert response.status_code == 200
    assert re.search(r'id="username-error">This user name is already used', response.get_data(as_text=True))
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "username": "lupita",
                                       "role": "coordinator", "password": "long enough 1"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.execute(select(User).where(User.username == "lupita")
                                  ).scalar_one().role == "coordinator"


def test_the_admin_reads_the_audit_log(app, client, people, login):
    login("boss")
    path = "/coop/settings"
    client.post(path, data={"csrf_token": csrf_token(client, path), "commission_percent": "12",
                            "fair_hourly_rate": "65.50", "overhead_percent": "10"})
    html = client.get("/coop/audit").get_data(as_text=True)
    # In words, with the amounts formatted: never the stored code nor raw centavos.
    assert "Cooperative settings changed" in html and "boss" in html and "Fair hourly rate" in html
    assert "MX$65.50" in html and "12%" in html
    assert "settings.update" not in html and "6550" not in html


def test_settings_change_is_validated_and_audited(app, client, people, login):
    login("boss")
    path = "/coop/settings"
    assert 'value="15.00"' in client.get(path).get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "commission_percent": "95",
                                       "fair_hourly_rate": "-3", "overhead_percent": "10"})
    html = response.get_data(as_text=True)
    assert "between 0 and 60" in html and "between 1 and 10,000" in html
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "commission_percent": "12,5",
                                       "fair_hourly_rate": "65.50", "overhead_percent": "10"})
    assert response.status_code == 302
    with app.app_context():
        settings = db.session.get(CooperativeSettings, 1)
        assert (settings.commission_bp, settings.fair_hourly_rate_amount,
                settings.overhead_bp) == (1250, 6550, 1000)
        entry = db.session.execute(select(AuditEntry).where(
            AuditEntry.action == "settings.update")).scalar_one()
        assert entry.changes == {"commission_bp": [1500, 1250], "fair_hourly_rate_amount": [6000, 6550]}


def test_cli_creates_users_reading_the_password_from_stdin(app, runner, people):
    result = runner.invoke(args=["users", "create", "Lucia", "--role",
                           "coordinator"], input="a good secret\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        make_artisan = Artisan(slug="petrona", display_name="Petrona", community="Tenejapa",
                               municipality="Tenejapa", joined_on=__import__("datetime").date(2025, 1, 1))
        db.session.add(make_artisan)
        db.session.commit()
    result = runner.invoke(args=["users", "create", "petrona", "--role", "artisan", "--artisan", "petrona"],
                           input="her secret 99\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        lucia = db.session.execute(select(User).where(User.username == "lucia")).scalar_one()
        assert lucia.role == "coordinator" and verify_password(lucia.password_hash, "a good secret")
        assert db.session.execute(select(User).where(User.username == "petrona")).scalar_one().artisan.slug \
            == "petrona"
    assert audit_actions(app, logins=False) == ["user.create", "user.create"]


@pytest.mark.parametrize("args,stdin,message", [
    (["users", "create", "x1", "--role", "artisan"], "long enough\n", "--artisan SLUG is required"),
    (["users", "create", "x2", "--role", "artisan", "--artisan", "nobody"], "long enough\n", "no artisan"),
    (["users", "create", "x3", "--role", "admin", "--artisan", "rosa"], "long enough\n", "only for --role"),
    (["users", "create", "rosa", "--role", "admin"], "long enough\n", "is taken"),
    (["users", "create", "x4", "--role", "admin"], "short\n", "at least 8"),
    (["users", "create", "x5", "--role", "artisan", "--artisan", "rosa"], "long enough\n", "already has"),
    (["users", "create", "x6", "--role", "boss"], "long enough\n", "Invalid value"),
])
def test_cli_refuses_mistakes_plainly(app, runner, people, args, stdin, message):
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code != 0 and message in result.output
    with app.app_context():
        assert db.session.execute(select(User).where(User.username.like("x%"))).first() is None
