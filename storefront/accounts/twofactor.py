"""Two-factor logins for staff: TOTP codes from an authenticator app, and one-time recovery codes.

Admins must use it, coordinators may, artisans are never asked (many share one phone with no
authenticator app). Recovery codes are random (16 characters of a 31-letter alphabet, about 79 bits),
so a SHA-256 of each is enough to keep them unreadable; a slow password hash is for guessable secrets.
"""
import hashlib
import hmac
import secrets

import pyotp

from storefront.accounts.services import CODE_ALPHABET, audit
from storefront.models import now_utc

ISSUER = "Telar"
RECOVERY_CODES = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret, username) -> str:
    """The otpauth:// URI an authenticator app reads (from the QR code, or typed by hand)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg_data_uri(uri):
    """The URI as an SVG QR code in a data: URI (no script; allowed by the page's img-src)."""
    import segno
    return segno.make(uri, error="m").svg_data_uri(scale=4, border=2)


def _clean(code):
    return "".join(ch for ch in (code or "") if ch.isalnum()).upper()[:32]


def matching_counter(secret, code, last_counter=None):
    """The time step a 6-digit code belongs to (this one or the one before/after), else None.

    A step at or before `last_counter` was already used: a code works once.
    """
    code = _clean(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(now_utc_aware())
    for counter in (now, now - 1, now + 1):
        if last_counter is not None and counter <= last_counter:
            continue
        if hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def now_utc_aware():
    from datetime import timezone
    return now_utc().replace(tzinfo=timezone.utc)


def _hash_recovery(code):
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def new_recovery_codes():
    """(plain codes to show once, their hashes to store)."""
    codes = ["-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(4))
             for _ in range(RECOVERY_CODES)]
    return codes, [_hash_recovery(code) for code in codes]


def confirm_enrolment(user, secret, code):
    """Turn two-factor on once she typed a good code from the new secret; returns the recovery codes
    to show once, or None when the code is wrong. Not committed."""
    counter = matching_counter(secret, code)
    if counter is None:
        return None
    codes, hashes = new_recovery_codes()
    user.totp_secret = secret
    user.totp_confirmed_at = now_utc()
    user.totp_last_counter = counter
    user.recovery_code_hashes = hashes
    audit("user.two_factor_on", "user", user.id, actor=user)
    return codes


def verify_login_code(user, code):
    """True for a fresh TOTP code or an unused recovery code (which is then spent). Not committed."""
    counter = matching_counter(user.totp_secret, code, user.totp_last_counter)
    if counter is not None:
        user.totp_last_counter = counter
        return True
    hashed = _hash_recovery(code)
    remaining = list(user.recovery_code_hashes or [])
    for stored in remaining:
        if hmac.compare_digest(stored, hashed):
            remaining.remove(stored)
            user.recovery_code_hashes = remaining
            audit("user.recovery_code_used", "user", user.id, actor=user,
                  note=f"{len(remaining)} recovery codes left")
            return True
    return False


def turn_off(user, actor=None, note=None):
    """Forget the secret and the recovery codes (not committed); an admin enrols again at next login."""
    if user.totp_secret is None and not user.recovery_code_hashes:
        return
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_counter = None
    user.recovery_code_hashes = None
    audit("user.two_factor_off", "user", user.id, actor=actor or user, note=note)
