"""Settings and exchange rates kept in memory (storefront.kept): no query while the copy is fresh, and a
change made by another process is used within KEPT_VALUES_CHECK_SECONDS."""
import os
import re
import sqlite3
import subprocess
import sys
import threading
from datetime import date
from decimal import Decimal

from contextlib import contextmanager

import pytest
import psycopg
from sqlalchemy import delete, event, select
from sqlalchemy.engine import make_url

from storefront import kept
from storefront.config import REPO_ROOT
from storefront.cooperative import get_settings, settings_values
from storefront.extensions import db
from storefront.models import Artisan, ArtisanTranslation, DataVersion, ProductTranslation
from storefront.pricing import latest_rates, set_rate
from tests.factories import PASSWORD


@pytest.fixture
def app_config(app_config):
    return {**app_config, "KEPT_VALUES_CHECK_SECONDS": 2}


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(kept, "clock", lambda: now[0])
    return now


def _in_another_process(database_url, *args):
    """`flask …` in a process of its own on the same database (as a second gunicorn worker would be)."""
    env = {**os.environ, "DATABASE_URL": database_url, "FLASK_APP": "storefront", "FLASK_ENV": "development",
           "SECRET_KEY": "another-process-secret-key-0123456789abcdef", "LOG_REQUESTS": "false"}
    result = subprocess.run([sys.executable, "-m", "flask", *args], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_a_rate_set_by_another_process_is_used_within_the_check_seconds(app, make, clock, count_queries,
                                                                        database_url):
    with app.app_context():
        make.rate("USD", "0.05")
        slug = make.product(title_en="Diamond huipil", price_mxn=1200).slug
    client = app.test_client()
    path = f"/products/{slug}?currency=USD"  # her choice goes to her session: the page is rendered for her
    seconds = app.config["KEPT_VALUES_CHECK_SECONDS"]
    assert seconds > 0
    assert "$60.00" in client.get(path).get_data(as_text=True)

    _in_another_process(database_url, "rates", "set", "USD", "0.1")

    clock[0] += seconds / 2
    with count_queries() as counter:
        page = client.get(f"/products/{slug}").get_data(as_text=True)
    assert "$60.00" in page  # the kept copy, not yet checked again
    with app.app_context():
        with count_queries() as rates_reads:
            assert latest_rates()["USD"].rate == Decimal("0.05")
    assert rates_reads.count == 0 and counter.count > 0

    clock[0] += seconds
    assert "$120.00" in client.get(f"/products/{slug}").get_data(as_text=True)


def test_a_rate_set_here_is_used_at_once(app, make, clock):
    with app.app_context():
        make.rate("EUR", "0.05")
    with app.test_request_context():
        assert latest_rates()["EUR"].rate == Decimal("0.05")
        set_rate("EUR", "0.04")
        assert latest_rates()["EUR"].rate == Decimal("0.04")  # the rest of her request sees it
    with app.app_context():
        assert latest_rates()["EUR"].rate == Decimal("0.04")  # and this process's next request


def test_settings_changed_by_staff_are_read_again(app, clock):
    with app.app_context():
        before = settings_values()
        row = get_settings()
        row.public_indigenous_languages = not before.public_indigenous_languages
        db.session.commit()
    with app.app_context():
        after = settings_values()
        assert after.public_indigenous_languages is (not before.public_indigenous_languages)
        with pytest.raises(AttributeError):
            after.commission_bp = 0  # frozen: nothing read here can be written back


def test_zero_seconds_reads_every_time(app, make, count_queries):
    app.config["KEPT_VALUES_CHECK_SECONDS"] = 0
    with app.app_context():
        make.rate("USD", "0.05")
    with app.app_context(), count_queries() as counter:
        latest_rates()
    with app.app_context(), count_queries() as again:
        latest_rates()
    assert counter.count == again.count == 1


# --- figures kept under a data version (kept_while) -----------------------------------------------

def _another_connection(database_url, *sql):
    """Plain SQL committed through the database driver alone, as another process, a restore or a bulk
    load would (SQLAlchemy's events of this process do not see it)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database)
    else:
        connection = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        for statement in sql:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def _garment_count(client):
    page = client.get("/products/?currency=MXN").get_data(as_text=True)
    return int(re.search(r"(\d+) garments?", page).group(1))


@contextmanager
def statements(app):
    """The SQL statements sent while the block runs."""
    sent = []
    with app.app_context():
        engine = db.engine
    listener = lambda _conn, _cursor, statement, *rest: sent.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_the_catalog_total_is_kept_until_any_writer_changes_the_catalog(app, client, make, clock,
                                                                        database_url):
    with app.app_context():
        make.product()
        hidden = make.product(status="draft", title="Rebozo guardado").id
    assert _garment_count(client) == 1
    for later in (0, 10):  # within the check seconds, then past them (the version is read again)
        clock[0] += later
        with statements(app) as sent:
            assert _garment_count(client) == 1
        assert not [s for s in sent if "count(" in s.lower()], sent
        assert bool([s for s in sent if "data_versions" in s]) == bool(later)

    _another_connection(database_url, f"UPDATE products SET status = 'published' WHERE id = {hidden}")
    assert _garment_count(client) == 1  # not checked again yet: the promise is within the seconds
    clock[0] += app.config["KEPT_VALUES_CHECK_SECONDS"]
    assert _garment_count(client) == 2
    assert "Rebozo guardado" in client.get("/products/").get_data(as_text=True)  # the page's garments too


def test_one_version_step_per_transaction_whatever_it_writes(app, database_url):
    def versions():
        with app.app_context():
            return dict(db.session.execute(select(DataVersion.name, DataVersion.version)).all())
    before = versions()
    _another_connection(database_url, "UPDATE artisans SET community = community WHERE 1 = 0",
                        "DELETE FROM orders WHERE 1 = 0")  # statements that change no row
    assert versions() == before
    with app.app_context():
        artisan = Artisan(slug="nueva", display_name="Nueva", community="Chilil", municipality="Huixtán",
                          languages="tzo,es", joined_on=date(2025, 3, 1))
        artisan.translations = [ArtisanTranslation(locale="es", story="Tejo."),
                                ArtisanTranslation(locale="en", story="I weave.")]
        db.session.add(artisan)
        db.session.commit()
    after = versions()
    assert after["sales"] == before["sales"]
    step = 1 if database_url.startswith("postgresql") else 3  # PostgreSQL: once at commit; SQLite: a row
    assert after["catalog"] == before["catalog"] + step


def test_the_staff_home_counts_texts_to_translate_again_after_a_change(app, client, make, auth, clock):
    with app.app_context():
        product = make.product(title_en="Diamond huipil").id
        make.user("coordinadora", role="coordinator")
    auth.login("coordinadora", PASSWORD)
    first = _to_translate(client)
    with app.app_context():
        db.session.execute(delete(ProductTranslation).where(ProductTranslation.product_id == product,
                                                            ProductTranslation.locale == "en"))
        db.session.commit()  # this process wrote: it checks the version at its next read
    assert _to_translate(client) == first + 1


def _to_translate(client):
    page = client.get("/coop/?lang=en").get_data(as_text=True)
    return int(re.search(r"(\d+) texts? to translate", page).group(1))


@pytest.mark.postgres_only
def test_commits_that_change_the_groups_in_opposite_orders_never_deadlock(app, make, database_url):
    """A checkout writes an order then a garment's stock, a refund a garment then the ledger: their
    version bumps, at commit, must not wait on each other in a cycle (PostgreSQL would abort one)."""
    with app.app_context():
        first, second = make.product().id, make.product().id
    url = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)

    def writer(statements, errors, ready):
        with psycopg.connect(url) as connection:
            try:
                for statement in statements:
                    connection.execute(statement)
                ready.wait()  # both transactions have written: commit together
                connection.commit()
            except psycopg.Error as error:
                errors.append(error)

    for attempt in range(40):  # without one lock order, a deadlock shows within a few attempts
        errors, ready = [], threading.Barrier(2)
        catalog_then_sales = [f"UPDATE products SET stock = stock WHERE id = {first}",
                              "INSERT INTO ledger_entries (artisan_id, kind, amount, currency, reason, "
                              "occurred_at, created_at) SELECT artisan_id, 'adjustment', 1, 'MXN', 'test', "
                              f"now(), now() FROM products WHERE id = {first}"]
        sales_then_catalog = [catalog_then_sales[1].replace(str(first), str(second)),
                              f"UPDATE products SET stock = stock WHERE id = {second}"]
        threads = [threading.Thread(target=writer, args=(s, errors, ready))
                   for s in (catalog_then_sales, sales_then_catalog)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == [], (attempt, errors)


def test_a_voice_story_recorded_by_another_writer_plays_on_the_garments_page_within_the_seconds(
        app, client, make, clock, database_url):
    """Whether a garment has a voice story is kept (most have none); a new one shows within the seconds."""
    with app.app_context():
        product = make.product()
        slug, product_id, artisan_id = product.slug, product.id, product.artisan_id
    page = f"/products/{slug}"
    assert "<audio" not in client.get(page + "?currency=MXN").get_data(as_text=True)  # her session: rendered
    _another_connection(database_url,
                        "INSERT INTO voice_stories (artisan_id, product_id, content_hash, duration_ms, "
                        f"size_bytes, spoken_language, created_at) VALUES ({artisan_id}, {product_id}, "
                        f"'{'a' * 64}', 60000, 202157, 'tzo', CURRENT_TIMESTAMP)")
    assert "<audio" not in client.get(page).get_data(as_text=True)  # not checked again yet
    clock[0] += app.config["KEPT_VALUES_CHECK_SECONDS"]
    assert "<audio" in client.get(page).get_data(as_text=True)
