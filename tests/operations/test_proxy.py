"""Behind a reverse proxy the app sees the client's IP and https only when told to trust the proxy."""
import pytest
from flask import request

from storefront.accounts.permissions import PUBLIC, allow
from storefront.config import ConfigError, load_config

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "telar.example"}


def _add_whoami(app):
    @app.route("/_test/whoami")
    @allow(PUBLIC)
    def whoami():
        return {"ip": request.remote_addr, "scheme": request.scheme, "host": request.host}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "TRUSTED_PROXIES": 1}


def test_one_trusted_proxy_gives_the_clients_ip_scheme_and_host(app):
    _add_whoami(app)
    seen = app.test_client().get("/_test/whoami", headers=FORWARDED).get_json()
    assert seen == {"ip": "203.0.113.9", "scheme": "https", "host": "telar.example"}


def test_without_trusted_proxies_forwarded_headers_are_ignored(tmp_path):
    from storefront import create_app
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "TRUSTED_PROXIES": 0,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}"})
    _add_whoami(app)
    seen = app.test_client().get("/_test/whoami", headers=FORWARDED).get_json()
    assert seen == {"ip": "127.0.0.1", "scheme": "http", "host": "localhost"}


@pytest.mark.parametrize("value", ["two", "-1", "6"])
def test_trusted_proxies_must_be_a_small_count(value, monkeypatch, tmp_path):
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        load_config(tmp_path, {"SECRET_KEY": "x" * 40})


def test_log_requests_is_validated(monkeypatch, tmp_path):
    monkeypatch.setenv("LOG_REQUESTS", "sometimes")
    with pytest.raises(ConfigError, match="LOG_REQUESTS"):
        load_config(tmp_path, {"SECRET_KEY": "x" * 40})
