"""Live keys are refused unless a person overrides; the webhook secret is required; mail and ribbon."""
import json
import subprocess
import sys
from email import message_from_bytes

import pytest

from storefront import create_app
from storefront.config import REPO_ROOT, ConfigError, load_config


def test_live_key_refused_without_override(tmp_path, monkeypatch):
    monkeypatch.delenv("STRIPE_ALLOW_LIVE_KEYS", raising=False)
    with pytest.raises(ConfigError, match="STRIPE_SECRET_KEY"):
        load_config(tmp_path, {"STRIPE_SECRET_KEY": "sk_live_abc", "SECRET_KEY": "x" * 40})
    with pytest.raises(ConfigError):
        load_config(tmp_path, {"STRIPE_SECRET_KEY": "rk_live_abc", "SECRET_KEY": "x" * 40})
    allowed = load_config(tmp_path, {"STRIPE_SECRET_KEY": "sk_live_abc", "STRIPE_ALLOW_LIVE_KEYS": True,
                                     "SECRET_KEY": "x" * 40})
    assert allowed["STRIPE_SECRET_KEY"] == "sk_live_abc"


def test_app_refuses_to_start_with_a_live_key():
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "STRIPE_SECRET_KEY": "sk_live_123",
           "DATABASE_URL": "sqlite://"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "storefront", "routes"], cwd=REPO_ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "STRIPE_ALLOW_LIVE_KEYS" in result.stderr


def test_webhook_with_garbage_signature_is_refused(client):
    response = client.post("/stripe/webhook", data=b"{}", headers={"Stripe-Signature": "t=1,v1=x"})
    assert response.status_code == 400


def test_test_mode_ribbon_shows_the_test_card(app_config):
    app_config["STRIPE_SECRET_KEY"] = "sk_test_abc"
    assert "4242 4242 4242 4242" in create_app(app_config).test_client().get("/cart").get_data(as_text=True)


def test_mail_outbox_writes_a_real_message_once_the_worker_delivers_it(app, tmp_path):
    from storefront import mail
    with app.app_context():   # no request: emails never depend on one
        mail.send("ada@example.com", "Hola", "order_shipped", "en",
                  order=type("O", (), {"id": 7, "carrier": "DHL", "tracking_number": "JD1"})(),
                  order_url="http://x/o")
        assert list((tmp_path / "outbox").glob("*.eml")) == []   # queued, not yet delivered
        assert mail.deliver_due()["sent"] == 1
        assert mail.deliver_due()["sent"] == 0
    files = list((tmp_path / "outbox").glob("*.eml"))
    message = message_from_bytes(files[0].read_bytes())
    assert message["To"] == "ada@example.com" and "JD1" in message.get_payload()


def test_flask_commands_find_the_emulator_make_run_started_in_development_only(tmp_path, monkeypatch):
    from storefront.config import DEV_STRIPE_FILE, ConfigError, emulator_port, load_config
    for name in ("STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET", "FLASK_ENV",
                 "EMULATOR_PORT"):
        monkeypatch.delenv(name, raising=False)
    written = {"STRIPE_SECRET_KEY": "sk_test_local_x", "STRIPE_WEBHOOK_SECRET": "whsec_x",
               "STRIPE_API_BASE": "http://127.0.0.1:12111"}
    (tmp_path / DEV_STRIPE_FILE).write_text(json.dumps(written))
    base = {"SECRET_KEY": "k" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    found = load_config(tmp_path, base)
    assert {k: found[k] for k in written} == written and found["EMULATOR_PORT"] == 12111
    assert load_config(tmp_path, {**base, "TESTING": True})["STRIPE_SECRET_KEY"] == ""
    assert load_config(tmp_path, {**base, "ENV": "production"})["STRIPE_API_BASE"] == ""
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_real")
    assert load_config(tmp_path, base)["STRIPE_API_BASE"] == ""          # real keys win
    (tmp_path / DEV_STRIPE_FILE).write_text("{not json")
    monkeypatch.delenv("STRIPE_SECRET_KEY")
    assert load_config(tmp_path, base)["STRIPE_SECRET_KEY"] == ""
    monkeypatch.setenv("EMULATOR_PORT", "99999")
    with pytest.raises(ConfigError, match="EMULATOR_PORT"):
        emulator_port()
