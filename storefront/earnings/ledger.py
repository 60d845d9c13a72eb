"""The artisan ledger: append-only entries in MXN centavos, written only through the actions below.

Nothing here updates or deletes an entry; a correction is a new entry (`record_adjustment`).
`credit_sale` and `reverse_refund` join the caller's transaction (the order lifecycle commits the order
and its ledger entries together); `record_payout` and `record_adjustment` are staff actions that audit and
commit once.
"""
from datetime import date, datetime, time

from sqlalchemy import func, select

from storefront.accounts.services import audit
from storefront.extensions import db
from storefront.models import (Artisan, LedgerEntry, LedgerKind, Order, OrderLine, Payout, PayoutMethod,
                               now_utc)
from storefront.money import share_of_units, split_order

PAYOUT_METHODS = tuple(m.value for m in PayoutMethod)
MAX_REASON = 2000


class LedgerRefused(ValueError):
    """An action the ledger refuses; `code` says why (the view turns it into a sentence)."""

    def __init__(self, code, **details):
        super().__init__(code)
        self.code = code
        self.details = details


def balance(artisan_id: int) -> int:
    """What the cooperative owes her now: credits minus debits, in centavos (negative = an advance)."""
    return int(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0))
                                 .where(LedgerEntry.artisan_id == artisan_id)))


def _existing_keys(keys):
    if not keys:
        return set()
    return set(db.session.scalars(select(LedgerEntry.idempotency_key)
                                  .where(LedgerEntry.idempotency_key.in_(keys))))


def credit_sale(order: Order, fee_mxn: int) -> list[LedgerEntry]:
    """Credit each line of a paid order with her share (idempotent: key "sale:line:<line id>").

    `fee_mxn` is the processor fee for the whole charge, already in pesos (see `money.fee_in_mxn`). The
    commission is the one frozen on the order at checkout, never today's setting.
    """
    lines = list(order.lines)
    split = split_order([line.unit_price_mxn * line.quantity for line in lines], order.shipping_amount_mxn,
                        fee_mxn, order.commission_bp)
    keys = [f"sale:line:{line.id}" for line in lines]
    done = _existing_keys(keys)
    occurred_at = order.paid_at or now_utc()
    entries = []
    for line, part, key in zip(lines, split.lines, keys):
        if key in done:
            continue
        entry = LedgerEntry(artisan_id=line.artisan_id, kind=LedgerKind.SALE.value, amount=part.artisan_share,
                            order_line_id=line.id, idempotency_key=key, occurred_at=occurred_at)
        db.session.add(entry)
        entries.append(entry)
    db.session.flush()
    return entries


def reverse_refund(order_line: OrderLine, quantity: int, refund_id: str):
    """Take back her share of `quantity` refunded units (idempotent: key "refund:<refund id>:line:<id>").

    Returns the new entry, or None when it was already recorded or the line was never credited.
    """
    key = f"refund:{refund_id}:line:{order_line.id}"
    if _existing_keys([key]):
        return None
    credited = db.session.execute(select(LedgerEntry.amount, LedgerEntry.commission_id).where(
        LedgerEntry.idempotency_key == f"sale:line:{order_line.id}")).one_or_none()
    if credited is None:
        return None
    sale, commission_id = credited
    already = -int(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.order_line_id == order_line.id, LedgerEntry.kind == LedgerKind.REFUND.value)))
    amount = share_of_units(sale, order_line.quantity, quantity, already)
    # A commission's balance line: the reversal names the commission too, as the credit it takes back did.
    entry = LedgerEntry(artisan_id=order_line.artisan_id, kind=LedgerKind.REFUND.value, amount=-amount,
                        order_line_id=order_line.id, commission_id=commission_id, idempotency_key=key,
                        occurred_at=now_utc())
    db.session.add(entry)
    db.session.flush()
    return entry


def _lock_artisan(artisan_id):
    """Serialise money actions per artisan (PostgreSQL row lock; SQLite writes are serial anyway)."""
    artisan = db.session.scalar(select(Artisan).where(Artisan.id == artisan_id).with_for_update())
    if artisan is None:
        raise LedgerRefused("unknown_artisan")
    return artisan


def _clean_reason(reason):
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise LedgerRefused("reason_too_long", limit=MAX_REASON)
    return reason


def find_payout_by_key(key: str):
    """The payout already recorded under a form's idempotency key, if any."""
    return db.session.scalar(select(Payout).join(LedgerEntry, LedgerEntry.payout_id == Payout.id)
                             .where(LedgerEntry.idempotency_key == key))


def record_payout(artisan_id: int, amount: int, method: str, paid_by, paid_on: date, today: date,
                  reference: str = "", note: str = "", overpay_reason: str = "", key: str = "") -> Payout:
    """Record money handed to her, refused when zero, negative, dated in the future or beyond what is owed.

    Paying more than she is owed (an advance) needs `overpay_reason`: it is written as an adjustment
    entry of zero linked to the payout, so the ledger says why her balance went below zero.
    `key` (one per payout form shown) makes a double-submitted form record one payout, not two.
    """
    if key:
        existing = find_payout_by_key(f"payout:form:{key}")
        if existing is not None and existing.artisan_id == artisan_id:
            return existing
        if existing is not None:
            raise LedgerRefused("unknown_artisan")
    if not isinstance(amount, int) or amount <= 0:
        raise LedgerRefused("amount_not_positive")
    if method not in PAYOUT_METHODS:
        raise LedgerRefused("unknown_method")
    if paid_on > today:
        raise LedgerRefused("future_date")
    overpay_reason = _clean_reason(overpay_reason)
    _lock_artisan(artisan_id)
    owed = balance(artisan_id)
    if amount > owed and not overpay_reason:
        raise LedgerRefused("more_than_owed", owed=owed)
    payout = Payout(artisan_id=artisan_id, amount=amount, method=method,
                    reference=(reference or "").strip()[:120], note=(note or "").strip() or None,
                    paid_by_id=paid_by.id, paid_on=paid_on)
    db.session.add(payout)
    db.session.flush()
    occurred_at = datetime.combine(paid_on, time(12))
    db.session.add(LedgerEntry(artisan_id=artisan_id, kind=LedgerKind.PAYOUT.value, amount=-amount,
                               payout_id=payout.id,
                               idempotency_key=f"payout:form:{key}" if key else f"payout:{payout.id}",
                               created_by_id=paid_by.id, occurred_at=occurred_at))
    if amount > owed:
        db.session.add(LedgerEntry(artisan_id=artisan_id, kind=LedgerKind.ADJUSTMENT.value, amount=0,
                                   payout_id=payout.id, idempotency_key=f"payout:{payout.id}:overpay",
                                   reason=overpay_reason, created_by_id=paid_by.id, occurred_at=occurred_at))
    audit("payout.recorded", "payout", payout.id, artisan_id=artisan_id, actor=paid_by,
          changes={"amount": [None, amount], "method": [None, method], "owed_before": [None, owed]},
          note=overpay_reason or None)
    db.session.commit()
    return payout


def record_adjustment(artisan_id: int, amount: int, reason: str, created_by, occurred_on: date = None,
                      today: date = None) -> LedgerEntry:
    """A correction of either sign, never without a written reason."""
    reason = _clean_reason(reason)
    if not reason:
        raise LedgerRefused("reason_required")
    if not isinstance(amount, int) or amount == 0:
        raise LedgerRefused("amount_zero")
    if occurred_on and today and occurred_on > today:
        raise LedgerRefused("future_date")
    _lock_artisan(artisan_id)
    entry = LedgerEntry(artisan_id=artisan_id, kind=LedgerKind.ADJUSTMENT.value, amount=amount, reason=reason,
                        created_by_id=created_by.id,
                        occurred_at=datetime.combine(occurred_on, time(12)) if occurred_on else now_utc())
    db.session.add(entry)
    db.session.flush()
    audit("ledger.adjusted", "ledger_entry", entry.id, artisan_id=artisan_id, actor=created_by,
          changes={"amount": [None, amount]}, note=reason)
    db.session.commit()
    return entry


def credit_advance(commission) -> LedgerEntry | None:
    """Her share of a paid deposit, owed to her at once (idempotent: key "advance:commission:<id>")."""
    key = f"advance:commission:{commission.id}"
    if _existing_keys([key]) or not commission.advance_mxn:
        return None
    entry = LedgerEntry(artisan_id=commission.artisan_id, kind=LedgerKind.ADVANCE.value,
                        amount=commission.advance_mxn, commission_id=commission.id, idempotency_key=key,
                        occurred_at=commission.deposit_paid_at or now_utc())
    db.session.add(entry)
    db.session.flush()
    return entry


def credit_commission_balance(commission, order_line: OrderLine) -> LedgerEntry | None:
    """The rest of her share when the balance is paid, once (key "sale:line:<id>", like any sale)."""
    key = f"sale:line:{order_line.id}"
    if _existing_keys([key]):
        return None
    entry = LedgerEntry(artisan_id=commission.artisan_id, kind=LedgerKind.SALE.value,
                        amount=commission.remaining_share_mxn, order_line_id=order_line.id,
                        commission_id=commission.id, idempotency_key=key,
                        occurred_at=commission.balance_paid_at or now_utc())
    db.session.add(entry)
    db.session.flush()
    return entry


def settle_advance(commission, keep: bool, reason: str, actor=None) -> list[LedgerEntry]:
    """The advance of a commission that will not be finished or paid: taken back, or kept with a reason.

    Taken back: a negative advance entry, recovered from her future earnings. Kept: the advance is
    reversed and the same amount written as an adjustment carrying `reason`, so the ledger says why
    she keeps money for a garment nobody paid in full. Idempotent per commission.
    """
    key = f"advance:commission:{commission.id}:settled"
    paid = db.session.scalar(select(LedgerEntry.amount).where(
        LedgerEntry.idempotency_key == f"advance:commission:{commission.id}"))
    if not paid or _existing_keys([key]):
        return []
    entries = [LedgerEntry(artisan_id=commission.artisan_id, kind=LedgerKind.ADVANCE.value, amount=-paid,
                           commission_id=commission.id, idempotency_key=key, occurred_at=now_utc(),
                           created_by_id=actor.id if actor is not None else None)]
    if keep:
        reason = _clean_reason(reason)
        if not reason:
            raise LedgerRefused("reason_required")
        entries.append(LedgerEntry(artisan_id=commission.artisan_id, kind=LedgerKind.ADJUSTMENT.value,
                                   amount=paid, reason=reason, commission_id=commission.id,
                                   idempotency_key=f"{key}:kept", occurred_at=now_utc(),
                                   created_by_id=actor.id if actor is not None else None))
    db.session.add_all(entries)
    db.session.flush()
    return entries
