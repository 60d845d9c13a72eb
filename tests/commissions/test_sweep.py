"""`flask commissions sweep`: quotes expire by themselves (buyer and artisan emailed), balances unpaid past
the cooperative's days are flagged once for its decision; running it again changes nothing."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from storefront.cooperative import get_settings
from storefront.extensions import db
from storefront.models import Artisan, AuditEntry, Commission, OutboxEmail, User, now_utc
from storefront.orders import commissions
from tests.factories import PASSWORD


def quoted(weaver, **quote):
    artisan = db.session.get(Artisan, weaver.artisan_id)
    commission = commissions.request_commission(artisan, "M", "indigo", "", "ada@example.com", "DE", "en",
                                                "EUR")
    coord = db.session.scalar(select(User).where(User.username == "coord"))
    return commissions.send_quote(commission, coord, 60_000, 40, 6_000, 6, 5000, **quote)


def mails(template, key_part=""):
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == template,
                                                        OutboxEmail.key.like(f"%{key_part}%"))).all()


def test_quotes_past_their_date_expire_and_both_are_told(app, runner, weaver):
    with app.app_context():
        maria = db.session.scalar(select(User).where(User.artisan_id == weaver.artisan_id))
        maria.email = "maria@example.org"
        db.session.commit()
        late, fresh = quoted(weaver), quoted(weaver)
        late.quote_expires_at = now_utc() - timedelta(minutes=1)
        db.session.commit()
        late_id, fresh_id = late.id, fresh.id

    result = runner.invoke(args=["commissions", "sweep"])
    assert result.exit_code == 0 and "expired: 1" in result.output, result.output
    with app.app_context():
        assert db.session.get(Commission, late_id).status == "expired"
        assert db.session.get(Commission, fresh_id).status == "quoted"
        [to_buyer] = mails("commission_expired")
        assert to_buyer.recipient == "ada@example.com" and "nothing was charged" in to_buyer.message
        [to_her] = mails("commission_notice", f"{late_id}:artisan:expired")
        assert to_her.recipient == "maria@example.org"
        assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "commission.expired"))

    again = runner.invoke(args=["commissions", "sweep"])
    assert "expired: 0" in again.output
    with app.app_context():
        assert len(mails("commission_expired")) == 1


def test_an_artisan_without_email_is_told_through_the_cooperative(app, weaver):
    with app.app_context():
        commission = quoted(weaver)
        commission.quote_expires_at = now_utc() - timedelta(days=1)
        db.session.commit()
        assert commissions.sweep()["expired"] == 1
        [note] = mails("commission_notice", f"{commission.id}:artisan:expired")
        assert note.recipient == app.config["COOPERATIVE_EMAIL"]


def test_an_accepted_quote_whose_deposit_never_came_expires_after_its_checkout(app, weaver):
    with app.app_context():
        commission = commissions.accept(quoted(weaver))
        commission.quote_expires_at = now_utc() - timedelta(minutes=5)
        db.session.commit()
        assert commissions.sweep()["expired"] == 0          # a Checkout Session may still be open
        assert commissions.sweep(now=now_utc() + timedelta(hours=1))["expired"] == 1
        assert db.session.get(Commission, commission.id).status == "expired"


def test_a_balance_unpaid_past_the_days_is_flagged_once_for_the_cooperative(app, weaver):
    with app.app_context():
        commission = quoted(weaver)
        days = get_settings().balance_decision_days
        # Finished long ago (the deposit path is covered over the emulator elsewhere).
        commission.status, commission.finished_at = "finished", now_utc() - timedelta(days=days - 1)
        db.session.commit()
        assert commissions.sweep()["flagged"] == 0           # not yet
        later = now_utc() + timedelta(days=2)
        assert commissions.sweep(now=later)["flagged"] == 1
        assert commissions.sweep(now=later + timedelta(days=5))["flagged"] == 0
        commission = db.session.get(Commission, commission.id)
        assert commission.status == "finished" and commission.balance_flagged_at is not None  # staff decide
        assert len(mails("commission_notice", f"{commission.id}:notice:balance_overdue")) == 1
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "commission.balance_overdue")) == 1


def test_the_cooperative_sees_overdue_balances_first(app, client, auth, weaver):
    """Commissions by state, overdue ones first: a balance unpaid past the days heads the list even
    though it is the oldest, and carries the decision form; one still within its days does not."""
    with app.app_context():
        days = get_settings().balance_decision_days
        overdue, recent = quoted(weaver), quoted(weaver)
        overdue.status, overdue.finished_at = "finished", now_utc() - timedelta(days=days + 1)
        recent.status, recent.finished_at = "finished", now_utc() - timedelta(days=1)
        artisan = db.session.get(Artisan, weaver.artisan_id)
        artisan.commission_cap = 5
        db.session.commit()
        waiting = commissions.request_commission(artisan, "S", "red", "", "bo@example.com", "FR", "fr", "EUR")
        ids = overdue.id, recent.id, waiting.id
    auth.login("coord", PASSWORD)
    page = client.get("/coop/commissions?lang=en").get_data(as_text=True)
    row = r'<tr data-status="(\w+)"( class="overdue")?>\s*<td><a href="/studio/commissions/(\d+)"'
    rows = re.findall(row, page)
    assert [int(row[2]) for row in rows][0] == ids[0] and rows[0][1]        # the overdue one, first
    assert {int(row[2]) for row in rows} == set(ids)
    assert [row[1] for row in rows[1:]] == ["", ""]                           # nothing else is overdue
    assert page.count('name="decision"') == 2                                 # sell / refund, on it alone
