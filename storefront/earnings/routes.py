"""Cooperative pages (/coop/…) and the artisan's own earnings page (/studio/earnings)."""
import uuid

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from babel.numbers import format_compact_currency
from flask_babel import format_date, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from storefront.accounts.services import audit
from storefront.accounts.permissions import ADMIN, EVERYONE_LOGGED_IN, STAFF, allow, artisan_scope_or_404
from storefront.earnings import baselines as baseline_rules
from storefront.earnings import bp, exports, impact, ledger, reports
from storefront.earnings.charts import Series, bar_chart, dot_chart
from storefront.earnings.impact_routes import indicator_context
from storefront.earnings.forms import AdjustmentForm, BaselineForm, BaselineUploadForm, PayoutForm
from storefront.extensions import db
from storefront.i18n import current_locale
from storefront.models import Artisan, IncomeBaseline, LedgerEntry, OrderLine, Payout, User
from storefront.money import money_formatter, to_major, to_minor
from storefront.web_ids import id_arg

CHART_ROWS = 40  # the per-artisan chart shows the first rows of the sorted table; the table has them all


def money_locale():
    locale = current_locale()
    return "es_MX" if locale == "es" else locale


def _formatter(currency):
    """Formats centavos for this request's language; the locale is looked up once per request."""
    key = f"earnings_format_{currency}"
    if key not in g:
        setattr(g, key, money_formatter(currency, money_locale()))
    return getattr(g, key)


def mxn(amount):
    return "—" if amount is None else _formatter("MXN")(amount)


def usd(amount):
    return "—" if amount is None else _formatter("USD")(amount)


def axis_mxn(amount):
    """Short peso labels for chart axes ("$6K"), readable on a phone."""
    return format_compact_currency(to_major(amount, "MXN"), "MXN", locale=money_locale(), fraction_digits=0)


def share(value):
    return "—" if value is None else format_percent(value)


@bp.context_processor
def helpers():
    """Formatters bound to this request's locale once (a 1,000-row table calls them 6,000 times)."""
    mxn_format, usd_format = _formatter("MXN"), _formatter("USD")
    return {"mxn": lambda amount: "—" if amount is None else mxn_format(amount),
            "usd": lambda amount: "—" if amount is None else usd_format(amount), "share": share}


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


def _table_context():
    today = reports.today_local()
    period = reports.parse_period(request.args.get("period", "all"), today)
    sort = request.args.get("sort", "name")
    descending = request.args.get("dir") == "desc"
    rows = reports.earnings_rows(period, today, sort, descending)
    return today, period, sort if sort in reports.SORT_KEYS else "name", descending, rows


def period_label(period):
    return impact.period_name(period)


@bp.route("/coop/earnings")
@allow(*STAFF)
def coop_earnings():
    today, period, sort, descending, rows = _table_context()
    chart = dot_chart(
        [(r.name, r.monthly_average, r.baseline) for r in rows[:CHART_ROWS]],
        title=_("Monthly income per artisan against her baseline"),
        desc=_("For each artisan, a bar for her average monthly income since she joined and a mark at her "
               "monthly income before the programme. The table below has the same figures."),
        value_label=axis_mxn, now_name=_("Now (monthly average)"), baseline_name=_("Baseline"))
    return render_template("earnings/coop_earnings.html", rows=rows, period=period,
                           period_label=period_label(period), periods=reports.period_choices(today),
                           sort=sort,
                           descending=descending, chart=chart, chart_rows=min(len(rows), CHART_ROWS),
                           **indicator_context(period.code, current_locale()))


@bp.route("/coop/earnings.csv")
@allow(*STAFF)
def coop_earnings_csv():
    _today, period, _sort, _desc, rows = _table_context()
    return Response(exports.to_csv(rows), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="earnings-{period.code}.csv"'})


@bp.route("/coop/earnings.xlsx")
@allow(*STAFF)
def coop_earnings_xlsx():
    _today, period, _sort, _desc, rows = _table_context()
    return Response(exports.to_xlsx(rows, _("Earnings") + " " + period.code),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="earnings-{period.code}.xlsx"'})


def _artisan_or_404(artisan_id):
    artisan = db.session.get(Artisan, artisan_id)
    if artisan is None:
        abort(404)
    return artisan


@bp.route("/coop/artisans/<int:artisan_id>/payouts/new", methods=["GET", "POST"])
@allow(*STAFF)
def payout_new(artisan_id):
    artisan = _artisan_or_404(artisan_id)
    form = PayoutForm()
    today = reports.today_local()
    if request.method == "GET":
        form.paid_on.data = today
        form.key.data = uuid.uuid4().hex
    if form.validate_on_submit():
        try:
            payout = ledger.record_payout(artisan.id, to_minor(form.amount.data, "MXN"), form.method.data,
                                          current_user, form.paid_on.data, today,
                                          reference=form.reference.data,
                                          note=form.note.data, overpay_reason=form.overpay_reason.data,
                                          key=form.key.data or "")
        except ledger.LedgerRefused as error:
            db.session.rollback()
            target = form.paid_on if error.code == "future_date" else form.amount
            target.errors = list(target.errors) + [refusal_message(error)]
        else:
            flash(_("Payout recorded."), "success")
            return redirect(url_for("earnings.payout_receipt", payout_id=payout.id))
    return render_template("earnings/payout_new.html", artisan=artisan, form=form,
                           owed=ledger.balance(artisan.id))


@bp.route("/coop/payouts/<int:payout_id>/receipt")
@allow(*EVERYONE_LOGGED_IN)
def payout_receipt(payout_id):
    payout = db.session.get(Payout, payout_id)
    if payout is None:
        abort(404)
    artisan_scope_or_404(payout.artisan_id)
    reason = db.session.scalar(select(LedgerEntry.reason).where(LedgerEntry.payout_id == payout.id,
                                                                LedgerEntry.kind == "adjustment"))
    return render_template("earnings/receipt.html", payout=payout, artisan=payout.artisan,
                           paid_by=payout.paid_by, overpay_reason=reason,
                           paid_on=format_date(payout.paid_on, "long"))


@bp.route("/coop/artisans/<int:artisan_id>/adjustments/new", methods=["GET", "POST"])
@allow(ADMIN)
def adjustment_new(artisan_id):
    artisan = _artisan_or_404(artisan_id)
    form = AdjustmentForm()
    if form.validate_on_submit():
        try:
            ledger.record_adjustment(artisan.id, to_minor(form.amount.data, "MXN"), form.reason.data,
                                     current_user)
        except ledger.LedgerRefused as error:
            db.session.rollback()
            target = form.reason if error.code.startswith("reason") else form.amount
            target.errors = list(target.errors) + [refusal_message(error)]
        else:
            flash(_("Correction recorded."), "success")
            return redirect(url_for("earnings.studio_earnings", artisan=artisan.id))
    return render_template("earnings/adjustment_new.html", artisan=artisan, form=form,
                           owed=ledger.balance(artisan.id))


def _baselines_page(form, result=None, status=200):
    rows = db.session.execute(select(Artisan, IncomeBaseline).outerjoin(
        IncomeBaseline, IncomeBaseline.artisan_id == Artisan.id).order_by(Artisan.display_name)).all()
    return render_template("earnings/baselines.html", form=form, result=result, rows=rows,
                           columns=baseline_rules.COLUMNS), status


@bp.route("/coop/baselines")
@allow(*STAFF)
def baselines():
    return _baselines_page(BaselineUploadForm())


@bp.route("/coop/baselines", methods=["POST"])
@allow(ADMIN)
def baselines_import():
    form = BaselineUploadForm()
    if not form.validate_on_submit():
        return _baselines_page(form, status=400)
    result = baseline_rules.import_baselines(form.file.data.read(), reports.today_local(), actor=current_user)
    if not result.ok:
        db.session.rollback()
        return _baselines_page(form, result, status=400)
    flash(_("Baselines imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.",
            created=result.created, updated=result.updated, unchanged=result.unchanged), "success")
    return redirect(url_for("earnings.baselines"))


@bp.route("/coop/baselines/<int:artisan_id>/edit", methods=["GET", "POST"])
@allow(ADMIN)
def baseline_edit(artisan_id):
    artisan = _artisan_or_404(artisan_id)
    baseline = db.session.scalar(select(IncomeBaseline).where(IncomeBaseline.artisan_id == artisan.id))
    form = BaselineForm()
    if request.method == "GET" and baseline is not None:
        form.survey_date.data = baseline.survey_date
        form.monthly_income.data = to_major(baseline.monthly_income_amount, "MXN")
        form.had_sales.data, form.kept_records.data = baseline.had_sales, baseline.kept_records
        form.notes.data = baseline.notes
    if form.validate_on_submit():
        if form.survey_date.data > reports.today_local():
            form.survey_date.errors = list(form.survey_date.errors) + [_("The date cannot be in the future.")]
        else:
            values = {"survey_date": form.survey_date.data,
                      "monthly_income_amount": to_minor(form.monthly_income.data, "MXN"),
                      "had_sales": form.had_sales.data, "kept_records": form.kept_records.data,
                      "notes": (form.notes.data or "").strip() or None}
            if baseline is None:
                baseline = IncomeBaseline(artisan_id=artisan.id, **values)
                db.session.add(baseline)
                db.session.flush()
                audit("baseline.created", "income_baseline", baseline.id, artisan_id=artisan.id,
                      changes={k: [None, str(v) if k == "survey_date" else v] for k, v in values.items()})
                db.session.commit()
            else:
                baseline_rules.update_baseline(baseline, values, current_user)
            flash(_("Baseline saved."), "success")
            return redirect(url_for("earnings.baselines"))
    return render_template("earnings/baseline_edit.html", artisan=artisan, form=form)


@bp.route("/studio/earnings")
@allow(*EVERYONE_LOGGED_IN)
def studio_earnings():
    requested = id_arg("artisan")
    if current_user.is_staff:
        if requested is None:
            return redirect(url_for("earnings.coop_earnings"))
        artisan_id = requested
    else:
        artisan_id = requested if requested is not None else current_user.artisan_id
        artisan_scope_or_404(artisan_id)
    artisan = _artisan_or_404(artisan_id)
    today = reports.today_local()
    summary = reports.artisan_summary(artisan.id, today)
    baseline = db.session.scalar(select(IncomeBaseline).where(IncomeBaseline.artisan_id == artisan.id))
    series = reports.monthly_income(artisan.id, reports.start_of_series(artisan.joined_on, today), today)
    months = [format_date(month, "MMM yy") for month, _a in series]
    chart = bar_chart(
        months, [Series(_("What you earned"), [amount for _m, amount in series])],
        title=_("What you earned each month"),
        desc=_("One bar per month, for the last %(count)d months. The dashed line is what you earned "
               "in a month before the programme.", count=len(series)),
        value_label=axis_mxn,
        reference=(_("Before"), baseline.monthly_income_amount) if baseline is not None else None)
    sales = db.session.execute(
        select(LedgerEntry.occurred_at, LedgerEntry.amount, OrderLine.title)
        .join(OrderLine, OrderLine.id == LedgerEntry.order_line_id)
        .where(LedgerEntry.artisan_id == artisan.id, LedgerEntry.kind == "sale")
        .order_by(LedgerEntry.occurred_at.desc()).limit(50)).all()
    payouts = db.session.execute(select(Payout, User.username).join(User, User.id == Payout.paid_by_id)
                                 .where(Payout.artisan_id == artisan.id)
                                 .order_by(Payout.paid_on.desc(), Payout.id.desc())).all()
    adjustments = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.artisan_id == artisan.id, LedgerEntry.kind == "adjustment",
        LedgerEntry.payout_id.is_(None))
        .order_by(LedgerEntry.occurred_at.desc())).all()
    return render_template("earnings/studio_earnings.html", artisan=artisan, summary=summary,
                           baseline=baseline, chart=chart, series=list(zip(months, [a for _m, a in series])),
                           sales=sales, payouts=payouts, adjustments=adjustments)
