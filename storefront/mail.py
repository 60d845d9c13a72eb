"""Outgoing email through the standard library's `email` and `smtplib`: one `send` function.

In development (MAIL_BACKEND=outbox) each message is written as an .eml file to MAIL_OUTBOX, where a
person can open it; in production it goes over SMTP with the MAIL_* settings.
"""
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale


def build_message(to: str, subject: str, template: str, locale: str = "en", **context) -> EmailMessage:
    """Render `templates/mail/<template>.txt` in `locale` into a plain-text message."""
    with force_locale(locale):
        body = render_template(f"mail/{template}.txt", **context)
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="telar.example")
    message.set_content(body)
    return message


def send(to: str, subject: str, template: str, locale: str = "en", **context) -> EmailMessage:
    """Send one email (outbox file in development, SMTP in production); returns the message."""
    message = build_message(to, subject, template, locale, **context)
    config = current_app.config
    if config["MAIL_BACKEND"] == "outbox":
        outbox = Path(config["MAIL_OUTBOX"])
        outbox.mkdir(parents=True, exist_ok=True)
        (outbox / f"{template}-{uuid.uuid4().hex}.eml").write_bytes(bytes(message))
        return message
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
    return message
