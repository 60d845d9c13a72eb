"""Commission pages: thin views over `storefront.commissions.actions`.

Buyers reach theirs by an unguessable token; the studio (the artisan, or staff for her) quotes and posts
progress; the cooperative sees every commission by state, overdue ones first, and records decisions.
"""
from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import selectinload

from storefront.accounts.fields import choices
from storefront.accounts.permissions import EVERYONE_LOGGED_IN, PUBLIC, STAFF, allow, artisan_scope_or_404
from storefront.commissions import bp
from storefront.commissions.forms import (ArtisanSettingsForm, DecisionForm, ProgressForm, QuoteForm,
                                          ReasonForm, RequestForm)
from storefront.cooperative import get_settings
from storefront.extensions import db
from storefront.i18n import current_currency, current_locale
from storefront.media import audio
from storefront.media.pipeline import ImageRejected, derivative_widths, rejection_message
from storefront.media.urls import image_src
from storefront.models import Artisan, Commission, Product, now_utc
from storefront.formatting import money_formatter
from storefront.money import to_minor
from storefront.checkout import shipping
from storefront.orders import commissions as actions, lifecycle
from storefront.orders.commissions import C, CommissionRefused
from storefront.payments.client import PaymentsNotConfigured, StripeError
from storefront.payments.commission_payments import (create_commission_session, refund_payment,
                                                     retrieve_session)
from storefront.payments.fulfilment import fulfil_session
from storefront.web_ids import id_arg
from storefront.commissions.words import commission_status

REFUSALS = {
    "not_taking_commissions": lambda d: _("She is not taking commissions at the moment."),
    "size_and_colours_required": lambda d: _("Tell her your size and the colours you would like."),
    "bad_email": lambda d: _("That email address does not look right."),
    "quote_expired": lambda d: _("This quote has expired. Ask her again for a new one."),
    "deposit_too_small": lambda d: _("The deposit must be at least %(percent)d percent.",
                                     percent=d.get("minimum", 5000) // 100),
    "price_below_fair": lambda d: _("That price is below the fair price for your hours and materials."),
    "quote_out_of_range": lambda d: _("Check the hours, weeks and materials."),
    "note_or_photo_required": lambda d: _("Write a note, or add a photo or a voice note."),
    "not_in_progress": lambda d: _("This commission is not in progress."),
    "work_started": lambda d: _("Work has already started: write to the cooperative to cancel."),
    "reason_required": lambda d: _("Write the reason."),
    "too_early": lambda d: _("It is too early to decide: wait %(days)d days after the balance link.",
                             days=d.get("days", 0)),
    "unknown_decision": lambda d: _("Choose a decision."),
    "not_allowed": lambda d: _("That is not possible at this stage."),
    "not_hers": lambda d: _("That garment is not hers."),
    "unknown_currency": lambda d: _("That currency is not available."),
    "payments_unavailable": lambda d: _("Card payments are not available at the moment. Nothing was charged; "
                                        "please try again in a few minutes."),
}


def _refusal(refused):
    return REFUSALS.get(refused.code, REFUSALS["not_allowed"])(refused.details)


status_label = commission_status


@bp.app_template_global()
def takes_commissions(artisan):
    """For catalog pages: show "Ask her to make one for you" only when she can take one now."""
    return actions.takes_commissions(artisan)


def photo_url(content_hash, width):
    return image_src(content_hash, derivative_widths(width)[0]) if content_hash and width else None


def _by_token(token):
    commission = db.session.execute(select(Commission).where(Commission.public_token == token[:64]).options(
        selectinload(Commission.posts))).scalar_one_or_none()
    if commission is None:
        abort(404)
    return commission


def _photo_bytes(field_name):
    upload = request.files.get(field_name)
    return upload.read() if upload and upload.filename else None


def _voice_bytes():
    """Her recording, read at most one byte past the cap (the audio checks refuse it whole)."""
    upload = request.files.get("voice")
    return upload.read(audio.MAX_AUDIO_BYTES_PLUS_ONE) if upload and upload.filename else None


@bp.route("/artisans/<slug>/commission", methods=["GET", "POST"])
@allow(PUBLIC)
def new_request(slug):
    artisan = db.session.scalar(select(Artisan).where(Artisan.slug == slug[:80], Artisan.active))
    if artisan is None:
        abort(404)
    garment = None
    garment_slug = (request.args.get("garment") or "").strip()[:160]
    if garment_slug:
        garment = db.session.scalar(select(Product).where(Product.slug == garment_slug,
                                                          Product.artisan_id == artisan.id))
    locale = current_locale()
    form = RequestForm()
    countries = sorted(shipping.all_countries(locale).items(), key=lambda kv: kv[1])
    form.country.choices = choices([("", _("Choose…"))] + countries)
    if not actions.takes_commissions(artisan):
        return render_template("commissions/request.html", artisan=artisan, garment=garment, form=None), 200
    if form.validate_on_submit():
        try:
            commission = actions.request_commission(
                artisan, form.size.data, form.colours.data, form.notes.data, form.email.data,
                form.country.data, locale, current_currency(), reference_product=garment,
                photo=_photo_bytes("photo"))
        except ImageRejected as rejected:
            form.photo.errors = [rejection_message(rejected.code)]
        except CommissionRefused as refused:
            db.session.rollback()
            flash(_refusal(refused), "error")
        else:
            flash(_("Your request is on its way to %(name)s. We sent you an email with the link to "
                    "follow it.", name=artisan.display_name), "success")
            return redirect(url_for("commissions.buyer_page", token=commission.public_token), 303)
    return render_template("commissions/request.html", artisan=artisan, garment=garment, form=form), \
        422 if request.method == "POST" else 200


@bp.route("/commissions/<token>")
@allow(PUBLIC)
def buyer_page(token):
    commission = _by_token(token)
    session_id = (request.args.get("session_id") or "").strip()[:255]
    if session_id and session_id in (commission.deposit_session_id, commission.balance_session_id):
        # Back from Checkout: apply what Stripe says now (the webhook may lag; both are idempotent).
        try:
            fulfil_session(retrieve_session(session_id), "return page")
        except (StripeError, PaymentsNotConfigured):
            db.session.rollback()
        commission = _by_token(token)
    amount, currency = actions.quoted_price(commission) if commission.price_mxn else (None, None)
    return render_template(
        "commissions/buyer.html", commission=commission, artisan=commission.artisan, amount=amount,
        currency=currency, status_label=status_label, photo_url=photo_url,
        money=lambda a, c: money_formatter(c, current_locale())(a),
        can_cancel=commission.status in (C.ACCEPTED.value, C.IN_PROGRESS.value) and not commission.posts,
        expired=commission.quote_expires_at is not None and commission.quote_expires_at <= now_utc())


def _open_checkout(commission, part):
    name = commission.artisan.display_name
    title = (_("Deposit for your garment by %(name)s", name=name) if part == "deposit"
             else _("Balance for your garment by %(name)s", name=name))
    page = url_for("commissions.buyer_page", token=commission.public_token, _external=True)
    order = actions.open_balance_order(commission) if part == "balance" else None
    try:
        session = create_commission_session(commission, part, title,
                                            page + "?session_id={CHECKOUT_SESSION_ID}", page,
                                            order_id=order.id if order is not None else None)
    except (StripeError, PaymentsNotConfigured):
        flash(REFUSALS["payments_unavailable"]({}), "error")
        return redirect(page, 303)
    if order is not None:
        lifecycle.attach_checkout_session(order.id, session["id"])
    actions.record_session(commission, part, session["id"])
    return redirect(session["url"], 303)


def _refund_deposit(commission, why):
    """Give back what is left of the deposit through Stripe, before any lock (keyed: a retry refunds once).

    Returns what Stripe has refunded of the deposit so far. `why` rides in the refund's metadata: when
    Stripe's charge.refunded overtakes this call, the webhook only counts the money and leaves the state
    change to this door, which alone knows the reason and who asked.
    """
    before = commission.amount_refunded
    amount = actions.refundable_deposit(commission)
    if not amount:
        return before
    refund = refund_payment(commission.deposit_payment_intent_id, amount,
                            key=f"telar-commission-{commission.id}-refund-{why}",
                            metadata={"commission_id": str(commission.id), "part": "deposit", "why": why})
    return before + int(refund.get("amount") or 0)


@bp.route("/commissions/<token>/accept", methods=["POST"])
@allow(PUBLIC)
def accept(token):
    commission = _by_token(token)
    if request.form.get("specification_understood") != "yes":
        flash(_("Please confirm you understand it is made to your specification."), "error")
        return redirect(url_for("commissions.buyer_page", token=token), 303)
    try:
        commission = actions.accept(commission)
    except CommissionRefused as refused:
        flash(_refusal(refused), "error")
        return redirect(url_for("commissions.buyer_page", token=token), 303)
    return _open_checkout(commission, "deposit")


@bp.route("/commissions/<token>/balance", methods=["POST"])
@allow(PUBLIC)
def pay_balance(token):
    commission = _by_token(token)
    try:
        return _open_checkout(commission, "balance")
    except CommissionRefused as refused:
        db.session.rollback()
        flash(_refusal(refused), "error")
        return redirect(url_for("commissions.buyer_page", token=token), 303)


@bp.route("/commissions/<token>/cancel", methods=["POST"])
@allow(PUBLIC)
def buyer_cancel(token):
    commission = _by_token(token)

    def cancel():
        actions.check_buyer_may_cancel(commission)
        actions.cancel_by_buyer(commission, _refund_deposit(commission, "cancel"))
    _attempt(cancel, _("Your commission is cancelled. Any deposit you paid is being refunded."))
    return redirect(url_for("commissions.buyer_page", token=token), 303)


# --- the studio -----------------------------------------------------------------------------------------

def _commission_or_404(commission_id):
    commission = db.session.get(Commission, commission_id)
    if commission is None:
        abort(404)
    artisan_scope_or_404(commission.artisan_id)
    return commission


@bp.route("/studio/commissions")
@allow(*EVERYONE_LOGGED_IN)
def studio_list():
    query = (select(Commission).options(selectinload(Commission.artisan))
             .order_by(Commission.created_at.desc()))
    if not current_user.is_staff:
        query = query.where(Commission.artisan_id == current_user.artisan_id)
    commissions = db.session.scalars(query.limit(200)).all()
    artisan = db.session.get(Artisan, current_user.artisan_id) if current_user.artisan_id else None
    return render_template("commissions/studio_list.html", commissions=commissions, artisan=artisan,
                           status_label=status_label)


@bp.route("/studio/commissions/settings", methods=["GET", "POST"])
@allow(*EVERYONE_LOGGED_IN)
def studio_settings():
    artisan_id = id_arg("artisan") if current_user.is_staff else current_user.artisan_id
    artisan = db.session.get(Artisan, artisan_id) if artisan_id else None
    if artisan is None:
        abort(404)
    artisan_scope_or_404(artisan.id)
    form = ArtisanSettingsForm()
    if request.method == "GET":
        form.accepts.data, form.cap.data = artisan.accepts_commissions, artisan.commission_cap
    if form.validate_on_submit():
        artisan.accepts_commissions, artisan.commission_cap = bool(form.accepts.data), form.cap.data
        from storefront.accounts.services import audit
        audit("artisan.commission_settings", "artisan", artisan.id, artisan_id=artisan.id,
              changes={"accepts": [None, artisan.accepts_commissions], "cap": [None, artisan.commission_cap]})
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("commissions.studio_list"), 303)
    return render_template("commissions/studio_settings.html", form=form, artisan=artisan)


def _studio_page(commission, quote_form=None, progress_form=None, reason_form=None, status_code=200):
    settings = get_settings()
    if quote_form is None:
        quote_form = QuoteForm(formdata=None)
        quote_form.deposit_percent.data = settings.commission_deposit_min_bp // 100
        quote_form.hourly_rate.data = settings.fair_hourly_rate_amount / 100
    advice = None
    if commission.price_mxn:
        advice = commission.price_mxn
    return render_template(
        "commissions/studio_detail.html", commission=commission, quote_form=quote_form,
        progress_form=progress_form or ProgressForm(formdata=None),
        reason_form=reason_form or ReasonForm(formdata=None),
        status_label=status_label, photo_url=photo_url, advice=advice,
        mxn=money_formatter("MXN", "es_MX", buyer=False),
        buyer_money=lambda a, c: money_formatter(c, "es_MX", buyer=False)(a)), status_code


@bp.route("/studio/commissions/<int:commission_id>")
@allow(*EVERYONE_LOGGED_IN)
def studio_detail(commission_id):
    return _studio_page(_commission_or_404(commission_id))


@bp.route("/studio/commissions/<int:commission_id>/quote", methods=["POST"])
@allow(*EVERYONE_LOGGED_IN)
def studio_quote(commission_id):
    commission = _commission_or_404(commission_id)
    form = QuoteForm()
    if not form.validate_on_submit():
        return _studio_page(commission, quote_form=form, status_code=422)
    try:
        actions.send_quote(
            commission, current_user, to_minor(form.materials_cost.data, "MXN"), form.hours.data,
            to_minor(form.hourly_rate.data or 0, "MXN"), form.weeks.data, form.deposit_percent.data * 100,
            price=to_minor(form.price.data, "MXN") if form.price.data is not None else None,
            message=form.message.data)
    except CommissionRefused as refused:
        db.session.rollback()
        flash(_refusal(refused), "error")
        return _studio_page(commission, quote_form=form, status_code=422)
    flash(_("Your quote was sent to the buyer."), "success")
    return redirect(url_for("commissions.studio_detail", commission_id=commission.id), 303)


def _studio_action(commission_id, do, done_message):
    commission = _commission_or_404(commission_id)
    _attempt(lambda: do(commission), done_message)
    return redirect(url_for("commissions.studio_detail", commission_id=commission_id), 303)


def _attempt(do, done_message):
    """Run `do()` and flash `done_message`, or roll back and flash why it was refused, in her words."""
    try:
        do()
        flash(done_message, "success")
    except CommissionRefused as refused:
        db.session.rollback()
        flash(_refusal(refused), "error")
    except ImageRejected as rejected:
        db.session.rollback()
        flash(rejection_message(rejected.code), "error")
    except audio.AudioRejected as rejected:
        db.session.rollback()
        flash(audio.rejection_message(rejected.code), "error")
    except (StripeError, PaymentsNotConfigured):
        db.session.rollback()
        flash(REFUSALS["payments_unavailable"]({}), "error")


@bp.route("/studio/commissions/<int:commission_id>/decline", methods=["POST"])
@allow(*EVERYONE_LOGGED_IN)
def studio_decline(commission_id):
    return _studio_action(commission_id,
                          lambda c: actions.decline(c, current_user, request.form.get("reason", "")),
                          _("The buyer was told."))


@bp.route("/studio/commissions/<int:commission_id>/progress", methods=["POST"])
@allow(*EVERYONE_LOGGED_IN)
def studio_progress(commission_id):
    return _studio_action(commission_id, lambda c: actions.post_progress(
        c, current_user, request.form.get("note", ""), _photo_bytes("photo"), _voice_bytes()),
        _("Posted. The buyer was told."))


@bp.route("/studio/commissions/<int:commission_id>/finished", methods=["POST"])
@allow(*EVERYONE_LOGGED_IN)
def studio_finished(commission_id):
    return _studio_action(commission_id, lambda c: actions.mark_finished(c, current_user,
                                                                         request.form.get("title", "")),
                          _("The buyer got the link to pay the balance."))


@bp.route("/studio/commissions/<int:commission_id>/cannot-finish", methods=["POST"])
@allow(*EVERYONE_LOGGED_IN)
def studio_cannot_finish(commission_id):
    def close(commission):
        reason = actions.check_reason(request.form.get("reason", ""))
        if not actions.can_transition(commission, C.NOT_FINISHED):
            raise CommissionRefused("not_allowed")
        actions.cannot_finish(commission, current_user, reason, _refund_deposit(commission, "not-finished"))
    return _studio_action(commission_id, close, _("The buyer is refunded. You keep your advance."))


# --- the cooperative ------------------------------------------------------------------------------------

@bp.route("/coop/commissions")
@allow(*STAFF)
def coop_list():
    """Every commission by state, overdue first (balance unpaid past the settings' days, quote expired)."""
    settings = get_settings()
    now = now_utc()
    overdue = case(
        ((Commission.status == "finished")
         & (Commission.finished_at <= now - timedelta(days=settings.balance_decision_days)), 0),
        ((Commission.status == "quoted") & (Commission.quote_expires_at <= now), 0),
        else_=1)
    commissions = db.session.scalars(select(Commission).options(selectinload(Commission.artisan))
                                     .order_by(overdue, Commission.status, Commission.created_at)).all()
    by_state = {}
    for commission in commissions:
        by_state.setdefault(commission.status, []).append(commission)
    return render_template("commissions/coop_list.html", commissions=commissions, by_state=by_state,
                           settings=settings, status_label=status_label, overdue=actions.balance_overdue,
                           decision_form=DecisionForm(formdata=None),
                           mxn=money_formatter("MXN", "es_MX", buyer=False))


@bp.route("/coop/commissions/<int:commission_id>/decision", methods=["POST"])
@allow(*STAFF)
def coop_decision(commission_id):
    commission = db.session.get(Commission, commission_id)
    if commission is None:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Choose a decision and write the reason."), "error")
        return redirect(url_for("commissions.coop_list"), 303)

    def decide():
        reason = actions.check_decision(commission, form.decision.data, form.reason.data)
        refunded = (_refund_deposit(commission, "unpaid-balance") if form.decision.data == "refund"
                    else commission.amount_refunded)
        actions.decide_unpaid_balance(commission, current_user, form.decision.data, reason, refunded)
    _attempt(decide, _("Decision recorded."))
    return redirect(url_for("commissions.coop_list"), 303)


@bp.route("/coop/commissions/settings", methods=["POST"])
@allow(*STAFF)
def coop_settings():
    """The cooperative's rules: minimum deposit, what a cancelled advance becomes, days to decide."""
    settings = get_settings()
    try:
        minimum = int(request.form.get("deposit_min_percent", ""))
        days = int(request.form.get("balance_decision_days", ""))
        quote_days = int(request.form.get("quote_valid_days", ""))
    except ValueError:
        minimum = days = quote_days = -1
    policy = request.form.get("advance_policy", "")
    if not (50 <= minimum <= 100 and 1 <= days <= 365 and 1 <= quote_days <= 90
            and policy in ("reverse", "write_off")):
        flash(_("Check the settings: deposit 50 to 100 percent, days between 1 and 365."), "error")
        return redirect(url_for("commissions.coop_list"), 303)
    from storefront.accounts.services import audit
    audit("settings.commissions", "cooperative_settings", 1, changes={
        "commission_deposit_min_bp": [settings.commission_deposit_min_bp, minimum * 100],
        "advance_cancellation_policy": [settings.advance_cancellation_policy, policy],
        "balance_decision_days": [settings.balance_decision_days, days],
        "quote_valid_days": [settings.quote_valid_days, quote_days]})
    settings.commission_deposit_min_bp, settings.advance_cancellation_policy = minimum * 100, policy
    settings.balance_decision_days, settings.quote_valid_days = days, quote_days
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("commissions.coop_list"), 303)
