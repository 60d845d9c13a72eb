"""Cross-cutting HTTP concerns: security headers and template helpers."""
import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, url_for


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy():
    """No inline script anywhere; forms may post (and be redirected) to Stripe Checkout."""
    checkout_origins = ["https://checkout.stripe.com"]
    emulator = _origin(current_app.config.get("STRIPE_API_BASE", ""))
    if emulator:
        checkout_origins.append(emulator)
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self' " + " ".join(checkout_origins),
    ])


def security_headers(response):
    """Added to every response."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


@lru_cache(maxsize=256)
def _file_digest(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_url(filename):
    """URL of a static file with a content fingerprint, so it can be cached forever."""
    path = Path(current_app.static_folder) / filename
    version = _file_digest(str(path), path.stat().st_mtime) if path.exists() else "0"
    return url_for("static", filename=filename, v=version)


def register_template_helpers(app):
    app.jinja_env.globals["static_url"] = static_url
    # Endpoint names, so shared templates link only to pages that exist in this build.
    app.jinja_env.globals["url_names"] = app.view_functions
