"""Outgoing email through a durable outbox: `queue_email` writes a row, `deliver_due` sends it.

`queue_email` renders the message at once (in the reader's language, without any request) and adds
it to the caller's transaction, so an email exists if and only if the state change that justifies it
committed. A worker (`flask outbox work`, or one pass with `flask outbox deliver` from cron; `make
run` runs one beside the dev server) sends due rows: to MAIL_OUTBOX as .eml files in development
(MAIL_BACKEND=outbox), over SMTP in production, retrying with exponential backoff.
"""
import smtplib
import socket
import time
import uuid
from datetime import timedelta
from email.message import EmailMessage
from email import message_from_string, policy
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storefront.extensions import db
from storefront.models import EmailStatus, OutboxEmail, now_utc

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30          # then 60, 120, … capped below
MAX_RETRY_SECONDS = 3600
BATCH = 50


def render_body(template: str, locale: str, **context) -> str:
    """`templates/mail/<template>.txt` in `locale`, from the Jinja environment alone.

    No request context processors run (they read the visitor's request): everything an email shows
    comes from `context`, so it renders the same from a web view, a webhook, a worker or a command.
    """
    with force_locale(locale):
        return current_app.jinja_env.get_template(f"mail/{template}.txt").render(**context)


def build_message(to: str, subject: str, template: str, locale: str = "en", **context) -> EmailMessage:
    """Render `templates/mail/<template>.txt` in `locale` into a plain-text message."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="telar.example")
    message.set_content(render_body(template, locale, **context))
    return message


def queue_email(to: str, subject: str, template: str, locale: str = "en", key: str = None,
                **context):
    """Add one rendered email to the outbox, in the caller's transaction (not committed).

    `key` makes it idempotent ("order:42:confirmation"): a second call with the same key adds nothing.
    Returns the OutboxEmail row, or None when `to` is empty or the key was already queued.
    """
    if not to:
        return None
    if key and db.session.scalar(select(OutboxEmail.id).where(OutboxEmail.key == key)) is not None:
        return None
    message = build_message(to, subject, template, locale, **context)
    row = OutboxEmail(key=key, template=template, recipient=to, subject=str(subject)[:255],
                      message=message.as_string(), next_attempt_at=now_utc())
    db.session.add(row)
    return row


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after `attempts` failed attempts: 30 s, 60 s, 2 min … at most an hour."""
    return timedelta(seconds=min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1)))


def _transmit(row: OutboxEmail):
    """Hand one message to the configured backend; raises on failure."""
    config = current_app.config
    message = message_from_string(row.message, policy=policy.default)
    if config["MAIL_BACKEND"] == "outbox":
        outbox = Path(config["MAIL_OUTBOX"])
        outbox.mkdir(parents=True, exist_ok=True)
        # Named by row id: a retried write replaces the file instead of adding a second copy.
        (outbox / f"{row.template}-{row.id:08d}.eml").write_bytes(bytes(message))
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _claim_due(now, limit):
    """Due rows, locked so two workers never send the same one (PostgreSQL SKIP LOCKED)."""
    query = (select(OutboxEmail).where(OutboxEmail.status == EmailStatus.PENDING.value,
                                       OutboxEmail.next_attempt_at <= now)
             .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id).limit(limit))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.session.execute(query).scalars().all()


def deliver_due(now=None, limit: int = BATCH) -> dict:
    """Send every due email once; a failure is retried later with backoff. Returns counts."""
    now = now or now_utc()
    summary = {"sent": 0, "retry": 0, "failed": 0}
    for row in _claim_due(now, limit):
        row.attempts += 1
        try:
            _transmit(row)
        except (smtplib.SMTPException, OSError, socket.timeout) as error:
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = EmailStatus.FAILED.value
                summary["failed"] += 1
                current_app.logger.error("email %s given up after %s attempts: %s", row.id, row.attempts,
                                         row.last_error)
            else:
                row.next_attempt_at = now + retry_delay(row.attempts)
                summary["retry"] += 1
        else:
            row.status, row.sent_at, row.last_error = EmailStatus.SENT.value, now_utc(), None
            summary["sent"] += 1
        # One commit per message: a crash after sending loses at most this row's "sent" mark.
        db.session.commit()
    db.session.commit()
    return summary


def send(to: str, subject: str, template: str, locale: str = "en", **context):
    """Queue one email and commit it (for callers outside an order action, e.g. account emails)."""
    try:
        row = queue_email(to, subject, template, locale, key=f"direct:{uuid.uuid4().hex}", **context)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise
    return row


def work(interval: float = 2.0, stop=None):
    """Deliver due emails every `interval` seconds until `stop` (a threading.Event) is set.

    A delivery error that is not the mail server's (the database restarting, say) is logged and the
    loop goes on: the worker outlives what a cron run would not.
    """
    while stop is None or not stop.is_set():
        try:
            deliver_due()
        except Exception:  # noqa: BLE001 - keep the worker alive; the row stays pending
            db.session.rollback()
            current_app.logger.exception("outbox worker: delivery pass failed")
        finally:
            db.session.remove()
        if stop is not None:
            stop.wait(interval)
        else:
            time.sleep(interval)
