"""Settings and exchange rates kept in memory (storefront.kept): no query while the copy is fresh, and a
change made by another process is used within KEPT_VALUES_CHECK_SECONDS."""
import os
import subprocess
import sys
from decimal import Decimal

import pytest

from storefront import kept
from storefront.config import REPO_ROOT
from storefront.cooperative import get_settings, settings_values
from storefront.extensions import db
from storefront.pricing import latest_rates, set_rate


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
