"""The ledger: sale shares, refund reversals, payouts and corrections, and the invariants that bind them."""
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from storefront.cooperative import fee_policy
from storefront.earnings import ledger
from storefront.extensions import db
from storefront.models import AuditEntry, LedgerEntry, Payout
from storefront.money import split_order
from tests.earnings.conftest import build_paid_order

TODAY = date(2026, 11, 21)


def entries(artisan_id):
    return db.session.scalars(select(LedgerEntry).where(LedgerEntry.artisan_id == artisan_id)
                              .order_by(LedgerEntry.id)).all()


def test_a_paid_order_credits_each_artisan_her_share_once(ctx, make):
    maria, juana = make.artisan(), make.artisan()
    huipil, blusa = make.product(maria, price_mxn=4800), make.product(juana, price_mxn=1200)
    order = build_paid_order([(huipil, 1), (blusa, 2)], shipping_mxn=45000)
    fee = fee_policy().estimated_fee(480000 + 240000 + 45000)
    ledger.credit_sale(order, fee)
    ledger.credit_sale(order, fee)  # a webhook delivered twice
    db.session.commit()
    split = split_order([480000, 240000], 45000, fee, 1500)
    assert ledger.balance(maria.id) == split.lines[0].artisan_share
    assert ledger.balance(juana.id) == split.lines[1].artisan_share
    assert [e.idempotency_key for e in entries(maria.id)] == [f"sale:line:{order.lines[0].id}"]
    assert entries(maria.id)[0].occurred_at == order.paid_at


def test_her_share_is_the_same_whatever_currency_the_buyer_paid_in(ctx, make):
    """Shares come from the peso prices frozen with the order, at the rate recorded with it."""
    artisan = make.artisan()
    in_pesos = build_paid_order([(make.product(artisan, price_mxn=1350), 1)])
    in_yen = build_paid_order([(make.product(artisan, price_mxn=1350), 1)], currency="JPY", rate="8.2")
    ledger.credit_sale(in_pesos, 5000)
    ledger.credit_sale(in_yen, 5000)
    db.session.commit()
    first, second = entries(artisan.id)
    assert first.amount == second.amount > 0


def test_refund_reverses_her_share_once_and_never_more(ctx, make):
    artisan = make.artisan()
    order = build_paid_order([(make.product(artisan, price_mxn=1000), 3)])
    ledger.credit_sale(order, 3000)
    share = ledger.balance(artisan.id)
    line = order.lines[0]
    first = ledger.reverse_refund(line, 1, "re_1")
    assert ledger.reverse_refund(line, 1, "re_1") is None  # same refund event again
    ledger.reverse_refund(line, 2, "re_2")
    ledger.reverse_refund(line, 1, "re_3")  # nothing left to reverse
    db.session.commit()
    assert first.amount < 0 and first.idempotency_key == f"refund:re_1:line:{line.id}"
    assert ledger.balance(artisan.id) == 0
    assert sum(-e.amount for e in entries(artisan.id) if e.kind == "refund") == share


def test_refund_of_a_line_never_credited_writes_nothing(ctx, make):
    order = build_paid_order([(make.product(price_mxn=900), 1)])
    assert ledger.reverse_refund(order.lines[0], 1, "re_x") is None


@pytest.mark.parametrize("amount, paid_on, code", [
    (0, TODAY, "amount_not_positive"),
    (-500, TODAY, "amount_not_positive"),
    (100, date(2026, 11, 22), "future_date"),
    (10_000_000, TODAY, "more_than_owed"),
])
def test_payout_refusals_write_nothing(ctx, make, staff, amount, paid_on, code):
    artisan = make.artisan()
    ledger.credit_sale(build_paid_order([(make.product(artisan, price_mxn=1000), 1)]), 0)
    db.session.commit()
    before = ledger.balance(artisan.id)
    with pytest.raises(ledger.LedgerRefused) as refused:
        ledger.record_payout(artisan.id, amount, "cash", staff["coordinator"], paid_on, TODAY)
    db.session.rollback()
    assert refused.value.code == code
    assert ledger.balance(artisan.id) == before
    assert db.session.scalar(select(func.count()).select_from(Payout)) == 0


def test_payout_of_what_she_is_owed_is_recorded_with_who_paid_and_audited(ctx, make, staff):
    artisan = make.artisan()
    ledger.credit_sale(build_paid_order([(make.product(artisan, price_mxn=1000), 1)]), 0)
    db.session.commit()
    owed = ledger.balance(artisan.id)
    payout = ledger.record_payout(artisan.id, owed, "mobile_money", staff["coordinator"], TODAY, TODAY,
                                  reference="SPEI 123")
    assert ledger.balance(artisan.id) == 0
    assert payout.paid_by_id == staff["coordinator"].id and payout.reference == "SPEI 123"
    entry = entries(artisan.id)[-1]
    assert entry.kind == "payout" and entry.amount == -owed and entry.payout_id == payout.id
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "payout.recorded")).one()
    assert audit.actor_id == staff["coordinator"].id and audit.artisan_id == artisan.id


def test_an_advance_needs_a_written_reason_which_the_ledger_keeps(ctx, make, staff):
    artisan = make.artisan()
    payout = ledger.record_payout(artisan.id, 50000, "cash", staff["admin"], TODAY, TODAY,
                                  overpay_reason="Adelanto acordado en asamblea para comprar hilo")
    assert ledger.balance(artisan.id) == -50000
    reason = [e for e in entries(artisan.id) if e.kind == "adjustment"]
    assert len(reason) == 1 and reason[0].amount == 0 and reason[0].payout_id == payout.id
    assert "asamblea" in reason[0].reason


def test_adjustment_needs_a_reason_and_a_non_zero_amount(ctx, make, staff):
    artisan = make.artisan()
    for amount, reason, code in [(1000, "  ", "reason_required"), (0, "Error de captura", "amount_zero")]:
        with pytest.raises(ledger.LedgerRefused) as refused:
            ledger.record_adjustment(artisan.id, amount, reason, staff["admin"])
        assert refused.value.code == code
    entry = ledger.record_adjustment(artisan.id, -2500, "Venta cobrada dos veces", staff["admin"])
    assert entry.reason == "Venta cobrada dos veces" and ledger.balance(artisan.id) == -2500


def test_the_database_refuses_an_adjustment_without_reason(ctx, make):
    """Even code that bypasses the actions cannot write a reasonless adjustment."""
    artisan = make.artisan()
    db.session.add(LedgerEntry(artisan_id=artisan.id, kind="adjustment", amount=100,
                               occurred_at=datetime.now()))
    with pytest.raises(Exception):
        db.session.commit()
    db.session.rollback()


operations = st.lists(st.one_of(
    st.tuples(st.just("order"),
              st.lists(st.tuples(st.integers(0, 2), st.integers(100, 8000), st.integers(1, 3)),
                       min_size=1, max_size=3), st.integers(0, 900), st.integers(0, 40000)),
    st.tuples(st.just("refund"), st.integers(0, 50), st.integers(1, 3)),
    st.tuples(st.just("payout"), st.integers(0, 2), st.integers(-100, 800_000), st.booleans()),
    st.tuples(st.just("adjust"), st.integers(0, 2), st.integers(-20000, 20000)),
), min_size=1, max_size=10)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=operations)
def test_ledger_invariants_over_random_orders_refunds_and_payouts(ctx, make, staff, ops):
    """Balance = credits − debits; no payout beyond what is owed unless an adjustment says why."""
    artisans = [make.artisan() for _ in range(3)]
    products = {}
    lines = []
    for op in ops:
        if op[0] == "order":
            _, wanted, shipping_pesos, fee = op
            chosen = []
            for who, price, quantity in wanted:
                product = make.product(artisans[who], price_mxn=price)
                products[product.id] = product
                chosen.append((product, quantity))
            order = build_paid_order(chosen, shipping_mxn=shipping_pesos * 100)
            ledger.credit_sale(order, fee)
            db.session.commit()
            lines.extend(order.lines)
        elif op[0] == "refund" and lines:
            line = lines[op[1] % len(lines)]
            ledger.reverse_refund(line, op[2], f"re_{len(lines)}_{op[1]}_{op[2]}")
            db.session.commit()
        elif op[0] == "payout":
            _, who, amount, with_reason = op
            try:
                ledger.record_payout(artisans[who].id, amount, "cash", staff["admin"], TODAY, TODAY,
                                     overpay_reason="Adelanto" if with_reason else "")
            except ledger.LedgerRefused:
                db.session.rollback()
        elif op[0] == "adjust":
            try:
                ledger.record_adjustment(artisans[op[1]].id, op[2], "Corrección", staff["admin"])
            except ledger.LedgerRefused:
                db.session.rollback()
    for artisan in artisans:
        rows = entries(artisan.id)
        credits = sum(e.amount for e in rows if e.amount > 0)
        debits = sum(-e.amount for e in rows if e.amount < 0)
        assert ledger.balance(artisan.id) == credits - debits
        running = 0
        for entry in rows:
            running += entry.amount
            if entry.kind == "payout" and running < 0:
                explained = [e for e in rows if e.kind == "adjustment" and e.payout_id == entry.payout_id]
                assert explained and explained[0].reason
            if entry.kind == "refund":
                line_total = sum(e.amount for e in rows if e.order_line_id == entry.order_line_id)
                assert line_total >= 0  # never more taken back than was credited
