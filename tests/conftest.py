"""Fixtures in the style of Flask's tutorial: `app` on a fresh migrated database, `client`, `runner`.

SQLite by default; set TEST_DATABASE_URL=postgresql+psycopg://… to run on PostgreSQL (each test gets
its schema rebuilt, so tests never depend on each other's data). Under pytest-xdist (`make test` runs
one worker per core) each worker has a PostgreSQL database of its own beside that one, made when the
worker starts and dropped when it ends.
"""
import os
import re
import shutil
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, make_url, text

from storefront import create_app
from storefront.backup import empty_public_schema
from storefront.extensions import db as _db
from storefront.models import Base
from tests import factories

XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _server_engine(url):
    """An autocommit connection to the server's `postgres` database, to create or drop databases."""
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _worker_database(url):
    """TEST_DATABASE_URL itself, or under xdist a database of this worker's own, created if missing."""
    if not url.startswith("postgresql") or not XDIST_WORKER:
        return url
    worker_url = make_url(url)
    worker_url = worker_url.set(database=f"{worker_url.database}_{XDIST_WORKER}")
    engine = _server_engine(url)
    with engine.connect() as connection:
        if connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                             {"name": worker_url.database}) is None:
            connection.execute(text(f'CREATE DATABASE "{worker_url.database}"'))
    engine.dispose()
    return worker_url.render_as_string(hide_password=False)


TEST_DATABASE_URL = _worker_database(os.environ.get("TEST_DATABASE_URL", ""))
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


def pytest_sessionfinish(session):
    """A worker drops its own database (the run's database is the caller's to drop)."""
    if ON_POSTGRES and XDIST_WORKER:
        engine = _server_engine(TEST_DATABASE_URL)
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(TEST_DATABASE_URL).database}" '
                                    "WITH (FORCE)"))
        engine.dispose()


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)


def _reset_postgres(url):
    engine = create_engine(url)
    empty_public_schema(engine)
    engine.dispose()


def _migrate(url, tmp_dir):
    """Run the real migrations to head on `url`."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": url,
                      "MEDIA_ROOT": str(tmp_dir / "media")})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """Migrate once per session; each test then starts from a copy of that state.

    SQLite: a template file copied per test. PostgreSQL: the rows the migrations seeded, restored after
    truncating every table (much faster than rebuilding the schema for each of hundreds of tests).
    """
    tmp_dir = tmp_path_factory.mktemp("template")
    if ON_POSTGRES:
        _reset_postgres(TEST_DATABASE_URL)
        _migrate(TEST_DATABASE_URL, tmp_dir)
        engine = create_engine(TEST_DATABASE_URL)
        seeds = {}
        with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                rows = connection.execute(table.select()).mappings().all()
                if rows:
                    seeds[table.name] = [dict(row) for row in rows]
        engine.dispose()
        return seeds
    template = tmp_dir / "template.sqlite3"
    _migrate(f"sqlite:///{template}", tmp_dir)
    return template


def _restore_postgres(seeds):
    engine = create_engine(TEST_DATABASE_URL)
    tables = Base.metadata.sorted_tables
    with engine.begin() as connection:
        names = ", ".join(f'"{t.name}"' for t in tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        for table in tables:
            if table.name in seeds:
                connection.execute(table.insert(), seeds[table.name])
                if "id" in table.c:
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM \"{table.name}\"))"))
    engine.dispose()


@pytest.fixture
def database_url(tmp_path, migrated_template):
    """A database at the migrations' head with only what the migrations seeded."""
    if ON_POSTGRES:
        _restore_postgres(migrated_template)
        return TEST_DATABASE_URL
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app_config(tmp_path, database_url):
    """Settings every test app gets; a test may extend it before `app` is built."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "MAIL_OUTBOX": str(tmp_path / "outbox"),
        "MAIL_BACKEND": "outbox",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Settings and rates read on every request, so query counts do not depend on what an earlier
        # request left in memory; tests/catalog/test_kept_values.py turns the memory on.
        "KEPT_VALUES_CHECK_SECONDS": 0,
    }


@pytest.fixture
def app(app_config):
    """An app on a database built by the real migrations (see `migrated_template`)."""
    app = create_app(app_config)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def english_interface(request, client):
    """Staff and studio pages default to Spanish; behaviour tests read the English source strings.

    A test marked `spanish_interface` keeps the default, to check what the artisans really see.
    """
    if request.node.get_closest_marker("spanish_interface") is None:
        with client.session_transaction() as session:
            session["lang"] = "en"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context for tests that call domain functions directly."""
    with app.test_request_context():
        yield


@pytest.fixture
def make(app):
    """Small factories that build their own data (see tests/factories.py)."""
    return factories.Factories(app)


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client, path="/login"):
    """The CSRF token of the form at `path` (tests post forms like a browser does)."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no csrf token on {path}"
    return match.group(1) or match.group(2)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username, password):
        """Log in through the form; a staff login that asks for a code gets it typed from the app."""
        match = CSRF_RE.search(self._client.get("/login").get_data(as_text=True))
        data = {"login": username, "password": password}
        if match:  # none when a test turns CSRF off
            data["csrf_token"] = match.group(1) or match.group(2)
        response = self._client.post("/login", data=data)
        if response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login/code":
            response = self.confirm_code(username)
        return response

    def confirm_code(self, username, code=None):
        """The second step of a staff login, with the code her authenticator app shows now."""
        if code is None:
            with self._client.application.app_context():
                from sqlalchemy import select

                from storefront.models import User
                user = _db.session.execute(select(User).where(User.username == username)).scalar_one()
                code = factories.next_totp_code(user)
                _db.session.commit()
                _db.session.remove()
        match = CSRF_RE.search(self._client.get("/login/code").get_data(as_text=True))
        data = {"code": code}
        if match:  # none when a test turns CSRF off
            data["csrf_token"] = match.group(1) or match.group(2)
        return self._client.post("/login/code", data=data)

    def logout(self):
        token = csrf_token(self._client, "/")
        return self._client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)
