"""Account actions: find a user by name or phone, authenticate, create, audit."""
from flask_login import current_user
from sqlalchemy import or_, select

from storefront.accounts.passwords import hash_password, verify_password
from storefront.extensions import db
from storefront.models import AuditEntry, Role, User, now_utc


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
