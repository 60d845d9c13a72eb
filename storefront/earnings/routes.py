"""The cooperative's earnings pages for coordinators and admins: earnings, impact, payouts, corrections,
baselines. The artisan's own page is in artisan_routes.py, the spreadsheets in export_routes.py."""
import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from storefront.accounts.services import audit
from storefront.accounts.permissions import ADMIN, STAFF, allow
from storefront.earnings import baselines as baseline_rules
from storefront.earnings import bp, ledger, reports
from storefront.earnings.charts import dot_chart
from storefront.earnings.impact_routes import indicator_context
from storefront.earnings.forms import AdjustmentForm, BaselineForm, BaselineUploadForm, PayoutForm
from storefront.earnings.present import artisan_or_404, axis_mxn, period_label, refusal_message
from storefront.earnings.present import table_context as _table_context
from storefront.extensions import db
from storefront.i18n import current_locale
from storefront.models import Artisan, IncomeBaseline
from storefront.money import to_major, to_minor

CHART_ROWS = 40  # the per-artisan chart shows the first rows of the sorted table; the table has them all


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


@bp.route("/coop/artisans/<int:artisan_id>/payouts/new", methods=["GET", "POST"])
@allow(*STAFF)
def payout_new(artisan_id):
    artisan = artisan_or_404(artisan_id)
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


@bp.route("/coop/artisans/<int:artisan_id>/adjustments/new", methods=["GET", "POST"])
@allow(ADMIN)
def adjustment_new(artisan_id):
    artisan = artisan_or_404(artisan_id)
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
    artisan = artisan_or_404(artisan_id)
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
