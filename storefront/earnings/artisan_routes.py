"""The artisan's own earnings page (/studio/earnings) and a payout's receipt, which she may see too."""
from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from storefront import formatting
from storefront.accounts.permissions import EVERYONE_LOGGED_IN, allow, artisan_scope_or_404
from storefront.earnings import bp, reports
from storefront.earnings.charts import Series, bar_chart
from storefront.earnings.present import artisan_or_404, axis_mxn
from storefront.extensions import db
from storefront.models import IncomeBaseline, LedgerEntry, OrderLine, Payout, User
from storefront.web_ids import id_arg


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
                           paid_on=formatting.date(payout.paid_on, "long"))


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
    artisan = artisan_or_404(artisan_id)
    today = reports.today_local()
    summary = reports.artisan_summary(artisan.id, today)
    baseline = db.session.scalar(select(IncomeBaseline).where(IncomeBaseline.artisan_id == artisan.id))
    series = reports.monthly_income(artisan.id, reports.start_of_series(artisan.joined_on, today), today)
    months = [formatting.date(month, "MMM yy") for month, _a in series]
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
    # Her share of a commission's deposit, owed before she starts (and its reversal if it was cancelled).
    advances = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.artisan_id == artisan.id, LedgerEntry.kind == "advance")
        .order_by(LedgerEntry.occurred_at.desc()).limit(50)).all()
    adjustments = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.artisan_id == artisan.id, LedgerEntry.kind == "adjustment",
        LedgerEntry.payout_id.is_(None))
        .order_by(LedgerEntry.occurred_at.desc())).all()
    return render_template("earnings/studio_earnings.html", artisan=artisan, summary=summary,
                           baseline=baseline, chart=chart, series=list(zip(months, [a for _m, a in series])),
                           sales=sales, advances=advances, payouts=payouts, adjustments=adjustments)
