"""Login throttling that an attacker cannot turn against her.

Failed logins count against the pair (user name, client address) and against the client address,
never against the account alone: five wrong passwords typed for her name from somewhere else block
that somewhere else, while she still logs in from her own phone.

- pair: 5 failures a minute slow it down (wait for the minute to end), 10 failures in 15 minutes
  block it until 15 minutes after the first failure counted;
- address: 50 failures in 15 minutes, whatever the names (someone trying many names).

Windows are Flask-Limiter's fixed windows, so a block lasts at most 15 minutes; a successful login
counts nothing. Blocks are kept as `LoginBlock` rows so staff can see them and clear them early.
"""
from datetime import datetime, timezone

from flask import current_app, request
from flask_limiter.util import get_remote_address
from limits import parse_many
from sqlalchemy import select

from storefront.extensions import db, limiter
from storefront.models import LoginBlock, now_utc

LOGIN_ENDPOINT = "accounts.login"
PAIR_LIMITS = "5 per minute; 10 per 15 minutes"
ADDRESS_LIMITS = "50 per 15 minutes"
BLOCK_MINUTES = 15  # the longest a tripped window lasts (README, closing note)


def login_name(value=None):
    """The user name as the throttle counts it: trimmed, lower case, at most 64 characters."""
    value = request.form.get("login") if value is None else value
    return (value or "").replace("\x00", "").strip().lower()[:64]


def client_address():
    return (get_remote_address() or "unknown")[:64]


def pair_key(username=None, address=None):
    username = login_name() if username is None else username
    return f"login-pair:{username}|{address or client_address()}"


def address_key(address=None):
    return f"login-address:{address or client_address()}"


def pair_limits():
    return current_app.config.get("LOGIN_LIMITS_PER_PAIR", PAIR_LIMITS)


def address_limits():
    return current_app.config.get("LOGIN_LIMITS_PER_ADDRESS", ADDRESS_LIMITS)


def _record_block(kind, username, address, reset_at):
    """Keep (or extend) the visible record of a block; audited once when it starts."""
    from storefront.accounts.services import audit

    until = datetime.fromtimestamp(reset_at, timezone.utc).replace(tzinfo=None)
    block = db.session.execute(select(LoginBlock).where(
        LoginBlock.kind == kind, LoginBlock.username == username, LoginBlock.address == address,
        LoginBlock.cleared_at.is_(None), LoginBlock.blocked_until > now_utc())).scalars().first()
    if block is None:
        block = LoginBlock(kind=kind, username=username, address=address, blocked_at=now_utc(),
                           blocked_until=until)
        db.session.add(block)
        audit("login.blocked", "login", None, note=f"{kind} {username or ''} from {address}".strip())
    else:
        block.blocked_until = max(block.blocked_until, until)
    db.session.commit()
    return block


def record_pair_block(request_limit):
    return _record_block("pair", login_name(), client_address(), request_limit.reset_at)


def record_address_block(request_limit):
    return _record_block("address", None, client_address(), request_limit.reset_at)


def active_blocks():
    """Blocks still in force, newest first."""
    return db.session.execute(select(LoginBlock).where(
        LoginBlock.cleared_at.is_(None), LoginBlock.blocked_until > now_utc())
        .order_by(LoginBlock.blocked_at.desc(), LoginBlock.id.desc())).scalars().all()


def _limiter_args(key):
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    return [prefix, key, LOGIN_ENDPOINT] if prefix else [key, LOGIN_ENDPOINT]


def clear_block(block, actor):
    """Empty the counters behind a block (the pair or the address can log in at once); not committed."""
    from storefront.accounts.services import audit

    if block.kind == "pair":
        key, limits = pair_key(block.username, block.address), pair_limits()
    else:
        key, limits = address_key(block.address), address_limits()
    for item in parse_many(limits):
        limiter.limiter.clear(item, *_limiter_args(key))
    block.cleared_at = now_utc()
    block.cleared_by_id = actor.id
    audit("login.unblocked", "login", None, actor=actor,
          note=f"{block.kind} {block.username or ''} from {block.address}".strip())
