"""The cooperative's earnings pages, payouts and the artisan's own page, as staff and artisans use them."""
import csv
import io
import re
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from storefront.earnings import ledger
from storefront.earnings.baselines import import_baselines
from storefront.earnings.reports import today_local
from storefront.extensions import db
from storefront.models import Artisan, LedgerEntry, Payout, Role
from tests.conftest import csrf_token
from tests.earnings.conftest import build_paid_order

HEADER = "artisan_slug,survey_date,monthly_income_mxn,had_sales,kept_records,notes\n"


def seed(make, count=2, with_sales=True):
    """`count` artisans with logins, baselines, and (optionally) one sale each in March 2026."""
    ids = []
    rows = []
    for n in range(count):
        artisan = make.artisan(name=f"Tejedora {n:03d}", slug=f"tejedora-{n:03d}", with_login=True)
        ids.append(artisan.id)
        rows.append(f"tejedora-{n:03d},2025-02-10,{300 + n * 100},{'yes' if n % 2 else 'no'},no,")
        if with_sales:
            order = build_paid_order([(make.product(artisan, price_mxn=1000 * (n + 1)), 1)],
                                     paid_at=datetime(2026, 3, 10, 12))
            ledger.credit_sale(order, 0)
    db.session.commit()
    assert import_baselines((HEADER + "\n".join(rows) + "\n").encode(), today_local()).ok
    return ids


@pytest.fixture
def cooperative(app, make, staff):
    with app.app_context():
        return seed(make)


def test_coop_earnings_shows_each_artisan_with_her_figures(client, cooperative, login):
    login("coord")
    html = client.get("/coop/earnings?period=all").get_data(as_text=True)
    assert "Tejedora 000" in html and "Tejedora 001" in html
    assert "<svg" in html and "<title" in html and "<desc" in html
    assert "Record payout" in html


def test_period_filters_income_and_sales(client, cooperative, login):
    login("coord")
    march = client.get("/coop/earnings.csv?period=2026-03").get_data(as_text=True)
    april = client.get("/coop/earnings.csv?period=2026-Q2").get_data(as_text=True)
    march_rows = list(csv.reader(io.StringIO(march.lstrip("\ufeff"))))
    april_rows = list(csv.reader(io.StringIO(april.lstrip("\ufeff"))))
    assert [r[8] for r in march_rows[1:]] == ["1", "1"]          # one sale each in March
    assert [r[8] for r in april_rows[1:]] == ["0", "0"]
    assert [r[2] for r in april_rows[1:]] == ["0.00", "0.00"]
    assert march_rows[1][9] == april_rows[1][9] != "0.00"  # what she is owed: the same in every period


def test_sorting_by_income_descending(client, cooperative, login):
    login("boss")
    text = client.get("/coop/earnings.csv?sort=income&dir=desc").get_data(as_text=True)
    names = [row[0] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))][1:]
    assert names == ["Tejedora 001", "Tejedora 000"]
    html = client.get("/coop/earnings?sort=income&dir=desc").get_data(as_text=True)
    assert html.index("Tejedora 001") < html.index("Tejedora 000")


def test_xlsx_has_the_same_rows_as_csv(client, cooperative, login):
    login("boss")
    response = client.get("/coop/earnings.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][0] == "Tejedora 000"
    text = client.get("/coop/earnings.csv").get_data(as_text=True)
    csv_rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [Decimal(str(v)) for v in rows[1][2:10] if v is not None] == \
        [Decimal(v) for v in csv_rows[1][2:10] if v]


def test_csv_does_not_let_a_name_run_as_a_formula(app, client, make, staff, login):
    with app.app_context():
        make.artisan(name="=HYPERLINK(\"http://x\")")
    login("boss")
    text = client.get("/coop/earnings.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_impact_report_is_printable_and_computed_from_data(client, cooperative, login):
    login("boss")
    html = client.get("/coop/impact").get_data(as_text=True)
    assert "Impact report" in html and "rural" in html and "INEGI" in html and "<svg" in html


def _count_queries(app, client, path):
    statements = []

    def count(*args):
        statements.append(args[2])
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_earnings_page_query_count_does_not_grow_with_artisans(app, client, make, staff, login):
    with app.app_context():
        seed(make, 2)
    login("coord")
    client.get("/coop/earnings")
    few = _count_queries(app, client, "/coop/earnings")
    with app.app_context():
        for n in range(6):
            artisan = make.artisan()
            ledger.credit_sale(build_paid_order([(make.product(artisan), 1)]), 0)
        db.session.commit()
    assert _count_queries(app, client, "/coop/earnings") == few


def test_record_a_payout_then_see_the_receipt(app, client, cooperative, login):
    login("coord")
    artisan_id = cooperative[0]
    path = f"/coop/artisans/{artisan_id}/payouts/new"
    token = csrf_token(client, path)
    form = {"csrf_token": token, "amount": "10.00", "method": "cash", "paid_on": today_local().isoformat(),
            "reference": "Recibo 7"}
    response = client.post(path, data=form)
    assert response.status_code == 302
    receipt = client.get(response.location).get_data(as_text=True)
    assert "Recibo 7" in receipt and "Tejedora 000" in receipt and "coord" in receipt
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Payout)) == 1


def test_the_same_payout_form_sent_twice_records_one_payout(app, client, cooperative, login):
    login("coord")
    path = f"/coop/artisans/{cooperative[0]}/payouts/new"
    html = client.get(path).get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([0-9a-f]{32})"|id="key" name="key" type="hidden" '
                    r'value="([0-9a-f]{32})"', html)
    key = key.group(1) or key.group(2)
    form = {"csrf_token": csrf_token(client, path), "amount": "3.00", "method": "cash",
            "paid_on": today_local().isoformat(), "key": key}
    first, second = client.post(path, data=form), client.post(path, data=form)
    assert first.status_code == second.status_code == 302 and first.location == second.location
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Payout)) == 1


@pytest.mark.parametrize("amount, paid_on, message", [
    ("0", None, "more than zero"),
    ("-5", None, "more than zero"),
    ("abc", None, "Write an amount in pesos"),
    ("100000", None, "To pay more, write why"),
    ("1", "2999-01-01", "cannot be in the future"),
    ("1", "01/02/2026", "Write the date like"),
])
def test_bad_payouts_are_refused_with_a_message_and_write_nothing(
        app, client, cooperative, login, amount, paid_on, message):
    login("coord")
    path = f"/coop/artisans/{cooperative[0]}/payouts/new"
    token = csrf_token(client, path)
    response = client.post(path, data={"csrf_token": token, "amount": amount, "method": "cash",
                                       "paid_on": paid_on or today_local().isoformat()})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Payout)) == 0
        assert db.session.scalar(select(func.count()).select_from(LedgerEntry)
                                 .where(LedgerEntry.kind == "payout")) == 0


def test_an_advance_with_a_reason_is_accepted(app, client, cooperative, login):
    login("coord")
    path = f"/coop/artisans/{cooperative[0]}/payouts/new"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "amount": "5000",
                                       "method": "cash", "paid_on": today_local().isoformat(),
                                       "overpay_reason": "Adelanto para hilo, acordado en asamblea"})
    assert response.status_code == 302
    assert "acordado en asamblea" in client.get(response.location).get_data(as_text=True)


def test_adjustment_form_requires_a_reason(app, client, cooperative, login):
    login("boss")
    path = f"/coop/artisans/{cooperative[0]}/adjustments/new"
    token = csrf_token(client, path)
    response = client.post(path, data={"csrf_token": token, "amount": "50", "reason": ""})
    assert response.status_code == 200 and "Write why" in response.get_data(as_text=True)
    response = client.post(path, data={"csrf_token": token, "amount": "50", "reason": "Venta de feria"})
    assert response.status_code == 302
    assert "Venta de feria" in client.get(f"/studio/earnings?artisan={cooperative[0]}").get_data(as_text=True)


def test_artisan_sees_her_own_earnings_in_plain_words(client, cooperative, login):
    login("tejedora-001")
    html = client.get("/studio/earnings").get_data(as_text=True)
    assert "The cooperative owes you" in html and "What you sold" in html and "<svg" in html
    assert "Tejedora 000" not in html


def test_artisan_asking_for_another_artisans_earnings_gets_404(client, cooperative, login):
    login("tejedora-001")
    assert client.get(f"/studio/earnings?artisan={cooperative[0]}").status_code == 404
    assert client.get(f"/studio/earnings?artisan={cooperative[1]}").status_code == 200


def test_artisan_cannot_see_another_artisans_receipt(app, client, cooperative, login):
    with app.app_context():
        from storefront.models import User
        coordinator = db.session.scalars(select(User).where(User.role == Role.COORDINATOR.value)).one()
        payout = ledger.record_payout(cooperative[0], 100, "cash", coordinator, today_local(), today_local())
        payout_id = payout.id
    login("tejedora-001")
    assert client.get(f"/coop/payouts/{payout_id}/receipt").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/studio/earnings")})
    login("tejedora-000")
    assert client.get(f"/coop/payouts/{payout_id}/receipt").status_code == 200


def test_staff_choose_the_artisan(client, cooperative, login):
    login("coord")
    assert client.get("/studio/earnings").status_code == 302
    assert "Tejedora 000" in client.get(f"/studio/earnings?artisan={cooperative[0]}").get_data(as_text=True)
    assert client.get("/studio/earnings?artisan=999999").status_code == 404


ROUTES = [  # path template, who may (others get 403; anonymous is sent to log in)
    ("/coop/earnings", ("boss", "coord")),
    ("/coop/earnings.csv", ("boss", "coord")),
    ("/coop/earnings.xlsx", ("boss", "coord")),
    ("/coop/impact", ("boss", "coord")),
    ("/coop/baselines", ("boss", "coord")),
    ("/coop/baselines/{a}/edit", ("boss",)),
    ("/coop/artisans/{a}/payouts/new", ("boss", "coord")),
    ("/coop/artisans/{a}/adjustments/new", ("boss",)),
    ("/studio/earnings?artisan={a}", ("boss", "coord", "tejedora-000")),
]


@pytest.mark.parametrize("who", [None, "boss", "coord", "tejedora-000", "tejedora-001"])
def test_who_may_open_each_page(client, cooperative, login, who):
    if who:
        login(who)
    for path, allowed in ROUTES:
        response = client.get(path.format(a=cooperative[0]))
        if who is None:
            assert response.status_code == 302 and "/login" in response.location, path
        elif who in allowed:
            assert response.status_code == 200, path
        elif who.startswith("tejedora") and "studio" in path:
            assert response.status_code == 404, path  # another artisan's page does not exist for her
        else:
            assert response.status_code == 403, path


def test_artisans_cannot_post_to_staff_forms(app, client, cooperative, login):
    login("tejedora-000")
    token = csrf_token(client, "/studio/earnings")
    for path in ["/coop/baselines", "/coop/artisans/{a}/payouts/new", "/coop/artisans/{a}/adjustments/new",
                 "/coop/baselines/{a}/edit"]:
        response = client.post(path.format(a=cooperative[0]), data={"csrf_token": token, "amount": "1",
                                                                    "method": "cash", "reason": "x"})
        assert response.status_code == 403, path
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Payout)) == 0


def test_demo_data_makes_meaningful_pages(app, client, login):
    with app.app_context():
        from storefront.demo import load_demo
        load_demo()
        payouts = db.session.scalar(select(func.count()).select_from(Payout))
        load_demo()  # idempotent: no second round of payouts
        assert db.session.scalar(select(func.count()).select_from(Payout)) == payouts > 20
        artisan_id = db.session.scalar(select(Artisan.id).where(Artisan.slug == "maria-lopez-huixtan"))
    from tests.conftest import AuthActions
    AuthActions(client).login("coordinator", "demo-coordinator")
    client.get("/?lang=en")
    html = client.get("/coop/earnings").get_data(as_text=True)
    assert "María López" in html and "Ana Jiménez" in html
    page = client.get(f"/studio/earnings?artisan={artisan_id}").get_data(as_text=True)
    assert "See receipt" in page
