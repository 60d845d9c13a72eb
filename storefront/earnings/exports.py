"""The earnings table as CSV and XLSX: the same columns and rows as /coop/earnings."""
import csv
import io

from flask_babel import gettext as _
from openpyxl import Workbook

from storefront.money import to_major

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _columns():
    return [_("Artisan"), _("Slug"), _("Income in period (MXN)"), _("Income in period (USD)"),
            _("Monthly average since joining (MXN)"), _("Baseline monthly income (MXN)"), _("Change (MXN)"),
            _("Change (multiple)"), _("Sales in period"), _("Balance owed (MXN)")]


def _money(amount, currency="MXN"):
    return None if amount is None else to_major(amount, currency)


def table(rows):
    """Header and cells: money as Decimal pesos/dollars (spreadsheets add them up), blanks as None."""
    body = [[r.name, r.slug, _money(r.income), _money(r.income_usd, "USD"), _money(r.monthly_average),
             _money(r.baseline), _money(r.change), r.multiple, r.sales, _money(r.balance)] for r in rows]
    return _columns(), body


def _safe_text(value):
    """Names typed by people must not run as spreadsheet formulas (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(rows) -> bytes:
    header, body = table(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for cells in body:
        writer.writerow(["" if c is None else _safe_text(c) for c in cells])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read accents right


def to_xlsx(rows, title) -> bytes:
    header, body = table(rows)
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for cells in body:
        sheet.append([_safe_text(c) for c in cells])
    for column in "CDEFGJ":
        for cell in sheet[column][1:]:
            cell.number_format = "#,##0.00"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
