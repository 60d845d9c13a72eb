"""The earnings table as spreadsheets (/coop/earnings.csv, .xlsx): numbers stay numbers, so they add up."""
from flask import Response
from flask_babel import gettext as _

from storefront.accounts.permissions import STAFF, allow
from storefront.earnings import bp, exports
from storefront.earnings.present import table_context as _table_context


@bp.route("/coop/earnings.csv")
@allow(*STAFF)
def coop_earnings_csv():
    _today, period, _sort, _desc, rows = _table_context()
    return Response(exports.to_csv(rows), content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="earnings-{period.code}.csv"'})


@bp.route("/coop/earnings.xlsx")
@allow(*STAFF)
def coop_earnings_xlsx():
    _today, period, _sort, _desc, rows = _table_context()
    return Response(exports.to_xlsx(rows, _("Earnings") + " " + period.code),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="earnings-{period.code}.xlsx"'})
