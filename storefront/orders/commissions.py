"""Made to order, as named actions beside the order lifecycle: request, quote, accept, deposit paid,
progress, finished, balance paid, and the ways it goes wrong (declined, expired, cancelled, not finished,
unpaid balance decided).

    request_commission / send_quote / decline / accept          the conversation          (commit)
    deposit_paid(commission_id, session, source)                advance owed to her       (commits)
    post_progress / mark_finished                               her work, the buyer told  (commit)
    open_balance_order(commission)                              a pending order: lifecycle.start_checkout
    balance_paid(commission_id, order_id, facts, source)        her share's rest; lifecycle.record_payment
    cancel_by_buyer / cannot_finish / decide_unpaid_balance     deposit refunded (the door asked Stripe first)
    deposit_refunds / balance_refunded                          refunds Stripe reports (dashboard included)
    expire_quote / flag_unpaid_balance / sweep                  `flask commissions sweep`, from cron

Every status change goes through `transition` (allowed moves only, audited); emails are queued in the
same transaction through the durable outbox (`queue_email`, keyed, so a replay queues nothing). The
balance is an ordinary order of the lifecycle: paid, shipped and refunded like any other. Nothing here
speaks to Stripe: the doors (`storefront.commissions` pages, `storefront.payments` webhooks) ask the
network first and pass what it said.
"""
import secrets
from dataclasses import replace
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import func, select

from storefront.accounts.services import audit
from storefront.cooperative import fee_policy, get_settings
from storefront.earnings import ledger
from storefront.extensions import db
from storefront.media import audio
from storefront.media.pipeline import ImageRejected, store_image
from storefront.mail import queue_email
from storefront.models import (Artisan, Commission, CommissionPost, CommissionStatus, OPEN_STATUSES, Order,
                               OrderLine, Product, ProductStatus, ProductTranslation, now_utc)
from storefront.formatting import money_formatter
from storefront.money import BUYER_CURRENCIES, commission_terms, suggested_price
from storefront.orders import lifecycle
from storefront.orders.actions import absolute_url
from storefront.orders.holds import SESSION_MINUTES
from storefront.pricing import price_in
from storefront.voice.stories import remove_unused_files

C = CommissionStatus
ALLOWED = {
    C.REQUESTED: {C.QUOTED, C.DECLINED},
    C.QUOTED: {C.QUOTED, C.ACCEPTED, C.DECLINED, C.EXPIRED},
    # Accepted: the deposit session is open. A deposit landing after expiry is still money taken.
    C.ACCEPTED: {C.IN_PROGRESS, C.EXPIRED, C.CANCELLED},
    C.EXPIRED: {C.IN_PROGRESS},
    C.IN_PROGRESS: {C.FINISHED, C.CANCELLED, C.NOT_FINISHED},
    C.FINISHED: {C.COMPLETED, C.NOT_FINISHED, C.SOLD_IN_SHOP, C.REFUNDED},
    # Paid in full, then deposit and balance both refunded (outside Telar, or the balance by staff).
    C.COMPLETED: {C.REFUNDED}, C.DECLINED: set(), C.CANCELLED: set(), C.NOT_FINISHED: set(),
    C.SOLD_IN_SHOP: set(), C.REFUNDED: set(),
}
CLOSED = {C.COMPLETED, C.DECLINED, C.EXPIRED, C.CANCELLED, C.NOT_FINISHED, C.SOLD_IN_SHOP, C.REFUNDED}
MAX_TEXT = 2000


class CommissionRefused(ValueError):
    """An action the commission refuses; `code` says why (views turn it into a sentence)."""

    def __init__(self, code, **details):
        super().__init__(code)
        self.code = code
        self.details = details


def can_transition(commission, wanted) -> bool:
    return C(wanted) in ALLOWED[C(commission.status)]


def transition(commission, wanted, actor=None, note=None):
    """Move to `wanted` (not committed), audited; CommissionRefused("not_allowed") otherwise."""
    wanted = C(wanted)
    if not can_transition(commission, wanted):
        raise CommissionRefused("not_allowed", current=commission.status, wanted=wanted.value)
    before = commission.status
    commission.status = wanted.value
    if wanted in CLOSED:
        commission.closed_at = now_utc()
    audit(f"commission.{wanted.value}", "commission", commission.id, artisan_id=commission.artisan_id,
          actor=actor, changes={"status": [before, wanted.value]}, note=note)
    return commission


def lock(commission_id: int):
    """The commission row, locked for the rest of the transaction (PostgreSQL)."""
    return db.session.execute(select(Commission).where(Commission.id == commission_id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one_or_none()


def open_count(artisan_id: int) -> int:
    return int(db.session.scalar(select(func.count(Commission.id)).where(
        Commission.artisan_id == artisan_id, Commission.status.in_(OPEN_STATUSES))))


def takes_commissions(artisan: Artisan) -> bool:
    """She accepts commissions and has room under her cap."""
    return bool(artisan.active and artisan.accepts_commissions
                and open_count(artisan.id) < artisan.commission_cap)


def commission_url(commission) -> str:
    """The buyer's link (absolute, for emails)."""
    return absolute_url("commissions.buyer_page", token=commission.public_token)


def _buyer_mail(commission, template, subject, key=None, **context):
    queue_email(commission.buyer_email, subject, template, commission.locale,
                key=f"commission:{commission.id}:{key or template}", commission=commission, **context,
                url=commission_url(commission),
                money=lambda amount, currency: money_formatter(currency, commission.locale)(amount))


def _coop_mail(commission, subject, key):
    queue_email(current_app.config["COOPERATIVE_EMAIL"], subject, "commission_notice", "es",
                key=f"commission:{commission.id}:notice:{key}", commission=commission,
                money=lambda amount, currency: money_formatter(currency, "es", buyer=False)(amount))


def _clean(text, limit=MAX_TEXT):
    return (text or "").strip()[:limit]


def request_commission(artisan: Artisan, size: str, colours: str, notes: str, buyer_email: str, country: str,
                       locale: str, currency: str, reference_product: Product = None,
                       photo: bytes = None) -> Commission:
    """A buyer's request; refused when she does not take commissions or is at her cap.

    A reference photo goes through the image pipeline (verified, metadata stripped) before it is kept.
    """
    size, colours, notes = _clean(size, 80), _clean(colours, 200), _clean(notes)
    buyer_email = _clean(buyer_email, 254)
    if not size or not colours:
        raise CommissionRefused("size_and_colours_required")
    if "@" not in buyer_email or " " in buyer_email:
        raise CommissionRefused("bad_email")
    if currency not in BUYER_CURRENCIES:
        raise CommissionRefused("unknown_currency")
    if reference_product is not None and reference_product.artisan_id != artisan.id:
        raise CommissionRefused("not_hers")
    stored = store_image(photo) if photo else None  # ImageRejected goes to the view
    db.session.execute(select(Artisan.id).where(Artisan.id == artisan.id).with_for_update())
    if not takes_commissions(artisan):
        raise CommissionRefused("not_taking_commissions")
    commission = Commission(
        public_token=secrets.token_urlsafe(32), artisan_id=artisan.id, status=C.REQUESTED.value, size=size,
        colours=colours, notes=notes, buyer_email=buyer_email, buyer_country=(country or "")[:2].upper(),
        locale=locale, currency=currency,
        reference_product_id=reference_product.id if reference_product is not None else None,
        reference_photo_hash=stored.content_hash if stored else None,
        reference_photo_path=stored.original_path if stored else None,
        reference_photo_width=stored.width if stored else None)
    db.session.add(commission)
    db.session.flush()
    audit("commission.requested", "commission", commission.id, artisan_id=artisan.id)
    with force_locale(locale):
        _buyer_mail(commission, "commission_requested",
                    _("Your request to %(name)s", name=artisan.display_name))
    with force_locale("es"):
        _coop_mail(commission, _("New commission request %(number)s", number=commission.id), "requested")
    db.session.commit()
    return commission


def quote_advice(materials_cost: int, hours: int, hourly_rate: int):
    """The fair-price calculator's suggestion at her hourly rate (never below the cooperative's)."""
    policy = fee_policy()
    policy = replace(policy, fair_hourly_rate=max(hourly_rate or 0, policy.fair_hourly_rate))
    return policy, suggested_price(materials_cost, hours, policy)


def send_quote(commission: Commission, actor, materials_cost: int, hours: int, hourly_rate: int, weeks: int,
               deposit_bp: int, price: int = None, message: str = "") -> Commission:
    """Her answer: a price built by the calculator (or one she types, not below it), weeks, deposit share."""
    settings = get_settings()
    if not (0 <= materials_cost <= 10_000_000 and 1 <= hours <= 2000 and 1 <= weeks <= 52):
        raise CommissionRefused("quote_out_of_range")
    if not settings.commission_deposit_min_bp <= deposit_bp <= 10_000:
        raise CommissionRefused("deposit_too_small", minimum=settings.commission_deposit_min_bp)
    policy, suggested = quote_advice(materials_cost, hours, hourly_rate)
    if price is not None and price < suggested:
        raise CommissionRefused("price_below_fair", suggested=suggested)
    commission = lock(commission.id)
    transition(commission, C.QUOTED, actor=actor)
    commission.materials_cost_mxn, commission.hours_of_work = materials_cost, hours
    commission.hourly_rate_mxn = policy.fair_hourly_rate
    commission.price_mxn = price if price is not None else suggested
    commission.weeks_of_work, commission.deposit_bp = weeks, deposit_bp
    commission.quote_message = _clean(message) or None
    commission.quoted_at, commission.quoted_by_id = now_utc(), actor.id
    commission.quote_expires_at = now_utc() + timedelta(days=settings.quote_valid_days)
    with force_locale(commission.locale):
        _buyer_mail(commission, "commission_quoted",
                    _("%(name)s can make it for you: her quote", name=commission.artisan.display_name))
    db.session.commit()
    return commission


def quoted_price(commission: Commission):
    """The quote in the buyer's currency at today's rate (frozen only when she accepts)."""
    if commission.total_amount is not None:
        return commission.total_amount, commission.currency
    price = price_in(commission.price_mxn, commission.currency)
    return price.amount, price.currency


def decline(commission: Commission, actor, reason: str = "") -> Commission:
    commission = lock(commission.id)
    transition(commission, C.DECLINED, actor=actor, note=_clean(reason) or None)
    with force_locale(commission.locale):
        _buyer_mail(commission, "commission_declined",
                    _("%(name)s cannot take your request", name=commission.artisan.display_name))
    db.session.commit()
    return commission


def accept(commission: Commission, today=None) -> Commission:
    """The buyer accepts: the exchange rate and every amount are frozen on the commission."""
    commission = lock(commission.id)
    if commission.status == C.ACCEPTED.value:
        return commission   # a second click reuses the frozen terms
    if commission.status != C.QUOTED.value:
        raise CommissionRefused("not_allowed", current=commission.status)
    if commission.quote_expires_at is not None and commission.quote_expires_at <= (today or now_utc()):
        transition(commission, C.EXPIRED, note="quote expired before acceptance")
        db.session.commit()
        raise CommissionRefused("quote_expired")
    price = price_in(commission.price_mxn, commission.currency)
    terms = commission_terms(commission.price_mxn, commission.deposit_bp, price.rate, price.currency,
                             fee_policy())
    commission.currency = price.currency
    commission.exchange_rate, commission.exchange_rate_id = terms.rate, price.rate_id
    commission.total_amount, commission.deposit_amount, commission.balance_amount = \
        terms.total, terms.deposit, terms.balance
    commission.deposit_mxn, commission.balance_mxn = terms.deposit_mxn, terms.balance_mxn
    commission.commission_bp = terms.commission_bp
    commission.artisan_share_mxn, commission.advance_mxn, commission.remaining_share_mxn = \
        terms.artisan_share, terms.advance, terms.remaining_share
    commission.accepted_at = now_utc()
    transition(commission, C.ACCEPTED, note=f"rate {terms.rate} {terms.currency}")
    db.session.commit()
    return commission


def record_session(commission: Commission, part: str, session_id: str):
    """Remember the provider's checkout session of the deposit or the balance (committed)."""
    commission = lock(commission.id)
    setattr(commission, f"{part}_session_id", session_id)
    db.session.commit()


def deposit_paid(commission_id: int, session: dict, source="webhook", announce=True) -> str:
    """The deposit is in: work may start, and her advance is owed to her at once (committed, idempotent).

    `announce=False` when a refund of it overtook the payment's own webhook: the payment is recorded so
    the refund can follow it, without telling anyone that work starts."""
    commission = lock(commission_id)
    outcome = (_record_deposit(commission, session, source, announce) if commission is not None
               else "unknown_commission")
    db.session.commit()
    return outcome


def _record_deposit(commission, session, source, announce=True):
    if commission.deposit_paid_at is not None:
        return "already_paid"
    if session.get("payment_status") != "paid":
        return "not_paid"
    if commission.deposit_session_id not in (None, session.get("id")):
        return "other_session"
    paid = (session.get("amount_total"), str(session.get("currency") or "").upper())
    if paid != (commission.deposit_amount, commission.currency) \
            or not can_transition(commission, C.IN_PROGRESS):
        audit("commission.needs_review", "commission", commission.id, artisan_id=commission.artisan_id,
              note=f"{source}: deposit {paid[0]} {paid[1]} while {commission.status}")
        return "needs_review"
    commission.deposit_session_id = commission.deposit_session_id or session.get("id")
    commission.deposit_payment_intent_id = session.get("payment_intent")
    commission.deposit_paid_at = now_utc()
    transition(commission, C.IN_PROGRESS, note=source)
    ledger.credit_advance(commission)
    if not announce:
        return "deposit_paid"
    with force_locale(commission.locale):
        _buyer_mail(commission, "commission_deposit_paid",
                    _("Deposit received: %(name)s starts your garment", name=commission.artisan.display_name))
    with force_locale("es"):
        _coop_mail(commission, _("Deposit paid for commission %(number)s: pay her advance",
                                 number=commission.id), "deposit_paid")
    return "deposit_paid"


def post_progress(commission: Commission, actor, note: str, photo: bytes = None,
                  voice: bytes = None) -> CommissionPost:
    """A dated photo, voice note or written note from her; the buyer sees it on her page and is emailed.

    The recording goes through the voice stories' checks (storefront.media.audio: a real recording of
    1 s to 3 min, at most 12 MB, transcoded to Opus with every tag left behind) and the photo through the
    image pipeline, both before the row is locked; a refused one raises (AudioRejected, ImageRejected)
    with no file kept and nothing written.
    """
    note = _clean(note)
    if not note and not photo and not voice:
        raise CommissionRefused("note_or_photo_required")
    if commission.status != C.IN_PROGRESS.value:   # before any transcoding; checked again under the lock
        raise CommissionRefused("not_in_progress")
    recording = audio.store_audio(voice) if voice else None
    try:
        stored = store_image(photo) if photo else None
    except ImageRejected:
        if recording is not None:
            remove_unused_files({recording.content_hash})
        raise
    commission = lock(commission.id)
    if commission.status != C.IN_PROGRESS.value:
        raise CommissionRefused("not_in_progress")
    post = CommissionPost(commission_id=commission.id, author_id=actor.id, note=note,
                          photo_hash=stored.content_hash if stored else None,
                          photo_path=stored.original_path if stored else None,
                          photo_width=stored.width if stored else None,
                          voice_hash=recording.content_hash if recording else None,
                          voice_duration_ms=recording.duration_ms if recording else None)
    db.session.add(post)
    db.session.flush()
    audit("commission.progress", "commission", commission.id, artisan_id=commission.artisan_id, actor=actor,
          changes={"seconds": [None, recording.duration_ms // 1000]} if recording else None)
    with force_locale(commission.locale):
        _buyer_mail(commission, "commission_progress",
                    _("News from %(name)s about your garment", name=commission.artisan.display_name),
                    key=f"progress:{post.id}", post=post)
    db.session.commit()
    return post


def mark_finished(commission: Commission, actor, title: str = "") -> Commission:
    """The garment is done: it becomes her product (not in the shop); the buyer gets the balance link."""
    commission = lock(commission.id)
    transition(commission, C.FINISHED, actor=actor)
    commission.finished_at = now_utc()
    title = _clean(title, 200) or f"{commission.colours} ({commission.size})"[:200]
    # Category and technique of the garment she was asked to copy (or her latest), for the shop should
    # the balance never be paid and the garment be sold there.
    reference = commission.reference_product or db.session.scalar(
        select(Product).where(Product.artisan_id == commission.artisan_id)
        .order_by(Product.id.desc()).limit(1))
    slug = f"encargo-{commission.id}-{secrets.token_hex(3)}"
    product = Product(artisan_id=commission.artisan_id, slug=slug,
                      category=reference.category if reference else "huipil",
                      technique=reference.technique if reference else "backstrap_loom", sizes=commission.size,
                      hours_of_work=commission.hours_of_work or 0,
                      materials_cost_amount=commission.materials_cost_mxn, price_amount=commission.price_mxn,
                      stock=0, status=ProductStatus.DRAFT.value)
    product.translations.append(ProductTranslation(locale="es", title=title, story=commission.notes or ""))
    db.session.add(product)
    db.session.flush()
    commission.made_product_id = product.id
    with force_locale(commission.locale):
        _buyer_mail(commission, "commission_finished",
                    _("Your garment is ready: pay the balance and we ship it"))
    db.session.commit()
    return commission


def open_balance_order(commission: Commission) -> Order:
    """The order that the balance pays and that ships the garment: pending, its terms frozen by the
    lifecycle (no stock held: the garment is hers, made for this buyer). Reused on a second click."""
    if commission.status != C.FINISHED.value:
        raise CommissionRefused("not_allowed", current=commission.status)
    if commission.order_id is not None:
        order = db.session.get(Order, commission.order_id)
        if order.status == "pending":
            return order
        raise CommissionRefused("not_allowed", current=order.status)
    product = db.session.get(Product, commission.made_product_id)
    title = next((t.title for t in product.translations if t.locale == "es"), product.slug)
    order = Order(public_token=secrets.token_urlsafe(32), buyer_email=commission.buyer_email,
                  locale=commission.locale, currency=commission.currency,
                  subtotal_amount=commission.balance_amount, shipping_amount=0,
                  total_amount=commission.balance_amount, exchange_rate=commission.exchange_rate,
                  exchange_rate_id=commission.exchange_rate_id, shipping_country=commission.buyer_country,
                  note=f"commission {commission.id}: balance (deposit paid on the commission)")
    order.lines.append(OrderLine(product_id=product.id, artisan_id=commission.artisan_id, title=title,
                                 quantity=1, unit_price_mxn=commission.balance_mxn,
                                 unit_amount=commission.balance_amount,
                                 line_amount=commission.balance_amount))
    lifecycle.start_checkout(order, {})
    commission = lock(commission.id)
    commission.order_id = order.id
    db.session.commit()
    return order


def balance_paid(commission_id: int, order_id: int, payment, source="webhook") -> str:
    """The balance is in: the rest of her share is credited (exactly her share less the advance), then the
    lifecycle records the payment of the order like any other (paid, emails, shipped later), in one
    transaction. `payment` is the lifecycle's PaymentFacts, fetched before any lock."""
    commission = lock(commission_id)
    if commission is None or commission.order_id != order_id:
        db.session.commit()
        return "unknown_commission"
    if commission.balance_paid_at is not None:
        db.session.commit()
        return "already_paid"
    order = db.session.get(Order, order_id)
    matches = (payment.paid and payment.amount == commission.balance_amount
               and payment.currency.upper() == commission.currency
               and order.status in lifecycle.UNPAID_STATES)
    if matches and can_transition(commission, C.COMPLETED):
        commission.balance_session_id = commission.balance_session_id or payment.checkout_session_id
        commission.balance_payment_intent_id = payment.payment_intent_id
        commission.balance_paid_at = now_utc()
        transition(commission, C.COMPLETED, note=source)
        # Keyed like any sale ("sale:line:<id>"), so the lifecycle's credit_sale finds it done.
        ledger.credit_commission_balance(commission, order.lines[0])
        with force_locale(commission.locale):
            _buyer_mail(commission, "commission_balance_paid",
                        _("Balance received: your garment is on its way to you soon"))
        with force_locale("es"):
            _coop_mail(commission, _("Balance paid for commission %(number)s: ship it",
                                     number=commission.id), "balance_paid")
    elif payment.paid:
        audit("commission.needs_review", "commission", commission.id, artisan_id=commission.artisan_id,
              note=f"{source}: balance {payment.amount} {payment.currency} while {commission.status}")
    return lifecycle.record_payment(order_id, payment, source)   # commits all of the above


def refundable_deposit(commission: Commission) -> int:
    """What of the deposit can still be given back (the door asks Stripe for it before the action)."""
    if not commission.deposit_payment_intent_id:
        return 0
    return max(0, (commission.deposit_amount or 0) - commission.amount_refunded)


def check_buyer_may_cancel(commission: Commission):
    """Before work starts only: accepted, or deposit paid and nothing posted yet."""
    if commission.status not in (C.ACCEPTED.value, C.IN_PROGRESS.value) or commission.posts:
        raise CommissionRefused("work_started")


def _count_refunded(commission, refunded_total: int):
    """What Stripe says was refunded of the deposit so far (a running total, never added twice: the
    webhook and the door that asked for the refund may each report it, in either order)."""
    commission.amount_refunded = max(commission.amount_refunded, refunded_total or 0)


def _settle_advance_by_policy(commission, reason: str):
    """The advance of a commission the buyer got her deposit back for: reversed against her future
    earnings, or written off with `reason`, as the cooperative's settings say (not committed)."""
    policy = get_settings().advance_cancellation_policy
    if commission.deposit_paid_at is not None:
        ledger.settle_advance(commission, keep=policy == "write_off", reason=reason)
        commission.decision_reason = commission.decision_reason or f"advance: {policy}"
    return policy


def cancel_by_buyer(commission: Commission, refunded_total: int) -> Commission:
    """The buyer cancels before work starts: `refunded_total` (minor units) of the deposit was given back
    by the door; the advance is settled by the cooperative's policy (reversed against her future
    earnings, or written off with a reason)."""
    check_buyer_may_cancel(commission)
    commission = lock(commission.id)
    if commission.status not in (C.ACCEPTED.value, C.IN_PROGRESS.value):
        raise CommissionRefused("not_allowed", current=commission.status)
    _count_refunded(commission, refunded_total)
    with force_locale("es"):
        reason = _("Written off by the cooperative: the buyer cancelled commission %(number)s "
                   "before work started.", number=commission.id)
    policy = _settle_advance_by_policy(commission, reason)
    transition(commission, C.CANCELLED,
               note=f"buyer cancelled; refunded {commission.amount_refunded}; advance {policy}")
    with force_locale(commission.locale):
        _buyer_mail(commission, "commission_closed", _("Your commission is cancelled"))
    db.session.commit()
    return commission


def check_reason(reason: str) -> str:
    reason = _clean(reason)
    if not reason:
        raise CommissionRefused("reason_required")
    return reason


def cannot_finish(commission: Commission, actor, reason: str, refunded_total: int) -> Commission:
    """She cannot finish: the buyer was refunded in full by the door; her advance is kept as an
    adjustment carrying the reason."""
    reason = check_reason(reason)
    commission = lock(commission.id)
    transition(commission, C.NOT_FINISHED, actor=actor, note=reason)
    _count_refunded(commission, refunded_total)
    commission.decision_reason, commission.decided_by_id = reason, actor.id
    ledger.settle_advance(commission, keep=True, reason=reason, actor=actor)
    with force_locale(commission.locale):
        _buyer_mail(commission, "commission_closed", _("Your commission is cancelled"))
    db.session.commit()
    return commission


def balance_overdue(commission: Commission, now=None) -> bool:
    """The balance link went out long enough ago for the cooperative to decide (settings)."""
    return (commission.status == C.FINISHED.value and commission.finished_at is not None
            and commission.finished_at + timedelta(days=get_settings().balance_decision_days)
            <= (now or now_utc()))


def check_decision(commission: Commission, decision: str, reason: str, now=None) -> str:
    if decision not in ("sell", "refund"):
        raise CommissionRefused("unknown_decision")
    reason = check_reason(reason)
    if not balance_overdue(commission, now):
        raise CommissionRefused("too_early", days=get_settings().balance_decision_days)
    return reason


def decide_unpaid_balance(commission: Commission, actor, decision: str, reason: str,
                          refunded_total: int = 0, now=None) -> Commission:
    """The balance was never paid: sell the garment in the shop keeping the deposit, or refund the deposit
    (the door did, `refunded`) and sell it anyway. A recorded decision, once the settings' days passed."""
    reason = check_decision(commission, decision, reason, now)
    commission = lock(commission.id)
    transition(commission, C.SOLD_IN_SHOP if decision == "sell" else C.REFUNDED, actor=actor, note=reason)
    _count_refunded(commission, refunded_total)
    commission.decision_reason, commission.decided_by_id = f"{decision}: {reason}", actor.id
    if decision == "refund":
        ledger.settle_advance(commission, keep=get_settings().advance_cancellation_policy == "write_off",
                              reason=reason, actor=actor)
    product = db.session.get(Product, commission.made_product_id)
    product.stock, product.status, product.published_at = 1, ProductStatus.PUBLISHED.value, now_utc()
    order = db.session.get(Order, commission.order_id) if commission.order_id is not None else None
    pending = order is not None and order.status == "pending"
    if pending:   # the balance checkout nobody paid: the lifecycle expires it (and commits all of this)
        lifecycle.expire(commission.order_id, f"commission {commission.id}: balance unpaid, {decision}")
    db.session.commit()
    return commission


# -- refunds Stripe reports (the dashboard, or a door's own refund arriving first) -----------------------

TELAR_REFUND = "why"   # metadata a Telar door writes on the refunds it asks for (commissions.routes)


def deposit_refunds(commission_id: int, refunds: list, source: str = "webhook") -> str:
    """Stripe says the deposit's charge was refunded; `refunds` is every succeeded refund of that charge
    (lifecycle RefundFacts, oldest first). Replayed or reordered events change nothing: the refunded
    total is Stripe's own, set (never added) on the commission (committed).

    A refund a Telar door asked for (its metadata says why) is only counted: that door changes the state,
    with the reason and the person it alone knows. A refund made outside Telar (the Stripe dashboard) goes
    through the same moves as the doors: the whole deposit back before the balance cancels the commission
    (once finished: refunds it, its balance checkout expired), her advance settled by the cooperative's
    policy, as when the buyer cancels; once the balance is paid too, the advance is settled when the
    balance order is refunded as well. Part of a deposit is counted and sent to staff, never guessed at.
    """
    commission = lock(commission_id)
    if commission is None:
        db.session.commit()
        return "unknown_commission"
    if commission.deposit_paid_at is None:
        audit("commission.needs_review", "commission", commission.id, artisan_id=commission.artisan_id,
              note=f"{source}: deposit refunded but never recorded as paid")
        db.session.commit()
        return "needs_review"
    before = commission.amount_refunded
    _count_refunded(commission, sum(refund.amount for refund in refunds))
    if commission.amount_refunded != before:
        audit("commission.deposit_refunded", "commission", commission.id, artisan_id=commission.artisan_id,
              note=f"{source}: {commission.amount_refunded} of {commission.deposit_amount} "
                   f"{commission.currency} refunded")
    if commission.amount_refunded == before:
        outcome = "duplicate"     # a replay, or an event whose refunds were all counted already
    elif any(TELAR_REFUND in (refund.metadata or {}) for refund in refunds):
        outcome = "refund_counted"
    else:
        outcome = _refunded_outside(commission, source)
    db.session.commit()
    return outcome


def _refunded_outside(commission, source):
    """The moves a deposit refunded outside Telar calls for (not committed; see `deposit_refunds`)."""
    fully = commission.amount_refunded >= commission.deposit_amount
    status = C(commission.status)
    if status == C.COMPLETED:
        return _settle_whole_refund(commission, source) or _refund_for_staff(commission, source)
    if status in CLOSED:
        return "already_closed"
    if not fully or status not in (C.IN_PROGRESS, C.FINISHED):
        return _refund_for_staff(commission, source)
    with force_locale("es"):
        reason = _("Written off by the cooperative: the deposit of commission %(number)s was refunded "
                   "outside Telar.", number=commission.id)
    policy = _settle_advance_by_policy(commission, reason)
    wanted = C.CANCELLED if status == C.IN_PROGRESS else C.REFUNDED
    transition(commission, wanted, note=f"{source}: deposit refunded outside Telar; advance {policy}")
    with force_locale(commission.locale):
        _buyer_mail(commission, "commission_closed", _("Your commission is cancelled"))
    with force_locale("es"):
        _coop_mail(commission, _("Deposit of commission %(number)s refunded outside Telar",
                                 number=commission.id), f"refunded:{commission.amount_refunded}")
    order = db.session.get(Order, commission.order_id) if commission.order_id is not None else None
    if order is not None and order.status == "pending":
        # Its balance checkout must not be paid any more; the lifecycle expires it (and commits all this).
        lifecycle.expire(order.id, f"commission {commission.id}: deposit refunded outside Telar")
    return wanted.value


def _refund_for_staff(commission, source):
    """A refund that is not the whole of anything: counted, and the cooperative asked to look."""
    audit("commission.needs_review", "commission", commission.id, artisan_id=commission.artisan_id,
          note=f"{source}: {commission.amount_refunded} of the deposit refunded while {commission.status}")
    with force_locale("es"):
        _coop_mail(commission, _("Deposit of commission %(number)s refunded outside Telar",
                                 number=commission.id), f"refunded:{commission.amount_refunded}")
    return "needs_review"


def _settle_whole_refund(commission, source):
    """Paid in full, then deposit AND balance given back: her advance settled by the cooperative's policy
    (the lifecycle already took back the rest of her share with the balance order's refund)."""
    order = db.session.get(Order, commission.order_id) if commission.order_id is not None else None
    if (commission.status != C.COMPLETED.value or order is None
            or commission.amount_refunded < commission.deposit_amount
            or order.amount_refunded < order.total_amount):
        return None
    with force_locale("es"):
        reason = _("Written off by the cooperative: commission %(number)s was refunded in full.",
                   number=commission.id)
    policy = _settle_advance_by_policy(commission, reason)
    transition(commission, C.REFUNDED, note=f"{source}: deposit and balance refunded; advance {policy}")
    with force_locale("es"):
        _coop_mail(commission, _("Commission %(number)s refunded in full", number=commission.id),
                   "refunded_in_full")
    return C.REFUNDED.value


def balance_refunded(commission_id: int, source: str = "webhook") -> str:
    """After the lifecycle applied a refund of the balance order (which took back the rest of her share):
    if the deposit was refunded too, the whole commission is refunded and her advance settled
    (committed, idempotent)."""
    commission = lock(commission_id)
    outcome = (_settle_whole_refund(commission, source) if commission is not None else None) or "unchanged"
    db.session.commit()
    return outcome


# -- the periodic sweep (`flask commissions sweep`, from cron beside `holds sweep`) ----------------------

def _artisan_mail(commission, subject_text, key):
    """A note for her: to her login's email in her language, else to the cooperative, whose coordinator
    tells her (most artisans have no email)."""
    user = commission.artisan.user
    to, locale = (user.email, user.locale or "es") if user is not None and user.email else \
        (current_app.config["COOPERATIVE_EMAIL"], "es")
    with force_locale(locale):
        subject = subject_text()
    queue_email(to, subject, "commission_notice", locale, key=f"commission:{commission.id}:artisan:{key}",
                commission=commission,
                money=lambda amount, currency: money_formatter(currency, locale, buyer=False)(amount))


def expire_quote(commission_id: int, now=None, source="commissions sweep") -> str:
    """A quote past its expiry with no deposit: expired; the buyer and the artisan are told (committed).

    A quote the buyer accepted whose deposit never came expires too, once any Checkout Session she could
    have opened is over (SESSION_MINUTES after expiry); a deposit landing later is still taken
    (EXPIRED -> IN_PROGRESS). Idempotent: a second run finds nothing to do.
    """
    now = now or now_utc()
    commission = lock(commission_id)
    due = commission is not None and commission.quote_expires_at is not None and (
        (commission.status == C.QUOTED.value and commission.quote_expires_at <= now)
        or (commission.status == C.ACCEPTED.value and commission.deposit_paid_at is None
            and commission.quote_expires_at + timedelta(minutes=SESSION_MINUTES) <= now))
    if not due:
        db.session.commit()
        return "kept"
    transition(commission, C.EXPIRED, note=f"{source}: quote expired")
    with force_locale(commission.locale):
        _buyer_mail(commission, "commission_expired", _("The quote from %(name)s has expired",
                                                        name=commission.artisan.display_name))
    _artisan_mail(commission, lambda: _("The quote for commission %(number)s expired without a deposit",
                                        number=commission.id), "expired")
    db.session.commit()
    return "expired"


def flag_unpaid_balance(commission_id: int, now=None, source="commissions sweep") -> str:
    """The balance link went out the settings' days ago and nobody paid: the cooperative is told once that
    it may now decide (sell in the shop, or refund the deposit); nothing is decided here (committed)."""
    now = now or now_utc()
    commission = lock(commission_id)
    if (commission is None or commission.balance_flagged_at is not None
            or not balance_overdue(commission, now)):
        db.session.commit()
        return "kept"
    commission.balance_flagged_at = now
    audit("commission.balance_overdue", "commission", commission.id, artisan_id=commission.artisan_id,
          note=source)
    with force_locale("es"):
        _coop_mail(commission, _("Balance of commission %(number)s unpaid for %(days)d days: decide",
                                 number=commission.id, days=get_settings().balance_decision_days),
                   "balance_overdue")
    db.session.commit()
    return "flagged"


def sweep(now=None) -> dict:
    """Expire quotes past their date, flag balances unpaid past the settings' days, and settle any
    commission whose deposit and balance were both refunded but not settled yet (a crash between the
    balance order's refund and the commission's step). Each row in its own transaction; counts."""
    now = now or now_utc()
    summary = {"expired": 0, "flagged": 0, "refunded": 0}
    quotes = db.session.scalars(select(Commission.id).where(
        Commission.status.in_((C.QUOTED.value, C.ACCEPTED.value)), Commission.deposit_paid_at.is_(None),
        Commission.quote_expires_at <= now).order_by(Commission.id)).all()
    for commission_id in quotes:
        summary["expired"] += expire_quote(commission_id, now) == "expired"
    cutoff = now - timedelta(days=get_settings().balance_decision_days)
    unpaid = db.session.scalars(select(Commission.id).where(
        Commission.status == C.FINISHED.value, Commission.balance_flagged_at.is_(None),
        Commission.finished_at <= cutoff).order_by(Commission.id)).all()
    for commission_id in unpaid:
        summary["flagged"] += flag_unpaid_balance(commission_id, now) == "flagged"
    refunded = db.session.scalars(select(Commission.id).join(Order, Order.id == Commission.order_id).where(
        Commission.status == C.COMPLETED.value, Order.status == "refunded",
        Commission.amount_refunded >= Commission.deposit_amount).order_by(Commission.id)).all()
    for commission_id in refunded:
        summary["refunded"] += balance_refunded(commission_id, "commissions sweep") == C.REFUNDED.value
    db.session.commit()
    return summary
