"""Account actions: find a user by name or phone, authenticate, create, audit."""
from flask_login import current_user
from sqlalchemy import or_, select

from storefront.accounts.passwords import hash_password, verify_password
from storefront.extensions import db
from storefront.models import AuditEntry, Role, User, now_utc
from storefront.models.accounts import new_session_token


def find_user(login: str):
    """A user by username or phone number (spaces and dashes in phone numbers ignored)."""
    login = (login or "").strip()
    if not login:
        return None
    phone = "".join(ch for ch in login if ch.isdigit() or ch == "+")
    conditions = [User.username == login.lower()]
    if len(phone) >= 7:
        conditions.append(User.phone == phone)
    return db.session.execute(select(User).where(or_(*conditions))).scalars().first()


def authenticate(login: str, password: str):
    """The active user with these credentials, or None."""
    user = find_user(login)
    if user is None or not user.is_active_account or not verify_password(user.password_hash, password):
        return None
    return user


def create_user(username, password, role, artisan=None, phone=None, email=None, locale=None):
    """Add a user (not committed: the caller commits with its audit entry)."""
    if role not in {r.value for r in Role}:
        raise ValueError(f"unknown role {role!r}")
    user = User(username=username.strip().lower(), password_hash=hash_password(password), role=role,
                artisan=artisan, phone=phone, email=email, locale=locale)
    db.session.add(user)
    return user


def audit(action, entity_type, entity_id=None, artisan_id=None, changes=None, note=None, actor=None):
    """Add an audit record for the current user (or `actor`); committed with the change it describes."""
    if actor is None and current_user and current_user.is_authenticated:
        actor = current_user
    entry = AuditEntry(actor_id=actor.id if actor is not None else None, artisan_id=artisan_id,
                       action=action, entity_type=entity_type, entity_id=entity_id,
                       changes=changes or {}, note=note, created_at=now_utc())
    db.session.add(entry)
    return entry


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields that changed."""
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}


ONE_TIME_CODE_HOURS = 72
# No 0/O, 1/I/L: a code read aloud or copied by hand onto paper must not be misread.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def issue_one_time_code(user, actor=None):
    """Reset a forgotten password: a short code she types once, then chooses a new password.

    The old password stops working at once; the code is stored hashed and expires in 72 hours.
    Returns the plain code (shown once to the coordinator). Not committed: the caller commits.
    """
    import secrets
    from datetime import timedelta

    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.one_time_code_hash = hash_password(code)
    user.one_time_code_expires_at = now_utc() + timedelta(hours=ONE_TIME_CODE_HOURS)
    user.must_change_password = True
    end_sessions(user)
    if user.totp_secret is not None:
        # Handed over in person: it also lets a staff member who lost the phone in; she enrols again.
        user.totp_secret = user.totp_confirmed_at = user.totp_last_counter = None
        user.recovery_code_hashes = None
    audit("user.password_reset", "user", user.id, artisan_id=user.artisan_id, actor=actor,
          changes={"one_time_code": [None, "issued"]},
          note=f"expires {user.one_time_code_expires_at:%Y-%m-%d %H:%M} UTC")
    return code


def authenticate_with_code(login: str, code: str):
    """The user whose unexpired one-time code this is (the code is then spent), or None."""
    user = find_user(login)
    if user is None or not user.is_active_account or not user.one_time_code_hash:
        return None
    if user.one_time_code_expires_at is None or user.one_time_code_expires_at < now_utc():
        return None
    if not verify_password(user.one_time_code_hash, code.strip().upper().replace(" ", "").replace("-", "")):
        return None
    user.one_time_code_hash = None
    user.one_time_code_expires_at = None
    user.must_change_password = True
    return user


def set_password(user, password):
    """Set a new password chosen by the user herself (not committed)."""
    user.password_hash = hash_password(password)
    user.must_change_password = False
    user.one_time_code_hash = None
    user.one_time_code_expires_at = None
    end_sessions(user)
    audit("user.password_changed", "user", user.id, artisan_id=user.artisan_id, actor=user)


def end_sessions(user):
    """Every session and remember-me cookie of this person stops working (not committed).

    The session token is part of the id Flask-Login keeps in cookies; a new one makes old ids unknown.
    A view that keeps the current person logged in calls `login_user` again afterwards.
    """
    user.session_token = new_session_token()


def log_out_everywhere(user, actor=None):
    """An admin ends every open session of a person (a lost or shared phone); not committed."""
    end_sessions(user)
    audit("user.logout_everywhere", "user", user.id, artisan_id=user.artisan_id, actor=actor)
