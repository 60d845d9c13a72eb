"""A few seconds of memory for the public pages, for visitors who are not logged in and have no cart.

Why: a garment shared on social media brings hundreds of first-time visitors within minutes, and one
catalog page costs 12–25 ms of CPU (queries, ORM, Jinja, Babel): a 2-core server would queue them.
The page rendered for one such visitor is the page every such visitor with the same language,
currency and address gets, so it is kept PAGE_CACHE_SECONDS and served without entering Flask, in
the spirit of nginx "microcaching" but aware of sessions:

- Eligible: GET or HEAD of a view marked `@cacheable`, by a visitor whose session holds nothing but
  her language, currency and CSRF token: no login, no remember-me cookie, no cart, no order in
  progress, no message waiting. `?lang=` and `?currency=` change her session, so Flask answers those.
- The key is everything that changes such a page: scheme, host, path, query string, locale and
  currency, the last two computed by the same functions the page uses (storefront.i18n).
- CSRF: a page with a form carries the visitor's own token. It is kept with a placeholder, and each
  hit signs the visitor's token, minting one and her session cookie when she has none, with the same
  serializers Flask-WTF and Flask's session interface use (tests post the forms back to prove it).
- Freshness: any database write committed by this process (a sale, a new garment, a new rate)
  empties the cache at once; other processes and instances catch up within PAGE_CACHE_SECONDS,
  which is why the default is short (5 s). Adding to the cart always checks the database, so a
  stale "available" ends in "just sold", never in a double sale. When an entry expires, one request
  renders it again while the others keep getting the expired copy for at most PAGE_CACHE_SECONDS
  more, so a busy page does not stampede the database every few seconds.
- Bounded: at most PAGE_CACHE_MAX_ENTRIES pages (the oldest go first); pages over 512 KB are not kept.
"""
import hashlib
import os
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from flask import current_app, g, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie, parse_etags
from werkzeug.wrappers import Response

from storefront import i18n, web
from storefront.logging import REQUEST_ID_HEADER, loggable_path, request_id_from, write_line

ASKED = "storefront.page_cache.asked"        # environ: the cache wants this render kept
RENDERED = "storefront.page_cache.rendered"  # environ: what the render left for the cache
MAX_BODY = 512 * 1024
CHOICE_ARGS = {"lang", "currency"}
# Headers that belong to one response, not to the page.
PER_RESPONSE_HEADERS = {"set-cookie", "content-length", "content-encoding", "etag", REQUEST_ID_HEADER.lower()}


def cacheable(view):
    """Mark a public view whose page depends only on the URL, the language and the currency."""
    view.page_cacheable = True
    return view


# --- invalidation: any write this process commits ---------------------------------------------

_generation = 0
WRITES = ("INSERT", "UPDATE", "DELETE")


def _note_write(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip()[:6].upper() in WRITES:
        conn.info["page_cache_wrote"] = True


def _forget_pages_on_commit(conn):
    global _generation
    if conn.info.pop("page_cache_wrote", False):
        _generation += 1


def _listen_for_writes():
    """On every engine of the process, once: raw SQL and CLI commands count as writes too."""
    if not event.contains(Engine, "after_cursor_execute", _note_write):
        event.listen(Engine, "after_cursor_execute", _note_write)
        event.listen(Engine, "commit", _forget_pages_on_commit)


# --- the cache --------------------------------------------------------------------------------

@dataclass
class Rendered:
    """Left in the WSGI environ by `remember_rendered_page` for the cache to keep."""
    body: bytes
    csrf_token: str | None
    locale: str
    currency: str
    endpoint: str
    log_path: str


@dataclass
class Entry:
    headers: list
    body: bytes               # uncompressed, with the placeholder where the CSRF token goes
    has_token: bool
    gzipped: bytes | None     # precompressed when the body has no token
    etag: str | None
    endpoint: str
    log_path: str
    fresh_until: float
    generation: int
    refreshing: bool = False


class PageCache:
    """WSGI middleware in front of Flask; see the module docstring."""

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.seconds = app.config["PAGE_CACHE_SECONDS"]
        self.max_entries = app.config["PAGE_CACHE_MAX_ENTRIES"]
        self.entries = {}
        self.lock = threading.Lock()
        self.clock = time.monotonic
        self.csrf_field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        self.plain_session_keys = {"lang", "currency", self.csrf_field}
        self.session_cookie = app.session_interface.get_cookie_name(app)
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        self.static_prefix = (app.static_url_path or "/static") + "/"
        # Random per process, so no garment story can contain it.
        self.placeholder = f"csrf-{os.urandom(16).hex()}".encode()
        self.log_hits = app.config.get("LOG_REQUESTS", True)

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        visitor = self.visitor(environ)
        if visitor is None:
            return self.wsgi_app(environ, start_response)
        key, session = visitor
        entry = self.lookup(key)
        if entry is None:
            return self.render_and_keep(key, environ, start_response)
        return self.serve(entry, session, environ, start_response, started)

    # Who is asking, and for what

    def visitor(self, environ):
        """(key, session) when this request may be answered from the cache, else None."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.static_prefix):
            return None
        query = environ.get("QUERY_STRING", "")
        if ("lang" in query or "currency" in query) and \
                CHOICE_ARGS & {name for name, _ in parse_qsl(query, keep_blank_values=True)}:
            return None
        cookies = parse_cookie(environ)
        if self.remember_cookie in cookies:
            return None
        session = self.read_session(cookies.get(self.session_cookie))
        if not session.keys() <= self.plain_session_keys:
            return None
        if session.get("lang") in i18n.INDIGENOUS_LOCALES:
            return None  # Spanish formatting with another language's text: rendered for her each time
        accept_languages = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
        locale = i18n.visitor_locale(session.get("lang"), accept_languages)
        currency = i18n.visitor_currency(session.get("currency"), locale, accept_languages)
        key = (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
               environ.get("SCRIPT_NAME", ""), path, query, locale, currency)
        return key, session

    def read_session(self, cookie):
        """The session as Flask would open it: an unsigned, tampered or expired cookie is no session."""
        if not cookie:
            return {}
        serializer = self.app.session_interface.get_signing_serializer(self.app)
        try:
            data = serializer.loads(cookie, max_age=int(self.app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    # Keeping and finding pages

    def lookup(self, key):
        """A fresh entry; an expired one while another request renders it again; else None."""
        entry = self.entries.get(key)
        if entry is None or entry.generation != _generation:
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
        generation = _generation  # read before rendering: a write committed meanwhile discards the page
        captured = []

        def capture(status, headers, exc_info=None):
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info)

        environ[ASKED] = True
        body = self.wsgi_app(environ, capture)
        rendered = environ.get(RENDERED)
        if rendered and captured and (rendered.locale, rendered.currency) == key[-2:]:
            self.keep(key, rendered, captured[1], generation)
        else:
            with self.lock:  # an expired copy whose page is gone or changed kind
                self.entries.pop(key, None)
        return body

    def keep(self, key, rendered, headers, generation):
        body = rendered.body
        if rendered.csrf_token:
            body = body.replace(rendered.csrf_token.encode(), self.placeholder)
        if len(body) > MAX_BODY:
            return
        has_token = self.placeholder in body
        entry = Entry(
            headers=[(name, value) for name, value in headers if name.lower() not in PER_RESPONSE_HEADERS],
            body=body, has_token=has_token,
            gzipped=None if has_token or len(body) < web.MIN_COMPRESS_BYTES else web.gzip_body(body),
            etag=None if has_token else web.page_etag(body, compressed=False),
            endpoint=rendered.endpoint, log_path=rendered.log_path,
            fresh_until=self.clock() + self.seconds, generation=generation)
        with self.lock:
            if key not in self.entries and len(self.entries) >= self.max_entries:
                self.entries.pop(next(iter(self.entries)))  # dicts keep insertion order: oldest first
            self.entries.pop(key, None)
            self.entries[key] = entry

    # Answering from memory

    def serve(self, entry, session, environ, start_response, started):
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        headers = entry.headers + [(REQUEST_ID_HEADER, request_id)]
        gzip_ok = web.accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING"))
        if entry.has_token:
            token, cookies = self.csrf_token_for(session)
            body = entry.body.replace(self.placeholder, token.encode())
            headers += cookies
            gzipped = web.gzip_body(body) if gzip_ok and len(body) >= web.MIN_COMPRESS_BYTES else None
        else:
            body, gzipped = entry.body, entry.gzipped
        compressed = gzip_ok and gzipped is not None
        status = "200 OK"
        if entry.etag:
            etag = entry.etag + ("-gz" if compressed else "")
            headers.append(("ETag", f'"{etag}"'))
            if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains(etag):
                status = "304 Not Modified"
        if status == "304 Not Modified":
            payload = b""
        else:
            payload = gzipped if compressed else body
            if compressed:
                headers.append(("Content-Encoding", "gzip"))
            headers.append(("Content-Length", str(len(payload))))
        start_response(status, headers)
        if self.log_hits:
            write_line(request_id, environ["REQUEST_METHOD"], entry.log_path, entry.endpoint, int(status[:3]),
                       started, None, cache="hit")
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else payload]

    def csrf_token_for(self, session):
        """Her signed CSRF token, as Flask-WTF's generate_csrf makes it, and any session cookie to set."""
        raw = session.get(self.csrf_field)
        fresh = dict(session)
        if not isinstance(raw, str) or not raw:
            raw = fresh[self.csrf_field] = hashlib.sha1(os.urandom(64)).hexdigest()
        interface = self.app.session_interface
        cookie_holder = Response()
        session_object = interface.session_class(fresh)
        session_object.modified = fresh != session
        interface.save_session(self.app, session_object, cookie_holder)
        cookies = [(name, value) for name, value in cookie_holder.headers.items()
                   if name.lower() == "set-cookie"]
        secret = self.app.config.get("WTF_CSRF_SECRET_KEY") or self.app.secret_key
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw), cookies


def remember_rendered_page(response):
    """after_request, before compression: leave a cacheable page's body for the cache to keep."""
    if not request.environ.get(ASKED) or request.method != "GET" or response.status_code != 200:
        return response
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "page_cacheable", False) or response.mimetype != "text/html" or response.is_streamed:
        return response
    # Flask-Login's strong session protection marks any anonymous session with `_remember`.
    if not session.keys() - {"_remember"} <= current_app.extensions["page_cache"].plain_session_keys:
        return response  # the view put something of hers in the session: it may show on the page
    request.environ[RENDERED] = Rendered(
        body=response.get_data(),
        csrf_token=g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")),
        locale=i18n.current_locale(), currency=i18n.current_currency(), endpoint=request.endpoint,
        log_path=loggable_path(request.path, request.url_rule.rule, request.view_args))
    return response


def init_app(app):
    """Call after the compression hook is registered (so this runs before it) and before ProxyFix
    wraps the app (so the key sees the public host and scheme)."""
    _listen_for_writes()
    if app.config["PAGE_CACHE_SECONDS"] > 0:
        app.wsgi_app = app.extensions["page_cache"] = PageCache(app, app.wsgi_app)
        app.after_request(remember_rendered_page)
