"""The email outbox against a real SMTP server on loopback (aiosmtpd) that first refuses, then accepts.

Every email a lifecycle action queued must arrive exactly once: not lost while the server is down or
refusing, not sent twice when the worker retries.
"""
import socket
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from storefront.extensions import db
from storefront.mail import MAX_ATTEMPTS, deliver_due, retry_delay
from storefront.models import OutboxEmail, now_utc
from storefront.orders import lifecycle
from tests.orders.test_lifecycle import _new_order, _paid


class RefusingThenAccepting:
    """An SMTP handler that answers 451 (try again later) to the first `refusals` messages."""

    def __init__(self, refusals):
        self.refusals = refusals
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refusals > 0:
            self.refusals -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        self.received.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 2.0.0 OK"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_port():
    return _free_port()


@pytest.fixture
def app_config(app_config, smtp_port):
    app_config.update({"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port,
                       "MAIL_USE_TLS": False, "MAIL_USERNAME": ""})
    return app_config


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


def _statuses():
    db.session.expire_all()
    return sorted(db.session.scalars(select(OutboxEmail.status)).all())


def test_every_email_arrives_once_through_an_outage_and_refusals(ctx, make, smtp_port):
    order_id, _artisan, _product = _new_order(make)
    lifecycle.record_payment(order_id, _paid(order_id, 130000))       # confirmation + sale notice
    assert _statuses() == ["pending", "pending"]
    now = now_utc()

    # 1. Nobody listens on the port: both fail, both wait their backoff.
    assert deliver_due(now=now) == {"sent": 0, "retry": 2, "failed": 0}
    assert deliver_due(now=now) == {"sent": 0, "retry": 0, "failed": 0}   # not due again yet

    handler = RefusingThenAccepting(refusals=1)
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        # 2. The server is up but refuses the first message: one sent, one retried later.
        later = now + retry_delay(1) + timedelta(seconds=1)
        assert deliver_due(now=later) == {"sent": 1, "retry": 1, "failed": 0}
        # 3. After its backoff the refused one goes through; nothing is sent twice.
        much_later = later + retry_delay(2) + timedelta(seconds=1)
        assert deliver_due(now=much_later) == {"sent": 1, "retry": 0, "failed": 0}
        assert deliver_due(now=much_later + timedelta(days=1)) == {"sent": 0, "retry": 0, "failed": 0}
    finally:
        controller.stop()

    ids = [message["Message-ID"] for message in handler.received]
    assert len(ids) == 2 and len(set(ids)) == 2
    recipients = sorted(message["To"] for message in handler.received)
    assert recipients == ["ada@example.com", "cooperativa@telar.example"]
    assert _statuses() == ["sent", "sent"]
    rows = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert [row.attempts for row in rows] in ([2, 3], [3, 2])


def test_an_email_is_given_up_after_the_last_attempt_and_says_why(ctx, make):
    order_id, _artisan, _product = _new_order(make)
    lifecycle.record_payment_failed(order_id)                          # one email, nobody listening
    when = now_utc()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        deliver_due(now=when)
        when += retry_delay(attempt) + timedelta(seconds=1)
    row = db.session.scalar(select(OutboxEmail))
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert "Connection refused" in row.last_error or "ConnectionRefusedError" in row.last_error
