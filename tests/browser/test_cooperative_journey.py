"""Cooperative: reviews the earnings, records a payout to an artisan, downloads the CSV, refunds an order."""
import csv
import io

import pytest
from sqlalchemy import func, select

from storefront.earnings import ledger
from storefront.extensions import db
from storefront.models import Artisan, LedgerEntry, Order, OrderLine, Payout, Product
from tests.browser.conftest import VIEWPORTS
from tests.browser.journeys import ADMIN_LOGIN, buy, log_in


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


def _garment_to_sell(offset):
    """A garment still for sale, different for each test of the module."""
    return db.session.scalars(select(Product.slug).where(Product.status == "published", Product.stock > 0)
                              .order_by(Product.id.desc())).all()[offset]


def _ledger_of(order_id):
    lines = db.session.scalars(select(OrderLine.id).where(OrderLine.order_id == order_id)).all()
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.order_line_id.in_(lines))
                                 .order_by(LedgerEntry.id)).all()
    return db.session.get(Order, order_id).status, [(e.kind, e.amount) for e in entries]


def test_cooperative_refunds_an_order(visit, live_server, viewport):
    slug = live_server.query(lambda: _garment_to_sell(list(VIEWPORTS).index(viewport)))
    order_id = buy(visit("buyer", locale="en-US"), live_server, f"/products/{slug}")

    v = visit("admin", locale="es-MX")
    log_in(v, *ADMIN_LOGIN, check=False)
    v.goto("/coop/orders")
    v.check("orders")
    with v.page.expect_navigation():
        v.page.locator(f"a[href$='/coop/orders/{order_id}']").click()
    v.check("order to refund")
    with v.page.expect_navigation():
        v.page.locator("form[action$='/refund']:not(:has(input[name=line_id])) button[type=submit]").click()
    assert v.page.locator(".flash-success").count() == 1, v.page.locator("main").inner_text()

    # Stripe (the emulator) confirms the refund by a signed webhook; the ledger then gives the share back.
    for _ in range(40):
        status, entries = live_server.query(lambda: _ledger_of(order_id))
        if status == "refunded":
            break
        v.page.wait_for_timeout(250)
    assert status == "refunded"
    assert [kind for kind, _ in entries] == ["sale", "refund"]
    assert sum(amount for _, amount in entries) == 0
    v.page.reload()
    v.check("order refunded")


OVERLAPS = """() => {
  const found = [];
  for (const svg of document.querySelectorAll("svg.chart")) {
    const boxes = [...svg.querySelectorAll("text")].map(t => [t.textContent, t.getBoundingClientRect()]);
    boxes.forEach(([a, r], i) => boxes.slice(i + 1).forEach(([b, s]) => {
      const apart = r.right <= s.left + 0.5 || s.right <= r.left + 0.5 || r.bottom <= s.top + 0.5
        || s.bottom <= r.top + 0.5;
      if (!apart) found.push(`${a} / ${b}`);
    }));
  }
  return found;
}"""


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_cooperative_reads_the_impact_report_in_spanish_and_english_and_downloads_it(visit, tmp_path):
    v = visit("impact", locale="es-MX", accept_downloads=True)
    log_in(v, *ADMIN_LOGIN, check=False)
    for language, heading in (("es", "Informe de impacto"), ("en", "Impact report")):
        v.goto(f"/coop/impact?lang={language}")
        v.check(f"impact report {language}")
        assert v.page.locator("h1").inner_text() == heading
        assert v.page.locator("svg.chart").count() == 2
        assert v.page.evaluate(OVERLAPS) == [], f"chart labels overlap at 360 px ({language})"
        v.page.set_viewport_size({"width": 1280, "height": 800})
        assert v.page.evaluate(OVERLAPS) == [], f"chart labels overlap on a desktop ({language})"
        v.page.set_viewport_size({"width": 360, "height": 740})
    text = v.page.locator("main").inner_text()
    assert "Methods and sources" in text and "INEGI (CONEVAL method)" in text
    with v.page.expect_download() as download:
        v.page.locator("a[href*='/coop/impact.pdf']").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "telar-impact-12m-en.pdf" and saved.read_bytes().startswith(b"%PDF")
