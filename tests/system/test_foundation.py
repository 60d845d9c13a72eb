"""The skeleton: configuration, health, security headers, migrations, demo data."""
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from storefront import create_app
from storefront.config import REPO_ROOT
from storefront.catalog.search import alembic_include_name
from storefront.extensions import db
from storefront.models import Artisan, Base, CooperativeSettings, Product, User


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(app_config):
    app_config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1"
    app = create_app(app_config)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_security_headers_and_no_inline_script(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.get_data(as_text=True)


def test_session_cookie_flags(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["MAX_CONTENT_LENGTH"] > 0


def _run_flask(env_overrides, *args):
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", **env_overrides}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "storefront", *args], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("env, variable", [
    ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
    ({"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL"),
    ({"FLASK_ENV": "production", "DATABASE_URL": "sqlite://"}, "SECRET_KEY"),
    ({"STRIPE_SECRET_KEY": "sk_live_abc", "DATABASE_URL": "sqlite://"}, "STRIPE_SECRET_KEY"),
    ({"MAIL_PORT": "twenty", "DATABASE_URL": "sqlite://"}, "MAIL_PORT"),
    ({"REDIS_URL": "localhost:6379", "DATABASE_URL": "sqlite://"}, "REDIS_URL"),
    ({"PAGE_CACHE_SECONDS": "-1", "DATABASE_URL": "sqlite://"}, "PAGE_CACHE_SECONDS"),
    ({"PAGE_CACHE_MAX_ENTRIES": "lots", "DATABASE_URL": "sqlite://"}, "PAGE_CACHE_MAX_ENTRIES"),
])
def test_bad_setting_gives_one_clear_line(env, variable):
    result = _run_flask(env, "routes")
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error:") and variable in lines[0]
    assert "Traceback" not in result.stderr


def test_secret_key_generated_once_for_local_runs(tmp_path, monkeypatch):
    from storefront.config import load_config
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(tmp_path)["SECRET_KEY"]
    second = load_config(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_migrations_match_models(app):
    """Alembic autogenerate finds no difference between the migrations and the models."""
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                   "include_name": alembic_include_name})
            assert compare_metadata(context, Base.metadata) == []


def test_migrations_downgrade_to_base_and_up_again(app):
    with app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert db.session.get(CooperativeSettings, 1).commission_bp == 1500


def test_database_constraints_refuse_negative_stock_and_duplicate_slugs(app, make):
    from sqlalchemy.exc import IntegrityError
    with app.app_context():
        product = make.product()
        product.stock = -1
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        other = make.product()
        other.slug = product.slug
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_demo_loads_idempotently_and_home_lists_artisans(app, runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "102 artisans" in result.output
    again = runner.invoke(args=["demo"])
    assert "0 new past orders" in again.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Artisan)) == 102
        assert db.session.scalar(select(db.func.count()).select_from(Product)) >= 40
        assert db.session.execute(select(User).where(User.username == "admin")).scalar_one().role == "admin"
    html = client.get("/").get_data(as_text=True)
    assert "Tenejapa" in html
    assert "María López" in client.get("/artisans/").get_data(as_text=True)


def test_demo_refused_in_production(app_config):
    app_config["ENV"] = "production"
    app = create_app(app_config)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0
    assert "production" in result.output
