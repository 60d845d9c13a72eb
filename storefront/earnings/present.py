"""What the earnings pages share: formatters bound to the reader, refusal messages, the table's query."""
from flask import abort, request
from flask_babel import gettext as _

from storefront import formatting
from storefront.earnings import bp, impact, ledger, reports
from storefront.extensions import db
from storefront.models import Artisan


def mxn(amount):
    return formatting.money(amount, "MXN")


def usd(amount):
    return formatting.money(amount, "USD")


def axis_mxn(amount):
    """Short peso labels for chart axes ("$6 k"), readable on a phone."""
    return formatting.compact_money(amount, "MXN")


def share(value):
    return formatting.percent(value)


@bp.context_processor
def helpers():
    """Formatters bound to this request's locale once (a 1,000-row table calls them 6,000 times)."""
    money = formatting.money_for()
    return {"mxn": lambda amount: money(amount, "MXN"), "usd": lambda amount: money(amount, "USD"),
            "share": share, "reference_source": reference_source}


def reference_source(line):
    """Where a reference line comes from, in the reader's language (stored in English when seeded)."""
    month = formatting.date(line.effective_on, "MMMM y")
    amount = mxn(line.amount)
    sources = {
        "minimum_wage_general": lambda: _("CONASAMI: general minimum wage from %(date)s, %(amount)s a day",
                                          date=formatting.date(line.effective_on, "long"), amount=amount),
        "rural_income_line": lambda: _("INEGI (CONEVAL method): rural income poverty line, %(amount)s per "
                                       "person per month, %(month)s", amount=amount, month=month),
        "rural_extreme_income_line": lambda: _("INEGI (CONEVAL method): rural extreme (food) poverty line, "
                                               "%(amount)s per person per month, %(month)s",
                                               amount=amount, month=month),
        "urban_income_line": lambda: _("INEGI (CONEVAL method): urban income poverty line, %(amount)s per "
                                       "person per month, %(month)s", amount=amount, month=month),
        "urban_extreme_income_line": lambda: _("INEGI (CONEVAL method): urban extreme (food) poverty line, "
                                               "%(amount)s per person per month, %(month)s",
                                               amount=amount, month=month),
    }
    return sources[line.code]() if line.code in sources else line.source


def refusal_message(error: ledger.LedgerRefused) -> str:
    messages = {
        "amount_not_positive": lambda: _("The amount must be more than zero."),
        "amount_zero": lambda: _("The amount cannot be zero."),
        "unknown_method": lambda: _("Choose how the money was paid."),
        "future_date": lambda: _("The date cannot be in the future."),
        "more_than_owed": lambda: _("She is owed %(owed)s. To pay more, write why (for example an agreed "
                                    "advance).", owed=mxn(error.details.get("owed", 0))),
        "reason_required": lambda: _("Write the reason for this correction."),
        "reason_too_long": lambda: _("The reason is too long."),
        "unknown_artisan": lambda: _("We could not find that artisan."),
    }
    return messages.get(error.code, lambda: _("That could not be recorded."))()


def table_context():
    today = reports.today_local()
    period = reports.parse_period(request.args.get("period", "all"), today)
    sort = request.args.get("sort", "name")
    descending = request.args.get("dir") == "desc"
    rows = reports.earnings_rows(period, today, sort, descending)
    return today, period, sort if sort in reports.SORT_KEYS else "name", descending, rows


def period_label(period):
    return impact.period_name(period)


def artisan_or_404(artisan_id):
    artisan = db.session.get(Artisan, artisan_id)
    if artisan is None:
        abort(404)
    return artisan
