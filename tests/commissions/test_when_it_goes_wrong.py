"""Cancelled before work starts, not finished, balance never paid, quotes that expire, caps: each an
allowed move, with the deposit refunded through the emulator and the advance settled in the ledger."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from storefront.cooperative import get_settings
from storefront.extensions import db
from storefront.models import Artisan, AuditEntry, Commission, Product, now_utc
from tests.commissions.test_journey import accept_and_pay, csrf, current, ledger, login, quote, request_one


def paid_commission(live, weaver):
    buyer, commission_id, token = request_one(live, weaver)
    maria = login(live, weaver.slug)
    quote(live, maria, commission_id)
    accept_and_pay(live, buyer, token)
    return buyer, maria, commission_id, token


def refunded_on_stripe(live, commission_id):
    intent = current(commission_id).deposit_payment_intent_id
    charge = live.emulator.api("GET", f"/v1/payment_intents/{intent}")["latest_charge"]
    return live.emulator.api("GET", f"/v1/charges/{charge}")["amount_refunded"]


@pytest.mark.parametrize("policy", ["reverse", "write_off"])
def test_buyer_cancels_before_work_starts(live, weaver, policy):
    get_settings().advance_cancellation_policy = policy
    db.session.commit()
    buyer, _maria, commission_id, token = paid_commission(live, weaver)
    advance = current(commission_id).advance_mxn
    page = f"{live.base_url}/commissions/{token}"
    response = buyer.post(f"{page}/cancel", data={"csrf_token": csrf(buyer, page)}, allow_redirects=True)
    assert "Your commission is cancelled" in response.text
    commission = current(commission_id)
    assert commission.status == "cancelled" and commission.amount_refunded == commission.deposit_amount
    assert refunded_on_stripe(live, commission_id) == commission.deposit_amount
    if policy == "reverse":   # taken back from her future earnings
        assert ledger(commission_id) == [("advance", advance), ("advance", -advance)]
    else:                      # written off: she keeps it, with the reason on the ledger
        assert ledger(commission_id) == [("advance", advance), ("advance", -advance), ("adjustment", advance)]
    # A second click (or a replayed form) refunds nothing more and writes nothing more.
    buyer.post(f"{page}/cancel", data={"csrf_token": csrf(buyer, page)})
    assert refunded_on_stripe(live, commission_id) == commission.deposit_amount
    assert len(ledger(commission_id)) == (2 if policy == "reverse" else 3)


def test_buyer_cannot_cancel_once_she_has_posted_progress(live, weaver):
    buyer, maria, commission_id, token = paid_commission(live, weaver)
    studio = f"{live.base_url}/studio/commissions/{commission_id}"
    maria.post(f"{studio}/progress", data={"note": "Empecé.", "csrf_token": csrf(maria, studio)})
    page = f"{live.base_url}/commissions/{token}"
    response = buyer.post(f"{page}/cancel", data={"csrf_token": csrf(buyer, page)}, allow_redirects=True)
    assert "Work has already started" in response.text and current(commission_id).status == "in_progress"


def test_artisan_cannot_finish_full_refund_and_her_advance_kept_with_a_reason(live, weaver):
    _buyer, maria, commission_id, _token = paid_commission(live, weaver)
    advance = current(commission_id).advance_mxn
    studio = f"{live.base_url}/studio/commissions/{commission_id}"
    empty = maria.post(f"{studio}/cannot-finish", data={"reason": " ", "csrf_token": csrf(maria, studio)})
    assert current(commission_id).status == "in_progress" and empty.status_code == 200
    maria.post(f"{studio}/cannot-finish", data={"reason": "Me enfermé.", "csrf_token": csrf(maria, studio)})
    commission = current(commission_id)
    assert commission.status == "not_finished"
    assert refunded_on_stripe(live, commission_id) == commission.deposit_amount
    assert ledger(commission_id) == [("advance", advance), ("advance", -advance), ("adjustment", advance)]
    kept = db.session.scalar(select(db.text("reason")).select_from(db.text("ledger_entries"))
                             .where(db.text("kind = 'adjustment'")))
    assert kept == "Me enfermé."


def test_unpaid_balance_decided_only_after_the_settings_days(live, weaver):
    _buyer, maria, commission_id, _token = paid_commission(live, weaver)
    studio = f"{live.base_url}/studio/commissions/{commission_id}"
    maria.post(f"{studio}/finished", data={"csrf_token": csrf(maria, studio)})
    coord = login(live, "coord")
    listing = f"{live.base_url}/coop/commissions"
    coord.get(f"{listing}?lang=en")   # staff pages open in Spanish; this test reads the English source
    early = coord.post(f"{listing}/{commission_id}/decision",
                       data={"decision": "sell", "reason": "No contesta", "csrf_token": csrf(coord, listing)},
                       allow_redirects=True)
    assert "too early" in early.text and current(commission_id).status == "finished"
    commission = current(commission_id)
    commission.finished_at = now_utc() - timedelta(days=get_settings().balance_decision_days + 1)
    db.session.commit()
    page = coord.get(listing, timeout=30).text
    assert "Overdue" in page
    coord.post(f"{listing}/{commission_id}/decision",
               data={"decision": "sell", "reason": "No contesta desde hace 31 días",
                     "csrf_token": csrf(coord, listing)})
    commission = current(commission_id)
    assert commission.status == "sold_in_shop" and commission.decision_reason.startswith("sell: ")
    product = db.session.get(Product, commission.made_product_id)
    assert (product.status, product.stock) == ("published", 1)
    assert refunded_on_stripe(live, commission_id) == 0           # the deposit is kept
    assert ledger(commission_id) == [("advance", commission.advance_mxn)]  # and so is her advance
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "commission.sold_in_shop"))


def test_refund_decision_gives_the_deposit_back(live, weaver):
    _buyer, maria, commission_id, _token = paid_commission(live, weaver)
    studio = f"{live.base_url}/studio/commissions/{commission_id}"
    maria.post(f"{studio}/finished", data={"csrf_token": csrf(maria, studio)})
    commission = current(commission_id)
    commission.finished_at = now_utc() - timedelta(days=31)
    db.session.commit()
    coord = login(live, "coord")
    listing = f"{live.base_url}/coop/commissions"
    coord.post(f"{listing}/{commission_id}/decision",
               data={"decision": "refund", "reason": "La compradora lo pidió",
                     "csrf_token": csrf(coord, listing)})
    commission = current(commission_id)
    assert commission.status == "refunded"
    assert refunded_on_stripe(live, commission_id) == commission.deposit_amount == commission.amount_refunded
    advance = commission.advance_mxn
    assert ledger(commission_id) == [("advance", advance), ("advance", -advance)]   # policy: reverse


def test_expired_quote_cannot_be_accepted(live, weaver):
    buyer, commission_id, token = request_one(live, weaver)
    quote(live, login(live, weaver.slug), commission_id)
    commission = current(commission_id)
    commission.quote_expires_at = now_utc() - timedelta(minutes=1)
    db.session.commit()
    page = f"{live.base_url}/commissions/{token}"
    assert "This quote has expired" in buyer.get(page).text
    response = buyer.post(f"{page}/accept", allow_redirects=True,
                          data={"csrf_token": csrf(buyer, page), "specification_understood": "yes"})
    assert "This quote has expired" in response.text and current(commission_id).status == "expired"


def test_requests_stop_at_her_cap_and_when_she_stops_taking_commissions(live, weaver):
    request_one(live, weaver)
    request_one(live, weaver)                       # cap 2 reached
    browser = live.browser()
    url = f"{live.base_url}/artisans/{weaver.slug}/commission"
    assert "not taking commissions" in browser.get(url).text
    assert "Ask her to make one for you" not in browser.get(f"{live.base_url}/artisans/{weaver.slug}").text
    artisan = db.session.get(Artisan, weaver.artisan_id)
    artisan.commission_cap, artisan.accepts_commissions = 5, False
    db.session.commit()
    assert "not taking commissions" in browser.get(url).text
    artisan.accepts_commissions = True
    db.session.commit()
    assert "Ask her to make one for you" in browser.get(f"{live.base_url}/artisans/{weaver.slug}?x=1").text


def test_a_price_below_the_fair_price_is_refused(live, weaver):
    _buyer, commission_id, _token = request_one(live, weaver)
    response = quote(live, login(live, weaver.slug), commission_id, price="1000")
    assert response.status_code == 422 and current(commission_id).status == "requested"
    assert db.session.scalar(select(Commission.price_mxn).where(Commission.id == commission_id)) is None
