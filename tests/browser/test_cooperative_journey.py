"""Cooperative: reviews the earnings, records a payout to an artisan, downloads the CSV, refunds an order."""
import csv
import io

import pytest
from sqlalchemy import func, select

from storefront.earnings import ledger
from storefront.extensions import db
from storefront.models import Artisan, Payout
from tests.browser.journeys import ADMIN_LOGIN, log_in


def _artisan_owed_most():
    rows = [(ledger.balance(a.id), a.id, a.display_name) for a in db.session.scalars(select(Artisan))]
    return max(rows)


def test_cooperative_reviews_earnings_records_a_payout_and_downloads_the_csv(visit, live_server, tmp_path):
    v = visit("admin", locale="es-MX", accept_downloads=True)
    log_in(v, *ADMIN_LOGIN)
    v.goto("/coop/earnings")
    v.check("earnings")
    assert v.page.locator("table.earnings tbody tr").count() >= 13

    owed, artisan_id, name = live_server.query(_artisan_owed_most)
    assert owed > 10_000, "the demo sales leave artisans owed money"
    payouts_before = live_server.query(lambda: db.session.scalar(select(func.count()).select_from(Payout)))

    with v.page.expect_navigation():
        v.page.locator(f"a[href$='/coop/artisans/{artisan_id}/payouts/new']").click()
    v.check("payout form")
    v.page.fill("#amount", "100.00")
    v.page.select_option("#method", "cash")
    v.page.fill("#reference", "recibo 12")
    with v.page.expect_navigation():
        v.page.locator("form button.big").click()
    assert "/receipt" in v.page.url, v.page.url
    assert name in v.page.locator("main").inner_text()
    v.check("payout receipt")

    assert live_server.query(lambda: ledger.balance(artisan_id)) == owed - 10_000
    assert live_server.query(lambda: db.session.scalar(select(func.count()).select_from(Payout))) \
        == payouts_before + 1

    v.goto("/coop/earnings")
    with v.page.expect_download() as download:
        v.page.locator("a[href*='/coop/earnings.csv']").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("earnings-") and saved.suffix == ".csv"
    table = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    names = {row[0] for row in table[1:]}
    assert len(table) >= 14 and name in names


def _refund_endpoint(app):
    candidates = [e for e in app.view_functions if "refund" in e]
    return candidates[0] if candidates else None


def test_cooperative_refunds_an_order(visit, live_server):
    endpoint = _refund_endpoint(live_server.app)
    if endpoint is None:
        pytest.skip("no refund page on main yet (orders/payments, issue 5): nothing to drive in the browser")
    pytest.fail(f"refund page {endpoint} exists: write this step of the journey")  # pragma: no cover
