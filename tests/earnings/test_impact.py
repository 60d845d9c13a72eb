"""The impact report: definitions over a period in Chiapas time, the questionnaire, the page and its PDF."""
import base64
import re
import zlib
from datetime import date, datetime
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import func, select

from storefront.earnings import impact, ledger
from storefront.earnings.charts import Series, bar_chart, text_width
from storefront.earnings.impact_pdf import pdf_text
from storefront.earnings.reports import monthly_income, parse_period
from storefront.extensions import db
from storefront.models import EmpowermentSurvey, ExchangeRate, IncomeBaseline
from tests.conftest import csrf_token
from tests.earnings.conftest import build_paid_order


def pdf_strings(data: bytes) -> list[str]:
    """The text a PDF draws (`(...) Tj` in its content streams, compressed or not), in order."""
    streams = []
    for header, raw in re.findall(rb"<<([^<>]*)>>\s*stream\r?\n(.*?)\r?\n?endstream", data, flags=re.S):
        if b"ASCII85Decode" in header:
            raw = base64.a85decode(raw.strip().removesuffix(b"~>"))
        streams.append(zlib.decompress(raw) if b"FlateDecode" in header else raw)

    def unescape_pdf(raw):
        return re.sub(rb"\\([0-7]{3}|.)", lambda m: bytes([int(m[1], 8)]) if len(m[1]) == 3 else m[1], raw)
    # reportlab draws a no-break space of the standard fonts as a space
    return [unescape_pdf(s).decode("cp1252").replace("\xa0", " ") for stream in streams
            for s in re.findall(rb"\(((?:[^()\\]|\\.)*)\) Tj", stream)]


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page[^s]", data))


@pytest.fixture
def two_women(app, make, staff):
    """Two artisans with baselines and questionnaires; one sells at 18:53 on 30 November, Chiapas time."""
    with app.app_context():
        db.session.add(ExchangeRate(currency="USD", rate=Decimal("0.055"), set_at=datetime(2025, 1, 1)))
        seller = make.artisan(name="Tejedora Norte")
        quiet = make.artisan(name="Tejedora Sur", municipality="Tenejapa")
        for artisan, income, had_sales in ((seller, 30000, True), (quiet, 0, False)):
            db.session.add(IncomeBaseline(artisan_id=artisan.id, survey_date=date(2025, 2, 20),
                                          monthly_income_amount=income, had_sales=had_sales,
                                          kept_records=had_sales))
        # 18:53 on 30 November 2025 in Chiapas (UTC-6) is 00:53 on 1 December in UTC.
        order = build_paid_order([(make.product(seller, price_mxn=2000), 1)],
                                 paid_at=datetime(2025, 12, 1, 0, 53))
        ledger.credit_sale(order, 0)
        answers_of = ((seller, (1, 1, 1, 1), (3, 2, 1, 1)), (quiet, (2, 2, 1, 1), (2, 2, 3, 1)))
        for artisan, before, after in answers_of:
            for wave, answers, day in (("baseline", before, date(2025, 3, 1)),
                                       ("end", after, date(2026, 11, 20))):
                db.session.add(EmpowermentSurvey(artisan_id=artisan.id, wave=wave, surveyed_on=day,
                                                 sets_own_prices=answers[0], earns_on_her_own=answers[1],
                                                 sells_by_phone=answers[2],
                                                 checks_payments_online=answers[3]))
        db.session.commit()
        return seller.id, quiet.id


def test_a_sale_at_1853_on_30_november_in_chiapas_counts_in_november(app, two_women):
    seller_id, _quiet = two_women
    with app.test_request_context():
        today = date(2026, 12, 1)
        november, december = impact.build("2025-11", today), impact.build("2025-12", today)
        assert november.producing == 1 and november.garments == 1 and november.total_income > 0
        assert december.producing == 0 and december.total_income == 0
        series = dict(monthly_income(seller_id, date(2025, 11, 1), date(2025, 12, 31)))
        assert series[date(2025, 11, 1)] > 0 and series[date(2025, 12, 1)] == 0
        # The month's boundary is local midnight: 06:00 UTC.
        assert parse_period("2025-12", today).start == datetime(2025, 12, 1, 6, 0)


def test_indicators_follow_their_definitions(app, two_women):
    with app.test_request_context():
        report = impact.build("all", date(2026, 12, 1))
        assert (report.artisans, report.producing, report.garments) == (2, 1, 1)
        assert report.income_per_producing == report.total_income
        assert report.income_per_artisan == report.total_income // 2
        # At baseline: the quiet one had no sales; the seller earned 300 MXN, under 28 USD.
        assert (report.no_sales[0].count, report.under_low[0].count) == (1, 1)
        # In the period: the quiet one still has no sales; income per month of activity counts her months.
        seller = next(r for r in report.rows if r.producing)
        assert seller.months == 22 and seller.monthly == seller.income // 22   # March 2025 to Dec 2026
        assert report.no_sales[1].count == 1
        assert report.above_baseline.count == 0          # 1,600 MXN over 22 months is under 300 a month
        # The seller's economic score rose (2 -> 5), the quiet one's digital score (2 -> 4).
        assert (report.economic.count, report.economic.total) == (1, 2)
        assert (report.digital.count, report.digital.total) == (1, 2)
        last_year = impact.build("12m", date(2026, 12, 1))
        assert last_year.period.first == date(2026, 1, 1) and last_year.producing == 0


@pytest.mark.parametrize("language", ["es", "en"])
def test_page_and_pdf_show_the_same_numbers(client, two_women, login, language):
    login("boss")
    client.get(f"/?lang={language}")
    html = client.get("/coop/impact?period=all").get_data(as_text=True)
    assert "INEGI" in html and "<svg" in html and 'id="methods"' in html
    page_figures = [pdf_text(unescape(cell))
                    for cell in re.findall(r'<td class="num">([^<]*)</td>', html)]
    assert any("(1 " in figure and "2)" in figure for figure in page_figures)   # "50 % (1 de 2)"
    response = client.get("/coop/impact.pdf?period=all")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and pdf_pages(response.data) >= 3
    drawn = pdf_strings(response.data)
    missing = [figure for figure in page_figures if figure.replace("\xa0", " ") not in drawn]
    assert not missing, missing
    if language == "es":
        assert "línea de pobreza" in html and "INEGI (método del CONEVAL)" in html


def test_report_on_the_command_line(app, two_women, tmp_path):
    out = tmp_path / "impacto.pdf"
    result = app.test_cli_runner().invoke(args=["impact", "report", "--period", "all", "--lang", "es",
                                                str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    refused = app.test_cli_runner().invoke(args=["impact", "report", "--lang", "xx", str(out)])
    assert refused.exit_code != 0


def test_coordinator_records_the_questionnaire(app, client, two_women, login):
    seller_id, _quiet = two_women
    login("coord")
    page = client.get(f"/coop/artisans/{seller_id}/survey")
    assert page.status_code == 200
    form = {"csrf_token": csrf_token(client, f"/coop/artisans/{seller_id}/survey"), "wave": "end",
            "surveyed_on": "2026-11-30",
            "sets_own_prices": "4", "earns_on_her_own": "4", "sells_by_phone": "2",
            "checks_payments_online": "2"}
    assert client.post(f"/coop/artisans/{seller_id}/survey", data=form).status_code == 302
    # Hostile: an answer off the scale, a date in the future, a missing answer: nothing recorded.
    for bad in ({"sets_own_prices": "9"}, {"surveyed_on": "2999-01-01"}, {"sells_by_phone": ""}):
        assert client.post(f"/coop/artisans/{seller_id}/survey", data={**form, **bad}).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EmpowermentSurvey)
                                 .where(EmpowermentSurvey.artisan_id == seller_id)) == 3


def test_artisans_cannot_open_the_report_or_the_questionnaire(app, client, make, two_women, login):
    with app.app_context():
        make.artisan(slug="tejedora-con-cuenta", with_login=True)
    login("tejedora-con-cuenta")
    for path in ("/coop/impact", "/coop/impact.pdf", f"/coop/artisans/{two_women[0]}/survey"):
        assert client.get(path).status_code in (403, 404)


def _boxes(svg):
    """Estimated boxes of every <text> (each tspan a line), as the chart lays them out."""
    boxes = []
    pattern = r'<text x="([\d.]+)" y="([\d.]+)" text-anchor="(\w+)" font-size="(\d+)"[^>]*>(.*?)</text>'
    for match in re.finditer(pattern, svg):
        x, y, anchor, size, inner = float(match[1]), float(match[2]), match[3], int(match[4]), match[5]
        lines = re.findall(r"<tspan[^>]*>(.*?)</tspan>", inner) or [inner]
        width = max(text_width(unescape(line), size) for line in lines)
        left = x - width / 2 if anchor == "middle" else (x - width if anchor == "end" else x)
        boxes.append((left, y - size, left + width, y + (len(lines) - 1) * size * 1.2 + 2))
    return boxes


@pytest.mark.parametrize("labels", [
    ["No sales or no records", "Under 28 USD a month", "28 USD to the extreme poverty line",
     "Extreme line to the rural income line", "At or above the rural income line"],
    ["Sin ventas o sin registros", "Menos de 28 USD al mes", "De 28 USD a la línea de pobreza extrema",
     "De la línea extrema a la línea de ingresos rural", "En o por encima de la línea de ingresos rural"],
    [f"{m} 26" for m in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                         "Dec")] * 2,
])
def test_chart_labels_never_overlap(labels):
    svg = str(bar_chart(labels, [Series("Al inicio del programa", [3] * len(labels)),
                                 Series("Últimos 12 meses del programa", [5] * len(labels))],
                        title="t", desc="d", value_label=str, reference=("Antes del programa", 2)))
    boxes = _boxes(svg)
    for n, a in enumerate(boxes):
        for b in boxes[n + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
        assert a[0] >= 0 and a[2] <= 360
