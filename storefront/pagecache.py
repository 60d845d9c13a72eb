"""Public pages as any HTTP cache can keep them, and a few seconds of memory in front of Flask.

A public page (a view marked `@cacheable`) asked for without any cookie is the same page for every
such visitor with the same browser languages: it carries no CSRF token (adding to the cart is checked
by SameSite cookies and the Origin header instead, storefront.checkout), no cart, no name. It is sent
with `Cache-Control: public, max-age=PAGE_CACHE_SECONDS, stale-while-revalidate=PAGE_CACHE_SECONDS`,
`Vary: Accept-Language, Cookie` and an ETag (storefront.web), so nginx's micro-cache or a CDN may keep
it and answer it across every instance (docs/deployment.md). The same page asked for with a cookie
(a language chosen, a cart, a login) is rendered for her and sent `private, no-cache`.

Freshness promise: a change made by staff shows on every public page within FRESHNESS_SECONDS
(max-age plus stale-while-revalidate), whatever cache sits in front.

PageCache is that same standard behaviour inside the process, for deployments without nginx: it keeps
only what the app marked `public`, only for requests without cookies, for max-age seconds, and forgets
everything at once when this process commits a write. It reads nothing of any other library.
"""
import re
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from flask import current_app, request, session
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_etags

from storefront import i18n, web, writes
from storefront.logging import REQUEST_ID_HEADER, request_id_from, write_line

MAX_BODY = 512 * 1024
CHOICE_ARGS = {"lang", "currency"}
PER_RESPONSE_HEADERS = {"content-length", REQUEST_ID_HEADER.lower()}
HIT_ENDPOINT = "page_cache"
MAX_AGE = re.compile(r"(?:^|,)\s*max-age=(\d+)")


def cacheable(view):
    """Mark a public view whose page depends only on the URL, the language and the currency."""
    view.page_cacheable = True
    return view


def freshness_seconds(app):
    """How long a change may take to show on a public page, whatever standard cache is in front."""
    return 2 * app.config["PAGE_CACHE_SECONDS"]


def cache_control(response):
    """after_request: `public` for a cookieless visitor's public page, `private, no-cache` for hers."""
    view = current_app.view_functions.get(request.endpoint)
    if request.method not in ("GET", "HEAD") or not getattr(view, "page_cacheable", False):
        return response
    seconds = current_app.config["PAGE_CACHE_SECONDS"]
    shared = (response.status_code == 200 and not request.cookies and not session.modified
              and "Set-Cookie" not in response.headers)
    if shared and seconds:
        response.headers["Cache-Control"] = f"public, max-age={seconds}, stale-while-revalidate={seconds}"
    elif shared:
        response.headers["Cache-Control"] = "public, no-cache"
    else:
        response.headers["Cache-Control"] = "private, no-cache"
    response.vary.update(("Accept-Language", "Cookie"))
    return response


# --- the in-process cache ---------------------------------------------------------------------

@dataclass
class Entry:
    status: str
    headers: list
    body: bytes
    etag: str | None
    fresh_until: float
    generation: int
    refreshing: bool = False


class PageCache:
    """WSGI middleware in front of Flask; see the module docstring."""

    def __init__(self, app, wsgi_app):
        self.wsgi_app = wsgi_app
        self.seconds = app.config["PAGE_CACHE_SECONDS"]
        self.max_entries = app.config["PAGE_CACHE_MAX_ENTRIES"]
        self.entries = {}
        self.lock = threading.Lock()
        self.clock = time.monotonic
        self.static_prefix = (app.static_url_path or "/static") + "/"
        self.log_hits = app.config.get("LOG_REQUESTS", True)

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        key = self.key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        entry = self.lookup(key)
        if entry is None:
            return self.render_and_keep(key, environ, start_response)
        return self.serve(entry, environ, start_response, started)

    def key(self, environ):
        """What makes the page: scheme, host, path, query, locale, currency, gzip; None if not ours."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("HTTP_COOKIE"):
            return None
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.static_prefix):
            return None
        query = environ.get("QUERY_STRING", "")
        if ("lang" in query or "currency" in query) and \
                CHOICE_ARGS & {name for name, _ in parse_qsl(query, keep_blank_values=True)}:
            return None  # her choice goes to her session: Flask answers
        accept_languages = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
        locale = i18n.visitor_locale(None, accept_languages)
        currency = i18n.visitor_currency(None, locale, accept_languages)
        return (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
                environ.get("SCRIPT_NAME", ""), path, query, locale, currency,
                web.accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING")))

    def lookup(self, key):
        """A fresh entry; an expired one while another request renders it again; else None."""
        entry = self.entries.get(key)
        if entry is None or entry.generation != writes.generation():
            return None
        now = self.clock()
        if now < entry.fresh_until:
            return entry
        if now >= entry.fresh_until + self.seconds:
            return None
        with self.lock:
            if entry.refreshing:
                return entry
            entry.refreshing = True  # this request renders it again; the others keep the copy
            return None

    def render_and_keep(self, key, environ, start_response):
        generation = writes.generation()  # read before rendering: a write meanwhile discards the page
        captured = []

        def capture(status, headers, exc_info=None):
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info)

        iterable = self.wsgi_app(environ, capture)
        max_age = self.shareable_for(captured)
        if max_age is None:
            with self.lock:  # an expired copy whose page is gone or turned private
                self.entries.pop(key, None)
            return iterable
        try:
            body = b"".join(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        if len(body) <= MAX_BODY:
            self.keep(key, captured, body, min(self.seconds, max_age), generation)
        return [body]

    @staticmethod
    def shareable_for(captured):
        """Seconds a shared cache may keep this answer (a 200 HTML page the app marked public), or None."""
        if not captured or not captured[0].startswith("200 "):
            return None
        headers = {name.lower(): value for name, value in captured[1]}
        control = headers.get("cache-control", "")
        max_age = MAX_AGE.search(control)
        if not control.startswith("public") or not max_age or int(max_age.group(1)) <= 0 \
                or "set-cookie" in headers or not headers.get("content-type", "").startswith("text/html"):
            return None
        return int(max_age.group(1))

    def keep(self, key, captured, body, seconds, generation):
        headers = captured[1]
        entry = Entry(status=captured[0],
                      headers=[(n, v) for n, v in headers if n.lower() not in PER_RESPONSE_HEADERS],
                      body=body, etag=next((v for n, v in headers if n.lower() == "etag"), None),
                      fresh_until=self.clock() + seconds, generation=generation)
        with self.lock:
            if key not in self.entries and len(self.entries) >= self.max_entries:
                self.entries.pop(next(iter(self.entries)))  # dicts keep insertion order: oldest first
            self.entries.pop(key, None)
            self.entries[key] = entry

    def serve(self, entry, environ, start_response, started):
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        headers = entry.headers + [(REQUEST_ID_HEADER, request_id)]
        if entry.etag and parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains(entry.etag.strip('"')):
            status, payload = "304 Not Modified", b""
            headers = [(n, v) for n, v in headers if n.lower() != "content-encoding"]
        else:
            status, payload = entry.status, entry.body
            headers.append(("Content-Length", str(len(payload))))
        start_response(status, headers)
        if self.log_hits:
            write_line(request_id, environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), HIT_ENDPOINT,
                       int(status[:3]), started, None, cache="hit")
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else payload]


def init_app(app):
    """Call after the compression hook is registered (so the Cache-Control decision runs before the
    ETag is compared) and before ProxyFix wraps the app (so the key sees the public host and scheme)."""
    writes.listen()
    app.after_request(cache_control)
    if app.config["PAGE_CACHE_SECONDS"] > 0:
        app.wsgi_app = app.extensions["page_cache"] = PageCache(app, app.wsgi_app)
