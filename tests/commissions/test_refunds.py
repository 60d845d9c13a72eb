"""Refunds made outside Telar (the Stripe dashboard) reach a commission through the same webhook and the
same moves as its own doors: the deposit, the balance, both, in any order, replayed."""
import pytest
from sqlalchemy import select

from storefront.cooperative import get_settings
from storefront.extensions import db
from storefront.models import Order, OutboxEmail
from tests.commissions.test_journey import accept_and_pay, csrf, current, ledger, login, quote, request_one
from tests.commissions.test_when_it_goes_wrong import paid_commission


def refund_outside(live, intent, amount=None):
    """A refund typed into the Stripe dashboard: no Telar metadata; Stripe sends charge.refunded."""
    params = {"payment_intent": intent}
    if amount is not None:
        params["amount"] = amount
    refund = live.emulator.api("POST", "/v1/refunds", **params)
    assert refund["status"] == "succeeded", refund
    return refund


def mails(template):
    db.session.rollback()
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == template)).all()


def replay_refund_events(live):
    """Every refund event again, under a new id (a retried delivery), and as refund.created."""
    outcomes = []
    for event in live.emulator.events("charge.refunded"):
        outcomes.append(live.post_event(dict(event, id=event["id"] + "_again")).json()["outcome"])
        charge = event["data"]["object"]
        refund = live.emulator.api("GET", "/v1/refunds", charge=charge["id"])["data"][0]
        created = dict(event, id=event["id"] + "_refund", type="refund.created", data={"object": refund})
        outcomes.append(live.post_event(created).json()["outcome"])
    return outcomes


@pytest.mark.parametrize("policy", ["reverse", "write_off"])
def test_deposit_refunded_in_the_dashboard_cancels_and_settles_her_advance(live, weaver, policy):
    get_settings().advance_cancellation_policy = policy
    db.session.commit()
    _buyer, _maria, commission_id, _token = paid_commission(live, weaver)
    commission = current(commission_id)
    advance = commission.advance_mxn
    refund_outside(live, commission.deposit_payment_intent_id)
    commission = current(commission_id)
    assert commission.status == "cancelled" and commission.amount_refunded == commission.deposit_amount
    expected = [("advance", advance), ("advance", -advance)]
    if policy == "write_off":
        expected.append(("adjustment", advance))
    assert ledger(commission_id) == expected
    assert len(mails("commission_closed")) == 1
    # Replayed (new ids) and as refund events: nothing moves, nobody is emailed again.
    assert set(replay_refund_events(live)) == {"duplicate"}
    assert ledger(commission_id) == expected and len(mails("commission_closed")) == 1
    assert current(commission_id).amount_refunded == commission.deposit_amount


def test_part_of_the_deposit_goes_to_staff_then_the_rest_cancels(live, weaver):
    _buyer, _maria, commission_id, _token = paid_commission(live, weaver)
    commission = current(commission_id)
    intent, deposit, advance = commission.deposit_payment_intent_id, commission.deposit_amount, \
        commission.advance_mxn
    refund_outside(live, intent, amount=1000)
    commission = current(commission_id)
    assert (commission.status, commission.amount_refunded) == ("in_progress", 1000)
    assert ledger(commission_id) == [("advance", advance)]      # not guessed at: staff decide
    notices = {m.key: m.subject for m in mails("commission_notice")}    # to the cooperative, in Spanish
    assert "fuera de Telar" in notices[f"commission:{commission_id}:notice:refunded:1000"]
    refund_outside(live, intent)                                # the rest
    commission = current(commission_id)
    assert (commission.status, commission.amount_refunded) == ("cancelled", deposit)
    assert ledger(commission_id) == [("advance", advance), ("advance", -advance)]


def deposit_paid_with_webhooks_held(live, weaver):
    """A quoted commission whose deposit the buyer pays while Stripe holds its webhooks; she never
    comes back to the return page (tab closed). Returns the commission's id."""
    buyer, commission_id, token = request_one(live, weaver)
    quote(live, login(live, weaver.slug), commission_id)
    live.emulator.control("webhooks", deliver="0")
    page = f"{live.base_url}/commissions/{token}"
    started = buyer.post(f"{page}/accept", data={"csrf_token": csrf(buyer, page),
                                                 "specification_understood": "yes"}, allow_redirects=False)
    assert live.pay(buyer, started.headers["Location"], country="DE").status_code == 303
    return commission_id


def test_a_refund_that_overtakes_the_deposit_webhook(live, weaver):
    """The deposit's checkout.session.completed is late: charge.refunded arrives first."""
    commission_id = deposit_paid_with_webhooks_held(live, weaver)
    completed = live.emulator.events("checkout.session.completed")[0]
    intent = completed["data"]["object"]["payment_intent"]
    refund_outside(live, intent)
    assert current(commission_id).status == "accepted"
    live.emulator.control("webhooks", deliver="1")
    refunded = live.emulator.events("charge.refunded")[0]
    assert live.post_event(refunded).json()["outcome"] == "cancelled"
    commission = current(commission_id)
    advance = commission.advance_mxn
    assert commission.status == "cancelled" and commission.deposit_payment_intent_id == intent
    assert ledger(commission_id) == [("advance", advance), ("advance", -advance)]
    assert mails("commission_deposit_paid") == []      # nobody was told that work starts
    assert live.post_event(completed).json()["outcome"] == "already_paid"
    assert live.post_event(refunded).json()["outcome"] == "duplicate"
    assert current(commission_id).status == "cancelled" and len(ledger(commission_id)) == 2


def test_a_refund_of_someone_elses_payment_intent_is_not_this_commissions(live, weaver):
    _buyer, _maria, commission_id, _token = paid_commission(live, weaver)
    event = live.emulator.events("checkout.session.completed")[0]
    charge = {"id": "ch_forged", "object": "charge", "payment_intent": "pi_forged", "amount_refunded": 1,
              "metadata": {"commission_id": str(commission_id), "part": "deposit"}}
    forged = dict(event, id="evt_forged_refund", type="charge.refunded", data={"object": charge})
    assert live.post_event(forged).json()["outcome"] in ("unknown_order", "unknown_commission")
    assert current(commission_id).status == "in_progress" and current(commission_id).amount_refunded == 0


def finished_and_paid(live, weaver):
    buyer, maria, commission_id, token = paid_commission(live, weaver)
    studio = f"{live.base_url}/studio/commissions/{commission_id}"
    maria.post(f"{studio}/finished", data={"csrf_token": csrf(maria, studio)})
    accept_and_pay(live, buyer, token, part="balance")
    commission = current(commission_id)
    assert commission.status == "completed"
    return commission


@pytest.mark.parametrize("first", ["balance", "deposit"])
def test_whole_commission_refunded_in_either_order(live, weaver, first):
    commission = finished_and_paid(live, weaver)
    commission_id, advance, rest = commission.id, commission.advance_mxn, commission.remaining_share_mxn
    order = db.session.get(Order, commission.order_id)
    intents = {"balance": order.stripe_payment_intent_id, "deposit": commission.deposit_payment_intent_id}
    second = "deposit" if first == "balance" else "balance"
    refund_outside(live, intents[first])
    commission = current(commission_id)
    assert commission.status == "completed"                    # half of it back: for staff to look at
    if first == "balance":  # the lifecycle took back the rest of her share, as for any order's refund
        assert db.session.get(Order, commission.order_id).status == "refunded"
        assert ledger(commission_id)[-1] == ("refund", -rest)
    refund_outside(live, intents[second])
    commission = current(commission_id)
    assert commission.status == "refunded"
    assert db.session.get(Order, commission.order_id).status == "refunded"
    entries = ledger(commission_id)
    assert sorted(entries) == sorted([("advance", advance), ("sale", rest), ("refund", -rest),
                                      ("advance", -advance)])     # policy "reverse": nothing owed to her
    assert sum(amount for _kind, amount in entries) == 0
    replay_refund_events(live)
    assert current(commission_id).status == "refunded" and ledger(commission_id) == entries


def test_balance_refunded_alone_keeps_the_deposit_and_her_advance(live, weaver):
    commission = finished_and_paid(live, weaver)
    order = db.session.get(Order, commission.order_id)
    refund_outside(live, order.stripe_payment_intent_id)
    commission = current(commission.id)
    assert commission.status == "completed"
    assert ledger(commission.id) == [("advance", commission.advance_mxn),
                                     ("sale", commission.remaining_share_mxn),
                                     ("refund", -commission.remaining_share_mxn)]


def test_deposit_refunded_outside_once_finished_expires_the_balance_checkout(live, weaver):
    buyer, maria, commission_id, token = paid_commission(live, weaver)
    studio = f"{live.base_url}/studio/commissions/{commission_id}"
    maria.post(f"{studio}/finished", data={"csrf_token": csrf(maria, studio)})
    page = f"{live.base_url}/commissions/{token}"
    started = buyer.post(f"{page}/balance", data={"csrf_token": csrf(buyer, page)}, allow_redirects=False)
    assert started.status_code == 303
    commission = current(commission_id)
    refund_outside(live, commission.deposit_payment_intent_id)
    commission = current(commission_id)
    assert commission.status == "refunded"
    assert db.session.get(Order, commission.order_id).status == "expired"
    advance = commission.advance_mxn
    assert ledger(commission_id) == [("advance", advance), ("advance", -advance)]


def test_reconcile_records_a_deposit_whose_webhook_was_lost(live, weaver, runner):
    commission_id = deposit_paid_with_webhooks_held(live, weaver)
    assert current(commission_id).status == "accepted"
    result = runner.invoke(args=["stripe", "reconcile"])
    assert result.exit_code == 0 and "paid: 1" in result.output, result.output
    commission = current(commission_id)
    assert commission.status == "in_progress"
    assert ledger(commission_id) == [("advance", commission.advance_mxn)]
    assert "paid: 0" in runner.invoke(args=["stripe", "reconcile"]).output
    assert len(ledger(commission_id)) == 1
