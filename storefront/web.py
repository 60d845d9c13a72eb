"""Cross-cutting HTTP concerns: security headers and template helpers."""
import gzip
import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, g, request, url_for

from storefront.orders.present import status_name


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def cross_site_request():
    """Whether the browser says this request was sent by another site's page.

    Stands in for a CSRF token where a page must stay the same for every visitor (adding to the cart):
    the session cookie is SameSite=Lax, so another site's form never carries her cart, and browsers
    name the sending page in Sec-Fetch-Site, Origin or Referer. A client that sends none of them is
    not a browser on another site's page.
    """
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return True
    ours = _origin(request.host_url)
    origin = request.headers.get("Origin")
    if origin:
        return origin != ours
    referer = request.headers.get("Referer")
    return bool(referer) and _origin(referer) != ours


def content_security_policy():
    """No inline script anywhere; forms may post (and be redirected) to Stripe Checkout."""
    checkout_origins = ["https://checkout.stripe.com"]
    emulator = _origin(current_app.config.get("STRIPE_API_BASE", ""))
    if emulator:
        checkout_origins.append(emulator)
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "worker-src 'self'",  # the studio's service worker (/studio/sw.js) and what it imports: ours only
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
    headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(self), camera=(self)")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


@lru_cache(maxsize=256)
def _file_digest(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_url(filename):
    """URL of a static file with a content fingerprint, so it can be cached forever.

    Outside debug mode the fingerprint is read once per process (a deployment replaces the files and
    restarts); in debug mode, whenever the file changes.
    """
    versions = current_app.extensions.setdefault("static_versions", {})
    version = None if current_app.debug else versions.get(filename)
    if version is None:
        path = Path(current_app.static_folder) / filename
        version = versions[filename] = (_file_digest(str(path), path.stat().st_mtime) if path.exists()
                                        else "0")
    return url_for("static", filename=filename, v=version)


ONE_YEAR = 365 * 24 * 3600
COMPRESSIBLE = ("text/html", "text/css", "text/plain", "text/csv", "application/xml", "application/json",
                "application/ld+json", "image/svg+xml", "text/javascript", "application/javascript")
MIN_COMPRESS_BYTES = 512


def cache_fingerprinted_static(response):
    """Static files requested with their fingerprint (`?v=`) never change: cache them for a year."""
    if request.endpoint == "static" and request.args.get("v") and response.status_code in (200, 304):
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response


def accepts_gzip(accept_encoding):
    return "gzip" in (accept_encoding or "").lower()


def gzip_body(body):
    return gzip.compress(body, compresslevel=6, mtime=0)


def page_etag(body, compressed):
    """ETag of a page, computed on the uncompressed body and marked `-gz` for the compressed variant,
    so a cache never confuses the two representations."""
    return hashlib.sha256(body).hexdigest()[:32] + ("-gz" if compressed else "")


def carries_csrf_token():
    """True when this response embeds the visitor's own CSRF token (Flask-WTF keeps it in `g`)."""
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g


def conditional_and_compressed(response):
    """ETag on pages (304 when unchanged), then gzip text responses for clients that accept it.

    A page that embeds a CSRF token gets no ETag: the token is signed afresh on every request, so
    the body never repeats and an ETag could never match.
    """
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if response.is_streamed and not response.direct_passthrough:  # a generator: leave it streaming
        return response
    if response.mimetype not in COMPRESSIBLE or "Content-Encoding" in response.headers:
        return response
    response.direct_passthrough = False  # static files: read the body so it can be hashed and compressed
    body = response.get_data()
    response.vary.add("Accept-Encoding")
    compress = accepts_gzip(request.headers.get("Accept-Encoding")) and len(body) >= MIN_COMPRESS_BYTES
    if response.mimetype == "text/html" and not response.get_etag()[0] and not carries_csrf_token():
        response.set_etag(page_etag(body, compress))
        response.make_conditional(request)
        if response.status_code == 304:
            return response
    if compress:
        response.set_data(gzip_body(body))
        response.headers["Content-Encoding"] = "gzip"
        if response.get_etag()[0] and not response.get_etag()[0].endswith("-gz"):
            response.set_etag(response.get_etag()[0] + "-gz", weak=response.get_etag()[1])
    return response


def register_response_hooks(app):
    """after_request hooks run last-registered first: caching headers, then ETag and compression."""
    app.after_request(conditional_and_compressed)
    app.after_request(cache_fingerprinted_static)


def register_template_helpers(app):
    app.jinja_env.globals["static_url"] = static_url
    app.jinja_env.filters["status_name"] = status_name
    # Endpoint names, so shared templates link only to pages that exist in this build.
    app.jinja_env.globals["url_names"] = app.view_functions
    register_response_hooks(app)
